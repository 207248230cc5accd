"""The control API of ``python -m pytest_postpress serve``: tests in any language steer the server over HTTP.

Routes, all under ``/__postpress/`` at the origin (whatever the path prefix), answered only to loopback peers,
never recorded as calls and never judged as a reconnect:

- ``POST /__postpress/accounts`` ``{"id": "acc_1"}``: that account exists;
- ``POST /__postpress/answers``: queue an answer for the next reconnects, ``{"error": "409-already_exists"}``,
  ``{"status": 502, "raw": "<html>bad gateway</html>"}`` or ``{"fault": "drop" | "timeout"}``, each with
  ``"times"`` (default 1; ``null``: every reconnect once the queue is empty);
- ``GET /__postpress/calls``: the requests received, oldest first, secrets hidden;
- ``POST /__postpress/reset``: forget calls and answers, accounts as started;
- ``GET /__postpress/verify``: 200 ``[]`` when every request was the reconnect route and every queued answer was
  used, else 409 with the list of what was not.

Transport-independent: a transport calls :func:`handle` once per request it has read and sends the
:class:`~pytest_postpress.doubles._http.Reply` it returns (``None``: not a control route, answer it as usual).
Standard library and the doubles' own modules only.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Final, Protocol

from pytest_postpress import catalog
from pytest_postpress._redact import HIDDEN, Scrubber, clip
from pytest_postpress._version import __version__
from pytest_postpress.doubles._http import (
    JSON_HEADERS,
    SECRET_HEADERS,
    Headers,
    RecordedCall,
    Reply,
    dumps,
    parse_json,
)
from pytest_postpress.doubles._state import PREFER_ANSWER, MockState, error_by_id

__all__ = [
    "CONTROL_ROOT",
    "ROUTES",
    "Steered",
    "check_prefix",
    "control_openapi_document",
    "handle",
    "is_control_target",
    "is_loopback",
    "too_large",
]

CONTROL_ROOT: Final = "/__postpress"
_ANSWER_KEYS: Final = ("error", "status", "raw", "headers", "fault", "times")
_FAULTS: Final = ("drop", "timeout")
_TOKEN: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


class Steered(Protocol):
    """What the control API steers: a double's :class:`MockState`, and its ``reset`` (which on a server also
    releases the requests a ``timeout`` fault holds)."""

    state: MockState

    def reset(self) -> None: ...


class _BadInput(Exception):
    """A control request the API cannot follow: answered ``status`` with ``detail`` (what, where, how to fix)."""

    def __init__(self, status: int, detail: str, headers: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers


_TITLES: Final = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
}
#: The largest control request body read; a larger one is drained (up to DRAIN_LIMIT) and answered 413.
MAX_CONTROL_BODY: Final = 1024 * 1024
#: How much of an oversized control body is read and thrown away, so that its client gets the 413 (a larger one
#: is answered 413 without being read, and the connection is closed).
DRAIN_LIMIT: Final = 64 * 1024 * 1024
#: Headers a queued raw answer may not set: the server frames every answer itself.
FRAMING_HEADERS: Final = ("Content-Length", "Transfer-Encoding", "Connection")


def too_large(length: int) -> Reply:
    """The control API's 413 for a body of ``length`` bytes, stating the one limit enforced."""
    detail = (
        f"the control request body is {length} bytes; the control API reads bodies up to {MAX_CONTROL_BODY} bytes"
        " (1 MiB): send a smaller JSON body"
    )
    return Reply(413, JSON_HEADERS, dumps({"status": 413, "title": _TITLES[413], "detail": detail}))


def is_loopback(peer_host: str) -> bool:
    """Whether a peer address is this machine: ``127.0.0.0/8``, ``::1``, or IPv4 loopback mapped into IPv6
    (``::ffff:127.0.0.1``, how a dual-stack socket shows an IPv4 peer).  Anything else, a name included, is not."""
    try:
        address = ipaddress.ip_address(peer_host.partition("%")[0])  # an IPv6 zone (fe80::1%eth0) is no part of it
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def is_control_target(target: bytes) -> bool:
    """Whether a request target (path and query, as sent) is under ``/__postpress/``."""
    path = target.partition(b"?")[0]
    root = CONTROL_ROOT.encode("ascii")
    return path == root or path.startswith(root + b"/")


