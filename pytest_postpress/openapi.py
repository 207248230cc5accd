"""OpenAPI 3.1 export of ``POST /v1/accounts/{id}``, derived from the contract schemas.

The request body is a ``oneOf`` over the providers with a ``discriminator``
on ``provider``.  The mapping is exact: a provider with two documented
variants (LinkedIn, Instagram, Messenger) maps to a schema of its own that is
the ``oneOf`` of those two, so every one of the twelve variants is reachable
and no discriminator value names two schemas.
"""

from __future__ import annotations

from typing import Any

from pytest_postpress import catalog
from pytest_postpress import schema as _schema
from pytest_postpress._version import __version__

__all__ = ["openapi_document"]

_REF = "#/components/schemas/"
DEFAULT_SERVER = "https://api.postpress.ai"


def _request_components() -> tuple[dict[str, Any], dict[str, str]]:
    """Component schemas for the body, and the discriminator mapping."""
    components: dict[str, Any] = {}
    by_provider: dict[str, list[str]] = {}
    for name in _schema.VARIANTS:
        components[name] = _schema.variant_schema(name)
        by_provider.setdefault(_schema.variant_spec(name).provider, []).append(name)
    mapping: dict[str, str] = {}
    for provider, names in by_provider.items():
        if len(names) == 1:
            mapping[provider] = _REF + names[0]
            continue
        # The group takes the provider's name; no variant is named after a
        # provider that has two variants, so names cannot clash.
        assert provider not in components
        components[provider] = {
            "title": f"{provider} (any of its {len(names)} variants)",
            "oneOf": [{"$ref": _REF + name} for name in names],
        }
        mapping[provider] = _REF + provider
    return components, mapping


def _error_responses() -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, info in catalog.STATUSES.items():
        types = list(catalog.types_for_status(status))
        envelope = _schema.error_envelope_schema(types)
        envelope["properties"]["status"] = {"type": "integer", "const": status, "description": "HTTP status code."}
        examples = {
            error.id: {"summary": error.description, "value": error.envelope(instance="req_01HXYZ4QK3WJ8FN3M6QH7TZ8GR")}
            for error in catalog.DOCUMENTED_ERRORS
            if error.status == status
        }
        responses[str(status)] = {
            "description": f"{info.title}. {info.description}",
            "content": {"application/json": {"schema": envelope, "examples": examples}},
        }
    return responses


def openapi_document(*, server: str = DEFAULT_SERVER) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of the endpoint as a fresh ``dict``.

    ``server`` is the base URL listed under ``servers`` (origin plus any
    path prefix).
    """
    components, mapping = _request_components()
    components["ReconnectRequest"] = {
        "title": "Reconnect an account: request body",
        "oneOf": [{"$ref": ref} for ref in mapping.values()],
        "discriminator": {"propertyName": "provider", "mapping": mapping},
    }
    components["AccountReconnected"] = _schema.success_body_schema()
    components["ErrorEnvelope"] = _schema.error_envelope_schema()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "postpress: Reconnect an account",
            "version": __version__,
            "description": (
                "Reconnect an account previously linked to your postpress workspace that has been "
                "disconnected. Exported by pytest-postpress from the documented contract and the "
                "package's reading of it (python -m pytest_postpress rules)."
            ),
        },
        "servers": [{"url": server}],
        "security": [{"apiKey": []}],
        "paths": {
            "/v1/accounts/{id}": {
                "post": {
                    "operationId": "reconnectAccount",
                    "summary": "Reconnect an account",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "description": "The id of the account to reconnect.",
                            "schema": {"type": "string", "minLength": 1},
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": _REF + "ReconnectRequest"}}},
                    },
                    "responses": {
                        "201": {
                            "description": "Created. The account has been reconnected.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": _REF + "AccountReconnected"},
                                    "example": {
                                        "object": "AccountReconnected",
                                        "account_id": "acc_01HXYZ4QK3WJ8FN3M6QH7TZ8GR",
                                    },
                                }
                            },
                        },
                        **_error_responses(),
                    },
                }
            }
        },
        "components": {
            "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "X-API-KEY"}},
            "schemas": components,
        },
    }
