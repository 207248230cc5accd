"""What one check of the suite works with: the client made synchronous, the double, the account, the assertions."""

from __future__ import annotations

import copy
import itertools
import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, Unpack

import pytest
from hypothesis import strategies as st

from pytest_postpress import catalog
from pytest_postpress.doubles._http import RecordedCall
from pytest_postpress.doubles._state import ErrorLike, SuccessPolicy
from pytest_postpress.doubles.server import PostpressServer
from pytest_postpress.errors import CommandFailed, StagingFault
from pytest_postpress.samples import sample_body
from pytest_postpress.suite._assertions import Assertions, Outcome, answer_name
from pytest_postpress.suite._fuzz import run_fuzz
from pytest_postpress.suite._har import not_recorded
from pytest_postpress.suite._record import add_record
from pytest_postpress.suite._results import CheckFields, CheckRecord
from pytest_postpress.suite.live import Exchange, LiveSession, staging_fault

if TYPE_CHECKING:
    from pytest_postpress.doubles.mock import PostpressMock
    from pytest_postpress.doubles.responses_mock import PostpressResponses
    from pytest_postpress.suite.live import LiveProxy


class Double(Protocol):
    """What the checks need from a test double (``postpress_mock``, ``postpress_responses``, ``postpress_server``)
    or the live proxy: the calls it received, and the means to force its next answers (the test doubles only)."""

    @property
    def calls(self) -> list[RecordedCall]: ...

    def reset(self) -> None: ...

    def settle(self) -> bool: ...

    def add_account(self, account_id: str) -> None: ...

    def respond_with(
        self, error: ErrorLike, *, times: int | None = 1, envelope: Mapping[str, Any] | None = None, vary: bool = False
    ) -> catalog.DocumentedError: ...

    def respond_raw(
        self, status: int, content: bytes | str, *, headers: Mapping[str, str] | None = None, times: int | None = 1
    ) -> None: ...

    def fail_connection(self, *, times: int | None = 1) -> None: ...

    def time_out(self, *, times: int | None = 1) -> None: ...

    @property
    def success_account_id(self) -> SuccessPolicy: ...

    @success_account_id.setter
    def success_account_id(self, policy: SuccessPolicy) -> None: ...


if TYPE_CHECKING:

    def _every_double_is_a_double(
        mock: PostpressMock, responses: PostpressResponses, server: PostpressServer, proxy: LiveProxy
    ) -> list[Double]:
        """Never called: mypy checks here that each double (and the live proxy) offers what ``Double`` names."""
        return [mock, responses, server, proxy]


