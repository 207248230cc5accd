"""Every helper that keeps secrets out of what the package prints, and the two small text helpers they share.

Secret fields are the schema's ``writeOnly`` ones (passwords, tokens, cookie values, session ids and headers);
the API key is a :class:`~pytest_postpress.errors.SecretStr`.  Contract layer: standard library and the schema.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from pytest_postpress import schema as _schema

__all__ = ["SECRET_FIELDS", "clip", "json_type", "redact", "redacted_json", "secret_values", "show"]

HIDDEN = "<hidden>"


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
    """``text`` cut to ``limit`` characters, ``...`` marking the cut."""
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


def redact(value: Any, key: str | None = None) -> Any:
    """A copy of a JSON value with the values of secret fields replaced by ``<hidden>``."""
    if key in SECRET_FIELDS and value is not None:
        return HIDDEN
    if isinstance(value, dict):
        return {name: redact(sub, name) for name, sub in value.items()}
    if isinstance(value, list):
        return [redact(item, key) for item in value]
    return value


def redacted_json(value: Any) -> str:
    """JSON text of ``value`` with secrets hidden (``<hidden>``)."""
    return json.dumps(redact(value), ensure_ascii=False, sort_keys=False)


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


def secret_values(body: Any) -> Iterator[str]:
    """The secret string values of a body (to scrub from any text that might quote them)."""
    if isinstance(body, dict):
        for name, value in body.items():
            if name in SECRET_FIELDS and isinstance(value, str):
                yield value
            elif name in SECRET_FIELDS and isinstance(value, dict):
                yield from (item for item in value.values() if isinstance(item, str))
            else:
                yield from secret_values(value)
    elif isinstance(body, list):
        for item in body:
            yield from secret_values(item)
