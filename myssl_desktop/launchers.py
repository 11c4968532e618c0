"""How to start this installation's programs from outside it (a login item, a user timer):
the frozen executables side by side, the virtual environment's scripts, or Python itself."""

from __future__ import annotations

import sys
from pathlib import Path

MODULES = {"myssl-desktop": "myssl_desktop.app", "myssl-keys": "myssl_desktop.cli"}


def command_for(program: str) -> list[str]:
    """`program` is "myssl-desktop" or "myssl-keys"."""
    name = f"{program}.exe" if sys.platform == "win32" else program
    here = Path(sys.executable).parent
    if (here / name).exists():  # the frozen bundle, or a virtual environment's bin/Scripts
        return [str(here / name)]
    return [sys.executable, "-m", MODULES[program]]


__all__ = ["command_for"]
