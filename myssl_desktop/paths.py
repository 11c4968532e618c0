"""Where the app keeps its files: platformdirs' user folders for `myssl-desktop`.

Secrets never go to any of these; they live in the OS keychain only.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from . import APP_NAME
from .errors import AppError


class FolderNotWritable(AppError):
    """One of the app's folders cannot be created or written; the message names it and why."""


@dataclass(frozen=True)
class AppDirs:
    config: Path
    data: Path
    cache: Path
    log: Path

    @classmethod
    def default(cls) -> AppDirs:
        return cls(
            config=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            data=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            cache=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
            log=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        )

    @classmethod
    def under(cls, root: Path) -> AppDirs:
        """All four folders below one root: for tests and the sandbox's throw-away state."""
        return cls(config=root / "config", data=root / "data", cache=root / "cache", log=root / "log")

    def all(self) -> dict[str, Path]:
        return {"config": self.config, "data": self.data, "cache": self.cache, "log": self.log}

    def ensure_writable(self, *labels: str) -> None:
        """Create the named folders ("config", "data", ...) and a file in each, or raise
        FolderNotWritable: before a change, so that it fails before anything is stored."""
        for label in labels:
            folder = self.all()[label]
            try:
                folder.mkdir(parents=True, exist_ok=True)
                with tempfile.TemporaryFile(dir=folder):
                    pass
            except OSError as error:
                reason = ("a file of that name is in the way" if folder.exists() and not folder.is_dir()
                          else error.strerror or type(error).__name__)
                raise FolderNotWritable(f"The {label} folder {folder} cannot be written ({reason}).") from None
