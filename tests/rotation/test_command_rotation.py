"""Command targets inside a rotation, driven as a user would: `myssl-keys rotate` in separate
processes against the sandbox over HTTP, the real keychain, and recording stand-ins for gh and
kubectl. A failing preflight changes nothing; a failed or killed command is resumed or cancelled;
a cancel runs each command again with the old key; no output leaks a key."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from myssl_desktop.api import MysslClient
from myssl_desktop.keyactions import KeyActions
from myssl_desktop.keychain import Entry
from myssl_desktop.rotation import CRASH_AT, JournalStore, State
from myssl_desktop.rotation.envfile import lookup
from tests.support import files_containing

GITHUB = "github:repo=acme/app,env=production"
KUBERNETES = "kubernetes:name=app-secrets,namespace=prod"
RESTART = "kubectl rollout restart deploy/app --namespace prod"


def cli(*args: str, crash: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != CRASH_AT}
    if crash:
        env[CRASH_AT] = crash
    return subprocess.run([sys.executable, "-m", "myssl_desktop.cli", *args], env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


def start(env: Path, *more: str, crash: str | None = None, revoke: str = "now") -> subprocess.CompletedProcess[str]:
    return cli("rotate", "--key", "Production Server", "--env-file", str(env), "--command-target", GITHUB,
               "--command-target", KUBERNETES, "--restart", RESTART, "--quiet-period", "0s", "--revoke", revoke,
               "--yes", *more, crash=crash)


def github(standins) -> str | None:
    return standins.state("gh").get("acme/app/production/:MYSSL_API_KEY")


def kubernetes(standins) -> str | None:
    return standins.state("kubectl").get("prod/app-secrets", {}).get("MYSSL_API_KEY")


def only_rotation(services):
    [rotation] = JournalStore(services.dirs.data).all()
    return rotation


@pytest.fixture
def setup(services, sandbox, signed_in, tmp_path: Path, standins):
    """A key the app made (so its secret is in the keychain), in a .env file, in GitHub and in
    Kubernetes (put there before, as the stand-ins' state)."""
    admin = services.signin.open(signed_in)
    app = KeyActions(admin, services.keychain, signed_in).create("Production Server", ["domains:read"])
    env = tmp_path / "app" / ".env"
    env.parent.mkdir()
    env.write_text(f"# prod\nMYSSL_API_KEY={app.secret.reveal()}\n")
    return {"app": app, "env": env, "profile": signed_in, "before": env.read_bytes()}


def assert_no_key_leaked(services, *texts: str, secrets: tuple[str, ...]) -> None:
    root = services.dirs.config.parent.parent  # journals, settings, remembered places, the log
    for secret in secrets:
        for form in (secret, base64.b64encode(secret.encode()).decode().rstrip("=")):  # also as in a manifest
            assert files_containing(root, form) == []
            for text in texts:
                assert form not in text


def test_a_rotation_reaches_command_targets_and_shows_their_output_redacted(services, sandbox, setup,
                                                                          standins) -> None:
    standins.steer("echo", "1")  # the tools print what they read: our capture must cut it
    done = start(setup["env"])
    assert done.returncode == 0, done.stderr
    rotation = only_rotation(services)
    assert rotation.state == State.DONE
    new = services.keychain.load(Entry.created_key(setup["profile"].id, rotation.new_key_id))
    assert github(standins) == new.reveal() and kubernetes(standins) == new.reveal()
    assert lookup(setup["env"].read_bytes(), "MYSSL_API_KEY").value == new.reveal()
    kubectl = [c.argv[:2] for c in standins.calls("kubectl")]
    assert kubectl.index(["rollout", "restart"]) > kubectl.index(["apply", "--filename=-"])  # restart after
    assert "[update: gh secret set MYSSL_API_KEY --repo acme/app --env production (exit 0" in done.stdout
    assert f"read '{new.prefix}…'" in done.stdout  # the tool's own output, shown with the key cut
    log = (services.dirs.log / "myssl-desktop.log").read_text()
    assert "command target update: gh secret set" in log and f"read '{new.prefix}…'" in log
    for call in standins.calls():
        assert new.reveal() not in " ".join(call.argv) and setup["app"].secret.reveal() not in " ".join(call.argv)
    assert_no_key_leaked(services, done.stdout, done.stderr, secrets=(new.reveal(), setup["app"].secret.reveal()))

    # The key's next rotation goes to the same places, remembered with the key (no secret in them).
    again = cli("rotate", "--key", "Production Server", "--quiet-period", "0s", "--yes", "--json")
    assert again.returncode == 0, again.stderr
    events = [json.loads(line) for line in again.stdout.splitlines()]
    commands = [e for e in events if e["event"] == "command"]
    assert {(e["target"], e["step"]) for e in commands} >= {(1, "update"), (1, "verify"), (2, "update"),
                                                          (2, "restart")}
    newest = JournalStore(services.dirs.data).all()[-1]
    assert github(standins).startswith(newest.new_prefix) and kubernetes(standins).startswith(newest.new_prefix)


def test_a_failing_preflight_changes_nothing(services, sandbox, setup, standins) -> None:
    standins.steer("fail", "kubectl auth can-i")
    refused = start(setup["env"])
    assert refused.returncode == 1
    assert "“kubectl auth can-i create secrets --namespace prod” failed" in refused.stderr
    admin = MysslClient(sandbox.base_url, sandbox.admin_key)
    assert not [k for k in admin.all_keys() if k.name == "Production Server (new)"]  # no key created
    assert setup["env"].read_bytes() == setup["before"]  # no file touched
    assert JournalStore(services.dirs.data).scan() == ([], [])  # nothing in the journal
    assert not [c for c in standins.calls() if c.argv[:2] in (["secret", "set"], ["apply", "--filename=-"])]
    assert services.rotations.remembered_targets(sandbox.base_url, setup["app"].api_key) == []


def test_a_failed_command_is_resumed(services, sandbox, setup, standins) -> None:
    standins.steer("echo", "1")
    standins.steer("fail", "gh secret set")
    failed = start(setup["env"])
    assert failed.returncode == 4, failed.stdout + failed.stderr
    assert "Could not update GitHub Actions secret MYSSL_API_KEY" in failed.stderr and "resume" in failed.stderr
    assert "simulated failure" in failed.stderr
    rotation = only_rotation(services)
    state = rotation.target_states[1]
    assert state.writing and not state.written  # ran, outcome unknown: journaled as begun
    assert rotation.attention
    standins.steer("fail")
    resumed = cli("rotate", "--resume", rotation.id, "--yes")
    assert resumed.returncode == 0, resumed.stderr
    assert "Ran again, since an earlier run did not finish" in resumed.stdout
    new = services.keychain.load(Entry.created_key(setup["profile"].id, rotation.new_key_id))
    assert github(standins) == new.reveal() and kubernetes(standins) == new.reveal()
    assert_no_key_leaked(services, failed.stdout, failed.stderr, resumed.stdout, resumed.stderr,
                         secrets=(new.reveal(), setup["app"].secret.reveal()))


def test_a_failed_command_is_cancelled_and_every_command_runs_again_with_the_old_key(services, sandbox, setup,
                                                                                   standins) -> None:
    standins.steer("fail", "kubectl apply")
    failed = start(setup["env"])
    assert failed.returncode == 4
    rotation = only_rotation(services)
    assert github(standins).startswith(rotation.new_prefix)  # the first command ran, the second failed
    standins.steer("fail")
    cancelled = cli("rotate", "--cancel", rotation.id, "--yes")
    assert cancelled.returncode == 0, cancelled.stderr
    old = setup["app"].secret.reveal()
    assert github(standins) == old and kubernetes(standins) == old  # both ran again, with the old key
    assert setup["env"].read_bytes() == setup["before"]
    admin = MysslClient(sandbox.base_url, sandbox.admin_key)
    assert admin.get_key(rotation.new_key_id).status == "revoked"
    assert admin.get_key(setup["app"].api_key.id).status == "active"
    assert "[update: gh secret set" in cancelled.stdout
    assert_no_key_leaked(services, cancelled.stdout, cancelled.stderr, secrets=(old,))


# Every step boundary of a rotation with command targets (target 0 is the .env file), among them
# the instants after a program's intent is journaled and before it ran, and after it ran and
# before the journal says so.
BOUNDARIES = ["create-intent", "create-answered", "secret-stored", "target-0-writing", "target-0-written", "target-0",
              "target-1-writing", "target-1-written", "target-1", "target-2-writing", "target-2-written", "target-2",
              "verified", "old-revoked", "cleaned-up"]


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_killed_around_a_command_then_resumed(boundary: str, services, sandbox, setup, standins) -> None:
    killed = start(setup["env"], crash=boundary)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    resumed = cli("rotate", "--resume", "--yes")
    assert resumed.returncode == 0, resumed.stderr
    rotation = only_rotation(services)
    assert rotation.state == State.DONE
    new = services.keychain.load(Entry.created_key(setup["profile"].id, rotation.new_key_id))
    assert github(standins) == new.reveal() and kubernetes(standins) == new.reveal()
    assert MysslClient(sandbox.base_url, new).current().api_key.id == rotation.new_key_id
    assert_no_key_leaked(services, killed.stdout, resumed.stdout, resumed.stderr,
                         secrets=(new.reveal(), setup["app"].secret.reveal()))


CANCEL_POINTS = ["cancel-intent", "cancel-target-1-restoring", "cancel-target-1", "cancel-target-2-restoring",
                 "cancel-target-2", "cancel-revoked"]


@pytest.mark.parametrize("point", CANCEL_POINTS)
def test_a_cancel_killed_around_a_command_is_cancelled_again(point: str, services, sandbox, setup,
                                                           standins) -> None:
    assert start(setup["env"], crash="target-2-written").returncode == -signal.SIGKILL
    rotation = only_rotation(services)
    killed = cli("rotate", "--cancel", rotation.id, "--yes", crash=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    again = cli("rotate", "--cancel", rotation.id, "--yes")
    assert again.returncode == 0, again.stderr
    old = setup["app"].secret.reveal()
    assert github(standins) == old and kubernetes(standins) == old
    assert setup["env"].read_bytes() == setup["before"]
    assert JournalStore(services.dirs.data).load(rotation.id).state == State.CANCELLED
    assert MysslClient(sandbox.base_url, sandbox.admin_key).get_key(rotation.new_key_id).status == "revoked"


def test_planning_says_when_a_cancel_cannot_put_the_old_key_back(services, sandbox, signed_in, standins) -> None:
    """A key made elsewhere: its secret is in no keychain, and no file being rotated holds it."""
    app = MysslClient(sandbox.base_url, sandbox.admin_key).create_key("Production Server", ["domains:read"])
    started = cli("rotate", "--key", "Production Server", "--command-target", GITHUB, "--quiet-period", "0s",
                  "--revoke", "later", "--yes")
    assert started.returncode == 0, started.stderr
    assert "a cancel cannot put the old key back here: its secret is not in the keychain" in started.stdout
    rotation = only_rotation(services)
    cancelled = cli("rotate", "--cancel", rotation.id, "--yes")
    assert cancelled.returncode == 0, cancelled.stderr
    assert "Put the old key back by hand in: GitHub Actions secret MYSSL_API_KEY" in cancelled.stdout
    assert github(standins).startswith(rotation.new_prefix)  # not run: there was no old key to run it with
    assert len([c for c in standins.calls("gh") if c.argv[:2] == ["secret", "set"]]) == 1
    assert app.secret.reveal() not in started.stdout + cancelled.stdout


def test_a_file_being_rotated_keeps_the_old_key_for_a_cancel(services, sandbox, signed_in, standins,
                                                           tmp_path: Path) -> None:
    app = MysslClient(sandbox.base_url, sandbox.admin_key).create_key("Production Server", ["domains:read"])
    env = tmp_path / ".env"
    env.write_text(f"MYSSL_API_KEY={app.secret.reveal()}\n")
    started = cli("rotate", "--key", "Production Server", "--env-file", str(env), "--command-target", GITHUB,
                  "--quiet-period", "0s", "--revoke", "later", "--yes")
    assert started.returncode == 0, started.stderr
    assert "cannot put the old key back" not in started.stdout
    rotation = only_rotation(services)
    assert cli("rotate", "--cancel", rotation.id, "--yes").returncode == 0
    assert github(standins) == app.secret.reveal()  # the file's old value, kept in the keychain, ran again
