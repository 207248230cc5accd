"""One test per reach into another library's internals (``pytest_postpress/_compat.py``): each fails, naming the
library, when that library changes what the reach relies on."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.internal.reflection import function_digest

from pytest_postpress import _compat


def test_pytest_still_keeps_the_tmp_path_factory_on_the_config(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    assert hasattr(request.config, "_tmp_path_factory"), "pytest changed: Config._tmp_path_factory is gone"
    assert _compat.basetemp(request.config) == tmp_path_factory.getbasetemp(), (
        "pytest changed: Config._tmp_path_factory is no longer the factory of tmp_path_factory"
    )
    assert isinstance(_compat.basetemp(request.config), Path)


def test_hypothesis_still_keys_a_test_by_its_added_digest() -> None:
    def build() -> object:
        @given(st.integers())
        def inner(value: int) -> None:
            pass

        return inner

    first, second = build(), build()
    before = function_digest(first.hypothesis.inner_test)  # type: ignore[attr-defined]
    assert before == function_digest(second.hypothesis.inner_test)  # type: ignore[attr-defined]
    _compat.key_hypothesis_test(first, b"tests/test_a.py::TestA::test_x")
    _compat.key_hypothesis_test(second, b"tests/test_b.py::TestB::test_x")
    keys = {function_digest(first.hypothesis.inner_test), function_digest(second.hypothesis.inner_test)}  # type: ignore[attr-defined]
    message = (
        "Hypothesis changed: function_digest no longer reads _hypothesis_internal_add_digest, so every client"
        " class would share one example-database key"
    )
    assert len(keys) == 2, message
    assert before not in keys, message


def test_responses_still_patches_send_with_a_closure_over_the_mock() -> None:
    responses = pytest.importorskip("responses")
    assert _compat.active_requests_mock() is None
    with responses.RequestsMock() as outer:
        assert _compat.active_requests_mock() is outer, (
            "responses changed: RequestsMock.start no longer patches HTTPAdapter.send with a closure over `self`"
        )
    assert _compat.active_requests_mock() is None
