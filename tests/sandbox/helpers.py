"""Helpers for the sandbox tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support import FakeClock, random_secret  # noqa: F401 - re-exported for the sandbox tests

# 2025-01-15T10:30:00Z, a Wednesday: tests know which UTC day "today" is.
START = 1_736_937_000.0
TODAY = "2025-01-15"


def unknown_secret() -> str:
    """Well formed, known to no server."""
    return random_secret()


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def create(client: httpx.Client, name: str = "Test key", **body: Any) -> dict[str, Any]:
    """Create a key over HTTP; returns the 201 body ({"api_key": ..., "secret": ...})."""
    response = client.post("/api-keys", json={"name": name, **body})
    assert response.status_code == 201, response.text
    return response.json()


RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset",
                "X-Daily-Limit", "X-Daily-Remaining")


def iso(ts: float) -> str:
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(ts)))


AUTH_REQUIRED = {"error": "Authentication required",
                 "message": "Please provide a valid API key in the Authorization header"}
INVALID_KEY = {"error": "Invalid API key",
               "message": "The provided API key is invalid or has been revoked"}
ACCESS_DENIED = {"error": "Access denied",
                 "message": "Your API key doesn't have permission for this resource"}
