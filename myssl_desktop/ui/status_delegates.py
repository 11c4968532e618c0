"""Painting for two table columns: the status as a coloured badge, flags as icons."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ..keyflags import FLAG_ORDER
from .icons import icon
from .keys_model import FLAGS_ROLE

BADGE_COLOURS = {"active": "#2e7d32", "expiring": "#ef6c00", "revoked": "#757575"}
FLAG_COLOURS = {"spike": "#c62828", "stale": "#8e24aa", "due": "#ef6c00"}


def _panel(delegate: QStyledItemDelegate, painter: QPainter, option: QStyleOptionViewItem,
           index: QModelIndex) -> QStyleOptionViewItem:
    """Draw the normal cell background (selection, alternate rows), without its text."""
    opt = QStyleOptionViewItem(option)
    delegate.initStyleOption(opt, index)
    opt.text = ""
    style = opt.widget.style() if opt.widget else QApplication.style()
    style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
    return opt


class StatusBadgeDelegate(QStyledItemDelegate):
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        status = index.data(Qt.ItemDataRole.DisplayRole)
        if not status:
            super().paint(painter, option, index)
            return
        _panel(self, painter, option, index)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = option.fontMetrics
        width = metrics.horizontalAdvance(status) + 14
        height = metrics.height() + 4
        rect = QRect(option.rect.x() + 6, option.rect.center().y() - height // 2, width, height)
        colour = QColor(BADGE_COLOURS.get(status, "#757575"))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(rect, height / 2, height / 2)
        painter.setPen(QColor("white"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, status)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        size = super().sizeHint(option, index)
        return QSize(size.width() + 20, size.height())


class FlagsDelegate(QStyledItemDelegate):
    ICON = 16

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        flags: Any = index.data(FLAGS_ROLE)
        _panel(self, painter, option, index)
        if not flags:
            return
        x = option.rect.x() + 6
        y = option.rect.center().y() - self.ICON // 2
        for flag in FLAG_ORDER:
            if flag in flags:
                icon(flag, FLAG_COLOURS[flag]).paint(painter, QRect(x, y, self.ICON, self.ICON))
                x += self.ICON + 4
