"""Follow the OS light or dark appearance.

Qt picks up the platform palette on Windows and macOS; on Linux desktops without a
platform theme it stays light, so a dark scheme reported by Qt (or asked for with
MYSSL_DESKTOP_THEME=dark) gets a Fusion dark palette.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

_DARK = {
    QPalette.ColorRole.Window: "#2b2b2b", QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#1e1e1e", QPalette.ColorRole.AlternateBase: "#262626",
    QPalette.ColorRole.ToolTipBase: "#3a3a3a", QPalette.ColorRole.ToolTipText: "#f0f0f0",
    QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#353535",
    QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.BrightText: "#ff5252",
    QPalette.ColorRole.Highlight: "#2f7fd0", QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#64b5f6", QPalette.ColorRole.PlaceholderText: "#8a8a8a",
}


def wanted_scheme(app: QApplication) -> str:
    override = os.environ.get("MYSSL_DESKTOP_THEME", "").lower()
    if override in ("dark", "light"):
        return override
    return "dark" if app.styleHints().colorScheme() == Qt.ColorScheme.Dark else "light"


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return palette


def apply_theme(app: QApplication, scheme: str | None = None) -> str:
    """Apply `scheme` (default: what the OS wants); returns the scheme applied."""
    scheme = scheme or wanted_scheme(app)
    if scheme == "dark" and QPalette().color(QPalette.ColorRole.Window).lightness() > 128:
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    return scheme
