"""pytest-postpress: the contract of ``POST /v1/accounts/{id}`` as data, test doubles and a contract suite.

Names are imported lazily (PEP 562) so that ``import pytest_postpress`` stays
cheap at pytest start-up and never pulls in pytest, respx, httpx or
Hypothesis until a name that needs them is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pytest_postpress._version import __version__

if TYPE_CHECKING:
    from pytest_postpress.catalog import DOCUMENTED_ERRORS, DocumentedError
    from pytest_postpress.doubles.mock import PostpressMock
    from pytest_postpress.doubles.server import PostpressServer
    from pytest_postpress.errors import ContractViolation
    from pytest_postpress.openapi import openapi_document
    from pytest_postpress.schema import VARIANTS, request_body_schema
    from pytest_postpress.suite import ReconnectContract
    from pytest_postpress.suite._command import command_client
    from pytest_postpress.validation import (
        Violation,
        closest_variant,
        error_for_violations,
        validate_reconnect_body,
        validate_response,
    )

_LAZY: dict[str, str] = {
    "DOCUMENTED_ERRORS": "pytest_postpress.catalog",
    "DocumentedError": "pytest_postpress.catalog",
    "VARIANTS": "pytest_postpress.schema",
    "request_body_schema": "pytest_postpress.schema",
    "openapi_document": "pytest_postpress.openapi",
    "ReconnectContract": "pytest_postpress.suite.contract",
    "command_client": "pytest_postpress.suite._command",
    "ContractViolation": "pytest_postpress.errors",
    "PostpressMock": "pytest_postpress.doubles.mock",
    "PostpressServer": "pytest_postpress.doubles.server",
    "Violation": "pytest_postpress.validation",
    "closest_variant": "pytest_postpress.validation",
    "error_for_violations": "pytest_postpress.validation",
    "validate_reconnect_body": "pytest_postpress.validation",
    "validate_response": "pytest_postpress.validation",
}

__all__ = [
    "DOCUMENTED_ERRORS",
    "VARIANTS",
    "ContractViolation",
    "DocumentedError",
    "PostpressMock",
    "PostpressServer",
    "ReconnectContract",
    "Violation",
    "__version__",
    "closest_variant",
    "command_client",
    "error_for_violations",
    "openapi_document",
    "request_body_schema",
    "validate_reconnect_body",
    "validate_response",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_postpress' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
