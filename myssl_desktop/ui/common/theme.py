"""Follow the OS light or dark appearance.

Qt picks up the platform palette on Windows and macOS; on Linux desktops without a
platform theme it stays light, so a dark scheme reported by Qt (or asked for with
MYSSL_DESKTOP_THEME=dark) gets a Fusion dark palette. Fusion outlines fields and check
boxes in a shade darker than the window, which on a dark window is all but invisible: the
dark theme draws those outlines in a light grey on top.

Asking Qt for the scheme costs ~11 ms (the first use of the `Qt` namespace creates every one of
its enum types), which would delay the window's first paint. So a start applies the scheme of
the last start, remembered in a small file, and asks Qt after the first paint: a scheme changed
since is applied then, and remembered for the next start.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

SCHEMES = ("dark", "light")
_light_style = ""  # the style a dark scheme replaced, to go back to


def overridden_scheme() -> str | None:
    override = os.environ.get("MYSSL_DESKTOP_THEME", "").lower()
    return override if override in SCHEMES else None


def wanted_scheme(app: QApplication) -> str:
    override = overridden_scheme()
    if override:
        return override
    from PySide6.QtCore import Qt  # its first use creates every Qt.* enum type (~15 ms): not at import

    return "dark" if app.styleHints().colorScheme() == Qt.ColorScheme.Dark else "light"


def dark_palette() -> QPalette:
    # Built here, not at import: a light start then creates none of these Qt enum types.
    roles = QPalette.ColorRole
    dark = {
        roles.Window: "#2b2b2b", roles.WindowText: "#e6e6e6", roles.Base: "#1e1e1e", roles.AlternateBase: "#262626",
        roles.ToolTipBase: "#3a3a3a", roles.ToolTipText: "#f0f0f0", roles.Text: "#e6e6e6", roles.Button: "#353535",
        roles.ButtonText: "#e6e6e6", roles.BrightText: "#ff5252", roles.Highlight: "#2f7fd0",
        roles.HighlightedText: "#ffffff", roles.Link: "#64b5f6", roles.PlaceholderText: "#8a8a8a",
    }
    palette = QPalette()
    for role, colour in dark.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return palette


def apply_theme(app: QApplication, scheme: str | None = None) -> str:
    """Apply `scheme` (default: what the OS wants); returns the scheme applied."""
    global _light_style
    scheme = scheme or wanted_scheme(app)
    if scheme == "dark" and not _light_style and QPalette().color(QPalette.ColorRole.Window).lightness() > 128:
        from .dark_style import DarkOutlines

        _light_style = app.style().name()
        app.setStyle(DarkOutlines())
        app.setPalette(dark_palette())
    elif scheme == "light" and _light_style:
        app.setStyle(_light_style)
        app.setPalette(QPalette())  # back to the style's and platform's own
        _light_style = ""
    return scheme


def remembered_scheme(path: Path) -> str | None:
    try:
        scheme = path.read_text(encoding="ascii").strip()
    except (OSError, ValueError):
        return None
    return scheme if scheme in SCHEMES else None


def start_theme(app: QApplication, remembered_at: Path) -> Callable[[], None]:
    """Apply the scheme remembered at `remembered_at` (on a first start: ask Qt now). Returns
    the check to run once the window has painted: it asks Qt, applies a scheme changed since
    the last start, and remembers what Qt said."""
    remembered = remembered_scheme(remembered_at)
    applied = apply_theme(app, overridden_scheme() or remembered)
    checked = False

    def check() -> None:
        nonlocal checked
        if checked:
            return
        checked = True
        wanted = wanted_scheme(app)
        if wanted != applied:
            apply_theme(app, wanted)
        if wanted != remembered and not overridden_scheme():
            from ...atomicfile import write_atomic

            try:
                write_atomic(remembered_at, wanted.encode("ascii"), mode=0o644)
            except OSError:
                pass  # asked again at the next start: ~11 ms later first paint, nothing worse

    return check
