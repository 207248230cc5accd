"""Recording live sessions (``--postpress-record``), replaying them offline (``--postpress-replay``), and the
``curl`` line of each live failure, against ``python -m pytest_postpress serve`` stand-ins in subprocesses."""

from __future__ import annotations

import http.client
import json
import os
import re
import shlex
import stat
import subprocess
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from test_live import ACCOUNT, EXAMPLES, KEY, PASSWORD, requests_received, run_live, stand_in

from pytest_postpress._redact import redact
from pytest_postpress.suite._har import Recording, body_key, hide_body

HTTPX = str(EXAMPLES / "test_httpx_client.py")
REQUESTS = str(EXAMPLES / "test_requests_client.py")


@pytest.fixture(autouse=True)
def live_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTPRESS_API_KEY", KEY)
    monkeypatch.setenv("POSTPRESS_ACCOUNT_ID", ACCOUNT)
    for name in ("RECORD", "REPLAY", "LIVE", "BASE_URL"):
        monkeypatch.delenv(f"POSTPRESS_{name}", raising=False)


def replay(pytester: pytest.Pytester, har: Path, *extra: str, files: tuple[str, ...] = (HTTPX,)) -> pytest.RunResult:
    return pytester.runpytest_subprocess(*files, "-p", "no:cacheprovider", "--postpress-replay", str(har), *extra)


# -- HAR 1.2, as the specification lists the required fields ------------------------------------------------

_NAME_VALUE = {
    "type": "object",
    "required": ["name", "value"],
    "properties": {"name": {"type": "string"}, "value": {"type": "string"}},
}
HAR_1_2 = {
    "type": "object",
    "required": ["log"],
    "properties": {
        "log": {
            "type": "object",
            "required": ["version", "creator", "entries"],
            "properties": {
                "version": {"const": "1.2"},
                "creator": {
                    "type": "object",
                    "required": ["name", "version"],
                    "properties": {"name": {"type": "string"}, "version": {"type": "string"}},
                },
                "entries": {"type": "array", "items": {"$ref": "#/definitions/entry"}},
                "comment": {"type": "string"},
            },
        }
    },
    "definitions": {
        "entry": {
            "type": "object",
            "required": ["startedDateTime", "time", "request", "response", "cache", "timings"],
            "properties": {
                "startedDateTime": {
                    "type": "string",
                    "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$",
                },
                "time": {"type": "number", "minimum": 0},
                "request": {
                    "type": "object",
                    "required": [
                        "method",
                        "url",
                        "httpVersion",
                        "cookies",
                        "headers",
                        "queryString",
                        "headersSize",
                        "bodySize",
                    ],
                    "properties": {
                        "method": {"type": "string"},
                        "url": {"type": "string", "pattern": "^https?://"},
                        "httpVersion": {"type": "string"},
                        "cookies": {"type": "array", "items": _NAME_VALUE},
                        "headers": {"type": "array", "items": _NAME_VALUE},
                        "queryString": {"type": "array", "items": _NAME_VALUE},
                        "postData": {
                            "type": "object",
                            "required": ["mimeType"],
                            "properties": {"mimeType": {"type": "string"}, "text": {"type": "string"}},
                        },
                        "headersSize": {"type": "integer"},
                        "bodySize": {"type": "integer"},
                    },
                },
                "response": {
                    "type": "object",
                    "required": [
                        "status",
                        "statusText",
                        "httpVersion",
                        "cookies",
                        "headers",
                        "content",
                        "redirectURL",
                        "headersSize",
                        "bodySize",
                    ],
                    "properties": {
                        "status": {"type": "integer"},
                        "statusText": {"type": "string"},
                        "httpVersion": {"type": "string"},
                        "cookies": {"type": "array", "items": _NAME_VALUE},
                        "headers": {"type": "array", "items": _NAME_VALUE},
                        "content": {
                            "type": "object",
                            "required": ["size", "mimeType"],
                            "properties": {
                                "size": {"type": "integer"},
                                "mimeType": {"type": "string"},
                                "text": {"type": "string"},
                                "encoding": {"type": "string"},
                            },
                        },
                        "redirectURL": {"type": "string"},
                        "headersSize": {"type": "integer"},
                        "bodySize": {"type": "integer"},
                    },
                },
                "cache": {"type": "object"},
                "timings": {
                    "type": "object",
                    "required": ["send", "wait", "receive"],
                    "properties": {
                        name: {"type": "number", "minimum": -1}
                        for name in ("blocked", "dns", "connect", "send", "wait", "receive", "ssl")
                    },
                },
            },
            # Custom fields must start with an underscore (HAR 1.2, "Custom fields").
            "patternProperties": {"^_": {}},
            "additionalProperties": False,
        }
    },
}


