"""One shared failure database for many machines (``--postpress-example-db``), on a real ``redis-server``.

Each "machine" is a fresh directory (no shared ``.hypothesis/``) running pytest in a subprocess; what they share is
the Redis server alone.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from _redis import RedisServer, free_port, redis_server
from test_live import ACCOUNT, KEY, run_live, stand_in

from pytest_postpress.suite._exampledb import database_key, shown_url, url_secrets

ROOT = Path(__file__).resolve().parents[1]

#: One body in ``MODULUS`` (by the CRC of its JSON) gets a field the caller never gave: a rare defect. Which
#: residue is chosen at run time, among those the CI gate's derandomized examples never draw (see ``rare_residue``).
MODULUS = 500

CLIENT = """
import json, os, sys, zlib
import pytest
sys.path[:0] = [{examples!r}, {tests!r}]
from broken_clients import {base} as Base
from pytest_postpress import ReconnectContract


class Client(Base):
    def prepare(self, body):
        text = json.dumps(body, sort_keys=True)
        if "RARE_LOG" in os.environ:
            with open(os.environ["RARE_LOG"], "a") as log:
                log.write(f"{{zlib.crc32(text.encode())}}\\n")
        if "RARE_RESIDUE" in os.environ and zlib.crc32(text.encode()) % {modulus} == int(os.environ["RARE_RESIDUE"]):
            return {{**body, "rare": True}}
        return super().prepare(body)


class TestClient(ReconnectContract):
    @pytest.fixture
    def postpress_reconnect(self, postpress_base_url, postpress_api_key):
        if "KILL_PID" in os.environ:  # the shared store goes away once the session has started
            os.kill(int(os.environ["KILL_PID"]), 9)
        client = Client(base_url=postpress_base_url, api_key=postpress_api_key)
        yield client.reconnect
        client.close()
"""


CI = ("--hypothesis-profile=postpress-ci",)
#: Examples test_fuzz_valid_bodies runs before any stored entry or draw, on every run: its edge body.
FIRST = 1
JUNIT = ("--junitxml=junit.xml",)


@dataclass
class Run:
    returncode: int
    output: str
    seconds: float
    report: dict[str, object] | None


def machine(directory: Path, base: str = "Reference") -> Path:
    """A fresh directory with the suite on one client, and an ini file (the rootdir every machine shares)."""
    directory.mkdir(parents=True)
    source = CLIENT.format(examples=str(ROOT / "examples"), tests=str(ROOT / "tests"), base=base, modulus=MODULUS)
    (directory / "test_client.py").write_text(source)
    (directory / "pytest.ini").write_text("[pytest]\n")
    return directory


def run(directory: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    """pytest in ``directory`` (a subprocess), with a JSON report and a JUnit XML file; their text is in output."""
    report = directory / "report.json"
    report.unlink(missing_ok=True)
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("POSTPRESS_", "RARE_", "KILL_"))}
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--postpress-report={report}", *JUNIT, *args],
        cwd=directory,
        env={**environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=900,
    )
    seconds = time.monotonic() - start
    files = "".join(path.read_text() for path in (report, directory / "junit.xml") if path.exists())
    return Run(
        done.returncode,
        done.stdout + done.stderr + files,
        seconds,
        json.loads(report.read_text()) if report.exists() else None,
    )


def examples_of(result: Run, check: str) -> int:
    assert result.report is not None, result.output
    clients = result.report["clients"]
    assert isinstance(clients, list)
    return sum(c["examples"] for client in clients for c in client["checks"] if c["name"] == check)


def same_but_hidden(pattern: str, text: str) -> bool:
    """Whether ``text`` is ``pattern`` with each ``<hidden>`` of ``pattern`` standing for any text."""
    return re.fullmatch(".*?".join(map(re.escape, pattern.split("<hidden>"))), text) is not None


def headline_of(result: Run, check: str) -> str:
    """The first line of the failure message of ``check`` in the run's report."""
    assert result.report is not None, result.output
    clients = result.report["clients"]
    assert isinstance(clients, list)
    [message] = [c.get("message") for client in clients for c in client["checks"] if c["name"] == check]
    assert message, result.output
    return str(message).splitlines()[0]


