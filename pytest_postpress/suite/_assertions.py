"""The assertions of the contract suite and the messages they fail with.

Each failure is a :class:`~pytest_postpress.errors.ContractViolation` whose message says what the
contract requires, what the client did and how to fix it; every known secret is scrubbed from it.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NoReturn, overload

from pytest_postpress import catalog
from pytest_postpress._redact import SECRET_HEADERS, SHORT, Scrubber
from pytest_postpress._redact import show as _show
from pytest_postpress.doubles._http import RecordedCall
from pytest_postpress.errors import ContractViolation, StagingFault
from pytest_postpress.suite._fixes import DOTS_FIX, content_type_fix, difference_fix, encoding_fix, looks_form_encoded
from pytest_postpress.suite._identity import ErrorIdentity
from pytest_postpress.suite._none import none_fields, without_none_fields
from pytest_postpress.validation import validate_reconnect_body

if TYPE_CHECKING:
    from pytest_postpress.suite.live import Exchange, LiveSession

_UNRESERVED_SEGMENT = re.compile(r"(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})+")
RULE_23 = "rule 23, see: python -m pytest_postpress rules 23"
_DOT_IDS = frozenset({".", ".."})


def answer_name(call: RecordedCall) -> str:
    """What a recorded request was answered: ``"503"``, or ``"no answer"`` (dropped connection or timeout)."""
    return "no answer" if call.status is None else str(call.status)


def retried_after(call: RecordedCall) -> bool:
    """Whether a client may resend after the answer ``call`` got (rule 23; by status: every documented error
    of 407, 408, 502, 503 and 504 is retryable, so the type need not be read)."""
    return catalog.is_retryable(call.status)


def _header(call: RecordedCall, name: str) -> str | None:
    for key, value in call.headers.items():
        if key.lower() == name:
            return str(value)
    return None


def attempt_difference(first: RecordedCall, other: RecordedCall) -> str | None:
    """How a retry differs from the first attempt (method, raw path, X-API-KEY, body as JSON), or ``None``."""
    if other.method != first.method:
        return f"sent {other.method} instead of {first.method}"
    first_target = (first.raw_path, first.query)
    other_target = (other.raw_path, other.query)
    if other_target != first_target:
        return f"sent the path {other.raw_path!r} instead of {first.raw_path!r}"
    first_key, other_key = _header(first, "x-api-key"), _header(other, "x-api-key")
    if other_key is None and first_key is not None:
        return "dropped the X-API-KEY header"
    if other_key != first_key:
        return "sent another X-API-KEY value (values hidden)"
    if other.content == first.content:
        return None
    try:
        first_body = json.loads(first.content.decode("utf-8")) if first.content else None
        other_body = json.loads(other.content.decode("utf-8")) if other.content else None
    except (UnicodeDecodeError, ValueError):
        return f"sent another body ({len(other.content)} bytes instead of {len(first.content)})"
    if not first.content or not other.content:
        return f"sent another body ({len(other.content)} bytes instead of {len(first.content)})"
    difference = first_difference(first_body, other_body)
    return None if difference is None else f"sent another body: {difference}"


def _same_number(a: int | float, b: int | float) -> bool:
    """Rule 25: two JSON numbers are equal when they are the same IEEE-754 double (RFC 8259 section 6).

    So ``993`` equals ``993.0``, ``5.452979267241015e+16`` equals ``54529792672410150``, and past 2**53 a
    client whose JSON library holds numbers as doubles is not blamed for the rounding it does.
    """
    if a == b:
        return True
    try:
        return float(a) == float(b)
    except OverflowError:  # an integer beyond any double: only equal as the same integer
        return False


def _same_json(a: Any, b: Any) -> bool:
    # JSON has one number type (rule 25), but a boolean is never a number and a string never one.
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return _same_number(a, b)
    return type(a) is type(b) and a == b if not isinstance(a, dict | list) else False


def first_difference(expected: Any, found: Any, path: str = "", key: str | None = None) -> str | None:
    """Describe the first place where ``found`` differs from ``expected`` as JSON, or ``None``."""
    where = path or "(root)"
    if isinstance(expected, dict):
        if not isinstance(found, dict):
            return f"at {where}: expected an object, found {_show(found, key)}"
        for name, value in expected.items():
            sub = f"{path}/{name}"
            if name not in found:
                return f"at {sub}: field dropped (expected {_show(value, name)})"
            difference = first_difference(value, found[name], sub, name)
            if difference:
                return difference
        for name in found:
            if name not in expected:
                return f"at {path}/{name}: field added that the caller did not pass ({_show(found[name], name)})"
        return None
    if isinstance(expected, list):
        if not isinstance(found, list):
            return f"at {where}: expected an array, found {_show(found, key)}"
        if len(found) != len(expected):
            return f"at {where}: expected {len(expected)} items, found {len(found)}"
        for index, (a, b) in enumerate(zip(expected, found, strict=True)):
            difference = first_difference(a, b, f"{path}/{index}", key)
            if difference:
                return difference
        return None
    if _same_json(expected, found):
        return None
    if found is None:
        return f"at {where}: expected {_show(expected, key)}, found null (nulled)"
    return f"at {where}: expected {_show(expected, key)}, found {_show(found, key)}"


def _describe_error(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    if len(text) > 160:
        text = text[:157] + "..."
    return f"{type(error).__module__}.{type(error).__qualname__}({text!r})"


def read_account_id(result: Any) -> str | None:
    """The account id a client returned: a ``str``, an object with ``.account_id``, or a mapping."""
    if isinstance(result, str):
        return result
    if isinstance(result, Mapping):
        value = result.get("account_id")
        return value if isinstance(value, str) else None
    value = getattr(result, "account_id", None)
    return value if isinstance(value, str) else None


@dataclass
class Outcome:
    """What one call of the client did: its result or exception, and the requests it sent."""

    result: Any = None
    error: BaseException | None = None
    calls: list[RecordedCall] = field(default_factory=list)

    @property
    def raised(self) -> bool:
        return self.error is not None


class Assertions:
    """The assertions of the suite, shared by the mock checks and the live checks."""

    def __init__(
        self,
        name: str,
        base_url: str,
        api_key: str,
        identity: Callable[[BaseException], Any],
        max_attempts: int = 5,
        *,
        none_means_absent: bool = False,
    ) -> None:
        self.name = name
        self.max_attempts = max_attempts
        self.base_url = base_url
        self.api_key = api_key
        self.identity = identity
        self.none_means_absent = none_means_absent
        # The key and every secret of every body this check sent: no message shows them, in any spelling.
        self.scrubber = Scrubber([api_key])

    def expected_body(self, body: Any) -> Any:
        """The body the client must send for ``body``: without its ``None`` fields when ``None`` means absent."""
        return without_none_fields(body) if self.none_means_absent else body

    def hide(self, body: Any) -> None:
        """Remember the secret values of ``body`` so that no message can show them."""
        self.scrubber.add_body(body)

    def hide_call(self, call: RecordedCall) -> None:
        """Remember the secrets of a request the client sent: its body's secret fields, and the values of its
        credential headers (a key other than the configured one; a shorter value is too common to hide)."""
        self.scrubber.add_body(call.json)
        self.scrubber.add(
            *(value for name, value in call.headers.items() if name in SECRET_HEADERS and len(value) >= SHORT)
        )

    def fail(self, required: str, observed: str, fix: str) -> NoReturn:
        message = f"[{self.name}] the contract requires {required}\n  the client {observed}\n  how to fix: {fix}"
        # A client's exception text may quote the key or a password: scrub every known secret, last.
        raise ContractViolation(self.scrubber.text(message))

    @overload
    def one_call(self, outcome: Outcome, *, allow_refusal: Literal[False] = False) -> RecordedCall: ...
    @overload
    def one_call(self, outcome: Outcome, *, allow_refusal: bool) -> RecordedCall | None: ...
    def one_call(self, outcome: Outcome, *, allow_refusal: bool = False) -> RecordedCall | None:
        """The request the client sent for one reconnect (its first attempt), after checking its retries.

        Rule 23: the client may resend after a retryable answer (407, 408, 502, 503, 504, a dropped
        connection or a timeout), every attempt identical to the first, at most ``max_attempts`` in all;
        never after any other answer.  ``None`` when the client refused before sending and
        ``allow_refusal``.
        """
        if not outcome.calls:
            if outcome.raised and allow_refusal:
                return None
            if outcome.raised:
                assert outcome.error is not None
                self.fail(
                    "one POST request to the endpoint",
                    f"sent nothing and raised {_describe_error(outcome.error)}",
                    "send the request; do not validate or refuse a documented-valid call",
                )
            self.fail("one POST request to the endpoint", "sent nothing", "call the endpoint once per reconnect")
        calls = outcome.calls
        for index, call in enumerate(calls[:-1]):
            if not retried_after(call):
                self.fail(
                    f"no resend after an answer that is not retryable ({RULE_23})",
                    f"sent {len(calls)} requests: attempt {index + 2} after a {answer_name(call)} answer",
                    "raise every answer at once except the retryable ones (407, 408, 502, 503, 504, a dropped "
                    "connection, a timeout); reconnecting is not idempotent: after a "
                    f"{answer_name(call)} the first request may have taken effect",
                )
        if len(calls) > self.max_attempts:
            answers = ", ".join(answer_name(call) for call in calls[:-1])
            self.fail(
                f"at most {self.max_attempts} attempts in all (postpress_max_attempts; {RULE_23})",
                f"sent {len(calls)} requests (answers retried: {answers})",
                f"bound the retries: stop after {self.max_attempts} attempts in all and raise the last answer",
            )
        first = calls[0]
        for index, call in enumerate(calls[1:], start=2):
            difference = attempt_difference(first, call)
            if difference is not None:
                self.fail(
                    f"each attempt to repeat the first exactly: method, path, X-API-KEY, body equal as JSON "
                    f"({RULE_23})",
                    f"retried after a {answer_name(calls[index - 2])} answer, and attempt {index} {difference}",
                    "resend the very request that was answered: build it once and send it again unchanged "
                    "(keep the headers and the body; do not re-encode or stamp the retry)",
                )
        return first

    # 1. request line ---------------------------------------------------------------------------------
    def request_line(self, call: RecordedCall, account_id: str) -> None:
        prefix = urllib.parse.urlsplit(self.base_url).path.rstrip("/") + "/v1/accounts/"
        expected = prefix + urllib.parse.quote(account_id, safe="")
        path = str(call.raw_path)
        query = call.query
        raw = path + ("?" + query if query else "")
        if call.method != "POST":
            self.fail("method POST", f"sent {call.method} {raw}", "use POST for the reconnect endpoint")
        if account_id in _DOT_IDS:
            self._dot_id(path, raw, prefix, account_id)
        injected = (
            f"sent the path {raw!r} for the id {account_id!r}: the id was not percent-encoded as one path "
            "segment, so it changed the path (a path-injection risk: an id such as '../x' reaches another "
            "endpoint)"
        )
        if not path.startswith(prefix):
            self.fail(f"the path {expected!r}", injected, encoding_fix(account_id, path[len(prefix) :]))
        segment = path[len(prefix) :]
        if query or "/" in segment or "#" in raw:
            self.fail(f"the path {expected!r} with no query string", injected, encoding_fix(account_id, segment))
        if _UNRESERVED_SEGMENT.fullmatch(segment) is None:
            self.fail(
                f"the id percent-encoded as UTF-8 outside RFC 3986 unreserved characters: {expected!r}",
                f"sent the path {raw!r}",
                encoding_fix(account_id, segment),
            )
        try:
            decoded = urllib.parse.unquote(segment, errors="strict")
        except UnicodeDecodeError:
            decoded = None
        if decoded != account_id:
            twice = decoded is not None and urllib.parse.unquote(decoded, errors="replace") == account_id
            self.fail(
                f"the path segment to decode back to the id {account_id!r}",
                f"sent {segment!r}, which decodes to {decoded!r}",
                "percent-encode the id once: it was encoded twice (quote() applied to an already encoded id, or "
                "an HTTP library that re-encodes '%'); build the URL from urllib.parse.quote(account_id, safe='') "
                "and give it to the library as it is"
                if twice
                else "percent-encode the UTF-8 bytes of the id, once: urllib.parse.quote(account_id, safe='')",
            )

    def _dot_id(self, path: str, raw: str, prefix: str, account_id: str) -> None:
        """Rule 16: the ids '.' and '..' stay one segment only as %2E and %2E%2E; sent otherwise, the library
        resolved them as dot segments (POST /v1/ for '..')."""
        segment = path[len(prefix) :] if path.startswith(prefix) else None
        if segment is not None and segment not in {"", ".", ".."}:
            return  # not resolved as a dot segment: the general checks judge its encoding
        self.fail(
            f"the id {account_id!r} sent as {'%2E' * len(account_id)!r}, or refused before sending",
            f"sent the path {raw!r} for the id {account_id!r}: a dot segment, which URL resolution turns into "
            "another path (a path-injection risk)",
            DOTS_FIX,
        )

    # 2. authentication -------------------------------------------------------------------------------
    def authentication(self, call: RecordedCall) -> None:
        headers = {name.lower(): value for name, value in call.headers.items()}
        raw = call.raw_path + "?" + call.query
        if self.api_key and (self.api_key in raw or urllib.parse.quote(self.api_key, safe="") in raw):
            self.fail(
                "the API key in the X-API-KEY header only",
                "put the API key in the URL (query string or path), where logs and proxies record it",
                "take the key out of the URL (no params={'api_key': ...}, no key in the path) and send it as the "
                "header X-API-KEY",
            )
        authorization = headers.get("authorization", "")
        if self.api_key and self.api_key in authorization:
            self.fail(
                "the API key in the X-API-KEY header, not Authorization",
                "sent the key in the Authorization header",
                "send the key as the header X-API-KEY (httpx.Client(headers={'X-API-KEY': key}); requests: "
                "session.headers['X-API-KEY'] = key) and drop the Authorization header (no auth=, no Bearer)",
            )
        if "x-api-key" not in headers:
            names = ", ".join(sorted(call.headers.keys())) or "none"
            carrying = sorted(name for name, value in call.headers.items() if self.api_key and self.api_key in value)
            if carrying:
                self.fail(
                    "the header X-API-KEY carrying the API key",
                    f"sent the key in the header {carrying[0]!r}, and no X-API-KEY header",
                    f"rename the header {carrying[0]!r} to X-API-KEY (header names are case-insensitive; the "
                    "spelling is not)",
                )
            self.fail(
                "the header X-API-KEY carrying the API key",
                f"sent no X-API-KEY header (headers sent: {names})",
                "add the header X-API-KEY: <your key> (httpx.Client(headers={'X-API-KEY': key}); requests: "
                "session.headers['X-API-KEY'] = key)",
            )
        value = headers["x-api-key"]
        if value != self.api_key:
            observed = f"sent a different X-API-KEY value ({len(value)} characters; values hidden)"
            fix = (
                "pass postpress_api_key through unchanged: the client sent another key (read from the "
                "environment or a config file instead of the one it was given?)"
            )
            if self.api_key and value.strip() == self.api_key:
                fix = "send the key as it is: strip the whitespace around it"
            elif self.api_key and value.endswith(self.api_key) and len(value) - len(self.api_key) <= 16:
                extra = value[: len(value) - len(self.api_key)]
                observed = f"sent X-API-KEY with {extra!r} before the key (values hidden)"
                fix = f"send the key alone, without the prefix {extra!r} (that is Authorization's syntax)"
            self.fail("X-API-KEY to equal the configured key (postpress_api_key)", observed, fix)

    # 3. body -----------------------------------------------------------------------------------------
    def body(self, call: RecordedCall, body: Any) -> None:
        headers = {name.lower(): value for name, value in call.headers.items()}
        content_type = headers.get("content-type")
        media = (content_type or "").split(";")[0].strip().lower()
        if media != "application/json":
            observed = f"sent Content-Type {content_type!r}" if content_type else "sent no Content-Type header"
            self.fail("Content-Type: application/json", observed, content_type_fix(media, call.content))
        try:
            sent = json.loads(call.content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            form = looks_form_encoded(call.content)
            self.fail(
                "a UTF-8 JSON body",
                f"sent a body that is not JSON ({type(error).__name__}"
                + (", form-encoded though labelled JSON)" if form else ")"),
                "pass json=body (httpx, requests) instead of data=body: data= form-encodes a dict"
                if form
                else "serialise the body with json.dumps(body), or pass json=body (httpx, requests)",
            )
        expected = self.expected_body(body)
        difference = first_difference(expected, sent)
        if difference:
            self.fail(
                "the body sent to equal, as JSON, the body the caller passed (nothing dropped, renamed, "
                "re-typed, nulled or added)"
                + (" less the fields set to None (postpress_none_means_absent)" if expected != body else ""),
                f"sent a different body {difference}",
                self._none_advice(body, sent) or difference_fix(expected, sent, difference),
            )
        violations = validate_reconnect_body(sent)
        if violations and not validate_reconnect_body(expected):
            self.fail("a valid body", f"sent an invalid body: {violations[0]}", "send the caller's body unchanged")

    def invalid_body_sent(
        self, outcome: Outcome, call: RecordedCall, body: Any, status: int, type_: str, what: str
    ) -> None:
        """An invalid body went out: it must be the caller's, and the server's 400 must be raised.

        Rule 24: a ``null`` body (the caller passed ``None``) may also go out as no body at all (``json=None``
        in httpx and requests); the server answers 400 ``errors/invalid_request`` and the client raises that.
        """
        if body is None and not call.content:
            self.raised_with(
                outcome,
                400,
                "errors/invalid_request",
                "a null body sent as no body, which the server answers 400 errors/invalid_request (rule 24, see: "
                "python -m pytest_postpress rules 24)",
            )
            return
        self.body(call, body)
        self.raised_with(outcome, status, type_, what)

    def _none_advice(self, body: Any, sent: Any) -> str | None:
        """Advice when the body sent differs from ``body`` only in how the fields set to ``None`` were sent."""
        fields = none_fields(body)
        if not fields:
            return None
        shown = ", ".join(fields[:3]) + (", ..." if len(fields) > 3 else "")
        if self.none_means_absent:
            if first_difference(body, sent) is not None:
                return None  # not only the None fields: the general advice
            return (
                f"with postpress_none_means_absent set, a field the caller set to None ({shown}) counts as not "
                "passed: leave it out of the body, at any depth; send every other field as it is"
            )
        if first_difference(without_none_fields(body), sent) is not None:
            return None
        return (
            f"the client only dropped the fields the caller set to None ({shown}). If your client's API reads None "
            "as 'not given' by design (keyword arguments left at None), say so once: override the fixture "
            "postpress_none_means_absent to return True, in your ReconnectContract subclass or a conftest.py. "
            "Otherwise send null as passed"
        )

    # 4. success --------------------------------------------------------------------------------------
    def success(self, outcome: Outcome, expected_id: str) -> None:
        if outcome.raised:
            assert outcome.error is not None
            self.fail(
                "a 201 AccountReconnected to be read as success",
                f"raised {_describe_error(outcome.error)} on a 201",
                "treat 201 as success and return the response's account_id",
            )
        found = read_account_id(outcome.result)
        if found is None:
            self.fail(
                "the result to be the account id (a str, an object with .account_id, or a mapping with 'account_id')",
                f"returned {type(outcome.result).__name__}: {_show(outcome.result, None)}",
                "return the account_id of the 201 body, or an object or dict that carries it",
            )
        if found != expected_id:
            self.fail(
                f"the account id of the 201 body ({expected_id!r}), which need not equal the path id",
                f"returned {found!r}",
                "read account_id from the response body instead of echoing the id you sent",
            )

    # 5. errors ---------------------------------------------------------------------------------------
    def raised_with(self, outcome: Outcome, status: int, type_: str | None, what: str) -> ErrorIdentity:
        if not outcome.raised:
            self.fail(
                f"an exception for {what}",
                f"reported success ({_show(outcome.result, None)})",
                "raise on every status other than 201 (httpx and requests: response.raise_for_status() for 4xx "
                "and 5xx; or test response.status_code != 201)",
            )
        assert outcome.error is not None
        identity = self.identity(outcome.error)
        if identity is None:
            fix = (
                "carry status and type on your exception (attributes status/type), or override the "
                "postpress_error_identity fixture to read your exception class"
            )
            if status == 407:
                fix = (
                    "if your client is built on fetch: fetch turns a 407 answer into a network error, so the status "
                    "never reaches your code; send this request with node:http or undici.request, which return the "
                    "407 response, and raise it with its status and type. Otherwise " + fix
                )
            self.fail(
                f"the raised error to tell the status {status}" + (f" and type {type_}" if type_ else ""),
                f"raised {_describe_error(outcome.error)}, from which postpress_error_identity reads nothing",
                fix,
            )
        if (
            not isinstance(identity, tuple)
            or len(identity) != 2
            or not isinstance(identity[0], int)
            or not (identity[1] is None or isinstance(identity[1], str))
        ):
            self.fail(
                "postpress_error_identity to return (status: int, type: str | None) or None",
                f"raised {_describe_error(outcome.error)}, and postpress_error_identity returned {identity!r}",
                "fix your override of the postpress_error_identity fixture",
            )
        found_status, found_type = identity
        if found_status != status or (type_ is not None and found_type != type_):
            if found_status == status and found_type is None:
                fix = "read the type from the response's JSON envelope (its 'type' field) and carry it on the error"
            elif found_status != status and found_type == type_ and type_ == "errors/request_timeout":
                fix = (
                    "identify errors by the (status, type) pair of the response, not the type alone: 504 "
                    "errors/request_timeout is not 408"
                )
            elif found_status != status:
                fix = "take the status from the HTTP response (its status code), not from a table or the type"
            else:
                fix = "take the type from the response's envelope as received (no mapping, no default type)"
            self.fail(
                f"the error to be identified as ({status}, {type_!r})" if type_ else f"the status {status}",
                f"raised {_describe_error(outcome.error)}, identified as ({found_status}, {found_type!r})",
                fix,
            )
        return (found_status, found_type)

    # robustness: an exception for an answer outside the documentation -------------------------------
    def raised(self, outcome: Outcome, status: int | None, what: str, *, received_type: str | None = None) -> None:
        """The client must have raised, telling ``status`` (and no type but ``received_type``) where one was
        received."""
        if not outcome.raised:
            self.fail(
                f"an exception for {what}",
                f"reported success ({_show(outcome.result, None)})",
                "raise on anything but a documented 201 body; never report success for an unreadable answer",
            )
        if status is None:
            return
        assert outcome.error is not None
        identity = self.identity(outcome.error)
        if identity is None or identity[0] != status:
            self.fail(
                f"the raised error to tell the HTTP status {status} ({what})",
                f"raised {_describe_error(outcome.error)}, identified as {identity!r}",
                "keep the HTTP status received on the exception even when the body is not a documented "
                "envelope (rule 21, see: python -m pytest_postpress rules 21)",
            )
        if identity[1] is not None and identity[1] != received_type:
            received = f"the type {received_type!r}" if received_type is not None else "no type"
            self.fail(
                f"the raised error to tell what was received ({what}: status {status}, {received})",
                f"raised {_describe_error(outcome.error)}, identified as {identity!r}",
                "report the envelope's type as received, or none when the answer had none; never make one up",
            )

    # a stalled server: the client gives up in the time it declares ------------------------------------
    def gave_up_in_time(self, outcome: Outcome, elapsed: float, *, timeout: float, attempts: int, slack: float) -> None:
        """The client sent its request to a server that holds its answer, and raised within ``attempts`` times
        its declared ``timeout`` (plus ``slack`` each)."""
        limit = attempts * (timeout + slack)
        if not outcome.calls:
            observed = f"raised {_describe_error(outcome.error)}" if outcome.error is not None else "returned"
            self.fail(
                "a request to the server (which then holds its answer)",
                f"sent nothing and {observed}",
                "send the request; do not validate or refuse a documented-valid call",
            )
        if elapsed > limit:
            self.fail(
                f"giving up within {limit:g}s when the server does not answer ({attempts} attempt(s) of the declared "
                f"postpress_client_timeout {timeout:g}s, {slack:g}s slack each)",
                f"was still waiting after {elapsed:.1f}s, over {len(outcome.calls)} request(s)",
                "build the HTTP client with a timeout (httpx.Client(timeout=...), requests' timeout=...) equal to "
                "the one postpress_client_timeout declares; never wait forever",
            )
        if not outcome.raised:
            self.fail(
                "an exception when the server does not answer in time",
                f"reported success ({_show(outcome.result, None)})",
                "raise the timeout (or your own error wrapping it); never report success without an answer",
            )

    # live-safe checks: what the server answers (the live server with --postpress-live) ----------------
    def budget_left(self, direct: LiveSession) -> None:
        """Live mode: the request budget (``--postpress-max-requests``) is not spent."""
        if direct.spent:
            self.fail("a request budget for live mode", direct.budget_message(), "raise --postpress-max-requests")

    def answers_documented(
        self,
        direct: LiveSession,
        exchanges: Sequence[Exchange],
        *,
        missing: Sequence[str],
        outside: Sequence[Mapping[str, Any]],
        fault: str | None = None,
    ) -> None:
        """Every answer of this check came from the server (``missing``: the requests a replay's recording does
        not cover) and is documented (``outside``: the summaries of those that are not); a request left
        unanswered because the budget ran out fails too.  ``fault``: why staging's answers leave nothing to
        judge the client on (:func:`~pytest_postpress.suite.live.staging_fault`): then the check could not run."""
        if any(exchange.status is None for exchange in exchanges):
            self.budget_left(direct)
        if missing:
            self.fail(
                "the recording to cover every request of this check (--postpress-replay)",
                f"(replay) sent a request the recording does not cover: {missing[0]}",
                "record again against staging with --postpress-live --postpress-record PATH (the client or the "
                "suite now sends a request that the recorded run did not)",
            )
        if fault is not None:
            raise StagingFault(fault)
        if outside:
            first = outside[0]
            self.fail(
                "every response of the server to be documented",
                f"received, for {first['request']}, status {first['status']}: {'; '.join(first['violations'])}",
                "this is drift between the server and the documentation: report it to the API owners",
            )

    def missing_key_refused(self, exchange: Exchange) -> None:
        """The server answers a request without X-API-KEY 401 errors/invalid_credentials."""
        found = (exchange.status, exchange.body.get("type") if isinstance(exchange.body, dict) else None)
        if found != (401, "errors/invalid_credentials"):
            self.fail(
                "401 errors/invalid_credentials for a request without X-API-KEY",
                f"(the server) answered {found[0]} {found[1]}",
                "the server must authenticate before anything else (rule 22, see: python -m pytest_postpress rules 22)",
            )

    def hostile_id_refused(self, exchange: Exchange, account_id: str) -> None:
        """The server answers a hostile id, sent as one encoded segment, with a 4xx, never a 5xx."""
        if exchange.status is None or not 400 <= exchange.status < 500:
            self.fail(
                f"a documented 4xx for the id {account_id!r} sent as one encoded segment",
                f"(the server) answered {exchange.status}",
                "the server must reject unknown or malformed ids with a 4xx (404 errors/resource_not_found)",
            )

    def unknown_account(self, outcome: Outcome) -> None:
        """The client raises a documented 404 for an account that does not exist."""
        _, type_ = self.raised_with(outcome, 404, None, "an unknown account")
        if type_ is not None and type_ not in catalog.types_for_status(404):
            self.fail(
                f"a documented 404 type ({', '.join(catalog.types_for_status(404))})",
                f"raised an error identified as (404, {type_!r})",
                "surface the envelope's type as received",
            )

    def reconnected(self, outcome: Outcome, exchanges: Sequence[Exchange]) -> None:
        """A real reconnect got a 201 from the server, and the client reports its account id."""
        answered = [e for e in exchanges if e.status == 201 and isinstance(e.body, dict)]
        if not answered:
            statuses = [e.status for e in exchanges]
            self.fail("201 for a real reconnect", f"got the answers {statuses}", "check the body file")
        self.success(outcome, str(answered[-1].body.get("account_id")))
