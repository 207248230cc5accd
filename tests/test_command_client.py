"""``command_client``: the protocol both ways, and a program that fails reported as such (never as a verdict).

The programs here are small Python scripts run with ``sys.executable``; the Node example runs in
test_check_cli.py.  Contract-suite runs are pytester runs of a ``ReconnectContract`` over such a program.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from pytest_postpress import command_client
from pytest_postpress._settings import DEFAULT_API_KEY
from pytest_postpress.errors import CommandFailed
from pytest_postpress.suite import _command
from pytest_postpress.suite._command import ReportedError
from pytest_postpress.suite._identity import default_error_identity

KEY = "sk_test_command_client_key"
BODY = {"provider": "LINKEDIN", "username": "anna@acme.com", "password": "hunter2-secret"}


def program(tmp_path: Path, source: str, name: str = "program.py") -> list[str]:
    """``[python, path]`` for a script written from ``source``."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return [sys.executable, str(path)]


# Echoes what it was given: the id (from the environment), the base URL, the key's length and the body.
ECHO = """
import json, os, sys
body = json.load(sys.stdin)
account = os.environ.get("POSTPRESS_ACCOUNT_ID")
print(json.dumps({"account_id": json.dumps([account, json.loads(os.environ["POSTPRESS_ACCOUNT_ID_JSON"]),
    os.environ["POSTPRESS_BASE_URL"], len(os.environ["POSTPRESS_API_KEY"]), body])}))
"""

# Persistent: answers each line with what it was given and its own pid; "raise" ids are reported as errors.
PERSISTENT = """
import json, os, sys
for line in sys.stdin:
    request = json.loads(line)
    if request["account_id"].startswith("error"):
        answer = {"error": {"status": 409, "type": "errors/already_exists"}}
    elif request["account_id"].startswith("lost"):
        answer = {"error": {"status": None, "type": None}}
    else:
        answer = {"account_id": json.dumps([request["account_id"], request["base_url"], len(request["api_key"]),
                                            request["body"], os.getpid()])}
    print(json.dumps(answer), flush=True)
"""


@pytest.fixture(autouse=True)
def _no_spare_left() -> Any:
    """Persistent programs started ahead for a next check end with each test here: nothing is left running."""
    yield
    _command._SPARES.close_all()


def _client(argv: list[str], **options: Any) -> Any:
    return command_client(argv, base_url="http://127.0.0.1:9/api", api_key=KEY, **options)


# -- one-shot ---------------------------------------------------------------------------------------------


def test_one_shot_gives_the_environment_and_the_body_and_reads_the_account_id(tmp_path: Path) -> None:
    client = _client(program(tmp_path, ECHO))
    account, from_json, base_url, key_length, body = json.loads(client("acc_1/é", BODY))
    assert (account, from_json, base_url, key_length, body) == (
        "acc_1/é",
        "acc_1/é",
        "http://127.0.0.1:9/api",
        len(KEY),
        BODY,
    )
    # None travels as JSON null (rule 24 is the client's to apply).
    assert json.loads(client("acc_1", None))[4] is None


def test_one_shot_an_id_with_a_nul_travels_only_as_json(tmp_path: Path) -> None:
    client = _client(program(tmp_path, ECHO))
    account, from_json, *_ = json.loads(client("acc\x00evil", BODY))
    assert account is None  # no environment variable can carry a NUL
    assert from_json == "acc\x00evil"


@pytest.mark.parametrize(
    ("answer", "identity"),
    [
        ({"status": 409, "type": "errors/already_exists"}, (409, "errors/already_exists")),
        ({"status": 502, "type": None}, (502, None)),
        ({"status": None, "type": None}, None),
    ],
    ids=["documented", "no-type", "no-answer"],
)
def test_one_shot_a_reported_error_is_raised_as_the_default_identity_reads_it(
    tmp_path: Path, answer: dict[str, Any], identity: tuple[int, str | None] | None
) -> None:
    client = _client(program(tmp_path, f"import sys; sys.stdin.read(); print({json.dumps({'error': answer})!r})"))
    with pytest.raises(ReportedError) as raised:
        client("acc_1", BODY)
    assert (raised.value.status, raised.value.type) == (answer["status"], answer["type"])
    assert default_error_identity(raised.value) == identity


