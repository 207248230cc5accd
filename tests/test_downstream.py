"""A downstream project with its own ``tests/strategies.py`` keeps it, and the contract suite still runs whole."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

OWN_STRATEGIES = '''
"""The project's own Hypothesis strategies (a common file name in Hypothesis code bases)."""
from hypothesis import strategies as st

MINE = True


def user_names():
    return st.text(min_size=1)
'''

TESTS = """
import pytest
import strategies
from postpress_httpx import PostpressClient

from pytest_postpress import ReconnectContract


def test_own_strategies_module_is_imported():
    assert strategies.MINE is True
    assert not hasattr(strategies, "reconnect_bodies")


class TestMine(ReconnectContract):
    @pytest.fixture
    def postpress_reconnect(self, postpress_base_url, postpress_api_key):
        client = PostpressClient(base_url=postpress_base_url, api_key=postpress_api_key)
        yield client.accounts.reconnect
        client.close()
"""


def test_project_with_its_own_strategies_module(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    # In a subprocess, as a downstream project runs: in this process 'strategies' may already be imported.
    monkeypatch.setenv("PYTHONPATH", str(EXAMPLES))
    tests = pytester.mkdir("tests")
    (tests / "strategies.py").write_text(OWN_STRATEGIES, encoding="utf-8")
    (tests / "test_client.py").write_text(TESTS, encoding="utf-8")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "tests")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()
    assert outcomes.get("errors", outcomes.get("error", 0)) == 0, result.stdout.str()
    assert outcomes["passed"] > 70
    result.stdout.fnmatch_lines(["*TestMine: *checks passed*"])
    result.stdout.no_fnmatch_line("*AttributeError*")
