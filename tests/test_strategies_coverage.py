"""Coverage over a few thousand draws: every variant, optional field, mutation kind and boundary shows up.

Draws are derandomized (a fixed seed per test function), so these checks are
deterministic for a given Hypothesis version; the counts involved are far
above what each check needs, so they also hold on other versions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import strategies
from pytest_postpress import catalog, schema
from pytest_postpress.validation import matching_variants

T = TypeVar("T")


def draw_many(strategy: st.SearchStrategy[T], count: int) -> list[T]:
    drawn: list[T] = []

    @given(strategy)
    @settings(max_examples=count, database=None, derandomize=True, phases=[Phase.generate], deadline=None)
    def collect(value: T) -> None:
        drawn.append(value)

    collect()
    return drawn


@pytest.fixture(scope="module")
def bodies() -> list[tuple[str, dict[str, Any]]]:
    drawn = draw_many(strategies.reconnect_bodies(), 3000)
    return [(matching_variants(body)[0], body) for body in drawn]


@pytest.fixture(scope="module")
def invalid_bodies() -> list[strategies.InvalidBody]:
    return draw_many(strategies.invalid_reconnect_bodies(), 1500)


def _values_at(bodies: list[tuple[str, dict[str, Any]]], *path: str) -> list[Any]:
    """Every value found at ``path`` (``*`` = each item) in the bodies."""
    found: list[Any] = []

    def walk(node: Any, rest: tuple[str, ...]) -> None:
        if not rest:
            found.append(node)
        elif rest[0] == "*" and isinstance(node, list):
            for item in node:
                walk(item, rest[1:])
        elif isinstance(node, dict) and rest[0] in node:
            walk(node[rest[0]], rest[1:])

    for _, body in bodies:
        walk(body, path)
    return found


def test_all_twelve_variants(bodies: list[tuple[str, dict[str, Any]]]) -> None:
    assert {variant for variant, _ in bodies} == set(schema.VARIANTS)


def _optional_fields() -> list[tuple[str, tuple[str, ...]]]:
    """(variant, path of an optional field, with ``*`` for array items) for every optional field."""
    result = []

    def walk(variant: str, node: dict[str, Any], path: tuple[str, ...]) -> None:
        required = set(node.get("required", ()))
        for name, sub in node.get("properties", {}).items():
            if name not in required:
                result.append((variant, (*path, name)))
            walk(variant, sub, (*path, name))
        if isinstance(node.get("items"), dict):
            walk(variant, node["items"], (*path, "*"))

    for variant in schema.VARIANTS:
        walk(variant, schema.variant_schema(variant), ())
    return result


@pytest.mark.parametrize(
    ("variant", "path"), _optional_fields(), ids=lambda v: v if isinstance(v, str) else "/".join(v)
)
def test_every_optional_field_is_present_and_absent(
    bodies: list[tuple[str, dict[str, Any]]], variant: str, path: tuple[str, ...]
) -> None:
    mine = [(name, body) for name, body in bodies if name == variant]
    parents = _values_at(mine, *path[:-1]) if len(path) > 1 else [body for _, body in mine]
    parents = [parent for parent in parents if isinstance(parent, dict)]
    present = sum(path[-1] in parent for parent in parents)
    assert 0 < present < len(parents), f"{variant} {'/'.join(path)}: present in {present} of {len(parents)}"


def test_sync_limit_zero_and_both_forms(bodies: list[tuple[str, dict[str, Any]]]) -> None:
    values = _values_at(bodies, "sync_limit", "chats") + _values_at(bodies, "sync_limit", "messages")
    assert any(value == 0 and not isinstance(value, bool) for value in values)
    forms = {type(value).__name__ for value in _values_at(bodies, "sync_limit")}
    assert forms == {"dict", "str"}
    assert {"NO_HISTORY_SYNC"} == {value for value in _values_at(bodies, "sync_limit") if isinstance(value, str)}


def test_sync_limit_date_times_in_utc_spellings(bodies: list[tuple[str, dict[str, Any]]]) -> None:
    values = _values_at(bodies, "sync_limit", "chats") + _values_at(bodies, "sync_limit", "messages")
    date_times = [value for value in values if isinstance(value, str)]
    assert any(value.endswith("Z") for value in date_times)
    assert any(value.endswith("+00:00") for value in date_times)


def test_empty_disabled_features(bodies: list[tuple[str, dict[str, Any]]]) -> None:
    lists = _values_at(bodies, "disabled_features")
    assert [] in lists
    assert any(len(value) >= 2 for value in lists)


def test_e164_maximum_length_and_separators(bodies: list[tuple[str, dict[str, Any]]]) -> None:
    numbers = _values_at(bodies, "pairing_phone_number")
    assert any(len(re.sub(r"[^0-9]", "", number)) == 15 for number in numbers)
    assert any(number.isdigit() for number in numbers)
    assert any(not number.isdigit() for number in numbers)


def test_linkedin_usernames_are_emails_and_phone_numbers(bodies: list[tuple[str, dict[str, Any]]]) -> None:
    usernames = [body["username"] for variant, body in bodies if variant == "LINKEDIN_BASIC"]
    assert any("@" in username for username in usernames)
    assert any(re.fullmatch(r"\+?[0-9 .()-]+", username) for username in usernames)


def test_ports_reach_both_bounds(bodies: list[tuple[str, dict[str, Any]]]) -> None:
    ports = _values_at(bodies, "proxy", "port") + _values_at(bodies, "imap_port") + _values_at(bodies, "smtp_port")
    assert 1 in ports
    assert 65535 in ports
    assert any(isinstance(port, float) for port in ports)  # 993.0 is a JSON integer too (rule 10)


def test_realistic_countries_and_addresses(bodies: list[tuple[str, dict[str, Any]]]) -> None:
    assert len(set(_values_at(bodies, "country"))) >= 100
    assert len(set(_values_at(bodies, "ip"))) >= 100


def test_cookies_have_the_three_required_names_plus_extras(bodies: list[tuple[str, dict[str, Any]]]) -> None:
    cookie_sets = [body["cookies"] for variant, body in bodies if variant == "MESSENGER_SESSION"]
    names = [{cookie["name"] for cookie in cookies} for cookies in cookie_sets]
    assert all({"xs", "c_user", "datr"} <= found for found in names)
    assert any(found - {"xs", "c_user", "datr"} for found in names)
    assert any([cookie["name"] for cookie in cookies][:1] != ["xs"] for cookies in cookie_sets)  # any order


def test_every_mutation_kind_and_variant(invalid_bodies: list[strategies.InvalidBody]) -> None:
    assert {invalid.mutation for invalid in invalid_bodies} == set(strategies.MUTATIONS)
    assert {invalid.variant for invalid in invalid_bodies} == {*schema.VARIANTS, None}
    assert {invalid.expected.type for invalid in invalid_bodies} == {
        "errors/missing_parameters",
        "errors/invalid_parameters",
    }


def _contains(predicate: Callable[[str], bool], values: list[str]) -> bool:
    return any(predicate(value) for value in values)


def test_account_ids_from_realistic_to_hostile() -> None:
    ids = draw_many(strategies.account_ids(), 1500)
    assert _contains(lambda value: re.fullmatch(r"acc_[0-9A-Z]{26}", value) is not None, ids)
    for character in ("/", "?", "#", "%", " "):
        assert _contains(lambda value, c=character: c in value, ids), character  # type: ignore[misc]
    assert ".." in ids
    assert _contains(lambda value: not value.isascii(), ids)


def test_error_envelopes_cover_every_error_and_shape() -> None:
    envelopes = draw_many(strategies.error_envelopes(), 1500)
    assert {(envelope["status"], envelope["type"]) for envelope in envelopes} == {
        error.pair for error in catalog.DOCUMENTED_ERRORS
    }
    for field in ("detail", "instance"):
        assert any(field in envelope for envelope in envelopes), field
        assert any(field not in envelope for envelope in envelopes), field
    documented = {"title", "type", "status", "detail", "instance"}
    assert any(set(envelope) - documented for envelope in envelopes)
    details = [envelope["detail"] for envelope in envelopes if "detail" in envelope]
    assert any(len(detail) > 1000 and not detail.isascii() for detail in details)


def test_success_bodies_with_and_without_extra_fields() -> None:
    bodies = draw_many(strategies.success_bodies(), 500)
    assert any(set(body) == {"object", "account_id"} for body in bodies)
    assert any(set(body) > {"object", "account_id"} for body in bodies)
