"""Fixtures and hooks of live mode (``--postpress-live``), its recording and its replay; heavy imports happen
inside the fixtures.

* ``--postpress-record PATH``: every exchange of the :class:`~pytest_postpress.suite.live.LiveSession` goes to
  a :class:`~pytest_postpress.suite._har.Recorder`; under pytest-xdist each worker hands its entries to the
  controller (``workeroutput``), which writes the one HAR file, entries in time order.
* ``--postpress-replay PATH``: the session talks to a :class:`~pytest_postpress.suite._replay.ReplayServer`
  answering from the recording instead of staging; everything else is live mode as it is.
* Each failure in live mode ends with a ``curl`` line that sends the same request again
  (:mod:`pytest_postpress.suite._reproduce`).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_postpress._compat import basetemp
from pytest_postpress._keys import scrubber_of, settings_of

if TYPE_CHECKING:
    from pytest_postpress.suite._har import Recorder
    from pytest_postpress.suite.live import LiveProxy, LiveSession

_HAR_OUTPUT = "postpress_har"


class _Running:
    """What the live hooks share within one process: the running test, the recorder, the session."""

    def __init__(self) -> None:
        self.test = ""
        self.recorder: Recorder | None = None
        self.session: LiveSession | None = None
        self.written: str | None = None
        self.recorded = 0


_RUNNING = pytest.StashKey[_Running]()


def _running(config: pytest.Config) -> _Running:
    return config.stash.setdefault(_RUNNING, _Running())


@pytest.hookimpl(trylast=True)  # after the plugin resolved the settings
def pytest_configure(config: pytest.Config) -> None:
    """With ``--postpress-record``, start collecting HAR entries (on the xdist controller: the workers')."""
    settings = settings_of(config)
    if settings.record is not None:
        from pytest_postpress.suite._har import Recorder

        _running(config).recorder = Recorder(scrubber=scrubber_of(config))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, Any, Any]:
    """Remember which test is running: each exchange is recorded with its test id."""
    running = _running(item.config)
    running.test = item.nodeid
    try:
        return (yield)
    finally:
        running.test = ""


def add_reproduce_lines(item: pytest.Item, report: pytest.TestReport) -> None:
    """A live failure ends with the ``curl`` line of each request its test sent (never a secret on it).

    Called by the plugin's one ``pytest_runtest_makereport``, after it made a contract failure's text.
    """
    session = _running(item.config).session
    settings = settings_of(item.config)
    if not report.failed or session is None or settings.replay is not None:
        return
    exchanges = [exchange for exchange in list(session.exchanges) if exchange.test == item.nodeid]
    if not exchanges:
        return
    from pytest_postpress.suite._reproduce import ENV_KEY, curl_lines

    if settings.record is not None:
        record = Path(settings.record)
        bodies = record.with_name(record.stem + "-bodies")
    else:
        bodies = basetemp(item.config) / "postpress-bodies"
    lines = curl_lines(
        exchanges,
        api_key=settings.api_key,
        bodies=bodies,
        reconnect_body=settings.reconnect_body,
        scrubber=scrubber_of(item.config),
    )
    text = f"reproduce with (the key from ${ENV_KEY}):\n" + "\n".join(f"  {line}" for line in lines)
    if isinstance(report.longrepr, str):
        report.longrepr += "\n" + text
    elif (addsection := getattr(report.longrepr, "addsection", None)) is not None:
        addsection("postpress: reproduce against the live server", text)
    else:
        report.sections.append(("postpress: reproduce against the live server", text))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist controller: take in a worker's recorded entries."""
    recorder = _running(node.config).recorder
    entries = getattr(node, "workeroutput", {}).get(_HAR_OUTPUT)
    if recorder is not None and entries:
        recorder.add(entries)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write the recording (a worker hands its entries to the controller instead)."""
    config = session.config
    running = _running(config)
    recorder = running.recorder
    if recorder is None:
        return
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[_HAR_OUTPUT] = recorder.entries
        return
    from pytest_postpress._version import __version__
    from pytest_postpress.suite._har import har_document, write_har

    settings = settings_of(config)
    path = settings.record
    assert path is not None  # a recorder is made with --postpress-record only
    write_har(path, har_document(recorder.entries, base_url=settings.base_url, version=__version__))
    running.written, running.recorded = str(path), len(recorder.entries)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Say where the recording went, and which checks staging answered late (once each)."""
    running = _running(config)
    if running.session is not None:
        for note in running.session.late.values():
            terminalreporter.write_line(f"postpress: {note}")
    if running.written:
        terminalreporter.write_line(
            f"postpress: {running.recorded} exchanges with the live server recorded to {running.written} "
            "(HAR 1.2, secrets hidden)"
        )


@pytest.fixture(scope="session")
def postpress_live_session(pytestconfig: pytest.Config) -> Iterator[LiveSession]:
    """The connection to the real server in live mode: request budget, timeout, retries, response validation.

    ``session.send(method, target, headers, content)`` sends one request (counted against
    ``--postpress-max-requests``) and returns ``(response, exchange)``; ``exchange.violations`` lists
    what is outside the documented contract.  Skips the test without ``--postpress-live``.
    With ``--postpress-replay`` the real server is a loopback server answering from the recording.
    """
    settings = settings_of(pytestconfig)
    if not settings.live:
        pytest.skip("postpress_live_session needs --postpress-live (a real server to talk to)")
    from pytest_postpress.suite.live import LiveSession

    running = _running(pytestconfig)
    replay = None
    base_url = settings.base_url
    if settings.replay is not None:
        from pytest_postpress.suite._har import Recording
        from pytest_postpress.suite._replay import ReplayServer

        recording = Recording.load(Path(settings.replay))
        replay = ReplayServer(recording, api_key=settings.api_key, current_test=lambda: running.test)
        replay.start()
        base_url = replay.url
    session = LiveSession(
        base_url=base_url,
        max_requests=settings.max_requests,
        timeout=settings.timeout,
        retries=settings.retries,
        current_test=lambda: running.test,
        listener=running.recorder,
    )
    running.session = session
    try:
        yield session
    finally:
        session.close()
        if replay is not None:
            replay.stop()


@pytest.fixture(scope="session")
def postpress_live_proxy(pytestconfig: pytest.Config, postpress_live_session: LiveSession) -> Iterator[LiveProxy]:
    """A loopback proxy in front of the live server: give its ``.url`` to a client to record and check its traffic."""
    from pytest_postpress.suite.live import LiveProxy

    proxy = LiveProxy(postpress_live_session, api_key=settings_of(pytestconfig).api_key)
    proxy.start()
    yield proxy
    proxy.stop()
