"""What one check of the suite works with: the client made synchronous, the double, the account, the assertions."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from pytest_postpress import catalog
from pytest_postpress._redact import show as _show
from pytest_postpress.errors import CommandFailed, RetriesStopped
from pytest_postpress.samples import sample_body
from pytest_postpress.suite import _results
from pytest_postpress.suite._assertions import Assertions, Outcome, _describe_error, answer_name
from pytest_postpress.suite._fuzz import client_name


@dataclass
class Harness:
    """What one check of :class:`ReconnectContract` works with (the ``postpress_harness`` fixture)."""

    request: pytest.FixtureRequest
    call: Callable[[str, Any], Any]
    double: Any
    account_id: str
    check: Assertions
    max_attempts: int = 5
    one_shot_command: bool = False  # a command_client run once per reconnect: the id travels in the environment
    _retries: dict[str, Any] | None = field(default=None, init=False, repr=False)

    def times(self, status: int | None) -> int:
        """How many times to force an answer: every allowed attempt for a retryable one (rule 23), so that a
        client that retries still ends on it; once for any other (a resend after it is caught)."""
        return self.max_attempts if catalog.is_retryable(status) else 1

    def invoke(self, body: Any, *, account_id: str | None = None) -> Outcome:
        """Call the client once with ``body`` (a copy) and collect what it returned or raised and what it sent.

        The double bounds the attempts of this one reconnect (``doubles/_attempts.py``), so that a client that
        retries forever comes back; ``Outcome.stopped`` tells that the double had to stop it.
        """
        account = self.account_id if account_id is None else account_id
        before = len(self.double.calls)
        outcome = Outcome()
        bound = self.double.state.attempts
        bound.arm(self.max_attempts)
        try:
            # A copy, so that a client that mutates its argument cannot hide it.
            outcome.result = self.call(account, copy.deepcopy(body))
        except CommandFailed:
            # A command client's program failed: no result of the client, nothing to judge; the check stops.
            raise
        except RetriesStopped:
            outcome.stopped = True
        except Exception as error:
            outcome.error = error
        finally:
            bound.disarm()
        outcome.calls = list(self.double.calls[before:])
        self._observe(outcome.calls)
        return outcome

    def _observe(self, calls: list[Any]) -> None:
        """Record the retry policy the client showed (answers retried, attempts, shortest pause) for the
        summary and the report, whatever the check concludes."""
        if len(calls) < 2:
            return
        if self._retries is None:
            self._retries = {"statuses": [], "attempts": 0, "pause": None}
            record = {"client": client_name(self.request), "check": self.request.node.name.removeprefix("test_")}
            self.request.node.user_properties.append((_results.PROPERTY, {**record, "retries": self._retries}))
        retries = self._retries
        for call in calls[:-1]:
            if answer_name(call) not in retries["statuses"]:
                retries["statuses"].append(answer_name(call))
        retries["attempts"] = max(retries["attempts"], len(calls))
        # A pause is measured from an answered attempt to the next one (after no answer, the client's own
        # timeout would be counted as a pause).
        pauses = [b.received - a.received for a, b in itertools.pairwise(calls) if a.status is not None]
        if pauses:
            shortest = round(max(0.0, min(pauses)), 4)
            retries["pause"] = shortest if retries["pause"] is None else min(retries["pause"], shortest)

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

    def expect_raise(self, status: int | None, what: str, *, received_type: str | None = None) -> None:
        """Call the client with a sample body; it must raise, telling ``status`` where one was received.

        Where a status was received, the error's type must be the one received (``received_type``, the
        envelope's type) or none: an error that makes up a type misleads whoever branches on it.
        """
        self.record()
        outcome = self.invoke(sample_body("GOOGLE_OAUTH"))
        self.check.one_call(outcome)  # retries follow rule 23 here too
        self.expect_raised(outcome, status, what, received_type=received_type)

    def expect_raised(
        self, outcome: Outcome, status: int | None, what: str, *, received_type: str | None = None
    ) -> None:
        """The client must have raised, telling ``status`` (and no type but ``received_type``) where one was
        received."""
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
                    "keep the HTTP status received on the exception even when the body is not a documented "
                    "envelope (rule 21, see: python -m pytest_postpress rules 21)",
                )
            if identity[1] is not None and identity[1] != received_type:
                received = f"the type {received_type!r}" if received_type is not None else "no type"
                self.check.fail(
                    f"the raised error to tell what was received ({what}: status {status}, {received})",
                    f"raised {_describe_error(outcome.error)}, identified as {identity!r}",
                    "report the envelope's type as received, or none when the answer had none; never make one up",
                )
