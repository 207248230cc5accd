"""The contract suite against the reference requests client: on the loopback HTTP server and inside ``responses``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from postpress_requests import PostpressRequestsClient

from pytest_postpress import ReconnectContract


class TestRequestsClient(ReconnectContract):
    @pytest.fixture
    def postpress_transport(self) -> str:
        return "server"

    @pytest.fixture
    def postpress_client_timeout(self) -> float:
        return 0.5  # every check meets the loopback server, whose answers take about a millisecond

    @pytest.fixture
    def postpress_reconnect(
        self, postpress_base_url: str, postpress_api_key: str, postpress_client_timeout: float
    ) -> Iterator[Callable[..., Any]]:
        client = PostpressRequestsClient(
            base_url=postpress_base_url, api_key=postpress_api_key, timeout=postpress_client_timeout
        )
        yield client.reconnect
        client.close()


@pytest.mark.postpress_mock_only  # live, the transport makes no difference: TestRequestsClient covers it
class TestRequestsClientOnResponses(TestRequestsClient):
    """The same client answered by ``postpress_responses`` (no socket): what a suite mocking with responses runs."""

    @pytest.fixture
    def postpress_transport(self) -> str:
        return "responses"
