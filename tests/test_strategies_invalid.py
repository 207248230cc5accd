"""Property tests: every invalid body is rejected with the error it claims, by the validator and the mock."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

import strategies
from pytest_postpress import schema
from pytest_postpress.doubles.mock import PostpressMock
from pytest_postpress.strategies import _invalid
from pytest_postpress.validation import error_for_violations, validate_reconnect_body

MISSING_KINDS = {"missing_required", "empty_required", "missing_provider"}


@given(strategies.invalid_reconnect_bodies())
@settings(max_examples=1000)  # also the health-check run: default settings otherwise
def test_every_invalid_body_is_rejected_with_the_error_it_claims(invalid: strategies.InvalidBody) -> None:
    violations = validate_reconnect_body(invalid.body)
    assert violations != []
    assert error_for_violations(violations) == invalid.expected


@given(strategies.invalid_reconnect_bodies())
@settings(max_examples=300)
def test_the_record_is_consistent(invalid: strategies.InvalidBody) -> None:
    assert invalid.mutation in strategies.MUTATIONS
    missing = invalid.mutation in MISSING_KINDS
    assert invalid.expected.pair == (400, "errors/missing_parameters" if missing else "errors/invalid_parameters")
    if invalid.mutation == "not_an_object":
        assert invalid.variant is None
        assert not isinstance(invalid.body, Mapping)
        assert invalid.path == ""
    else:
        assert invalid.variant in schema.VARIANTS
        assert isinstance(invalid.body, dict)
        assert invalid.path.startswith("/")
    json.dumps(invalid.body, allow_nan=False)  # a JSON value: it can be sent as is


@given(strategies.invalid_reconnect_bodies())
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_the_mock_answers_the_expected_error(invalid: strategies.InvalidBody) -> None:
    with PostpressMock(base_url="https://api.postpress.ai", api_key="k3y", any_account=True) as mock:
        response = httpx.post(
            mock.endpoint("acc_01HXYZ4QK3WJ8FN3M6QH7TZ8GR"),
            content=json.dumps(invalid.body, allow_nan=False).encode(),
            headers={"X-API-KEY": "k3y", "Content-Type": "application/json"},
        )
    assert (response.status_code, response.json()["type"]) == invalid.expected.pair


@given(_invalid.unchecked_invalid_bodies(schema.VARIANTS, _invalid.MUTATIONS))
@settings(max_examples=500)
def test_the_final_check_is_a_safety_net_not_a_crutch(invalid: strategies.InvalidBody) -> None:
    # Before the strategy's final check, the construction alone already
    # agrees with the validator: the check discards nothing in practice.
    assert _invalid.agrees(invalid)


def test_a_shrunk_invalid_body_is_still_invalid() -> None:
    # The schemathesis trap: a failing test shrinks its "invalid" body until it
    # is valid again.  Force a long shrink (the simplest body whose mistake is
    # inside a nested object, e.g. /proxy/port) and check what it ends on.
    def nested(invalid: strategies.InvalidBody) -> bool:
        return invalid.path.count("/") >= 2

    smallest = find(strategies.invalid_reconnect_bodies(), nested, settings=settings(database=None))
    violations = validate_reconnect_body(smallest.body)
    assert violations != []
    assert error_for_violations(violations) == smallest.expected


@pytest.mark.parametrize("variant", schema.VARIANTS)
def test_variants_restricts_the_source_variant(variant: str) -> None:
    @given(strategies.invalid_reconnect_bodies(variants=[variant]))
    @settings(max_examples=40, database=None)
    def check(invalid: strategies.InvalidBody) -> None:
        assert invalid.variant in (variant, None)

    check()


def test_mutations_restricts_the_kinds() -> None:
    seen: set[str] = set()

    @given(strategies.invalid_reconnect_bodies(mutations=["provider_case", "missing_provider"]))
    @settings(max_examples=60, database=None)
    def record(invalid: strategies.InvalidBody) -> None:
        seen.add(invalid.mutation)

    record()
    assert seen == {"provider_case", "missing_provider"}


@given(st.data())
@settings(max_examples=100)
def test_provider_case_keeps_the_letters(data: st.DataObject) -> None:
    invalid = data.draw(strategies.invalid_reconnect_bodies(mutations=["provider_case"]))
    assert invalid.variant is not None
    provider = invalid.body["provider"]
    assert provider != schema.variant_spec(invalid.variant).provider
    assert provider.upper() == schema.variant_spec(invalid.variant).provider


@given(strategies.invalid_reconnect_bodies(mutations=["provider_confusion"]))
@settings(max_examples=100)
def test_provider_confusion_is_a_valid_provider_with_another_variants_fields(invalid: strategies.InvalidBody) -> None:
    assert invalid.variant is not None
    assert invalid.body["provider"] in schema.PROVIDERS
    assert invalid.body["provider"] != schema.variant_spec(invalid.variant).provider


@given(strategies.invalid_reconnect_bodies(mutations=["mixed_credentials"]))
@settings(max_examples=100)
def test_mixed_credentials_carry_a_siblings_credential(invalid: strategies.InvalidBody) -> None:
    assert invalid.variant is not None
    own = schema.variant_spec(invalid.variant)
    siblings = [schema.variant_spec(name) for name in schema.VARIANTS if name != own.name]
    foreign = {
        field
        for spec in siblings
        if spec.provider == own.provider
        for field, _, _ in spec.specific
        if field not in schema.variant_schema(own.name)["properties"]
    }
    assert foreign & set(invalid.body)


def test_missing_provider_skips_variants_the_validator_cannot_recognise_without_it() -> None:
    # TELEGRAM has no credential: without "provider" its body is judged as
    # LINKEDIN_BASIC's, so removing the provider is not "only missing fields".
    assert not _invalid.applicable("missing_provider", "TELEGRAM")
    assert _invalid.applicable("missing_provider", "MAIL")


def _pointer_exists(body: Any, pointer: str) -> bool:
    node = body
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return False
    return True


@given(strategies.invalid_reconnect_bodies())
@settings(max_examples=300)
def test_path_points_at_the_change(invalid: strategies.InvalidBody) -> None:
    removed = invalid.mutation in {"missing_required", "missing_provider"}
    assert _pointer_exists(invalid.body, invalid.path) is not removed
