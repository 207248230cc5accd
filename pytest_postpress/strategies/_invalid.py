"""Invalid request bodies: a valid body of one variant with one documented kind of mistake.

Each mutation is built from the contract schema (which fields are required,
which have an enum, bounds or a format, which objects are closed) and knows
the error the documented API answers for it: ``errors/missing_parameters``
when it only takes required fields away (or empties them), otherwise
``errors/invalid_parameters`` (rules 4 and 22).

That claim is then *checked* on every value, as the last step of the
strategy: the body must be rejected by
``pytest_postpress.validate_reconnect_body`` and
``pytest_postpress.error_for_violations`` must give the claimed error.  A
value that fails the check is discarded, so neither generation nor shrinking
can hand a test a body that is valid after all, or an expectation the mock
would not meet.  (The property tests also measure how rarely that check
discards anything, so it cannot hide a construction bug.)
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import jsonschema
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from pytest_postpress import catalog
from pytest_postpress import schema as _schema
from pytest_postpress.strategies import _arguments, _formats, _values
from pytest_postpress.strategies._bodies import variant_bodies
from pytest_postpress.strategies._values import ITEM, Path, Slot
from pytest_postpress.validation import closest_variant, error_for_violations, json_pointer, validate_reconnect_body

__all__ = ["MUTATIONS", "InvalidBody", "invalid_reconnect_bodies"]

MUTATIONS: Final[tuple[str, ...]] = (
    "missing_required",
    "empty_required",
    "missing_provider",
    "wrong_type",
    "null_value",
    "out_of_range",
    "not_in_enum",
    "bad_format",
    "undocumented_field",
    "mixed_credentials",
    "provider_confusion",
    "provider_case",
    "unknown_provider",
    "sync_limit_form",
    "empty_sync_limit",
    "missing_required_cookie",
    "not_an_object",
)
"""Every mutation kind, in the order :func:`invalid_reconnect_bodies` shrinks towards."""

T = TypeVar("T")

_MISSING_KINDS: Final = frozenset({"missing_required", "empty_required", "missing_provider"})

_MISSING_PARAMETERS: Final = catalog.find_error(400, "errors/missing_parameters")
_INVALID_PARAMETERS: Final = catalog.find_error(400, "errors/invalid_parameters")
assert _MISSING_PARAMETERS is not None
assert _INVALID_PARAMETERS is not None


def expected_error(mutation: str) -> catalog.DocumentedError:
    """The documented error a mutation of this kind must get (rule 22)."""
    assert _MISSING_PARAMETERS is not None
    assert _INVALID_PARAMETERS is not None
    return _MISSING_PARAMETERS if mutation in _MISSING_KINDS else _INVALID_PARAMETERS


@dataclass(frozen=True)
class InvalidBody:
    """A request body the documented API rejects, and why.

    ``body`` is the JSON value to send (usually an object, sometimes not);
    ``variant`` the variant it was derived from, ``None`` when ``body`` is not
    an object; ``mutation`` one of :data:`MUTATIONS`; ``expected`` the
    documented error the API answers (400 ``errors/missing_parameters`` or
    400 ``errors/invalid_parameters``); ``path`` the JSON pointer of the place
    the mutation changed (``""`` for the whole body).  ``path`` is where the
    mistake was made, which need not be the first field the API reports.
    """

    body: Any
    variant: str | None
    mutation: str
    expected: catalog.DocumentedError
    path: str


@dataclass(frozen=True)
class _Candidate:
    body: Any
    path: str


def agrees(item: InvalidBody) -> bool:
    """True when the validator rejects ``item.body`` with exactly ``item.expected``."""
    violations = validate_reconnect_body(item.body)
    return bool(violations) and error_for_violations(violations) == item.expected


# ---------------------------------------------------------------------------
# Facts derived from the schema, computed once per variant


@functools.cache
def _schema_of(variant: str) -> dict[str, Any]:
    return _schema.variant_schema(variant)


@functools.cache
def _slots(variant: str) -> tuple[Slot, ...]:
    return tuple(_values.slots(_schema_of(variant)))


def _top_level(slot: Slot) -> str:
    return slot.path[0]


def _force_for(variant: str, slot: Slot) -> frozenset[str]:
    """The optional top-level field that must be present for ``slot``'s parent to exist."""
    name = _top_level(slot)
    required = set(_schema_of(variant)["required"])
    return frozenset() if len(slot.path) == 1 or name in required else frozenset({name})


