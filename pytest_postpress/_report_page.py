"""The pages people look at, made from JSON reports (``--postpress-report``): one HTML file and a Markdown summary.

The HTML page is one self-contained file: inline CSS, no script, nothing fetched (a Content-Security-Policy
forbids it), readable in greyscale (each outcome has a symbol as well as a colour).  The Markdown is what a CI
job's summary shows (GitHub Actions' ``$GITHUB_STEP_SUMMARY``): the same matrix as a table, and the failures,
cut after a limit.  Both read only the reports (never the suite), so a report from any machine renders the same.
Contract layer: the standard library and jsonschema.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

from pytest_postpress._redact import Scrubber, clip

__all__ = [
    "GROUPS",
    "OUTCOMES",
    "REPORT_FORMAT",
    "ReportError",
    "Source",
    "load_report",
    "render_html",
    "render_markdown",
]

#: The groups of the suite's checks, in the order the pages show them (a check of an older report has none).
GROUPS: Final = ("request", "success", "documented errors", "retries", "robustness", "fuzz", "live")
_UNGROUPED: Final = "other"
#: Each outcome of a check: its symbol (text, so that the page reads without colour) and its word.
OUTCOMES: Final = {
    "passed": ("\u2713", "passed"),
    "failed": ("\u2717", "failed"),
    "skipped": ("\u2013", "skipped"),
    "could not run": ("!", "could not run"),
    "absent": ("\u00b7", "not in this report"),
}
_MARKDOWN_SYMBOLS: Final = {
    "passed": "\u2705",
    "failed": "\u274c",
    "skipped": "\u23ed\ufe0f",
    "could not run": "\u26a0\ufe0f",
    "absent": "",
}
#: The Markdown lists this many failures, then says how many more the HTML page has.
MARKDOWN_FAILURES: Final = 20
_MARKDOWN_MESSAGE: Final = 1500


class ReportError(ValueError):
    """A file that cannot be read as a report; the message names the file and why."""


@dataclass(frozen=True)
class Source:
    """One report and where it came from (a file name, or ``this run``)."""

    label: str
    report: Mapping[str, Any]


def _schema() -> dict[str, Any]:
    text = resources.files("pytest_postpress").joinpath("report.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


#: The version of the reports this package writes and reads (the schema's ``format``).
REPORT_FORMAT: Final[str] = _schema()["properties"]["format"]["const"]


def load_report(path: Path) -> Source:
    """Read and validate one report file; raises :class:`ReportError` saying which file and why."""
    import jsonschema

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ReportError(f"{path}: cannot read it: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ReportError(f"{path}: not a report: not UTF-8 text") from None
    try:
        document = json.loads(text)
    except ValueError as error:
        raise ReportError(
            f"{path}: not a report: not JSON ({getattr(error, 'msg', error)}, line {getattr(error, 'lineno', '?')})"
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("format"), str):
        raise ReportError(f'{path}: not a report: no "format" (expected a file written by --postpress-report)')
    found = document["format"]
    if found != REPORT_FORMAT:
        if found.startswith("pytest-postpress-report/"):
            raise ReportError(
                f"{path}: unknown report format {found!r}: this pytest-postpress reads {REPORT_FORMAT} "
                "(render it with the version that wrote it)"
            )
        raise ReportError(f"{path}: not a report: format {clip(found, 60)!r} (expected {REPORT_FORMAT})")
    invalid = jsonschema.exceptions.best_match(jsonschema.Draft7Validator(_schema()).iter_errors(document))
    if invalid is not None:
        where = "/" + "/".join(str(part) for part in invalid.absolute_path)
        raise ReportError(f"{path}: not a valid report: at {where}: {clip(invalid.message, 160)}")
    return Source(str(path), document)


# --- the rows and columns both pages show ------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    index: int
    source: Source
    client: Mapping[str, Any]
    checks: Mapping[str, Mapping[str, Any]]

    @property
    def name(self) -> str:
        return str(self.client["name"])


@dataclass(frozen=True)
class _Failure:
    number: int
    row: _Row
    check: Mapping[str, Any]

    @property
    def anchor(self) -> str:
        return f"f{self.number}"


def _group(check: Mapping[str, Any]) -> str:
    group = check.get("group")
    return group if group in GROUPS else _UNGROUPED


class _Matrix:
    """Rows (one per client class of each report), columns (every check seen, by group), failures."""

    def __init__(self, sources: Iterable[Source], hide: Iterable[str]) -> None:
        scrubber = Scrubber(hide)  # the one rule for every secret, short ones included
        self.sources = [Source(source.label, scrubber.strings(source.report)) for source in sources]
        self.rows: list[_Row] = []
        groups: dict[str, str] = {}
        for source in self.sources:
            # By name within a report: the same page whatever order the checks finished in (xdist).
            for client in sorted(source.report["clients"], key=lambda client: str(client["name"])):
                checks = {check["name"]: check for check in client["checks"]}
                self.rows.append(_Row(len(self.rows) + 1, source, client, checks))
                for check in client["checks"]:
                    if groups.get(check["name"], _UNGROUPED) == _UNGROUPED:  # an older report's check has none
                        groups[check["name"]] = _group(check)
        order = {group: index for index, group in enumerate((*GROUPS, _UNGROUPED))}
        # By group, then by name: the same columns whatever order the checks finished in (xdist).
        self.columns = sorted(groups, key=lambda name: (order[groups[name]], name))
        self.groups = groups
        self.failures: list[_Failure] = []
        self.failure_of: dict[tuple[int, str], _Failure] = {}
        for row in self.rows:
            for name in self.columns:
                check = row.checks.get(name)
                if check is not None and check["outcome"] in ("failed", "could not run"):
                    failure = _Failure(len(self.failures) + 1, row, check)
                    self.failures.append(failure)
                    self.failure_of[(row.index, name)] = failure

    def outcome(self, row: _Row, name: str) -> str:
        check = row.checks.get(name)
        return "absent" if check is None else str(check["outcome"])

    def column_groups(self) -> list[tuple[str, list[str]]]:
        spans: list[tuple[str, list[str]]] = []
        for name in self.columns:
            if not spans or spans[-1][0] != self.groups[name]:
                spans.append((self.groups[name], []))
            spans[-1][1].append(name)
        return spans


def _message(check: Mapping[str, Any]) -> str:
    message = check.get("message") or check.get("problem")
    return str(message) if message else "(no message: the report was written by an older pytest-postpress)"


def _facts(row: _Row) -> dict[str, str]:
    """What the page says about one client class, as text."""
    client, report = row.client, row.source.report
    policy = client["retry_policy"]
    if policy["statuses_retried"]:
        pause = "n/a" if policy["shortest_pause"] is None else f"{policy['shortest_pause']:.3f} s"
        retries = (
            f"retried {', '.join(policy['statuses_retried'])}; at most {policy['most_attempts']} attempts; "
            f"shortest pause {pause}"
        )
    else:
        retries = "no retries"
    fuzz = [check for check in client["checks"] if _group(check) == "fuzz"] or [
        check for check in client["checks"] if _group(check) == _UNGROUPED and check["examples"] > 1
    ]
    hypothesis = report["hypothesis"]
    seed = hypothesis["seed"]
    counts = dict.fromkeys(OUTCOMES, 0)
    for check in client["checks"]:
        counts[check["outcome"]] = counts.get(check["outcome"], 0) + 1
    return {
        "checks": f"{counts['passed']}/{len(client['checks'])} passed"
        + "".join(f", {counts[key]} {key}" for key in ("failed", "could not run", "skipped") if counts[key]),
        "variants sent": f"{len(client['variants_sent'])}/{client['variants_total']}",
        "documented errors handled": f"{client['documented_errors_handled']}/{client['documented_errors_total']}",
        "retry policy": retries,
        "none_means_absent": str(client["none_means_absent"]),
        "examples per fuzz check": ", ".join(f"{check['name']} {check['examples']}" for check in fuzz) or "none",
        "Hypothesis": f"{hypothesis['version']}, profile {hypothesis['profile']}, seed "
        + ("none" if seed is None else str(seed)),
        "report": f"{row.source.label} ({report['created']}, {report['mode']})",
    }


# --- HTML ------------------------------------------------------------------------------------------------

_CSS: Final = """
:root { color-scheme: light; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
body { margin: 1.5rem; color: #1f2328; background: #fff; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d0d7de; padding: .2rem .4rem; text-align: left; vertical-align: top; }
.scroll { overflow: auto; max-width: 100%; }
.legend { display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; padding: 0; list-style: none; }
.legend span.o { display: inline-block; min-width: 1.4rem; text-align: center; border: 1px solid #8c959f; }
table.matrix td.o { text-align: center; padding: 0; min-width: 1.5rem; font-weight: 700; }
table.matrix td.o a { display: block; color: inherit; text-decoration: none; }
table.matrix th.check { vertical-align: bottom; padding: .3rem .1rem; font-weight: 400; font-size: 12px; }
table.matrix th.check span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
table.matrix th.group { text-align: center; background: #f6f8fa; }
table.matrix th.base { text-align: center; font-weight: 400; font-size: 12px; overflow-wrap: anywhere; }
table.matrix th.client { position: sticky; left: 0; background: #fff; white-space: nowrap; z-index: 1; }
th.client small, .facts small { color: #59636e; font-weight: 400; }
.o-passed { background: #dafbe1; color: #116329; }
.o-failed { background: #ffcecb; color: #82071e; }
.o-skipped { background: #eaeef2; color: #424a53; }
.o-could-not-run { background: #ffe9a8; color: #6c4400; }
.o-absent { background: #fff; color: #8c959f; }
.failure { border: 1px solid #d0d7de; border-left: 6px solid #cf222e; margin: .75rem 0; padding: .5rem .75rem; }
.failure.could-not-run { border-left-color: #bf8700; }
.failure:target { outline: 3px solid #0969da; }
.failure h3 { font-size: 1rem; margin: 0 0 .35rem; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f6f8fa; padding: .5rem; margin: .35rem 0; }
code { overflow-wrap: anywhere; }
@media print { .scroll { overflow: visible; } }
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _css_class(outcome: str) -> str:
    return "o-" + outcome.replace(" ", "-")


def render_html(
    sources: Iterable[Source], *, hide: Iterable[str] = (), title: str = "postpress contract report"
) -> str:
    """The HTML page of ``sources``: the matrix, each client's facts, every failure; ``hide``'s strings hidden."""
    matrix = _Matrix(sources, hide)
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        # Nothing is fetched: no script, font, style sheet or image outside this file may load.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head><body>",
        f"<h1>{_e(title)}</h1>",
        f"<p>{len(matrix.rows)} client class{'es' if len(matrix.rows) != 1 else ''} from "
        f"{len(matrix.sources)} report{'s' if len(matrix.sources) != 1 else ''}; "
        f"{len(matrix.columns)} checks; {len(matrix.failures)} failed or could not run.</p>",
    ]
    out += _html_sources(matrix)
    out += ['<h2 id="legend">Legend</h2>', '<ul class="legend">']
    for outcome, (symbol, word) in OUTCOMES.items():
        out.append(f'<li><span class="o {_css_class(outcome)}">{_e(symbol)}</span> {_e(word)}</li>')
    out.append("</ul>")
    out += _html_matrix(matrix)
    out += _html_facts(matrix)
    out += _html_failures(matrix)
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _html_sources(matrix: _Matrix) -> list[str]:
    out = ['<h2 id="reports">Reports</h2>', '<div class="scroll"><table class="reports">']
    out.append(
        "<thead><tr><th>file</th><th>made</th><th>plugin</th><th>mode</th><th>host</th><th>workers</th>"
        "<th>client classes</th></tr></thead><tbody>"
    )
    for source in matrix.sources:
        report = source.report
        out.append(
            f"<tr><td><code>{_e(source.label)}</code></td><td>{_e(report['created'])}</td>"
            f"<td>{_e(report['plugin_version'])}</td><td>{_e(report['mode'])}"
            f"{_e(', ' + report['transport']) if report.get('transport') else ''}</td>"
            f"<td>{_e(report['base_host'])}</td><td>{_e(report.get('workers', 0))}</td>"
            f"<td>{len(report['clients'])}</td></tr>"
        )
    out.append("</tbody></table></div>")
    return out


def _html_matrix(matrix: _Matrix) -> list[str]:
    out = ['<h2 id="matrix">Checks</h2>']
    if not matrix.rows:
        return [*out, "<p>No client class in these reports: nothing ran the contract suite.</p>"]
    out.append('<div class="scroll"><table class="matrix"><thead><tr><th rowspan="3" class="client">client</th>')
    for group, names in matrix.column_groups():
        out.append(f'<th class="group" colspan="{len(names)}" scope="colgroup">{_e(group)}</th>')
    # A parametrized check's name once over its columns (body, documented_error...), each column its parameter.
    out.append("</tr><tr>")
    params: list[str] = []
    for base, names in _by_base(matrix.columns):
        if len(names) == 1:
            name = names[0]
            out.append(
                f'<th class="check" rowspan="2" scope="col" data-check="{_e(name)}" title="{_e(name)}">'
                f"<span>{_e(name)}</span></th>"
            )
            continue
        out.append(f'<th class="base" colspan="{len(names)}" scope="colgroup">{_e(base)}</th>')
        params += [
            f'<th class="check" scope="col" data-check="{_e(name)}" title="{_e(name)}">'
            f"<span>{_e(name[len(base) + 1 : -1])}</span></th>"
            for name in names
        ]
    out.append("</tr><tr>" + "".join(params) + "</tr></thead><tbody>")
    for row in matrix.rows:
        out.append(
            f'<tr id="c{row.index}"><th scope="row" class="client"><a href="#facts-{row.index}">{_e(row.name)}</a>'
            f"<br><small>{_e(row.source.label)}</small></th>"
        )
        for name in matrix.columns:
            outcome = matrix.outcome(row, name)
            symbol, word = OUTCOMES.get(outcome, ("?", outcome))
            label = _e(f"{row.name}, {name}: {word}")
            cell = _e(symbol)
            failure = matrix.failure_of.get((row.index, name))
            if failure is not None:
                cell = f'<a href="#{failure.anchor}">{cell}</a>'
            out.append(
                f'<td class="o {_css_class(outcome)}" title="{label}" data-client="{_e(row.name)}" '
                f'data-check="{_e(name)}" data-outcome="{_e(outcome)}">{cell}</td>'
            )
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return out


def _by_base(columns: Sequence[str]) -> list[tuple[str, list[str]]]:
    """Consecutive columns of one check function (``body[MAIL]``, ``body[WHATSAPP]``...) under its name."""
    runs: list[tuple[str, list[str]]] = []
    for name in columns:
        base = name.split("[", 1)[0] if name.endswith("]") else name
        if runs and runs[-1][0] == base and base != name:
            runs[-1][1].append(name)
        else:
            runs.append((base, [name]))
    return runs


def _html_facts(matrix: _Matrix) -> list[str]:
    if not matrix.rows:
        return []
    keys = list(_facts(matrix.rows[0]))
    out = ['<h2 id="clients">Client classes</h2>', '<div class="scroll"><table class="facts"><thead><tr>']
    out.append("<th>client</th>" + "".join(f"<th>{_e(key)}</th>" for key in keys) + "</tr></thead><tbody>")
    for row in matrix.rows:
        facts = _facts(row)
        out.append(
            f'<tr id="facts-{row.index}"><th scope="row"><a href="#c{row.index}">{_e(row.name)}</a></th>'
            + "".join(f"<td>{_e(facts[key])}</td>" for key in keys)
            + "</tr>"
        )
    out.append("</tbody></table></div>")
    return out


def _html_failures(matrix: _Matrix) -> list[str]:
    out = [f'<h2 id="failures">Failures ({len(matrix.failures)})</h2>']
    if not matrix.failures:
        return [*out, "<p>None.</p>"]
    for failure in matrix.failures:
        check, row = failure.check, failure.row
        outcome = str(check["outcome"])
        out.append(
            f'<section class="failure {_css_class(outcome)[2:]}" id="{failure.anchor}" '
            f'data-client="{_e(row.name)}" data-check="{_e(check["name"])}">'
        )
        out.append(
            f'<h3>{_e(OUTCOMES[outcome][0])} <a href="#c{row.index}">{_e(row.name)}</a> · '
            f"<code>{_e(check['name'])}</code> {_e(outcome)} <small>({_e(row.source.label)})</small></h3>"
        )
        out.append(f"<pre>{_e(_message(check))}</pre>")
        if check.get("reproduce"):
            out.append(f"<p>replay it: <code>{_e(check['reproduce'])}</code></p>")
        out.append("</section>")
    return out


# --- Markdown --------------------------------------------------------------------------------------------


def _cell(text: Any) -> str:
    """Text for a GitHub-flavoured Markdown table cell: one line, HTML escaped, pipes escaped."""
    return html.escape(" ".join(str(text).split()), quote=False).replace("|", "\\|")


def _fenced(text: str) -> list[str]:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence, text, fence]


def render_markdown(
    sources: Iterable[Source],
    *,
    hide: Iterable[str] = (),
    limit: int = MARKDOWN_FAILURES,
    title: str = "postpress contract report",
) -> str:
    """The Markdown summary of ``sources``: each client's facts, the matrix as a table, the first ``limit``
    failures (then how many more); ``hide``'s strings hidden."""
    matrix = _Matrix(sources, hide)
    legend = " · ".join(f"{_MARKDOWN_SYMBOLS[outcome] or 'blank'} {word}" for outcome, (_, word) in OUTCOMES.items())
    out = [
        f"## {title}",
        "",
        f"{len(matrix.rows)} client class{'es' if len(matrix.rows) != 1 else ''} from {len(matrix.sources)} "
        f"report{'s' if len(matrix.sources) != 1 else ''}; {len(matrix.failures)} check"
        f"{'s' if len(matrix.failures) != 1 else ''} failed or could not run. Legend: {legend}.",
        "",
    ]
    if not matrix.rows:
        return "\n".join([*out, "No client class in these reports: nothing ran the contract suite.", ""])
    keys = list(_facts(matrix.rows[0]))
    out.append("| client | " + " | ".join(keys) + " |")
    out.append("|" + " --- |" * (len(keys) + 1))
    for row in matrix.rows:
        facts = _facts(row)
        out.append(f"| {_cell(row.name)} | " + " | ".join(_cell(facts[key]) for key in keys) + " |")
    out += [
        "",
        "Checks by group: " + "; ".join(f"{group} ({len(names)})" for group, names in matrix.column_groups()) + ".",
        "",
    ]
    out.append("| client | " + " | ".join(_cell(name) for name in matrix.columns) + " |")
    out.append("|" + " --- |" * (len(matrix.columns) + 1))
    for row in matrix.rows:
        cells = []
        for name in matrix.columns:
            outcome = matrix.outcome(row, name)
            failure = matrix.failure_of.get((row.index, name))
            cells.append(_MARKDOWN_SYMBOLS.get(outcome, "?") + (f" F{failure.number}" if failure else ""))
        out.append(f"| {_cell(row.name)} | " + " | ".join(cells) + " |")
    out += ["", f"### Failures ({len(matrix.failures)})", ""]
    if not matrix.failures:
        out += ["None.", ""]
    for failure in matrix.failures[:limit]:
        check, row = failure.check, failure.row
        out.append(
            f"**F{failure.number}** {_MARKDOWN_SYMBOLS[str(check['outcome'])]} {_cell(row.name)} · "
            f"`{check['name']}` {check['outcome']} ({_cell(row.source.label)})"
        )
        out.append("")
        out += _fenced(clip(_message(check), _MARKDOWN_MESSAGE))
        if check.get("reproduce"):
            out += ["", "replay it:", "", *_fenced(str(check["reproduce"]))]
        out.append("")
    more = len(matrix.failures) - limit
    if more > 0:
        out += [f"... and {more} more failure{'s' if more != 1 else ''}: see the HTML report.", ""]
    return "\n".join(out)
