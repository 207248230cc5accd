"""Live mode for real: ``python -m pytest_postpress serve`` stands in for staging.

The suite runs in a subprocess (``pytest --postpress-live --postpress-base-url http://127.0.0.1:PORT``) over
the reference clients, as a team would run it in CI against staging.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import correct_clients
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
KEY = "pp_live_RECOGNISABLE_key_4242"
PASSWORD = "S3cret-Passw0rd-RECOGNISABLE-4242"
ACCOUNT = "acc_01STAGINGACCOUNT000000000"


@contextmanager
def stand_in(*args: str) -> Iterator[tuple[str, list[str]]]:
    """Run ``python -m pytest_postpress serve`` with ``args``; yield its URL and (after exit) its stderr lines."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest_postpress", "serve", "--api-key", KEY, "--account", ACCOUNT, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline().strip()
    assert first.startswith("postpress mock listening on http://127.0.0.1:"), first
    log: list[str] = []
    try:
        yield first.rsplit(" ", 1)[-1], log
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=10)
        log.extend(err.splitlines())
    assert process.returncode == 0


def requests_received(log: list[str]) -> int:
    last = [line for line in log if line.startswith("postpress mock stopped after")]
    assert last, log
    return int(last[-1].split("after ")[1].split()[0])


@pytest.fixture(autouse=True)
def live_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The key comes from the environment, as the README recommends (command lines end up in logs)."""
    monkeypatch.setenv("POSTPRESS_API_KEY", KEY)
    monkeypatch.setenv("POSTPRESS_ACCOUNT_ID", ACCOUNT)


def run_live(pytester: pytest.Pytester, url: str, *extra: str, files: tuple[str, ...] = ()) -> pytest.RunResult:
    targets = files or (str(EXAMPLES / "test_httpx_client.py"), str(EXAMPLES / "test_requests_client.py"))
    return pytester.runpytest_subprocess(
        *targets, "-p", "no:cacheprovider", "--postpress-live", "--postpress-base-url", url, "-rs", *extra
    )


def test_live_safe_checks_pass_against_the_stand_in(pytester: pytest.Pytester) -> None:
    with stand_in() as (url, log):
        result = run_live(pytester, url)
    host = url.removeprefix("http://")
    result.stdout.fnmatch_lines([f"postpress: LIVE mode against {host} *"])
    # 3 clients x (missing_key, 4 invalid_body, unknown_account, 5 hostile_id) pass; the rest is skipped.
    outcomes = result.parseoutcomes()
    assert outcomes["passed"] == 3 * 11, result.stdout.str()
    assert "failed" not in outcomes
    result.stdout.fnmatch_lines(
        [
            "*postpress_mock_only: needs the mock; skipped with --postpress-live*",
            "*needs --postpress-reconnect-body*",
        ]
    )
    assert KEY not in result.stdout.str() + result.stderr.str()
    # Every request went through the budget: 11 checks of one request at most each.
    assert 0 < requests_received(log) <= 3 * 11


def test_idiomatic_correct_clients_pass_against_the_stand_in(pytester: pytest.Pytester) -> None:
    """Issue 10: json=body, raise_for_status(), retrying clients, requests, numbers as doubles, in live mode."""
    files = []
    for client in correct_clients.CORRECT:
        path = pytester.path / f"test_{client.__name__.lower()}.py"
        path.write_text(correct_clients.client_test_source(client.__name__), encoding="utf-8")
        files.append(str(path))
    with stand_in() as (url, _):
        result = run_live(pytester, url, files=tuple(files))
    outcomes = result.parseoutcomes()
    assert "failed" not in outcomes, result.stdout.str()
    assert outcomes["passed"] == len(correct_clients.CORRECT) * 11, result.stdout.str()


def test_live_retries_a_dropped_connection_with_the_same_request() -> None:
    """--postpress-retries: a dropped connection is retryable too (rule 23), and the retry is the same request."""
    from pytest_postpress.doubles.server import PostpressServer
    from pytest_postpress.suite.live import LiveSession

    with PostpressServer(api_key=KEY, accounts=[ACCOUNT]) as server:
        server.fail_connection(times=1)
        session = LiveSession(base_url=server.url, max_requests=5, timeout=5.0, retries=2, backoff=0.0)
        try:
            target = "/v1/accounts/" + ACCOUNT
            content = json.dumps({"provider": "TELEGRAM"}).encode()
            response, exchange = session.send("POST", target, [("X-API-KEY", KEY)], content)
        finally:
            session.close()
        assert response is not None
        assert exchange.attempts == 2
        assert [call.status for call in server.calls] == [None, 400]
        assert server.calls[0].content == server.calls[1].content


def test_real_reconnect_with_a_body_file(pytester: pytest.Pytester) -> None:
    body = pytester.path / "body.json"
    body.write_text(json.dumps({"provider": "LINKEDIN", "username": "anna@acme.com", "password": PASSWORD}))
    with stand_in() as (url, _):
        result = run_live(
            pytester,
            url,
            "--postpress-reconnect-body",
            str(body),
            "-k",
            "real_reconnect",
            files=(str(EXAMPLES / "test_httpx_client.py"),),
        )
    result.assert_outcomes(passed=2, deselected=result.parseoutcomes()["deselected"])
    assert PASSWORD not in result.stdout.str()


def test_a_failing_staging_shows_the_failure_path(pytester: pytest.Pytester) -> None:
    with stand_in("--error", "503:errors/no_channel") as (url, _):
        result = run_live(pytester, url, files=(str(EXAMPLES / "test_httpx_client.py"),))
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] >= 2 * 9, result.stdout.str()  # all but a client's refusal of the null body
    # A documented 503 says nothing of the client (issue 27): each check could not run, saying what staging did.
    result.stdout.fnmatch_lines(
        [
            "*COULD NOT RUN missing_key: StagingFault: staging answered 503 errors/no_channel: No channel to client"
            " session. (a documented error that says nothing of the client: try again when staging is healthy)",
        ]
    )
    assert "how to fix" not in result.stdout.str()


class _Drifting(BaseHTTPRequestHandler):
    """A staging that answers an HTML 502 from a proxy to everything: outside the documented contract."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        body = b"<html><body>502 Bad Gateway</body></html>"
        self.send_response(502)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def drifting_staging() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Drifting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_responses_outside_the_contract_are_listed(pytester: pytest.Pytester) -> None:
    with drifting_staging() as url:
        result = run_live(pytester, url, files=(str(EXAMPLES / "test_httpx_client.py"),))
    result.stdout.fnmatch_lines(
        [
            "*= responses outside the documented contract =*",
            "POST /v1/accounts/* -> 502 (text/html)",
            "*the body is not JSON*",
        ]
    )
    assert result.ret == 1


