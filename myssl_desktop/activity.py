"""What this app did to which key, when, and how it ended: a local activity log (no Qt).

One JSON object per line in `activity.jsonl` in the data folder. Entries are appended, not
rewritten: each line goes out in one `write()` on a file opened with O_APPEND and is fsynced,
under a lock the desktop app and `myssl-keys` share (so the check for a line cut short and the
rollover see no other writer), and a power cut can at worst cut the last line short, which
reading skips. Every text passes through `redact()`: a key-shaped
string becomes its 12-character prefix, so no secret is ever written here.

Past MAX_BYTES the file moves to `activity.1.jsonl` (one generation kept).
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

from .filelocks import Busy, locked
from .redaction import redact

FILE_NAME = "activity.jsonl"
OLD_FILE_NAME = "activity.1.jsonl"
MAX_BYTES = 2_000_000  # about 10,000 entries


@dataclass(frozen=True)
class Activity:
    at: str  # UTC, "YYYY-MM-DDTHH:MM:SSZ"
    profile: str  # the profile's name ("" for none)
    action: str  # "create", "revoke", "rotate", "sign in", …
    key_name: str = ""
    key_prefix: str = ""  # "myssl_k_ab12": enough to recognise a key, never to use it
    key_id: int | None = None
    outcome: str = "done"  # "done", or what went wrong, in words
    detail: str = ""  # e.g. "scheduled for 2026-12-05 14:00 UTC"

    @property
    def succeeded(self) -> bool:
        return self.outcome == "done"


COLUMNS = tuple(f.name for f in fields(Activity))


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ActivityLog:
    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE_NAME
        self._lock = folder / "locks" / "activity.lock"

    def record(self, profile: str, action: str, *, key_name: str = "", key_prefix: str = "",
               key_id: int | None = None, outcome: str = "done", detail: str = "") -> Activity:
        """Append one entry (texts redacted). Raises OSError when the folder cannot be written:
        callers that must not fail because of the log catch it."""
        entry = Activity(at=now_text(), profile=redact(profile), action=action, key_name=redact(key_name),
                         key_prefix=redact(key_prefix)[:12], key_id=key_id, outcome=redact(outcome),
                         detail=redact(detail))
        line = (json.dumps(asdict(entry), ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.ExitStack() as held:
            with contextlib.suppress(Busy):  # a lock held too long never stops the record: one write still
                held.enter_context(locked(self._lock, wait_s=10))  # cannot interleave with another
            self._append(line)
        return entry

    def _append(self, line: bytes) -> None:
        self._roll_over_if_full()
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
        try:
            size = os.fstat(fd).st_size
            if size and os.lseek(fd, size - 1, os.SEEK_SET) >= 0 and os.read(fd, 1) != b"\n":  # no pread on Windows
                line = b"\n" + line  # a line cut short by a crash stays alone, not glued to this one
            os.write(fd, line)  # one write: lines of two processes never interleave
            os.fsync(fd)
        finally:
            os.close(fd)

    def entries(self) -> list[Activity]:
        """Oldest first, the rolled-over generation included; damaged lines are skipped."""
        found: list[Activity] = []
        for path in (self.path.with_name(OLD_FILE_NAME), self.path):
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                continue
            for line in raw.splitlines():
                entry = _parse(line)
                if entry is not None:
                    found.append(entry)
        return found

    def _roll_over_if_full(self) -> None:
        try:
            if self.path.stat().st_size < MAX_BYTES:
                return
        except FileNotFoundError:
            return
        os.replace(self.path, self.path.with_name(OLD_FILE_NAME))


def _parse(line: bytes) -> Activity | None:
    try:
        data = json.loads(line)
        if not isinstance(data, dict):
            return None
        values = {name: data[name] for name in COLUMNS if name in data}
        entry = Activity(**values)
    except (ValueError, TypeError):  # a line cut short by a crash, or edited by hand
        return None
    if not all(isinstance(getattr(entry, name), str) for name in COLUMNS if name != "key_id"):
        return None
    return entry


def activity_rows(entries: list[Activity]) -> list[dict[str, object]]:
    return [asdict(entry) for entry in entries]


__all__ = ["COLUMNS", "Activity", "ActivityLog", "activity_rows"]
