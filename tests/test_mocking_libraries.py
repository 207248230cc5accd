"""postpress_httpx_mock and postpress_responses: the doubles inside pytest-httpx and responses, seen with pytester.

The answers themselves (rule 22, forced answers, the call record) are checked on every double in
tests/test_mock_and_server.py; here: the fixtures' life cycle inside each library, the libraries' own
"everything was used" checks, the unrouted-request rule, and the error when a library is not installed.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

HEADER = """
import asyncio
import httpx, pytest, requests, responses
BODY = {"provider": "TELEGRAM"}
"""


def run(pytester: pytest.Pytester, body: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(HEADER + body)
    return pytester.runpytest("-p", "no:cacheprovider", *args)


# -- pytest-httpx ----------------------------------------------------------------------------------


def test_the_issue_example_passes_with_postpress_httpx_mock(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_with_pytest_httpx(httpx_mock, postpress_httpx_mock, postpress_api_key, postpress_account_id):
    httpx_mock.add_response(url="https://other.example/ping", json={"ok": True})
    with httpx.Client() as c:
        c.get("https://other.example/ping")
        answer = c.post(f"{postpress_httpx_mock.url}/v1/accounts/{postpress_account_id}", json={"provider": "TELEGRAM"},
               headers={"X-API-KEY": postpress_api_key})
    assert answer.status_code == 201
    assert answer.json() == {"object": "AccountReconnected", "account_id": postpress_account_id}
    assert [call.status for call in postpress_httpx_mock.calls] == [201]

def test_async_client(postpress_httpx_mock, postpress_api_key, postpress_account_id):
    async def send():
        async with httpx.AsyncClient(base_url=postpress_httpx_mock.url) as client:
            return await client.post(f"/v1/accounts/{postpress_account_id}", json=BODY,
                                     headers={"X-API-KEY": postpress_api_key})
    postpress_httpx_mock.respond_with((409, "errors/already_exists"))
    assert asyncio.run(send()).status_code == 409
    assert asyncio.run(send()).status_code == 201

def test_bad_inputs(postpress_httpx_mock, postpress_api_key, postpress_account_id):
    url = postpress_httpx_mock.url + "/v1/accounts/"
    key = {"X-API-KEY": postpress_api_key}
    json_type = {**key, "Content-Type": "application/json"}
    malformed = httpx.post(url + postpress_account_id, content=b'{"provider":', headers=json_type)
    wrong_key = httpx.post(url + postpress_account_id, json=BODY, headers={"X-API-KEY": "wrong"})
    unknown = httpx.post(url + "acc_unknown", json=BODY, headers=key)
    assert [(r.status_code, r.json()["type"]) for r in (malformed, wrong_key, unknown)] == [
        (400, "errors/invalid_request"), (401, "errors/invalid_credentials"), (404, "errors/resource_not_found")]

def test_requested_but_unused(postpress_httpx_mock):
    pass  # the route is optional: pytest-httpx's "every response was requested" check does not trip
""",
    )
    result.assert_outcomes(passed=4)


