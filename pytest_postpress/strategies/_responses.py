"""Account ids, documented 201 bodies and documented error envelopes."""

from __future__ import annotations

import functools
import string
from collections.abc import Collection
from typing import Any, Final

from hypothesis import strategies as st

from pytest_postpress import catalog
from pytest_postpress import schema as _schema
from pytest_postpress.strategies import _arguments

__all__ = ["account_ids", "error_envelopes", "success_bodies"]

# RFC 3986 "unreserved": the characters a path segment carries as they are.
_UNRESERVED: Final = string.ascii_letters + string.digits + "-._~"
_CROCKFORD: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# Characters and ids that break naive path building (rule 16).
_HOSTILE_CHARACTERS: Final = ("/", "?", "#", "%", " ", "+", "&", "=", ";", "\\", "\n", "é", "ü", "日", "😀", "\u202e")
_HOSTILE_IDS: Final = (
    "..",
    ".",
    "../admin",
    "a/b",
    "acc_1/../acc_2",
    "%2F",
    "%",
    "%zz",
    "acc 1",
    "acc?x=1",
    "acc#fragment",
    "ünïcödé",
    "アカウント",
    "😀",
    " ",
    "~",
    "null",
)


def _realistic_ids() -> st.SearchStrategy[str]:
    return st.one_of(
        # ULID-style ids, as in the documentation's acc_01HXYZ4QK3WJ8FN3M6QH7TZ8GR.
        st.text(_CROCKFORD, min_size=26, max_size=26).map("acc_{}".format),
        st.uuids().map(str),
        st.integers(1, 10**12).map(str),
        # Slugs start with a letter or digit, so they are never the dot segments "." or "..".
        st.builds(
            str.__add__, st.sampled_from(string.ascii_letters + string.digits), st.text(_UNRESERVED, max_size=39)
        ),
    )


def _hostile_ids() -> st.SearchStrategy[str]:
    def insert(base: str, character: str, position: int) -> str:
        position %= len(base) + 1
        return base[:position] + character + base[position:]

    return st.one_of(
        st.sampled_from(_HOSTILE_IDS),
        st.builds(insert, _realistic_ids(), st.sampled_from(_HOSTILE_CHARACTERS), st.integers(0, 64)),
        st.text(min_size=1, max_size=40),
        st.text(_UNRESERVED, min_size=200, max_size=600),  # longer than some proxies' path limits
    )


@functools.cache
def _account_ids(hostile: bool) -> st.SearchStrategy[str]:
    return st.one_of(_realistic_ids(), _hostile_ids()) if hostile else _realistic_ids()


def account_ids(*, hostile: bool = True) -> st.SearchStrategy[str]:
    """Account ids for the path of ``POST /v1/accounts/{id}``: non-empty strings.

    What is generated: realistic ids first (``acc_`` followed by a 26-character
    ULID as in the documentation, UUIDs, numeric ids, short slugs of
    RFC 3986 unreserved characters), and, unless ``hostile=False``, hostile
    ones: ids containing ``/``, ``?``, ``#``, ``%``, a space, ``+``, a
    newline, non-ASCII letters, an emoji or a right-to-left override; the
    dot segments ``.`` and ``..``; ``../admin``; already-encoded ``%2F``;
    arbitrary Unicode; ids of several hundred characters.  A client must
    percent-encode every character outside "unreserved" (rule
    16); ``.`` and ``..`` cannot be sent as a path segment at all, so a
    careful client refuses them.  ``hostile=False`` gives only ids made of
    unreserved characters that are not dot segments.

    How it shrinks: towards a realistic id (``acc_000...``), then towards
    shorter and simpler ones.

    Bad arguments raise ``hypothesis.errors.InvalidArgument`` when the
    strategy is first drawn from.
    """

    def build() -> st.SearchStrategy[str]:
        return _account_ids(_arguments.check_bool(hostile, argument="hostile", function="account_ids"))

    return _arguments.lazy_strategy("account_ids", f"hostile={hostile!r}", build)


