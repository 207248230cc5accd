"""The error catalog: 35 documented pairs, round-tripping through validate_response."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_postpress import DOCUMENTED_ERRORS, DocumentedError, validate_response
from pytest_postpress.catalog import RETRYABLE_STATUSES, STATUSES, find_error, is_retryable, types_for_status

DOC = Path(__file__).resolve().parents[2] / "shared" / "api" / "reconnect-account.txt"


def test_thirty_five_pairs_all_distinct() -> None:
    assert len(DOCUMENTED_ERRORS) == 35
    assert len({error.pair for error in DOCUMENTED_ERRORS}) == 35


def test_request_timeout_is_documented_under_two_statuses() -> None:
    timeouts = [error.status for error in DOCUMENTED_ERRORS if error.type == "errors/request_timeout"]
    assert timeouts == [408, 504]
    assert find_error(408, "errors/request_timeout") != find_error(504, "errors/request_timeout")


def test_documented_error_is_frozen_and_hashable() -> None:
    error = DOCUMENTED_ERRORS[0]
    assert {error: 1}[DocumentedError(error.status, error.type, error.description, error.retryable)] == 1
    with pytest.raises(AttributeError):
        error.status = 500  # type: ignore[misc]


def test_ids_are_readable() -> None:
    ids = [error.id for error in DOCUMENTED_ERRORS]
    assert "409-already_exists" in ids
    assert "504-request_timeout" in ids
    assert len(set(ids)) == 35


@pytest.mark.skipif(not DOC.exists(), reason=f"the documentation is not beside the repository ({DOC})")
def test_catalog_matches_the_documentation_text() -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("\nErrors\n") :]
    found: list[tuple[int, str, str]] = []
    status = 0
    for line in section.splitlines():
        header = re.match(r"^(\d{3}) .*?(\d+) types$", line)
        if header:
            status = int(header.group(1))
            continue
        item = re.match(r"^\s*•\s*(errors/\w+) - (.*)$", line)
        if item:
            found.append((status, item.group(1), item.group(2).strip()))
    assert found == [(e.status, e.type, e.description) for e in DOCUMENTED_ERRORS]
    for status_code, info in STATUSES.items():
        assert f"{status_code} {info.title}" in section
        assert info.description in section


_RETRY_WORDS = re.compile(r"\b(retry|try again)\b", re.IGNORECASE)


@pytest.mark.skipif(not DOC.exists(), reason=f"the documentation is not beside the repository ({DOC})")
def test_retryable_is_derived_from_the_documentation_text() -> None:
    """Rule 23: retryable where the type's text, or its status's text on the page, says retry or try again."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("\nErrors\n") :]
    derived: dict[tuple[int, str], bool] = {}
    status, status_says_retry = 0, False
    lines = section.splitlines()
    for index, line in enumerate(lines):
        header = re.match(r"^(\d{3}) .*?(\d+) types$", line)
        if header:
            status = int(header.group(1))
            # The status's own sentence is the next non-empty line after its header.
            sentence = next(following for following in lines[index + 1 :] if following.strip())
            status_says_retry = bool(_RETRY_WORDS.search(sentence))
            continue
        item = re.match(r"^\s*•\s*(errors/\w+) - (.*)$", line)
        if item:
            derived[(status, item.group(1))] = status_says_retry or bool(_RETRY_WORDS.search(item.group(2)))
    assert derived == {error.pair: error.retryable for error in DOCUMENTED_ERRORS}
    retryable = sorted(error.id for error in DOCUMENTED_ERRORS if error.retryable)
    assert retryable == sorted(
        ["407-proxy_auth_error", "408-request_timeout", "502-proxy_error", "504-request_timeout"]
        + [f"503-{name}" for name in ("no_client_session", "no_channel", "no_handler", "network_down")]
        + ["503-service_unavailable"]
    )


def test_is_retryable_reads_pairs_statuses_and_no_answer() -> None:
    assert {407, 408, 502, 503, 504} == RETRYABLE_STATUSES
    assert is_retryable(None)  # a dropped connection or a timeout
    assert is_retryable(503, "errors/no_channel")
    assert is_retryable(504, "errors/request_timeout")
    assert is_retryable(502, None)  # an HTML 502 from a proxy: every documented 502 is retryable
    assert not is_retryable(409, "errors/already_exists")
    assert not is_retryable(500, "errors/unexpected_error")
    assert not is_retryable(429, None)  # undocumented: never resent
    assert not is_retryable(201, None)


@pytest.mark.parametrize("error", DOCUMENTED_ERRORS, ids=lambda e: e.id)
def test_example_envelope_round_trips(error: DocumentedError) -> None:
    envelope = error.envelope(instance="req_1")
    assert validate_response(error.status, envelope) == []
    assert validate_response(error.status, {"title": "t", "type": error.type, "status": error.status}) == []
    assert validate_response(error.status, {**envelope, "unknown": {"x": 1}}) == []


@pytest.mark.parametrize("error", DOCUMENTED_ERRORS, ids=lambda e: e.id)
def test_changed_status_is_reported(error: DocumentedError) -> None:
    other = 500 if error.status != 500 else 503
    violations = validate_response(other, error.envelope())
    assert "/status" in {v.path for v in violations}
    assert "/type" in {v.path for v in violations}  # the pair is not documented under the other status


@pytest.mark.parametrize("error", DOCUMENTED_ERRORS, ids=lambda e: e.id)
def test_unknown_type_is_reported(error: DocumentedError) -> None:
    violations = validate_response(error.status, error.envelope(type="errors/not_a_documented_type"))
    assert [v.path for v in violations] == ["/type"]
    assert all(t in violations[0].message for t in types_for_status(error.status))


@pytest.mark.parametrize("error", DOCUMENTED_ERRORS, ids=lambda e: e.id)
def test_missing_title_is_reported(error: DocumentedError) -> None:
    envelope = error.envelope()
    del envelope["title"]
    violations = validate_response(error.status, envelope)
    assert [(v.path, v.kind) for v in violations] == [("/title", "missing")]


def test_undocumented_status_is_reported() -> None:
    violations = validate_response(418, {"title": "I'm a teapot", "type": "errors/teapot", "status": 418})
    assert violations[0].path == ""
    assert "418 is not documented" in violations[0].message


def test_success_body() -> None:
    assert validate_response(201, {"object": "AccountReconnected", "account_id": "acc_1", "extra": True}) == []
    assert [v.path for v in validate_response(201, {"object": "AccountReconnected", "account_id": ""})] == [
        "/account_id"
    ]
    assert [v.path for v in validate_response(201, {"object": "Account", "account_id": "a"})] == ["/object"]
    assert [v.path for v in validate_response(201, [])] == [""]


def test_envelope_status_must_be_an_integer() -> None:
    violations = validate_response(404, {"title": "Not Found", "type": "errors/resource_not_found", "status": "404"})
    assert [v.path for v in violations] == ["/status"]
