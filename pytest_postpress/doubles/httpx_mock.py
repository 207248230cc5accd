"""The reconnect endpoint as a route of pytest-httpx's ``httpx_mock``, answered by the same brain as the respx mock.

pytest-httpx patches every httpx transport for the test, so a respx mock never sees a request there.
:class:`PostpressHttpxMock` registers one callback on the test's ``httpx_mock`` instead: it matches every
request to the API host, is optional (pytest-httpx's "every response was requested" check is not tripped when
the test sends no reconnect) and reusable (it answers any number of requests), and answers through
:class:`~pytest_postpress.doubles._state.MockState`, so the bytes are those of ``postpress_mock``.

pytest-httpx itself is imported by nobody here: the object is passed in (pytest-postpress[pytest-httpx]).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from pytest_postpress.doubles._http import Headers
from pytest_postpress.doubles._httpx import httpx_reply, httpx_response
from pytest_postpress.doubles._surface import BaseUrlDouble, PostpressNotRouted, host_pattern, split_base_url

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

    def _attach(self) -> None:
        # Every URL of the host: the callback sorts reconnects from the rest.
        self.url_pattern = host_pattern(self._scheme, *self._host)

    def install(self, httpx_mock: HTTPXMock) -> None:
        """Register the callback on ``httpx_mock``: optional, reusable, for every request to the API host."""
        httpx_mock.add_callback(self.handle, url=self.url_pattern, is_optional=True, is_reusable=True)

    def handle(self, request: httpx.Request) -> httpx.Response | None:
        """The pytest-httpx callback: answer a request to the API host (``None``: not this host's port)."""
        __tracebackhide__ = True
        url = request.url
        if not self._on_host(url.scheme, url.host, url.port):
            return None  # pytest-httpx then says no response was found, as for any unmatched request
        if self._answers(request.method, url.raw_path):
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