def _siblings(variant: str) -> tuple[str, ...]:
    provider = _schema.variant_spec(variant).provider
    return tuple(
        name for name in _schema.VARIANTS if name != variant and _schema.variant_spec(name).provider == provider
    )


def _specific_fields(variant: str) -> tuple[str, ...]:
    return tuple(name for name, _, _ in _schema.variant_spec(variant).specific)


@functools.cache
def _contains_checker(array_schema_json: str) -> jsonschema.Draft7Validator:
    array_schema = json.loads(array_schema_json)
    return jsonschema.Draft7Validator({"allOf": array_schema.get("allOf", [])})


def _safe_to_break(array: list[Any], index: int, array_schema: Mapping[str, Any]) -> bool:
    """Whether item ``index`` can be broken without breaking the array's ``contains`` demands."""
    if not array_schema.get("allOf"):
        return True
    rest = array[:index] + array[index + 1 :]
    return bool(_contains_checker(json.dumps(array_schema, sort_keys=True)).is_valid(rest))


def _schema_at(variant: str, path: Path) -> dict[str, Any]:
    for slot in _slots(variant):
        if slot.path == path:
            return slot.schema
    raise KeyError(path)


# ---------------------------------------------------------------------------
# Putting a value at a slot of a freshly drawn body.  Bodies come straight from
# the valid strategies (new containers on every draw), so editing them in place
# is safe.


def _item_index(draw: st.DrawFn, variant: str, array: list[Any], array_path: Path) -> int:
    """Pick an item of ``array`` to change, one whose change cannot break the array's ``contains`` demands.

    When every item is needed (exactly ``xs``, ``c_user``, ``datr``), a new
    valid item is appended and picked, so that a "missing" mutation inside
    it stays a missing parameter and nothing else.
    """
    array_schema = _schema_at(variant, array_path)
    safe = [index for index in range(len(array)) if _safe_to_break(array, index, array_schema)]
    index: int = draw(st.sampled_from([*safe, len(array)]))
    if index == len(array):
        items_path = (*array_path, ITEM)
        array.append(draw(_values.value_strategy(array_schema["items"], items_path)))
    return index


def _place(draw: st.DrawFn, variant: str, body: dict[str, Any], path: Path) -> tuple[Any, Any, list[str | int]]:
    """Find the container and key for ``path`` in ``body``; ``*`` picks an item, or a new one."""
    node: Any = body
    pointer: list[str | int] = []
    for depth, step in enumerate(path[:-1]):
        if step == ITEM:
            step_index = _item_index(draw, variant, node, path[:depth])
            pointer.append(step_index)
            node = node[step_index]
        else:
            pointer.append(step)
            node = node[step]
    last = path[-1]
    if last != ITEM:
        return node, last, [*pointer, last]
    if isinstance(node, list):
        array_schema = _schema_at(variant, path[:-1])
        safe = [index for index in range(len(node)) if _safe_to_break(node, index, array_schema)]
        key: Any = draw(st.sampled_from([*safe, len(node)]))
        if key == len(node):
            node.append(None)  # the caller puts the value here
        return node, key, [*pointer, key]
    key_hint = _values.KEY_HINTS.get(path[:-1])
    names = st.text(max_size=12) if key_hint is None else key_hint()
    key = draw(st.sampled_from(sorted(node)) if node and draw(st.booleans()) else names)
    return node, key, [*pointer, key]


def _set(draw: st.DrawFn, variant: str, body: dict[str, Any], path: Path, value: Any) -> str:
    container, key, pointer = _place(draw, variant, body, path)
    container[key] = value
    return json_pointer(pointer)


