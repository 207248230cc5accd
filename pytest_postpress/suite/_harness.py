"""What one check of the suite works with: the client made synchronous, the double, the account, the assertions."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from pytest_postpress.samples import sample_body
from pytest_postpress.suite import _results
from pytest_postpress.suite._assertions import Assertions, Outcome, _describe_error, _show
from pytest_postpress.suite._fuzz import client_name


@dataclass
class Harness:
    """What one check of :class:`ReconnectContract` works with (the ``postpress_harness`` fixture)."""

    request: pytest.FixtureRequest
    call: Callable[[str, Any], Any]
    double: Any
    account_id: str
    check: Assertions

    def invoke(self, body: Any, *, account_id: str | None = None) -> Outcome:
        """Call the client once with ``body`` (a copy) and collect what it returned or raised and what it sent."""
        account = self.account_id if account_id is None else account_id
        before = len(self.double.calls)
        outcome = Outcome()
        try:
            # A copy, so that a client that mutates its argument cannot hide it.
            outcome.result = self.call(account, copy.deepcopy(body))
        except Exception as error:
            outcome.error = error
        outcome.calls = list(self.double.calls[before:])
        return outcome

    @property
    def judged(self) -> dict[str, Any]:
        """How this check judges the client, for its record (the settings the summary and report show)."""
        return {"none_means_absent": self.check.none_means_absent}

    def record(self, **data: Any) -> dict[str, Any]:
        """Record this check for the summary and the report (``data``: variants, error, outside_contract...)."""
        record: dict[str, Any] = {
            "client": client_name(self.request),
            "check": self.request.node.name.removeprefix("test_"),
            "examples": 1,
            **self.judged,
            **data,
        }
        self.request.node.user_properties.append((_results.PROPERTY, record))
        return record

    def expect_raise(self, status: int | None, what: str) -> None:
        """Call the client with a sample body; it must raise, telling ``status`` where one was received."""
        self.record()
        outcome = self.invoke(sample_body("GOOGLE_OAUTH"))
        if not outcome.raised:
            self.check.fail(
                f"an exception for {what}",
                f"reported success ({_show(outcome.result, None)})",
                "raise on anything but a documented 201 body; never report success for an unreadable answer",
            )
        if status is not None:
            assert outcome.error is not None
            identity = self.check.identity(outcome.error)
            if identity is None or identity[0] != status:
                self.check.fail(
                    f"the raised error to tell the HTTP status {status} ({what})",
                    f"raised {_describe_error(outcome.error)}, identified as {identity!r}",
                    "keep the HTTP status on the exception even when the body is not a documented envelope",
                )
