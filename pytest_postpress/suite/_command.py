"""A client in any language, run as a command: :func:`command_client` and its protocol.

One-shot (default): each reconnect runs ``argv`` once, with ``POSTPRESS_BASE_URL``, ``POSTPRESS_API_KEY``,
``POSTPRESS_ACCOUNT_ID`` (and ``POSTPRESS_ACCOUNT_ID_JSON``, the id as a JSON string: the only one set when the id
holds a NUL character, which no environment variable can carry) in its environment and the body as JSON on
standard input; it prints one JSON object on standard output and exits 0::

    {"account_id": "<the id the client returned>"}
    {"error": {"status": <int or null>, "type": "<string or null>"}}

Persistent (``persistent=True``): the program starts at the first reconnect of a test, reads one JSON request per
line on standard input (``{"account_id", "body", "base_url", "api_key"}``), answers each with one line of the JSON
above, in order, and exits when standard input closes (at the end of the test).

Anything else (a program that cannot start, exits non-zero, prints something that is not that JSON, or gives no
answer within ``timeout``) raises :class:`~pytest_postpress.errors.CommandFailed`: the program failed, which is no
result of its client, so the suite reports it as such (with the exit status and the last lines of standard error,
secrets hidden) and never judges the contract on it.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import json
import os
import queue
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import IO, Any, NoReturn

from pytest_postpress._redact import Redacted, Scrubber
from pytest_postpress.errors import CommandFailed, SecretStr

__all__ = ["CommandClient", "CommandFailed", "ReportedError", "command_client"]

_STDERR_LINES = 20  # how many of the last lines of standard error a failure shows
_LINE_LIMIT = 300  # characters kept of each of them
_ANSWERS = (
    '{"account_id": "<the id the client returned>"} or {"error": {"status": <int or null>, "type": <string or null>}}'
)


class ReportedError(Exception):
    """The program's client raised: the error it reported, as ``status`` (``None``: no answer received) and
    ``type`` (``None``: none read).  The suite's default ``postpress_error_identity`` reads these attributes."""

    def __init__(self, status: int | None, type: str | None) -> None:
        received = "no answer received" if status is None else f"status {status}, type {type!r}"
        super().__init__(f"the program reported an error ({received})")
        self.status = status
        self.type = type


def _parse_answer(line: str) -> str | ReportedError:
    """The protocol's answer in ``line``: the account id returned, or the error raised; ``ValueError`` if the
    text is not exactly one of the two JSON objects (the message says what is wrong)."""
    try:
        answer = json.loads(line)
    except ValueError as problem:
        raise ValueError(f"which is not JSON ({problem})") from None
    if not isinstance(answer, dict) or set(answer) not in ({"account_id"}, {"error"}):
        raise ValueError("which is not one object with exactly one key, account_id or error")
    if "account_id" in answer:
        if not isinstance(answer["account_id"], str):
            raise ValueError("whose account_id is not a string")
        return str(answer["account_id"])
    error = answer["error"]
    if not isinstance(error, dict) or set(error) != {"status", "type"}:
        raise ValueError('whose "error" is not an object with exactly the keys status and type')
    status, type_ = error["status"], error["type"]
    if status is not None and (isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599):
        raise ValueError("whose error status is neither an HTTP status (an integer from 100 to 599) nor null")
    if type_ is not None and not isinstance(type_, str):
        raise ValueError("whose error type is neither a string nor null")
    return ReportedError(status, type_)


