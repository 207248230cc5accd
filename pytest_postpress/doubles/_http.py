"""The HTTP values the doubles pass around: request headers, recorded calls, replies, strict JSON.

Standard library only.  Shared by the request judge (:mod:`pytest_postpress.doubles._state`), both
transports and the live proxy.
"""

from __future__ import annotations

import enum
import functools
import json
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from pytest_postpress._redact import HIDDEN, SECRET_HEADERS
from pytest_postpress.errors import SecretStr

__all__ = [
    "JSON_HEADERS",
    "SECRET_HEADERS",
    "Action",
    "Headers",
    "RecordedCall",
    "Reply",
    "dumps",
    "loads_or_none",
    "parse_json",
]

JSON_HEADERS: Final[tuple[tuple[str, str], ...]] = (("Content-Type", "application/json"),)


class Action(enum.Enum):
    """What the transport does with a :class:`Reply`."""

    RESPOND = "respond"
    FAIL_CONNECTION = "fail_connection"
    TIME_OUT = "time_out"


@dataclass(frozen=True)
class Reply:
    """One answer: ``status``, ``headers`` and ``body`` to send, or a transport ``action``.

    For :attr:`Action.FAIL_CONNECTION` (close the connection without answering)
    and :attr:`Action.TIME_OUT` (never answer) ``status`` is 0 and there is no body.
    """

    status: int
    headers: tuple[tuple[str, str], ...] = JSON_HEADERS
    body: bytes = b""
    action: Action = Action.RESPOND

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or ``None`` when it is not JSON."""
        return loads_or_none(self.body)


class Headers(Mapping[str, str]):
    """Request headers: an immutable, case-insensitive mapping.

    Repeated headers are joined with ``", "`` (as HTTP allows);
    :meth:`get_list` returns them one by one and :attr:`raw` keeps the pairs
    as received.  ``repr`` never shows the values of secret headers
    (``X-API-KEY``, ``Authorization``, ``Cookie``...).
    """

    __slots__ = ("_joined", "_repeated", "raw")

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        raw: list[tuple[str, str]] = []
        # Built on every request a double receives: one dict of joined values, and the names sent more than once
        # (rare) kept apart, so that get_list() can go back to the raw pairs for them.
        joined: dict[str, str] = {}
        repeated: set[str] = set()
        for pair in pairs:
            name, value = pair if type(pair[0]) is type(pair[1]) is str else (str(pair[0]), str(pair[1]))
            key = name.lower()
            if key in SECRET_HEADERS:
                # A str whose repr is hidden: a failing assert on it in a user's test never prints the key.
                value = SecretStr(value)
            raw.append((name, value))
            if key in joined:
                joined[key] = f"{joined[key]}, {value}"
                joined[key] = SecretStr(joined[key]) if key in SECRET_HEADERS else joined[key]
                repeated.add(key)
            else:
                joined[key] = value
        self.raw: tuple[tuple[str, str], ...] = tuple(raw)
        self._joined = joined
        self._repeated = frozenset(repeated)

    def __getitem__(self, name: str) -> str:
        if not isinstance(name, str):
            raise KeyError(name)
        return self._joined[name.lower()]

    def get(self, name: str, default: Any = None) -> Any:
        """The value of header ``name`` (repeated ones joined with ``", "``), or ``default``."""
        if not isinstance(name, str):
            return default
        return self._joined.get(name.lower(), default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._joined)

    def __len__(self) -> int:
        return len(self._joined)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._joined

    def get_list(self, name: str) -> list[str]:
        """Every value of header ``name``, in the order received (empty when absent)."""
        key = name.lower()
        if key in self._repeated:
            return [value for raw_name, value in self.raw if raw_name.lower() == key]
        value = self._joined.get(key)
        return [] if value is None else [value]

    def __repr__(self) -> str:
        shown = {name: HIDDEN if name in SECRET_HEADERS else value for name, value in self._joined.items()}
        return f"Headers({shown!r})"


@dataclass(frozen=True, repr=False)
class RecordedCall:
    """One request as a test double received it.

    ``raw_path`` is the path exactly as sent (percent-escapes intact, no
    query); ``query`` is the raw query string.  ``routed`` tells whether it
    was the reconnect route (``POST {prefix}/v1/accounts/...``);
    ``account_id`` is the decoded id when the path has the reconnect shape.
    ``status`` is the status answered, or ``None`` when no answer was given
    (a forced connection failure or time-out, or a request that was not
    routed and raised in the client).  ``forced`` tells whether a forced
    answer (``respond_with`` and friends) was used.  ``received`` is when the double began to answer it
    (``time.monotonic()``): the pause between a client's attempts is read from it.
    """

    method: str
    url: str
    raw_path: str
    query: str
    headers: Headers
    content: bytes
    routed: bool
    account_id: str | None
    status: int | None
    forced: bool = False
    received: float = field(default_factory=time.monotonic)

    @functools.cached_property
    def json(self) -> Any:
        """The body parsed as JSON, or ``None`` when it is absent or not JSON."""
        return loads_or_none(self.content)

    def __repr__(self) -> str:
        answered = "no answer" if self.status is None else str(self.status)
        return f"<RecordedCall {self.method} {self.raw_path} ({len(self.content)} bytes) -> {answered}>"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# What json.loads(text, parse_constant=_reject_constant) builds on every call, built once.
_DECODER: Final = json.JSONDecoder(parse_constant=_reject_constant)


def loads_or_none(body: bytes) -> Any:
    value, problem = parse_json(body)
    return None if problem else value


def parse_json(body: bytes) -> tuple[Any, str | None]:
    """Parse ``body`` as strict JSON (UTF-8, no BOM, no NaN); return ``(value, problem)``."""
    if not body:
        return None, "the body is empty: send the JSON body of one reconnect variant"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, f"the body is not UTF-8 (byte 0x{body[error.start]:02X} at offset {error.start})"
    if text.startswith("\ufeff"):
        return None, "the body starts with a byte order mark; JSON text is UTF-8 without one (RFC 8259)"
    try:
        return _DECODER.decode(text), None
    except json.JSONDecodeError as error:
        return None, f"the body is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
    except RecursionError:
        return None, "the body is not JSON this API accepts: it is nested too deeply"
    except ValueError as error:
        return None, f"the body is not valid JSON: {error}"


_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(body: Mapping[str, Any]) -> bytes:
    return _ENCODER.encode(body).encode("utf-8")
