"""The documented contract of ``POST /v1/accounts/{id}`` as JSON Schema.

This module is the single place where the twelve request variants, their
fields, the 201 body and the error envelope are written down.  Everything else
(validator, strategies, mocks, the OpenAPI export, the docs tables) is derived
from the schemas built here.  It follows rules 1-20 (python -m pytest_postpress rules); the rule
numbers are cited next to the fragment that implements them.

Only plain Python is imported: no pytest, no Hypothesis, no HTTP.

Conventions a reader of the generated schemas can rely on:

* every schema is self-contained (no ``$ref``) and uses only keywords that
  draft-07 also has, so any draft-07 tool and hypothesis-jsonschema accept it;
* secret values (passwords, tokens, cookie values, session ids, session
  headers) carry ``"writeOnly": true``; the validator never echoes them;
* ``format`` names a check the project's validator performs on top of
  ``pattern`` (``email``, ``phone``, ``ipv4``, ``date-time``, ``e164``): the
  ``pattern`` alone is what other tools see.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "COUNTRY_CODES",
    "DISABLED_FEATURES",
    "PROVIDERS",
    "VARIANTS",
    "VariantSpec",
    "error_envelope_schema",
    "request_body_schema",
    "success_body_schema",
    "variant_schema",
    "variant_spec",
]

JSONSchema = dict[str, Any]

# Rule 5: the 249 officially assigned ISO 3166-1 alpha-2 codes.
COUNTRY_CODES: Final[tuple[str, ...]] = tuple(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
    BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
    DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET
    FI FJ FK FM FO FR
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
    HK HM HN HR HT HU
    ID IE IL IM IN IO IQ IR IS IT
    JE JM JO JP
    KE KG KH KI KM KN KP KR KW KY KZ
    LA LB LC LI LK LR LS LT LU LV LY
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
    NA NC NE NF NG NI NL NO NP NR NU NZ
    OM
    PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA
    RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
    TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
    UA UG UM US UY UZ
    VA VC VE VG VI VN VU
    WF WS
    YE YT
    ZA ZM ZW
    """.split()  # noqa: SIM905 - one line per letter reads better than 249 items
)

# Rule 7.
DISABLED_FEATURES: Final[tuple[str, ...]] = (
    "linkedin_recruiter",
    "linkedin_sales_navigator",
    "linkedin_organizations_mailboxes",
)

# Patterns are written in the common subset of ECMA 262 and Python ``re``.
# Python's ``$`` also matches before a final newline, which is why the
# validator re-checks every formatted string with ``re.fullmatch`` (see
# ``pytest_postpress._formats``) instead of trusting ``pattern`` alone.
IPV4_PATTERN: Final = (
    r"^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
    r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$"
)
EMAIL_PATTERN: Final = (
    # Local part: RFC 5321 dot-string (no leading, trailing or doubled dot), as JSON Schema's "email" format.
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
PHONE_PATTERN: Final = r"^\+?(?:[ .()-]*[0-9]){6,}[ .()-]*$"
E164_PATTERN: Final = r"^(?:[^0-9]*[0-9]){8,15}[^0-9]*$"
DATE_TIME_PATTERN: Final = (
    r"^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])[Tt]"
    r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\.[0-9]+)?"
    r"(?:[Zz]|[+-]00:00)$"
)

PROXY_PROTOCOLS: Final = ("https", "http", "socks5")
SAME_SITE_VALUES: Final = ("unspecified", "no_restriction", "lax", "strict")
IMAP_ENCRYPTIONS: Final = ("tls", "ssl", "starttls", "default")
REQUIRED_COOKIES: Final = ("xs", "c_user", "datr")
NO_HISTORY_SYNC: Final = "NO_HISTORY_SYNC"


def _string(*, required: bool = False, secret: bool = False, **extra: Any) -> JSONSchema:
    schema: JSONSchema = {"type": "string"}
    if required:
        # Rule 4: an empty required string counts as a missing parameter.
        schema["minLength"] = 1
    if secret:
        schema["format"] = "password"
        schema["writeOnly"] = True
    schema.update(extra)
    return schema


def _port(description: str) -> JSONSchema:
    # Rules 9 and 10: an integral JSON number; 993.0 is one, "993" is not.
    return {"type": "integer", "minimum": 1, "maximum": 65535, "description": description}


def _closed_object(properties: dict[str, JSONSchema], required: list[str], **extra: Any) -> JSONSchema:
    # Rule 2: nothing undocumented, at every level.
    schema: JSONSchema = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    schema.update(extra)
    return schema


_SYNC_VALUE: Final[JSONSchema] = {
    # Rule 8: a non-negative integer or an RFC 3339 UTC date-time.
    "anyOf": [
        {"type": "integer", "minimum": 0},
        {"type": "string", "format": "date-time", "pattern": DATE_TIME_PATTERN},
    ],
    "description": "Either a UTC datetime to start sync from, or a quantity of items (0 = no history).",
    "examples": ["2025-12-31T23:59:59.999Z", 0],
}

