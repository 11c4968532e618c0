"""The rotation state machine end to end against the sandbox and the real keychain: the main
path, names, choices about the old key, failures in every step, and cancel at every step."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from myssl_desktop.api import ApiError, ConnectionPool, MysslClient, RetryPolicy, Secret
from myssl_desktop.keychain import Entry
from myssl_desktop.profiles import Profile
from myssl_desktop.revoke_when import RevokeWhen
from myssl_desktop.rotation import (
    EnvFileTarget,
    Finished,
    KeychainTarget,
    ManualTarget,
    NeedsUser,
    Progress,
    RotationError,
    RotationMachine,
    State,
    Waiting,
    WaitingForTicks,
)
from myssl_desktop.rotation.envfile import lookup
from myssl_desktop.rotation.runner import advance_all
from myssl_desktop.sandbox import Sandbox
from tests.rotation.conftest import NO_SLEEP, env_file
from tests.support import FakeClock, LoseAnswers, files_containing


def plan(machine: RotationMachine, profile: Profile, key, targets=(), **options):  # noqa: ANN001, ANN201
    return machine.plan(profile, key, list(targets), **{"quiet_period_s": 0, **options})


def test_a_full_rotation(machine, sandbox, signed_in, app_key, tmp_path: Path, services) -> None:
    path = env_file(tmp_path, app_key.secret)
    rotation = plan(machine, signed_in, app_key.api_key, [EnvFileTarget.at(path), ManualTarget("CI pipeline")])
    assert rotation.state == State.PLANNED and rotation.new_key_name == "Production Server (new)"
    outcome = machine.run(rotation.id)
    assert isinstance(outcome, NeedsUser) and outcome.problem == WaitingForTicks((1,))  # the checklist item waits
    rotation = outcome.rotation
    assert rotation.state == State.CREATED and rotation.delivered == (0,)
    new_secret = machine.new_secret(rotation)
    assert path.read_text() == f"# app settings\nDEBUG=0\nMYSSL_API_KEY={new_secret.reveal()}\n"
    assert oct(path.stat().st_mode & 0o777) == "0o640"
    outcome = machine.run(rotation.id, ticked={1})
    assert isinstance(outcome, Finished) and outcome.rotation.state == State.DONE, outcome
    admin = MysslClient(sandbox.base_url, sandbox.admin_key)
    assert admin.get_key(app_key.api_key.id).status == "revoked"
    new = admin.get_key(outcome.rotation.new_key_id)
    assert new.status == "active" and new.name == "Production Server"  # the name is kept
    assert services.keychain.load(Entry.rotation(rotation.id, "new")) is None
    assert services.keychain.load(Entry.created_key(signed_in.id, new.id)) == new_secret
    root = services.dirs.config.parent.parent
    assert files_containing(root, new_secret.reveal()) == [] and files_containing(root, app_key.secret.reveal()) == []
    noted = [(e.action, e.key_name, e.profile) for e in services.activity.entries()]
    assert noted == [(f"rotate: {what}", "Production Server", "Work") for what in (
        "planned", "new key created, its secret kept in the keychain", "new key delivered to every place",
        "new key verified with MySSL", "began watching the old key fall silent", "old key revoked", "finished")]
    details = [e.detail for e in services.activity.entries()]
    assert details[0] == "to “Production Server (new)”, 2 places"
    assert details[1] == f"new key {outcome.rotation.new_prefix}…"  # as the Key column shows a prefix


def test_a_name_never_grows_more_than_one_suffix(machine, sandbox, signed_in, app_key) -> None:
    rotation = plan(machine, signed_in, app_key.api_key, revoke=RevokeWhen.IN_24H)
    outcome = machine.run(rotation.id)
    assert isinstance(outcome, Waiting) and outcome.rotation.state == State.SCHEDULED
    admin = MysslClient(sandbox.base_url, sandbox.admin_key)
    new = admin.get_key(outcome.rotation.new_key_id)
    assert new.name == "Production Server (new)"  # the old key still exists (expiring)
    again = plan(machine, signed_in, new)
    assert again.new_key_name == "Production Server (new)"  # not "(new) (new)"


def test_only_one_rotation_per_key(machine, signed_in, app_key) -> None:
    plan(machine, signed_in, app_key.api_key)
    with pytest.raises(RotationError, match="being rotated already"):
        plan(machine, signed_in, app_key.api_key)


def test_use_of_the_old_key_after_delivery_keeps_it_waiting(machine, sandbox, signed_in, app_key) -> None:
    rotation = plan(machine, signed_in, app_key.api_key, quiet_period_s=600)
    outcome = machine.run(rotation.id)
    assert isinstance(outcome, Waiting) and outcome.rotation.state == State.DRAINING
    MysslClient(sandbox.base_url, app_key.secret).list_domains()  # something still uses the old key
    outcome = machine.step(rotation.id)
    assert isinstance(outcome, Waiting) and outcome.drain is not None and outcome.drain.used_after_delivery
    assert "still uses the old key" in outcome.reason and 0 < outcome.retry_in_s <= 600


def test_an_old_key_revoked_by_hand_while_in_use_is_noted_as_such(machine, services, sandbox, signed_in, app_key,
                                                                     tmp_path: Path) -> None:
    rotation = plan(machine, signed_in, app_key.api_key, [EnvFileTarget.at(env_file(tmp_path, app_key.secret))],
                    quiet_period_s=600)
    assert isinstance(machine.run(rotation.id), Waiting)
    MysslClient(sandbox.base_url, app_key.secret).list_domains()  # something still uses the old key
    MysslClient(sandbox.base_url, sandbox.admin_key).revoke_key(app_key.api_key.id)  # revoked by hand
    outcome = machine.run(rotation.id)
    assert isinstance(outcome, Finished) and outcome.rotation.state == State.DONE
    noted = {e.action: e.detail for e in services.activity.entries()}
    assert "rotate: old key revoked" not in noted  # this rotation did not revoke it
    assert "while something still used it" in noted["rotate: old key found revoked, not by this rotation"]
    assert noted["rotate: planned"] == "to “Production Server (new)”, 1 place"


def test_finish_later_then_choose_when(machine, sandbox, signed_in, app_key) -> None:
    rotation = plan(machine, signed_in, app_key.api_key, revoke=RevokeWhen.LATER)
    outcome = machine.run(rotation.id)
    assert isinstance(outcome, Waiting) and outcome.retry_in_s is None  # only the user moves it on
    assert isinstance(machine.step(rotation.id), Waiting)  # asking again changes nothing
    machine.set_revoke(rotation.id, RevokeWhen.NOW)
    assert isinstance(machine.run(rotation.id), Finished)
    assert MysslClient(sandbox.base_url, sandbox.admin_key).get_key(app_key.api_key.id).status == "revoked"


def test_finish_now_revokes_before_the_quiet_period(machine, sandbox, signed_in, app_key) -> None:
    rotation = plan(machine, signed_in, app_key.api_key, quiet_period_s=3600)
    assert isinstance(machine.run(rotation.id), Waiting)
    outcome = machine.finish_now(rotation.id, RevokeWhen.IN_7D)
    assert isinstance(outcome, Progress) and outcome.rotation.state == State.SCHEDULED
    old = MysslClient(sandbox.base_url, sandbox.admin_key).get_key(app_key.api_key.id)
    assert old.status == "expiring" and old.expires_at is not None


def test_a_scheduled_revoke_finishes_when_the_old_key_expires(services, signed_in) -> None:
    clock = FakeClock()
    with Sandbox(tier="enterprise", clock=clock) as sb:
        profile, _ = services.signin.sign_in(Profile.new("Clocked", sb.base_url), Secret(sb.admin_key))
        app = MysslClient(sb.base_url, sb.admin_key).create_key("App", ["domains:read"])
        machine = services.rotations
        machine.clock = lambda: datetime.fromtimestamp(clock(), UTC)  # the sandbox's time
        rotation = machine.plan(profile, app.api_key, [], quiet_period_s=0, revoke=RevokeWhen.IN_1H)
        outcome = machine.run(rotation.id)
        assert isinstance(outcome, Waiting) and outcome.rotation.state == State.SCHEDULED
        clock.advance(3601)  # the old key expires
        outcome = machine.run(rotation.id)
        assert isinstance(outcome, Finished) and outcome.rotation.state == State.DONE
        assert MysslClient(sb.base_url, sb.admin_key).get_key(outcome.rotation.new_key_id).name == "App"


def test_cancel_restores_targets_and_revokes_the_new_key(machine, sandbox, signed_in, app_key,
                                                          tmp_path: Path) -> None:
    path = env_file(tmp_path, app_key.secret)
    before = path.read_bytes()
    machine.keychain.store_external("other-app", "api", app_key.secret)
    try:
        targets = [EnvFileTarget.at(path), KeychainTarget("other-app", "api")]
        rotation = plan(machine, signed_in, app_key.api_key, targets, quiet_period_s=600)
        assert machine.run(rotation.id).rotation.state == State.DRAINING and path.read_bytes() != before
        cancelled = machine.cancel(rotation.id)
        assert isinstance(cancelled, Finished) and cancelled.rotation.state == State.CANCELLED
        assert path.read_bytes() == before
        assert machine.keychain.load_external("other-app", "api") == app_key.secret
        admin = MysslClient(sandbox.base_url, sandbox.admin_key)
        assert admin.get_key(cancelled.rotation.new_key_id).status == "revoked"
        assert admin.get_key(app_key.api_key.id).status == "active"
    finally:
        machine.keychain.delete_external("other-app", "api")


def test_an_added_variable_is_removed_again_by_cancel(machine, signed_in, app_key, tmp_path: Path) -> None:
    path = tmp_path / "app.env"
    path.write_text("DEBUG=1\n")
    rotation = plan(machine, signed_in, app_key.api_key, [EnvFileTarget.at(path)], quiet_period_s=600)
    machine.run(rotation.id)
    assert lookup(path.read_bytes(), "MYSSL_API_KEY").value is not None
    machine.cancel(rotation.id)
    assert path.read_text() == "DEBUG=1\n"


def test_self_rotation_switches_the_profile_before_revoking(machine, services, sandbox, signed_in) -> None:
    own = MysslClient(sandbox.base_url, sandbox.admin_key).current().api_key
    rotation = plan(machine, signed_in, own, quiet_period_s=600)
    assert rotation.self_rotation and rotation.switch_profiles == (signed_in.id,)
    outcome = machine.run(rotation.id)
    assert isinstance(outcome, Waiting) and not outcome.drain.used_after_delivery  # our calls use the new key
    profile = services.profiles.load().find(signed_in.id)
    assert profile.key_prefix == outcome.rotation.new_prefix
    assert services.signin.open(profile).current().api_key.id == outcome.rotation.new_key_id
    machine.finish_now(rotation.id, RevokeWhen.NOW)
    assert isinstance(machine.run(rotation.id), Finished)
    assert services.signin.open(profile).current().api_key.id == outcome.rotation.new_key_id


def test_rotating_a_revoked_key_is_refused(machine, sandbox, signed_in, app_key) -> None:
    MysslClient(sandbox.base_url, sandbox.admin_key).revoke_key(app_key.api_key.id)
    revoked = MysslClient(sandbox.base_url, sandbox.admin_key).get_key(app_key.api_key.id)
    with pytest.raises(RotationError, match="revoked already"):
        plan(machine, signed_in, revoked)


def test_the_runner_finishes_every_rotation_in_progress(machine, services, sandbox, signed_in, app_key) -> None:
    second = MysslClient(sandbox.base_url, sandbox.admin_key).create_key("CI", ["domains:read"])
    first = plan(machine, signed_in, app_key.api_key)
    other = plan(machine, signed_in, second.api_key, revoke=RevokeWhen.LATER)
    reports, damaged = advance_all(machine)
    by_id = {r.rotation_id: r for r in reports}
    assert by_id[first.id].finished and not damaged
    assert isinstance(by_id[other.id].outcome, Waiting) and by_id[other.id].retry_in_s is None
    assert machine.load(first.id).state == State.DONE and machine.load(other.id).state == State.DRAINING


# --- failures in every step ----------------------------------------------------------------

STEPS = [State.PLANNED, State.CREATED, State.DELIVERED, State.DRAINING]


def run_until(machine: RotationMachine, rotation_id: str, state: State) -> None:
    while machine.load(rotation_id).state != state:
        machine.step(rotation_id)


@pytest.mark.parametrize("kind", ["reset", "503", "truncated"])
@pytest.mark.parametrize("state", STEPS)
def test_a_failure_in_a_step_then_resume(state: State, kind: str, machine, sandbox, signed_in, app_key,
                                         tmp_path: Path) -> None:
    path = env_file(tmp_path, app_key.secret)
    rotation = plan(machine, signed_in, app_key.api_key, [EnvFileTarget.at(path)])
    run_until(machine, rotation.id, state)
    sandbox.set_faults(fail_rate=1.0, kinds=[kind])
    with pytest.raises(ApiError):
        machine.step(rotation.id)
    sandbox.set_faults(fail_rate=0.0)
    outcome = machine.run(rotation.id)  # as after a restart: the journal says where it was
    assert isinstance(outcome, Finished) and outcome.rotation.state == State.DONE
    admin = MysslClient(sandbox.base_url, sandbox.admin_key)
    live = [k for k in admin.all_keys() if k.name.startswith("Production Server") and k.status == "active"]
    assert [k.id for k in live] == [outcome.rotation.new_key_id]  # no stray key from a lost answer
    assert admin.get_key(app_key.api_key.id).status == "revoked"
    assert lookup(path.read_bytes(), "MYSSL_API_KEY").value.startswith(outcome.rotation.new_prefix)


@pytest.mark.parametrize("state", STEPS)
def test_rate_limited_in_a_step_then_resume(state: State, services) -> None:
    from myssl_desktop.api import RateLimited

    clock = FakeClock()
    with Sandbox(tier="free", clock=clock) as sb:
        profile, _ = services.signin.sign_in(Profile.new("Free", sb.base_url), Secret(sb.admin_key))
        app = MysslClient(sb.base_url, sb.admin_key).create_key("App", ["domains:read"])
        machine = services.rotations
        machine._connect = lambda base_url, secret: MysslClient(base_url, secret, retry=RetryPolicy(attempts=1))
        rotation = machine.plan(profile, app.api_key, [], quiet_period_s=0)
        run_until(machine, rotation.id, state)
        clock.advance(61)
        # the window is per key: the verify step speaks with the new key too
        for secret in (Secret(sb.admin_key), *([machine.new_secret(machine.load(rotation.id))]
                                               if state == State.DELIVERED else [])):
            busy = MysslClient(sb.base_url, secret, retry=RetryPolicy(attempts=1))
            while busy.rate_limit is None or busy.rate_limit.minute_remaining > 0:
                busy.current()
        with pytest.raises(RateLimited) as caught:
            machine.step(rotation.id)
        assert caught.value.retry_after >= 1
        clock.advance(61)  # the window passes
        outcome = machine.run(rotation.id)
        assert isinstance(outcome, Finished) and outcome.rotation.state == State.DONE


@pytest.mark.parametrize("state", [State.PLANNED, State.CREATED, State.DRAINING])
def test_cancel_at_every_step_before_revoke(state: State, machine, sandbox, signed_in, app_key,
                                            tmp_path: Path) -> None:
    path = env_file(tmp_path, app_key.secret)
    before = path.read_bytes()
    rotation = plan(machine, signed_in, app_key.api_key, [EnvFileTarget.at(path)], quiet_period_s=600)
    run_until(machine, rotation.id, state)
    cancelled = machine.cancel(rotation.id)
    assert cancelled.rotation.state == State.CANCELLED and path.read_bytes() == before
    admin = MysslClient(sandbox.base_url, sandbox.admin_key)
    assert not [k for k in admin.all_keys() if k.name == rotation.new_key_name and k.status != "revoked"]
    assert admin.get_key(app_key.api_key.id).status == "active"
    assert machine.keychain.load(Entry.rotation(rotation.id, "new")) is None


def test_a_create_whose_answer_was_lost_makes_no_second_key(machine, sandbox, signed_in, app_key) -> None:
    rotation = plan(machine, signed_in, app_key.api_key)
    lossy = ConnectionPool(transport=LoseAnswers(("POST",), count=1))  # MySSL creates the key; its answer is lost
    machine._connect = lambda base_url, secret: MysslClient(base_url, secret, pool=lossy, retry=NO_SLEEP)
    with pytest.raises(ApiError):
        machine.step(rotation.id)
    assert isinstance(machine.run(rotation.id), Finished)
    admin = MysslClient(sandbox.base_url, sandbox.admin_key)
    made = [k for k in admin.all_keys() if k.name.startswith("Production Server") and k.id != app_key.api_key.id]
    assert sorted(k.status for k in made) == ["active", "revoked"]  # the lost one revoked, one new key in use


def test_cancel_after_the_old_key_is_revoked_is_refused(machine, signed_in, app_key) -> None:
    rotation = plan(machine, signed_in, app_key.api_key, revoke=RevokeWhen.IN_24H)
    machine.run(rotation.id)
    with pytest.raises(RotationError, match="can only be finished"):
        machine.cancel(rotation.id)
