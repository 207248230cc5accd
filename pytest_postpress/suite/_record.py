"""The record of one check (a :class:`~pytest_postpress.suite._results.CheckRecord`), built here and nowhere else.

Each check appends its record to its item's ``user_properties`` (key ``"postpress"``); the plugin serialises
it when the check is done, and :class:`~pytest_postpress.suite._results.Results` folds it in.
"""

from __future__ import annotations

from typing import Unpack

import pytest

from pytest_postpress.suite._results import PROPERTY, CheckFields, CheckRecord

__all__ = ["add_record", "client_name"]


def client_name(item: pytest.Item) -> str:
    """The name the client's test class was collected under (its records are grouped by it)."""
    parent = item.parent
    module = getattr(item, "module", None)
    return parent.name if isinstance(parent, pytest.Class) else str(getattr(module, "__name__", item.nodeid))


def add_record(item: pytest.Item, **fields: Unpack[CheckFields]) -> CheckRecord:
    """A new record of ``item``'s check with ``fields``, appended to its ``user_properties``; the caller may
    fill it in until the check ends (the lists, ``examples``)."""
    record: CheckRecord = {"client": client_name(item), "check": item.name.removeprefix("test_"), **fields}
    item.user_properties.append((PROPERTY, record))
    return record
