"""The last successful key list of each profile, kept in the cache folder for offline
start-up. It holds what the API listed (names, prefixes, counters): never a secret."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .api import parse
from .api.errors import BadResponse
from .api.models import ApiKey, Usage
from .atomicfile import write_atomic

CACHE_VERSION = 1


@dataclass(frozen=True)
class Snapshot:
    keys: tuple[ApiKey, ...]
    usage: dict[int, tuple[int, ...]]  # key id -> 30 daily request counts, oldest first
    fetched_at: datetime
    stored: frozenset[int] = frozenset()  # keys whose secret this app kept when the list was fetched


def _key_to_json(key: ApiKey) -> dict[str, Any]:
    data = asdict(key)
    for name in ("created_at", "last_used_at", "expires_at", "revoked_at"):
        value = data[name]
        data[name] = None if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")
    data["permissions"] = list(key.permissions)
    return data


class KeyCache:
    def __init__(self, cache_dir: Path) -> None:
        self.folder = cache_dir / "keys"

    def path_for(self, profile_id: str) -> Path:
        return self.folder / f"{profile_id}.json"

    def save(self, profile_id: str, snapshot: Snapshot) -> None:
        document = {
            "version": CACHE_VERSION,
            "fetched_at": snapshot.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "keys": [_key_to_json(k) for k in snapshot.keys],
            "usage": {str(k): list(v) for k, v in snapshot.usage.items()},
            "stored": sorted(snapshot.stored),  # ids only: the secrets stay in the keychain
        }
        write_atomic(self.path_for(profile_id), json.dumps(document).encode())

    def load(self, profile_id: str) -> Snapshot | None:
        """The cached snapshot, or None when there is none or it cannot be read."""
        try:
            document = json.loads(self.path_for(profile_id).read_bytes())
            if document.get("version") != CACHE_VERSION:
                return None
            keys = tuple(parse.build_model(k, parse.api_key) for k in document["keys"])
            usage = {int(k): tuple(int(x) for x in v) for k, v in document["usage"].items()}
            fetched_at = datetime.fromisoformat(document["fetched_at"].replace("Z", "+00:00"))
            stored = frozenset(int(key_id) for key_id in document.get("stored", ()))  # none in older copies
        except (OSError, ValueError, KeyError, TypeError, AttributeError, BadResponse):
            return None  # a damaged cache is only a slower start, never an error
        return Snapshot(keys=keys, usage=usage, fetched_at=fetched_at, stored=stored)

    def forget(self, profile_id: str) -> None:
        self.path_for(profile_id).unlink(missing_ok=True)


def snapshot_now(keys: list[ApiKey], usages: list[Usage]) -> Snapshot:
    return Snapshot(keys=tuple(keys),
                    usage={u.api_key_id: tuple(d.requests for d in u.days) for u in usages},
                    fetched_at=datetime.now(UTC))
