"""Issue 26: no secret in any output.  Secrets are planted through every documented way, every mode is run, and
everything the runs wrote (files under the run's folder and its temporary folders, standard output and error,
serve's log and control API answers) is searched for every spelling of every planted value: literal,
%-encoded (upper and lower case hex, ``+`` for a space), JSON-escaped and base64.  Any hit fails.

The runs are shared: each is made once per module (a fixture) and several tests read it, so that the module
costs a handful of pytest runs.  The hunt itself is shown to find what it looks for (the last tests).
"""

from __future__ import annotations

import base64
import contextlib
import inspect
import json
import os
import re
import signal
import stat
import subprocess
import sys
import textwrap
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pytest_postpress._redact import HIDDEN, Scrubber, secret_values
from pytest_postpress.suite._reproduce import curl_line
from pytest_postpress.suite.live import Exchange

# The planted values.  A 3-character key, a base64-style key with + / =, a long key; passwords with non-ASCII
# characters (one latin-1, two not); the long key also goes in the path, the query and an Authorization header.
SHORT_KEY = "k9Z"
B64_KEY = "Zm9v+YmFy/cXV4=="
LONG_KEY = "pp_live_PLANTED_" + "Q7xW" * 10
PASSWORDS = {
    "password": "pässwörd-Planted-7",
    "imap_password": "ïmap-пароль-Planted-42",
    "smtp_password": "smtp-секрет-Planted-43",
    "access_token": "äccess-Planted-Token-44",
    "refresh_token": "refresh-Planted-Tökén-45",
    "sessionid": "session-Planted-ïd-46",
    "value": "cookie-Planted-välue-47",
    "premium_token": "premium-Planted-tøken-48",
    "headers": "header-Planted-välue-49",
}
PLANTED = [SHORT_KEY, B64_KEY, LONG_KEY, *PASSWORDS.values()]
ACCOUNT = "acc_01SECRETSACCOUNT00000000"


def spellings(value: str) -> dict[str, bytes]:
    """Every spelling of ``value`` the hunt looks for, as bytes (UTF-8; latin-1 too where it encodes)."""
    raw = value.encode("utf-8")
    escaped = json.dumps(value)[1:-1]
    quoted = urllib.parse.quote(value, safe="")
    forms = {
        "literal": value,
        "%-encoded": quoted,
        "%-encoded, lower case": re.sub(r"%[0-9A-F]{2}", lambda hit: hit.group().lower(), quoted),
        "%-encoded, + for a space": urllib.parse.quote_plus(value, safe=""),
        "JSON-escaped": escaped,
        "JSON-escaped, upper case hex": re.sub(r"\\u[0-9a-f]{4}", lambda hit: "\\u" + hit.group()[2:].upper(), escaped),
        "JSON-escaped slash": escaped.replace("/", "\\/"),
        "base64": base64.b64encode(raw).decode().rstrip("="),
        "base64, URL-safe": base64.urlsafe_b64encode(raw).decode().rstrip("="),
    }
    found: dict[str, bytes] = {}
    for name, form in forms.items():
        if form.encode("utf-8") not in found.values():
            found[name] = form.encode("utf-8")
    with contextlib.suppress(UnicodeEncodeError):
        if value.encode("latin-1") not in found.values():
            found["latin-1"] = value.encode("latin-1")
    return found


def hunt(outputs: dict[str, bytes], planted: Iterable[str] = PLANTED) -> list[str]:
    """Every ``where: which value, which spelling`` found among ``outputs``."""
    hits = []
    for value in planted:
        for spelling, form in spellings(value).items():
            for where, content in outputs.items():
                if form in content:
                    hits.append(f"{where}: {value!r} ({spelling})")
    return hits


@dataclass
class Run:
    """What one run wrote: its streams and files, and the inputs we wrote ourselves (not searched)."""

    outputs: dict[str, bytes] = field(default_factory=dict)
    text: str = ""

    def add_stream(self, name: str, content: str | bytes) -> None:
        data = content.encode("utf-8", "surrogateescape") if isinstance(content, str) else content
        self.outputs[name] = self.outputs.get(name, b"") + data
        self.text += data.decode("utf-8", "replace")

    def add_files(self, folder: Path, inputs: Iterable[Path] = ()) -> None:
        skip = {path.resolve() for path in inputs}
        for path in folder.rglob("*"):
            if path.is_file() and path.resolve() not in skip:
                self.outputs[str(path)] = path.read_bytes()

    def body_files(self) -> dict[str, bytes]:
        """The bodies the curl lines read (``*-bodies/``): what a client sent, readable by its owner only."""
        return {name: content for name, content in self.outputs.items() if "-bodies/" in name}

    def others(self) -> dict[str, bytes]:
        return {name: content for name, content in self.outputs.items() if "-bodies/" not in name}


