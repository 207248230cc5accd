"""The rules ship with the package: printed by the CLI, cited by number everywhere, and no citation names a file."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_postpress.rules import cite, rule_text, rules

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest_postpress", *args], capture_output=True, text=True, check=False
    )


def test_rules_are_numbered_1_to_25() -> None:
    assert list(rules()) == list(range(1, 26))


def test_cli_prints_one_rule() -> None:
    result = _run("rules", "16")
    assert result.returncode == 0
    assert result.stdout.startswith("Rule 16: The request line\n")
    assert "%2E" in result.stdout
    assert "Rule 17" not in result.stdout


def test_cli_prints_every_rule() -> None:
    result = _run("rules")
    assert result.returncode == 0
    assert [int(n) for n in re.findall(r"(?m)^Rule (\d+): ", result.stdout)] == list(range(1, 26))


@pytest.mark.parametrize("argument", ["0", "26", "x"])
def test_cli_refuses_a_rule_that_does_not_exist(argument: str) -> None:
    result = _run("rules", argument)
    assert result.returncode == 2
    assert "argument N" in result.stderr


def test_cite_refuses_a_rule_that_does_not_exist() -> None:
    assert cite(23) == "rule 23, see: python -m pytest_postpress rules 23"
    with pytest.raises(KeyError, match="no rule 26"):
        rule_text(26)


def _project_texts() -> list[Path]:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    names = [name for name in tracked.splitlines() if name.endswith((".py", ".md", ".toml", ".sh", ".mjs", ".json"))]
    return [ROOT / name for name in names if (ROOT / name).is_file()]


def test_no_text_names_the_private_decisions_file() -> None:
    forbidden = "DECISIONS" + ".md"
    offenders = [str(path.relative_to(ROOT)) for path in _project_texts() if forbidden in path.read_text("utf-8")]
    assert not offenders


# "rule 16", "rules 4 and 22", "rules 6, 8 and 11-13", "rules 1-20", "(rule\n    16)"
_CITATION = re.compile(r"\b[Rr]ules?\s+(\d+(?:\s*(?:-|,|and)\s*\d+)*)")


def test_every_cited_rule_exists() -> None:
    known = set(rules())
    cited: dict[int, str] = {}
    for path in _project_texts():
        if path.name in {"rules.md", "test_rules.py"}:  # the rules themselves; this file cites missing ones on purpose
            continue
        for match in _CITATION.finditer(path.read_text("utf-8")):
            for first, last in re.findall(r"(\d+)(?:\s*-\s*(\d+))?", match.group(1)):
                for number in range(int(first), int(last or first) + 1):
                    cited.setdefault(number, str(path.relative_to(ROOT)))
    assert cited, "no citation found: the pattern is broken"
    missing = {number: where for number, where in cited.items() if number not in known}
    assert not missing, f"rules cited that do not exist: {missing}"
