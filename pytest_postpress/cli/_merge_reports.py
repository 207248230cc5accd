"""``merge-reports REPORT.json [REPORT.json ...] -o OUT.json``: one contract report of several jobs (CI shards)."""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path
from typing import Any

NAME = "merge-reports"
HELP = "merge the JSON contract reports (--postpress-report) of several jobs into one"


def configure(parser: argparse.ArgumentParser) -> None:
    """The reports, and ``-o``."""
    parser.add_argument("reports", metavar="REPORT.json", nargs="+", help="reports written by --postpress-report")
    parser.add_argument("-o", "--output", metavar="OUT.json", required=True, help="where to write the merged report")


class _BadInput(Exception):
    """A report that cannot be merged: the message names the file and says why."""


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Write the merged report; bad input is one line on stderr and exit status 2, nothing written."""
    try:
        reports = [(name, _read(name)) for name in args.reports]
        _check_versions(reports)
    except _BadInput as error:
        print(f"{parser.prog} {NAME}: {error}", file=sys.stderr)
        return 2
    merged = _merge(reports)
    output = Path(args.output)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as error:
        print(f"{parser.prog} {NAME}: cannot write {args.output}: {error.strerror}", file=sys.stderr)
        return 2
    clients = len(merged["clients"])
    failed = sum(len(client["checks_failed"]) for client in merged["clients"])
    print(f"merged {len(reports)} reports into {output}: {clients} client classes, {failed} failed checks")
    return 0


def _read(name: str) -> dict[str, Any]:
    """One report, read and validated as the report page reads it (one line naming the file and why, if not)."""
    from pytest_postpress._report_page import ReportError, load_report

    try:
        return dict(load_report(Path(name)).report)
    except ReportError as error:
        raise _BadInput(str(error)) from None


def _major(version: str) -> str:
    return version.split(".", 1)[0]


def _check_versions(reports: list[tuple[str, dict[str, Any]]]) -> None:
    first, report = reports[0]
    for name, other in reports[1:]:
        if _major(other["plugin_version"]) != _major(report["plugin_version"]):
            raise _BadInput(
                f"{name} was written by pytest-postpress {other['plugin_version']} and {first} by "
                f"{report['plugin_version']}: merge reports of one major version"
            )


def _merge(reports: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    from pytest_postpress.suite._results import merge_reports

    first = reports[0][1]

    def common(values: list[Any]) -> Any:
        """The value all reports agree on, else ``None``."""
        return values[0] if all(value == values[0] for value in values) else None

    hypothesis = [report["hypothesis"] for _, report in reports]
    profiles = list(dict.fromkeys(entry["profile"] for entry in hypothesis))
    budgets = [report["fuzz_seconds"] for _, report in reports if report["fuzz_seconds"] is not None]
    meta: dict[str, Any] = {
        "plugin_version": first["plugin_version"],
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "mode": first["mode"],
        **({"transport": first["transport"]} if "transport" in first else {}),
        "base_host": first["base_host"],
        "hypothesis": {
            "version": common([entry["version"] for entry in hypothesis]) or first["hypothesis"]["version"],
            "profile": ", ".join(profiles),
            "seed": common([entry["seed"] for entry in hypothesis]),
        },
        "fuzz_seconds": sum(budgets) if budgets else None,
        "workers": sum(int(report.get("workers", 0)) for _, report in reports),
        "merged_from": [
            {
                "report": name,
                "created": report["created"],
                "plugin_version": report["plugin_version"],
                "profile": report["hypothesis"]["profile"],
                "seed": report["hypothesis"]["seed"],
            }
            for name, report in reports
        ],
    }
    return merge_reports(reports, meta=meta)
