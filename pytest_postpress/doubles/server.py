"""The mock API on a real HTTP/1.1 server on loopback, for clients not built on httpx.

:class:`PostpressServer` serves the same brain as the respx mock
(:class:`~pytest_postpress.doubles._state.MockState`) with the standard
library's ``socketserver``/``http.server``: one thread per connection,
keep-alive, ``Expect: 100-continue``, chunked request bodies, and a read
timeout per connection so that a client that sends half a request is
answered 408 and dropped while the others are served.  ``stop()`` closes
every connection and joins every thread.

``python -m pytest_postpress serve`` (in :mod:`pytest_postpress.cli`, the command line) runs it standalone.
"""

from __future__ import annotations

import contextlib
import email.parser
import email.utils
import http.client
import re
import socket
import socketserver
import threading
import time
import traceback
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler
from typing import IO, Any, Final, Protocol

from pytest_postpress._redact import Scrubber, clip
from pytest_postpress._version import __version__
from pytest_postpress.doubles import _control
from pytest_postpress.doubles._http import Action, Headers, Reply
from pytest_postpress.doubles._state import Answerer, MockState, reconnect_path
from pytest_postpress.doubles._surface import DoubleSurface, LeavesWithBlock

__all__ = ["PostpressServer"]

MAX_LINE: Final = 65536  # request line and each header line, as http.server and http.client
# Bodies up to this size are read whole and judged by rule 22 in its order; a larger
# declared body is answered content_too_large at once, without reading it.
READ_LIMIT: Final = 8 * 1024 * 1024
_TOKEN: Final = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VERSION: Final = re.compile(rb"HTTP/(\d)\.(\d)")
MAX_HEADERS: Final = 100  # as http.client
# A field line as the email parser reads it simply: a name of visible characters but ":", then the value after
# spaces and tabs, up to the line end (no CR inside: the email parser splits lines on a bare CR).
_FIELD: Final = re.compile(rb"([\x21-\x39\x3b-\x7e]+):[ \t]*([^\r\n]*)\r?\n\Z")


_date_cache: tuple[int, str] = (0, "")


def _http_date() -> str:
    """The ``Date`` header's value, formatted once a second (as ``date_time_string`` formats it)."""
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, email.utils.formatdate(now, usegmt=True))
    return _date_cache[1]


