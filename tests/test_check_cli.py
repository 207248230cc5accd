"""``python -m pytest_postpress check -- PROGRAM``: the whole suite over a client program, here the Node examples.

The full suite runs in persistent mode (about 15 s); one-shot mode spawns node per reconnect, so it runs a
subset here (the full one-shot run is measured in benchmarks/bench_command.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pytest_postpress.doubles.server import PostpressServer
from tests._node import node_executable

NODE_DIR = Path(__file__).resolve().parent.parent / "examples" / "node"


def check(
    tmp_path: Path, *args: str, timeout: float = 600, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the check command in ``tmp_path`` (so that Hypothesis's example database stays there)."""
    return subprocess.run(
        [sys.executable, "-m", "pytest_postpress", "check", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=tmp_path,
        check=False,
        env=None if env is None else {**os.environ, **env},
    )


def junit_results(path: Path) -> dict[str, str]:
    """``{check name: "passed" | "failed" | "skipped"}`` from a JUnit XML file, and each failure's message."""
    results = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        name = case.get("name", "").removeprefix("test_")
        failure = case.find("failure")
        if failure is not None:
            results[name] = "failed: " + (failure.get("message") or "") + (failure.text or "")
        elif case.find("skipped") is not None:
            results[name] = "skipped"
        else:
            results[name] = "passed"
    return results


def test_node_client_passes_every_check_persistent(tmp_path: Path) -> None:
    node = node_executable()
    junit = tmp_path / "junit.xml"
    done = check(
        tmp_path,
        *("--persistent", "--client-timeout", "2", "--junitxml", str(junit)),
        *("--", node, str(NODE_DIR / "cli.mjs"), "--persistent", "--timeout", "2"),
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = junit_results(junit)
    assert not [name for name, result in results.items() if result.startswith("failed")]
    assert len([result for result in results.values() if result == "passed"]) >= 80
    # Skipped: the live-only check alone (--client-timeout declares the timeout, so test_client_timeout runs).
    assert {name for name, result in results.items() if result == "skipped"} == {"real_reconnect"}
    assert results["client_timeout[loopback]"] == "passed"
    assert "TestClientProgram: 84/85 checks passed (1 skipped)" in done.stdout


def test_node_client_passes_one_shot_and_options_reach_pytest(tmp_path: Path) -> None:
    node = node_executable()
    junit, report = tmp_path / "junit.xml", tmp_path / "report.json"
    done = check(
        tmp_path,
        *("--junitxml", str(junit), "--postpress-report", str(report), "--hypothesis-profile", "postpress-dev"),
        *(
            "-k",
            "test_success or test_authentication or test_body or test_documented_error",
            "-m",
            "not postpress_robustness",
        ),
        *("--", node, str(NODE_DIR / "cli.mjs")),
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = junit_results(junit)
    assert set(results.values()) == {"passed"}
    assert len(results) == 1 + 1 + 12 + 35  # success, authentication, 12 bodies, 35 documented errors
    assert report.is_file()


def test_live_mode_works_the_same_over_a_command(tmp_path: Path) -> None:
    """--postpress-live: the live-safe checks against a "staging" (a loopback server here), through the program."""
    node = node_executable()
    key, account = "pp_live_command_key_4242", "acc_01STAGINGACCOUNT000000000"
    junit = tmp_path / "junit.xml"
    with PostpressServer(api_key=key, accounts=[account]) as staging:
        done = check(
            tmp_path,
            *("--persistent", "--junitxml", str(junit), "--postpress-live", "--postpress-base-url", staging.url),
            *("--", node, str(NODE_DIR / "cli.mjs"), "--persistent"),
            env={"POSTPRESS_API_KEY": key, "POSTPRESS_ACCOUNT_ID": account},
        )
        reached = [call.raw_path for call in staging.calls]
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = junit_results(junit)
    passed = {name for name, result in results.items() if result == "passed"}
    assert {"missing_key", "unknown_account", "invalid_body[missing-parameters]"} <= passed
    assert not [name for name, result in results.items() if result.startswith("failed")]
    assert "LIVE mode" in done.stdout
    assert any(path.startswith("/v1/accounts/acc_postpress_contract_unknown_") for path in reached)
    assert key not in done.stdout + done.stderr


def test_broken_node_client_fails_its_check(tmp_path: Path) -> None:
    node = node_executable()
    junit = tmp_path / "junit.xml"
    done = check(
        tmp_path,
        *("--persistent", "--junitxml", str(junit), "-k", "request_line or success or documented_error"),
        *("--", node, str(NODE_DIR / "broken.mjs"), "--persistent"),
    )
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    results = junit_results(junit)
    failed = {name for name, result in results.items() if result.startswith("failed")}
    assert failed == {"request_line"}  # its one defect, and nothing else
    assert "path-injection risk" in results["request_line"]
    assert "how to fix:" in results["request_line"]


# The Node example as a one-shot program that reads POSTPRESS_ACCOUNT_ID alone (argv[1]: cli.mjs's URL).
_IGNORES_ID_JSON = """
delete process.env.POSTPRESS_ACCOUNT_ID_JSON;
const { main } = await import(process.argv[1]);
await main();
"""


@pytest.mark.parametrize(("ignores", "seed"), [(True, "1"), (True, "2"), (False, "3")])
def test_one_shot_verdict_on_an_id_holding_a_nul_does_not_depend_on_the_draw(
    tmp_path: Path, ignores: bool, seed: str
) -> None:
    # An id holding a NUL is tried first on every run: a program that ignores POSTPRESS_ACCOUNT_ID_JSON fails
    # test_request_line whatever the seed, and the Node example, which reads it, passes whatever the seed.
    node = node_executable()
    cli = NODE_DIR / "cli.mjs"
    program = (node, "--input-type=module", "-e", _IGNORES_ID_JSON, cli.as_uri()) if ignores else (node, str(cli))
    junit = tmp_path / "junit.xml"
    done = check(
        tmp_path,
        *("--junitxml", str(junit), "-k", "test_request_line"),
        *("--hypothesis-profile", "postpress-dev", "--hypothesis-seed", seed),
        *("--", *program),
    )
    result = junit_results(junit)["request_line"]
    if not ignores:
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert result == "passed"
        return
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert "failing input (secrets hidden): account id 'acc_01J\\x00NUL'" in result, result
    assert "how to fix: read the id from POSTPRESS_ACCOUNT_ID_JSON when POSTPRESS_ACCOUNT_ID is unset" in result
    assert "JSON.parse(process.env.POSTPRESS_ACCOUNT_ID_JSON)" in result
    assert "this example is tried first on every run" in result


def test_a_crashing_program_is_reported_as_such(tmp_path: Path) -> None:
    crash = "import sys; sys.stdin.read(); print('boom: the SDK is broken', file=sys.stderr); sys.exit(5)"
    done = check(tmp_path, "-k", "test_success", "--", sys.executable, "-c", crash)
    assert done.returncode == 1
    assert "failed: it exited with status 5" in done.stdout
    assert "boom: the SDK is broken" in done.stdout
    assert "COULD NOT RUN success" in done.stdout
    assert "the contract requires" not in done.stdout


# A one-shot program whose client resends every retryable answer (and every dropped connection) with no bound,
# with argv[1] seconds between attempts.
_RETRIES_FOREVER = """
import json, os, sys, time, urllib.error, urllib.parse, urllib.request
pause = float(sys.argv[1])
body = sys.stdin.buffer.read()
account = json.loads(os.environ["POSTPRESS_ACCOUNT_ID_JSON"])
url = os.environ["POSTPRESS_BASE_URL"] + "/v1/accounts/" + urllib.parse.quote(account, safe="")
headers = {"X-API-KEY": os.environ["POSTPRESS_API_KEY"], "Content-Type": "application/json"}
while True:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, body, headers, method="POST"), timeout=2) as answer:
            print(json.dumps({"account_id": json.loads(answer.read())["account_id"]}))
            break
    except urllib.error.HTTPError as error:
        if error.code not in (407, 408, 502, 503, 504):
            envelope = json.loads(error.read() or b"{}")
            print(json.dumps({"error": {"status": error.code, "type": envelope.get("type")}}))
            break
    except OSError:
        pass
    time.sleep(pause)
"""


@pytest.mark.parametrize("pause", ["0", "0.05"], ids=["no-pause", "pause"])
def test_a_program_that_retries_forever_fails_in_bounded_time(tmp_path: Path, pause: str) -> None:
    # The server ends the loop past postpress_max_attempts + 3 attempts by answering as judged (a 201): the
    # program returns, and the checks fail on the attempts it made.
    program = tmp_path / "retries_forever.py"
    program.write_text(_RETRIES_FOREVER, encoding="utf-8")
    junit = tmp_path / "junit.xml"
    # documented_error answers the error to every request; retry_every_attempt to postpress_max_attempts of them.
    selection = "documented_error and (503-service_unavailable or 504-request_timeout) or retry_every_attempt"
    done = check(
        tmp_path,
        *("--junitxml", str(junit), "-k", selection),
        *("--", sys.executable, str(program), pause),
        timeout=300,
    )
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    results = junit_results(junit)
    assert len(results) == 5
    for name, result in results.items():
        assert result.startswith("failed"), (name, result)
        assert "at most 5 attempts in all (postpress_max_attempts" in result, result
        if name.startswith("documented_error"):
            assert "the client sent 9 requests (answers retried: 5" in result, result
            assert "past postpress_max_attempts + 3 attempts" in result, result
        else:
            assert "the client sent 6 requests (answers retried: " in result, result
    assert "COULD NOT RUN" not in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "expected -- PROGRAM"),
        (("--persistent", "node"), "expected -- PROGRAM"),
        (("--",), "expected the client program after --"),
        (("--", "no-such-program-postpress"), "'no-such-program-postpress' not found"),
        (("--timeout", "0", "--", sys.executable), "--timeout: expected seconds above 0"),
        (("--timeout", "soon", "--", sys.executable), "argument --timeout: invalid float value"),
        (("--client-timeout", "61", "--", sys.executable), "--client-timeout: expected seconds above 0, at most 60"),
        (("--nope", "--", sys.executable), "unrecognized arguments: --nope"),
        (("--postpress-fuzz-seconds", "lots", "--", sys.executable), "postpress-fuzz-seconds"),
        (("--postpress-transport", "respx", "--", sys.executable), "unrecognized arguments: --postpress-transport"),
    ],
    ids=[
        "no-separator",
        "no-separator-2",
        "no-program",
        "missing",
        "timeout-0",
        "timeout-text",
        "client-timeout",
        "unknown",
        "bad-setting",
        "transport",
    ],
)
def test_bad_options_exit_2_with_a_clear_error(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    done = check(tmp_path, *args, timeout=60)
    assert done.returncode == 2
    assert message in done.stderr
    assert "usage: python -m pytest_postpress check [options] -- PROGRAM [ARGS...]" in done.stderr
