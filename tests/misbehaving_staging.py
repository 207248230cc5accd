"""A stand-in staging that misbehaves in one way at a time (issue 27), for the tests and the benchmark.

:class:`MisbehavingStaging` is a small loopback server: it reads each request, forwards it to the project's own
server (a :class:`~pytest_postpress.doubles.server.PostpressServer`, so the answers are the documented ones), and
then gives the answer back in the way its ``mode`` says (:data:`MODES`).  Every connection is closed after one
answer; every wait is bounded (``stop()`` releases them), so nothing outlives the test.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socketserver
import threading
from collections.abc import Callable
from typing import Final

#: mode -> what staging does with the documented answer it got.
MODES: Final = {
    "correct": "answers as the project's server does",
    "slow": "waits `delay` seconds, then answers",
    "hang": "never answers (until stopped)",
    "trickle": "answers one byte at a time, `delay` seconds apart",
    "cut": "sends the head and half the body, then closes the connection",
    "garbage": "sends bytes that are not HTTP, then closes",
    "bad-status": "sends a malformed status line",
    "length-over": "declares a Content-Length larger than the body, then closes",
    "length-under": "declares a Content-Length smaller than the body",
    "bad-gzip": "labels the body Content-Encoding: gzip, but it is not gzip",
    "many-headers": "sends 5000 headers",
    "huge": "answers a 50 MB body",
    "503": "answers every request 503 errors/service_unavailable",
}
_SKIPPED: Final = frozenset({"host", "connection", "content-length", "accept-encoding", "transfer-encoding"})


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        staging = self.server.staging
        self.connection.settimeout(10.0)
        try:
            request = self._read()
        except (OSError, ValueError):
            return
        if request is None:
            return
        status, reason, headers, body = staging.forward(*request)
        staging.counted()
        with contextlib.suppress(OSError):
            staging.misbehave(self.wfile, status, reason, headers, body)
            self.wfile.flush()

    def _read(self) -> tuple[str, str, list[tuple[str, str]], bytes] | None:
        line = self.rfile.readline(65537)
        if not line.strip():
            return None
        method, target, _ = line.decode("latin-1").split(" ", 2)
        headers: list[tuple[str, str]] = []
        while True:
            field = self.rfile.readline(65537)
            if field in (b"\r\n", b"\n", b""):
                break
            name, _, value = field.decode("latin-1").partition(":")
            headers.append((name.strip(), value.strip()))
        length = next((int(value) for name, value in headers if name.lower() == "content-length"), 0)
        return method, target, headers, self.rfile.read(length)


class _Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, staging: MisbehavingStaging) -> None:
        self.staging = staging
        super().__init__(("127.0.0.1", 0), _Handler)


class MisbehavingStaging:
    """Forwards to ``upstream`` (an origin, ``http://127.0.0.1:PORT``) and misbehaves by ``mode``."""

    def __init__(self, upstream: str, mode: str, *, delay: float = 0.0, huge: int = 50 * 1024 * 1024) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; modes: {', '.join(MODES)}")
        host, _, port = upstream.removeprefix("http://").partition(":")
        self.upstream = (host, int(port))
        self.mode, self.delay, self.huge = mode, delay, huge
        self.requests = 0
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> MisbehavingStaging:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopped.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def counted(self) -> None:
        with self._lock:
            self.requests += 1

    def forward(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, str, list[tuple[str, str]], bytes]:
        """The project's server's answer to the request."""
        connection = http.client.HTTPConnection(*self.upstream, timeout=10)
        try:
            sent = {name: value for name, value in headers if name.lower() not in _SKIPPED}
            connection.request(method, target, body=body, headers=sent)
            response = connection.getresponse()
            kept = [(n, v) for n, v in response.getheaders() if n.lower() not in ("content-length", "connection")]
            return response.status, response.reason, kept, response.read()
        finally:
            connection.close()

    def _sleep(self, seconds: float) -> bool:
        """Wait ``seconds`` (or until stopped); whether still running."""
        return not self._stopped.wait(seconds)

    def misbehave(
        self, out: Callable[..., object] | object, status: int, reason: str, headers: list[tuple[str, str]], body: bytes
    ) -> None:
        write = out.write  # type: ignore[attr-defined]
        mode = self.mode
        if mode == "503":
            status, reason = 503, "Service Unavailable"
            headers = [("Content-Type", "application/json")]
            body = json.dumps(
                {"title": "Service Unavailable", "type": "errors/service_unavailable", "status": 503}
            ).encode()
        elif mode == "huge":
            body = b'{"padding": "' + b"x" * self.huge + b'"}'
        elif mode == "bad-gzip":
            headers = [*headers, ("Content-Encoding", "gzip")]
            body = b"\x1f\x8b not gzip at all " + body
        elif mode == "many-headers":
            headers = [*headers, *((f"X-Filler-{n}", "x") for n in range(5000))]
        length = len(body)
        if mode == "length-over":
            length += 100
        elif mode == "length-under":
            length = max(0, length - 10)
        head = [f"HTTP/1.1 {status} {reason}", *(f"{n}: {v}" for n, v in headers)]
        head += [f"Content-Length: {length}", "Connection: close"]
        raw = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        if mode == "slow" and not self._sleep(self.delay):
            return
        if mode == "hang":
            self._sleep(60.0)
            return
        if mode == "garbage":
            write(b"\x00\xffSSH-2.0-not-http\r\n\x13\x37" * 8)
        elif mode == "bad-status":
            write(b"HTTP/1.1 two-hundred OK\r\n" + raw.partition(b"\r\n")[2])
        elif mode == "cut":
            write(raw[: len(raw) - len(body) // 2 - 1])
        elif mode == "trickle":
            for index in range(len(raw)):
                write(raw[index : index + 1])
                out.flush()  # type: ignore[attr-defined]
                if not self._sleep(self.delay):
                    return
        elif mode == "huge":
            view = memoryview(raw)
            for start in range(0, len(raw), 1 << 20):
                write(view[start : start + (1 << 20)])
        else:
            write(raw)
