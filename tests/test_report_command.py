"""``pytest-postpress report``: real reports of real runs, rendered as one page, looked at in headless Chromium.

Two sessions of the contract suite run first (in subprocesses, serial), with a recognisable API key planted in
the environment and a client that sends a recognisable password: a reference client that passes, one that puts
the key in the URL (fails a fuzz check, with a ``--postpress-reproduce`` line, and plain checks), one that
sends another password than the caller's, and one whose program crashes (could not run).  Their two JSON
reports are the input of every test here.
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from _chromium import Page

from pytest_postpress._report_page import load_report

ROOT = Path(__file__).resolve().parents[1]
PLANTED_KEY = "pp_live_PLANTEDKEY_5b8e2d91c4"
PLANTED_PASSWORD = "PLANTED-pw-7f3c9e-Zq"
# A subset of the suite keeps the runs short; every group is in it.
CHECKS = (
    "authentication or body or request_line or success or documented_error or retry_then_success or "
    "unknown_account or robustness_timeout or fuzz_valid_bodies"
)

CLIENTS = """
import sys
import pytest
sys.path[:0] = [{examples!r}, {tests!r}]
from broken_clients import KeyInQuery, Reference
from pytest_postpress import ReconnectContract


class Leaky(Reference):
    # Sends its own password instead of the caller's: the failure message must not show it.
    def reconnect(self, account_id, body):
        if isinstance(body, dict) and "password" in body:
            body = {{**body, "password": {password!r}}}
        return super().reconnect(account_id, body)


class Crashes(Reference):
    # Its set-up fails (not a verdict on the contract): every check could not run.
    def __init__(self, *, base_url, api_key):
        raise RuntimeError(f"cannot load the SDK configuration for key {{api_key}}")


def suite(client):
    class Suite(ReconnectContract):
        @pytest.fixture
        def postpress_reconnect(self, postpress_base_url, postpress_api_key):
            made = client(base_url=postpress_base_url, api_key=postpress_api_key)
            try:
                yield made.reconnect
            finally:
                made.close()

    return Suite

{classes}
"""


def _run_session(directory: Path, classes: dict[str, str]) -> tuple[Path, Path]:
    """Run the suite on ``classes`` (test class name -> client) in ``directory``; its report and step summary."""
    directory.mkdir()
    source = CLIENTS.format(
        examples=str(ROOT / "examples"),
        tests=str(ROOT / "tests"),
        password=PLANTED_PASSWORD,
        classes="\n".join(f"{name} = suite({client})" for name, client in classes.items()),
    )
    (directory / "test_clients.py").write_text(source, encoding="utf-8")
    (directory / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    summary = directory / "step-summary.md"
    env = {**os.environ, "POSTPRESS_API_KEY": PLANTED_KEY, "GITHUB_STEP_SUMMARY": str(summary)}
    env.pop("POSTPRESS_NO_STEP_SUMMARY", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "-k",
            CHECKS,
            "--postpress-report=report.json",
        ],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]  # failures, not a crash
    return directory / "report.json", summary


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two reports of two real sessions (and their step summaries)."""
    base = tmp_path_factory.mktemp("runs")
    first, first_summary = _run_session(base / "sdk", {"TestReference": "Reference", "TestKeyInQuery": "KeyInQuery"})
    second, second_summary = _run_session(base / "service", {"TestLeaky": "Leaky", "TestCrashes": "Crashes"})
    return {"first": first, "second": second, "first_summary": first_summary, "second_summary": second_summary}


