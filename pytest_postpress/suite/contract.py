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
import hashlib
import inspect
import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
from hypothesis import strategies as st

from pytest_postpress import catalog, strategies
from pytest_postpress import schema as _schema
from pytest_postpress._keys import settings_of
from pytest_postpress._redact import redacted_json
from pytest_postpress.errors import ContractViolation
from pytest_postpress.samples import sample_body
from pytest_postpress.suite import _usage
from pytest_postpress.suite._assertions import Assertions
from pytest_postpress.suite._command import CommandClient
from pytest_postpress.suite._harness import Harness, LiveRequests
from pytest_postpress.suite.live import LiveSession
from pytest_postpress.validation import closest_variant, error_for_violations, validate_reconnect_body

if TYPE_CHECKING:
    from pytest_postpress.doubles.server import PostpressServer

__all__ = ["ContractViolation", "ReconnectContract"]

_OTHER_ACCOUNT_ID = "acc_01JRECONNECTED0THER1D0000"
_JSON = {"Content-Type": "application/json"}
_DOT_SEGMENTS = (".", "..")
# Per attempt, what the timeout check allows on top of the client's declared timeout (connecting, a slow machine).
_TIMEOUT_SLACK = 0.5
_DOUBLES = {"respx": "postpress_mock", "responses": "postpress_responses", "server": "postpress_server"}


def _retryable_answer(harness: Harness, answer: str, *, times: int) -> catalog.DocumentedError | None:
    """Force ``answer`` (a documented error id, or ``"dropped-connection"``) on the next ``times`` requests."""
    if answer == "dropped-connection":
        harness.double.fail_connection(times=times)
        return None
    error = next(error for error in catalog.DOCUMENTED_ERRORS if error.id == answer)
    harness.double.respond_with(error, times=times, vary=True)
    return error


def _invalid_sample(mutation: str) -> Any:
    """A sample body made invalid by ``mutation`` (``test_invalid_body``)."""
    body: Any = sample_body("LINKEDIN_BASIC")
    if mutation == "missing_required":
        del body["password"]
    elif mutation == "invalid_value":
        body["country"] = "fr"
    elif mutation == "undocumented_field":
        body["userAgent"] = "Mozilla/5.0"  # a respelling of user_agent: sent as is, it gets a 400
    else:
        body = None  # rule 24: refused, sent as JSON null, or sent as no body (json=None) with the 400 raised
    return body


def _unknown_account_id(nodeid: str) -> str:
    """An account id no server knows, derived from the check's node id, not random: the same request in a
    replay of a recorded run."""
    digest = hashlib.sha256(nodeid.encode("utf-8")).hexdigest()[:16]
    return f"acc_postpress_contract_unknown_{digest}"


def _null_field() -> strategies.InvalidBody:
    """An optional field passed as None: ``test_fuzz_invalid_bodies`` tries it first, on every run.

    How a client sends a field set to None is then judged every time, not only when a draw nulls a field.
    """
    body = {**sample_body("LINKEDIN_BASIC"), "country": None}
    return strategies.InvalidBody(
        body, "LINKEDIN_BASIC", "null_value", error_for_violations(validate_reconnect_body(body)), "/country"
    )


