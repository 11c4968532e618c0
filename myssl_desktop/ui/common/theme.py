"""Follow the OS light or dark appearance.

Qt picks up the platform palette on Windows and macOS; on Linux desktops without a
platform theme it stays light, so a dark scheme reported by Qt (or asked for with
MYSSL_DESKTOP_THEME=dark) gets a Fusion dark palette. Fusion outlines fields and check
boxes in a shade darker than the window, which on a dark window is all but invisible: the
dark theme draws those outlines in a light grey on top.
"""

from __future__ import annotations

import os

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication


def wanted_scheme(app: QApplication) -> str:
    override = os.environ.get("MYSSL_DESKTOP_THEME", "").lower()
    if override in ("dark", "light"):
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
    scheme = scheme or wanted_scheme(app)
    if scheme == "dark" and QPalette().color(QPalette.ColorRole.Window).lightness() > 128:
        from .dark_style import DarkOutlines

        app.setStyle(DarkOutlines())
        app.setPalette(dark_palette())
    return scheme
