"""The report page and its Markdown, from reports built the way the plugin builds them (``build_report``).

The Markdown is read back with a real GitHub-flavoured Markdown parser (markdown-it-py, tables on); the page of
50 client classes by 85 checks stays one file under 2 MB and renders in Chromium.
"""

from __future__ import annotations

import inspect
import json
from importlib import resources
from pathlib import Path
from typing import Any

from _chromium import Page
from markdown_it import MarkdownIt

from pytest_postpress import ReconnectContract, catalog
from pytest_postpress._report_page import GROUPS, Source, load_report, render_html, render_markdown
from pytest_postpress.schema import VARIANTS
from pytest_postpress.suite import _results

SCHEMA = json.loads(resources.files("pytest_postpress").joinpath("report.schema.json").read_text(encoding="utf-8"))


def suite_checks() -> list[tuple[str, str]]:
    """The 85 checks of the suite as the report names them, with the group the plugin gives each."""
    checks: list[tuple[str, str]] = []
    for name, function in inspect.getmembers(ReconnectContract, inspect.isfunction):
        if not name.startswith("test_"):
            continue
        marks = list(getattr(function, "pytestmark", []))
        markers = {mark.name for mark in marks}
        fixtures = set(inspect.signature(function).parameters)
        group = _results.check_group(name, markers, fixtures)
        params = [mark for mark in marks if mark.name == "parametrize"]
        ids: list[str] = [""]
        if "postpress_error" in fixtures:
            ids = [f"[{error.id}]" for error in catalog.DOCUMENTED_ERRORS]
        elif params:
            mark = params[0]
            given = mark.kwargs.get("ids")
            values = mark.args[1]
            ids = [f"[{value}]" for value in (given if given is not None else values)]
        checks += [(name.removeprefix("test_") + suffix, group) for suffix in ids]
    return checks


def make_report(
    clients: int,
    *,
    fail: dict[str, str] | None = None,
    crash: str | None = None,
    created: str = "2026-12-05T01:00:00+00:00",
) -> dict[str, Any]:
    """A report of ``clients`` client classes over every check of the suite, built as the plugin builds it.

    ``fail`` maps a check to the message its failure gets (in every client); ``crash`` is a check that could
    not run.
    """
    results = _results.Results()
    for index in range(clients):
        client = f"TestClient{index:02d}"
        for check, group in suite_checks():
            record = {"client": client, "check": check, "examples": 100 if group == "fuzz" else 1, "group": group}
            if check.startswith("body["):
                record["variants"] = [check[5:-1]]
            if check.startswith("documented_error["):
                record["error"] = check[len("documented_error[") : -1]
            if fail and check in fail:
                message = fail[check]
                results.add(
                    [record],
                    "failed",
                    0.01,
                    message=message,
                    reproduce=_results.replay_line(message, f"t.py::{client}::test_{check}"),
                )
            elif check == crash:
                problem = "RuntimeError: the SDK would not start"
                results.add(
                    [record],
                    "failed",
                    0.01,
                    problem,
                    message=problem,
                    reproduce=f"pytest 't.py::{client}::test_{check}'",
                )
            elif check == "real_reconnect":
                results.add([record], "skipped", 0.0)
            else:
                results.add([record], "passed", 0.01)
    meta = {
        "plugin_version": "0.1.0",
        "created": created,
        "mode": "mock",
        "transport": "respx",
        "base_host": "api.postpress.ai",
        "hypothesis": {"version": "6.170.27", "profile": "postpress-ci", "seed": 1234},
        "fuzz_seconds": None,
        "workers": 2,
    }
    return _results.build_report(results, meta=meta)


def write(tmp_path: Path, name: str, report: dict[str, Any]) -> Source:
    path = tmp_path / name
    path.write_text(json.dumps(report), encoding="utf-8")
    return load_report(path)  # what the command does: the report validates against the schema


FUZZ_FAILURE = (
    "[request_line] the contract requires the path '/v1/accounts/a%7Cb' with no query string\n"
    "  the client sent the path '/v1/accounts/a|b'\n"
    "  how to fix: quote the id as one segment\n"
    "replay it alone: pytest 't.py::TestClient00::test_request_line' --postpress-reproduce '6.170.27:AXicY2BgAAAABAAB'"
)


