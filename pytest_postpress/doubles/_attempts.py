"""The bound on one reconnect's attempts, so that a client that retries forever ends.

A check that forces a retryable answer (407, 408, 502, 503, 504, a dropped connection, a timeout) on every request
would wait forever on a client that resends it with no bound.  The contract suite arms an :class:`AttemptBound`
around each call of the client (``postpress_max_attempts``); :class:`~pytest_postpress.doubles._state.MockState`
asks it once per request on the reconnect route.  Past ``max_attempts + MARGIN`` requests of one reconnect, the
request is judged by rule 22 as if nothing had been forced, and:

* the doubles that answer inside the client's process (respx, pytest-httpx, responses) raise
  :class:`~pytest_postpress.errors.RetriesStopped` in the client instead of answering: a ``BaseException``, as
  ``KeyboardInterrupt`` is, so that ``except Exception`` (a hand-written loop, tenacity's or backoff's default)
  cannot swallow it; httpx, respx, pytest-httpx and responses all let it through unchanged;
* the loopback server, which cannot raise in a client across a socket (or in another process), sends that
  judged answer: for a well-formed request a 201, after which no retry loop resends.

The check then fails on the attempts the client made (more than ``postpress_max_attempts``).  Disarmed (the
doubles used by a test of its own, ``serve``), nothing is counted and nothing changes.  Standard library only,
and :mod:`pytest_postpress.errors`, where ``RetriesStopped`` lives: loaded once at pytest start-up, so the doubles
and the suite share one class even across pytester's in-process runs.
"""

from __future__ import annotations

import threading
from typing import Final

from pytest_postpress.errors import RetriesStopped

__all__ = ["MARGIN", "AttemptBound", "RetriesStopped"]

#: Requests of one reconnect answered as forced past ``postpress_max_attempts``, before the bound ends the loop:
#: a client a few attempts over is judged on what it does with the answers it gets; one that goes on is stopped.
MARGIN: Final = 3


class AttemptBound:
    """Counts the requests of one reconnect while armed; thread-safe (the server answers from many threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._limit: int | None = None
        self._seen = 0

    def arm(self, max_attempts: int) -> None:
        """A reconnect begins: allow ``max_attempts + MARGIN`` requests before stopping it."""
        with self._lock:
            self._limit = max_attempts + MARGIN
            self._seen = 0

    def disarm(self) -> None:
        """The reconnect ended: count nothing until armed again."""
        with self._lock:
            self._limit = None

    def past_bound(self) -> bool:
        """Count one request of the reconnect; whether it is past the bound (never while disarmed)."""
        with self._lock:
            if self._limit is None:
                return False
            self._seen += 1
            return self._seen > self._limit

    def message(self) -> str:
        """What :class:`RetriesStopped` says."""
        with self._lock:
            seen, limit = self._seen, self._limit
        return (
            f"postpress double: attempt {seen} of one reconnect, past postpress_max_attempts + {MARGIN} "
            f"({limit} requests): the double ends this retry loop"
        )
