"""Public names are pinned, and the contract layer stays light (no pytest, respx, httpx, Hypothesis)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import pytest_postpress

CONTRACT_NAMES = [
    "DOCUMENTED_ERRORS",
    "VARIANTS",
    "DocumentedError",
    "Violation",
    "closest_variant",
    "error_for_violations",
    "openapi_document",
    "request_body_schema",
    "validate_reconnect_body",
    "validate_response",
]


def test_all_is_pinned() -> None:
    assert sorted(pytest_postpress.__all__) == sorted(
        [
            *CONTRACT_NAMES,
            *("ContractViolation", "PostpressMock", "PostpressServer", "ReconnectContract", "__version__"),
            "command_client",
        ]
    )


@pytest.mark.parametrize("name", pytest_postpress.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(pytest_postpress, name) is not None


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        pytest_postpress.nope  # noqa: B018


def _modules_after(code: str) -> set[str]:
    script = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)
    return set(json.loads(out.stdout.splitlines()[-1]))


HEAVY = {"pytest", "_pytest", "respx", "httpx", "hypothesis", "hypothesis_jsonschema"}


def test_contract_names_import_nothing_heavy() -> None:
    names = ", ".join(CONTRACT_NAMES)
    loaded = _modules_after(f"from pytest_postpress import {names}\nopenapi_document()\nvalidate_reconnect_body({{}})")
    assert not HEAVY & loaded


@pytest.mark.parametrize("module", ["schema", "catalog", "validation", "openapi", "_formats", "_settings"])
def test_contract_modules_import_nothing_heavy(module: str) -> None:
    assert not HEAVY & _modules_after(f"import pytest_postpress.{module}")


@pytest.mark.parametrize("module", ["plugin", "plugin.fixtures", "plugin.live_fixtures"])
def test_plugin_modules_import_is_cheap(module: str) -> None:
    # Imported at every pytest start: no respx, httpx, jsonschema or hypothesis-jsonschema there, and neither of
    # the optional mocking libraries (pytest-httpx, responses) nor requests.  Hypothesis
    # itself is imported (the postpress-* profiles are registered at module level), as Hypothesis's own pytest
    # plugin already does at every start; benchmarks/bench_contract.py measures what the plugin costs.
    loaded = _modules_after(f"import pytest_postpress.{module}")
    assert (
        not {
            *("respx", "httpx", "hypothesis_jsonschema", "jsonschema", "strategies", "pytest_postpress.strategies"),
            *("pytest_httpx", "responses", "requests"),
        }
        & loaded
    )
