"""What the contract suite says when a fixture of the user's class is missing or returns something it cannot use.

These are mistakes in the test class, not verdicts on the client (those are :class:`Assertions`): each fails
the test with ``pytest.fail`` (no traceback), naming the fixture, what it returned and what to return instead.
"""

from __future__ import annotations

from typing import Any, NoReturn

import pytest

__all__ = [
    "client_timeout",
    "max_attempts",
    "no_reconnect_fixture",
    "none_means_absent",
    "reconnect_callable",
    "transport",
]


def no_reconnect_fixture(request: pytest.FixtureRequest) -> NoReturn:
    """The class did not override ``postpress_reconnect``: say how to."""
    pytest.fail(
        f"{request.cls.__name__ if request.cls else 'this class'} subclasses ReconnectContract but does not "
        "override the postpress_reconnect fixture. Add to the class:\n\n"
        "    @pytest.fixture\n"
        "    def postpress_reconnect(self, postpress_base_url, postpress_api_key):\n"
        "        client = MyClient(base_url=postpress_base_url, api_key=postpress_api_key)\n"
        "        return client.accounts.reconnect  # (account_id, body) -> result\n",
        pytrace=False,
    )


def transport(value: str, known: dict[str, str]) -> str:
    """The fixture name of the double of ``postpress_transport``'s value, one of ``known``."""
    if value not in known:
        pytest.fail(
            f"postpress_transport returned {value!r}; expected 'respx', 'responses' or 'server'",
            pytrace=False,
        )
    return known[value]


def reconnect_callable(value: object) -> None:
    """``postpress_reconnect`` returned a callable."""
    if not callable(value):
        pytest.fail(
            f"postpress_reconnect returned {type(value).__name__}, not a callable; return the "
            "client's reconnect function, e.g. client.accounts.reconnect",
            pytrace=False,
        )


def max_attempts(value: object) -> int:
    """``postpress_max_attempts`` returned an int of at least 1."""
    if isinstance(value, bool) or not isinstance(value, int):
        pytest.fail(f"postpress_max_attempts returned {value!r}; return an int >= 1", False)
    if value < 1:
        pytest.fail(f"postpress_max_attempts returned {value}; return an int >= 1", False)
    return value


def none_means_absent(value: object) -> bool:
    """``postpress_none_means_absent`` returned a bool."""
    if not isinstance(value, bool):
        pytest.fail(
            f"postpress_none_means_absent returned {value!r}; return True (the client's "
            "API reads None as 'not given') or False (the default: None is sent as null)",
            pytrace=False,
        )
    return value


def client_timeout(value: Any) -> float:
    """``postpress_client_timeout`` returned seconds (a number above 0, at most 60); ``None`` skips the check."""
    if value is None:
        pytest.skip(
            "the client declares no timeout: override the postpress_client_timeout fixture to return the "
            "timeout (seconds) the client is built with, and build it with that timeout"
        )
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 60:
        pytest.fail(
            f"postpress_client_timeout returned {value!r}; expected the client's timeout in seconds, a number "
            "above 0 and at most 60 (or None to skip this check)",
            pytrace=False,
        )
    return float(value)