def tables(markdown: str) -> list[list[list[str]]]:
    """Every table of GitHub-flavoured ``markdown``: rows of cell texts, header row first."""
    parser = MarkdownIt("commonmark").enable("table")
    found: list[list[list[str]]] = []
    row: list[str] | None = None
    for token in parser.parse(markdown):
        if token.type == "table_open":
            found.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(
                "".join(child.content for child in token.children or [] if child.type in ("text", "code_inline"))
            )
        elif token.type == "tr_close" and row is not None:
            found[-1].append(row)
            row = None
    return found


def test_the_checks_of_the_suite_fall_in_every_group() -> None:
    checks = suite_checks()
    assert len(checks) == 85
    assert {group for _, group in checks} == set(GROUPS)
    assert set(GROUPS) == set(
        SCHEMA["properties"]["clients"]["items"]["properties"]["checks"]["items"]["properties"]["group"]["enum"]
    )
    group = dict(checks)
    assert group["request_line"] == "fuzz"  # marked postpress_fuzz, though it is about the request
    assert group["authentication"] == "request"
    assert group["success"] == "success"
    assert group["documented_error[409-already_exists]"] == "documented errors"
    assert group["no_retry_after_error[409-already_exists]"] == "retries"
    assert group["client_timeout[loopback]"] == "robustness"
    assert group["missing_key"] == "live"
    assert group["real_reconnect"] == "live"


def test_markdown_reads_back_as_the_matrix(tmp_path: Path) -> None:
    first = write(tmp_path, "sdk.json", make_report(2, fail={"request_line": FUZZ_FAILURE}))
    second = write(tmp_path, "service.json", make_report(1, crash="success", created="2026-12-05T02:00:00+00:00"))
    markdown = render_markdown([first, second])
    facts, matrix = tables(markdown)
    assert facts[0][:4] == ["client", "checks", "variants sent", "documented errors handled"]
    assert [row[0] for row in facts[1:]] == ["TestClient00", "TestClient01", "TestClient00"]
    column = facts[0].index("report")
    assert facts[1][column] == f"{tmp_path / 'sdk.json'} (2026-12-05T01:00:00+00:00, mock)"
    assert facts[3][column] == f"{tmp_path / 'service.json'} (2026-12-05T02:00:00+00:00, mock)"
    hypothesis = facts[0].index("Hypothesis")
    assert facts[1][hypothesis] == "6.170.27, profile postpress-ci, seed 1234"
    assert facts[1][facts[0].index("variants sent")] == "12/12"
    assert facts[1][facts[0].index("documented errors handled")] == "35/35"
    assert "request_line 100" in facts[1][facts[0].index("examples per fuzz check")]
    header, *rows = matrix
    assert header[0] == "client"
    assert sorted(header[1:]) == sorted(name for name, _ in suite_checks())
    assert len(rows) == 3
    by_check = [dict(zip(header, row, strict=True)) for row in rows]
    assert by_check[0]["request_line"] == "\u274c F1"
    assert by_check[1]["request_line"] == "\u274c F2"
    assert by_check[2]["success"] == "\u26a0\ufe0f F3"
    assert by_check[2]["request_line"] == "\u2705"
    assert by_check[0]["real_reconnect"] == "\u23ed\ufe0f"
    assert "### Failures (3)" in markdown
    assert "--postpress-reproduce '6.170.27:AXicY2BgAAAABAAB'" in markdown
    assert "RuntimeError: the SDK would not start" in markdown


def test_markdown_cuts_the_failures_after_its_limit(tmp_path: Path) -> None:
    failing = {name: f"[{name}] broke" for name, _ in suite_checks()[:30]}
    markdown = render_markdown([write(tmp_path, "r.json", make_report(2, fail=failing))], limit=20)
    assert "### Failures (60)" in markdown
    assert markdown.count("**F") == 20
    assert markdown.rstrip().endswith("... and 40 more failures: see the HTML report.")
    assert len(markdown.encode()) < 64_000


