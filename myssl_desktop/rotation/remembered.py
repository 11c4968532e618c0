"""Where each key lives, remembered for its next rotation: the targets of its last one.

Remembered per account and key: by the base URL and the key's id and creation time, which
together name one key even when two accounts (or a profile signed in to another account) have
a key of the same id. `remembered-targets.json` under the data folder, changed under a lock.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..atomicfile import write_atomic
from ..filelocks import lock_name, locked
from .targets import Target, from_spec, to_spec

FILE_NAME = "remembered-targets.json"


def key_identity(base_url: str, key_id: int, created_at: str) -> str:
    return f"{base_url.rstrip('/')}|{key_id}|{created_at}"


class RememberedTargets:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / FILE_NAME
        self._lock = data_dir / "locks" / lock_name(FILE_NAME)

    def get(self, base_url: str, key_id: int, created_at: str) -> list[Target]:
        specs = self._load().get(key_identity(base_url, key_id, created_at), [])
        targets = []
        for spec in specs:
            try:
                targets.append(from_spec(spec))
            except (KeyError, TypeError, ValueError):
                continue  # a target of a kind this version does not know
        return targets

    def put(self, base_url: str, key_id: int, created_at: str, targets: list[Target] | tuple[Target, ...],
            *, forget: tuple[int, str] | None = None) -> None:
        """Remember `targets` for the key; `forget` (id, created_at) drops another key's entry."""
        with locked(self._lock, busy="The remembered targets are being changed by another process."):
            document = self._load()
            document[key_identity(base_url, key_id, created_at)] = [to_spec(t) for t in targets]
            if forget is not None:
                document.pop(key_identity(base_url, *forget), None)
            write_atomic(self.path, (json.dumps(document, indent=2) + "\n").encode())

    def _load(self) -> dict[str, Any]:
        try:
            document = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return {}
        return document if isinstance(document, dict) else {}


__all__ = ["RememberedTargets", "key_identity"]
