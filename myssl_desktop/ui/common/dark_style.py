"""Fusion with check boxes, radio buttons and text fields outlined visibly on a dark window
(the dark theme only: a light start never imports this, nor the Qt enum types it uses)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QProxyStyle, QStyle, QStyleOption, QWidget

OUTLINE = "#8a8a8a"  # 3:1 against the dark window and fields, as WCAG asks of a control's edge


class DarkOutlines(QProxyStyle):
    """Fusion, with check boxes, radio buttons and text fields outlined visibly on dark."""

    def __init__(self) -> None:
        super().__init__("Fusion")
        self._outlined = (QStyle.PrimitiveElement.PE_IndicatorCheckBox,
                          QStyle.PrimitiveElement.PE_IndicatorRadioButton, QStyle.PrimitiveElement.PE_FrameLineEdit)

    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption, painter: QPainter,  # noqa: N802
                      widget: QWidget | None = None) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if element not in self._outlined or option.state & QStyle.StateFlag.State_HasFocus:
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


__all__ = ["OUTLINE", "DarkOutlines"]
