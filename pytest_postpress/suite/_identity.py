"""How the contract suite tells which error a client raised (the default ``postpress_error_identity``).

Duck-typed on purpose: no client library is imported, so it reads httpx,
requests and aiohttp exceptions alike, and any exception class of a user's
SDK that carries ``status``/``status_code`` and ``type``/``error_type``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ErrorIdentity", "default_error_identity"]

ErrorIdentity = tuple[int, str | None]


def _status(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 100 <= value <= 599:
        return value
    # Enum-like statuses such as http.HTTPStatus are ints already; strings are not trusted.
    return None


def _envelope_type(response: Any) -> str | None:
    """The ``type`` of a response's JSON envelope, or ``None`` (never raises)."""
    try:
        body = response.json()
    except Exception:
        return None
    if isinstance(body, dict) and isinstance(body.get("type"), str):
        return str(body["type"])
    return None


def _identity_of(error: BaseException) -> ErrorIdentity | None:
    status = _status(getattr(error, "status", None))
    if status is None:
        status = _status(getattr(error, "status_code", None))
    raw_type = getattr(error, "type", None)
    if not isinstance(raw_type, str):
        raw_type = getattr(error, "error_type", None)
    type_ = raw_type if isinstance(raw_type, str) else None
    try:
        response = getattr(error, "response", None)
    except Exception:  # some libraries raise from a property when no response exists
        response = None
    if response is not None:
        response_status = _status(getattr(response, "status_code", None))
        if response_status is None:
            response_status = _status(getattr(response, "status", None))
        if status is None:
            status = response_status
        if type_ is None and response_status is not None:
            type_ = _envelope_type(response)
    if status is None:
        return None
    return (status, type_)


def _shown_cause(error: BaseException) -> BaseException | None:
    """The exception traceback printing shows before ``error``: its ``__cause__``, else its ``__context__`` unless
    ``raise ... from None`` suppressed it (an error the caller never sees tells the caller nothing)."""
    if error.__cause__ is not None:
        return error.__cause__
    return None if error.__suppress_context__ else error.__context__


def default_error_identity(error: BaseException) -> ErrorIdentity | None:
    """Return ``(status, type)`` for an exception a client raised, or ``None``.

    Reads ``status``/``status_code`` and ``type``/``error_type`` attributes, an
    attached ``response`` (``httpx.HTTPStatusError``, ``requests.HTTPError``):
    its status and its envelope's ``type``; then follows the chain the caller
    sees, as Python's traceback shows it: ``__cause__``, else ``__context__``
    unless suppressed (``raise ... from None``).  ``type`` is ``None`` where no
    type could be read.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        identity = _identity_of(current)
        if identity is not None:
            return identity
        current = _shown_cause(current)
    return None
