"""A small reference client of ``POST /v1/accounts/{id}`` built on requests.

Not built on httpx, so its contract suite runs on the loopback server
(``postpress_transport = "server"``) or inside ``responses``
(``postpress_transport = "responses"``) instead of respx.
"""

from __future__ import annotations

from typing import Any

import requests
from postpress_httpx import JSON_HEADERS, PostpressError, Reconnected, account_path, encode_body


class PostpressRequestsClient:
    """``PostpressRequestsClient(base_url=..., api_key=...).reconnect(id, body)``."""

    def __init__(self, *, base_url: str, api_key: str, timeout: float = 10.0) -> None:
        self._base_url = base_url.rstrip("/")
        self._session = requests.Session()
        self._session.headers["X-API-KEY"] = api_key
        self._timeout = timeout

    def reconnect(self, account_id: str, body: dict[str, Any]) -> Reconnected:
        """Reconnect ``account_id`` with ``body``; raises :class:`PostpressError` on anything but a 201."""
        if account_id in {".", ".."}:
            # requests turns %2E back into "." before sending: these two ids cannot be sent safely with it.
            raise ValueError(f"the account id {account_id!r} cannot be sent as a path segment with requests")
        response = self._session.post(
            self._base_url + account_path(account_id),
            data=encode_body(body),
            headers=JSON_HEADERS,
            timeout=self._timeout,
        )
        try:
            payload: Any = response.json()
        except ValueError:
            payload = None
        if response.status_code == 201:
            if isinstance(payload, dict) and payload.get("object") == "AccountReconnected":
                account = payload.get("account_id")
                if isinstance(account, str) and account:
                    return Reconnected(account)
            raise PostpressError(201, None, "unexpected success body")
        envelope = payload if isinstance(payload, dict) else {}
        type_ = envelope.get("type")
        raise PostpressError(response.status_code, type_ if isinstance(type_, str) else None, envelope.get("title"))

    def close(self) -> None:
        self._session.close()
