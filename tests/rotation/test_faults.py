"""The faults that broke rotation's promise (issue 13), each tried as a user or an unlucky world
would: through `myssl-keys` in separate processes, against the sandbox over HTTP, the real
keychain and real files. Run against the code before the rotation state machine, most failed;
the kills at instants only the state machine names (`target-N-written`, `profile-switched`)
could not be made there, and cancelling a self-rotation that had run to the end already worked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from myssl_desktop.api import MysslClient
from myssl_desktop.keychain import Entry
from myssl_desktop.profiles import ProfileStore
from myssl_desktop.rotation import CRASH_AT, JournalStore, State
from myssl_desktop.rotation.envfile import lookup
from myssl_desktop.sandbox import Sandbox
from tests.support import files_containing

KEY = "MYSSL_API_KEY"


def cli(*args: str, crash: str | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != CRASH_AT}
    if crash:
        env[CRASH_AT] = crash
    return subprocess.run([sys.executable, "-m", "myssl_desktop.cli", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=120)


def value(path: Path, variable: str = KEY) -> str | None:
    return lookup(path.read_bytes(), variable).value


def journal(services) -> list:
    return JournalStore(services.dirs.data).all()


def write_env(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o640)
    return path


@pytest.fixture
def admin(sandbox) -> MysslClient:
    return MysslClient(sandbox.base_url, sandbox.admin_key)


@pytest.fixture
def app(admin):
    return admin.create_key("Production Server", ["domains:read"])


# 1 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("crash", "state"), [(None, State.DRAINING),
                                              ("profile-switched", State.DELIVERED),  # switched, not yet journalled
                                              ("verified", State.VERIFIED)])
def test_cancelling_a_self_rotation_after_the_switch_signs_in_with_the_old_key_again(crash, state, services, sandbox,
                                                                                   signed_in, admin) -> None:
    own = admin.current().api_key
    started = cli("rotate", "--key", own.name, "--revoke", "later", "--quiet-period", "0s", "--yes", crash=crash)
    assert started.returncode == (-9 if crash else 0), started.stderr
    rotation = journal(services)[0]
    assert rotation.state == state and rotation.self_rotation
    assert services.signin.open(services.profiles.load().find(signed_in.id)).current().api_key.id == \
        rotation.new_key_id  # switched
    cancelled = cli("rotate", "--cancel", rotation.id, "--yes")
    assert cancelled.returncode == 0, cancelled.stderr
    profile = services.profiles.load().find(signed_in.id)
    assert profile.key_prefix == own.prefix
    assert services.signin.open(profile).current().api_key.id == own.id  # signs in with the old key
    assert admin.get_key(rotation.new_key_id).status == "revoked"
    later = cli("keys", "list")
    assert later.returncode == 0, later.stderr  # every later command works


# 2 ---------------------------------------------------------------------------------------


@pytest.mark.posix
def test_a_rotated_env_file_keeps_its_owner_group_inode_and_hard_links(services, sandbox, signed_in, app,
                                                                     tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.fail("needs root to give the file another owner (the suite runs as root here)")
    env = write_env(tmp_path / "srv" / ".env", f"{KEY}={app.secret.reveal()}\n")
    os.chown(env, 4321, 4322)  # the application's user, not the one rotating (root, through sudo)
    link = tmp_path / "other-name.env"
    os.link(env, link)
    before = env.stat()
    done = cli("rotate", "--key", "Production Server", "--env-file", str(env), "--quiet-period", "0s", "--yes")
    assert done.returncode == 0, done.stderr
    after = env.stat()
    assert (after.st_uid, after.st_gid, after.st_ino, oct(after.st_mode)) == \
        (before.st_uid, before.st_gid, before.st_ino, oct(before.st_mode))
    new = journal(services)[0]
    assert value(link).startswith(new.new_prefix)  # the hard link sees the new key


# 3 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("point", ["target-0-written", "target-1-written"])
def test_a_kill_between_a_write_and_the_journal_then_cancel_restores_the_old_key(point, services, sandbox, signed_in,
                                                                               app, tmp_path: Path) -> None:
    env = write_env(tmp_path / ".env", f"# app\n{KEY}={app.secret.reveal()}\nDEBUG=1\n")
    before = env.read_bytes()
    services.keychain.store_external("myssl-fault-3", "api", app.secret)
    try:
        killed = cli("rotate", "--key", "Production Server", "--env-file", str(env), "--keychain", "myssl-fault-3:api",
                     "--yes", crash=point)
        assert killed.returncode == -9, killed.stderr
        rotation = journal(services)[0]
        cancelled = cli("rotate", "--cancel", rotation.id, "--yes")
        assert cancelled.returncode == 0, cancelled.stderr
        assert env.read_bytes() == before  # the old key is back, every other byte as it was
        assert services.keychain.load_external("myssl-fault-3", "api") == app.secret
        assert MysslClient(sandbox.base_url, app.secret).current().api_key.id == app.api_key.id  # it works
    finally:
        services.keychain.delete_external("myssl-fault-3", "api")


# 4 ---------------------------------------------------------------------------------------


def test_cancel_restores_only_the_variable_not_lines_others_added(services, sandbox, signed_in, app,
                                                                  tmp_path: Path) -> None:
    env = write_env(tmp_path / ".env", f"# app\n{KEY}={app.secret.reveal()}\n")
    started = cli("rotate", "--key", "Production Server", "--env-file", str(env), "--revoke", "later",
                  "--quiet-period", "0s", "--yes")
    assert started.returncode == 0, started.stderr
    with env.open("a") as edit:
        edit.write("ADDED_BY_A_COLLEAGUE=1\n")  # someone edits the file while the old key drains
    rotation = journal(services)[0]
    assert cli("rotate", "--cancel", rotation.id, "--yes").returncode == 0
    assert env.read_text() == f"# app\n{KEY}={app.secret.reveal()}\nADDED_BY_A_COLLEAGUE=1\n"


# 5 ---------------------------------------------------------------------------------------


def test_a_new_key_revoked_elsewhere_during_the_drain_keeps_the_old_key(services, sandbox, signed_in, admin, app,
                                                                      tmp_path: Path) -> None:
    env = write_env(tmp_path / ".env", f"{KEY}={app.secret.reveal()}\n")
    killed = cli("rotate", "--key", "Production Server", "--env-file", str(env), "--quiet-period", "0s", "--yes",
                 crash="verified")
    assert killed.returncode == -9
    rotation = journal(services)[0]
    admin.revoke_key(rotation.new_key_id)  # someone revokes the new key meanwhile
    resumed = cli("rotate", "--resume", rotation.id, "--yes")
    assert resumed.returncode == 4, resumed.stdout + resumed.stderr
    assert "old key stays active" in resumed.stderr
    assert admin.get_key(app.api_key.id).status == "active"
    assert MysslClient(sandbox.base_url, app.secret).current().api_key.id == app.api_key.id


# 6 ---------------------------------------------------------------------------------------


def test_remembered_targets_stay_with_their_account(services, sandbox, signed_in, app, tmp_path: Path) -> None:
    env = write_env(tmp_path / "a.env", f"{KEY}={app.secret.reveal()}\n")
    first = cli("rotate", "--key", "Production Server", "--env-file", str(env), "--quiet-period", "0s", "--yes")
    assert first.returncode == 0, first.stderr
    in_a = value(env)
    a_new_id = journal(services)[0].new_key_id
    with Sandbox(tier="enterprise") as other:  # account B: its keys get the same ids
        other_admin = MysslClient(other.base_url, other.admin_key)
        while (made := other_admin.create_key("Account B key", ["domains:read"])).api_key.id < a_new_id:
            pass
        assert made.api_key.id == a_new_id
        login = cli("login", "--profile", "Work", "--base-url", other.base_url, "--key-stdin", stdin=other.admin_key)
        assert login.returncode == 0, login.stderr
        second = cli("rotate", "--key", str(a_new_id), "--quiet-period", "0s", "--yes")
        assert second.returncode == 0, second.stderr
    assert value(env) == in_a  # account A's file never got account B's key


# 7 ---------------------------------------------------------------------------------------


def test_two_processes_never_start_two_rotations_of_one_key(services, sandbox, signed_in, admin, app) -> None:
    before = {k.id for k in admin.all_keys()}
    for _ in range(12):  # the race is lost only now and then without the lock
        args = [sys.executable, "-m", "myssl_desktop.cli", "rotate", "--key", str(app.api_key.id), "--revoke",
                "later", "--quiet-period", "0s", "--yes"]
        racing = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                  for _ in range(2)]
        results = [(p.wait(timeout=120), p.communicate()) for p in racing]
        running = JournalStore(services.dirs.data).in_progress()
        assert len(running) == 1, results
        assert sorted(code for code, _ in results) == [0, 1], results
        new_keys = [k for k in admin.all_keys() if k.id not in before and not k.is_revoked]
        assert [k.id for k in new_keys] == [running[0].new_key_id]  # never two new keys, whatever their name
        assert cli("rotate", "--cancel", running[0].id, "--yes").returncode == 0


# 8 ---------------------------------------------------------------------------------------


def test_a_target_holding_another_key_is_not_overwritten_without_force(services, sandbox, signed_in, admin, app,
                                                                     tmp_path: Path) -> None:
    other = admin.create_key("Billing export", ["billing:read"])
    env = write_env(tmp_path / ".env", f"{KEY}={other.secret.reveal()}\n")
    refused = cli("rotate", "--key", "Production Server", "--env-file", str(env), "--quiet-period", "0s", "--yes")
    assert refused.returncode == 1
    assert f"another key ({other.api_key.prefix}…)" in refused.stderr and "--force" in refused.stderr
    assert value(env) == other.secret.reveal() and journal(services) == []
    assert not [k for k in admin.all_keys() if k.name == "Production Server (new)"]  # nothing was created
    forced = cli("rotate", "--key", "Production Server", "--env-file", str(env), "--quiet-period", "0s", "--yes",
                 "--force")
    assert forced.returncode == 0, forced.stderr
    assert value(env).startswith(journal(services)[0].new_prefix)


# 9 ---------------------------------------------------------------------------------------


def test_other_profiles_signed_in_with_the_key_are_warned_and_switched(services, sandbox, signed_in,
                                                                      admin) -> None:
    own = admin.current().api_key
    second = cli("login", "--profile", "Laptop", "--base-url", sandbox.base_url, "--key-stdin",
                 stdin=sandbox.admin_key)
    assert second.returncode == 0, second.stderr
    done = cli("rotate", "--profile", "Work", "--key", own.name, "--quiet-period", "0s", "--yes")
    assert done.returncode == 0, done.stderr
    assert "profile “Laptop” sign in with this key too" in done.stdout
    rotation = journal(services)[0]
    for name in ("Work", "Laptop"):
        profile = services.profiles.load().find(name)
        assert services.signin.open(profile).current().api_key.id == rotation.new_key_id, name
        assert cli("whoami", "--profile", name).returncode == 0


# 10 --------------------------------------------------------------------------------------


@pytest.mark.posix
def test_a_remembered_path_through_a_symlink_follows_the_symlink(services, sandbox, signed_in, app,
                                                               tmp_path: Path) -> None:
    release_1, release_2 = tmp_path / "releases" / "r1", tmp_path / "releases" / "r2"
    write_env(release_1 / ".env", f"{KEY}={app.secret.reveal()}\n")
    current = tmp_path / "current"
    current.symlink_to(release_1)
    first = cli("rotate", "--key", "Production Server", "--env-file", str(current / ".env"), "--quiet-period", "0s",
                "--yes")
    assert first.returncode == 0, first.stderr
    write_env(release_2 / ".env", (release_1 / ".env").read_text())  # the next release
    current.unlink()
    current.symlink_to(release_2)
    before_r1 = (release_1 / ".env").read_text()
    replacement = journal(services)[0].new_key_id  # by id: the test does not depend on how the new key is named
    second = cli("rotate", "--key", str(replacement), "--quiet-period", "0s", "--yes")  # remembered targets
    assert second.returncode == 0, second.stderr
    done = [r for r in journal(services) if r.state == State.DONE]
    # the second rotation replaced the first one's new key (both may have started in one second)
    latest = next(r for r in done if any(r.old_prefix == other.new_prefix for other in done))
    assert value(release_2 / ".env").startswith(latest.new_prefix)
    assert (release_1 / ".env").read_text() == before_r1  # the old release is left alone


# 11 --------------------------------------------------------------------------------------


def test_a_rotation_whose_profile_file_was_recreated_can_still_finish_and_cancel(services, sandbox, signed_in, app,
                                                                               tmp_path: Path) -> None:
    env = write_env(tmp_path / ".env", f"{KEY}={app.secret.reveal()}\n")
    assert cli("rotate", "--key", "Production Server", "--env-file", str(env), "--quiet-period", "0s", "--yes",
               crash="target-0").returncode == -9
    services.profiles.path.unlink()  # profiles.json recreated: the profile is gone, its journal is not
    resumed = cli("rotate", "--resume", "--yes")
    assert resumed.returncode == 0, resumed.stderr
    rotation = journal(services)[0]
    assert rotation.state == State.DONE and value(env).startswith(rotation.new_prefix)


@pytest.mark.parametrize("content", [b"\x00garbage{", b"{}", b"[]", b'{"state": "bogus"}'])
def test_damaged_journals_are_reported_block_the_key_and_can_be_discarded(content, services, sandbox, signed_in,
                                                                         app) -> None:
    folder = services.dirs.data / "rotations"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "badbad00.json").write_bytes(content)
    listing = cli("rotations")
    assert listing.returncode == 4
    assert "badbad00" in listing.stderr and "damaged" in listing.stderr and "Traceback" not in listing.stderr
    as_json = json.loads(cli("rotations", "--json").stdout)
    assert [d["id"] for d in as_json["damaged"]] == ["badbad00"]
    blocked = cli("rotate", "--key", "Production Server", "--quiet-period", "0s", "--yes")
    assert blocked.returncode == 1 and "badbad00" in blocked.stderr and "Traceback" not in blocked.stderr
    resume = cli("rotate", "--resume", "badbad00", "--yes")
    assert resume.returncode == 1 and "cannot be read" in resume.stderr and "Traceback" not in resume.stderr
    assert cli("rotations", "discard", "badbad00", "--yes").returncode == 0
    assert cli("rotate", "--key", "Production Server", "--quiet-period", "0s", "--yes").returncode == 0


# 12 --------------------------------------------------------------------------------------

ADD_PROFILES = """
import sys
from pathlib import Path
from myssl_desktop.profiles import Profile, ProfileStore
store = ProfileStore(Path(sys.argv[1]))
for n in range(int(sys.argv[3])):
    store.put(Profile.new(f"{sys.argv[2]}-{n}", "https://example.invalid/api/v1"))
"""


def test_profiles_written_by_two_processes_at_once_are_all_kept(tmp_path: Path) -> None:
    writers = [subprocess.Popen([sys.executable, "-c", ADD_PROFILES, str(tmp_path), name, "150"])
               for name in ("one", "two")]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    names = {p.name for p in ProfileStore(tmp_path).load().profiles}
    assert len(names) == 300


# and no secret went anywhere but the keychain -------------------------------------------------


@pytest.mark.parametrize("crash", ["secret-stored", "target-0-written"])
def test_no_rotation_secret_reaches_a_file_of_the_app(crash, services, sandbox, signed_in, app, tmp_path: Path) -> None:
    env = write_env(tmp_path / ".env", f"{KEY}={app.secret.reveal()}\n")
    assert cli("rotate", "--key", "Production Server", "--env-file", str(env), "--quiet-period", "0s",
               "--yes", crash=crash).returncode == -9
    rotation = journal(services)[0]
    new = services.keychain.load(Entry.rotation(rotation.id, "new"))
    root = services.dirs.config.parent.parent
    assert files_containing(root, new.reveal()) == [] and files_containing(root, app.secret.reveal()) == []
    assert cli("rotate", "--cancel", rotation.id, "--yes").returncode == 0


