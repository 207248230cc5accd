"""The 35 documented errors of ``POST /v1/accounts/{id}``, in documentation order.

An error is identified by its ``(status, type)`` pair, never by its type alone:
``errors/request_timeout`` is documented under both 408 and 504 (rule 20).
Plain Python only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "DOCUMENTED_ERRORS",
    "RETRYABLE_STATUSES",
    "STATUSES",
    "DocumentedError",
    "StatusInfo",
    "find_error",
    "is_retryable",
    "types_for_status",
]


@dataclass(frozen=True)
class DocumentedError:
    """One documented error: the HTTP ``status``, the envelope ``type`` and its documented text.

    ``retryable`` is true where the type's or its status's documented text tells the caller to retry or
    try again (rule 23, see: python -m pytest_postpress rules 23): a client may resend the same request.
    """

    status: int
    type: str
    description: str
    retryable: bool = False

    @property
    def pair(self) -> tuple[int, str]:
        """The ``(status, type)`` pair that identifies this error."""
        return (self.status, self.type)

    @property
    def id(self) -> str:
        """A readable test id, such as ``409-already_exists``."""
        return f"{self.status}-{self.type.removeprefix('errors/')}"

    @property
    def title(self) -> str:
        """The HTTP reason phrase of the status, used as the envelope ``title``."""
        return STATUSES[self.status].title

    def envelope(self, **extra: Any) -> dict[str, Any]:
        """An example envelope for this error; ``extra`` adds or overrides fields."""
        body: dict[str, Any] = {
            "title": self.title,
            "detail": self.description,
            "type": self.type,
            "status": self.status,
        }
        body.update(extra)
        return body

    def __str__(self) -> str:
        return f"{self.status} {self.type}"


@dataclass(frozen=True)
class StatusInfo:
    """A documented error status: reason phrase and the documentation's sentence."""

    status: int
    title: str
    description: str


STATUSES: Final[dict[int, StatusInfo]] = {
    info.status: info
    for info in (
        StatusInfo(400, "Bad Request", "The request payload is invalid or missing required fields."),
        StatusInfo(401, "Unauthorized", "The supplied credentials were rejected."),
        StatusInfo(403, "Forbidden", "Authenticated but the account is restricted or the action is not allowed."),
        StatusInfo(404, "Not Found", "The requested account does not exist or is not accessible with this API key."),
        StatusInfo(407, "Proxy Authentication Required", "The proxy in use is rejecting the connection."),
        StatusInfo(408, "Request Timeout", "The provider did not respond in time."),
        StatusInfo(409, "Conflict", "The current task conflicts with another in-flight operation."),
        StatusInfo(425, "Too Early", "Another authentication intent is still in progress for this account."),
        StatusInfo(500, "Internal Server Error", "Something unexpected went wrong on the server side."),
        StatusInfo(502, "Bad Gateway", "The proxy in use is rejecting the connection or returned an invalid response."),
        StatusInfo(503, "Service Unavailable", "The service is temporarily unavailable; please retry shortly."),
        StatusInfo(504, "Gateway Timeout", "The upstream provider did not respond in time."),
    )
}

