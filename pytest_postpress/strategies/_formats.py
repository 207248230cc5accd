"""Strings for the formats the contract names: valid ones and near misses.

The format names and their checks come from the contract layer
(``pytest_postpress._formats.FORMATS``); this module adds no rule of its own.
Each valid strategy is a mix of realistic values (what a user pastes:
``anna@acme.com``, ``+33 6 12 34 56 78``, ``2025-12-31T23:59:59.999Z``),
listed first so that shrinking ends on them, and of values derived from the
schema's ``pattern`` by hypothesis-jsonschema (unusual but valid spellings),
kept only when the project's strict check accepts them.

The near misses (used by the ``bad_format`` mutation) are the mistakes a
client really makes: a trailing newline (which Python's ``re`` ``$`` would
let through), a missing top-level domain, a non-UTC offset, an impossible
date, one digit too few or too many.  Every near miss is checked against the
strict check before it is used.
"""

from __future__ import annotations

import datetime as _dt
import functools
import ipaddress
import string
from collections.abc import Callable
from typing import Any, Final, TypeVar

from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from pytest_postpress import _formats as _checks
from pytest_postpress import schema as _schema

__all__ = ["FORMAT_NAMES", "domains", "invalid_strings", "mostly", "valid_strings"]

T = TypeVar("T")

FORMAT_NAMES: Final[tuple[str, ...]] = tuple(_checks.FORMATS)

# Realistic parts.  These are sample *values*, not field lists.
_DOMAINS: Final = (
    "acme.com",
    "example.org",
    "gmail.com",
    "outlook.fr",
    "mail.example.co.uk",
    "xn--bcher-kva.example",
    "sub-domain.startup.io",
)
_PHONE_COUNTRY_CODES: Final = ("33", "1", "44", "49", "91", "81", "55", "234")
_SEPARATED_STYLES: Final = ("compact", "spaces", "dots", "dashes", "parentheses")

_PATTERNS: Final[dict[str, str]] = {
    "email": _schema.EMAIL_PATTERN,
    "phone": _schema.PHONE_PATTERN,
    "ipv4": _schema.IPV4_PATTERN,
    "e164": _schema.E164_PATTERN,
    "date-time": _schema.DATE_TIME_PATTERN,
}


def _check(name: str) -> Callable[[str], bool]:
    return _checks.FORMATS[name]


def _pattern_strings(name: str) -> st.SearchStrategy[str]:
    """Strings hypothesis-jsonschema derives from the format's pattern, kept when the strict check agrees."""
    check = _check(name)
    strings: st.SearchStrategy[Any] = from_schema({"type": "string", "pattern": _PATTERNS[name]})
    return strings.filter(lambda value: isinstance(value, str) and check(value))


def mostly(common: st.SearchStrategy[T], rare: st.SearchStrategy[T], *, one_in: int = 32) -> st.SearchStrategy[T]:
    """``common`` 31 times in 32, ``rare`` otherwise; shrinks towards ``common``.

    ``st.one_of`` weighs its branches equally; the pattern-derived branches go
    through Hypothesis's regex engine, several times slower than the
    realistic ones, so they are drawn less often.
    """
    choices = st.integers(0, one_in - 1)

    # A composite, not ``flatmap``: one layer less per draw, the same choices.
    @st.composite
    def either(draw: st.DrawFn) -> T:
        return draw(rare if draw(choices) == one_in - 1 else common)

    return either()


