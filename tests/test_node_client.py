"""examples/node/client.mjs, the Node reference client, called from Node against the loopback server.

Its interface is what other tests and the Node examples build on: ``reconnect({baseUrl, apiKey, accountId, body})``
resolves to the 201's account_id and throws ``PostpressApiError`` (``.status``, ``.type``) or
``PostpressConnectionError`` (both null).  The contract suite itself runs it through ``check`` (test_check_cli.py).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pytest_postpress import catalog
from pytest_postpress.doubles.server import PostpressServer
from pytest_postpress.samples import sample_body
from tests._node import node_executable

NODE_DIR = Path(__file__).resolve().parent.parent / "examples" / "node"
KEY = "sk_test_node_client_key"

# Calls reconnect() for each request of a JSON array (argv[1]) and prints what each one gave, as JSON.
_SCRIPT = """
const { reconnect, PostpressApiError, PostpressConnectionError } = await import(process.argv[1]);
const out = [];
for (const request of JSON.parse(process.argv[2])) {
  try {
    out.push({ ok: await reconnect(request) });
  } catch (error) {
    out.push({
      name: error.constructor.name,
      api: error instanceof PostpressApiError,
      connection: error instanceof PostpressConnectionError,
      status: error.status ?? null,
      type: error.type ?? null,
    });
  }
}
console.log(JSON.stringify(out));
"""


def _run(node: str, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    client = (NODE_DIR / "client.mjs").as_uri()
    done = subprocess.run(
        [node, "--input-type=module", "-e", _SCRIPT, client, json.dumps(requests)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: list[dict[str, Any]] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("name", ["client.mjs", "cli.mjs"])
def test_syntax(name: str) -> None:
    """Each example parses under the installed Node (node --check)."""
    node = node_executable()
    done = subprocess.run([node, "--check", str(NODE_DIR / name)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_reconnect_results_and_typed_errors() -> None:
    """A 201 resolves to its account_id; documented errors (407 included), a non-JSON 502 and a dropped connection
    throw the typed errors; hostile ids and '..' go out as one encoded segment."""
    node = node_executable()
    with PostpressServer(api_key=KEY, accounts=["acc_1", "a/b é(*)"]) as server:
        server.success_account_id = "acc_other"
        conflict = catalog.find_error(409, "errors/already_exists")
        proxy = catalog.find_error(407, "errors/proxy_auth_error")
        assert conflict is not None
        assert proxy is not None
        base = {"baseUrl": server.url + "/", "apiKey": KEY, "body": sample_body("LINKEDIN_BASIC")}
        first = _run(
            node, [{**base, "accountId": "acc_1", "headers": {"X-Trace": "t-1"}}, {**base, "accountId": "a/b é(*)"}]
        )
        traced = server.calls[0].headers
        server.respond_with(conflict)
        server.respond_with(proxy)
        second = _run(node, [{**base, "accountId": "acc_1"}, {**base, "accountId": "acc_1"}])
        server.respond_raw(502, b"<html>bad gateway</html>", headers={"Content-Type": "text/html"})
        third = _run(node, [{**base, "accountId": "acc_1"}])
        server.fail_connection()
        fourth = _run(node, [{**base, "accountId": "acc_1"}, {**base, "accountId": ".."}])
        paths = [call.raw_path for call in server.calls]
    assert first == [{"ok": "acc_other"}, {"ok": "acc_other"}]
    assert {name.lower(): value for name, value in traced.items()}["x-trace"] == "t-1"  # extra headers go out
    assert second == [
        {"name": "PostpressApiError", "api": True, "connection": False, "status": 409, "type": "errors/already_exists"},
        # fetch would turn this 407 into a network error: node:http returns it.
        {
            "name": "PostpressApiError",
            "api": True,
            "connection": False,
            "status": 407,
            "type": "errors/proxy_auth_error",
        },
    ]
    assert third == [{"name": "PostpressApiError", "api": True, "connection": False, "status": 502, "type": None}]
    assert fourth[0] == {
        "name": "PostpressConnectionError",
        "api": False,
        "connection": True,
        "status": None,
        "type": None,
    }
    # Sent as %2E%2E, one segment (the double answers a dot-segment id 404: never an account).
    assert fourth[1] == {
        "name": "PostpressApiError",
        "api": True,
        "connection": False,
        "status": 404,
        "type": "errors/resource_not_found",
    }
    assert paths == [
        *("/v1/accounts/acc_1", "/v1/accounts/a%2Fb%20%C3%A9%28%2A%29"),
        *["/v1/accounts/acc_1"] * 4,
        "/v1/accounts/%2E%2E",
    ]
