"""Kill `myssl-keys rotate` (SIGKILL) at every step boundary and at random instants, then
`rotate --resume`: every run must end the same way."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from myssl_desktop.api import MysslClient
from myssl_desktop.keyactions import KeyActions
from myssl_desktop.keychain import Entry
from myssl_desktop.rotation import CRASH_AT, JournalStore, State
from myssl_desktop.rotation.envfile import lookup
from myssl_desktop.rotation.journal import ORDER
from tests.support import files_containing

# The step boundaries, and the instants between a change outside (a key made, a file or an
# entry written) and the journal saying so.
BOUNDARIES = ["create-intent", "create-answered", "secret-stored", "target-0-writing", "target-0-written",
              "target-0", "target-1-writing", "target-1-written", "target-1", "verified", "old-revoked",
              "cleaned-up"]
SERVICE, USER = "myssl-kill-test", "api"


def ended(process: subprocess.Popen[str]) -> int:
    """Its exit code, once it ended and its pipes are read and closed."""
    process.communicate(timeout=120)
    return process.returncode


def rotate(*args: str, crash: str | None = None) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env.pop(CRASH_AT, None)
    if crash:
        env[CRASH_AT] = crash
    return subprocess.Popen([sys.executable, "-m", "myssl_desktop.cli", "rotate", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)


@pytest.fixture
def setup(services, sandbox, signed_in, tmp_path: Path):
    admin = services.signin.open(signed_in)
    app = KeyActions(admin, services.keychain, signed_in).create("Production Server", ["domains:read"])
    env = tmp_path / ".env"
    env.write_text(f"# prod\nexport MYSSL_API_KEY='{app.secret.reveal()}'\nDEBUG=0\n")
    env.chmod(0o640)
    services.keychain.store_external(SERVICE, USER, app.secret)
    yield {"app": app, "env": env, "profile": signed_in}
    services.keychain.delete_external(SERVICE, USER)


def start_args(env: Path) -> list[str]:
    return ["--key", "Production Server", "--env-file", f"{env}:MYSSL_API_KEY", "--keychain", f"{SERVICE}:{USER}",
            "--quiet-period", "0s", "--revoke", "now", "--yes"]


def check_old_secret_kept_until_verified(services, setup) -> None:
    for rotation in JournalStore(services.dirs.data).all():
        if not rotation.at_least(State.VERIFIED):
            entry = Entry.created_key(setup["profile"].id, setup["app"].api_key.id)
            assert services.keychain.load(entry) == setup["app"].secret


def assert_finished(services, sandbox, setup) -> None:
    rotations = JournalStore(services.dirs.data).all()
    assert [r.state for r in rotations] == [State.DONE]
    rotation = rotations[0]
    client = services.signin.open(setup["profile"])
    keys = client.all_keys()
    live = [k for k in keys if k.name.startswith("Production Server") and k.status == "active"]
    assert [(k.id, k.name) for k in live] == [(rotation.new_key_id, "Production Server")]  # one key, its name kept
    assert client.get_key(setup["app"].api_key.id).status == "revoked"
    new_secret = services.keychain.load(Entry.created_key(setup["profile"].id, rotation.new_key_id))
    assert new_secret is not None and new_secret.prefix == rotation.new_prefix
    assert lookup(setup["env"].read_bytes(), "MYSSL_API_KEY").value == new_secret.reveal()
    assert setup["env"].read_text().startswith("# prod\nexport MYSSL_API_KEY='")
    assert oct(setup["env"].stat().st_mode & 0o777) == "0o640"
    assert services.keychain.load_external(SERVICE, USER) == new_secret
    assert MysslClient(sandbox.base_url, new_secret).current().api_key.id == rotation.new_key_id
    assert services.keychain.load(Entry.rotation(rotation.id, "new")) is None
    assert not list(setup["env"].parent.glob(".*.myssl-backup-*"))
    root = services.dirs.config.parent.parent
    assert files_containing(root, new_secret.reveal()) == []


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_killed_at_a_step_boundary_then_resumed(boundary: str, services, sandbox, setup) -> None:
    killed = rotate(*start_args(setup["env"]), crash=boundary)
    out, err = killed.communicate(timeout=120)
    assert killed.returncode == -signal.SIGKILL, err
    check_old_secret_kept_until_verified(services, setup)
    resumed = rotate("--resume", "--yes")
    out, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err
    assert_finished(services, sandbox, setup)
    assert setup["app"].secret.reveal() not in out + err


def test_killed_at_random_instants_then_resumed(services, sandbox, setup) -> None:
    sandbox.set_faults(latency_ms=120)  # widen the windows inside each step
    rng = random.Random(20261128)
    store = JournalStore(services.dirs.data)
    process: subprocess.Popen[str] | None = rotate(*start_args(setup["env"]))
    deaths = 0
    for _ in range(6):
        time.sleep(rng.uniform(0.05, 0.9))  # a random instant, not a synchronisation
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            deaths += 1
        process.communicate(timeout=120)
        check_old_secret_kept_until_verified(services, setup)
        if store.all() and not store.in_progress():
            process = None  # it got to the end between two kills
            break
        # killed before the journal was written: nothing happened yet, so the user starts over
        process = rotate("--resume", "--yes") if store.all() else rotate(*start_args(setup["env"]))
    if process is not None:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    sandbox.set_faults(latency_ms=0)
    assert deaths >= 1
    assert_finished(services, sandbox, setup)


@pytest.mark.parametrize("boundary", ["create-answered", "profile-switched", "verified"])
def test_self_rotation_killed_then_resumed(boundary: str, services, sandbox, signed_in) -> None:
    killed = rotate("--key", "Sandbox admin", "--quiet-period", "0s", "--yes", crash=boundary)
    assert ended(killed) == -signal.SIGKILL
    resumed = rotate("--resume", "--yes")
    out, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err
    rotation = JournalStore(services.dirs.data).all()[0]
    assert rotation.state == State.DONE and rotation.self_rotation
    profile = services.profiles.load().find(signed_in.id)
    client = services.signin.open(profile)
    assert client.current().api_key.id == rotation.new_key_id  # the profile signs in with the new key
    assert client.get_key(rotation.old_key_id).status == "revoked"
    assert [(k.id, k.name) for k in client.all_keys() if k.name.startswith("Sandbox admin")
            and k.status == "active"] == [(rotation.new_key_id, "Sandbox admin")]


def test_rotations_lists_and_cancel_undoes(services, sandbox, setup) -> None:
    killed = rotate(*start_args(setup["env"]), crash="target-1")
    ended(killed)
    rotation = JournalStore(services.dirs.data).in_progress()[0]
    listing = subprocess.run([sys.executable, "-m", "myssl_desktop.cli", "rotations"], capture_output=True,
                             text=True, timeout=60)
    assert rotation.id in listing.stdout and "Production Server" in listing.stdout
    assert ORDER.index(rotation.state) >= ORDER.index(State.CREATED)
    cancel = rotate("--cancel", rotation.id, "--yes")
    out, err = cancel.communicate(timeout=120)
    assert cancel.returncode == 0, err
    assert lookup(setup["env"].read_bytes(), "MYSSL_API_KEY").value == setup["app"].secret.reveal()
    assert services.keychain.load_external(SERVICE, USER) == setup["app"].secret
    client = services.signin.open(setup["profile"])
    assert client.get_key(rotation.new_key_id).status == "revoked"
    assert client.get_key(setup["app"].api_key.id).status == "active"
    assert JournalStore(services.dirs.data).load(rotation.id).state == State.CANCELLED


def rotations_run(*args: str, crash: str | None = None) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != CRASH_AT}
    if crash:
        env[CRASH_AT] = crash
    return subprocess.Popen([sys.executable, "-m", "myssl_desktop.cli", "rotations", "run", *args], env=env,
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("boundary", ["create-answered", "target-0-written", "target-1", "verified"])
def test_killed_then_finished_by_rotations_run(boundary: str, services, sandbox, setup) -> None:
    killed = rotate(*start_args(setup["env"]), crash=boundary)
    assert ended(killed) == -signal.SIGKILL
    runner = rotations_run()
    out, err = runner.communicate(timeout=120)
    assert runner.returncode == 0, err
    assert_finished(services, sandbox, setup)


@pytest.mark.parametrize("boundary", ["old-revoked", "cleaned-up"])
def test_rotations_run_killed_in_its_own_steps_then_run_again(boundary: str, services, sandbox, setup) -> None:
    parked = rotate(*start_args(setup["env"])[:-3], "--revoke", "later", "--yes")
    assert ended(parked) == 0
    rotation = JournalStore(services.dirs.data).in_progress()[0]
    changed = rotate("--resume", rotation.id, "--revoke", "now", crash=boundary)  # the user finishes it
    assert ended(changed) == -signal.SIGKILL
    runner = rotations_run("--wait")
    out, err = runner.communicate(timeout=120)
    assert runner.returncode == 0, err
    assert_finished(services, sandbox, setup)
