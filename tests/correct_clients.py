"""A gallery of correct clients written the way people write them (issue 10): each must pass every check.

Every client takes ``(base_url=..., api_key=...)`` and has ``.reconnect(account_id, body)`` (sync or async)
and ``.close()`` (sync or async).  ``transport`` names the double it runs on in mock mode: httpx clients on
respx, the requests client on the loopback server.  None of them encodes its body by hand: they pass
``json=body`` (rule 24 allows the empty body that ``json=None`` sends), and the retrying ones resend what the
documentation says to retry (rule 23).
"""

from __future__ import annotations

import decimal
import time
import urllib.parse
from pathlib import Path
from typing import Any

import httpx
import requests

_ROOT = Path(__file__).resolve().parents[1]

CLIENT_TEST = """
import inspect
import sys
import pytest
sys.path[:0] = [{tests!r}]
from correct_clients import {name} as Client
from pytest_postpress import ReconnectContract


class Test{name}(ReconnectContract):
    @pytest.fixture
    def postpress_transport(self):
        return Client.transport

    @pytest.fixture
    def postpress_reconnect(self, postpress_base_url, postpress_api_key, postpress_event_loop):
        client = Client(base_url=postpress_base_url, api_key=postpress_api_key)
        yield client.reconnect
        closed = client.close()
        if inspect.isawaitable(closed):
            postpress_event_loop.run_until_complete(closed)
"""


def client_test_source(name: str) -> str:
    """The source of a test module that runs the contract suite on the correct client ``name``."""
    return CLIENT_TEST.format(tests=str(_ROOT / "tests"), name=name)


class ReconnectError(Exception):
    """What the hand-written clients raise: the HTTP status and the envelope's type (None when unreadable)."""

    def __init__(self, status: int, type: str | None, title: str | None = None) -> None:
        super().__init__(f"{status} {type or '(no type)'} {title or ''}".strip())
        self.status = status
        self.type = type


def segment(account_id: str) -> str:
    """The id as one path segment: percent-encoded, '.' and '..' as %2E (httpx sends %2E as it is)."""
    quoted = urllib.parse.quote(account_id, safe="")
    return quoted.replace(".", "%2E") if quoted in {".", ".."} else quoted


def account_id_of(response: httpx.Response | requests.Response) -> str:
    """The account id of a 201, or an exception when the body is not AccountReconnected."""
    try:
        data = response.json()
    except ValueError:
        raise ReconnectError(response.status_code, None, "the 201 body is not JSON") from None
    if not isinstance(data, dict) or data.get("object") != "AccountReconnected":
        raise ReconnectError(response.status_code, None, "the 201 body is not AccountReconnected")
    account = data.get("account_id")
    if not isinstance(account, str) or not account:
        raise ReconnectError(response.status_code, None, "the 201 body has no account_id")
    return account


def error_of(response: httpx.Response) -> ReconnectError:
    """The exception for an answer other than 201, read from the envelope where there is one."""
    try:
        data = response.json()
    except ValueError:
        data = None
    kind = data.get("type") if isinstance(data, dict) else None
    return ReconnectError(response.status_code, kind if isinstance(kind, str) else None, response.reason_phrase)


class HttpxJson:
    """httpx, ``json=body``, its own exception carrying status and type."""

    transport = "respx"

    def __init__(self, *, base_url: str, api_key: str) -> None:
        self.http = httpx.Client(base_url=base_url, headers={"X-API-KEY": api_key}, timeout=5.0)

    def reconnect(self, account_id: str, body: Any) -> str:
        response = self.http.post(f"/v1/accounts/{segment(account_id)}", json=body)
        if response.status_code != 201:
            raise error_of(response)
        return account_id_of(response)

    def close(self) -> None:
        self.http.close()


class AsyncHttpxJson:
    """httpx's AsyncClient, ``json=body``."""

    transport = "respx"

    def __init__(self, *, base_url: str, api_key: str) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, headers={"X-API-KEY": api_key}, timeout=5.0)

    async def reconnect(self, account_id: str, body: Any) -> str:
        response = await self.http.post(f"/v1/accounts/{segment(account_id)}", json=body)
        if response.status_code != 201:
            raise error_of(response)
        return account_id_of(response)

    async def close(self) -> None:
        await self.http.aclose()