def duration_of(result: Run, check: str) -> float:
    assert result.report is not None, result.output
    clients = result.report["clients"]
    assert isinstance(clients, list)
    return float(sum(c["duration"] for client in clients for c in client["checks"] if c["name"] == check))


def stored(server: RedisServer, database: int = 0) -> dict[bytes, set[bytes]]:
    """Every key of the store and its members."""
    client = server.client(database)
    return {key: client.smembers(key) for key in client.keys("*")}


def rare_residue(directory: Path) -> int:
    """A residue of ``MODULUS`` that none of the bodies ``postpress-ci`` sends in ``fuzz_valid_bodies`` has.

    The CI gate is derandomized: the same 200 bodies on every run, so a residue none of them has is a defect it
    never finds by itself (proved again by the third machine of the test, which passes).
    """
    log = directory / "crc.log"
    result = run(directory, *CI, "-k", "fuzz_valid_bodies", env={"RARE_LOG": str(log)})
    assert result.returncode == 0, result.output
    seen = {int(line) % MODULUS for line in log.read_text().split()}
    return min(set(range(MODULUS)) - seen)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    with redis_server(tmp_path) as running:
        yield running


def assert_no_password(result: Run, server: RedisServer) -> None:
    assert server.password not in result.output
    assert "<hidden>" in shown_url(server.url())


def test_a_failure_one_machine_found_fails_the_ci_gate_of_another_at_once(tmp_path: Path, server: RedisServer) -> None:
    residue = rare_residue(machine(tmp_path / "probe"))
    env = {"RARE_RESIDUE": str(residue)}
    url = server.url()

    # Machine 1, the nightly shard: randomised fuzzing with a time budget finds the rare defect, saved to Redis.
    first = run(
        machine(tmp_path / "one"),
        "-k",
        "fuzz_valid_bodies",
        "--hypothesis-profile=postpress-fuzz",
        "--postpress-fuzz-seconds=600",  # a bound only: the check stops at its first failure
        f"--postpress-example-db={url}",
        env=env,
    )
    assert first.returncode == 1, first.output
    found = headline_of(first, "fuzz_valid_bodies")
    found_after = examples_of(first, "fuzz_valid_bodies")
    before = stored(server)
    key = database_key("test_client.py::TestClient::test_fuzz_valid_bodies", "fuzz_valid_bodies")
    assert b"hypothesis-example:" + key in before, sorted(before)

    # Machine 2, a pull request: the derandomized CI gate, read-only, fails on that failure at once.
    second = run(
        machine(tmp_path / "two"),
        *CI,
        "-k",
        "fuzz_valid_bodies",
        "--postpress-example-db-readonly",
        env={**env, "POSTPRESS_EXAMPLE_DB": url},
    )
    assert second.returncode == 1, second.output
    # The very failure the first machine found. Each run hides the secrets of the bodies it drew, whatever their
    # length, so a one-character password drawn by one run can blank that character in its own message only:
    # <hidden> on either side stands for what the other side shows there.
    replayed = headline_of(second, "fuzz_valid_bodies")
    assert same_but_hidden(replayed, found) or same_but_hidden(found, replayed), (found, replayed)
    assert "(read-only), replayed first by every fuzz check" in second.output
    # The edge body tried first on every run (it passes), then the stored failure (and its shrink): not 200 draws.
    assert examples_of(second, "fuzz_valid_bodies") <= FIRST + 2
    assert stored(server) == before  # read-only: not one key or member added, changed or removed

    # Machine 3: the same gate without the store passes: the failure above came from the replay alone.
    third = run(machine(tmp_path / "three"), *CI, "-k", "fuzz_valid_bodies", env=env)
    assert third.returncode == 0, third.output
    assert examples_of(third, "fuzz_valid_bodies") == FIRST + 200

    for result in (first, second, third):
        assert_no_password(result, server)
    print(  # the figures of the closing note (shown with -s)
        f"\nfinding run: {found_after} examples in {duration_of(first, 'fuzz_valid_bodies'):.1f} s; replaying run "
        f"failed in {duration_of(second, 'fuzz_valid_bodies'):.2f} s of its check ({second.seconds:.1f} s with "
        f"pytest's start-up), {examples_of(second, 'fuzz_valid_bodies')} examples; keys {len(before)} before, "
        f"{len(stored(server))} after the read-only run"
    )