def report_command(
    *args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest_postpress", "report", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def page(runs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The HTML page and the Markdown of the two reports, made by the command."""
    out = tmp_path_factory.mktemp("page")
    # Named as a CI job would name them, from the folder the runs wrote in: the page shows these names.
    result = report_command(
        "sdk/report.json",
        "service/report.json",
        "--html",
        out / "report.html",
        "--markdown",
        out / "report.md",
        env={**os.environ, "POSTPRESS_API_KEY": PLANTED_KEY},
        cwd=runs["first"].parents[1],
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{out / 'report.html'}: 2 report(s), 4 client class(es)"
    return {"html": out / "report.html", "markdown": out / "report.md"}


def _expected(runs: dict[str, Path]) -> tuple[set[tuple[str, str, str]], list[dict[str, Any]]]:
    """(client, check, outcome) of every check of the two reports, and every check that failed or could not run."""
    cells: set[tuple[str, str, str]] = set()
    failures: list[dict[str, Any]] = []
    for key in ("first", "second"):
        for client in json.loads(runs[key].read_text(encoding="utf-8"))["clients"]:
            for check in client["checks"]:
                cells.add((client["name"], check["name"], check["outcome"]))
                if check["outcome"] in ("failed", "could not run"):
                    failures.append({"client": client["name"], **check})
    return cells, failures


def test_the_runs_failed_as_planned(runs: dict[str, Path]) -> None:
    # What the page must show is there: failures with messages and replay lines, a fuzz reproduce line, a crash.
    _, failures = _expected(runs)
    by_client = {failure["client"] for failure in failures}
    assert by_client == {"TestKeyInQuery", "TestLeaky", "TestCrashes"}
    assert all(failure.get("message") and failure.get("reproduce") for failure in failures)
    # A fuzz check's failure has its replay line (--postpress-reproduce for a drawn example, the plain node id for an
    # example the suite tries first on every run).
    assert any("test_fuzz" in failure["reproduce"] for failure in failures)
    assert any(failure["outcome"] == "could not run" for failure in failures)
    groups = {
        check["group"]
        for key in ("first", "second")
        for c in load_report(runs[key]).report["clients"]
        for check in c["checks"]
    }
    assert groups == {"request", "success", "documented errors", "retries", "robustness", "fuzz", "live"}


def test_the_planted_key_and_password_are_nowhere(runs: dict[str, Path], page: dict[str, Path]) -> None:
    written = [runs["first"], runs["second"], runs["first_summary"], runs["second_summary"], *page.values()]
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert text.strip(), path
        assert PLANTED_KEY not in text, path
        assert PLANTED_PASSWORD not in text, path
    # The key was really in play: hidden where the crash message and the URL carried it.
    html = page["html"].read_text(encoding="utf-8")
    assert "SDK configuration for key &lt;hidden&gt;" in html
    assert "api_key=&lt;hidden&gt;" in html
    assert "SDK configuration for key <hidden>" in page["markdown"].read_text(encoding="utf-8")


def test_the_step_summary_names_every_client_class_of_its_run(runs: dict[str, Path]) -> None:
    for summary, names in (
        ("first_summary", {"TestReference", "TestKeyInQuery"}),
        ("second_summary", {"TestLeaky", "TestCrashes"}),
    ):
        text = runs[summary].read_text(encoding="utf-8")
        assert text.count("## postpress contract report") == 1
        rows = {line.split("|")[1].strip() for line in text.splitlines() if line.startswith("| Test")}
        assert rows == names


# --- bad input: exit 2, one line naming the file and why, nothing written ---------------------------------


def _bad_inputs(tmp_path: Path, runs: dict[str, Path]) -> dict[str, tuple[Path, str]]:
    not_json = tmp_path / "not-json.json"
    not_json.write_text("{ nope", encoding="utf-8")
    not_report = tmp_path / "junit.json"
    not_report.write_text(json.dumps({"tests": 3}), encoding="utf-8")
    future = tmp_path / "future.json"
    future.write_text(json.dumps({**json.loads(runs["first"].read_text()), "format": "pytest-postpress-report/2"}))
    broken = tmp_path / "broken.json"
    document = json.loads(runs["first"].read_text())
    document["clients"][0]["checks"][0]["outcome"] = "sort of"
    broken.write_text(json.dumps(document), encoding="utf-8")
    return {
        "missing": (tmp_path / "missing.json", "cannot read it: No such file or directory"),
        "not-json": (not_json, "not a report: not JSON"),
        "not-a-report": (not_report, 'not a report: no "format"'),
        "unknown-version": (future, "unknown report format 'pytest-postpress-report/2'"),
        "invalid": (broken, "not a valid report: at /clients/0/checks/0/outcome"),
    }


@pytest.mark.parametrize("case", ["missing", "not-json", "not-a-report", "unknown-version", "invalid"])
def test_bad_input_exits_2_naming_the_file_and_writes_nothing(runs: dict[str, Path], tmp_path: Path, case: str) -> None:
    bad, why = _bad_inputs(tmp_path, runs)[case]
    out = tmp_path / "out"
    out.mkdir()
    kept = out / "report.md"
    kept.write_text("the last good summary\n", encoding="utf-8")
    result = report_command(runs["first"], bad, "--html", out / "report.html", "--markdown", kept)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"python -m pytest_postpress report: error: {bad}: {why}"), result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(path.name for path in out.iterdir()) == ["report.md"]  # no page, no temporary file left
    assert kept.read_text(encoding="utf-8") == "the last good summary\n"


def test_an_output_folder_that_does_not_exist_exits_2(runs: dict[str, Path], tmp_path: Path) -> None:
    result = report_command(runs["first"], "--html", tmp_path / "no" / "page.html")
    assert result.returncode == 2
    missing = tmp_path / "no" / "page.html"
    why = "cannot write it: its folder does not exist"
    assert result.stderr == f"python -m pytest_postpress report: error: {missing}: {why}\n"


# --- in a real browser ------------------------------------------------------------------------------------

_DOM = """JSON.stringify({
  cells: [...document.querySelectorAll('td[data-outcome]')].map(td => ({
    client: td.dataset.client, check: td.dataset.check, outcome: td.dataset.outcome, text: td.innerText.trim(),
    link: td.querySelector('a') ? td.querySelector('a').getAttribute('href') : null,
    colour: getComputedStyle(td).backgroundColor})),
  columns: [...document.querySelectorAll('th.check')].map(th => th.dataset.check),
  groups: [...document.querySelectorAll('th.group')].map(th => th.innerText.trim()),
  rows: [...document.querySelectorAll('table.matrix tbody th.client')].map(th => th.innerText),
  facts: [...document.querySelectorAll('table.facts tbody tr')].map(tr => tr.innerText),
  failures: Object.fromEntries([...document.querySelectorAll('section.failure')].map(s => [s.id, s.innerText])),
  legend: [...document.querySelectorAll('.legend li')].map(li => li.innerText.trim()),
  scripts: document.scripts.length,
})"""


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Page]:
    with Page(tmp_path / "chromium-profile", width=1400, height=1000) as opened:
        yield opened


