"""Live mode against a slow or broken staging (issue 27), with a real misbehaving stand-in.

Each run puts :class:`misbehaving_staging.MisbehavingStaging` (forwarding to the project's own server, then
misbehaving one way) in front of live mode, and runs correct clients (the httpx and requests reference clients of
``examples/``, and a client that retries) on three checks: one sent straight to staging (``missing_key``), two
through the recording proxy.  Staging's faults must make a check "could not run" with a sentence naming what
staging did, never a verdict on the client, never a traceback.  Timeouts are short and no test asserts a time:
the bounds are measured by ``benchmarks/bench_staging.py``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import broken_clients
import correct_clients
import httpx
import pytest
from misbehaving_staging import MisbehavingStaging

from pytest_postpress.doubles.server import PostpressServer
from pytest_postpress.errors import StagingFault
from pytest_postpress.suite.live import MAX_ANSWER_BYTES, MAX_BACKOFF, LiveProxy, LiveSession

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
KEY = "pp_staging_faults_key_0001"
ACCOUNT = "acc_01STAGINGACCOUNT000000000"
CHECKS = "missing_key or unknown_account or missing-parameters"
TIMEOUT = "1"  # --postpress-timeout of every run: short, and longer than the clients' own (0.25 s, 0.5 s)


@pytest.fixture(autouse=True)
def live_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTPRESS_API_KEY", KEY)
    monkeypatch.setenv("POSTPRESS_ACCOUNT_ID", ACCOUNT)


@contextmanager
def staging(mode: str, **options: float) -> Iterator[MisbehavingStaging]:
    with (
        PostpressServer(api_key=KEY, accounts=[ACCOUNT]) as upstream,
        MisbehavingStaging(upstream.origin, mode, **options) as stand_in,  # type: ignore[arg-type]
    ):
        yield stand_in


def run_live(pytester: pytest.Pytester, url: str, files: list[str], *extra: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(
        *files,
        "-p",
        "no:cacheprovider",
        "--postpress-live",
        "--postpress-base-url",
        url,
        "--postpress-timeout",
        TIMEOUT,
        "-k",
        CHECKS,
        *extra,
    )


def correct_files(pytester: pytest.Pytester) -> list[str]:
    retrying = pytester.path / "test_retrying.py"
    retrying.write_text(correct_clients.client_test_source("Retrying"), encoding="utf-8")
    return [
        f"{EXAMPLES / 'test_httpx_client.py'}::TestHttpxClient",
        f"{EXAMPLES / 'test_requests_client.py'}::TestRequestsClient",
        str(retrying),
    ]


def could_not_run(result: pytest.RunResult) -> int:
    return sum(int(n) for n in re.findall(r"\((\d+) could not run", result.stdout.str()))


MODES = [
    pytest.param("slow", {"delay": 0.6}, True, id="slower-than-the-client"),
    pytest.param("hang", {}, True, id="hanging"),
    pytest.param("trickle", {"delay": 0.02}, True, id="byte-by-byte"),
    pytest.param("cut", {}, True, id="closing-mid-answer"),
    pytest.param("garbage", {}, True, id="garbage"),
    pytest.param("bad-status", {}, True, id="malformed-status-line"),
    pytest.param("length-over", {}, True, id="content-length-over"),
    pytest.param("length-under", {}, True, id="content-length-under"),
    pytest.param("bad-gzip", {}, True, id="bad-gzip"),
    pytest.param("many-headers", {}, True, id="thousands-of-headers"),
    pytest.param("huge", {"huge": 3 * 1024 * 1024}, True, id="over-the-cap"),
    pytest.param("503", {}, True, id="every-answer-503"),
    pytest.param("slow", {"delay": 0.05}, False, id="slow-but-in-time"),
    pytest.param("correct", {}, False, id="correct"),
]


@pytest.mark.parametrize(("mode", "options", "faulty"), MODES)
def test_correct_clients_are_never_failed_for_staging(
    pytester: pytest.Pytester, mode: str, options: dict[str, float], faulty: bool
) -> None:
    with staging(mode, **options) as stand_in:
        result = run_live(pytester, stand_in.url, correct_files(pytester))
    output = result.stdout.str()
    outcomes = result.parseoutcomes()
    # Every check that did not pass could not run: none is a verdict on the client.
    assert outcomes.get("failed", 0) == could_not_run(result), output
    assert "how to fix" not in output
    assert "Traceback" not in output
    assert KEY not in output
    if faulty:
        assert could_not_run(result) >= 1, output
        assert re.search(r"COULD NOT RUN \S+: StagingFault: staging\b", output), output
    else:
        assert outcomes["passed"] == 3 * 3, output
        assert "could not run" not in output


def test_a_documented_503_names_what_staging_answered(pytester: pytest.Pytester) -> None:
    with staging("503") as stand_in:
        result = run_live(pytester, stand_in.url, [f"{EXAMPLES / 'test_httpx_client.py'}::TestHttpxClient"])
    result.stdout.fnmatch_lines(
        ["*COULD NOT RUN missing_key: StagingFault: staging answered 503 errors/service_unavailable*"]
    )


@pytest.mark.parametrize(
    ("name", "check"),
    [("NotFoundIsSuccess", "unknown_account"), ("BearerAuthorization", "unknown_account")],
)
def test_broken_clients_still_fail_when_staging_is_correct(pytester: pytest.Pytester, name: str, check: str) -> None:
    path = pytester.path / f"test_{name.lower()}.py"
    path.write_text(broken_clients.client_test_source(name), encoding="utf-8")
    with staging("correct") as stand_in:
        result = run_live(pytester, stand_in.url, [str(path)])
    assert could_not_run(result) == 0, result.stdout.str()
    result.stdout.fnmatch_lines([f"FAILED *::test_{check}*"])


# -- the session on its own ------------------------------------------------------------------------------


def send(mode: str, timeout: float, **options: float) -> LiveSession:
    """Send one reconnect through a :class:`LiveSession` to a staging misbehaving by ``mode``; the session."""
    with staging(mode, **options) as stand_in:
        session = LiveSession(base_url=stand_in.url, max_requests=5, timeout=timeout)
        try:
            body = json.dumps({"provider": "TELEGRAM"}).encode()
            session.send("POST", f"/v1/accounts/{ACCOUNT}", [("X-API-KEY", KEY)], body)
        finally:
            session.close()
    return session


def test_a_byte_by_byte_staging_ends_at_the_deadline_with_a_sentence() -> None:
    with pytest.raises(StagingFault, match=r"staging did not answer within --postpress-timeout \(0.5 s\)"):
        send("trickle", 0.5, delay=0.05)


def test_an_answer_over_the_cap_is_read_up_to_the_cap_and_is_outside_the_contract() -> None:
    session = send("huge", 5.0, huge=4 * 1024 * 1024)
    (exchange,) = session.exchanges
    assert exchange.truncated
    assert len(exchange.response_content) == MAX_ANSWER_BYTES
    assert [violation.message for violation in exchange.violations] == [
        f"the answer is longer than {MAX_ANSWER_BYTES} bytes (1 MiB)"
    ]
    assert exchange.fault == f"staging answered more than {MAX_ANSWER_BYTES} bytes (1 MiB); the rest was not read"


def test_a_cut_off_answer_says_how_much_staging_sent() -> None:
    with pytest.raises(StagingFault, match=r"staging closed the connection after \d+ bytes of the body"):
        send("cut", 2.0)


def test_all_attempts_of_a_request_fit_in_the_stated_bound() -> None:
    session = LiveSession(base_url="http://127.0.0.1:9", max_requests=1, timeout=5.0, retries=8)
    try:
        # 9 attempts of 5 s, pauses 0.5, 1, 2, 4, then capped at 5 s: not 0.5 * (2**8 - 1) = 127.5 s of pauses.
        assert session.bound() == 9 * 5.0 + 0.5 + 1 + 2 + 4 + 4 * MAX_BACKOFF
    finally:
        session.close()


def test_the_proxy_answers_what_staging_did_and_records_the_call_when_it_arrives() -> None:
    with staging("garbage") as stand_in:
        session = LiveSession(base_url=stand_in.url, max_requests=5, timeout=2.0)
        with LiveProxy(session, api_key=KEY) as proxy:
            response = httpx.post(
                f"{proxy.url}/v1/accounts/{ACCOUNT}", json={"provider": "TELEGRAM"}, headers={"X-API-KEY": KEY}
            )
            assert proxy.settle()
            (call,) = proxy.calls
        session.close()
    assert response.status_code == 502
    assert response.json()["title"] == "staging's answer not used"  # staging was reached: not "unreachable"
    assert response.json()["detail"].startswith("staging's answer is not valid HTTP/1.1")
    assert (call.routed, call.status) == (True, None)  # recorded, and no answer of staging's to record


def test_a_late_answer_is_dropped_from_later_checks_and_noted_once() -> None:
    running = ["check_a"]
    with staging("slow", delay=1.0) as stand_in:
        session = LiveSession(base_url=stand_in.url, max_requests=5, timeout=5.0, current_test=lambda: running[0])
        with LiveProxy(session, api_key=KEY) as proxy:
            url = f"{proxy.url}/v1/accounts/{ACCOUNT}"
            sent = threading.Thread(target=httpx.post, args=(url,), kwargs={"json": {}, "headers": {"X-API-KEY": KEY}})
            sent.start()
            for _ in range(500):  # recorded on arrival, long before staging answers
                if proxy.calls:
                    break
                time.sleep(0.01)
            assert [call.status for call in proxy.calls] == [None]
            running[0] = "check_b"  # check_a ends before staging answers; check_b starts
            proxy.reset()
            sent.join()
            assert proxy.settle()
            assert proxy.calls == []
            assert session.exchanges_of() == []
        session.close()
    assert list(session.late) == ["check_a"]
    assert session.late["check_a"].startswith("a late answer from staging: a POST request of check_a")
