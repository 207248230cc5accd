"""The contract suite against the reference httpx clients, on the built-in respx mock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from postpress_httpx import AsyncPostpressClient, PostpressClient

from pytest_postpress import ReconnectContract

# The timeout both clients are built with, declared so that the suite checks they give up in time. Short: the
# respx mock answers at once, and only test_client_timeout meets a server that holds its answer.
TIMEOUT = 0.25


class TestHttpxClient(ReconnectContract):
    @pytest.fixture
    def postpress_client_timeout(self) -> float:
        return TIMEOUT

    @pytest.fixture
    def postpress_reconnect(self, postpress_base_url: str, postpress_api_key: str) -> Iterator[Callable[..., Any]]:
        client = PostpressClient(base_url=postpress_base_url, api_key=postpress_api_key, timeout=TIMEOUT)
        yield client.accounts.reconnect
        client.close()


class TestAsyncHttpxClient(ReconnectContract):
    @pytest.fixture
    def postpress_client_timeout(self) -> float:
        return TIMEOUT

    @pytest.fixture
    def postpress_reconnect(
        self, postpress_base_url: str, postpress_api_key: str, postpress_event_loop: asyncio.AbstractEventLoop
    ) -> Iterator[Callable[..., Any]]:
        client = AsyncPostpressClient(base_url=postpress_base_url, api_key=postpress_api_key, timeout=TIMEOUT)
        yield client.accounts.reconnect
        postpress_event_loop.run_until_complete(client.aclose())
