"""A respx mock of ``POST {base}/v1/accounts/{id}`` that answers the way the documented API does.

:class:`PostpressMock` puts the transport-independent brain
(:class:`~pytest_postpress.doubles._state.MockState`) behind a respx router:
while it is active, every httpx client (sync or async) that talks to the
base URL is answered by rule 22 (python -m pytest_postpress rules 22), and every call is recorded.

A request to the mock's host that is not the reconnect route raises
:class:`PostpressNotMocked` in the client (an ``AssertionError``, so it fails
the test) and is remembered, so that the test still fails when the client
swallowed the exception.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx
import respx
from respx.models import AllMockedAssertionError

from pytest_postpress.doubles._http import Headers
from pytest_postpress.doubles._httpx import httpx_reply
from pytest_postpress.doubles._state import UnroutedRequestError
from pytest_postpress.doubles._surface import BaseUrlDouble, LeavesWithBlock

__all__ = ["PostpressMock", "PostpressNotMocked"]


class PostpressNotMocked(UnroutedRequestError, AllMockedAssertionError):
    """A request reached the mock's host but is not the reconnect route.

    Also a respx ``AllMockedAssertionError``, so another active respx router
    still gets its chance to answer the request.
    """


class _Router(respx.MockRouter):
    """A respx router that words "not mocked" for the postpress host in our terms."""

    def __init__(self, owner: PostpressMock, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._owner = owner

    def handler(self, request: httpx.Request) -> httpx.Response:
        __tracebackhide__ = True
        answered = self._owner._reconnect(request)
        if answered is not None:
            return answered
        try:
            return super().handler(request)
        except AllMockedAssertionError:
            return self._owner._not_routed(request)

    async def async_handler(self, request: httpx.Request) -> httpx.Response:
        __tracebackhide__ = True
        answered = self._owner._reconnect(request)
        if answered is not None:
            return answered
        try:
            return await super().async_handler(request)
        except AllMockedAssertionError:
            return self._owner._not_routed(request)


class PostpressMock(LeavesWithBlock, BaseUrlDouble):
    """The reconnect endpoint, mocked with respx at ``base_url`` (origin plus any path prefix).

    ``api_key`` is the ``X-API-KEY`` it accepts, ``accounts`` the ids that
    exist (``any_account=True``: every id).  Use it as a context manager (or
    :meth:`start`/:meth:`stop`); the ``postpress_mock`` fixture does that
    for you.  :attr:`router` is the respx router: add your own routes to it.
    """

    who = "postpress_mock"

    def _attach(self) -> None:
        self.router: respx.MockRouter = _Router(self, assert_all_called=False, base_url=self.base_url)
        # The router answers a reconnect itself, before matching the other routes (one way to the answer, and
        # no per-call side-effect introspection); this named route, which matches nothing by itself, keeps
        # the reconnects' respx calls.
        self._route = self.router.route(method="POST", name="postpress_reconnect", path__regex=r"(?!)")
        self._active = False

    # -- respx glue ------------------------------------------------------------------------------

    def _answer(self, request: httpx.Request) -> httpx.Response:
        return httpx_reply(self.state, request)

    def _reconnect(self, request: httpx.Request) -> httpx.Response | None:
        """Answer a reconnect and record it on the respx route, as respx would; ``None`` when not ours."""
        __tracebackhide__ = True
        url = request.url
        if not self._on_host(url.scheme, url.host, url.port) or not self.state.is_reconnect_route(
            request.method, url.raw_path
        ):
            return None
        try:
            response = self._answer(request)
        except httpx.TransportError:
            self.router.record(request, response=None, route=self._route)
            raise
        self.router.record(request, response=response, route=self._route)
        return response

    def _not_routed(self, request: httpx.Request) -> httpx.Response:
        __tracebackhide__ = True
        url = request.url
        method = request.method
        if not self._on_host(url.scheme, url.host, url.port):
            raise PostpressNotMocked(
                f"postpress_mock: {method} {url.scheme}://{url.netloc.decode('ascii', 'replace')}{url.path} "
                f"went to a host the mock does not serve and no respx route matched it; the mock serves "
                f"{self.base_url}. Point the client at postpress_mock.url, or add a route on postpress_mock.router."
            ) from None
        headers = Headers(request.headers.multi_items())
        if not self.state.assert_all_routed:
            return self._answer(request)
        self.state.record_unrouted(method, url.raw_path, headers, request.content, url=str(url))
        raise PostpressNotMocked(
            self._not_the_route(
                "The mock answers",
                "Fix the client's method or URL, or add a respx route for it on postpress_mock.router.",
            )
        ) from None

    # -- life cycle ------------------------------------------------------------------------------

    def start(self) -> None:
        """Start answering: patch httpx through respx."""
        self.router.start()
        self._active = True

    def stop(self, *, quiet: bool = False) -> None:
        """Stop answering; unless ``quiet``, raise if a request was not the reconnect route."""
        if self._active:
            self._active = False
            self.router.stop(quiet=True)
        if not quiet and self.state.assert_all_routed:
            self.check_all_routed()

    def __enter__(self) -> PostpressMock:
        self.start()
        return self

    def _leave(self, failed: bool) -> None:
        self.stop(quiet=failed)

    async def __aenter__(self) -> PostpressMock:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, traceback)

    def __repr__(self) -> str:
        return f"<PostpressMock {self.base_url} calls={len(self.state.calls)}>"
