"""The `--out-file` of `myssl-keys keys create|regenerate` (cli/newsecret.py): a new file, mode
0600, reserved before the request. Runs without the sandbox: only the file handling is under test."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from myssl_desktop.cli import newsecret
from myssl_desktop.cli.newsecret import reserved_file


@pytest.mark.posix  # permission bits and umask; Windows only has a read-only flag
def test_the_file_is_0600_even_under_a_umask_that_strips_the_owners_write_bit(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    previous = os.umask(0o277)
    try:
        with reserved_file(str(path)) as reserved:
            assert reserved is not None
            reserved.write("myssl_k_example")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == "myssl_k_example\n"


@pytest.mark.posix
def test_without_fchmod_as_on_windows_before_3_13_the_file_is_still_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(newsecret.os, "fchmod")
    path = tmp_path / "secret.txt"
    with reserved_file(str(path)) as reserved:
        assert reserved is not None
        reserved.write("myssl_k_example")
    assert path.read_text() == "myssl_k_example\n"
    assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0  # os.open's mode still keeps others out


def test_nothing_written_leaves_no_file_behind(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    with reserved_file(str(path)):
        assert path.exists()
    assert not path.exists()


def test_an_existing_file_is_refused_and_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("keep me")
    with pytest.raises(newsecret.CommandFailed), reserved_file(str(path)):
        pass
    assert path.read_text() == "keep me"
    assert "already exists; refusing to overwrite it" in capsys.readouterr().err
