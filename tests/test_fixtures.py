"""The fixtures and the postpress_error marker, seen from the outside with pytester."""

from __future__ import annotations

import pytest

from pytest_postpress.catalog import DOCUMENTED_ERRORS

pytest_plugins = ["pytester"]

HEADER = """
import asyncio, json
import httpx, pytest
BODY = {"provider": "LINKEDIN", "username": "anna@acme.com", "password": "pw"}

def reconnect(base, key, account, **kwargs):
    return httpx.post(f"{base}/v1/accounts/{account}", json=BODY, headers={"X-API-KEY": key}, **kwargs)
"""


def test_postpress_mock_answers_sync_and_async_httpx_and_records_calls(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HEADER
        + """
def test_it(postpress_mock, postpress_base_url, postpress_api_key, postpress_account_id):
    answer = reconnect(postpress_base_url, postpress_api_key, postpress_account_id)
    assert answer.status_code == 201
    assert answer.json() == {"object": "AccountReconnected", "account_id": postpress_account_id}

    async def async_call():
        async with httpx.AsyncClient() as client:
            url = postpress_mock.endpoint("acc two")
            return await client.post(url, json=BODY, headers={"X-API-KEY": postpress_api_key})

    postpress_mock.add_account("acc two")
    assert asyncio.run(async_call()).status_code == 201
    assert [call.raw_path for call in postpress_mock.calls] == [
        f"/v1/accounts/{postpress_account_id}", "/v1/accounts/acc%20two"
    ]
    assert postpress_mock.calls[0].json == BODY
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_request_that_is_not_the_route_fails_the_test_naming_method_path_and_route(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HEADER
        + """
def test_wrong_method(postpress_mock, postpress_base_url, postpress_api_key):
    httpx.get(f"{postpress_base_url}/v1/accounts/acc_1?key=secret", headers={"X-API-KEY": postpress_api_key})
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*PostpressNotMocked: postpress_mock: GET /v1/accounts/acc_1?(query) "
            "(headers: *x-api-key*; values not shown*is not the reconnect route.",
            "*The mock answers POST /v1/accounts/{id} on https://api.postpress.ai:443*",
        ]
    )
    message = [line for line in result.stdout.lines if line.startswith("E ")]
    assert message
    assert not [line for line in message if "secret" in line or "pp_test_" in line]


def test_a_swallowed_not_mocked_error_still_fails_the_test_at_teardown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HEADER
        + """
def test_swallowed(postpress_mock, postpress_base_url):
    try:
        httpx.delete(f"{postpress_base_url}/v1/accounts/acc_1")
    except Exception:
        pass  # a client that hides every error
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_swallowed*",
            "*postpress_mock received 1 request(s) that are not the reconnect route:",
            "*- DELETE /v1/accounts/acc_1 (headers: *",
        ]
    )


def test_the_teardown_check_stays_quiet_when_the_test_already_failed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HEADER
        + """
def test_fails(postpress_mock, postpress_base_url):
    try:
        httpx.get(f"{postpress_base_url}/elsewhere")
    except AssertionError:
        pass
    assert False, "the real failure"
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*the real failure*"])


def test_other_respx_routes_and_assert_all_routed_false(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HEADER
        + """
def test_own_route(postpress_mock, postpress_base_url):
    postpress_mock.router.get("/health").respond(200, json={"ok": True})
    assert httpx.get(f"{postpress_base_url}/health").json() == {"ok": True}

def test_answer_404_instead(postpress_mock, postpress_base_url):
    postpress_mock.assert_all_routed = False
    answer = httpx.get(f"{postpress_base_url}/v1/accounts/x")
    assert answer.status_code == 404
    assert "POST /v1/accounts/{id}" in answer.json()["detail"]
"""
    )
    pytester.runpytest().assert_outcomes(passed=2)


# -- postpress_error ---------------------------------------------------------------------------------


def test_postpress_error_runs_the_test_once_per_documented_error_with_readable_ids(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
def test_error(postpress_error):
    pass
"""
    )
    result = pytester.runpytest("--collect-only", "-q")
    ids = [line.partition("[")[2].rstrip("]") for line in result.stdout.lines if line.startswith("test_")]
    assert ids == [error.id for error in DOCUMENTED_ERRORS]
    assert len(ids) == 35
    assert {"409-already_exists", "504-request_timeout", "408-request_timeout"} <= set(ids)


def test_the_mock_and_the_server_answer_postpress_error_in_every_shape(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HEADER
        + """
import requests
from pytest_postpress.validation import validate_response

DOUBLES = ["postpress_mock", "postpress_server", "postpress_httpx_mock", "postpress_responses"]

@pytest.mark.parametrize("double", DOUBLES)
def test_error(request, double, postpress_error, postpress_api_key, postpress_account_id, tmp_path_factory):
    target = request.getfixturevalue(double)
    bodies = []
    for _ in range(4):
        if double in ("postpress_mock", "postpress_httpx_mock"):
            answer = reconnect(target.url, postpress_api_key, postpress_account_id)
            status, body = answer.status_code, answer.json()
        else:
            url = target.endpoint(postpress_account_id)
            answer = requests.post(url, json=BODY, headers={"X-API-KEY": postpress_api_key})
            status, body = answer.status_code, answer.json()
        assert (status, body["type"]) == postpress_error.pair
        assert validate_response(status, body) == []
        bodies.append(sorted(body))
    assert len({tuple(keys) for keys in bodies}) == 4  # four calls, four envelope shapes
    (tmp_path_factory.getbasetemp() / f"{double}-{postpress_error.id}.json").write_text(json.dumps(bodies[0]))
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=140)
    for double in ("postpress_mock", "postpress_httpx_mock", "postpress_responses"):
        first_shapes = {path.read_text() for path in pytester.path.parent.glob(f"**/{double}-*.json")}
        assert len(first_shapes) == 4, double  # the first call's shape varies from one error to the next


