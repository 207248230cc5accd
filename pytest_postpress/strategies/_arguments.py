"""Argument checks shared by the public strategies.

Public strategies check their arguments when they are first drawn from, not
when they are called (Hypothesis ``guides/api-style.rst``), so a bad argument
at module level does not break collection of a whole test file.  The public
functions therefore only *freeze* their arguments (so a list mutated after the
call cannot change the strategy) and wrap the real work in
:func:`lazy_strategy`; the checks here run inside it and raise
:class:`hypothesis.errors.InvalidArgument`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, TypeVar

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from pytest_postpress import catalog
from pytest_postpress import schema as _schema

T = TypeVar("T")


class _Unfrozen:
    """Marks an argument that could not be frozen; the check will reject it."""

    def __init__(self, value: object) -> None:
        self.value = value

    def __repr__(self) -> str:
        return repr(self.value)


def freeze(value: object) -> object:
    """Snapshot a collection argument as a tuple; leave anything else as it is.

    Strings, bytes and mappings are left alone so that the check can say what
    is wrong with them; iterators are left alone because iterating them here
    would consume them.
    """
    if value is None or isinstance(value, str | bytes) or not isinstance(value, Collection):
        return value
    try:
        return tuple(value)
    except Exception:  # a broken __iter__: report it at draw time
        return _Unfrozen(value)


def lazy_strategy(name: str, arguments: str, build: Callable[[], st.SearchStrategy[T]]) -> st.SearchStrategy[T]:
    """Defer ``build`` to the first draw; its repr reads like the call that made it."""

    def definition() -> st.SearchStrategy[T]:
        return build()

    definition.__name__ = definition.__qualname__ = f"{name}({arguments})"
    return st.deferred(definition)


def check_names(value: object, *, argument: str, function: str, known: tuple[str, ...], what: str) -> tuple[str, ...]:
    """Check a collection of names drawn from ``known``; return them deduplicated in ``known`` order.

    The order is normalised so that ``{"A", "B"}`` and ``["B", "A"]`` give the
    same strategy in every process (set order depends on ``PYTHONHASHSEED``,
    and a different branch order would make the example database replay
    different examples).
    """
    if value is None:
        return known
    if isinstance(value, str):
        raise InvalidArgument(
            f"{function}({argument}={value!r}): expected a collection of {what}, got a single string; "
            f"write {argument}=[{value!r}]"
        )
    if not isinstance(value, tuple):
        raise InvalidArgument(
            f"{function}({argument}={value!r}): expected None or a collection (list, tuple, set) of {what}, "
            f"got {type(value).__name__}"
        )
    if not value:
        raise InvalidArgument(f"{function}({argument}=[]): give at least one of {what}, or None for all of them")
    unknown = [item for item in value if not isinstance(item, str) or item not in known]
    if unknown:
        raise InvalidArgument(
            f"{function}({argument}=...): unknown {what} {', '.join(map(repr, unknown))}; "
            f"the {what} are {', '.join(known)}"
        )
    chosen = set(value)
    return tuple(name for name in known if name in chosen)


def check_variants(value: object, *, function: str) -> tuple[str, ...]:
    """Check ``variants=``: None (all twelve) or a collection of names from ``VARIANTS``."""
    return check_names(value, argument="variants", function=function, known=_schema.VARIANTS, what="variant names")


def check_errors(value: object, *, function: str) -> tuple[catalog.DocumentedError, ...]:
    """Check ``errors=``: None (all 35) or a collection of documented errors, in catalog order."""
    if value is None:
        return catalog.DOCUMENTED_ERRORS
    if not isinstance(value, tuple):
        raise InvalidArgument(
            f"{function}(errors={value!r}): expected None or a collection of DocumentedError "
            f"(from pytest_postpress.catalog), got {type(value).__name__}"
        )
    if not value:
        raise InvalidArgument(f"{function}(errors=[]): give at least one DocumentedError, or None for all 35")
    documented = set(catalog.DOCUMENTED_ERRORS)
    wrong = [item for item in value if not isinstance(item, catalog.DocumentedError) or item not in documented]
    if wrong:
        raise InvalidArgument(
            f"{function}(errors=...): {', '.join(map(repr, wrong))} "
            f"{'is' if len(wrong) == 1 else 'are'} not among the 35 documented errors; "
            "use pytest_postpress.catalog.find_error(status, type) or DOCUMENTED_ERRORS"
        )
    chosen = set(value)
    return tuple(error for error in catalog.DOCUMENTED_ERRORS if error in chosen)


def check_bool(value: Any, *, argument: str, function: str) -> bool:
    """Check a boolean flag (``1`` or ``"yes"`` are refused rather than guessed at)."""
    if not isinstance(value, bool):
        raise InvalidArgument(f"{function}({argument}={value!r}): expected True or False, got {type(value).__name__}")
    return value
