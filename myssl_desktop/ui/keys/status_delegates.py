"""Painting for two table columns: the status as a coloured badge, flags as icons."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ...keyflags import FLAG_ORDER
from ..common.icons import icon
from .cell_panel import device_ratio, draw_cell_panel, transparent_pixmap
from .model import FLAGS_ROLE, SIGNS_IN, STORED

BADGE_COLOURS = {"active": "#2e7d32", "expiring": "#ef6c00", "revoked": "#757575"}
FLAG_COLOURS = {"exposed": "#e53935", "spike": "#c62828", "stale": "#8e24aa", "due": "#ef6c00"}
MARK_ICONS = {SIGNS_IN: "user", STORED: "key"}  # drawn after the flags, in the text colour


class StatusBadgeDelegate(QStyledItemDelegate):
    """The status as a coloured pill. There are three statuses, so each pill is drawn once
    (per font and pixel ratio) and then copied: drawing it for every visible row on every
    repaint was a third of the table's paint time."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._badges: dict[tuple[str, float], tuple[QPixmap, int]] = {}  # -> the pill and its height
        self._font: QFont | None = None  # the font the pills were drawn in

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        status = index.data(Qt.ItemDataRole.DisplayRole)
        if not status:
            super().paint(painter, option, index)
            return
        draw_cell_panel(painter, option)
        if self._font is None or option.font != self._font:  # QFont.key() took 6 us a cell
            self._badges.clear()
            self._font = QFont(option.font)
        badge, height = self._badge(status, option, device_ratio(painter))
        rect = option.rect
        left, top, cell_height = rect.x(), rect.y(), rect.height()
        painter.drawPixmap(left + 6, top + (cell_height - 1) // 2 - height // 2, badge)  # on the rect's centre

    def _badge(self, status: str, option: QStyleOptionViewItem, ratio: float) -> tuple[QPixmap, int]:
        cache_key = (status, ratio)
        cached = self._badges.get(cache_key)
        if cached is None:
            metrics = option.fontMetrics
            width, height = metrics.horizontalAdvance(status) + 14, metrics.height() + 4
            badge = transparent_pixmap(width, height, ratio)
            painter = QPainter(badge)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setFont(option.font)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(BADGE_COLOURS.get(status, "#757575")))
            rect = QRect(0, 0, width, height)
            painter.drawRoundedRect(rect, height / 2, height / 2)
            painter.setPen(QColor("white"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, status)
            painter.end()
            cached = self._badges[cache_key] = (badge, height)
        return cached

    def sizeHint(self, option: QStyleOptionViewItem,  # noqa: N802
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width() + 20, size.height())


class FlagsDelegate(QStyledItemDelegate):
    """A key's flags as a row of icons, drawn once per combination of flags and copied. On a
    selected row they take the highlighted text's colour: orange or purple on the selection's
    blue was all but invisible."""

    ICON = 16
    GAP = 4

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._strips: dict[tuple[tuple[str, ...], float, str | None], QPixmap] = {}

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        flags: Any = index.data(FLAGS_ROLE)
        draw_cell_panel(painter, option)
        if flags:
            selected = bool(option.state & QStyle.StateFlag.State_Selected)
            tint = option.palette.highlightedText().color().name() if selected else None
            strip = self._strip(tuple(flags), device_ratio(painter), tint)
            painter.drawPixmap(option.rect.x() + 6, option.rect.center().y() - self.ICON // 2, strip)

    def _strip(self, flags: tuple[str, ...], ratio: float, tint: str | None = None) -> QPixmap:
        """`tint`: one colour for every icon (a selected row's), else each flag's own."""
        strip = self._strips.get((flags, ratio, tint))
        if strip is None:
            shown: list[tuple[str, str | None]] = [(flag, tint or FLAG_COLOURS[flag])
                                                   for flag in FLAG_ORDER if flag in flags]
            shown += [(MARK_ICONS[mark], tint) for mark in MARK_ICONS if mark in flags]
            strip = transparent_pixmap(len(shown) * (self.ICON + self.GAP), self.ICON, ratio)
            painter = QPainter(strip)
            for n, (name, colour) in enumerate(shown):
                place = QRect(n * (self.ICON + self.GAP), 0, self.ICON, self.ICON)
                icon(name, colour).paint(painter, place)
            painter.end()
            self._strips[(flags, ratio, tint)] = strip
        return strip
