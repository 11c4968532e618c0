"""The app's resource files (the app icon and the toolbar icons' SVG sources), wherever the
app was installed: frozen (PyInstaller puts resources/ in its bundle folder), from a wheel
or `pip install .` (the package `myssl_desktop.resources`, read through importlib.resources,
so a zip import works too), editable, or a bare source checkout. Qt-free."""

from __future__ import annotations

import sys
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

PACKAGE = "myssl_desktop.resources"


@cache
def resource_root() -> Traversable:
    """resources/: beside the frozen app, else the installed package, else the source tree."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    try:
        return resources.files(PACKAGE)
    except ModuleNotFoundError:  # a checkout on sys.path that was never installed
        return Path(__file__).resolve().parents[1] / "resources"


def read_icon_svg(name: str) -> bytes:
    """The SVG of a toolbar icon (icons/<name>.svg) or of the app icon (<name>.svg)."""
    root = resource_root()
    path = root / "icons" / f"{name}.svg"
    if not path.is_file():
        path = root / f"{name}.svg"
    return path.read_bytes()


APP_ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def read_app_icon_png(size: int) -> bytes:
    """The app icon rendered at `size` px (resources/app-icon-<size>.png, made by
    packaging/icons/render.py): for the tray, which then needs no SVG renderer."""
    return (resource_root() / f"app-icon-{size}.png").read_bytes()


def describe_location() -> str:
    """Where the resources are, for messages (the folder, or the archive and folder)."""
    return str(resource_root())
