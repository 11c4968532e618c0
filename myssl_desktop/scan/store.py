"""What the scans of a profile found, kept so the exposed flag and "Found in" survive a restart.

One JSON file per profile, `scans/<profile id>.json` under the data folder, written atomically
(temp file, fsync, rename) under a lock: the app and `myssl-keys scan --profile` may both
record. A hit is kept as its key's prefix, the SHA-256 of the secret, the file and line and, for
a history hit, the commit, whether it was pushed and the repository: never the secret. A hit
read back whose prefix is not a 12-character key prefix is dropped, so a damaged or hand-edited
file cannot put a secret on screen.

A new scan replaces what it looked at again: the working-tree hits under the folders it read
and the history hits of the repositories whose history it read. Other hits (other folders,
histories not read this time) stay.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..atomicfile import write_atomic
from ..filelocks import lock_name, locked
from .model import Hit, ScanReport

FILE_VERSION = 1
_PREFIX = re.compile(r"myssl_k_[a-z0-9]{4}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


@dataclass(frozen=True)
class ScannedFolder:
    """A folder (or file) a scan read: when, and when its git history was last read (None: never)."""

    path: Path
    scanned_at: datetime
    history_at: datetime | None = None


@dataclass(frozen=True)
class Findings:
    """Every kept hit of one profile's scans, and the folders those scans read (newest first)."""

    hits: tuple[Hit, ...] = ()
    folders: tuple[ScannedFolder, ...] = ()

    def by_prefix(self) -> dict[str, tuple[Hit, ...]]:
        found: dict[str, list[Hit]] = {}
        for hit in self.hits:
            found.setdefault(hit.prefix, []).append(hit)
        return {prefix: tuple(hits) for prefix, hits in found.items()}

    def exposed(self) -> frozenset[str]:
        """Prefixes found in a commit: whoever can read that history has the key."""
        return frozenset(hit.prefix for hit in self.hits if hit.in_history)

    def updated(self, report: ScanReport, *, history: bool, now: datetime) -> Findings:
        """These findings with `report`'s scan recorded (see the module doc)."""
        histories = set(report.repositories)

        def read_again(hit: Hit) -> bool:
            if hit.in_history:
                return hit.repository in histories
            return any(hit.path == root or root in hit.path.parents for root in report.roots)

        hits = tuple(dict.fromkeys([*(h for h in self.hits if not read_again(h)), *report.hits]))
        before = {folder.path: folder for folder in self.folders}
        scanned = [ScannedFolder(root, now, now if history else
                                 (before[root].history_at if root in before else None))
                   for root in report.roots]
        others = [folder for folder in self.folders if folder.path not in report.roots]
        return replace(self, hits=hits, folders=(*scanned, *others))


class FoundStore:
    """The findings of each profile, in `<data>/scans/`."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / "scans"
        self._locks = data_dir / "locks"

    def path_for(self, profile_id: str) -> Path:
        return self.folder / f"{profile_id}.json"

    def load(self, profile_id: str) -> Findings:
        """The profile's findings; none when there are none or the file cannot be read."""
        try:
            document = json.loads(self.path_for(profile_id).read_bytes())
        except (OSError, ValueError):
            return Findings()
        if not isinstance(document, dict) or document.get("version") != FILE_VERSION:
            return Findings()
        hits = tuple(hit for entry in _list(document, "hits") if (hit := _hit(entry)) is not None)
        folders = tuple(folder for entry in _list(document, "folders") if (folder := _folder(entry)) is not None)
        return Findings(hits, folders)

    def record(self, profile_id: str, report: ScanReport, *, history: bool,
               now: datetime | None = None) -> Findings:
        """Record a finished scan for the profile; returns the profile's findings now."""
        with locked(self._locks / lock_name("scans", profile_id),
                    busy="Scan results are being recorded by another process; try again in a moment."):
            findings = self.load(profile_id).updated(report, history=history, now=now or datetime.now(UTC))
            document = {"version": FILE_VERSION,
                        "folders": [_folder_json(folder) for folder in findings.folders],
                        "hits": [_hit_json(hit) for hit in findings.hits]}
            write_atomic(self.path_for(profile_id), (json.dumps(document, indent=1) + "\n").encode())
        return findings


def _hit_json(hit: Hit) -> dict[str, Any]:
    if not _PREFIX.fullmatch(hit.prefix):  # a prefix is all of a secret that may be written
        raise ValueError("a hit's prefix must be a key's 12-character prefix")
    return {"prefix": hit.prefix, "sha256": hit.sha256, "path": str(hit.path), "line": hit.line,
            "commit": hit.commit, "pushed": hit.pushed,
            "repository": None if hit.repository is None else str(hit.repository)}


def _hit(entry: Any) -> Hit | None:
    try:
        prefix, sha256, commit, line = entry["prefix"], entry["sha256"], entry["commit"], entry["line"]
        if not (isinstance(prefix, str) and _PREFIX.fullmatch(prefix) and isinstance(sha256, str)
                and _SHA256.fullmatch(sha256) and isinstance(line, int) and line > 0
                and (commit is None or (isinstance(commit, str) and _COMMIT.fullmatch(commit)))):
            return None
        repository = entry["repository"]
        return Hit(prefix=prefix, sha256=sha256, path=Path(str(entry["path"])), line=line, commit=commit,
                   pushed=None if commit is None else bool(entry["pushed"]),
                   repository=None if repository is None else Path(str(repository)))
    except (KeyError, TypeError):
        return None


def _folder_json(folder: ScannedFolder) -> dict[str, Any]:
    return {"path": str(folder.path), "scanned_at": _time_json(folder.scanned_at),
            "history_at": None if folder.history_at is None else _time_json(folder.history_at)}


def _folder(entry: Any) -> ScannedFolder | None:
    try:
        history_at = entry["history_at"]
        return ScannedFolder(Path(str(entry["path"])), _time(entry["scanned_at"]),
                             None if history_at is None else _time(history_at))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _list(document: dict[str, Any], name: str) -> list[Any]:
    value = document.get(name)
    return value if isinstance(value, list) else []


def _time_json(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


__all__ = ["Findings", "FoundStore", "ScannedFolder"]
