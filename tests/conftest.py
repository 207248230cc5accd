"""Fixtures for every test of tests/.

A CI job may set ``POSTPRESS_*`` variables for its own run (``POSTPRESS_BASE_URL`` for a staging run, say); the
tests here, and the inner pytest runs of pytester, must not see them.
"""

from __future__ import annotations

import pytest

from pytest_postpress import _settings


@pytest.fixture(autouse=True)
def _no_postpress_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clear the environment variable of every option (``_settings.OPTIONS``), and ``GITHUB_STEP_SUMMARY``, for the
    test; a test that needs one sets it itself."""
    for option in _settings.OPTIONS:
        monkeypatch.delenv(option.env, raising=False)
    # Set by GitHub Actions: the plugin would append every inner pytester session's summary to the job's page.
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