@dataclass
class Harness:
    """What one check of :class:`ReconnectContract` works with (the ``postpress_harness`` fixture)."""

    request: pytest.FixtureRequest
    call: Callable[[str, Any], Any]
    double: Double
    account_id: str
    check: Assertions
    max_attempts: int = 5
    _retries: dict[str, Any] | None = field(default=None, init=False, repr=False)

    def times(self, status: int | None) -> int:
        """How many times to force an answer: every allowed attempt for a retryable one (rule 23), so that a
        client that retries still ends on it; once for any other (a resend after it is caught)."""
        return self.max_attempts if catalog.is_retryable(status) else 1

    def invoke(self, body: Any, *, account_id: str | None = None) -> Outcome:
        """Call the client once with ``body`` (a copy) and collect what it returned or raised and what it sent."""
        account = self.account_id if account_id is None else account_id
        before = len(self.double.calls)
        outcome = Outcome()
        self.check.hide(body)  # every body the check sends: its secrets are hidden in every message
        try:
            # A copy, so that a client that mutates its argument cannot hide it.
            outcome.result = self.call(account, copy.deepcopy(body))
        except CommandFailed:
            # A command client's program failed: no result of the client, nothing to judge; the check stops.
            raise
        except Exception as error:
            outcome.error = error
        self.double.settle()  # live mode: staging's answers to this call, each within the bound of a request
        outcome.calls = list(self.double.calls[before:])
        for call in outcome.calls:
            self.check.hide_call(call)
        self._observe(outcome.calls)
        return outcome

    def _observe(self, calls: list[RecordedCall]) -> None:
        """Record the retry policy the client showed (answers retried, attempts, shortest pause) for the
        summary and the report, whatever the check concludes."""
        if len(calls) < 2:
            return
        if self._retries is None:
            self._retries = {"statuses": [], "attempts": 0, "pause": None}
            add_record(self.request.node, retries=self._retries)
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
    def judged(self) -> CheckFields:
        """How this check judges the client, for its record (the settings the summary and report show)."""
        return {"none_means_absent": self.check.none_means_absent}

    def record(self, **data: Unpack[CheckFields]) -> CheckRecord:
        """Record this check for the summary and the report (``data``: variants, error, outside_contract...)."""
        fields: CheckFields = {"examples": 1, **self.judged}
        fields.update(data)
        return add_record(self.request.node, **fields)

    def expect_raise(self, status: int | None, what: str, *, received_type: str | None = None) -> None:
        """Call the client with a sample body; it must raise, telling ``status`` where one was received.

        Where a status was received, the error's type must be the one received (``received_type``, the
        envelope's type) or none: an error that makes up a type misleads whoever branches on it.
        """
        self.record()
        outcome = self.invoke(sample_body("GOOGLE_OAUTH"))
        self.check.one_call(outcome)  # retries follow rule 23 here too
        self.check.raised(outcome, status, what, received_type=received_type)

    def fuzz(
        self,
        strategy: st.SearchStrategy[Any],
        example: Callable[[Any], None],
        describe: Callable[[Any], str],
        first: Sequence[Any] = (),
        **record: Unpack[CheckFields],
    ) -> None:
        """Run ``example`` on values of ``strategy`` (:func:`~pytest_postpress.suite._fuzz.run_fuzz`), ``first``
        first; the check's record holds how the client is judged and ``record`` (lists ``example`` fills in)."""
        fields: CheckFields = {**self.judged}
        fields.update(record)
        run_fuzz(self.request, strategy, example, describe=describe, record=fields, examples=first)

    def expect_raise_on(self, envelope: dict[str, Any], what: str, *, media: str = "application/json") -> None:
        """Answer ``envelope`` (as ``media``) once, with its status; the client must raise, telling that status
        and no type but the envelope's."""
        status, type_ = envelope["status"], envelope["type"]
        self.double.respond_raw(status, json.dumps(envelope).encode(), headers={"Content-Type": media})
        self.expect_raise(status, what, received_type=type_)

    def invoke_stalled(
        self, server: PostpressServer, body: Any, *, limit: float, slack: float
    ) -> tuple[Outcome, float]:
        """Call the client once on ``server``, which holds every request a little longer than ``limit`` seconds
        and past the limit drops every request (so a client without a timeout, retrying or not, comes back and the
        check ends); the outcome and the seconds it took."""
        held = server.max_hold
        server.max_hold = limit + slack
        server.time_out(times=None)
        watchdog = threading.Timer(limit, lambda: server.fail_connection(times=None))
        watchdog.daemon = True
        start = time.monotonic()
        watchdog.start()
        try:
            outcome = self.invoke(body)
        finally:
            watchdog.cancel()
            watchdog.join()
            server.max_hold = held
        return outcome, time.monotonic() - start


class LiveRequests:
    """Requests of a live-safe check: sent straight to the server, or through the client, each answer checked as
    documented and recorded (an object of its own, so that a user's class inherits checks and fixtures only).

    ``direct`` is the session's :class:`~pytest_postpress.suite.live.LiveSession` in live mode, otherwise one
    aimed at the test double; ``answers`` holds the exchanges of the last request or call.
    """

    def __init__(self, harness: Harness, direct: LiveSession) -> None:
        self.harness = harness
        self.direct = direct
        self.answers: list[Exchange] = []

    def send(self, account_id: str, headers: list[tuple[str, str]]) -> Exchange:
        """Send a sample body for ``account_id`` straight to the server (not through the client)."""
        self.harness.check.budget_left(self.direct)
        start = len(self.direct.exchanges)
        target = self.direct.prefix + "/v1/accounts/" + urllib.parse.quote(account_id, safe="")
        content = json.dumps(sample_body("LINKEDIN_BASIC")).encode()
        _, exchange = self.direct.send("POST", target, [("Content-Type", "application/json"), *headers], content)
        self._documented(start)
        return exchange

    def through_client(self, body: Any, account_id: str) -> Outcome:
        """Call the client (live: through the recording proxy) and check every response is documented."""
        self.harness.check.hide(body)
        self.harness.check.budget_left(self.direct)
        start = len(self.direct.exchanges)
        outcome = self.harness.invoke(body, account_id=account_id)
        if not self.harness.double.settle():
            raise StagingFault(f"staging had not answered within {self.direct.bound():g} s (--postpress-timeout)")
        self._documented(start, self.harness.request.getfixturevalue("postpress_client_timeout"))
        return outcome

    def _documented(self, start: int, client_timeout: float | None = None) -> None:
        """Record the responses since ``start`` that are outside the contract; the check could not run when
        staging's answers leave nothing to judge (``client_timeout``: the client's, when it sent them), else
        it fails on the first undocumented one."""
        self.answers = exchanges = self.direct.exchanges_of(start)
        # In a replay, a request the recording lacks got a 599 from the replay server, not from staging.
        missing = [detail for exchange in exchanges if (detail := not_recorded(exchange)) is not None]
        outside = [
            exchange.summary() for exchange in exchanges if exchange.outside_contract and not_recorded(exchange) is None
        ]
        self.harness.record(outside_contract=outside)
        fault = staging_fault(exchanges, client_timeout=client_timeout)
        self.harness.check.answers_documented(self.direct, exchanges, missing=missing, outside=outside, fault=fault)
