"""Deterministic sample bodies, built from the variant schemas (nothing re-typed).

The contract suite uses them where a test needs one fixed, readable body per
variant (the body check, live mode); Hypothesis strategies are for variety.
Plain Python only.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from typing import Any, Final

from pytest_postpress import schema as _schema

__all__ = ["sample_body"]

_FORMAT_SAMPLES: Final[dict[str, Any]] = {
    "email": "anna@acme.com",
    "phone": "+33 6 00 00 00 00",
    "ipv4": "203.0.113.7",
    "e164": "+33 6 00 00 00 00",
    "date-time": "2025-12-31T23:59:59.999Z",
}


def _sample(schema: Mapping[str, Any], name: str, *, full: bool) -> Any:
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("format") == "password":
        return f"sample-{name.replace('_', '-')}-secret"
    if schema.get("format") in _FORMAT_SAMPLES:
        return _FORMAT_SAMPLES[schema["format"]]
    if "anyOf" in schema:
        return _sample({**schema["anyOf"][0], **{k: v for k, v in schema.items() if k != "anyOf"}}, name, full=full)
    kind = schema.get("type")
    if kind == "string":
        return f"sample-{name.replace('_', '-')}"
    if kind == "integer":
        low, high = schema.get("minimum", 0), schema.get("maximum", 1_000_000)
        return 443 if low <= 443 <= high else low
    if kind == "number":
        return 1767225599.5
    if kind == "boolean":
        return True
    if kind == "array":
        names = [
            part["contains"]["properties"]["name"]["const"] for part in schema.get("allOf", []) if "contains" in part
        ]
        if names:
            return [_sample_object(schema["items"], full=full, overrides={"name": cookie}) for cookie in names]
        return [_sample(schema.get("items", {}), name, full=full)] if full else []
    if kind == "object":
        if "properties" in schema:
            return _sample_object(schema, full=full)
        return {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64)"}
    raise ValueError(f"no sample for schema node {name!r}")


def _sample_object(schema: Mapping[str, Any], *, full: bool, overrides: Mapping[str, Any] | None = None) -> Any:
    required = set(schema.get("required", []))
    result: dict[str, Any] = {}
    for name, sub in schema["properties"].items():
        if full or name in required:
            result[name] = _sample(sub, name, full=full)
    if not result and schema.get("minProperties"):
        first = next(iter(schema["properties"]))
        result[first] = _sample(schema["properties"][first], first, full=full)
    result.update(overrides or {})
    return result


def sample_body(variant: str, *, full: bool = False) -> dict[str, Any]:
    """A valid body of ``variant``: required fields only, or every documented field with ``full=True``."""
    # A fresh copy of a body built once: the suite asks for one on every example of some fuzz checks, and building
    # it copies the variant's whole schema (the country list and all).
    return copy.deepcopy(_built(variant, full))


@functools.cache
def _built(variant: str, full: bool) -> dict[str, Any]:
    body: dict[str, Any] = _sample_object(_schema.variant_schema(variant), full=full)
    if full and isinstance(body.get("sync_limit"), dict):
        # Show both forms of a sync value: a count (0 = no history) and a UTC date-time.
        body["sync_limit"] = {"chats": 0, "messages": _FORMAT_SAMPLES["date-time"]}
    return body