def test_the_ci_gate_draws_the_same_examples_with_and_without_the_store(tmp_path: Path, server: RedisServer) -> None:
    logs = []
    for name, extra in (("plain", ()), ("stored", (f"--postpress-example-db={server.url()}",))):
        log = tmp_path / f"{name}.log"
        result = run(machine(tmp_path / name), *CI, "-k", "fuzz_valid_bodies", *extra, env={"RARE_LOG": str(log)})
        assert result.returncode == 0, result.output
        logs.append(log.read_text().split())
    assert len(logs[0]) == FIRST + 200
    assert logs[0] == logs[1]


def test_keys_are_the_same_from_two_directories(tmp_path: Path, server: RedisServer) -> None:
    for database, (name, seed) in enumerate((("a/checkout", "0"), ("elsewhere/b", "12345")), start=1):
        result = run(
            machine(tmp_path / name, base="NullsForAbsentFields"),
            "-k",
            "fuzz_valid_bodies",  # fails on this client's drawn bodies (not on the edge body tried first)
            *CI,  # derandomized: both runs draw the same examples, so find the same failures
            f"--postpress-example-db={server.url(database)}",
            env={"PYTHONHASHSEED": seed},
        )
        assert result.returncode == 1, result.output
    one, two = stored(server, 1), stored(server, 2)
    assert one, "the failures were saved"
    assert set(one) == set(two)
    for key in one:
        assert str(tmp_path).encode() not in key
    key = database_key("test_client.py::TestClient::test_fuzz_valid_bodies", "fuzz_valid_bodies")
    assert b"hypothesis-example:" + key in set(one)


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["one process", "xdist"])
def test_a_store_dropped_mid_run_is_a_warning_and_the_local_database_keeps_the_failure(
    tmp_path: Path, server: RedisServer, workers: tuple[str, ...]
) -> None:
    directory = machine(tmp_path / "m", base="NullsForAbsentFields")
    result = run(
        directory,
        "-k",
        "fuzz_valid_bodies",
        *CI,
        *workers,
        f"--postpress-example-db={server.url()}",
        env={"KILL_PID": str(server.process.pid)},
    )
    assert result.returncode == 1, result.output  # the client's failure, found and reported as usual
    assert "the client sent a different body" in result.output
    assert "Traceback" not in result.output
    line = next(line for line in result.output.splitlines() if "failed during the run" in line)
    assert line.startswith(f"postpress: the shared example database redis://:<hidden>@127.0.0.1:{server.port}/0")
    assert "the run went on with the local example database, which keeps every failure found" in line
    assert list((directory / ".hypothesis" / "examples").iterdir()), "the failure is in the local database"
    assert_no_password(result, server)
    # The failure is replayed from the local database alone: the gate fails at once, without the store.
    again = run(directory, "-k", "fuzz_valid_bodies", "--hypothesis-profile=postpress-dev")
    assert again.returncode == 1
    assert examples_of(again, "fuzz_valid_bodies") <= FIRST + 2


def usage_error(tmp_path: Path, value: str) -> str:
    """The one line of a run stopped at start by ``--postpress-example-db value``."""
    result = run(machine(tmp_path / "m"), "-k", "fuzz_valid_bodies", f"--postpress-example-db={value}")
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.output
    assert "Traceback" not in result.output
    [line] = [line for line in result.output.splitlines() if "postpress-example-db" in line]
    return line


def test_an_unreachable_store_stops_the_run_at_start(tmp_path: Path) -> None:
    port = free_port()
    line = usage_error(tmp_path, f"redis://:s3cr3t-pw@127.0.0.1:{port}/0")
    assert line.startswith(f"ERROR: cannot reach --postpress-example-db redis://:<hidden>@127.0.0.1:{port}/0 ")
    assert "check that Redis runs there" in line
    assert "s3cr3t-pw" not in line


