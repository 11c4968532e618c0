"""login, profiles, whoami, logout, forget and doctor, as separate processes."""

from __future__ import annotations

import json
import sys

from myssl_desktop.keychain import Entry, Keychain
from myssl_desktop.paths import AppDirs
from myssl_desktop.profiles import ProfileStore
from tests.cli.helpers import cli_env, in_terminal
from tests.support import files_containing, random_secret


def test_login_then_a_new_process_finds_the_profile(cli, sandbox, app_dirs: AppDirs,
                                                     real_keychain: Keychain) -> None:
    login = cli("login", "--profile", "work", "--base-url", sandbox.base_url, "--env", "staging",
                "--key-stdin", stdin=sandbox.admin_key + "\n")
    assert login.returncode == 0, login.stderr
    assert "Signed in to profile “work” (staging)" in login.stdout and "enterprise tier" in login.stdout

    who = cli("whoami", "--json")
    assert who.returncode == 0, who.stderr
    info = json.loads(who.stdout)
    assert info["profile"] == "work" and info["key"]["name"] == "Sandbox admin"
    assert info["account"]["tier"] == "enterprise" and info["rate_limit"]["minute_remaining"] > 0

    listing = cli("profiles")
    assert "* work" in listing.stdout and "staging" in listing.stdout and "yes" in listing.stdout

    logout = cli("logout", "--profile", "work")  # no terminal and no --yes: refused
    assert logout.returncode != 0 and "--yes" in logout.stderr
    assert cli("logout", "--profile", "work", "--yes").returncode == 0
    who = cli("whoami", "--profile", "work")
    assert who.returncode == 1 and "signed out" in who.stderr
    assert cli("forget", "--profile", "work", "--yes").returncode == 0
    assert "No profiles yet" in cli("profiles").stdout

    for output in cli.outputs:
        assert sandbox.admin_key not in output
    assert files_containing(app_dirs.config.parent.parent, sandbox.admin_key) == []


def test_login_failures_are_specific(cli, sandbox) -> None:
    unknown = cli("login", "--profile", "p", "--base-url", sandbox.base_url, "--key-stdin",
                  stdin=random_secret())
    assert unknown.returncode == 1 and "revoked" in unknown.stderr
    malformed = cli("login", "--profile", "p", "--base-url", sandbox.base_url, "--key-stdin",
                    stdin="sk_live_123")
    assert malformed.returncode == 1 and "myssl_k_" in malformed.stderr
    insecure = cli("login", "--profile", "p", "--base-url", "http://myssl.example/api/v1",
                   "--key-stdin", stdin=random_secret())
    assert insecure.returncode == 1 and "https" in insecure.stderr
    empty = cli("login", "--profile", "p", "--key-stdin", stdin="")
    assert empty.returncode == 1 and "standard input" in empty.stderr
    assert "No profiles yet" in cli("profiles").stdout


def test_login_without_any_keychain_fails_and_stores_nothing(cli, sandbox, app_dirs: AppDirs) -> None:
    env = cli_env(DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent/bus")
    result = cli("login", "--profile", "p", "--base-url", sandbox.base_url, "--key-stdin",
                 stdin=sandbox.admin_key, env=env)
    assert result.returncode == 1
    assert "No keychain is available" in result.stderr and "GNOME Keyring" in result.stderr
    assert sandbox.admin_key not in result.stdout + result.stderr
    root = app_dirs.config.parent.parent
    assert files_containing(root, sandbox.admin_key) == []
    assert not (app_dirs.config / "profiles.json").exists()


def test_doctor_reports_and_fails_when_broken(cli, sandbox) -> None:
    good = cli("doctor", "--base-url", sandbox.base_url)
    assert good.returncode == 0, good.stdout
    assert "SecretService" in good.stdout and "answers like the MySSL API" in good.stdout
    assert "config folder" in good.stdout and "myssl-desktop 0." in good.stdout
    env = cli_env(DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent/bus")
    bad = cli("doctor", "--base-url", "http://127.0.0.1:9/api/v1", env=env)
    assert bad.returncode == 1
    assert "FAIL keychain" in bad.stdout and "FAIL connection" in bad.stdout
    assert "problem(s): keychain, connection" in bad.stdout


def test_keychain_entry_is_under_the_service_name(cli, sandbox, real_keychain: Keychain) -> None:
    import keyring

    cli("login", "--profile", "svc", "--base-url", sandbox.base_url, "--key-stdin", stdin=sandbox.admin_key)
    from myssl_desktop.profiles import ProfileStore

    profile = ProfileStore(AppDirs.default().config).load().find("svc")
    assert profile is not None
    assert keyring.get_password("myssl-desktop", Entry.sign_in(profile.id)) == sandbox.admin_key


def test_login_in_a_terminal_asks_for_the_key_with_typing_hidden(sandbox, app_dirs: AppDirs,
                                                                 real_keychain: Keychain) -> None:
    myssl_keys = [sys.executable, "-m", "myssl_desktop.cli"]
    code, screen = in_terminal([*myssl_keys, "login", "--profile", "typed", "--base-url", sandbox.base_url],
                               "(typing is hidden): ", sandbox.admin_key)
    assert code == 0, screen
    assert "MySSL API key (typing is hidden):" in screen and "Signed in to profile “typed”" in screen
    assert sandbox.admin_key not in screen and sandbox.admin_key[8:20] not in screen  # no echo
    profile = ProfileStore(app_dirs.config).load().find("typed")
    assert profile is not None and real_keychain.load(Entry.sign_in(profile.id)).reveal() == sandbox.admin_key

    nothing, screen = in_terminal([*myssl_keys, "login", "--profile", "empty", "--base-url", sandbox.base_url],
                                  "(typing is hidden): ", "")
    assert nothing == 1 and "No key was typed" in screen
    assert ProfileStore(app_dirs.config).load().find("empty") is None


def test_login_without_a_terminal_or_key_stdin_says_how(cli, sandbox, app_dirs: AppDirs) -> None:
    result = cli("login", "--profile", "p", "--base-url", sandbox.base_url, stdin=sandbox.admin_key)
    assert result.returncode == 2 and "No terminal to ask for the key on" in result.stderr
    assert "--key-stdin < key.txt" in result.stderr and len(result.stderr.splitlines()) == 1
    assert not (app_dirs.config / "profiles.json").exists()