class RaiseForStatus:
    """httpx, ``json=body``, errors surfaced by ``response.raise_for_status()`` (the suite reads the status and
    the envelope's type from the ``httpx.HTTPStatusError``'s response)."""

    transport = "respx"

    def __init__(self, *, base_url: str, api_key: str) -> None:
        self.http = httpx.Client(base_url=base_url, headers={"X-API-KEY": api_key}, timeout=5.0)

    def reconnect(self, account_id: str, body: Any) -> str:
        response = self.http.post(f"/v1/accounts/{segment(account_id)}", json=body)
        response.raise_for_status()
        if response.status_code != 201:  # a 2xx other than 201 is no reconnect either
            raise ReconnectError(response.status_code, None, "expected 201")
        return account_id_of(response)

    def close(self) -> None:
        self.http.close()


RETRYABLE_STATUSES = frozenset({407, 408, 502, 503, 504})


class Retrying(HttpxJson):
    """Retries what the documentation says to retry (407, 408, 502, 503, 504, a dropped connection, a timeout),
    3 attempts in all, with no pause."""

    attempts = 3
    pause = 0.0

    def reconnect(self, account_id: str, body: Any) -> str:
        for attempt in range(1, self.attempts + 1):
            try:
                response = self.http.post(f"/v1/accounts/{segment(account_id)}", json=body)
            except httpx.TransportError:
                if attempt == self.attempts:
                    raise
            else:
                if response.status_code not in RETRYABLE_STATUSES or attempt == self.attempts:
                    if response.status_code != 201:
                        raise error_of(response)
                    return account_id_of(response)
            time.sleep(self.pause * 2 ** (attempt - 1))
        raise AssertionError("unreachable")


class RetryingWithPause(Retrying):
    """The same, 4 attempts with an exponential pause from 20 ms."""

    attempts = 4
    pause = 0.02


class RequestsJson:
    """requests, ``json=body``, ``raise_for_status()``; on the loopback server (requests is not httpx).

    requests turns ``%2E`` back into ``.`` before sending, so the ids '.' and '..' are refused (rule 16)."""

    transport = "server"

    def __init__(self, *, base_url: str, api_key: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["X-API-KEY"] = api_key

    def reconnect(self, account_id: str, body: Any) -> str:
        if account_id in {".", ".."}:
            raise ValueError(f"the account id {account_id!r} cannot be sent as one path segment with requests")
        url = f"{self.base_url}/v1/accounts/{urllib.parse.quote(account_id, safe='')}"
        response = self.session.post(url, json=body, timeout=5.0)
        response.raise_for_status()
        if response.status_code != 201:
            raise ReconnectError(response.status_code, None, "expected 201")
        return account_id_of(response)

    def close(self) -> None:
        self.session.close()


def as_doubles(value: Any) -> Any:
    """Every number through an IEEE-754 double, as JavaScript's JSON.parse/stringify (and Go's ``any``) hold
    them; integral doubles written without a fraction, as JSON.stringify writes them."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        number = float(value)
        if number.is_integer() and abs(number) < 1e21:
            # JSON.stringify writes the shortest digits that round-trip, padded with zeros: 5.452979267241015e16
            # goes out as 54529792672410150, which is not the double's exact value (...152) but reads back as it.
            return int(decimal.Decimal(repr(number)))
        return number
    if isinstance(value, dict):
        return {name: as_doubles(item) for name, item in value.items()}
    if isinstance(value, list):
        return [as_doubles(item) for item in value]
    return value


class NumbersAsDoubles(HttpxJson):
    """A stand-in for a JavaScript client: every number of the body is held as a double before it is sent."""

    def reconnect(self, account_id: str, body: Any) -> str:
        return super().reconnect(account_id, as_doubles(body))


CORRECT: tuple[type[Any], ...] = (
    HttpxJson,
    AsyncHttpxJson,
    RaiseForStatus,
    Retrying,
    RetryingWithPause,
    RequestsJson,
    NumbersAsDoubles,
)