# (status, type, documented text[, retryable]): retryable where the text or the status's says retry or try again.
_TABLE: Final[tuple[tuple[int, str, str] | tuple[int, str, str, bool], ...]] = (
    (400, "errors/invalid_parameters", "One or more request parameters are invalid or missing."),
    (400, "errors/missing_parameters", "One or more request parameters are missing."),
    (400, "errors/invalid_request", "One or a combination of request parameters are invalid."),
    (400, "errors/malformed_request", "The given request has been rejected by the provider."),
    (400, "errors/content_too_large", "The request payload is too large for the provider."),
    (400, "errors/too_many_characters", "The provided content exceeds the character limit."),
    (400, "errors/unescaped_characters", "The request path contains unescaped characters."),
    (400, "errors/limit_too_high", "Pagination limit too high. See API reference for details."),
    (401, "errors/invalid_credentials", "The provided credentials are invalid."),
    (403, "errors/account_restricted", "The account has been restricted by the provider."),
    (403, "errors/account_mismatch", "Credentials don't match the requested account."),
    (403, "errors/insufficient_permissions", "The account lacks the required permissions."),
    (403, "errors/session_mismatch", "The session does not match the current account."),
    (403, "errors/feature_not_subscribed", "The required feature is not part of your subscription."),
    (403, "errors/subscription_required", "A subscription is required to use this feature."),
    (403, "errors/unknown_authentication_context", "Unknown authentication context."),
    (403, "errors/action_required", "The provider requires an additional action."),
    (403, "errors/resource_access_restricted", "Access to this resource is restricted."),
    (404, "errors/resource_not_found", "The requested resource was not found."),
    (404, "errors/invalid_resource_identifier", "The provided resource identifier is invalid."),
    (407, "errors/proxy_auth_error", "The proxy in use is not working. Please try again.", True),
    (408, "errors/request_timeout", "Communication with the provider has timed out. Please retry.", True),
    (409, "errors/operation_canceled", "The current task was canceled by a subsequent one."),
    (409, "errors/already_exists", "An equivalent account already exists."),
    (425, "errors/auth_in_progress", "Cannot start a new intent while another is still in progress."),
    (500, "errors/unexpected_error", "Something went wrong."),
    (500, "errors/provider_error", "The provider is experiencing operational problems."),
    (
        500,
        "errors/authentication_intent_error",
        "The current authentication intent was killed after failure. Restart from the beginning.",
    ),
    (502, "errors/proxy_error", "The proxy in use is not working. Please try again.", True),
    (503, "errors/no_client_session", "No client session is currently running.", True),
    (503, "errors/no_channel", "No channel to client session.", True),
    (503, "errors/no_handler", "Handler missing for that request.", True),
    (503, "errors/network_down", "Network is down on the server side. Retry shortly.", True),
    (503, "errors/service_unavailable", "Service temporarily unavailable. Retry later.", True),
    (504, "errors/request_timeout", "Request timed out. Retry, and contact support if it persists.", True),
)

DOCUMENTED_ERRORS: Final[tuple[DocumentedError, ...]] = tuple(DocumentedError(*row) for row in _TABLE)
_BY_PAIR: Final[dict[tuple[int, str], DocumentedError]] = {error.pair: error for error in DOCUMENTED_ERRORS}

#: The statuses whose every documented error is retryable (407, 408, 502, 503, 504): a client that retries
#: by status alone, or an answer whose type cannot be read (an HTML 502 from a proxy), is judged by these.
RETRYABLE_STATUSES: Final[frozenset[int]] = frozenset(
    status for status in STATUSES if all(e.retryable for e in DOCUMENTED_ERRORS if e.status == status)
)


def find_error(status: int, type: str) -> DocumentedError | None:
    """Return the documented error for ``(status, type)``, or ``None`` when undocumented."""
    return _BY_PAIR.get((status, type))


def is_retryable(status: int | None, type: str | None = None) -> bool:
    """Whether a client may resend the request after this answer (rule 23).

    ``status`` ``None`` is no answer at all (a dropped connection or a timeout): retryable.  A documented
    ``(status, type)`` pair is retryable when its ``retryable`` flag is; any other answer of a status in
    :data:`RETRYABLE_STATUSES` is too (every documented error of that status is); nothing else is.
    """
    if status is None:
        return True
    if type is not None:
        documented = _BY_PAIR.get((status, type))
        if documented is not None:
            return documented.retryable
    return status in RETRYABLE_STATUSES


def types_for_status(status: int) -> tuple[str, ...]:
    """The documented error types of ``status``, in documentation order (empty when none)."""
    return tuple(error.type for error in DOCUMENTED_ERRORS if error.status == status)
