"""HAR 1.2 recordings of live sessions (``--postpress-record``) and their reading for ``--postpress-replay``.

A recording is a standard HAR 1.2 document (http://www.softwareishard.com/blog/har-12-spec/): one entry per
exchange with the live server, in time order, each with a ``_postpress`` field (custom fields start with an
underscore in HAR) holding the test id and the contract violations of the response.

No secret is written.  The ``X-API-KEY`` value (and every other credential header) is replaced by
``<hidden>``, so is every secret field of a body (the schema's ``writeOnly`` fields, by name, at any depth, in
any JSON shape), and any other place a secret of the session or of the request turns up (a URL, its query, a
body that is not UTF-8 JSON, an echo in the response) is scrubbed too, in every spelling
(:class:`~pytest_postpress._redact.Scrubber`).  The same hiding is applied to a replayed request before it is
matched, so a recording made with one key and password is replayed with any other.

No pytest here.
"""

from __future__ import annotations

import base64
import datetime
import json
import threading
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from pytest_postpress._redact import HIDDEN, SECRET_HEADERS, Scrubber, body_of

if TYPE_CHECKING:
    from pytest_postpress.suite.live import Exchange

__all__ = [
    "HIDDEN",
    "NOT_RECORDED_TYPE",
    "Recorder",
    "Recording",
    "entry_of",
    "har_document",
    "hide_body",
    "not_recorded",
    "write_har",
]

NOT_RECORDED_TYPE: Final = "postpress/not_recorded"
NOT_RECORDED_STATUS: Final = 599
# The placeholder of recordings made before 0.x had one placeholder for the whole package: read as HIDDEN.
_OLD_HIDDEN: Final = "[hidden]"


def _json(content: bytes) -> tuple[bool, Any]:
    try:
        return True, json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return False, None


def _scrubber(secrets: Iterable[str] | Scrubber, content: bytes = b"") -> Scrubber:
    """A scrubber of ``secrets`` (another scrubber's, or strings) and of the secret fields of ``content``."""
    scrubber = secrets.child() if isinstance(secrets, Scrubber) else Scrubber(secrets)
    scrubber.add_body(body_of(content))
    return scrubber


def hide_body(content: bytes, secrets: Iterable[str] | Scrubber = ()) -> tuple[str, str | None]:
    """A body as text for a recording, secrets hidden: ``(text, encoding)`` (``"base64"`` when not UTF-8).

    JSON keeps its structure (secret fields ``<hidden>``); any other body (not UTF-8, a BOM, not JSON) has every
    known secret and those of the JSON it holds scrubbed from its bytes.
    """
    scrubber = _scrubber(secrets, content)
    parsed, value = _json(content)
    if parsed:
        return json.dumps(scrubber.value(value), ensure_ascii=False), None
    scrubbed = scrubber.scrub_bytes(content)
    try:
        return scrubbed.decode("utf-8"), None
    except UnicodeDecodeError:
        return base64.b64encode(scrubbed).decode("ascii"), "base64"


def body_key(content: bytes, secrets: Iterable[str] | Scrubber = ()) -> str:
    """What a request body is matched on in a replay: its JSON, secrets hidden, in one canonical spelling."""
    scrubber = _scrubber(secrets, content)
    parsed, value = _json(content)
    if parsed:
        return "json:" + json.dumps(scrubber.value(value), sort_keys=True, ensure_ascii=False)
    text, encoding = hide_body(content, scrubber)
    return f"{encoding or 'text'}:{text}"


def _headers(pairs: Sequence[tuple[str, str]], scrubber: Scrubber) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in scrubber.headers(pairs)]


def _header(pairs: Sequence[tuple[str, str]], name: str) -> str:
    return next((value for key, value in pairs if key.lower() == name), "")


def _iso(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).isoformat(timespec="microseconds")


def _ms(seconds: float) -> float:
    return round(max(seconds, 0.0) * 1000, 3)


def entry_of(exchange: Exchange, *, api_key: str = "", scrubber: Scrubber | None = None) -> dict[str, Any]:
    """The HAR entry of one exchange, every secret hidden (``scrubber``: the session's secrets; ``api_key``: the
    key the session sends, when there is no scrubber)."""
    secrets = _scrubber(scrubber if scrubber is not None else [api_key], exchange.request_content)
    # A credential header's value is a secret wherever else it shows up (a client that echoes it in the URL).
    secrets.add(*(value for name, value in exchange.request_headers if name.lower() in SECRET_HEADERS))
    url = secrets.text(exchange.url)
    query = urllib.parse.urlsplit(url).query
    request: dict[str, Any] = {
        "method": exchange.method,
        "url": url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": _headers(exchange.request_headers, secrets),
        "queryString": [
            {"name": secrets.text(name), "value": secrets.text(value)}
            for name, value in urllib.parse.parse_qsl(query, keep_blank_values=True)
        ],
        "headersSize": -1,
        "bodySize": len(exchange.request_content),
    }
    if exchange.request_content:
        text, _ = hide_body(exchange.request_content, secrets)
        mime = _header(exchange.request_headers, "content-type") or "application/octet-stream"
        request["postData"] = {"mimeType": mime, "text": text}
    content: dict[str, Any] = {
        "size": len(exchange.response_content),
        "mimeType": exchange.content_type or "x-unknown",
    }
    if exchange.status is not None:
        text, encoding = hide_body(exchange.response_content, secrets)
        content["text"] = text
        if encoding:
            content["encoding"] = encoding
        if exchange.truncated:
            content["comment"] = f"truncated: only the first {len(exchange.response_content)} bytes were read"
    response: dict[str, Any] = {
        # 0: no response (a connection error), as browsers record it.
        "status": exchange.status or 0,
        "statusText": exchange.reason,
        "httpVersion": exchange.http_version if exchange.status is not None else "",
        "cookies": [],
        "headers": _headers(exchange.response_headers, secrets),
        "content": content,
        "redirectURL": secrets.text(_header(exchange.response_headers, "location")),
        "headersSize": -1,
        "bodySize": len(exchange.response_content) if exchange.status is not None else -1,
    }
    timings = {"send": 0.0, "wait": _ms(exchange.waited), "receive": _ms(exchange.received)}
    postpress: dict[str, Any] = {
        "test": exchange.test,
        "attempt": exchange.attempts,
        "violations": [secrets.text(str(violation)) for violation in exchange.violations],
    }
    if exchange.error is not None:
        postpress["error"] = secrets.text(exchange.error)
    return {
        "startedDateTime": _iso(exchange.started),
        "time": round(sum(timings.values()), 3),
        "request": request,
        "response": response,
        "cache": {},
        "timings": timings,
        "_postpress": postpress,
    }


