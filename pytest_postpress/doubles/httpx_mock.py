"""The reconnect endpoint as a route of pytest-httpx's ``httpx_mock``, answered by the same brain as the respx mock.

pytest-httpx patches every httpx transport for the test, so a respx mock never sees a request there.
:class:`PostpressHttpxMock` registers one callback on the test's ``httpx_mock`` instead: it matches every
request to the API host, is optional (pytest-httpx's "every response was requested" check is not tripped when
the test sends no reconnect) and reusable (it answers any number of requests), and answers through
:class:`~pytest_postpress.doubles._state.MockState`, so the bytes are those of ``postpress_mock``.

pytest-httpx itself is imported by nobody here: the object is passed in (pytest-postpress[pytest-httpx]).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

import httpx

from pytest_postpress.doubles._http import JSON_HEADERS, Action, Headers, Reply
from pytest_postpress.doubles._state import MockState, UnroutedRequestError
from pytest_postpress.doubles._surface import BaseUrlDouble, host_pattern, split_base_url
from pytest_postpress.errors import RetriesStopped

if TYPE_CHECKING:
    from pytest_httpx import HTTPXMock

__all__ = [
    "PostpressHttpxMock",
    "PostpressNotRouted",
    "host_pattern",
    "httpx_reply",
    "httpx_response",
    "split_base_url",
]


def httpx_reply(state: MockState, request: httpx.Request) -> httpx.Response:
    """Answer one httpx request with ``state`` (and record it); forced failures raise httpx's own errors, a
    reconnect past its bound of attempts :class:`~pytest_postpress.doubles._attempts.RetriesStopped`."""
    reply = state.answer(
        request.method,
        request.url.raw_path,
        Headers(request.headers.multi_items()),
        request.content,
        url=str(request.url),
    )
    if reply.action is Action.FAIL_CONNECTION:
        raise httpx.ConnectError("postpress mock: connection failed (forced by fail_connection())", request=request)
    if reply.action is Action.TIME_OUT:
        raise httpx.ReadTimeout("postpress mock: no answer (forced by time_out())", request=request)
    if reply.action is Action.STOP_RETRIES:
        raise RetriesStopped(state.attempts.message())
    return httpx_response(reply)


_JSON_RAW_HEADERS: Final = tuple((name.encode("ascii"), value.encode("ascii")) for name, value in JSON_HEADERS)


def httpx_response(reply: Reply) -> httpx.Response:
    """The httpx response for ``reply``, read (as ``httpx.Response(content=...)`` leaves it)."""
    if reply.headers is not JSON_HEADERS or not reply.body:
        return httpx.Response(reply.status, headers=list(reply.headers), content=reply.body)
    # The judge's own JSON answers, on every request: the same headers and state as content=... gives
    # (Content-Type, then Content-Length; body read), without httpx's generic content encoding.
    response = httpx.Response(
        reply.status,
        headers=[*_JSON_RAW_HEADERS, (b"Content-Length", str(len(reply.body)).encode("ascii"))],
        stream=httpx.ByteStream(reply.body),
    )
    response.read()
    return response


class PostpressHttpxMock(BaseUrlDouble):
    """The reconnect endpoint at ``base_url``, answered through pytest-httpx's ``httpx_mock``.

    Build it, then :meth:`install` it on the test's ``httpx_mock``; the
    ``postpress_httpx_mock`` fixture does both.  Same surface as
    :class:`~pytest_postpress.doubles.mock.PostpressMock`: ``.url``, ``.calls``,
    ``.add_account``, ``.respond_with``, ``.respond_raw``, ``.fail_connection``,
    ``.time_out``, ``.reset``.  A request to the API host that is not the
    reconnect route raises :class:`PostpressNotRouted` in the client (an
    ``AssertionError``) and is remembered for :meth:`check_all_routed`.
    """

    who = "postpress_httpx_mock"

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        accounts: Iterable[str] = (),
        any_account: bool = False,
    ) -> None:
        super().__init__(base_url=base_url, api_key=api_key, accounts=accounts, any_account=any_account)
        # Every URL of the host: the callback sorts reconnects from the rest.
        self.url_pattern = host_pattern(self._scheme, *self._host)

    def install(self, httpx_mock: HTTPXMock) -> None:
        """Register the callback on ``httpx_mock``: optional, reusable, for every request to the API host."""
        httpx_mock.add_callback(self.handle, url=self.url_pattern, is_optional=True, is_reusable=True)

    def handle(self, request: httpx.Request) -> httpx.Response | None:
        """The pytest-httpx callback: answer a request to the API host (``None``: not this host's port)."""
        __tracebackhide__ = True
        url = request.url
        if (url.host, url.port or (443 if url.scheme == "https" else 80)) != self._host or url.scheme != self._scheme:
            return None  # pytest-httpx then says no response was found, as for any unmatched request
        if self.state.is_reconnect_route(request.method, url.raw_path) or not self.state.assert_all_routed:
            return httpx_reply(self.state, request)
        self.state.record_unrouted(
            request.method, url.raw_path, Headers(request.headers.multi_items()), request.content, url=str(url)
        )
        raise PostpressNotRouted(
            self._not_the_route(
                "It answers", "Fix the client's method or URL, or set assert_all_routed = False to answer it 404."
            )
        )

    def __repr__(self) -> str:
        return f"<PostpressHttpxMock {self.base_url} calls={len(self.state.calls)}>"


class PostpressNotRouted(UnroutedRequestError):
    """A request reached the API host through pytest-httpx or responses but is not the reconnect route."""
