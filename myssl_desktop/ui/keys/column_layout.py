"""The keys table's first layout, before the user moves or resizes anything (window_state
remembers theirs): the columns a glance needs first, and widths taken from the font.

A glance asks whether a key is used, how much and since when, and what needs attention;
the prefix and permissions identify a key and come after, where a narrow window scrolls.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTableView

from .model import HEADERS, Column
from .status_delegates import FlagsDelegate

DEFAULT_ORDER = (Column.NAME, Column.FLAGS, Column.STATUS, Column.LAST_USED, Column.REQUESTS_24H,
                 Column.REQUESTS_TOTAL, Column.USAGE, Column.CREATED, Column.PREFIX, Column.PERMISSIONS)

# The widest text a column usually shows; longer text is elided and the tooltip or the
# details pane has it whole.
SAMPLES = {
    Column.NAME: "Monitoring Dashboard",
    Column.STATUS: "expiring",
    Column.LAST_USED: "12 months ago",
    Column.REQUESTS_24H: "99,999",
    Column.REQUESTS_TOTAL: "9,999,999",
    Column.CREATED: "2026-11-28 (12 months)",
    Column.PREFIX: "myssl_k_a1b2…",
    Column.PERMISSIONS: "domains:read, billing:read",
}
CELL_PADDING = 16  # the style's text margins, with room to spare
BADGE_PADDING = 26  # StatusBadgeDelegate: 6 px inset and 14 px of pill around the text
SORT_ARROW = 22  # the header's sort indicator next to its title
SPARKLINE_WIDTH = 100


def apply_default_layout(table: QTableView) -> None:
    header = table.horizontalHeader()
    cells, titles = table.fontMetrics(), header.fontMetrics()
    flags_width = 3 * (FlagsDelegate.ICON + FlagsDelegate.GAP) + 8  # all three flags at once
    for column in Column:
        if column == Column.USAGE:
            content = SPARKLINE_WIDTH
        elif column == Column.FLAGS:
            content = flags_width
        else:
            padding = BADGE_PADDING if column == Column.STATUS else CELL_PADDING
            content = cells.horizontalAdvance(SAMPLES[column]) + padding
        title = titles.horizontalAdvance(HEADERS[column]) + SORT_ARROW
        table.setColumnWidth(column, max(content, title))
    for position, column in enumerate(DEFAULT_ORDER):
        header.moveSection(header.visualIndex(column), position)
