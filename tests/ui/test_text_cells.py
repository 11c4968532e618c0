"""The keys table's text cells are drawn from cached QStaticText; they must look exactly as
the style draws them (position, colour, elision, selection) and fall back to it otherwise."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTableView

from myssl_desktop.ui.keys.cell_panel import draw_cell_panel
from myssl_desktop.ui.keys.text_cells import StaticTextDelegate

ENABLED = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Active
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


@pytest.fixture
def view(qtbot) -> QTableView:
    table = QTableView()
    qtbot.addWidget(table)
    return table


def cell_model(text: object, align_right: bool = False) -> QStandardItemModel:
    model = QStandardItemModel(1, 1)
    item = QStandardItem()
    item.setData(text, Qt.ItemDataRole.DisplayRole)
    if align_right:  # how the keys model aligns its number columns, for the style's delegate
        item.setData(int(RIGHT), Qt.ItemDataRole.TextAlignmentRole)
    model.setItem(0, 0, item)
    return model


def paint(delegate: QStyledItemDelegate, view: QTableView, model: QStandardItemModel, *,
          width: int = 120, state: QStyle.StateFlag = ENABLED, font: QFont | None = None,
          alternate: bool = False) -> QImage:
    """The cell as a view would have the delegate paint it: the view's option, no initStyleOption."""
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, width, 28)
    option.state = state
    option.font = font or view.font()
    option.fontMetrics = view.fontMetrics() if font is None else view.fontMetrics().__class__(font)
    option.palette = view.palette()
    option.widget = view
    option.textElideMode = Qt.TextElideMode.ElideRight
    option.displayAlignment = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    if alternate:
        option.features = QStyleOptionViewItem.ViewItemFeature.Alternate
    image = QImage(width, 28, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    delegate.paint(painter, option, model.index(0, 0))
    painter.end()
    return image


SELECTED = ENABLED | QStyle.StateFlag.State_Selected
INACTIVE_SELECTED = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Selected


@pytest.mark.parametrize(("text", "align_right", "width", "state", "alternate"), [
    ("Production Server", False, 160, ENABLED, False),
    ("Production Server", False, 160, SELECTED, False),
    ("Production Server", False, 160, INACTIVE_SELECTED, True),
    ("Production Server", False, 160, QStyle.StateFlag.State_None, False),  # disabled
    ("A key with a name far too long for its column", False, 120, ENABLED, False),  # elided
    ("430,994", True, 80, ENABLED, False),  # right-aligned, starting between two pixels
    ("2,508", True, 80, SELECTED, True),
    ("9,999,999,999,999", True, 60, ENABLED, False),  # elided on the right
    ("<b>not bold</b> &amp;", False, 200, ENABLED, False),  # markup is shown as typed
    ("Überwachung ✓ 監視", False, 160, ENABLED, False),
])
def test_cells_look_exactly_as_the_style_draws_them(view: QTableView, text: str, align_right: bool,
                                                     width: int, state: QStyle.StateFlag,
                                                     alternate: bool) -> None:
    model = cell_model(text, align_right)
    ours = StaticTextDelegate(view, align_right=align_right)
    expected = paint(QStyledItemDelegate(view), view, model, width=width, state=state, alternate=alternate)
    assert paint(ours, view, model, width=width, state=state, alternate=alternate) == expected
    # The second paint comes from the cache and must not differ.
    assert paint(ours, view, model, width=width, state=state, alternate=alternate) == expected


def test_text_is_laid_out_once_and_reused(view: QTableView) -> None:
    delegate = StaticTextDelegate(view)
    model = cell_model("Staging")
    paint(delegate, view, model)
    first, _ = delegate.laid_out("Staging", 200, _option(view))
    paint(delegate, view, model)
    assert delegate.laid_out("Staging", 200, _option(view))[0] is first
    assert len(delegate._texts) == 1


def test_elided_text_fits_its_room_and_says_so(view: QTableView) -> None:
    delegate = StaticTextDelegate(view)
    static, width = delegate.laid_out("A key with a name far too long for its column", 80, _option(view))
    assert static.text().endswith("…") and width <= 80
    whole, whole_width = delegate.laid_out("A key with a name far too long for its column", 1000, _option(view))
    assert whole.text() == "A key with a name far too long for its column" and whole_width > 80


def test_a_new_font_lays_the_text_out_again(view: QTableView) -> None:
    delegate = StaticTextDelegate(view)
    model = cell_model("Production Server")
    paint(delegate, view, model)
    big = QFont(view.font())
    big.setPointSizeF(big.pointSizeF() * 1.5)
    expected = paint(QStyledItemDelegate(view), view, model, width=200, font=big)
    assert paint(delegate, view, model, width=200, font=big) == expected
    assert paint(delegate, view, model, width=200) != expected


@pytest.mark.parametrize("value", [None, "", "two\nlines", 42])
def test_anything_but_one_line_of_text_is_left_to_the_style(view: QTableView, value: object) -> None:
    model = cell_model(value)
    expected = paint(QStyledItemDelegate(view), view, model)
    assert paint(StaticTextDelegate(view), view, model) == expected


def test_text_can_come_straight_from_the_model(view: QTableView) -> None:
    model = cell_model("what Qt would say")
    asked: list[tuple[int, int]] = []
    delegate = StaticTextDelegate(view, text_at=lambda row, column: asked.append((row, column)) or "Staging")
    expected = paint(QStyledItemDelegate(view), view, cell_model("Staging"))
    assert paint(delegate, view, model) == expected and asked == [(0, 0)]


def test_the_cache_is_bounded(view: QTableView) -> None:
    delegate = StaticTextDelegate(view)
    for n in range(StaticTextDelegate.CACHED + 10):
        delegate.laid_out(f"key {n}", 200, _option(view))
    assert len(delegate._texts) == StaticTextDelegate.CACHED
    assert ("key 0", -1) not in delegate._texts and (f"key {StaticTextDelegate.CACHED + 9}", -1) in delegate._texts


@pytest.mark.parametrize("state", [
    ENABLED, SELECTED, INACTIVE_SELECTED,
    ENABLED | QStyle.StateFlag.State_HasFocus,
    SELECTED | QStyle.StateFlag.State_HasFocus,
    ENABLED | QStyle.StateFlag.State_MouseOver,
])
@pytest.mark.parametrize("alternate", [False, True])
def test_the_cell_panel_is_the_styles_item_without_text(view: QTableView, state: QStyle.StateFlag,
                                                        alternate: bool) -> None:
    option = _option(view)
    option.state = state
    if alternate:
        option.features = QStyleOptionViewItem.ViewItemFeature.Alternate
    images = []
    for draw in (lambda p: draw_cell_panel(p, option),
                 lambda p: view.style().drawControl(QStyle.ControlElement.CE_ItemViewItem, option, p, view)):
        image = QImage(120, 28, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        draw(painter)
        painter.end()
        images.append(image)
    assert images[0] == images[1]
    if state & QStyle.StateFlag.State_Selected:
        assert images[0].pixelColor(60, 14) != QColor("white")  # it did draw the selection


def _option(view: QTableView) -> QStyleOptionViewItem:
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 120, 28)
    option.state = ENABLED
    option.font = view.font()
    option.fontMetrics = view.fontMetrics()
    option.palette = view.palette()
    option.widget = view
    option.textElideMode = Qt.TextElideMode.ElideRight
    return option
