"""Typed, immutable data that crosses from the API layer to the rest of the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Generic, TypeVar

from .secret import Secret

DEFAULT_BASE_URL = "https://myssl.info/api/v1"
PERMISSIONS: tuple[str, ...] = (
    "domains:read", "domains:write", "scans:write", "billing:read", "keys:read", "keys:manage",
)
STATUSES: tuple[str, ...] = ("active", "expiring", "revoked")
TIERS: tuple[str, ...] = ("free", "pro", "business", "enterprise")

T = TypeVar("T")


@dataclass(frozen=True)
class ApiKey:
    id: int
    name: str
    prefix: str
    permissions: tuple[str, ...]
    status: str
    created_at: datetime
    last_used_at: datetime | None
    request_count: int
    requests_24h: int
    expires_at: datetime | None
    revoked_at: datetime | None

    @property
    def is_revoked(self) -> bool:
        return self.status == "revoked"


@dataclass(frozen=True)
class CreatedKey:
    """The answer to create and regenerate: the only time the secret is ever seen."""

    api_key: ApiKey
    secret: Secret


@dataclass(frozen=True)
class Account:
    tier: str
    daily_limit: int
    minute_limit: int
    max_active_keys: int


@dataclass(frozen=True)
class CurrentKey:
    """`GET /api-keys/current`: the key making the call and its account."""

    api_key: ApiKey
    account: Account


@dataclass(frozen=True)
class UsageDay:
    date: date
    requests: int


@dataclass(frozen=True)
class Usage:
    api_key_id: int
    days: tuple[UsageDay, ...]
    total: int


@dataclass(frozen=True)
class KeyClient:
    """One application that used a key: its address and user agent, as the server saw them.

    Both are untrusted text from the server: escape them before a terminal or a rich-text
    label shows them (`keyclients.printable`)."""

    address: str
    user_agent: str  # "" when its requests carried none
    first_seen: datetime  # within the window asked for
    last_seen: datetime
    requests: int  # within the window


@dataclass(frozen=True)
class KeyClients:
    """`GET /api-keys/{id}/clients` (contract v1.1): who used a key in the last `hours`,
    most recent first."""

    hours: int
    clients: tuple[KeyClient, ...]


@dataclass(frozen=True)
class Pagination:
    page: int
    per_page: int
    total: int
    pages: int
    has_next: bool
    has_prev: bool


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    pagination: Pagination


@dataclass(frozen=True)
class RateLimit:
    """The five rate-limit headers of one response, as of `observed_at`."""

    minute_limit: int
    minute_remaining: int
    reset_at: int  # Unix second when the oldest request leaves the 60 s window
    daily_limit: int
    daily_remaining: int
    observed_at: float = field(compare=False)


@dataclass(frozen=True)
class Domain:
    id: int
    hostname: str
    port: int
    ssl_grade: str | None
    ssl_score: int | None
    certificate_expiry: date | None
    days_until_expiry: int | None
    last_scan: datetime | None
    is_active: bool
    monitoring_frequency: str | None
    created_at: datetime


@dataclass(frozen=True)
class BillingUsage:
    tier: str
    raw: dict[str, object] = field(compare=False, repr=False)
