"""Fixtures of live mode (``--postpress-live``); heavy imports happen inside the fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from pytest_postpress._keys import settings_of

if TYPE_CHECKING:
    from pytest_postpress.suite.live import LiveProxy, LiveSession


@pytest.fixture(scope="session")
def postpress_live_session(pytestconfig: pytest.Config) -> Iterator[LiveSession]:
    """The connection to the real server in live mode: request budget, timeout, retries, response validation.

    ``session.send(method, target, headers, content)`` sends one request (counted against
    ``--postpress-max-requests``) and returns ``(response, exchange)``; ``exchange.violations`` lists
    what is outside the documented contract.  Skips the test without ``--postpress-live``.
    """
    settings = settings_of(pytestconfig)
    if not settings.live:
        pytest.skip("postpress_live_session needs --postpress-live (a real server to talk to)")
    from pytest_postpress.suite.live import LiveSession

    session = LiveSession(
        base_url=settings.base_url,
        max_requests=settings.max_requests,
        timeout=settings.timeout,
        retries=settings.retries,
    )
    yield session
    session.close()


@pytest.fixture(scope="session")
def postpress_live_proxy(pytestconfig: pytest.Config, postpress_live_session: LiveSession) -> Iterator[LiveProxy]:
    """A loopback proxy in front of the live server: give its ``.url`` to a client to record and check its traffic."""
    from pytest_postpress.suite.live import LiveProxy

    proxy = LiveProxy(postpress_live_session, api_key=settings_of(pytestconfig).api_key)
    proxy.start()
    yield proxy
    proxy.stop()