CRASH = """
import os, sys
sys.stdin.read()
for number in range(30):
    print("log line", number, file=sys.stderr)
print("sending key", os.environ["POSTPRESS_API_KEY"], "and password hunter2-secret", file=sys.stderr)
print("TypeError: cannot read properties of undefined", file=sys.stderr)
sys.exit(3)
"""


def test_one_shot_a_crash_is_the_program_failing_with_its_stderr_tail_secrets_hidden(tmp_path: Path) -> None:
    client = _client(program(tmp_path, CRASH))
    with pytest.raises(CommandFailed) as raised:
        client("acc_1", BODY)
    text = str(raised.value)
    assert "failed: it exited with status 3" in text
    assert "TypeError: cannot read properties of undefined" in text
    assert "log line 29" in text
    assert "log line 9\n" not in text  # only the last lines
    assert KEY not in text
    assert "hunter2-secret" not in text
    assert "sending key <hidden> and password <hidden>" in text
    assert "while reconnecting the account id 'acc_1'" in text
    assert "not a verdict on the contract" in text


@pytest.mark.parametrize(
    ("printed", "reason"),
    [
        ("hello", "not JSON"),
        ('{"account_id": "a"}\n{"account_id": "b"}', "not JSON"),
        ('{"account_id": 42}', "account_id is not a string"),
        ('{"account_id": "a", "error": null}', "exactly one key"),
        ('["acc_1"]', "exactly one key"),
        ('{"error": {"status": 99, "type": null}}', "neither an HTTP status"),
        ('{"error": {"status": true, "type": null}}', "neither an HTTP status"),
        ('{"error": {"status": 409}}', "exactly the keys status and type"),
        ('{"error": {"status": 409, "type": 7}}', "type is neither a string nor null"),
        ("", "nothing"),
    ],
)
def test_one_shot_output_outside_the_protocol_is_the_program_failing(tmp_path: Path, printed: str, reason: str) -> None:
    client = _client(program(tmp_path, f"import sys; sys.stdin.read(); sys.stdout.write({printed!r})"))
    with pytest.raises(CommandFailed, match="failed: it printed") as raised:
        client("acc_1", BODY)
    assert reason in str(raised.value)


def test_one_shot_a_program_that_prints_the_key_on_stdout_has_it_hidden(tmp_path: Path) -> None:
    client = _client(program(tmp_path, "import os; print('key', os.environ['POSTPRESS_API_KEY'])"))
    with pytest.raises(CommandFailed) as raised:
        client("acc_1", BODY)
    assert KEY not in str(raised.value)
    assert "key <hidden>" in str(raised.value)


def test_one_shot_a_hang_is_killed_at_the_timeout_with_what_it_started(tmp_path: Path) -> None:
    # The program starts a child that would outlive it; both are killed (same session).
    pid_file = tmp_path / "child.pid"
    source = f"""
    import subprocess, sys, time
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    open({str(pid_file)!r}, "w").write(str(child.pid))
    print("waiting for the server", file=sys.stderr, flush=True)
    time.sleep(60)
    """
    client = _client(program(tmp_path, source), timeout=1.0)
    start = time.monotonic()
    with pytest.raises(CommandFailed, match=r"did not finish within 1s \(killed\)") as raised:
        client("acc_1", BODY)
    assert time.monotonic() - start < 10
    assert "waiting for the server" in str(raised.value)
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (killed, not yet reaped by its parent, itself killed) counts as gone.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


def test_a_program_that_cannot_start_is_the_program_failing(tmp_path: Path) -> None:
    client = _client([str(tmp_path / "no-such-program")])
    with pytest.raises(CommandFailed, match="failed: it could not start"):
        client("acc_1", BODY)


