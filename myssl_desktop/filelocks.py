"""Locks between processes (and threads), on lock files: the app, `myssl-keys` and a user
timer may all work on the same profiles and rotations at once.

One lock file per thing locked; the files stay (an empty file is harmless, and deleting a lock
file another process is waiting on would let two holders in).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import AppError


class Busy(AppError):
    """Another process (or window) holds the lock: the message says what it is doing."""


@contextmanager
def locked(path: Path, *, wait_s: float = 30.0, busy: str = "") -> Iterator[None]:
    """Hold the lock at `path` (waiting up to `wait_s`; 0 tries once) or raise `Busy(busy)`."""
    from filelock import FileLock, Timeout  # here: its import (~8 ms) would delay the app's first list

    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path, timeout=wait_s, thread_local=False, preserve_lock_file=True)
    try:
        lock.acquire()
    except Timeout:
        raise Busy(busy or f"{path.name} is locked by another process; try again in a moment.") from None
    try:
        yield
    finally:
        lock.release()


def lock_name(*parts: object) -> str:
    """A file name for a lock on `parts` (a URL, an id): short, and safe on every OS."""
    import hashlib  # here: it loads OpenSSL, ~2 ms that the window's start would wait for

    return hashlib.sha256("\0".join(map(str, parts)).encode()).hexdigest()[:24] + ".lock"


__all__ = ["Busy", "lock_name", "locked"]
