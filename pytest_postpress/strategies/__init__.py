"""Hypothesis strategies for the postpress ``POST /v1/accounts/{id}`` contract.

Valid request bodies for every provider variant, invalid ones that say which
documented error they get, account ids from realistic to hostile, and the
documented responses, all derived from ``pytest_postpress.schema``::

    from hypothesis import given
    from pytest_postpress import strategies

    @given(strategies.reconnect_bodies(variants=["LINKEDIN_BASIC"]))
    def test_client_sends_body_unchanged(body): ...

Importing this package builds no strategy (each is built on its first draw)
and imports neither pytest nor respx nor httpx.
"""

from __future__ import annotations

from pytest_postpress.strategies._bodies import reconnect_bodies
from pytest_postpress.strategies._invalid import MUTATIONS, InvalidBody, invalid_reconnect_bodies
from pytest_postpress.strategies._responses import account_ids, error_envelopes, success_bodies

__all__ = [
    "MUTATIONS",
    "InvalidBody",
    "account_ids",
    "error_envelopes",
    "invalid_reconnect_bodies",
    "reconnect_bodies",
    "success_bodies",
]
