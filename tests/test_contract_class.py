"""A user's class inherits the checks of ReconnectContract and its fixtures, not the suite's private plumbing."""

from __future__ import annotations

import pytest

from pytest_postpress import ReconnectContract

# The fixtures a class may use or override (the helpers of the checks live in Assertions, Harness, LiveRequests).
FIXTURES = {
    "postpress_base_url",
    "postpress_call",
    "postpress_check",
    "postpress_client_timeout",
    "postpress_direct",
    "postpress_double",
    "postpress_event_loop",
    "postpress_harness",
    "postpress_max_attempts",
    "postpress_reconnect",
}


def _inherited(cls: type) -> set[str]:
    """What a subclass of ``cls`` inherits that is neither a check (``test_*``), a dunder nor ``pytestmark``."""
    return {
        name for name in dir(cls) if not name.startswith("__") and not name.startswith("test_") and name != "pytestmark"
    }


def test_a_users_class_inherits_checks_and_fixtures_only() -> None:
    class TestMine(ReconnectContract):
        pass

    inherited = _inherited(TestMine)
    assert inherited == FIXTURES, f"not a check nor a fixture: {sorted(inherited - FIXTURES)}"
    checks = [name for name in dir(TestMine) if name.startswith("test_")]
    assert len(checks) >= 20, checks


def test_the_listing_sees_a_private_helper() -> None:
    class WithHelper(ReconnectContract):
        def _documented(self) -> None:
            pass

        @staticmethod
        def _live_guard() -> None:
            pass

    assert _inherited(WithHelper) - FIXTURES == {"_documented", "_live_guard"}


def test_each_inherited_attribute_is_a_fixture(pytester: pytest.Pytester) -> None:
    # pytest lists each as a fixture of a subclass (what --fixtures shows a user).
    pytester.makepyfile(
        """
        from pytest_postpress import ReconnectContract

        class TestMine(ReconnectContract):
            pass
        """
    )
    result = pytester.runpytest("--fixtures", "-p", "no:cacheprovider")
    shown = {line.split(" ", 1)[0] for line in result.stdout.lines}
    assert shown >= FIXTURES, sorted(FIXTURES - shown)
