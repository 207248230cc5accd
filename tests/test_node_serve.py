"""examples/node/serve.test.mjs: a Node team's node:test file, steering ``serve`` by Prefer and the control API.

It spawns ``python -m pytest_postpress serve --port 0`` itself (with this interpreter, through ``POSTPRESS_PYTHON``)
and stops it at the end.  Where node 18+ is missing this skips, and fails under CI (``tests/_node.py``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests._node import node_executable

ROOT = Path(__file__).resolve().parent.parent
TEST_FILE = ROOT / "examples" / "node" / "serve.test.mjs"


def test_the_node_test_file_passes_against_serve() -> None:
    node = node_executable()
    done = subprocess.run(
        [node, "--test", str(TEST_FILE)],
        cwd=ROOT,
        env={**os.environ, "POSTPRESS_PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    # The summary of the TAP reporter ("# pass 6") or, on newer Node without a TTY, the spec one ("\u2139 pass 6").
    counts = dict(re.findall(r"^(?:#|\u2139) (pass|fail|cancelled|skipped|todo) (\d+)$", output, re.MULTILINE))
    # Six tests ran and passed: success, errors by header, an unknown id, errors by the control API, the journal,
    # verify; none skipped (a file whose tests were all skipped would exit 0 too).
    assert counts == {"pass": "6", "fail": "0", "cancelled": "0", "skipped": "0", "todo": "0"}, output
