"""Rule 22, forced answers and the call record: the same checks against every test double.

Every test here runs four times, through ``PostpressMock`` (an httpx client under
respx), ``PostpressServer`` (the standard library's ``http.client`` over a real
socket), ``PostpressHttpxMock`` (an httpx client under pytest-httpx's ``httpx_mock``)
and ``PostpressResponses`` (a requests session under a ``responses.RequestsMock``
that asserts all its routes were fired), and every answer is checked with
``validate_response``.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import requests
import responses

from pytest_postpress import catalog
from pytest_postpress.doubles._http import Action, Headers
from pytest_postpress.doubles._state import MAX_BODY_BYTES, MockState, resolve_error
from pytest_postpress.doubles.httpx_mock import PostpressHttpxMock
from pytest_postpress.doubles.mock import PostpressMock
from pytest_postpress.doubles.responses_mock import PostpressResponses
from pytest_postpress.doubles.server import PostpressServer
from pytest_postpress.validation import validate_response

KEY = "pp_test_key_for_the_doubles_0001"
ACCOUNT = "acc_01HXYZ4QK3WJ8FN3M6QH7TZ8GR"
SECRET_PASSWORD = "hunter2-do-not-echo"
VALID = {"provider": "LINKEDIN", "username": "anna@acme.com", "password": SECRET_PASSWORD}
JSON_TYPE = {"Content-Type": "application/json"}
ORIGIN = "https://api.postpress.test"


@dataclass
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def type(self) -> str:
        return str(self.json["type"])


class Double:
    """A double plus a way to send it one request, whatever carries it."""

    def __init__(
        self, kind: str, target: PostpressMock | PostpressServer | PostpressHttpxMock | PostpressResponses
    ) -> None:
        self.kind = kind
        self.target = target

    @property
    def over_httpx(self) -> bool:
        """Whether an httpx client reaches this double (respx or pytest-httpx)."""
        return isinstance(self.target, PostpressMock | PostpressHttpxMock)

    @property
    def state(self) -> MockState:
        return self.target.state

    def send(
        self,
        path: str,
        *,
        method: str = "POST",
        headers: Mapping[str, str] | None = None,
        content: bytes = b"",
        key: str | None = KEY,
    ) -> Answer:
        """Send ``method {prefix}{path}`` with ``headers`` (plus X-API-KEY ``key``) and ``content``."""
        sent = dict(headers or {})
        if key is not None:
            sent["X-API-KEY"] = key
        url_path = self.state.prefix + path
        if self.over_httpx:
            with httpx.Client() as client:
                response = client.request(method, ORIGIN + url_path, headers=sent, content=content)
            answer = Answer(response.status_code, response.headers, response.content)
        elif isinstance(self.target, PostpressResponses):
            answer = _send_requests(method, ORIGIN + url_path, sent, content)
        else:
            connection = http.client.HTTPConnection("127.0.0.1", self.target.port, timeout=5)
            try:
                connection.putrequest(method, url_path, skip_accept_encoding=True)
                if not any(name.lower() == "content-length" for name in sent) and (content or method == "POST"):
                    sent["Content-Length"] = str(len(content))
                for name, value in sent.items():
                    connection.putheader(name, value)
                connection.endheaders(content or None)
                response = connection.getresponse()
                answer = Answer(response.status, Headers(response.getheaders()), response.read())
            finally:
                connection.close()
        assert answer.headers["content-type"] == "application/json"
        assert validate_response(answer.status, answer.json) == [], answer.body
        return answer

    def reconnect(self, body: Any = VALID, *, account: str = ACCOUNT, **kwargs: Any) -> Answer:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = kwargs.pop("headers", JSON_TYPE)
        return self.send("/v1/accounts/" + account, headers=headers, content=content, **kwargs)


@pytest.fixture(scope="module")
def server() -> Iterator[PostpressServer]:
    with PostpressServer(api_key=KEY, accounts=[ACCOUNT], prefix="/api", timeout=2.0) as running:
        yield running


def _send_requests(method: str, url: str, headers: Mapping[str, str], content: bytes) -> Answer:
    """Send with requests, the URL exactly as given (requests would re-quote '%zz', '|', '^')."""
    with requests.Session() as session:
        prepared = session.prepare_request(requests.Request(method, url, headers=dict(headers), data=content))
        prepared.url = url
        response = session.send(prepared)
    return Answer(response.status_code, response.headers, response.content)


@pytest.fixture(params=["mock", "server", "httpx_mock", "responses"])
def double(request: pytest.FixtureRequest, server: PostpressServer) -> Iterator[Double]:
    if request.param == "mock":
        with PostpressMock(base_url=ORIGIN + "/api", api_key=KEY, accounts=[ACCOUNT]) as mock:
            yield Double("mock", mock)
    elif request.param == "httpx_mock":
        httpx_double = PostpressHttpxMock(base_url=ORIGIN + "/api", api_key=KEY, accounts=[ACCOUNT])
        httpx_double.install(request.getfixturevalue("httpx_mock"))
        yield Double("httpx_mock", httpx_double)
    elif request.param == "responses":
        responses_double = PostpressResponses(base_url=ORIGIN + "/api", api_key=KEY, accounts=[ACCOUNT])
        # assert_all_requests_are_fired: the route must never count as a response the test forgot to use.
        with responses.RequestsMock(assert_all_requests_are_fired=True) as requests_mock:
            responses_double.install(requests_mock)
            yield Double("responses", responses_double)
            responses_double.uninstall()
    else:
        server.reset()
        yield Double("server", server)
        server.reset()


# -- rule 22, check by check ----------------------------------------------------------------------


def test_a_valid_reconnect_is_201_with_the_path_id(double: Double) -> None:
    answer = double.reconnect()
    assert answer.status == 201
    assert answer.json == {"object": "AccountReconnected", "account_id": ACCOUNT}


@pytest.mark.parametrize(
    ("raw_id", "hint"),
    [("a%zz", "'%'"), ("a%2", "'%'"), ("a|b", "'|'"), ("a^b", "'^'"), ("a\\b", "'\\\\'")],
)
def test_unescaped_characters_in_the_path_are_400(double: Double, raw_id: str, hint: str) -> None:
    double.target.add_account(raw_id)  # even an id that exists: the path itself is wrong
    answer = double.reconnect(account=raw_id, key=None)  # and no key: the path is checked first
    assert (answer.status, answer.type) == (400, "errors/unescaped_characters")
    assert hint in answer.json["detail"]


def test_a_missing_key_is_401_and_the_hint_names_x_api_key(double: Double) -> None:
    answer = double.reconnect(account="unknown-account", key=None, headers={"Authorization": f"Bearer {KEY}"})
    assert (answer.status, answer.type) == (401, "errors/invalid_credentials")
    assert "X-API-KEY" in answer.json["detail"]
    assert "Authorization" in answer.json["detail"]
    assert KEY not in answer.body.decode()


def test_a_wrong_key_is_401_and_never_echoed(double: Double) -> None:
    answer = double.reconnect(key="sk_live_wrong_key_value")
    assert (answer.status, answer.type) == (401, "errors/invalid_credentials")
    assert "sk_live_wrong_key_value" not in answer.body.decode()
    assert KEY not in answer.body.decode()


def test_a_key_in_the_query_string_is_401_with_a_hint(double: Double) -> None:
    answer = double.send(f"/v1/accounts/{ACCOUNT}?api_key={KEY}", headers=JSON_TYPE, content=b"{}", key=None)
    assert (answer.status, answer.type) == (401, "errors/invalid_credentials")
    assert "query string" in answer.json["detail"]
    assert KEY not in answer.body.decode()


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/v1/accounts/unknown-account", "no account with id 'unknown-account'"),
        ("/v1/accounts/", "empty"),
        (f"/v1/accounts/{ACCOUNT}/extra", "2 segments"),
        ("/v1/accounts/%2E%2E", "dot segment"),
        ("/v1/accounts/%FF", "UTF-8"),
    ],
)
def test_an_unknown_account_or_a_path_of_another_shape_is_404(double: Double, path: str, words: str) -> None:
    answer = double.send(path, headers={"Content-Type": "text/plain"}, content=b"not json")
    assert (answer.status, answer.type) == (404, "errors/resource_not_found")
    assert words in answer.json["detail"]


@pytest.mark.parametrize(
    ("headers", "content", "words"),
    [
        ({}, json.dumps(VALID).encode(), "Content-Type header is missing"),
        ({"Content-Type": "text/plain"}, json.dumps(VALID).encode(), "'text/plain'"),
        ({"Content-Type": "application/json; charset=latin-1"}, json.dumps(VALID).encode(), "charset"),
        (JSON_TYPE, b"", "empty"),
        (JSON_TYPE, b'{"provider": "LINKEDIN",', "not valid JSON"),
        (JSON_TYPE, b'{"provider": "LINKEDIN", "n": NaN}', "NaN"),
        (JSON_TYPE, '{"provider": "é"}'.encode("latin-1"), "not UTF-8"),
        (JSON_TYPE, b"\xef\xbb\xbf{}", "byte order mark"),
        (JSON_TYPE, b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
    ids=["no-type", "text-plain", "latin-1", "empty", "truncated", "nan", "latin-1-bytes", "bom", "deep"],
)
def test_a_body_that_is_not_json_is_invalid_request(
    double: Double, headers: dict[str, str], content: bytes, words: str
) -> None:
    answer = double.reconnect(content, headers=headers)
    assert (answer.status, answer.type) == (400, "errors/invalid_request")
    assert words in answer.json["detail"]


def test_a_body_over_1_mib_is_content_too_large_after_the_json_check(double: Double) -> None:
    big = dict(VALID, username="x" * MAX_BODY_BYTES)  # JSON, too large, and invalid too: size comes first
    answer = double.reconnect(big)
    assert (answer.status, answer.type) == (400, "errors/content_too_large")
    not_json = double.reconnect(b"x" * (MAX_BODY_BYTES + 10))
    assert (not_json.status, not_json.type) == (400, "errors/invalid_request")


def test_a_body_of_exactly_1_mib_is_not_too_large(double: Double) -> None:
    padding = MAX_BODY_BYTES - len(json.dumps(dict(VALID, user_agent="")).encode())
    body = dict(VALID, user_agent="u" * padding)
    assert len(json.dumps(body).encode()) == MAX_BODY_BYTES
    assert double.reconnect(body).status == 201


@pytest.mark.parametrize(
    ("body", "type_", "pointer"),
    [
        ({"provider": "LINKEDIN", "username": "anna@acme.com"}, "errors/missing_parameters", "/password"),
        ({"provider": "LINKEDIN", "username": "", "password": "x"}, "errors/missing_parameters", "/username"),
        (dict(VALID, proxy={"host": "h", "port": 99999}), "errors/invalid_parameters", "/proxy/port"),
        ({"provider": "LINKEDIN", "username": "not-an-email"}, "errors/invalid_parameters", "/username"),
        ([VALID], "errors/invalid_parameters", "(root)"),
        ("LINKEDIN", "errors/invalid_parameters", "(root)"),
    ],
    ids=["missing", "empty-required", "bad-port", "missing-and-invalid", "array", "string"],
)
def test_an_invalid_body_names_the_first_offending_field(double: Double, body: Any, type_: str, pointer: str) -> None:
    answer = double.reconnect(body)
    assert (answer.status, answer.type) == (400, type_)
    assert answer.json["detail"].startswith(pointer + ":")


def test_secret_values_never_appear_in_a_detail(double: Double) -> None:
    body = {"provider": "LINKEDIN", "username": "nobody", "password": 12345, "proxy": {"host": "h", "port": 1}}
    body["proxy"]["password"] = ["not", "a", "string", SECRET_PASSWORD]  # type: ignore[index]
    answer = double.reconnect(body)
    assert answer.status == 400
    assert SECRET_PASSWORD not in answer.body.decode()
    assert "12345" not in answer.body.decode()


# -- accounts and success id -----------------------------------------------------------------------


def test_add_account_takes_the_decoded_id_and_the_201_answers_it(double: Double) -> None:
    double.target.add_account("a b/é?")
    answer = double.reconnect(account="a%20b%2F%C3%A9%3F")
    assert answer.json["account_id"] == "a b/é?"
    assert double.target.calls[-1].raw_path == double.state.prefix + "/v1/accounts/a%20b%2F%C3%A9%3F"
    assert double.target.calls[-1].account_id == "a b/é?"


def test_success_account_id_policies(double: Double) -> None:
    double.target.success_account_id = "acc_other"
    assert double.reconnect().json["account_id"] == "acc_other"
    double.target.success_account_id = lambda path_id: path_id.upper()
    assert double.reconnect().json["account_id"] == ACCOUNT.upper()
    double.target.success_account_id = None
    assert double.reconnect().json["account_id"] == ACCOUNT
    with pytest.raises(ValueError, match="non-empty string"):
        double.target.success_account_id = ""


def test_any_account(double: Double) -> None:
    double.state.any_account = True
    assert double.reconnect(account="anything-at-all").status == 201


def test_reset_forgets_calls_forced_answers_and_added_accounts(double: Double) -> None:
    double.target.add_account("extra")
    double.target.respond_with((409, "errors/already_exists"), times=None)
    double.reconnect()
    double.target.reset()
    assert double.target.calls == []
    assert double.reconnect().status == 201
    assert double.reconnect(account="extra").status == 404


# -- forced answers --------------------------------------------------------------------------------


@pytest.mark.parametrize("error", catalog.DOCUMENTED_ERRORS, ids=lambda error: error.id)
def test_every_documented_error_is_replayed(double: Double, error: catalog.DocumentedError) -> None:
    double.target.respond_with(error)
    answer = double.reconnect(b"not even json", key=None)  # forced answers come before rule 22
    assert (answer.status, answer.type) == error.pair
    assert double.reconnect().status == 201  # times=1 by default
    assert [call.forced for call in double.target.calls] == [True, False]


def test_forced_answers_queue_in_order_and_times_none_answers_the_rest(double: Double) -> None:
    double.target.respond_with((503, "errors/no_channel"), times=None)
    double.target.respond_with((409, "errors/already_exists"), times=2)
    double.target.respond_with(resolve_error((425, "auth_in_progress")))
    statuses = [double.reconnect().status for _ in range(5)]
    assert statuses == [409, 409, 425, 503, 503]


def test_vary_cycles_through_the_envelope_shapes(double: Double) -> None:
    double.target.respond_with((504, "errors/request_timeout"), times=None, vary=True)
    bodies = [double.reconnect().json for _ in range(4)]
    assert [sorted(body) for body in bodies] == [
        ["detail", "instance", "status", "title", "type"],
        ["status", "title", "type"],
        ["detail", "status", "title", "type"],
        ["debug", "instance", "status", "title", "type"],
    ]


def test_an_envelope_override_is_sent_as_given(double: Double) -> None:
    envelope = {"title": "Conflict", "type": "errors/already_exists", "status": 409, "extra": [1]}
    double.target.respond_with((409, "errors/already_exists"), envelope=envelope)
    assert double.reconnect().json == envelope


def test_respond_raw_sends_anything(double: Double) -> None:
    double.target.respond_raw(502, b"<html>Bad gateway</html>", headers={"Content-Type": "text/html"})
    double.target.respond_raw(418, '{"ok": true}')
    for expected_status, expected_type in [(502, "text/html"), (418, "application/json")]:
        sent = _send_unchecked(double)
        assert (sent.status, sent.headers["content-type"]) == (expected_status, expected_type)


def _send_unchecked(double: Double) -> Answer:
    path = double.state.prefix + "/v1/accounts/" + ACCOUNT
    headers = {"X-API-KEY": KEY, **JSON_TYPE}
    if double.over_httpx:
        response = httpx.post(ORIGIN + path, headers=headers, content=b"{}")
        return Answer(response.status_code, response.headers, response.content)
    if isinstance(double.target, PostpressResponses):
        return _send_requests("POST", ORIGIN + path, headers, b"{}")
    connection = http.client.HTTPConnection("127.0.0.1", double.target.port, timeout=5)
    connection.request("POST", path, body=b"{}", headers=headers)
    response = connection.getresponse()
    answer = Answer(response.status, Headers(response.getheaders()), response.read())
    connection.close()
    return answer


def test_fail_connection_and_time_out_send_no_answer(double: Double) -> None:
    double.target.fail_connection()
    double.target.time_out()
    if double.over_httpx:
        with pytest.raises(httpx.ConnectError):
            double.reconnect()
        with pytest.raises(httpx.ReadTimeout):
            double.reconnect()
    elif isinstance(double.target, PostpressResponses):
        with pytest.raises(requests.ConnectionError, match="forced by fail_connection"):
            double.reconnect()
        with pytest.raises(requests.ReadTimeout, match="forced by time_out"):
            double.reconnect()
    else:
        with pytest.raises(http.client.RemoteDisconnected):
            double.reconnect()
        connection = http.client.HTTPConnection("127.0.0.1", double.target.port, timeout=0.3)
        connection.request("POST", "/api/v1/accounts/" + ACCOUNT, body=b"{}", headers={"X-API-KEY": KEY})
        with pytest.raises(TimeoutError):
            connection.getresponse()
        connection.close()
    assert [call.status for call in double.target.calls] == [None, None]
    assert double.reconnect().status == 201


@pytest.mark.parametrize(
    ("error", "message"),
    [
        ((409, "errors/nope"), "documented types for 409: errors/operation_canceled, errors/already_exists"),
        ((418, "errors/teapot"), "status 418 documents no error"),
        ((400, "errors/request_timeout"), "documented types for 400"),
    ],
)
def test_respond_with_an_undocumented_pair_is_a_value_error(
    double: Double, error: tuple[int, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        double.target.respond_with(error)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"times": 0}, ValueError),
        ({"times": True}, ValueError),
        ({"envelope": {"title": "Conflict", "type": "errors/already_exists", "status": 400}}, ValueError),
        ({"envelope": {"title": "Conflict", "type": "errors/operation_canceled", "status": 409}}, ValueError),
    ],
)
def test_respond_with_rejects_bad_arguments(double: Double, kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        double.target.respond_with((409, "errors/already_exists"), **kwargs)


def test_respond_with_rejects_what_is_not_an_error(double: Double) -> None:
    with pytest.raises(TypeError, match="DocumentedError or a \\(status, type\\) pair"):
        double.target.respond_with("409")  # type: ignore[arg-type]


# -- the call record -------------------------------------------------------------------------------


def test_calls_record_method_url_raw_path_headers_content_and_json(double: Double) -> None:
    double.reconnect(headers={"content-type": "application/json", "X-Trace": "t1"})
    call = double.target.calls[-1]
    assert call.method == "POST"
    assert call.url.endswith("/api/v1/accounts/" + ACCOUNT)
    assert call.raw_path == "/api/v1/accounts/" + ACCOUNT
    assert call.query == ""
    assert call.headers["X-TRACE"] == "t1"
    assert call.headers["x-api-key"] == KEY
    assert call.json == VALID
    assert json.loads(call.content) == VALID
    assert call.routed
    assert call.status == 201
    assert not call.forced
    assert KEY not in repr(call.headers)
    assert SECRET_PASSWORD not in repr(call)


# -- requests that are not the reconnect route ---------------------------------------------------------


def test_a_request_that_is_not_the_route_is_named_in_the_failure(double: Double) -> None:
    if double.kind != "server":
        with pytest.raises(
            AssertionError, match=r"GET /api/v1/accounts/\S+ \(headers: .*x-api-key.*\) is not the reco"
        ):
            double.send("/v1/accounts/" + ACCOUNT, method="GET")
    else:
        answer = double.send("/v1/accounts/" + ACCOUNT, method="GET")
        assert (answer.status, answer.type) == (404, "errors/resource_not_found")
        assert "POST /api/v1/accounts/{id}" in answer.json["detail"]
    with pytest.raises(AssertionError, match="1 request\\(s\\) that are not the reconnect route") as failure:
        double.target.check_all_routed()
    assert KEY not in str(failure.value)
    double.target.reset()  # the mock would fail the test on leaving, as it should


def test_with_assert_all_routed_off_the_mock_answers_404_like_the_server(double: Double) -> None:
    double.target.assert_all_routed = False
    answer = double.send("/v2/elsewhere", method="PUT", content=b"{}")
    assert (answer.status, answer.type) == (404, "errors/resource_not_found")
    assert "no route for PUT /api/v2/elsewhere" in answer.json["detail"]
    assert [call.raw_path for call in double.target.unrouted] == ["/api/v2/elsewhere"]


def test_the_brain_answers_raw_spaces_and_non_ascii_in_the_target() -> None:
    # httpx percent-encodes spaces and non-ASCII before respx sees them; the server sees them raw
    # (tests/test_server.py).  The brain answers both transports the same.
    state = MockState(api_key=KEY, accounts=["a b"])
    for target in (b"/v1/accounts/a b", "/v1/accounts/é".encode()):
        reply = state.answer("POST", target, Headers({"X-API-KEY": KEY}), b"", url="")
        assert (reply.status, reply.json["type"]) == (400, "errors/unescaped_characters")
    assert state.answer("POST", b"/v1/accounts/x", Headers(), b"", url="").action is Action.RESPOND


def test_the_mock_records_reconnects_on_its_named_respx_route() -> None:
    with PostpressMock(base_url=ORIGIN, api_key=KEY, accounts=[ACCOUNT]) as mock:
        mock.fail_connection()
        with pytest.raises(httpx.ConnectError):
            httpx.post(mock.endpoint(ACCOUNT), json=VALID, headers={"X-API-KEY": KEY})
        httpx.post(mock.endpoint(ACCOUNT), json=VALID, headers={"X-API-KEY": KEY})
        route = mock.router["postpress_reconnect"]
        assert route.call_count == 2
        assert [call.has_response for call in route.calls] == [False, True]
        assert route.calls.last.response.status_code == 201


# -- Prefer: postpress-answer=<id>, per request --------------------------------------------------------


@pytest.mark.parametrize("error", catalog.DOCUMENTED_ERRORS, ids=lambda error: error.id)
def test_prefer_answers_the_documented_error_it_names(double: Double, error: catalog.DocumentedError) -> None:
    answer = double.reconnect(key=None, headers={**JSON_TYPE, "Prefer": f"postpress-answer={error.id}"})
    assert (answer.status, answer.type) == error.pair  # before rule 22: even without a key
    assert answer.headers["preference-applied"] == f"postpress-answer={error.id}"
    assert double.state.calls[-1].forced


def test_prefer_varies_the_envelope_uses_no_queued_answer_and_reset_restarts_it(double: Double) -> None:
    prefer = {**JSON_TYPE, "Prefer": "respond-async, postpress-answer=409-already_exists; x=1, wait=5"}
    double.target.respond_with((503, "errors/network_down"))
    shapes = [frozenset(double.reconnect(headers=prefer).json) for _ in range(4)]
    assert len(set(shapes)) == 4  # the four envelope shapes the contract allows, one per use
    assert double.reconnect().type == "errors/network_down"  # the queued answer was still there
    double.target.reset()
    assert frozenset(double.reconnect(headers=prefer).json) == shapes[0]


@pytest.mark.parametrize(
    "prefer",
    ['POSTPRESS-ANSWER="425-auth_in_progress"', "postpress-answer=425-auth_in_progress, postpress-answer=nope"],
    ids=["quoted-any-case", "first-wins"],
)
def test_prefer_is_read_as_rfc_7240_reads_it(double: Double, prefer: str) -> None:
    answer = double.reconnect(headers={**JSON_TYPE, "Prefer": prefer})
    assert (answer.status, answer.type) == (425, "errors/auth_in_progress")


def test_other_preferences_and_other_routes_are_not_forced(double: Double) -> None:
    assert double.reconnect(headers={**JSON_TYPE, "Prefer": "return=minimal"}).status == 201
    double.target.assert_all_routed = False
    answer = double.send("/v1/elsewhere", headers={"Prefer": "postpress-answer=409-already_exists"}, content=b"{}")
    assert (answer.status, answer.type) == (404, "errors/resource_not_found")


@pytest.mark.parametrize("value", ["409-already_exist", "", "409:errors/already_exists"])
def test_prefer_with_an_unknown_id_is_400_naming_the_valid_ones(double: Double, value: str) -> None:
    answer = double.reconnect(headers={**JSON_TYPE, "Prefer": f"postpress-answer={value}"})
    assert (answer.status, answer.type) == (400, "errors/invalid_request")
    detail = answer.json["detail"]
    assert f"the request header Prefer: postpress-answer={value}: {value!r} is not the id of a documented error" in (
        detail
    )
    assert "Valid ids: 400-invalid_parameters, " in detail
    assert "504-request_timeout" in detail
    if value == "409-already_exist":
        assert "did you mean 409-already_exists?" in detail