def _at_slot(
    variant: str,
    slots: list[Slot],
    value_for: Callable[[Slot], st.SearchStrategy[Any]],
) -> st.SearchStrategy[_Candidate] | None:
    """Bodies of ``variant`` with one of ``slots`` set to a value from ``value_for(slot)``."""
    return _changed_at_slot(
        variant, slots, lambda draw, slot, body: _set(draw, variant, body, slot.path, draw(value_for(slot)))
    )


def _changed_at_slot(
    variant: str,
    slots: list[Slot],
    change: Callable[[st.DrawFn, Slot, Any], str],
) -> st.SearchStrategy[_Candidate] | None:
    """Bodies of ``variant`` with one of ``slots`` changed by ``change(draw, slot, body)``, which returns the
    JSON pointer of what it changed; ``None`` without slots."""
    if not slots:
        return None

    @st.composite
    def candidates(draw: st.DrawFn) -> _Candidate:
        slot = draw(st.sampled_from(slots))
        body = draw(variant_bodies(variant, _force_for(variant, slot)))
        return _Candidate(body, change(draw, slot, body))

    return candidates()


# ---------------------------------------------------------------------------
# Wrong values for a slot


_SCALARS: Final = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 1000),
    st.text(max_size=8),
    st.floats(allow_nan=False, allow_infinity=False),
)


def _values_of_type(kind: str, schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    if kind == "string":
        realistic: list[st.SearchStrategy[Any]] = [st.integers(0, 99999).map(str), st.sampled_from(("true", "false"))]
        items = schema.get("items", {})
        if "enum" in items:
            # ["linkedin_recruiter"] written as "linkedin_recruiter".
            realistic.insert(0, st.sampled_from(items["enum"]))
        return st.one_of([*realistic, st.text(max_size=16)])
    if kind == "integer":
        return st.integers(-(2**40), 2**40)
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False).filter(lambda number: not number.is_integer())
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        return st.lists(_SCALARS.filter(lambda value: value is not None), max_size=3)
    if kind == "object":
        return st.dictionaries(st.text(max_size=8), _SCALARS, max_size=3)
    raise AssertionError(kind)


_TYPES: Final = ("string", "integer", "number", "boolean", "array", "object")


def _wrong_types(slot: Slot) -> st.SearchStrategy[Any]:
    accepted = _values.accepted_types(slot.schema)
    wrong = [kind for kind in _TYPES if kind not in accepted]
    return st.one_of([_values_of_type(kind, slot.schema) for kind in wrong])


def _integer_bounds(schema: Mapping[str, Any]) -> tuple[int | None, int | None] | None:
    """The bounds of the integer branch of ``schema`` (``None`` when it has no bounded integer)."""
    branches: list[Mapping[str, Any]] = [{**schema, **branch} for branch in schema.get("anyOf", [])] or [schema]
    for branch in branches:
        if branch.get("type") == "integer" and ("minimum" in branch or "maximum" in branch):
            return branch.get("minimum"), branch.get("maximum")
    return None


def _out_of_range(slot: Slot) -> st.SearchStrategy[int]:
    bounds = _integer_bounds(slot.schema)
    assert bounds is not None
    low, high = bounds
    parts: list[st.SearchStrategy[int]] = []
    if low is not None:
        parts += [st.just(low - 1), st.integers(max_value=low - 1)]
    if high is not None:
        parts += [st.just(high + 1), st.integers(min_value=high + 1)]
    return st.one_of(parts)


def _near_misses(values: list[str]) -> st.SearchStrategy[str]:
    """Strings that look like one of ``values`` (case, one character, a suffix) but are none of them."""
    known = set(values)
    alphabet = "".join(sorted(set("".join(values)))) or "x"

    def replace(value: str, index: int, char: str) -> str:
        if not value:
            return char
        index %= len(value)
        return value[:index] + char + value[index + 1 :]

    source = st.sampled_from(values)
    return st.one_of(
        source.map(str.lower),
        source.map(str.upper),
        source.map(str.title),
        st.builds(replace, source, st.integers(0, 64), st.sampled_from(alphabet)),
        source.map(lambda value: value[:-1]),
        source.map(lambda value: value + "s"),
        source.map(lambda value: value.replace("_", " ")),
        st.text(max_size=12),
    ).filter(lambda value: value not in known)


