"""Icons from the SVGs in resources/, tinted to the palette so they suit light and dark."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from ...resource_files import read_icon_svg as _svg_bytes


def _render(svg: bytes, size: int, ratio: float) -> QPixmap:
    pixmap = QPixmap(QSize(int(size * ratio), int(size * ratio)))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    QSvgRenderer(QByteArray(svg)).render(painter)
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


@cache
def icon(name: str, color: str | None = None) -> QIcon:
    """A crisp icon at 16, 24 and 32 px for the screen's pixel ratio (HiDPI)."""
    tint = color or QGuiApplication.palette().windowText().color().name()
    svg = _svg_bytes(name).replace(b"currentColor", tint.encode())
    screen = QGuiApplication.primaryScreen()
    ratio = screen.devicePixelRatio() if screen else 1.0
    result = QIcon()
    for size in (16, 24, 32):
        result.addPixmap(_render(svg, size, max(ratio, 1.0)))
    return result


def app_icon() -> QIcon:
    svg = _svg_bytes("app-icon")
    result = QIcon()
    for size in (16, 32, 48, 64, 128, 256):
        result.addPixmap(_render(svg, size, 1.0))
    return result


def status_color(status: str) -> QColor:
    return QColor({"active": "#2e7d32", "expiring": "#ef6c00", "revoked": "#757575"}.get(status, "#757575"))
