"""The OpenAPI 3.1 export validates and says what the contract says."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate

from pytest_postpress import DOCUMENTED_ERRORS, VARIANTS, openapi_document, request_body_schema
from pytest_postpress.catalog import STATUSES


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi_document()


def test_document_validates(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_operation(document: dict[str, Any]) -> None:
    operation = document["paths"]["/v1/accounts/{id}"]["post"]
    assert document["security"] == [{"apiKey": []}]
    assert [p["name"] for p in operation["parameters"]] == ["id"]
    assert document["components"]["securitySchemes"]["apiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-KEY",
    }
    assert set(operation["responses"]) == {"201", *(str(status) for status in STATUSES)}


def test_every_variant_is_a_component_and_reachable(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    request = schemas["ReconnectRequest"]
    reachable: set[str] = set()

    def walk(ref: str) -> None:
        name = ref.rsplit("/", 1)[-1]
        if name in VARIANTS:
            reachable.add(name)
        for sub in schemas[name].get("oneOf", []):
            walk(sub["$ref"])

    for sub in request["oneOf"]:
        walk(sub["$ref"])
    assert reachable == set(VARIANTS)


def test_discriminator_mapping_is_exact(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    mapping = schemas["ReconnectRequest"]["discriminator"]["mapping"]
    for provider, ref in mapping.items():
        target = schemas[ref.rsplit("/", 1)[-1]]
        leaves = [schemas[s["$ref"].rsplit("/", 1)[-1]] for s in target["oneOf"]] if "oneOf" in target else [target]
        assert {leaf["properties"]["provider"]["const"] for leaf in leaves} == {provider}


def test_error_types_per_status_and_one_example_each(document: dict[str, Any]) -> None:
    responses = document["paths"]["/v1/accounts/{id}"]["post"]["responses"]
    for error in DOCUMENTED_ERRORS:
        media = responses[str(error.status)]["content"]["application/json"]
        assert error.type in media["schema"]["properties"]["type"]["enum"]
        example = media["examples"][error.id]["value"]
        jsonschema.validate(example, media["schema"])
    assert sum(len(r["content"]["application/json"]["examples"]) for k, r in responses.items() if k != "201") == 35


def test_request_body_schema_is_draft7_and_self_contained() -> None:
    schema = request_body_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    assert "$ref" not in repr(schema)
    assert len(schema["oneOf"]) == 12
