"""The pytest entry point (``postpress``): options, ini keys, markers, report header, settings fixtures.

Kept thin and cheap to import: respx, httpx, jsonschema and hypothesis-jsonschema
are not imported at pytest start-up; the fixtures that need them (in
:mod:`pytest_postpress.plugin.fixtures` and :mod:`pytest_postpress.plugin.live_fixtures`) import
them when first requested.  Hypothesis is (the ``postpress-*`` profiles are
registered at import), as Hypothesis's own pytest plugin already does.
"""

from __future__ import annotations

import datetime
import json
import random
import urllib.parse
import zlib
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest

from pytest_postpress import _settings
from pytest_postpress._keys import FUZZ_BUDGET_KEY, SCRUBBER_KEY, SEED_KEY, SETTINGS_KEY, scrubber_of, settings_of
from pytest_postpress._redact import Scrubber
from pytest_postpress.errors import CommandFailed, ContractViolation, SecretStr, StagingFault
from pytest_postpress.plugin import profiles as _profiles  # noqa: F401 - registers the postpress-* Hypothesis profiles
from pytest_postpress.suite import _exampledb, _results
from pytest_postpress.suite._identity import ErrorIdentity, default_error_identity
from pytest_postpress.suite._record import add_record

pytest_plugins = ["pytest_postpress.plugin.fixtures", "pytest_postpress.plugin.live_fixtures"]

RESULTS_KEY = pytest.StashKey[_results.Results]()
STORE_WARNINGS_KEY = pytest.StashKey[list[str]]()
_STORE_WARNING = "postpress_example_db_warning"
REPORT_WRITTEN_KEY = pytest.StashKey[str]()
#: GitHub Actions names here the file whose Markdown the job's page shows.
STEP_SUMMARY_ENV = "GITHUB_STEP_SUMMARY"
STEP_SUMMARY_KEY = pytest.StashKey[str]()

