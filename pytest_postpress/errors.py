"""Exceptions of the contract suite (plain Python, cheap to import)."""

from __future__ import annotations

__all__ = ["ContractViolation", "SecretStr"]


class ContractViolation(AssertionError):
    """A client (or, in live mode, the server) departed from the documented contract.

    An ``AssertionError``, so it shows as a test failure.  The plugin reports
    it as its message alone (no traceback): the message says what the contract
    requires, what happened and how to fix it, and a traceback would only show
    the suite's internals and their arguments.
    """


class SecretStr(str):
    """A string whose ``repr`` hides its value (pytest shows test arguments with ``repr``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<hidden: {len(self)} characters>"
