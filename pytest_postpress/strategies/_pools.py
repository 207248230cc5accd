"""Pools of realistic leaf values, built once, drawn with one choice.

Hypothesis's engine pays for every choice and every nested draw, and a
realistic value built from parts (a local part, a separator, a tag, a domain)
costs several of each.  A pool holds a few dozen such values, made once by a
seeded ``random.Random`` (the same values in every process, so the example
database replays the same bodies) and each checked by the project's strict
format check when it is built.  :func:`pooled` then draws a value with one
choice: mostly from the pool, now and then from the full strategy (the unusual
spellings and the schema-derived values stay reachable).  The first value of a
pool is what the leaf shrinks to.
"""

from __future__ import annotations

import datetime as _dt
import random
import string
import uuid
from collections.abc import Callable, Sequence
from typing import Final, TypeVar

from hypothesis import strategies as st

from pytest_postpress import _formats as _checks

__all__ = ["POOLS", "pooled"]

T = TypeVar("T")

_RICH_ONE_IN: Final = 8
"""One draw in this many comes from the full strategy instead of the pool."""

_NAMES: Final = ("anna", "bob", "chen", "dmitri", "eva", "fatou", "gus", "hiro", "ines", "jan", "kofi", "lea")
_SURNAMES: Final = ("smith", "martin", "wang", "ivanova", "garcia", "diallo", "mueller", "sato")
_DOMAINS: Final = ("acme.com", "example.org", "gmail.com", "outlook.fr", "mail.example.co.uk", "sub-domain.startup.io")
_COUNTRY_CODES: Final = ("33", "1", "44", "49", "91", "81", "55", "234")
_SIZE: Final = 48


def pooled(pool: Sequence[T], rich: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    """A value of ``pool`` (one choice, shrinking to ``pool[0]``), or one in 8 draws a value of ``rich``."""
    values = tuple(pool)
    spare = max(len(values) // (_RICH_ONE_IN - 1), 1)
    index = st.integers(0, len(values) + spare - 1)

    @st.composite
    def leaf(draw: st.DrawFn) -> T:
        chosen = draw(index)
        return values[chosen] if chosen < len(values) else draw(rich)

    return leaf()


def _checked(name: str, values: list[str]) -> tuple[str, ...]:
    check = _checks.FORMATS[name]
    wrong = [value for value in values if not check(value)]
    if wrong:  # a bug in this module, caught when the pool is built
        raise AssertionError(f"pool of {name} values holds invalid ones: {wrong!r}")
    return tuple(dict.fromkeys(values))


def _group(digits: str, rng: random.Random) -> str:
    style = rng.choice(("compact", "spaces", "dashes", "dots"))
    if style == "compact":
        return digits
    width = 3 if len(digits) % 2 else 2
    groups = [digits[i : i + width] for i in range(0, len(digits), width)]
    return {"spaces": " ", "dashes": "-", "dots": "."}[style].join(groups)


def _emails() -> tuple[str, ...]:
    rng = random.Random("email")
    values = ["a@acme.com"]
    while len(values) < _SIZE:
        name, surname = rng.choice(_NAMES), rng.choice(_SURNAMES)
        local = rng.choice((name, f"{name}.{surname}", f"{name}+news", f"{name}_{rng.randrange(100)}", surname))
        values.append(f"{local}@{rng.choice(_DOMAINS)}")
    return _checked("email", values)


def _phones(name: str, min_digits: int, max_digits: int) -> tuple[str, ...]:
    rng = random.Random(name)
    values = ["+33 6 12 34 56 78" if name == "phone" else "+33612345678"]
    while len(values) < _SIZE:
        size = rng.randint(min_digits, max_digits)
        if rng.random() < 0.6:
            code = rng.choice(_COUNTRY_CODES)
            rest = "".join(rng.choice(string.digits) for _ in range(max(size - len(code), 0)))
            values.append("+" + _group(code + rest, rng))
        else:
            values.append(_group("".join(rng.choice(string.digits) for _ in range(size)), rng))
    # The longest E.164 number, with and without separators: the boundary a length check gets wrong.
    values += ["+" + "4" * 15, "+44 207 946 0958 123"] if max_digits == 15 else []
    return _checked(name, values)


def _date_times() -> tuple[str, ...]:
    rng = random.Random("date-time")
    example = _dt.datetime(2025, 12, 31, 23, 59, 59, 999000)
    values = []
    for number in range(_SIZE):
        moment = example if number == 0 else example - _dt.timedelta(seconds=rng.randrange(10**9))
        digits = 3 if number == 0 else rng.choice((0, 3, 6, 9))
        offset = "Z" if number == 0 else rng.choice(("Z", "+00:00", "z", "-00:00"))
        text = moment.strftime("%Y-%m-%dT%H:%M:%S")
        if digits:
            text += "." + f"{moment.microsecond:06d}000"[:digits]
        values.append(text + offset)
    return _checked("date-time", values)


def _handles() -> tuple[str, ...]:
    rng = random.Random("handle")
    values = ["anna"]
    while len(values) < _SIZE:
        name, surname = rng.choice(_NAMES), rng.choice(_SURNAMES)
        values.append(rng.choice((f"{name}.{surname}", f"{name}_{surname}", f"{name}{rng.randrange(1990, 2010)}")))
    return tuple(dict.fromkeys(values))


def _secrets() -> tuple[str, ...]:
    rng = random.Random("secret")
    alphabet = string.ascii_letters + string.digits + string.punctuation
    values = ["correct-horse-battery-staple"]
    values += ["".join(rng.choice(alphabet) for _ in range(rng.randint(8, 24))) for _ in range(_SIZE - 1)]
    return tuple(values)


def _user_agents() -> tuple[str, ...]:
    platforms = ("Windows NT 10.0; Win64; x64", "Macintosh; Intel Mac OS X 10_15_7", "X11; Linux x86_64", "iPhone")
    return tuple(
        f"Mozilla/5.0 ({platform}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{version}.0.0.0 Safari/537.36"
        for version in (120, 100, 131, 140, 110, 125)
        for platform in platforms
    )


def _uuids() -> tuple[str, ...]:
    rng = random.Random("uuid")
    return tuple(str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(_SIZE))


def _digit_strings() -> tuple[str, ...]:
    rng = random.Random("digits")
    return tuple(str(rng.randrange(10**5, 10**12)) for _ in range(_SIZE))


def _cookie_values() -> tuple[str, ...]:
    rng = random.Random("cookie")
    alphabet = string.ascii_letters + string.digits + "-_%"
    values = [str(rng.randrange(10**7, 10**15)) for _ in range(_SIZE // 3)]
    values += ["".join(rng.choice(alphabet) for _ in range(rng.randint(16, 64))) for _ in range(_SIZE - len(values))]
    return tuple(values)


POOLS: Final[dict[str, Callable[[], tuple[str, ...]]]] = {
    "email": _emails,
    "phone": lambda: _phones("phone", 6, 15),
    "e164": lambda: _phones("e164", 8, 15),
    "date-time": _date_times,
    "handle": _handles,
    "secret": _secrets,
    "user_agent": _user_agents,
    "uuid": _uuids,
    "digits": _digit_strings,
    "cookie_value": _cookie_values,
}
"""Pool builders by name; each runs once, when a strategy that uses it is built."""
