"""Where the hooks leave what they resolve, for every layer to read without importing the hook module.

Set once by :mod:`pytest_postpress.plugin` (``pytest_configure``, ``pytest_collection_finish``);
read by the fixtures, the suite and the fuzz runner.  Kept apart from :mod:`pytest_postpress._settings`
so that the settings table stays importable without pytest (the ``serve`` command reads it).
"""

from __future__ import annotations

import pytest

from pytest_postpress._redact import Scrubber
from pytest_postpress._settings import Settings

__all__ = ["FUZZ_BUDGET_KEY", "SCRUBBER_KEY", "SEED_KEY", "SETTINGS_KEY", "scrubber_of", "settings_of"]

SETTINGS_KEY = pytest.StashKey[Settings]()
FUZZ_BUDGET_KEY = pytest.StashKey[float]()
SEED_KEY = pytest.StashKey[int]()
# The session's secrets (the key, the reconnect body's secret values; any part may ``add`` more): every output of
# the plugin is scrubbed with it.
SCRUBBER_KEY = pytest.StashKey[Scrubber]()


def settings_of(config: pytest.Config) -> Settings:
    """The resolved settings of this session."""
    return config.stash[SETTINGS_KEY]


def scrubber_of(config: pytest.Config) -> Scrubber:
    """The scrubber of this session: register a secret with ``scrubber_of(config).add(value)``."""
    return config.stash.setdefault(SCRUBBER_KEY, Scrubber())
