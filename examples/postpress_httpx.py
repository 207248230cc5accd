"""A small reference client of ``POST /v1/accounts/{id}`` built on httpx (sync and async).

It is what the contract suite expects of any client: the id percent-encoded as
one path segment, the key in ``X-API-KEY``, the body sent as given, 201 read as
the response's ``account_id``, every other answer raised as ``PostpressError``
carrying the HTTP status and the envelope's ``type``.
"""

from __future__ import annotations

import functools
import json
import ssl
import urllib.parse
from dataclasses import dataclass
from typing import Any

import httpx


class PostpressError(Exception):
    """An answer other than a documented 201: ``status`` and ``type`` identify it (``type`` may be None)."""

    def __init__(self, status: int, type: str | None, title: str | None = None, detail: str | None = None) -> None:
        super().__init__(f"{status} {type or '(no type)'}: {title or ''} {detail or ''}".strip())
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail


@dataclass(frozen=True)
class Reconnected:
    """The result of a successful reconnect."""

    account_id: str


def account_path(account_id: str) -> str:
    """``/v1/accounts/{id}`` with the id as one segment; '.' and '..' encoded so they stay one."""
    if not account_id:
        raise ValueError("account_id must be a non-empty string")
    segment = urllib.parse.quote(account_id, safe="")
    if segment in {".", ".."}:
        segment = segment.replace(".", "%2E")
    return f"/v1/accounts/{segment}"


JSON_HEADERS = {"Content-Type": "application/json"}


def encode_body(body: Any) -> bytes:
    """The body as JSON bytes.

    Not ``json=body``: httpx and requests both read ``json=None`` as "no body", so a ``null`` body would go
    out empty, without a Content-Type.  The contract allows that too (rule 24: the server's 400 is then raised);
    serialising it here sends JSON ``null`` instead, which the server also answers with a 400.
    """
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def read_response(response: httpx.Response) -> Reconnected:
    """201 -> :class:`Reconnected`; anything else -> :class:`PostpressError`."""
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if response.status_code == 201:
        if (
            isinstance(body, dict)
            and body.get("object") == "AccountReconnected"
            and isinstance(body.get("account_id"), str)
            and body["account_id"]
        ):
            return Reconnected(body["account_id"])
        raise PostpressError(201, None, "unexpected success body")
    envelope = body if isinstance(body, dict) else {}
    type_ = envelope.get("type")
    title, detail = envelope.get("title"), envelope.get("detail")
    raise PostpressError(
        response.status_code,
        type_ if isinstance(type_, str) else None,
        title if isinstance(title, str) else response.reason_phrase,
        detail if isinstance(detail, str) else None,
    )


class _Accounts:
    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def reconnect(self, account_id: str, body: dict[str, Any]) -> Reconnected:
        """Reconnect ``account_id`` with ``body`` (one of the documented variants)."""
        return read_response(
            self._client.post(account_path(account_id), content=encode_body(body), headers=JSON_HEADERS)
        )


class _AsyncAccounts:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def reconnect(self, account_id: str, body: dict[str, Any]) -> Reconnected:
        """Reconnect ``account_id`` with ``body`` (one of the documented variants)."""
        response = await self._client.post(account_path(account_id), content=encode_body(body), headers=JSON_HEADERS)
        return read_response(response)


@functools.cache
def _tls() -> ssl.SSLContext:
    """httpx's default TLS settings, built once for every client: building them loads the CA bundle (about
    16 ms a client), and an ``SSLContext`` is made to be shared by many connections."""
    return httpx.create_ssl_context()


class PostpressClient:
    """Synchronous client: ``PostpressClient(base_url=..., api_key=...).accounts.reconnect(id, body)``."""

    def __init__(self, *, base_url: str, api_key: str, timeout: float = 10.0) -> None:
        self._http = httpx.Client(base_url=base_url, headers={"X-API-KEY": api_key}, timeout=timeout, verify=_tls())
        self.accounts = _Accounts(self._http)

    def close(self) -> None:
        self._http.close()


class AsyncPostpressClient:
    """Asynchronous client: ``await AsyncPostpressClient(...).accounts.reconnect(id, body)``."""

    def __init__(self, *, base_url: str, api_key: str, timeout: float = 10.0) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url, headers={"X-API-KEY": api_key}, timeout=timeout, verify=_tls()
        )
        self.accounts = _AsyncAccounts(self._http)

    async def aclose(self) -> None:
        await self._http.aclose()
