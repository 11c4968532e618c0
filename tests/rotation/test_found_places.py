"""Turning the files a scan found a key in into the places a rotation updates."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from myssl_desktop.rotation import EnvFileTarget, ManualTarget
from myssl_desktop.rotation.found_places import places_of
from myssl_desktop.scan import scan
from tests.support import random_secret


def test_each_variable_holding_the_key_is_a_place_and_other_files_are_checklist_items(tmp_path: Path) -> None:
    key, other = random_secret(), random_secret()
    env = tmp_path / "app" / ".env"
    env.parent.mkdir()
    env.write_text(f"# app\nexport MYSSL_API_KEY=\"{key}\"\nOTHER={other}\nBACKUP_KEY='{key}'\n")
    ci = tmp_path / "ci.yml"
    ci.write_text(f"env:\n  MYSSL_API_KEY: {key}\n  AGAIN: {key}\n")
    changed = tmp_path / "changed.env"
    changed.write_text(f"MYSSL_API_KEY={key}\n")
    gone = tmp_path / "gone.env"
    gone.write_text(f"MYSSL_API_KEY={key}\n")
    hits = scan([tmp_path]).hits
    changed.write_text("MYSSL_API_KEY=\n")  # edited since the scan
    gone.unlink()

    places = places_of(hits, key[:12])

    assert sorted(places, key=lambda t: t.label) == sorted([
        EnvFileTarget(str(env), "MYSSL_API_KEY"), EnvFileTarget(str(env), "BACKUP_KEY"),
        ManualTarget(f"Replace the key in {ci} (lines 2, 3) by hand")], key=lambda t: t.label)
    assert places_of(hits, other[:12]) == [EnvFileTarget(str(env), "OTHER")]
    assert places_of(hits, random_secret()[:12]) == []
    in_a_commit = [replace(hit, commit="a" * 40, pushed=False, repository=tmp_path) for hit in hits]
    assert places_of(in_a_commit, key[:12]) == []  # a commit is no place: it cannot be changed
