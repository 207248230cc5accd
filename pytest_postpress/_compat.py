"""Every reach into another library's internals, each in one small function (pytest-xdist and Hypothesis keep
a ``compat`` module for the same reason).

Each function below uses a name the library does not promise to keep; ``tests/test_compat.py`` has one test per
reach that fails loudly, naming the library, when that library changes it.  Nothing here imports pytest,
Hypothesis or responses at module level, so any layer may import this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pytest
    import responses

__all__ = [
    "active_requests_mock",
    "basetemp",
    "derandomized_seed",
    "key_hypothesis_test",
    "seed_keeping_database",
    "set_database_key",
]


def basetemp(config: pytest.Config) -> Path:
    """pytest's base temporary folder of this run (``tmp_path_factory``'s), from a config, outside a fixture.

    pytest: ``Config._tmp_path_factory`` (set by its ``tmpdir`` plugin); there is no public way from a hook.
    """
    factory: pytest.TempPathFactory = config._tmp_path_factory  # type: ignore[attr-defined]
    return factory.getbasetemp()


def key_hypothesis_test(test: Any, key: bytes) -> None:
    """File the examples of a ``@given`` test under its own example-database key, as Hypothesis's pytest
    plugin does for parametrized tests.

    Hypothesis: ``function_digest`` adds ``_hypothesis_internal_add_digest`` of the inner test to the key.
    """
    test.hypothesis.inner_test._hypothesis_internal_add_digest = key


def set_database_key(test: Any, key: bytes) -> None:
    """File the examples of a ``@given`` test under exactly ``key`` (the same on every machine).

    Hypothesis: ``StateForActualGivenExecution.run_engine`` reads ``_hypothesis_internal_database_key`` of the
    wrapped test before hashing the function's source.
    """
    test._hypothesis_internal_database_key = key


def seed_keeping_database(test: Any, value: int | str, chosen: Any) -> Any:
    """``@seed(value)`` on a ``@given`` test, keeping ``chosen`` (a ``settings`` with a database).

    Hypothesis's ``seed`` sets ``_hypothesis_internal_use_settings`` to a copy with ``database=None`` (a seeded run
    reproduces a run); a seeded run of the fuzz checks explores, and what it finds must be saved.
    """
    from hypothesis import seed

    seed(value)(test)
    test._hypothesis_internal_use_settings = chosen
    return test


def derandomized_seed(test: Any) -> int:
    """The seed Hypothesis derives for ``test`` under ``derandomize=True``.

    Hypothesis: ``core.get_random_for_wrapped_test`` uses ``Random(int_from_bytes(function_digest(test)))``.
    """
    from hypothesis.internal.reflection import function_digest

    return int.from_bytes(function_digest(test), "big")


def active_requests_mock() -> responses.RequestsMock | None:
    """The ``responses.RequestsMock`` that answers requests calls now (the last one started), or ``None``.

    responses: ``RequestsMock.start`` patches ``HTTPAdapter.send`` with a closure over the mock (its free
    variable ``self``); the mock is read from there.
    """
    import inspect

    import requests.adapters
    import responses

    send = inspect.getattr_static(requests.adapters.HTTPAdapter, "send")
    code = getattr(send, "__code__", None)
    closure = getattr(send, "__closure__", None)
    if code is None or not closure or "self" not in code.co_freevars:
        return None
    owner = closure[code.co_freevars.index("self")].cell_contents
    return owner if isinstance(owner, responses.RequestsMock) else None