def check_prefix(prefix: str) -> None:
    """``ValueError`` when a path prefix would put the reconnect route under the control API's ``/__postpress/``."""
    if prefix == CONTROL_ROOT or prefix.startswith(CONTROL_ROOT + "/"):
        raise ValueError(
            f"path prefix {prefix!r} puts the reconnect route under {CONTROL_ROOT}/, where the control API answers;"
            " choose another prefix, such as /api"
        )


def handle(
    double: Steered, method: str, target: bytes, headers: Headers, body: bytes, peer: tuple[Any, ...]
) -> Reply | None:
    """Answer one control request, or return ``None`` when ``target`` is not under ``/__postpress/``.

    ``peer`` is the client's socket address (``(host, port, ...)``); a peer that is not loopback is refused
    with a 403 (the control API could otherwise reset or steer a server others test against).  ``headers``
    are unused today: the control API reads JSON bodies whatever their Content-Type.
    """
    if not is_control_target(target):
        return None
    try:
        host = str(peer[0]) if peer else ""
        if not is_loopback(host):
            raise _BadInput(
                403,
                f"the control API under {CONTROL_ROOT}/ answers only clients on this machine (loopback), and "
                f"{clip(host)!r} is not one: steer the server from the machine it runs on",
            )
        path = target.partition(b"?")[0].decode("latin-1")
        routes = ROUTES.get(path)
        if routes is None:
            listing = "; ".join(f"{' '.join(sorted(methods))} {route}" for route, methods in ROUTES.items())
            raise _BadInput(404, f"no control route {clip(path)!r}; the control API has: {listing}")
        action = routes.get(method)
        if action is None:
            allowed = ", ".join(sorted(routes))
            raise _BadInput(
                405,
                f"{path} answers {allowed}, not {clip(method)}: send {allowed} {path}",
                (("Allow", allowed),),
            )
        if method == "GET" and body:
            raise _BadInput(400, f"GET {path} takes no body; send it without one")
        try:
            status, value = action(double, body)
        except ValueError as problem:  # the double's own check of a value (an unknown error id...)
            raise _BadInput(400, str(problem)) from None
    except _BadInput as bad:
        reply = {"status": bad.status, "title": _TITLES[bad.status], "detail": bad.detail}
        return Reply(bad.status, (*JSON_HEADERS, *bad.headers), dumps(reply))
    return Reply(status, JSON_HEADERS, _dumps_any(value))


def _dumps_any(value: Any) -> bytes:
    # dumps() takes a mapping; the control API also answers JSON arrays
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# -- the routes ----------------------------------------------------------------------------------


def _object(body: bytes, where: str, example: str) -> dict[str, Any]:
    """The body as a JSON object, or a 400 saying what was wrong and showing ``example``."""
    if not body:
        raise _BadInput(400, f"{where} needs a JSON body, such as {example}; the body is empty")
    value, problem = parse_json(body)
    if problem is not None:
        raise _BadInput(400, f"{where}: {problem}; send a JSON object such as {example}")
    if not isinstance(value, dict):
        raise _BadInput(400, f"{where}: the body is a JSON {_json_kind(value)}; send a JSON object such as {example}")
    return value


def _shown(value: object) -> str:
    """A value from a control request as JSON (``null``, not ``None``), clipped."""
    return clip(json.dumps(value, ensure_ascii=False))


