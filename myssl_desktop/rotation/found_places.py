"""The places a rotation updates, for the files where a scan found the key.

A scan knows a file and a line; a rotation needs a variable it can edit. In each file, every
variable that holds the key (as a .env reader reads it) becomes an `EnvFileTarget`; a file where
none does (YAML, JSON, a script) becomes a checklist item naming its lines. History hits are
no places: a commit cannot be changed, only the key revoked. This reads the files: call it off
the GUI thread.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..scan import Hit
from ..scan.pattern import find_secrets
from . import envfile
from .targets import EnvFileTarget, Holds, ManualTarget, Target, classify


def places_of(hits: Iterable[Hit], prefix: str) -> list[Target]:
    """Targets for the working-tree hits of the key `prefix`, file by file in the hits' order,
    the checklist items last. A file that is gone or no longer holds the key is left out."""
    lines: dict[Path, list[int]] = {}
    for hit in hits:
        if not hit.in_history and hit.prefix == prefix:
            lines.setdefault(hit.path, []).append(hit.line)
    targets: list[Target] = []
    for path, found_at in lines.items():
        try:
            content = path.read_bytes()
        except OSError:
            continue
        if not any(found.prefix == prefix for found in find_secrets(content)):
            continue  # changed since the scan
        held = [name for name in envfile.variables(content)
                if classify(envfile.lookup(content, name).value, prefix).holds is Holds.OLD_KEY]
        if held:
            targets += [EnvFileTarget.at(path, name) for name in held]
        else:
            numbers = sorted(set(found_at))
            where = f"line{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))}"
            targets.append(ManualTarget(f"Replace the key in {path} ({where}) by hand"))
    return sorted(targets, key=lambda target: not target.automatic)  # what the rotation updates itself first


__all__ = ["places_of"]
