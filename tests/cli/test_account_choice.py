"""Which account a command uses: a global --profile (before or after the command), MYSSL_PROFILE,
and MYSSL_API_KEY as an ephemeral profile that works without a keychain and is stored nowhere."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

from myssl_desktop.api.client import MysslClient
from myssl_desktop.paths import AppDirs
from myssl_desktop.profiles import ProfileStore
from myssl_desktop.rotation import JournalStore
from tests.cli.helpers import Work, cli_env, keychain_secrets
from tests.support import files_containing

NO_DBUS = "unix:path=/nonexistent/bus"


def who(run, before: tuple[str, ...] = (), after: tuple[str, ...] = (), **env: str) -> str:
    """The name of the key `myssl-keys [BEFORE] whoami [AFTER]` signs in with."""
    result = run(*before, "whoami", "--json", *after, env=cli_env(**env))
    assert result.returncode == 0, result.stderr
    return str(json.loads(result.stdout)["key"]["name"])


def test_a_global_profile_before_or_after_the_command_and_myssl_profile(work: Work) -> None:
    ci_key = work.api.create_key("CI admin", ["keys:read", "keys:manage", "domains:read"])
    work.secrets.add(ci_key.secret.reveal())
    login = work.cli("login", "--profile", "ci", "--base-url", work.sandbox.base_url,  # type: ignore[operator]
                     "--key-stdin", stdin=ci_key.secret.reveal())
    assert login.returncode == 0, login.stderr

    assert who(work.cli, before=("--profile", "work")) == "Sandbox admin"
    assert who(work.cli, after=("--profile", "work")) == "Sandbox admin"
    assert who(work.cli, before=("--profile", "ci")) == "CI admin"
    assert who(work.cli) == "CI admin"  # the profile used last
    assert who(work.cli, MYSSL_PROFILE="work") == "Sandbox admin"
    assert who(work.cli, before=("--profile", "ci"), MYSSL_PROFILE="work") == "CI admin"  # the flag wins

    listing = work.run("--profile", "work", "keys", "list")
    assert listing.returncode == 0 and "CI admin" in listing.stdout
    elsewhere = work.run("--profile", "work", "keys", "list", "--base-url", "https://myssl.example/api/v1")
    assert elsewhere.returncode == 2 and "a stored profile keeps its own" in elsewhere.stderr
    unknown = work.run("--profile", "nope", "keys", "list")
    assert unknown.returncode == 1 and "No profile named “nope” (profiles: work, ci)" in unknown.stderr

    work.make("Deploy")
    rotated = work.run("--profile", "work", "rotate", "--key", "Deploy", "--revoke", "later", "--quiet-period",
                       "0s", "--yes")
    assert rotated.returncode == 0, rotated.stderr
    [rotation] = JournalStore(work.app_dirs.data).all()
    assert rotation.profile_id == work.profile.id
    for profile, count in (("work", 1), ("ci", 0)):
        listed = json.loads(work.run("--profile", profile, "rotations", "--json").stdout)
        assert len(listed["rotations"]) == count, profile
    refused = work.run("--profile", "work", "rotations", "run")
    assert refused.returncode == 2 and "every profile" in refused.stderr


def test_myssl_api_key_works_without_keychain_or_profile_and_is_stored_nowhere(
        cli, sandbox, app_dirs: AppDirs, tmp_path: Path, real_keychain) -> None:
    api = MysslClient(sandbox.base_url, sandbox.admin_key)
    env_key = api.create_key("CI job", ["keys:read", "keys:manage", "domains:read"]).secret.reveal()
    ci = cli_env(MYSSL_API_KEY=env_key, MYSSL_BASE_URL=sandbox.base_url, DBUS_SESSION_BUS_ADDRESS=NO_DBUS)
    before = keychain_secrets()

    info = json.loads(cli("whoami", "--json", env=ci).stdout)
    assert info["key"]["name"] == "CI job" and info["profile"] is None and info["key_from"] == "MYSSL_API_KEY"
    assert "CI job" in cli("keys", "list", env=ci).stdout
    flag = cli("--base-url", sandbox.base_url, "keys", "list", "--json", env={**ci, "MYSSL_BASE_URL": ""})
    assert flag.returncode == 0 and "CI job" in flag.stdout  # --base-url in place of MYSSL_BASE_URL

    nowhere = cli("keys", "create", "--name", "made in CI", env=ci)
    assert nowhere.returncode == 2 and "--show-secret or --out-file" in nowhere.stderr
    assert not [k for k in api.all_keys() if k.name == "made in CI"]  # refused before the request
    shown = cli("keys", "create", "--name", "made in CI", "--show-secret", "--json", env=ci)
    assert shown.returncode == 0 and shown.stderr == "", shown.stderr
    made = json.loads(shown.stdout)
    assert made["secret_stored"] is False and "keychain_problem" not in made
    assert MysslClient(sandbox.base_url, made["secret"]).current().api_key.name == "made in CI"
    out = tmp_path / "deploy.key"
    filed = cli("keys", "create", "--name", "filed in CI", "--out-file", str(out), env=ci)
    assert filed.returncode == 0 and "myssl_k_" not in filed.stdout.replace(out.read_text()[:12], "")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and out.read_text().strip() not in filed.stdout

    own = cli("keys", "revoke", "--key", "CI job", "--yes", env=ci)
    assert own.returncode == 1 and "the key in MYSSL_API_KEY that this command runs with" in own.stderr
    for command, why in ((["logout"], "nothing to sign out"), (["forget", "--yes"], "nothing to forget"),
                         (["rotate", "--key", "made in CI", "--yes"], "rotate keeps a journal")):
        refused = cli(*command, env=ci)
        assert refused.returncode == 1 and "MYSSL_API_KEY is set" in refused.stderr, command
        assert why in refused.stderr and "--profile NAME" in refused.stderr
    doctor = cli("doctor", env=ci)
    assert doctor.returncode == 0, doctor.stdout
    assert re.search(rf"ok +keychain +not needed: the key comes from MYSSL_API_KEY \({env_key[:12]}…\)", doctor.stdout)

    assert keychain_secrets() == before  # neither the key nor the new secrets went to the keychain
    assert not (app_dirs.config / "profiles.json").exists()
    assert not (app_dirs.data / "keychain-entries.json").exists() and JournalStore(app_dirs.data).all() == []
    for secret in (env_key, made["secret"], out.read_text().strip()):
        assert files_containing(app_dirs.config.parent.parent, secret) == []
    assert [output for output in cli.outputs if env_key in output or out.read_text().strip() in output] == []


def test_an_explicit_profile_beats_myssl_api_key_which_beats_myssl_profile(work: Work) -> None:
    env_key = work.api.create_key("CI job", ["keys:read"]).secret.reveal()
    work.secrets.add(env_key)
    env = {"MYSSL_API_KEY": env_key, "MYSSL_BASE_URL": work.sandbox.base_url}
    assert who(work.cli, **env) == "CI job"
    assert who(work.cli, MYSSL_PROFILE="work", **env) == "CI job"
    assert who(work.cli, before=("--profile", "work"), **env) == "Sandbox admin"
    assert who(work.cli, after=("--profile", "work"), **env) == "Sandbox admin"
    note = work.cli("profiles", env=cli_env(MYSSL_API_KEY=env_key))  # type: ignore[operator]
    assert f"MYSSL_API_KEY is set ({env_key[:12]}…): commands use that key" in note.stderr
    logout = work.cli("logout", "--profile", "work", "--yes", env=cli_env(MYSSL_API_KEY=env_key))  # type: ignore[operator]
    assert logout.returncode == 0 and "Signed out of “work”" in logout.stdout


def test_wrong_values_in_the_environment_are_one_line_each(cli, sandbox, app_dirs: AppDirs) -> None:
    malformed = cli("keys", "list", env=cli_env(MYSSL_API_KEY="sk_live_not_a_myssl_key"))
    assert malformed.returncode == 1 and "MYSSL_API_KEY does not hold a MySSL API key" in malformed.stderr
    assert "sk_live" not in malformed.stderr and len(malformed.stderr.splitlines()) == 1
    key = MysslClient(sandbox.base_url, sandbox.admin_key).create_key("k", ["keys:read"]).secret.reveal()
    newline = cli("keys", "list", env=cli_env(MYSSL_API_KEY=key, MYSSL_BASE_URL=sandbox.base_url + "\nHost: x"))
    assert newline.returncode == 2 and "MYSSL_BASE_URL" in newline.stderr and "line break" in newline.stderr
    assert "Traceback" not in newline.stderr and len(newline.stderr.splitlines()) == 1
    assert not (app_dirs.config / "profiles.json").exists() and ProfileStore(app_dirs.config).load().profiles == ()


def test_scan_names_its_hits_with_the_chosen_account(work: Work, tmp_path: Path) -> None:
    key, secret = work.make("Leaked deploy key")
    (tmp_path / ".env").write_text(f"MYSSL_API_KEY={secret}\n")
    env_key = cli_env(MYSSL_API_KEY=work.sandbox.admin_key, MYSSL_BASE_URL=work.sandbox.base_url)  # type: ignore[attr-defined]
    for found in (work.run("--profile", "work", "scan", str(tmp_path)),
                  work.cli("scan", str(tmp_path), env=env_key)):  # type: ignore[operator]
        assert found.returncode == 10, found.stderr
        assert f"Leaked deploy key (id {key.id})" in found.stdout and secret not in found.stdout + found.stderr
    typo = work.run("--profile", "nobody", "scan", str(tmp_path))
    assert typo.returncode == 1 and "No profile named “nobody”" in typo.stderr and typo.stdout == ""
