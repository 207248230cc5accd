"""Valid JSON values for a contract schema node, built by construction.

The walk follows the schema that ``pytest_postpress.schema`` builds, one
keyword at a time, so no field list is written here:

* ``const`` and ``enum`` give the documented values;
* ``anyOf`` gives one branch per alternative (the parent's keywords merged in);
* an object gives ``st.fixed_dictionaries`` with the ``required`` properties
  always present and the others optional (``minProperties: 1`` without
  ``required`` becomes "one property forced, the others optional");
* an open map (``additionalProperties`` as a schema) gives ``st.dictionaries``;
* an array gives ``st.lists``; an ``allOf`` of ``contains`` with ``const``
  properties (the Messenger cookies ``xs``, ``c_user``, ``datr``) gives one
  pinned item per ``contains`` plus extra items, in any order;
* a string with a ``format`` the project checks gives the realistic and
  schema-derived strings of :mod:`strategies._formats`;
* any other leaf (plain strings, integers, numbers, booleans) is handed to
  ``hypothesis_jsonschema.from_schema``, with realistic sample values
  (:data:`HINTS`) and the bounds of bounded integers listed first, so that
  shrinking ends on a value a person would recognise.

A construct the walk does not know raises ``NotImplementedError`` when the
strategy is built, so a change of the contract cannot silently produce
invalid bodies.
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from pytest_postpress._redact import json_type
from pytest_postpress.strategies import _formats, _pools

__all__ = ["HINTS", "ITEM", "KEY_HINTS", "Path", "Slot", "accepted_types", "slots", "uses_hint", "value_strategy"]

JSONSchema = dict[str, Any]
T = TypeVar("T")
Path = tuple[str, ...]

ITEM: Final = "*"
"""Path step for "any item of this array" or "any value of this open map"."""

# Keywords that say nothing about which values are valid.
_ANNOTATIONS: Final = frozenset({"description", "examples", "title", "writeOnly", "readOnly", "default", "$comment"})

_PRINTABLE: Final = string.ascii_letters + string.digits + string.punctuation


def _handles() -> st.SearchStrategy[str]:
    built = st.builds(
        str.__add__,
        st.sampled_from(string.ascii_lowercase),
        st.text(string.ascii_lowercase + string.digits + "_.", min_size=2, max_size=14),
    )
    return _pools.pooled(_pools.POOLS["handle"](), built)


def _hosts() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(("proxy.example.com", "127.0.0.1", "squid.internal", "[::1]")),
        _formats.valid_strings("ipv4"),
        _formats.domains(),
    )


def _user_agents() -> st.SearchStrategy[str]:
    return _pools.pooled(_pools.POOLS["user_agent"](), _built_user_agents())


def _built_user_agents() -> st.SearchStrategy[str]:
    return st.builds(
        "Mozilla/5.0 ({}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{}.0.0.0 Safari/537.36".format,
        st.sampled_from(
            ("Windows NT 10.0; Win64; x64", "Macintosh; Intel Mac OS X 10_15_7", "X11; Linux x86_64", "iPhone")
        ),
        st.integers(100, 140),
    )


def _ports() -> st.SearchStrategy[int]:
    return st.sampled_from((8080, 3128, 1080, 443, 80, 993, 465, 587, 143, 25))


def _cookie_names() -> st.SearchStrategy[str]:
    # Extra cookies a Facebook session carries besides the three required ones.
    return st.sampled_from(("fr", "sb", "wd", "presence", "locale", "ps_l", "ps_n", "dpr", "usida"))


def _cookie_values() -> st.SearchStrategy[str]:
    return _pools.pooled(_pools.POOLS["cookie_value"](), _built_cookie_values())


def _built_cookie_values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(string.digits, min_size=8, max_size=16),  # c_user is a numeric id
        st.text(string.ascii_letters + string.digits + "-_%", min_size=16, max_size=64),
    )


def _timestamps() -> st.SearchStrategy[float]:
    # Cookie expiration dates as browsers export them: Unix seconds with a fraction.
    return st.floats(1.6e9, 2.2e9, allow_nan=False).map(lambda seconds: round(seconds, 6))


HINTS: Final[dict[Path, Callable[[], st.SearchStrategy[Any]]]] = {
    ("username",): lambda: st.one_of(_handles(), _formats.valid_strings("email")),
    ("user_name",): _handles,
    ("user_agent",): _user_agents,
    ("recruiter_contract_id",): lambda: _pools.pooled(
        _pools.POOLS["digits"](), st.text(string.digits, min_size=6, max_size=12)
    ),
    ("id",): lambda: _pools.pooled(_pools.POOLS["uuid"](), st.uuids().map(str)),
    ("imap_user",): lambda: _formats.valid_strings("email"),
    ("smtp_user",): lambda: _formats.valid_strings("email"),
    ("imap_host",): lambda: _formats.domains().map("imap.{}".format),
    ("smtp_host",): lambda: _formats.domains().map("smtp.{}".format),
    ("imap_port",): _ports,
    ("smtp_port",): _ports,
    ("proxy", "host"): _hosts,
    ("proxy", "port"): _ports,
    ("proxy", "username"): _handles,
    ("cookies", ITEM, "name"): _cookie_names,
    ("cookies", ITEM, "value"): _cookie_values,
    ("cookies", ITEM, "domain"): lambda: st.sampled_from((".facebook.com", ".messenger.com", "www.facebook.com")),
    ("cookies", ITEM, "path"): lambda: st.sampled_from(("/", "/messages")),
    ("cookies", ITEM, "expirationDate"): _timestamps,
}
"""Realistic sample values for some fields, by path.  Each is a subset of what the
schema allows (the property tests check it) and is listed before the
schema-derived values, so shrinking ends on it."""

KEY_HINTS: Final[dict[Path, Callable[[], st.SearchStrategy[str]]]] = {
    ("headers",): lambda: st.sampled_from(
        ("User-Agent", "Accept-Language", "Sec-CH-UA", "Sec-CH-UA-Mobile", "Sec-CH-UA-Platform", "Cookie")
    ),
}
"""Realistic names for the keys of open maps, by path of the map."""


def _leaf(schema: Mapping[str, Any]) -> JSONSchema:
    """The validation keywords of a leaf; ``format: password`` is a hint, not a check."""
    leaf = {key: value for key, value in schema.items() if key not in _ANNOTATIONS}
    if leaf.get("format") not in _formats.FORMAT_NAMES:
        leaf.pop("format", None)
    return leaf


def _with_integral_floats(integers: st.SearchStrategy[int]) -> st.SearchStrategy[int | float]:
    """Now and then write an integer as an integral float (``993.0``), which JSON Schema counts as an integer."""

    def maybe_float(pair: tuple[int, int]) -> int | float:
        choice, value = pair
        return float(value) if choice == 7 and abs(value) < 2**53 else value

    return st.tuples(st.integers(0, 7), integers).map(maybe_float)


def _secrets(schema: Mapping[str, Any]) -> st.SearchStrategy[str]:
    minimum = int(schema.get("minLength", 0))
    realistic = st.text(_PRINTABLE, min_size=max(minimum, 8), max_size=24)
    return _pools.pooled(_pools.POOLS["secret"](), st.one_of(realistic, from_schema(_leaf(schema))))


_PORTS: Final = (8080, 3128, 1080, 443, 80, 993, 465, 587, 143, 25)


def _integers(schema: Mapping[str, Any], hint: st.SearchStrategy[Any] | None, path: Path) -> st.SearchStrategy[Any]:
    bounds = [schema[key] for key in ("minimum", "maximum") if key in schema]
    parts: list[st.SearchStrategy[Any]] = [] if hint is None else [hint]
    parts.append(from_schema(_leaf(schema)))
    if bounds:
        parts.append(st.sampled_from(bounds))
    # The pool: the realistic values (ports), or small round numbers above the minimum, then the bounds,
    # each also written once as an integral float.
    minimum = int(schema.get("minimum", 0))
    common = (
        list(_PORTS)
        if path[-1:] in (("port",), ("imap_port",), ("smtp_port",))
        else [minimum + 10**n - 1 for n in range(5)]
    )
    pool = [value for value in [*common, *bounds] if all(_within(value, schema))]
    pool = list(dict.fromkeys(pool))
    return _pools.pooled([*pool, *(float(value) for value in pool[:3])], _with_integral_floats(st.one_of(parts)))


def _within(value: int, schema: Mapping[str, Any]) -> Iterator[bool]:
    yield value >= schema.get("minimum", value)
    yield value <= schema.get("maximum", value)


def uses_hint(schema: Mapping[str, Any]) -> bool:
    """Whether :func:`value_strategy` consults :data:`HINTS` for ``schema``: plain leaves only.

    Documented values (``const``, ``enum``), alternatives (``anyOf``) and
    strings with a checked format come from the contract, never from a hint.
    """
    if any(key in schema for key in ("const", "enum", "anyOf")):
        return False
    if schema.get("type") == "string":
        return schema.get("format") not in _formats.FORMAT_NAMES
    return schema.get("type") in ("integer", "number", "boolean")


def value_strategy(schema: Mapping[str, Any], path: Path = ()) -> st.SearchStrategy[Any]:
    """Valid values of ``schema``, found at ``path`` (which picks the realistic hints)."""
    if "const" in schema:
        return st.just(schema["const"])
    if "anyOf" in schema:
        base = {key: value for key, value in schema.items() if key != "anyOf"}
        return st.one_of([value_strategy({**base, **branch}, path) for branch in schema["anyOf"]])
    if "enum" in schema:
        # What from_schema gives for an enum, without its lazy wrapper.
        return st.sampled_from(schema["enum"])
    hint_factory = HINTS.get(path) if uses_hint(schema) else None
    hint = None if hint_factory is None else hint_factory()
    kind = schema.get("type")
    if kind == "object":
        return object_strategy(schema, path)
    if kind == "array":
        return _array_strategy(schema, path)
    if kind == "string":
        if schema.get("format") in _formats.FORMAT_NAMES:
            return _formats.valid_strings(schema["format"])
        derived = _secrets(schema) if schema.get("writeOnly") else from_schema(_leaf(schema))
        if hint is not None and schema.get("minLength"):
            hint = hint.filter(lambda value: len(value) >= schema["minLength"])
        return derived if hint is None else st.one_of(hint, derived)
    if kind == "integer":
        return _integers(schema, hint, path)
    if kind in ("number", "boolean"):
        derived = from_schema(_leaf(schema))
        return derived if hint is None else st.one_of(hint, derived)
    raise NotImplementedError(f"strategies: no valid-value construction for the schema at {path}: {schema!r}")


def object_strategy(
    schema: Mapping[str, Any], path: Path = (), *, force: frozenset[str] = frozenset()
) -> st.SearchStrategy[dict[str, Any]]:
    """Objects valid for ``schema``; the optional properties in ``force`` are always present."""
    properties: Mapping[str, Any] = schema.get("properties", {})
    additional = schema.get("additionalProperties", True)
    if not properties:
        if not isinstance(additional, Mapping):
            raise NotImplementedError(f"strategies: an object without properties at {path}: {schema!r}")
        key_hint = KEY_HINTS.get(path)
        keys = st.text(max_size=24) if key_hint is None else st.one_of(key_hint(), st.text(max_size=24))
        return st.dictionaries(keys, value_strategy(additional, (*path, ITEM)), max_size=4)
    unknown = set(force) - set(properties)
    if unknown:
        raise ValueError(f"cannot force undocumented properties {sorted(unknown)} at {path}")
    present = set(schema.get("required", ())) | set(force)
    always = {name: value_strategy(sub, (*path, name)) for name, sub in properties.items() if name in present}
    optional = {name: value_strategy(sub, (*path, name)) for name, sub in properties.items() if name not in present}
    minimum = int(schema.get("minProperties", 0))
    if minimum <= len(always):
        return _objects(tuple(always.items()), tuple(optional.items()), nonempty=False)
    if minimum == 1 and not always:
        # Never empty, and every property is seen both present and absent.
        return _objects((), tuple(optional.items()), nonempty=True)
    raise NotImplementedError(f"strategies: minProperties={minimum} at {path} is not handled")


def _permutation(items: list[T], index: int) -> list[T]:
    """The ``index``-th permutation of ``items`` (Lehmer code): 0 is ``items`` in their order."""
    pool = list(items)
    chosen = []
    for size in range(len(pool), 0, -1):
        index, position = divmod(index, size)
        chosen.append(pool.pop(position))
    return chosen


def _objects(
    always: tuple[tuple[str, st.SearchStrategy[Any]], ...],
    optional: tuple[tuple[str, st.SearchStrategy[Any]], ...],
    *,
    nonempty: bool,
) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with every ``always`` property and some of the ``optional`` ones, keys in any order.

    Three kinds of choice, whatever the number of properties: one integer
    whose bits say which optional properties are present, one integer that
    numbers the key order, and one value per property present.  Each shrinks
    to 0: optional properties absent (or only the first, when one is needed),
    keys in documentation order.
    """
    names = [name for name, _ in always] + [name for name, _ in optional]
    rank = {name: index for index, name in enumerate(names)}
    strategies_of = dict(always) | dict(optional)
    presence = st.integers(1 if nonempty else 0, 2 ** len(optional) - 1) if optional else st.just(0)
    orders = [st.integers(0, math.factorial(size) - 1) if size > 1 else st.just(0) for size in range(len(names) + 1)]

    @st.composite
    def objects(draw: st.DrawFn) -> dict[str, Any]:
        mask = draw(presence)
        keys = [name for name, _ in always] + [name for bit, (name, _) in enumerate(optional) if mask >> bit & 1]
        values = {name: draw(strategies_of[name]) for name in sorted(keys, key=rank.__getitem__)}
        # The order last, so that shrinking a value never reinterprets it.
        return {name: values[name] for name in _permutation(keys, draw(orders[len(keys)]))}

    return objects()


