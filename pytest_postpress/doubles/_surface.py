"""What the respx mock and the loopback server offer alike, each method delegating to their :class:`MockState`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_postpress import catalog
from pytest_postpress.doubles._http import RecordedCall
from pytest_postpress.doubles._state import ErrorLike, MockState, SuccessPolicy

__all__ = ["DoubleSurface"]


class DoubleSurface:
    """The methods the respx mock and the loopback server share, all delegating to their :class:`MockState`."""

    state: MockState

    @property
    def calls(self) -> list[RecordedCall]:
        """Every request received, in order."""
        return self.state.calls

    @property
    def unrouted(self) -> list[RecordedCall]:
        """The requests that were not the reconnect route."""
        return self.state.unrouted

    def add_account(self, account_id: str) -> None:
        """Make ``account_id`` (decoded, e.g. ``"a b"``) an account that exists."""
        self.state.add_account(account_id)

    def respond_with(
        self,
        error: ErrorLike,
        *,
        times: int | None = 1,
        envelope: Mapping[str, Any] | None = None,
        vary: bool = False,
    ) -> catalog.DocumentedError:
        """Answer a documented error (a ``DocumentedError`` or ``(status, type)``) to the next ``times``
        reconnects (``None``: every one); ``envelope`` replaces the body (validated), ``vary=True``
        cycles through the envelope shapes the contract allows.  Raises ``ValueError`` for an
        undocumented pair, listing the documented types of that status."""
        return self.state.respond_with(error, times=times, envelope=envelope, vary=vary)

    def respond_raw(
        self,
        status: int,
        content: bytes | str,
        *,
        headers: Mapping[str, str] | None = None,
        times: int | None = 1,
    ) -> None:
        """Answer anything (a non-JSON 502, an undocumented status, a bad 201) to the next ``times`` reconnects."""
        self.state.respond_raw(status, content, headers=headers, times=times)

    def fail_connection(self, *, times: int | None = 1) -> None:
        """Give the next ``times`` reconnects no answer: the mock raises ``httpx.ConnectError``, the server
        closes the connection."""
        self.state.fail_connection(times=times)

    def time_out(self, *, times: int | None = 1) -> None:
        """Let the next ``times`` reconnects time out: the mock raises ``httpx.ReadTimeout``, the server holds
        the request unanswered (until reset, stop or ``max_hold`` seconds), then closes."""
        self.state.time_out(times=times)

    @property
    def success_account_id(self) -> SuccessPolicy:
        """``account_id`` of a 201: ``None`` (the path id), a string, or a callable ``(path_id) -> str``."""
        return self.state.success_account_id

    @success_account_id.setter
    def success_account_id(self, policy: SuccessPolicy) -> None:
        self.state.success_account_id = policy

    @property
    def assert_all_routed(self) -> bool:
        """When true (the default) a request that is not the reconnect route fails the test (the mock
        raises in the client; the fixtures check at teardown); when false it just gets a 404
        ``errors/resource_not_found`` naming the route."""
        return self.state.assert_all_routed

    @assert_all_routed.setter
    def assert_all_routed(self, value: bool) -> None:
        self.state.assert_all_routed = bool(value)