def _formats_of(schema: Mapping[str, Any]) -> tuple[str, ...]:
    branches: list[Mapping[str, Any]] = [{**schema, **branch} for branch in schema.get("anyOf", [])] or [schema]
    return tuple(branch["format"] for branch in branches if branch.get("format") in _formats.FORMAT_NAMES)


# ---------------------------------------------------------------------------
# The mutations, one builder each: (variant) -> candidates, or None when the
# mutation cannot apply to that variant.


def _missing_required(variant: str) -> st.SearchStrategy[_Candidate] | None:
    slots = [slot for slot in _slots(variant) if slot.required and slot.path != ("provider",)]

    def remove(draw: st.DrawFn, slot: Slot, body: Any) -> str:
        container, key, pointer = _place(draw, variant, body, slot.path)
        del container[key]
        # Sometimes more required fields of the same object go missing too.
        same_level = [other for other in slots if other.path[:-1] == slot.path[:-1] and other is not slot]
        for other in draw(st.lists(st.sampled_from(same_level), unique_by=lambda s: s.path)) if same_level else ():
            container.pop(other.path[-1], None)
        return json_pointer(pointer)

    return _changed_at_slot(variant, slots, remove)


def _empty_required(variant: str) -> st.SearchStrategy[_Candidate] | None:
    slots = [slot for slot in _slots(variant) if slot.required and slot.schema.get("minLength", 0) >= 1]
    return _at_slot(variant, slots, lambda slot: st.just(""))


@functools.cache
def _identified_without_provider(variant: str) -> bool:
    """Whether the validator still judges ``variant``'s body against ``variant`` once ``provider`` is gone.

    ``closest_variant`` looks at field names only, so the required fields
    stand for any body of the variant; TELEGRAM, say, has no credential to
    tell it from LINKEDIN_BASIC, whose missing username would then be
    reported along with TELEGRAM's own fields.
    """
    keys = {name: None for name in _schema_of(variant)["required"] if name != "provider"}
    return closest_variant(keys) == variant


def _missing_provider(variant: str) -> st.SearchStrategy[_Candidate] | None:
    if not _identified_without_provider(variant):
        return None

    def drop(body: dict[str, Any]) -> _Candidate:
        del body["provider"]
        return _Candidate(body, "/provider")

    return variant_bodies(variant).map(drop)


def _wrong_type(variant: str) -> st.SearchStrategy[_Candidate] | None:
    return _at_slot(variant, list(_slots(variant)), _wrong_types)


def _null_value(variant: str) -> st.SearchStrategy[_Candidate] | None:
    return _at_slot(variant, list(_slots(variant)), lambda slot: st.none())


def _out_of_range_mutation(variant: str) -> st.SearchStrategy[_Candidate] | None:
    slots = [slot for slot in _slots(variant) if _integer_bounds(slot.schema) is not None]
    return _at_slot(variant, slots, _out_of_range)


def _not_in_enum(variant: str) -> st.SearchStrategy[_Candidate] | None:
    slots = [slot for slot in _slots(variant) if "enum" in slot.schema]
    return _at_slot(variant, slots, lambda slot: _near_misses(slot.schema["enum"]))


def _bad_format(variant: str) -> st.SearchStrategy[_Candidate] | None:
    slots = [slot for slot in _slots(variant) if _formats_of(slot.schema)]
    return _at_slot(variant, slots, lambda slot: _formats.invalid_strings(_formats_of(slot.schema)))


# Names people write instead of the documented ones: other spellings of a
# documented name, and fields that exports and other APIs carry.
_FOREIGN_NAMES: Final[dict[Path, tuple[str, ...]]] = {
    (): ("api_key", "account_id", "type", "email", "token", "cookie", "session"),
    ("proxy",): ("type", "user", "pass", "hostname", "url"),
    ("sync_limit",): ("emails", "since", "limit"),
    ("cookies", ITEM): ("hostOnly", "session", "storeId", "id", "expires"),
}


