"""Valid request bodies, one variant at a time, by construction from the contract schema."""

from __future__ import annotations

import functools
from collections.abc import Collection
from typing import Any

from hypothesis import strategies as st

from pytest_postpress import schema as _schema
from pytest_postpress.strategies import _arguments, _values

__all__ = ["reconnect_bodies", "variant_bodies"]


@functools.cache
def variant_bodies(name: str, force: frozenset[str] = frozenset()) -> st.SearchStrategy[dict[str, Any]]:
    """Valid bodies of one variant; the optional top-level fields in ``force`` are always present."""
    return _values.object_strategy(_schema.variant_schema(name), (), force=force)


@functools.cache
def _bodies(names: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of([variant_bodies(name) for name in names])


def reconnect_bodies(*, variants: Collection[str] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Valid request bodies for ``POST /v1/accounts/{id}``, as JSON objects (``dict``).

    ``variants`` is ``None`` for all twelve variants of
    ``pytest_postpress.schema.VARIANTS`` or a collection of their names (for
    example ``["LINKEDIN_BASIC", "MAIL"]``).  Every body drawn is accepted by
    ``pytest_postpress.validate_reconnect_body`` and matches exactly one
    variant.

    What is generated: each variant is built from its schema, one field at a
    time.  Required fields are always present; every optional field is
    sometimes present and sometimes absent (``sync_limit`` in its object form
    with ``chats``, ``messages`` or both, or as ``"NO_HISTORY_SYNC"`` where
    that is the documented form; ``proxy`` with or without its optional
    fields; ``disabled_features`` possibly empty).  Where the contract names a
    format the values are realistic (emails and phone numbers as LinkedIn
    usernames, real ISO country codes, IPv4 addresses, RFC 3339 UTC date-times
    with ``Z``, ``z``, ``+00:00`` or ``-00:00``, E.164 numbers with and
    without separators up to 15 digits, Messenger cookies ``xs``, ``c_user``,
    ``datr`` plus extra cookies in any order), mixed with unusual spellings
    the contract still allows (``993.0`` for a port, a leap second, arbitrary
    Unicode in free-text fields).  Dict key order varies.

    How it shrinks: towards the earliest requested variant in documentation
    order, with optional fields removed and each value shrunk towards its
    realistic form (``sync_limit`` values towards ``0``, ports towards a
    common port, strings towards short realistic ones).

    Bad arguments raise ``hypothesis.errors.InvalidArgument`` when the
    strategy is first drawn from.
    """
    frozen = _arguments.freeze(variants)

    def build() -> st.SearchStrategy[dict[str, Any]]:
        return _bodies(_arguments.check_variants(frozen, function="reconnect_bodies"))

    return _arguments.lazy_strategy("reconnect_bodies", f"variants={frozen!r}", build)