class _Drain:
    """Reads a pipe to its end in a thread: lines into a queue (standard output) or the last ones kept (standard
    error), so that the program never blocks on a full pipe."""

    def __init__(self, pipe: IO[bytes], *, keep: int | None = None) -> None:
        self.lines: queue.Queue[bytes | None] = queue.Queue()
        self.tail: collections.deque[bytes] = collections.deque(maxlen=keep or 1)
        self._keep = keep is not None
        self._thread = threading.Thread(target=self._run, args=(pipe,), name="postpress-command-pipe", daemon=True)
        self._thread.start()

    def _run(self, pipe: IO[bytes]) -> None:
        with contextlib.suppress(OSError, ValueError):
            for line in iter(pipe.readline, b""):
                if self._keep:
                    self.tail.append(line)
                else:
                    self.lines.put(line)
        self.lines.put(None)
        with contextlib.suppress(OSError):
            pipe.close()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Kill the program and whatever it started in its session (``go run``'s binary, a shell's children).

    Only while it is not reaped: then its pid, which is its session's process group id, cannot belong to
    another process yet.
    """
    if process.poll() is not None:
        return
    if sys.platform != "win32":
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        process.kill()


@dataclass
class _Started:
    """A persistent program started, its pipes read by threads."""

    process: subprocess.Popen[bytes]
    stdout: _Drain
    stderr: _Drain


def _retire(started: _Started, grace: float) -> None:
    """End a program nobody will talk to: close its input, give it ``grace`` seconds to exit, then kill it."""
    with contextlib.suppress(OSError, ValueError):
        if started.process.stdin is not None:
            started.process.stdin.close()
    try:
        started.process.wait(grace)
    except subprocess.TimeoutExpired:
        _kill(started.process)
        with contextlib.suppress(subprocess.TimeoutExpired):
            started.process.wait(5)
    started.stdout.join(1)
    started.stderr.join(1)


class _Spares:
    """Persistent programs started ahead, for the next checks that run the same command.

    A persistent program still serves one check only; the next checks' programs are started while this one
    runs, so that a program's start-up (about 50-100 ms of CPU for node) overlaps the checks instead of adding
    to them.  Keyed by command, working directory and environment (what the program would start with); at most
    ``DEPTH`` wait per command and ``LIMIT`` in all; those left at exit are ended then.
    """

    DEPTH = 2
    LIMIT = 8

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: collections.OrderedDict[tuple[Any, ...], collections.deque[_Started]] = collections.OrderedDict()
        self._registered = False

    def take(self, key: tuple[Any, ...]) -> _Started | None:
        """A program started ahead for ``key``, oldest first, or ``None``."""
        with self._lock:
            waiting = self._waiting.get(key)
            return waiting.popleft() if waiting else None

    def missing(self, key: tuple[Any, ...]) -> int:
        """How many more programs to start ahead for ``key``."""
        with self._lock:
            return self.DEPTH - len(self._waiting.get(key, ()))

    def put(self, key: tuple[Any, ...], started: _Started) -> None:
        """Keep ``started`` for the next check of ``key`` (the least recently used commands' spares end)."""
        with self._lock:
            if not self._registered:
                atexit.register(self.close_all)
                self._registered = True
            self._waiting.setdefault(key, collections.deque()).append(started)
            self._waiting.move_to_end(key)
            retired: list[_Started] = []
            while sum(map(len, self._waiting.values())) > self.LIMIT:
                oldest = next(iter(self._waiting))
                retired.extend(self._waiting.pop(oldest))
        for old in retired:
            _retire(old, grace=1.0)

    def close_all(self) -> None:
        """End every waiting spare (at exit; tests call it to leave nothing running)."""
        with self._lock:
            waiting = [started for queue_ in self._waiting.values() for started in queue_]
            self._waiting.clear()
        for started in waiting:
            _retire(started, grace=1.0)


_SPARES = _Spares()


class CommandClient:
    """A client run as a program (see :func:`command_client`): call it as ``client(account_id, body)``."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        persistent: bool = False,
        timeout: float = 30.0,
        base_url: str | None = None,
        api_key: str | None = None,
    ) -> None:
        if isinstance(argv, str) or not isinstance(argv, Sequence) or not argv:
            raise TypeError(
                f"argv must be a non-empty list of strings, the program and its arguments (got {argv!r}), e.g. "
                "['node', 'examples/node/cli.mjs']"
            )
        if not all(isinstance(part, str) for part in argv):
            raise TypeError(f"argv must hold strings only, got {argv!r}")
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
            raise ValueError(f"timeout must be a number of seconds above 0, got {timeout!r}")
        self.argv = list(argv)
        self.persistent = bool(persistent)
        self.timeout = float(timeout)
        self.base_url = base_url
        self.api_key = api_key
        # The key and every body's secrets: hidden from every message about the program, in every spelling.
        self._scrubber = Scrubber([api_key])
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._stdout: _Drain | None = None
        self._stderr: _Drain | None = None

    # -- what the suite and users call --------------------------------------------------------------------

    def __call__(self, account_id: str, body: Any) -> str:
        """Reconnect ``account_id`` with ``body`` through the program: the account id it returned, or
        :class:`ReportedError` raised as it reported; :class:`~pytest_postpress.errors.CommandFailed` if the
        program failed."""
        # From here on the body is held by a value whose repr hides its secrets: a traceback through this frame
        # (pytest shows each frame's arguments) never prints a password.
        body = Redacted(body)
        # A str whose repr is hidden: no frame's arguments print the key either.
        base_url, api_key = self.base_url, None if self.api_key is None else SecretStr(self.api_key)
        if base_url is None or api_key is None:
            raise CommandFailed(
                "this command client has no base URL or API key: pass base_url= and api_key= to command_client(), "
                "or yield it from the postpress_reconnect fixture of a ReconnectContract class, which gives it the "
                "suite's postpress_base_url and postpress_api_key"
            )
        with self._lock:
            self._scrubber.add(api_key)
            self._scrubber.add_body(body.value)
            if self.persistent:
                line = self._ask(account_id, body, base_url, api_key)
            else:
                line = self._run_once(account_id, body, base_url, api_key)
        if isinstance(line, ReportedError):
            raise line
        return line

    def close(self) -> None:
        """Stop the persistent program: close its standard input, let it exit (killed past ``timeout``).

        Raises :class:`~pytest_postpress.errors.CommandFailed` if it then exits non-zero or does not exit.
        Idempotent; nothing to do in one-shot mode.
        """
        with self._lock:
            process = self._process
            if process is None:
                return
            with contextlib.suppress(OSError, ValueError):
                if process.stdin is not None:
                    process.stdin.close()
            try:
                status = process.wait(self.timeout)
            except subprocess.TimeoutExpired:
                self._fail(None, f"did not exit within {self.timeout:g}s after its standard input closed", kill=True)
            self._stop()
            if status != 0:
                self._fail(None, f"exited with status {status} after its standard input closed")

    def __enter__(self) -> CommandClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if exc is not None:
            # Already failing: stop the program without adding a second failure to the first.
            with self._lock:
                self._stop()
            return
        self.close()

    # -- one-shot -----------------------------------------------------------------------------------------

    def _run_once(self, account_id: str, body: Redacted, base_url: str, api_key: str) -> str | ReportedError:
        request = (account_id, body)
        environment = {
            **os.environ,
            "POSTPRESS_BASE_URL": base_url,
            "POSTPRESS_API_KEY": api_key,
            "POSTPRESS_ACCOUNT_ID_JSON": json.dumps(account_id),
        }
        if "\0" in account_id:
            environment.pop("POSTPRESS_ACCOUNT_ID", None)
        else:
            environment["POSTPRESS_ACCOUNT_ID"] = account_id
        process = self._spawn(environment, request)
        try:
            out, err = process.communicate(json.dumps(body.value).encode("utf-8"), timeout=self.timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            try:
                _, err = process.communicate(timeout=5)
            except (subprocess.TimeoutExpired, OSError, ValueError):
                err = b""
            self._fail(request, f"did not finish within {self.timeout:g}s (killed)", err)
        if process.returncode != 0:
            self._fail(request, f"exited with status {process.returncode}", err)
        text = out.decode("utf-8", errors="replace").strip()
        try:
            return _parse_answer(text)
        except ValueError as problem:
            self._fail(request, f"printed {self._quoted(text)} on standard output, {problem}", err)

    # -- persistent ---------------------------------------------------------------------------------------

    def _ask(self, account_id: str, body: Redacted, base_url: str, api_key: str) -> str | ReportedError:
        request = (account_id, body)
        if self._process is None:
            # PYTEST_CURRENT_TEST changes with every test: not a difference in what the program starts with.
            environment = sorted((name, value) for name, value in os.environ.items() if name != "PYTEST_CURRENT_TEST")
            key = (tuple(self.argv), os.getcwd(), tuple(environment))
            started = _SPARES.take(key) or self._start(request)
            self._process, self._stdout, self._stderr = started.process, started.stdout, started.stderr
            with contextlib.suppress(CommandFailed):  # it started a moment ago: the next ones will too
                for _ in range(_SPARES.missing(key)):
                    _SPARES.put(key, self._start(request))
        process, stdout = self._process, self._stdout
        assert process.stdin is not None
        assert stdout is not None
        # A line nobody asked for would be read as the next request's answer: fail on it (a program that printed
        # two lines for one request has usually sent the second by the time the next request is written).
        with contextlib.suppress(queue.Empty):
            extra = stdout.lines.get_nowait()
            if extra is None:
                self._gone(request)
            text = extra.decode("utf-8", errors="replace").strip()
            self._fail(request, f"printed the line {self._quoted(text)}, which answers no request", kill=True)
        # ensure_ascii: any id or string travels (a NUL, a lone surrogate), as escapes every JSON parser reads.
        line = json.dumps({"account_id": account_id, "body": body.value, "base_url": base_url, "api_key": api_key})
        # A program that reads nothing would block a long write forever: past the timeout it is killed, which
        # ends the write.
        watchdog = threading.Timer(self.timeout, _kill, args=(process,))
        watchdog.daemon = True
        watchdog.start()
        try:
            process.stdin.write(line.encode("ascii") + b"\n")
            process.stdin.flush()
        except (OSError, ValueError):
            self._gone(request)
        finally:
            watchdog.cancel()
        try:
            answer = stdout.lines.get(timeout=self.timeout)
        except queue.Empty:
            self._fail(request, f"gave no answer within {self.timeout:g}s (killed)", kill=True)
        if answer is None:
            self._gone(request)
        text = answer.decode("utf-8", errors="replace").strip()
        try:
            parsed = _parse_answer(text)
        except ValueError as problem:
            self._fail(request, f"answered the line {self._quoted(text)}, {problem}", kill=True)
        return parsed

    def _gone(self, request: tuple[str, Redacted]) -> NoReturn:
        """The persistent program closed its input or its output: it ended, or is ending."""
        assert self._process is not None
        try:
            status: int | None = self._process.wait(min(self.timeout, 5.0))
        except subprocess.TimeoutExpired:
            status = None
        if status is None:
            self._fail(request, "closed its standard output without answering (killed)", kill=True)
        self._fail(request, f"exited with status {status} without answering", kill=True)

    # -- life and failure ---------------------------------------------------------------------------------

    def _start(self, request: tuple[str, Redacted]) -> _Started:
        """Start the persistent program, its standard output and error read by threads."""
        process = self._spawn(None, request)
        assert process.stdout is not None
        assert process.stderr is not None
        return _Started(process, _Drain(process.stdout), _Drain(process.stderr, keep=_STDERR_LINES))

    def _spawn(self, environment: dict[str, str] | None, request: tuple[str, Redacted]) -> subprocess.Popen[bytes]:
        try:
            return subprocess.Popen(
                self.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=environment,
                # Its own session, so that a timeout kills what it started too (go run, npx, a shell script).
                start_new_session=sys.platform != "win32",
            )
        except OSError as error:
            self._fail(request, f"could not start: {error.strerror or error}")

    def _stop(self) -> None:
        """Kill the persistent program if it runs, and forget it (threads joined)."""
        process, self._process = self._process, None
        if process is None:
            return
        _kill(process)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)
        for drain in (self._stdout, self._stderr):
            if drain is not None:
                drain.join(5)
        for pipe in (process.stdin, process.stdout, process.stderr):
            with contextlib.suppress(OSError, ValueError):
                if pipe is not None:
                    pipe.close()

    def _fail(
        self, request: tuple[str, Redacted] | None, what: str, stderr: bytes | None = None, *, kill: bool = False
    ) -> NoReturn:
        """Raise :class:`CommandFailed` for ``what`` the program did (``request``: the reconnect it was given).

        ``stderr``: a one-shot program's standard error; a persistent program's last lines are kept as it runs.
        ``kill``: stop the persistent program first (its standard error is then read to its end).
        """
        if kill:
            self._stop()
        if stderr is not None:
            tail = stderr.splitlines()[-_STDERR_LINES:]
        elif self._stderr is not None:
            tail = list(self._stderr.tail)
        else:
            tail = []
        mode = "persistent " if self.persistent else ""
        lines = [f"the {mode}client program {shlex.join(self.argv)} failed: it {what}"]
        if request is not None:
            account_id, body = request
            scrub = self._scrubber
            lines.append(f"  while reconnecting the account id {scrub.clip(repr(account_id), 120)}")
            lines.append(f"  with the body (secrets hidden) {scrub.clip(scrub.json(body.value), 300)}")
            if not self.persistent and "\0" in account_id:
                lines.append(
                    "  this id holds a NUL character, which no environment variable can carry: POSTPRESS_ACCOUNT_ID "
                    "was left unset; read POSTPRESS_ACCOUNT_ID_JSON (the id as a JSON string), or use persistent mode"
                )
        if tail:
            lines.append(f"  the last {len(tail)} line(s) of its standard error (secrets hidden):")
            lines.extend(
                "    | " + self._scrubber.clip(self._scrubber.decoded(raw).rstrip(), _LINE_LIMIT) for raw in tail
            )
        else:
            lines.append("  (nothing on its standard error)")
        lines.append(
            f"  how to fix: the program must answer each reconnect with one JSON object, {_ANSWERS}, and exit 0"
            + (" when its standard input closes" if self.persistent else "")
            + "; this is not a verdict on the contract: no check ran on this call"
        )
        raise CommandFailed(self._scrubber.text("\n".join(lines)))

    def _quoted(self, text: str) -> str:
        return repr(self._scrubber.clip(text, 200)) if text else "nothing"


def command_client(
    argv: Sequence[str],
    *,
    persistent: bool = False,
    timeout: float = 30.0,
    base_url: str | None = None,
    api_key: str | None = None,
) -> CommandClient:
    """A client in any language, run as the command ``argv``: yield it from ``postpress_reconnect``.

    ::

        class TestNodeClient(ReconnectContract):
            @pytest.fixture
            def postpress_transport(self):
                return "server"

            @pytest.fixture
            def postpress_reconnect(self):
                with command_client(["node", "examples/node/cli.mjs", "--persistent"], persistent=True) as client:
                    yield client

    One-shot (default): the program runs once per reconnect; ``persistent=True``: once per test, answering
    JSON Lines (the protocol: this module's docstring and the README).  ``timeout``: seconds the program may take
    per reconnect.  ``base_url`` and ``api_key`` are what the program is told to use; inside a
    ``ReconnectContract`` they default to the suite's ``postpress_base_url`` and ``postpress_api_key``.  Errors
    the program reports are raised with ``status`` and ``type``, which the default ``postpress_error_identity``
    reads; a program that fails raises :class:`~pytest_postpress.errors.CommandFailed`.
    """
    return CommandClient(argv, persistent=persistent, timeout=timeout, base_url=base_url, api_key=api_key)