def _respellings(name: str) -> list[str]:
    camel = re.sub(r"_([a-z])", lambda match: match.group(1).upper(), name)
    return [
        spelling for spelling in {camel, name.replace("_", "-"), name.capitalize(), name.upper()} if spelling != name
    ]


@functools.cache
def _closed_objects(variant: str) -> tuple[tuple[Path, tuple[str, ...]], ...]:
    """The closed objects of a variant: their path and documented property names."""
    schema = _schema_of(variant)
    found: list[tuple[Path, tuple[str, ...]]] = [((), tuple(schema["properties"]))]
    for slot in _slots(variant):
        if slot.schema.get("additionalProperties") is False and "properties" in slot.schema:
            found.append((slot.path, tuple(slot.schema["properties"])))
        items = slot.schema.get("items", {})
        if items.get("additionalProperties") is False and "properties" in items:
            found.append(((*slot.path, ITEM), tuple(items["properties"])))
    return tuple(found)


@functools.cache
def _fields_of_other_variants(variant: str) -> tuple[tuple[str, str], ...]:
    """(variant, field) for the top-level fields other variants document and this one does not.

    Same-provider siblings' own fields are left to ``mixed_credentials``.
    """
    documented = set(_schema_of(variant)["properties"])
    siblings = set(_siblings(variant))
    pairs: dict[str, str] = {}
    for other in _schema.VARIANTS:
        for name in _schema_of(other)["properties"]:
            if name in documented or name in pairs:
                continue
            if other in siblings and name in _specific_fields(other):
                continue
            pairs[name] = other
    return tuple((other, name) for name, other in pairs.items())


def _undocumented_field(variant: str) -> st.SearchStrategy[_Candidate] | None:
    objects = _closed_objects(variant)
    schema = _schema_of(variant)
    foreign = _fields_of_other_variants(variant)

    @st.composite
    def candidates(draw: st.DrawFn) -> _Candidate:
        path, documented = draw(st.sampled_from(objects))
        force = frozenset({path[0]}) if path and path[0] not in schema["required"] else frozenset()
        body = draw(variant_bodies(variant, force))
        node: Any = body
        pointer: list[str | int] = []
        for step in path:
            if step == ITEM:
                index = draw(st.integers(0, len(node) - 1))
                pointer.append(index)
                node = node[index]
            else:
                pointer.append(step)
                node = node[step]
        options: list[st.SearchStrategy[tuple[str, Any]]] = []
        if not path and foreign:
            # A field of another variant, with a value valid there (proxy on MAIL...).
            options.append(
                st.sampled_from(foreign).flatmap(
                    lambda pair: st.tuples(
                        st.just(pair[1]), _values.value_strategy(_schema_at(pair[0], (pair[1],)), (pair[1],))
                    )
                )
            )
        respelled = sorted({spelling for name in documented for spelling in _respellings(name)} - set(documented))
        names = [*_FOREIGN_NAMES.get(path, ()), *respelled]
        options.append(st.tuples(st.sampled_from([name for name in names if name not in documented]), _SCALARS))
        options.append(st.tuples(st.text(max_size=16).filter(lambda name: name not in documented), _SCALARS))
        name, value = draw(st.one_of(options))
        node[name] = value
        return _Candidate(body, json_pointer([*pointer, name]))

    return candidates()


def _mixed_credentials(variant: str) -> st.SearchStrategy[_Candidate] | None:
    documented = set(_schema_of(variant)["properties"])
    extras = [
        (sibling, name)
        for sibling in _siblings(variant)
        for name in _specific_fields(sibling)
        if name not in documented
    ]
    if not extras:
        return None

    @st.composite
    def candidates(draw: st.DrawFn) -> _Candidate:
        body = draw(variant_bodies(variant))
        chosen = draw(st.lists(st.sampled_from(extras), min_size=1, unique=True))
        for sibling, name in chosen:
            body[name] = draw(_values.value_strategy(_schema_at(sibling, (name,)), (name,)))
        return _Candidate(body, json_pointer([chosen[0][1]]))

    return candidates()


