"""The rotation engine end to end against the sandbox and the real keychain."""

from __future__ import annotations

from pathlib import Path

import pytest

from myssl_desktop.api import MysslClient
from myssl_desktop.keychain import Entry
from myssl_desktop.rotation import (
    EnvFileTarget,
    KeychainTarget,
    ManualTarget,
    RotationError,
    State,
    TargetChanged,
)
from tests.rotation.conftest import env_file
from tests.support import files_containing


def test_a_full_rotation(engine, sandbox, app_key, tmp_path: Path, services) -> None:
    path = env_file(tmp_path, app_key.secret)
    rotation = engine.plan(app_key.api_key, [EnvFileTarget.plan(path), ManualTarget("CI pipeline")],
                           quiet_period_s=0)
    assert rotation.state == State.PLANNED and "(rotated " in rotation.new_key_name
    rotation = engine.advance(rotation)
    assert rotation.state == State.CREATED and rotation.delivered == (0,)  # the checklist item waits
    new_secret = engine.new_secret(rotation)
    assert f"MYSSL_API_KEY={new_secret.reveal()}\n" in path.read_text()
    assert path.read_text().startswith("# app settings\nDEBUG=0\n") and oct(path.stat().st_mode & 0o777) == "0o640"
    rotation = engine.advance(rotation, confirmed={1})
    assert rotation.state == State.DRAINING
    assert engine.keychain.load(Entry.rotation(rotation.id, "new")) == new_secret  # kept until the end
    status = engine.drain_status(rotation)
    assert not status.used_after_delivery and status.recommend_revoke
    rotation = engine.finish(rotation)
    assert rotation.state == State.DONE
    admin = MysslClient(sandbox.base_url, sandbox.admin_key)
    assert admin.get_key(app_key.api_key.id).status == "revoked"
    assert admin.get_key(rotation.new_key_id).status == "active"
    assert engine.keychain.load(Entry.rotation(rotation.id, "new")) is None
    assert engine.keychain.load(Entry.created_key(rotation.profile_id, rotation.new_key_id)) == new_secret
    assert not list(tmp_path.glob(".env.myssl-backup-*"))
    root = services.dirs.config.parent.parent
    assert files_containing(root, new_secret.reveal()) == [] and files_containing(root, app_key.secret.reveal()) == []


def test_only_one_rotation_per_key(engine, app_key, tmp_path: Path) -> None:
    engine.plan(app_key.api_key, [])
    with pytest.raises(RotationError, match="being rotated already"):
        engine.plan(app_key.api_key, [])


def test_use_of_the_old_key_after_delivery_is_reported(engine, sandbox, app_key) -> None:
    rotation = engine.advance(engine.plan(app_key.api_key, [], quiet_period_s=600))
    assert rotation.state == State.DRAINING
    MysslClient(sandbox.base_url, app_key.secret).list_domains()  # something still uses the old key
    status = engine.drain_status(rotation)
    assert status.used_after_delivery and not status.recommend_revoke
    assert "still uses the old key" in status.summary(600)


def test_scheduled_revoke_and_later(engine, sandbox, app_key) -> None:
    rotation = engine.advance(engine.plan(app_key.api_key, [], quiet_period_s=0))
    later = engine.finish(rotation, "later")
    assert later.state == State.DRAINING and later.revoke == "later"
    done = engine.finish(later, "24h")
    assert done.state == State.DONE
    old = MysslClient(sandbox.base_url, sandbox.admin_key).get_key(app_key.api_key.id)
    assert old.status == "expiring" and old.expires_at is not None


def test_cancel_restores_targets_and_revokes_the_new_key(engine, sandbox, app_key, tmp_path: Path) -> None:
    path = env_file(tmp_path, app_key.secret)
    before = path.read_bytes()
    engine.keychain.store_external("other-app", "api", app_key.secret)
    targets = [EnvFileTarget.plan(path), KeychainTarget("other-app", "api")]
    rotation = engine.advance(engine.plan(app_key.api_key, targets))
    assert rotation.state == State.DRAINING and path.read_bytes() != before
    cancelled = engine.cancel(rotation)
    assert cancelled.state == State.CANCELLED
    assert path.read_bytes() == before and not list(tmp_path.glob(".env.myssl-backup-*"))
    assert engine.keychain.load_external("other-app", "api") == app_key.secret
    admin = MysslClient(sandbox.base_url, sandbox.admin_key)
    assert admin.get_key(rotation.new_key_id).status == "revoked"
    assert admin.get_key(app_key.api_key.id).status == "active"
    engine.keychain.delete_external("other-app", "api")


def test_a_file_changed_during_the_rotation_stops_it(engine, app_key, tmp_path: Path) -> None:
    path = env_file(tmp_path, app_key.secret)
    rotation = engine.plan(app_key.api_key, [EnvFileTarget.plan(path)])
    path.write_text(path.read_text() + "EXTRA=1\n")  # someone edits it meanwhile
    with pytest.raises(TargetChanged, match="changed since"):
        engine.advance(rotation)
    assert "EXTRA=1" in path.read_text() and app_key.secret.reveal() in path.read_text()


def test_self_rotation_switches_the_profile_before_revoking(engine, services, sandbox, signed_in) -> None:
    own = MysslClient(sandbox.base_url, sandbox.admin_key).current().api_key
    rotation = engine.plan(own, [], quiet_period_s=0)
    assert rotation.self_rotation
    rotation = engine.advance(rotation)
    profile = services.profiles.load().find(signed_in.id)
    assert profile.key_prefix == rotation.new_prefix
    assert services.signin.open(profile).current().api_key.id == rotation.new_key_id
    assert not engine.drain_status(rotation).used_after_delivery  # our own calls use the new key
    engine.finish(rotation)
    assert services.signin.open(profile).current().api_key.id == rotation.new_key_id


def test_rotating_a_revoked_key_is_refused(engine, sandbox, app_key) -> None:
    MysslClient(sandbox.base_url, sandbox.admin_key).revoke_key(app_key.api_key.id)
    revoked = MysslClient(sandbox.base_url, sandbox.admin_key).get_key(app_key.api_key.id)
    with pytest.raises(RotationError, match="revoked already"):
        engine.plan(revoked, [])


def test_a_changed_file_can_be_accepted_and_the_rotation_resumed(engine, app_key, tmp_path: Path) -> None:
    path = env_file(tmp_path, app_key.secret)
    rotation = engine.plan(app_key.api_key, [EnvFileTarget.plan(path)], quiet_period_s=0)
    path.write_text(path.read_text() + "EXTRA=1\n")
    with pytest.raises(TargetChanged):
        engine.advance(rotation)
    rotation = engine.advance(engine.accept_changed_files(engine.store.load(rotation.id)))
    assert rotation.state == State.DRAINING
    assert "EXTRA=1" in path.read_text() and engine.new_secret(rotation).reveal() in path.read_text()