def assert_har_1_2(document: Any) -> None:
    jsonschema.Draft7Validator.check_schema(HAR_1_2)
    errors = sorted(jsonschema.Draft7Validator(HAR_1_2).iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(error.path)}: {error.message}" for error in errors[:5]]
    entries = document["log"]["entries"]
    started = [entry["startedDateTime"] for entry in entries]
    assert started == sorted(started), "entries are in time order"
    for entry in entries:
        # "time" is the sum of the timings that apply (-1: does not apply).
        spent = sum(value for value in entry["timings"].values() if value != -1)
        assert entry["time"] == pytest.approx(spent, abs=0.01)


def test_the_har_validator_rejects_what_is_not_har() -> None:
    """The structure check above can fail: each required field removed is caught."""
    good = {
        "log": {
            "version": "1.2",
            "creator": {"name": "x", "version": "1"},
            "entries": [
                {
                    "startedDateTime": "2026-01-01T00:00:00.000000+00:00",
                    "time": 1.0,
                    "request": {
                        "method": "POST",
                        "url": "https://h/v1",
                        "httpVersion": "HTTP/1.1",
                        "cookies": [],
                        "headers": [],
                        "queryString": [],
                        "headersSize": -1,
                        "bodySize": 0,
                    },
                    "response": {
                        "status": 200,
                        "statusText": "OK",
                        "httpVersion": "HTTP/1.1",
                        "cookies": [],
                        "headers": [],
                        "content": {"size": 0, "mimeType": "x"},
                        "redirectURL": "",
                        "headersSize": -1,
                        "bodySize": 0,
                    },
                    "cache": {},
                    "timings": {"send": 0, "wait": 1.0, "receive": 0},
                }
            ],
        }
    }
    assert_har_1_2(good)
    for path in (
        ("log", "creator"),
        ("log", "entries", 0, "cache"),
        ("log", "entries", 0, "request", "queryString"),
        ("log", "entries", 0, "response", "redirectURL"),
        ("log", "entries", 0, "response", "content", "mimeType"),
        ("log", "entries", 0, "timings", "wait"),
    ):
        broken = json.loads(json.dumps(good))
        node = broken
        for step in path[:-1]:
            node = node[step]
        del node[path[-1]]
        with pytest.raises(AssertionError):
            assert_har_1_2(broken)


# -- recording --------------------------------------------------------------------------------------------


