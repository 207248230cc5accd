"""What the contract suite found, per client class, gathered from test reports.

Each check records a small JSON-serialisable dict in its item's
``user_properties`` (key ``"postpress"``).  pytest-xdist ships
``user_properties`` from the workers to the controller with every report, so
collecting them in ``pytest_runtest_logreport`` gives one merged picture with
or without xdist.  Plain Python only.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Required, TypedDict

from pytest_postpress._report_page import REPORT_FORMAT
from pytest_postpress.catalog import DOCUMENTED_ERRORS

__all__ = [
    "COULD_NOT_RUN",
    "PROBLEM",
    "PROPERTY",
    "CheckFields",
    "CheckRecord",
    "ClientResults",
    "Results",
    "check_group",
    "replay_line",
]

PROPERTY = "postpress"
#: The ``user_properties`` key of a check that could not run: the exception that stopped it (not a verdict).
PROBLEM = "postpress_problem"
COULD_NOT_RUN = "could not run"

# The suite's markers that name a group; a check marked with none of them and not mock-only is live-safe.
_MARKED_GROUPS = {"postpress_fuzz": "fuzz", "postpress_robustness": "robustness", "postpress_live": "live"}
_REPLAY = re.compile(r"^replay it(?: alone)?: (pytest .+?)(?: \([^()]*\))?$", re.MULTILINE)
# A failure's message in the report is cut here (after its secrets are hidden): the terminal has it whole.
MESSAGE_LIMIT = 4000


def check_group(name: str, markers: Collection[str], fixtures: Collection[str]) -> str:
    """The group of a check of the suite (one of ``_report_page.GROUPS``), from its markers and fixtures.

    The suite's own markers decide first (fuzz, robustness, live-only); a check that is not mock-only runs
    against staging with ``--postpress-live`` (live); one that takes ``postpress_error`` is a documented
    error; then the check's name says whether it is about retries or success; the rest is about the request.
    """
    for marker, group in _MARKED_GROUPS.items():
        if marker in markers:
            return group
    if "postpress_mock_only" not in markers:
        return "live"
    if "postpress_error" in fixtures:
        return "documented errors"
    if "retry" in name:
        return "retries"
    if "success" in name:
        return "success"
    return "request"


def replay_line(message: str, nodeid: str) -> str:
    """The command that replays a failed check: the one its message gives (a fuzz check's
    ``--postpress-reproduce`` line), else ``pytest 'NODEID'``."""
    found = _REPLAY.search(message)
    return found.group(1) if found else f"pytest {shlex.quote(nodeid)}"


class CheckFields(TypedDict, total=False):
    """What a check may add to its record (all optional)."""

    examples: int  # examples run (1 for a check without Hypothesis)
    none_means_absent: bool  # postpress_none_means_absent as the check judged the client
    variants: list[str]  # body variants sent and passed
    mutations: list[str]  # invalid-body mutations tried
    error: str  # the DocumentedError.id of a documented-error check
    outside_contract: list[dict[str, Any]]  # live mode: answers of the server outside the documentation
    retries: dict[str, Any]  # the retry policy observed: statuses, attempts, pause
    group: str  # the suite's group of the check (_report_page.GROUPS), from its markers


class CheckRecord(CheckFields, total=False):
    """The record of one check, built by :func:`pytest_postpress.suite._record.add_record` only."""

    client: Required[str]  # the client's test class (or module) name
    check: Required[str]  # the check's name, without ``test_`` and without parameters


@dataclass
class CheckResult:
    """One check (one test item) of one client."""

    name: str
    outcome: str = "passed"  # passed, failed, skipped, or "could not run" (with ``problem``)
    examples: int = 0
    duration: float = 0.0
    problem: str | None = None
    failures: list[dict[str, Any]] = field(default_factory=list)  # merged reports: each failure, with its report
    group: str | None = None
    message: str | None = None  # a failure's message, as in the terminal (secrets hidden)
    reproduce: str | None = None  # the command that replays a check that failed or could not run


@dataclass
class ClientResults:
    """Everything recorded for one client class."""

    name: str
    checks: dict[str, CheckResult] = field(default_factory=dict)
    variants: set[str] = field(default_factory=set)
    errors: dict[str, str] = field(default_factory=dict)  # DocumentedError.id -> outcome
    mutations: set[str] = field(default_factory=set)
    outside_contract: list[dict[str, Any]] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)  # answers the client resent after ("503", "no answer")
    most_attempts: int = 1
    shortest_pause: float | None = None
    none_means_absent_seen: set[bool] = field(default_factory=set)  # postpress_none_means_absent of its checks

    @property
    def none_means_absent(self) -> bool | str:
        """``postpress_none_means_absent`` as the client was judged: ``True``, ``False`` or ``"mixed"``."""
        if len(self.none_means_absent_seen) > 1:
            return "mixed"
        return True in self.none_means_absent_seen

    @property
    def failed(self) -> list[str]:
        return [name for name, check in self.checks.items() if check.outcome == "failed"]

    @property
    def could_not_run(self) -> list[str]:
        return [name for name, check in self.checks.items() if check.outcome == COULD_NOT_RUN]

    def add_retries(self, retries: Mapping[str, Any]) -> None:
        """Fold one check's observed retries in (statuses retried, attempts, shortest pause)."""
        for status in retries.get("statuses", ()):
            if status not in self.retried:
                self.retried.append(status)
        self.most_attempts = max(self.most_attempts, int(retries.get("attempts", 1)))
        pause = retries.get("pause")
        if pause is not None:
            self.shortest_pause = pause if self.shortest_pause is None else min(self.shortest_pause, pause)

    def retry_policy(self) -> dict[str, Any]:
        """The retry policy observed (for the report)."""

        def order(status: str) -> tuple[int, str]:
            return (0, status) if status.isdigit() else (1, status)

        return {
            "statuses_retried": sorted(self.retried, key=order),
            "most_attempts": self.most_attempts,
            "shortest_pause": self.shortest_pause,
        }

    def retry_line(self) -> str:
        """One line for the terminal summary."""
        if not self.retried:
            return "retry policy observed: no retries"
        policy = self.retry_policy()
        pause = "n/a" if self.shortest_pause is None else f"{self.shortest_pause:.3f} s"
        return (
            f"retry policy observed: retried {', '.join(policy['statuses_retried'])}; "
            f"at most {self.most_attempts} attempts; shortest pause {pause}"
        )

    @property
    def errors_handled(self) -> int:
        return sum(1 for outcome in self.errors.values() if outcome == "passed")


