"""Verdicts that do not depend on the draw: the fuzz checks try, first on every run, what a draw holds only now
and then (an id with a NUL, a '+', a space..., a valid body with an empty string or a phone username, a 201 with
undocumented fields).  Each client here mishandles one such input only; with one drawn example per check (the
simplest one, which holds none of them) the check still fails, on the example tried first."""

from __future__ import annotations

from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[1]

HEADER = """
import sys
import urllib.parse
import pytest
sys.path[:0] = [{examples!r}, {tests!r}]
from broken_clients import Reference
from pytest_postpress import ReconnectContract


class TestClient(ReconnectContract):
    @pytest.fixture
    def postpress_reconnect(self, postpress_base_url, postpress_api_key):
        client = Client(base_url=postpress_base_url, api_key=postpress_api_key)
        yield client.reconnect
        client.close()
"""

CLIENTS = {
    "plus-in-id": (
        "request_line",
        """
class Client(Reference):
    def path(self, account_id):
        return "/v1/accounts/" + urllib.parse.quote(account_id, safe="+")  # a form-encoding habit
""",
        "failing input (secrets hidden): account id 'acc+01J'",
    ),
    "drops-empty-strings": (
        "fuzz_valid_bodies",
        """
class Client(Reference):
    def prepare(self, body):
        return {name: value for name, value in body.items() if value != ""}
""",
        "/user_agent: field dropped",
    ),
    "phone-username-refused": (
        "fuzz_valid_bodies",
        """
class Client(Reference):
    def reconnect(self, account_id, body):
        if body.get("provider") == "LINKEDIN" and "@" not in str(body.get("username", "@")):
            raise ValueError("username must be an email")
        return super().reconnect(account_id, body)
""",
        "sent nothing and raised builtins.ValueError('username must be an email')",
    ),
    "success-with-extra-fields": (
        "fuzz_responses",
        """
class Client(Reference):
    def read(self, response, account_id):
        if response.status_code == 201 and set(response.json()) != {"object", "account_id"}:
            raise ValueError("unexpected fields in the success body")
        return super().read(response, account_id)
""",
        "raised builtins.ValueError('unexpected fields in the success body') on a 201",
    ),
}


@pytest.mark.parametrize("name", list(CLIENTS))
def test_a_rare_input_is_tried_on_every_run(pytester: pytest.Pytester, name: str) -> None:
    check, client, message = CLIENTS[name]
    source = HEADER.format(examples=str(_ROOT / "examples"), tests=str(_ROOT / "tests")) + client
    # One drawn example per fuzz check, the simplest: it holds none of the rare inputs.
    pytester.makeconftest(
        "from hypothesis import settings\n"
        'settings.register_profile("one", max_examples=1, database=None, derandomize=True)\n'
    )
    pytester.makepyfile(test_client=source)
    result = pytester.runpytest("-p", "no:cacheprovider", "--hypothesis-profile=one", "-k", f"test_{check}")
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert message in output, output
    assert "this example is tried first on every run" in output
