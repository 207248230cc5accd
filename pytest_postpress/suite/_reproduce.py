"""One line to reproduce a live failure: the ``curl`` command that sends the same request again.

The key is never on the line: ``-H "X-API-KEY: $POSTPRESS_API_KEY"`` takes it from the environment (any other
place the key was sent, such as an ``Authorization`` header or the URL, reads the same variable).  A body with
no secret in it goes inline; the ``--postpress-reconnect-body`` file's body is that file itself; a body with a
secret goes to a file (mode 0600 every time, its folder 0700) that the line reads.  In that file the key and each
secret value of the reconnect body never appear in clear: each is written as ``${VARIABLE}`` and the line fills
them from the environment with ``envsubst`` (``POSTPRESS_API_KEY`` for the key,
``POSTPRESS_RECONNECT_<FIELD>`` for a secret field of the reconnect body); any other secret of the session reads
``<hidden>``.  A secret field the client drew itself (a fake password) stays, readable by the owner only.
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

from pytest_postpress._redact import HIDDEN, SECRET_HEADERS, Scrubber, body_of, secret_items

if TYPE_CHECKING:
    from pytest_postpress.suite.live import Exchange

__all__ = ["ENV_KEY", "curl_lines"]

ENV_KEY: Final = "POSTPRESS_API_KEY"
ENV_RECONNECT: Final = "POSTPRESS_RECONNECT_"
# Headers curl sets itself, or that only make sense for one connection.
_SKIP: Final = frozenset({"host", "content-length", "connection", "keep-alive", "transfer-encoding", "accept-encoding"})
_UNSAFE_NAME: Final = re.compile(r"[^A-Za-z0-9_.-]+")


def _double_quoted(text: str) -> str:
    """``text`` inside double quotes for a POSIX shell, ``$POSTPRESS_API_KEY`` left to expand."""
    escaped = re.sub(r'([\\"`$])', r"\\\1", text)
    return '"' + escaped.replace("\\$" + ENV_KEY, "$" + ENV_KEY) + '"'


def _with_key(text: str, api_key: str, scrubber: Scrubber) -> str:
    """``text`` quoted for the shell; where it holds the key, the key is read from the environment; any other
    secret of the session is hidden."""
    if api_key and api_key in text:
        parts = [scrubber.text(part) for part in text.split(api_key)]
        return _double_quoted(("$" + ENV_KEY).join(parts))
    return shlex.quote(scrubber.text(text))


def _same_json(content: bytes, path: Path) -> bool:
    try:
        return bool(body_of(content) == json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, ValueError):
        return False


def reconnect_fills(path: Path | None) -> dict[str, str]:
    """Each secret value of the ``--postpress-reconnect-body`` file and the variable that fills it in a body file
    (``POSTPRESS_RECONNECT_PASSWORD``, ``POSTPRESS_RECONNECT_PASSWORD_2``...)."""
    if path is None:
        return {}
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    fills: dict[str, str] = {}
    for name, value in secret_items(body):
        if value not in fills:
            variable = ENV_RECONNECT + _UNSAFE_NAME.sub("_", name).upper()
            taken = set(fills.values())
            number = 2
            unique = variable
            while unique in taken:
                unique, number = f"{variable}_{number}", number + 1
            fills[value] = unique
    return fills


def _spellings(value: str) -> list[str]:
    """How ``value`` reads in a body decoded as latin-1: its UTF-8 or latin-1 bytes, JSON-escaped or not."""
    found: list[str] = []
    for form in (value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]):
        found.append(form.encode("utf-8", "surrogatepass").decode("latin-1"))
        try:
            form.encode("latin-1")
            found.append(form)
        except UnicodeEncodeError:
            pass
    return sorted(set(found), key=len, reverse=True)


def _filled(content: bytes, fills: dict[str, str], scrubber: Scrubber) -> tuple[bytes, list[str]]:
    """``content`` with each value of ``fills`` written as ``${VARIABLE}``, every other known secret hidden; and
    the variables used."""
    text = content.decode("latin-1")
    used: list[str] = []
    for value, variable in sorted(fills.items(), key=lambda item: len(item[0]), reverse=True):
        for spelled in _spellings(value):
            if spelled in text:
                text = text.replace(spelled, "${" + variable + "}")
                used += [variable] if variable not in used else []
    # What is left of a known secret (another spelling, a registered secret): hidden, never written.
    pieces = re.split(r"(\$\{[A-Z0-9_]+\})", text)
    kept = "".join(piece if re.fullmatch(r"\$\{[A-Z0-9_]+\}", piece) else scrubber.text(piece) for piece in pieces)
    return kept.encode("latin-1"), used


def _body_file(folder: Path, test: str, content: bytes) -> Path:
    name = _UNSAFE_NAME.sub("_", test.rsplit("::", 1)[-1]).strip("_")[:80] or "request"
    path = folder / f"{name}-{zlib.crc32(test.encode('utf-8') + content):08x}.json"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    # The body holds what the client sent: readable by its owner only, an existing file too.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        os.fchmod(file.fileno(), 0o600)
        file.write(content)
    return path


def _body(exchange: Exchange, api_key: str, bodies: Path, reconnect_body: Path | None, scrubber: Scrubber) -> list[str]:
    content = exchange.request_content
    if reconnect_body is not None and _same_json(content, reconnect_body):
        return ["--data-binary", shlex.quote("@" + str(reconnect_body))]
    secrets = scrubber.child()
    secrets.add_body(body_of(content))
    if secrets.scrub_bytes(content) == content:
        return ["--data-binary", shlex.quote(secrets.decoded(content))]
    fills = {**reconnect_fills(reconnect_body), api_key: ENV_KEY} if api_key else reconnect_fills(reconnect_body)
    written, used = _filled(content, fills, scrubber)
    try:
        path = _body_file(bodies, exchange.test, written)
    except OSError as error:
        return ["--data-binary", shlex.quote(f"{HIDDEN} (the body could not be saved in {bodies}: {error.strerror})")]
    if not used:
        return ["--data-binary", shlex.quote("@" + str(path))]
    variables = " ".join("$" + variable for variable in used)
    return ["--data-binary", f'"$(envsubst {shlex.quote(variables)} < {shlex.quote(str(path))})"']


def curl_line(
    exchange: Exchange,
    *,
    api_key: str,
    bodies: Path,
    reconnect_body: Path | None = None,
    scrubber: Scrubber | None = None,
) -> str:
    """The ``curl`` command that sends ``exchange``'s request again; no secret on it."""
    scrubber = scrubber.child() if scrubber is not None else Scrubber()
    scrubber.add(api_key, *reconnect_fills(reconnect_body))
    parts = [
        "curl",
        "-i",
        "--globoff",
        "--path-as-is",
        "-X",
        shlex.quote(exchange.method),
        _with_key(exchange.url, api_key, scrubber),
    ]
    for name, value in exchange.request_headers:
        lowered = name.lower()
        if lowered in _SKIP or (lowered == "user-agent" and value.startswith("python-httpx/")):
            continue
        if lowered in SECRET_HEADERS and not (api_key and api_key in value):
            # A credential other than the configured key: never printed; the line says so instead.
            parts += ["-H", shlex.quote(f"{name}: {HIDDEN} (not ${ENV_KEY}: set it by hand)")]
            continue
        parts += ["-H", _with_key(f"{name}: {value}", api_key, scrubber)]
    if exchange.request_content:
        parts += _body(exchange, api_key, bodies, reconnect_body, scrubber)
    return " ".join(parts)


def curl_lines(
    exchanges: Iterable[Exchange],
    *,
    api_key: str,
    bodies: Path,
    reconnect_body: Path | None = None,
    scrubber: Scrubber | None = None,
) -> list[str]:
    """One line per distinct request among ``exchanges`` (a retried request once), in the order sent."""
    lines: list[str] = []
    for exchange in exchanges:
        line = curl_line(exchange, api_key=api_key, bodies=bodies, reconnect_body=reconnect_body, scrubber=scrubber)
        if line not in lines:
            lines.append(line)
    return lines