def plant(value: object, name: str | None = None) -> object:
    """``value`` with each secret field's string replaced by its planted value (the leaky client's too)."""
    if isinstance(value, dict):
        return {key: plant(sub, key) for key, sub in value.items()}
    if isinstance(value, list):
        return [plant(item, name) for item in value]
    if isinstance(value, str) and name in PASSWORDS:
        return PASSWORDS[name]
    return value


def planted_body(variant: str) -> dict[str, object]:
    """A valid body of ``variant`` whose secret fields hold planted values."""
    from pytest_postpress import samples

    planted = plant(samples.sample_body(variant))
    assert isinstance(planted, dict)
    return planted


# A client that leaks all it can: the key in the path, the query and an Authorization header; the planted
# passwords in every secret field it sends; an exception or an answer quoting them in every spelling, long
# enough to be clipped.
LEAKY = (
    """
import base64, itertools, json, os, re, sys, urllib.parse
import httpx, pytest, requests
from pytest_postpress import ReconnectContract, command_client

PASSWORDS = json.loads(os.environ["PLANT_PASSWORDS"])
_COUNT = itertools.count()

"""
    + inspect.getsource(plant)
    + """

def sent_secrets(value, name=None):
    if isinstance(value, dict):
        return [found for key, sub in value.items() for found in sent_secrets(sub, key)]
    if isinstance(value, list):
        return [found for item in value for found in sent_secrets(item, name)]
    return [value] if isinstance(value, str) and name in PASSWORDS else []


def leak(key, sent):
    # The key and the secrets the client sent, in every spelling, after enough text to be clipped.
    spelled = []
    for secret in [key, *sent_secrets(sent)]:
        quoted = urllib.parse.quote(secret, safe="")
        spelled += [
            secret,
            quoted,
            re.sub("%[0-9A-F]{2}", lambda hit: hit.group().lower(), quoted),
            json.dumps(secret),
            base64.b64encode(secret.encode()).decode(),
        ]
    return "x" * 190 + " ".join(spelled)


def request_of(base_url, api_key, body):
    target = f"{base_url}/v1/accounts/{urllib.parse.quote(api_key, safe='')}?api_key={urllib.parse.quote(api_key)}"
    basic = base64.b64encode(f"user:{api_key}".encode()).decode()
    headers = {"X-API-KEY": api_key, "Authorization": f"Basic {basic}", "X-Echo": PASSWORDS["password"].encode().hex()}
    return target, headers, plant(body)


def answer(api_key, status, sent):
    if next(_COUNT) % 2:
        return leak(api_key, sent)  # "reported success (...)" with every secret, clipped
    raise RuntimeError(f"status {status}: " + leak(api_key, sent))


def httpx_client(base_url, api_key):
    def reconnect(account_id, body):
        target, headers, sent = request_of(base_url, api_key, body)
        response = httpx.post(target, json=sent, headers=headers)
        return answer(api_key, response.status_code, sent)
    return reconnect


def requests_client(base_url, api_key):
    def reconnect(account_id, body):
        target, headers, sent = request_of(base_url, api_key, body)
        response = requests.post(target, json=sent, headers=headers, timeout=2)
        return answer(api_key, response.status_code, sent)
    return reconnect


SELECT = ("test_authentication", "test_success", "test_unknown_account", "test_documented_error")


class _Leaky(ReconnectContract):
    @pytest.fixture
    def postpress_reconnect(self, postpress_base_url, postpress_api_key):
        return httpx_client(postpress_base_url, postpress_api_key)


class TestLeakyRespx(_Leaky):
    pass


class TestLeakyServer(_Leaky):
    @pytest.fixture
    def postpress_transport(self):
        return "server"


class TestLeakyPytestHttpx(_Leaky):
    @pytest.fixture
    def postpress_double(self, request):
        return request.getfixturevalue("postpress_httpx_mock")


class TestLeakyResponses(_Leaky):
    @pytest.fixture
    def postpress_transport(self):
        return "responses"

    @pytest.fixture
    def postpress_reconnect(self, postpress_base_url, postpress_api_key):
        return requests_client(postpress_base_url, postpress_api_key)


def test_user_asserts_on_the_key_of_a_call(postpress_mock, postpress_base_url, postpress_api_key, postpress_account_id):
    httpx.post(f"{postpress_base_url}/v1/accounts/{postpress_account_id}", json={"provider": "TELEGRAM"},
               headers={"X-API-KEY": postpress_api_key})
    call = postpress_mock.calls[-1]
    assert call.headers["x-api-key"] == "not the key"


def test_user_calls_a_command_client(postpress_base_url, postpress_api_key):
    # The program reports an error: raised from CommandClient.__call__, whose frame pytest shows with its arguments.
    answer = '{"error": {"status": 409, "type": "errors/already_exists"}}'
    program = [sys.executable, "-c", f"import sys; sys.stdin.read(); print({answer!r})"]
    client = command_client(program, base_url=postpress_base_url, api_key=postpress_api_key)
    client("acc_1", plant({"provider": "MAIL", "imap_password": "x", "smtp_password": "y"}))
"""
)