def test_request_budget_stops_the_session(pytester: pytest.Pytester) -> None:
    with stand_in() as (url, log):
        result = run_live(
            pytester, url, "--postpress-max-requests", "3", files=(str(EXAMPLES / "test_httpx_client.py"),)
        )
    result.stdout.fnmatch_lines(["*the live request budget is spent (3 requests, --postpress-max-requests)*"])
    assert requests_received(log) == 3


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param((), "*live mode needs --postpress-base-url*", id="missing-base-url"),
        pytest.param(
            ("--postpress-base-url", "https://api.postpress.ai"), "*refuses the production host*", id="production"
        ),
        pytest.param(
            ("--postpress-base-url", "http://staging.example.com"),
            "*refuses plain http:// to staging*",
            id="plain-http",
        ),
        pytest.param(("--postpress-max-requests", "-1"), "*--postpress-max-requests value '-1'*", id="negative-max"),
    ],
)
def test_usage_errors_send_nothing(pytester: pytest.Pytester, arguments: tuple[str, ...], message: str) -> None:
    with stand_in() as (url, log):
        extra = () if "--postpress-base-url" in arguments or not arguments else ("--postpress-base-url", url)
        result = pytester.runpytest_subprocess(
            str(EXAMPLES / "test_httpx_client.py"), "-p", "no:cacheprovider", "--postpress-live", *arguments, *extra
        )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {message}"])
    assert requests_received(log) == 0


def test_production_is_allowed_with_the_flag_only(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(
        "--co",
        "-q",
        "--postpress-live",
        "--postpress-base-url",
        "https://api.postpress.ai",
        "--postpress-allow-production",
    )
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_no_secret_in_any_output_of_a_failing_live_session(pytester: pytest.Pytester) -> None:
    body = pytester.path / "body.json"
    body.write_text(json.dumps({"provider": "INSTAGRAM", "username": "anna.ig", "password": PASSWORD}))
    junit = pytester.path / "junit.xml"
    with stand_in("--error", "401:errors/invalid_credentials") as (url, _):
        result = run_live(
            pytester, url, "--postpress-reconnect-body", str(body), f"--junitxml={junit}", "-l", "--tb=long"
        )
    assert result.parseoutcomes()["failed"] > 0
    outputs = {"stdout": result.stdout.str(), "stderr": result.stderr.str(), "junit": junit.read_text()}
    for name, text in outputs.items():
        assert KEY not in text, name
        assert PASSWORD not in text, name


def test_retries_of_retryable_errors_count_against_the_budget(pytester: pytest.Pytester) -> None:
    with stand_in("--error", "503:errors/no_channel") as (url, log):
        result = run_live(
            pytester,
            url,
            "--postpress-retries",
            "2",
            "-k",
            "missing_key",
            files=(str(EXAMPLES / "test_httpx_client.py::TestHttpxClient"),),
        )
    result.assert_outcomes(failed=1, deselected=result.parseoutcomes()["deselected"])
    # One check, one request, retried twice with backoff: three requests reached the stand-in.
    assert requests_received(log) == 3


def test_without_retries_a_retryable_error_is_sent_once(pytester: pytest.Pytester) -> None:
    with stand_in("--error", "503:errors/no_channel") as (url, log):
        run_live(pytester, url, "-k", "missing_key", files=(str(EXAMPLES / "test_httpx_client.py::TestHttpxClient"),))
    assert requests_received(log) == 1