def test_a_wrong_password_stops_the_run_at_start(tmp_path: Path, server: RedisServer) -> None:
    line = usage_error(tmp_path, server.url(password="not-the-password"))
    assert line.startswith(f"ERROR: cannot use --postpress-example-db redis://:<hidden>@127.0.0.1:{server.port}/0 ")
    assert "check the password" in line
    assert "not-the-password" not in line


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("redis://:pw-x@127.0.0.1:notaport/0", "its port is not a number"),
        ("redis://127.0.0.1:6379/zero", "the path must be a database number"),
        ("ftp://:pw-x@example.com/db", "unknown scheme ftp://"),
        ("github-artifacts:just-an-owner", "expected github-artifacts:OWNER/REPO"),
    ],
)
def test_a_bad_url_stops_the_run_at_start(tmp_path: Path, value: str, message: str) -> None:
    line = usage_error(tmp_path, value)
    assert line.startswith("ERROR: invalid --postpress-example-db value ")
    assert message in line
    assert "pw-x" not in line


def test_without_the_redis_extra_a_redis_url_names_the_extra(tmp_path: Path) -> None:
    directory = machine(tmp_path / "m")
    (directory / "conftest.py").write_text("import sys\nsys.modules['redis'] = None  # as if not installed\n")
    result = run(directory, "--postpress-example-db=redis://127.0.0.1:1/0")
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.output
    assert "needs the redis package: pip install 'pytest-postpress[redis]'" in result.output


def test_a_directory_store_is_shared_too(tmp_path: Path) -> None:
    share = tmp_path / "share"
    results = []
    for name in ("one", "two"):
        directory = machine(tmp_path / name, base="NullsForAbsentFields")
        results.append(run(directory, "-k", "fuzz_valid_bodies", *CI, f"--postpress-example-db={share}"))
        assert results[-1].returncode == 1
        assert list(share.iterdir())
    # The second machine fails on the first machine's failure, replayed: not after its own 200 draws and a shrink.
    assert examples_of(results[1], "fuzz_valid_bodies") <= FIRST + 2 < examples_of(results[0], "fuzz_valid_bodies")


def test_the_password_is_hidden_from_a_live_recording(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, server: RedisServer
) -> None:
    monkeypatch.setenv("POSTPRESS_API_KEY", KEY)
    monkeypatch.setenv("POSTPRESS_ACCOUNT_ID", ACCOUNT)
    har = pytester.path / "live.har"
    junit = pytester.path / "junit.xml"
    with stand_in() as (url, _):
        result = run_live(
            pytester,
            url,
            f"--postpress-example-db={server.url()}",
            "--postpress-record",
            str(har),
            f"--junitxml={junit}",
            "-v",
        )
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines([f"postpress: example database redis://:<hidden>@127.0.0.1:{server.port}/0, *"])
    for text in (result.stdout.str(), result.stderr.str(), har.read_text(), junit.read_text()):
        assert server.password not in text


def test_shown_url_and_secrets() -> None:
    assert shown_url("redis://:p%40ss@h:1/0") == "redis://:<hidden>@h:1/0"
    assert shown_url("rediss://user:pw@h:1/2?password=pw2&ssl_cert_reqs=none") == (
        "rediss://user:<hidden>@h:1/2?password=<hidden>&ssl_cert_reqs=none"
    )
    assert shown_url("redis://h:1/0") == "redis://h:1/0"
    assert url_secrets("redis://:p%40ss@h:1/0") == ["p%40ss", "p@ss"]


def test_keys_hold_no_path_pid_or_hash_seed(tmp_path: Path) -> None:
    nodeid = "tests/test_client.py::TestClient::test_request_line"
    key = database_key(nodeid, "request_line")
    assert key.startswith(b"pytest-postpress:")
    assert key.endswith(b":request_line:" + nodeid.encode())
    code = (
        f"from pytest_postpress.suite._exampledb import database_key; print(database_key({nodeid!r}, 'request_line'))"
    )
    for seed in ("1", "2"):
        other = subprocess.run(
            [sys.executable, "-c", code],
            cwd=tmp_path,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        assert other.stdout.strip() == repr(key)