_COMMON: Final[dict[str, JSONSchema]] = {
    "country": {
        "type": "string",
        "enum": list(COUNTRY_CODES),
        "description": "An ISO 3166-1 A-2 country code to be set as proxy's location.",
    },
    "ip": {
        "type": "string",
        "format": "ipv4",
        "pattern": IPV4_PATTERN,
        "description": "An IPv4 address to infer proxy's location.",
    },
    "disabled_features": {
        "type": "array",
        "items": {"type": "string", "enum": list(DISABLED_FEATURES)},
        "description": "An array of features that should be disabled for this account.",
    },
}

_SYNC_LIMIT_OBJECT: Final[JSONSchema] = {
    "type": "object",
    "properties": {"chats": _SYNC_VALUE, "messages": _SYNC_VALUE},
    "additionalProperties": False,
    "minProperties": 1,
    "description": (
        "Set a sync limit for chats, messages, or both. Chats limit applies per inbox; "
        "messages limit applies per chat. Omit to disable limits."
    ),
}

_SYNC_LIMIT_STRING: Final[JSONSchema] = {
    "type": "string",
    "enum": [NO_HISTORY_SYNC],
    "description": "Currently only `NO_HISTORY_SYNC` is supported.",
}

_PROXY: Final[JSONSchema] = _closed_object(
    {
        "protocol": {"type": "string", "enum": list(PROXY_PROTOCOLS)},
        "host": _string(required=True),
        "port": _port("Proxy port."),
        "username": _string(description="Optional username for proxy's authentication."),
        "password": _string(secret=True, description="Optional password for proxy's authentication."),
    },
    ["host", "port"],
    description="Optional proxy to route requests through.",
)

_USER_AGENT: Final[JSONSchema] = _string(
    description=(
        "If encountering disconnection issues, enter the exact user agent of the browser "
        "on which the account has been connected."
    )
)

_COOKIE: Final[JSONSchema] = _closed_object(
    {
        "name": _string(required=True, description="Cookie name."),
        "value": {"type": "string", "format": "password", "writeOnly": True},
        "domain": {"type": "string"},
        "path": {"type": "string"},
        "secure": {"type": "boolean"},
        "httpOnly": {"type": "boolean"},
        "expirationDate": {"type": "number"},
        "sameSite": {"type": "string", "enum": list(SAME_SITE_VALUES)},
    },
    ["name", "value"],
)

_COOKIES: Final[JSONSchema] = {
    "type": "array",
    "items": _COOKIE,
    # Rule 14: xs, c_user and datr must all be present.
    "allOf": [
        {"contains": {"type": "object", "properties": {"name": {"const": name}}, "required": ["name"]}}
        for name in REQUIRED_COOKIES
    ],
    "description": ("Messenger/Facebook cookies from an active session. Include at least `xs`, `c_user`, and `datr`."),
}

_HEADERS: Final[JSONSchema] = {
    # Rule 2: the one open map.  Values may carry session cookies: secret.
    "type": "object",
    "additionalProperties": {"type": "string", "writeOnly": True},
    "description": "Optional browser headers from the same authenticated session.",
}


@dataclass(frozen=True)
class VariantSpec:
    """One request variant as documented: its name, provider and fields."""

    name: str
    provider: str
    title: str
    description: str
    proxy: bool
    sync_limit: str | None  # "object", "string" or None (rule 1)
    user_agent: bool
    specific: tuple[tuple[str, JSONSchema, bool], ...]  # (field, schema, required)

    @property
    def credentials(self) -> tuple[str, ...]:
        """The required fields that tell this variant apart from its siblings."""
        return tuple(name for name, _, required in self.specific if required)


@dataclass(frozen=True)
class _Shared:
    """Which shared fields a variant takes: ``proxy``, ``sync_limit`` (its shape, or ``None``), ``user_agent``."""

    proxy: bool
    sync_limit: str | None
    user_agent: bool


# The networks a client logs into as a browser would (LinkedIn, Instagram, Messenger): a proxy, a user agent and
# an object sync limit.
_AS_A_BROWSER: Final = _Shared(proxy=True, sync_limit="object", user_agent=True)


def _variant(
    name: str,
    provider: str,
    title: str,
    description: str,
    shared: _Shared,
    *,
    specific: list[tuple[str, JSONSchema, bool]],
) -> VariantSpec:
    return VariantSpec(
        name, provider, title, description, shared.proxy, shared.sync_limit, shared.user_agent, tuple(specific)
    )