@pytest.mark.parametrize(
    ("marks", "expected"),
    [
        ("@pytest.mark.postpress_error(status=409)", ["409-operation_canceled", "409-already_exists"]),
        ('@pytest.mark.postpress_error(type="errors/request_timeout")', ["408-request_timeout", "504-request_timeout"]),
        ('@pytest.mark.postpress_error(status=504, type="errors/request_timeout")', ["504-request_timeout"]),
        ('@pytest.mark.postpress_error(401, "invalid_credentials")', ["401-invalid_credentials"]),
        (
            "@pytest.mark.postpress_error(status=425)\n"
            '@pytest.mark.postpress_error(status=407, type="errors/proxy_auth_error")',
            ["407-proxy_auth_error", "425-auth_in_progress"],
        ),
    ],
    ids=["status", "type", "both", "positional-short-type", "several"],
)
def test_the_marker_narrows_the_parametrization(pytester: pytest.Pytester, marks: str, expected: list[str]) -> None:
    pytester.makepyfile(f"import pytest\n{marks}\ndef test_error(postpress_error):\n    pass\n")
    result = pytester.runpytest("--collect-only", "-q")
    assert [line.partition("[")[2].rstrip("]") for line in result.stdout.lines if line.startswith("test_")] == expected


@pytest.mark.parametrize(
    ("mark", "message"),
    [
        (
            "postpress_error(status=409, type='errors/nope')",
            "*409 errors/nope is not a documented error; documented types for 409: "
            "errors/operation_canceled, errors/already_exists",
        ),
        ("postpress_error(status=418)", "*status 418 documents no error (documented error statuses: 400, 401, 403, *"),
        ("postpress_error(type='errors/nope')", "*errors/nope is documented under no status*"),
        ("postpress_error()", "*give status=, type= or both"),
        ("postpress_error(status=400, colour=1)", "*the marker takes status= and/or type="),
    ],
    ids=["bad-pair", "bad-status", "bad-type", "empty", "unknown-keyword"],
)
def test_a_marker_naming_an_undocumented_error_is_a_collection_error(
    pytester: pytest.Pytester, mark: str, message: str
) -> None:
    pytester.makepyfile(f"import pytest\n@pytest.mark.{mark}\ndef test_error(postpress_error):\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ERROR collecting*", f"*@pytest.mark.{mark} on test_*.py::test_error: {message[1:]}"])


def test_the_marker_alone_makes_the_doubles_answer_that_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HEADER
        + """
import requests

@pytest.mark.postpress_error(status=409, type="errors/already_exists")
def test_mock(postpress_mock, postpress_api_key, postpress_account_id):
    for _ in range(2):
        answer = reconnect(postpress_mock.url, postpress_api_key, postpress_account_id)
        assert (answer.status_code, answer.json()["type"]) == (409, "errors/already_exists")

@pytest.mark.postpress_error(status=401)
def test_server(postpress_server, postpress_api_key, postpress_account_id):
    url = postpress_server.endpoint(postpress_account_id)
    answer = requests.post(url, json=BODY, headers={"X-API-KEY": postpress_api_key})
    assert (answer.status_code, answer.json()["type"]) == (401, "errors/invalid_credentials")

@pytest.mark.postpress_error(status=425)
def test_httpx_mock(postpress_httpx_mock, postpress_api_key, postpress_account_id):
    answer = reconnect(postpress_httpx_mock.url, postpress_api_key, postpress_account_id)
    assert (answer.status_code, answer.json()["type"]) == (425, "errors/auth_in_progress")

@pytest.mark.postpress_error(status=504)
def test_responses(postpress_responses, postpress_api_key, postpress_account_id):
    url = postpress_responses.endpoint(postpress_account_id)
    answer = requests.post(url, json=BODY, headers={"X-API-KEY": postpress_api_key})
    assert (answer.status_code, answer.json()["type"]) == (504, "errors/request_timeout")

"""
    )
    pytester.runpytest().assert_outcomes(passed=4)