def test_a_recording_is_har_1_2_with_every_exchange_and_no_secret(pytester: pytest.Pytester) -> None:
    body = pytester.path / "body.json"
    body.write_text(json.dumps({"provider": "LINKEDIN", "username": "anna@acme.com", "password": PASSWORD}))
    har = pytester.path / "out" / "staging.har"
    with stand_in() as (url, log):
        result = run_live(pytester, url, "--postpress-record", str(har), "--postpress-reconnect-body", str(body))
    assert result.ret == 0, result.stdout.str()
    text = har.read_text(encoding="utf-8")
    # Neither the key nor the password, anywhere in the file (headers, bodies, URLs, comments).
    assert KEY not in text
    assert PASSWORD not in text
    document = json.loads(text)
    assert_har_1_2(document)
    entries = document["log"]["entries"]
    assert len(entries) == requests_received(log)
    result.stdout.fnmatch_lines([f"postpress: {len(entries)} exchanges with the live server recorded to {har} *"])
    keyed = [entry for entry in entries if any(h["name"].lower() == "x-api-key" for h in entry["request"]["headers"])]
    assert keyed, "the keyed requests are recorded"
    for entry in keyed:
        [value] = [h["value"] for h in entry["request"]["headers"] if h["name"].lower() == "x-api-key"]
        assert value == "<hidden>"
    real = [e for e in entries if e["_postpress"]["test"].endswith("TestHttpxClient::test_real_reconnect")]
    [reconnect] = real
    assert json.loads(reconnect["request"]["postData"]["text"]) == {
        "provider": "LINKEDIN",
        "username": "anna@acme.com",
        "password": "<hidden>",
    }
    assert reconnect["response"]["status"] == 201
    assert json.loads(reconnect["response"]["content"]["text"])["object"] == "AccountReconnected"
    # Every entry says which test sent it; documented answers carry no violation.
    assert {entry["_postpress"]["test"].split("::")[1] for entry in entries} == {
        "TestHttpxClient",
        "TestAsyncHttpxClient",
        "TestRequestsClient",
    }
    assert all(entry["_postpress"]["violations"] == [] for entry in entries)


def test_violations_are_recorded_per_entry(pytester: pytest.Pytester) -> None:
    har = pytester.path / "drift.har"
    with drifting_staging() as (url, _):
        run_live(pytester, url, "--postpress-record", str(har), "-k", "hostile_id", files=(HTTPX,))
    entries = json.loads(har.read_text())["log"]["entries"]
    drifted = [entry for entry in entries if entry["response"]["status"] == 500]
    assert drifted, entries
    for entry in drifted:
        assert entry["response"]["content"]["mimeType"] == "text/html"
        assert any("not JSON" in violation for violation in entry["_postpress"]["violations"])


def test_under_xdist_the_controller_merges_the_workers_entries_in_time_order(pytester: pytest.Pytester) -> None:
    har = pytester.path / "merged.har"
    with stand_in() as (url, log):
        result = run_live(pytester, url, "--postpress-record", str(har), "-n", "2")
    assert result.ret == 0, result.stdout.str()
    text = har.read_text()
    assert KEY not in text
    document = json.loads(text)
    assert_har_1_2(document)  # includes: entries in time order
    entries = document["log"]["entries"]
    assert len(entries) == requests_received(log) == 3 * 11
    assert not list(pytester.path.glob("merged*.har.*")), "no leftover part files"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(
            ("--postpress-record", "x.har"), "*--postpress-record value 'x.har' * records live mode only*", id="mock"
        ),
        pytest.param(
            ("--postpress-replay", "absent.har"), "*cannot read --postpress-replay file 'absent.har'*", id="absent"
        ),
        pytest.param(
            ("--postpress-replay", "not.har"), "*--postpress-replay file 'not.har' * is not a HAR file*", id="not-har"
        ),
        pytest.param(
            ("--postpress-replay", "ok.har", "--postpress-live", "--postpress-base-url", "http://127.0.0.1:9"),
            "*cannot be combined with --postpress-live*",
            id="replay-and-live",
        ),
        pytest.param(
            ("--postpress-replay", "ok.har", "--postpress-record", "x.har"),
            "*--postpress-record * and --postpress-replay * cannot be combined*",
            id="record-and-replay",
        ),
    ],
)
def test_usage_errors(pytester: pytest.Pytester, arguments: tuple[str, ...], message: str) -> None:
    (pytester.path / "not.har").write_text('{"entries": []}')
    (pytester.path / "ok.har").write_text('{"log": {"version": "1.2", "entries": []}}')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *arguments)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {message}"])