def _digits(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    """Digit strings of ``min_size`` to ``max_size`` digits, drawn as two integers (not digit by digit)."""

    def write(width: int, number: int) -> str:
        return str(number).zfill(width)[-width:] if width else ""

    return st.builds(write, st.integers(min_size, max_size), st.integers(0, 10**max_size - 1))


def _group(digits: str, style: str, *, plus: bool) -> str:
    """Write a digit string the way people do: groups of two or three with separators."""
    if style == "compact":
        text = digits
    else:
        width = 3 if len(digits) % 2 else 2
        groups = [digits[i : i + width] for i in range(0, len(digits), width)]
        if style == "spaces":
            text = " ".join(groups)
        elif style == "dots":
            text = ".".join(groups)
        elif style == "dashes":
            text = "-".join(groups)
        else:  # parentheses around the first group, as in "(555) 010-9999"
            text = f"({groups[0]}) " + "-".join(groups[1:]) if len(groups) > 1 else f"({groups[0]})"
    return ("+" if plus else "") + text


def _phone_like(min_digits: int, max_digits: int) -> st.SearchStrategy[str]:
    """Phone numbers as typed: optional + and country code, grouped digits."""
    international = st.builds(
        lambda cc, rest, style: _group(cc + rest, style, plus=True),
        st.sampled_from(_PHONE_COUNTRY_CODES),
        _digits(max(min_digits - 3, 0), max_digits - 3),
        st.sampled_from(_SEPARATED_STYLES),
    ).filter(lambda value: min_digits <= sum(ch.isdigit() for ch in value) <= max_digits)
    national = st.builds(
        lambda digits, style: _group(digits, style, plus=False),
        _digits(min_digits, max_digits),
        st.sampled_from(_SEPARATED_STYLES),
    )
    return st.one_of(international, national)


def _lowercase_words(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.text(string.ascii_lowercase, min_size=min_size, max_size=max_size)


def domains() -> st.SearchStrategy[str]:
    """Domain names: well-known ones, or made of one or two lowercase labels and a common TLD."""
    made = st.builds(
        "{}.{}".format,
        _lowercase_words(1, 16),
        st.sampled_from(("com", "org", "net", "io", "fr", "de", "co.uk", "example")),
    )
    return st.one_of(st.sampled_from(_DOMAINS), made)


def _emails() -> st.SearchStrategy[str]:
    # Dot-atom local parts ("anna", "anna.smith", "anna+news"): no leading,
    # trailing or doubled dot, which RFC 5321 and the contract refuse.
    local = st.builds(
        lambda name, separator, tag: f"{name}{separator}{tag}" if tag else name,
        _lowercase_words(1, 12),
        st.sampled_from((".", "+", "_", "-")),
        st.text(string.ascii_lowercase + string.digits, max_size=8),
    )
    return mostly(st.builds("{}@{}".format, local, domains()), _pattern_strings("email"))


def _phones() -> st.SearchStrategy[str]:
    return mostly(_phone_like(6, 15), _pattern_strings("phone"))


def _e164s() -> st.SearchStrategy[str]:
    # The longest E.164 number (15 digits) gets a branch of its own: it is the
    # boundary a client's length check gets wrong.
    longest = st.builds(
        lambda digits, style, plus: _group(digits, style, plus=plus),
        _digits(15, 15),
        st.sampled_from(_SEPARATED_STYLES),
        st.booleans(),
    )
    return mostly(st.one_of(_phone_like(8, 15), longest), _pattern_strings("e164"))


def _ipv4s() -> st.SearchStrategy[str]:
    # One integer, not four octets: fewer choices per draw, and it shrinks to 0.0.0.0.
    addresses = st.integers(0, 2**32 - 1).map(lambda number: str(ipaddress.IPv4Address(number)))
    return mostly(addresses, _pattern_strings("ipv4"))


def _format_date_time(moment: _dt.datetime, digits: int, separator: str, offset: str) -> str:
    # Not strftime: glibc writes year 999 as "999", and RFC 3339 wants four digits.
    text = (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}{separator}"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )
    if digits:
        # Microseconds, padded to nanoseconds when 9 digits are asked for.
        text += "." + f"{moment.microsecond:06d}000"[:digits]
    return text + offset


_DOCUMENTED_EXAMPLE: Final = _dt.datetime(2025, 12, 31, 23, 59, 59)
_EARLIEST: Final = _dt.datetime(1, 1, 1)
_LATEST: Final = _dt.datetime(9999, 12, 31, 23, 59, 58)


def _date_times() -> st.SearchStrategy[str]:
    # No pattern-derived branch here: strings drawn from DATE_TIME_PATTERN are
    # mostly impossible dates (31 February, a leap second at noon) that the
    # strict check rejects, which would make the filter reject most draws.
    #
    # A moment is one integer of microseconds around the documentation's
    # example (2025-12-31T23:59:59), so it shrinks to that example; the whole
    # range of four-digit years is reachable.
    microseconds = st.integers(
        (_EARLIEST - _DOCUMENTED_EXAMPLE) // _dt.timedelta(microseconds=1),
        (_LATEST - _DOCUMENTED_EXAMPLE) // _dt.timedelta(microseconds=1),
    )
    moments = microseconds.map(lambda offset: _DOCUMENTED_EXAMPLE + _dt.timedelta(microseconds=offset))
    # The spelling (fraction digits, separator, offset) is one choice, not three; the first shrinks to the
    # documentation's "2025-12-31T23:59:59.999Z".
    spellings = st.sampled_from(
        [
            (digits, separator, offset)
            for offset in ("Z", "+00:00", "z", "-00:00")
            for separator in ("T", "t")
            for digits in (3, 0, 6, 9, 1)
        ]
    )
    common = st.builds(lambda moment, spelling: _format_date_time(moment, *spelling), moments, spellings)
    # RFC 3339 allows a leap second at the end of a day; most parsers do not.
    leap_second = st.builds(
        lambda day, offset: f"{day.year:04d}-{day.month:02d}-{day.day:02d}T23:59:60{offset}",
        st.dates(min_value=_dt.date(1972, 6, 30)),
        st.sampled_from(("Z", "+00:00")),
    )
    return mostly(common, leap_second)


_VALID: Final[dict[str, Callable[[], st.SearchStrategy[str]]]] = {
    "email": _emails,
    "phone": _phones,
    "ipv4": _ipv4s,
    "e164": _e164s,
    "date-time": _date_times,
}


@functools.cache
def valid_strings(name: str) -> st.SearchStrategy[str]:
    """Valid strings of format ``name``: realistic first, then schema-derived spellings.

    Mostly one choice from a pool of realistic values built once (see :mod:`._pools`).
    """
    from pytest_postpress.strategies import _pools

    if name == "ipv4":  # already one choice, and a pool would narrow the addresses drawn
        return _VALID[name]()
    return _pools.pooled(_pools.POOLS[name](), _VALID[name]())


# ---------------------------------------------------------------------------
# Near misses


def _corrupted(valid: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Valid values with one typical corruption: whitespace around them, or a character dropped."""

    def drop(value: str, index: int) -> str:
        index %= max(len(value), 1)
        return value[:index] + value[index + 1 :]

    return st.one_of(
        valid.map(lambda value: value + "\n"),
        valid.map(lambda value: " " + value),
        valid.map(lambda value: value + " "),
        st.builds(drop, valid, st.integers(0, 40)),
    )


def _bad_emails() -> st.SearchStrategy[str]:
    names = st.from_regex(r"[a-z]{1,10}", fullmatch=True)
    return st.one_of(
        st.builds("{}@{}".format, names, st.sampled_from(("acme", "localhost", "acme.", ".acme.com", "acme..com"))),
        st.builds("{}@@{}".format, names, st.sampled_from(_DOMAINS)),
        st.builds("{}.{}".format, names, st.sampled_from(_DOMAINS)),  # the @ forgotten
        st.builds("{} {}@{}".format, names, names, st.sampled_from(_DOMAINS)),
        st.builds("{}@{}".format, st.just("a" * 65), st.sampled_from(_DOMAINS)),  # local part over 64
        st.builds("{}@{}.com".format, names, st.just("b" * 64)),  # label over 63
        _corrupted(valid_strings("email")),
    )


def _bad_phones() -> st.SearchStrategy[str]:
    return st.one_of(
        _phone_like(1, 5),  # too few digits
        st.builds("{} ext. {}".format, _phone_like(6, 12), _digits(1, 3)),
        st.builds("++{}".format, _digits(6, 12)),
        _corrupted(valid_strings("phone")),
    )


def _bad_ipv4s() -> st.SearchStrategy[str]:
    octet = st.integers(0, 255).map(str)
    return st.one_of(
        st.builds("{}.{}.{}.{}".format, st.integers(256, 999), octet, octet, octet),
        st.builds("{}.{}.{}".format, octet, octet, octet),
        st.builds("{}.{}.{}.{}.{}".format, octet, octet, octet, octet, octet),
        st.builds("0{}.{}.{}.{}".format, st.integers(1, 99), octet, octet, octet),  # leading zero
        st.builds("{}/{}".format, valid_strings("ipv4"), st.integers(0, 32)),  # a CIDR block
        st.ip_addresses(v=6).map(str),
        st.sampled_from(("localhost", "proxy.example.com", "1.2.3.4:8080")),
        _corrupted(valid_strings("ipv4")),
    )


def _bad_e164s() -> st.SearchStrategy[str]:
    return st.one_of(
        _phone_like(1, 7),  # too short
        _phone_like(16, 20),  # one digit or more too many
        st.just(""),
        _corrupted(_phone_like(8, 8)),  # one digit dropped from the shortest number
    )


def _bad_date_times() -> st.SearchStrategy[str]:
    moments = st.datetimes(min_value=_dt.datetime(1970, 1, 1), max_value=_dt.datetime(2100, 1, 1))
    offsets = st.sampled_from(("+02:00", "-05:00", "+01:00", "+0000", "UTC", ""))
    return st.one_of(
        st.builds(lambda moment, offset: moment.strftime("%Y-%m-%dT%H:%M:%S") + offset, moments, offsets),
        st.builds(lambda moment: moment.strftime("%Y-%m-%d"), moments),  # a date alone
        st.builds(lambda moment: moment.strftime("%Y-%m-%d %H:%M:%SZ"), moments),  # space separator
        st.builds(lambda moment: str(int(moment.timestamp())), moments),  # a Unix time as a string
        st.builds("{}-02-{}T00:00:00Z".format, st.integers(1970, 2100), st.sampled_from(("30", "31"))),
        st.builds("{}-{:02d}-01T12:00:60Z".format, st.integers(1970, 2100), st.integers(1, 12)),  # leap second at noon
        st.sampled_from(("yesterday", "now", "2025-12-31T24:00:00Z", "25-12-31T23:59:59Z")),
        _corrupted(valid_strings("date-time")),
    )


_INVALID: Final[dict[str, Callable[[], st.SearchStrategy[str]]]] = {
    "email": _bad_emails,
    "phone": _bad_phones,
    "ipv4": _bad_ipv4s,
    "e164": _bad_e164s,
    "date-time": _bad_date_times,
}


@functools.cache
def invalid_strings(names: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Near misses of the first format in ``names`` that *every* format in ``names`` rejects.

    ``names`` holds the formats a field accepts (LinkedIn's ``username`` is an
    email *or* a phone number, so a bad value must fail both).
    """
    checks = [_check(name) for name in names]
    return st.one_of([_INVALID[name]() for name in names]).filter(
        lambda value: not any(check(value) for check in checks)
    )
