"""``serve``'s control API under ``/__postpress/`` and its OpenAPI document, over a loopback server.

The refusal of a peer that is not loopback is tested on the code that decides it (``is_loopback`` and
``handle`` given a peer address), never over the network.  The ``Prefer`` header is tested against every double in
``test_mock_and_server.py``; here only what the control API adds to it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from openapi_spec_validator import validate

from pytest_postpress import catalog
from pytest_postpress.doubles._control import ROUTES, control_openapi_document, handle, is_control_target, is_loopback
from pytest_postpress.doubles._http import Headers
from pytest_postpress.doubles.server import PostpressServer
from pytest_postpress.openapi import openapi_document
from pytest_postpress.validation import validate_response

KEY = "pp_test_key_for_the_control_api_01"
ACCOUNT = "acc_control_1"
BODY = {"provider": "LINKEDIN", "username": "anna@acme.com", "password": "pw"}
HOLD = 3.0  # how long the server holds a "timeout" fault: longer than the client's timeout below


@pytest.fixture(scope="module")
def module_server() -> Iterator[PostpressServer]:
    with PostpressServer(
        api_key=KEY, accounts=[ACCOUNT], prefix="/api", control=True, timeout=2.0, max_hold=HOLD
    ) as server:
        yield server


@pytest.fixture
def server(module_server: PostpressServer) -> Iterator[PostpressServer]:
    module_server.reset()
    yield module_server
    module_server.reset()


def control(server: PostpressServer, method: str, route: str, body: Any = None, *, raw: bytes | None = None) -> Any:
    """Send a control request; returns the response (its body is always JSON)."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    response = requests.request(method, f"{server.origin}/__postpress/{route}", data=data, timeout=5)
    assert response.headers["Content-Type"] == "application/json"
    return response


def reconnect(
    server: PostpressServer, account: str = ACCOUNT, *, headers: dict[str, str] | None = None, timeout: float = 5
) -> requests.Response:
    return requests.post(
        f"{server.url}/v1/accounts/{account}", json=BODY, headers={"X-API-KEY": KEY, **(headers or {})}, timeout=timeout
    )


def error_of(response: requests.Response) -> tuple[int, str]:
    body = response.json()
    assert validate_response(response.status_code, body) == [], body
    return response.status_code, body["type"]


