"""Live mode: talk to a real (staging) server, count every request, validate every response.

Two parts:

* :class:`LiveSession` sends requests upstream with httpx.  It enforces
  ``--postpress-max-requests`` (past it the session stops sending and every
  further check fails with that reason), applies ``--postpress-timeout``,
  retries the documented retryable errors (the catalog's ``retryable`` flag), a
  dropped connection and a timeout when ``--postpress-retries`` allows,
  and validates every response with :func:`validate_response`, keeping those
  outside the documentation for the terminal summary.
* :class:`LiveProxy` is the loopback test server with a forwarding brain: the
  client under test is pointed at it, so every request the client sends is
  recorded (the request checks of the suite apply to live traffic too) and
  every response staging gives passes through :class:`LiveSession`.

Nothing here prints the API key or body values.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

import httpcore
import httpx

from pytest_postpress import catalog
from pytest_postpress._redact import clip
from pytest_postpress.doubles._http import Headers, RecordedCall, Reply
from pytest_postpress.doubles._state import Journal, on_reconnect_route
from pytest_postpress.doubles.server import PostpressServer
from pytest_postpress.errors import StagingFault
from pytest_postpress.validation import Violation, validate_response

__all__ = [
    "MAX_ANSWER_BYTES",
    "MAX_BACKOFF",
    "RETRYABLE",
    "BudgetSpent",
    "Exchange",
    "Forwarder",
    "LiveProxy",
    "LiveSession",
    "StagingFault",
    "staging_fault",
]

# The documented errors a caller may retry: the catalog's ``retryable`` flag (rule 23, see:
# python -m pytest_postpress rules 23), the same one the contract suite judges clients by.
RETRYABLE: Final[frozenset[tuple[int, str]]] = frozenset(
    error.pair for error in catalog.DOCUMENTED_ERRORS if error.retryable
)
_HOP_BY_HOP: Final = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "content-encoding",
        "accept-encoding",
    }
)


#: How much of an answer is read (the documented answers are under 4 KiB); the rest is discarded unread.
MAX_ANSWER_BYTES: Final = 1024 * 1024
#: The longest pause between two attempts of one request under ``--postpress-retries``, in seconds.
MAX_BACKOFF: Final = 5.0


class BudgetSpent(RuntimeError):
    """The session reached ``--postpress-max-requests`` and stopped sending."""


@dataclass
class Exchange:
    """One request sent upstream and the response received (or the error instead of one)."""

    method: str
    path: str
    status: int | None
    body: Any
    content_type: str
    violations: list[Violation] = field(default_factory=list)
    error: str | None = None
    attempts: int = 1
    # What was sent and received, as on the wire, for --postpress-record and the curl lines of failures.
    url: str = ""
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_content: bytes = b""
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_content: bytes = b""
    reason: str = ""
    http_version: str = "HTTP/1.1"
    started: float = 0.0  # epoch seconds when the request was sent
    waited: float = 0.0  # seconds until the response headers arrived
    received: float = 0.0  # seconds reading the response body
    test: str = ""  # node id of the test that sent it
    fault: str | None = None  # what staging did wrong, in one sentence (no usable answer, or a cut-off one)
    truncated: bool = False  # the answer was longer than MAX_ANSWER_BYTES: only that much was read

    @property
    def outside_contract(self) -> bool:
        return bool(self.violations)

    def summary(self) -> dict[str, Any]:
        """A JSON-serialisable line for the terminal summary and the report (no secrets: no body, no key)."""
        return {
            "request": f"{self.method} {self.path}",
            "status": self.status,
            "content_type": self.content_type,
            "violations": [str(violation) for violation in self.violations],
        }


def _parse(content: bytes, content_type: str) -> tuple[Any, str | None]:
    media = content_type.split(";")[0].strip().lower()
    try:
        value = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, f"the body is not JSON (Content-Type {content_type or 'absent'!r})"
    if media != "application/json":
        return value, f"Content-Type is {content_type or 'absent'!r}, not application/json"
    return value, None


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """The TLS settings httpx builds for a client that ignores the environment, built once.

    Building them (loading the CA bundle) costs about 16 ms, and the suite opens a session per check that sends
    requests of its own; an ``SSLContext`` is made to be shared by many connections.
    """
    return httpx.create_ssl_context(trust_env=False)


_DEADLINE = threading.local()  # .at: time.monotonic() by which this thread's request must be done


def _left(timeout: float | None) -> float | None:
    """The time a socket operation may take: ``timeout``, cut to what is left before this thread's deadline."""
    deadline: float | None = getattr(_DEADLINE, "at", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the deadline of the request passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write ends by the deadline of the request (--postpress-timeout is
    a deadline for the whole request: a staging that answers a byte at a time cannot hold it longer)."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, _left(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's own sockets, each wrapped in a :class:`_DeadlineStream`."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(host, port, _left(timeout), local_address, socket_options)
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def _deadline_transport() -> httpx.HTTPTransport:
    """httpx's transport with its connection pool on :class:`_DeadlineBackend` (httpx builds the pool itself and
    offers no argument for its network backend: the pool is swapped for one built with the same settings)."""
    transport = httpx.HTTPTransport(verify=_ssl_context(), trust_env=False)
    if not isinstance(getattr(transport, "_pool", None), httpcore.ConnectionPool):  # pragma: no cover
        raise RuntimeError("httpx.HTTPTransport no longer keeps its httpcore.ConnectionPool in ._pool")
    limits = httpx.Limits()
    transport._pool = httpcore.ConnectionPool(
        ssl_context=_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_DeadlineBackend(),
    )
    return transport


def _fault(error: httpx.HTTPError, timeout: float, read: int) -> str:
    """One sentence saying what staging did, for an error that left no usable answer (``read``: bytes of the
    body read before it)."""
    text = clip(str(error) or type(error).__name__)
    if isinstance(error, httpx.ConnectTimeout | httpx.ConnectError):
        return f"staging could not be reached ({type(error).__name__}: {text})"
    if isinstance(error, httpx.TimeoutException):
        got = f" (it had sent {read} bytes of the body)" if read else ""
        return f"staging did not answer within --postpress-timeout ({timeout:g} s){got}"
    if isinstance(error, httpx.DecodingError):
        return f"staging's answer could not be decoded ({text})"
    if isinstance(error, httpx.RemoteProtocolError):
        if "incomplete" in text or "without sending complete message body" in text:
            return f"staging closed the connection after {read} bytes of the body ({text})"
        if "without sending" in text or "Server disconnected" in text:
            return f"staging closed the connection without answering ({text})"
        return f"staging's answer is not valid HTTP/1.1 ({text})"
    return f"staging's answer could not be read ({type(error).__name__}: {text})"


#: More headers than this in an answer make it unusable: Python's http.client (requests, urllib3) refuses them.
MAX_ANSWER_HEADERS: Final = 100


def _answer_fault(truncated: bool, headers: int) -> str | None:
    """Why an answer staging gave in full is not one a client can be judged on, or ``None``."""
    if truncated:
        return f"staging answered more than {MAX_ANSWER_BYTES} bytes (1 MiB); the rest was not read"
    if headers > MAX_ANSWER_HEADERS:
        return (
            f"staging answered with {headers} headers; HTTP clients refuse more than {MAX_ANSWER_HEADERS} "
            "(Python's http.client, under requests and urllib3)"
        )
    return None


class LiveSession:
    """Sends requests to the real server for the whole test session; thread-safe."""

    def __init__(
        self,
        *,
        base_url: str,
        max_requests: int,
        timeout: float,
        retries: int = 0,
        backoff: float = 0.5,
        transport: httpx.BaseTransport | None = None,
        current_test: Callable[[], str] = str,
        listener: Callable[[Exchange], None] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        parts = urllib.parse.urlsplit(self.base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.prefix = parts.path.rstrip("/")
        self.max_requests = max_requests
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.sent = 0
        self.exchanges: list[Exchange] = []
        self.late: dict[str, str] = {}  # check -> the note of a late answer from staging
        # Who asks (the node id of the running test) and who else wants each exchange (the recorder).
        self.current_test = current_test
        self.listener = listener
        self._lock = threading.Lock()
        # ``transport``: where a test double that httpx does not reach answers (the "responses" transport).
        self._client = httpx.Client(
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
            transport=_deadline_transport() if transport is None else transport,
        )

    def close(self) -> None:
        """Close the upstream connections."""
        self._client.close()

    @property
    def spent(self) -> bool:
        """Whether the request budget is used up."""
        with self._lock:
            return self.sent >= self.max_requests

    def budget_message(self) -> str:
        return (
            f"the live request budget is spent ({self.max_requests} requests, --postpress-max-requests): "
            "the session stopped sending; raise the limit or select fewer checks"
        )

    def _take(self) -> None:
        with self._lock:
            if self.sent >= self.max_requests:
                raise BudgetSpent(self.budget_message())
            self.sent += 1

    def bound(self) -> float:
        """The longest one request may take, all its attempts and pauses included: each attempt ends within
        ``timeout`` (connect, send and the whole answer), each pause within :data:`MAX_BACKOFF`."""
        pauses = sum(min(self.backoff * 2.0**n, MAX_BACKOFF) for n in range(self.retries))
        return (self.retries + 1) * self.timeout + pauses

    def send(
        self, method: str, target: str, headers: Iterable[tuple[str, str]] = (), content: bytes = b""
    ) -> tuple[httpx.Response | None, Exchange]:
        """Send ``method target`` (origin-form, exactly as given) upstream; validate and record the answer.

        Each attempt ends within ``timeout`` (a deadline for connect, send and the whole answer, of which at
        most :data:`MAX_ANSWER_BYTES` are read); all attempts within :meth:`bound`.  Raises
        :class:`BudgetSpent` when no request may be sent any more, and :class:`StagingFault` (saying what
        staging did) when the last attempt got no usable answer.  The response returned is read.
        """
        url = httpx.URL(self.origin).copy_with(raw_path=target.encode("ascii", "strict"))
        forwarded = [(name, value) for name, value in headers if name.lower() not in _HOP_BY_HOP]
        path = target.partition("?")[0]
        attempts = 0
        while True:
            self._take()
            attempts += 1
            sent = Exchange(method, path, None, None, "", attempts=attempts, url=str(url), test=self.current_test())
            sent.request_headers, sent.request_content, sent.started = forwarded, content, time.time()
            clock = time.perf_counter()
            read = 0
            _DEADLINE.at = time.monotonic() + self.timeout
            try:
                request = self._client.build_request(method, url, headers=forwarded, content=content)
                sent.request_headers = list(request.headers.multi_items())  # as on the wire
                response = self._client.send(request, stream=True)
                waited = time.perf_counter() - clock
                try:
                    chunks: list[bytes] = []
                    for chunk in response.iter_bytes():
                        chunks.append(chunk)
                        read += len(chunk)
                        if read > MAX_ANSWER_BYTES:  # the rest is never read: the connection is dropped
                            break
                finally:
                    response.close()
            except httpx.HTTPError as error:
                sent.error, sent.waited = type(error).__name__, time.perf_counter() - clock
                sent.fault = _fault(error, self.timeout, read)
                self._keep(sent)
                # A dropped connection or a timeout is retryable too (rule 23).
                if isinstance(error, httpx.TransportError) and attempts <= self.retries:
                    self._pause(attempts)
                    continue
                raise StagingFault(sent.fault, sent) from None
            finally:
                _DEADLINE.at = None
            body_bytes = b"".join(chunks)
            truncated = len(body_bytes) > MAX_ANSWER_BYTES
            if truncated:
                body_bytes = body_bytes[:MAX_ANSWER_BYTES]
            response = httpx.Response(
                response.status_code,
                headers=[(n, v) for n, v in response.headers.multi_items() if n.lower() != "content-encoding"],
                content=body_bytes,
                request=request,
                extensions=response.extensions,
            )
            content_type = response.headers.get("content-type", "")
            if truncated:
                body, violations = None, [Violation("", f"the answer is longer than {MAX_ANSWER_BYTES} bytes (1 MiB)")]
            else:
                body, problem = _parse(body_bytes, content_type)
                violations = validate_response(response.status_code, body) if problem is None else []
                if problem is not None:
                    violations = [Violation("", problem)]
            exchange = dataclasses.replace(
                sent,
                status=response.status_code,
                body=body,
                content_type=content_type,
                violations=violations,
                response_headers=list(response.headers.multi_items()),
                response_content=body_bytes,
                reason=response.reason_phrase,
                http_version=response.http_version,
                waited=waited,
                received=time.perf_counter() - clock - waited,
                truncated=truncated,
                fault=_answer_fault(truncated, len(response.headers.multi_items())),
            )
            type_ = body.get("type") if isinstance(body, dict) else None
            if (response.status_code, type_) in RETRYABLE and attempts <= self.retries:
                self._keep(exchange)
                self._pause(attempts)
                continue
            self._keep(exchange)
            return response, exchange

    def _pause(self, attempts: int) -> None:
        time.sleep(min(self.backoff * 2 ** (attempts - 1), MAX_BACKOFF))

    def note_late(self, test: str, request: str) -> None:
        """Note, once per check, that staging answered ``request`` of check ``test`` after the check ended."""
        with self._lock:
            if test not in self.late:
                self.late[test] = (
                    f"a late answer from staging: {request} of {test or 'a finished check'} was answered after "
                    "its check ended; dropped from every later check"
                )

    def exchanges_of(self, start: int = 0) -> list[Exchange]:
        """The exchanges since ``start`` that the running check sent (a late one of an earlier check is not)."""
        test = self.current_test()
        with self._lock:
            return [exchange for exchange in self.exchanges[start:] if exchange.test == test]

    def _keep(self, exchange: Exchange) -> None:
        with self._lock:
            self.exchanges.append(exchange)
        if self.listener is not None:
            self.listener(exchange)

    def outside_contract(self) -> list[Exchange]:
        """Every exchange whose response is not documented."""
        with self._lock:
            return [exchange for exchange in self.exchanges if exchange.outside_contract]


def staging_fault(exchanges: list[Exchange], *, client_timeout: float | None = None) -> str | None:
    """Why staging's answers to one check leave nothing to judge the client on, in one sentence; ``None`` when
    the last answer is one to judge on.  ``client_timeout``: the client's declared timeout, when the client sent
    the requests (an answer slower than it never reached the client)."""
    if not exchanges:
        return None
    last = exchanges[-1]
    if last.fault is not None:
        return last.fault
    if client_timeout is not None:
        for exchange in exchanges:
            took = exchange.waited + exchange.received
            if took > client_timeout:
                return (
                    f"staging took {took:.2f} s to answer {exchange.method} {exchange.path}, longer than the "
                    f"client's declared timeout ({client_timeout:g} s): the client could not have its answer"
                )
    if last.status is None:
        return None
    if any(violation.path == "" and "not JSON" in violation.message for violation in last.violations):
        return f"staging answered {last.status} with a body that cannot be read: {last.violations[0].message}"
    if last.status >= 500 and not last.violations and isinstance(last.body, dict):
        error = catalog.find_error(last.status, str(last.body.get("type")))
        if error is not None and error.retryable:  # a 500 stays a finding about the server (test_hostile_id)
            return (
                f"staging answered {error.status} {error.type}: {error.description} (a documented error that "
                "says nothing of the client: try again when staging is healthy)"
            )
    return None


def _sent_call(
    prefix: str, method: str, target: bytes, headers: Headers, body: bytes, *, url: str, status: int | None
) -> RecordedCall:
    """A request that a stand-in for the live API received (the live proxy, the replay server): path and
    query read as latin-1, so that the bytes sent come back unchanged in a recording; never an account id."""
    raw_path, _, raw_query = target.partition(b"?")
    return RecordedCall(
        method=method,
        url=url,
        raw_path=raw_path.decode("latin-1"),
        query=raw_query.decode("latin-1"),
        headers=headers,
        content=body,
        routed=on_reconnect_route(prefix, method, raw_path),
        account_id=None,
        status=status,
    )


def record_as_sent(
    journal: Journal,
    prefix: str,
    method: str,
    target: bytes,
    headers: Headers,
    body: bytes,
    *,
    url: str,
    status: int | None,
) -> None:
    """Record a request that a stand-in for the live API answered (see :func:`_sent_call`)."""
    journal.record(_sent_call(prefix, method, target, headers, body, url=url, status=status))


def _proxy_answer(status: int, title: str, type_: str, detail: str) -> Reply:
    """The proxy's own answer (never a documented one, on purpose): ``detail`` says what happened."""
    body = {"title": title, "type": type_, "detail": detail}
    return Reply(status, (("Content-Type", "application/json"),), json.dumps(body).encode())


class Forwarder:
    """What answers :class:`LiveProxy`'s requests: each is forwarded upstream through the session and recorded
    in :attr:`journal` like a double records it.

    A call is recorded when it arrives (no status yet) and completed when staging has answered, failed or run
    out of time; :meth:`settle` waits for the running check's calls.  A call that completes after its check
    has ended is dropped (the next check's journal never holds it) and noted once in ``session.late``.
    """

    def __init__(self, session: LiveSession) -> None:
        self.session = session
        self.journal = Journal()
        self._changed = threading.Condition()
        self._in_flight: dict[str, int] = {}  # test -> calls not complete

    def answer(self, method: str, target: bytes, headers: Headers, body: bytes, *, url: str) -> Reply:
        """Forward one request and give back staging's answer (or the proxy's own, saying what went wrong)."""
        test = self.session.current_test()
        call = _sent_call(self.session.prefix, method, target, headers, body, url=url, status=None)
        self.journal.record(call)
        with self._changed:
            self._in_flight[test] = self._in_flight.get(test, 0) + 1
        status: int | None = None
        try:
            response, exchange = self.session.send(method, target.decode("latin-1"), headers.raw, body)
            assert response is not None
            if exchange.fault is not None:
                reply = _proxy_answer(502, "staging's answer not used", "postpress/upstream_error", exchange.fault)
            else:
                status = response.status_code
                kept = tuple((n, v) for n, v in response.headers.multi_items() if n.lower() not in _HOP_BY_HOP)
                reply = Reply(status, kept, response.content)
        except BudgetSpent as error:
            # Not a documented answer on purpose: the check that sees it fails with this reason.
            reply = _proxy_answer(599, "postpress live budget spent", "postpress/budget_spent", str(error))
        except StagingFault as fault:
            unreachable = str(fault).startswith("staging could not be reached")
            title = "upstream unreachable" if unreachable else "staging's answer not used"
            reply = _proxy_answer(502, title, "postpress/upstream_error", str(fault))
        finally:
            with self._changed:
                self._in_flight[test] -= 1
                self._changed.notify_all()
        if test != self.session.current_test() or not self.journal.complete(
            call, dataclasses.replace(call, status=status)
        ):
            self.session.note_late(test, f"a {method} request")  # no path: a broken client may put the key there
        return reply

    def settle(self, timeout: float) -> bool:
        """Wait (at most ``timeout`` seconds) until the running check has no call in flight; whether it has none."""
        test = self.session.current_test()
        with self._changed:
            return self._changed.wait_for(lambda: not self._in_flight.get(test), timeout)


class LiveProxy(PostpressServer):
    """A loopback HTTP server that forwards every request to the live server and records it.

    ``.url`` is what the client under test is given (loopback origin plus the
    live base URL's path prefix); ``.calls`` and ``.reset()`` work as on the
    test doubles.  Forcing answers (``respond_with`` and friends) is not
    possible: those checks are mock-only.
    """

    def __init__(self, session: LiveSession, *, api_key: str) -> None:
        self.forwarder = Forwarder(session)
        # Wait for a slow client at least as long as the live server may take to answer it.
        super().__init__(
            api_key=api_key,
            prefix=session.prefix,
            any_account=True,
            timeout=max(5.0, session.timeout),
            answerer=self.forwarder,
        )
        self.session = session

    def settle(self) -> bool:
        """Wait until staging has answered (or failed) every call of the running check, at most as long as one
        request may take (:meth:`LiveSession.bound`); whether none is left in flight."""
        return self.forwarder.settle(self.session.bound())
