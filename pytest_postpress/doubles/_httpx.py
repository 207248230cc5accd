"""The one httpx reply adapter of the doubles that answer inside an httpx client (respx, pytest-httpx, and the
direct session of the ``"responses"`` transport): a request in, the answerer's :class:`Reply` out as an
``httpx.Response``, forced failures raised as httpx's own errors."""

from __future__ import annotations

from typing import Final

import httpx

from pytest_postpress.doubles._http import JSON_HEADERS, Action, Headers, Reply
from pytest_postpress.doubles._state import Answerer

__all__ = ["httpx_reply", "httpx_response"]


def httpx_reply(answerer: Answerer, request: httpx.Request) -> httpx.Response:
    """Answer one httpx request with ``answerer`` (which records it); forced failures raise httpx's own errors."""
    reply = answerer.answer(
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
