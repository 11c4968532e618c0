"""Keys as the CLI's JSON shows them: every field, times in UTC as 2026-12-04T20:00:00Z."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..api.models import ApiKey


def timestamp(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def key_json(key: ApiKey) -> dict[str, Any]:
    return {"id": key.id, "name": key.name, "prefix": key.prefix, "permissions": list(key.permissions),
            "status": key.status, "created_at": timestamp(key.created_at),
            "last_used_at": timestamp(key.last_used_at), "request_count": key.request_count,
            "requests_24h": key.requests_24h, "expires_at": timestamp(key.expires_at),
            "revoked_at": timestamp(key.revoked_at)}
