"""The contract suite: subclass :class:`ReconnectContract` to check any client of the endpoint.

::

    from pytest_postpress import ReconnectContract

    class TestMyClient(ReconnectContract):
        @pytest.fixture
        def postpress_reconnect(self, postpress_base_url, postpress_api_key):
            client = MyClient(base_url=postpress_base_url, api_key=postpress_api_key)
            return client.accounts.reconnect      # (account_id, body) -> result

Each check is its own test, marked ``postpress_contract``.  Failures are
:class:`ContractViolation` (an ``AssertionError``) whose message says what the
contract requires, what the client did and how to fix it, with secrets hidden.
"""

from __future__ import annotations

import asyncio
import copy
import inspect
import json
import re
import urllib.parse
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, NoReturn

import pytest
from hypothesis import strategies as st

import strategies
from pytest_postpress import _results, catalog
from pytest_postpress import schema as _schema
from pytest_postpress._fuzz import SECRET_FIELDS, client_name, redacted_json, run_fuzz
from pytest_postpress._identity import ErrorIdentity
from pytest_postpress.errors import ContractViolation
from pytest_postpress.live import Exchange, LiveSession
from pytest_postpress.plugin import settings_of
from pytest_postpress.samples import sample_body
from pytest_postpress.validation import closest_variant, error_for_violations, validate_reconnect_body

__all__ = ["ContractViolation", "ReconnectContract"]

_UNRESERVED_SEGMENT = re.compile(r"(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})+")
_OTHER_ACCOUNT_ID = "acc_01JRECONNECTED0THER1D0000"
_JSON = {"Content-Type": "application/json"}


