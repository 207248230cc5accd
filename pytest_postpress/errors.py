"""Exceptions of the contract suite (plain Python, cheap to import)."""

from __future__ import annotations

__all__ = ["CommandFailed", "ContractViolation", "SecretStr", "StagingFault"]


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


class CommandFailed(Exception):
    """A client run as a command (``command_client``) failed: it could not start, exited non-zero, printed
    something that is not the protocol's JSON, or gave no answer in time.

    Not a verdict on the contract, and no error the client raised: the suite lets it through where it judges
    what a client raised, stops the check without shrinking (Hypothesis would run the failing program again and
    again, up to its timeout each time) and reports the check as failed by the program, with its exit status and
    the last lines of its standard error, secrets hidden.
    """


class StagingFault(Exception):
    """In live mode, staging gave no answer a client could be judged on: it did not answer in time, closed
    the connection, sent something that is not HTTP or cannot be decoded, or answered an error that makes the
    check meaningless.  Not a verdict on the client: the check "could not run", its message the one sentence
    saying what staging did.  ``exchange`` is the exchange concerned, when there is one.
    """

    def __init__(self, message: str, exchange: object = None) -> None:
        super().__init__(message)
        self.exchange = exchange