def _select(*classes: str) -> str:
    checks = ("test_authentication", "test_success", "test_unknown_account", "test_documented_error and 409")
    chosen = " or ".join(f"({cls} and {check})" for cls in classes for check in checks)
    return chosen + " or test_user_"


@pytest.fixture(scope="module")
def mock_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Mock mode over four transports (respx, the loopback server, pytest-httpx, responses) with ``-n 2``,
    ``--debug``, JUnit XML and the JSON report; the long key."""
    folder = tmp_path_factory.mktemp("mock-run")
    (folder / "test_leaky.py").write_text(LEAKY, encoding="utf-8")
    basetemp = folder / "basetemp"
    environment = {**_environment(), "POSTPRESS_API_KEY": LONG_KEY}
    classes = ("TestLeakyRespx", "TestLeakyServer", "TestLeakyPytestHttpx", "TestLeakyResponses")
    result = _pytest(
        folder,
        environment,
        "test_leaky.py",
        "-n",
        "2",
        "--debug",
        str(folder / "debug.log"),
        "--junitxml",
        str(folder / "junit.xml"),
        "--postpress-report",
        str(folder / "report.json"),
        "--basetemp",
        str(basetemp),
        "-k",
        _select(*classes),
    )
    run = Run()
    run.add_stream("stdout", result.stdout)
    run.add_stream("stderr", result.stderr)
    run.add_files(folder, inputs=[folder / "test_leaky.py"])
    return run


def _environment() -> dict[str, str]:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("POSTPRESS_")}
    environment.pop("PYTEST_ADDOPTS", None)
    environment.pop("PYTEST_XDIST_WORKER", None)
    environment["PLANT_PASSWORDS"] = json.dumps(PASSWORDS)
    environment["POSTPRESS_ACCOUNT_ID"] = ACCOUNT
    return environment


def _pytest(folder: Path, environment: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly", *args],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_mock_mode_on_every_transport_shows_no_planted_value(mock_run: Run) -> None:
    # The run did what it is meant to: the leaky client failed checks on the four transports, and the user's
    # own tests failed on the key and the command client.
    for cls in ("TestLeakyRespx", "TestLeakyServer", "TestLeakyPytestHttpx", "TestLeakyResponses"):
        assert f"{cls}::test_" in mock_run.text, mock_run.text[-3000:]
    assert "test_user_asserts_on_the_key_of_a_call" in mock_run.text
    assert "a secret is compared: its value is hidden" in mock_run.text
    assert "body, secrets hidden" in mock_run.text  # the command client's frame shows a hidden body
    assert any(name.endswith("junit.xml") for name in mock_run.outputs)
    assert any(name.endswith("report.json") for name in mock_run.outputs)
    assert any(name.endswith("debug.log") for name in mock_run.outputs)
    assert HIDDEN in mock_run.text
    assert hunt(mock_run.outputs) == []


# -- live mode, its recording, its replay; --full-trace -------------------------------------------------------


class StandIn:
    """``python -m pytest_postpress serve`` as a stand-in for staging (or as serve itself), its log kept."""

    def __init__(self, key: str, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pytest_postpress", "serve", "--api-key", key, "--account", ACCOUNT, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline().strip()
        assert first.startswith("postpress mock listening on http://127.0.0.1:"), first
        self.url = first.rsplit(" ", 1)[-1]
        self.stdout = first + "\n"
        self.stderr = ""

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        out, err = self.process.communicate(timeout=10)
        self.stdout += out
        self.stderr += err


@pytest.fixture(scope="module")
def live_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Run, Path]:
    """Live mode with ``--postpress-record``, ``--full-trace`` and a reconnect body with planted passwords (the
    key with ``+/=``), then the replay of its recording; each run's outputs, and the recording's folder."""
    folder = tmp_path_factory.mktemp("live-run")
    (folder / "test_leaky.py").write_text(LEAKY, encoding="utf-8")
    body = folder / "body.json"
    body.write_text(json.dumps(planted_body("MAIL"), ensure_ascii=False), encoding="utf-8")
    environment = {**_environment(), "POSTPRESS_API_KEY": B64_KEY}
    har = folder / "rec" / "run.har"
    har.parent.mkdir()
    stand_in = StandIn(B64_KEY)
    try:
        recorded = _pytest(
            folder,
            environment,
            "test_leaky.py",
            "--full-trace",
            "--postpress-live",
            "--postpress-base-url",
            stand_in.url,
            "--postpress-record",
            str(har),
            "--postpress-reconnect-body",
            str(body),
            "--basetemp",
            str(folder / "basetemp-live"),
            "-k",
            "TestLeakyRespx and (missing_key or real_reconnect or unknown_account)",
        )
    finally:
        stand_in.stop()
    live = Run()
    for name, content in [
        ("stdout", recorded.stdout),
        ("stderr", recorded.stderr),
        ("staging stdout", stand_in.stdout),
        ("staging stderr", stand_in.stderr),
    ]:
        live.add_stream(name, content)
    replayed = _pytest(
        folder,
        environment,
        "test_leaky.py",
        "--postpress-replay",
        str(har),
        "--postpress-reconnect-body",
        str(body),
        "--basetemp",
        str(folder / "basetemp-replay"),
        "-k",
        "TestLeakyRespx and (missing_key or real_reconnect or unknown_account)",
    )
    replay = Run()
    replay.add_stream("stdout", replayed.stdout)
    replay.add_stream("stderr", replayed.stderr)
    replay.add_files(folder, inputs=[folder / "test_leaky.py", body])
    live.add_files(folder, inputs=[folder / "test_leaky.py", body])
    return live, replay, har


def test_live_mode_with_a_recording_shows_no_planted_value(live_runs: tuple[Run, Run, Path]) -> None:
    live, _, har = live_runs
    assert "postpress: LIVE mode against" in live.text, live.text[-3000:]
    assert "reproduce with (the key from $POSTPRESS_API_KEY)" in live.text, live.text[-3000:]
    assert har.is_file()
    document = json.loads(har.read_text(encoding="utf-8"))
    assert document["log"]["entries"], "the exchanges are recorded"
    assert any("api_key=" in entry["request"]["url"] for entry in document["log"]["entries"])
    assert "INTERNALERROR" not in live.text
    assert hunt(live.others()) == []


def test_the_body_files_of_a_recording_are_private_and_hold_no_known_secret(
    live_runs: tuple[Run, Run, Path],
) -> None:
    """The key and the reconnect body's secrets never; a password the client chose itself stays (the line must
    send what the client sent), in a file only its owner reads."""
    live, _, har = live_runs
    folder = har.with_name(har.stem + "-bodies")
    files = list(folder.iterdir())
    assert files, "the leaky client's bodies hold secrets: they go to files"
    assert live.body_files().keys() == {str(path) for path in files}
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    known = [B64_KEY, *secret_values(planted_body("MAIL"))]
    assert hunt(live.body_files(), known) == []


def test_a_replay_shows_no_planted_value(live_runs: tuple[Run, Run, Path]) -> None:
    _, replay, _ = live_runs
    assert "postpress: REPLAY of the recording" in replay.text, replay.text[-3000:]
    assert hunt(replay.others()) == []


def test_an_internal_error_with_full_trace_shows_no_planted_value(tmp_path: Path) -> None:
    """pytest prints every frame's arguments on an INTERNALERROR with ``--full-trace``: none holds a secret."""
    (tmp_path / "conftest.py").write_text(
        textwrap.dedent(
            """
            import json, os

            def _explode(key, body):
                raise RuntimeError("the bodies folder is a plain file")

            def pytest_collection_finish(session):
                _explode(os.environ["POSTPRESS_API_KEY"], json.loads(os.environ["PLANT_PASSWORDS"]))
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "test_nothing.py").write_text("def test_nothing():\n    pass\n", encoding="utf-8")
    result = _pytest(tmp_path, {**_environment(), "POSTPRESS_API_KEY": LONG_KEY}, "--full-trace", "test_nothing.py")
    assert "INTERNALERROR" in result.stdout + result.stderr
    assert "_explode" in result.stdout + result.stderr
    run = Run()
    run.add_stream("stdout", result.stdout)
    run.add_stream("stderr", result.stderr)
    # The conftest reads the planted values from the environment; its text holds none.
    run.add_files(tmp_path, inputs=[tmp_path / "conftest.py"])
    assert hunt(run.outputs, [LONG_KEY]) == []


def test_a_base_url_with_credentials_is_refused_without_showing_them(tmp_path: Path) -> None:
    (tmp_path / "test_nothing.py").write_text("def test_nothing():\n    pass\n", encoding="utf-8")
    environment = {**_environment(), "POSTPRESS_API_KEY": LONG_KEY}
    outputs: dict[str, bytes] = {}
    for url in (f"https://user:{LONG_KEY}@staging.example", f"https://staging.example/?api_key={LONG_KEY}"):
        result = _pytest(tmp_path, environment, "--postpress-base-url", url, "test_nothing.py")
        assert "invalid --postpress-base-url value" in result.stderr, result.stderr
        outputs[url] = (result.stdout + result.stderr).encode()
    assert hunt(outputs, [LONG_KEY]) == []


# -- check, one-shot and persistent; serve and its control API (the 3-character key) -----------------------

PROGRAM = """
import base64, json, os, sys

def secrets(value, name=None):
    if isinstance(value, dict):
        return [found for key, sub in value.items() for found in secrets(sub, key)]
    if isinstance(value, list):
        return [found for item in value for found in secrets(item, name)]
    return [value] if isinstance(value, str) and name and ("password" in name or "token" in name) else []

for line in sys.stdin:
    request = json.loads(line)
    body = request.get("body", request) if "--persistent" in sys.argv else request
    key = request.get("api_key") or os.environ.get("POSTPRESS_API_KEY", "")
    # What a client prints when it logs too much: the key and the body's secrets, in several spellings.
    for secret in [key, *secrets(body)]:
        print("leaking", secret, json.dumps(secret), base64.b64encode(secret.encode()).decode(), file=sys.stderr)
    print("Authorization: Basic " + base64.b64encode(("user:" + key).encode()).decode(), file=sys.stderr)
    sys.stderr.flush()
    print("not the protocol " + key)
    sys.stdout.flush()
    if "--persistent" not in sys.argv:
        break
"""


@pytest.mark.parametrize("persistent", [False, True], ids=["one-shot", "persistent"])
def test_check_shows_no_planted_value(tmp_path: Path, persistent: bool) -> None:
    program = tmp_path / "leaky_program.py"
    program.write_text(PROGRAM, encoding="utf-8")
    environment = {**_environment(), "POSTPRESS_API_KEY": SHORT_KEY}
    argv = [sys.executable, "-m", "pytest_postpress", "check", "--junitxml", str(tmp_path / "junit.xml")]
    argv += ["--persistent"] if persistent else []
    argv += ["-k", "test_authentication or test_success", "--", sys.executable, str(program)]
    argv += ["--persistent"] if persistent else []
    result = subprocess.run(argv, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300)
    run = Run()
    run.add_stream("stdout", result.stdout)
    run.add_stream("stderr", result.stderr)
    run.add_files(tmp_path, inputs=[program])
    assert "line(s) of its standard error (secrets hidden)" in run.text, run.text[-3000:]
    assert "secret(s) of 1-3 characters" in run.text  # said once, in the summary
    assert hunt(run.outputs) == []


def test_serve_and_its_control_api_show_no_planted_value() -> None:
    server = StandIn(SHORT_KEY)
    answers: dict[str, bytes] = {}
    try:
        body = json.dumps(planted_body("MAIL")).encode()
        basic = base64.b64encode(f"user:{SHORT_KEY}".encode()).decode()
        for target in (f"/v1/accounts/{SHORT_KEY}?api_key={SHORT_KEY}", f"/elsewhere/{SHORT_KEY}"):
            request = urllib.request.Request(
                server.url + target,
                data=body,
                method="POST",
                headers={"X-API-KEY": SHORT_KEY, "Authorization": f"Basic {basic}", "Content-Type": "application/json"},
            )
            answers[target] = _read(request)
        for route in ("calls", "verify"):
            answers[route] = _read(urllib.request.Request(f"{server.url}/__postpress/{route}"))
    finally:
        server.stop()
    assert json.loads(answers["calls"]), "the journal lists the calls"
    assert b"not the reconnect route" in answers["verify"]
    outputs = {**answers, "serve stdout": server.stdout.encode(), "serve stderr": server.stderr.encode()}
    assert b"POST " in outputs["serve stderr"]  # the log has the request lines
    assert hunt(outputs) == []


def _read(request: urllib.request.Request) -> bytes:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return bytes(response.read())
    except urllib.error.HTTPError as error:
        return bytes(error.read())


# -- the curl line's body file, on its own --------------------------------------------------------------------


def test_a_body_file_is_rewritten_private_with_the_known_secrets_as_variables(tmp_path: Path) -> None:
    reconnect = tmp_path / "reconnect.json"
    reconnect.write_text(json.dumps(planted_body("MAIL"), ensure_ascii=False), encoding="utf-8")
    bodies = tmp_path / "bodies"
    bodies.mkdir(mode=0o755)
    sent = {**planted_body("MAIL"), "note": LONG_KEY}  # not the reconnect body: the key in it too
    # latin-1 on the wire: the passwords are read in any encoding.
    exchange = Exchange("POST", "/v1/accounts/x", None, None, "", url="https://staging.example/v1/accounts/x")
    exchange.request_content = json.dumps(sent, ensure_ascii=False).encode("utf-8")
    exchange.test = "t::test_x"
    scrubber = Scrubber([LONG_KEY], bodies=[json.loads(reconnect.read_text(encoding="utf-8"))])
    first = curl_line(exchange, api_key=LONG_KEY, bodies=bodies, reconnect_body=reconnect, scrubber=scrubber)
    [written] = list(bodies.iterdir())
    written.chmod(0o644)  # as an older run left it
    second = curl_line(exchange, api_key=LONG_KEY, bodies=bodies, reconnect_body=reconnect, scrubber=scrubber)
    assert first == second
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert stat.S_IMODE(bodies.stat().st_mode) == 0o700
    text = written.read_text(encoding="utf-8")
    assert "${POSTPRESS_API_KEY}" in text
    assert "${POSTPRESS_RECONNECT_IMAP_PASSWORD}" in text
    assert "${POSTPRESS_RECONNECT_SMTP_PASSWORD}" in text
    [variables] = re.findall(r"envsubst '([^']*)'", first)
    assert set(variables.split()) == {
        "$POSTPRESS_API_KEY",
        "$POSTPRESS_RECONNECT_IMAP_PASSWORD",
        "$POSTPRESS_RECONNECT_SMTP_PASSWORD",
    }
    assert hunt({"file": written.read_bytes(), "line": first.encode()}) == []
    # The line works: with the variables set, it sends the body the client sent.
    environment = {
        **os.environ,
        "POSTPRESS_API_KEY": LONG_KEY,
        "POSTPRESS_RECONNECT_IMAP_PASSWORD": PASSWORDS["imap_password"],
        "POSTPRESS_RECONNECT_SMTP_PASSWORD": PASSWORDS["smtp_password"],
    }
    data = first.split("--data-binary ", 1)[1]
    filled = subprocess.run(["sh", "-c", f"printf %s {data}"], env=environment, capture_output=True, text=True)
    assert json.loads(filled.stdout) == sent


def test_a_latin_1_or_bom_body_is_never_inline_in_clear(tmp_path: Path) -> None:
    reconnect = tmp_path / "reconnect.json"
    body = {"provider": "LINKEDIN", "username": "anna@acme.com", "password": PASSWORDS["password"]}
    reconnect.write_text(json.dumps(body), encoding="utf-8")
    scrubber = Scrubber([LONG_KEY], bodies=[body])
    for content in (
        json.dumps(body, ensure_ascii=False).encode("latin-1"),
        b"\xef\xbb\xbf" + json.dumps(body, ensure_ascii=False).encode("utf-8"),
    ):
        exchange = Exchange("POST", "/v1/accounts/x", None, None, "", url="https://staging.example/v1/accounts/x")
        exchange.request_content = content
        line = curl_line(exchange, api_key=LONG_KEY, bodies=tmp_path / "b", reconnect_body=reconnect, scrubber=scrubber)
        assert f"@{reconnect}" in line  # the same body: the line reads the reconnect body file
        assert hunt({"line": line.encode()}) == []


# -- the hunt can fail ---------------------------------------------------------------------------------------


def test_the_hunt_finds_every_spelling_of_every_planted_value() -> None:
    for value in PLANTED:
        for spelling, form in spellings(value).items():
            hits = hunt({"an unscrubbed output": b"before " + form + b" after"}, [value])
            assert any(spelling in hit for hit in hits), (value, spelling, hits)


def test_the_hunt_reports_a_secret_planted_into_an_unscrubbed_output(mock_run: Run) -> None:
    """The same outputs, one of them with a planted password added as a client would print it: the hunt says
    where and which."""
    leaked = dict(mock_run.outputs)
    leaked["stdout"] += json.dumps(PASSWORDS["password"]).encode()
    assert hunt(leaked) == [f"stdout: {PASSWORDS['password']!r} (JSON-escaped)"]


def test_the_scrubber_hides_what_the_hunt_finds() -> None:
    scrubber = Scrubber(PLANTED[:3], bodies=[PASSWORDS])
    assert secret_values(PASSWORDS) == set(PASSWORDS.values())
    for value in PLANTED:
        for form in spellings(value).values():
            text = form.decode("utf-8", "replace") if form.isascii() or _utf8(form) else form.decode("latin-1")
            assert hunt({"scrubbed": scrubber.text(f"<{text}>").encode()}, [value]) == [], (value, text)
        basic = base64.b64encode(f"user:{value}".encode()).decode()
        assert scrubber.text(f"Authorization: Basic {basic}") == f"Authorization: Basic {HIDDEN}"


def _utf8(form: bytes) -> bool:
    try:
        form.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_short_secrets_are_hidden_too() -> None:
    scrubber = Scrubber([SHORT_KEY])
    assert scrubber.short == [SHORT_KEY]
    assert scrubber.text(f"key={SHORT_KEY}; cut at {SHORT_KEY[:2]}...") == f"key={HIDDEN}; cut at {HIDDEN}..."


def test_a_recording_hides_the_secrets_of_a_body_in_any_encoding() -> None:
    """Leak 2: a body with a BOM, or in latin-1, is recorded with its secrets hidden (text or base64)."""
    from pytest_postpress.suite._har import hide_body

    body = {"provider": "LINKEDIN", "username": "anna@acme.com", "password": PASSWORDS["password"]}
    scrubber = Scrubber([LONG_KEY])
    for content in (
        b"\xef\xbb\xbf" + json.dumps(body, ensure_ascii=False).encode("utf-8"),
        json.dumps(body, ensure_ascii=False).encode("latin-1"),
    ):
        text, encoding = hide_body(content, scrubber)
        written = base64.b64decode(text) if encoding == "base64" else text.encode("utf-8")
        assert HIDDEN.encode() in written
        assert hunt({"post data": written, "as written": text.encode()}) == []


@pytest.mark.parametrize(
    "body",
    [
        [["password", PASSWORDS["password"]], ["provider", "LINKEDIN"]],
        json.dumps({"provider": "MAIL", "imap_password": PASSWORDS["imap_password"]}),
        "provider=LINKEDIN&password=" + urllib.parse.quote(PASSWORDS["password"]),
    ],
    ids=["list-of-pairs", "json-string", "form-string"],
)
def test_bodies_of_any_shape_are_shown_with_their_secrets_hidden(body: object) -> None:
    """Leak 10: "with the body (secrets hidden)" and "failing input (secrets hidden)" of a body that is not an
    object."""
    from pytest_postpress._redact import redacted_json

    assert secret_values(body)
    shown = redacted_json(body)
    assert HIDDEN in shown
    assert hunt({"shown": shown.encode()}) == []
