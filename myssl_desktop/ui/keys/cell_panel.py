"""Helpers for hand-painted table cells: the normal background (selection, hover, alternate
rows, focus), the colours the style gives item text, and the caches that let cells be laid
out or drawn once and then copied."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionViewItem

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# Plain ints: testing a Python enum flag runs Python code, and this runs for every cell.
_ENABLED = QStyle.StateFlag.State_Enabled.value
_ACTIVE = QStyle.StateFlag.State_Active.value
_SELECTED = QStyle.StateFlag.State_Selected.value
_HAS_FOCUS = QStyle.StateFlag.State_HasFocus.value
_WHOLE_ITEM = QStyle.ControlElement.CE_ItemViewItem
_BACKGROUND = QStyle.PrimitiveElement.PE_PanelItemViewItem


def style_of(option: QStyleOptionViewItem) -> QStyle:
    widget = option.widget
    return widget.style() if widget is not None else QApplication.style()


def draw_cell_panel(painter: QPainter, option: QStyleOptionViewItem, *,
                    style: QStyle | None = None, state: int | None = None) -> None:
    """Draw the cell as the style would, without text or icon: its background for the state
    the view put in `option` (selected, hovered, alternate row) and, on the current cell, the
    focus frame. Pass `style` and `state` (`option.state.value`) if you have them already:
    each lookup costs about a microsecond, for every cell of every paint.

    `initStyleOption` would add nothing drawn here, at the price of a dozen calls into the
    model per cell on every paint. The whole item (CE_ItemViewItem) is drawn only where the
    focus frame is needed: laying out an empty item cost more than drawing the background.
    """
    style = style or style_of(option)
    state = option.state.value if state is None else state
    if state & _HAS_FOCUS:
        style.drawControl(_WHOLE_ITEM, option, painter, option.widget)
    else:
        style.drawPrimitive(_BACKGROUND, option, painter, option.widget)


def item_color(option: QStyleOptionViewItem, role: QPalette.ColorRole, state: int | None = None) -> QColor:
    """The palette's `role` (HighlightedText on a selected cell) in the colour group the style
    picks for item text: disabled, inactive window, or active. `state` as for draw_cell_panel."""
    palette = option.palette
    state = (option.state.value if state is None else state) & (_ENABLED | _ACTIVE | _SELECTED)
    cache_key = (palette.cacheKey(), state, role.value)  # a palette's key changes with its colours
    color = _item_colors.get(cache_key)
    if color is None:  # asking the palette takes ~2 us, mostly turning enums into ints
        if not state & _ENABLED:
            group = QPalette.ColorGroup.Disabled
        elif not state & _ACTIVE:
            group = QPalette.ColorGroup.Inactive
        else:
            group = QPalette.ColorGroup.Active
        selected = QPalette.ColorRole.HighlightedText if state & _SELECTED else role
        color = _item_colors.put(cache_key, palette.color(group, selected))
    return color


def device_ratio(painter: QPainter) -> float:
    device = painter.device()
    return device.devicePixelRatioF() if device is not None else 1.0


def transparent_pixmap(width: int, height: int, ratio: float) -> QPixmap:
    """A clear pixmap of `width` x `height` device-independent pixels, sharp at `ratio`."""
    pixmap = QPixmap(round(width * ratio), round(height * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    return pixmap


class LruCache(Generic[K, V]):
    """At most `size` entries; when full, the least recently used one goes."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> V:
        self._items[key] = value
        if len(self._items) > self.size:
            self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items


_item_colors: LruCache[tuple[int, int, int], QColor] = LruCache(64)
