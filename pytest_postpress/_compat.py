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

__all__ = ["active_requests_mock", "basetemp", "key_hypothesis_test"]


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
