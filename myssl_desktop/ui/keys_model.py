"""The table model over our own list of keys (no QTableWidget, no proxy)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from .. import timefmt

if TYPE_CHECKING:
    from ..api.models import ApiKey

_Index = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    NAME = 0
    PREFIX = 1
    STATUS = 2
    PERMISSIONS = 3
    CREATED = 4
    LAST_USED = 5
    REQUESTS_24H = 6
    REQUESTS_TOTAL = 7


HEADERS = {
    Column.NAME: "Name", Column.PREFIX: "Prefix", Column.STATUS: "Status",
    Column.PERMISSIONS: "Permissions", Column.CREATED: "Created", Column.LAST_USED: "Last used",
    Column.REQUESTS_24H: "24 h", Column.REQUESTS_TOTAL: "Total",
}
_NUMERIC = (Column.REQUESTS_24H, Column.REQUESTS_TOTAL)


class KeysModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ApiKey] = []

    def set_keys(self, keys: Sequence[ApiKey]) -> None:
        self.beginResetModel()
        self._rows = list(keys)
        self.endResetModel()

    def key_at(self, row: int) -> ApiKey:
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[Column(section)]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        key = self._rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(key, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == Column.LAST_USED:
            return timefmt.exact(key.last_used_at)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _display(key: ApiKey, column: Column) -> str:
    match column:
        case Column.NAME:
            return key.name
        case Column.PREFIX:
            return key.prefix + "…"
        case Column.STATUS:
            return key.status
        case Column.PERMISSIONS:
            return ", ".join(key.permissions)
        case Column.CREATED:
            return key.created_at.astimezone().strftime("%Y-%m-%d")
        case Column.LAST_USED:
            return timefmt.relative(key.last_used_at)
        case Column.REQUESTS_24H:
            return f"{key.requests_24h:,}"
        case Column.REQUESTS_TOTAL:
            return f"{key.request_count:,}"