def test_pytest_httpx_keeps_checking_the_tests_own_responses(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_forgot_a_response(httpx_mock, postpress_httpx_mock):
    httpx_mock.add_response(url="https://other.example/ping")
""",
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*The following responses are mocked but not requested:", "*- Match any request on https://other.example/ping"]
    )
    assert "re.compile" not in result.stdout.str()  # the postpress route (a URL pattern) is not listed


@pytest.mark.parametrize("fixture", ["postpress_httpx_mock", "postpress_responses"])
def test_a_request_to_the_api_host_that_is_not_the_route_fails_the_test(
    pytester: pytest.Pytester, fixture: str
) -> None:
    send = "httpx.get" if fixture == "postpress_httpx_mock" else "requests.get"
    result = run(
        pytester,
        f"""
def test_wrong_method({fixture}, postpress_api_key, postpress_account_id):
    {send}({fixture}.endpoint(postpress_account_id), headers={{"X-API-KEY": postpress_api_key}})

def test_swallowed({fixture}):
    try:
        {send}({fixture}.url + "/v2/elsewhere")
    except Exception:
        pass

def test_answer_404_instead({fixture}):
    {fixture}.assert_all_routed = False
    answer = {send}({fixture}.url + "/v2/elsewhere")
    assert (answer.status_code, answer.json()["type"]) == (404, "errors/resource_not_found")
""",
    )
    result.assert_outcomes(passed=2, failed=1, errors=1)
    result.stdout.fnmatch_lines_random(
        [
            f"*{fixture}: GET /v1/accounts/* (headers: *x-api-key*values not shown*) is not the reconnect route.",
            "*It answers POST /v1/accounts/{id} on https://api.postpress.ai:443.",
            "*ERROR at teardown of test_swallowed*",
            f"*{fixture} received 1 request(s) that are not the reconnect route:*",
        ]
    )
    assert "pp_test" not in result.stdout.str()  # the key's value is never shown


# -- responses -------------------------------------------------------------------------------------


def test_the_issue_example_passes_with_postpress_responses_for_a_requests_client(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as requests_mock:
        yield requests_mock

def test_with_responses_fixture(rsps, postpress_responses, postpress_api_key, postpress_account_id):
    rsps.add(responses.GET, "https://other.example/ping", json={"ok": True})
    with requests.Session() as session:
        session.get("https://other.example/ping")
        answer = session.post(f"{postpress_responses.url}/v1/accounts/{postpress_account_id}", json=BODY,
                              headers={"X-API-KEY": postpress_api_key})
    assert answer.status_code == 201
    assert answer.json() == {"object": "AccountReconnected", "account_id": postpress_account_id}
    assert postpress_responses.requests_mock is rsps

@responses.activate
def test_with_activate(postpress_responses, postpress_api_key, postpress_account_id):
    responses.add(responses.GET, "https://other.example/ping", json={"ok": True})
    assert requests.get("https://other.example/ping").json() == {"ok": True}
    answer = requests.post(postpress_responses.endpoint(postpress_account_id), json=BODY,
                           headers={"X-API-KEY": postpress_api_key})
    assert answer.status_code == 201

def test_without_an_active_mock(postpress_responses, postpress_api_key, postpress_account_id):
    assert postpress_responses.requests_mock is responses.mock  # started for the test
    answer = requests.post(postpress_responses.endpoint(postpress_account_id), json=BODY,
                           headers={"X-API-KEY": postpress_api_key})
    assert answer.status_code == 201

def test_bad_inputs(postpress_responses, postpress_api_key, postpress_account_id):
    url = postpress_responses.url + "/v1/accounts/"
    key = {"X-API-KEY": postpress_api_key}
    json_type = {**key, "Content-Type": "application/json"}
    malformed = requests.post(url + postpress_account_id, data=b'{"provider":', headers=json_type)
    wrong_key = requests.post(url + postpress_account_id, json=BODY, headers={"X-API-KEY": "wrong"})
    unknown = requests.post(url + "acc_unknown", json=BODY, headers=key)
    assert [(r.status_code, r.json()["type"]) for r in (malformed, wrong_key, unknown)] == [
        (400, "errors/invalid_request"), (401, "errors/invalid_credentials"), (404, "errors/resource_not_found")]

def test_requested_but_unused(rsps, postpress_responses):
    pass  # the route leaves the registry at teardown: assert_all_requests_are_fired does not count it

def test_after_the_fixture_the_default_mock_is_stopped_and_empty():
    assert responses.mock.registered() == []
    with pytest.raises(requests.ConnectionError):  # nothing answers: responses is not active
        requests.get("http://127.0.0.1:9/", timeout=0.5)
""",
        "-p",
        "no:randomly",
    )
    result.assert_outcomes(passed=6)


def test_responses_keeps_checking_the_tests_own_routes(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as requests_mock:
        yield requests_mock

def test_forgot_a_route(rsps, postpress_responses):
    rsps.add(responses.GET, "https://other.example/ping")
""",
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*Not all requests have been executed*other.example/ping*"])
    assert "postpress" not in result.stdout.str().split("Not all requests")[1].splitlines()[0]


# -- optional libraries ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "module", "extra"),
    [("postpress_httpx_mock", "pytest_httpx", "pytest-httpx"), ("postpress_responses", "responses", "responses")],
)
def test_a_fixture_whose_library_is_missing_names_the_extra(
    pytester: pytest.Pytester, fixture: str, module: str, extra: str
) -> None:
    pytester.makeconftest(f"import sys\nsys.modules[{module!r}] = None  # as if not installed\n")
    pytester.makepyfile(f"def test_it({fixture}):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            f"*{fixture} needs {extra}, which is not installed; install it with the extra:*",
            f"*pip install 'pytest-postpress?{extra}?'",
        ]
    )