def assert_problem(response: requests.Response, status: int, *words: str) -> None:
    """A control error: ``status``, a JSON ``detail`` holding every one of ``words``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == status
    for word in words:
        assert word in body["detail"], body["detail"]


# -- accounts ----------------------------------------------------------------------------------------


def test_post_accounts_makes_an_account_exist(server: PostpressServer) -> None:
    assert reconnect(server, "acc_new").status_code == 404
    response = control(server, "POST", "accounts", {"id": "acc new/é"})
    assert (response.status_code, response.json()) == (200, {"added": "acc new/é"})
    assert reconnect(server, "acc%20new%2F%C3%A9").json()["account_id"] == "acc new/é"


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"", ("needs a JSON body", '{"id": "acc_1"}')),
        (b"{not json", ("not valid JSON", '{"id": "acc_1"}')),
        (b'["acc_1"]', ("the body is a JSON array", "send a JSON object")),
        (b'{"id": ""}', ('"id" must be a non-empty string', 'got ""')),
        (b'{"id": 7}', ('"id" must be a non-empty string', "got 7")),
        (b'{"id": "a", "name": "b"}', ("unknown field(s) 'name'", "the fields are id")),
    ],
    ids=["empty", "malformed-json", "array", "empty-id", "number-id", "unknown-field"],
)
def test_post_accounts_bad_input_is_400_saying_how_to_fix(server: PostpressServer, raw: bytes, words: str) -> None:
    assert_problem(control(server, "POST", "accounts", raw=raw), 400, "POST /__postpress/accounts", *words)
    assert server.state.accounts == {ACCOUNT}


# -- answers -----------------------------------------------------------------------------------------


def test_a_queued_error_answers_times_reconnects_then_rule_22_again(server: PostpressServer) -> None:
    response = control(server, "POST", "answers", {"error": "409-already_exists", "times": 2})
    assert response.status_code == 200
    assert response.json() == {
        "queued": {"error": "409-already_exists", "status": 409, "type": "errors/already_exists", "times": 2}
    }
    first, second = reconnect(server), reconnect(server)
    assert error_of(first) == error_of(second) == (409, "errors/already_exists")
    assert first.json().keys() != second.json().keys()  # the envelope varies as the contract allows
    assert reconnect(server).status_code == 201


def test_times_defaults_to_one_and_null_answers_every_reconnect_after_the_queue(server: PostpressServer) -> None:
    control(server, "POST", "answers", {"error": "503-network_down", "times": None})
    control(server, "POST", "answers", {"error": "425-auth_in_progress"})
    assert error_of(reconnect(server)) == (425, "errors/auth_in_progress")
    for _ in range(3):
        assert error_of(reconnect(server)) == (503, "errors/network_down")


def test_a_raw_answer_is_sent_as_given(server: PostpressServer) -> None:
    control(server, "POST", "answers", {"status": 502, "raw": "<html>bad gateway</html>", "times": 1})
    html_502 = {"status": 502, "raw": "<html>proxy</html>", "headers": {"Content-Type": "text/html"}}
    control(server, "POST", "answers", html_502)
    plain, html = reconnect(server), reconnect(server)
    assert (plain.status_code, plain.text, plain.headers["Content-Type"]) == (
        502,
        "<html>bad gateway</html>",
        "text/plain; charset=utf-8",
    )
    assert (html.status_code, html.text, html.headers["Content-Type"]) == (502, "<html>proxy</html>", "text/html")


def test_fault_drop_closes_the_connection_unanswered(server: PostpressServer) -> None:
    control(server, "POST", "answers", {"fault": "drop"})
    with pytest.raises(requests.ConnectionError):
        reconnect(server)
    assert server.calls[-1].status is None
    assert reconnect(server).status_code == 201


def test_fault_timeout_holds_the_request_until_the_client_gives_up(server: PostpressServer) -> None:
    control(server, "POST", "answers", {"fault": "timeout"})
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        reconnect(server, timeout=0.5)
    assert time.monotonic() - started < HOLD
    control(server, "POST", "reset")  # releases the held request: the server thread ends now, not after HOLD


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"error": "409-already_exist"}, ("did you mean 409-already_exists?", "Valid ids: 400-invalid_parameters")),
        ({"error": "409:errors/already_exists"}, ("is not the id of a documented error", "504-request_timeout")),
        ({"error": 409}, ('"error" must be a documented error id string',)),
        ({}, ('give exactly one of "error"', "it has none")),
        ({"error": "409-already_exists", "fault": "drop"}, ("it has 'error' and 'fault'",)),
        ({"error": "409-already_exists", "times": 0}, ('"times" must be a whole number from 1', "got 0")),
        ({"error": "409-already_exists", "times": "1"}, ('"times" must be a whole number', 'got "1"')),
        ({"error": "409-already_exists", "times": True}, ('"times" must be a whole number', "got true")),
        ({"status": 700, "raw": "x"}, ("from 200 to 599", "got 700")),
        ({"status": 502}, ('"raw" (the body to answer, a string) is required', "got null")),
        ({"status": 502, "raw": "x", "headers": {"X-A": "a\r\nb"}}, ('"headers" must be an object',)),
        ({"status": 502, "raw": "x", "headers": {"bad name": "a"}}, ('"headers" must be an object',)),
        ({"error": "409-already_exists", "raw": "x"}, ('"raw" goes with "status" only',)),
        ({"fault": "explode"}, ('"fault" must be "drop" or "timeout"', 'got "explode"')),
        ({"fault": "drop", "tims": 2}, ("unknown field(s) 'tims'", "times")),
    ],
    ids=[
        "close-id",
        "status-type-not-id",
        "number-id",
        "no-kind",
        "two-kinds",
        "times-0",
        "times-string",
        "times-bool",
        "status-700",
        "raw-missing",
        "header-crlf",
        "header-name",
        "raw-with-error",
        "unknown-fault",
        "unknown-field",
    ],
)
def test_post_answers_bad_input_is_400_saying_how_to_fix(
    server: PostpressServer, body: dict[str, Any], words: tuple[str, ...]
) -> None:
    assert_problem(control(server, "POST", "answers", body), 400, "POST /__postpress/answers", *words)
    assert server.state.pending_answers() == []  # nothing was queued
    assert reconnect(server).status_code == 201


def test_post_answers_malformed_json_is_400(server: PostpressServer) -> None:
    response = control(server, "POST", "answers", raw=b'{"error": "409-already_exists",}')
    assert_problem(response, 400, "not valid JSON", "line 1, column 32", '{"error": "409-already_exists", "times": 1}')


def test_an_unknown_error_id_lists_every_valid_one(server: PostpressServer) -> None:
    detail = control(server, "POST", "answers", {"error": "nope"}).json()["detail"]
    assert all(error.id in detail for error in catalog.DOCUMENTED_ERRORS)
    assert "python -m pytest_postpress errors" in detail


# -- calls, reset, verify ----------------------------------------------------------------------------


def test_calls_is_the_journal_oldest_first_with_the_key_hidden(server: PostpressServer) -> None:
    assert control(server, "GET", "calls").json() == []
    reconnect(server, headers={"X-Echo": f"key={KEY}", "Authorization": "Bearer t0ken"})
    control(server, "POST", "answers", {"fault": "drop"})
    with pytest.raises(requests.ConnectionError):
        reconnect(server, "acc%2F2")
    requests.get(f"{server.url}/v1/accounts?limit=1", timeout=5)
    response = control(server, "GET", "calls")
    assert response.status_code == 200
    first, second, third = response.json()
    assert set(first) == {"method", "raw_path", "headers", "json", "status"}
    assert (first["method"], first["raw_path"], first["json"], first["status"]) == (
        "POST",
        f"/api/v1/accounts/{ACCOUNT}",
        {**BODY, "password": "<hidden>"},  # issue 26: the journal's body secrets are hidden too
        201,
    )
    assert first["headers"]["x-api-key"] == first["headers"]["authorization"] == "<hidden>"
    assert first["headers"]["x-echo"] == "key=<hidden>"
    assert first["headers"]["content-type"] == "application/json"
    assert (second["raw_path"], second["status"]) == ("/api/v1/accounts/acc%2F2", None)
    assert (third["method"], third["raw_path"], third["status"]) == ("GET", "/api/v1/accounts", 404)
    assert third["json"] is None
    assert KEY not in response.text
    assert "t0ken" not in response.text
    assert len(server.calls) == 3  # the control requests are not calls


def test_calls_hides_the_key_in_the_path_and_the_body_too(server: PostpressServer) -> None:
    leaky = {**BODY, "note": [f"key {KEY}"], KEY: 1}
    requests.post(f"{server.url}/v1/accounts/{KEY}", json=leaky, headers={"X-API-KEY": KEY}, timeout=5)
    [call] = control(server, "GET", "calls").json()
    assert call["raw_path"] == "/api/v1/accounts/<hidden>"
    assert call["json"] == {**BODY, "password": "<hidden>", "note": ["key <hidden>"], "<hidden>": 1}


def test_reset_forgets_calls_answers_and_added_accounts(server: PostpressServer) -> None:
    control(server, "POST", "accounts", {"id": "acc_2"})
    control(server, "POST", "answers", {"error": "500-unexpected_error", "times": None})
    reconnect(server)
    response = control(server, "POST", "reset")
    assert (response.status_code, response.json()) == (200, {"reset": True})
    assert control(server, "GET", "calls").json() == []
    assert reconnect(server).status_code == 201
    assert reconnect(server, "acc_2").status_code == 404
    assert_problem(control(server, "POST", "reset", {"all": True}), 400, "takes no body")


def test_verify_is_200_when_all_was_routed_and_every_answer_used(server: PostpressServer) -> None:
    assert (control(server, "GET", "verify").status_code, control(server, "GET", "verify").json()) == (200, [])
    control(server, "POST", "answers", {"error": "409-already_exists"})
    control(server, "POST", "answers", {"error": "503-no_channel", "times": None})
    reconnect(server)
    reconnect(server)
    response = control(server, "GET", "verify")
    assert (response.status_code, response.json()) == (200, [])


def test_verify_is_409_listing_what_was_off_route_and_what_was_not_used(server: PostpressServer) -> None:
    control(server, "POST", "answers", {"error": "409-already_exists", "times": 2})
    control(server, "POST", "answers", {"fault": "timeout", "times": None})
    reconnect(server)
    requests.put(f"{server.url}/v1/accounts/{ACCOUNT}", json=BODY, headers={"X-API-KEY": KEY}, timeout=5)
    response = control(server, "GET", "verify")
    assert response.status_code == 409
    off_route, queued, every = response.json()
    assert off_route.startswith("not the reconnect route (POST /api/v1/accounts/{id}): PUT /api/v1/accounts/")
    assert "values not shown" in off_route
    assert queued == "queued answer not used: error 409-already_exists: 1 use(s) left of the queue"
    assert every == "queued answer not used: fault timeout for every call: never used"


# -- routes, methods, peers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "route", "status", "words"),
    [
        ("GET", "nope", 404, ("no control route '/__postpress/nope'", "POST /__postpress/answers")),
        ("GET", "", 404, ("no control route '/__postpress/'",)),
        ("DELETE", "calls", 405, ("/__postpress/calls answers GET, not DELETE",)),
        ("GET", "answers", 405, ("answers POST, not GET",)),
        ("POST", "verify", 405, ("answers GET, not POST",)),
    ],
)
def test_unknown_routes_and_methods_are_404_and_405(
    server: PostpressServer, method: str, route: str, status: int, words: tuple[str, ...]
) -> None:
    response = control(server, method, route)
    assert_problem(response, status, *words)
    if status == 405:
        assert response.headers["Allow"] in ("GET", "POST")
    assert server.calls == []


def test_a_get_with_a_body_is_400(server: PostpressServer) -> None:
    assert_problem(control(server, "GET", "calls", {"a": 1}), 400, "GET /__postpress/calls takes no body")


def test_the_query_string_of_a_control_route_is_ignored(server: PostpressServer) -> None:
    assert control(server, "GET", "calls?since=0").json() == []


def test_a_control_route_is_never_a_reconnect_even_with_the_reconnect_headers(server: PostpressServer) -> None:
    response = requests.post(
        f"{server.origin}/__postpress/answers",
        json={"error": "404-resource_not_found"},
        headers={"X-API-KEY": KEY, "Prefer": "postpress-answer=409-already_exists"},
        timeout=5,
    )
    assert response.status_code == 200
    assert server.calls == []


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("192.0.2.1", False),
        ("::ffff:192.0.2.1", False),
        ("2001:db8::1", False),
        ("fe80::1%eth0", False),
        ("0.0.0.0", False),
        ("localhost", False),  # a name, never an address a socket reports
        ("", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    "peer", [("192.0.2.1", 50000), ("::ffff:192.0.2.1", 50000, 0, 0), ("2001:db8::1", 50000, 0, 0)]
)
@pytest.mark.parametrize(("method", "route"), [("POST", "reset"), ("GET", "calls"), ("POST", "answers")])
def test_a_peer_that_is_not_loopback_is_refused_403_and_nothing_changes(
    server: PostpressServer, peer: tuple[Any, ...], method: str, route: str
) -> None:
    reconnect(server)
    body = json.dumps({"error": "409-already_exists"}).encode()
    reply = handle(server, method, f"/__postpress/{route}".encode(), Headers(), body, peer)
    assert reply is not None
    assert reply.status == 403
    assert "answers only clients on this machine (loopback)" in reply.json["detail"]
    assert peer[0] in reply.json["detail"]
    assert len(server.calls) == 1
    assert server.state.pending_answers() == []


def test_a_loopback_peer_mapped_into_ipv6_is_answered(server: PostpressServer) -> None:
    reply = handle(server, "GET", b"/__postpress/calls", Headers(), b"", ("::ffff:127.0.0.1", 50000, 0, 0))
    assert reply is not None
    assert (reply.status, reply.json) == (200, [])


def test_handle_returns_none_off_the_control_api(server: PostpressServer) -> None:
    for target in (b"/api/v1/accounts/x", b"/__postpressx/calls", b"/api/__postpress/calls", b"/"):
        assert not is_control_target(target)
        assert handle(server, "GET", target, Headers(), b"", ("127.0.0.1", 1)) is None


def test_the_control_api_is_off_unless_asked_for() -> None:
    with PostpressServer(api_key=KEY, accounts=[ACCOUNT]) as plain:
        plain.assert_all_routed = False
        response = requests.get(f"{plain.origin}/__postpress/calls", timeout=5)
        assert error_of(response) == (404, "errors/resource_not_found")
        assert [call.raw_path for call in plain.calls] == ["/__postpress/calls"]


def test_a_prefix_under_the_control_api_is_refused() -> None:
    with pytest.raises(ValueError, match="puts the reconnect route under /__postpress/"):
        PostpressServer(api_key=KEY, prefix="/__postpress/api", control=True)
    done = subprocess.run(
        [sys.executable, "-m", "pytest_postpress", "serve", "--prefix", "/__postpress"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "argument --prefix: path prefix '/__postpress' puts the reconnect route under" in done.stderr


# -- the OpenAPI document of the control API ---------------------------------------------------------


@pytest.fixture(scope="module")
def control_document() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest_postpress", "openapi", "--control", "--server", "http://127.0.0.1:9999"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def test_the_control_document_validates_as_openapi_3_1(control_document: dict[str, Any]) -> None:
    validate(control_document)  # type: ignore[arg-type]
    assert control_document["openapi"] == "3.1.0"
    assert control_document["servers"] == [{"url": "http://127.0.0.1:9999"}]
    assert control_document == control_openapi_document(server="http://127.0.0.1:9999")


def test_the_control_document_lists_exactly_the_routes_served(
    control_document: dict[str, Any], server: PostpressServer
) -> None:
    documented = {
        (path, method.upper())
        for path, operations in control_document["paths"].items()
        if path.startswith("/__postpress/")
        for method in operations
    }
    served = {(path, method) for path, methods in ROUTES.items() for method in methods}
    assert documented == served
    for path, method in documented:  # and the server answers each one (not 404 or 405)
        response = requests.request(method, server.origin + path, timeout=5)
        assert response.status_code not in (404, 405), (method, path, response.text)
    prefer = control_document["paths"]["/v1/accounts/{id}"]["post"]["parameters"][1]
    assert (prefer["name"], prefer["in"]) == ("Prefer", "header")
    ids = control_document["components"]["schemas"]["DocumentedErrorId"]["enum"]
    assert ids == [error.id for error in catalog.DOCUMENTED_ERRORS]


def test_the_contract_document_is_unchanged_by_the_control_api() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest_postpress", "openapi"], capture_output=True, text=True, timeout=30, check=True
    )
    document = json.loads(done.stdout)
    assert document == openapi_document()
    assert not any(path.startswith("/__postpress") for path in document["paths"])
    assert "Prefer" not in done.stdout


def test_errors_lists_the_ids_that_prefer_and_the_control_api_take() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest_postpress", "errors"], capture_output=True, text=True, timeout=30, check=True
    )
    rows = [line.split() for line in done.stdout.splitlines() if line[:3].isdigit()]
    assert [row[2] for row in rows] == [error.id for error in catalog.DOCUMENTED_ERRORS]


# -- framing and size (issue 27) ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Content-Length", "transfer-encoding", "Connection"])
def test_a_raw_answer_may_not_set_a_framing_header(server: PostpressServer, name: str) -> None:
    answer = {"status": 502, "raw": "<html>bad gateway</html>", "headers": {name: "5"}}
    response = control(server, "POST", "answers", answer)
    assert response.status_code == 400
    assert f'"headers" sets {name}, which the server sets itself' in response.json()["detail"]
    assert reconnect(server).status_code == 201  # nothing was queued


@pytest.mark.parametrize("size", [1024 * 1024 + 1, 6 * 1024 * 1024, 20 * 1024 * 1024])
def test_an_oversized_control_body_gets_a_413_stating_the_limit(server: PostpressServer, size: int) -> None:
    response = control(server, "POST", "answers", raw=b" " * size)
    assert response.status_code == 413
    assert response.json()["detail"] == (
        f"the control request body is {size} bytes; the control API reads bodies up to 1048576 bytes (1 MiB): "
        "send a smaller JSON body"
    )
    assert reconnect(server).status_code == 201  # the server still answers
