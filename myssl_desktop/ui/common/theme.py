"""Follow the OS light or dark appearance.

Qt picks up the platform palette on Windows and macOS; on Linux desktops without a
platform theme it stays light, so a dark scheme reported by Qt (or asked for with
MYSSL_DESKTOP_THEME=dark) gets a Fusion dark palette. Fusion outlines fields and check
boxes in a shade darker than the window, which on a dark window is all but invisible: the
dark theme draws those outlines in a light grey on top.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleOption, QWidget

_DARK = {
    QPalette.ColorRole.Window: "#2b2b2b", QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#1e1e1e", QPalette.ColorRole.AlternateBase: "#262626",
    QPalette.ColorRole.ToolTipBase: "#3a3a3a", QPalette.ColorRole.ToolTipText: "#f0f0f0",
    QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#353535",
    QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.BrightText: "#ff5252",
    QPalette.ColorRole.Highlight: "#2f7fd0", QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#64b5f6", QPalette.ColorRole.PlaceholderText: "#8a8a8a",
}


OUTLINE = "#8a8a8a"  # 3:1 against the dark window and fields, as WCAG asks of a control's edge
_OUTLINED = (QStyle.PrimitiveElement.PE_IndicatorCheckBox, QStyle.PrimitiveElement.PE_IndicatorRadioButton,
             QStyle.PrimitiveElement.PE_FrameLineEdit)


class DarkOutlines(QProxyStyle):
    """Fusion, with check boxes, radio buttons and text fields outlined visibly on dark."""

    def __init__(self) -> None:
        super().__init__("Fusion")

    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption, painter: QPainter,  # noqa: N802
                      widget: QWidget | None = None) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if element not in _OUTLINED or option.state & QStyle.StateFlag.State_HasFocus:
            return  # a focused field keeps Fusion's highlight
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(OUTLINE), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        box = QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5)
        if element == QStyle.PrimitiveElement.PE_IndicatorRadioButton:
            painter.drawEllipse(box)
        else:
            painter.drawRoundedRect(box, 2, 2)
        painter.restore()


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
        app.setStyle(DarkOutlines())
        app.setPalette(dark_palette())
    return scheme
