"""App-wide preferences (not per profile), in `settings.json` under the config folder."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from .atomicfile import write_atomic

CLIPBOARD_CHOICES = (15, 30, 60, 120)


@dataclass(frozen=True)
class Settings:
    clipboard_clear_s: int = 30  # a copied secret leaves the clipboard after this long
    idle_hide_s: int = 120  # revealed secrets are masked after this long without input


class SettingsStore:
    FILE_NAME = "settings.json"

    def __init__(self, config_dir: Path) -> None:
        self.path = config_dir / self.FILE_NAME

    def load(self) -> Settings:
        try:
            document = json.loads(self.path.read_text())
            known = {f.name for f in fields(Settings)}
            return Settings(**{k: int(v) for k, v in document.items() if k in known})
        except (OSError, ValueError, TypeError):
            return Settings()  # missing or damaged: the defaults

    def save(self, settings: Settings) -> None:
        write_atomic(self.path, json.dumps(asdict(settings), indent=2).encode())

    def change(self, **changes: int) -> Settings:
        settings = replace(self.load(), **changes)
        self.save(settings)
        return settings
