"""The reconnect endpoint as a callback route of ``responses``, answered by the same brain as the respx mock.

``responses`` patches ``requests``' ``HTTPAdapter.send`` while a ``responses.RequestsMock`` is active, so
every requests call (loopback included) is answered from its registry.  :class:`PostpressResponses` adds
one route to that registry: it matches every method on the API host and answers through
:class:`~pytest_postpress.doubles._state.MockState`, so the bytes are those of ``postpress_mock``.

Needs ``responses`` (pytest-postpress[responses]); only the fixture and the contract suite's
``"responses"`` transport import this module.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable

import requests
import requests.adapters
import responses

from pytest_postpress._compat import active_requests_mock
from pytest_postpress.doubles._http import Action, Headers
from pytest_postpress.doubles._surface import BaseUrlDouble, PostpressNotRouted, host_pattern

__all__ = ["PostpressResponses", "active_requests_mock"]


def _body_bytes(body: object) -> bytes:
    """The bytes requests sends for a prepared body (str bodies are sent UTF-8 encoded by urllib3 2)."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytearray | memoryview):
        return bytes(body)
    if hasattr(body, "read"):
        return _body_bytes(body.read())
    if isinstance(body, Iterable):  # a generator body: chunked upload
        return b"".join(_body_bytes(chunk) for chunk in body)
    raise TypeError(f"cannot read a request body of type {type(body).__name__}")


class _Route(responses.CallbackResponse):
    """A callback route for every method on one host (``responses`` routes match one method otherwise)."""

    def __init__(self, owner: PostpressResponses) -> None:
        super().__init__("POST", owner.url_pattern, callback=owner.handle, content_type=None)
        self._owner = owner

    def matches(self, request: requests.PreparedRequest) -> tuple[bool, str]:
        if self._owner.url_pattern.match(str(request.url)) is None:
            return False, "URL does not match"
        return True, ""

    def __repr__(self) -> str:
        return f"<postpress reconnect route {self._owner.base_url} (every method)>"


class PostpressResponses(BaseUrlDouble):
    """The reconnect endpoint at ``base_url``, answered as a route of a ``responses.RequestsMock``.

    Build it, then :meth:`install` it on an active mock (:meth:`uninstall`
    when done); the ``postpress_responses`` fixture does that.  Same surface
    as :class:`~pytest_postpress.doubles.mock.PostpressMock`; forced failures
    raise ``requests.ConnectionError`` and ``requests.ReadTimeout``.  A request
    to the API host that is not the reconnect route raises an
    ``AssertionError`` in the client and is remembered for :meth:`check_all_routed`.
    """

    who = "postpress_responses"

    def _attach(self) -> None:
        self.url_pattern = host_pattern(self._scheme, *self._host)
        self.route: responses.BaseResponse = _Route(self)
        self.requests_mock: responses.RequestsMock | None = None

    def install(self, requests_mock: responses.RequestsMock) -> None:
        """Add the route to ``requests_mock``'s registry (first, so that it wins over broader user routes)."""
        requests_mock.add(self.route)
        registered = requests_mock.registered()
        registered.insert(0, registered.pop())
        self.requests_mock = requests_mock

    def uninstall(self) -> None:
        """Take the route out of the registry again, so that ``assert_all_requests_are_fired`` never counts it."""
        if self.requests_mock is not None:
            registered = self.requests_mock.registered()
            registered[:] = [route for route in registered if route is not self.route]
            self.requests_mock = None

    def handle(self, request: requests.PreparedRequest) -> tuple[int, list[tuple[str, str]], bytes] | Exception:
        """The ``responses`` callback: ``(status, headers, body)``, or the exception to raise in the client."""
        __tracebackhide__ = True
        url = str(request.url)
        parts = urllib.parse.urlsplit(url)
        method = str(request.method)
        target = (request.path_url or "/").encode("ascii", "surrogateescape")
        headers = Headers((str(name), str(value)) for name, value in request.headers.items())
        body = _body_bytes(request.body)
        if self._on_host(parts.scheme, parts.hostname, parts.port) and self._answers(method, target):
            reply = self.state.answer(method, target, headers, body, url=url)
            if reply.action is Action.FAIL_CONNECTION:
                return requests.ConnectionError(
                    "postpress_responses: connection failed (forced by fail_connection())", request=request
                )
            if reply.action is Action.TIME_OUT:
                return requests.ReadTimeout("postpress_responses: no answer (forced by time_out())", request=request)
            return reply.status, list(reply.headers), reply.body
        self.state.record_unrouted(method, target, headers, body, url=url)
        raise PostpressNotRouted(
            self._not_the_route(
                "It answers", "Fix the client's method or URL, or set assert_all_routed = False to answer it 404."
            )
        )

    def __repr__(self) -> str:
        return f"<PostpressResponses {self.base_url} calls={len(self.state.calls)}>"
