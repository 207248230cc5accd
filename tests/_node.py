"""Find ``node`` for the tests that run the Node examples.

Where ``node`` (18 or newer) is missing the test skips with a reason on a developer's machine and fails under CI
(``CI`` set), where the project's machines always have it: a CI run must never pass by skipping them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import NoReturn

import pytest

MINIMUM_MAJOR = 18


def _missing(message: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI machines must have it (CI is set)", pytrace=False)
    pytest.skip(message)


def node_executable() -> str:
    """The path of a ``node`` 18+ on PATH; skip (fail under CI) with the reason when there is none."""
    node = shutil.which("node")
    if node is None:
        _missing(f"node is not on PATH: the Node examples need Node {MINIMUM_MAJOR} or newer")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30, check=True).stdout
    major = int(version.strip().lstrip("v").split(".")[0])
    if major < MINIMUM_MAJOR:
        _missing(f"{node} is Node {version.strip()}: the Node examples need Node {MINIMUM_MAJOR} or newer")
    return node
