"""The dark theme's outlines and the sort arrows, read back from painted pixels and options."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QLineEdit,
    QStyle,
    QStyleFactory,
    QStyleOptionButton,
    QStyleOptionHeader,
    QTableView,
    QWidget,
)

from myssl_desktop.ui.common.dark_style import DarkOutlines
from myssl_desktop.ui.common.theme import dark_palette
from myssl_desktop.ui.keys.sort_header import SortHeader


def painted(widget: QWidget, style: QStyle) -> QImage:
    widget.setStyle(style)
    widget.setPalette(dark_palette())
    widget.resize(widget.sizeHint())
    image = QImage(widget.size(), QImage.Format.Format_ARGB32)
    image.fill(dark_palette().window().color())
    widget.render(image)
    return image


def brightest_edge(image: QImage, widget: QWidget) -> int:
    """The lightest pixel on the left edge of what the style drew for the field or box."""
    if isinstance(widget, QCheckBox):
        option = QStyleOptionButton()
        widget.initStyleOption(option)
        box = widget.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, widget)
        x, ys = box.left(), range(box.top(), box.bottom() + 1)
    else:
        x, ys = 0, range(2, image.height() - 2)
    return max(QColor(image.pixel(x, y)).lightness() for y in ys)


def test_dark_fields_and_check_boxes_have_a_visible_edge(qtbot) -> None:
    window = QColor(dark_palette().window().color()).lightness()
    for make in (lambda: QCheckBox("Needs attention"), QLineEdit):
        plain, outlined = make(), make()
        qtbot.addWidget(plain)
        qtbot.addWidget(outlined)
        before = brightest_edge(painted(plain, QStyleFactory.create("Fusion")), plain)
        after = brightest_edge(painted(outlined, DarkOutlines()), outlined)
        assert before - window < 20, "Fusion alone: the edge is lost in the window"
        assert after - window > 60, f"{type(outlined).__name__}: the edge must stand out"


def test_an_ascending_sort_points_up_on_fusion(qtbot) -> None:
    for style in (QStyleFactory.create("Fusion"), DarkOutlines()):
        table = QTableView()
        qtbot.addWidget(table)
        table.setStyle(style)
        header = SortHeader(table)
        table.setHorizontalHeader(header)
        table.setModel(QStandardItemModel(2, 2))
        header.setSortIndicatorShown(True)
        for order, expected in ((Qt.SortOrder.AscendingOrder, QStyleOptionHeader.SortIndicator.SortUp),
                                (Qt.SortOrder.DescendingOrder, QStyleOptionHeader.SortIndicator.SortDown)):
            header.setSortIndicator(1, order)
            option = QStyleOptionHeader()
            header.initStyleOptionForIndex(option, 1)
            assert option.sortIndicator == expected
