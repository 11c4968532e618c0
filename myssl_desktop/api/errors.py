"""The exceptions the API client raises: one per documented failure, each with a message
a person can act on. None of them ever holds a secret."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import AppError

if TYPE_CHECKING:
    from .models import ApiKey, RateLimit


class ApiError(AppError):
    """Base of every client failure. `str(error)` is the message to show a user."""

    def __init__(self, message: str, *, status: int | None = None,
                 rate_limit: RateLimit | None = None) -> None:
        super().__init__(message)
        self.message: str = self.args[0]  # as redacted by AppError
        self.status = status
        self.rate_limit = rate_limit


class MalformedKey(ApiError):
    """The key text is not of the form `myssl_k_` + letters and digits (checked before sending)."""

    def __init__(self, message: str = "That is not a MySSL API key: keys start with "
                 "“myssl_k_” followed by letters and digits. Copy the whole key and try again.") -> None:
        super().__init__(message)


class InsecureUrl(ApiError):
    """A base URL the client refuses: plain http:// to anything but this machine."""


class AuthenticationRequired(ApiError):
    """401 `Authentication required`: the server saw no key, or none of the right form."""


class InvalidApiKey(ApiError):
    """401 `Invalid API key`: the key is unknown to MySSL or has been revoked."""


class AccessDenied(ApiError):
    """403 `Access denied`: the key is valid but lacks the permission for this request."""

    def __init__(self, message: str, *, permission: str | None = None, status: int | None = None,
                 rate_limit: RateLimit | None = None) -> None:
        super().__init__(message, status=status, rate_limit=rate_limit)
        self.permission = permission


class NotFound(ApiError):
    """404 `Not found`: no such key in this account (deleted or revoked elsewhere)."""


class ClientsNotReported(ApiError):
    """The server predates contract v1.1: it answers 404 for a key's clients although the key
    exists. Not a failure to show as one: there is nothing to list."""

    def __init__(self, message: str = "This server does not report clients (it predates MySSL API v1.1).", *,
                 status: int | None = 404, rate_limit: RateLimit | None = None) -> None:
        super().__init__(message, status=status, rate_limit=rate_limit)


class InvalidRequest(ApiError):
    """400 `Invalid request`: the server names the field it rejected."""


class KeyLimitReached(ApiError):
    """409 `Key limit reached`: the account already has its maximum of active keys.
    `stale_keys`: active keys unused for a long time, when the app looked (revoke candidates)."""

    def __init__(self, message: str, *, stale_keys: tuple[ApiKey, ...] = (), status: int | None = 409,
                 rate_limit: RateLimit | None = None) -> None:
        super().__init__(message, status=status, rate_limit=rate_limit)
        self.stale_keys = stale_keys


class RateLimited(ApiError):
    """429: too many requests. `retry_after` is the whole seconds to wait."""

    transient = True
    retry_after: int

    def __init__(self, message: str, *, retry_after: int, status: int | None = 429,
                 rate_limit: RateLimit | None = None) -> None:
        super().__init__(message, status=status, rate_limit=rate_limit)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: MySSL (or a proxy in front of it) failed. Trying again later may work."""

    transient = True


class NetworkError(ApiError):
    """No answer: connection refused or dropped, DNS failure, timeout, an answer too slow
    (`AnswerTooSlow`), or a success whose secret could not be read (`SecretUnreadable`).

    `maybe_applied` is True when the request was sent and the answer was lost, so a
    create or revoke may or may not have happened: check before repeating it.
    """

    transient = True

    def __init__(self, message: str, *, maybe_applied: bool = False, status: int | None = None,
                 rate_limit: RateLimit | None = None) -> None:
        super().__init__(message, status=status, rate_limit=rate_limit)
        self.maybe_applied = maybe_applied


class TlsError(NetworkError):
    """The server's certificate could not be verified."""


class AnswerTooSlow(NetworkError):
    """The whole exchange (connecting, sending, and the answer's headers and body) did not end
    within the connection pool's deadline: the server answered too slowly, perhaps a byte at a
    time. `deadline` is that limit in seconds. Never retried: a server this slow once keeps a
    person waiting again. `maybe_applied` as for any lost answer."""

    def __init__(self, message: str, *, deadline: float, maybe_applied: bool = False) -> None:
        super().__init__(message, maybe_applied=maybe_applied)
        self.deadline = deadline


class SecretUnreadable(NetworkError):
    """MySSL answered a create or regenerate with success (2xx), but the answer could not be
    read (cut off, not JSON, not the documented shape), so the new secret is lost.

    The change was most likely made: a created key exists without a usable secret, a regenerated
    key's old secret no longer works. Handle it like any lost answer (`maybe_applied` is always
    True): reconcile before repeating, never repeat blindly. `key_id` is the regenerated key's id
    (None for a create, whose id was in the lost answer); `status` is the 2xx MySSL sent.
    """

    def __init__(self, message: str, *, status: int, key_id: int | None = None,
                 rate_limit: RateLimit | None = None) -> None:
        super().__init__(message, maybe_applied=True, status=status, rate_limit=rate_limit)
        self.key_id = key_id


class BadResponse(ApiError):
    """The server answered, but not like the MySSL API (HTML, garbage, wrong shape)."""

    transient = True
