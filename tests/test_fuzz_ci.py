"""Fuzzing a client in CI: profiles, the time budget, replayable failures, the JSON report (also under xdist)."""

from __future__ import annotations

import json
import re
import shlex
import time
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from broken_clients import client_test_source

import strategies

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def client_file(pytester: pytest.Pytester, name: str) -> Path:
    return pytester.makepyfile(test_client=client_test_source(name))


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ("postpress-dev", {"max_examples": 25, "derandomize": False, "deadline": None}),
        ("postpress-ci", {"max_examples": 200, "derandomize": True, "deadline": None, "database": None}),
        ("postpress-fuzz", {"max_examples": 2000, "derandomize": False, "print_blob": True}),
    ],
)
def test_profiles_are_registered_by_the_plugin_and_apply(
    pytester: pytest.Pytester, profile: str, expected: dict[str, Any]
) -> None:
    checks = "\n".join(f"    assert settings.default.{name} == {value!r}" for name, value in expected.items())
    pytester.makepyfile(f"from hypothesis import settings\n\ndef test_profile():\n{checks}\n")
    pytester.runpytest(f"--hypothesis-profile={profile}", "-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_ci_profile_extends_hypothesis_ci_profile(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from hypothesis import settings

        def test_parent():
            ci, ours = settings.get_profile("ci"), settings.get_profile("postpress-ci")
            assert ours.print_blob == ci.print_blob
            assert set(ci.suppress_health_check) <= set(ours.suppress_health_check)
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


FUZZ_CHECKS = {"request_line", "fuzz_valid_bodies", "fuzz_invalid_bodies", "fuzz_responses"}


def report_of(path: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(path.read_text())
    schema = json.loads(resources.files("pytest_postpress").joinpath("report.schema.json").read_text())
    jsonschema.validate(report, schema)
    return report


def fuzz_examples(report: dict[str, Any]) -> dict[str, int]:
    return {
        check["name"]: check["examples"]
        for client in report["clients"]
        for check in client["checks"]
        if check["name"] in FUZZ_CHECKS
    }


def test_profile_sets_the_examples_of_the_fuzz_checks(pytester: pytest.Pytester) -> None:
    report = pytester.path / "report.json"
    result = pytester.runpytest(
        str(EXAMPLES / "test_httpx_client.py::TestHttpxClient"),
        "-p",
        "no:cacheprovider",
        "-m",
        "postpress_fuzz",
        "--hypothesis-profile=postpress-dev",
        f"--postpress-report={report}",
    )
    result.assert_outcomes(passed=4)
    examples = fuzz_examples(report_of(report))
    assert set(examples) == FUZZ_CHECKS
    # Each runs its explicit examples before the drawn ones: an id of each hostile kind and one holding a NUL (11),
    # a field set to None (1), a valid body of rare values (1), a 201 with undocumented fields and a bare 503 (2).
    explicit = {"request_line": 11, "fuzz_invalid_bodies": 1, "fuzz_valid_bodies": 1, "fuzz_responses": 2}
    assert all(0 < count <= 25 + explicit.get(name, 0) for name, count in examples.items()), examples


def test_time_budget_stops_generation(pytester: pytest.Pytester) -> None:
    report = pytester.path / "report.json"
    start = time.monotonic()
    result = pytester.runpytest_subprocess(
        str(EXAMPLES / "test_httpx_client.py::TestHttpxClient"),
        "-p",
        "no:cacheprovider",
        "-m",
        "postpress_fuzz",
        "--hypothesis-profile=postpress-fuzz",  # 2,000 examples a check without a budget: far more than 5 s
        "--postpress-fuzz-seconds=5",
        f"--postpress-report={report}",
    )
    elapsed = time.monotonic() - start
    result.assert_outcomes(passed=4)
    data = report_of(report)
    # What proves the budget stopped generation is the count: without it, each check runs its profile's 2,000
    # examples; with it, every check stops short of them.  The times are only loose guards against a budget
    # that never ends (2,000 examples of each check take minutes): on a loaded 2-core machine the last round
    # of each check and the interpreter start-up take seconds more than on a quiet one.
    examples = fuzz_examples(data)
    assert all(0 < count < 2000 for count in examples.values()), examples
    spent = sum(check["duration"] for client in data["clients"] for check in client["checks"])
    assert spent < 5 + 40, spent
    assert elapsed < 5 + 120, elapsed
    assert report_of(report)["fuzz_seconds"] == 5


def test_a_failure_prints_a_replay_line_that_fails_the_same_way(pytester: pytest.Pytester) -> None:
    # A client that fails on drawn bodies only (the body tried first on every run has a proxy): the replay line
    # then names the drawn example.
    client_file(pytester, "NullsForAbsentFields")
    first = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-k", "fuzz_valid_bodies", "--hypothesis-profile=postpress-ci"
    )
    first.assert_outcomes(failed=1)
    text = first.stdout.str()
    assert "failing input (secrets hidden): body {" in text
    replay = re.search(r"replay it alone: (pytest .*)$", text, re.MULTILINE)
    assert replay, text
    command = shlex.split(replay.group(1))
    assert command[2] == "--postpress-reproduce"
    again = pytester.runpytest_subprocess(command[1], *command[2:4], "-p", "no:cacheprovider")
    again.assert_outcomes(failed=1)
    violation = re.search(r"the client sent a different body at (\S+): field added", text)
    assert violation, text
    again.stdout.fnmatch_lines([f"*the client sent a different body at {violation.group(1)}: field added*"])


def test_a_bad_reproduce_value_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--postpress-reproduce", "not a blob")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*invalid --postpress-reproduce value 'not a blob'*VERSION:BLOB*"])


def test_a_bad_fuzz_budget_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--postpress-fuzz-seconds", "-3")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*invalid --postpress-fuzz-seconds value '-3'*expected a positive number*"])


def test_report_validates_and_is_merged_under_xdist(pytester: pytest.Pytester) -> None:
    single, merged = pytester.path / "single.json", pytester.path / "merged.json"
    target = str(EXAMPLES / "test_httpx_client.py")
    common = ("-p", "no:cacheprovider", "--hypothesis-profile=postpress-dev")
    pytester.runpytest_subprocess(target, *common, f"--postpress-report={single}").assert_outcomes(
        passed=168, skipped=2
    )
    with_xdist = pytester.runpytest_subprocess(target, *common, "-n", "2", f"--postpress-report={merged}")
    with_xdist.assert_outcomes(passed=168, skipped=2)
    one, two = report_of(single), report_of(merged)
    assert two["workers"] == 2
    assert sorted(client["name"] for client in two["clients"]) == ["TestAsyncHttpxClient", "TestHttpxClient"]
    for client in two["clients"]:
        reference = next(c for c in one["clients"] if c["name"] == client["name"])
        assert {c["name"]: c["outcome"] for c in client["checks"]} == {
            c["name"]: c["outcome"] for c in reference["checks"]
        }
        assert client["documented_errors_handled"] == 35
        assert len(client["variants_sent"]) == 12
        assert client["mutations_tried"]
        assert set(client["mutations_tried"]) <= set(strategies.MUTATIONS)
    with_xdist.stdout.fnmatch_lines([f"postpress: contract report written to {merged}"])
