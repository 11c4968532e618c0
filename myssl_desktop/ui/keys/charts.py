"""Hand-painted usage charts: a sparkline for table cells and a daily-requests bar chart.

QtCharts lives in PySide6-Addons (about 460 MB) which we do not ship, so both paint with QPainter.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetricsF,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QPolygonF,
)
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QToolTip, QWidget

from .cell_panel import LruCache, device_ratio, draw_cell_panel, item_color, transparent_pixmap

SPARKLINE_ROLE = Qt.ItemDataRole.UserRole + 1
"""Item data role holding a sequence of daily request counts (oldest first) for SparklineDelegate."""

# Fixed English names: the rest of the UI is English and Qt sets the C library locale from the
# environment, which would make strftime("%b") vary between machines.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_UNITS = ((1_000_000_000_000, "T"), (1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k"))
_LABEL_STRIDES = (1, 2, 7, 14, 28)  # whole weeks past 2, so labels keep falling on the same weekday
_LABEL_SPACING = 10.0  # free space the stride aims for between two x-axis date labels, in pixels
_LABEL_GAP = 5.0  # the least free space ever left between two labels (first and last are nudged)
_MAX_BAR_WIDTH = 48  # with few days, wider bars read as blocks rather than bars
_PAD = 6  # margin around the whole chart, so text never touches the pane's edge


# --- pure helpers -------------------------------------------------------------------------------

def nice_ticks(max_value: int, count: int = 4) -> list[int]:
    """Axis ticks from 0 to at least `max_value` in at most `count` round steps (1, 2, 2.5, 5 x 10^n)."""
    if max_value <= 0:
        return [0, 1]
    count = max(1, count)
    step = _nice_step(-(-max_value // count))  # ceil without floats, so huge counts stay exact
    intervals = -(-max_value // step)
    return [i * step for i in range(intervals + 1)]


def _nice_step(minimum: int) -> int:
    """Smallest whole 1, 2, 2.5 or 5 x 10^n that is at least `minimum`."""
    magnitude = 1
    while True:
        for tenths in (10, 20, 25, 50):
            if tenths * magnitude % 10 == 0 and tenths * magnitude // 10 >= minimum:
                return tenths * magnitude // 10
        magnitude *= 10


def compact_number(n: int) -> str:
    """Short form for tight spaces: 999, 1.2k, 12k, 3.4M."""
    if n < 0:
        return "-" + compact_number(-n)
    if n < 1000:
        return str(n)
    for unit, suffix in reversed(_UNITS):
        scaled = n / unit
        text = f"{scaled:.1f}" if scaled < 9.95 else f"{scaled:.0f}"
        if float(text) < 1000 or suffix == "T":  # 999,960 rounds to "1000k": say "1M" instead
            return text.removesuffix(".0") + suffix
    raise AssertionError("unreachable")


def label_stride(n_days: int, label_width: float, available_width: float) -> int:
    """Days between two x-axis labels so that labels `label_width` wide (gap included) never overlap."""
    if n_days <= 1:
        return 1
    if available_width <= 0:
        return n_days
    needed = math.ceil(label_width * n_days / available_width - 1e-9)
    for stride in _LABEL_STRIDES:
        if stride >= needed:
            return stride
    return -(-needed // 7) * 7


def _tick_labels(ticks: Sequence[int]) -> list[str]:
    """Labels for the y axis, all in one unit so that the axis reads as one scale (250k, 500k, 750k)."""
    top = ticks[-1]
    if top < 10_000:
        return [f"{t:,}" for t in ticks]
    unit, suffix = next((u, s) for u, s in _UNITS if top >= u)
    # Nice ticks have at most three significant digits, so three decimals are exact.
    return ["0" if t == 0 else f"{t / unit:.3f}".rstrip("0").rstrip(".") + suffix for t in ticks]


def _short_date(day: datetime.date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.day}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


# --- sparkline ----------------------------------------------------------------------------------

def paint_sparkline(painter: QPainter, rect: QRect | QRectF, values: Sequence[int], color: QColor) -> None:
    """Draw `values` (oldest first) as a line with a light fill and a dot on the latest value."""
    if not values:
        return
    if len(values) == 1:  # one point has no slope: show it as a level line
        values = (values[0], values[0])
    area = QRectF(rect).adjusted(3, 3, -3, -3)
    if area.width() <= 0 or area.height() <= 0:
        return
    left, bottom = area.left(), area.bottom()
    peak = max(values)
    y_scale = area.height() / peak if peak > 0 else 0.0  # all zero: flat on the baseline
    x_step = area.width() / (len(values) - 1)
    line = QPolygonF([QPointF(left + i * x_step, bottom - max(v, 0) * y_scale) for i, v in enumerate(values)])
    last = line.last()
    fill = QPolygonF(line)
    fill.append(QPointF(last.x(), bottom))
    fill.append(QPointF(left, bottom))
    fill_color = QColor(color)
    fill_color.setAlpha(40)

    painter.save()
    # The fill is drawn aliased: the line covers its jagged top edge, and antialiased filling of
    # a zigzag costs about 30 times more (this runs for every visible row on every repaint).
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill_color)
    painter.drawPolygon(fill)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(color, 1.5)
    pen.setJoinStyle(Qt.PenJoinStyle.BevelJoin)  # round joins stroke about 1.7 times slower
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPolyline(line)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawEllipse(last, 2.0, 2.0)
    painter.restore()


class SparklineDelegate(QStyledItemDelegate):
    """Paints `index.data(SPARKLINE_ROLE)` as a sparkline; other cells paint as usual.

    Drawing one costs about 0.3 ms (an antialiased line over a filled area), which a screen
    of rows repeats on every scroll step and repaint; each is drawn once into a pixmap and
    copied from then on. Sorting, filtering and a refresh that leaves a key's usage alone
    all reuse it."""

    CACHED = 256  # a few screens of rows; at most ~50 KB each (HiDPI)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lines: LruCache[tuple[tuple[int, ...], int, int, float, int], QPixmap] = LruCache(self.CACHED)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        values = index.data(SPARKLINE_ROLE)
        if not isinstance(values, list | tuple):
            super().paint(painter, option, index)
            return
        # The panel alone (no text): selection and hover backgrounds look like every other cell.
        draw_cell_panel(painter, option)
        color = item_color(option, QPalette.ColorRole.Highlight)  # the text colour on a selected row
        painter.drawPixmap(option.rect.topLeft(), self._line(tuple(values), option.rect.size(), color,
                                                             device_ratio(painter)))

    def _line(self, values: tuple[int, ...], size: QSize, color: QColor, ratio: float) -> QPixmap:
        cache_key = (values, size.width(), size.height(), ratio, color.rgba())
        line = self._lines.get(cache_key)
        if line is None:
            line = transparent_pixmap(size.width(), size.height(), ratio)
            line_painter = QPainter(line)
            paint_sparkline(line_painter, QRect(QPoint(0, 0), size), values, color)
            line_painter.end()
            self._lines.put(cache_key, line)
        return line

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(90, super().sizeHint(option, index).height())


# --- daily bar chart ----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Layout:
    plot: QRectF  # the bar area; whole pixels so bars and grid lines stay crisp
    ticks: list[int]
    tick_labels: list[str]


class UsageChart(QWidget):
    """Requests per day as bars, with a labelled y axis, date labels and a tooltip per bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._days: list[tuple[datetime.date, int]] = []
        self._hovered: int | None = None
        self.setMouseTracking(True)
        self.setAccessibleName("Daily requests chart")
        self.setAccessibleDescription(self.summary())

    # data

    def set_usage(self, days: Sequence[tuple[datetime.date, int]]) -> None:
        """Replace the data. Missing days between the first and last count as 0 so the x axis is time."""
        totals: dict[datetime.date, int] = {}
        for day, count in days:
            totals[day] = totals.get(day, 0) + max(0, count)
        self._days = []
        if totals:
            first, last = min(totals), max(totals)
            span = (last - first).days + 1
            dates = (first + datetime.timedelta(days=i) for i in range(span))
            self._days = [(day, totals.get(day, 0)) for day in dates]
        self._hovered = None
        self.setAccessibleDescription(self.summary())
        self.update()

    def summary(self) -> str:
        """One line for screen readers: '30 days, 12,345 requests, peak 1,020 on Nov 24'."""
        if not self._days:
            return "No usage data"
        days = len(self._days)
        total = sum(count for _, count in self._days)
        span = f"{days} day" + ("" if days == 1 else "s")
        if total == 0:
            return f"{span}, no requests"
        peak_day, peak = max(self._days, key=lambda item: item[1])
        return f"{span}, {_plural(total, 'request')}, peak {peak:,} on {_short_date(peak_day)}"

    def tooltip_for(self, index: int) -> str:
        day, count = self._days[index]
        return f"{_WEEKDAYS[day.weekday()]} {day.isoformat()}: {_plural(count, 'request')}"

    # geometry

    def bar_at(self, x: float) -> int | None:
        """Index of the day whose column contains `x`, or None outside the bars."""
        if not self._days:
            return None
        plot = self._layout().plot
        if not plot.left() <= x < plot.right():
            return None
        return min(int((x - plot.left()) / self._slot_width(plot)), len(self._days) - 1)

    def slot_rect(self, index: int) -> QRectF:
        """The full-height column of the plot that belongs to day `index`."""
        plot = self._layout().plot
        slot = self._slot_width(plot)
        return QRectF(plot.left() + index * slot, plot.top(), slot, plot.height())

    def _slot_width(self, plot: QRectF) -> float:
        return plot.width() / len(self._days)

    def _layout(self) -> _Layout:
        fm = QFontMetricsF(self.font())
        ticks = nice_ticks(max((count for _, count in self._days), default=0))
        labels = _tick_labels(ticks)
        left = _PAD + math.ceil(max(fm.horizontalAdvance(label) for label in labels)) + 8
        # Room for the axis title, then half a tick label so the top label does not touch it.
        top = _PAD + math.ceil(fm.height() * 1.5) + 6
        bottom = self.height() - _PAD - math.ceil(fm.height()) - 5  # date labels and their tick marks
        right = self.width() - _PAD - 4
        plot = QRectF(left, top, max(1, right - left), max(1, bottom - top))
        return _Layout(plot, ticks, labels)

    def _x_labels(self, plot: QRectF) -> list[tuple[int, QRectF, str]]:
        """Date labels that fit without overlapping: first and last day always, others every stride."""
        fm = QFontMetricsF(self.font())
        n = len(self._days)
        slot = self._slot_width(plot)

        def placed(index: int) -> tuple[int, QRectF, str]:
            text = _short_date(self._days[index][0])
            width = fm.horizontalAdvance(text)
            # Centred under the bar, but never under the y labels nor past the right edge.
            x = plot.left() + (index + 0.5) * slot - width / 2
            x = min(max(x, plot.left()), self.width() - _PAD - width)
            return index, QRectF(x, plot.bottom() + 5, width, fm.height()), text

        widest = max(fm.horizontalAdvance(_short_date(day)) for day, _ in self._days)
        stride = label_stride(n, widest + _LABEL_SPACING, plot.width())
        kept = [placed(0)] if n == 1 else [placed(0), placed(n - 1)]
        if len(kept) == 2 and self._overlap(kept[0][1], kept[1][1]):
            kept.pop()  # too narrow for even two labels: keep the first
        # Count back from the latest day: recent dates are the ones people look up.
        for index in range(n - 1 - stride, 0, -stride):
            candidate = placed(index)
            if not any(self._overlap(candidate[1], other) for _, other, _ in kept):
                kept.append(candidate)
        return sorted(kept, key=lambda label: label[0])

    @staticmethod
    def _overlap(a: QRectF, b: QRectF) -> bool:
        return a.left() < b.right() + _LABEL_GAP and b.left() < a.right() + _LABEL_GAP

    # painting

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        text_color = self.palette().color(QPalette.ColorRole.WindowText)
        painter.setPen(text_color)
        if not self._days:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No usage data")
            painter.end()
            return
        layout = self._layout()
        self._paint_y_axis(painter, layout, text_color)
        self._paint_bars(painter, layout)
        self._paint_x_axis(painter, layout.plot, text_color)
        painter.end()

    def _paint_y_axis(self, painter: QPainter, layout: _Layout, text_color: QColor) -> None:
        fm = QFontMetricsF(self.font())
        plot = layout.plot
        painter.drawText(QRectF(_PAD, _PAD, self.width() - 2 * _PAD, fm.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, "Requests per day")
        grid = QColor(text_color)
        grid.setAlpha(40)
        for tick, label in zip(layout.ticks, layout.tick_labels, strict=True):
            y = round(plot.bottom() - tick / layout.ticks[-1] * plot.height())
            painter.setPen(grid)
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(text_color)
            painter.drawText(QRectF(_PAD, y - fm.height() / 2, plot.left() - 6 - _PAD, fm.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)

    def _paint_bars(self, painter: QPainter, layout: _Layout) -> None:
        palette = self.palette()
        bar = palette.color(QPalette.ColorRole.Highlight)
        weekend = QColor(bar)
        weekend.setAlpha(165)  # blends toward the background: lighter on light themes, dimmer on dark
        dark_theme = palette.color(QPalette.ColorRole.Window).lightness() < 128
        hovered = bar.lighter(125) if dark_theme else bar.darker(120)
        plot = layout.plot
        slot = self._slot_width(plot)
        # Space on each side of a bar; none below 4 px per day, where a gap would eat the bar.
        inset = max(slot * 0.15, (slot - _MAX_BAR_WIDTH) / 2) if slot >= 4 else 0.0
        bottom = round(plot.bottom())
        for index, (day, count) in enumerate(self._days):
            if count <= 0:
                continue
            left = round(plot.left() + index * slot + inset)
            right = max(left + 1, round(plot.left() + (index + 1) * slot - inset))
            top = min(bottom - 1, round(plot.bottom() - count / layout.ticks[-1] * plot.height()))
            color = hovered if index == self._hovered else weekend if day.weekday() >= 5 else bar
            painter.fillRect(QRect(left, top, right - left, bottom - top), color)

    def _paint_x_axis(self, painter: QPainter, plot: QRectF, text_color: QColor) -> None:
        axis = QColor(text_color)
        axis.setAlpha(110)
        painter.setPen(axis)
        painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
        slot = self._slot_width(plot)
        labels = self._x_labels(plot)
        for index, _, _ in labels:  # a short tick ties a label that was nudged inward to its bar
            x = round(plot.left() + (index + 0.5) * slot)
            painter.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 3))
        painter.setPen(text_color)
        for _, rect, text in labels:
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)

    # interaction

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            self._show_tooltip(event.pos(), event.globalPos())
            return True
        return super().event(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        position = event.position()
        index = self.bar_at(position.x()) if self._in_plot(position.y()) else None
        if index != self._hovered:
            self._hovered = index
            self.update()
            if QToolTip.isVisible():  # follow the mouse instead of waiting for the next tooltip delay
                self._show_tooltip(position.toPoint(), event.globalPosition().toPoint())
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        if self._hovered is not None:
            self._hovered = None
            self.update()
        super().leaveEvent(event)

    def _in_plot(self, y: float) -> bool:
        plot = self._layout().plot
        return plot.top() <= y <= plot.bottom()

    def _show_tooltip(self, pos: QPoint, global_pos: QPoint) -> None:
        index = self.bar_at(pos.x()) if self._in_plot(pos.y()) else None
        if index is None:
            QToolTip.hideText()
            return
        QToolTip.showText(global_pos, self.tooltip_for(index), self, self.slot_rect(index).toAlignedRect())

    # sizing

    def minimumSizeHint(self) -> QSize:
        return QSize(320, 180)

    def sizeHint(self) -> QSize:
        return QSize(480, 220)
