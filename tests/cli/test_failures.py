"""Failures that used to end in a traceback: each is one line on standard error and a non-zero
exit, and nothing is left half done."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from myssl_desktop.api.client import MysslClient
from myssl_desktop.paths import AppDirs
from myssl_desktop.profiles import SCHEMA_VERSION
from tests.cli.helpers import Work, cli_env, keychain_secrets
from tests.support import files_containing


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr
    return result.stderr


def usage_error(result: subprocess.CompletedProcess[str]) -> str:
    """The line of a command-line error, after argparse's usage lines (exit code 2)."""
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("usage: myssl-keys"), result.stderr
    return result.stderr.splitlines()[-1]


@pytest.mark.parametrize("label", ["config", "data"])
def test_a_folder_that_cannot_be_written_stops_login_before_anything_is_stored(
        cli, sandbox, app_dirs: AppDirs, real_keychain, label: str) -> None:
    folder = app_dirs.all()[label]
    folder.parent.mkdir(parents=True)
    folder.write_text("")  # a file where the folder should be: unwritable, even for root
    result = cli("login", "--profile", "work", "--base-url", sandbox.base_url, "--key-stdin", stdin=sandbox.admin_key)
    assert result.returncode == 1
    assert one_line(result) == (f"myssl-keys: The {label} folder {folder} cannot be written (a file of that name is "
                                "in the way). Nothing was changed. Fix that folder, or see: myssl-keys doctor\n")
    assert sandbox.admin_key not in keychain_secrets()
    assert not (app_dirs.config / "profiles.json").exists()
    doctor = cli("doctor", "--base-url", sandbox.base_url)
    assert doctor.returncode == 1 and re.search(rf"FAIL {label} folder +The {label} folder", doctor.stdout)


def test_a_data_folder_that_cannot_be_written_stops_a_create_before_myssl_acts(work: Work) -> None:
    data = work.app_dirs.data
    for path in sorted(data.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    data.rmdir()
    data.write_text("")
    result = work.run("keys", "create", "--name", "Never made")
    assert result.returncode == 1 and "The data folder" in one_line(result)
    assert not [k for k in work.api.all_keys() if k.name == "Never made"]


@pytest.mark.parametrize("document", [
    {"profiles": None},
    {"profiles": [{"name": "work"}]},
    {"profiles": [], "last_profile_id": ["work"]},
])
def test_a_profiles_file_of_the_wrong_shape_is_one_line(cli, app_dirs: AppDirs, document: dict[str, object]) -> None:
    app_dirs.config.mkdir(parents=True)
    for command in (["profiles"], ["keys", "list"], ["whoami"]):
        (app_dirs.config / "profiles.json").write_text(json.dumps({"schema_version": SCHEMA_VERSION, **document}))
        result = cli(*command)
        assert result.returncode == 1, command
        assert "The profiles file was damaged and has been moved aside" in one_line(result)
        assert not (app_dirs.config / "profiles.json").exists()


def run_bytes(*args: bytes | str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`myssl-keys` with arguments that need not be UTF-8, as a shell passes them."""
    return subprocess.run([sys.executable, "-m", "myssl_desktop.cli", *args], capture_output=True, text=True,
                          env=env or cli_env(), timeout=60)


def test_text_that_is_not_utf8_is_refused_before_anything_happens(work: Work) -> None:
    name = run_bytes("keys", "create", "--name", b"Caf\xe9 (latin-1)")
    assert usage_error(name) == ("myssl-keys keys create: error: argument --name: “Caf\\xe9 (latin-1)” is not "
                                 "valid UTF-8 text; type it again in a UTF-8 terminal")
    assert not [k for k in work.api.all_keys() if k.name.startswith("Caf")]
    assert "“\\xff\\xfe” is not valid UTF-8" in usage_error(run_bytes("--profile", b"\xff\xfe", "keys", "list"))
    assert "not valid UTF-8" in usage_error(run_bytes("keys", "show", "--key", b"\xffold"))
    env = cli_env()
    environment = subprocess.run([sys.executable, "-m", "myssl_desktop.cli", "keys", "list"], capture_output=True,
                                 text=True, timeout=60, env={**{k.encode(): v.encode() for k, v in env.items()},
                                                             b"MYSSL_PROFILE": b"w\xf6rk"})  # type: ignore[dict-item]
    assert environment.returncode == 2 and "MYSSL_PROFILE: “w\\xf6rk” is not valid UTF-8" in one_line(environment)


def test_a_base_url_with_a_line_break_is_refused(cli, sandbox, app_dirs: AppDirs, real_keychain) -> None:
    smuggled = sandbox.base_url + "\nX-Injected: 1"
    login = cli("login", "--profile", "p", "--base-url", smuggled, "--key-stdin", stdin=sandbox.admin_key)
    assert "is not a web address: it holds a line break" in usage_error(login)
    assert not (app_dirs.config / "profiles.json").exists()

    assert cli("login", "--profile", "p", "--base-url", sandbox.base_url, "--key-stdin",
               stdin=sandbox.admin_key).returncode == 0
    path = app_dirs.config / "profiles.json"
    document = json.loads(path.read_text())
    document["profiles"][0]["base_url"] = smuggled  # a hand edit
    path.write_text(json.dumps(document))
    listing = cli("keys", "list")
    assert listing.returncode == 1 and "Profile “p” has a damaged base URL" in one_line(listing)
    doctor = cli("doctor")
    assert doctor.returncode == 1 and re.search(r"FAIL connection +“.*\\nX-Injected: 1” is not a web address",
                                                doctor.stdout)


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """No file can be created in `folder` (not even by root: chattr +i); its files stay writable."""
    if os.geteuid() == 0:
        made = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
        if made.returncode != 0:
            pytest.skip(f"chattr +i is refused here: {made.stderr.strip()}")
    else:
        folder.chmod(0o555)
    try:
        yield
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)


def test_a_writable_env_file_in_a_read_only_folder_is_rotated_in_place(work: Work, tmp_path: Path) -> None:
    app, secret = work.make("App server")
    folder = tmp_path / "app"
    folder.mkdir()
    env_file = folder / ".env"
    env_file.write_text(f"# app settings\nDEBUG=0\nMYSSL_API_KEY={secret}\nPORT=8080\n")
    inode = env_file.stat().st_ino
    with read_only(folder):
        with pytest.raises(OSError):
            (folder / "probe").write_text("")  # the folder really is read-only
        result = work.run("rotate", "App server", "--env-file", str(env_file), "--quiet-period", "0s",
                          "--yes")
    assert result.returncode == 0, result.stderr
    new_secret = re.fullmatch(r"# app settings\nDEBUG=0\nMYSSL_API_KEY=(myssl_k_[a-z0-9]+)\nPORT=8080\n",
                              env_file.read_text())
    assert new_secret is not None and new_secret.group(1) != secret
    work.secrets.add(new_secret.group(1))
    assert env_file.stat().st_ino == inode and sorted(p.name for p in folder.iterdir()) == [".env"]
    assert MysslClient(work.sandbox.base_url, new_secret.group(1)).current().api_key.name == "App server"
    assert work.api.get_key(app.id).status == "revoked"
    assert files_containing(work.app_dirs.config.parent.parent, new_secret.group(1)) == []
