"""What an endpoint gets to work with: the request, the calling key and the account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .params import Query
from .ratelimit import MAX_ACTIVE_KEYS, RateLimiter
from .responses import not_found
from .store import KeyRow, Store
from .timeutil import iso


@dataclass(frozen=True)
class Account:
    tier: str
    limiter: RateLimiter

    def as_json(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "daily_limit": self.limiter.limits.daily_limit,
            "minute_limit": self.limiter.limits.minute_limit,
            "max_active_keys": MAX_ACTIVE_KEYS,
        }


@dataclass(frozen=True)
class Context:
    store: Store
    account: Account
    caller: KeyRow
    path_params: dict[str, str]
    query: Query
    body: bytes
    now: float
    api_version: str  # of the contract served: "1.0" lacks the v1.1 additions

    def key_from_path(self) -> KeyRow:
        """The key named by {id}, or 404 (ids are integers; the route already checked)."""
        key_id = int(self.path_params["id"])
        key = self.store.get_key(key_id)
        if key is None:
            raise not_found(f"No API key with id {key_id} in this account")
        return key


def key_json(key: KeyRow) -> dict[str, Any]:
    """The ApiKey object of the contract (never the secret)."""
    return {
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "permissions": list(key.permissions),
        "status": key.status,
        "created_at": iso(key.created_at),
        "last_used_at": iso(key.last_used_at),
        "request_count": key.request_count,
        "requests_24h": key.requests_24h,
        "expires_at": iso(key.expires_at),
        "revoked_at": iso(key.revoked_at),
    }
