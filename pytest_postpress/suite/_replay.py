"""``--postpress-replay``: a loopback server that answers from a recording instead of staging.

Live mode runs unchanged in front of it (the proxy, the request budget, the validation of every response),
so the verdicts of a replay are those of the live run that made the recording.  A request the recording
does not cover is answered 599 with a JSON body naming what was not found; the check that sent it fails
saying so (:func:`pytest_postpress.suite._har.not_recorded`).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from pytest_postpress._redact import Scrubber
from pytest_postpress.doubles._http import SECRET_HEADERS, Action, Headers, Reply
from pytest_postpress.doubles._state import Journal
from pytest_postpress.doubles.server import PostpressServer
from pytest_postpress.suite._har import NOT_RECORDED_STATUS, NOT_RECORDED_TYPE, Recording
from pytest_postpress.suite.live import _HOP_BY_HOP, record_as_sent

__all__ = ["ReplayServer"]


class RecordedAnswers:
    """What answers :class:`ReplayServer`'s requests: the recorded answer of the matching request, each
    request recorded in :attr:`journal` like a double records it."""

    def __init__(self, recording: Recording, *, api_key: str, current_test: Callable[[], str]) -> None:
        self.recording = recording
        self.api_key = api_key
        self.current_test = current_test
        self.journal = Journal()

    def answer(self, method: str, target: bytes, headers: Headers, body: bytes, *, url: str) -> Reply:
        """The recorded answer, a dropped connection where the live run got none, or a 599 naming what the
        recording lacks."""
        raw_path = target.partition(b"?")[0]
        secrets = {self.api_key, *(value for name, value in headers.raw if name.lower() in SECRET_HEADERS)}
        scrubber = Scrubber(secrets)
        path = scrubber.text(raw_path.decode("latin-1"))
        found = self.recording.take(method, path, body, test=self.current_test(), secrets=scrubber)
        if found is None:
            recorded = self.recording.count(method, path)
            what = "no request" if not recorded else f"{recorded} request(s), none with this body (secrets hidden)"
            detail = {
                "title": "not in the recording",
                "type": NOT_RECORDED_TYPE,
                "detail": f"the recording {self.recording.source} has {what} for {method} {path}"
                + (" or every matching answer was already given" if recorded else ""),
                "request": {"method": method, "path": path},
            }
            reply = Reply(NOT_RECORDED_STATUS, (("Content-Type", "application/json"),), json.dumps(detail).encode())
        elif found.error is not None or found.status == 0:
            reply = Reply(0, (), b"", Action.FAIL_CONNECTION)  # the live run got no answer either
        else:
            kept = tuple((name, value) for name, value in found.headers if name.lower() not in _HOP_BY_HOP)
            reply = Reply(found.status, kept, found.content)
        record_as_sent(
            self.journal,
            self.recording.prefix,
            method,
            target,
            headers,
            body,
            url=url,
            status=reply.status or None,
        )
        return reply


class ReplayServer(PostpressServer):
    """A loopback HTTP server that answers every request with the recorded answer of the matching request."""

    def __init__(
        self, recording: Recording, *, api_key: str, current_test: Callable[[], str] = str, timeout: float = 5.0
    ) -> None:
        answers = RecordedAnswers(recording, api_key=api_key, current_test=current_test)
        super().__init__(api_key=api_key, prefix=recording.prefix, any_account=True, timeout=timeout, answerer=answers)