@pytest.mark.parametrize(
    ("argv", "options", "message"),
    [
        ("node cli.mjs", {}, "non-empty list of strings"),
        ([], {}, "non-empty list of strings"),
        (["node", 1], {}, "strings only"),
        (["node"], {"timeout": 0}, "above 0"),
        (["node"], {"timeout": True}, "above 0"),
    ],
)
def test_bad_arguments_are_clear_errors(argv: Any, options: dict[str, Any], message: str) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        command_client(argv, **options)


def test_a_client_without_base_url_says_how_to_give_one(tmp_path: Path) -> None:
    with pytest.raises(CommandFailed, match="no base URL or API key"):
        command_client(program(tmp_path, ECHO))("acc_1", BODY)


# -- persistent -------------------------------------------------------------------------------------------


def test_persistent_one_program_answers_every_line_in_order(tmp_path: Path) -> None:
    with _client(program(tmp_path, PERSISTENT), persistent=True) as client:
        first = json.loads(client("acc\x00\ud800é", BODY))
        with pytest.raises(ReportedError) as raised:
            client("error_1", BODY)
        with pytest.raises(ReportedError) as lost:
            client("lost_1", BODY)
        second = json.loads(client("acc_2", None))
        process = client._process
        assert process is not None
    assert first[:4] == ["acc\x00\ud800é", "http://127.0.0.1:9/api", len(KEY), BODY]
    assert default_error_identity(raised.value) == (409, "errors/already_exists")
    assert default_error_identity(lost.value) is None
    assert second[3] is None
    assert first[4] == second[4]  # one process for every call
    assert process.returncode == 0  # it exited when its standard input closed


def test_persistent_each_client_has_its_own_program_started_ahead(tmp_path: Path) -> None:
    argv = program(tmp_path, PERSISTENT)
    with _client(argv, persistent=True) as first:
        first_pid = json.loads(first("acc_1", BODY))[4]
    waiting = [started.process for queue_ in _command._SPARES._waiting.values() for started in queue_]
    assert len(waiting) == _command._Spares.DEPTH  # started while the first client ran
    with _client(argv, persistent=True) as second:
        second_pid = json.loads(second("acc_1", BODY))[4]
    assert second_pid != first_pid  # a program serves one client only
    assert second_pid == waiting[0].pid  # the oldest of those started ahead
    assert waiting[0].returncode == 0  # and it ended with its client
    _command._SPARES.close_all()
    assert all(process.poll() is not None for process in waiting)
    assert not _command._SPARES._waiting


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("import sys\nfor line in sys.stdin:\n    print('hello', flush=True)\n", "answered the line 'hello'"),
        ("import sys\nsys.stdin.readline()\nprint('dying', file=sys.stderr)\nsys.exit(4)\n", "exited with status 4"),
        (
            "import json, sys, time\nfor line in sys.stdin:\n    print(json.dumps({'account_id': 'a'}))\n"
            "    print(json.dumps({'account_id': 'a'}), flush=True)\n",
            "which answers no request",
        ),
        ("import sys, time\nfor line in sys.stdin:\n    time.sleep(60)\n", r"gave no answer within 1s \(killed\)"),
    ],
    ids=["garbage", "exit", "two-lines", "hang"],
)
def test_persistent_a_failing_program_is_reported_and_stopped(tmp_path: Path, source: str, message: str) -> None:
    client = _client(program(tmp_path, source), persistent=True, timeout=1.0)
    start = time.monotonic()

    def twice() -> None:
        client("acc_1", BODY)
        time.sleep(0.5)  # a second line has arrived by now
        client("acc_1", BODY)

    with pytest.raises(CommandFailed, match=message) as raised:
        twice()
    assert time.monotonic() - start < 10
    assert "persistent client program" in str(raised.value)
    if "exit" in message:
        assert "dying" in str(raised.value)
    assert client._process is None  # stopped; a next call would start it again
    client.close()


