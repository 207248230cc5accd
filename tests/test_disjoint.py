"""The twelve variants are pairwise disjoint: no body matches two (rule 3)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies
from pytest_postpress import VARIANTS
from pytest_postpress.schema import variant_schema, variant_spec
from pytest_postpress.validation import matching_variants

SIBLINGS = [
    (a, b) for a, b in itertools.permutations(VARIANTS, 2) if variant_spec(a).provider == variant_spec(b).provider
]


@settings(max_examples=300)
@given(strategies.reconnect_bodies())
def test_a_valid_body_matches_exactly_one_variant(body: dict[str, Any]) -> None:
    assert len(matching_variants(body)) == 1


@pytest.mark.parametrize(("variant", "other"), SIBLINGS, ids=[f"{a}+{b}" for a, b in SIBLINGS])
@settings(max_examples=30)
@given(data=st.data())
def test_a_body_with_a_siblings_credentials_matches_none(variant: str, other: str, data: st.DataObject) -> None:
    """Same provider, credentials of both: undocumented fields for each, so no variant (rule 2 and 3)."""
    body = data.draw(strategies.reconnect_bodies(variants=[variant]))
    donor = data.draw(strategies.reconnect_bodies(variants=[other]))
    added = {name: donor[name] for name in variant_spec(other).credentials if name not in body}
    assert added  # a sibling always requires a credential this variant's body lacks
    assert matching_variants({**body, **added}) == []


def test_siblings_differ_in_required_credentials() -> None:
    # The structural reason: same provider, but each sibling requires a field the other does not document.
    for variant, other in SIBLINGS:
        mine = set(variant_schema(variant)["required"]) - set(variant_schema(other)["properties"])
        assert mine, (variant, other)


def test_providers_of_single_variants_are_unique() -> None:
    providers = [variant_spec(name).provider for name in VARIANTS]
    singles = [name for name in VARIANTS if providers.count(variant_spec(name).provider) == 1]
    assert len(singles) == 6
    assert len(SIBLINGS) == 6  # LinkedIn, Instagram, Messenger: two variants each, both orders
