"""The top-level ``strategies`` name of the project's layout: a re-export of :mod:`pytest_postpress.strategies`.

Prefer ``from pytest_postpress import strategies``: a project's own ``tests/strategies.py`` (common in
Hypothesis code bases) shadows this top-level name, never the package's.  The plugin and the suite import
only :mod:`pytest_postpress.strategies`.
"""

from __future__ import annotations

from pytest_postpress.strategies import (
    MUTATIONS,
    InvalidBody,
    account_ids,
    error_envelopes,
    invalid_reconnect_bodies,
    reconnect_bodies,
    success_bodies,
)

__all__ = [
    "MUTATIONS",
    "InvalidBody",
    "account_ids",
    "error_envelopes",
    "invalid_reconnect_bodies",
    "reconnect_bodies",
    "success_bodies",
]
