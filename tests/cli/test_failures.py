"""Failures that used to end in a traceback: each is one line on standard error and a non-zero
exit, and nothing is left half done."""

from __future__ import annotations

import re
import subprocess

import pytest

from myssl_desktop.paths import AppDirs
from tests.cli.helpers import Work, keychain_secrets


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr
    return result.stderr


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
