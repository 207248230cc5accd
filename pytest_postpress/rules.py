"""The package's reading of the reference page, rule by rule (``python -m pytest_postpress rules [N]``).

The text lives in ``rules.md`` beside this module (shipped in the wheel); messages cite a rule as
``rule N, see: python -m pytest_postpress rules N``.  Standard library only.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

__all__ = ["cite", "rule_text", "rules"]

_HEADING = re.compile(r"^## Rule (\d+): (.+)$", re.MULTILINE)


@functools.cache
def _document() -> str:
    return resources.files("pytest_postpress").joinpath("rules.md").read_text(encoding="utf-8")


@functools.cache
def rules() -> dict[int, str]:
    """Every rule by number: its heading line and text, as printed by ``python -m pytest_postpress rules N``."""
    text = _document()
    found: dict[int, str] = {}
    headings = list(_HEADING.finditer(text))
    for index, match in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
        found[int(match.group(1))] = f"Rule {match.group(1)}: {match.group(2)}\n" + text[match.end() : end].strip()
    return found


def rule_text(number: int) -> str:
    """The text of rule ``number``; ``KeyError`` with the valid range when there is no such rule."""
    known = rules()
    if number not in known:
        raise KeyError(f"there is no rule {number}; the rules are numbered {min(known)} to {max(known)}")
    return known[number]


def cite(number: int) -> str:
    """How a message cites a rule: ``rule N, see: python -m pytest_postpress rules N`` (the rule must exist)."""
    rule_text(number)
    return f"rule {number}, see: python -m pytest_postpress rules {number}"
