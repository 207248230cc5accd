"""The JUnit XML of a contract run holds each check's record as JSON that any tool can parse."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one-process", "xdist"])
def test_junit_properties_are_json(pytester: pytest.Pytester, workers: list[str]) -> None:
    # A conftest, not syspathinsert: the xdist workers are other processes.
    pytester.makeconftest(f"import sys\nsys.path.insert(0, {str(EXAMPLES)!r})\n")
    pytester.makepyfile(
        test_client="""
import pytest
from postpress_httpx import PostpressClient
from pytest_postpress import ReconnectContract


class TestClient(ReconnectContract):
    @pytest.fixture
    def postpress_reconnect(self, postpress_base_url, postpress_api_key):
        client = PostpressClient(base_url=postpress_base_url, api_key=postpress_api_key)
        yield client.accounts.reconnect
        client.close()
"""
    )
    junit = pytester.path / "junit.xml"
    report = pytester.path / "report.json"
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "-k",
        "success or body or documented_error",
        f"--junitxml={junit}",
        f"--postpress-report={report}",
        *workers,
    )
    outcomes = result.parseoutcomes()
    passed = outcomes["passed"]
    assert passed >= 48, outcomes  # 1 success, 12 bodies, 35 documented errors, and the other checks -k matches
    assert "failed" not in outcomes
    values = [
        prop.get("value", "")
        for case in ET.parse(junit).getroot().iter("testcase")
        for prop in case.iter("property")
        if prop.get("name") == "postpress"
    ]
    records = [json.loads(value) for value in values]  # every value is JSON text
    assert len({record["check"] for record in records}) == passed  # every check has its record
    assert {record["client"] for record in records} == {"TestClient"}
    assert {"success", "body[MAIL]", "documented_error[409-already_exists]"} <= {record["check"] for record in records}
    # The report, merged from the same records (on the xdist controller too), still counts every check.
    merged = json.loads(report.read_text(encoding="utf-8"))
    assert merged["clients"][0]["name"] == "TestClient"
    assert len(merged["clients"][0]["checks"]) == passed
