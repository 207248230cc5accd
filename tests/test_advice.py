"""Every "how to fix" line fits what the client did (issue 10): one test per kind of advice.

Where the advice names a library call, it is the call that fixes the problem, not the one the client made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from pytest_postpress.doubles._http import Headers
from pytest_postpress.errors import ContractViolation
from pytest_postpress.suite._assertions import Assertions, Outcome

KEY = "pp_test_key_0123456789"
BASE = "https://api.postpress.ai"


@dataclass
class Call:
    raw_path: str = "/v1/accounts/acc_1"
    content: bytes = b'{"provider": "TELEGRAM", "phone_number": "+33600000000"}'
    headers: Headers = field(default_factory=lambda: Headers({"X-API-KEY": KEY, "Content-Type": "application/json"}))
    method: str = "POST"
    query: str = ""
    status: int | None = 201


def fix_of(error: pytest.ExceptionInfo[ContractViolation]) -> str:
    text = str(error.value)
    assert KEY not in text
    return text.split("how to fix: ", 1)[1]


def assertions(identity: Any = lambda error: None) -> Assertions:
    return Assertions("advice", BASE, KEY, identity)


# -- the request line ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("account_id", "path"), [("..", "/v1/"), (".", "/v1/accounts/"), ("..", "/v1/accounts/..")])
def test_dot_ids_sent_as_dots_get_the_dots_advice(account_id: str, path: str) -> None:
    with pytest.raises(ContractViolation) as raised:
        assertions().request_line(Call(raw_path=path), account_id)
    fix = fix_of(raised)
    assert "%2E" in fix
    assert "requests turns %2E back into '.'" in fix
    assert "fetch read %2E%2E as '..'" in fix
    assert "must refuse them" in fix
    assert "quote(account_id, safe='')" not in fix  # what such a client already does


@pytest.mark.parametrize(("account_id", "segment"), [("..", "%2E%2E"), (".", "%2e")])
def test_dot_ids_sent_as_percent_2e_pass(account_id: str, segment: str) -> None:
    assertions().request_line(Call(raw_path="/v1/accounts/" + segment), account_id)


def test_encode_uri_component_leftovers_get_the_replace_advice() -> None:
    with pytest.raises(ContractViolation) as raised:
        assertions().request_line(Call(raw_path="/v1/accounts/a(b)*"), "a(b)*")
    fix = fix_of(raised)
    assert "encodeURIComponent leaves !'()* as they are" in fix
    assert ".replace(/[!'()*]/g" in fix


def test_a_slash_kept_by_quote_gets_safe_empty() -> None:
    with pytest.raises(ContractViolation) as raised:
        assertions().request_line(Call(raw_path="/v1/accounts/a/b"), "a/b")
    assert "urllib.parse.quote(account_id, safe='')" in fix_of(raised)
    assert "not encodeURI" in fix_of(raised)


def test_double_encoding_is_told_as_such() -> None:
    with pytest.raises(ContractViolation) as raised:
        assertions().request_line(Call(raw_path="/v1/accounts/a%2520b"), "a b")
    assert "encoded twice" in fix_of(raised)


# -- authentication --------------------------------------------------------------------------------------
def test_key_in_authorization() -> None:
    call = Call(headers=Headers({"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}))
    with pytest.raises(ContractViolation) as raised:
        assertions().authentication(call)
    fix = fix_of(raised)
    assert "X-API-KEY" in fix
    assert "drop the Authorization header" in fix


def test_key_in_another_header_is_renamed() -> None:
    call = Call(headers=Headers({"Api-Key": KEY}))
    with pytest.raises(ContractViolation) as raised:
        assertions().authentication(call)
    assert "rename the header 'api-key' to X-API-KEY" in fix_of(raised)  # Headers keeps names lower-cased


def test_no_key_at_all() -> None:
    with pytest.raises(ContractViolation) as raised:
        assertions().authentication(Call(headers=Headers({"Content-Type": "application/json"})))
    assert "httpx.Client(headers={'X-API-KEY': key})" in fix_of(raised)


def test_bearer_prefix_in_x_api_key() -> None:
    with pytest.raises(ContractViolation) as raised:
        assertions().authentication(Call(headers=Headers({"X-API-KEY": f"Bearer {KEY}"})))
    assert "without the prefix 'Bearer '" in fix_of(raised)


def test_another_key() -> None:
    with pytest.raises(ContractViolation) as raised:
        assertions().authentication(Call(headers=Headers({"X-API-KEY": "pp_other_key_999999999999"})))
    assert "pass postpress_api_key through unchanged" in fix_of(raised)


def test_key_in_the_query() -> None:
    with pytest.raises(ContractViolation) as raised:
        assertions().authentication(Call(query=f"api_key={KEY}"))
    assert "take the key out of the URL" in fix_of(raised)


# -- the body --------------------------------------------------------------------------------------------
BODY = {"provider": "TELEGRAM", "phone_number": "+33600000000"}


@pytest.mark.parametrize(
    ("content_type", "content", "advice"),
    [
        ("application/x-www-form-urlencoded", b"provider=TELEGRAM&phone_number=%2B33600000000", "not data=body"),
        (None, b"provider=TELEGRAM&phone_number=%2B33600000000", "not data=body"),
        ("multipart/form-data; boundary=x", b"--x--", "not files= or data="),
        ("text/plain", b'{"provider": "TELEGRAM", "phone_number": "+33600000000"}', "add the header Content-Type"),
        (None, b'{"provider": "TELEGRAM", "phone_number": "+33600000000"}', "json=body sets it for you"),
    ],
)
def test_content_type_advice_fits_what_was_sent(content_type: str | None, content: bytes, advice: str) -> None:
    headers = {"X-API-KEY": KEY, **({"Content-Type": content_type} if content_type else {})}
    with pytest.raises(ContractViolation) as raised:
        assertions().body(Call(content=content, headers=Headers(headers)), BODY)
    assert advice in fix_of(raised)


def test_form_body_labelled_json() -> None:
    call = Call(content=b"provider=TELEGRAM&phone_number=x")
    with pytest.raises(ContractViolation) as raised:
        assertions().body(call, BODY)
    assert "pass json=body (httpx, requests) instead of data=body" in fix_of(raised)


@pytest.mark.parametrize(
    ("sent", "advice"),
    [
        (b'{"provider": "TELEGRAM", "phoneNumber": "+33600000000"}', "do not rename fields: send 'phone_number'"),
        (b'{"provider": "TELEGRAM"}', "keep every field the caller passed"),
        (b'{"provider": "TELEGRAM", "phone_number": "+33600000000", "client": "x"}', "do not add fields"),
        (b'{"provider": "TELEGRAM", "phone_number": null}', "do not replace values by null"),
        (b'{"provider": "TELEGRAM", "phone_number": 33600000000}', "do not convert values"),
    ],
)
def test_body_difference_advice_fits_the_difference(sent: bytes, advice: str) -> None:
    with pytest.raises(ContractViolation) as raised:
        assertions().body(Call(content=sent), BODY)
    assert advice in fix_of(raised)


# -- errors ----------------------------------------------------------------------------------------------
def test_a_407_fetch_cannot_see_names_node_http_and_undici() -> None:
    outcome = Outcome(error=TypeError("fetch failed"), calls=[Call(status=407)])
    with pytest.raises(ContractViolation) as raised:
        assertions().raised_with(outcome, 407, "errors/proxy_auth_error", "407 errors/proxy_auth_error")
    fix = fix_of(raised)
    assert "fetch turns a 407 answer into a network error" in fix
    assert "node:http or undici.request" in fix


def test_an_error_without_identity_elsewhere_is_not_told_about_fetch() -> None:
    outcome = Outcome(error=RuntimeError("HTTP 409"), calls=[Call(status=409)])
    with pytest.raises(ContractViolation) as raised:
        assertions().raised_with(outcome, 409, "errors/already_exists", "409")
    assert "fetch" not in fix_of(raised)
    assert "postpress_error_identity" in fix_of(raised)


@pytest.mark.parametrize(
    ("found", "advice"),
    [
        ((409, None), "read the type from the response's JSON envelope"),
        ((408, "errors/request_timeout"), "504 errors/request_timeout is not 408"),
        ((500, "errors/already_exists"), "take the status from the HTTP response"),
        ((409, "errors/conflict"), "take the type from the response's envelope as received"),
    ],
)
def test_identity_advice_fits_what_was_wrong(found: tuple[int, str | None], advice: str) -> None:
    expected = (
        (504, "errors/request_timeout") if found[1] == "errors/request_timeout" else (409, "errors/already_exists")
    )
    outcome = Outcome(error=RuntimeError("x"), calls=[Call(status=expected[0])])
    with pytest.raises(ContractViolation) as raised:
        assertions(lambda error: found).raised_with(outcome, expected[0], expected[1], "an error")
    assert advice in fix_of(raised)


def test_success_reported_for_an_error_names_raise_for_status() -> None:
    with pytest.raises(ContractViolation) as raised:
        assertions().raised_with(Outcome(result="acc_1", calls=[Call(status=409)]), 409, None, "a 409")
    assert "response.raise_for_status()" in fix_of(raised)
