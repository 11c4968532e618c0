"""The dark theme's outlines and the sort arrows, read back from painted pixels and options; the
scheme a start paints in, and how it follows Qt's answer after the first paint."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette, QStandardItemModel
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
from myssl_desktop.ui.common.theme import apply_theme, dark_palette, remembered_scheme, start_theme
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


@pytest.fixture
def app_theme(qapp, monkeypatch):  # noqa: ANN001, ANN201
    """The app's style and palette, put back after the test."""
    monkeypatch.delenv("MYSSL_DESKTOP_THEME", raising=False)
    style = qapp.style().name()
    yield qapp
    apply_theme(qapp, "light")
    assert qapp.style().name() == style


def window_lightness(app) -> int:  # noqa: ANN001
    return app.palette().color(QPalette.ColorRole.Window).lightness()


def test_a_start_paints_in_the_remembered_scheme_then_follows_qt(app_theme, tmp_path) -> None:
    remembered = tmp_path / "appearance"
    remembered.write_text("dark")
    check = start_theme(app_theme, remembered)
    assert window_lightness(app_theme) < 80, "the first paint is dark, as at the last start"
    check()  # offscreen Qt reports no dark scheme: light, from now on and at the next start
    assert window_lightness(app_theme) > 200
    assert remembered.read_text() == "light"
    assert remembered_scheme(remembered) == "light"


def test_a_first_start_asks_qt_and_remembers_the_answer(app_theme, tmp_path) -> None:
    remembered = tmp_path / "cache" / "appearance"
    check = start_theme(app_theme, remembered)
    assert window_lightness(app_theme) > 200
    check()
    assert remembered.read_text() == "light"


def test_an_override_wins_and_is_not_remembered(app_theme, tmp_path, monkeypatch) -> None:
    remembered = tmp_path / "appearance"
    remembered.write_text("light")
    monkeypatch.setenv("MYSSL_DESKTOP_THEME", "dark")
    check = start_theme(app_theme, remembered)
    check()
    assert window_lightness(app_theme) < 80
    assert remembered.read_text() == "light"


def test_a_damaged_or_unwritable_memory_only_costs_the_question(app_theme, tmp_path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    (tmp_path / "appearance").write_bytes(b"\xff\xfe dark")
    assert remembered_scheme(tmp_path / "appearance") is None
    check = start_theme(app_theme, blocker / "appearance")  # its folder is a file: cannot be written
    check()
    assert window_lightness(app_theme) > 200