def test_record_from_the_environment_and_the_ini_file(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    ini = pytester.makeini("[pytest]\npostpress_record = ini.har\n")
    with stand_in() as (url, _):
        run_live(pytester, url, "-c", str(ini), "-k", "missing_key", files=(HTTPX,))
        assert (pytester.path / "ini.har").is_file()
        monkeypatch.setenv("POSTPRESS_RECORD", str(pytester.path / "env.har"))
        run_live(pytester, url, "-c", str(ini), "-k", "missing_key", files=(HTTPX,))
        assert (pytester.path / "env.har").is_file()
    monkeypatch.delenv("POSTPRESS_RECORD")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.stderr.fnmatch_lines(["ERROR: *--postpress-record value 'ini.har' from ini postpress_record*"])


# -- replay -----------------------------------------------------------------------------------------------


class _DriftingFront(BaseHTTPRequestHandler):
    """A staging that drifts: ``serve`` behind it, except two answers outside the documented contract."""

    protocol_version = "HTTP/1.1"
    upstream = ""

    def do_POST(self) -> None:
        content = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if "%25" in self.path:  # the hostile id "100%": an HTML 500 from a proxy
            self._answer(500, "text/html", b"<html><body>500 Internal Server Error</body></html>")
            return
        if "acc_postpress_contract_unknown_" in self.path:  # an undocumented 404 type
            envelope = {"title": "Not Found", "type": "errors/account_gone", "status": 404}
            self._answer(404, "application/json", json.dumps(envelope).encode())
            return
        parts = urllib.parse.urlsplit(self.upstream)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
        try:
            headers = {name: value for name, value in self.headers.items() if name.lower() != "host"}
            connection.request("POST", self.path, body=content, headers=headers)
            answer = connection.getresponse()
            self._answer(answer.status, answer.getheader("Content-Type", ""), answer.read())
        finally:
            connection.close()

    def _answer(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def drifting_staging() -> Iterator[tuple[str, list[str]]]:
    """``serve`` (a subprocess) behind a front that drifts on two requests; yields the front's URL and serve's log."""
    with stand_in() as (upstream, log):
        handler = type("Front", (_DriftingFront,), {"upstream": upstream})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}", log
        finally:
            server.shutdown()
            server.server_close()
            thread.join()


def verdicts(result: pytest.RunResult) -> list[str]:
    """Each test's outcome and first failure line (``-rA``), and the outside-contract section, sorted."""
    lines = [line for line in result.stdout.lines if re.match(r"(PASSED|FAILED|SKIPPED|ERROR) ", line)]
    return sorted(lines)


def outside_section(result: pytest.RunResult) -> list[str]:
    lines = result.stdout.lines
    start = next(i for i, line in enumerate(lines) if "= responses outside the documented contract =" in line)
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("="))
    return lines[start + 1 : end]


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_a_replay_gives_the_verdicts_of_the_recorded_run(pytester: pytest.Pytester, workers: tuple[str, ...]) -> None:
    har = pytester.path / "drift.har"
    files = (HTTPX, REQUESTS)
    with drifting_staging() as (url, _):
        live = run_live(pytester, url, "--postpress-record", str(har), "-rA", *workers, files=files)
    # The stand-in and its front are stopped: the replay is offline.
    offline = replay(pytester, har, "-rA", *workers, files=files)
    assert live.ret == offline.ret == 1
    live_verdicts, offline_verdicts = verdicts(live), verdicts(offline)
    assert any(line.startswith("FAILED") for line in live_verdicts)
    assert any(line.startswith("PASSED") for line in live_verdicts)
    assert offline_verdicts == live_verdicts
    section = outside_section(live)
    assert any("-> 500 (text/html)" in line for line in section), section
    assert any("errors/account_gone" in line for line in section), section
    if workers:  # reports arrive in another order from two workers
        assert sorted(outside_section(offline)) == sorted(section)
    else:
        assert outside_section(offline) == section
    offline.stdout.fnmatch_lines([f"postpress: REPLAY of the recording {har} (offline)*"])
    assert KEY not in offline.stdout.str()


