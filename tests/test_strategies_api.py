"""The public surface of ``strategies``: names, laziness, argument checks, docstrings."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import strategies
from pytest_postpress import catalog

PUBLIC_STRATEGIES = [
    strategies.reconnect_bodies,
    strategies.invalid_reconnect_bodies,
    strategies.account_ids,
    strategies.success_bodies,
    strategies.error_envelopes,
]


def test_all_is_pinned() -> None:
    assert strategies.__all__ == [
        "MUTATIONS",
        "InvalidBody",
        "account_ids",
        "error_envelopes",
        "invalid_reconnect_bodies",
        "reconnect_bodies",
        "success_bodies",
    ]


def test_every_name_in_all_exists() -> None:
    missing = [name for name in strategies.__all__ if not hasattr(strategies, name)]
    assert missing == []


def _run_python(code: str) -> Any:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_import_pulls_in_neither_pytest_nor_respx_nor_httpx() -> None:
    found = _run_python(
        """
        import json, sys
        import strategies
        print(json.dumps(sorted(name for name in ("pytest", "respx", "httpx", "_pytest") if name in sys.modules)))
        """
    )
    assert found == []


def test_import_builds_no_strategy() -> None:
    # Every strategy is built on its first draw; importing and calling the
    # public functions only records their arguments.
    sizes = _run_python(
        """
        import json
        import strategies
        from pytest_postpress.strategies import _bodies, _invalid, _responses
        strategies.reconnect_bodies(); strategies.invalid_reconnect_bodies(); strategies.error_envelopes()
        caches = [_bodies.variant_bodies, _bodies._bodies, _invalid._invalid_bodies, _responses._envelopes]
        print(json.dumps([cache.cache_info().currsize for cache in caches]))
        """
    )
    assert sizes == [0, 0, 0, 0]


@pytest.mark.parametrize("function", PUBLIC_STRATEGIES, ids=lambda function: function.__name__)
def test_public_strategies_have_docstrings_saying_what_and_how_it_shrinks(function: Any) -> None:
    doc = function.__doc__ or ""
    assert "What is generated" in doc
    assert "How it shrinks" in doc


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: strategies.reconnect_bodies(variants="MAIL"), "single string"),
        (lambda: strategies.reconnect_bodies(variants=["MAIL", "GMAIL"]), "unknown variant names 'GMAIL'"),
        (lambda: strategies.reconnect_bodies(variants=[]), "at least one"),
        (lambda: strategies.reconnect_bodies(variants=iter(["MAIL"])), "collection"),  # type: ignore[arg-type]
        (lambda: strategies.reconnect_bodies(variants=5), "collection"),  # type: ignore[arg-type]
        (lambda: strategies.invalid_reconnect_bodies(variants=["LinkedIn"]), "unknown variant names"),
        (lambda: strategies.invalid_reconnect_bodies(mutations=["typo"]), "unknown mutations 'typo'"),
        (
            lambda: strategies.invalid_reconnect_bodies(variants=["MAIL"], mutations=["mixed_credentials"]),
            "cannot apply",
        ),
        (lambda: strategies.account_ids(hostile=1), "expected True or False"),  # type: ignore[arg-type]
        (lambda: strategies.error_envelopes(errors=[(400, "errors/invalid_parameters")]), "not among the 35"),  # type: ignore[list-item]
        (
            lambda: strategies.error_envelopes(errors=[catalog.DocumentedError(418, "errors/teapot", "")]),
            "not among the 35",
        ),
        (lambda: strategies.error_envelopes(errors="errors/invalid_parameters"), "collection"),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments_raise_invalid_argument_at_draw_time(make: Any, message: str) -> None:
    strategy = make()  # calling never raises: the check runs on the first draw

    @given(strategy)
    @settings(max_examples=1, database=None)
    def draw_one(value: object) -> None:
        raise AssertionError("unreachable: the argument check must fail first")

    with pytest.raises(InvalidArgument, match=message):
        draw_one()


def test_repr_reads_like_the_call() -> None:
    assert repr(strategies.reconnect_bodies(variants=["MAIL"])) == "deferred(reconnect_bodies(variants=('MAIL',)))"
    assert repr(strategies.account_ids()) == "deferred(account_ids(hostile=True))"


def test_variants_in_any_order_give_the_same_strategy() -> None:
    # Set order depends on PYTHONHASHSEED; the example database needs one order.
    first = strategies.reconnect_bodies(variants={"MAIL", "TELEGRAM", "OUTLOOK"})
    second = strategies.reconnect_bodies(variants=["OUTLOOK", "TELEGRAM", "MAIL", "MAIL"])
    first.validate()
    second.validate()
    assert first.wrapped_strategy is second.wrapped_strategy  # type: ignore[attr-defined]


def test_arguments_are_frozen_at_call_time() -> None:
    chosen = ["MAIL"]
    strategy = strategies.reconnect_bodies(variants=chosen)
    chosen.append("not a variant")  # a later change must not reach the strategy
    seen: list[str] = []

    @given(strategy)
    @settings(max_examples=5, database=None)
    def record(body: dict[str, Any]) -> None:
        seen.append(body["provider"])

    record()
    assert set(seen) == {"MAIL"}


def test_invalid_body_is_a_frozen_record() -> None:
    error = catalog.find_error(400, "errors/invalid_parameters")
    assert error is not None
    item = strategies.InvalidBody(body=[], variant=None, mutation="not_an_object", expected=error, path="")
    with pytest.raises(AttributeError):
        item.mutation = "wrong_type"  # type: ignore[misc]


def test_mutations_lists_each_kind_once() -> None:
    assert len(set(strategies.MUTATIONS)) == len(strategies.MUTATIONS)
    assert {
        "missing_required",
        "wrong_type",
        "out_of_range",
        "not_in_enum",
        "bad_format",
        "undocumented_field",
        "null_value",
        "mixed_credentials",
        "provider_confusion",
        "provider_case",
        "missing_provider",
        "not_an_object",
    } <= set(strategies.MUTATIONS)


@given(st.data())
@settings(max_examples=20, database=None)
def test_strategies_compose_with_st_data(data: st.DataObject) -> None:
    # The lazily built strategies behave as ordinary ones inside st.data().
    body = data.draw(strategies.reconnect_bodies(variants=["TELEGRAM"]))
    assert body["provider"] == "TELEGRAM"
