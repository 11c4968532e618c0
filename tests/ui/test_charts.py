"""The hand-painted usage charts: axis helpers, the daily bar chart and the sparkline delegate.

Rendering is checked on pixels (grab into a QImage), because PySide6 would only print an error
from a broken paintEvent; pytest-qt turns such errors into failures.
"""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QEvent, QPoint, QRect, QRectF
from PySide6.QtGui import QColor, QHelpEvent, QImage, QPainter, QPalette, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem, QTableView, QToolTip

from myssl_desktop.ui.keys import charts
from myssl_desktop.ui.keys.charts import (
    SPARKLINE_ROLE,
    SparklineDelegate,
    UsageChart,
    _tick_labels,
    compact_number,
    label_stride,
    nice_ticks,
    paint_sparkline,
)

LAST_DAY = datetime.date(2026, 11, 24)  # a Tuesday


def usage(n_days: int, count: int | None = None) -> list[tuple[datetime.date, int]]:
    """`n_days` ending on LAST_DAY; a varying, non-zero count unless `count` is given."""
    first = LAST_DAY - datetime.timedelta(days=n_days - 1)
    return [(first + datetime.timedelta(days=i), 100 + 37 * (i % 9) if count is None else count)
            for i in range(n_days)]


def count_near(image: QImage, color: QColor, tolerance: int = 10, region: QRect | None = None) -> int:
    """Pixels whose RGB is within `tolerance` of `color` on every channel."""
    if region is not None:
        image = image.copy(region)
    data = bytes(image.convertToFormat(QImage.Format.Format_RGB32).constBits())
    r, g, b = color.red(), color.green(), color.blue()
    # RGB32 is stored as B, G, R, unused on little-endian machines.
    return sum(1 for pb, pg, pr in zip(data[0::4], data[1::4], data[2::4], strict=True)
               if abs(pr - r) <= tolerance and abs(pg - g) <= tolerance and abs(pb - b) <= tolerance)


def blend(top: QColor, alpha: int, under: QColor) -> QColor:
    a = alpha / 255
    return QColor(*(round(t * a + u * (1 - a)) for t, u in
                    ((top.red(), under.red()), (top.green(), under.green()), (top.blue(), under.blue()))))


@pytest.fixture
def chart(qtbot) -> UsageChart:
    widget = UsageChart()
    qtbot.addWidget(widget)
    widget.resize(480, 220)
    return widget


def highlight(widget) -> QColor:
    return widget.palette().color(QPalette.ColorRole.Highlight)


# --- pure helpers -------------------------------------------------------------------------------

