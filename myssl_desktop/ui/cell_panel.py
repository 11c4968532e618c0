"""Helpers for hand-painted table cells: the normal background (selection, hover, alternate
rows, focus) and the pixmaps that cells are painted from once and then copied."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionViewItem


def draw_cell_panel(painter: QPainter, option: QStyleOptionViewItem) -> None:
    """Draw the cell as the style would, without text or icon.

    The view's option already carries the state (selected, hovered, alternate row, focus) and
    no text; `initStyleOption` would add nothing we draw, at the price of a dozen calls into the
    model per cell on every paint.
    """
    widget = option.widget
    style = widget.style() if widget is not None else QApplication.style()
    style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)


def device_ratio(painter: QPainter) -> float:
    device = painter.device()
    return device.devicePixelRatioF() if device is not None else 1.0


def transparent_pixmap(width: int, height: int, ratio: float) -> QPixmap:
    """A clear pixmap of `width` x `height` device-independent pixels, sharp at `ratio`."""
    pixmap = QPixmap(round(width * ratio), round(height * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    return pixmap
