"""What every double offers alike, each method delegating to its :class:`MockState`; and what the three doubles
that answer inside the client's process (respx, pytest-httpx, responses) share: a base URL and its origin."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any, ClassVar

from pytest_postpress import catalog
from pytest_postpress.doubles._http import RecordedCall
from pytest_postpress.doubles._state import ErrorLike, MockState, SuccessPolicy, UnroutedRequestError, reconnect_path

__all__ = [
    "BaseUrlDouble",
    "DoubleSurface",
    "LeavesWithBlock",
    "PostpressNotRouted",
    "default_port",
    "host_pattern",
    "split_base_url",
]


class PostpressNotRouted(UnroutedRequestError):
    """A request reached the API host through pytest-httpx or responses but is not the reconnect route."""


def default_port(scheme: str) -> int:
    """The port of an ``http``/``https`` URL that names none."""
    return 443 if scheme == "https" else 80


def split_base_url(base_url: str) -> tuple[str, str, int, str]:
    """``(scheme, host, port, prefix)`` of an http(s) base URL; ``ValueError`` for anything else."""
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"base_url {base_url!r} needs an http:// or https:// scheme and a host")
    if parts.query or parts.fragment or "?" in base_url or "#" in base_url:
        raise ValueError(f"base_url {base_url!r} must not have a query or fragment: give the origin and path prefix")
    port = parts.port or default_port(parts.scheme)
    return parts.scheme, parts.hostname, port, parts.path


def host_pattern(scheme: str, host: str, port: int) -> re.Pattern[str]:
    """A pattern matching the start of every URL of the origin, its default port written or not."""
    shown_host = f"[{host}]" if ":" in host else host
    port_part = f"(:{port})?" if port == default_port(scheme) else f":{port}"
    return re.compile(rf"{re.escape(scheme)}://{re.escape(shown_host)}{port_part}([/?#]|$)", re.IGNORECASE)


class LeavesWithBlock:
    """``__exit__`` of the doubles used as context managers: leaving the block calls :meth:`_leave`."""

    def _leave(self, failed: bool) -> None:
        """Stop (``failed``: the block raised)."""
        raise NotImplementedError

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._leave(exc_type is not None)


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

    def settle(self) -> bool:
        """Wait until every call of the running check is complete; whether they are.  A double records a call
        as it answers it, so they are; the live proxy waits for staging's answers."""
        return True

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


class BaseUrlDouble(DoubleSurface):
    """A double that answers inside the client's process, at ``base_url`` (origin plus any path prefix).

    Built from the base URL, the key and the accounts; ``who`` names it in its messages.  A subclass sets up
    what reaches it (a router, a URL pattern) in :meth:`_attach`.
    """

    who: ClassVar[str]

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        accounts: Iterable[str] = (),
        any_account: bool = False,
    ) -> None:
        scheme, host, port, prefix = split_base_url(base_url)
        self.state = MockState(api_key=api_key, prefix=prefix, accounts=accounts, any_account=any_account)
        self.base_url: str = base_url.rstrip("/")
        self._scheme = scheme
        self._host = (host, port)
        self._origin = f"{scheme}://{f'[{host}]' if ':' in host else host}:{port}"
        self._attach()

    def _attach(self) -> None:
        """Set up what reaches the double (called once, at the end of construction)."""

    def _on_host(self, scheme: str, host: str | None, port: int | None) -> bool:
        """Whether a request's URL is on the double's origin (``port`` ``None``: the scheme's default)."""
        return scheme == self._scheme and (host, port or default_port(scheme)) == self._host

    def _answers(self, method: str, raw_path: bytes) -> bool:
        """Whether the double answers a request on its origin: a reconnect, or anything when
        ``assert_all_routed`` is off (a 404 naming the route)."""
        return self.state.is_reconnect_route(method, raw_path) or not self.state.assert_all_routed

    @property
    def url(self) -> str:
        """The base URL to give a client (origin plus any path prefix)."""
        return self.base_url

    def endpoint(self, account_id: str) -> str:
        """The reconnect URL for ``account_id``, the id percent-encoded as one path segment."""
        scheme_host = self.base_url[: len(self.base_url) - len(self.state.prefix)]
        return scheme_host + reconnect_path(self.state.prefix, account_id)

    def check_all_routed(self) -> None:
        """Raise :class:`~pytest_postpress.doubles._state.UnroutedRequestError` if a request was not routed."""
        __tracebackhide__ = True
        self.state.check_all_routed(self.who)

    def reset(self) -> None:
        """Forget calls and forced answers; accounts and settings back to how they were built."""
        self.state.reset()

    def _not_the_route(self, answers: str, fix: str) -> str:
        """The message for the last call, recorded as not the reconnect route: what it was, what ``answers``
        (the subject, e.g. "It answers") where, and ``fix``."""
        base = f" (base URL {self.base_url})" if self.state.prefix else ""
        return (
            f"{self.who}: {self.state.describe_request(self.state.calls[-1])} is not the reconnect route.\n"
            f"{answers} {self.state.route_description()} on {self._origin}{base}.\n{fix}"
        )