MARKERS = (
    "postpress_error(status=None, type=None): narrow the postpress_error parametrization to these documented "
    "errors, or make the mock answer that error on a test that does not request postpress_error",
    "postpress_contract: a check of the postpress contract suite",
    "postpress_robustness: a contract-suite check of behaviour outside the documentation (deselect with "
    "-m 'not postpress_robustness')",
    "postpress_live: runs only with --postpress-live (against a real server)",
    "postpress_mock_only: needs the mock (error replay, forced answers); skipped with --postpress-live",
    "postpress_fuzz: a Hypothesis-driven check of the contract suite (shares --postpress-fuzz-seconds)",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--postpress-*`` options and their ``postpress_*`` ini keys."""
    group = parser.getgroup("postpress", "postpress contract testing")
    for option in _settings.OPTIONS:
        help_text = f"{option.help} [env {option.env}, ini {option.ini}]"
        if option.kind == "bool":
            group.addoption(
                option.flag, action="store_const", const=True, default=None, dest=option.ini, help=help_text
            )
            parser.addini(option.ini, option.help, type="bool", default=None)
        else:
            group.addoption(option.flag, action="store", default=None, dest=option.ini, help=help_text)
            parser.addini(option.ini, option.help, type="string", default="")


def pytest_configure(config: pytest.Config) -> None:
    """Resolve the settings once and register the markers."""
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    cli = {option.name: config.getoption(option.ini) for option in _settings.OPTIONS}
    ini_file = str(config.inipath) if config.inipath else None
    try:
        settings = _settings.resolve(cli, _settings.from_environ(), config.getini, ini_file)
    except _settings.SettingError as error:
        # The key as given, if any, is hidden even where the error quotes another value (a base URL with it).
        given = Scrubber([cli.get("api_key"), _settings.from_environ().get("POSTPRESS_API_KEY")])
        raise pytest.UsageError(given.text(str(error))) from None
    config.stash[SETTINGS_KEY] = settings
    scrubber = config.stash.setdefault(SCRUBBER_KEY, Scrubber())
    scrubber.add(settings.api_key, *_settings.reconnect_secrets(settings))
    if settings.example_db:
        # The store URL's password is a secret like the key: hidden from every output from now on.
        scrubber.add(*_exampledb.url_secrets(settings.example_db))
        # Checked now, on every process: a store that cannot be used stops the session before any check runs.
        try:
            config.stash[_exampledb.STORE_KEY] = _exampledb.open_store(
                settings.example_db, where=settings.source("example_db"), read_only=settings.example_db_readonly
            )
        except _settings.SettingError as error:
            raise pytest.UsageError(str(error)) from None
    config.stash[RESULTS_KEY] = _results.Results()
    config.pluginmanager.register(_ResultsCollector(config.stash[RESULTS_KEY], scrubber), "postpress-results")
    config.pluginmanager.register(_Scrubbing(scrubber), "postpress-scrubbing")
    _scrub_debug_log(config, scrubber)


def _scrub_debug_log(config: pytest.Config, scrubber: Scrubber) -> None:
    """Under ``pytest --debug``, hide the secrets in what pluggy's tracer writes (it logs every hook's arguments
    and results with ``str()``, the key fixture's value included)."""
    root = config.trace.root
    writer = getattr(root, "_writer", None)
    if writer is not None and not getattr(writer, "postpress_scrubbed", False):

        def scrubbed(text: str) -> None:
            writer(scrubber.text(text))

        scrubbed.postpress_scrubbed = True  # type: ignore[attr-defined]
        root.setwriter(scrubbed)


class _Scrubbing:
    """The last pass over what pytest prints of a failure: a secret left in a report (a user's own assert, a
    traceback's locals, captured output) or in an INTERNALERROR is hidden there."""

    def __init__(self, scrubber: Scrubber) -> None:
        self.scrubber = scrubber

    @pytest.hookimpl(tryfirst=True)
    def pytest_internalerror(self, excrepr: Any, excinfo: Any) -> None:
        text = str(excrepr)
        scrubbed = self.scrubber.text(text)
        if scrubbed != text:
            # The terminal prints str(excrepr): make it the scrubbed text (--full-trace shows frames' arguments).
            object.__setattr__(excrepr, "toterminal", lambda writer: writer.line(scrubbed))

    def pytest_assertrepr_compare(self, op: str, left: object, right: object) -> list[str] | None:
        """A comparison with a secret (the key, a secret header of a recorded call): no diff of the values."""
        if not isinstance(left, SecretStr) and not isinstance(right, SecretStr):
            return None
        shown = [
            repr(side) if isinstance(side, SecretStr) else self.scrubber.clip(repr(side)) for side in (left, right)
        ]
        return [f"{shown[0]} {op} {shown[1]}", "a secret is compared: its value is hidden (no diff shown)"]


# The one mechanism for mode-bound tests: a marker, and the mode it needs (live or not), with the skip reason.
_MODE_BOUND = {
    "postpress_live": (
        True,
        "postpress_live: runs only with --postpress-live (and --postpress-base-url of a staging server)",
    ),
    "postpress_mock_only": (False, "postpress_mock_only: needs the mock; skipped with --postpress-live"),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the tests whose marker needs the other mode: ``postpress_live`` without, ``postpress_mock_only`` with
    ``--postpress-live``."""
    live = settings_of(config).live
    for marker, (needs_live, reason) in _MODE_BOUND.items():
        if needs_live != live:
            skip = pytest.mark.skip(reason=reason)
            for item in items:
                if item.get_closest_marker(marker) is not None:
                    item.add_marker(skip)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Spread ``--postpress-fuzz-seconds`` over the fuzz checks that will run."""
    settings = settings_of(session.config)
    if settings.fuzz_seconds is None:
        return
    count = sum(1 for item in session.items if item.get_closest_marker("postpress_fuzz") is not None)
    session.config.stash[FUZZ_BUDGET_KEY] = settings.fuzz_seconds / max(count, 1)
    seed = session.config.getoption("hypothesis_seed", None)
    session.config.stash[SEED_KEY] = (
        zlib.crc32(str(seed).encode()) if seed is not None else random.SystemRandom().getrandbits(32)
    )


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Mode and where requests go, and the shared example database if any; never the key or a password."""
    store = config.stash.get(_exampledb.STORE_KEY, None)
    lines = [_mode_line(config)]
    if store is not None:
        lines.append(
            f"postpress: example database {store.shown}{' (read-only)' if store.read_only else ''}, "
            "replayed first by every fuzz check"
        )
    return lines


def _mode_line(config: pytest.Config) -> str:
    settings = settings_of(config)
    if settings.replay is not None:
        return f"postpress: REPLAY of the recording {settings.replay} (offline), max {settings.max_requests} requests"
    if settings.live:
        host = urllib.parse.urlsplit(settings.base_url).netloc
        return (
            f"postpress: LIVE mode against {host} (base URL from {settings.source('base_url')}), "
            f"max {settings.max_requests} requests, timeout {settings.timeout:g}s"
            + (f", recording to {settings.record}" if settings.record is not None else "")
        )
    return (
        f"postpress: mock mode ({settings.transport}), base URL {settings.base_url} "
        f"(from {settings.source('base_url')})"
    )


@pytest.fixture(scope="session")
def postpress_base_url(pytestconfig: pytest.Config) -> str:
    """Base URL of the API (origin plus any path prefix, no trailing slash).

    From ``--postpress-base-url``, env ``POSTPRESS_BASE_URL``, ini ``postpress_base_url``;
    default ``https://api.postpress.ai``.  The endpoint is ``{base}/v1/accounts/{id}``.
    """
    return str(settings_of(pytestconfig).base_url)


@pytest.fixture(scope="session")
def postpress_api_key(pytestconfig: pytest.Config) -> str:
    """API key to send as ``X-API-KEY``: env ``POSTPRESS_API_KEY``, else a fixed fake key the mock accepts.

    A ``str`` whose ``repr`` is hidden, so that pytest never prints it among a failing test's arguments.
    """
    return SecretStr(settings_of(pytestconfig).api_key)


@pytest.fixture(scope="session")
def postpress_account_id(pytestconfig: pytest.Config) -> str:
    """Id of an account that exists: ``--postpress-account-id`` / env ``POSTPRESS_ACCOUNT_ID``, else a fake one."""
    return str(settings_of(pytestconfig).account_id)


@pytest.fixture(scope="session")
def postpress_transport(pytestconfig: pytest.Config) -> str:
    """Where the contract suite's client is answered: ``"respx"`` (default, httpx clients), ``"responses"``
    (requests clients, needs ``pytest-postpress[responses]``) or ``"server"`` (loopback HTTP, any client).

    From ``--postpress-transport`` / env ``POSTPRESS_TRANSPORT`` / ini; override the fixture in a
    ``ReconnectContract`` subclass for a client that is not built on httpx.
    """
    return str(settings_of(pytestconfig).transport)


@pytest.fixture
def postpress_error_identity() -> Callable[[BaseException], ErrorIdentity | None]:
    """``identity(exc) -> (status, type) | None``: how the contract suite reads an error the client raised.

    The default reads ``status``/``status_code`` and ``type``/``error_type`` attributes, an attached
    ``response`` (httpx, requests) and its envelope's ``type``, following the chain the caller sees:
    ``__cause__``, else ``__context__`` unless suppressed (``raise ... from None``), as tracebacks show it.
    Override it to read your own exception classes.
    """
    return default_error_identity


@pytest.fixture
def postpress_none_means_absent() -> bool:
    """Whether the contract suite reads a field the caller set to ``None`` as not passed (default ``False``).

    Override it to return ``True`` for a client whose API reads ``None`` as "not given" by design (keyword
    arguments left at ``None`` are left out of the body): such fields, at any depth, are then expected to be
    absent from the request, and a body that is valid without them is a valid body (its 201 is success).
    """
    return False


def _contract_text(error: BaseException) -> str | None:
    """The report text of a contract violation or a failed command client (with its notes), or ``None`` for any
    other error: their messages say all, and a traceback would only show the suite's internals."""
    if isinstance(error, ContractViolation | CommandFailed | StagingFault):
        return "\n".join([str(error), *getattr(error, "__notes__", [])])
    if isinstance(error, BaseExceptionGroup):
        parts = [_contract_text(inner) for inner in error.exceptions]
        if parts and all(parts):
            return "\n\n".join([*(p for p in parts if p), *getattr(error, "__notes__", [])])
    return None


def _is_verdict(error: BaseException) -> bool:
    """Whether an exception is a verdict on the client: a contract violation or a failed assertion (a
    double's unrouted request, a user's own assert), alone or grouped (Hypothesis)."""
    if isinstance(error, AssertionError):
        return True
    if isinstance(error, BaseExceptionGroup):
        return all(_is_verdict(inner) for inner in error.exceptions)
    return False


def _problem_text(error: BaseException, config: pytest.Config) -> str:
    """``Type: first line`` of an exception that stopped a check, every secret hidden (then clipped)."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    text = scrubber_of(config).clip(text, 200)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _scrub_report(report: pytest.TestReport, scrubber: Scrubber) -> None:
    """Hide any secret left in a report's failure text and captured sections (what the terminal and JUnit show)."""
    if report.longrepr is not None and not isinstance(report.longrepr, tuple):
        text = str(report.longrepr)
        scrubbed = scrubber.text(text)
        if scrubbed != text:
            report.longrepr = scrubbed
    report.sections = [(scrubber.text(title), scrubber.text(content)) for title, content in report.sections]
    report.user_properties = [
        (key, scrubber.text(value) if isinstance(value, str) else value) for key, value in report.user_properties
    ]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """Report a contract violation as its message alone: no traceback, so no internals or arguments shown.

    Every check of the contract suite is counted from its setup on (a check that crashes before it records
    anything is still in the summary); an exception that is not a verdict on the client (a crash in the
    suite's code or the user's environment, a usage error) marks the check "could not run".

    The one wrapper of this hook in the package; its steps run in this order: the phase's report is remembered
    (teardown checks stay quiet after a failure), a contract failure gets its text, a live failure its ``curl``
    lines, and the check's record is serialised.
    """
    contract = call.when == "setup" and item.get_closest_marker("postpress_contract") is not None
    if contract and not any(key == _results.PROPERTY for key, _ in item.user_properties):
        markers = {mark.name for mark in item.iter_markers()}
        add_record(item, examples=0, group=_results.check_group(item.name, markers, getattr(item, "fixturenames", ())))
    report = yield
    # Imported here, not at the top: pytest_plugins below loads these modules itself, and pytest 8 refuses (a
    # warning, an error under filterwarnings = error) to mark for assertion rewriting a module imported before.
    from pytest_postpress.plugin import fixtures as _fixtures
    from pytest_postpress.plugin import live_fixtures as _live_fixtures

    _fixtures.remember_report(item, report)
    if call.excinfo is not None and report.failed:
        text = _contract_text(call.excinfo.value)
        if text is not None:
            report.longrepr = text
        if not _is_verdict(call.excinfo.value):
            report.user_properties.append((_results.PROBLEM, _problem_text(call.excinfo.value, item.config)))
    _live_fixtures.add_reproduce_lines(item, report)
    # Records travel as JSON text: the JUnit XML then holds JSON any tool can parse (not a Python repr), and
    # pytest-xdist ships plain strings. Serialised here, once the check is done with its (mutable) record.
    report.user_properties = [
        (key, json.dumps(value, ensure_ascii=False, sort_keys=True) if key == _results.PROPERTY else value)
        for key, value in report.user_properties
    ]
    _scrub_report(report, scrubber_of(item.config))
    return report


class _ResultsCollector:
    """Folds the contract suite's records into the session results (on the xdist controller too).

    A plugin object rather than a module hook because ``pytest_runtest_logreport`` gets no config.
    """

    def __init__(self, results: _results.Results, scrubber: Scrubber) -> None:
        self.results = results
        self.scrubber = scrubber

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        records: list[Any] = [
            json.loads(str(value)) for key, value in report.user_properties if key == _results.PROPERTY
        ]
        problems = [str(value) for key, value in report.user_properties if key == _results.PROBLEM]
        if not records or (report.when != "call" and report.outcome == "passed"):
            return
        problem = problems[-1] if problems else None
        message = reproduce = None
        if report.failed:
            message = problem if problem is not None else self._message(report)
            reproduce = _results.replay_line(message, report.nodeid)
        self.results.add(records, report.outcome, report.duration, problem, message=message, reproduce=reproduce)

    def _message(self, report: pytest.TestReport) -> str:
        """A verdict's message as the terminal shows it: a contract violation's text, else the assertion's own
        message (a traceback would show the suite's internals); every secret hidden, then cut."""
        longrepr = report.longrepr
        crash = getattr(longrepr, "reprcrash", None)
        text = longrepr if isinstance(longrepr, str) else crash.message if crash is not None else report.longreprtext
        return self.scrubber.clip(text, _results.MESSAGE_LIMIT)


def _report_meta(config: pytest.Config) -> dict[str, Any]:
    import hypothesis

    from pytest_postpress._version import __version__

    settings = settings_of(config)
    seed = config.getoption("hypothesis_seed", None)
    return {
        "plugin_version": __version__,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "mode": "replay" if settings.replay is not None else "live" if settings.live else "mock",
        "transport": settings.transport,
        "base_host": urllib.parse.urlsplit(settings.base_url).netloc,
        "hypothesis": {
            "version": hypothesis.__version__,
            "profile": config.getoption("hypothesis_profile", None) or "default",
            "seed": config.stash.get(SEED_KEY, None) if seed is None else seed,
        },
        "fuzz_seconds": settings.fuzz_seconds,
        "workers": int(getattr(config.option, "numprocesses", 0) or 0),
    }


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write ``--postpress-report`` and append the Markdown summary to ``$GITHUB_STEP_SUMMARY`` (on the xdist
    controller only: workers' records are merged there)."""
    config = session.config
    settings = settings_of(config)
    store = config.stash.get(_exampledb.STORE_KEY, None)
    workeroutput = getattr(config, "workeroutput", None)
    if store is not None and workeroutput is not None and store.warning():
        workeroutput[_STORE_WARNING] = store.warning()
    if hasattr(config, "workerinput"):
        return
    summary = _settings.from_environ().get(STEP_SUMMARY_ENV) if not settings.no_step_summary else None
    results = config.stash[RESULTS_KEY]
    if settings.report is None and not (summary and results.clients):
        return
    report = scrubber_of(config).value(_results.build_report(results, meta=_report_meta(config)))
    if settings.report is not None:
        path = Path(settings.report)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        config.stash[REPORT_WRITTEN_KEY] = str(path)
    if summary and results.clients:
        from pytest_postpress._report_page import Source, render_markdown

        label = str(settings.report) if settings.report is not None else "this run"
        markdown = scrubber_of(config).text(render_markdown([Source(label, report)]))
        try:
            with open(summary, "a", encoding="utf-8") as file:
                file.write(markdown + "\n")
        except OSError as error:
            config.stash[STEP_SUMMARY_KEY] = (
                f"postpress: cannot append the summary to ${STEP_SUMMARY_ENV} ({summary}): {error.strerror or error}"
            )
        else:
            config.stash[STEP_SUMMARY_KEY] = f"postpress: summary appended to ${STEP_SUMMARY_ENV} ({summary})"


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist: a worker's warning about the shared example database reaches the controller's summary."""
    warning = getattr(node, "workeroutput", {}).get(_STORE_WARNING)
    if warning:
        node.config.stash.setdefault(STORE_WARNINGS_KEY, []).append(str(warning))


def _store_warnings(config: pytest.Config) -> list[str]:
    store = config.stash.get(_exampledb.STORE_KEY, None)
    own = store.warning() if store is not None else None
    return [*([own] if own else []), *config.stash.get(STORE_WARNINGS_KEY, [])]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Per client class: checks passed, variants sent, documented errors handled, failed checks."""
    written = config.stash.get(REPORT_WRITTEN_KEY, None)
    if written:
        terminalreporter.write_line(f"postpress: contract report written to {written}")
    for warning in _store_warnings(config):
        terminalreporter.write_line(warning, yellow=True, bold=True)
    step_summary = config.stash.get(STEP_SUMMARY_KEY, None)
    if step_summary:
        terminalreporter.write_line(step_summary)
    results = config.stash.get(RESULTS_KEY, None)
    if results is None or not results.clients:
        return
    terminalreporter.section("postpress contract")
    scrubber = scrubber_of(config)
    for line in results.summary_lines():
        terminalreporter.write_line(scrubber.text(line))
    if scrubber.short:
        terminalreporter.write_line(
            f"postpress: {len(scrubber.short)} secret(s) of 1-3 characters (the key or a reconnect body's) are hidden "
            "wherever they appear, so some text above may read <hidden> where it held no secret"
        )
    outside = [entry for client in results.clients.values() for entry in client.outside_contract]
    if outside:
        terminalreporter.section("responses outside the documented contract")
        for entry in outside:
            terminalreporter.write_line(
                scrubber.text(f"{entry['request']} -> {entry['status']} ({entry['content_type'] or 'no type'})")
            )
            for violation in entry["violations"]:
                terminalreporter.write_line(scrubber.text(f"    {violation}"))