def _pinned(contains: Mapping[str, Any]) -> dict[str, Any]:
    """The ``const`` properties a ``contains`` subschema asks one item to have."""
    pinned = {name: sub["const"] for name, sub in contains.get("properties", {}).items() if "const" in sub}
    if not pinned:
        raise NotImplementedError(f"strategies: a 'contains' without const properties: {contains!r}")
    return pinned


def contained_items(schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    """For an array schema, the pinned properties of each item its ``allOf``/``contains`` demand."""
    return [_pinned(part["contains"]) for part in schema.get("allOf", ()) if "contains" in part]


def _array_strategy(schema: Mapping[str, Any], path: Path) -> st.SearchStrategy[list[Any]]:
    items_schema: Mapping[str, Any] = schema["items"]
    items = value_strategy(items_schema, (*path, ITEM))
    demanded = contained_items(schema)
    if not demanded:
        return st.lists(items, max_size=3)
    pinned_items = []
    for pinned in demanded:
        properties = {**items_schema["properties"], **{name: {"const": value} for name, value in pinned.items()}}
        pinned_items.append(object_strategy({**items_schema, "properties": properties}, (*path, ITEM)))

    extras = st.lists(items, max_size=2)
    orders = [st.integers(0, math.factorial(size) - 1) for size in range(len(pinned_items) + 3)]

    @st.composite
    def arrays(draw: st.DrawFn) -> list[Any]:
        values = [draw(item) for item in pinned_items] + draw(extras)
        # Any order: a client must not rely on the required items coming first.  One choice numbers the order.
        return _permutation(values, draw(orders[len(values)]))

    return arrays()


def accepted_types(schema: Mapping[str, Any]) -> set[str]:
    """The JSON types ``schema`` accepts at all (``integer`` is implied by ``number``)."""
    if "anyOf" in schema:
        base = {key: value for key, value in schema.items() if key != "anyOf"}
        return set().union(*(accepted_types({**base, **branch}) for branch in schema["anyOf"]))
    values = schema.get("enum", [schema["const"]] if "const" in schema else None)
    if values is not None:
        return {json_type(value) for value in values}
    kind = schema.get("type")
    kinds = {kind} if isinstance(kind, str) else set(kind or ())
    if "number" in kinds:
        kinds.add("integer")
    return kinds


@dataclass(frozen=True)
class Slot:
    """A place in a body where a value lives: its path (``*`` for items), schema and whether it is required."""

    path: Path
    schema: JSONSchema
    required: bool


def slots(schema: Mapping[str, Any], path: Path = ()) -> Iterator[Slot]:
    """Every place below ``schema`` where a value lives, in documentation order, parents first."""
    if "properties" in schema:
        required = set(schema.get("required", ()))
        for name, sub in schema["properties"].items():
            yield Slot((*path, name), sub, name in required)
            yield from slots(sub, (*path, name))
    elif isinstance(schema.get("additionalProperties"), Mapping):
        sub = schema["additionalProperties"]
        yield Slot((*path, ITEM), sub, False)
        yield from slots(sub, (*path, ITEM))
    if isinstance(schema.get("items"), Mapping):
        sub = schema["items"]
        yield Slot((*path, ITEM), sub, False)
        yield from slots(sub, (*path, ITEM))
