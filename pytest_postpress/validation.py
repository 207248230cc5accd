"""Validate request bodies and responses against the documented contract.

Messages name the JSON path, what was expected and what was found, and never
echo the value of a secret (any schema node marked ``writeOnly``).  A body that
matches no variant is reported against the variant it is closest to, by
``provider`` and credentials, instead of twelve ``oneOf`` branch failures.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import jsonschema
from jsonschema.exceptions import ValidationError

from pytest_postpress import catalog
from pytest_postpress import schema as _schema
from pytest_postpress._formats import FORMAT_CHECKER, FORMAT_DESCRIPTIONS, FORMATS
from pytest_postpress._redact import clip, json_type

__all__ = [
    "Violation",
    "closest_variant",
    "error_for_violations",
    "json_pointer",
    "matching_variants",
    "validate_reconnect_body",
    "validate_response",
]

Kind = Literal["missing", "invalid"]


@dataclass(frozen=True)
class Violation:
    """One departure from the contract.

    ``path`` is a JSON pointer (``""`` for the root), ``message`` says what was
    expected and what was found, ``kind`` is ``"missing"`` for an absent or
    empty required field and ``"invalid"`` for everything else.
    """

    path: str
    message: str
    kind: Kind = "invalid"

    def __str__(self) -> str:
        return f"{self.path or '(root)'}: {self.message}"


def json_pointer(parts: Iterable[str | int]) -> str:
    """Build an RFC 6901 JSON pointer from path parts."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


@functools.cache
def _variant_validator(name: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(_schema.variant_schema(name), format_checker=FORMAT_CHECKER)


@functools.cache
def _documented_names(name: str) -> frozenset[str]:
    return frozenset(_schema.variant_schema(name)["properties"])


@functools.cache
def _success_validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(_schema.success_body_schema())


@functools.cache
def _envelope_validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(_schema.error_envelope_schema())


_JSON_TYPES: Final = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
}


def _found(value: object, *, secret: bool) -> str:
    """Describe ``value`` for a message; secrets are described, never shown."""
    kind = json_type(value)
    if value is None:
        return "null (no field is nullable: omit it instead)"
    if secret:
        if isinstance(value, str):
            return f"a string of {len(value)} characters (value hidden: secret)"
        return f"{_JSON_TYPES.get(kind, kind)} (value hidden: secret)"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return f"an array of {len(value)} items"
    if isinstance(value, str) and value == "":
        return "an empty string"
    return f"{_JSON_TYPES.get(kind, kind)} {clip(json.dumps(value, ensure_ascii=False), 60)}"


def _describe(schema: Mapping[str, Any]) -> str:
    """Describe what a schema node accepts, in words."""
    if "anyOf" in schema:
        return " or ".join(_describe(alternative) for alternative in schema["anyOf"])
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        values = schema["enum"]
        if len(values) > 8:
            sample = ", ".join(map(json.dumps, values[:4]))
            return f"one of the {len(values)} values of the documented list (e.g. {sample})"
        return "one of " + ", ".join(json.dumps(value) for value in values)
    if schema.get("format") in FORMAT_DESCRIPTIONS:
        return FORMAT_DESCRIPTIONS[schema["format"]]
    kind = schema.get("type")
    if kind == "integer":
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and high is not None:
            return f"an integer from {low} to {high}"
        if low == 0:
            return "a non-negative integer"
        return "an integer"
    if kind == "string" and schema.get("minLength"):
        return "a non-empty string"
    if isinstance(kind, str):
        return _JSON_TYPES.get(kind, kind)
    return "a value matching the documentation"


def _describe_required(name: str, parts: list[Any], schema: Mapping[str, Any]) -> str:
    if name == "provider" and not parts:
        # The closest variant was guessed from credentials alone: say so.
        return (
            f"one of {', '.join(_schema.PROVIDERS)}; the other fields look like {schema.get('title', 'this variant')}"
        )
    return _describe(schema.get("properties", {}).get(name, {}))


def _is_secret(schema: Mapping[str, Any]) -> bool:
    return bool(schema.get("writeOnly"))


def _documented_fields(schema: Mapping[str, Any]) -> str:
    names = list(schema.get("properties", {}))
    return ", ".join(names) if names else "none"


