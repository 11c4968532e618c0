"""The normal background of a hand-painted table cell: selection, hover, alternate rows, focus."""

from __future__ import annotations

from PySide6.QtGui import QPainter
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
