"""Load a page in headless Chromium and watch it through the DevTools protocol, for the report page's tests.

Chromium talks the protocol over a pipe (``--remote-debugging-pipe``: it reads commands on fd 3 and writes
replies and events on fd 4, each message JSON ended by a NUL byte), so no port, no websocket library.  With the
``Network`` domain on, ``Network.requestWillBeSent`` fires for every request the page starts, the document
included, whether it then succeeds, fails or is refused: that is how a test sees that a page fetches nothing.
Host names resolve to nothing (``--host-resolver-rules``), so a page under test never reaches the internet.

Where Debian's ``chromium`` is missing the tests skip with a reason, and fail under CI (``CI`` set), whose
machines install it (``scripts/run-tests.sh``).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from _node import _missing

# Generous: a loaded 2-core machine starts Chromium slowly. A bound on waiting, never a measure of speed.
TIMEOUT = 120.0


def chromium_executable() -> str:
    """The path of Chromium; skip (fail under CI) with the reason when there is none."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found is not None:
            return found
    _missing("chromium is not on PATH (Debian: apt-get install chromium): the report page's browser tests need it")


class Page:
    """One headless Chromium with one tab, driven over the DevTools pipe; use as a context manager."""

    def __init__(self, profile: Path, *, width: int = 1400, height: int = 900) -> None:
        self.profile = profile
        self.width, self.height = width, height
        self.requests: list[str] = []  # every URL the page asked for, in order
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    def __enter__(self) -> Page:
        executable = chromium_executable()
        to_chrome_read, self._write_fd = os.pipe()
        self._read_fd, from_chrome_write = os.pipe()

        def give_pipes() -> None:
            # In the child, before exec: the pipe ends at the fds Chromium expects, inheritable. Copied above 10
            # first: an end may already be fd 3 or 4 (dup2 onto itself would leave it close-on-exec, and the
            # first dup2 could overwrite the other end).
            ends = [fcntl.fcntl(end, fcntl.F_DUPFD, 10) for end in (to_chrome_read, from_chrome_write)]
            for target, end in zip((3, 4), ends, strict=True):
                os.dup2(end, target, inheritable=True)

        self.process = subprocess.Popen(
            [
                executable,
                "--headless",
                "--remote-debugging-pipe",
                "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
                f"--user-data-dir={self.profile}",
                f"--window-size={self.width},{self.height}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,  # fds 3 and 4 must reach Chromium; Python's own fds are not inheritable (PEP 446)
            preexec_fn=give_pipes,
        )
        os.close(to_chrome_read)
        os.close(from_chrome_write)
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            self.send(f"{domain}.enable", session=True)
        self.send("Page.setLifecycleEventsEnabled", session=True, enabled=True)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=self.width,
            height=self.height,
            deviceScaleFactor=1,
            mobile=False,
        )
        return self

    def __exit__(self, *exc_info: object) -> None:
        with contextlib.suppress(OSError, RuntimeError, TimeoutError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
        os.close(self._write_fd)
        os.close(self._read_fd)

    # --- the protocol ---------------------------------------------------------------------------------------
    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"Chromium sent nothing for {TIMEOUT:.0f} s")
            ready, _, _ = select.select([self._read_fd], [], [], remaining)
            if ready:
                chunk = os.read(self._read_fd, 1 << 16)
                if not chunk:
                    raise RuntimeError(f"Chromium closed its DevTools pipe (exit status {self.process.poll()})")
                self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        parsed: dict[str, Any] = json.loads(message)
        if parsed.get("method") == "Network.requestWillBeSent":
            self.requests.append(parsed["params"]["request"]["url"])
        elif "method" in parsed:
            self._events.append(parsed)
        return parsed

    def send(self, method: str, *, session: bool = False, **params: Any) -> dict[str, Any]:
        """Send one command and return its result (raising on a protocol error)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._write_fd, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result

    def _wait_for(self, method: str, name: str | None = None) -> None:
        deadline = time.monotonic() + TIMEOUT
        while True:
            for event in self._events:
                if event["method"] == method and (name is None or event["params"].get("name") == name):
                    self._events.remove(event)
                    return
            self._read_message(deadline)

    # --- what the tests use -------------------------------------------------------------------------------
    def load(self, url: str) -> None:
        """Open ``url`` and wait until it has loaded and its network has been quiet (``networkIdle``)."""
        self._events.clear()
        self.send("Page.navigate", session=True, url=url)
        self._wait_for("Page.loadEventFired")
        self._wait_for("Page.lifecycleEvent", "networkIdle")

    def evaluate(self, expression: str) -> Any:
        """The JSON value of ``expression`` evaluated in the page."""
        result = self.send("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"the page's evaluation failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path, *, full_page: bool = False) -> Path:
        """Save a PNG of the page (the whole page with ``full_page``)."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.send("Page.getLayoutMetrics", session=True)["cssContentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", session=True, **params)["data"]
        path.write_bytes(base64.b64decode(data))
        return path