@functools.cache
def _confusable_providers(variant: str) -> tuple[str, ...]:
    """Providers whose variants all lack one of ``variant``'s required fields (so the body stays invalid)."""
    own = _schema.variant_spec(variant).provider
    required = [name for name in _schema_of(variant)["required"] if name != "provider"]
    result = []
    for provider in _schema.PROVIDERS:
        if provider == own:
            continue
        others = [name for name in _schema.VARIANTS if _schema.variant_spec(name).provider == provider]
        if all(any(field not in _schema_of(other)["properties"] for field in required) for other in others):
            result.append(provider)
    return tuple(result)


def _provider_confusion(variant: str) -> st.SearchStrategy[_Candidate] | None:
    providers = _confusable_providers(variant)
    if not providers:
        return None

    def confuse(pair: tuple[dict[str, Any], str]) -> _Candidate:
        body, provider = pair
        body["provider"] = provider
        return _Candidate(body, "/provider")

    return st.tuples(variant_bodies(variant), st.sampled_from(providers)).map(confuse)


def _provider_case(variant: str) -> st.SearchStrategy[_Candidate] | None:
    provider = _schema.variant_spec(variant).provider
    letters = [index for index, char in enumerate(provider) if char.isalpha()]

    def flip(mask: tuple[int, list[bool]]) -> str:
        forced, others = mask
        chars = list(provider)
        for position, index in enumerate(letters):
            if index == letters[forced % len(letters)] or (position < len(others) and others[position]):
                chars[index] = chars[index].lower()
        return "".join(chars)

    spellings = st.one_of(
        st.just(provider.lower()),
        st.just(provider.title()),
        st.tuples(st.integers(0, len(letters) - 1), st.lists(st.booleans(), max_size=len(letters))).map(flip),
    )

    def recase(pair: tuple[dict[str, Any], str]) -> _Candidate:
        body, spelling = pair
        body["provider"] = spelling
        return _Candidate(body, "/provider")

    return st.tuples(variant_bodies(variant), spellings).map(recase)


def _unknown_provider(variant: str) -> st.SearchStrategy[_Candidate] | None:
    known = {provider.upper() for provider in _schema.PROVIDERS}
    # Variant names are the classic mistake: "LINKEDIN_BASIC" is not a provider.
    names = sorted({*_schema.VARIANTS, "FACEBOOK", "GMAIL", "IMAP", "X", "MICROSOFT", "GOOGLE", ""} - known)
    providers = st.one_of(st.sampled_from(names), st.text(max_size=12)).filter(lambda value: value.upper() not in known)

    def rename(pair: tuple[dict[str, Any], str]) -> _Candidate:
        body, provider = pair
        body["provider"] = provider
        return _Candidate(body, "/provider")

    return st.tuples(variant_bodies(variant), providers).map(rename)


@functools.cache
def _sync_limit_forms() -> dict[str, dict[str, Any]]:
    """The documented schemas of ``sync_limit`` by form ("object", "string"), taken from the variants."""
    forms: dict[str, dict[str, Any]] = {}
    for name in _schema.VARIANTS:
        form = _schema.variant_spec(name).sync_limit
        if form is not None and form not in forms:
            forms[form] = _schema_of(name)["properties"]["sync_limit"]
    return forms


def _sync_limit_form(variant: str) -> st.SearchStrategy[_Candidate] | None:
    own = _schema.variant_spec(variant).sync_limit
    wrong = [schema for form, schema in _sync_limit_forms().items() if form != own]

    def put(pair: tuple[dict[str, Any], Any]) -> _Candidate:
        body, value = pair
        body["sync_limit"] = value
        return _Candidate(body, "/sync_limit")

    values = st.one_of([_values.value_strategy(schema, ("sync_limit",)) for schema in wrong])
    return st.tuples(variant_bodies(variant), values).map(put)