def _json_kind(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {dict: "object", list: "array", str: "string", type(None): "null"}[type(value)]


def _unknown_keys(value: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        names = ", ".join(repr(clip(name)) for name in unknown)
        raise _BadInput(400, f"{where}: unknown field(s) {names}; the fields are {', '.join(allowed)}")


def _add_account(double: Steered, body: bytes) -> tuple[int, Any]:
    where = f"POST {CONTROL_ROOT}/accounts"
    value = _object(body, where, '{"id": "acc_1"}')
    _unknown_keys(value, ("id",), where)
    account = value.get("id")
    if not isinstance(account, str) or not account:
        raise _BadInput(
            400, f'{where}: "id" must be a non-empty string (the decoded account id), got {_shown(account)}'
        )
    double.state.add_account(account)
    return 200, {"added": account}


def _times(value: Mapping[str, Any], where: str) -> int | None:
    if "times" not in value:
        return 1
    times = value["times"]
    if times is None:
        return None
    if not isinstance(times, int) or isinstance(times, bool) or times < 1:
        raise _BadInput(
            400, f'{where}: "times" must be a whole number from 1, or null for every reconnect; got {_shown(times)}'
        )
    return times


def _queue_answer(double: Steered, body: bytes) -> tuple[int, Any]:
    where = f"POST {CONTROL_ROOT}/answers"
    value = _object(body, where, '{"error": "409-already_exists", "times": 1}')
    _unknown_keys(value, _ANSWER_KEYS, where)
    kinds = [kind for kind in ("error", "status", "fault") if kind in value]
    if len(kinds) != 1:
        given = f"it has {' and '.join(repr(kind) for kind in kinds)}" if kinds else "it has none"
        raise _BadInput(
            400,
            f'{where}: give exactly one of "error" (a documented error id), "status" with "raw" (any answer) or '
            f'"fault" ("drop" or "timeout"); {given}',
        )
    kind = kinds[0]
    extra = {"error": ("raw", "headers"), "status": (), "fault": ("raw", "headers")}[kind]
    misplaced = [name for name in extra if name in value]
    if misplaced:
        raise _BadInput(400, f'{where}: "{misplaced[0]}" goes with "status" only, not with "{kind}"')
    times = _times(value, where)
    state = double.state
    if kind == "error":
        if not isinstance(value["error"], str):
            raise _BadInput(400, f'{where}: "error" must be a documented error id string such as "409-already_exists"')
        error = error_by_id(value["error"], f'{where} "error"')
        state.respond_with(error, times=times, vary=True)
        queued = {"error": error.id, "status": error.status, "type": error.type}
    elif kind == "status":
        status, raw, headers = value["status"], value.get("raw"), value.get("headers")
        if not isinstance(status, int) or isinstance(status, bool) or not 200 <= status <= 599:
            raise _BadInput(400, f'{where}: "status" must be a final HTTP status from 200 to 599, got {_shown(status)}')
        if not isinstance(raw, str):
            raise _BadInput(
                400, f'{where}: "raw" (the body to answer, a string) is required with "status"; got {_shown(raw)}'
            )
        if headers is not None and (
            not isinstance(headers, dict)
            or not all(_TOKEN.fullmatch(name) for name in headers)
            or not all(isinstance(item, str) and "\r" not in item and "\n" not in item for item in headers.values())
        ):
            raise _BadInput(
                400,
                f'{where}: "headers" must be an object of header names (tokens such as Content-Type) to string '
                'values on one line, such as {"Content-Type": "text/html"}',
            )
        framing = [name for name in headers or {} if name.lower() in {h.lower() for h in FRAMING_HEADERS}]
        if framing:
            raise _BadInput(
                400,
                f'{where}: "headers" sets {framing[0]}, which the server sets itself: it frames every answer '
                f"(Content-Length, Transfer-Encoding, Connection); leave {framing[0]} out",
            )
        state.respond_raw(status, raw, headers=headers, times=times)
        queued = {"status": status}
    else:
        fault = value["fault"]
        if fault not in _FAULTS:
            raise _BadInput(400, f'{where}: "fault" must be "drop" or "timeout", got {_shown(fault)}')
        (state.fail_connection if fault == "drop" else state.time_out)(times=times)
        queued = {"fault": fault}
    return 200, {"queued": {**queued, "times": times}}


def journal_scrubber(api_key: str, calls: list[RecordedCall]) -> Scrubber:
    """What hides the secrets of ``calls`` in the journal: the key, the values of the secret headers they sent and
    the secret fields of their bodies, in every spelling, wherever the client put them."""
    secrets = [value for call in calls for name, value in call.headers.items() if name in SECRET_HEADERS]
    return Scrubber([api_key, *secrets], bodies=[call.json for call in calls])


def call_json(call: RecordedCall, scrubber: Scrubber) -> dict[str, Any]:
    """One recorded call as the journal shows it, every secret hidden (:func:`journal_scrubber`)."""
    return {
        "method": call.method,
        "raw_path": scrubber.text(call.raw_path),
        "headers": dict(scrubber.headers(call.headers.items())),
        "json": scrubber.value(call.json),
        "status": call.status,
    }


def _calls(double: Steered, body: bytes) -> tuple[int, Any]:
    state = double.state
    calls = list(state.calls)
    scrubber = journal_scrubber(state.api_key, calls)
    return 200, [call_json(call, scrubber) for call in calls]


def _reset(double: Steered, body: bytes) -> tuple[int, Any]:
    if body.strip() not in (b"", b"{}", b"null"):
        raise _BadInput(400, f"POST {CONTROL_ROOT}/reset takes no body (or {{}}); send it without one")
    double.reset()
    return 200, {"reset": True}


def _verify(double: Steered, body: bytes) -> tuple[int, Any]:
    state = double.state
    problems = [
        f"not the reconnect route ({state.route_description()}): {state.describe_request(call)}"
        for call in state.unrouted
    ]
    problems.extend(f"queued answer not used: {pending}" for pending in state.pending_answers())
    scrubber = journal_scrubber(state.api_key, list(state.calls))
    return (409 if problems else 200), [scrubber.text(problem) for problem in problems]


ROUTES: Final[dict[str, dict[str, Callable[[Steered, bytes], tuple[int, Any]]]]] = {
    f"{CONTROL_ROOT}/accounts": {"POST": _add_account},
    f"{CONTROL_ROOT}/answers": {"POST": _queue_answer},
    f"{CONTROL_ROOT}/calls": {"GET": _calls},
    f"{CONTROL_ROOT}/reset": {"POST": _reset},
    f"{CONTROL_ROOT}/verify": {"GET": _verify},
}


# -- the OpenAPI document of the control API -----------------------------------------------------


def _problem() -> dict[str, Any]:
    return {
        "description": "The control request cannot be followed: what was wrong and how to fix it.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ControlProblem"}}},
    }


