"""One line to reproduce a live failure: the ``curl`` command that sends the same request again.

The key is never on the line: ``-H "X-API-KEY: $POSTPRESS_API_KEY"`` takes it from the environment (any other
place the key was sent, such as an ``Authorization`` header or the URL, reads the same variable).  A body with
no secret in it goes inline; a body with a secret field (the schema's ``writeOnly`` fields) goes to a file
(written with mode 0600) that the line reads with ``--data-binary @FILE``, or, when it is the
``--postpress-reconnect-body`` file's body, that file itself.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Final

from pytest_postpress.doubles._http import SECRET_HEADERS
from pytest_postpress.suite._har import hide_secrets

if TYPE_CHECKING:
    from pytest_postpress.suite.live import Exchange

__all__ = ["ENV_KEY", "curl_lines"]

ENV_KEY: Final = "POSTPRESS_API_KEY"
# Headers curl sets itself, or that only make sense for one connection.
_SKIP: Final = frozenset({"host", "content-length", "connection", "keep-alive", "transfer-encoding", "accept-encoding"})
_UNSAFE_NAME: Final = re.compile(r"[^A-Za-z0-9_.-]+")


def _double_quoted(text: str) -> str:
    """``text`` inside double quotes for a POSIX shell, ``$POSTPRESS_API_KEY`` left to expand."""
    escaped = re.sub(r'([\\"`$])', r"\\\1", text)
    return '"' + escaped.replace("\\$" + ENV_KEY, "$" + ENV_KEY) + '"'


def _with_key(text: str, api_key: str) -> str:
    """``text`` quoted for the shell; where it holds the key, the key is read from the environment."""
    if len(api_key) >= 4 and api_key in text:
        return _double_quoted(text.replace(api_key, "$" + ENV_KEY))
    return shlex.quote(text)


def _has_secret(content: bytes, api_key: str) -> bool:
    if len(api_key) >= 4 and api_key.encode("utf-8", "replace") in content:
        return True
    try:
        value = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return False
    return bool(hide_secrets(value) != value)


def _same_json(content: bytes, path: Path) -> bool:
    try:
        return bool(json.loads(content.decode("utf-8")) == json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, ValueError):
        return False


def _body_file(folder: Path, test: str, content: bytes) -> Path:
    name = _UNSAFE_NAME.sub("_", test.rsplit("::", 1)[-1]).strip("_")[:80] or "request"
    path = folder / f"{name}-{zlib.crc32(test.encode('utf-8') + content):08x}.json"
    folder.mkdir(parents=True, exist_ok=True)
    # The body holds what the client sent, secrets included: readable by its owner only.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    return path


def curl_line(exchange: Exchange, *, api_key: str, bodies: Path, reconnect_body: Path | None = None) -> str:
    """The ``curl`` command that sends ``exchange``'s request again; no secret on it."""
    parts = [
        "curl",
        "-i",
        "--globoff",
        "--path-as-is",
        "-X",
        shlex.quote(exchange.method),
        _with_key(exchange.url, api_key),
    ]
    for name, value in exchange.request_headers:
        lowered = name.lower()
        if lowered in _SKIP or (lowered == "user-agent" and value.startswith("python-httpx/")):
            continue
        if lowered in SECRET_HEADERS and not (len(api_key) >= 4 and api_key in value):
            # A credential other than the configured key: never printed; the line says so instead.
            parts += ["-H", shlex.quote(f"{name}: [hidden: not ${ENV_KEY}, set it by hand]")]
            continue
        parts += ["-H", _with_key(f"{name}: {value}", api_key)]
    content = exchange.request_content
    if content:
        if reconnect_body is not None and _same_json(content, reconnect_body):
            parts += ["--data-binary", shlex.quote("@" + str(reconnect_body))]
        elif _has_secret(content, api_key):
            parts += ["--data-binary", shlex.quote("@" + str(_body_file(bodies, exchange.test, content)))]
        else:
            parts += ["--data-binary", shlex.quote(content.decode("utf-8", "replace"))]
    return " ".join(parts)


def curl_lines(
    exchanges: Iterable[Exchange], *, api_key: str, bodies: Path, reconnect_body: Path | None = None
) -> list[str]:
    """One line per distinct request among ``exchanges`` (a retried request once), in the order sent."""
    lines: list[str] = []
    for exchange in exchanges:
        line = curl_line(exchange, api_key=api_key, bodies=bodies, reconnect_body=reconnect_body)
        if line not in lines:
            lines.append(line)
    return lines
