"""Strict checks for the string formats the contract names (rules 6, 8 and 11-13; python -m pytest_postpress rules).

jsonschema's own ``FormatChecker`` accepts ``"yesterday"`` as a date-time
(unless an optional package is installed) and ``"a@b"`` as an email, and
``pattern`` uses ``re.search`` where ``$`` also matches before a final
newline.  These functions use ``re.fullmatch`` on the schema's pattern plus a
semantic check, so a rule never rests on ``format`` or ``pattern`` alone.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import re
from collections.abc import Callable
from typing import Final

import jsonschema

from pytest_postpress import schema as _schema

__all__ = ["FORMATS", "FORMAT_CHECKER", "FORMAT_DESCRIPTIONS"]


def _compile(pattern: str) -> re.Pattern[str]:
    # The schema patterns are anchored with ^...$ for other tools; fullmatch
    # does the anchoring here, without Python's "$ before a newline" leniency.
    return re.compile(pattern.removeprefix("^").removesuffix("$"))


_EMAIL: Final = _compile(_schema.EMAIL_PATTERN)
_PHONE: Final = _compile(_schema.PHONE_PATTERN)
_IPV4: Final = _compile(_schema.IPV4_PATTERN)
_E164: Final = _compile(_schema.E164_PATTERN)
_DATE_TIME: Final = _compile(_schema.DATE_TIME_PATTERN)


def is_email(value: str) -> bool:
    """``local@domain.tld``: RFC 5321 lengths, a dotted domain ending in letters."""
    if _EMAIL.fullmatch(value) is None:
        return False
    local, _, domain = value.rpartition("@")
    return len(value) <= 254 and len(local) <= 64 and all(len(label) <= 63 for label in domain.split("."))


def is_phone(value: str) -> bool:
    """Optional ``+``, then digits, spaces, dots, dashes or parentheses, at least 6 digits."""
    return _PHONE.fullmatch(value) is not None


def is_ipv4(value: str) -> bool:
    """A dotted quad that :class:`ipaddress.IPv4Address` accepts."""
    if _IPV4.fullmatch(value) is None:
        return False
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


def is_e164(value: str) -> bool:
    """After dropping every non-digit, 8 to 15 ASCII digits remain."""
    return _E164.fullmatch(value) is not None


def is_utc_date_time(value: str) -> bool:
    """An RFC 3339 date-time whose offset is UTC (``Z``, ``z``, ``+00:00``, ``-00:00``)."""
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        return False
    year, month, day = int(value[0:4]), int(value[5:7]), int(value[8:10])
    hour, minute, second = int(value[11:13]), int(value[14:16]), int(value[17:19])
    try:
        # RFC 3339 allows a leap second (60), which datetime does not model.
        _dt.datetime(year, month, day, hour, minute, min(second, 59))
    except ValueError:
        return False
    return second < 60 or (hour, minute) == (23, 59)


FORMATS: Final[dict[str, Callable[[str], bool]]] = {
    "email": is_email,
    "phone": is_phone,
    "ipv4": is_ipv4,
    "e164": is_e164,
    "date-time": is_utc_date_time,
}

FORMAT_DESCRIPTIONS: Final[dict[str, str]] = {
    "email": "an email address (local@domain.tld)",
    "phone": "a phone number (optional +, then digits, spaces, dots, dashes or parentheses; at least 6 digits)",
    "ipv4": "a dotted-quad IPv4 address such as 203.0.113.7",
    "e164": "a phone number with 8 to 15 digits once non-digits are dropped (E.164), e.g. 33600000000",
    "date-time": "an RFC 3339 date-time in UTC such as 2025-12-31T23:59:59.999Z",
}


def _make_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=())
    for name, function in FORMATS.items():
        # Non-strings are the "type" keyword's business, not the format's.
        checker.checks(name)(lambda value, _f=function: not isinstance(value, str) or _f(value))
    return checker


FORMAT_CHECKER: Final = _make_checker()