def har_document(entries: Iterable[Mapping[str, Any]], *, base_url: str, version: str) -> dict[str, Any]:
    """The HAR 1.2 document of a session: ``entries`` sorted by start time (stable)."""
    parts = urllib.parse.urlsplit(base_url)
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "pytest-postpress", "version": version},
            "entries": sorted(entries, key=lambda entry: str(entry["startedDateTime"])),
            "comment": f"recorded by pytest --postpress-record; secrets are {HIDDEN}",
            "_postpress": {"base_url": base_url, "prefix": parts.path.rstrip("/")},
        }
    }


def write_har(path: Path, document: Mapping[str, Any]) -> None:
    """Write ``document`` to ``path`` (its folder created), UTF-8 JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


class Recorder:
    """Collects the HAR entries of this process (thread-safe: the live proxy answers on its own threads)."""

    def __init__(self, *, api_key: str = "", scrubber: Scrubber | None = None) -> None:
        self.scrubber = scrubber if scrubber is not None else Scrubber([api_key])
        self.entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def __call__(self, exchange: Exchange) -> None:
        entry = entry_of(exchange, scrubber=self.scrubber)
        with self._lock:
            self.entries.append(entry)

    def add(self, entries: Iterable[dict[str, Any]]) -> None:
        """Take in entries recorded elsewhere (an xdist worker's)."""
        with self._lock:
            self.entries.extend(entries)


def not_recorded(exchange: Exchange) -> str | None:
    """In a replay, what the recording lacked for this exchange (its 599 answer's detail), else ``None``."""
    body = exchange.body
    if exchange.status == NOT_RECORDED_STATUS and isinstance(body, dict) and body.get("type") == NOT_RECORDED_TYPE:
        return str(body.get("detail", ""))
    return None


@dataclass
class _Answer:
    """One recorded answer, waiting for the request it was given to."""

    test: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    content: bytes
    error: str | None
    used: bool = False


class Recording:
    """A HAR recording read back for a replay: the answers, looked up by method, path and hidden body."""

    def __init__(self, document: Mapping[str, Any], *, source: str) -> None:
        log = document["log"]
        meta = log.get("_postpress") or {}
        self.source = source
        self.prefix = str(meta.get("prefix", ""))
        self._answers: dict[tuple[str, str, str], list[_Answer]] = {}
        self._lock = threading.Lock()
        for entry in log["entries"]:
            request, response = entry["request"], entry["response"]
            content = response.get("content", {})
            text = content.get("text", "")
            raw = base64.b64decode(text) if content.get("encoding") == "base64" else text.encode("utf-8")
            posted = (request.get("postData") or {}).get("text", "").replace(_OLD_HIDDEN, HIDDEN).encode("utf-8")
            extra = entry.get("_postpress") or {}
            answer = _Answer(
                test=str(extra.get("test", "")),
                status=int(response["status"]),
                reason=str(response.get("statusText", "")),
                headers=[(header["name"], header["value"]) for header in response.get("headers", [])],
                content=raw,
                error=extra.get("error"),
            )
            path = urllib.parse.urlsplit(request["url"].replace(_OLD_HIDDEN, HIDDEN)).path
            key = (request["method"], path, body_key(posted))
            self._answers.setdefault(key, []).append(answer)

    @classmethod
    def load(cls, path: Path) -> Recording:
        """Read the HAR file at ``path``."""
        return cls(json.loads(path.read_text(encoding="utf-8")), source=str(path))

    def __len__(self) -> int:
        return sum(len(answers) for answers in self._answers.values())

    def take(
        self, method: str, path: str, content: bytes, *, test: str, secrets: Iterable[str] | Scrubber
    ) -> _Answer | None:
        """The next unused answer recorded for this request, ``None`` when the recording has no (more) match.

        The n-th matching request gets the n-th recorded answer; answers recorded by the same test come first,
        so that a replay spread over other xdist workers than the recording still gives each test its own.
        """
        key = (method, path, body_key(content, secrets))
        with self._lock:
            answers = self._answers.get(key, [])
            unused = [answer for answer in answers if not answer.used]
            chosen = next((answer for answer in unused if answer.test == test), None)
            if chosen is None and unused:
                chosen = unused[0]
            if chosen is not None:
                chosen.used = True
            return chosen

    def count(self, method: str, path: str) -> int:
        """How many answers the recording holds for ``method path`` (any body)."""
        return sum(len(answers) for key, answers in self._answers.items() if key[:2] == (method, path))
