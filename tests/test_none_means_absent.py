"""``postpress_none_means_absent``: a client whose API reads None as "not given" says so once and is judged by it.

A keyword-argument SDK that leaves out what is None passes every check with the fixture set, and fails
``test_fuzz_invalid_bodies`` without it on every run (an explicit example, not the luck of the draw), with advice
naming the fixture. Clients that drop "" or 0, or that send null for a field set to None, fail either way.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from broken_clients import (
    KeywordsDropEmptyStrings,
    KeywordsDropNone,
    KeywordsDropZeros,
    Reference,
    client_test_source,
)
from test_fuzz_ci import report_of
from test_suite_gallery import failed_checks, run_suite

from pytest_postpress.suite._none import none_fields, without_none_fields
from pytest_postpress.suite._results import Results

NONE_MEANS_ABSENT = """
import pytest


@pytest.fixture
def postpress_none_means_absent():
    return True
"""

# One drawn example per fuzz check: whatever fails then fails on the explicit example, not on a lucky draw.
ONE_DRAW = """
from hypothesis import settings
settings.register_profile("one-draw", max_examples=1, deadline=None, database=None)
"""


def test_without_none_fields_drops_object_members_at_any_depth() -> None:
    body = {"provider": "LINKEDIN", "country": None, "proxy": {"port": None, "host": "h"}, "cookies": [{"a": None}]}
    assert without_none_fields(body) == {"provider": "LINKEDIN", "proxy": {"host": "h"}, "cookies": [{}]}
    assert body["country"] is None  # a copy: the caller's body is untouched
    assert none_fields(body) == ["/country", "/proxy/port", "/cookies/0/a"]
    # Items of arrays and the body itself are not fields: no keyword argument stands for them.
    assert without_none_fields([None, 1]) == [None, 1]
    assert without_none_fields(None) is None
    # Falsy values that are not None are kept.
    assert without_none_fields({"a": "", "b": 0, "c": False, "d": [], "e": {}}) == {
        "a": "",
        "b": 0,
        "c": False,
        "d": [],
        "e": {},
    }


def test_keyword_sdk_passes_every_check_with_the_fixture(pytester: pytest.Pytester) -> None:
    reports = run_suite(pytester, KeywordsDropNone, conftest=NONE_MEANS_ABSENT)
    assert failed_checks(reports) == set()
    passed = {name for name, report in reports.items() if report.passed}
    assert len(passed) >= 60


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_keyword_sdk_fails_without_the_fixture_on_every_run(pytester: pytest.Pytester, seed: int) -> None:
    pytester.makeconftest(ONE_DRAW)
    pytester.makepyfile(test_client=client_test_source(KeywordsDropNone.__name__))
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--hypothesis-profile=one-draw", f"--hypothesis-seed={seed}", "-k", "fuzz_invalid"
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*the client sent a different body at /country: field dropped (expected null)",
            "*how to fix: the client only dropped the fields the caller set to None (/country)*override the fixture "
            "postpress_none_means_absent to return True, in your ReconnectContract subclass or a conftest.py*",
            "*replay it: pytest '*' (this example is tried first on every run)",
        ]
    )


def test_a_client_that_sends_null_fails_with_the_fixture(pytester: pytest.Pytester) -> None:
    """The fixture is no free pass: a field set to None must then be left out, not sent as null."""
    reports = run_suite(pytester, Reference, "-k", "fuzz_invalid_bodies", conftest=NONE_MEANS_ABSENT)
    assert failed_checks(reports) == {"fuzz_invalid_bodies"}
    text = reports["fuzz_invalid_bodies"].longreprtext
    assert "less the fields set to None (postpress_none_means_absent)" in text, text
    assert "at /country: field added that the caller did not pass (null)" in text, text
    assert "leave it out of the body" in text, text


@pytest.mark.parametrize(
    ("client", "check", "where"),
    [
        (KeywordsDropEmptyStrings, "fuzz_valid_bodies", "field dropped"),
        (KeywordsDropZeros, "body[LINKEDIN_BASIC]", "/sync_limit/chats: field dropped (expected 0)"),
    ],
)
@pytest.mark.parametrize("none_means_absent", [False, True], ids=["default", "fixture"])
def test_dropping_empty_strings_or_zeros_fails_either_way(
    pytester: pytest.Pytester, client: type[Reference], check: str, where: str, none_means_absent: bool
) -> None:
    conftest = NONE_MEANS_ABSENT if none_means_absent else ""
    reports = run_suite(pytester, client, "-k", check.split("[")[0], conftest=conftest)
    assert check in failed_checks(reports)
    text = reports[check].longreprtext
    assert where in text, text
    assert "postpress_none_means_absent" not in text, text  # no advice to set the fixture: it would not help


INVALID_NULL_COUNTRY = """
import pytest
from hypothesis import strategies as st
import pytest_postpress.strategies as pp_strategies
from pytest_postpress.samples import sample_body
from pytest_postpress.validation import error_for_violations, validate_reconnect_body


