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

import httpx

from pytest_postpress import catalog
from pytest_postpress.doubles._http import Headers, RecordedCall, Reply
from pytest_postpress.doubles._state import Journal, on_reconnect_route
from pytest_postpress.doubles.server import PostpressServer
from pytest_postpress.validation import Violation, validate_response

__all__ = ["RETRYABLE", "BudgetSpent", "Exchange", "Forwarder", "LiveProxy", "LiveSession"]

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
        # Who asks (the node id of the running test) and who else wants each exchange (the recorder).
        self.current_test = current_test
        self.listener = listener
        self._lock = threading.Lock()
        # ``transport``: where a test double that httpx does not reach answers (the "responses" transport).
        self._client = httpx.Client(
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
            transport=transport,
            verify=_ssl_context() if transport is None else True,
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

    def send(
        self, method: str, target: str, headers: Iterable[tuple[str, str]] = (), content: bytes = b""
    ) -> tuple[httpx.Response | None, Exchange]:
        """Send ``method target`` (origin-form, exactly as given) upstream; validate and record the answer.

        Raises :class:`BudgetSpent` when no request may be sent any more.
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
            try:
                request = self._client.build_request(method, url, headers=forwarded, content=content)
                sent.request_headers = list(request.headers.multi_items())  # as on the wire
                response = self._client.send(request, stream=True)
                waited = time.perf_counter() - clock
                try:
                    response.read()
                finally:
                    response.close()
            except httpx.HTTPError as error:
                sent.error, sent.waited = type(error).__name__, time.perf_counter() - clock
                self._keep(sent)
                # A dropped connection or a timeout is retryable too (rule 23).
                if isinstance(error, httpx.TransportError) and attempts <= self.retries:
                    time.sleep(self.backoff * 2 ** (attempts - 1))
                    continue
                raise
            content_type = response.headers.get("content-type", "")
            body, problem = _parse(response.content, content_type)
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
                response_content=response.content,
                reason=response.reason_phrase,
                http_version=response.http_version,
                waited=waited,
                received=time.perf_counter() - clock - waited,
            )
            type_ = body.get("type") if isinstance(body, dict) else None
            if (response.status_code, type_) in RETRYABLE and attempts <= self.retries:
                self._keep(exchange)
                time.sleep(self.backoff * 2 ** (attempts - 1))
                continue
            self._keep(exchange)
            return response, exchange

    def _keep(self, exchange: Exchange) -> None:
        with self._lock:
            self.exchanges.append(exchange)
        if self.listener is not None:
            self.listener(exchange)

    def outside_contract(self) -> list[Exchange]:
        """Every exchange whose response is not documented."""
        with self._lock:
            return [exchange for exchange in self.exchanges if exchange.outside_contract]


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
    received: float,
) -> None:
    """Record a request that a stand-in for the live API answered (the live proxy, the replay server): path and
    query read as latin-1, so that the bytes sent come back unchanged in a recording; never an account id."""
    raw_path, _, raw_query = target.partition(b"?")
    call = RecordedCall(
        method=method,
        url=url,
        raw_path=raw_path.decode("latin-1"),
        query=raw_query.decode("latin-1"),
        headers=headers,
        content=body,
        routed=on_reconnect_route(prefix, method, raw_path),
        account_id=None,
        status=status,
        received=received,
    )
    journal.record(call)


class Forwarder:
    """What answers :class:`LiveProxy`'s requests: each is forwarded upstream through the session and recorded
    in :attr:`journal` like a double records it."""

    def __init__(self, session: LiveSession) -> None:
        self.session = session
        self.journal = Journal()

    def answer(self, method: str, target: bytes, headers: Headers, body: bytes, *, url: str) -> Reply:
        """Forward one request and give back staging's answer (or the proxy's own, saying what went wrong)."""
        received = time.monotonic()
        status: int | None = None
        try:
            response, _ = self.session.send(method, target.decode("latin-1"), headers.raw, body)
            assert response is not None
            status = response.status_code
            reply_headers = tuple(
                (name, value) for name, value in response.headers.multi_items() if name.lower() not in _HOP_BY_HOP
            )
            reply = Reply(status, reply_headers, response.content)
        except BudgetSpent as error:
            # Not a documented answer on purpose: the check that sees it fails with this reason.
            detail = {"title": "postpress live budget spent", "type": "postpress/budget_spent", "detail": str(error)}
            reply = Reply(599, (("Content-Type", "application/json"),), json.dumps(detail).encode())
        except httpx.HTTPError as error:
            detail = {
                "title": "upstream unreachable",
                "type": "postpress/upstream_error",
                "detail": type(error).__name__,
            }
            reply = Reply(502, (("Content-Type", "application/json"),), json.dumps(detail).encode())
        record_as_sent(
            self.journal, self.session.prefix, method, target, headers, body, url=url, status=status, received=received
        )
        return reply


class LiveProxy(PostpressServer):
    """A loopback HTTP server that forwards every request to the live server and records it.

    ``.url`` is what the client under test is given (loopback origin plus the
    live base URL's path prefix); ``.calls`` and ``.reset()`` work as on the
    test doubles.  Forcing answers (``respond_with`` and friends) is not
    possible: those checks are mock-only.
    """

    def __init__(self, session: LiveSession, *, api_key: str) -> None:
        # Wait for a slow client at least as long as the live server may take to answer it.
        super().__init__(
            api_key=api_key,
            prefix=session.prefix,
            any_account=True,
            timeout=max(5.0, session.timeout),
            answerer=Forwarder(session),
        )
        self.session = session