_JSON_SCALARS: Final = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20)
)
_JSON_VALUES: Final = st.recursive(
    _JSON_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


def _extra_fields(documented: Collection[str], realistic: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    """Unknown extra fields a newer server may add (a client must ignore them): often none."""
    names = st.one_of(st.sampled_from(realistic), st.text(max_size=16)).filter(lambda name: name not in documented)
    return st.dictionaries(names, _JSON_VALUES, max_size=3)


def _merge(pair: tuple[dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
    documented, extra = pair
    return {**extra, **documented}


@functools.cache
def _success_bodies() -> st.SearchStrategy[dict[str, Any]]:
    schema = _schema.success_body_schema()
    properties = schema["properties"]
    documented = st.fixed_dictionaries(
        {"object": st.just(properties["object"]["const"]), "account_id": _account_ids(True)}
    )
    extra = _extra_fields(properties, ("id", "provider", "status", "created_at", "name"))
    return st.tuples(documented, extra).map(_merge)


def success_bodies() -> st.SearchStrategy[dict[str, Any]]:
    """Documented 201 bodies: ``{"object": "AccountReconnected", "account_id": <non-empty string>}``.

    What is generated: ``account_id`` from :func:`account_ids` (realistic to
    hostile: a client returns it as given, whatever it holds), and sometimes
    unknown extra fields with arbitrary JSON values, which a client must
    tolerate (rule 19).  Dict key order varies.

    How it shrinks: towards ``{"object": "AccountReconnected", "account_id":
    "acc_000..."}`` with no extra field.
    """
    return _arguments.lazy_strategy("success_bodies", "", _success_bodies)


def _details(error: catalog.DocumentedError) -> st.SearchStrategy[str]:
    def repeat(text: str, times: int) -> str:
        return " ".join([text] * times)

    return st.one_of(
        st.just(error.description),
        st.text(max_size=80),
        # Long and non-ASCII: a client must not truncate, mis-decode or choke on it.
        st.builds(
            repeat,
            st.sampled_from(
                (
                    error.description,
                    "Le paramètre « username » est invalide — ユーザー名が無効です — 用户名无效 😕",
                    "Ошибка: параметр 'password' отсутствует. خطأ في المعامل",
                )
            ),
            st.integers(1, 400),
        ),
    )


def _instances() -> st.SearchStrategy[str]:
    return st.one_of(
        st.uuids().map(str),
        st.text(_CROCKFORD, min_size=26, max_size=26).map("req_{}".format),
        st.text(max_size=40),
    )


@functools.cache
def _envelope(error: catalog.DocumentedError) -> st.SearchStrategy[dict[str, Any]]:
    properties = _schema.error_envelope_schema()["properties"]
    documented = st.fixed_dictionaries(
        {
            "title": st.one_of(st.just(error.title), st.text(max_size=40)),
            "type": st.just(error.type),
            "status": st.just(error.status),
        },
        optional={"detail": _details(error), "instance": _instances()},
    )
    extra = _extra_fields(properties, ("errors", "request_id", "trace_id", "retry_after", "code", "message"))
    return st.tuples(documented, extra).map(_merge)


@functools.cache
def _envelopes(errors: tuple[catalog.DocumentedError, ...]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of([_envelope(error) for error in errors])


def error_envelopes(*, errors: Collection[catalog.DocumentedError] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Documented error envelopes: ``{title, type, status, detail?, instance?}``.

    ``errors`` is ``None`` (all 35 documented errors) or a collection of
    ``pytest_postpress.catalog.DocumentedError`` from ``DOCUMENTED_ERRORS``
    (for example ``[catalog.find_error(409, "errors/already_exists")]``).
    ``status`` in the envelope is the error's HTTP status, which is also the
    status to answer with.

    What is generated: ``type`` and ``status`` of one documented error (an
    error is its ``(status, type)`` pair: ``errors/request_timeout`` comes
    with 408 or 504); ``title`` the reason phrase or another string;
    ``detail`` and ``instance`` each present or absent, ``detail`` sometimes
    the documented sentence, sometimes long (up to tens of kilobytes) and
    non-ASCII; sometimes unknown extra fields with arbitrary JSON values,
    which a client must tolerate (rule 20).

    How it shrinks: towards the first requested error in documentation
    order, with ``detail``, ``instance`` and extra fields removed and the
    reason phrase as ``title``.

    Bad arguments raise ``hypothesis.errors.InvalidArgument`` when the
    strategy is first drawn from.
    """
    frozen = _arguments.freeze(errors)

    def build() -> st.SearchStrategy[dict[str, Any]]:
        return _envelopes(_arguments.check_errors(frozen, function="error_envelopes"))

    shown = "None" if frozen is None else repr(frozen)
    return _arguments.lazy_strategy("error_envelopes", f"errors={shown}", build)