@pytest.mark.parametrize(("max_value", "expected"), [
    (-5, [0, 1]), (0, [0, 1]), (1, [0, 1]), (7, [0, 2, 4, 6, 8]), (100, [0, 25, 50, 75, 100]),
    (101, [0, 50, 100, 150]), (1_015, [0, 500, 1_000, 1_500]), (12_345, [0, 5_000, 10_000, 15_000]),
])
def test_nice_ticks_examples(max_value: int, expected: list[int]) -> None:
    assert nice_ticks(max_value) == expected


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=1, max_value=5))
def test_nice_ticks_are_round_increasing_and_cover_the_maximum(max_value: int, count: int) -> None:
    ticks = nice_ticks(max_value, count)
    assert ticks[0] == 0
    assert 2 <= len(ticks) <= min(6, count + 1) or max_value == 0
    assert all(a < b for a, b in zip(ticks, ticks[1:], strict=False))
    assert ticks[-1] >= max_value
    if max_value > 0:
        assert ticks[-2] < max_value  # no empty band at the top
    steps = {b - a for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1
    assert str(steps.pop()).rstrip("0") in {"1", "2", "25", "5"}


@pytest.mark.parametrize(("n", "text"), [
    (0, "0"), (999, "999"), (1_000, "1k"), (1_234, "1.2k"), (9_949, "9.9k"), (9_960, "10k"),
    (12_345, "12k"), (999_499, "999k"), (999_960, "1M"), (3_400_000, "3.4M"), (2_500_000_000, "2.5B"),
    (-1_234, "-1.2k"),
])
def test_compact_number(n: int, text: str) -> None:
    assert compact_number(n) == text


@pytest.mark.parametrize(("ticks", "labels"), [
    ([0, 50, 100, 150], ["0", "50", "100", "150"]),
    ([0, 2_500, 5_000, 7_500], ["0", "2,500", "5,000", "7,500"]),
    ([0, 12_500, 25_000, 37_500, 50_000], ["0", "12.5k", "25k", "37.5k", "50k"]),
    ([0, 500_000, 1_000_000, 1_500_000], ["0", "0.5M", "1M", "1.5M"]),
])
def test_y_labels_use_one_unit_and_stay_exact(ticks: list[int], labels: list[str]) -> None:
    assert _tick_labels(ticks) == labels


@given(st.integers(min_value=1, max_value=400), st.floats(min_value=1, max_value=200),
       st.floats(min_value=10, max_value=3_000))
def test_label_stride_leaves_room_for_every_label(n_days: int, label_width: float, available: float) -> None:
    stride = label_stride(n_days, label_width, available)
    assert stride >= 1
    if n_days > 1:
        assert stride * available / n_days >= label_width - 1e-6


def test_label_stride_examples() -> None:
    assert label_stride(7, 40, 300) == 1
    assert label_stride(7, 50, 300) == 2
    assert label_stride(30, 50, 300) == 7
    assert label_stride(90, 50, 300) == 28
    assert label_stride(1, 500, 10) == 1


# --- UsageChart -----------------------------------------------------------------------------------

@pytest.mark.parametrize("n_days", [7, 30, 90])
@pytest.mark.parametrize("width", [320, 480, 900])
def test_chart_draws_bars_and_non_overlapping_date_labels(chart: UsageChart, n_days: int, width: int) -> None:
    chart.resize(width, 200)
    chart.set_usage(usage(n_days))
    assert count_near(chart.grab().toImage(), highlight(chart), tolerance=4) > 0

    labels = chart._x_labels(chart._layout().plot)
    indexes = [index for index, _, _ in labels]
    assert indexes[0] == 0 and indexes[-1] == n_days - 1
    for (_, a, _), (_, b, _) in zip(labels, labels[1:], strict=False):
        assert a.right() < b.left()
    assert all(0 <= rect.left() and rect.right() <= width for _, rect, _ in labels)


def test_empty_chart_says_so_and_draws_no_bars(chart: UsageChart) -> None:
    chart.set_usage(usage(30))
    chart.set_usage([])
    image = chart.grab().toImage()
    assert count_near(image, highlight(chart), tolerance=4) == 0
    text = chart.palette().color(QPalette.ColorRole.WindowText)
    assert count_near(image, text, tolerance=40, region=QRect(140, 90, 200, 40)) > 0
    assert chart.summary() == "No usage data"
    assert chart.bar_at(240) is None


def test_all_zero_days_draw_no_bars(chart: UsageChart) -> None:
    chart.set_usage(usage(30, count=0))
    assert count_near(chart.grab().toImage(), highlight(chart), tolerance=4) == 0
    assert chart.summary() == "30 days, no requests"


def test_bar_under_the_cursor_and_its_tooltip(chart: UsageChart) -> None:
    days = usage(30)
    days[-1] = (LAST_DAY, 1_234)
    chart.set_usage(days)
    for index in (0, 13, 29):
        assert chart.bar_at(chart.slot_rect(index).center().x()) == index
    assert chart.bar_at(0) is None  # over the y-axis labels
    assert chart.bar_at(chart.width() - 1) is None
    assert chart.tooltip_for(29) == "Tue 2026-11-24: 1,234 requests"


def test_tooltip_event_shows_the_day(chart: UsageChart, qtbot) -> None:
    chart.set_usage(usage(7))
    chart.show()
    qtbot.waitExposed(chart)
    pos = chart.slot_rect(6).center().toPoint()
    chart.event(QHelpEvent(QEvent.Type.ToolTip, pos, chart.mapToGlobal(pos)))
    try:
        assert QToolTip.text() == chart.tooltip_for(6)
    finally:
        QToolTip.hideText()


def test_summary_is_the_accessible_description(chart: UsageChart) -> None:
    days = usage(30, count=391)
    days[-1] = (LAST_DAY, 1_020)  # 29 * 391 + 1,020 = 12,359
    chart.set_usage(days)
    assert chart.summary() == "30 days, 12,359 requests, peak 1,020 on Nov 24"
    assert chart.accessibleDescription() == chart.summary()
    assert chart.accessibleName() == "Daily requests chart"


def test_missing_days_count_as_zero(chart: UsageChart) -> None:
    chart.set_usage([(LAST_DAY, 5), (LAST_DAY - datetime.timedelta(days=2), 1)])
    assert chart.summary() == "3 days, 6 requests, peak 5 on Nov 24"
    assert chart.tooltip_for(1) == "Mon 2026-11-23: 0 requests"


def test_minimum_size(chart: UsageChart) -> None:
    hint = chart.minimumSizeHint()
    assert (hint.width(), hint.height()) == (320, 180)


@pytest.mark.parametrize("dark", [False, True])
def test_text_and_grid_follow_the_palette(chart: UsageChart, dark: bool) -> None:
    window, text = (QColor("#202124"), QColor("#e8eaed")) if dark else (QColor("#f4f4f4"), QColor("#1a1a1a"))
    palette = chart.palette()
    palette.setColor(QPalette.ColorRole.Window, window)
    palette.setColor(QPalette.ColorRole.WindowText, text)
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#4a90d9"))
    chart.setPalette(palette)
    chart.set_usage(usage(30))
    image = chart.grab().toImage()

    assert image.pixelColor(1, 1) == window
    assert count_near(image, text, tolerance=30) > 20  # axis title, tick and date labels
    assert count_near(image, blend(text, 40, window), tolerance=3) > 200  # grid lines
    if dark:  # nothing painted in a hard-coded black
        assert count_near(image, QColor("#000000"), tolerance=30) == 0
    assert count_near(image, QColor("#4a90d9"), tolerance=4) > 0


# --- sparkline ------------------------------------------------------------------------------------

def paint_into_image(values: list[int], size: tuple[int, int] = (90, 24)) -> QImage:
    image = QImage(*size, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    paint_sparkline(painter, QRect(0, 0, *size), values, QColor("#3d8ee0"))
    painter.end()
    return image


def test_sparkline_scales_to_the_maximum_and_marks_the_latest_value() -> None:
    image = paint_into_image(list(range(30)))
    line = QColor("#3d8ee0")
    assert count_near(image, line, tolerance=20, region=QRect(80, 0, 10, 6)) > 0  # the dot, top right
    assert count_near(image, line, tolerance=20, region=QRect(0, 0, 30, 10)) == 0  # low start


def test_sparkline_with_all_zeros_lies_on_the_baseline() -> None:
    image = paint_into_image([0] * 30)
    line = QColor("#3d8ee0")
    assert count_near(image, line, tolerance=40, region=QRect(0, 0, 90, 16)) == 0
    assert count_near(image, line, tolerance=40, region=QRect(0, 16, 90, 8)) > 0


@pytest.mark.parametrize("values", [[], [7], [0], [5, -3]])
def test_sparkline_edge_cases_paint_without_error(values: list[int]) -> None:
    paint_into_image(values)
    image = QImage(4, 4, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    paint_sparkline(painter, QRectF(0, 0, 4, 4), values, QColor("red"))  # no room inside the margin
    painter.end()


def test_delegate_paints_sparklines_with_the_palette(qtbot) -> None:
    model = QStandardItemModel(3, 2)
    for row, values in enumerate(([5, 9, 3, 12, 8], [0, 0, 0], None)):
        model.setItem(row, 0, QStandardItem(f"key-{row}"))
        item = QStandardItem("n/a")
        if values is not None:
            item.setData(values, SPARKLINE_ROLE)
        model.setItem(row, 1, item)
    view = QTableView()
    qtbot.addWidget(view)
    palette = view.palette()
    line, on_selection = QColor("#d0306a"), QColor("#ffe000")  # colours nothing else uses
    palette.setColor(QPalette.ColorRole.Highlight, line)
    palette.setColor(QPalette.ColorRole.HighlightedText, on_selection)
    view.setPalette(palette)
    delegate = SparklineDelegate(view)
    view.setItemDelegateForColumn(1, delegate)
    view.setModel(model)
    view.resizeColumnsToContents()
    view.resize(300, 200)
    view.show()
    qtbot.waitExposed(view)

    def cell(row: int, column: int) -> QImage:
        rect = view.visualRect(model.index(row, column)).translated(view.viewport().pos())
        return view.grab().toImage().copy(rect)

    assert view.columnWidth(1) >= 90
    assert count_near(cell(0, 1), line, tolerance=30) > 0
    assert count_near(cell(1, 1), line, tolerance=30) > 0  # flat line on the baseline
    assert count_near(cell(2, 1), line, tolerance=30) == 0  # no data: the usual text cell
    text = view.palette().color(QPalette.ColorRole.Text)
    assert count_near(cell(2, 1), text, tolerance=60) > 0
    assert count_near(cell(0, 0), line, tolerance=30) == 0

    view.selectRow(0)
    selected = cell(0, 1)
    assert count_near(selected, on_selection, tolerance=30) > 0  # the line, on the selection colour
    margin = QRect(0, 0, selected.width(), 2)  # above the sparkline: the selection background
    assert count_near(selected, line, tolerance=4, region=margin) == margin.width() * margin.height()


def test_delegate_draws_the_selection_background_itself(qtbot) -> None:
    # QTableView with Fusion paints a row background first and would hide a missing panel;
    # other views and styles do not, so paint the delegate alone.
    model = QStandardItemModel(1, 1)
    item = QStandardItem()
    item.setData([5, 9, 3, 12, 8], SPARKLINE_ROLE)
    model.setItem(0, 0, item)
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 90, 24)
    option.state = (QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Active
                    | QStyle.StateFlag.State_Selected)
    background, on_selection = QColor("#d0306a"), QColor("#ffe000")
    option.palette.setColor(QPalette.ColorRole.Highlight, background)
    option.palette.setColor(QPalette.ColorRole.HighlightedText, on_selection)
    image = QImage(90, 24, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    SparklineDelegate().paint(painter, option, model.index(0, 0))
    painter.end()
    assert count_near(image, background, tolerance=4, region=QRect(0, 0, 90, 2)) == 180
    assert count_near(image, on_selection, tolerance=30) > 0


def paint_delegate(delegate: SparklineDelegate, values: list[int], state: QStyle.StateFlag) -> QImage:
    model = QStandardItemModel(1, 1)
    item = QStandardItem()
    item.setData(values, SPARKLINE_ROLE)
    model.setItem(0, 0, item)
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 90, 24)
    option.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Active | state
    option.palette.setColor(QPalette.ColorRole.Highlight, QColor("#3d8ee0"))
    option.palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffe000"))
    image = QImage(90, 24, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    delegate.paint(painter, option, model.index(0, 0))
    painter.end()
    return image


def test_delegate_draws_each_sparkline_once_then_copies_it(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[tuple[int, ...]] = []
    real = charts.paint_sparkline
    monkeypatch.setattr(charts, "paint_sparkline", lambda p, r, v, c: (drawn.append(tuple(v)), real(p, r, v, c)))
    delegate = SparklineDelegate()
    plain = QStyle.StateFlag.State_None
    first = paint_delegate(delegate, [5, 9, 3, 12, 8], plain)
    again = paint_delegate(delegate, [5, 9, 3, 12, 8], plain)
    assert drawn == [(5, 9, 3, 12, 8)] and again == first
    assert count_near(first, QColor("#3d8ee0"), tolerance=30) > 0  # the copy is the line

    other = paint_delegate(delegate, [1, 1, 1, 1, 30], plain)  # other values: drawn anew
    selected = paint_delegate(delegate, [5, 9, 3, 12, 8], QStyle.StateFlag.State_Selected)  # other colour
    assert len(drawn) == 3 and other != first
    assert count_near(selected, QColor("#ffe000"), tolerance=30) > 0


def test_delegate_keeps_a_bounded_number_of_sparklines() -> None:
    delegate = SparklineDelegate()
    for n in range(SparklineDelegate.CACHED + 20):
        paint_delegate(delegate, [n, 0, n], QStyle.StateFlag.State_None)
    assert len(delegate._lines) == SparklineDelegate.CACHED
    colour = QColor("#3d8ee0").rgba()
    assert ((0, 0, 0), 90, 24, 1.0, colour) not in delegate._lines  # the oldest went
    newest = SparklineDelegate.CACHED + 19
    assert ((newest, 0, newest), 90, 24, 1.0, colour) in delegate._lines


def test_delegate_size_hint(qtbot) -> None:
    view = QTableView()
    qtbot.addWidget(view)
    model = QStandardItemModel(1, 1)
    item = QStandardItem()
    item.setData([1, 2, 3], SPARKLINE_ROLE)
    model.setItem(0, 0, item)
    view.setModel(model)
    delegate = SparklineDelegate(view)
    view.setItemDelegate(delegate)
    hint = view.sizeHintForIndex(model.index(0, 0))
    assert hint.width() == 90
    assert hint.height() >= view.fontMetrics().height()


def test_hovering_a_bar_redraws_it_until_the_mouse_leaves_the_bars(chart: UsageChart, qtbot) -> None:
    chart.set_usage(usage(7, count=500))
    chart.show()
    qtbot.waitExposed(chart)

    def bar_pixels() -> int:
        return count_near(chart.grab().toImage(), highlight(chart), tolerance=4)

    plain = bar_pixels()
    qtbot.mouseMove(chart, chart.slot_rect(2).center().toPoint())  # Fri Nov 20: a weekday bar
    assert bar_pixels() < plain
    qtbot.mouseMove(chart, QPoint(2, 2))
    assert bar_pixels() == plain
