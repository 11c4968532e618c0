"""What a main window is given to remember things with (the composition root makes it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...keycache import KeyCache
    from ...services import Services
    from ..secrets.clipboard import ClipboardBackend


@dataclass(frozen=True)
class WindowSetup:
    """Where the window keeps what it remembers; each may be None (nothing kept)."""

    state_dir: Path | None = None  # window layout and app settings
    key_cache: KeyCache | None = None  # the last key list of each profile, for offline starts
    clipboard_backend: ClipboardBackend | None = None  # None: the system clipboard
    services: Services | None = None  # the app's own: their rotations run before anyone signs in
    log_dir: Path | None = None  # Help ▸ Open log folder


__all__ = ["WindowSetup"]