class ReconnectContract:
    """Base class of a contract suite for one client of ``POST /v1/accounts/{id}``.

    Subclass it in a ``Test*`` class and override the ``postpress_reconnect``
    fixture.  Optional overrides: ``postpress_error_identity`` (how to read
    your exception class), ``postpress_transport`` (``"respx"``,
    ``"responses"`` or ``"server"``) and ``postpress_none_means_absent``
    (``True`` for a client whose API reads ``None`` as "not given").
    """

    pytestmark: ClassVar[list[pytest.MarkDecorator]] = [pytest.mark.postpress_contract]

    # --- fixtures the user provides or may override ------------------------------------------------
    @pytest.fixture
    def postpress_reconnect(self, request: pytest.FixtureRequest) -> Callable[[str, Any], Any]:
        """The client under test: return a callable ``(account_id, body) -> result`` (sync or async)."""
        _usage.no_reconnect_fixture(request)

    @pytest.fixture
    def postpress_base_url(self, request: pytest.FixtureRequest, postpress_transport: str) -> str:
        """The base URL the client must use.

        The configured one with transports ``"respx"`` and ``"responses"``; the loopback server's with
        ``"server"``; in live mode, a recording loopback proxy in front of the live server (same path prefix).
        """
        settings = settings_of(request.config)
        if settings.live:
            return str(request.getfixturevalue("postpress_live_proxy").url)
        if postpress_transport == "server":
            return str(request.getfixturevalue("postpress_server").url)
        return str(settings.base_url)

    @pytest.fixture
    def postpress_double(self, request: pytest.FixtureRequest, postpress_transport: str) -> Any:
        """What answers the client: ``postpress_mock``, ``postpress_responses`` or ``postpress_server`` by
        transport; in live mode the proxy."""
        if settings_of(request.config).live:
            proxy = request.getfixturevalue("postpress_live_proxy")
            proxy.reset()
            return proxy
        return request.getfixturevalue(_usage.transport(postpress_transport, _DOUBLES))

    @pytest.fixture
    def postpress_direct(
        self, request: pytest.FixtureRequest, postpress_double: Any, postpress_base_url: str
    ) -> Iterator[LiveSession]:
        """Sends requests straight to the server (not through the client), for checks about the server.

        In live mode the session's :class:`~pytest_postpress.suite.live.LiveSession` (counted, validated);
        otherwise one aimed at the test double.
        """
        if settings_of(request.config).live:
            yield request.getfixturevalue("postpress_live_session")
            return
        transport = None
        if request.getfixturevalue("postpress_transport") == "responses":
            # responses patches requests only: the direct session's httpx requests reach the same brain this way.
            import httpx

            from pytest_postpress.doubles.httpx_mock import httpx_reply

            state = postpress_double.state
            transport = httpx.MockTransport(lambda sent: httpx_reply(state, sent))
        session = LiveSession(base_url=postpress_base_url, max_requests=1_000, timeout=10.0, transport=transport)
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
        request: pytest.FixtureRequest,
        postpress_reconnect: Callable[[str, Any], Any],
        postpress_event_loop: asyncio.AbstractEventLoop,
    ) -> Iterator[Callable[[str, Any], Any]]:
        """``postpress_reconnect`` made synchronous: coroutines run on ``postpress_event_loop``.

        A :func:`~pytest_postpress.command_client` is given the suite's base URL and key (unless built with its
        own) and stopped at the end of the test.
        """
        _usage.reconnect_callable(postpress_reconnect)
        command = postpress_reconnect if isinstance(postpress_reconnect, CommandClient) else None
        if command is not None:
            if command.base_url is None:
                command.base_url = str(request.getfixturevalue("postpress_base_url"))
            if command.api_key is None:
                command.api_key = str(request.getfixturevalue("postpress_api_key"))

        def call(account_id: str, body: Any) -> Any:
            result = postpress_reconnect(account_id, body)
            if inspect.isawaitable(result):
                result = postpress_event_loop.run_until_complete(result)
            return result

        yield call
        if command is not None:
            # A persistent program is stopped at the end of the test even when the fixture returned the client.
            command.close()

    @pytest.fixture
    def postpress_max_attempts(self) -> int:
        """The most attempts (first request and retries) the client may make for one reconnect: 5.

        Rule 23 (see: python -m pytest_postpress rules 23): a client may resend a request whose answer is
        retryable (407, 408, 502, 503, 504, a dropped connection, a timeout), identically, up to this many
        attempts in all.  Override it in your class for another bound (at least 1).
        """
        return 5

    @pytest.fixture
    def postpress_check(
        self,
        request: pytest.FixtureRequest,
        postpress_base_url: str,
        postpress_api_key: str,
        postpress_error_identity: Callable[[BaseException], Any],
        postpress_max_attempts: int,
        postpress_none_means_absent: bool,
    ) -> Assertions:
        """The assertions of the suite, bound to this test's check name, key, error identity, attempts and
        reading of None."""
        return Assertions(
            request.node.originalname.removeprefix("test_"),
            postpress_base_url,
            postpress_api_key,
            postpress_error_identity,
            _usage.max_attempts(postpress_max_attempts),
            none_means_absent=_usage.none_means_absent(postpress_none_means_absent),
        )

    @pytest.fixture
    def postpress_harness(
        self,
        request: pytest.FixtureRequest,
        postpress_call: Callable[[str, Any], Any],
        postpress_double: Any,
        postpress_account_id: str,
        postpress_check: Assertions,
    ) -> Harness:
        """What one check works with: the client, the double (or live proxy), the account, the assertions."""
        attempts = postpress_check.max_attempts
        return Harness(request, postpress_call, postpress_double, postpress_account_id, postpress_check, attempts)

    # --- 1-4: one request -------------------------------------------------------------------------------
    @pytest.mark.postpress_mock_only
    @pytest.mark.postpress_fuzz
    def test_request_line(self, postpress_harness: Harness) -> None:
        """Method POST and path {base}/v1/accounts/{id}, the id percent-encoded as one segment (any id)."""
        harness = postpress_harness

        def example(account_id: str) -> None:
            # Reset per example: no state leaks from one example to the next.
            harness.double.reset()
            harness.double.add_account(account_id)
            outcome = harness.invoke(sample_body("LINKEDIN_BASIC"), account_id=account_id)
            # "." and ".." cannot be one path segment unless encoded as %2E: refusing them is fine.
            call = harness.check.one_call(outcome, allow_refusal=account_id in {".", ".."})
            if call is not None:
                harness.check.request_line(call, account_id)

        harness.fuzz(strategies.account_ids(), example, lambda value: f"account id {value!r}")
        # The dot segments too, on every run: whether the fuzz draws them depends on the profile.
        for dot_segment in _DOT_SEGMENTS:
            example(dot_segment)

    @pytest.mark.postpress_mock_only
    def test_authentication(self, postpress_harness: Harness) -> None:
        """X-API-KEY carries the configured key; not Authorization, not the URL."""
        harness = postpress_harness
        harness.record()
        harness.check.authentication(harness.check.one_call(harness.invoke(sample_body("TELEGRAM"))))

    @pytest.mark.postpress_mock_only
    @pytest.mark.parametrize("variant", _schema.VARIANTS)
    def test_body(self, postpress_harness: Harness, variant: str) -> None:
        """Content-Type application/json, and the body sent equals, as JSON, the body passed (every field)."""
        harness = postpress_harness
        harness.record(variants=[variant])
        body = sample_body(variant, full=True)
        harness.check.body(harness.check.one_call(harness.invoke(body)), body)

    @pytest.mark.postpress_mock_only
    def test_success(self, postpress_harness: Harness) -> None:
        """A 201 is read as success, and the result is the response's account_id (not the path id)."""
        harness = postpress_harness
        harness.record()
        harness.double.success_account_id = _OTHER_ACCOUNT_ID
        outcome = harness.invoke(sample_body("LINKEDIN_COOKIE"))
        harness.check.one_call(outcome)
        harness.check.success(outcome, _OTHER_ACCOUNT_ID)

    # --- 5: live-safe checks: run on the double by default, on the real server with --postpress-live ------
    def test_missing_key(self, postpress_harness: Harness, postpress_direct: LiveSession) -> None:
        """Live-safe, about the server: a request without X-API-KEY gets 401 errors/invalid_credentials."""
        exchange = LiveRequests(postpress_harness, postpress_direct).send(postpress_harness.account_id, [])
        postpress_harness.check.missing_key_refused(exchange)

    @pytest.mark.parametrize(
        "account_id",
        ["../admin", "a/b", "100%", "?x=1#y", "é ü"],
        ids=["dot-dot", "slash", "percent", "query", "unicode"],
    )
    def test_hostile_id(
        self, postpress_harness: Harness, postpress_direct: LiveSession, postpress_api_key: str, account_id: str
    ) -> None:
        """Live-safe, about the server: a hostile id, correctly encoded, gets a documented 4xx, never a 5xx."""
        live = LiveRequests(postpress_harness, postpress_direct)
        exchange = live.send(account_id, [("X-API-KEY", postpress_api_key)])
        postpress_harness.check.hostile_id_refused(exchange, account_id)

    @pytest.mark.parametrize(
        "mutation",
        ["missing_required", "invalid_value", "undocumented_field", "not_an_object"],
        ids=["missing-parameters", "invalid-parameters", "undocumented-field", "null-body"],
    )
    def test_invalid_body(self, postpress_harness: Harness, postpress_direct: LiveSession, mutation: str) -> None:
        """Live-safe: an invalid body is refused by the client, or sent as is, answered 400 and raised as that 400."""
        harness = postpress_harness
        body = _invalid_sample(mutation)
        expected = error_for_violations(validate_reconnect_body(harness.check.expected_body(body)))
        outcome = LiveRequests(harness, postpress_direct).through_client(body, harness.account_id)
        call = harness.check.one_call(outcome, allow_refusal=True)
        if call is None:
            return  # refused before sending: allowed
        harness.check.request_line(call, harness.account_id)
        harness.check.authentication(call)
        what = f"an invalid body ({mutation})"
        harness.check.invalid_body_sent(outcome, call, body, expected.status, expected.type, what)

    def test_unknown_account(self, postpress_harness: Harness, postpress_direct: LiveSession) -> None:
        """Live-safe: reconnecting an account that does not exist raises a documented 404."""
        harness = postpress_harness
        account_id = _unknown_account_id(harness.request.node.nodeid)
        outcome = LiveRequests(harness, postpress_direct).through_client(sample_body("LINKEDIN_BASIC"), account_id)
        call = harness.check.one_call(outcome)
        harness.check.request_line(call, account_id)
        harness.check.authentication(call)
        harness.check.unknown_account(outcome)

    @pytest.mark.postpress_live
    def test_real_reconnect(self, postpress_harness: Harness, postpress_direct: LiveSession) -> None:
        """Live only: a real reconnect (--postpress-reconnect-body) gets 201 and the client reports success."""
        harness = postpress_harness
        path = settings_of(harness.request.config).reconnect_body
        if path is None:
            pytest.skip("needs --postpress-reconnect-body: a JSON file with a real reconnect body for the account")
        body = json.loads(path.read_text(encoding="utf-8"))
        live = LiveRequests(harness, postpress_direct)
        outcome = live.through_client(body, harness.account_id)
        call = harness.check.one_call(outcome)
        harness.check.request_line(call, harness.account_id)
        harness.check.authentication(call)
        harness.check.body(call, body)
        harness.check.reconnected(outcome, live.answers)

    # --- 6: every documented error ----------------------------------------------------------------------
    @pytest.mark.postpress_mock_only
    def test_documented_error(self, postpress_harness: Harness, postpress_error: catalog.DocumentedError) -> None:
        """The client raises on each of the 35 documented errors and tells exactly its (status, type)."""
        harness = postpress_harness
        harness.record(error=postpress_error.id)
        outcome = harness.invoke(sample_body("INSTAGRAM_BASIC"))
        harness.check.one_call(outcome)
        harness.check.raised_with(outcome, postpress_error.status, postpress_error.type, str(postpress_error))

    # --- 7: retries (rule 23, see: python -m pytest_postpress rules 23) -------------------------------------
    @pytest.mark.postpress_mock_only
    @pytest.mark.parametrize("answer", ["503-service_unavailable", "504-request_timeout", "dropped-connection"])
    def test_retry_then_success(self, postpress_harness: Harness, answer: str) -> None:
        """A retryable answer, then a 201: raising the first answer and succeeding on an identical retry are
        both right; the result is then the 201's account_id."""
        harness = postpress_harness
        harness.record()
        error = _retryable_answer(harness, answer, times=1)
        harness.double.success_account_id = _OTHER_ACCOUNT_ID
        body = sample_body("WHATSAPP")
        outcome = harness.invoke(body)
        harness.check.body(harness.check.one_call(outcome), body)
        if len(outcome.calls) > 1:
            harness.check.success(outcome, _OTHER_ACCOUNT_ID)
        elif error is None:
            harness.check.raised(outcome, None, "a dropped connection (not retried)")
        else:
            harness.check.raised_with(outcome, error.status, error.type, f"{error} (not retried)")

    @pytest.mark.postpress_mock_only
    @pytest.mark.parametrize("answer", ["503-no_channel", "408-request_timeout", "504-request_timeout"])
    def test_retry_every_attempt(self, postpress_harness: Harness, answer: str) -> None:
        """A retryable answer to every allowed attempt: the attempts are bounded and identical, and the client
        raises the last answer's (status, type)."""
        harness = postpress_harness
        harness.record()
        error = _retryable_answer(harness, answer, times=harness.max_attempts)
        assert error is not None
        body = sample_body("TELEGRAM")
        outcome = harness.invoke(body)
        harness.check.body(harness.check.one_call(outcome), body)
        harness.check.raised_with(outcome, error.status, error.type, f"{error} on every attempt")

    @pytest.mark.postpress_mock_only
    @pytest.mark.parametrize("answer", ["409-already_exists", "500-unexpected_error", "425-auth_in_progress"])
    def test_no_retry_after_error(self, postpress_harness: Harness, answer: str) -> None:
        """An answer that is not retryable is answered once: the client raises it without resending."""
        harness = postpress_harness
        harness.record()
        error = _retryable_answer(harness, answer, times=1)
        assert error is not None
        assert not error.retryable
        outcome = harness.invoke(sample_body("INSTAGRAM_BASIC"))
        harness.check.one_call(outcome)
        harness.check.raised_with(outcome, error.status, error.type, str(error))

    # --- 8: fuzz ------------------------------------------------------------------------------------------
    @pytest.mark.postpress_mock_only
    @pytest.mark.postpress_fuzz
    def test_fuzz_valid_bodies(self, postpress_harness: Harness) -> None:
        """Every documented-valid body (strategies.reconnect_bodies) is sent faithfully and its 201 read as success."""
        harness = postpress_harness
        variants: list[str] = []

        def example(body: dict[str, Any]) -> None:
            harness.double.reset()
            outcome = harness.invoke(body)
            harness.check.body(harness.check.one_call(outcome), body)
            harness.check.success(outcome, harness.account_id)
            variant = closest_variant(body)
            if variant is not None and variant not in variants:
                variants.append(variant)

        harness.fuzz(
            strategies.reconnect_bodies(), example, lambda body: f"body {redacted_json(body)}", variants=variants
        )

    @pytest.mark.postpress_mock_only
    @pytest.mark.postpress_fuzz
    def test_fuzz_invalid_bodies(self, postpress_harness: Harness) -> None:
        """An invalid body is refused before sending, or sent as is and its 400 raised; never a success.

        With ``postpress_none_means_absent``, a body is judged without its fields set to None: one that is valid
        without them is sent without them and its 201 read as success.
        """
        harness = postpress_harness
        mutations: list[str] = []

        def example(invalid: strategies.InvalidBody) -> None:
            harness.double.reset()
            expected_body = harness.check.expected_body(invalid.body)
            violations = validate_reconnect_body(expected_body)
            outcome = harness.invoke(invalid.body)
            if not violations:
                # Only None fields made it invalid, and they count as not passed: a valid body for this client.
                harness.check.body(harness.check.one_call(outcome), invalid.body)
                harness.check.success(outcome, harness.account_id)
                return
            if invalid.mutation not in mutations:
                mutations.append(invalid.mutation)
            call = harness.check.one_call(outcome, allow_refusal=True)
            if call is None:
                return  # refused before sending: allowed
            expected = error_for_violations(violations)  # invalid.expected, unless None fields were left out
            what = f"an invalid body ({invalid.mutation})"
            harness.check.invalid_body_sent(outcome, call, invalid.body, expected.status, expected.type, what)

        def describe(invalid: strategies.InvalidBody) -> str:
            return f"{invalid.mutation} body {redacted_json(invalid.body)}"

        harness.fuzz(strategies.invalid_reconnect_bodies(), example, describe, [_null_field()], mutations=mutations)

    @pytest.mark.postpress_mock_only
    @pytest.mark.postpress_fuzz
    def test_fuzz_responses(self, postpress_harness: Harness) -> None:
        """Every documented answer, varied as the contract allows, is read right: a 201 as its account_id, an error
        raised as its (status, type) (strategies.success_bodies and strategies.error_envelopes)."""
        harness = postpress_harness
        answers = st.one_of(
            strategies.success_bodies().map(lambda body: (201, body)),
            strategies.error_envelopes().map(lambda envelope: (envelope["status"], envelope)),
        )

        def example(answer: tuple[int, dict[str, Any]]) -> None:
            status, body = answer
            harness.double.reset()
            # A retryable answer is repeated for every allowed attempt: a client that retries ends on it too.
            content = json.dumps(body).encode()
            harness.double.respond_raw(status, content, headers=_JSON, times=harness.times(status))
            outcome = harness.invoke(sample_body("TELEGRAM"))
            harness.check.one_call(outcome)
            if status == 201:
                harness.check.success(outcome, body["account_id"])
            else:
                harness.check.raised_with(outcome, status, body["type"], f"{status} {body['type']}")

        harness.fuzz(answers, example, lambda answer: f"answer {answer[0]} {json.dumps(answer[1])[:300]}")

    # --- 9: robustness outside the documentation (each serves one answer, then expects an exception) ------
    @pytest.mark.postpress_mock_only
    @pytest.mark.postpress_robustness
    def test_robustness_non_json_502(self, postpress_harness: Harness) -> None:
        """A 502 HTML page from a proxy: the client raises and the error tells 502."""
        page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        # 502 is retryable (rule 23): the page is served to every allowed attempt.
        postpress_harness.double.respond_raw(
            502, page, headers={"Content-Type": "text/html"}, times=postpress_harness.times(502)
        )
        postpress_harness.expect_raise(502, "a non-JSON 502")

    @pytest.mark.postpress_mock_only
    @pytest.mark.postpress_robustness
    def test_robustness_problem_json(self, postpress_harness: Harness) -> None:
        """A documented envelope served as application/problem+json: the client raises and tells 409."""
        error = catalog.find_error(409, "errors/already_exists")
        assert error is not None
        postpress_harness.expect_raise_on(error.envelope(), "a problem+json 409", media="application/problem+json")

    @pytest.mark.postpress_mock_only
    @pytest.mark.postpress_robustness
    def test_robustness_undocumented_status(self, postpress_harness: Harness) -> None:
        """An undocumented status (429) with an envelope: the client raises and tells 429."""
        envelope = {"title": "Too Many Requests", "type": "errors/rate_limited", "status": 429}
        postpress_harness.expect_raise_on(envelope, "an undocumented 429")

    @pytest.mark.postpress_mock_only
    @pytest.mark.postpress_robustness
    def test_robustness_undocumented_type(self, postpress_harness: Harness) -> None:
        """A 403 with an undocumented type: the client raises and tells 403."""
        postpress_harness.expect_raise_on(
            {"title": "Forbidden", "type": "errors/brand_new_reason", "status": 403}, "an undocumented type"
        )

    @pytest.mark.postpress_mock_only
    @pytest.mark.postpress_robustness
    @pytest.mark.parametrize(
        "content",
        [
            pytest.param(b'{"object": "AccountDeleted", "account_id": "acc_1"}', id="wrong-object"),
            pytest.param(b'{"object": "AccountReconnected"}', id="no-account-id"),
            pytest.param(b'{"object": "AccountReconnected", "account_id": 42}', id="account-id-not-a-string"),
            pytest.param(b"<html>OK</html>", id="not-json"),
        ],
    )
    def test_robustness_bad_success_body(self, postpress_harness: Harness, content: bytes) -> None:
        """A 201 whose body is not AccountReconnected with an account_id: the client raises and tells 201."""
        postpress_harness.double.respond_raw(201, content, headers=_JSON)
        postpress_harness.expect_raise(201, "a bad 201 body")

    @pytest.mark.postpress_mock_only
    @pytest.mark.postpress_robustness
    def test_robustness_connection_error(self, postpress_harness: Harness) -> None:
        """The connection drops without an answer: the client raises."""
        postpress_harness.double.fail_connection(times=postpress_harness.times(None))  # every allowed attempt
        postpress_harness.expect_raise(None, "a dropped connection")

    @pytest.mark.postpress_mock_only
    @pytest.mark.postpress_robustness
    def test_robustness_timeout(self, postpress_harness: Harness) -> None:
        """The server does not answer in time: the client raises (its own timeout, or the dropped connection)."""
        postpress_harness.double.time_out(times=postpress_harness.times(None))  # every allowed attempt
        postpress_harness.expect_raise(None, "a timeout")

    # --- 10: a stalled server (loopback): the client gives up in the time it declares ------------------------
    @pytest.fixture
    def postpress_client_timeout(self) -> float | None:
        """The timeout, in seconds, the client under test is built with; ``None`` (default): not declared.

        Declare it to enable ``test_client_timeout``: return the number and build the client with it, e.g.
        ``MyClient(base_url=..., api_key=..., timeout=postpress_client_timeout)``.
        """
        return None

    @pytest.mark.postpress_mock_only
    @pytest.mark.postpress_robustness
    @pytest.mark.parametrize("postpress_transport", ["server"], ids=["loopback"])
    def test_client_timeout(
        self, request: pytest.FixtureRequest, postpress_client_timeout: float | None, postpress_transport: str
    ) -> None:
        """On the loopback server, which holds its answer: the client gives up within the timeout it declares
        (``postpress_client_timeout``; each of up to ``postpress_max_attempts`` attempts, rule 23) and raises."""
        timeout = _usage.client_timeout(postpress_client_timeout)
        # The client is built only now, answered by the loopback server (this check's postpress_transport).
        harness: Harness = request.getfixturevalue("postpress_harness")
        server: PostpressServer = request.getfixturevalue("postpress_server")
        attempts = harness.max_attempts  # a timeout is retryable (rule 23): every allowed attempt may time out
        harness.record()
        limit = attempts * (timeout + _TIMEOUT_SLACK)
        outcome, elapsed = harness.invoke_stalled(server, sample_body("TWITTER"), limit=limit, slack=_TIMEOUT_SLACK)
        harness.check.gave_up_in_time(outcome, elapsed, timeout=timeout, attempts=attempts, slack=_TIMEOUT_SLACK)