def _convert(error: ValidationError, where: str) -> list[Violation]:
    """Turn one jsonschema error into violations with our wording."""
    parts = list(error.absolute_path)
    path = json_pointer(parts)
    schema: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    instance = error.instance
    validator = error.validator
    if validator == "required":
        required: list[str] = list(schema.get("required", []))
        missing = [name for name in required if isinstance(instance, Mapping) and name not in instance]
        return [
            Violation(
                json_pointer([*parts, name]),
                f"required field {name!r} is missing from {where}; add it ({_describe_required(name, parts, schema)})",
                "missing",
            )
            for name in missing
        ]
    if validator == "additionalProperties":
        documented = set(schema.get("properties", {}))
        extras = [name for name in instance if name not in documented] if isinstance(instance, Mapping) else []
        return [
            Violation(
                json_pointer([*parts, name]),
                f"field {name!r} is not documented for {where}; remove it "
                f"(documented fields here: {_documented_fields(schema)})",
            )
            for name in extras
        ]
    secret = _is_secret(schema)
    found = _found(instance, secret=secret)
    if validator == "minLength" and instance == "":
        return [Violation(path, f"required field is an empty string in {where}; give it a non-empty value", "missing")]
    if validator == "minProperties":
        fields = " and/or ".join(repr(name) for name in schema.get("properties", {}))
        return [Violation(path, f"expected an object with at least {fields}, found an empty object")]
    if validator == "contains":
        wanted = schema.get("contains", {}).get("properties", {}).get("name", {}).get("const", "?")
        names = sorted(
            {str(item.get("name")) for item in instance if isinstance(item, Mapping)}
            if isinstance(instance, list)
            else set()
        )
        return [
            Violation(
                path,
                f"expected a cookie named {wanted!r} (xs, c_user and datr are all required); "
                f"found cookie names {names}",
            )
        ]
    return [Violation(path, f"expected {_describe(schema)}, found {found}")]


def _order(parts: list[Any], properties: list[str]) -> tuple[int, str]:
    if not parts:
        return (-1, "")
    head = parts[0]
    rank = properties.index(head) if head in properties else len(properties)
    return (rank, json_pointer(parts))


def _violations(validator: jsonschema.Draft7Validator, body: object, where: str) -> list[Violation]:
    root: Mapping[str, Any] = validator.schema if isinstance(validator.schema, Mapping) else {}
    properties = list(root.get("properties", {}))
    errors = sorted(validator.iter_errors(body), key=lambda e: _order(list(e.absolute_path), properties))
    by_path: dict[str, Violation] = {}
    for error in errors:
        for violation in _convert(error, where):
            # One message per location: a field failing both its pattern and its format (or several anyOf
            # branches) is one problem to fix.  An empty required string also fails its format: "missing" wins,
            # whatever the order of the keywords in the schema (rule 4).
            kept = by_path.get(violation.path)
            if kept is None or (violation.kind == "missing" and kept.kind != "missing"):
                by_path[violation.path] = violation
    return sorted(by_path.values(), key=lambda v: _order(_split(v.path), properties))


def _split(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]


def closest_variant(body: object) -> str | None:
    """Name the variant ``body`` is closest to, by ``provider`` and credentials.

    Returns ``None`` for a value that is not a JSON object.  The provider picks
    the candidates (compared case-insensitively, so ``"linkedin"`` still points
    at the LinkedIn variants); among them the variant sharing the most
    credential fields with the body wins, then the one with fewest undocumented
    fields, then the one with fewest missing credentials, then documentation order.
    """
    if not isinstance(body, Mapping):
        return None
    provider = body.get("provider")
    candidates = _all_candidates()
    if isinstance(provider, str):
        candidates = _candidates_by_provider().get(provider.upper(), candidates)
    if len(candidates) == 1:
        return candidates[0].name
    keys = set(body)
    best = max(
        candidates,
        key=lambda c: (len(keys & c.specific), -len(keys - c.documented), -len(c.credentials - keys), -c.index),
    )
    return best.name


@dataclass(frozen=True)
class _Candidate:
    """What :func:`closest_variant` compares of one variant, computed once (it runs on every request of a double)."""

    name: str
    index: int
    specific: frozenset[str]
    documented: frozenset[str]
    credentials: frozenset[str]


def _candidate(index: int, name: str) -> _Candidate:
    spec = _schema.variant_spec(name)
    specific = frozenset(field for field, _, _ in spec.specific)
    return _Candidate(name, index, specific, _documented_names(name), frozenset(spec.credentials))


@functools.cache
def _all_candidates() -> tuple[_Candidate, ...]:
    return tuple(_candidate(index, name) for index, name in enumerate(_schema.VARIANTS))


@functools.cache
def _candidates_by_provider() -> dict[str, tuple[_Candidate, ...]]:
    by_provider: dict[str, tuple[_Candidate, ...]] = {}
    for candidate in _all_candidates():
        provider = _schema.variant_spec(candidate.name).provider
        by_provider[provider] = (*by_provider.get(provider, ()), candidate)
    return by_provider


