"""The contract suite fails every broken client of the gallery on its intended check, and passes the reference.

The reference client runs the whole suite in an inner pytest (pytester); each broken client of
``tests/broken_clients.py`` runs the checks it must fail.  Every client check of the suite appears among the
intended checks of at least one broken client (``test_every_client_check_is_broken_by_someone``).
"""

from __future__ import annotations

from typing import Any

import correct_clients
import pytest
from broken_clients import GALLERY, Expectation, Reference, client_test_source

# Derandomized, so that a breakage is found on every run or never: the gallery cannot flake.
CONFTEST = """
from hypothesis import settings
settings.register_profile("gallery", max_examples=100, deadline=None, database=None, derandomize=True)
"""

# Checks about the server, not the client: shown to fail against a broken server in tests/test_live.py.
SERVER_CHECKS = {"missing_key", "hostile_id", "real_reconnect"}


def run_suite(
    pytester: pytest.Pytester, client: type[Reference], *args: str, conftest: str = ""
) -> dict[str, pytest.TestReport]:
    pytester.makeconftest(CONFTEST + conftest)
    pytester.makepyfile(test_client=client_test_source(client.__name__))
    result = pytester.inline_run("-p", "no:cacheprovider", "--hypothesis-profile=gallery", "-q", *args)
    reports = [r for r in result.getreports("pytest_runtest_logreport") if r.when == "call" or r.outcome != "passed"]
    return {r.nodeid.split("::")[-1].removeprefix("test_"): r for r in reports}


def failed_checks(reports: dict[str, pytest.TestReport]) -> set[str]:
    return {name for name, report in reports.items() if report.failed}


def matches(expected: str, check: str) -> bool:
    return check == expected or ("[" not in expected and check.startswith(expected + "["))


def test_reference_client_passes_every_check(pytester: pytest.Pytester) -> None:
    reports = run_suite(pytester, Reference)
    assert failed_checks(reports) == set()
    passed = {name for name, report in reports.items() if report.passed}
    assert len(passed) >= 60  # 12 body variants, 35 documented errors, fuzz, robustness, live-safe checks


@pytest.mark.parametrize(("client", "expectation"), list(GALLERY.items()), ids=[c.__name__ for c in GALLERY])
def test_broken_client_fails_its_check(
    pytester: pytest.Pytester, client: type[Reference], expectation: Expectation
) -> None:
    # Only the intended checks run: the reference run above covers the whole suite.
    selection = " or ".join(f"test_{expected.split('[')[0]}" for expected in expectation.checks)
    reports = run_suite(pytester, client, "-k", selection)
    failed = failed_checks(reports)
    for index, expected in enumerate(expectation.checks):
        hits = sorted(check for check in failed if matches(expected, check))
        assert hits, f"{client.__name__}: expected {expected} to fail; failed: {sorted(failed)}"
        text = reports[hits[0]].longreprtext
        assert "how to fix:" in text, text
        if index == 0:  # the message of the intended check says what went wrong
            assert expectation.message in text, text


@pytest.mark.parametrize("client", correct_clients.CORRECT, ids=[c.__name__ for c in correct_clients.CORRECT])
def test_idiomatic_correct_client_passes_every_check(pytester: pytest.Pytester, client: type[Any]) -> None:
    """Written the way people write them (json=body, raise_for_status(), retries, requests, numbers as doubles)."""
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_client=correct_clients.client_test_source(client.__name__))
    result = pytester.runpytest("-p", "no:cacheprovider", "--hypothesis-profile=gallery", "-q", "-rf")
    outcomes = result.parseoutcomes()
    assert "failed" not in outcomes, result.stdout.str()
    assert "errors" not in outcomes, result.stdout.str()
    assert outcomes["passed"] >= 70, outcomes
    result.stdout.fnmatch_lines([f"Test{client.__name__}: *checks passed (1 skipped)*"])
    if client.__name__.startswith("Retrying"):
        # The retry policy appears in the summary: the statuses it resent, its attempts, its pause.
        retried = "407, 408, 502, 503, 504, no answer"
        line = f"  retry policy observed: retried {retried}; at most {client.attempts} attempts; shortest pause *"
        result.stdout.fnmatch_lines([line])
    else:
        result.stdout.fnmatch_lines(["  retry policy observed: no retries"])


def test_every_client_check_is_broken_by_someone(pytester: pytest.Pytester) -> None:
    reports = run_suite(pytester, Reference)
    checks = {name.split("[")[0] for name in reports} - SERVER_CHECKS
    covered = {expected.split("[")[0] for expectation in GALLERY.values() for expected in expectation.checks}
    assert checks - covered == set()
    assert len(GALLERY) >= 20