def test_a_request_the_recording_lacks_fails_saying_so(pytester: pytest.Pytester) -> None:
    har = pytester.path / "partial.har"
    with stand_in() as (url, _):
        run_live(pytester, url, "--postpress-record", str(har), "-k", "TestHttpxClient and missing_key")
    result = replay(pytester, har, "-k", "missing_key or unknown_account")
    outcomes = result.parseoutcomes()
    assert (outcomes["passed"], outcomes["failed"]) == (1, 3), result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*[[]unknown_account[]] the contract requires the recording to cover every request of this check*",
            "*(replay) sent a request the recording does not cover: the recording * has no request for "
            "POST /v1/accounts/acc_postpress_contract_unknown_*",
        ]
    )
    # The async client's missing_key: one recorded answer, already given to the sync client's check.
    result.stdout.fnmatch_lines(["*none with this body * or every matching answer was already given*"])
    # Not staging's answer: not listed among the responses outside the documented contract.
    assert "responses outside the documented contract" not in result.stdout.str()


def test_a_replay_uses_another_key_and_password(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    body = pytester.path / "body.json"
    body.write_text(json.dumps({"provider": "INSTAGRAM", "username": "anna.ig", "password": PASSWORD}))
    har = pytester.path / "real.har"
    with stand_in() as (url, _):
        run_live(pytester, url, "--postpress-record", str(har), "--postpress-reconnect-body", str(body), files=(HTTPX,))
    body.write_text(json.dumps({"provider": "INSTAGRAM", "username": "anna.ig", "password": "another-Passw0rd"}))
    monkeypatch.setenv("POSTPRESS_API_KEY", "pp_live_another_key_0000")
    result = replay(pytester, har, "--postpress-reconnect-body", str(body))
    assert result.parseoutcomes()["passed"] == 2 * 12, result.stdout.str()  # the 11 live-safe checks + the real one


# -- the HAR helpers, without a server -------------------------------------------------------------------


def test_hiding_keeps_the_shape_and_hides_every_secret_field() -> None:
    body = {
        "provider": "MESSENGER",
        "cookies": [{"name": "xs", "value": "c00kie"}],
        "headers": {"User-Agent": "UA-value"},
        "proxy": {"host": "p", "port": 1, "password": "proxy-pass"},
    }
    assert redact(body) == {
        "provider": "MESSENGER",
        "cookies": [{"name": "xs", "value": "<hidden>"}],
        "headers": {"User-Agent": "<hidden>"},
        "proxy": {"host": "p", "port": 1, "password": "<hidden>"},
    }
    # A secret echoed elsewhere (here in a non-JSON answer) is scrubbed as text.
    text, encoding = hide_body(b"<p>bad password proxy-pass</p>", {"proxy-pass"})
    assert (text, encoding) == ("<p>bad password <hidden></p>", None)
    assert hide_body(b"\xff\xfe", ()) == ("//4=", "base64")


def _entry(test: str, status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "startedDateTime": "2026-01-01T00:00:00+00:00",
        "request": {
            "method": "POST",
            "url": "https://staging.example/api/v1/accounts/acc_1",
            "postData": {"mimeType": "application/json", "text": json.dumps(body)},
        },
        "response": {"status": status, "headers": [], "content": {"size": 0, "mimeType": "application/json"}},
        "_postpress": {"test": test},
    }


def test_the_nth_matching_request_gets_the_nth_answer_and_its_own_tests_first() -> None:
    recorded = {"provider": "TELEGRAM", "password": "[hidden]"}
    document = {
        "log": {
            "_postpress": {"prefix": "/api"},
            "entries": [_entry("t::a", 503, recorded), _entry("t::a", 201, recorded), _entry("t::b", 409, recorded)],
        }
    }
    recording = Recording(document, source="x.har")
    assert recording.prefix == "/api"
    sent = json.dumps({"password": "whatever-it-is", "provider": "TELEGRAM"}).encode()
    take = [
        recording.take("POST", "/api/v1/accounts/acc_1", sent, test=test, secrets=())
        for test in ("t::b", "t::a", "t::a", "t::a")
    ]
    assert [answer.status if answer else None for answer in take] == [409, 503, 201, None]
    assert recording.take("POST", "/api/v1/accounts/acc_1", b'{"provider": "X"}', test="t::b", secrets=()) is None
    assert body_key(b'{"a": 1, "b": 1.0}') != body_key(b'{"a": 1.0, "b": 1}')


# -- one line to reproduce a live failure -----------------------------------------------------------------


def curl_lines_of(result: pytest.RunResult) -> list[str]:
    return [line.strip() for line in result.stdout.lines if line.strip().startswith("curl ")]


def test_each_live_failure_prints_a_curl_line_that_reproduces_it(pytester: pytest.Pytester) -> None:
    har = pytester.path / "rec" / "failing.har"
    with stand_in("--error", "503:errors/no_channel") as (url, log):
        result = run_live(
            pytester,
            url,
            "--postpress-record",
            str(har),
            "-k",
            "TestHttpxClient and (missing_key or missing-parameters)",
            files=(HTTPX,),
        )
        assert result.parseoutcomes()["failed"] == 2, result.stdout.str()
        result.stdout.fnmatch_lines(["*reproduce with (the key from $POSTPRESS_API_KEY):*"])
        lines = curl_lines_of(result)
        assert len(lines) == 2, lines
        missing_key, missing_parameters = lines
        for line in lines:
            assert KEY not in line
        # The missing_key request has a sample body with a (fake) password: in a file next to the recording.
        assert "x-api-key" not in missing_key.lower()  # the check sends none
        [body_file] = [word[1:] for word in shlex.split(missing_key) if word.startswith("@")]
        assert Path(body_file).parent == har.parent / "failing-bodies"
        assert stat.S_IMODE(os.stat(body_file).st_mode) == 0o600
        assert json.loads(Path(body_file).read_text())["provider"] == "LINKEDIN"
        # No secret in the body: inline; the key from the environment.
        assert '-H "x-api-key: $POSTPRESS_API_KEY"' in missing_parameters
        assert '--data-binary \'{"provider": "LINKEDIN", "username": "anna@acme.com"}\'' in missing_parameters
        answers = [
            subprocess.run(
                ["sh", "-c", line], capture_output=True, text=True, env={**os.environ, "POSTPRESS_API_KEY": KEY}
            )
            for line in lines
        ]
    # Each line sent its request again, and got the failure's answer.
    for answer in answers:
        assert answer.returncode == 0, answer.stderr
        assert answer.stdout.startswith("HTTP/1.1 503"), answer.stdout
        assert "errors/no_channel" in answer.stdout
    assert requests_received(log) == 2 + 2


def test_the_real_reconnect_line_reads_the_body_file_given(pytester: pytest.Pytester) -> None:
    body = pytester.path / "body.json"
    body.write_text(json.dumps({"provider": "LINKEDIN", "username": "anna@acme.com", "password": PASSWORD}))
    with stand_in("--error", "401:errors/invalid_credentials") as (url, _):
        result = run_live(
            pytester,
            url,
            "--postpress-reconnect-body",
            str(body),
            "-k",
            "TestHttpxClient and real_reconnect",
            files=(HTTPX,),
        )
    [line] = curl_lines_of(result)
    assert f"--data-binary @{body}" in line
    assert PASSWORD not in result.stdout.str() + result.stderr.str()
    assert KEY not in result.stdout.str()