def _overrides(new: str, old: str | None) -> bool:
    """Whether a report's outcome replaces the one recorded: a verdict beats a crash, both beat the rest."""
    if old == "failed":
        return False
    if old == COULD_NOT_RUN:
        return new == "failed"
    return True


@dataclass
class Results:
    """All clients of the session."""

    clients: dict[str, ClientResults] = field(default_factory=dict)

    def add(
        self,
        records: Iterable[Mapping[str, Any]],
        outcome: str,
        duration: float,
        problem: str | None = None,
        *,
        message: str | None = None,
        reproduce: str | None = None,
    ) -> None:
        """Fold the records of one test report in; a later failure (teardown) overrides a pass.

        ``problem`` (the exception that stopped the check, when it is not a contract violation) makes the
        check "could not run": never a pass, never a verdict on the client. ``message`` and ``reproduce`` (of
        a report that did not pass) are kept with the outcome they explain.
        """
        if problem is not None and outcome == "failed":
            outcome = COULD_NOT_RUN
        for record in records:
            client = self.clients.setdefault(record["client"], ClientResults(record["client"]))
            name = record["check"]
            check = client.checks.setdefault(name, CheckResult(name))
            check.group = record.get("group", check.group)
            if _overrides(outcome, check.outcome):
                check.outcome = outcome
                if outcome == COULD_NOT_RUN:
                    check.problem = problem
                if outcome in ("failed", COULD_NOT_RUN):
                    check.message, check.reproduce = message, reproduce
            check.examples = max(check.examples, int(record.get("examples", 0)))
            check.duration += duration
            if outcome == "passed":
                client.variants.update(record.get("variants", ()))
                client.mutations.update(record.get("mutations", ()))
            error = record.get("error")
            if error is not None and _overrides(outcome, client.errors.get(error)):
                client.errors[error] = outcome
            client.outside_contract.extend(record.get("outside_contract", ()))
            if "retries" in record:
                client.add_retries(record["retries"])
            if "none_means_absent" in record:
                client.none_means_absent_seen.add(bool(record["none_means_absent"]))

    def summary_lines(self) -> list[str]:
        """Lines for the terminal summary, one block per client class."""
        lines: list[str] = []
        for client in self.clients.values():
            passed = sum(1 for check in client.checks.values() if check.outcome == "passed")
            # Every check that did not pass is counted, whatever the reason.
            not_passed = [
                f"{count} {label}"
                for label, count in (
                    ("failed", len(client.failed)),
                    (COULD_NOT_RUN, len(client.could_not_run)),
                    ("skipped", sum(1 for check in client.checks.values() if check.outcome == "skipped")),
                )
                if count
            ]
            lines.append(
                f"{client.name}: {passed}/{len(client.checks)} checks passed"
                + (f" ({', '.join(not_passed)})" if not_passed else "")
                + f"; variants sent {len(client.variants)}/12; "
                f"documented errors handled {client.errors_handled}/{len(DOCUMENTED_ERRORS)}"
            )
            lines.append(f"  {client.retry_line()}")
            lines.append(f"  None fields: {_NONE_READINGS[client.none_means_absent]}")
            fuzzed = [f"{name} {check.examples}" for name, check in client.checks.items() if check.examples > 1]
            if fuzzed:
                lines.append(f"  examples run: {', '.join(fuzzed)}")
            skipped = [name for name, check in client.checks.items() if check.outcome == "skipped"]
            if skipped:
                lines.append(
                    f"  skipped: {len(skipped)} ({', '.join(skipped[:6])}{', ...' if len(skipped) > 6 else ''})"
                )
            for name in client.failed:
                lines.append(f"  FAILED {name}")
            for name in client.could_not_run:
                lines.append(f"  COULD NOT RUN {name}: {client.checks[name].problem}")
        return lines


