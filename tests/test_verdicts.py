"""Verdicts a client author can trust (issue 10): retries (rule 23), null bodies (rule 24), numbers (rule 25),
counts that add up, and the retry policy in the summary and the report."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from correct_clients import as_doubles

from pytest_postpress.doubles._http import Headers
from pytest_postpress.errors import ContractViolation
from pytest_postpress.suite._assertions import Assertions, Outcome, first_difference
from pytest_postpress.suite._results import COULD_NOT_RUN, Results

KEY = "pp_test_key_0123456789"
SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "pytest_postpress" / "report.schema.json").read_text())


# -- rule 25: numbers are JSON numbers ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expected", "found"),
    [
        (993, 993.0),
        (5.452979267241015e16, 54529792672410150),  # the same double, written two ways
        (9007199254740993, 9007199254740992),  # past 2**53: what every double-based JSON library sends
        (-(2**60) - 1, float(-(2**60))),
        (0.1, 0.1000000000000000055511151231257827),
    ],
)
def test_numbers_that_are_the_same_double_are_equal(expected: Any, found: Any) -> None:
    assert first_difference({"sync_limit": expected}, {"sync_limit": found}) is None


@pytest.mark.parametrize(
    ("expected", "found", "shown"),
    [
        (1, True, "found true"),  # a boolean is never a number
        (True, 1, "found 1"),
        (0, False, "found false"),
        (993, "993", 'found "993"'),  # a string is never a number
        (993, 994, "found 994"),
        (9007199254740992, 9007199254740994, "found 9007199254740994"),  # two different doubles
        (10**400, 10**400 + 1, "found 1000"),  # beyond any double: only the same integer is equal
        (1.5, None, "nulled"),
    ],
)
def test_numbers_that_differ_are_told(expected: Any, found: Any, shown: str) -> None:
    difference = first_difference({"n": expected}, {"n": found})
    assert difference is not None
    assert difference.startswith("at /n: ")
    assert shown in difference


def test_a_client_holding_numbers_as_doubles_sends_the_same_body() -> None:
    body = {"a": 5.452979267241015e16, "b": 9007199254740993, "c": [993, 0.5, True, "7"], "d": {"e": -0.0}}
    sent = json.loads(json.dumps(as_doubles(body)))
    assert json.dumps(sent) != json.dumps(body)  # it really writes them differently
    assert first_difference(body, sent) is None


# -- rule 23: retries -----------------------------------------------------------------------------------
@dataclass
class Call:
    """A recorded request, as the doubles record it (the fields the assertions read)."""

    status: int | None
    content: bytes = b'{"provider": "TELEGRAM", "phone_number": "+33600000000"}'
    method: str = "POST"
    raw_path: str = "/v1/accounts/acc_1"
    query: str = ""
    headers: Headers = field(default_factory=lambda: Headers({"X-API-KEY": KEY, "Content-Type": "application/json"}))


def check(max_attempts: int = 5) -> Assertions:
    return Assertions("retries", "https://api.postpress.ai", KEY, lambda error: None, max_attempts)


def test_identical_retries_after_retryable_answers_are_allowed() -> None:
    calls = [Call(503), Call(None), Call(502), Call(504), Call(201)]
    assert check().one_call(Outcome(result="acc_1", calls=calls)) is calls[0]


@pytest.mark.parametrize("status", [400, 401, 404, 409, 422, 425, 429, 500, 201])
def test_no_resend_after_an_answer_that_is_not_retryable(status: int) -> None:
    with pytest.raises(ContractViolation) as raised:
        check().one_call(Outcome(result="acc_1", calls=[Call(503), Call(status), Call(201)]))
    message = str(raised.value)
    assert f"attempt 3 after a {status} answer" in message
    assert "rule 23, see: python -m pytest_postpress rules 23" in message
    assert "DECISIONS" not in message


def test_attempts_are_bounded_by_postpress_max_attempts() -> None:
    assert check(max_attempts=2).one_call(Outcome(calls=[Call(503), Call(201)])) is not None
    with pytest.raises(ContractViolation, match=r"at most 2 attempts in all \(postpress_max_attempts"):
        check(max_attempts=2).one_call(Outcome(calls=[Call(503), Call(503), Call(201)]))


@pytest.mark.parametrize(
    ("retry", "told"),
    [
        (Call(201, method="PUT"), "sent PUT instead of POST"),
        (Call(201, raw_path="/v1/accounts/acc_2"), "sent the path '/v1/accounts/acc_2'"),
        (Call(201, query="attempt=2"), "sent the path"),
        (Call(201, headers=Headers({"Content-Type": "application/json"})), "dropped the X-API-KEY header"),
        (Call(201, headers=Headers({"X-API-KEY": KEY + "x"})), "another X-API-KEY value (values hidden)"),
        (Call(201, content=b'{"provider": "TELEGRAM"}'), "sent another body: at /phone_number: field dropped"),
        (Call(201, content=b""), "sent another body (0 bytes"),
    ],
)
def test_each_attempt_repeats_the_first(retry: Call, told: str) -> None:
    with pytest.raises(ContractViolation) as raised:
        check().one_call(Outcome(result="acc_1", calls=[Call(503), retry]))
    assert told in str(raised.value)
    assert KEY not in str(raised.value)


def test_a_body_equal_as_json_is_the_same_attempt() -> None:
    again = Call(201, content=b'{"phone_number":"+33600000000","provider":"TELEGRAM"}')
    assert check().one_call(Outcome(calls=[Call(503), again])) is not None


# -- rule 24: a null body --------------------------------------------------------------------------------
class Raised(Exception):
    status = 400
    type = "errors/invalid_request"


def identity(error: BaseException) -> tuple[int, str | None] | None:
    return (getattr(error, "status", 0), getattr(error, "type", None))


def test_a_null_body_sent_as_no_body_passes_when_the_400_is_raised() -> None:
    assertions = Assertions("invalid_body", "https://api.postpress.ai", KEY, identity)
    call = Call(400, content=b"", headers=Headers({"X-API-KEY": KEY}))
    assertions.invalid_body_sent(Outcome(error=Raised(), calls=[call]), call, None, 400, "x", "null")
    with pytest.raises(ContractViolation, match="null body sent as no body"):
        assertions.invalid_body_sent(Outcome(result="acc_1", calls=[call]), call, None, 400, "x", "null")


def test_a_null_body_sent_as_json_null_is_checked_as_sent() -> None:
    assertions = Assertions("invalid_body", "https://api.postpress.ai", KEY, identity)
    call = Call(400, content=b"null")
    assertions.invalid_body_sent(
        Outcome(error=Raised(), calls=[call]), call, None, 400, "errors/invalid_request", "null"
    )
    other = Call(400, content=b"{}")
    with pytest.raises(ContractViolation, match=r"at \(root\): expected null, found {}"):
        assertions.invalid_body_sent(Outcome(error=Raised(), calls=[other]), other, None, 400, "x", "null")


# -- counts that add up, retry policy ------------------------------------------------------------------
def test_results_count_crashes_as_could_not_run_never_as_a_pass_or_a_verdict() -> None:
    results = Results()
    record = {"client": "TestMine", "check": "fuzz_responses", "examples": 0}
    results.add([record], "failed", 0.1, "AttributeError: module 'strategies' has no attribute 'success_bodies'")
    results.add([{**record, "check": "success"}], "passed", 0.1)
    results.add([{**record, "check": "body[MAIL]"}], "failed", 0.1)
    client = results.clients["TestMine"]
    assert client.checks["fuzz_responses"].outcome == COULD_NOT_RUN
    assert client.failed == ["body[MAIL]"]
    lines = results.summary_lines()
    assert lines[0].startswith("TestMine: 1/3 checks passed (1 failed, 1 could not run)")
    assert "  COULD NOT RUN fuzz_responses: AttributeError: module 'strategies' has no attribute" in "\n".join(lines)


def test_retry_policy_is_folded_per_client() -> None:
    results = Results()
    base = {"client": "TestRetrying", "examples": 1}
    results.add([{**base, "check": "a", "retries": {"statuses": ["503"], "attempts": 3, "pause": 0.2}}], "passed", 0)
    results.add(
        [{**base, "check": "b", "retries": {"statuses": ["no answer", "502"], "attempts": 2, "pause": 0.05}}],
        "failed",
        0,
    )
    client = results.clients["TestRetrying"]
    assert client.retry_policy() == {
        "statuses_retried": ["502", "503", "no answer"],
        "most_attempts": 3,
        "shortest_pause": 0.05,
    }
    assert (
        client.retry_line()
        == "retry policy observed: retried 502, 503, no answer; at most 3 attempts; shortest pause 0.050 s"
    )


CRASHING = """
import types
import httpx
import pytest
import pytest_postpress.suite.contract as contract
from pytest_postpress import ReconnectContract

