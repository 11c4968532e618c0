"""What was sent: the name of every notified event (`Finding.once`) with when, in the data
folder, written atomically under a lock (the app and `myssl-keys check --notify` share it).
Names older than a year are forgotten."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

from ..atomicfile import write_atomic
from ..filelocks import locked

FILE_NAME = "reminders-sent.json"
FORGET_AFTER = timedelta(days=366)


class SentLedger:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / FILE_NAME
        self._lock = data_dir / "locks" / f"{FILE_NAME}.lock"

    def sent(self) -> dict[str, str]:
        try:
            document = json.loads(self.path.read_text())
            return {str(k): str(v) for k, v in document.get("sent", {}).items()}
        except (OSError, ValueError, TypeError, AttributeError):
            return {}

    def unsent(self, names: Iterable[str]) -> list[str]:
        known = self.sent()
        return [name for name in names if name not in known]

    def record(self, names: Iterable[str], now: datetime) -> None:
        names = list(names)
        if not names:
            return
        with locked(self._lock, busy="The reminders' record is being written by another process."):
            sent = self.sent()
            cutoff = now - FORGET_AFTER
            sent = {k: v for k, v in sent.items() if not _older(v, cutoff)}
            stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
            sent.update({name: stamp for name in names})
            write_atomic(self.path, (json.dumps({"version": 1, "sent": sent}, indent=1) + "\n").encode())


def _older(text: str, cutoff: datetime) -> bool:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")) < cutoff
    except ValueError:
        return True  # not a time: nothing worth keeping


__all__ = ["SentLedger"]
