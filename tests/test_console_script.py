"""The ``pytest-postpress`` console script the package installs: the same program as ``python -m pytest_postpress``,
so that ``pipx run pytest-postpress ...`` and ``uvx pytest-postpress ...`` work for a team with no Python project."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_postpress.rules import rule_text, rules


@pytest.fixture(scope="module")
def script() -> Path:
    """The script pip wrote into this interpreter's environment (``.venv/bin/pytest-postpress``)."""
    path = Path(sys.executable).parent / ("pytest-postpress.exe" if sys.platform == "win32" else "pytest-postpress")
    if not path.exists():
        pytest.fail(f"{path} is missing: reinstall the project (pip install -e .) to get its console script")
    return path


def run(*command: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(part) for part in command], capture_output=True, text=True, timeout=120, check=False)


def test_the_distribution_declares_the_script() -> None:
    [entry] = importlib.metadata.entry_points(group="console_scripts", name="pytest-postpress")
    assert entry.value == "pytest_postpress.cli:main"


def test_help_lists_every_command(script: Path) -> None:
    result = run(script, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: pytest-postpress ")
    for command in ("openapi", "errors", "rules", "serve", "check"):
        assert f"    {command} " in result.stdout


def test_a_command_prints_what_python_m_prints(script: Path) -> None:
    result = run(script, "rules", "16")
    assert result.returncode == 0, result.stderr
    assert result.stdout == rule_text(16) + "\n"
    assert result.stdout == run(sys.executable, "-m", "pytest_postpress", "rules", "16").stdout


def test_a_bad_argument_is_a_usage_error_naming_the_script(script: Path) -> None:
    missing = max(rules()) + 1
    result = run(script, "rules", str(missing))
    assert result.returncode == 2
    assert result.stderr.startswith("usage: pytest-postpress ")
    assert f"pytest-postpress: error: argument N: there is no rule {missing}" in result.stderr
