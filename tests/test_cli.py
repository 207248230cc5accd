"""`python -m pytest_postpress openapi|errors` from the outside."""

from __future__ import annotations

import json
import subprocess
import sys

from pytest_postpress import DOCUMENTED_ERRORS, openapi_document


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest_postpress", *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_openapi_prints_the_document() -> None:
    result = run("openapi")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == openapi_document()


def test_openapi_server_option() -> None:
    result = run("openapi", "--server", "https://staging.example.com/api")
    assert json.loads(result.stdout)["servers"] == [{"url": "https://staging.example.com/api"}]


def test_errors_prints_the_table() -> None:
    result = run("errors")
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line[:3].isdigit()]
    assert len(rows) == 35
    for row, error in zip(rows, DOCUMENTED_ERRORS, strict=True):
        assert row.split()[:2] == [str(error.status), error.type]
        assert row.endswith(error.description)


def test_no_command_is_a_usage_error() -> None:
    result = run()
    assert result.returncode == 2
    assert "usage: python -m pytest_postpress" in result.stderr


def test_unknown_command_is_a_usage_error() -> None:
    result = run("export")
    assert result.returncode == 2
    assert "invalid choice: 'export'" in result.stderr


def test_bad_option_is_a_usage_error() -> None:
    result = run("errors", "--json")
    assert result.returncode == 2
    assert "unrecognized arguments: --json" in result.stderr