_NONE_READINGS: dict[bool | str, str] = {
    False: "sent as given, null included (default; postpress_none_means_absent=False)",
    True: "count as not passed (postpress_none_means_absent=True)",
    "mixed": "postpress_none_means_absent was True in some checks only",
}


def build_report(results: Results, *, meta: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON report of a session (schema: ``pytest_postpress/report.schema.json``)."""
    from pytest_postpress.schema import VARIANTS

    clients = []
    for client in results.clients.values():
        errors = [
            {
                "id": error.id,
                "status": error.status,
                "type": error.type,
                "outcome": client.errors.get(error.id, "not run"),
            }
            for error in DOCUMENTED_ERRORS
        ]
        clients.append(
            {
                "name": client.name,
                "checks": [
                    {
                        "name": check.name,
                        "outcome": check.outcome,
                        "examples": check.examples,
                        "duration": round(check.duration, 4),
                        **({"problem": check.problem} if check.problem is not None else {}),
                        **({"failures": check.failures} if check.failures else {}),
                        **{
                            key: value
                            for key, value in (
                                ("group", check.group),
                                ("message", check.message),
                                ("reproduce", check.reproduce),
                            )
                            if value is not None
                        },
                    }
                    for check in client.checks.values()
                ],
                "checks_failed": client.failed,
                "checks_could_not_run": client.could_not_run,
                "variants_sent": [name for name in VARIANTS if name in client.variants],
                "variants_total": len(VARIANTS),
                "documented_errors": errors,
                "documented_errors_handled": client.errors_handled,
                "documented_errors_total": len(DOCUMENTED_ERRORS),
                "mutations_tried": sorted(client.mutations),
                "outside_contract": client.outside_contract,
                "retry_policy": client.retry_policy(),
                "none_means_absent": client.none_means_absent,
            }
        )
    return {"format": REPORT_FORMAT, **meta, "clients": clients}


# Merging the reports of several jobs: the worse outcome wins. A check that passed on one shard and was skipped on
# another (a shard that did not select it) passed; "not run" (a documented error no check reached) is the least.
_RANK = {"not run": 0, "skipped": 1, "passed": 2, COULD_NOT_RUN: 3, "failed": 4}


def _worse(one: str | None, other: str) -> str:
    return other if one is None or _RANK[other] > _RANK[one] else one


def merge_reports(reports: Iterable[tuple[str, Mapping[str, Any]]], *, meta: Mapping[str, Any]) -> dict[str, Any]:
    """One report of several jobs' reports (``(name, report)`` pairs, each valid against the report schema).

    Per client class: each check's worst outcome, its examples and durations summed, every failure kept with the
    report it came from; variants, mutations, documented errors (worst outcome), responses outside the contract
    and retries merged.
    """
    results = Results()
    for name, report in reports:
        for data in report["clients"]:
            client = results.clients.setdefault(data["name"], ClientResults(data["name"]))
            for entry in data["checks"]:
                check = client.checks.setdefault(entry["name"], CheckResult(entry["name"], outcome="skipped"))
                check.outcome = _worse(check.outcome, entry["outcome"])
                check.examples += entry["examples"]
                check.duration += entry["duration"]
                if entry["outcome"] in ("failed", COULD_NOT_RUN):
                    kept = entry.get("failures") or [
                        {"outcome": entry["outcome"], **({"problem": entry["problem"]} if "problem" in entry else {})}
                    ]
                    check.failures.extend({"report": name, **failure} for failure in kept)
                if check.outcome == COULD_NOT_RUN and check.problem is None:
                    check.problem = entry.get("problem")
                check.group = check.group or entry.get("group")
                if entry["outcome"] in ("failed", COULD_NOT_RUN) and check.message is None:
                    # The report page shows one message and replay line a check: the first report's that failed.
                    check.message, check.reproduce = entry.get("message"), entry.get("reproduce")
            client.variants.update(data["variants_sent"])
            client.mutations.update(data["mutations_tried"])
            for error in data["documented_errors"]:
                if error["outcome"] != "not run":
                    client.errors[error["id"]] = _worse(client.errors.get(error["id"]), error["outcome"])
            client.outside_contract.extend({**entry, "report": name} for entry in data["outside_contract"])
            policy = data["retry_policy"]
            client.add_retries(
                {
                    "statuses": policy["statuses_retried"],
                    "attempts": policy["most_attempts"],
                    "pause": policy["shortest_pause"],
                }
            )
            reading = data["none_means_absent"]
            client.none_means_absent_seen.update({True, False} if reading == "mixed" else {bool(reading)})
    for client in results.clients.values():
        for check in client.checks.values():
            if check.outcome != COULD_NOT_RUN:
                check.problem = None
    return build_report(results, meta=meta)
