"""`MysslClient`: one method per endpoint of the MySSL key-management contract (v1.1)."""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from . import parse
from .errors import (
    AccessDenied,
    AnswerTooSlow,
    ApiError,
    AuthenticationRequired,
    BadResponse,
    ClientsNotReported,
    InvalidApiKey,
    InvalidRequest,
    KeyLimitReached,
    MalformedKey,
    NetworkError,
    NotFound,
    RateLimited,
    SecretUnreadable,
    ServerError,
    TlsError,
)
from .models import (
    ApiKey,
    BillingUsage,
    CreatedKey,
    CurrentKey,
    Domain,
    KeyClients,
    Page,
    RateLimit,
    Usage,
)
from .retry import RETRY_STATUSES, RetryPolicy
from .secret import Secret
from .transport import ConnectionPool, end_deadline, expired_deadline, normalise_base_url, shared_pool

log = logging.getLogger(__name__)
T = TypeVar("T")
PAGE_SIZE = 100  # the most the API returns per page


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


class MysslClient:
    """Talks to one MySSL base URL with one key.

    Every response's rate-limit headers are kept in `rate_limit` and passed to
    `on_rate_limit`, so callers can show the quota and pace themselves. Each request must end
    within the pool's deadline (`AnswerTooSlow` otherwise); the messages of all errors are
    redacted, whatever the server sent.
    """

    def __init__(self, base_url: str, key: Secret | str, *,
                 pool: ConnectionPool | None = None, retry: RetryPolicy | None = None,
                 on_rate_limit: Callable[[RateLimit], None] | None = None) -> None:
        secret = key if isinstance(key, Secret) else Secret(key)
        if not secret.is_well_formed():
            raise MalformedKey()
        self.base_url = normalise_base_url(base_url)
        self._secret = secret
        self._http = (pool or shared_pool).client_for(self.base_url)
        self._retry = retry or RetryPolicy()
        self._host = urlsplit(self.base_url).hostname or self.base_url
        self.on_rate_limit = on_rate_limit
        self.rate_limit: RateLimit | None = None
        self._reports_clients: bool | None = None  # None until a /clients answer tells

    def __repr__(self) -> str:
        return f"MysslClient({self.base_url!r}, {self._secret!r})"

    @property
    def key_prefix(self) -> str:
        return self._secret.prefix

    # --- endpoints -------------------------------------------------------------------

    def current(self) -> CurrentKey:
        """The calling key and its account; works for any valid key."""
        return self._get("/api-keys/current", parse.current_key_envelope)

    def list_keys(self, *, page: int = 1, per_page: int = PAGE_SIZE, status: str | None = None,
                  search: str | None = None) -> Page[ApiKey]:
        params = _params(page=page, per_page=per_page, status=status, search=search)
        return self._get("/api-keys", parse.api_key_page, params, needs="keys:read")

    def all_keys(self, *, status: str | None = None, search: str | None = None) -> list[ApiKey]:
        """Every key, walking the pages to the end."""
        return list(self._walk(lambda page: self.list_keys(page=page, status=status, search=search)))

    def get_key(self, key_id: int) -> ApiKey:
        return self._get(f"/api-keys/{int(key_id)}", parse.api_key_envelope, needs="keys:read")

    def key_usage(self, key_id: int, *, days: int = 30) -> Usage:
        return self._get(f"/api-keys/{int(key_id)}/usage", parse.usage_envelope,
                         {"days": days}, needs="keys:read")

    def key_clients(self, key_id: int, *, hours: int = 24) -> KeyClients:
        """Who used the key in the last `hours` (1-720), most recent first (contract v1.1).

        A server that predates v1.1 answers 404 for any key's clients: when the key itself is
        there, that raises `ClientsNotReported` (and later calls raise it without asking
        again); an unknown key is `NotFound` as usual."""
        if self._reports_clients is False:
            raise ClientsNotReported()
        try:
            found = self._get(f"/api-keys/{int(key_id)}/clients", parse.key_clients_envelope,
                              {"hours": hours}, needs="keys:read")
        except NotFound:
            if self._reports_clients:
                raise
            self.get_key(key_id)  # NotFound again: the key is gone, not the endpoint
            self._reports_clients = False
            raise ClientsNotReported() from None
        self._reports_clients = True
        return found

    def list_usage(self, *, days: int = 30, page: int = 1, per_page: int = PAGE_SIZE,
                   status: str | None = None, search: str | None = None) -> Page[Usage]:
        """Usage of every key on one page of the key list: one request for many sparklines."""
        params = _params(days=days, page=page, per_page=per_page, status=status, search=search)
        return self._get("/api-keys/usage", parse.usage_page, params, needs="keys:read")

    def all_usage(self, *, days: int = 30, status: str | None = None,
                  search: str | None = None) -> list[Usage]:
        return list(self._walk(
            lambda page: self.list_usage(days=days, page=page, status=status, search=search)))

    def create_key(self, name: str, permissions: list[str] | tuple[str, ...] | None = None, *,
                   expires_at: datetime | None = None) -> CreatedKey:
        """Create a key; with `expires_at` (v1.1, in the future, sent in whole seconds) its
        revoke is scheduled from the start. A server that predates v1.1 ignores the expiry:
        the answer's `expires_at` is then None. Not idempotent: after a NetworkError with
        `maybe_applied`, list keys by name and creation time before trying again. That includes
        `SecretUnreadable`: MySSL said it made the key, but the answer with its secret could not
        be read."""
        body: dict[str, Any] = {"name": name}
        if permissions is not None:
            body["permissions"] = list(permissions)
        if expires_at is not None:
            body["expires_at"] = format_timestamp(expires_at)
        return self._send("POST", "/api-keys", parse.created_key_envelope, body=body,
                          needs="keys:manage", secret_lost=self._created_secret_lost)

    def update_key(self, key_id: int, *, name: str = UNSET,
                   expires_at: datetime | None = UNSET) -> ApiKey:
        """Rename, and/or schedule (a time) or cancel (None) a revoke."""
        body: dict[str, Any] = {}
        if name is not UNSET:
            body["name"] = name
        if expires_at is not UNSET:
            body["expires_at"] = None if expires_at is None else format_timestamp(expires_at)
        return self._send("PATCH", f"/api-keys/{int(key_id)}", parse.api_key_envelope, body=body,
                          needs="keys:manage")

    def regenerate_key(self, key_id: int) -> CreatedKey:
        """New secret, same key; the old secret stops working at once. After a NetworkError with
        `maybe_applied` (`SecretUnreadable` among them), look at the key's prefix before repeating."""
        return self._send("POST", f"/api-keys/{int(key_id)}/regenerate", parse.created_key_envelope,
                          needs="keys:manage", secret_lost=partial(self._regenerated_secret_lost, int(key_id)))

    def revoke_key(self, key_id: int) -> ApiKey:
        """Revoke at once. Revoking a revoked key succeeds again (idempotent)."""
        return self._send("POST", f"/api-keys/{int(key_id)}/revoke", parse.api_key_envelope,
                          needs="keys:manage")

    def list_domains(self, *, page: int = 1, per_page: int = 20, status: str | None = None,
                     grade: str | None = None, search: str | None = None) -> Page[Domain]:
        """The cheapest authenticated call: `per_page=1` is a good "does this key work" probe."""
        params = _params(page=page, per_page=per_page, status=status, grade=grade, search=search)
        return self._get("/domains", parse.domain_page, params, needs="domains:read")

    def billing_usage(self) -> BillingUsage:
        return self._get("/billing/usage", parse.billing_envelope, needs="billing:read")

    # --- plumbing ----------------------------------------------------------------------

    def _walk(self, fetch: Callable[[int], Page[T]]) -> Iterator[T]:
        page_number = 1
        while True:
            page = fetch(page_number)
            yield from page.items
            if not page.pagination.has_next:
                return
            page_number += 1

    def _get(self, path: str, build: Callable[[Any], T], params: Mapping[str, Any] | None = None,
             *, needs: str | None = None) -> T:
        return self._send("GET", path, build, params=params, needs=needs)

    def _send(self, method: str, path: str, build: Callable[[Any], T], *,
              params: Mapping[str, Any] | None = None, body: Any = None,
              needs: str | None = None,
              secret_lost: Callable[[int, RateLimit | None], SecretUnreadable] | None = None) -> T:
        """`secret_lost`: a success carries a new secret; if it cannot be read, raise this error
        (given the status and rate limit): the change was made, its secret is lost, and that is a
        lost answer to reconcile, never a "try again"."""
        idempotent = method == "GET"
        retry_number = 0
        while True:
            retry_number += 1
            try:
                status, headers, content = self._exchange(method, path, params, body)
            except NetworkError as error:
                retryable = idempotent and not isinstance(error, AnswerTooSlow)
                delay = self._retry.delay(retry_number, None) if retryable else None
                if delay is None:
                    raise
                log.info("%s %s: %s; retrying in %.1f s", method, path, type(error).__name__, delay)
                self._retry.sleep(delay)
                continue
            rate_limit = self._note_rate_limit(headers)
            if secret_lost is not None and 200 <= status < 300:
                try:
                    return parse.parse_body(content, build)
                except BadResponse:
                    raise secret_lost(status, rate_limit) from None
            if status < 400:
                return parse.parse_body(content, build)
            refusal = self._error_for(status, headers, content, rate_limit, needs)
            if idempotent and status in RETRY_STATUSES:
                wait = refusal.retry_after if isinstance(refusal, RateLimited) else None
                delay = self._retry.delay(retry_number, wait)
                if delay is not None:
                    log.info("%s %s: HTTP %d; retrying in %.1f s", method, path, status, delay)
                    self._retry.sleep(delay)
                    continue
            raise refusal

    def _created_secret_lost(self, status: int, rate_limit: RateLimit | None) -> SecretUnreadable:
        return SecretUnreadable(
            f"{self._host} said it created the key, but its answer was cut off or garbled, so the new "
            "secret could not be read. The key was probably made without a usable secret: look for it "
            "in the key list before creating it again, then regenerate it or revoke it.",
            status=status, rate_limit=rate_limit)

    def _regenerated_secret_lost(self, key_id: int, status: int, rate_limit: RateLimit | None) -> SecretUnreadable:
        return SecretUnreadable(
            f"{self._host} said it regenerated the key, but its answer was cut off or garbled, so the new "
            "secret could not be read. The old secret no longer works: regenerate the key again to get a "
            "new one.", status=status, key_id=key_id, rate_limit=rate_limit)

    def _exchange(self, method: str, path: str, params: Mapping[str, Any] | None,
                  body: Any) -> tuple[int, httpx.Headers, bytes]:
        request = self._http.build_request(
            method, self.base_url + path, params=params, json=body,
            headers={"Authorization": f"Bearer {self._secret.reveal()}"})
        sent = False
        try:
            response = self._http.send(request, stream=True)  # starts the pool's deadline
            sent = True
            try:
                content = _read_capped(response)
            finally:
                response.close()
        except httpx.HTTPError as exc:
            maybe_applied = sent or _was_sent(exc)
            deadline = expired_deadline() if isinstance(exc, httpx.TimeoutException) else None
            if deadline is not None:
                raise too_slow(self._host, deadline, maybe_applied, changes=method != "GET") from None
            raise network_error(exc, self._host, maybe_applied) from None
        finally:
            end_deadline()
        return response.status_code, response.headers, content

    def _note_rate_limit(self, headers: httpx.Headers) -> RateLimit | None:
        rate_limit = parse_rate_limit(headers)
        if rate_limit is not None:
            self.rate_limit = rate_limit
            if self.on_rate_limit is not None:
                self.on_rate_limit(rate_limit)
        return rate_limit

    def _error_for(self, status: int, headers: httpx.Headers, content: bytes,
                   rate_limit: RateLimit | None, needs: str | None) -> ApiError:
        envelope = parse.error_envelope(content)
        if status == 429:
            wait = retry_after_seconds(headers)
            return RateLimited(f"MySSL is rate limiting this key. Try again in {wait} s.",
                               retry_after=wait, status=status, rate_limit=rate_limit)
        if status >= 500:
            return ServerError(f"MySSL had a problem answering (HTTP {status}). Try again in a "
                               "moment; if it persists, the service may be down.",
                               status=status, rate_limit=rate_limit)
        if envelope is None:
            kind = parse_safe(headers.get("content-type", "unknown type").split(";")[0])[:80]
            return BadResponse(f"The server answered HTTP {status} with {kind} instead of a MySSL "
                               "error. Check the base URL: it may not be the MySSL API.",
                               status=status, rate_limit=rate_limit)
        title, message = envelope
        kw: dict[str, Any] = {"status": status, "rate_limit": rate_limit}
        if status == 401 and title == "Authentication required":
            return AuthenticationRequired("MySSL did not accept the key's form. Copy the whole key, "
                                          "starting with “myssl_k_”.", **kw)
        if status == 401:
            return InvalidApiKey("This API key is unknown to MySSL or has been revoked. Sign in "
                                 "with a current key.", **kw)
        if status == 403:
            what = f"the “{needs}” permission" if needs else "the permission"
            return AccessDenied(f"This API key lacks {what} needed for this request. Use a key "
                                "that has it, or ask an account owner.", permission=needs, **kw)
        if status == 404:
            return NotFound("That key no longer exists in this account (it may have been removed "
                            "elsewhere). Refresh the list.", **kw)
        if status == 409:
            return KeyLimitReached("The account has reached its limit of active keys. Revoke a key "
                                   "you no longer use, then try again.", **kw)
        if status == 400:
            return InvalidRequest(f"MySSL rejected the request: {parse_safe(message)}", **kw)
        return BadResponse(f"Unexpected answer HTTP {status} ({parse_safe(title)}).", **kw)