@pytest.fixture(autouse=True)
def only_a_null_country(monkeypatch):
    # Every drawn invalid body is a null_value mutation that is valid once its None field is gone.
    body = {**sample_body("LINKEDIN_BASIC"), "country": None}
    invalid = pp_strategies.InvalidBody(
        body, "LINKEDIN_BASIC", "null_value", error_for_violations(validate_reconnect_body(body)), "/country"
    )
    monkeypatch.setattr(pp_strategies, "invalid_reconnect_bodies", lambda: st.just(invalid))
"""


@pytest.mark.parametrize(
    ("client", "conftest", "tried"),
    [(KeywordsDropNone, NONE_MEANS_ABSENT, []), (Reference, "", ["null_value"])],
    ids=["fixture", "default"],
)
def test_a_null_value_that_is_valid_without_its_none_fields_is_no_invalid_body(
    pytester: pytest.Pytester, client: type[Reference], conftest: str, tried: list[str]
) -> None:
    pytester.makeconftest(ONE_DRAW + INVALID_NULL_COUNTRY + conftest)
    pytester.makepyfile(test_client=client_test_source(client.__name__))
    report = pytester.path / "report.json"
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--hypothesis-profile=one-draw", "-k", "fuzz_invalid", f"--postpress-report={report}"
    )
    result.assert_outcomes(passed=1)
    (data,) = report_of(report)["clients"]
    assert data["mutations_tried"] == tried


def test_the_setting_shows_per_client_in_summary_and_report(pytester: pytest.Pytester, tmp_path: Path) -> None:
    source = client_test_source(KeywordsDropNone.__name__) + textwrap.dedent(
        """

        class TestKeywordSdk(TestClient):
            @pytest.fixture
            def postpress_none_means_absent(self):
                return True
        """
    )
    pytester.makeconftest(ONE_DRAW)
    pytester.makepyfile(test_client=source)
    report = tmp_path / "report.json"
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--hypothesis-profile=one-draw", "-k", "fuzz_invalid", f"--postpress-report={report}"
    )
    result.assert_outcomes(passed=1, failed=1)  # the subclass's override is used; the default class fails
    result.stdout.fnmatch_lines(
        [
            "TestClient: 0/1 checks passed*",
            "  None fields: sent as given, null included (default; postpress_none_means_absent=False)",
            "TestKeywordSdk: 1/1 checks passed*",
            "  None fields: count as not passed (postpress_none_means_absent=True)",
        ]
    )
    clients = {client["name"]: client for client in report_of(report)["clients"]}
    assert clients["TestClient"]["none_means_absent"] is False
    assert clients["TestKeywordSdk"]["none_means_absent"] is True


def test_a_setting_that_differs_between_checks_is_reported_as_mixed() -> None:
    results = Results()
    results.add([{"client": "C", "check": "a", "none_means_absent": True}], "passed", 0.0)
    results.add([{"client": "C", "check": "b", "none_means_absent": False}], "passed", 0.0)
    assert results.clients["C"].none_means_absent == "mixed"
    assert "  None fields: postpress_none_means_absent was True in some checks only" in results.summary_lines()


def test_a_fixture_value_that_is_not_a_bool_is_a_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("import pytest\n\n@pytest.fixture\ndef postpress_none_means_absent():\n    return 'yes'\n")
    pytester.makepyfile(test_client=client_test_source(Reference.__name__))
    result = pytester.runpytest("-p", "no:cacheprovider", "-k", "test_success")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*postpress_none_means_absent returned 'yes'; return True*or False*"])