# The user's environment shadows what the suite imports (as a project's own tests/strategies.py once did).
contract.strategies = types.SimpleNamespace()


class TestMine(ReconnectContract):
    @pytest.fixture
    def postpress_reconnect(self, postpress_base_url, postpress_api_key):
        http = httpx.Client(base_url=postpress_base_url, headers={"X-API-KEY": postpress_api_key})

        def reconnect(account_id, body):
            response = http.post("/v1/accounts/" + account_id, json=body)
            if response.status_code != 201:
                raise RuntimeError(f"{response.status_code}")  # tells no identity the suite can read
            return response.json()["account_id"]

        yield reconnect
        http.close()
"""


def test_summary_and_report_count_every_check_that_did_not_pass(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_mine=CRASHING)
    report = pytester.path / "report.json"
    # In a subprocess: the shadowing must not leak into this process's copy of the suite.
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--postpress-report={report}")
    outcomes = result.parseoutcomes()
    line = next(text for text in result.stdout.lines if text.startswith("TestMine: "))
    passed, total = (int(part) for part in line.split(":")[1].split()[0].split("/"))
    assert passed == outcomes["passed"]
    assert total == outcomes["passed"] + outcomes["failed"] + outcomes.get("skipped", 0)
    assert "4 could not run" in line, line
    for name in ("request_line", "fuzz_valid_bodies", "fuzz_invalid_bodies", "fuzz_responses"):
        result.stdout.fnmatch_lines([f"  COULD NOT RUN {name}: AttributeError: *"])
    result.stdout.fnmatch_lines(["  FAILED documented_error[[]400-invalid_parameters[]]"])  # a verdict stays one
    data = json.loads(report.read_text())
    jsonschema.validate(data, SCHEMA)
    (client,) = data["clients"]
    assert sorted(client["checks_could_not_run"]) == sorted(
        ["request_line", "fuzz_valid_bodies", "fuzz_invalid_bodies", "fuzz_responses"]
    )
    crashed = [check for check in client["checks"] if check["outcome"] == COULD_NOT_RUN]
    assert all(check["problem"].startswith("AttributeError: ") for check in crashed)
    assert client["retry_policy"] == {"statuses_retried": [], "most_attempts": 1, "shortest_pause": None}
