"""The offline copy of a profile's key list: what it keeps, and older copies still read."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from myssl_desktop.api.models import ApiKey
from myssl_desktop.keycache import KeyCache, Snapshot

WHEN = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def key(key_id: int) -> ApiKey:
    return ApiKey(id=key_id, name=f"Key {key_id}", prefix=f"myssl_k_ab{key_id:02d}", permissions=("domains:read",),
                  status="active", created_at=WHEN, last_used_at=None, request_count=0, requests_24h=0,
                  expires_at=None, revoked_at=None)


def test_the_copy_keeps_which_keys_had_a_secret_in_the_keychain(tmp_path: Path) -> None:
    cache = KeyCache(tmp_path)
    cache.save("p1", Snapshot(keys=(key(1), key(2)), usage={1: (3, 4)}, fetched_at=WHEN, stored=frozenset({2})))
    loaded = cache.load("p1")
    assert loaded is not None and loaded.stored == frozenset({2}) and loaded.keys == (key(1), key(2))
    assert json.loads(cache.path_for("p1").read_text())["stored"] == [2]  # ids, never a secret


def test_a_copy_written_before_it_kept_them_marks_none(tmp_path: Path) -> None:
    cache = KeyCache(tmp_path)
    cache.save("p1", Snapshot(keys=(key(1),), usage={}, fetched_at=WHEN, stored=frozenset({1})))
    document = json.loads(cache.path_for("p1").read_text())
    del document["stored"]
    cache.path_for("p1").write_text(json.dumps(document))
    loaded = cache.load("p1")
    assert loaded is not None and loaded.keys == (key(1),) and loaded.stored == frozenset()
