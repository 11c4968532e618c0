from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from myssl_desktop.profiles import SCHEMA_VERSION, Profile, ProfilesError, ProfileStore


def test_profiles_round_trip_and_remember_the_last(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    work = Profile.new("Work", environment="staging")
    home = Profile.new("Home", "http://127.0.0.1:1/api/v1", "development")
    store.put(work)
    store.put(home)
    state = store.load()
    assert [p.name for p in state.profiles] == ["Work", "Home"]
    assert state.last == home
    assert store.select(work.id).last == work
    assert store.load().find("Home") == home
    store.remove(work.id)
    assert store.load().last is None and [p.name for p in store.load().profiles] == ["Home"]
    document = json.loads(store.path.read_text())
    assert document["schema_version"] == SCHEMA_VERSION


def test_put_replaces_a_profile_in_place(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    first, second = Profile.new("A"), Profile.new("B")
    store.put(first)
    store.put(second)
    from dataclasses import replace

    store.put(replace(first, tier="pro"))
    assert [(p.name, p.tier) for p in store.load().profiles] == [("A", "pro"), ("B", "")]


def test_version_1_files_are_migrated(tmp_path: Path) -> None:
    (tmp_path / "profiles.json").write_text(json.dumps({
        "schema_version": 1, "last_profile_id": "abc",
        "profiles": [{"id": "abc", "name": "Old", "base_url": "https://myssl.info/api/v1",
                      "environment": "production", "key_prefix": "myssl_k_ab12", "key_name": "K",
                      "tier": "pro", "last_sign_in": None}]}))
    profile = ProfileStore(tmp_path).load().last
    assert profile is not None and profile.rotation_policy_days == 90 and profile.access == "full"


def test_a_newer_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "profiles.json"
    path.write_text(json.dumps({"schema_version": SCHEMA_VERSION + 1, "profiles": []}))
    before = path.read_bytes()
    with pytest.raises(ProfilesError, match="newer"):
        ProfileStore(tmp_path).load()
    assert path.read_bytes() == before


def test_a_damaged_file_is_moved_aside_not_lost(tmp_path: Path) -> None:
    (tmp_path / "profiles.json").write_text('{"schema_version": 2, "profiles": [')
    with pytest.raises(ProfilesError, match="moved aside"):
        ProfileStore(tmp_path).load()
    kept = list(tmp_path.glob("profiles.json.unreadable-*"))
    assert len(kept) == 1 and kept[0].read_text().startswith('{"schema_version"')
    assert ProfileStore(tmp_path).load().profiles == ()


GOOD = {"id": "abc", "name": "Work", "base_url": "https://myssl.info/api/v1"}


@pytest.mark.parametrize(("version", "document"), [
    (SCHEMA_VERSION, {"profiles": None}),
    (1, {"profiles": None}),  # the migrations meet it first
    (SCHEMA_VERSION, {"profiles": {"abc": GOOD}}),
    (SCHEMA_VERSION, {"profiles": [1]}),
    (2, {"profiles": ["Work"]}),
    (SCHEMA_VERSION, {"profiles": [{"name": "Work"}]}),  # no id
    (SCHEMA_VERSION, {"profiles": [{**GOOD, "name": None}]}),
    (SCHEMA_VERSION, {"profiles": [{**GOOD, "base_url": 443}]}),
    (SCHEMA_VERSION, {"profiles": [{**GOOD, "rotation_policy_days": "90"}]}),
    (SCHEMA_VERSION, {"profiles": [{**GOOD, "rotation_policy_days": True}]}),
    (SCHEMA_VERSION, {"profiles": [GOOD], "last_profile_id": 7}),
], ids=lambda value: json.dumps(value) if isinstance(value, dict) else str(value))
def test_a_file_of_the_wrong_shape_is_moved_aside_like_a_damaged_one(tmp_path: Path, version: int,
                                                                     document: dict[str, object]) -> None:
    text = json.dumps({"schema_version": version, **document})
    (tmp_path / "profiles.json").write_text(text)
    with pytest.raises(ProfilesError, match="damaged and has been moved aside"):
        ProfileStore(tmp_path).load()
    [kept] = tmp_path.glob("profiles.json.unreadable-*")
    assert kept.read_text() == text
    assert ProfileStore(tmp_path).load().profiles == ()


def test_unknown_fields_and_a_missing_last_profile_are_fine(tmp_path: Path) -> None:
    (tmp_path / "profiles.json").write_text(json.dumps({
        "schema_version": SCHEMA_VERSION, "profiles": [{**GOOD, "added_by_a_later_version": [1, 2]}]}))
    state = ProfileStore(tmp_path).load()
    assert state.last is None and state.profiles[0].name == "Work" and state.profiles[0].last_sign_in is None


@pytest.mark.posix  # permission bits
def test_writes_are_atomic_and_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = ProfileStore(tmp_path)
    store.put(Profile.new("A"))
    assert oct(store.path.stat().st_mode & 0o777) == "0o600"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["profiles.json", "profiles.json.lock"]  # no temp file

    def crash(*args: object) -> None:  # the machine dies between writing and renaming
        raise OSError("simulated crash")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        store.put(Profile.new("B"))
    monkeypatch.undo()
    assert [p.name for p in store.load().profiles] == ["A"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["profiles.json", "profiles.json.lock"]


def test_unknown_environment_is_refused() -> None:
    with pytest.raises(ValueError):
        Profile.new("x", environment="prod")


def test_modify_changes_the_stored_profile_not_a_stale_copy(tmp_path: Path) -> None:
    from dataclasses import replace

    store = ProfileStore(tmp_path)
    stale = Profile.new("A")
    store.put(stale)
    store.put(replace(stale, tier="pro"))  # someone else changed it meanwhile
    changed = store.modify(stale.id, lambda p: replace(p, key_name="New key"))
    assert changed is not None and (changed.tier, changed.key_name) == ("pro", "New key")
    assert store.load().find("A") == changed
    assert store.modify("missing", lambda p: p) is None