_LINKEDIN_USERNAME: Final[JSONSchema] = _string(
    required=True,
    # Rule 11: an email address or a phone number.
    anyOf=[
        {"format": "email", "pattern": EMAIL_PATTERN},
        {"format": "phone", "pattern": PHONE_PATTERN},
    ],
    description="Should be either an email address or a phone number.",
)

_RECRUITER_CONTRACT_ID: Final = (
    "recruiter_contract_id",
    _string(description="The contract that should be used with LinkedIn Recruiter."),
    False,
)

# Rule 3: twelve variants, in documentation order.
_SPECS: Final[tuple[VariantSpec, ...]] = (
    _variant(
        "LINKEDIN_BASIC",
        "LINKEDIN",
        "LinkedIn - Basic authentication",
        "Authenticate using your LinkedIn username and password.",
        _AS_A_BROWSER,
        specific=[
            _RECRUITER_CONTRACT_ID,
            ("username", _LINKEDIN_USERNAME, True),
            ("password", _string(required=True, secret=True), True),
        ],
    ),
    _variant(
        "LINKEDIN_COOKIE",
        "LINKEDIN",
        "LinkedIn - Cookie authentication",
        "Authenticate using LinkedIn session cookies.",
        _AS_A_BROWSER,
        specific=[
            _RECRUITER_CONTRACT_ID,
            (
                "access_token",
                _string(required=True, secret=True, description="LinkedIn access token (cookie value of `li_at`)."),
                True,
            ),
            (
                "premium_token",
                _string(secret=True, description="LinkedIn Recruiter/Sales Navigator cookie (`li_a`)."),
                False,
            ),
        ],
    ),
    _variant(
        "WHATSAPP",
        "WHATSAPP",
        "WhatsApp",
        "Connect a WhatsApp account. Uses QR-code authentication by default.",
        _Shared(proxy=True, sync_limit=None, user_agent=False),
        specific=[
            (
                "pairing_phone_number",
                # Rule 13: non-digits ignored, then 8 to 15 digits.
                {
                    "type": "string",
                    "format": "e164",
                    "pattern": E164_PATTERN,
                    "description": "Phone number for phone-code pairing (E.164 digits; non-digits are ignored).",
                },
                False,
            ),
        ],
    ),
    _variant(
        "INSTAGRAM_BASIC",
        "INSTAGRAM",
        "Instagram - Basic authentication",
        "Authenticate using your Instagram username and password.",
        _AS_A_BROWSER,
        specific=[
            ("username", _string(required=True, description="Your Instagram username."), True),
            ("password", _string(required=True, secret=True, description="Your Instagram password."), True),
        ],
    ),
    _variant(
        "INSTAGRAM_COOKIE",
        "INSTAGRAM",
        "Instagram - Cookie authentication",
        "Authenticate using Instagram session cookies.",
        _AS_A_BROWSER,
        specific=[
            (
                "sessionid",
                _string(required=True, secret=True, description="Instagram session ID (cookie value of `sessionid`)."),
                True,
            ),
        ],
    ),
    _variant(
        "MESSENGER_BASIC",
        "MESSENGER",
        "Messenger - Basic authentication",
        "Authenticate using your Messenger username and password.",
        _AS_A_BROWSER,
        specific=[
            ("username", _string(required=True), True),
            ("password", _string(required=True, secret=True), True),
        ],
    ),
    _variant(
        "MESSENGER_SESSION",
        "MESSENGER",
        "Messenger - Session authentication",
        "Authenticate using an existing Messenger/Facebook session payload.",
        _AS_A_BROWSER,
        specific=[
            ("cookies", _COOKIES, True),
            ("headers", _HEADERS, False),
            ("user_name", _string(), False),
        ],
    ),
    _variant(
        "MAIL",
        "MAIL",
        "IMAP / SMTP mailbox",
        "Connect a generic mailbox using IMAP and SMTP credentials.",
        _Shared(proxy=False, sync_limit="string", user_agent=False),
        specific=[
            ("imap_user", _string(required=True), True),
            ("smtp_user", _string(required=True), True),
            ("imap_password", _string(required=True, secret=True), True),
            ("smtp_password", _string(required=True, secret=True), True),
            ("imap_host", _string(required=True), True),
            ("imap_port", _port("IMAP port."), True),
            ("smtp_host", _string(required=True), True),
            ("smtp_port", _port("SMTP port."), True),
            ("imap_encryption", {"type": "string", "enum": list(IMAP_ENCRYPTIONS)}, True),
        ],
    ),
    _variant(
        "GOOGLE_OAUTH",
        "GOOGLE_OAUTH",
        "Gmail (Google OAuth)",
        "Connect a Gmail mailbox using Google OAuth tokens you have already obtained.",
        _Shared(proxy=False, sync_limit="string", user_agent=False),
        specific=[
            ("refresh_token", _string(required=True, secret=True), True),
            ("access_token", _string(required=True, secret=True), True),
        ],
    ),
    _variant(
        "TELEGRAM",
        "TELEGRAM",
        "Telegram",
        "Set `provider` to `TELEGRAM` to begin authentication; `password` is required if 2FA is enabled.",
        _Shared(proxy=False, sync_limit="object", user_agent=False),
        specific=[
            ("password", _string(secret=True, description="Optional 2FA password."), False),
        ],
    ),
    _variant(
        "OUTLOOK",
        "OUTLOOK",
        "Outlook",
        "Connect an Outlook mailbox using Microsoft OAuth tokens you have already obtained.",
        _Shared(proxy=False, sync_limit="string", user_agent=False),
        specific=[
            ("refresh_token", _string(required=True, secret=True), True),
            ("access_token", _string(required=True, secret=True), True),
            ("username", _string(required=True), True),
            ("id", _string(required=True), True),
        ],
    ),
    _variant(
        "TWITTER",
        "TWITTER",
        "X / Twitter",
        "Connect an X (Twitter) account using credentials.",
        _Shared(proxy=False, sync_limit=None, user_agent=False),
        specific=[
            ("username", _string(required=True), True),
            # Rule 12.
            ("email", _string(required=True, format="email", pattern=EMAIL_PATTERN), True),
            ("password", _string(required=True, secret=True), True),
        ],
    ),
)

