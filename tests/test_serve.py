"""``python -m pytest_postpress serve``: the loopback server standalone, as a user runs it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from pytest_postpress._settings import DEFAULT_ACCOUNT_ID, DEFAULT_API_KEY

BODY = {"provider": "TWITTER", "username": "anna", "email": "anna@acme.com", "password": "pw"}


class Served:
    """A running ``serve`` process: its URL (from the first stdout line) and its stderr log file."""

    def __init__(self, process: subprocess.Popen[str], url: str, log: Path) -> None:
        self.process, self.url, self.log = process, url, log

    def close(self) -> None:
        """Stop the process if it still runs, and close its stdout pipe."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(5)
        assert self.process.stdout is not None
        self.process.stdout.close()

    def post(self, account: str, *, key: str = DEFAULT_API_KEY) -> requests.Response:
        return requests.post(f"{self.url}/v1/accounts/{account}", json=BODY, headers={"X-API-KEY": key}, timeout=5)


def start(tmp_path: Path, *args: str) -> Served:
    log = tmp_path / "serve.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "pytest_postpress", "serve", *args],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    assert process.stdout is not None
    first = process.stdout.readline().strip()
    assert first.startswith("postpress mock listening on http://127.0.0.1:"), (first, log.read_text())
    return Served(process, first.removeprefix("postpress mock listening on "), log)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    running = start(tmp_path)
    yield running
    running.close()


@pytest.fixture
def served_with(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    running = start(tmp_path, *request.param)
    yield running
    running.close()


def with_args(*args: str) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("served_with", [args], indirect=True, ids=[" ".join(args)])


def test_defaults_serve_the_fake_key_and_the_fake_account(served: Served) -> None:
    answer = served.post(DEFAULT_ACCOUNT_ID)
    assert answer.status_code == 201
    assert answer.json() == {"object": "AccountReconnected", "account_id": DEFAULT_ACCOUNT_ID}
    assert served.post("someone-else").status_code == 404
    assert served.post(DEFAULT_ACCOUNT_ID, key="wrong").status_code == 401


@with_args("--prefix", "/api/", "--api-key", "pp_cli_secret_key", "--account", "a1", "--account", "a 2")
def test_prefix_key_and_accounts(served_with: Served) -> None:
    assert served_with.url.endswith("/api")
    assert served_with.post("a1", key="pp_cli_secret_key").status_code == 201
    assert served_with.post("a%202", key="pp_cli_secret_key").json()["account_id"] == "a 2"
    assert served_with.post("a1").status_code == 401
    served_with.process.send_signal(signal.SIGINT)
    assert served_with.process.wait(5) == 0
    log = served_with.log.read_text()
    assert "POST /api/v1/accounts/a1 -> 201" in log
    assert "pp_cli_secret_key" not in log


@with_args("--any-account", "--error", "409:errors/already_exists")
def test_any_account_and_a_forced_error(served_with: Served) -> None:
    for account in ("x", "y"):
        answer = served_with.post(account)
        assert (answer.status_code, answer.json()["type"]) == (409, "errors/already_exists")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_it_promptly_with_status_0(tmp_path: Path, signum: int) -> None:
    running = start(tmp_path)
    try:
        with requests.Session() as session:  # a keep-alive connection stays open: stop must close it
            assert session.post(f"{running.url}/v1/accounts/{DEFAULT_ACCOUNT_ID}", json=BODY).status_code == 401
            started = time.monotonic()
            running.process.send_signal(signum)
            assert running.process.wait(30) == 0
            # The open keep-alive connection would hold a stop that waited for it until serve's 5 s read
            # timeout; a loaded machine adds start-up and scheduling delays, so the bound sits below that.
            assert time.monotonic() - started < 4
    finally:
        running.close()
    assert "postpress mock stopped after 1 request(s)" in running.log.read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--error", "409:errors/nope"], "409 errors/nope is not a documented error; documented types for 409: "),
        (["--error", "418:errors/teapot"], "status 418 documents no error"),
        (["--error", "already_exists"], "expected STATUS:TYPE such as 409:errors/already_exists"),
        (["--port", "70000"], "argument --port: expected 0 to 65535"),
        (["--prefix", "api"], "must start with '/'"),
        (["--prefix", "/a b"], "must be a plain path"),
        (["--account", "a", "--any-account"], "not allowed with argument"),
        (["--api-key", ""], "expected a non-empty key"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(args: list[str], message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest_postpress", "serve", *args], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_a_port_in_use_exits_1_with_a_message(served: Served, tmp_path: Path) -> None:
    port = served.url.rsplit(":", 1)[1]
    done = subprocess.run(
        [sys.executable, "-m", "pytest_postpress", "serve", "--port", port], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_error_flag_accepts_the_short_type(tmp_path: Path) -> None:
    running = start(tmp_path, "--error", "504:request_timeout")
    try:
        answer = running.post(DEFAULT_ACCOUNT_ID)
        assert (answer.status_code, json.loads(answer.content)["type"]) == (504, "errors/request_timeout")
        running.process.terminate()
        assert running.process.wait(5) == 0
    finally:
        running.close()
