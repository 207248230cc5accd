"""A gallery of broken clients: each departs from the contract in one way.

Every client takes ``(base_url=..., api_key=...)`` and has ``.reconnect(account_id, body)`` and ``.close()``.
``GALLERY`` maps each client to the checks of the contract suite that must fail on it (test names without
``test_``, as the suite names them), and the text its failure message must contain.  The reference client
(``Reference``) passes every check.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import requests
from postpress_httpx import JSON_HEADERS, PostpressError, Reconnected, account_path, encode_body, read_response

_ROOT = Path(__file__).resolve().parents[1]

CLIENT_TEST = """
import sys
import pytest
sys.path[:0] = [{examples!r}, {tests!r}]
from broken_clients import {name} as Client
from pytest_postpress import ReconnectContract


class TestClient(ReconnectContract):
    @pytest.fixture
    def postpress_client_timeout(self):
        return Client.declared_timeout

    @pytest.fixture
    def postpress_reconnect(self, postpress_base_url, postpress_api_key):
        client = Client(base_url=postpress_base_url, api_key=postpress_api_key)
        yield client.reconnect
        client.close()
"""


TRANSPORT_OVERRIDE = """
    @pytest.fixture
    def postpress_transport(self):
        return {transport!r}
"""


def client_test_source(name: str) -> str:
    """The source of a test module that runs the contract suite on the client ``name`` of this gallery.

    A client not built on httpx (``transport`` set on its class) runs on that transport.
    """
    source = CLIENT_TEST.format(examples=str(_ROOT / "examples"), tests=str(_ROOT / "tests"), name=name)
    transport = getattr(globals()[name], "transport", None)
    return source if transport is None else source + TRANSPORT_OVERRIDE.format(transport=transport)


class Reference:
    """A correct client (the shape every broken one bends)."""

    method = "POST"
    declared_timeout = 0.5  # what the client tells the suite (postpress_client_timeout)
    timeout: float | None = 0.5  # what it is built with

    def __init__(self, *, base_url: str, api_key: str) -> None:
        self.http = httpx.Client(base_url=base_url, headers=self.headers(api_key), timeout=self.timeout)

    def close(self) -> None:
        self.http.close()

    def headers(self, api_key: str) -> dict[str, str]:
        return {"X-API-KEY": api_key}

    def path(self, account_id: str) -> str:
        return account_path(account_id)

    def prepare(self, body: Any) -> Any:
        return body

    def send(self, account_id: str, body: Any) -> httpx.Response:
        content = encode_body(self.prepare(body))
        return self.http.request(self.method, self.path(account_id), content=content, headers=JSON_HEADERS)

    def read(self, response: httpx.Response, account_id: str) -> Any:
        return read_response(response)

    def reconnect(self, account_id: str, body: Any) -> Any:
        return self.read(self.send(account_id, body), account_id)


# -- 1. request line ---------------------------------------------------------------------------------
class PutInsteadOfPost(Reference):
    method = "PUT"


class UnescapedId(Reference):
    def path(self, account_id: str) -> str:
        return f"/v1/accounts/{account_id}"


class DoubleEncodedId(Reference):
    def path(self, account_id: str) -> str:
        segment = account_path(account_id).rsplit("/", 1)[1]
        return "/v1/accounts/" + urllib.parse.quote(segment, safe="")


class SubDelimsUnescaped(Reference):
    def path(self, account_id: str) -> str:
        if account_id in {".", ".."}:
            return account_path(account_id)
        return "/v1/accounts/" + urllib.parse.quote(account_id, safe="!$&'()*+,;=:@")


class DotSegmentsUnencoded(Reference):
    def path(self, account_id: str) -> str:
        # Encodes everything but leaves "." and ".." as they are: httpx then removes them from the path.
        return "/v1/accounts/" + urllib.parse.quote(account_id, safe="")


class IdInQuery(Reference):
    def path(self, account_id: str) -> str:
        return "/v1/accounts?id=" + urllib.parse.quote(account_id, safe="")


# -- 2. authentication -----------------------------------------------------------------------------------
class BearerAuthorization(Reference):
    def headers(self, api_key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {api_key}"}


class KeyInQuery(Reference):
    def __init__(self, *, base_url: str, api_key: str) -> None:
        super().__init__(base_url=base_url, api_key=api_key)
        self.key = api_key

    def path(self, account_id: str) -> str:
        return account_path(account_id) + "?api_key=" + urllib.parse.quote(self.key, safe="")


class BearerPrefixInApiKey(Reference):
    def headers(self, api_key: str) -> dict[str, str]:
        return {"X-API-KEY": f"Bearer {api_key}"}


# -- 3. body -----------------------------------------------------------------------------------------------
class NullBodyIsSuccess(Reference):
    """Sends json=body (no body at all for None, which rule 24 allows) but reports success without reading the 400."""

    def send(self, account_id: str, body: Any) -> httpx.Response:
        return self.http.post(self.path(account_id), json=body)

    def read(self, response: httpx.Response, account_id: str) -> Any:
        if not response.request.content:
            return Reconnected(account_id)  # "nothing to send, nothing to fail"
        return read_response(response)


class FormEncoded(Reference):
    def send(self, account_id: str, body: Any) -> httpx.Response:
        flat = {name: json.dumps(value) for name, value in body.items()}
        return self.http.post(self.path(account_id), data=flat)


class TextPlainJson(Reference):
    def send(self, account_id: str, body: Any) -> httpx.Response:
        return self.http.post(
            self.path(account_id), content=json.dumps(body).encode(), headers={"Content-Type": "text/plain"}
        )


class CamelCaseFields(Reference):
    def prepare(self, body: Any) -> Any:
        def camel(name: str) -> str:
            head, *rest = name.split("_")
            return head + "".join(part.title() for part in rest)

        return {camel(name): value for name, value in body.items()}


class PortsAsStrings(Reference):
    def prepare(self, body: Any) -> Any:
        return {name: str(value) if name.endswith("port") else value for name, value in body.items()}


class NullsForAbsentFields(Reference):
    def prepare(self, body: Any) -> Any:
        return {"proxy": None, **body} if isinstance(body, dict) else body


class AddsClientField(Reference):
    def prepare(self, body: Any) -> Any:
        return {**body, "client": "acme-sdk/1.0"} if isinstance(body, dict) else body


class DropsEmptyStrings(Reference):
    def prepare(self, body: Any) -> Any:
        def clean(value: Any) -> Any:
            if isinstance(value, dict):
                return {name: clean(sub) for name, sub in value.items() if sub != ""}
            if isinstance(value, list):
                return [clean(item) for item in value]
            return value

        return clean(body)


class KeywordsDropNone(Reference):
    """A keyword-argument SDK, ``reconnect(account_id, provider, country=None, ...)``: what is None is left out,
    at any depth (as pydantic's ``exclude_none``), by design. Passes every check with postpress_none_means_absent;
    without it, fails on the field set to None that test_fuzz_invalid_bodies tries first on every run."""

    def reconnect(self, account_id: str, body: Any) -> Any:
        if not isinstance(body, dict):
            raise TypeError(f"reconnect() takes the fields as keyword arguments, not a {type(body).__name__}")
        return self.reconnect_with(account_id, **body)

    def reconnect_with(self, account_id: str, **fields: Any) -> Any:
        return self.read(self.send(account_id, self.keep(fields)), account_id)

    def dropped(self, value: Any) -> bool:
        return value is None

    def keep(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {name: self.keep(sub) for name, sub in value.items() if not self.dropped(sub)}
        if isinstance(value, list):
            return [self.keep(item) for item in value]
        return value


class KeywordsDropEmptyStrings(KeywordsDropNone):
    """Leaves out "" too (``if value is not None and value != ""``): fails with postpress_none_means_absent or not."""

    def dropped(self, value: Any) -> bool:
        return value is None or value == ""


class KeywordsDropZeros(KeywordsDropNone):
    """Leaves out 0 too (``if value is None or value == 0``): fails with postpress_none_means_absent or not."""

    def dropped(self, value: Any) -> bool:
        return value is None or (value == 0 and not isinstance(value, bool))


class TooStrictValidation(Reference):
    """Refuses documented-valid bodies: only email usernames, no '+00:00' date-times."""

    def reconnect(self, account_id: str, body: Any) -> Any:
        if isinstance(body, dict):
            username = body.get("username")
            if body.get("provider") == "LINKEDIN" and isinstance(username, str) and "@" not in username:
                raise ValueError("username must be an email")
            if "+00:00" in json.dumps(body) or "-00:00" in json.dumps(body):
                raise ValueError("date-times must end in Z")
        return super().reconnect(account_id, body)


class StripsUndocumentedFields(Reference):
    """'Fixes' invalid bodies by dropping fields it does not know: sends something else than asked."""

    KNOWN = frozenset({"provider", "username", "password", "access_token", "country", "ip", "proxy", "sync_limit"})

    def prepare(self, body: Any) -> Any:
        if isinstance(body, dict) and body.get("provider") in {"LINKEDIN", "INSTAGRAM", "MESSENGER"}:
            known = self.KNOWN | {"cookies", "sessionid", "user_agent", "disabled_features", "recruiter_contract_id"}
            known |= {"premium_token", "headers", "user_name"}
            return {name: value for name, value in body.items() if name in known}
        return body


# -- 4. success ----------------------------------------------------------------------------------------------
class EchoesPathId(Reference):
    def read(self, response: httpx.Response, account_id: str) -> Any:
        read_response(response)
        return Reconnected(account_id)


class ExpectsStatus200(Reference):
    def read(self, response: httpx.Response, account_id: str) -> Any:
        if response.status_code != 200:
            raise PostpressError(response.status_code, None, "expected 200")
        return response.json()


class ReturnsNothing(Reference):
    def read(self, response: httpx.Response, account_id: str) -> Any:
        read_response(response)
        return True


# -- 5. documented errors --------------------------------------------------------------------------------------
class TypeOnlyTimeout(Reference):
    """Maps errors by type alone: errors/request_timeout always becomes 408."""

    def read(self, response: httpx.Response, account_id: str) -> Any:
        try:
            return read_response(response)
        except PostpressError as error:
            if error.type == "errors/request_timeout":
                raise PostpressError(408, error.type) from None
            raise


class LosesType(Reference):
    """Raises a bare RuntimeError (no status, no type, no chained cause)."""

    def read(self, response: httpx.Response, account_id: str) -> Any:
        try:
            return read_response(response)
        except PostpressError as error:
            status = error.status
        raise RuntimeError(f"HTTP {status}")


class NeedsDetail(Reference):
    """Crashes with a KeyError on envelopes without `detail` (allowed by the contract)."""

    def read(self, response: httpx.Response, account_id: str) -> Any:
        if response.status_code != 201:
            envelope = response.json()
            raise PostpressError(response.status_code, envelope["type"], envelope["title"], envelope["detail"])
        return read_response(response)


class RetriesOnError(Reference):
    """Retries every failure once: reconnects are not idempotent, and a 409 or 500 must not be resent."""

    def reconnect(self, account_id: str, body: Any) -> Any:
        try:
            return super().reconnect(account_id, body)
        except PostpressError:
            return super().reconnect(account_id, body)


class RetriesConflict(Reference):
    """Retries a 409 (and only that), as if the conflict would go away: the first request may have taken effect."""

    def reconnect(self, account_id: str, body: Any) -> Any:
        try:
            return super().reconnect(account_id, body)
        except PostpressError as error:
            if error.status != 409:
                raise
            return super().reconnect(account_id, body)


class _RetriesUnavailable(Reference):
    """Retries a 503 up to ``attempts`` attempts in all; ``retry_body``/``retry_headers`` bend the resend."""

    attempts = 3

    def retry_body(self, body: Any) -> Any:
        return body

    def retry_headers(self) -> dict[str, str]:
        return {}

    def reconnect(self, account_id: str, body: Any) -> Any:
        response = self.send(account_id, body)
        for _ in range(self.attempts - 1):
            if response.status_code != 503:
                break
            content = encode_body(self.prepare(self.retry_body(body)))
            headers = {**JSON_HEADERS, **self.retry_headers()}
            response = self.http.request(self.method, self.path(account_id), content=content, headers=headers)
        return self.read(response, account_id)


class RetriesTenTimes(_RetriesUnavailable):
    attempts = 10


class DropsKeyOnRetry(_RetriesUnavailable):
    """Rebuilds the retry with a fresh request that forgets the client's default X-API-KEY."""

    def reconnect(self, account_id: str, body: Any) -> Any:
        response = self.send(account_id, body)
        if response.status_code == 503:
            bare = httpx.Client(base_url=str(self.http.base_url), timeout=2.0)
            try:
                response = bare.post(self.path(account_id), content=encode_body(body), headers=JSON_HEADERS)
            finally:
                bare.close()
        return self.read(response, account_id)


class ChangesBodyOnRetry(_RetriesUnavailable):
    """Stamps the retry's body with an attempt counter."""

    def retry_body(self, body: Any) -> Any:
        return {**body, "attempt": 2} if isinstance(body, dict) else body


_RETRYABLE = frozenset({407, 408, 502, 503, 504})


class RetriesForever(Reference):
    """Resends after every retryable answer (rule 23's list, a dropped connection and a timeout included) with no
    bound on the attempts: the test double has to end its loop."""

    pause = 0.0  # seconds between attempts

    def reconnect(self, account_id: str, body: Any) -> Any:
        while True:
            try:
                response = self.send(account_id, body)
            except httpx.TransportError:
                time.sleep(self.pause)
                continue
            if response.status_code not in _RETRYABLE:
                return self.read(response, account_id)
            time.sleep(self.pause)


class RetriesForeverWithPause(RetriesForever):
    pause = 0.05


class RetriesForeverOnServer(RetriesForeverWithPause):
    """On the loopback server, which cannot raise in the client: it ends the loop with its judged answer."""

    transport = "server"


class SwallowsClientErrors(Reference):
    """Returns None on 4xx instead of raising."""

    def read(self, response: httpx.Response, account_id: str) -> Any:
        if 400 <= response.status_code < 500:
            return None
        return read_response(response)


class NotFoundIsSuccess(Reference):
    """Treats 404 as 'already reconnected' and reports the path id."""

    def read(self, response: httpx.Response, account_id: str) -> Any:
        if response.status_code == 404:
            return Reconnected(account_id)
        return read_response(response)


# -- 7. robustness --------------------------------------------------------------------------------------------------
class NonJsonIsSuccess(Reference):
    def read(self, response: httpx.Response, account_id: str) -> Any:
        try:
            response.json()
        except ValueError:
            return Reconnected(account_id)
        return read_response(response)


class ProblemJsonIsSuccess(Reference):
    def read(self, response: httpx.Response, account_id: str) -> Any:
        if response.headers.get("content-type", "").startswith("application/problem+json"):
            return Reconnected(account_id)
        return read_response(response)


class UndocumentedStatusIsSuccess(Reference):
    DOCUMENTED = frozenset({201, 400, 401, 403, 404, 407, 408, 409, 425, 500, 502, 503, 504})

    def read(self, response: httpx.Response, account_id: str) -> Any:
        if response.status_code not in self.DOCUMENTED:
            return Reconnected(account_id)
        return read_response(response)


class UnknownTypeIsSuccess(Reference):
    def read(self, response: httpx.Response, account_id: str) -> Any:
        try:
            return read_response(response)
        except PostpressError as error:
            if error.type is not None and error.type.startswith("errors/brand_new"):
                return Reconnected(account_id)
            raise


class AnyCreatedIsSuccess(Reference):
    def read(self, response: httpx.Response, account_id: str) -> Any:
        if response.status_code == 201:
            return Reconnected(account_id)
        return read_response(response)


class SwallowsConnectionErrors(Reference):
    def reconnect(self, account_id: str, body: Any) -> Any:
        try:
            return super().reconnect(account_id, body)
        except httpx.TransportError as error:
            if isinstance(error, httpx.TimeoutException):
                raise
            return None


class SwallowsTimeouts(Reference):
    def reconnect(self, account_id: str, body: Any) -> Any:
        try:
            return super().reconnect(account_id, body)
        except httpx.TimeoutException:
            return Reconnected(account_id)


class BadCreatedWithoutStatus(Reference):
    def read(self, response: httpx.Response, account_id: str) -> Any:
        if response.status_code == 201 and not isinstance(_json_or_none(response), dict):
            raise ValueError("the server sent an unreadable success")
        if response.status_code == 201 and "account_id" not in response.json():
            raise ValueError("the server sent an unreadable success")
        if response.status_code == 201 and response.json().get("object") != "AccountReconnected":
            raise ValueError("the server sent an unreadable success")
        return read_response(response)


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


class _BadCreated(Reference):
    """Reads as the reference does, but raises its own error (``own_error``) for an unreadable 201: outside the
    except block, so that no ``__context__`` still tells 201, or inside it ``from None`` (``from_none``)."""

    from_none = False

    def own_error(self) -> Exception:
        raise NotImplementedError

    def read(self, response: httpx.Response, account_id: str) -> Any:
        try:
            return read_response(response)
        except PostpressError as error:
            if error.status != 201:
                raise
            if self.from_none:
                raise self.own_error() from None
        raise self.own_error()


class BadCreatedWrongStatus(_BadCreated):
    def own_error(self) -> Exception:
        return PostpressError(500, None, "unreadable success")


class BadCreatedFromNone(_BadCreated):
    """Raises its own error without the status ``from None``: the status is on the suppressed context only,
    which its caller never sees (nor does a traceback)."""

    from_none = True

    def own_error(self) -> Exception:
        return ValueError("the server sent an unreadable success")


class BadCreatedMadeUpType(_BadCreated):
    def own_error(self) -> Exception:
        return PostpressError(201, "errors/unexpected_success_body")


class AnyAccountIdIsSuccess(Reference):
    def read(self, response: httpx.Response, account_id: str) -> Any:
        body = _json_or_none(response)
        if response.status_code == 201 and isinstance(body, dict) and body.get("account_id"):
            return Reconnected(body["account_id"])  # 42 as well as "acc_..."
        return read_response(response)


class NoTimeout(Reference):
    timeout = None  # httpx.Client(timeout=None): waits forever on a server that does not answer


class TimeoutNotAsDeclared(Reference):
    timeout = 30.0  # declares 0.5 s, waits 30 s


# -- 8. clients built on requests, checked inside responses (postpress_transport = "responses") -------------------
def read_requests_response(response: requests.Response) -> Reconnected:
    """:func:`read_response` for a requests response."""
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if response.status_code == 201:
        account = body.get("account_id") if isinstance(body, dict) else None
        if (
            isinstance(body, dict)
            and body.get("object") == "AccountReconnected"
            and isinstance(account, str)
            and account
        ):
            return Reconnected(account)
        raise PostpressError(201, None, "unexpected success body")
    envelope = body if isinstance(body, dict) else {}
    type_, title = envelope.get("type"), envelope.get("title")
    raise PostpressError(
        response.status_code, type_ if isinstance(type_, str) else None, title if isinstance(title, str) else None
    )


class RequestsReference(Reference):
    """A correct client on a requests session (the shape the requests-based broken clients bend)."""

    transport = "responses"

    def __init__(self, *, base_url: str, api_key: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update(self.headers(api_key))

    def close(self) -> None:
        self.session.close()

    def path(self, account_id: str) -> str:
        if account_id in {".", ".."}:
            raise ValueError(f"the account id {account_id!r} cannot be sent as a path segment with requests")
        return account_path(account_id)

    def send(self, account_id: str, body: Any) -> Any:
        content = encode_body(self.prepare(body))
        url = self.base_url + self.path(account_id)
        return self.session.request(self.method, url, data=content, headers=JSON_HEADERS, timeout=2.0)

    def read(self, response: Any, account_id: str) -> Any:
        return read_requests_response(response)


class RequestsBearerAuthorization(RequestsReference):
    def headers(self, api_key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {api_key}"}


class RequestsFormEncoded(RequestsReference):
    """``data=body``: requests form-encodes a dict."""

    def send(self, account_id: str, body: Any) -> Any:
        return self.session.post(self.base_url + self.path(account_id), data=body, timeout=2.0)


class RequestsNullBodyIsSuccess(RequestsReference):
    """``json=body`` (no body at all for None, which rule 24 allows) but success reported without reading the 400."""

    def send(self, account_id: str, body: Any) -> Any:
        return self.session.post(self.base_url + self.path(account_id), json=body, timeout=2.0)

    def read(self, response: Any, account_id: str) -> Any:
        if not response.request.body:
            return Reconnected(account_id)  # "nothing to send, nothing to fail"
        return read_requests_response(response)


class RequestsNotFoundIsSuccess(RequestsReference):
    def read(self, response: Any, account_id: str) -> Any:
        if response.status_code == 404:
            return Reconnected(account_id)
        return read_requests_response(response)


class RequestsSwallowsConnectionErrors(RequestsReference):
    def reconnect(self, account_id: str, body: Any) -> Any:
        try:
            return super().reconnect(account_id, body)
        except requests.ConnectionError:
            return None


class RequestsSwallowsTimeouts(RequestsReference):
    def reconnect(self, account_id: str, body: Any) -> Any:
        try:
            return super().reconnect(account_id, body)
        except requests.Timeout:
            return Reconnected(account_id)


class RequestsRetriesForever(RequestsReference):
    """RetriesForever on requests, inside responses; ``except Exception`` would swallow anything but the
    double's RetriesStopped."""

    def reconnect(self, account_id: str, body: Any) -> Any:
        # Built once, outside the loop: an id or body refused before sending is raised, not "retried" forever.
        url, content = self.base_url + self.path(account_id), encode_body(self.prepare(body))
        while True:
            try:
                response = self.session.request(self.method, url, data=content, headers=JSON_HEADERS, timeout=2.0)
            except Exception:  # a careless loop: every failure of the request is "try again"
                continue
            if response.status_code not in _RETRYABLE:
                return self.read(response, account_id)


@dataclass(frozen=True)
class Expectation:
    """The checks that must fail on a broken client, and a phrase its first failure message must contain."""

    checks: tuple[str, ...]
    message: str


# Every check that forces a retryable answer on every attempt, or on every request (documented_error, client_timeout).
_FOREVER_CHECKS = (
    "documented_error[503-service_unavailable]",
    "documented_error[407-proxy_auth_error]",
    "retry_every_attempt",
    "robustness_non_json_502",
    "robustness_connection_error",
    "robustness_timeout",
    "client_timeout",
)

GALLERY: dict[type[Reference], Expectation] = {
    PutInsteadOfPost: Expectation(("request_line",), "method POST"),
    UnescapedId: Expectation(("request_line",), "path-injection risk"),
    DoubleEncodedId: Expectation(("request_line",), "decode back to the id"),
    SubDelimsUnescaped: Expectation(("request_line",), "unreserved"),
    DotSegmentsUnencoded: Expectation(("request_line",), "for the id '."),
    IdInQuery: Expectation(("request_line",), "path-injection"),
    BearerAuthorization: Expectation(("authentication",), "not Authorization"),
    KeyInQuery: Expectation(("authentication",), "in the URL"),
    BearerPrefixInApiKey: Expectation(("authentication",), "values hidden"),
    NullBodyIsSuccess: Expectation(("invalid_body[null-body]",), "null body sent as no body"),
    FormEncoded: Expectation(("body[TELEGRAM]", "fuzz_valid_bodies"), "Content-Type: application/json"),
    TextPlainJson: Expectation(("body[TWITTER]", "fuzz_valid_bodies"), "Content-Type: application/json"),
    CamelCaseFields: Expectation(("body[LINKEDIN_BASIC]", "fuzz_valid_bodies"), "field dropped"),
    PortsAsStrings: Expectation(("body[MAIL]",), "/imap_port"),
    NullsForAbsentFields: Expectation(("body[MAIL]", "fuzz_valid_bodies"), "field added"),
    AddsClientField: Expectation(("body[WHATSAPP]", "fuzz_valid_bodies"), "field added"),
    DropsEmptyStrings: Expectation(("fuzz_valid_bodies",), "field dropped"),
    KeywordsDropNone: Expectation(("fuzz_invalid_bodies",), "override the fixture postpress_none_means_absent"),
    KeywordsDropEmptyStrings: Expectation(("fuzz_valid_bodies",), "field dropped"),
    KeywordsDropZeros: Expectation(("body[LINKEDIN_BASIC]", "fuzz_valid_bodies"), "/sync_limit/chats: field dropped"),
    TooStrictValidation: Expectation(("fuzz_valid_bodies",), "sent nothing and raised"),
    StripsUndocumentedFields: Expectation(("invalid_body[undocumented-field]",), "field dropped"),
    EchoesPathId: Expectation(("success", "fuzz_responses"), "need not equal the path id"),
    ExpectsStatus200: Expectation(("success", "fuzz_valid_bodies"), "on a 201"),
    ReturnsNothing: Expectation(("success",), "the result to be the account id"),
    TypeOnlyTimeout: Expectation(("documented_error[504-request_timeout]",), "504 errors/request_timeout is not 408"),
    LosesType: Expectation(("documented_error[409-already_exists]",), "reads nothing"),
    NeedsDetail: Expectation(("documented_error", "fuzz_responses"), "reads nothing"),
    RetriesOnError: Expectation(("documented_error[409-already_exists]",), "no resend after an answer"),
    RetriesConflict: Expectation(("no_retry_after_error[409-already_exists]",), "attempt 2 after a 409 answer"),
    RetriesTenTimes: Expectation(("retry_every_attempt",), "at most 5 attempts"),
    DropsKeyOnRetry: Expectation(("retry_every_attempt", "retry_then_success"), "dropped the X-API-KEY header"),
    ChangesBodyOnRetry: Expectation(("retry_every_attempt", "retry_then_success"), "sent another body"),
    RetriesForever: Expectation(_FOREVER_CHECKS, "postpress_max_attempts + 3 attempts"),
    RetriesForeverWithPause: Expectation(_FOREVER_CHECKS, "postpress_max_attempts + 3 attempts"),
    RetriesForeverOnServer: Expectation(_FOREVER_CHECKS, "postpress_max_attempts + 3 attempts"),
    SwallowsClientErrors: Expectation(
        ("documented_error[401-invalid_credentials]", "invalid_body[missing-parameters]", "fuzz_invalid_bodies"),
        "reported success",
    ),
    NotFoundIsSuccess: Expectation(("unknown_account", "documented_error[404-resource_not_found]"), "reported success"),
    NonJsonIsSuccess: Expectation(("robustness_non_json_502",), "reported success"),
    ProblemJsonIsSuccess: Expectation(("robustness_problem_json",), "reported success"),
    UndocumentedStatusIsSuccess: Expectation(("robustness_undocumented_status",), "reported success"),
    UnknownTypeIsSuccess: Expectation(("robustness_undocumented_type",), "reported success"),
    AnyCreatedIsSuccess: Expectation(("robustness_bad_success_body[wrong-object]", "success"), "reported success"),
    SwallowsConnectionErrors: Expectation(("robustness_connection_error",), "reported success"),
    SwallowsTimeouts: Expectation(("robustness_timeout",), "reported success"),
    BadCreatedWithoutStatus: Expectation(("robustness_bad_success_body",), "tell the HTTP status 201"),
    BadCreatedWrongStatus: Expectation(("robustness_bad_success_body",), "tell the HTTP status 201"),
    BadCreatedFromNone: Expectation(
        ("robustness_bad_success_body[not-json]", "robustness_bad_success_body[account-id-not-a-string]"),
        "tell the HTTP status 201",
    ),
    BadCreatedMadeUpType: Expectation(("robustness_bad_success_body",), "never make one up"),
    AnyAccountIdIsSuccess: Expectation(("robustness_bad_success_body[account-id-not-a-string]",), "reported success"),
    NoTimeout: Expectation(("client_timeout",), "was still waiting after"),
    TimeoutNotAsDeclared: Expectation(("client_timeout",), "was still waiting after"),
    RequestsBearerAuthorization: Expectation(("authentication",), "not Authorization"),
    RequestsFormEncoded: Expectation(("body[TELEGRAM]", "fuzz_valid_bodies"), "Content-Type: application/json"),
    RequestsNullBodyIsSuccess: Expectation(("invalid_body[null-body]",), "null body sent as no body"),
    RequestsNotFoundIsSuccess: Expectation(("unknown_account",), "reported success"),
    RequestsSwallowsConnectionErrors: Expectation(("robustness_connection_error",), "reported success"),
    RequestsSwallowsTimeouts: Expectation(("robustness_timeout",), "reported success"),
    RequestsRetriesForever: Expectation(_FOREVER_CHECKS, "postpress_max_attempts + 3 attempts"),
}
