"""`.env` edits keep every other byte: comments, quoting, `export`, line endings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from myssl_desktop.api import Secret
from myssl_desktop.rotation.targets import (
    EnvFileTarget,
    TargetChanged,
    TargetFailed,
    read_value,
    replace_value,
)

NEW = "myssl_k_new0000000000"


@pytest.mark.parametrize(("before", "after"), [
    (b"MYSSL_API_KEY=old\n", b"MYSSL_API_KEY=NEW\n"),
    (b"# comment\r\nA=1\r\nMYSSL_API_KEY=old\r\nB=2\r\n", b"# comment\r\nA=1\r\nMYSSL_API_KEY=NEW\r\nB=2\r\n"),
    (b'MYSSL_API_KEY="old"\n', b'MYSSL_API_KEY="NEW"\n'),
    (b"MYSSL_API_KEY='old' # prod\n", b"MYSSL_API_KEY='NEW' # prod\n"),
    (b"export MYSSL_API_KEY=old\n", b"export MYSSL_API_KEY=NEW\n"),
    (b"  MYSSL_API_KEY = old\n", b"  MYSSL_API_KEY = NEW\n"),
    (b"MYSSL_API_KEY=old\nX=1\nMYSSL_API_KEY=older\n", b"MYSSL_API_KEY=NEW\nX=1\nMYSSL_API_KEY=NEW\n"),
    (b"A=1\r\n", b"A=1\r\nMYSSL_API_KEY=NEW\r\n"),  # missing: appended with the file's line ending
    (b"A=1", b"A=1\nMYSSL_API_KEY=NEW\n"),
    (b"MYSSL_API_KEY_OLD=keep\nOTHER_MYSSL_API_KEY=keep\n",
     b"MYSSL_API_KEY_OLD=keep\nOTHER_MYSSL_API_KEY=keep\nMYSSL_API_KEY=NEW\n"),
])
def test_replace_value(before: bytes, after: bytes) -> None:
    assert replace_value(before, "MYSSL_API_KEY", "NEW") == after
    assert read_value(after, "MYSSL_API_KEY") == "NEW"


@given(st.lists(st.sampled_from([b"# c", b"A=1", b"export B='x y'", b"", b"C=\"q\""]), max_size=8),
       st.sampled_from([b"\n", b"\r\n"]))
def test_other_lines_are_untouched(lines: list[bytes], newline: bytes) -> None:
    content = newline.join([*lines, b"MYSSL_API_KEY=old", *lines]) + newline
    updated = replace_value(content, "MYSSL_API_KEY", "NEW")
    assert updated == content.replace(b"MYSSL_API_KEY=old", b"MYSSL_API_KEY=NEW")


@pytest.mark.posix  # permission bits
def test_deliver_keeps_permissions_makes_a_backup_and_restores(tmp_path: Path) -> None:
    path = tmp_path / "app.env"
    path.write_bytes(b"MYSSL_API_KEY=old\n")
    path.chmod(0o600)
    target = EnvFileTarget.plan(path)
    target.deliver(Secret(NEW), "r1")
    assert path.read_bytes() == f"MYSSL_API_KEY={NEW}\n".encode()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    backup = target.backup_path("r1")
    assert backup.read_bytes() == b"MYSSL_API_KEY=old\n" and oct(backup.stat().st_mode & 0o777) == "0o600"
    target.deliver(Secret(NEW), "r1")  # again after a crash: nothing changes
    assert path.read_bytes() == f"MYSSL_API_KEY={NEW}\n".encode()
    target.restore("r1")
    assert path.read_bytes() == b"MYSSL_API_KEY=old\n" and not backup.exists()


def test_a_changed_file_stops_delivery(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_bytes(b"MYSSL_API_KEY=old\n")
    target = EnvFileTarget.plan(path)
    path.write_bytes(b"MYSSL_API_KEY=old\nNEW_LINE=1\n")
    with pytest.raises(TargetChanged):
        target.deliver(Secret(NEW), "r1")
    assert path.read_bytes() == b"MYSSL_API_KEY=old\nNEW_LINE=1\n"


def test_a_read_only_file_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / ".env"
    path.write_bytes(b"MYSSL_API_KEY=old\n")
    path.chmod(0o400)
    target = EnvFileTarget.plan(path)
    real_access = os.access
    # root may write anything; ask as the file's permissions would answer a normal user
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == path and mode == os.W_OK
                        else real_access(p, mode))
    with pytest.raises(TargetFailed, match="read-only"):
        target.deliver(Secret(NEW), "r1")
    assert path.read_bytes() == b"MYSSL_API_KEY=old\n"


def test_a_missing_file_is_explained(tmp_path: Path) -> None:
    with pytest.raises(TargetFailed, match="Cannot read"):
        EnvFileTarget.plan(tmp_path / "nope.env")
