"""The brain of the test doubles: what the mock answers, whatever carries the request.

:class:`MockState` holds what a test double knows (the API key, the path
prefix, the accounts, the forced answers, the recorded calls) and
:meth:`MockState.answer` turns one request, as it arrived, into one
:class:`Reply` following rule 22 in its order of checks:

1. a path with characters that must be escaped and are not: 400 ``errors/unescaped_characters``;
2. a missing or wrong ``X-API-KEY``: 401 ``errors/invalid_credentials``;
3. an unknown account, or a path of another shape: 404 ``errors/resource_not_found``;
4. a body that is not JSON or not labelled ``application/json``: 400 ``errors/invalid_request``;
5. a body over 1 MiB: 400 ``errors/content_too_large``;
6. a JSON body that is not valid: 400 ``errors/missing_parameters`` (only required
   fields missing) or ``errors/invalid_parameters``, ``detail`` naming the first
   offending field by its JSON path;
7. otherwise 201 ``AccountReconnected``.

The respx mock (:mod:`pytest_postpress.doubles.mock`) and the loopback server
(:mod:`pytest_postpress.doubles.server`) are thin transports around it, so both answer
byte for byte the same.  Only the standard library and the contract modules
are imported here: no pytest, no respx, no httpx.
"""

from __future__ import annotations

import difflib
import hmac
import itertools
import re
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from pytest_postpress import catalog
from pytest_postpress._redact import Scrubber, clip
from pytest_postpress.doubles._http import JSON_HEADERS, Action, Headers, RecordedCall, Reply, dumps, parse_json
from pytest_postpress.validation import error_for_violations, validate_json_body, validate_response

__all__ = [
    "MAX_BODY_BYTES",
    "PREFER_ANSWER",
    "ROUTE",
    "Answerer",
    "ErrorLike",
    "ForcedAnswers",
    "Journal",
    "Judge",
    "MockState",
    "SuccessPolicy",
    "UnroutedRequestError",
    "describe_undocumented",
    "error_by_id",
    "on_reconnect_route",
    "reconnect_path",
    "resolve_error",
]

ROUTE: Final = "/v1/accounts/"
#: The preference (RFC 7240) a reconnect sends to choose its answer: ``Prefer: postpress-answer=409-already_exists``.
PREFER_ANSWER: Final = "postpress-answer"
MAX_BODY_BYTES: Final = 1024 * 1024  # rule 22: "Body over 1 MiB"


ErrorLike = catalog.DocumentedError | tuple[int, str]
SuccessPolicy = str | Callable[[str], str] | None

# RFC 3986: a path may hold unreserved characters, sub-delims, ":", "@", "/"
# and percent-escapes; anything else must be percent-encoded (rule 16).
_UNESCAPED: Final = re.compile(rb"[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]|%(?![0-9A-Fa-f]{2})")
_QUERY_KEY_NAMES: Final = frozenset({"api_key", "apikey", "api-key", "x-api-key", "key", "token", "access_token"})


class UnroutedRequestError(AssertionError):
    """A test double received requests that are not the reconnect route (a client bug).

    Subclasses ``AssertionError`` so that it shows as a test failure.
    """


def reconnect_path(prefix: str, account_id: str) -> str:
    """The path of the reconnect route for ``account_id``, the id percent-encoded as one segment (rule 16)."""
    return prefix + ROUTE + urllib.parse.quote(account_id, safe="")


def on_reconnect_route(prefix: str, method: str, raw_path: bytes) -> bool:
    """Whether a request is on the reconnect route: ``POST {prefix}/v1/accounts/...`` (path as sent, no query)."""
    return method == "POST" and raw_path.startswith((prefix + ROUTE).encode("ascii"))


def describe_undocumented(status: object, type_: object) -> str:
    """Say why ``(status, type_)`` is not a documented error and what the documented ones are."""
    statuses = ", ".join(str(code) for code in catalog.STATUSES)
    if not isinstance(status, int) or isinstance(status, bool) or status not in catalog.STATUSES:
        return f"status {status!r} documents no error (documented error statuses: {statuses})"
    types = ", ".join(catalog.types_for_status(status))
    return f"{status} {type_} is not a documented error; documented types for {status}: {types}"


