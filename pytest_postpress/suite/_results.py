"""What the contract suite found, per client class, gathered from test reports.

Each check records a small JSON-serialisable dict in its item's
``user_properties`` (key ``"postpress"``).  pytest-xdist ships
``user_properties`` from the workers to the controller with every report, so
collecting them in ``pytest_runtest_logreport`` gives one merged picture with
or without xdist.  Plain Python only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_postpress.catalog import DOCUMENTED_ERRORS

__all__ = ["PROPERTY", "ClientResults", "Results"]

PROPERTY = "postpress"


@dataclass
class CheckResult:
    """One check (one test item) of one client."""

    name: str
    outcome: str = "passed"
    examples: int = 0
    duration: float = 0.0


@dataclass
class ClientResults:
    """Everything recorded for one client class."""

    name: str
    checks: dict[str, CheckResult] = field(default_factory=dict)
    variants: set[str] = field(default_factory=set)
    errors: dict[str, str] = field(default_factory=dict)  # DocumentedError.id -> outcome
    mutations: set[str] = field(default_factory=set)
    outside_contract: list[dict[str, Any]] = field(default_factory=list)
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
    def errors_handled(self) -> int:
        return sum(1 for outcome in self.errors.values() if outcome == "passed")


@dataclass
class Results:
    """All clients of the session."""

    clients: dict[str, ClientResults] = field(default_factory=dict)

    def add(self, records: Iterable[Mapping[str, Any]], outcome: str, duration: float) -> None:
        """Fold the records of one test report in; a later failure (teardown) overrides a pass."""
        for record in records:
            client = self.clients.setdefault(record["client"], ClientResults(record["client"]))
            name = record["check"]
            check = client.checks.setdefault(name, CheckResult(name))
            if outcome == "failed" or check.outcome != "failed":
                check.outcome = outcome
            check.examples = max(check.examples, int(record.get("examples", 0)))
            check.duration += duration
            if outcome == "passed":
                client.variants.update(record.get("variants", ()))
                client.mutations.update(record.get("mutations", ()))
            error = record.get("error")
            if error is not None and (outcome == "failed" or client.errors.get(error) != "failed"):
                client.errors[error] = outcome
            client.outside_contract.extend(record.get("outside_contract", ()))
            if "none_means_absent" in record:
                client.none_means_absent_seen.add(bool(record["none_means_absent"]))

    def summary_lines(self) -> list[str]:
        """Lines for the terminal summary, one block per client class."""
        lines: list[str] = []
        for client in self.clients.values():
            passed = sum(1 for check in client.checks.values() if check.outcome == "passed")
            lines.append(
                f"{client.name}: {passed}/{len(client.checks)} checks passed; "
                f"variants sent {len(client.variants)}/12; "
                f"documented errors handled {client.errors_handled}/{len(DOCUMENTED_ERRORS)}"
            )
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
        return lines


_NONE_READINGS: dict[bool | str, str] = {
    False: "sent as given, null included (default; postpress_none_means_absent=False)",
    True: "count as not passed (postpress_none_means_absent=True)",
    "mixed": "postpress_none_means_absent was True in some checks only",
}

REPORT_FORMAT = "pytest-postpress-report/1"


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
                    }
                    for check in client.checks.values()
                ],
                "checks_failed": client.failed,
                "variants_sent": [name for name in VARIANTS if name in client.variants],
                "variants_total": len(VARIANTS),
                "documented_errors": errors,
                "documented_errors_handled": client.errors_handled,
                "documented_errors_total": len(DOCUMENTED_ERRORS),
                "mutations_tried": sorted(client.mutations),
                "outside_contract": client.outside_contract,
                "none_means_absent": client.none_means_absent,
            }
        )
    return {"format": REPORT_FORMAT, **meta, "clients": clients}