class _BadRequest(Exception):
    """The request cannot be read as HTTP/1.1: answer it and close the connection."""

    def __init__(self, status: int, type_: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.type, self.detail = status, type_, detail


class _ReadsLines(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


def read_fields(rfile: _ReadsLines) -> Headers:
    """Read header (or trailer) fields up to the empty line, as ``http.client.parse_headers`` reads them."""
    lines = []
    while True:  # as http.client.parse_headers reads them: the same limits, the same errors
        line = rfile.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise _BadRequest(400, "errors/invalid_request", f"a header line is longer than {MAX_LINE} bytes")
        if line in (b"\r\n", b"\n", b""):
            break
        lines.append(line)
        if len(lines) >= MAX_HEADERS:  # http.client counts the empty line that ends them
            raise _BadRequest(
                400, "errors/invalid_request", f"the headers cannot be read: got more than {MAX_HEADERS} headers"
            )
    # The usual field lines are split here; anything else (folded lines, a name with a space, a bare CR...) goes
    # to the email parser that http.client uses, so that it is read exactly as before.  The email parser costs
    # about a fifth of a request's time, which the common case does not need.
    pairs = []
    for line in lines:
        match = _FIELD.match(line)
        if match is None:
            message = email.parser.Parser(_class=http.client.HTTPMessage).parsestr(b"".join(lines).decode("latin-1"))
            return Headers(message.items())
        pairs.append((match[1].decode("latin-1"), match[2].decode("latin-1")))
    return Headers(pairs)


class _HTTPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """One non-daemon thread per connection, joined by ``server_close``."""

    daemon_threads = False
    block_on_close = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, owner: PostpressServer, address: tuple[str, int], family: socket.AddressFamily) -> None:
        self.address_family = family
        self.owner = owner
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    """Reads each request as sent (a raw space in the target included) and lets the brain answer it."""

    protocol_version = "HTTP/1.1"
    server_version = f"postpress-mock/{__version__}"
    sys_version = ""
    disable_nagle_algorithm = True
    server: _HTTPServer

    def setup(self) -> None:
        self.timeout = self.server.owner.timeout  # type: ignore[misc]  # read by StreamRequestHandler.setup
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        self.server.owner._log(format % args)

    def handle_one_request(self) -> None:
        owner = self.server.owner
        self.close_connection = True
        self.command, self.request_version = "", "HTTP/1.1"
        try:
            if not self.rfile.peek(1):  # type: ignore[attr-defined]  # a BufferedReader: rbufsize is -1
                return  # the client closed the connection
        except (TimeoutError, OSError):
            return  # idle keep-alive connection: close it quietly
        method, target, headers = "", b"", None
        try:
            method, target, version = self._request_line()
            self.command, self.request_version = method, version
            headers = self._headers()
            keep_alive = self._keep_alive(version, headers)
            if owner.control and _control.is_control_target(target):
                oversized = self._oversized_control_body(headers)
                if oversized is not None:
                    self._send(_control.too_large(oversized))
                    return
            body = self._body(method, headers)
        except TimeoutError:
            detail = f"the request was incomplete after {owner.timeout:g}s of silence; the connection is closed"
            self._refuse(method, target, headers, _BadRequest(408, "errors/request_timeout", detail))
            return
        except _BadRequest as bad:
            self._refuse(method, target, headers, bad)
            return
        except (OSError, ValueError):
            return
        url = f"{owner.origin}{target.decode('latin-1')}"
        try:
            # The control API (serve's, under /__postpress/) first: never recorded, never a reconnect.
            reply = (
                _control.handle(owner, method, target, headers, body, self.client_address) if owner.control else None
            )
            if reply is None:
                reply = owner.answerer.answer(method, target, headers, body, url=url)
        except Exception as error:  # a bug, or a broken success_account_id callable: say so, never hang
            owner._internal_error(method, target, error)
            self._send_error(500, "errors/unexpected_error", f"postpress mock internal error: {error!r}")
            return
        if reply.action is Action.FAIL_CONNECTION:
            return
        if reply.action is Action.TIME_OUT:
            owner._hold()
            return
        self.close_connection = not keep_alive
        self._send(reply, head=method == "HEAD")

    def _refuse(self, method: str, target: bytes, headers: Headers | None, bad: _BadRequest) -> None:
        """Answer a request that cannot be read, record it as not routed, and close the connection."""
        owner = self.server.owner
        received = headers if headers is not None else Headers()
        url = owner.origin + target.decode("latin-1")
        owner.state.record_unrouted(method or "(unreadable)", target, received, b"", url=url, status=bad.status)
        self._send_error(bad.status, bad.type, bad.detail)

    # -- reading ---------------------------------------------------------------------------------

    def _request_line(self) -> tuple[str, bytes, str]:
        line = self.rfile.readline(MAX_LINE + 1)
        if line in (b"\r\n", b"\n"):  # RFC 9112 2.2: ignore an empty line before the request line
            line = self.rfile.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise _BadRequest(400, "errors/invalid_request", f"the request line is longer than {MAX_LINE} bytes")
        if not line.endswith(b"\n"):
            raise OSError("connection closed inside the request line")
        self.requestline = text = line.rstrip(b"\r\n").decode("latin-1")
        raw = line.rstrip(b"\r\n")
        method, _, rest = raw.partition(b" ")
        target, _, version = rest.rpartition(b" ")
        if not _TOKEN.fullmatch(method) or not target or not version.startswith(b"HTTP/"):
            raise _BadRequest(
                400,
                "errors/invalid_request",
                f"malformed request line {clip(text)!r}: expected METHOD SP request-target SP HTTP/1.1",
            )
        numbers = _VERSION.fullmatch(version)
        if numbers is None or numbers.group(1) != b"1":
            raise _BadRequest(
                400, "errors/invalid_request", f"{version.decode('latin-1')!r} is not spoken here: use HTTP/1.1"
            )
        if target.lower().startswith((b"http://", b"https://")):  # absolute form (RFC 9112 3.2.2)
            after = target.partition(b"://")[2]
            slash = after.find(b"/")
            target = after[slash:] if slash >= 0 else b"/"
        return method.decode("ascii"), target, version.decode("ascii")

    def _headers(self) -> Headers:
        return read_fields(self.rfile)

    @staticmethod
    def _keep_alive(version: str, headers: Headers) -> bool:
        tokens = {token.strip().lower() for value in headers.get_list("Connection") for token in value.split(",")}
        if "close" in tokens:
            return False
        return version == "HTTP/1.1" or "keep-alive" in tokens

    def _body(self, method: str, headers: Headers) -> bytes:
        encodings = headers.get_list("Transfer-Encoding")
        lengths = headers.get_list("Content-Length")
        if encodings:
            if lengths:
                raise _BadRequest(
                    400, "errors/invalid_request", "both Transfer-Encoding and Content-Length were sent; send one"
                )
            codings = [coding.strip().lower() for value in encodings for coding in value.split(",")]
            if codings != ["chunked"]:
                raise _BadRequest(
                    400, "errors/invalid_request", f"Transfer-Encoding {', '.join(codings)!r} is not supported"
                )
            self._continue(headers)
            return self._chunked()
        if not lengths:
            return b""
        values = {value.strip() for value in lengths}
        if len(values) != 1 or not next(iter(values)).isdigit():
            raise _BadRequest(400, "errors/invalid_request", "the Content-Length header is not one whole number")
        length = int(next(iter(values)))
        if length > READ_LIMIT:
            raise _BadRequest(
                400,
                "errors/content_too_large",
                f"the body is {length} bytes; the limit is 1 MiB (1048576 bytes)",
            )
        self._continue(headers)
        body = self.rfile.read(length)
        if len(body) < length:
            raise OSError("connection closed inside the body")
        return body

    def _oversized_control_body(self, headers: Headers) -> int | None:
        """The declared length of a control body over the control API's limit, once drained (up to a bound:
        past it the connection closes after the 413), so that the client reads the 413; ``None`` otherwise."""
        lengths = {value.strip() for value in headers.get_list("Content-Length")}
        if len(lengths) != 1 or not next(iter(lengths)).isdigit():
            return None  # no length, or a bad one: _body answers it
        length = int(next(iter(lengths)))
        if length <= _control.MAX_CONTROL_BODY:
            return None
        self.close_connection = True
        if length <= _control.DRAIN_LIMIT:
            self._continue(headers)
            left = length
            while left > 0:
                chunk = self.rfile.read(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)
        return length

    def _continue(self, headers: Headers) -> None:
        expect = headers.get_list("Expect")
        if expect and expect[0].strip().lower() == "100-continue" and self.request_version == "HTTP/1.1":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(MAX_LINE + 1)
            if not line.endswith(b"\n"):
                raise OSError("connection closed inside a chunk size")
            size_text = line.split(b";", 1)[0].strip()
            if not size_text or any(c not in b"0123456789abcdefABCDEF" for c in size_text):
                raise _BadRequest(400, "errors/invalid_request", "a chunk size of the chunked body is not hexadecimal")
            size = int(size_text, 16)
            if size == 0:
                self._headers()  # trailer fields, up to the empty line
                return b"".join(chunks)
            total += size
            if total > READ_LIMIT:
                raise _BadRequest(
                    400,
                    "errors/content_too_large",
                    "the chunked body is over 8 MiB; the limit is 1 MiB (1048576 bytes)",
                )
            data = self.rfile.read(size)
            if len(data) < size or self.rfile.read(2) not in (b"\r\n",):
                raise _BadRequest(400, "errors/invalid_request", "a chunk of the chunked body is cut short")
            chunks.append(data)

    # -- writing ---------------------------------------------------------------------------------

    def _send(self, reply: Reply, *, head: bool = False) -> None:
        status = reply.status
        reason = self.responses.get(status, ("",))[0]
        lines = [f"HTTP/1.1 {status} {reason}"]
        lines.extend(f"{name}: {value}" for name, value in reply.headers)
        if status not in (204, 304):
            lines.append(f"Content-Length: {len(reply.body)}")
        lines.append(f"Date: {_http_date()}")
        lines.append(f"Server: {self.server_version}")
        if self.close_connection:
            lines.append("Connection: close")
        elif self.request_version == "HTTP/1.0":
            lines.append("Connection: keep-alive")
        head_bytes = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        body = b"" if head or status in (204, 304) else reply.body
        try:
            self.wfile.write(head_bytes + body)
        except OSError:
            self.close_connection = True
            return
        self.server.owner._log(f"{self.command or '-'} {self._log_path()} -> {status}")

    def _send_error(self, status: int, type_: str, detail: str) -> None:
        self.close_connection = True
        self._send(self.server.owner.state.error_reply(status, type_, detail))

    def _log_path(self) -> str:
        # The query string is never logged: a client may have put the key there.
        words = self.requestline.split(" ")
        return " ".join(words[1:-1]).partition("?")[0] if len(words) >= 3 else "(unreadable request line)"


class PostpressServer(LeavesWithBlock, DoubleSurface):
    """The reconnect endpoint on a real HTTP/1.1 server, bound to ``host`` (loopback by default).

    ``port=0`` picks a free port.  ``prefix`` is the path before ``/v1``
    (e.g. ``/api``).  ``timeout`` is how long a connection may stay silent
    (mid-request: answered 408 and closed; idle keep-alive: closed);
    ``max_hold`` bounds how long :meth:`time_out` holds a request.  ``control=True`` adds the control API
    of ``serve`` under ``/__postpress/`` (see :mod:`pytest_postpress.doubles._control`).  ``answerer`` is what
    answers the requests (default: the rule-22 double, :attr:`state`; the live proxy forwards them, the replay
    server answers from a recording); it records them in its journal, which :attr:`calls` reads.  Use it as
    a context manager, or :meth:`start`/:meth:`stop`.
    """

    def __init__(
        self,
        *,
        api_key: str,
        accounts: Iterable[str] = (),
        any_account: bool = False,
        prefix: str = "",
        host: str = "127.0.0.1",
        port: int = 0,
        timeout: float = 5.0,
        max_hold: float = 5.0,
        log: IO[str] | None = None,
        control: bool = False,
        answerer: Answerer | None = None,
    ) -> None:
        journal = None if answerer is None else answerer.journal
        self.state = MockState(
            api_key=api_key, prefix=prefix, accounts=accounts, any_account=any_account, journal=journal
        )
        self.answerer: Final[Answerer] = answerer if answerer is not None else self.state
        # serve's log and the internal errors never show the key, wherever a client put it (the path).
        self.scrubber = Scrubber([api_key])
        if control:
            _control.check_prefix(self.state.prefix)
        self.control = bool(control)
        if not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"port must be a whole number from 0 to 65535, got {port!r}")
        self.host = host
        self._requested_port = port
        self.timeout = float(timeout)
        self.max_hold = float(max_hold)
        self._logfile = log
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._release = threading.Event()
        self._errors_lock = threading.Lock()
        self.internal_errors: list[str] = []

    # -- life cycle ------------------------------------------------------------------------------

    def start(self) -> PostpressServer:
        """Bind and start serving in a background thread; returns ``self``.  Raises ``OSError`` if the port is taken."""
        if self._httpd is not None:
            raise RuntimeError("the server is already running")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        self._httpd = _HTTPServer(self, (self.host, self._requested_port), family)
        self._release = threading.Event()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="postpress-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: close every connection, release held requests, join every thread."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        self._release.set()
        with httpd.connections_lock:
            connections = list(httpd.connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        httpd.server_close()  # joins the connection threads
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    @property
    def running(self) -> bool:
        """Whether the server is serving."""
        return self._httpd is not None

    def __enter__(self) -> PostpressServer:
        return self.start()

    def _leave(self, failed: bool) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port bound (the ephemeral one when built with ``port=0``)."""
        if self._httpd is None:
            raise RuntimeError("the server is not running: call start() first")
        return int(self._httpd.server_address[1])

    @property
    def origin(self) -> str:
        """``http://HOST:PORT``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The base URL to give a client: ``http://HOST:PORT`` plus the path prefix."""
        return self.origin + self.state.prefix

    def endpoint(self, account_id: str) -> str:
        """The reconnect URL for ``account_id``, the id percent-encoded as one path segment."""
        return self.origin + reconnect_path(self.state.prefix, account_id)

    def check_all_routed(self) -> None:
        """Raise :class:`~pytest_postpress.doubles._state.UnroutedRequestError` if a request was not routed,
        and ``AssertionError`` if answering one hit an internal error."""
        __tracebackhide__ = True
        with self._errors_lock:
            errors = list(self.internal_errors)
        if errors:
            raise AssertionError("postpress_server: answering a request failed:\n" + "\n".join(errors))
        self.state.check_all_routed("postpress_server")

    def reset(self) -> None:
        """Forget calls, forced answers and internal errors; release held requests; accounts as built."""
        self.state.reset()
        release, self._release = self._release, threading.Event()
        release.set()
        with self._errors_lock:
            self.internal_errors.clear()

    # -- used by the handler ---------------------------------------------------------------------

    def _hold(self) -> None:
        self._release.wait(self.max_hold)

    def _internal_error(self, method: str, target: bytes, error: Exception) -> None:
        text = "".join(traceback.format_exception(error))
        with self._errors_lock:
            path = target.decode("latin-1").partition("?")[0]
            self.internal_errors.append(self.scrubber.text(f"{method} {path}: {text}"))
        self._log(f"internal error: {error!r}")

    def _log(self, message: str) -> None:
        if self._logfile is not None:
            with contextlib.suppress(OSError, ValueError):
                print(f"postpress mock: {self.scrubber.text(message)}", file=self._logfile, flush=True)

    def __repr__(self) -> str:
        where = self.url if self.running else "stopped"
        return f"<PostpressServer {where} calls={len(self.state.calls)}>"