@functools.cache
def _compiled_is_valid(name: str) -> Callable[[object], bool] | None:
    """jsonschema-rs's compiled ``is_valid`` for one variant, with our formats; ``None`` without jsonschema-rs."""
    try:
        import jsonschema_rs
    except ImportError:  # not installed (a platform without its wheels): jsonschema alone decides
        return None
    formats = {fmt: (lambda value, _f=check: isinstance(value, str) and _f(value)) for fmt, check in FORMATS.items()}
    # Unknown formats ("password") are ignored, as by jsonschema's FormatChecker.
    validator = jsonschema_rs.Draft7Validator(_schema.variant_schema(name), formats=formats, validate_formats=True)
    return validator.is_valid


def validate_json_body(body: object) -> list[Violation]:
    """:func:`validate_reconnect_body` for a value built by ``json.loads`` (dicts, lists, strings, numbers,
    booleans, ``None``): what the test doubles judge every request with.

    A valid body is recognised by a compiled validator of its closest variant (jsonschema-rs, about 15 times
    faster than jsonschema); any other body, and any body the compiled validator cannot take, goes to
    :func:`validate_reconnect_body`, so the violations and their wording are jsonschema's as always.  The
    compiled validator only ever says "valid" for a body jsonschema finds valid (tests/test_validation_fast.py
    checks it on the bodies of every strategy).
    """
    variant = closest_variant(body)
    if variant is not None:
        is_valid = _compiled_is_valid(variant)
        try:
            if is_valid is not None and is_valid(body):
                return []
        except Exception:  # a value it cannot convert: jsonschema decides, as it always did
            pass
    return validate_reconnect_body(body)


def matching_variants(body: object) -> list[str]:
    """All variants ``body`` is valid for: one for a valid body (rule 3), none otherwise."""
    return [name for name in _schema.VARIANTS if _variant_validator(name).is_valid(body)]


def validate_reconnect_body(body: object) -> list[Violation]:
    """Validate a reconnect request body (parsed JSON); an empty list means valid.

    A body that matches no variant is reported against its closest variant
    (see :func:`closest_variant`).  Messages never show secret values.
    """
    variant = closest_variant(body)
    if variant is None:
        return [
            Violation(
                "",
                f"expected a JSON object with a 'provider' field, found {_found(body, secret=False)}",
            )
        ]
    validator = _variant_validator(variant)
    where = f"the {variant} variant"
    violations = _violations(validator, body, where)
    if violations and isinstance(body, Mapping):
        provider = body.get("provider")
        if isinstance(provider, str) and provider not in _schema.PROVIDERS:
            hint = (
                f" (providers are case-sensitive: use {provider.upper()!r})"
                if provider.upper() in _schema.PROVIDERS
                else ""
            )
            violations = [
                Violation(
                    "/provider",
                    f"expected one of {', '.join(_schema.PROVIDERS)}, found {_found(provider, secret=False)}{hint}",
                )
                if v.path == "/provider"
                else v
                for v in violations
            ]
    return violations


def error_for_violations(violations: Iterable[Violation]) -> catalog.DocumentedError:
    """The documented 400 the API answers for these body violations (rule 22).

    ``errors/missing_parameters`` when the only problems are missing required
    fields, else ``errors/invalid_parameters``.
    """
    kinds = {violation.kind for violation in violations}
    if not kinds:
        raise ValueError("no violations: a valid body gets 201, not an error")
    type_ = "errors/missing_parameters" if kinds == {"missing"} else "errors/invalid_parameters"
    error = catalog.find_error(400, type_)
    assert error is not None
    return error


def validate_response(status: int, body: object) -> list[Violation]:
    """Validate a response of the endpoint: a 201 body or a documented error envelope.

    For an error, the envelope's ``status`` must equal the HTTP ``status`` and
    the ``(status, type)`` pair must be one of the 35 documented errors.
    Unknown extra fields and a missing ``detail``/``instance`` are tolerated.
    """
    if status == 201:
        return _violations(_success_validator(), body, "the 201 body")
    violations: list[Violation] = []
    if status not in catalog.STATUSES:
        documented = ", ".join(str(code) for code in [201, *catalog.STATUSES])
        violations.append(
            Violation("", f"HTTP status {status} is not documented for this endpoint (documented: {documented})")
        )
    violations.extend(_violations(_envelope_validator(), body, "the error envelope"))
    if isinstance(body, Mapping):
        envelope_status = body.get("status")
        if json_type(envelope_status) == "integer" and envelope_status != status:
            violations.append(
                Violation("/status", f"expected the HTTP status {status}, found the integer {envelope_status}")
            )
        type_ = body.get("type")
        if isinstance(type_, str) and status in catalog.STATUSES and catalog.find_error(status, type_) is None:
            documented_types = ", ".join(catalog.types_for_status(status))
            violations.append(
                Violation(
                    "/type",
                    f"expected a documented type for status {status} ({documented_types}), "
                    f"found {_found(type_, secret=False)}",
                )
            )
    return violations
