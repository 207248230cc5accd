"""How to fix what a client did: the advice at the end of the suite's failure messages, chosen for what this client
did (the library call that fixes it, not the one it made).  :class:`~pytest_postpress.suite._assertions.Assertions`
words the verdicts and takes the advice from here."""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["DOTS_FIX", "content_type_fix", "difference_fix", "encoding_fix", "looks_form_encoded"]

DOTS_FIX = (
    "send '.' and '..' as %2E and %2E%2E, or refuse these two ids: urllib.parse.quote() and encodeURIComponent "
    "leave dots as they are, and the HTTP library then resolves them as dot segments. httpx and node:http send "
    "%2E as it is; requests turns %2E back into '.', and JavaScript's URL parser and fetch read %2E%2E as '..', "
    "so a client built on those must refuse them (rule 16, see: python -m pytest_postpress rules 16)"
)
# encodeURIComponent leaves these sub-delimiters as they are; RFC 3986 "unreserved" does not include them.
_JS_KEPT = frozenset("!'()*")


def _raw_characters(segment: str) -> set[str]:
    """The characters of a sent path segment that are neither unreserved nor part of a %XX escape."""
    return {char for char in re.sub(r"%[0-9A-Fa-f]{2}", "", segment) if not re.fullmatch(r"[A-Za-z0-9._~-]", char)}


def encoding_fix(account_id: str, segment: str) -> str:
    """How to fix an id that was not encoded as one segment: the call that fixes what this client did."""
    raw = _raw_characters(segment)
    if raw and raw <= _JS_KEPT:
        return (
            f"encode {''.join(sorted(raw))!r} too: encodeURIComponent leaves !'()* as they are, so replace them "
            "after it (id => encodeURIComponent(id).replace(/[!'()*]/g, c => '%' + "
            "c.charCodeAt(0).toString(16).toUpperCase())); in Python urllib.parse.quote(account_id, safe='')"
        )
    if "/" in account_id and "/" in segment:
        return (
            "encode '/' too: urllib.parse.quote() keeps '/' unless told otherwise, so call "
            "urllib.parse.quote(account_id, safe=''); in JavaScript use encodeURIComponent, not encodeURI"
        )
    return (
        "percent-encode the id as one segment before building the URL: urllib.parse.quote(account_id, safe='') "
        "(JavaScript: encodeURIComponent, then '!', \"'\", '(', ')' and '*' as %XX); never put the raw id in a "
        "URL template or a query parameter"
    )


def looks_form_encoded(content: bytes) -> bool:
    try:
        text = content.decode("ascii")
    except UnicodeDecodeError:
        return False
    return bool(text) and re.fullmatch(r"[^=&\s]+=[^&\s]*(?:&[^=&\s]+=[^&\s]*)*", text) is not None


def content_type_fix(media: str, content: bytes) -> str:
    """How to fix the Content-Type, for what this client sent."""
    if media == "application/x-www-form-urlencoded" or (not media and looks_form_encoded(content)):
        return "send the body as JSON: pass json=body (httpx, requests), not data=body, which form-encodes it"
    if media.startswith("multipart/"):
        return "send the body as JSON: pass json=body (httpx, requests), not files= or data="
    try:
        json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "send the body as JSON: pass json=body (httpx, requests), which also sets Content-Type"
    return (
        "label the JSON body: add the header Content-Type: application/json (json=body sets it for you; "
        "content= and data= do not)"
    )


def difference_fix(expected: Any, sent: Any, difference: str) -> str:
    """How to fix a body that differs from the caller's, for the kind of difference."""
    if "field dropped" in difference and isinstance(expected, dict) and isinstance(sent, dict):
        dropped = difference.split(": field dropped")[0].removeprefix("at ").rsplit("/", 1)[-1]
        camel = re.sub(r"_([a-z0-9])", lambda match: match.group(1).upper(), dropped)
        if camel != dropped and _has_key(sent, camel):
            return (
                f"do not rename fields: send {dropped!r} as the caller named it (no camelCase alias or "
                "serialiser; the API's names are snake_case)"
            )
        return (
            "keep every field the caller passed, even empty strings, zeros, false and unknown fields: do not "
            "filter the body"
        )
    if "field added" in difference:
        return "do not add fields the caller did not pass (no defaults, no nulls for absent fields, no metadata)"
    if "(nulled)" in difference:
        return "do not replace values by null: send each value as passed"
    return (
        "do not convert values: numbers stay JSON numbers, booleans stay booleans, strings stay strings (no str(), "
        "no form encoding); send the caller's body as it is"
    )


def _has_key(value: Any, name: str) -> bool:
    if isinstance(value, dict):
        return name in value or any(_has_key(sub, name) for sub in value.values())
    if isinstance(value, list):
        return any(_has_key(item, name) for item in value)
    return False