def _normalise_type(type_: str) -> str:
    return type_ if type_.startswith("errors/") else "errors/" + type_


def resolve_error(error: ErrorLike) -> catalog.DocumentedError:
    """The documented error for a :class:`~pytest_postpress.catalog.DocumentedError` or a ``(status, type)`` pair.

    ``type`` may omit its ``errors/`` prefix.  Raises ``ValueError`` for an
    undocumented pair (listing the documented types of that status) and
    ``TypeError`` for anything else.
    """
    if isinstance(error, catalog.DocumentedError):
        status, type_ = error.status, error.type
    elif isinstance(error, tuple) and len(error) == 2 and isinstance(error[1], str):
        status, type_ = error[0], _normalise_type(error[1])
    else:
        raise TypeError(f"expected a DocumentedError or a (status, type) pair, got {error!r}")
    found = catalog.find_error(status, type_) if isinstance(status, int) and not isinstance(status, bool) else None
    if found is None:
        raise ValueError(describe_undocumented(status, type_))
    return found


_BY_ID: Final = {error.id: error for error in catalog.DOCUMENTED_ERRORS}


def error_by_id(error_id: object, where: str) -> catalog.DocumentedError:
    """The documented error whose :attr:`~pytest_postpress.catalog.DocumentedError.id` is ``error_id``
    (``409-already_exists``); ``ValueError`` naming ``where`` it came from, the closest ids and every valid one."""
    if isinstance(error_id, str) and error_id in _BY_ID:
        return _BY_ID[error_id]
    shown = clip(error_id) if isinstance(error_id, str) else error_id
    close = difflib.get_close_matches(str(error_id), _BY_ID, n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    raise ValueError(
        f"{where}: {shown!r} is not the id of a documented error; {hint}an id is STATUS-TYPE as "
        f"'python -m pytest_postpress errors' lists them. Valid ids: {', '.join(_BY_ID)}"
    )


def _check_times(times: int | None) -> None:
    if times is not None and (not isinstance(times, int) or isinstance(times, bool) or times < 1):
        raise ValueError(f"times must be a positive whole number, or None for every call; got {times!r}")


def _check_id(account_id: object) -> str:
    if not isinstance(account_id, str) or not account_id:
        raise ValueError(f"an account id is a non-empty string, got {account_id!r}")
    return account_id


def normalise_prefix(prefix: str) -> str:
    """``""`` or ``/segment[/segment...]`` without a trailing slash; ``ValueError`` otherwise."""
    if not isinstance(prefix, str):
        raise TypeError(f"prefix must be a string, got {prefix!r}")
    cleaned = prefix.rstrip("/")
    if not cleaned:
        return ""
    if not cleaned.startswith("/"):
        raise ValueError(f"path prefix {prefix!r} must start with '/', e.g. /api")
    if "?" in cleaned or "#" in cleaned or _UNESCAPED.search(cleaned.encode("utf-8")):
        raise ValueError(f"path prefix {prefix!r} must be a plain path: no query, fragment, space or non-ASCII")
    return cleaned


# The envelope shapes the contract allows (rule 20): clients must cope with each.
_UNKNOWN_FIELD: Final = {
    "debug": {
        "note": "an undocumented field: clients must ignore it (rule 20, see: python -m pytest_postpress rules 20)"
    }
}


def _shape(error: catalog.DocumentedError, shape: int, instance: str) -> dict[str, Any]:
    body: dict[str, Any] = {"title": error.title, "type": error.type, "status": error.status}
    shape %= 4
    if shape in (0, 2):
        body["detail"] = error.description
    if shape in (0, 3):
        body["instance"] = instance
    if shape == 3:
        body.update(_UNKNOWN_FIELD)
    return body


@dataclass
class _Forced:
    make: Callable[[int, int], Reply]  # (request number, use number) -> reply
    remaining: int | None
    uses: int = 0
    what: str = "a forced answer"  # how pending_answers() names it


@dataclass
class _Known:
    """The accounts a double knows; ``any`` makes every id known."""

    ids: set[str] = field(default_factory=set)
    any: bool = False


class Journal:
    """The calls a double received, in order: one part of a double, shared by whatever answers them; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[RecordedCall] = []

    def record(self, call: RecordedCall) -> None:
        """Append ``call`` (a server answers from one thread per connection)."""
        with self._lock:
            self._calls.append(call)

    @property
    def calls(self) -> list[RecordedCall]:
        """Every call, in order (a copy)."""
        with self._lock:
            return list(self._calls)

    @property
    def unrouted(self) -> list[RecordedCall]:
        """The calls that were not the reconnect route."""
        with self._lock:
            return [call for call in self._calls if not call.routed]

    def complete(self, call: RecordedCall, done: RecordedCall) -> bool:
        """Put ``done`` in the place of ``call`` (recorded when it arrived); ``False`` when ``call`` is no longer
        there (the journal was cleared since: the record is dropped)."""
        with self._lock:
            for index in range(len(self._calls) - 1, -1, -1):
                if self._calls[index] is call:
                    self._calls[index] = done
                    return True
        return False

    def clear(self) -> None:
        """Forget every call."""
        with self._lock:
            self._calls.clear()


class ForcedAnswers:
    """The queue of forced answers (``respond_with`` and friends): one part of a double; thread-safe.

    Those given a count of uses answer first, in the order given; the latest one given ``times=None`` answers
    every call once the queue is empty.  :meth:`take` is the one place a call consults them.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[_Forced] = deque()
        self._every: _Forced | None = None

    def add(self, forced: _Forced) -> None:
        """Queue ``forced`` (or make it the answer to every call, when it has no count)."""
        with self._lock:
            if forced.remaining is None:
                self._every = forced
            else:
                self._queue.append(forced)

    def take(self) -> _Forced | None:
        """The forced answer of the next call (one use of it spent), or ``None`` when none is left."""
        with self._lock:
            if self._queue:
                forced = self._queue[0]
                assert forced.remaining is not None
                forced.remaining -= 1
                if forced.remaining == 0:
                    self._queue.popleft()
            elif self._every is not None:
                forced = self._every
            else:
                return None
            forced.uses += 1
            return forced

    def pending(self) -> list[str]:
        """The forced answers not used up (see :meth:`MockState.pending_answers`)."""
        with self._lock:
            pending = [f"{forced.what}: {forced.remaining} use(s) left of the queue" for forced in self._queue]
            if self._every is not None and self._every.uses == 0:
                pending.append(f"{self._every.what} for every call: never used")
        return pending

    def clear(self) -> None:
        """Forget every forced answer."""
        with self._lock:
            self._queue.clear()
            self._every = None


class Judge:
    """The rule-22 judge: one part of a double.  It knows the key, the path prefix, the accounts and the
    ``account_id`` a 201 answers, and turns one request into the answer the documented API gives it."""

    def __init__(self, *, api_key: str, prefix: str, accounts: Iterable[str], any_account: bool) -> None:
        if not isinstance(api_key, str) or not api_key:
            raise ValueError("api_key must be a non-empty string (the X-API-KEY the double accepts)")
        self.api_key: Final = api_key
        self._key_bytes = api_key.encode("utf-8")
        # An answer's detail quotes what the client sent (an unknown account id): never the key, in any spelling.
        self.scrubber = Scrubber([api_key])
        self.prefix: Final = normalise_prefix(prefix)
        self._route = (self.prefix + ROUTE).encode("ascii")
        self._initial_accounts = frozenset(_check_id(account) for account in accounts)
        self._initial_any = bool(any_account)
        self._known = _Known(set(self._initial_accounts), self._initial_any)
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self.success: SuccessPolicy = None

    def number(self) -> int:
        """The number of a new request (its ``instance`` in an envelope)."""
        return next(self._counter)

    def reset(self) -> None:
        """Accounts and ``success`` as built."""
        with self._lock:
            self._known = _Known(set(self._initial_accounts), self._initial_any)
        self.success = None

    @property
    def accounts(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._known.ids)

    @property
    def any_account(self) -> bool:
        return self._known.any

    @any_account.setter
    def any_account(self, value: bool) -> None:
        self._known.any = bool(value)

    def add_account(self, account_id: str) -> None:
        checked = _check_id(account_id)
        with self._lock:
            self._known.ids.add(checked)

    def route_description(self) -> str:
        """``POST {prefix}/v1/accounts/{id}``."""
        return f"POST {self.prefix}{ROUTE}{{id}}"

    def is_reconnect_route(self, method: str, target: bytes) -> bool:
        """Whether a request is on the reconnect route: ``POST {prefix}/v1/accounts/...``."""
        return on_reconnect_route(self.prefix, method, target)

    def path_id(self, raw_path: bytes) -> tuple[str | None, str | None]:
        """The decoded account id of a reconnect path, or why the path has another shape."""
        rest = raw_path[len(self._route) :]
        if not rest:
            return None, f"the account id is empty: the path ends at {self.prefix}{ROUTE}"
        if b"/" in rest:
            return None, (
                f"the path has {rest.count(b'/') + 1} segments after {self.prefix}{ROUTE}; an id is one segment: "
                "percent-encode '/' in it as %2F (rule 16, see: python -m pytest_postpress rules 16)"
            )
        try:
            decoded = urllib.parse.unquote_to_bytes(rest).decode("utf-8")
        except UnicodeDecodeError:
            return None, "the account id's percent-escapes do not decode as UTF-8"
        if decoded in (".", ".."):
            return None, f"the account id {decoded!r} is a dot segment: a path-injection risk, not an id"
        return decoded, None

    def error_reply(self, status: int, type_: str, detail: str, number: int | None = None) -> Reply:
        """A documented error with ``detail`` and an ``instance`` (``number``: the request's, else a new one)."""
        if number is None:
            number = self.number()
        error = catalog.find_error(status, type_)
        assert error is not None, (status, type_)
        body = {"title": error.title, "type": error.type, "status": status, "detail": self.scrubber.text(detail)}
        body["instance"] = _instance(number)
        return Reply(status, JSON_HEADERS, dumps(body))

    def judge(
        self,
        raw_path: bytes,
        raw_query: bytes,
        headers: Headers,
        body: bytes,
        account_id: str | None,
        shape_problem: str | None,
        number: int,
    ) -> Reply:
        """The answer of rule 22 to a request on the reconnect route."""
        unescaped = _UNESCAPED.search(raw_path)
        if unescaped is not None:
            return self.error_reply(400, "errors/unescaped_characters", _unescaped_detail(raw_path, unescaped), number)
        key_problem = self._key_problem(headers, raw_query)
        if key_problem is not None:
            return self.error_reply(401, "errors/invalid_credentials", key_problem, number)
        if account_id is None:
            return self.error_reply(404, "errors/resource_not_found", shape_problem or "not an account path", number)
        if not self._known.any and account_id not in self._known.ids:
            return self.error_reply(404, "errors/resource_not_found", self._unknown_account(account_id), number)
        problem = _framing_problem(headers, body) or _content_type_problem(headers)
        value: Any = None
        if problem is None:
            value, problem = parse_json(body)
        if problem is not None:
            return self.error_reply(400, "errors/invalid_request", problem, number)
        if len(body) > MAX_BODY_BYTES:
            detail = f"the body is {len(body)} bytes; the limit is 1 MiB ({MAX_BODY_BYTES} bytes)"
            return self.error_reply(400, "errors/content_too_large", detail, number)
        try:
            violations = validate_json_body(value)  # value: what parse_json's json.loads built
        except RecursionError:
            return self.error_reply(400, "errors/invalid_request", "the body is nested too deeply", number)
        if violations:
            error = error_for_violations(violations)
            more = f" (and {len(violations) - 1} more problem(s))" if len(violations) > 1 else ""
            return self.error_reply(400, error.type, f"{violations[0]}{more}", number)
        return self._success_reply(account_id)

    def _success_reply(self, path_id: str) -> Reply:
        policy = self.success
        answered = policy(path_id) if callable(policy) else (path_id if policy is None else policy)
        if not isinstance(answered, str) or not answered:
            raise ValueError(f"success_account_id returned {answered!r}; a 201 needs a non-empty string account_id")
        return Reply(201, JSON_HEADERS, dumps({"object": "AccountReconnected", "account_id": answered}))

    def _key_problem(self, headers: Headers, raw_query: bytes) -> str | None:
        sent = headers.get("x-api-key")
        if sent is not None and hmac.compare_digest(sent.encode("utf-8", "replace"), self._key_bytes):
            return None
        if sent is None:
            problem = "the X-API-KEY header is missing"
            if "authorization" in headers:
                problem += "; an Authorization header was sent, but this API reads the key from X-API-KEY only"
            query = urllib.parse.parse_qsl(raw_query.decode("latin-1"), keep_blank_values=True)
            if any(name.lower() in _QUERY_KEY_NAMES or value == self.api_key for name, value in query):
                problem += "; the query string seems to carry a key: send it in the X-API-KEY header, never in the URL"
            return problem + " (rule 17, see: python -m pytest_postpress rules 17)"
        if len(headers.get_list("x-api-key")) > 1:
            return "X-API-KEY was sent more than once; send it once"
        return "the X-API-KEY header does not match the key this double accepts (value not shown)"

    def _unknown_account(self, account_id: str) -> str:
        with self._lock:
            known = sorted(self._known.ids)
        shown = ", ".join(repr(clip(account)) for account in known[:3]) or "none"
        more = f" and {len(known) - 3} more" if len(known) > 3 else ""
        return f"no account with id {clip(account_id)!r} (known: {shown}{more}); add it with add_account()"


class Answerer(Protocol):
    """What answers the requests a server receives (:class:`MockState`, the live proxy's forwarder, the
    replay), recording each in ``journal``: the server takes one as its ``answerer``."""

    @property
    def journal(self) -> Journal:
        """Where the requests answered are recorded."""
        ...

    def answer(self, method: str, target: bytes, headers: Headers, body: bytes, *, url: str) -> Reply:
        """Answer one request (``target``: path and query as sent; ``url``: the full URL) and record it."""
        ...


class MockState:
    """What a test double knows and what it has received, composed of three parts: the :class:`Journal` of
    calls, the :class:`ForcedAnswers` and the rule-22 :class:`Judge`; thread-safe.

    ``api_key`` is the key accepted in ``X-API-KEY``; ``prefix`` the path
    before ``/v1`` (``""`` or e.g. ``/api``); ``accounts`` the ids that exist
    (``any_account=True``: every id exists).  Forced answers queue up: those
    given a count of ``times`` are used first, in the order given; the latest
    one given ``times=None`` answers every call once the queue is empty.
    Forced answers apply to every request on the reconnect route, before the
    checks of rule 22; requests that are not the reconnect route are never forced.
    ``journal``: the journal to record in (a server shares its answerer's).
    """

    def __init__(
        self,
        *,
        api_key: str,
        prefix: str = "",
        accounts: Iterable[str] = (),
        any_account: bool = False,
        journal: Journal | None = None,
    ) -> None:
        self.judge: Final = Judge(api_key=api_key, prefix=prefix, accounts=accounts, any_account=any_account)
        self.journal: Final = Journal() if journal is None else journal
        self.forced: Final = ForcedAnswers()
        self.api_key: Final = self.judge.api_key
        self.prefix: Final = self.judge.prefix
        self._lock = threading.Lock()
        self._preferred_uses: dict[str, int] = {}  # documented error id -> answers given by Prefer
        self.assert_all_routed: bool = True

    # -- configuration ---------------------------------------------------------------------------

    @property
    def accounts(self) -> frozenset[str]:
        """The account ids that exist now (see also :attr:`any_account`)."""
        return self.judge.accounts

    @property
    def any_account(self) -> bool:
        """Whether every account id exists."""
        return self.judge.any_account

    @any_account.setter
    def any_account(self, value: bool) -> None:
        self.judge.any_account = value

    def add_account(self, account_id: str) -> None:
        """Make ``account_id`` (the decoded id, e.g. ``"acc 1/é"``) an account that exists."""
        self.judge.add_account(account_id)

    @property
    def success_account_id(self) -> SuccessPolicy:
        """The ``account_id`` of a 201: ``None`` answers the id of the path, a string answers that
        id, a callable ``(path_id) -> str`` computes it (rule 19: it need not equal the path id)."""
        return self.judge.success

    @success_account_id.setter
    def success_account_id(self, policy: SuccessPolicy) -> None:
        if policy is not None and not callable(policy):
            _check_id(policy)
        self.judge.success = policy

    def respond_with(
        self,
        error: ErrorLike,
        *,
        times: int | None = 1,
        envelope: Mapping[str, Any] | None = None,
        vary: bool = False,
        vary_start: int = 0,
    ) -> catalog.DocumentedError:
        """Answer a documented error to the next ``times`` reconnects (``None``: every one).

        ``envelope`` replaces the JSON body; it must validate for that error.
        ``vary=True`` cycles the body through the shapes the contract allows
        (with ``detail`` and ``instance``; bare; ``detail`` only; ``instance``
        and an unknown extra field), starting at shape ``vary_start``.
        Returns the documented error.
        """
        documented = resolve_error(error)
        _check_times(times)
        fixed: bytes | None = None
        if envelope is not None:
            fixed = dumps(self._checked_envelope(documented, envelope))

        def make(number: int, use: int) -> Reply:
            if fixed is not None:
                return Reply(documented.status, JSON_HEADERS, fixed)
            shape = vary_start + use if vary else 0
            return Reply(documented.status, JSON_HEADERS, dumps(_shape(documented, shape, _instance(number))))

        self._force(_Forced(make, times, what=f"error {documented.id}"))
        return documented

    @staticmethod
    def _checked_envelope(error: catalog.DocumentedError, envelope: Mapping[str, Any]) -> dict[str, Any]:
        body = dict(envelope)
        violations = validate_response(error.status, body)
        if violations:
            problems = "; ".join(str(violation) for violation in violations)
            raise ValueError(f"envelope does not validate as a {error.status} error: {problems}")
        if body.get("type") != error.type:
            raise ValueError(f"envelope type {body.get('type')!r} does not match the error {error}")
        return body

    def respond_raw(
        self,
        status: int,
        content: bytes | str,
        *,
        headers: Mapping[str, str] | None = None,
        times: int | None = 1,
    ) -> None:
        """Answer anything to the next ``times`` reconnects: for robustness tests (rule 21).

        ``headers`` default to ``Content-Type: application/json`` when
        ``content`` is JSON, else ``text/plain; charset=utf-8``.  Nothing is validated.
        """
        if not isinstance(status, int) or isinstance(status, bool) or not 200 <= status <= 599:
            raise ValueError(f"status must be a final HTTP status from 200 to 599, got {status!r}")
        _check_times(times)
        body = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        if headers is None:
            kind = "application/json" if parse_json(body)[1] is None else "text/plain; charset=utf-8"
            pairs: tuple[tuple[str, str], ...] = (("Content-Type", kind),)
        else:
            pairs = tuple((str(name), str(value)) for name, value in headers.items())
        reply = Reply(status, pairs, body)
        self._force(_Forced(lambda number, use: reply, times, what=f"raw {status}"))

    def fail_connection(self, *, times: int | None = 1) -> None:
        """Drop the connection of the next ``times`` reconnects without answering."""
        _check_times(times)
        reply = Reply(0, (), b"", Action.FAIL_CONNECTION)
        self._force(_Forced(lambda number, use: reply, times, what="fault drop"))

    def time_out(self, *, times: int | None = 1) -> None:
        """Never answer the next ``times`` reconnects (the client's timeout fires)."""
        _check_times(times)
        reply = Reply(0, (), b"", Action.TIME_OUT)
        self._force(_Forced(lambda number, use: reply, times, what="fault timeout"))

    def _force(self, forced: _Forced) -> None:
        self.forced.add(forced)

    def pending_answers(self) -> list[str]:
        """The forced answers not used up: each queued one with the uses left, and the answer for every
        call (``times=None``) when no call used it yet; empty when every answer given was used."""
        return self.forced.pending()

    def reset(self) -> None:
        """Forget calls and forced answers; accounts, ``success_account_id`` and ``assert_all_routed`` as new."""
        self.journal.clear()
        self.forced.clear()
        with self._lock:
            self._preferred_uses.clear()
        self.judge.reset()
        self.assert_all_routed = True

    # -- what was received -----------------------------------------------------------------------

    @property
    def calls(self) -> list[RecordedCall]:
        """Every request received, in order (a copy)."""
        return self.journal.calls

    @property
    def unrouted(self) -> list[RecordedCall]:
        """The requests received that were not the reconnect route."""
        return self.journal.unrouted

    def check_all_routed(self, who: str = "the postpress mock") -> None:
        """Raise :class:`UnroutedRequestError` when a request was not the reconnect route."""
        __tracebackhide__ = True
        unrouted = self.unrouted
        if unrouted:
            listing = "\n".join(f"  - {self.describe_request(call)}" for call in unrouted[:10])
            more = f"\n  ... and {len(unrouted) - 10} more" if len(unrouted) > 10 else ""
            raise UnroutedRequestError(
                f"{who} received {len(unrouted)} request(s) that are not the reconnect route:\n{listing}{more}\n"
                f"It answers only {self.route_description()}. Fix the client's method or URL"
                " (or set assert_all_routed = False if the test sends them on purpose)."
            )

    def route_description(self) -> str:
        """``POST {prefix}/v1/accounts/{id}``."""
        return self.judge.route_description()

    def describe_request(self, call: RecordedCall) -> str:
        """One line naming a request: method, path, header names (never values) and body size; the key hidden
        wherever the client put it (the path)."""
        names = ", ".join(sorted(call.headers)) or "none"
        query = "?(query)" if call.query else ""
        size = len(call.content)
        line = f"{call.method} {call.raw_path}{query} (headers: {names}; values not shown; body: {size} bytes)"
        scrubber = self.judge.scrubber.child()
        scrubber.add_body(call.json)
        return scrubber.text(line)

    # -- answering -------------------------------------------------------------------------------

    def is_reconnect_route(self, method: str, target: bytes) -> bool:
        """Whether a request is on the reconnect route: ``POST {prefix}/v1/accounts/...``."""
        return self.judge.is_reconnect_route(method, target)

    def answer(self, method: str, target: bytes, headers: Headers, body: bytes, *, url: str) -> Reply:
        """Answer one request and record it.

        ``target`` is the request target as sent (origin form: path and
        query, bytes exactly as on the wire); ``url`` the full URL, for the
        record.  A reconnect is answered by its ``Prefer`` choice, else by the
        forced answers, else by the judge.  A request that is not the reconnect route gets a 404
        ``errors/resource_not_found`` whose ``detail`` names the route.
        """
        received = time.monotonic()
        number = self.judge.number()
        raw_path, _, raw_query = target.partition(b"?")
        routed = self.judge.is_reconnect_route(method, raw_path)
        account_id: str | None = None
        forced: _Forced | None = None
        preferred: Reply | None = None
        if routed:
            account_id, shape_problem = self.judge.path_id(raw_path)
            preferred = self._preferred(headers, number) if "prefer" in headers else None
            if preferred is not None:
                reply = preferred
            else:
                forced = self.forced.take()
                if forced is not None:
                    reply = forced.make(number, forced.uses - 1)
                else:
                    reply = self.judge.judge(raw_path, raw_query, headers, body, account_id, shape_problem, number)
        else:
            reply = self.error_reply(
                404,
                "errors/resource_not_found",
                f"no route for {method} {_text(raw_path)}: this API answers {self.route_description()}",
                number,
            )
        call = RecordedCall(
            method=method,
            url=url,
            raw_path=_text(raw_path),
            query=_text(raw_query),
            headers=headers,
            content=body,
            routed=routed,
            account_id=account_id,
            status=reply.status if reply.action is Action.RESPOND else None,
            forced=forced is not None or preferred is not None,
            received=received,
        )
        self.record(call)
        return reply

    def record(self, call: RecordedCall) -> None:
        """Append ``call`` to the journal (thread-safe: the server answers from one thread per connection)."""
        self.journal.record(call)

    def record_unrouted(
        self, method: str, target: bytes, headers: Headers, body: bytes, *, url: str, status: int | None = None
    ) -> None:
        """Record a request that was not answered by :meth:`answer`: a mock raising "not mocked"
        (``status`` ``None``), or a server refusing a request it cannot read (``status`` sent)."""
        raw_path, _, raw_query = target.partition(b"?")
        call = RecordedCall(method, url, _text(raw_path), _text(raw_query), headers, body, False, None, status)
        self.record(call)

    def _preferred(self, headers: Headers, number: int) -> Reply | None:
        """The answer a reconnect chose with ``Prefer: postpress-answer=<id>``, or ``None`` when it chose none.

        Like a forced answer it comes before rule 22 and varies its envelope through the shapes the contract
        allows (one more per use of that id); it uses up no queued answer.  An unknown id is a 400
        ``errors/invalid_request`` naming the valid ids.
        """
        chosen = _prefer_answer(headers.get_list("prefer"))
        if chosen is None:
            return None
        try:
            error = error_by_id(chosen, f"the request header Prefer: {PREFER_ANSWER}={clip(chosen)}")
        except ValueError as problem:
            return self.error_reply(400, "errors/invalid_request", str(problem), number)
        with self._lock:
            use = self._preferred_uses.get(error.id, 0)
            self._preferred_uses[error.id] = use + 1
        applied = (*JSON_HEADERS, ("Preference-Applied", f"{PREFER_ANSWER}={error.id}"))
        return Reply(error.status, applied, dumps(_shape(error, use, _instance(number))))

    def error_reply(self, status: int, type_: str, detail: str, number: int | None = None) -> Reply:
        """A documented error with ``detail`` and an ``instance`` (``number``: the request's, else a new one)."""
        return self.judge.error_reply(status, type_, detail, number)


def _prefer_answer(values: list[str]) -> str | None:
    """The value of the first ``postpress-answer`` preference among ``Prefer`` header values (RFC 7240: a
    preference given twice counts once, the first; names are case-insensitive, values may be quoted)."""
    for value in values:
        for preference in value.split(","):
            name, _, token = preference.split(";", 1)[0].partition("=")
            if name.strip().lower() == PREFER_ANSWER:
                token = token.strip()
                if len(token) >= 2 and token[0] == token[-1] == '"':
                    token = token[1:-1]
                return token
    return None


def _instance(number: int) -> str:
    return f"req_mock_{number:08d}"


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "backslashreplace")


