"""The table header, with sort arrows the way Windows, macOS and KDE draw them.

QHeaderView hands the style "SortDown" for an ascending sort, and Fusion (Qt's style on
Linux desktops without a platform theme) draws that as a downward arrow: ascending looked
like descending. On Fusion this header swaps the two, so ▲ means A→Z and oldest first;
native styles already follow their platform and are left alone.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QProxyStyle, QStyle, QStyleOptionHeader, QWidget

_FLIPPED = {QStyleOptionHeader.SortIndicator.SortUp: QStyleOptionHeader.SortIndicator.SortDown,
            QStyleOptionHeader.SortIndicator.SortDown: QStyleOptionHeader.SortIndicator.SortUp}


class SortHeader(QHeaderView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)

    def initStyleOptionForIndex(self, option: QStyleOptionHeader, logical_index: int) -> None:  # noqa: N802
        super().initStyleOptionForIndex(option, logical_index)
        if _is_fusion(self.style()):
            option.sortIndicator = _FLIPPED.get(option.sortIndicator, option.sortIndicator)


def _is_fusion(style: QStyle) -> bool:
    base = style.baseStyle() if isinstance(style, QProxyStyle) else style  # the dark theme wraps Fusion
    return base.name().lower() == "fusion"


__all__ = ["SortHeader"]