def test_a_marker_naming_several_errors_needs_the_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest
@pytest.mark.postpress_error(status=403)
def test_too_many(postpress_mock):
    pass
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*the postpress_error markers on *::test_too_many name 9 documented errors (403-account_restricted, *"
            "request it to run once per error, or narrow the marker to one error with status= and type="
        ]
    )


def test_postpress_error_through_getfixturevalue_says_how_to_request_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
def test_dynamic(request):
    request.getfixturevalue("postpress_error")
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*postpress_error is parametrized at collection: request it as a test argument*"])


# -- postpress_server --------------------------------------------------------------------------------


def test_postpress_server_is_one_per_session_reset_for_each_test_and_has_the_prefix(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HEADER
        + """
import requests
PORTS = []

def test_first(postpress_server, postpress_api_key, postpress_account_id):
    assert postpress_server.url == f"http://127.0.0.1:{postpress_server.port}/api"
    PORTS.append(postpress_server.port)
    postpress_server.add_account("extra")
    postpress_server.respond_with((409, "errors/already_exists"), times=None)
    answer = requests.post(postpress_server.endpoint("extra"), json=BODY, headers={"X-API-KEY": postpress_api_key})
    assert answer.status_code == 409

def test_second(postpress_server, postpress_api_key, postpress_account_id):
    PORTS.append(postpress_server.port)
    assert PORTS[0] == PORTS[1]
    assert postpress_server.calls == []
    session = requests.Session()
    url = postpress_server.endpoint(postpress_account_id)
    ok = session.post(url, json=BODY, headers={"X-API-KEY": postpress_api_key})
    assert ok.status_code == 201
    gone = session.post(postpress_server.endpoint("extra"), json=BODY, headers={"X-API-KEY": postpress_api_key})
    assert gone.status_code == 404
"""
    )
    pytester.runpytest("--postpress-base-url", "https://api.example.test/api").assert_outcomes(passed=2)


def test_postpress_server_fails_a_test_whose_client_missed_the_route(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import urllib.request, urllib.error
def test_wrong_path(postpress_server):
    try:
        urllib.request.urlopen(postpress_server.url + "/v1/account/x")
    except urllib.error.HTTPError as error:
        assert error.code == 404
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*postpress_server received 1 request(s) that are not the reconnect route:",
            "*- GET /v1/account/x (headers: *",
            "*It answers only POST /v1/accounts/{id}*",
        ]
    )


def test_the_mock_honours_a_path_prefix_in_the_base_url(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HEADER
        + """
def test_prefix(postpress_mock, postpress_api_key, postpress_account_id):
    assert reconnect("https://h.example/api", postpress_api_key, postpress_account_id).status_code == 201
    with pytest.raises(AssertionError, match="The mock answers POST /api/v1/accounts/"):
        reconnect("https://h.example", postpress_api_key, postpress_account_id)
    postpress_mock.reset()
"""
    )
    pytester.runpytest("--postpress-base-url", "https://h.example/api/").assert_outcomes(passed=1)


# -- live mode, and what pytest --fixtures shows -----------------------------------------------------------


def test_live_mode_skips_the_doubles_and_mock_only_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest
def test_mock(postpress_mock): pass
def test_server(postpress_server): pass
def test_error(postpress_error): pass
@pytest.mark.postpress_mock_only
def test_mock_only(): pass
def test_live_safe(postpress_base_url):
    assert postpress_base_url == "https://staging.example.test"
"""
    )
    result = pytester.runpytest("-rs", "--postpress-live", "--postpress-base-url", "https://staging.example.test")
    result.assert_outcomes(passed=1, skipped=38)
    result.stdout.fnmatch_lines(
        [
            "*postpress_mock is not used with --postpress-live: the client talks to the real server there",
            "*postpress_server is not used with --postpress-live*",
            "*35*postpress_error is not used with --postpress-live*",
            "*postpress_mock_only: needs the mock; skipped with --postpress-live",
        ]
    )


def test_the_fixtures_are_documented(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures")
    result.stdout.fnmatch_lines_random(
        [
            "postpress_mock*",
            "*A respx mock of ``POST {postpress_base_url}/v1/accounts/{id}``*",
            "postpress_server*",
            "*The mock API on a real HTTP/1.1 server on 127.0.0.1*",
            "postpress_server_session*session scope*",
            "postpress_error*",
            "*The documented error this run of the test is about*",
            "postpress_httpx_mock*",
            "*The reconnect endpoint as a route of pytest-httpx's ``httpx_mock``*",
            "postpress_responses*",
            "*The reconnect endpoint as a route of ``responses``*",
        ]
    )


def test_marker_help_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.postpress_error(status=None, type=None): *"])


def test_the_doubles_are_imported_only_when_a_fixture_asks(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import sys
def test_plain():
    assert "pytest_postpress.doubles.mock" not in sys.modules
    assert "pytest_postpress.doubles.server" not in sys.modules
def test_mock(postpress_mock):
    assert "pytest_postpress.doubles.mock" in sys.modules
"""
    )
    pytester.runpytest_subprocess("-p", "no:randomly").assert_outcomes(passed=2)
