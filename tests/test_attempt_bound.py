"""A client that retries forever ends on every double, once the suite arms the bound on one reconnect's attempts.

Past ``max_attempts + MARGIN`` requests the in-process doubles (respx, pytest-httpx, responses) raise
``RetriesStopped``, which ``except Exception`` does not catch; the loopback server answers as rule 22 judges the
request (201 here).  Disarmed, nothing changes: every request gets the forced answer.  The suite's checks on such
clients are in the gallery (tests/test_suite_gallery.py) and over a command (tests/test_check_cli.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
import requests

from pytest_postpress.doubles._attempts import MARGIN
from pytest_postpress.errors import RetriesStopped
from pytest_postpress.samples import sample_body

MAX_ATTEMPTS = 2
BODY = sample_body("TELEGRAM")
# A loop that would never end is cut here by the test itself, so that a broken bound fails instead of hanging.
BACKSTOP = 50


def retry_forever(send: Callable[[], int]) -> int:
    """Resend while the answer is retryable or the send raised any Exception; the final status."""
    for _ in range(BACKSTOP):
        try:
            status = send()
        except Exception:  # a careless loop: every failure is "try again"
            continue
        if status not in (407, 408, 502, 503, 504):
            return status
    pytest.fail(f"the double never ended a loop of {BACKSTOP} attempts")


def httpx_sender(base_url: str, key: str, account_id: str) -> Callable[[], int]:
    client = httpx.Client(base_url=base_url, headers={"X-API-KEY": key})

    def send() -> int:
        return client.post(f"/v1/accounts/{account_id}", json=BODY).status_code

    return send


def requests_sender(base_url: str, key: str, account_id: str) -> Callable[[], int]:
    session = requests.Session()

    def send() -> int:
        url = f"{base_url}/v1/accounts/{account_id}"
        return session.post(url, json=BODY, headers={"X-API-KEY": key}, timeout=5).status_code

    return send


@pytest.fixture(params=["postpress_mock", "postpress_httpx_mock", "postpress_responses"])
def in_process(request: pytest.FixtureRequest) -> tuple[Any, Callable[..., Callable[[], int]]]:
    """Each double that answers inside the client's process, with a sender of the library it patches."""
    sender = requests_sender if request.param == "postpress_responses" else httpx_sender
    return request.getfixturevalue(request.param), sender


@pytest.mark.parametrize("force", ["503", "dropped-connection", "time-out"])
def test_an_in_process_double_raises_past_the_bound(
    in_process: tuple[Any, Callable[..., Callable[[], int]]],
    postpress_api_key: str,
    postpress_account_id: str,
    force: str,
) -> None:
    double, sender = in_process
    if force == "503":
        double.respond_with((503, "errors/service_unavailable"), times=None)
    elif force == "dropped-connection":
        double.fail_connection(times=None)
    else:
        double.time_out(times=None)
    send = sender(double.url, postpress_api_key, postpress_account_id)
    double.state.attempts.arm(MAX_ATTEMPTS)
    try:
        with pytest.raises(RetriesStopped, match=r"attempt 6 of one reconnect, past postpress_max_attempts \+ 3"):
            retry_forever(send)
    finally:
        double.state.attempts.disarm()
    calls = double.calls
    assert len(calls) == MAX_ATTEMPTS + MARGIN + 1
    assert all(call.forced for call in calls[:-1])
    assert not calls[-1].forced
    assert calls[-1].status is None  # raised in the client, never answered


def test_the_loopback_server_answers_as_judged_past_the_bound(
    postpress_server: Any, postpress_api_key: str, postpress_account_id: str
) -> None:
    postpress_server.respond_with((503, "errors/service_unavailable"), times=None)
    send = requests_sender(postpress_server.url, postpress_api_key, postpress_account_id)
    postpress_server.state.attempts.arm(MAX_ATTEMPTS)
    try:
        assert retry_forever(send) == 201
    finally:
        postpress_server.state.attempts.disarm()
    assert [call.forced for call in postpress_server.calls] == [True] * (MAX_ATTEMPTS + MARGIN) + [False]


def test_disarmed_nothing_is_counted(postpress_mock: Any, postpress_api_key: str, postpress_account_id: str) -> None:
    # A test of its own (no contract suite around it) may send any number of reconnects and get what it forced.
    postpress_mock.respond_with((503, "errors/service_unavailable"), times=None)
    send = httpx_sender(postpress_mock.url, postpress_api_key, postpress_account_id)
    assert [send() for _ in range(20)] == [503] * 20


def test_arming_again_starts_a_new_reconnect(
    postpress_mock: Any, postpress_api_key: str, postpress_account_id: str
) -> None:
    postpress_mock.respond_with((503, "errors/service_unavailable"), times=None)
    send = httpx_sender(postpress_mock.url, postpress_api_key, postpress_account_id)
    for _ in range(3):  # three reconnects of MAX_ATTEMPTS + MARGIN attempts each: none is stopped
        postpress_mock.state.attempts.arm(MAX_ATTEMPTS)
        assert [send() for _ in range(MAX_ATTEMPTS + MARGIN)] == [503] * (MAX_ATTEMPTS + MARGIN)
    with pytest.raises(RetriesStopped):
        send()
    postpress_mock.state.attempts.disarm()
    assert send() == 503
