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
* a check can name explicit examples, run first on every run (not left to the draw);
* its example-database key is the same on every machine (:func:`~pytest_postpress.suite._exampledb.database_key`)
  and, with ``--postpress-example-db``, it first replays the entries the shared store holds for it, under every
  profile (the derandomized ``postpress-ci`` too), then explores as its profile says, saving what it finds.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, reproduce_failure, seed, settings
from hypothesis import strategies as st
from hypothesis.database import ExampleDatabase

from pytest_postpress._compat import derandomized_seed, key_hypothesis_test, seed_keeping_database, set_database_key
from pytest_postpress._keys import FUZZ_BUDGET_KEY, SEED_KEY, settings_of
from pytest_postpress._redact import redacted_json
from pytest_postpress.errors import CommandFailed
from pytest_postpress.suite._exampledb import STORE_KEY, database_key
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

    key = database_key(request.node.nodeid, data["check"])
    store = config.stash.get(STORE_KEY, None)
    database = None if store is None else store.with_local(profile.database or _local_database())

    def keyed(test: Any) -> Any:
        # Every check of every client class builds the same inner function, so Hypothesis would derive one seed
        # (derandomized) for them all: tell them apart by node id, as Hypothesis's own pytest plugin does for
        # parametrized tests. The database key is set outright: Hypothesis would hash the function's source,
        # which differs between a budget's rounds and a plain run, and between plugin versions.
        key_hypothesis_test(test, request.node.nodeid.encode())
        set_database_key(test, key)
        return test

    def explore(test: Any, chosen: settings) -> None:
        """Run ``test`` under ``chosen``; with a shared store, save what it finds there (and locally)."""
        if database is None:
            keyed(given(shown)(chosen(test)))()
            return
        # Stored entries were replayed already. Hypothesis ignores the database of a derandomized run: it is
        # turned on here with the very seed derandomizing would use, so the run draws the same examples.
        if chosen.derandomize:
            saving = _saving(chosen, database, derandomize=False)
            wrapped = keyed(given(shown)(saving(test)))
            seed_keeping_database(wrapped, derandomized_seed(test), saving)()
        else:
            keyed(given(shown)(_saving(chosen, database)(test)))()

    def replay(case: _Shown) -> None:
        inner(case)

    explicit = True
    try:
        for value in () if reproduce else examples:
            last[:] = [value]  # not through inner(): an explicit example runs whatever the budget
            data["examples"] += 1
            example(value)
        explicit = False
        if database is not None and not reproduce and _has_entries(database, key):
            # Replay first: the entries stored for this check (by any machine), each run once, then shrunk if
            # one fails. A phase of its own so that it happens under every profile, whatever its phases (without
            # entries, Hypothesis would skip the test: it was told to run no test cases).
            first = settings(base, database=database, derandomize=False, phases=[Phase.reuse, Phase.shrink])
            keyed(given(shown)(first(replay)))()
        if reproduce:
            version, _, blob = reproduce.partition(":")
            keyed(given(shown)(base(reproduce_failure(version, blob.encode())(inner))))()
        elif end is None:
            explore(inner, base)
        else:
            session_seed = config.stash.get(SEED_KEY, random.getrandbits(32))
            round_ = 0
            chunk = settings(base, max_examples=min(base.max_examples, _ROUND_EXAMPLES), derandomize=False)
            while time.monotonic() < end:
                # A new function each round: Hypothesis settings and seeds attach to the function object.
                def round_test(case: _Shown) -> None:
                    inner(case)

                round_seed = f"{session_seed}-{request.node.nodeid}-{round_}"
                if database is None:
                    keyed(seed(round_seed)(given(shown)(chunk(round_test))))()
                else:
                    saving = _saving(chunk, database)
                    seed_keeping_database(keyed(given(shown)(saving(round_test))), round_seed, saving)()
                round_ += 1
    except _Stop as stop:
        raise stop.failure from None
    except Exception as error:
        _explain(error, request.node.nodeid, describe(last[0]) if last else None, explicit=explicit)
        raise


def _saving(chosen: settings, database: ExampleDatabase, **changes: Any) -> settings:
    """``chosen`` on ``database``, without its reuse phase (the stored entries were replayed first)."""
    phases = [phase for phase in chosen.phases if phase is not Phase.reuse]
    return settings(chosen, database=database, phases=phases, **changes)


def _has_entries(database: ExampleDatabase, key: bytes) -> bool:
    """Whether ``database`` holds entries for ``key``: failures, or the larger examples that failed before them."""
    return any(next(iter(database.fetch(name)), None) is not None for name in (key, key + b".secondary"))


def _local_database() -> ExampleDatabase | None:
    """The local example database (``.hypothesis/examples``) of Hypothesis's default profile, kept beside the
    shared store even when the active profile (``ci``) has none."""
    return settings.get_profile("default").database


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
