"""Reading ``None`` as "not given": what a body means to a client that drops the fields left at ``None``.

Many Python SDKs take the body as keyword arguments and leave out those at ``None``, by design. With the
``postpress_none_means_absent`` fixture set, the suite judges such a client on the body *without* those fields:
this module computes it. Plain Python, no pytest.
"""

from __future__ import annotations

from typing import Any

__all__ = ["none_fields", "without_none_fields"]


def without_none_fields(value: Any) -> Any:
    """A copy of the JSON value ``value`` without the object members whose value is ``None``, at any depth.

    Only members of objects are fields: a ``None`` item of an array and a ``None`` body stay, since no
    keyword argument stands for them.
    """
    if isinstance(value, dict):
        return {name: without_none_fields(sub) for name, sub in value.items() if sub is not None}
    if isinstance(value, list):
        return [without_none_fields(item) for item in value]
    return value


def none_fields(value: Any, path: str = "") -> list[str]:
    """The JSON pointers of the object members of ``value`` whose value is ``None``, in document order."""
    found: list[str] = []
    if isinstance(value, dict):
        for name, sub in value.items():
            pointer = f"{path}/{str(name).replace('~', '~0').replace('/', '~1')}"
            if sub is None:
                found.append(pointer)
            else:
                found.extend(none_fields(sub, pointer))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(none_fields(item, f"{path}/{index}"))
    return found