def _params(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _read_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > parse.MAX_BODY_BYTES:
            raise BadResponse("The server sent an answer far larger than any MySSL response; "
                              "it is probably not the MySSL API.")
        chunks.append(chunk)
    return b"".join(chunks)


def network_error(exc: httpx.HTTPError, host: str, maybe_applied: bool) -> NetworkError:
    """Our error, with a message a person can act on, for an httpx transport failure."""
    if isinstance(exc, httpx.ConnectError) and _is_tls_failure(exc):
        return TlsError(f"The certificate of {host} could not be verified, so the connection "
                        "was refused. If your network inspects TLS, its CA must be in the "
                        "system trust store.")
    if isinstance(exc, httpx.ConnectTimeout):
        text = f"{host} did not accept a connection within 5 s."
    elif isinstance(exc, httpx.TimeoutException):
        text = f"{host} did not answer in time."
    elif isinstance(exc, httpx.ConnectError):
        text = f"Could not connect to {host}."
    else:
        text = f"The connection to {host} broke before its answer arrived."
    advice = (" The request may or may not have been carried out."
              if maybe_applied else " Check your network connection and try again.")
    return NetworkError(text + advice, maybe_applied=maybe_applied)


def too_slow(host: str, deadline: float, maybe_applied: bool, *, changes: bool) -> AnswerTooSlow:
    """`changes`: the request changes something (not a GET), so whether it happened matters."""
    advice = (" The request may or may not have been carried out." if maybe_applied and changes
              else " Try again later; if it keeps happening, the network or the server is struggling.")
    return AnswerTooSlow(f"{host} answered too slowly: its whole answer had not arrived after {deadline:g} s, "
                         "so the app stopped waiting." + advice, deadline=deadline, maybe_applied=maybe_applied)


def _was_sent(exc: httpx.HTTPError) -> bool:
    """Whether the request may have reached the server (so a POST may have been applied)."""
    return not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


def _is_tls_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return "CERTIFICATE_VERIFY_FAILED" in str(exc)


def parse_safe(text: str) -> str:
    """Server text shown to users: bounded, and never echoing anything key-shaped."""
    from .secret import redact

    return redact(text)[:300]


def format_timestamp(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    try:
        return int(headers[name])
    except (KeyError, ValueError):
        return None


def parse_rate_limit(headers: Mapping[str, str]) -> RateLimit | None:
    """The five rate-limit headers, or None when a response lacks any of them (a 401 may)."""
    names = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset",
             "x-daily-limit", "x-daily-remaining")
    values = [_header_int(headers, n) for n in names]
    if any(v is None for v in values):
        return None
    limit, remaining, reset, daily, daily_remaining = values
    return RateLimit(minute_limit=limit, minute_remaining=remaining, reset_at=reset,  # type: ignore[arg-type]
                     daily_limit=daily, daily_remaining=daily_remaining,  # type: ignore[arg-type]
                     observed_at=time.time())


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> int:
    """Whole seconds to wait after a 429: `Retry-After`, else `X-RateLimit-Reset`, at least 1."""
    seconds = _header_int(headers, "retry-after")
    if seconds is None:
        reset = _header_int(headers, "x-ratelimit-reset")
        current = time.time() if now is None else now
        seconds = int(reset - current + 0.999) if reset is not None else 60
    return max(1, seconds)
