"""Plain-text table cells painted from cached QStaticText.

The style lays a cell's text out twice on every paint (once to place it, once to draw it),
and that was most of the keys table's paint time: 10 columns of text cost about twice what
a bare five-column table does. QStaticText keeps the laid-out glyphs, so a cell whose text
was shown before is only copied to the screen; a new text costs one layout instead of two.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPalette, QStaticText
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from .cell_panel import LruCache, draw_cell_panel, item_color, style_of


class StaticTextDelegate(QStyledItemDelegate):
    """Draws a cell's text (`index.data()`, or `text_at(row, column)` where the model offers
    a quicker way to it) as one line of plain text, as the style would: its margins, vertical
    centring, colours and elision, left- or right-aligned. Anything else (no text, a line
    break) is left to the style."""

    CACHED = 4096  # texts and their elided forms: a screen of cells is about 250

    def __init__(self, parent: Any = None, *, align_right: bool = False,
                 text_at: Callable[[int, int], str | None] | None = None) -> None:
        super().__init__(parent)
        self.align_right = align_right
        self._text_at = text_at
        self._texts: LruCache[tuple[str, int], tuple[QStaticText, float]] = LruCache(self.CACHED)
        self._font: QFont | None = None  # the font the cached texts were laid out in
        self._style: QStyle | None = None  # the style the margin was read from
        self._margin = 0
        self._line_height = 0

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        text = index.data() if self._text_at is None else self._text_at(index.row(), index.column())
        if not isinstance(text, str) or not text or "\n" in text:
            super().paint(painter, option, index)
            return
        # Each call into Qt from here costs about a microsecond: ask for each thing once.
        style, state, font = style_of(option), option.state.value, option.font
        draw_cell_panel(painter, option, style=style, state=state)
        if self._font is None or font != self._font:  # laid out in another font: start again
            self._texts.clear()
            self._font = QFont(font)
            self._line_height = int(QFontMetricsF(font).height())  # the style centres this height
        if style is not self._style:
            self._style = style
            self._margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, option.widget) + 1
        rect = option.rect
        left, top, width, height = rect.x(), rect.y(), rect.width(), rect.height()
        static, text_width = self.laid_out(text, width - 2 * self._margin, option)
        x = left + width - self._margin - text_width if self.align_right else left + self._margin
        painter.setFont(font)
        painter.setPen(item_color(option, QPalette.ColorRole.Text, state))
        # x as the style places it (right-aligned text may start between pixels); y whole.
        painter.drawStaticText(QPointF(x, top + (height - self._line_height) // 2), static)

    def laid_out(self, text: str, room: int, option: QStyleOptionViewItem) -> tuple[QStaticText, float]:
        """`text` ready to draw in `room` pixels, and its width: whole if it fits, else elided
        as the view elides."""
        whole = self._texts.get((text, -1)) or self._texts.put((text, -1), _static(text, option.font))
        if whole[1] <= room:
            return whole
        elided = self._texts.get((text, room))
        if elided is None:
            shortened = option.fontMetrics.elidedText(text, option.textElideMode, room)
            elided = self._texts.put((text, room), _static(shortened, option.font))
        return elided


def _static(text: str, font: QFont) -> tuple[QStaticText, float]:
    static = QStaticText(text)
    static.setTextFormat(Qt.TextFormat.PlainText)  # a key named "<b>x</b>" is shown as typed
    static.prepare(font=font)
    return static, static.size().width()
