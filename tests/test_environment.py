"""No POSTPRESS_* variable of the CI environment reaches a test (tests/conftest.py clears every option's)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pytest_postpress import _settings


def test_no_option_variable_is_seen() -> None:
    assert [option.env for option in _settings.OPTIONS if option.env in os.environ] == []


def test_variables_set_by_a_ci_job_do_not_reach_the_tests() -> None:
    # The check above, run by a pytest whose environment sets every option's variable, as a staging job might.
    job = {
        "POSTPRESS_BASE_URL": "https://staging.invalid/api",
        "POSTPRESS_API_KEY": "sk_staging_key_from_ci",
        "POSTPRESS_ACCOUNT_ID": "acc_staging",
        "POSTPRESS_TRANSPORT": "server",
        "POSTPRESS_TIMEOUT": "3",
    }
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            f"{__file__}::test_no_option_variable_is_seen",
        ],
        cwd=root,
        env={**os.environ, **job},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout
