"""Running one fuzz check of the contract suite: budget, example count, redacted and replayable failures.

A fuzz check is a plain pytest test that builds a Hypothesis test around one
``example`` function and runs it here, so that:

* ``--postpress-fuzz-seconds`` can spread a time budget over the fuzz checks:
  the check then runs rounds of examples (each round its own seed) until its
  share is spent, instead of a fixed ``max_examples``;
* the number of examples each check ran is recorded for the summary and report;
* Hypothesis shows inputs through a redacting ``repr`` (no secret values);
* a failure ends with one line that replays it alone:
  ``pytest 'NODEID' --postpress-reproduce 'VERSION:BLOB'``;
* a check can name explicit examples, run first on every run (not left to the draw).
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, reproduce_failure, seed, settings
from hypothesis import strategies as st

from pytest_postpress._compat import key_hypothesis_test
from pytest_postpress._keys import FUZZ_BUDGET_KEY, SEED_KEY, settings_of
from pytest_postpress._redact import redacted_json
from pytest_postpress.errors import CommandFailed
from pytest_postpress.suite._record import add_record
from pytest_postpress.suite._results import CheckFields

__all__ = ["redacted_json", "run_fuzz"]

_BLOB = re.compile(r"@reproduce_failure\('([^']+)', b'([^']+)'\)")
_ROUND_EXAMPLES = 50


class _Stop(BaseException):
    """Carries a :class:`CommandFailed` out of Hypothesis at once.

    A ``BaseException`` Hypothesis does not catch, so it neither shrinks (running a failing program again and
    again, up to its timeout each time) nor reports a smaller example that never ran the failing call.
    """

    def __init__(self, failure: CommandFailed) -> None:
        super().__init__(str(failure))
        self.failure = failure


class _Shown:
    """A drawn value whose ``repr`` (what Hypothesis prints) hides secrets."""

    __slots__ = ("describe", "value")

    def __init__(self, value: Any, describe: Callable[[Any], str]) -> None:
        self.value = value
        self.describe = describe

    def __repr__(self) -> str:
        return self.describe(self.value)


def run_fuzz(
    request: pytest.FixtureRequest,
    strategy: st.SearchStrategy[Any],
    example: Callable[[Any], None],
    *,
    describe: Callable[[Any], str],
    record: CheckFields | None = None,
    examples: Sequence[Any] = (),
) -> None:
    """Run ``example`` on values drawn from ``strategy`` under the active Hypothesis profile.

    ``record`` adds fields to this check's record (lists may be filled in by ``example``). ``examples`` are
    run first, each once, on every run (counted as examples); not when replaying a failure.
    """
    config = request.config
    data = add_record(request.node, **(record or {}))
    data.setdefault("examples", 0)
    budget: float | None = config.stash.get(FUZZ_BUDGET_KEY, None)
    reproduce = settings_of(config).reproduce
    end = time.monotonic() + budget if budget is not None else None
    last: list[Any] = []

    def inner(case: _Shown) -> None:
        if end is not None and time.monotonic() > end and data["examples"] > 0:
            return  # budget spent (and at least one example run): let the round finish without work
        last[:] = [case.value]
        data["examples"] += 1
        try:
            example(case.value)
        except CommandFailed as failure:
            raise _Stop(failure) from None

    profile = settings.default
    assert profile is not None  # Hypothesis always has a current profile
    suppress = {*profile.suppress_health_check, HealthCheck.too_slow, HealthCheck.differing_executors}
    base = settings(profile, deadline=None, print_blob=True, suppress_health_check=list(suppress))

    # A composite, not .map(): Hypothesis prints a mapped value as the call that built it, which would show
    # the raw value; a composite's value is printed with its repr, which hides secrets.
    @st.composite
    def draw_shown(draw: st.DrawFn) -> _Shown:
        return _Shown(draw(strategy), describe)

    shown = draw_shown()

    def keyed(test: Any) -> Any:
        # Every check of every client class builds the same inner function, so Hypothesis would file their
        # failures under one example-database key, and one client's pass would evict another's saved failure.
        # Key them by node id, as Hypothesis's own pytest plugin does for parametrized tests.
        key_hypothesis_test(test, request.node.nodeid.encode())
        return test

    explicit = True
    try:
        for value in () if reproduce else examples:
            last[:] = [value]  # not through inner(): an explicit example runs whatever the budget
            data["examples"] += 1
            example(value)
        explicit = False
        if reproduce:
            version, _, blob = reproduce.partition(":")
            keyed(given(shown)(base(reproduce_failure(version, blob.encode())(inner))))()
        elif end is None:
            keyed(given(shown)(base(inner)))()
        else:
            session_seed = config.stash.get(SEED_KEY, random.getrandbits(32))
            round_ = 0
            chunk = settings(base, max_examples=min(base.max_examples, _ROUND_EXAMPLES), derandomize=False)
            while time.monotonic() < end:
                # A new function each round: Hypothesis settings and seeds attach to the function object.
                def round_test(case: _Shown) -> None:
                    inner(case)

                keyed(seed(f"{session_seed}-{request.node.nodeid}-{round_}")(given(shown)(chunk(round_test))))()
                round_ += 1
    except _Stop as stop:
        raise stop.failure from None
    except Exception as error:
        _explain(error, request.node.nodeid, describe(last[0]) if last else None, explicit=explicit)
        raise


def _explain(error: BaseException, nodeid: str, shown: str | None, *, explicit: bool = False) -> None:
    """Replace Hypothesis's "add @reproduce_failure to your test" note by a replay command line."""
    notes: list[str] = list(getattr(error, "__notes__", []))
    match = next((m for m in map(_BLOB.search, notes) if m), None)
    kept = [note for note in notes if not _BLOB.search(note)]
    if shown is not None:
        kept.append(f"failing input (secrets hidden): {shown}")
    if explicit:
        kept.append(f"replay it: pytest '{nodeid}' (this example is tried first on every run)")
    elif match:
        kept.append(f"replay it alone: pytest '{nodeid}' --postpress-reproduce '{match.group(1)}:{match.group(2)}'")
    else:
        kept.append(f"replay it: pytest '{nodeid}' (the example database replays the failure first)")
    error.__notes__ = kept
