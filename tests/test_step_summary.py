"""``$GITHUB_STEP_SUMMARY``: the session's Markdown summary, appended once at the end (the xdist controller writes
it), naming every client class of the run; ``--postpress-no-step-summary`` (ini, env) turns it off."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CLIENTS = f"""
import sys
import pytest
sys.path[:0] = [{str(ROOT / "examples")!r}, {str(ROOT / "tests")!r}]
from broken_clients import LosesType, Reference
from pytest_postpress import ReconnectContract


class TestReference(ReconnectContract):
    client = Reference

    @pytest.fixture
    def postpress_reconnect(self, postpress_base_url, postpress_api_key):
        client = self.client(base_url=postpress_base_url, api_key=postpress_api_key)
        yield client.reconnect
        client.close()


class TestLosesType(TestReference):
    client = LosesType


def test_not_a_contract_check():
    pass
"""
CHECKS = ("-k", "test_authentication or documented_error and already_exists or not_a_contract")


@pytest.fixture
def summary(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    pytester.makepyfile(test_clients=CLIENTS)
    path = pytester.path / "step-summary.md"
    path.write_text("# the job's own heading\n\n", encoding="utf-8")  # what other steps wrote stays
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(path))
    monkeypatch.delenv("POSTPRESS_NO_STEP_SUMMARY", raising=False)
    return path


def _client_rows(text: str) -> list[str]:
    return [line.split("|")[1].strip() for line in text.splitlines() if line.startswith("| Test")]


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_the_summary_names_every_client_class_once(
    pytester: pytest.Pytester, summary: Path, workers: list[str]
) -> None:
    result = pytester.runpytest("-p", "no:cacheprovider", *CHECKS, *workers)
    result.assert_outcomes(passed=4, failed=1)
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# the job's own heading\n\n## postpress contract report\n")
    assert text.count("## postpress contract report") == 1  # once, by the controller
    # The facts table and the matrix, each naming both classes of the run.
    assert _client_rows(text) == ["TestLosesType", "TestReference"] * 2  # by name, whatever finished first
    assert "| client | authentication | documented_error[409-already_exists] |" in text
    assert "### Failures (1)" in text
    assert "the client raised builtins.RuntimeError('HTTP 409')" in text
    result.stdout.fnmatch_lines([f"postpress: summary appended to $GITHUB_STEP_SUMMARY ({summary})"])


@pytest.mark.parametrize(
    "how",
    [["--postpress-no-step-summary"], ["-o", "postpress_no_step_summary=true"], ["env"]],
    ids=["flag", "ini", "env"],
)
def test_no_step_summary_turns_it_off(
    pytester: pytest.Pytester, summary: Path, monkeypatch: pytest.MonkeyPatch, how: list[str]
) -> None:
    if how == ["env"]:
        monkeypatch.setenv("POSTPRESS_NO_STEP_SUMMARY", "1")
        how = []
    result = pytester.runpytest("-p", "no:cacheprovider", *CHECKS, *how)
    result.assert_outcomes(passed=4, failed=1)
    assert summary.read_text(encoding="utf-8") == "# the job's own heading\n\n"
    assert "GITHUB_STEP_SUMMARY" not in result.stdout.str()


def test_nothing_is_written_without_the_variable(
    pytester: pytest.Pytester, summary: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY")
    before = sorted(path.name for path in pytester.path.iterdir())
    result = pytester.runpytest("-p", "no:cacheprovider", *CHECKS)
    result.assert_outcomes(passed=4, failed=1)
    assert sorted(path.name for path in pytester.path.iterdir()) == before
    assert summary.read_text(encoding="utf-8") == "# the job's own heading\n\n"


def test_a_session_without_the_contract_suite_writes_nothing(pytester: pytest.Pytester, summary: Path) -> None:
    result = pytester.runpytest("-p", "no:cacheprovider", "-k", "not_a_contract")
    result.assert_outcomes(passed=1)
    assert summary.read_text(encoding="utf-8") == "# the job's own heading\n\n"


def test_a_summary_that_cannot_be_written_is_said_not_raised(
    pytester: pytest.Pytester, summary: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(pytester.path / "no-such-folder" / "summary.md"))
    result = pytester.runpytest("-p", "no:cacheprovider", *CHECKS)
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["postpress: cannot append the summary to $GITHUB_STEP_SUMMARY (*): No such file*"])
    assert "INTERNALERROR" not in result.stdout.str()
