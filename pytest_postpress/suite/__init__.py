"""The contract suite: :class:`ReconnectContract` and what its checks are made of.

Built on the contract, the strategies and the doubles; nothing here imports :mod:`pytest_postpress.plugin`.
``ReconnectContract`` is imported lazily (PEP 562): the hook module reads :mod:`~pytest_postpress.suite._results`
at every pytest start-up, which must not pull in respx, httpx or the strategies.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_postpress.errors import ContractViolation
    from pytest_postpress.suite.contract import ReconnectContract

__all__ = ["ContractViolation", "ReconnectContract"]

_LAZY = {"ContractViolation": "pytest_postpress.errors", "ReconnectContract": "pytest_postpress.suite.contract"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_postpress.suite' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