def _ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ok_with(description: str, key: str, json_type: str) -> dict[str, Any]:
    """A 200 answer: a JSON object with one required ``key`` of ``json_type``."""
    return _ok(description, {"type": "object", "properties": {key: {"type": json_type}}, "required": [key]})


def _json_body(schema: str) -> dict[str, Any]:
    """A required JSON request body of the component schema ``schema``."""
    return {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def control_openapi_document(*, server: str = "http://127.0.0.1:8080") -> dict[str, Any]:
    """The OpenAPI 3.1 document of the control API of ``serve`` and of the ``Prefer`` header it honours.

    The contract's own document (:func:`pytest_postpress.openapi.openapi_document`) is unchanged: this one
    describes only the test server's extras.  ``server`` is the origin listed under ``servers``.
    """
    ids = [error.id for error in catalog.DOCUMENTED_ERRORS]
    refused = {
        "403": _problem() | {"description": "The client is not on this machine: the control API answers loopback only."}
    }
    times = {
        "description": "How many reconnects get this answer (default 1); null: every reconnect once the queue is "
        "empty.",
        "oneOf": [{"type": "integer", "minimum": 1}, {"type": "null"}],
        "default": 1,
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "postpress test server: control API",
            "version": __version__,
            "description": (
                "`python -m pytest_postpress serve` serves the reconnect endpoint as the contract documents it "
                "(see `python -m pytest_postpress openapi`) and these extras, for test suites in any language. "
                "Control routes answer only loopback clients, are never recorded as calls and are never a "
                "reconnect. Forced answers (queued here or chosen per request by the Prefer header) come before "
                "the contract's checks of the request."
            ),
        },
        "servers": [{"url": server}],
        "paths": {
            f"{CONTROL_ROOT}/accounts": {
                "post": {
                    "operationId": "addAccount",
                    "summary": "Make an account id exist.",
                    "requestBody": _json_body("AccountToAdd"),
                    "responses": {
                        "200": _ok_with("Added.", "added", "string"),
                        "400": _problem(),
                        **refused,
                    },
                }
            },
            f"{CONTROL_ROOT}/answers": {
                "post": {
                    "operationId": "queueAnswer",
                    "summary": "Queue an answer for the next reconnects.",
                    "description": "Answers given a count are used first, in order; the latest one given "
                    "`times: null` answers every reconnect once the queue is empty.",
                    "requestBody": _json_body("AnswerToQueue"),
                    "responses": {
                        "200": _ok_with("Queued.", "queued", "object"),
                        "400": _problem(),
                        **refused,
                    },
                }
            },
            f"{CONTROL_ROOT}/calls": {
                "get": {
                    "operationId": "listCalls",
                    "summary": "The requests received (control requests excepted), oldest first.",
                    "responses": {
                        "200": _ok(
                            "The journal.", {"type": "array", "items": {"$ref": "#/components/schemas/RecordedCall"}}
                        ),
                        **refused,
                    },
                }
            },
            f"{CONTROL_ROOT}/reset": {
                "post": {
                    "operationId": "reset",
                    "summary": "Forget calls and queued answers; accounts as the server started; release held "
                    "requests.",
                    "responses": {
                        "200": _ok(
                            "Reset.",
                            {"type": "object", "properties": {"reset": {"const": True}}, "required": ["reset"]},
                        ),
                        "400": _problem(),
                        **refused,
                    },
                }
            },
            f"{CONTROL_ROOT}/verify": {
                "get": {
                    "operationId": "verify",
                    "summary": "Whether every request was the reconnect route and every queued answer was used.",
                    "responses": {
                        "200": _ok("All good: an empty list.", {"type": "array", "maxItems": 0}),
                        "409": _ok(
                            "What was not: one sentence per request off the route or answer left in the queue.",
                            {"type": "array", "items": {"type": "string"}, "minItems": 1},
                        ),
                        **refused,
                    },
                }
            },
            "/v1/accounts/{id}": {
                "post": {
                    "operationId": "reconnectAccount",
                    "summary": "The documented reconnect, with the test server's Prefer header.",
                    "description": "Bodies, statuses and errors as in the contract's own document "
                    "(`python -m pytest_postpress openapi`); the server's `--prefix` goes before `/v1`.",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                        {
                            "name": "Prefer",
                            "in": "header",
                            "required": False,
                            "description": f"`{PREFER_ANSWER}=<id>` answers that documented error (its envelope "
                            "varies from call to call as the contract allows), whatever the request; an id no "
                            "error has is a 400 errors/invalid_request naming the valid ones. Other preferences are "
                            "ignored. The answer carries `Preference-Applied`.",
                            "schema": {"type": "string", "examples": [f"{PREFER_ANSWER}=409-already_exists"]},
                        },
                    ],
                    "requestBody": {"required": False, "content": {"application/json": {"schema": {}}}},
                    "responses": {"default": {"description": "As documented by the contract."}},
                }
            },
        },
        "components": {
            "schemas": {
                "DocumentedErrorId": {"type": "string", "enum": ids},
                "AccountToAdd": {
                    "type": "object",
                    "properties": {"id": {"type": "string", "minLength": 1, "description": "The decoded id."}},
                    "required": ["id"],
                    "additionalProperties": False,
                },
                "AnswerToQueue": {
                    "oneOf": [
                        {
                            "title": "A documented error",
                            "type": "object",
                            "properties": {"error": {"$ref": "#/components/schemas/DocumentedErrorId"}, "times": times},
                            "required": ["error"],
                            "additionalProperties": False,
                        },
                        {
                            "title": "Any answer",
                            "type": "object",
                            "properties": {
                                "status": {"type": "integer", "minimum": 200, "maximum": 599},
                                "raw": {"type": "string"},
                                "headers": {"type": "object", "additionalProperties": {"type": "string"}},
                                "times": times,
                            },
                            "required": ["status", "raw"],
                            "additionalProperties": False,
                        },
                        {
                            "title": "No answer",
                            "type": "object",
                            "properties": {
                                "fault": {
                                    "enum": list(_FAULTS),
                                    "description": "drop: close the connection; timeout: hold the request "
                                    "unanswered (until reset or the server's hold limit).",
                                },
                                "times": times,
                            },
                            "required": ["fault"],
                            "additionalProperties": False,
                        },
                    ]
                },
                "RecordedCall": {
                    "type": "object",
                    "properties": {
                        "method": {"type": "string"},
                        "raw_path": {"type": "string", "description": "As sent: percent-escapes intact, no query."},
                        "headers": {
                            "type": "object",
                            "additionalProperties": {"type": "string"},
                            "description": f"Lower-case names; secret values (the key included) read {HIDDEN}.",
                        },
                        "json": {"description": "The body parsed as JSON; null when absent or not JSON."},
                        "status": {
                            "type": ["integer", "null"],
                            "description": "The status answered; null when none (a fault).",
                        },
                    },
                    "required": ["method", "raw_path", "headers", "json", "status"],
                },
                "ControlProblem": {
                    "type": "object",
                    "properties": {
                        "status": {"type": "integer"},
                        "title": {"type": "string"},
                        "detail": {"type": "string", "description": "What was wrong, where, and how to fix it."},
                    },
                    "required": ["status", "title", "detail"],
                },
            }
        },
    }