def _unescaped_detail(raw_path: bytes, match: re.Match[bytes]) -> str:
    offset = match.start()
    byte = raw_path[offset]
    if byte == 0x25:
        what = "a '%' that does not start a percent-escape (%XX): encode it as %25"
    elif byte == 0x20:
        what = "a space: encode it as %20"
    elif byte >= 0x80:
        what = f"a non-ASCII byte 0x{byte:02X}: percent-encode the id as UTF-8"
    elif byte < 0x20 or byte == 0x7F:
        what = f"a control character 0x{byte:02X}: encode it as %{byte:02X}"
    else:
        what = f"{chr(byte)!r}: encode it as %{byte:02X}"
    return f"the request path has {what} (offset {offset}; rule 16, see: python -m pytest_postpress rules 16)"


def _framing_problem(headers: Headers, body: bytes) -> str | None:
    declared = headers.get_list("content-length")
    if not declared:
        return None
    values = {value.strip() for value in declared}
    if len(values) > 1 or not next(iter(values)).isdigit():
        return "the Content-Length header is not one whole number"
    length = int(next(iter(values)))
    if length != len(body):
        return f"the Content-Length header says {length} bytes but the body has {len(body)}"
    return None


def _content_type_problem(headers: Headers) -> str | None:
    content_type = headers.get("content-type")
    if content_type is None:
        return (
            "the Content-Type header is missing: label the JSON body application/json "
            "(rule 18, see: python -m pytest_postpress rules 18)"
        )
    media, *params = (part.strip() for part in content_type.split(";"))
    if media.lower() != "application/json":
        return (
            f"the Content-Type is {clip(media)!r}: label the JSON body application/json "
            "(rule 18, see: python -m pytest_postpress rules 18)"
        )
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            return f"the Content-Type charset is {clip(value.strip())!r}: JSON is sent as UTF-8"
    return None