VARIANTS: Final[tuple[str, ...]] = tuple(spec.name for spec in _SPECS)
PROVIDERS: Final[tuple[str, ...]] = tuple(dict.fromkeys(spec.provider for spec in _SPECS))
_BY_NAME: Final[dict[str, VariantSpec]] = {spec.name: spec for spec in _SPECS}


def variant_spec(name: str) -> VariantSpec:
    """Return the :class:`VariantSpec` of variant ``name`` (one of :data:`VARIANTS`)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown variant {name!r}; the variants are {', '.join(VARIANTS)}") from None


def _build_variant_schema(spec: VariantSpec) -> JSONSchema:
    properties: dict[str, JSONSchema] = dict(_COMMON)
    if spec.sync_limit == "object":
        properties["sync_limit"] = _SYNC_LIMIT_OBJECT
    elif spec.sync_limit == "string":
        properties["sync_limit"] = _SYNC_LIMIT_STRING
    properties["provider"] = {"type": "string", "const": spec.provider}
    if spec.proxy:
        properties["proxy"] = _PROXY
    if spec.user_agent:
        properties["user_agent"] = _USER_AGENT
    required = ["provider"]
    for name, schema, is_required in spec.specific:
        properties[name] = schema
        if is_required:
            required.append(name)
    return _closed_object(properties, required, title=spec.title, description=spec.description)


_VARIANT_SCHEMAS: Final[dict[str, JSONSchema]] = {spec.name: _build_variant_schema(spec) for spec in _SPECS}


def variant_schema(name: str) -> JSONSchema:
    """Return a fresh copy of the JSON Schema of one variant (see :data:`VARIANTS`)."""
    variant_spec(name)
    return copy.deepcopy(_VARIANT_SCHEMAS[name])


def request_body_schema() -> JSONSchema:
    """Return the whole request body schema: ``oneOf`` the twelve variants.

    Self-contained (no ``$ref``) and limited to keywords that draft-07 has, so
    that hypothesis-jsonschema and any draft-07 validator accept it.  A body is
    valid when it matches exactly one variant (rule 3).  Returns a fresh copy.
    """
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Reconnect an account: request body",
        "oneOf": [variant_schema(name) for name in VARIANTS],
    }


def success_body_schema() -> JSONSchema:
    """Return the schema of the 201 body (rule 19): unknown extra fields are tolerated."""
    return {
        "type": "object",
        "properties": {
            "object": {"type": "string", "const": "AccountReconnected"},
            "account_id": {
                "type": "string",
                "minLength": 1,
                "description": "A unique identifier for the reconnected account.",
            },
        },
        "required": ["object", "account_id"],
    }


def error_envelope_schema(types: list[str] | None = None) -> JSONSchema:
    """Return the schema of the error envelope (rule 20).

    ``types``, when given, restricts ``type`` to those values (the OpenAPI
    export passes the documented types of one status).  Unknown extra fields
    are tolerated; ``detail`` and ``instance`` are optional.
    """
    type_schema: JSONSchema = {
        "type": "string",
        "description": "Error type identifier, e.g. `errors/invalid_credentials`.",
    }
    if types is not None:
        type_schema["enum"] = list(types)
    return {
        "type": "object",
        "properties": {
            "title": {"type": "string", "description": "Short error title."},
            "detail": {"type": "string", "description": "Human-readable explanation."},
            "instance": {"type": "string", "description": "Request identifier for support."},
            "type": type_schema,
            "status": {"type": "integer", "description": "HTTP status code."},
        },
        "required": ["title", "type", "status"],
    }