def _empty_sync_limit(variant: str) -> st.SearchStrategy[_Candidate] | None:
    slots = [slot for slot in _slots(variant) if slot.schema.get("minProperties", 0) >= 1]
    return _at_slot(variant, slots, lambda slot: st.builds(dict))


def _missing_required_cookie(variant: str) -> st.SearchStrategy[_Candidate] | None:
    arrays = [slot for slot in _slots(variant) if _values.contained_items(slot.schema)]
    if not arrays:
        return None

    @st.composite
    def candidates(draw: st.DrawFn) -> _Candidate:
        slot = draw(st.sampled_from(arrays))
        demanded = _values.contained_items(slot.schema)
        body = draw(variant_bodies(variant, _force_for(variant, slot)))
        dropped = draw(st.lists(st.sampled_from(demanded), min_size=1, unique_by=lambda pin: json.dumps(pin)))
        container, key, pointer = _place_object(body, slot.path)

        def demanded_by_dropped(item: Any) -> bool:
            return isinstance(item, dict) and any(
                all(item.get(name) == value for name, value in pin.items()) for pin in dropped
            )

        container[key] = [item for item in container[key] if not demanded_by_dropped(item)]
        return _Candidate(body, json_pointer(pointer))

    return candidates()


def _place_object(body: dict[str, Any], path: Path) -> tuple[Any, str, list[str | int]]:
    node: Any = body
    for step in path[:-1]:
        node = node[step]
    return node, path[-1], list(path)


def _not_an_object(variant: str) -> st.SearchStrategy[_Candidate] | None:
    bodies = variant_bodies(variant)
    values = st.one_of(
        bodies.map(lambda body: [body]),  # wrapped in an array
        bodies.map(json.dumps),  # encoded twice: a JSON string holding the object
        bodies.map(lambda body: [[key, value] for key, value in body.items()]),  # pairs
        st.builds(list),  # a fresh [] each time: a test may mutate the body it gets
        st.sampled_from(("", 0, 1.5, True, False, None)),
        st.text(max_size=16),
        st.integers(),
    )
    return values.map(lambda value: _Candidate(value, ""))


_BUILDERS: Final[dict[str, Callable[[str], st.SearchStrategy[_Candidate] | None]]] = {
    "missing_required": _missing_required,
    "empty_required": _empty_required,
    "missing_provider": _missing_provider,
    "wrong_type": _wrong_type,
    "null_value": _null_value,
    "out_of_range": _out_of_range_mutation,
    "not_in_enum": _not_in_enum,
    "bad_format": _bad_format,
    "undocumented_field": _undocumented_field,
    "mixed_credentials": _mixed_credentials,
    "provider_confusion": _provider_confusion,
    "provider_case": _provider_case,
    "unknown_provider": _unknown_provider,
    "sync_limit_form": _sync_limit_form,
    "empty_sync_limit": _empty_sync_limit,
    "missing_required_cookie": _missing_required_cookie,
    "not_an_object": _not_an_object,
}
assert tuple(_BUILDERS) == MUTATIONS


@functools.cache
def applicable(mutation: str, variant: str) -> bool:
    """Whether ``mutation`` can be applied to a body of ``variant``."""
    return _BUILDERS[mutation](variant) is not None


@functools.cache
def _unchecked(variant: str, mutation: str) -> st.SearchStrategy[InvalidBody]:
    candidates = _BUILDERS[mutation](variant)
    assert candidates is not None
    expected = expected_error(mutation)
    record_variant = None if mutation == "not_an_object" else variant
    return candidates.map(
        lambda candidate: InvalidBody(candidate.body, record_variant, mutation, expected, candidate.path)
    )


def _equally(strategies: list[st.SearchStrategy[T]]) -> st.SearchStrategy[T]:
    """Pick one of ``strategies`` with equal odds, shrinking towards the first.

    Not ``st.one_of``: it flattens nested ``one_of`` (through ``.map`` too),
    which would weigh each mutation kind by how many branches it has.
    """
    if len(strategies) == 1:
        return strategies[0]
    return st.sampled_from(strategies).flatmap(_itself)


