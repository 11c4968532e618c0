"""Writes in place keep the file itself, and a write cut short is told apart from someone else's
edit. (What an edit changes inside the content is tested in test_envfile.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from myssl_desktop.rotation import files
from myssl_desktop.rotation.envfile import replace_value
from myssl_desktop.rotation.targets import EnvFileTarget, look


@pytest.mark.posix  # inodes and permission bits
def test_a_write_in_place_keeps_the_file_itself(tmp_path: Path) -> None:
    path = tmp_path / "app.env"
    path.write_bytes(b"MYSSL_API_KEY=old-and-longer\nDEBUG=1\n")
    path.chmod(0o604)
    before = path.stat()
    old = path.read_bytes()
    new = replace_value(old, "MYSSL_API_KEY", "NEW")
    files.write_in_place(path, old, new)
    after = path.stat()
    assert path.read_bytes() == b"MYSSL_API_KEY=NEW\nDEBUG=1\n"  # shorter: truncated, no padding left
    assert (after.st_ino, oct(after.st_mode)) == (before.st_ino, oct(before.st_mode))


def test_recognise_tells_where_a_write_stands() -> None:
    old = b"A=1\nMYSSL_API_KEY=old-value-that-is-long\nB=2\n"
    new = replace_value(old, "MYSSL_API_KEY", "NEW")
    before, after = files.digest(old), files.digest(new)

    def where(content: bytes) -> files.Found:
        return files.recognise(content, before, after, len(new), old, new)

    assert where(old) is files.Found.BEFORE
    assert where(new) is files.Found.AFTER
    padded = new + b"\n" * (len(old) - len(new))
    assert where(padded) is files.Found.UNFINISHED  # killed between the write and the truncate
    assert files.recognise(padded, before, after, len(new)) is files.Found.UNFINISHED  # known without the old
    torn = new[:20] + old[20:]  # the key's first characters written, the rest not yet
    assert where(torn) is files.Found.UNFINISHED  # a write cut short
    assert where(new + b"C=3\n") is files.Found.CHANGED  # someone else's edit
    assert files.recognise(torn, before, after, len(new)) is files.Found.CHANGED  # not provable without the old


def test_a_missing_file_is_explained(tmp_path: Path, keychain=None) -> None:
    from myssl_desktop.keychain import DemoKeyring, Keychain

    contents = look(EnvFileTarget.at(tmp_path / "nope.env"), "myssl_k_abcd", Keychain(DemoKeyring()))
    assert not contents.usable and "Cannot read" in contents.problem


def test_a_path_is_remembered_as_given_not_resolved(tmp_path: Path) -> None:
    real = tmp_path / "releases" / "r1"
    real.mkdir(parents=True)
    (tmp_path / "current").symlink_to(real)
    assert EnvFileTarget.at(tmp_path / "current" / ".env").path == str(tmp_path / "current" / ".env")
