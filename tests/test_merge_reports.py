"""``python -m pytest_postpress merge-reports``: the reports of several CI shards, one report of the night."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from broken_clients import client_test_source

DEV = ("--hypothesis-profile=postpress-dev",)
SCHEMA = json.loads(resources.files("pytest_postpress").joinpath("report.schema.json").read_text())


def merge(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest_postpress", "merge-reports", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def checks_of(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    [client] = report["clients"]
    return {check["name"]: check for check in client["checks"]}


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two shards of one night on one client class: the fuzz checks on the reference client, and on a client
    that drops empty strings (its fuzz_valid_bodies fails), each with its own JSON report."""
    reports = []
    for number, name in enumerate(("Reference", "DropsEmptyStrings"), start=1):
        directory = tmp_path_factory.mktemp(f"shard{number}")
        (directory / "test_client.py").write_text(client_test_source(name))
        report = directory / f"shard-{number}.json"
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-k", "fuzz or request_line or test_body"]
        subprocess.run(
            [*command, *DEV, f"--postpress-report={report}"],
            cwd=directory,
            capture_output=True,
            timeout=900,
            check=False,
        )
        jsonschema.validate(json.loads(report.read_text()), SCHEMA)
        reports.append(report)
    return reports


def test_shards_merge_into_one_valid_report(shards: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "night" / "merged.json"
    done = merge(*shards, "-o", out)
    assert done.returncode == 0, done.stderr
    merged = json.loads(out.read_text())
    jsonschema.validate(merged, SCHEMA)
    one, two = (json.loads(path.read_text()) for path in shards)
    assert [entry["report"] for entry in merged["merged_from"]] == [str(path) for path in shards]
    checks, first, second = checks_of(merged), checks_of(one), checks_of(two)
    assert set(checks) == set(first) | set(second)
    for name, check in checks.items():
        # Examples summed, the worse outcome kept.
        assert check["examples"] == first[name]["examples"] + second[name]["examples"]
        outcomes = {first[name]["outcome"], second[name]["outcome"]}
        assert check["outcome"] == ("failed" if "failed" in outcomes else "passed"), (name, outcomes)
    assert second["fuzz_valid_bodies"]["outcome"] == "failed"
    assert first["fuzz_valid_bodies"]["outcome"] == "passed"
    assert checks["fuzz_valid_bodies"]["failures"] == [{"report": str(shards[1]), "outcome": "failed"}]
    [client] = merged["clients"]
    assert client["checks_failed"] == [name for name, check in second.items() if check["outcome"] == "failed"]
    errors = {error["id"]: error["outcome"] for error in client["documented_errors"]}
    assert client["documented_errors_handled"] == sum(1 for outcome in errors.values() if outcome == "passed")
    sent = set(one["clients"][0]["variants_sent"]) | set(two["clients"][0]["variants_sent"])
    assert set(client["variants_sent"]) == sent
    assert "merged 2 reports into" in done.stdout


def test_a_merged_report_merges_again_keeping_where_each_failure_came_from(shards: list[Path], tmp_path: Path) -> None:
    once = tmp_path / "once.json"
    assert merge(*shards, "-o", once).returncode == 0
    again = tmp_path / "again.json"
    assert merge(once, shards[0], "-o", again).returncode == 0
    merged = json.loads(again.read_text())
    jsonschema.validate(merged, SCHEMA)
    assert checks_of(merged)["fuzz_valid_bodies"]["failures"] == [{"report": str(shards[1]), "outcome": "failed"}]


def bad(tmp_path: Path, *reports: Path) -> str:
    out = tmp_path / "out.json"
    done = merge(*reports, "-o", out)
    assert done.returncode == 2
    assert not out.exists(), "nothing is written"
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    return line


def test_a_missing_file_exits_2_naming_it(shards: list[Path], tmp_path: Path) -> None:
    missing = tmp_path / "shard-9.json"
    line = bad(tmp_path, shards[0], missing)
    assert line == f"python -m pytest_postpress merge-reports: {missing}: cannot read it: No such file or directory"


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("{not json", "not a report: not JSON (Expecting property name"),
        ('{"tests": []}', 'not a report: no "format" (expected a file written by --postpress-report)'),
        ("[1, 2]", 'not a report: no "format"'),
    ],
)
def test_a_file_that_is_not_a_report_exits_2(shards: list[Path], tmp_path: Path, content: str, why: str) -> None:
    other = tmp_path / "junit.json"
    other.write_text(content)
    line = bad(tmp_path, shards[0], other)
    assert f"{other}: {why}" in line


def test_a_report_that_breaks_the_schema_exits_2_saying_where(shards: list[Path], tmp_path: Path) -> None:
    report = json.loads(shards[0].read_text())
    report["clients"][0]["checks"][0]["examples"] = -1
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(report))
    line = bad(tmp_path, broken)
    assert line.startswith(f"python -m pytest_postpress merge-reports: {broken}: not a valid report: at /")
    assert "clients/0/checks/0/examples" in line


def test_reports_of_two_major_versions_exit_2(shards: list[Path], tmp_path: Path) -> None:
    report = json.loads(shards[1].read_text())
    report["plugin_version"] = "7.0.0"
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(report))
    line = bad(tmp_path, shards[0], newer)
    version = json.loads(shards[0].read_text())["plugin_version"]
    assert line.endswith(
        f"{newer} was written by pytest-postpress 7.0.0 and {shards[0]} by {version}: "
        "merge reports of one major version"
    )
