"""Secrets, their hashes and permissions: the vocabulary of an API key."""

from __future__ import annotations

import hashlib
import re
import secrets
import string
from collections.abc import Iterable

SECRET_PREFIX = "myssl_k_"
SECRET_ALPHABET = string.ascii_lowercase + string.digits
SECRET_RANDOM_CHARS = 40
PREFIX_LENGTH = 12  # "myssl_k_" + 4: enough to recognise a key, never to use it

# The documented key form; anything else is "Authentication required", not "Invalid API key".
KEY_FORM = re.compile(r"myssl_k_[A-Za-z0-9]+")

# Order matters: responses list permissions in this order (the ApiKey table of the contract).
PERMISSIONS: tuple[str, ...] = (
    "domains:read",
    "domains:write",
    "scans:write",
    "billing:read",
    "keys:read",
    "keys:manage",
)


def new_secret() -> str:
    """A fresh secret from the OS CSPRNG."""
    return SECRET_PREFIX + "".join(
        secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_RANDOM_CHARS)
    )


def fast_secrets(count: int) -> list[str]:
    """Many secrets at once, for bulk benchmark data (a slight modulo bias is harmless there)."""
    raw = secrets.token_bytes(count * SECRET_RANDOM_CHARS)
    alphabet = SECRET_ALPHABET
    out = []
    for i in range(count):
        chunk = raw[i * SECRET_RANDOM_CHARS:(i + 1) * SECRET_RANDOM_CHARS]
        out.append(SECRET_PREFIX + "".join(alphabet[b % 36] for b in chunk))
    return out


def hash_secret(secret: str) -> str:
    """Only this hash is stored; the secret itself is shown once and forgotten."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def prefix_of(secret: str) -> str:
    return secret[:PREFIX_LENGTH]


def canonical_permissions(permissions: Iterable[str]) -> list[str]:
    """Deduplicate and sort into the documented order. Unknown names raise ValueError."""
    wanted = set(permissions)
    unknown = wanted.difference(PERMISSIONS)
    if unknown:
        raise ValueError(f"unknown permission {sorted(unknown)[0]!r}")
    return [p for p in PERMISSIONS if p in wanted]


def encode_permissions(permissions: Iterable[str]) -> str:
    return ",".join(canonical_permissions(permissions))


def decode_permissions(stored: str) -> list[str]:
    return [p for p in stored.split(",") if p]