def test_persistent_a_program_that_does_not_exit_when_its_input_closes_is_killed_and_reported(
    tmp_path: Path,
) -> None:
    source = """
    import json, signal, sys, time
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    for line in sys.stdin:
        print(json.dumps({"account_id": "acc_1"}), flush=True)
    time.sleep(60)
    """
    client = _client(program(tmp_path, source), persistent=True, timeout=1.0)
    assert client("acc_1", BODY) == "acc_1"
    process = client._process
    assert process is not None
    with pytest.raises(CommandFailed, match="did not exit within 1s after its standard input closed"):
        client.close()
    assert process.returncode is not None
    client.close()  # idempotent


def test_persistent_secrets_are_hidden_from_the_stderr_tail(tmp_path: Path) -> None:
    source = """
    import json, sys
    request = json.loads(sys.stdin.readline())
    print("key", request["api_key"], "body", json.dumps(request["body"]), file=sys.stderr, flush=True)
    sys.exit(1)
    """
    client = _client(program(tmp_path, source), persistent=True)
    with pytest.raises(CommandFailed) as raised:
        client("acc_1", BODY)
    text = str(raised.value)
    assert KEY not in text
    assert "hunter2-secret" not in text
    assert "key <hidden> body" in text


# -- in the contract suite --------------------------------------------------------------------------------

SUITE = """
import json, sys
import pytest
from pytest_postpress import ReconnectContract, command_client

ARGV = {argv!r}


class TestProgram(ReconnectContract):
    @pytest.fixture
    def postpress_transport(self):
        return "server"

    @pytest.fixture
    def postpress_reconnect(self):
        return command_client(ARGV, persistent={persistent!r}, timeout={timeout!r})
"""


def _suite(
    pytester: pytest.Pytester, argv: list[str], *args: str, persistent: bool = False, timeout: float = 30.0
) -> Any:
    pytester.makepyfile(test_program=SUITE.format(argv=argv, persistent=persistent, timeout=timeout))
    return pytester.runpytest("-p", "no:cacheprovider", "-rf", *args)


def test_in_the_suite_a_crash_is_reported_as_the_program_failing_not_as_a_verdict(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Without the distinction a crash would "raise" on a dropped connection, which that check would pass.
    argv = program(tmp_path, CRASH)
    result = _suite(pytester, argv, "-k", "robustness_connection_error or test_success")
    result.assert_outcomes(failed=2)
    text = result.stdout.str()
    assert text.count("failed: it exited with status 3") >= 2
    assert "the contract requires" not in text
    assert DEFAULT_API_KEY not in text
    assert "sending key <hidden> and password" in text
    assert "could not run" in text  # the summary counts them apart from contract failures


def test_in_the_suite_a_hang_in_a_fuzz_check_stops_at_once_without_shrinking(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    # A correct client for two runs (the body tried first on every run, then a drawn one), hanging on the third.
    source = f"""
    import json, os, sys, time, urllib.parse, urllib.request
    body = sys.stdin.buffer.read()
    with open({str(runs)!r}, "a") as log:
        log.write("run\\n")
    if len(open({str(runs)!r}).read().splitlines()) >= 3:
        time.sleep(60)
    account = json.loads(os.environ["POSTPRESS_ACCOUNT_ID_JSON"])
    url = os.environ["POSTPRESS_BASE_URL"] + "/v1/accounts/" + urllib.parse.quote(account, safe="")
    headers = {{"X-API-KEY": os.environ["POSTPRESS_API_KEY"], "Content-Type": "application/json"}}
    with urllib.request.urlopen(urllib.request.Request(url, body, headers, method="POST"), timeout=5) as answer:
        print(json.dumps({{"account_id": json.loads(answer.read())["account_id"]}}))
    """
    start = time.monotonic()
    result = _suite(pytester, program(tmp_path, source), "-k", "fuzz_valid_bodies", timeout=1.0)
    result.assert_outcomes(failed=1)
    assert "did not finish within 1s (killed)" in result.stdout.str()
    assert len(runs.read_text().splitlines()) == 3  # no shrinking: the hanging program ran once
    assert time.monotonic() - start < 30
