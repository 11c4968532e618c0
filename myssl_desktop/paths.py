"""Where the app keeps its files: platformdirs' user folders for `myssl-desktop`.

Secrets never go to any of these; they live in the OS keychain only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs

from . import APP_NAME


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
