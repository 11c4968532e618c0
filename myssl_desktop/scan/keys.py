"""Which of the account's keys a hit is: hits carry the 12-character prefix MySSL shows."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from .model import Hit

KeyId = TypeVar("KeyId", bound=Hashable)


@dataclass(frozen=True)
class KeyMatches(Generic[KeyId]):
    """`by_key`: each key id with the hits of its prefix (only keys with hits are in it).
    `unknown`: hits whose prefix no key has (another account's key, or a deleted one)."""

    by_key: dict[KeyId, tuple[Hit, ...]]
    unknown: tuple[Hit, ...]


def match_keys(hits: Iterable[Hit], keys: Iterable[tuple[KeyId, str]]) -> KeyMatches[KeyId]:
    """Match hits to `(key id, prefix)` pairs. Two keys can share a prefix (it has four
    random characters); a hit of such a prefix is listed under each of them."""
    ids_by_prefix: dict[str, list[KeyId]] = {}
    for key_id, prefix in keys:
        ids_by_prefix.setdefault(prefix, []).append(key_id)
    by_key: dict[KeyId, list[Hit]] = {}
    unknown: list[Hit] = []
    for hit in hits:
        ids = ids_by_prefix.get(hit.prefix)
        if not ids:
            unknown.append(hit)
        for key_id in ids or ():
            by_key.setdefault(key_id, []).append(hit)
    return KeyMatches(by_key={k: tuple(v) for k, v in by_key.items()}, unknown=tuple(unknown))
