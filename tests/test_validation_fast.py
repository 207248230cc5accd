"""validate_json_body (the doubles' judge) answers exactly as validate_reconnect_body, its compiled fast path or not."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from pytest_postpress import strategies, validation
from pytest_postpress.samples import sample_body
from pytest_postpress.schema import VARIANTS
from pytest_postpress.validation import _compiled_is_valid, closest_variant, validate_json_body, validate_reconnect_body

_SETTINGS = settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))

_BASE = {"provider": "LINKEDIN", "username": "user1@acme.com", "password": "pw1"}
# Where a second validator could disagree with jsonschema: Python's "$" before a final newline, Unicode digits,
# integers written as floats or as booleans, numbers past 64 bits, infinity, lone surrogates, empty strings.
EDGES: list[Any] = [
    _BASE,
    {**_BASE, "username": "user1@acme.com\n"},
    {**_BASE, "username": "+\u0663\u0663\u0666\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660"},
    {**_BASE, "ip": "1.2.3.4\n"},
    {**_BASE, "ip": "\u0661.2.3.4"},
    {**_BASE, "country": "FR\n"},
    {**_BASE, "proxy": {"host": "h", "port": 1.0}},
    {**_BASE, "proxy": {"host": "h", "port": True}},
    {**_BASE, "proxy": {"host": "h", "port": 10**30}},
    {**_BASE, "proxy": {"host": "h", "port": 8080.5}},
    {**_BASE, "sync_limit": {"chats": 1.0}},
    {**_BASE, "sync_limit": {"chats": -0.0}},
    {**_BASE, "sync_limit": {"chats": 1e308}},
    {**_BASE, "sync_limit": {"chats": 2**64}},
    {**_BASE, "sync_limit": {"chats": -(2**64)}},
    {**_BASE, "sync_limit": {"chats": float("inf")}},
    {**_BASE, "sync_limit": {"chats": "2025-12-31T23:59:59Z\n"}},
    {**_BASE, "password": ""},
    {**_BASE, "password": "\ud800"},
    {**_BASE, "username": "\u00e9@acme.com"},
    {**_BASE, "provider": "linkedin"},
    {"provider": "LINKEDIN"},
    {},
    [],
    None,
    "LINKEDIN",
    *(sample_body(variant, full=True) for variant in VARIANTS),
    *(sample_body(variant) for variant in VARIANTS),
]


def _same(body: Any) -> None:
    expected = validate_reconnect_body(body)
    assert validate_json_body(body) == expected
    variant = closest_variant(body)
    is_valid = _compiled_is_valid(variant) if variant is not None else None
    if is_valid is not None and is_valid(body):
        assert expected == [], f"the compiled validator took a body jsonschema refuses: {body!r}"


@pytest.mark.parametrize("body", EDGES, ids=range(len(EDGES)))
def test_edges(body: Any) -> None:
    _same(body)


def test_the_compiled_validator_is_there() -> None:
    # The package depends on jsonschema-rs on CPython: the fast path must really run in this test run.
    assert _compiled_is_valid("LINKEDIN_BASIC") is not None
    assert _compiled_is_valid("LINKEDIN_BASIC")(_BASE) is True


@_SETTINGS
@given(strategies.reconnect_bodies())
def test_valid_bodies(body: dict[str, Any]) -> None:
    _same(json.loads(json.dumps(body)))
    assert validate_json_body(json.loads(json.dumps(body))) == []


@_SETTINGS
@given(strategies.invalid_reconnect_bodies())
def test_invalid_bodies(invalid: strategies.InvalidBody) -> None:
    body = json.loads(json.dumps(invalid.body))
    _same(body)


def test_a_value_it_cannot_take_goes_to_jsonschema() -> None:
    body: dict[Any, Any] = {**_BASE, 1: 2}  # not JSON: jsonschema-rs refuses the key, jsonschema words it
    assert validate_json_body(body) == validate_reconnect_body(body)


@pytest.fixture
def without_jsonschema_rs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    validation._compiled_is_valid.cache_clear()
    monkeypatch.setitem(sys.modules, "jsonschema_rs", None)  # import fails, as where it is not installed
    yield
    validation._compiled_is_valid.cache_clear()


@pytest.mark.usefixtures("without_jsonschema_rs")
@pytest.mark.parametrize("body", EDGES[:12], ids=range(12))
def test_without_jsonschema_rs(body: Any) -> None:
    assert _compiled_is_valid("LINKEDIN_BASIC") is None
    assert validate_json_body(body) == validate_reconnect_body(body)
