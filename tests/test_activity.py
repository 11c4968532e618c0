"""The activity log and the exports: what is kept (never a secret), two writers at once, a line
cut short, the rollover, and CSV a spreadsheet cannot be tricked by."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from myssl_desktop import activity as activity_module
from myssl_desktop.activity import COLUMNS, ActivityLog, activity_rows
from myssl_desktop.api import MysslClient
from myssl_desktop.api.models import ApiKey
from myssl_desktop.export import KEY_COLUMNS, key_rows, render, to_csv
from myssl_desktop.keyactions import KeyActions, OwnKeyRefused
from myssl_desktop.keychain import Keychain
from myssl_desktop.profiles import Profile
from myssl_desktop.sandbox import Sandbox
from tests.support import files_containing, random_secret


def test_an_entry_keeps_only_a_prefix_of_any_key_shaped_text(tmp_path: Path) -> None:
    log = ActivityLog(tmp_path)
    secret = random_secret()
    log.record("Work", "create", key_name=f"named {secret}", key_prefix=secret, key_id=7,
               outcome=f"failed with {secret}", detail=secret)
    [entry] = log.entries()
    assert entry.key_prefix == secret[:12] and entry.key_id == 7 and not entry.succeeded
    assert files_containing(tmp_path, secret) == []
    assert (tmp_path / "activity.jsonl").stat().st_mode & 0o077 == 0


WRITER = """
import sys
from pathlib import Path
from myssl_desktop.activity import ActivityLog
log = ActivityLog(Path(sys.argv[1]))
for n in range(int(sys.argv[3])):
    log.record("p", "rename", key_name=f"{sys.argv[2]}-{n}", detail="x" * 300)
"""


def test_two_processes_appending_at_once_lose_and_tear_nothing(tmp_path: Path) -> None:
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), name, "200"]) for name in "ab"]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    names = [e.key_name for e in ActivityLog(tmp_path).entries()]
    assert len(names) == 400 and len(set(names)) == 400
    assert all(len(line) > 300 for line in (tmp_path / "activity.jsonl").read_text().splitlines())


def test_a_line_cut_short_by_a_power_cut_is_skipped_and_the_log_goes_on(tmp_path: Path) -> None:
    log = ActivityLog(tmp_path)
    log.record("p", "revoke", key_name="first")
    with (tmp_path / "activity.jsonl").open("ab") as handle:
        handle.write(b'{"at":"2026-12-04T10:00:00Z","profile":"p","act')  # the crash came mid-write
    log.record("p", "revoke", key_name="after")
    assert [e.key_name for e in log.entries()] == ["first", "after"]


def test_a_full_log_moves_aside_and_both_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(activity_module, "MAX_BYTES", 1_000)
    log = ActivityLog(tmp_path)
    for n in range(12):
        log.record("p", "rename", key_name=f"k{n}", detail="y" * 100)
    assert (tmp_path / "activity.1.jsonl").exists()
    names = [e.key_name for e in log.entries()]
    assert names[-1] == "k11" and names == sorted(names, key=lambda n: int(n[1:]))  # oldest first, in order


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_kept_as_text() -> None:
    rows = [{"name": "=HYPERLINK(\"http://evil\")", "n": 3}, {"name": "+1", "n": None}, {"name": "plain", "n": 0}]
    parsed = list(csv.reader(io.StringIO(to_csv(rows, ("name", "n")))))
    assert parsed == [["name", "n"], ["'=HYPERLINK(\"http://evil\")", "3"], ["'+1", ""], ["plain", "0"]]
    assert json.loads(render(rows, ("name", "n"), ".json")) == rows


def key(**changes: object) -> ApiKey:
    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    base = dict(id=1, name="Build", prefix="myssl_k_ab12", permissions=("domains:read", "keys:read"),
                status="active", created_at=now, last_used_at=None, request_count=0, requests_24h=0,
                expires_at=None, revoked_at=None)
    base.update(changes)
    return ApiKey(**base)  # type: ignore[arg-type]


def test_the_key_list_export_has_every_column_and_no_secret() -> None:
    rows = key_rows([key(), key(id=2, name="Old", status="revoked",
                                revoked_at=datetime(2026, 12, 1, 8, 0, tzinfo=UTC))], lambda k: ("stale",))
    assert set(rows[0]) == set(KEY_COLUMNS)
    assert rows[0]["permissions"] == "domains:read keys:read" and rows[0]["last_used_at"] is None
    assert rows[1]["revoked_at"] == "2026-12-01T08:00:00Z" and rows[1]["flags"] == "stale"
    parsed = list(csv.DictReader(io.StringIO(render(rows, KEY_COLUMNS, ".CSV"))))
    assert parsed[1]["name"] == "Old" and parsed[0]["prefix"] == "myssl_k_ab12"


def test_key_actions_note_what_they_did_and_how_it_ended(tmp_path: Path, sandbox: Sandbox) -> None:
    log = ActivityLog(tmp_path)
    profile = Profile.new("Work", sandbox.base_url)
    client = MysslClient(sandbox.base_url, sandbox.admin_key)
    own = client.current().api_key
    actions = KeyActions(client, Keychain(activity_module_demo_keyring()), profile, own_key_prefix=own.prefix,
                         activity=log)
    new = actions.create("Deploy bot", ["domains:read"])
    actions.rename(new.api_key, "Deploy bot 2")
    with pytest.raises(OwnKeyRefused):
        actions.revoke(own)
    actions.revoke(new.api_key)
    entries = log.entries()
    assert [(e.action, e.key_name, e.succeeded) for e in entries] == [
        ("create", "Deploy bot", True), ("rename", "Deploy bot", True), ("revoke", own.name, False),
        ("revoke", "Deploy bot", True)]
    assert entries[0].key_id == new.api_key.id and entries[0].key_prefix == new.api_key.prefix
    assert entries[1].detail == "to “Deploy bot 2”" and "signs in with" in entries[2].outcome
    assert files_containing(tmp_path, new.secret.reveal()) == []
    assert activity_rows(entries)[0].keys() == set(COLUMNS)


def test_an_unwritable_log_never_stops_an_action(tmp_path: Path, sandbox: Sandbox) -> None:
    blocked = tmp_path / "data"
    blocked.write_text("a file where the folder should be")
    actions = KeyActions(MysslClient(sandbox.base_url, sandbox.admin_key), Keychain(activity_module_demo_keyring()),
                         Profile.new("Work", sandbox.base_url), activity=ActivityLog(blocked))
    assert actions.create("Still made", ["domains:read"]).stored


def activity_module_demo_keyring():  # noqa: ANN201 - the in-memory keyring the unit tests share
    from myssl_desktop.keychain import DemoKeyring

    return DemoKeyring()