def _itself(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    return strategy


def unchecked_invalid_bodies(variants: tuple[str, ...], mutations: tuple[str, ...]) -> st.SearchStrategy[InvalidBody]:
    """The mutations *before* the final check (for measuring how often the check has to discard one).

    Each mutation kind gets the same share, then each variant it applies to.
    """
    kinds = []
    for mutation in mutations:
        per_variant = [_unchecked(variant, mutation) for variant in variants if applicable(mutation, variant)]
        if per_variant:
            kinds.append(_equally(per_variant))
    return _equally(kinds)


@functools.cache
def _invalid_bodies(variants: tuple[str, ...], mutations: tuple[str, ...]) -> st.SearchStrategy[InvalidBody]:
    return unchecked_invalid_bodies(variants, mutations).filter(agrees)


def _check_mutations(value: object, variants: tuple[str, ...], *, explicit: bool) -> tuple[str, ...]:
    function = "invalid_reconnect_bodies"
    mutations = _arguments.check_names(
        value, argument="mutations", function=function, known=MUTATIONS, what="mutations"
    )
    usable = tuple(mutation for mutation in mutations if any(applicable(mutation, v) for v in variants))
    unusable = [mutation for mutation in mutations if mutation not in usable]
    if explicit and unusable:
        raise InvalidArgument(
            f"{function}(variants={list(variants)!r}, mutations=...): {', '.join(map(repr, unusable))} "
            f"cannot apply to any of these variants (see the table of mutation kinds: docs/strategies.md)"
        )
    return usable


def invalid_reconnect_bodies(
    *, variants: Collection[str] | None = None, mutations: Collection[str] | None = None
) -> st.SearchStrategy[InvalidBody]:
    """Request bodies the documented API rejects, as :class:`InvalidBody` records.

    ``variants`` is ``None`` (all twelve) or a collection of variant names: the
    bodies are derived from valid bodies of those variants.  ``mutations`` is
    ``None`` (every kind that applies to those variants) or a collection of
    names from :data:`MUTATIONS`; naming one that applies to none of the
    variants (``mixed_credentials`` for ``MAIL``, say) is an error.

    What is generated: a valid body of one variant with one kind of mistake
    (``InvalidBody.mutation``): a required field removed or emptied, the
    provider removed, miscased, unknown or swapped for another provider's, a
    value of the wrong JSON type, ``null``, out of range, outside its enum, in
    a bad format, an undocumented field, credentials of two variants mixed,
    the wrong ``sync_limit`` form or an empty one, a required Messenger cookie
    dropped, or a body that is not an object at all (``variant`` is then
    ``None``).  ``expected`` is the error the documented API answers:
    400 ``errors/missing_parameters`` when the only problems are missing
    required fields, else 400 ``errors/invalid_parameters``.  Every value is
    checked with ``pytest_postpress.validate_reconnect_body`` before it is
    returned, after shrinking too: the body is rejected, and
    ``error_for_violations`` gives ``expected``.

    How it shrinks: towards the first mutation kind in :data:`MUTATIONS`
    order, then the earliest variant in documentation order, the first field
    the mutation can apply to, and a small valid body around it; a shrunk
    value still passes the check above.

    Bad arguments raise ``hypothesis.errors.InvalidArgument`` when the
    strategy is first drawn from.
    """
    frozen_variants = _arguments.freeze(variants)
    frozen_mutations = _arguments.freeze(mutations)

    def build() -> st.SearchStrategy[InvalidBody]:
        names = _arguments.check_variants(frozen_variants, function="invalid_reconnect_bodies")
        kinds = _check_mutations(frozen_mutations, names, explicit=frozen_mutations is not None)
        return _invalid_bodies(names, kinds)

    return _arguments.lazy_strategy(
        "invalid_reconnect_bodies", f"variants={frozen_variants!r}, mutations={frozen_mutations!r}", build
    )