def test_a_report_with_no_client(tmp_path: Path) -> None:
    source = write(tmp_path, "empty.json", make_report(0))
    page = render_html([source])
    assert "No client class in these reports" in page
    assert str(tmp_path / "empty.json") in page
    markdown = render_markdown([source])
    assert "No client class in these reports" in markdown
    assert tables(markdown) == []


def test_a_report_with_one_client(tmp_path: Path) -> None:
    source = write(tmp_path, "one.json", make_report(1, fail={"authentication": "[authentication] key in the URL"}))
    page = render_html([source])
    assert page.count('data-outcome="') == 85
    assert page.count('data-outcome="failed"') == 1
    assert '<a href="#f1">\u2717</a>' in page
    assert '<section class="failure failed" id="f1" data-client="TestClient00" data-check="authentication">' in page
    assert "<script" not in page
    assert "default-src 'none'" in page
    [_facts, matrix] = tables(render_markdown([source]))
    assert len(matrix) == 2


def test_text_from_a_report_is_escaped(tmp_path: Path) -> None:
    message = "[body] sent <script>alert(1)</script> | and a ``` fence"
    report = make_report(1, fail={"authentication": message})
    report["clients"][0]["name"] = "Test<b>Pipe|Client"
    source = write(tmp_path, "odd.json", report)
    page = render_html([source])
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Test&lt;b&gt;Pipe|Client" in page
    markdown = render_markdown([source])
    facts, matrix = tables(markdown)
    assert facts[1][0] == "Test<b>Pipe|Client"  # one cell, read back as the name it is
    assert matrix[1][0] == "Test<b>Pipe|Client"
    assert "````\n" + message + "\n````" in markdown  # a longer fence than the message's own


def test_secrets_given_are_hidden_from_both(tmp_path: Path) -> None:
    key, password = "pp_live_0123456789abcdef", "hunter2-but-longer"
    report = make_report(1, fail={"authentication": f"[authentication] key {key} and password {password}"})
    source = write(tmp_path, "leaky.json", report)
    for text in (render_html([source], hide=[key, password]), render_markdown([source], hide=[key, password])):
        assert key not in text
        assert password not in text
        assert "key &lt;hidden&gt; and password &lt;hidden&gt;" in text or "key <hidden> and password <hidden>" in text


def test_fifty_clients_by_85_checks_make_one_page_under_2_mb_that_chromium_renders(tmp_path: Path) -> None:
    failing = {"request_line": FUZZ_FAILURE, "documented_error[409-already_exists]": "[documented_error] lost the type"}
    report = make_report(50, fail=failing, crash="robustness_timeout")
    path = tmp_path / "page.html"
    source = write(tmp_path, "big.json", report)
    path.write_text(render_html([source]), encoding="utf-8")
    size = path.stat().st_size
    markdown = len(render_markdown([source]).encode())
    print(f"50 client classes x 85 checks (150 failures): page {size} bytes, Markdown {markdown} bytes")
    assert size < 2 * 1024 * 1024
    assert markdown < 1024 * 1024  # GitHub's limit for one step's summary
    with Page(tmp_path / "chromium-profile") as browser:
        browser.load(path.as_uri())
        counts = browser.evaluate(
            "[document.querySelectorAll('td[data-outcome]').length,"
            " document.querySelectorAll('section.failure').length,"
            " document.querySelectorAll('table.matrix tbody tr').length, document.body.innerText.length]"
        )
        assert browser.requests == [path.as_uri()]
        browser.screenshot(tmp_path / "fifty.png")
    assert counts[:3] == [50 * 85, 150, 50]
    assert counts[3] > 10_000
    assert (tmp_path / "fifty.png").stat().st_size > 10_000


def test_the_chosen_variants_and_errors_are_counted_per_client(tmp_path: Path) -> None:
    report = make_report(1)
    report["clients"][0]["variants_sent"] = list(VARIANTS[:5])
    page = render_html([write(tmp_path, "r.json", report)])
    assert "<td>5/12</td>" in page
    assert "<td>35/35</td>" in page
