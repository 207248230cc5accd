"""schemathesis, all checks, against ``python -m pytest_postpress serve`` with our exported OpenAPI document.

schemathesis lives in its own virtualenv (``.venv-schemathesis``, or the
``st`` named by ``POSTPRESS_SCHEMATHESIS``) so that its pytest plugin and its
pinned Hypothesis stay out of this project's own test runs.  Without it the
test is skipped on a developer's machine and fails in CI (``CI`` set).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_postpress._settings import DEFAULT_API_KEY

ROOT = Path(__file__).resolve().parent.parent
INSTALL = "python3 -m venv .venv-schemathesis && .venv-schemathesis/bin/pip install 'schemathesis==4.32.5'"


def schemathesis_command() -> str:
    explicit = os.environ.get("POSTPRESS_SCHEMATHESIS")
    candidates = [explicit] if explicit else [str(ROOT / ".venv-schemathesis" / "bin" / "st"), shutil.which("st")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    message = f"schemathesis is not installed; install it with: {INSTALL}"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def test_schemathesis_finds_no_failure_against_the_served_mock(tmp_path: Path) -> None:
    st = schemathesis_command()
    schema = tmp_path / "openapi.json"
    exported = subprocess.run(
        [sys.executable, "-m", "pytest_postpress", "openapi"], capture_output=True, text=True, check=True
    )
    schema.write_text(exported.stdout)
    assert json.loads(exported.stdout)["paths"]
    log = tmp_path / "serve.log"
    with log.open("w") as stderr:
        served = subprocess.Popen(
            [sys.executable, "-m", "pytest_postpress", "serve", "--any-account"],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    try:
        assert served.stdout is not None
        url = served.stdout.readline().strip().removeprefix("postpress mock listening on ")
        assert url.startswith("http://127.0.0.1:"), log.read_text()
        run = subprocess.run(
            [
                st,
                "run",
                str(schema),
                "--url",
                url,
                "--header",
                f"X-API-KEY: {DEFAULT_API_KEY}",
                "--checks",
                "all",
                "--max-examples",
                "60",
                "--seed",
                "20261126",
                "--continue-on-failure",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
            env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
        )
    finally:
        served.terminate()
        served.wait(10)
        assert served.stdout is not None
        served.stdout.close()
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert " passed" in run.stdout
    assert "Internal Server Error" not in log.read_text()
