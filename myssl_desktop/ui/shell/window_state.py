"""Window geometry, splitter and column layout, remembered between runs (no secrets)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from PySide6.QtCore import QByteArray

from ...atomicfile import write_atomic

FILE_NAME = "window-state.json"


def load(config_dir: Path) -> dict[str, QByteArray]:
    try:
        document = json.loads((config_dir / FILE_NAME).read_text())
        return {name: QByteArray(base64.b64decode(value)) for name, value in document.items()
                if isinstance(value, str)}
    except (OSError, ValueError):
        return {}  # no or damaged state: default layout


def save(config_dir: Path, state: dict[str, QByteArray]) -> None:
    document = {name: base64.b64encode(bytes(value.data())).decode() for name, value in state.items()}
    write_atomic(config_dir / FILE_NAME, json.dumps(document).encode())
