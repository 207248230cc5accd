"""The validator agrees with the rules (python -m pytest_postpress rules) on a hand-made corpus.

Each valid body must match exactly one variant (the one named); each invalid
body breaks one rule, and the validator must report that rule at the expected
JSON path with the expected kind, and only there.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pytest_postpress import validate_reconnect_body
from pytest_postpress.validation import closest_variant, error_for_violations, matching_variants

SECRET = "s3cr3t-Hunter2-value"

MINIMAL: dict[str, dict[str, Any]] = {
    "LINKEDIN_BASIC": {"provider": "LINKEDIN", "username": "anna@acme.com", "password": SECRET},
    "LINKEDIN_COOKIE": {"provider": "LINKEDIN", "access_token": SECRET},
    "WHATSAPP": {"provider": "WHATSAPP"},
    "INSTAGRAM_BASIC": {"provider": "INSTAGRAM", "username": "anna.ig", "password": SECRET},
    "INSTAGRAM_COOKIE": {"provider": "INSTAGRAM", "sessionid": SECRET},
    "MESSENGER_BASIC": {"provider": "MESSENGER", "username": "anna.fb", "password": SECRET},
    "MESSENGER_SESSION": {
        "provider": "MESSENGER",
        "cookies": [
            {"name": "xs", "value": SECRET},
            {"name": "c_user", "value": "100001"},
            {"name": "datr", "value": SECRET},
        ],
    },
    "MAIL": {
        "provider": "MAIL",
        "imap_user": "anna@acme.com",
        "smtp_user": "anna@acme.com",
        "imap_password": SECRET,
        "smtp_password": SECRET,
        "imap_host": "imap.acme.com",
        "imap_port": 993,
        "smtp_host": "smtp.acme.com",
        "smtp_port": 587,
        "imap_encryption": "tls",
    },
    "GOOGLE_OAUTH": {"provider": "GOOGLE_OAUTH", "refresh_token": SECRET, "access_token": SECRET},
    "TELEGRAM": {"provider": "TELEGRAM"},
    "OUTLOOK": {
        "provider": "OUTLOOK",
        "refresh_token": SECRET,
        "access_token": SECRET,
        "username": "anna@acme.onmicrosoft.com",
        "id": "00000000-0000-0000-0000-000000000000",
    },
    "TWITTER": {"provider": "TWITTER", "username": "anna_x", "email": "anna@acme.com", "password": SECRET},
}


def body(variant: str, **changes: Any) -> dict[str, Any]:
    """A copy of the minimal body of ``variant`` with fields set (or removed with ``...``)."""
    result = copy.deepcopy(MINIMAL[variant])
    for key, value in changes.items():
        if value is ...:
            result.pop(key, None)
        else:
            result[key] = value
    return result


PROXY = {"protocol": "socks5", "host": "proxy.acme.com", "port": 1080, "username": "u", "password": SECRET}

VALID: list[tuple[str, str, dict[str, Any]]] = [
    *[(f"{name}-minimal", name, body(name)) for name in MINIMAL],
    ("linkedin-phone-username", "LINKEDIN_BASIC", body("LINKEDIN_BASIC", username="+33 (6) 00-00.00.00")),
    ("linkedin-plain-phone", "LINKEDIN_BASIC", body("LINKEDIN_BASIC", username="336000000")),
    (
        "linkedin-everything",
        "LINKEDIN_BASIC",
        body(
            "LINKEDIN_BASIC",
            country="FR",
            ip="203.0.113.7",
            disabled_features=["linkedin_recruiter", "linkedin_recruiter"],
            sync_limit={"chats": 0, "messages": "2025-12-31T23:59:59.999Z"},
            proxy=PROXY,
            user_agent="",
            recruiter_contract_id="",
        ),
    ),
    (
        "linkedin-cookie-premium",
        "LINKEDIN_COOKIE",
        body("LINKEDIN_COOKIE", premium_token=SECRET, sync_limit={"chats": "2025-01-01T00:00:00+00:00"}),
    ),
    ("whatsapp-pairing-separators", "WHATSAPP", body("WHATSAPP", pairing_phone_number="+33 6 00 00 00 00")),
    ("whatsapp-pairing-max-e164", "WHATSAPP", body("WHATSAPP", pairing_phone_number="123456789012345")),
    ("whatsapp-proxy-minimal", "WHATSAPP", body("WHATSAPP", proxy={"host": "p", "port": 65535})),
    ("instagram-sync-messages-only", "INSTAGRAM_BASIC", body("INSTAGRAM_BASIC", sync_limit={"messages": 10})),
    ("instagram-cookie-empty-features", "INSTAGRAM_COOKIE", body("INSTAGRAM_COOKIE", disabled_features=[])),
    ("messenger-basic-proxy-port-1", "MESSENGER_BASIC", body("MESSENGER_BASIC", proxy={"host": "p", "port": 1})),
    (
        "messenger-session-full-cookies",
        "MESSENGER_SESSION",
        body(
            "MESSENGER_SESSION",
            cookies=[
                {"name": "fr", "value": "", "domain": ".facebook.com", "path": "/", "secure": True},
                {"name": "xs", "value": SECRET, "httpOnly": True, "expirationDate": 1767225599.5},
                {"name": "c_user", "value": "1", "sameSite": "no_restriction"},
                {"name": "datr", "value": SECRET, "sameSite": "lax"},
            ],
            headers={"User-Agent": "Mozilla/5.0", "Accept-Language": "fr-FR", "Sec-CH-UA": '"Chromium";v="124"'},
            user_name="Anna",
        ),
    ),
    ("mail-float-port", "MAIL", body("MAIL", imap_port=993.0, sync_limit="NO_HISTORY_SYNC")),
    ("mail-starttls", "MAIL", body("MAIL", imap_encryption="starttls", smtp_port=65535)),
    ("google-no-history", "GOOGLE_OAUTH", body("GOOGLE_OAUTH", sync_limit="NO_HISTORY_SYNC", country="US")),
    ("telegram-2fa", "TELEGRAM", body("TELEGRAM", password=SECRET, sync_limit={"chats": 5, "messages": 0})),
    ("telegram-lowercase-z", "TELEGRAM", body("TELEGRAM", sync_limit={"chats": "2024-02-29t12:00:00z"})),
    ("telegram-minus-zero-offset", "TELEGRAM", body("TELEGRAM", sync_limit={"chats": "2024-02-29T12:00:00-00:00"})),
    ("outlook-ip-country", "OUTLOOK", body("OUTLOOK", ip="0.0.0.0", country="AX")),
    ("twitter-features", "TWITTER", body("TWITTER", disabled_features=["linkedin_sales_navigator"])),
]


# (id, body, JSON path of the violation, kind)
INVALID: list[tuple[str, object, str, str]] = [
    # Rule 2: undocumented properties, at every level; null is never allowed.
    ("extra-top-level", body("TELEGRAM", nickname="x"), "/nickname", "invalid"),
    ("proxy-on-mail", body("MAIL", proxy={"host": "p", "port": 1}), "/proxy", "invalid"),
    ("proxy-on-telegram", body("TELEGRAM", proxy={"host": "p", "port": 1}), "/proxy", "invalid"),
    ("sync-limit-on-whatsapp", body("WHATSAPP", sync_limit={"chats": 1}), "/sync_limit", "invalid"),
    ("sync-limit-on-twitter", body("TWITTER", sync_limit="NO_HISTORY_SYNC"), "/sync_limit", "invalid"),
    ("user-agent-on-twitter", body("TWITTER", user_agent="Mozilla"), "/user_agent", "invalid"),
    ("user-agent-on-whatsapp", body("WHATSAPP", user_agent="Mozilla"), "/user_agent", "invalid"),
    ("extra-in-proxy", body("WHATSAPP", proxy={"host": "p", "port": 1, "tls": True}), "/proxy/tls", "invalid"),
    ("extra-in-sync-limit", body("TELEGRAM", sync_limit={"chats": 1, "inbox": 1}), "/sync_limit/inbox", "invalid"),
    (
        "extra-in-cookie",
        body(
            "MESSENGER_SESSION",
            cookies=[*MINIMAL["MESSENGER_SESSION"]["cookies"], {"name": "fr", "value": "v", "size": 3}],
        ),
        "/cookies/3/size",
        "invalid",
    ),
    ("null-optional", body("TELEGRAM", password=None), "/password", "invalid"),
    ("null-required", body("LINKEDIN_BASIC", password=None), "/password", "invalid"),
    ("null-country", body("WHATSAPP", country=None), "/country", "invalid"),
    ("header-not-string", body("MESSENGER_SESSION", headers={"User-Agent": 5}), "/headers/User-Agent", "invalid"),
    # Rule 3: one variant, case-sensitive provider.
    ("mixed-linkedin-credentials", body("LINKEDIN_BASIC", access_token=SECRET), "/access_token", "invalid"),
    ("mixed-instagram-credentials", body("INSTAGRAM_BASIC", sessionid=SECRET), "/sessionid", "invalid"),
    ("provider-lower-case", body("LINKEDIN_BASIC", provider="linkedin"), "/provider", "invalid"),
    ("provider-unknown", body("TELEGRAM", provider="SIGNAL"), "/provider", "invalid"),
    ("provider-not-string", body("TELEGRAM", provider=1), "/provider", "invalid"),
    ("provider-missing", body("TWITTER", provider=...), "/provider", "missing"),
    (
        "provider-confusion",
        {"provider": "WHATSAPP", "sessionid": SECRET},
        "/sessionid",
        "invalid",
    ),
    # Rule 4: required strings are non-empty.
    ("missing-password", body("LINKEDIN_BASIC", password=...), "/password", "missing"),
    ("empty-password", body("INSTAGRAM_BASIC", password=""), "/password", "missing"),
    ("missing-sessionid", body("INSTAGRAM_COOKIE", sessionid=...), "/sessionid", "missing"),
    ("missing-cookies", body("MESSENGER_SESSION", cookies=...), "/cookies", "missing"),
    ("missing-imap-port", body("MAIL", imap_port=...), "/imap_port", "missing"),
    ("empty-imap-host", body("MAIL", imap_host=""), "/imap_host", "missing"),
    ("missing-outlook-id", body("OUTLOOK", id=...), "/id", "missing"),
    ("empty-refresh-token", body("GOOGLE_OAUTH", refresh_token=""), "/refresh_token", "missing"),
    ("missing-proxy-host", body("INSTAGRAM_COOKIE", proxy={"port": 8080}), "/proxy/host", "missing"),
    ("empty-proxy-host", body("INSTAGRAM_COOKIE", proxy={"host": "", "port": 8080}), "/proxy/host", "missing"),
    ("missing-proxy-port", body("MESSENGER_BASIC", proxy={"host": "p"}), "/proxy/port", "missing"),
    (
        "empty-cookie-name",
        body("MESSENGER_SESSION", cookies=[*MINIMAL["MESSENGER_SESSION"]["cookies"], {"name": "", "value": "v"}]),
        "/cookies/3/name",
        "missing",
    ),
    # Rule 5: country.
    ("country-lower-case", body("TELEGRAM", country="fr"), "/country", "invalid"),
    ("country-unassigned", body("TELEGRAM", country="XK"), "/country", "invalid"),
    ("country-alpha-3", body("TELEGRAM", country="FRA"), "/country", "invalid"),
    # Rule 6: ip.
    ("ip-v6", body("TELEGRAM", ip="2001:db8::1"), "/ip", "invalid"),
    ("ip-host-name", body("TELEGRAM", ip="proxy.acme.com"), "/ip", "invalid"),
    ("ip-leading-zero", body("TELEGRAM", ip="010.0.0.1"), "/ip", "invalid"),
    ("ip-octet-too-big", body("TELEGRAM", ip="256.1.1.1"), "/ip", "invalid"),
    ("ip-trailing-newline", body("TELEGRAM", ip="10.0.0.1\n"), "/ip", "invalid"),
    # Rule 7: disabled_features.
    ("feature-unknown", body("WHATSAPP", disabled_features=["whatsapp_groups"]), "/disabled_features/0", "invalid"),
    ("features-not-array", body("WHATSAPP", disabled_features="linkedin_recruiter"), "/disabled_features", "invalid"),
    # Rule 8: sync_limit.
    ("sync-limit-empty", body("TELEGRAM", sync_limit={}), "/sync_limit", "invalid"),
    ("sync-negative", body("TELEGRAM", sync_limit={"chats": -1}), "/sync_limit/chats", "invalid"),
    ("sync-fraction", body("TELEGRAM", sync_limit={"chats": 1.5}), "/sync_limit/chats", "invalid"),
    ("sync-boolean", body("TELEGRAM", sync_limit={"messages": True}), "/sync_limit/messages", "invalid"),
    ("sync-not-a-date", body("TELEGRAM", sync_limit={"chats": "yesterday"}), "/sync_limit/chats", "invalid"),
    (
        "sync-non-utc-offset",
        body("TELEGRAM", sync_limit={"chats": "2025-12-31T23:59:59+02:00"}),
        "/sync_limit/chats",
        "invalid",
    ),
    ("sync-no-offset", body("TELEGRAM", sync_limit={"chats": "2025-12-31T23:59:59"}), "/sync_limit/chats", "invalid"),
    ("sync-feb-30", body("TELEGRAM", sync_limit={"chats": "2025-02-30T00:00:00Z"}), "/sync_limit/chats", "invalid"),
    ("sync-string-form-on-linkedin", body("LINKEDIN_COOKIE", sync_limit="NO_HISTORY_SYNC"), "/sync_limit", "invalid"),
    ("sync-object-form-on-mail", body("MAIL", sync_limit={"chats": 0}), "/sync_limit", "invalid"),
    ("sync-string-other-value", body("OUTLOOK", sync_limit="ALL"), "/sync_limit", "invalid"),
    # Rule 9: proxy.
    (
        "proxy-protocol",
        body("WHATSAPP", proxy={"host": "p", "port": 1, "protocol": "ftp"}),
        "/proxy/protocol",
        "invalid",
    ),
    ("proxy-port-zero", body("WHATSAPP", proxy={"host": "p", "port": 0}), "/proxy/port", "invalid"),
    ("proxy-port-string", body("WHATSAPP", proxy={"host": "p", "port": "8080"}), "/proxy/port", "invalid"),
    ("proxy-not-object", body("WHATSAPP", proxy="http://p:1"), "/proxy", "invalid"),
    # Rule 10: ports.
    ("port-too-big", body("MAIL", smtp_port=65536), "/smtp_port", "invalid"),
    ("port-string", body("MAIL", imap_port="993"), "/imap_port", "invalid"),
    ("port-fraction", body("MAIL", imap_port=993.5), "/imap_port", "invalid"),
    ("port-boolean", body("MAIL", smtp_port=True), "/smtp_port", "invalid"),
    # Rule 11: LinkedIn username.
    ("linkedin-username-plain", body("LINKEDIN_BASIC", username="anna"), "/username", "invalid"),
    ("linkedin-username-short-phone", body("LINKEDIN_BASIC", username="+33 12"), "/username", "invalid"),
    ("linkedin-username-no-tld", body("LINKEDIN_BASIC", username="anna@acme"), "/username", "invalid"),
    # Rule 12: Twitter email.
    ("twitter-email-no-domain", body("TWITTER", email="a@b"), "/email", "invalid"),
    ("twitter-email-space", body("TWITTER", email="anna @acme.com"), "/email", "invalid"),
    # Rule 13: WhatsApp pairing number.
    ("pairing-too-short", body("WHATSAPP", pairing_phone_number="+33 600 00"), "/pairing_phone_number", "invalid"),
    ("pairing-too-long", body("WHATSAPP", pairing_phone_number="1234567890123456"), "/pairing_phone_number", "invalid"),
    ("pairing-not-string", body("WHATSAPP", pairing_phone_number=33600000000), "/pairing_phone_number", "invalid"),
    # Rule 14: Messenger cookies.
    (
        "cookies-without-datr",
        body("MESSENGER_SESSION", cookies=MINIMAL["MESSENGER_SESSION"]["cookies"][:2]),
        "/cookies",
        "invalid",
    ),
    ("cookies-not-array", body("MESSENGER_SESSION", cookies={"xs": SECRET}), "/cookies", "invalid"),
    (
        "cookie-same-site",
        body(
            "MESSENGER_SESSION",
            cookies=[*MINIMAL["MESSENGER_SESSION"]["cookies"], {"name": "fr", "value": "v", "sameSite": "Lax"}],
        ),
        "/cookies/3/sameSite",
        "invalid",
    ),
    (
        "cookie-secure-string",
        body(
            "MESSENGER_SESSION",
            cookies=[*MINIMAL["MESSENGER_SESSION"]["cookies"], {"name": "fr", "value": "v", "secure": "true"}],
        ),
        "/cookies/3/secure",
        "invalid",
    ),
    (
        "cookie-missing-value",
        body("MESSENGER_SESSION", cookies=[*MINIMAL["MESSENGER_SESSION"]["cookies"], {"name": "fr"}]),
        "/cookies/3/value",
        "missing",
    ),
    # Rule 15: imap_encryption.
    ("imap-encryption-upper", body("MAIL", imap_encryption="TLS"), "/imap_encryption", "invalid"),
    ("imap-encryption-none", body("MAIL", imap_encryption="none"), "/imap_encryption", "invalid"),
    # Not an object at all.
    ("array-body", [MINIMAL["TELEGRAM"]], "", "invalid"),
    ("string-body", "TELEGRAM", "", "invalid"),
    ("null-body", None, "", "invalid"),
]


def test_corpus_is_large_enough() -> None:
    assert len(VALID) >= 25
    assert {variant for _, variant, _ in VALID} == set(MINIMAL)
    assert len(INVALID) >= 60
    assert len({case_id for case_id, *_ in INVALID}) == len(INVALID)


@pytest.mark.parametrize(("variant", "value"), [pytest.param(v, b, id=i) for i, v, b in VALID])
def test_valid_body(variant: str, value: dict[str, Any]) -> None:
    assert validate_reconnect_body(value) == []
    assert matching_variants(value) == [variant]
    assert closest_variant(value) == variant


@pytest.mark.parametrize(("value", "path", "kind"), [pytest.param(b, p, k, id=i) for i, b, p, k in INVALID])
def test_invalid_body(value: object, path: str, kind: str) -> None:
    violations = validate_reconnect_body(value)
    assert [(v.path, v.kind) for v in violations] == [(path, kind)], [str(v) for v in violations]
    assert matching_variants(value) == []
    expected_type = "errors/missing_parameters" if kind == "missing" else "errors/invalid_parameters"
    assert error_for_violations(violations).pair == (400, expected_type)


@pytest.mark.parametrize(("value", "path", "kind"), [pytest.param(b, p, k, id=i) for i, b, p, k in INVALID])
def test_messages_never_echo_secrets(value: object, path: str, kind: str) -> None:
    for violation in validate_reconnect_body(value):
        assert SECRET not in violation.message
        assert violation.message.startswith(("expected", "required field", "field "))


def test_several_missing_fields_are_all_reported_as_missing() -> None:
    violations = validate_reconnect_body({"provider": "MAIL"})
    assert {v.path for v in violations} == {
        "/imap_user",
        "/smtp_user",
        "/imap_password",
        "/smtp_password",
        "/imap_host",
        "/imap_port",
        "/smtp_host",
        "/smtp_port",
        "/imap_encryption",
    }
    assert {v.kind for v in violations} == {"missing"}
    assert error_for_violations(violations).type == "errors/missing_parameters"


def test_missing_and_invalid_together_is_invalid_parameters() -> None:
    violations = validate_reconnect_body(body("LINKEDIN_BASIC", password=..., country="fr"))
    assert {v.kind for v in violations} == {"missing", "invalid"}
    assert error_for_violations(violations).type == "errors/invalid_parameters"


@pytest.mark.parametrize(("variant", "field"), [("LINKEDIN_BASIC", "username"), ("TWITTER", "email")])
def test_an_empty_formatted_required_string_is_missing_whatever_the_keyword_order(variant: str, field: str) -> None:
    import pytest_postpress.validation as validation
    from pytest_postpress.schema import variant_schema

    schema = variant_schema(variant)
    node = schema["properties"][field]
    # The same node with "minLength" last: the result must not depend on the order of keywords.
    schema["properties"][field] = {key: node[key] for key in sorted(node, key=lambda key: key == "minLength")}
    reordered = validation._violations(
        validation.jsonschema.Draft7Validator(schema, format_checker=validation.FORMAT_CHECKER),
        body(variant, **{field: ""}),
        variant,
    )
    assert [(v.path, v.kind) for v in reordered] == [(f"/{field}", "missing")]
    assert [(v.path, v.kind) for v in validate_reconnect_body(body(variant, **{field: ""}))] == [
        (f"/{field}", "missing")
    ]


def test_error_for_no_violations_is_refused() -> None:
    with pytest.raises(ValueError, match="valid body gets 201"):
        error_for_violations([])
