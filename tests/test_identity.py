"""The default postpress_error_identity reads the usual exception shapes, and nothing it should not."""

from __future__ import annotations

import httpx
import pytest
import requests

from pytest_postpress.suite._identity import default_error_identity


def envelope_response(status: int, type_: str | None) -> httpx.Response:
    body = {"title": "t", "status": status} | ({"type": type_} if type_ else {})
    return httpx.Response(status, json=body, request=httpx.Request("POST", "https://api.postpress.ai/v1/accounts/a"))


def test_httpx_status_error_gives_status_and_envelope_type() -> None:
    response = envelope_response(504, "errors/request_timeout")
    error = httpx.HTTPStatusError("boom", request=response.request, response=response)
    assert default_error_identity(error) == (504, "errors/request_timeout")


def test_httpx_status_error_without_json_gives_status_only() -> None:
    request = httpx.Request("POST", "https://api.postpress.ai/v1/accounts/a")
    response = httpx.Response(502, text="<html>502</html>", request=request)
    assert default_error_identity(httpx.HTTPStatusError("boom", request=request, response=response)) == (502, None)


def test_requests_http_error() -> None:
    response = requests.Response()
    response.status_code = 409
    response._content = b'{"title": "Conflict", "type": "errors/already_exists", "status": 409}'
    assert default_error_identity(requests.HTTPError(response=response)) == (409, "errors/already_exists")


class SdkError(Exception):
    def __init__(self, status: object, type_: object, *, names: tuple[str, str] = ("status", "type")) -> None:
        super().__init__("sdk error")
        setattr(self, names[0], status)
        setattr(self, names[1], type_)


@pytest.mark.parametrize("names", [("status", "type"), ("status_code", "error_type"), ("status", "error_type")])
def test_attributes(names: tuple[str, str]) -> None:
    assert default_error_identity(SdkError(403, "errors/account_restricted", names=names)) == (
        403,
        "errors/account_restricted",
    )


def _wrapped(how: str) -> None:
    try:
        raise SdkError(404, "errors/resource_not_found")
    except SdkError as inner:
        if how == "context":
            raise ValueError("while handling")  # noqa: B904 - implicit chaining is the point
        if how == "from-none":
            raise ValueError("while handling") from None  # context kept, but suppressed: the caller never sees it
        raise RuntimeError("wrapped") from inner


@pytest.mark.parametrize("how", ["cause", "context"])
def test_follows_cause_and_context(how: str) -> None:
    with pytest.raises(Exception) as raised:  # noqa: PT011 - any wrapper will do
        _wrapped(how)
    assert default_error_identity(raised.value) == (404, "errors/resource_not_found")


def test_a_suppressed_context_is_not_followed() -> None:
    # raise ... from None: traceback printing hides the context, and so does the identity (the caller of such a
    # client never sees the status it carried).
    with pytest.raises(ValueError, match="while handling") as raised:
        _wrapped("from-none")
    assert raised.value.__context__ is not None
    assert raised.value.__suppress_context__
    assert default_error_identity(raised.value) is None


def test_an_explicit_cause_is_followed_even_when_the_context_differs() -> None:
    cause = SdkError(502, "errors/bad_gateway")
    try:
        raise SdkError(None, None)
    except SdkError:
        outer = RuntimeError("wrapped")
        outer.__cause__ = cause  # what raise ... from cause sets, with __suppress_context__ true
        outer.__suppress_context__ = True
    assert default_error_identity(outer) == (502, "errors/bad_gateway")


@pytest.mark.parametrize("status", [True, "404", 99, 600, None, 404.0])
def test_only_integer_http_statuses_count(status: object) -> None:
    assert default_error_identity(SdkError(status, "errors/resource_not_found")) is None


def test_a_plain_exception_has_no_identity() -> None:
    assert default_error_identity(ValueError("nope")) is None


def test_a_type_that_is_not_a_string_is_ignored() -> None:
    assert default_error_identity(SdkError(500, 42)) == (500, None)


def test_a_cycle_of_causes_terminates() -> None:
    first, second = ValueError("a"), ValueError("b")
    first.__cause__, second.__cause__ = second, first
    assert default_error_identity(first) is None
