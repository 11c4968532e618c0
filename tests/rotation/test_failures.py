"""Network failures, lost answers and 429s in every step, and cancel at every step: the
rotation stops with the error and a plain `advance`/`finish` afterwards ends it cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from myssl_desktop.api import ApiError, MysslClient, RetryPolicy
from myssl_desktop.keychain import Entry
from myssl_desktop.rotation import EnvFileTarget, RotationEngine, RotationError, State
from myssl_desktop.rotation.targets import read_value
from myssl_desktop.sandbox import Sandbox
from tests.rotation.conftest import env_file
from tests.support import FakeClock

STEPS = ["create", "deliver", "verify", "finish"]


def run_step(engine: RotationEngine, rotation, step: str):
    if step == "create":
        return engine.create(rotation)
    if step == "deliver":
        return engine.deliver(rotation)
    if step == "verify":
        return engine.verify(rotation)
    return engine.finish(rotation)


def until(engine: RotationEngine, rotation, step: str):
    for earlier in STEPS[:STEPS.index(step)]:
        rotation = run_step(engine, rotation, earlier)
    return rotation


def quiet_engine(engine: RotationEngine) -> RotationEngine:
    """The same engine with retries that do not sleep (the faults are permanent here)."""
    engine.client = MysslClient(engine.client.base_url, engine.keychain.load(Entry.sign_in(engine.profile.id)),
                                retry=RetryPolicy(sleep=lambda s: None))
    return engine


@pytest.mark.parametrize("kind", ["reset", "503", "truncated"])
@pytest.mark.parametrize("step", STEPS)
def test_a_failure_in_a_step_then_resume(step: str, kind: str, engine, sandbox, app_key, tmp_path: Path) -> None:
    engine = quiet_engine(engine)
    path = env_file(tmp_path, app_key.secret)
    rotation = until(engine, engine.plan(app_key.api_key, [EnvFileTarget.plan(path)], quiet_period_s=0), step)
    sandbox.set_faults(fail_rate=1.0, kinds=[kind])
    with pytest.raises((ApiError, RotationError)):
        run_step(engine, rotation, step)
    sandbox.set_faults(fail_rate=0.0)
    rotation = engine.store.load(rotation.id)  # what the journal says, as after a restart
    rotation = engine.finish(engine.advance(rotation))
    assert rotation.state == State.DONE
    admin = MysslClient(sandbox.base_url, sandbox.admin_key)
    live = [k for k in admin.all_keys() if k.name == rotation.new_key_name and k.status == "active"]
    assert [k.id for k in live] == [rotation.new_key_id]
    assert admin.get_key(app_key.api_key.id).status == "revoked"
    assert read_value(path.read_bytes(), "MYSSL_API_KEY").startswith(rotation.new_prefix)


@pytest.mark.parametrize("step", STEPS)
def test_rate_limited_in_a_step_then_resume(step: str, services, tmp_path: Path) -> None:
    from myssl_desktop.api import RateLimited, Secret
    from myssl_desktop.profiles import Profile
    from myssl_desktop.rotation import JournalStore

    clock = FakeClock()
    with Sandbox(tier="free", clock=clock) as sb:
        profile, _ = services.signin.sign_in(Profile.new("Free", sb.base_url), Secret(sb.admin_key))
        client = MysslClient(sb.base_url, sb.admin_key, retry=RetryPolicy(attempts=1))
        app = client.create_key("App", ["domains:read"])
        engine = RotationEngine(client, services.keychain, JournalStore(services.dirs.data), profile)
        rotation = until(engine, engine.plan(app.api_key, [], quiet_period_s=0), step)
        clock.advance(61)
        # the window is per key: verify speaks with the new key, the other steps with ours
        busy = MysslClient(sb.base_url, engine.new_secret(rotation), retry=RetryPolicy(attempts=1)) \
            if step == "verify" else client
        while busy.rate_limit is None or busy.rate_limit.minute_remaining > 0:
            busy.current()
        with pytest.raises(RateLimited) as caught:
            run_step(engine, engine.store.load(rotation.id), step)
        assert caught.value.retry_after >= 1
        clock.advance(61)  # the window passes
        rotation = engine.store.load(rotation.id)
        for later in STEPS[STEPS.index(step):]:
            rotation = run_step(engine, rotation, later)
            clock.advance(61)
        assert rotation.state == State.DONE


@pytest.mark.parametrize("step", ["planned", "created", "draining"])
def test_cancel_at_every_step_before_revoke(step: str, engine, sandbox, app_key, tmp_path: Path) -> None:
    path = env_file(tmp_path, app_key.secret)
    before = path.read_bytes()
    rotation = engine.plan(app_key.api_key, [EnvFileTarget.plan(path)])
    if step in ("created", "draining"):
        rotation = engine.create(rotation)
    if step == "draining":
        rotation = engine.advance(rotation)
    cancelled = engine.cancel(rotation)
    assert cancelled.state == State.CANCELLED and path.read_bytes() == before
    admin = MysslClient(sandbox.base_url, sandbox.admin_key)
    assert not [k for k in admin.all_keys() if k.name == rotation.new_key_name and k.status != "revoked"]
    assert admin.get_key(app_key.api_key.id).status == "active"
    assert engine.keychain.load(Entry.rotation(rotation.id, "new")) is None


def test_cancel_after_the_old_key_is_revoked_is_refused(engine, app_key) -> None:
    rotation = engine.advance(engine.plan(app_key.api_key, [], quiet_period_s=0))
    rotation = engine.store.save(rotation.advanced(State.REVOKED))
    with pytest.raises(RotationError, match="can only be finished"):
        engine.cancel(rotation)