def test_chromium_shows_every_client_check_and_failure(
    runs: dict[str, Path], page: dict[str, Path], browser: Page, tmp_path: Path
) -> None:
    cells, failures = _expected(runs)
    browser.load(page["html"].as_uri())
    dom = json.loads(browser.evaluate(_DOM))
    shown = {(cell["client"], cell["check"], cell["outcome"]) for cell in dom["cells"] if cell["outcome"] != "absent"}
    assert shown == cells
    assert set(dom["columns"]) == {check for _, check, _ in cells}
    assert dom["groups"] == ["request", "success", "documented errors", "retries", "robustness", "fuzz", "live"]
    assert [row.split("\n")[0] for row in dom["rows"]] == [
        "TestKeyInQuery",
        "TestReference",
        "TestCrashes",
        "TestLeaky",
    ]
    assert [row.split("\n")[1] for row in dom["rows"]] == ["sdk/report.json"] * 2 + ["service/report.json"] * 2
    symbols = {"passed": "\u2713", "failed": "\u2717", "skipped": "\u2013", "could not run": "!"}
    colours: dict[str, set[str]] = {}
    for cell in dom["cells"]:
        if cell["outcome"] in symbols:
            assert cell["text"] == symbols[cell["outcome"]], cell
            colours.setdefault(cell["outcome"], set()).add(cell["colour"])
    # One colour per outcome, a different one for each.
    assert all(len(found) == 1 for found in colours.values()), colours
    assert len({next(iter(found)) for found in colours.values()}) == len(colours)
    # Every failure is on the page with its message and replay line, and its cell links to it.
    links = {(cell["client"], cell["check"]): cell["link"] for cell in dom["cells"]}
    assert len(dom["failures"]) == len(failures)
    for failure in failures:
        anchor = links[(failure["client"], failure["name"])]
        assert anchor is not None, failure
        text = dom["failures"][anchor.removeprefix("#")]
        assert failure["name"] in text
        assert failure["client"] in text
        assert failure["message"].splitlines()[0] in text
        assert failure["reproduce"] in text
    assert dom["legend"] == [
        f"{symbol} {word}"
        for symbol, word in (
            ("\u2713", "passed"),
            ("\u2717", "failed"),
            ("\u2013", "skipped"),
            ("!", "could not run"),
            ("\u00b7", "not in this report"),
        )
    ]
    assert any("retry policy" in fact or "no retries" in fact for fact in dom["facts"])
    assert dom["scripts"] == 0
    # Nothing but the file itself was asked for: no font, style sheet, script or image from anywhere.
    assert browser.requests == [page["html"].as_uri()]
    shot = browser.screenshot(tmp_path / "report.png")
    assert shot.stat().st_size > 10_000
    target = os.environ.get("POSTPRESS_REPORT_SCREENSHOT")
    if target:  # how docs/report-page.png is made: POSTPRESS_REPORT_SCREENSHOT=docs/report-page.png pytest ...
        Path(target).write_bytes(shot.read_bytes())


class _Witness(http.server.BaseHTTPRequestHandler):
    """A loopback server that serves a page fetching things, and logs every request it gets."""

    seen: ClassVar[list[str]] = []
    page = b""

    def do_GET(self) -> None:
        self.seen.append(self.path)
        body = self.page if self.path == "/page.html" else b""
        self.send_response(200)
        self.send_header("Content-Type", "text/html" if body else "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_the_request_watch_sees_a_page_that_fetches(browser: Page, tmp_path: Path) -> None:
    # The watch that finds the report page silent does see fetches: a font from the internet, an image on loopback.
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Witness)
    port = server.server_address[1]
    _Witness.seen = []
    _Witness.page = (
        b'<!DOCTYPE html><link rel="stylesheet" href="https://fonts.example.com/css?family=Inter">'
        b'<img src="/pixel.png" alt=""><p>fetches</p>'
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        browser.load(f"http://127.0.0.1:{port}/page.html")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=30)
    assert f"http://127.0.0.1:{port}/pixel.png" in browser.requests
    assert "https://fonts.example.com/css?family=Inter" in browser.requests
    assert "/pixel.png" in _Witness.seen  # the watch's list matches what reached a server
    local = tmp_path / "fetches.html"
    local.write_text('<!DOCTYPE html><script src="https://cdn.example.com/app.js"></script>', encoding="utf-8")
    browser.requests.clear()
    browser.load(local.as_uri())
    assert browser.requests == [local.as_uri(), "https://cdn.example.com/app.js"]
