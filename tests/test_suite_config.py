"""A misconfigured ReconnectContract gets a message that says what, where and how to fix it."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

CLIENT = """
import pytest
from pytest_postpress import ReconnectContract

{body}
"""


def run(pytester: pytest.Pytester, body: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(CLIENT.format(body=body))
    return pytester.runpytest("-p", "no:cacheprovider", "-k", "test_success", *args)


def test_missing_postpress_reconnect(pytester: pytest.Pytester) -> None:
    result = run(pytester, "class TestNothing(ReconnectContract):\n    pass\n")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*TestNothing subclasses ReconnectContract but does not override the postpress_reconnect fixture*",
            "*def postpress_reconnect(self, postpress_base_url, postpress_api_key):*",
        ]
    )


def test_postpress_reconnect_that_is_not_callable(pytester: pytest.Pytester) -> None:
    body = """
class TestClient(ReconnectContract):
    @pytest.fixture
    def postpress_reconnect(self):
        return {"not": "callable"}
"""
    result = run(pytester, body)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*postpress_reconnect returned dict, not a callable*client.accounts.reconnect*"])


def test_unknown_transport(pytester: pytest.Pytester) -> None:
    body = """
class TestClient(ReconnectContract):
    @pytest.fixture
    def postpress_transport(self):
        return "grpc"

    @pytest.fixture
    def postpress_reconnect(self):
        return lambda account_id, body: account_id
"""
    result = run(pytester, body)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*postpress_transport returned 'grpc'; expected 'respx', 'responses' or 'server'*"])


def test_bad_transport_option(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--postpress-transport", "grpc")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*invalid --postpress-transport value 'grpc'*expected one of respx, responses, server*"]
    )


def test_identity_override_with_a_bad_return_shape(pytester: pytest.Pytester) -> None:
    body = """
from postpress_httpx import PostpressClient


@pytest.fixture
def postpress_error_identity():
    return lambda error: 404


class TestClient(ReconnectContract):
    @pytest.fixture
    def postpress_reconnect(self, postpress_base_url, postpress_api_key):
        client = PostpressClient(base_url=postpress_base_url, api_key=postpress_api_key)
        yield client.accounts.reconnect
        client.close()
"""
    pytester.syspathinsert(str(EXAMPLES))
    pytester.makepyfile(CLIENT.format(body=body))
    result = pytester.runpytest("-p", "no:cacheprovider", "-k", "documented_error and 409-already")
    result.assert_outcomes(failed=1, deselected=result.parseoutcomes()["deselected"])
    result.stdout.fnmatch_lines(
        [
            "*the contract requires postpress_error_identity to return (status: int, type: str | None) or None",
            "*and postpress_error_identity returned 404",
        ]
    )


def test_an_identity_override_in_a_conftest_is_used(pytester: pytest.Pytester) -> None:
    pytester.syspathinsert(str(EXAMPLES))
    pytester.makeconftest(
        """
import pytest

@pytest.fixture
def postpress_error_identity():
    # Reads only the status: every documented-error check must then fail on the type.
    return lambda error: (getattr(error, "status", 0), None)
"""
    )
    body = """
from postpress_httpx import PostpressClient


class TestClient(ReconnectContract):
    @pytest.fixture
    def postpress_reconnect(self, postpress_base_url, postpress_api_key):
        client = PostpressClient(base_url=postpress_base_url, api_key=postpress_api_key)
        yield client.accounts.reconnect
        client.close()
"""
    pytester.makepyfile(CLIENT.format(body=body))
    result = pytester.runpytest("-p", "no:cacheprovider", "-k", "documented_error")
    result.assert_outcomes(failed=35)
    result.stdout.fnmatch_lines(["*identified as (409, None)*"])