def _show(value: Any, key: str | None) -> str:
    """A value for a message; secret fields are described, never shown."""
    if key in SECRET_FIELDS and value is not None:
        size = f" of {len(value)} characters" if isinstance(value, str) else ""
        return f"<hidden {type(value).__name__}{size}>"
    text = json.dumps(value, ensure_ascii=False) if _is_json(value) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _is_json(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _same_json(a: Any, b: Any) -> bool:
    # JSON has one number type (993 == 993.0) but booleans are not numbers.
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b if not isinstance(a, dict | list) else False


def first_difference(expected: Any, found: Any, path: str = "", key: str | None = None) -> str | None:
    """Describe the first place where ``found`` differs from ``expected`` as JSON, or ``None``."""
    where = path or "(root)"
    if isinstance(expected, dict):
        if not isinstance(found, dict):
            return f"at {where}: expected an object, found {_show(found, key)}"
        for name, value in expected.items():
            sub = f"{path}/{name}"
            if name not in found:
                return f"at {sub}: field dropped (expected {_show(value, name)})"
            difference = first_difference(value, found[name], sub, name)
            if difference:
                return difference
        for name in found:
            if name not in expected:
                return f"at {path}/{name}: field added that the caller did not pass ({_show(found[name], name)})"
        return None
    if isinstance(expected, list):
        if not isinstance(found, list):
            return f"at {where}: expected an array, found {_show(found, key)}"
        if len(found) != len(expected):
            return f"at {where}: expected {len(expected)} items, found {len(found)}"
        for index, (a, b) in enumerate(zip(expected, found, strict=True)):
            difference = first_difference(a, b, f"{path}/{index}", key)
            if difference:
                return difference
        return None
    if _same_json(expected, found):
        return None
    if found is None:
        return f"at {where}: expected {_show(expected, key)}, found null (nulled)"
    return f"at {where}: expected {_show(expected, key)}, found {_show(found, key)}"


def _describe_error(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    if len(text) > 160:
        text = text[:157] + "..."
    return f"{type(error).__module__}.{type(error).__qualname__}({text!r})"


def read_account_id(result: Any) -> str | None:
    """The account id a client returned: a ``str``, an object with ``.account_id``, or a mapping."""
    if isinstance(result, str):
        return result
    if isinstance(result, Mapping):
        value = result.get("account_id")
        return value if isinstance(value, str) else None
    value = getattr(result, "account_id", None)
    return value if isinstance(value, str) else None


@dataclass
class Outcome:
    """What one call of the client did: its result or exception, and the requests it sent."""

    result: Any = None
    error: BaseException | None = None
    calls: list[Any] = field(default_factory=list)

    @property
    def raised(self) -> bool:
        return self.error is not None


class _Check:
    """The assertions of the suite, shared by the mock checks and the live checks."""

    def __init__(self, name: str, base_url: str, api_key: str, identity: Callable[[BaseException], Any]) -> None:
        self.name = name
        self.base_url = base_url
        self.api_key = api_key
        self.identity = identity
        self.secrets: set[str] = {api_key}

    def hide(self, body: Any) -> None:
        """Remember the secret values of ``body`` so that no message can show them."""
        if isinstance(body, dict):
            for name, value in body.items():
                if name in SECRET_FIELDS and isinstance(value, str):
                    self.secrets.add(value)
                elif name in SECRET_FIELDS and isinstance(value, dict):
                    self.secrets.update(v for v in value.values() if isinstance(v, str))
                else:
                    self.hide(value)
        elif isinstance(body, list):
            for item in body:
                self.hide(item)

    def fail(self, required: str, observed: str, fix: str) -> NoReturn:
        message = f"[{self.name}] the contract requires {required}\n  the client {observed}\n  how to fix: {fix}"
        # A client's exception text may quote the key or a password: scrub every known secret.
        for secret in sorted(self.secrets, key=len, reverse=True):
            if len(secret) >= 4:
                message = message.replace(secret, "<hidden>")
        raise ContractViolation(message)

    def one_call(self, outcome: Outcome, *, allow_refusal: bool = False) -> Any | None:
        if not outcome.calls:
            if outcome.raised and allow_refusal:
                return None
            if outcome.raised:
                assert outcome.error is not None
                self.fail(
                    "one POST request to the endpoint",
                    f"sent nothing and raised {_describe_error(outcome.error)}",
                    "send the request; do not validate or refuse a documented-valid call",
                )
            self.fail("one POST request to the endpoint", "sent nothing", "call the endpoint once per reconnect")
        if len(outcome.calls) > 1:
            self.fail(
                "exactly one request per reconnect",
                f"sent {len(outcome.calls)} requests",
                "send once; reconnecting is not idempotent, so do not retry on its own",
            )
        return outcome.calls[0]

    # 1. request line ---------------------------------------------------------------------------------
    def request_line(self, call: Any, account_id: str) -> None:
        prefix = urllib.parse.urlsplit(self.base_url).path.rstrip("/") + "/v1/accounts/"
        expected = prefix + urllib.parse.quote(account_id, safe="")
        path = str(call.raw_path)
        query = str(getattr(call, "query", ""))
        raw = path + ("?" + query if query else "")
        if call.method != "POST":
            self.fail("method POST", f"sent {call.method} {raw}", "use POST for the reconnect endpoint")
        injected = (
            f"sent the path {raw!r} for the id {account_id!r}: the id was not percent-encoded as one path "
            "segment, so it changed the path (a path-injection risk: an id such as '../x' reaches another "
            "endpoint)"
        )
        fix = (
            "encode the id with urllib.parse.quote(account_id, safe='') (or encodeURIComponent) before building the URL"
        )
        if not path.startswith(prefix):
            self.fail(f"the path {expected!r}", injected, fix)
        segment = path[len(prefix) :]
        if query or "/" in segment or "#" in raw:
            self.fail(f"the path {expected!r} with no query string", injected, fix)
        if _UNRESERVED_SEGMENT.fullmatch(segment) is None:
            self.fail(
                f"the id percent-encoded as UTF-8 outside RFC 3986 unreserved characters: {expected!r}",
                f"sent the path {raw!r}",
                fix,
            )
        try:
            decoded = urllib.parse.unquote(segment, errors="strict")
        except UnicodeDecodeError:
            decoded = None
        if decoded != account_id:
            self.fail(
                f"the path segment to decode back to the id {account_id!r}",
                f"sent {segment!r}, which decodes to {decoded!r}",
                fix + "; percent-encode UTF-8 bytes, once (no double encoding)",
            )
        if segment in {".", ".."}:
            self.fail(f"the path {expected!r}", injected, "encode '.' as %2E for the ids '.' and '..', or refuse them")

    # 2. authentication -------------------------------------------------------------------------------
    def authentication(self, call: Any) -> None:
        headers = {name.lower(): value for name, value in call.headers.items()}
        raw = str(call.raw_path) + "?" + str(getattr(call, "query", ""))
        if self.api_key and (self.api_key in raw or urllib.parse.quote(self.api_key, safe="") in raw):
            self.fail(
                "the API key in the X-API-KEY header only",
                "put the API key in the URL (query string or path), where logs and proxies record it",
                "send it as the X-API-KEY header",
            )
        authorization = headers.get("authorization", "")
        if self.api_key and self.api_key in authorization:
            self.fail(
                "the API key in the X-API-KEY header, not Authorization",
                "sent the key in the Authorization header",
                "send it as the X-API-KEY header",
            )
        if "x-api-key" not in headers:
            names = ", ".join(sorted(call.headers.keys())) or "none"
            self.fail(
                "the header X-API-KEY carrying the API key",
                f"sent no X-API-KEY header (headers sent: {names})",
                "add the header X-API-KEY: <your key>",
            )
        if headers["x-api-key"] != self.api_key:
            self.fail(
                "X-API-KEY to equal the configured key (postpress_api_key)",
                f"sent a different X-API-KEY value ({len(headers['x-api-key'])} characters; values hidden)",
                "pass the configured key through unchanged (no prefix such as 'Bearer ', no whitespace)",
            )

    # 3. body -----------------------------------------------------------------------------------------
    def body(self, call: Any, body: Any) -> None:
        headers = {name.lower(): value for name, value in call.headers.items()}
        content_type = headers.get("content-type")
        media = (content_type or "").split(";")[0].strip().lower()
        if media != "application/json":
            self.fail(
                "Content-Type: application/json",
                f"sent Content-Type {content_type!r}" if content_type else "sent no Content-Type header",
                "send the body as JSON (httpx: json=body; requests: json=body)",
            )
        try:
            sent = json.loads(call.content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            self.fail(
                "a UTF-8 JSON body", f"sent a body that is not JSON ({type(error).__name__})", "serialise with json"
            )
        difference = first_difference(body, sent)
        if difference:
            self.fail(
                "the body sent to equal, as JSON, the body the caller passed (nothing dropped, renamed, "
                "re-typed, nulled or added)",
                f"sent a different body {difference}",
                "send the caller's body as it is; do not drop, rename, coerce or fill in fields",
            )
        violations = validate_reconnect_body(sent)
        if violations and not validate_reconnect_body(body):
            self.fail("a valid body", f"sent an invalid body: {violations[0]}", "send the caller's body unchanged")

    # 4. success --------------------------------------------------------------------------------------
    def success(self, outcome: Outcome, expected_id: str) -> None:
        if outcome.raised:
            assert outcome.error is not None
            self.fail(
                "a 201 AccountReconnected to be read as success",
                f"raised {_describe_error(outcome.error)} on a 201",
                "treat 201 as success and return the response's account_id",
            )
        found = read_account_id(outcome.result)
        if found is None:
            self.fail(
                "the result to be the account id (a str, an object with .account_id, or a mapping with 'account_id')",
                f"returned {type(outcome.result).__name__}: {_show(outcome.result, None)}",
                "return the account_id of the 201 body, or an object or dict that carries it",
            )
        if found != expected_id:
            self.fail(
                f"the account id of the 201 body ({expected_id!r}), which need not equal the path id",
                f"returned {found!r}",
                "read account_id from the response body instead of echoing the id you sent",
            )

    # 5. errors ---------------------------------------------------------------------------------------
    def raised_with(self, outcome: Outcome, status: int, type_: str | None, what: str) -> ErrorIdentity:
        if not outcome.raised:
            self.fail(
                f"an exception for {what}",
                f"reported success ({_show(outcome.result, None)})",
                "raise on every status other than 201",
            )
        assert outcome.error is not None
        identity = self.identity(outcome.error)
        if identity is None:
            self.fail(
                f"the raised error to tell the status {status}" + (f" and type {type_}" if type_ else ""),
                f"raised {_describe_error(outcome.error)}, from which postpress_error_identity reads nothing",
                "carry status and type on your exception (attributes status/type), or override the "
                "postpress_error_identity fixture to read your exception class",
            )
        if (
            not isinstance(identity, tuple)
            or len(identity) != 2
            or not isinstance(identity[0], int)
            or not (identity[1] is None or isinstance(identity[1], str))
        ):
            self.fail(
                "postpress_error_identity to return (status: int, type: str | None) or None",
                f"raised {_describe_error(outcome.error)}, and postpress_error_identity returned {identity!r}",
                "fix your override of the postpress_error_identity fixture",
            )
        found_status, found_type = identity
        if found_status != status or (type_ is not None and found_type != type_):
            self.fail(
                f"the error to be identified as ({status}, {type_!r})" if type_ else f"the status {status}",
                f"raised {_describe_error(outcome.error)}, identified as ({found_status}, {found_type!r})",
                "identify errors by the (status, type) pair of the response"
                + ("; 504 errors/request_timeout is not 408" if type_ == "errors/request_timeout" else ""),
            )
        return (found_status, found_type)


@dataclass
class Harness:
    """What one check of :class:`ReconnectContract` works with (the ``postpress_harness`` fixture)."""

    request: pytest.FixtureRequest
    call: Callable[[str, Any], Any]
    double: Any
    account_id: str
    check: _Check

    def invoke(self, body: Any, *, account_id: str | None = None) -> Outcome:
        """Call the client once with ``body`` (a copy) and collect what it returned or raised and what it sent."""
        account = self.account_id if account_id is None else account_id
        before = len(self.double.calls)
        outcome = Outcome()
        try:
            # A copy, so that a client that mutates its argument cannot hide it.
            outcome.result = self.call(account, copy.deepcopy(body))
        except Exception as error:
            outcome.error = error
        outcome.calls = list(self.double.calls[before:])
        return outcome

    def record(self, **data: Any) -> dict[str, Any]:
        """Record this check for the summary and the report (``data``: variants, error, outside_contract...)."""
        record: dict[str, Any] = {
            "client": client_name(self.request),
            "check": self.request.node.name.removeprefix("test_"),
            "examples": 1,
            **data,
        }
        self.request.node.user_properties.append((_results.PROPERTY, record))
        return record

    def expect_raise(self, status: int | None, what: str) -> None:
        """Call the client with a sample body; it must raise, telling ``status`` where one was received."""
        self.record()
        outcome = self.invoke(sample_body("GOOGLE_OAUTH"))
        if not outcome.raised:
            self.check.fail(
                f"an exception for {what}",
                f"reported success ({_show(outcome.result, None)})",
                "raise on anything but a documented 201 body; never report success for an unreadable answer",
            )
        if status is not None:
            assert outcome.error is not None
            identity = self.check.identity(outcome.error)
            if identity is None or identity[0] != status:
                self.check.fail(
                    f"the raised error to tell the HTTP status {status} ({what})",
                    f"raised {_describe_error(outcome.error)}, identified as {identity!r}",
                    "keep the HTTP status on the exception even when the body is not a documented envelope",
                )


class ReconnectContract:
    """Base class of a contract suite for one client of ``POST /v1/accounts/{id}``.

    Subclass it in a ``Test*`` class and override the ``postpress_reconnect``
    fixture.  Optional overrides: ``postpress_error_identity`` (how to read
    your exception class) and ``postpress_transport`` (``"respx"`` or
    ``"server"``).
    """

    pytestmark: ClassVar[list[pytest.MarkDecorator]] = [pytest.mark.postpress_contract]

    # --- fixtures the user provides or may override ------------------------------------------------
    @pytest.fixture
    def postpress_reconnect(self, request: pytest.FixtureRequest) -> Callable[[str, Any], Any]:
        """The client under test: return a callable ``(account_id, body) -> result`` (sync or async)."""
        pytest.fail(
            f"{request.cls.__name__ if request.cls else 'this class'} subclasses ReconnectContract but does not "
            "override the postpress_reconnect fixture. Add to the class:\n\n"
            "    @pytest.fixture\n"
            "    def postpress_reconnect(self, postpress_base_url, postpress_api_key):\n"
            "        client = MyClient(base_url=postpress_base_url, api_key=postpress_api_key)\n"
            "        return client.accounts.reconnect  # (account_id, body) -> result\n",
            pytrace=False,
        )

    @pytest.fixture
    def postpress_base_url(self, request: pytest.FixtureRequest, postpress_transport: str) -> str:
        """The base URL the client must use.

        The configured one with transport ``"respx"``; the loopback server's with ``"server"``; in live
        mode, a recording loopback proxy in front of the live server (same path prefix).
        """
        settings = settings_of(request.config)
        if settings.live:
            return str(request.getfixturevalue("postpress_live_proxy").url)
        if postpress_transport == "server":
            return str(request.getfixturevalue("postpress_server").url)
        return str(settings.base_url)

    @pytest.fixture
    def postpress_double(self, request: pytest.FixtureRequest, postpress_transport: str) -> Any:
        """What answers the client: ``postpress_mock`` or ``postpress_server`` by transport; in live mode the proxy."""
        if settings_of(request.config).live:
            proxy = request.getfixturevalue("postpress_live_proxy")
            proxy.reset()
            return proxy
        if postpress_transport not in {"respx", "server"}:
            pytest.fail(
                f"postpress_transport returned {postpress_transport!r}; expected 'respx' or 'server'", pytrace=False
            )
        return request.getfixturevalue("postpress_mock" if postpress_transport == "respx" else "postpress_server")

    @pytest.fixture
    def postpress_direct(
        self, request: pytest.FixtureRequest, postpress_double: Any, postpress_base_url: str
    ) -> Iterator[LiveSession]:
        """Sends requests straight to the server (not through the client), for checks about the server.

        In live mode the session's :class:`~pytest_postpress.live.LiveSession` (counted, validated);
        otherwise one aimed at the test double.
        """
        if settings_of(request.config).live:
            yield request.getfixturevalue("postpress_live_session")
            return
        session = LiveSession(base_url=postpress_base_url, max_requests=1_000, timeout=10.0)
        yield session
        session.close()

    @pytest.fixture
    def postpress_event_loop(self) -> Iterator[asyncio.AbstractEventLoop]:
        """The event loop the suite runs an async client on (one per test); use it to close async clients."""
        loop = asyncio.new_event_loop()
        yield loop
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()

    @pytest.fixture
    def postpress_call(
        self,
        postpress_reconnect: Callable[[str, Any], Any],
        postpress_event_loop: asyncio.AbstractEventLoop,
    ) -> Callable[[str, Any], Any]:
        """``postpress_reconnect`` made synchronous: coroutines run on ``postpress_event_loop``."""
        if not callable(postpress_reconnect):
            pytest.fail(
                f"postpress_reconnect returned {type(postpress_reconnect).__name__}, not a callable; return the "
                "client's reconnect function, e.g. client.accounts.reconnect",
                pytrace=False,
            )

        def call(account_id: str, body: Any) -> Any:
            result = postpress_reconnect(account_id, body)
            if inspect.isawaitable(result):
                result = postpress_event_loop.run_until_complete(result)
            return result

        return call

    @pytest.fixture
    def postpress_check(
        self,
        request: pytest.FixtureRequest,
        postpress_base_url: str,
        postpress_api_key: str,
        postpress_error_identity: Callable[[BaseException], Any],
    ) -> _Check:
        """The assertions of the suite, bound to this test's check name, key and error identity."""
        name = request.node.originalname.removeprefix("test_")
        return _Check(name, postpress_base_url, postpress_api_key, postpress_error_identity)

    @pytest.fixture
    def postpress_harness(
        self,
        request: pytest.FixtureRequest,
        postpress_call: Callable[[str, Any], Any],
        postpress_double: Any,
        postpress_account_id: str,
        postpress_check: _Check,
    ) -> Harness:
        """What one check works with: the client, the double (or live proxy), the account, the assertions."""
        return Harness(request, postpress_call, postpress_double, postpress_account_id, postpress_check)

    # --- 1-4: one request -------------------------------------------------------------------------------
    @pytest.mark.postpress_mock_only
    @pytest.mark.postpress_fuzz
    def test_request_line(self, postpress_harness: Harness) -> None:
        """Method POST and path {base}/v1/accounts/{id}, the id percent-encoded as one segment (any id)."""
        h = postpress_harness

        def example(account_id: str) -> None:
            # Reset per example: no state leaks from one example to the next.
            h.double.reset()
            h.double.add_account(account_id)
            outcome = h.invoke(sample_body("LINKEDIN_BASIC"), account_id=account_id)
            # "." and ".." cannot be one path segment unless encoded as %2E: refusing them is fine.
            call = h.check.one_call(outcome, allow_refusal=account_id in {".", ".."})
            if call is not None:
                h.check.request_line(call, account_id)

        run_fuzz(h.request, strategies.account_ids(), example, describe=lambda value: f"account id {value!r}")

    @pytest.mark.postpress_mock_only
    def test_authentication(self, postpress_harness: Harness) -> None:
        """X-API-KEY carries the configured key; not Authorization, not the URL."""
        h = postpress_harness
        h.record()
        h.check.authentication(h.check.one_call(h.invoke(sample_body("TELEGRAM"))))

    @pytest.mark.postpress_mock_only
    @pytest.mark.parametrize("variant", _schema.VARIANTS)
    def test_body(self, postpress_harness: Harness, variant: str) -> None:
        """Content-Type application/json, and the body sent equals, as JSON, the body passed (every field)."""
        h = postpress_harness
        h.record(variants=[variant])
        body = sample_body(variant, full=True)
        h.check.body(h.check.one_call(h.invoke(body)), body)

    @pytest.mark.postpress_mock_only
    def test_success(self, postpress_harness: Harness) -> None:
        """A 201 is read as success, and the result is the response's account_id (not the path id)."""
        h = postpress_harness
        h.record()
        h.double.success_account_id = _OTHER_ACCOUNT_ID
        outcome = h.invoke(sample_body("LINKEDIN_COOKIE"))
        h.check.one_call(outcome)
        h.check.success(outcome, _OTHER_ACCOUNT_ID)

    # --- live-safe checks: run on the double by default, on the real server with --postpress-live ---------
    def _documented(self, h: Harness, direct: LiveSession, start: int) -> None:
        """Record the responses of this check that are outside the contract, and fail on the first one."""
        outside = [exchange.summary() for exchange in direct.exchanges[start:] if exchange.outside_contract]
        h.record(outside_contract=outside)
        if direct.spent and any(exchange.status is None for exchange in direct.exchanges[start:]):
            h.check.fail("a request budget for live mode", direct.budget_message(), "raise --postpress-max-requests")
        if outside:
            first = outside[0]
            h.check.fail(
                "every response of the server to be documented",
                f"received, for {first['request']}, status {first['status']}: {'; '.join(first['violations'])}",
                "this is drift between the server and the documentation: report it to the API owners",
            )

    @staticmethod
    def _live_guard(direct: LiveSession, check: _Check) -> None:
        if direct.spent:
            check.fail("a request budget for live mode", direct.budget_message(), "raise --postpress-max-requests")

    def _send_direct(
        self, h: Harness, direct: LiveSession, account_id: str, headers: list[tuple[str, str]]
    ) -> Exchange:
        """Send a sample body for ``account_id`` straight to the server (not through the client)."""
        self._live_guard(direct, h.check)
        start = len(direct.exchanges)
        target = direct.prefix + "/v1/accounts/" + urllib.parse.quote(account_id, safe="")
        content = json.dumps(sample_body("LINKEDIN_BASIC")).encode()
        _, exchange = direct.send("POST", target, [("Content-Type", "application/json"), *headers], content)
        self._documented(h, direct, start)
        return exchange

    def test_missing_key(self, postpress_harness: Harness, postpress_direct: LiveSession) -> None:
        """Live-safe, about the server: a request without X-API-KEY gets 401 errors/invalid_credentials."""
        h = postpress_harness
        exchange = self._send_direct(h, postpress_direct, h.account_id, [])
        found = (exchange.status, exchange.body.get("type") if isinstance(exchange.body, dict) else None)
        if found != (401, "errors/invalid_credentials"):
            h.check.fail(
                "401 errors/invalid_credentials for a request without X-API-KEY",
                f"(the server) answered {found[0]} {found[1]}",
                "the server must authenticate before anything else (DECISIONS.md rule 22)",
            )

    @pytest.mark.parametrize(
        "account_id",
        ["../admin", "a/b", "100%", "?x=1#y", "é ü"],
        ids=["dot-dot", "slash", "percent", "query", "unicode"],
    )
    def test_hostile_id(
        self, postpress_harness: Harness, postpress_direct: LiveSession, postpress_api_key: str, account_id: str
    ) -> None:
        """Live-safe, about the server: a hostile id, correctly encoded, gets a documented 4xx, never a 5xx."""
        h = postpress_harness
        exchange = self._send_direct(h, postpress_direct, account_id, [("X-API-KEY", postpress_api_key)])
        if exchange.status is None or not 400 <= exchange.status < 500:
            h.check.fail(
                f"a documented 4xx for the id {account_id!r} sent as one encoded segment",
                f"(the server) answered {exchange.status}",
                "the server must reject unknown or malformed ids with a 4xx (404 errors/resource_not_found)",
            )

    def _through_client(self, h: Harness, direct: LiveSession, body: Any, account_id: str) -> Outcome:
        """Call the client (live: through the recording proxy) and check every response is documented."""
        h.check.hide(body)
        self._live_guard(direct, h.check)
        start = len(direct.exchanges)
        outcome = h.invoke(body, account_id=account_id)
        self._documented(h, direct, start)
        return outcome

    @pytest.mark.parametrize(
        "mutation",
        ["missing_required", "invalid_value", "undocumented_field", "not_an_object"],
        ids=["missing-parameters", "invalid-parameters", "undocumented-field", "null-body"],
    )
    def test_invalid_body(self, postpress_harness: Harness, postpress_direct: LiveSession, mutation: str) -> None:
        """Live-safe: an invalid body is refused by the client, or sent as is, answered 400 and raised as that 400."""
        h = postpress_harness
        body: Any = sample_body("LINKEDIN_BASIC")
        if mutation == "missing_required":
            del body["password"]
        elif mutation == "invalid_value":
            body["country"] = "fr"
        elif mutation == "undocumented_field":
            body["userAgent"] = "Mozilla/5.0"  # a respelling of user_agent: sent as is, it gets a 400
        else:
            body = None  # httpx and requests read json=None as "no body": a classic way to send nothing
        expected = error_for_violations(validate_reconnect_body(body))
        outcome = self._through_client(h, postpress_direct, body, h.account_id)
        call = h.check.one_call(outcome, allow_refusal=True)
        if call is None:
            return  # refused before sending: allowed
        h.check.request_line(call, h.account_id)
        h.check.authentication(call)
        h.check.body(call, body)
        h.check.raised_with(outcome, expected.status, expected.type, f"an invalid body ({mutation})")

    def test_unknown_account(self, postpress_harness: Harness, postpress_direct: LiveSession) -> None:
        """Live-safe: reconnecting an account that does not exist raises a documented 404."""
        h = postpress_harness
        account_id = f"acc_postpress_contract_unknown_{uuid.uuid4().hex[:16]}"
        outcome = self._through_client(h, postpress_direct, sample_body("LINKEDIN_BASIC"), account_id)
        call = h.check.one_call(outcome)
        h.check.request_line(call, account_id)
        h.check.authentication(call)
        _, type_ = h.check.raised_with(outcome, 404, None, "an unknown account")
        if type_ is not None and type_ not in catalog.types_for_status(404):
            h.check.fail(
                f"a documented 404 type ({', '.join(catalog.types_for_status(404))})",
                f"raised an error identified as (404, {type_!r})",
                "surface the envelope's type as received",
            )

    @pytest.mark.postpress_live
    def test_real_reconnect(self, postpress_harness: Harness, postpress_direct: LiveSession) -> None:
        """Live only: a real reconnect (--postpress-reconnect-body) gets 201 and the client reports success."""
        h = postpress_harness
        path = settings_of(h.request.config).reconnect_body
        if path is None:
            pytest.skip("needs --postpress-reconnect-body: a JSON file with a real reconnect body for the account")
        body = json.loads(path.read_text(encoding="utf-8"))
        start = len(postpress_direct.exchanges)
        outcome = self._through_client(h, postpress_direct, body, h.account_id)
        call = h.check.one_call(outcome)
        h.check.request_line(call, h.account_id)
        h.check.authentication(call)
        h.check.body(call, body)
        answered = [e for e in postpress_direct.exchanges[start:] if e.status == 201 and isinstance(e.body, dict)]
        if not answered:
            statuses = [e.status for e in postpress_direct.exchanges[start:]]
            h.check.fail("201 for a real reconnect", f"got the answers {statuses}", "check the body file")
        h.check.success(outcome, str(answered[-1].body.get("account_id")))

    # --- 5: every documented error ----------------------------------------------------------------------
    @pytest.mark.postpress_mock_only
    def test_documented_error(self, postpress_harness: Harness, postpress_error: catalog.DocumentedError) -> None:
        """The client raises on each of the 35 documented errors and tells exactly its (status, type)."""
        h = postpress_harness
        h.record(error=postpress_error.id)
        outcome = h.invoke(sample_body("INSTAGRAM_BASIC"))
        h.check.one_call(outcome)
        h.check.raised_with(outcome, postpress_error.status, postpress_error.type, str(postpress_error))

    # --- 6: fuzz ------------------------------------------------------------------------------------------
    @pytest.mark.postpress_mock_only
    @pytest.mark.postpress_fuzz
    def test_fuzz_valid_bodies(self, postpress_harness: Harness) -> None:
        """Every documented-valid body (strategies.reconnect_bodies) is sent faithfully and its 201 read as success."""
        h = postpress_harness
        variants: list[str] = []

        def example(body: dict[str, Any]) -> None:
            h.double.reset()
            outcome = h.invoke(body)
            h.check.body(h.check.one_call(outcome), body)
            h.check.success(outcome, h.account_id)
            variant = closest_variant(body)
            if variant is not None and variant not in variants:
                variants.append(variant)

        run_fuzz(
            h.request,
            strategies.reconnect_bodies(),
            example,
            describe=lambda body: f"body {redacted_json(body)}",
            record={"variants": variants},
        )

    @pytest.mark.postpress_mock_only
    @pytest.mark.postpress_fuzz
    def test_fuzz_invalid_bodies(self, postpress_harness: Harness) -> None:
        """An invalid body is refused before sending, or sent as is and its 400 raised; never a success."""
        h = postpress_harness
        mutations: list[str] = []

        def example(invalid: Any) -> None:
            h.double.reset()
            if invalid.mutation not in mutations:
                mutations.append(invalid.mutation)
            outcome = h.invoke(invalid.body)
            call = h.check.one_call(outcome, allow_refusal=True)
            if call is None:
                return  # refused before sending: allowed
            h.check.body(call, invalid.body)
            h.check.raised_with(
                outcome, invalid.expected.status, invalid.expected.type, f"an invalid body ({invalid.mutation})"
            )

        run_fuzz(
            h.request,
            strategies.invalid_reconnect_bodies(),
            example,
            describe=lambda invalid: f"{invalid.mutation} body {redacted_json(invalid.body)}",
            record={"mutations": mutations},
        )

    @pytest.mark.postpress_mock_only
    @pytest.mark.postpress_fuzz
    def test_fuzz_responses(self, postpress_harness: Harness) -> None:
        """Every documented answer, varied as the contract allows, is read right: a 201 as its account_id, an error
        raised as its (status, type) (strategies.success_bodies and strategies.error_envelopes)."""
        h = postpress_harness
        answers = st.one_of(
            strategies.success_bodies().map(lambda body: (201, body)),
            strategies.error_envelopes().map(lambda envelope: (envelope["status"], envelope)),
        )

        def example(answer: tuple[int, dict[str, Any]]) -> None:
            status, body = answer
            h.double.reset()
            h.double.respond_raw(status, json.dumps(body).encode(), headers={"Content-Type": "application/json"})
            outcome = h.invoke(sample_body("TELEGRAM"))
            h.check.one_call(outcome)
            if status == 201:
                h.check.success(outcome, body["account_id"])
            else:
                h.check.raised_with(outcome, status, body["type"], f"{status} {body['type']}")

        run_fuzz(
            h.request, answers, example, describe=lambda answer: f"answer {answer[0]} {json.dumps(answer[1])[:300]}"
        )

    # --- 7: robustness outside the documentation (each serves one answer, then expects an exception) ------
    @pytest.mark.postpress_mock_only
    @pytest.mark.postpress_robustness
    def test_robustness_non_json_502(self, postpress_harness: Harness) -> None:
        """A 502 HTML page from a proxy: the client raises and the error tells 502."""
        page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        postpress_harness.double.respond_raw(502, page, headers={"Content-Type": "text/html"})
        postpress_harness.expect_raise(502, "a non-JSON 502")

    @pytest.mark.postpress_mock_only
    @pytest.mark.postpress_robustness
    def test_robustness_problem_json(self, postpress_harness: Harness) -> None:
        """A documented envelope served as application/problem+json: the client raises and tells 409."""
        error = catalog.find_error(409, "errors/already_exists")
        assert error is not None
        content = json.dumps(error.envelope()).encode()
        postpress_harness.double.respond_raw(409, content, headers={"Content-Type": "application/problem+json"})
        postpress_harness.expect_raise(409, "a problem+json 409")

    @pytest.mark.postpress_mock_only
    @pytest.mark.postpress_robustness
    def test_robustness_undocumented_status(self, postpress_harness: Harness) -> None:
        """An undocumented status (429) with an envelope: the client raises and tells 429."""
        envelope = {"title": "Too Many Requests", "type": "errors/rate_limited", "status": 429}
        postpress_harness.double.respond_raw(429, json.dumps(envelope).encode(), headers=_JSON)
        postpress_harness.expect_raise(429, "an undocumented 429")

    @pytest.mark.postpress_mock_only
    @pytest.mark.postpress_robustness
    def test_robustness_undocumented_type(self, postpress_harness: Harness) -> None:
        """A 403 with an undocumented type: the client raises and tells 403."""
        envelope = {"title": "Forbidden", "type": "errors/brand_new_reason", "status": 403}
        postpress_harness.double.respond_raw(403, json.dumps(envelope).encode(), headers=_JSON)
        postpress_harness.expect_raise(403, "an undocumented type")

    @pytest.mark.postpress_mock_only
    @pytest.mark.postpress_robustness
    @pytest.mark.parametrize(
        "content",
        [
            pytest.param(b'{"object": "AccountDeleted", "account_id": "acc_1"}', id="wrong-object"),
            pytest.param(b'{"object": "AccountReconnected"}', id="no-account-id"),
            pytest.param(b"<html>OK</html>", id="not-json"),
        ],
    )
    def test_robustness_bad_success_body(self, postpress_harness: Harness, content: bytes) -> None:
        """A 201 whose body is not AccountReconnected with an account_id: the client raises."""
        postpress_harness.double.respond_raw(201, content, headers=_JSON)
        postpress_harness.expect_raise(None, "a bad 201 body")

    @pytest.mark.postpress_mock_only
    @pytest.mark.postpress_robustness
    def test_robustness_connection_error(self, postpress_harness: Harness) -> None:
        """The connection drops without an answer: the client raises."""
        postpress_harness.double.fail_connection()
        postpress_harness.expect_raise(None, "a dropped connection")

    @pytest.mark.postpress_mock_only
    @pytest.mark.postpress_robustness
    def test_robustness_timeout(self, postpress_harness: Harness) -> None:
        """The server does not answer in time: the client raises (its own timeout, or the dropped connection)."""
        postpress_harness.double.time_out()
        postpress_harness.expect_raise(None, "a timeout")
