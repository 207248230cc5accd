"""The one place that hides secrets: :data:`HIDDEN`, :func:`secret_values` and the :class:`Scrubber` every output
goes through, plus the two small text helpers the messages share.

Secret fields are the schema's ``writeOnly`` ones (passwords, tokens, cookie values, session ids and headers);
secret headers are :data:`SECRET_HEADERS`; the API key is a :class:`~pytest_postpress.errors.SecretStr`.  A
:class:`Scrubber` is built from the secrets of a run (the key, the reconnect body's secret values, every body the
run sent, whatever another part registers with :meth:`Scrubber.add`) and hides each of them in text, bytes, JSON
values, headers and URLs, in every spelling a program prints it in: literal, %-encoded (upper and lower case hex,
``+`` for a space), JSON-escaped (``\\uXXXX``, ``\\/``), base64 (standard and URL-safe, at any alignment, and inside
an ``Authorization: Basic`` value) and its UTF-8 bytes read as latin-1.  Whatever its length: a secret of 1-3
characters is hidden too (:attr:`Scrubber.short` names them, for the one note the summary prints).

Text is scrubbed last, after any clipping (:meth:`Scrubber.clip` scrubs, cuts, then scrubs the cut text again, so no
first characters of a secret survive a cut).  Contract layer: standard library and the schema.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any, Final

from pytest_postpress import schema as _schema

__all__ = [
    "HIDDEN",
    "SECRET_FIELDS",
    "SECRET_HEADERS",
    "SHORT",
    "Redacted",
    "Scrubber",
    "body_of",
    "clip",
    "json_type",
    "redact",
    "redacted_json",
    "secret_items",
    "secret_values",
    "show",
    "url_shown",
]

HIDDEN: Final = "<hidden>"
# Header names whose values are never shown (repr, messages, logs, recordings).
SECRET_HEADERS: Final = frozenset({"x-api-key", "authorization", "proxy-authorization", "cookie", "set-cookie"})
# A secret this short is hidden too, but hiding it may blank out ordinary text: the summary says so, once.
SHORT: Final = 4


def _secret_names() -> frozenset[str]:
    """Field names whose values are secret in some variant (the schema's ``writeOnly`` marks)."""
    names: set[str] = set()

    def walk(node: Any, name: str) -> None:
        if isinstance(node, Mapping):
            if node.get("writeOnly"):
                names.add(name)
            for key, sub in node.get("properties", {}).items():
                walk(sub, key)
            for key in ("items", "additionalProperties"):
                if isinstance(node.get(key), Mapping):
                    walk(node[key], name)
            for sub in node.get("anyOf", []):
                walk(sub, name)

    for variant in _schema.VARIANTS:
        walk(_schema.variant_schema(variant), "")
    return frozenset(names)


SECRET_FIELDS = _secret_names()


def clip(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters, ``...`` marking the cut (text that may hold a secret: use
    :meth:`Scrubber.clip`)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def json_type(value: object) -> str:
    """The JSON Schema type of a parsed JSON value; an integral number (``993.0``) is an integer (rule 10)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def _is_pair(item: Any) -> bool:
    return isinstance(item, list | tuple) and len(item) == 2 and isinstance(item[0], str)


def _embedded(text: str) -> Any:
    """The JSON object or array a string body holds (a body sent as a JSON string of JSON), else ``None``."""
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            value = json.loads(stripped)
        except ValueError:
            return None
        return value if isinstance(value, dict | list) else None
    return None


def _form_pairs(text: str) -> list[tuple[str, str]]:
    """``name=value&...`` pairs of a string body that reads as a form (a client that sent its body as a form)."""
    if "=" not in text or text.strip()[:1] in ("{", "[", '"'):
        return []
    return urllib.parse.parse_qsl(text, keep_blank_values=True)


def secret_items(value: Any, key: str | None = None) -> list[tuple[str, str]]:
    """Every ``(field name, string value)`` of a secret field of a body, at any depth and in any JSON shape:
    objects, arrays, lists of ``[name, value]`` pairs, a string holding JSON text or a form."""
    found: list[tuple[str, str]] = []
    if isinstance(value, Mapping):
        for name, sub in value.items():
            found += secret_items(sub, key if key in SECRET_FIELDS else str(name))
    elif isinstance(value, list | tuple):
        if key not in SECRET_FIELDS and _is_pair(value) and value[0] in SECRET_FIELDS:
            found += secret_items(value[1], value[0])
        else:
            for item in value:
                found += secret_items(item, key)
    elif isinstance(value, str) and value:
        if key in SECRET_FIELDS:
            found.append((key, value))
        elif (inner := _embedded(value)) is not None:
            found += secret_items(inner)
        else:
            found += [(name, sub) for name, sub in _form_pairs(value) if name in SECRET_FIELDS and sub]
    return found


def secret_values(value: Any) -> set[str]:
    """The secret string values of a body, any JSON shape (:func:`secret_items`), to scrub them from any text."""
    return {secret for _, secret in secret_items(value)}


def redact(value: Any, key: str | None = None) -> Any:
    """A copy of a JSON value with the values of secret fields replaced by ``<hidden>``, at any depth and in any
    JSON shape (objects and arrays under a secret name keep their shape, each leaf hidden)."""
    if key in SECRET_FIELDS:
        if isinstance(value, dict):
            return {name: redact(sub, key) for name, sub in value.items()}
        if isinstance(value, list):
            return [redact(item, key) for item in value]
        return value if value is None else HIDDEN
    if isinstance(value, dict):
        return {name: redact(sub, name) for name, sub in value.items()}
    if isinstance(value, list):
        if _is_pair(value) and value[0] in SECRET_FIELDS:
            return [value[0], redact(value[1], value[0])]
        return [redact(item, key) for item in value]
    if isinstance(value, str) and secret_values(value):
        inner = _embedded(value)
        if inner is not None:
            return json.dumps(redact(inner), ensure_ascii=False)
        return "&".join(f"{name}={HIDDEN if name in SECRET_FIELDS else sub}" for name, sub in _form_pairs(value))
    return value


def body_of(content: bytes) -> Any:
    """What a body holds, read as JSON whatever its encoding (UTF-8, a BOM, latin-1), else as latin-1 text: to
    learn its secrets even where a client sent it oddly."""
    for encoding in ("utf-8-sig", "latin-1"):
        try:
            return json.loads(content.decode(encoding))
        except (UnicodeDecodeError, ValueError):
            continue
    return content.decode("latin-1")


def redacted_json(value: Any) -> str:
    """JSON text of ``value`` with secrets hidden (``<hidden>``)."""
    return json.dumps(redact(value), ensure_ascii=False, sort_keys=False)


class Redacted:
    """A value held for a while (a body in a call's frame) whose ``repr`` hides its secret fields: what a
    traceback prints of a frame's arguments."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        try:
            return f"<body, secrets hidden: {clip(redacted_json(self.value), 200)}>"
        except (TypeError, ValueError):
            return f"<{type(self.value).__name__}, secrets hidden>"


def _is_json(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def show(value: Any, key: str | None) -> str:
    """A value for a message, clipped; the value of a secret field ``key`` is described, never shown."""
    if key in SECRET_FIELDS and value is not None:
        size = f" of {len(value)} characters" if isinstance(value, str) else ""
        return f"<hidden {type(value).__name__}{size}>"
    return clip(json.dumps(value, ensure_ascii=False) if _is_json(value) else repr(value))


_CUT: Final = "..."  # what clip() ends a cut text with
_CUT_MIN: Final = 3  # the fewest first characters of a secret hidden before a cut
_CREDENTIALS: Final = re.compile(
    r"(?i)((?:^|[&;])[^&;=]*(?:key|token|secret|pass|auth|sig|session|cred)[^&;=]*=)[^&;]*"
)
_HEX: Final = re.compile(r"%[0-9A-F]{2}")
_U_ESCAPE: Final = re.compile(r"\\u[0-9a-f]{4}")
_BASIC: Final = re.compile(r"(?i)(\bbasic\s+)([A-Za-z0-9+/_-]+=*)")


def _b64_pieces(raw: bytes) -> set[str]:
    """The base64 characters that spell ``raw`` wherever it sits in a longer encoded text (at each of the three
    alignments, the characters made of its bits only), standard and URL-safe alphabets."""
    pieces: set[str] = set()
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        whole = encode(raw).decode("ascii")
        pieces |= {whole, whole.rstrip("=")}
        for offset in range(3):
            spelled = encode(b"\0" * offset + raw).decode("ascii")
            start, end = -(-8 * offset // 6), 8 * (offset + len(raw)) // 6
            # Fewer than four characters would blank out unrelated base64 text; the literal is hidden anyway.
            if end - start >= 4:
                pieces.add(spelled[start:end])
    return pieces


def forms(secret: str) -> set[str]:
    """Every spelling of ``secret`` the scrubber hides (see the module docstring)."""
    spelled = {secret}
    for safe in ("", "/"):
        for quote in (urllib.parse.quote, urllib.parse.quote_plus):
            encoded = quote(secret, safe=safe)
            spelled |= {encoded, _HEX.sub(lambda match: match.group().lower(), encoded)}
    for ensure_ascii in (False, True):
        escaped = json.dumps(secret, ensure_ascii=ensure_ascii)[1:-1]
        upper = _U_ESCAPE.sub(lambda match: "\\u" + match.group()[2:].upper(), escaped)
        spelled |= {escaped, upper, escaped.replace("/", "\\/"), upper.replace("/", "\\/")}
    raw = secret.encode("utf-8", "surrogatepass")
    spelled.add(raw.decode("latin-1"))
    spelled |= _b64_pieces(raw)
    spelled.discard("")
    return spelled


def url_shown(url: str) -> str:
    """``url`` for a message: the user and password of its authority hidden, and the value of every query or
    fragment parameter whose name reads as a credential (``api_key=``, ``token=``, ``access_token=``...)."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return HIDDEN
    netloc = parts.netloc
    if "@" in netloc:
        netloc = HIDDEN + "@" + netloc.rpartition("@")[2]
    query, fragment = _CREDENTIALS.sub(r"\1" + HIDDEN, parts.query), _CREDENTIALS.sub(r"\1" + HIDDEN, parts.fragment)
    shown = urllib.parse.urlunsplit(parts._replace(netloc=netloc, query=query, fragment=fragment))
    return shown + ("?" if url.rstrip().endswith("?") and not query else "") + ("#" if url.endswith("#") else "")


class Scrubber:
    """Hides the secrets of a run in anything about to be printed or written; thread-safe.

    ``Scrubber(secrets, bodies=...)``: the secret strings to hide, and bodies whose secret fields are secrets too.
    :meth:`add` and :meth:`add_body` register more at any time (another part of the plugin that learns a secret,
    such as a store URL's password, adds it to the session's scrubber, ``SCRUBBER_KEY`` in ``_keys.py``).
    """

    def __init__(self, secrets: Iterable[str | None] = (), *, bodies: Iterable[Any] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self.add(*secrets)
        for body in bodies:
            self.add_body(body)

    def add(self, *secrets: str | None) -> None:
        """Hide these strings too (``None`` and ``""`` are ignored)."""
        new = {str(secret) for secret in secrets if secret} - self._secrets
        if new:
            with self._lock:
                self._secrets |= new
                self._pattern = None

    def add_body(self, body: Any) -> None:
        """Hide the secret field values of ``body`` (any JSON shape) too."""
        self.add(*secret_values(body))

    def child(self) -> Scrubber:
        """A scrubber that hides these secrets and whatever is added to it later, leaving this one as it is."""
        return Scrubber(self.secrets)

    @property
    def secrets(self) -> frozenset[str]:
        """The secrets registered."""
        with self._lock:
            return frozenset(self._secrets)

    @property
    def short(self) -> list[str]:
        """The secrets of fewer than four characters: hidden everywhere, which can blank out ordinary text."""
        return sorted(secret for secret in self.secrets if len(secret) < SHORT)

    def _compiled(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._pattern is None and self._secrets:
                spelled = {form for secret in self._secrets for form in forms(secret)}
                alternatives = sorted(spelled, key=lambda form: (-len(form), form))
                self._pattern = re.compile("|".join(map(re.escape, alternatives)))
            return self._pattern

    def _basic(self, match: re.Match[str]) -> str:
        token = match.group(2)
        try:
            decoded = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_" if "-" in token else None)
        except (binascii.Error, ValueError):
            return match.group()
        text = decoded.decode("latin-1")
        if any(secret in text or secret.encode("utf-8").decode("latin-1") in text for secret in self.secrets):
            return match.group(1) + HIDDEN
        return match.group()

    def text(self, text: str) -> str:
        """``text`` with every secret hidden, in every spelling, and the start of one cut by a clip (``abc...``)."""
        pattern = self._compiled()
        if pattern is None or not text:
            return text
        text = pattern.sub(HIDDEN, _BASIC.sub(self._basic, text))
        return self._cut(text) if _CUT in text else text

    def _cut(self, text: str) -> str:
        """Hide the first characters of a secret that a clip cut off right before its ``...``."""
        with self._lock:
            spelled = sorted({form for secret in self._secrets for form in forms(secret)}, key=len, reverse=True)
        pieces = text.split(_CUT)
        for index, piece in enumerate(pieces[:-1]):
            for form in spelled:
                start = next(
                    (
                        size
                        for size in range(len(form) - 1, min(_CUT_MIN, max(len(form) - 1, 1)) - 1, -1)
                        if piece.endswith(form[:size])
                    ),
                    0,
                )
                if start:
                    pieces[index] = piece[:-start] + HIDDEN
                    break
        return _CUT.join(pieces)

    __call__ = text

    def clip(self, text: str, limit: int = 80) -> str:
        """``text`` scrubbed, cut to ``limit`` characters (``...`` marking the cut), scrubbed again: a cut never
        leaves the first characters of a secret, nor half a placeholder."""
        scrubbed = self.text(text)
        if len(scrubbed) <= limit:
            return scrubbed
        cut = limit - 3
        start = scrubbed.rfind(HIDDEN, 0, cut + len(HIDDEN) - 1)
        if start != -1 and start + len(HIDDEN) > cut:
            cut = start  # never half a placeholder
        return self.text(scrubbed[:cut] + "...")

    def scrub_bytes(self, content: bytes) -> bytes:
        """``content`` with every secret hidden, whatever its encoding (UTF-8 with or without a BOM, latin-1)."""
        if self._compiled() is None:
            return content
        return self.text(content.decode("latin-1")).encode("latin-1")

    def decoded(self, content: bytes) -> str:
        """``content`` as text (UTF-8, a BOM dropped; else latin-1), every secret hidden."""
        scrubbed = self.scrub_bytes(content)
        try:
            return scrubbed.decode("utf-8-sig")
        except UnicodeDecodeError:
            return scrubbed.decode("latin-1")

    def value(self, value: Any) -> Any:
        """A copy of a body (a JSON value) with secret fields hidden (:func:`redact`) and every secret hidden in
        every string, object keys included."""
        return self.strings(redact(value))

    def strings(self, value: Any) -> Any:
        """A copy of a JSON document (a report, a journal) with every secret hidden in every string, object keys
        included; its fields are not read as a body's."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(name)): self.strings(sub) for name, sub in value.items()}
        if isinstance(value, list | tuple):
            return [self.strings(item) for item in value]
        return value

    def json(self, value: Any) -> str:
        """JSON text of ``value``, every secret hidden."""
        return self.text(json.dumps(self.value(value), ensure_ascii=False))

    def headers(self, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """Header pairs with the value of every secret header hidden, and every secret hidden in the others."""
        return [
            (self.text(name), HIDDEN if name.lower() in SECRET_HEADERS else self.text(value)) for name, value in pairs
        ]

    def url(self, url: str) -> str:
        """``url`` with every secret hidden, and the credentials it may carry (user and password, query values,
        fragment) hidden whatever they are."""
        return self.text(url_shown(url))

    def __repr__(self) -> str:
        return f"<Scrubber of {len(self.secrets)} secret(s)>"
