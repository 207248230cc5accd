"""Property tests: every valid body validates, matches exactly one variant, and survives JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies
from pytest_postpress import schema
from pytest_postpress.strategies import _values
from pytest_postpress.validation import matching_variants, validate_reconnect_body, validate_response


@given(strategies.reconnect_bodies())
@settings(max_examples=1000)  # also the health-check run: default settings otherwise
def test_every_body_validates_and_matches_exactly_one_variant(body: dict[str, Any]) -> None:
    assert validate_reconnect_body(body) == []
    assert len(matching_variants(body)) == 1


@given(strategies.reconnect_bodies())
@settings(max_examples=200)
def test_every_body_survives_a_json_round_trip(body: dict[str, Any]) -> None:
    text = json.dumps(body, allow_nan=False, ensure_ascii=False)
    assert json.loads(text) == body


@pytest.mark.parametrize("variant", schema.VARIANTS)
def test_variants_restricts_to_that_variant(variant: str) -> None:
    @given(strategies.reconnect_bodies(variants=[variant]))
    @settings(max_examples=60, database=None)
    def check(body: dict[str, Any]) -> None:
        assert matching_variants(body) == [variant]

    check()


def test_a_pair_of_variants_gives_both_and_nothing_else() -> None:
    seen: set[str] = set()

    @given(strategies.reconnect_bodies(variants=["MESSENGER_SESSION", "TWITTER"]))
    @settings(max_examples=100, database=None)
    def record(body: dict[str, Any]) -> None:
        seen.update(matching_variants(body))

    record()
    assert seen == {"MESSENGER_SESSION", "TWITTER"}


@given(strategies.account_ids())
@settings(max_examples=1000)
def test_account_ids_are_non_empty_strings(account_id: str) -> None:
    assert isinstance(account_id, str)
    assert account_id != ""


@given(strategies.account_ids(hostile=False))
@settings(max_examples=300)
def test_tame_account_ids_need_no_escaping(account_id: str) -> None:
    assert account_id not in {".", ".."}
    assert set(account_id) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


@given(strategies.success_bodies())
@settings(max_examples=1000)
def test_success_bodies_are_documented_201_bodies(body: dict[str, Any]) -> None:
    assert validate_response(201, body) == []


@given(strategies.error_envelopes())
@settings(max_examples=1000)
def test_error_envelopes_are_documented(envelope: dict[str, Any]) -> None:
    assert validate_response(envelope["status"], envelope) == []


def test_error_envelopes_keep_to_the_requested_errors() -> None:
    from pytest_postpress import catalog

    wanted = [catalog.find_error(504, "errors/request_timeout"), catalog.find_error(409, "errors/already_exists")]
    pairs: set[tuple[int, str]] = set()

    @given(strategies.error_envelopes(errors=wanted))  # type: ignore[arg-type]
    @settings(max_examples=60, database=None)
    def record(envelope: dict[str, Any]) -> None:
        pairs.add((envelope["status"], envelope["type"]))

    record()
    assert pairs == {(504, "errors/request_timeout"), (409, "errors/already_exists")}


def _paths_in_contract() -> set[tuple[str, ...]]:
    paths: set[tuple[str, ...]] = set()
    for variant in schema.VARIANTS:
        paths.update(slot.path for slot in _values.slots(schema.variant_schema(variant)))
    return paths


@pytest.mark.parametrize("path", sorted(_values.HINTS) + sorted(_values.KEY_HINTS), ids="/".join)
def test_every_realistic_hint_names_a_documented_field(path: tuple[str, ...]) -> None:
    # A hint whose field left the contract would silently stop being used.
    assert path in _paths_in_contract()


@given(st.data())
@settings(max_examples=300)
def test_realistic_hints_are_valid_where_they_are_used(data: st.DataObject) -> None:
    # Hints are drawn first and shrunk to, so a bad one would be everywhere.
    slots = [
        (variant, slot)
        for variant in schema.VARIANTS
        for slot in _values.slots(schema.variant_schema(variant))
        if slot.path in _values.HINTS and _values.uses_hint(slot.schema)
    ]
    variant, slot = data.draw(st.sampled_from(slots))
    body = data.draw(strategies.reconnect_bodies(variants=[variant]))
    value = data.draw(_values.HINTS[slot.path]())
    node: Any = body
    for step in slot.path[:-1]:
        if step not in node:
            return  # the hint's parent is optional and absent in this body
        node = node[step] if step != _values.ITEM else node[0]
    node[slot.path[-1]] = value
    assert validate_reconnect_body(body) == []


def test_a_construct_the_walk_does_not_know_fails_when_built() -> None:
    with pytest.raises(NotImplementedError, match="minProperties=2"):
        _values.object_strategy({"type": "object", "properties": {"a": {"type": "string"}}, "minProperties": 2})
