"""Rewriting a target file in place, so that it keeps its inode: its owner and group, its
mode, ACLs and extended attributes, and every hard link to it. (An atomic rename would make a
`sudo` rotation's file root's, and cut hard links.)

A write is one `write()` of the whole new content at offset 0. When the new content is
shorter, it is first padded with newlines to the old length and then truncated, so that a
kill between the two leaves a file that reads the same as the new one (trailing blank lines).
A write cut short (a power cut, or a kill in the middle of a multi-page write) leaves each
byte either old or new: `recognise()` tells such a torn file from someone else's edit, given
the content before the write, so a resumed rotation can finish it.
"""

from __future__ import annotations

import hashlib
import os
from enum import Enum, auto
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..api.secret import Secret


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def read(path: str | Path) -> bytes:
    return Path(path).read_bytes()


def write_in_place(path: str | Path, old: bytes, new: bytes) -> None:
    """Replace the file's content (`old` now) with `new`, keeping the same file."""
    padding = b"\n" * max(0, len(old) - len(new))
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_BINARY", 0))
    try:
        _write_all(fd, new + padding)
        if padding:
            os.ftruncate(fd, len(new))
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    os.lseek(fd, 0, os.SEEK_SET)
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def put_secret(path: str | Path, variable: str, secret: Secret) -> str:
    """Put `variable=secret` in the .env file at `path`, which the user chose: only that
    variable changes (in place), or a new file is made readable by its owner only. Returns what
    was done, in words (never the secret)."""
    from ..redaction import key_prefix
    from . import envfile

    path = Path(path)
    try:
        old = path.read_bytes()
    except FileNotFoundError:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(envfile.replace_value(b"", variable, secret.reveal()))
            handle.flush()
            os.fsync(handle.fileno())
        return f"Wrote {variable} to the new file {path} (readable by you only)."
    before = envfile.lookup(old, variable).value
    write_in_place(path, old, envfile.replace_value(old, variable, secret.reveal()))
    if before is None:
        return f"Added {variable} to {path}."
    replaced = f" (it held {key_prefix(before)}…)" if before.startswith("myssl_k_") else ""
    return f"Set {variable} in {path}{replaced}; the rest of the file is as it was."


class Found(Enum):
    BEFORE = auto()  # as it was before the write
    AFTER = auto()  # as written
    UNFINISHED = auto()  # the write began and was cut short: write it again
    CHANGED = auto()  # neither: someone else changed it


def recognise(content: bytes, before: str, after: str, after_length: int, old: bytes | None = None,
              new: bytes | None = None) -> Found:
    """Where a file stands after a write that may have been cut short. `before`/`after` are
    digests; with the content before and after (`old`, `new`) a torn write is recognised too."""
    if digest(content) == after:
        return Found.AFTER
    if digest(content) == before:
        return Found.BEFORE
    head, tail = content[:after_length], content[after_length:]
    if digest(head) == after and tail.strip(b"\n") == b"":
        return Found.UNFINISHED  # padded, not yet truncated
    if old is not None and new is not None and _torn(content, old, new):
        return Found.UNFINISHED
    return Found.CHANGED


def _torn(content: bytes, old: bytes, new: bytes) -> bool:
    """Each byte is the old file's or the new one's at that place: a write cut short."""
    longest = max(len(old), len(new + b"\n" * max(0, len(old) - len(new))))
    if not min(len(old), len(new)) <= len(content) <= longest:
        return False
    padded = new + b"\n" * max(0, len(old) - len(new))
    return all(byte == (padded[i] if i < len(padded) else None) or byte == (old[i] if i < len(old) else None)
               for i, byte in enumerate(content))


__all__ = ["Found", "digest", "put_secret", "read", "recognise", "write_in_place"]
