"""The keys table model: our own rows, sorted and filtered in Python over raw values.

A QSortFilterProxyModel calling back into Python per comparison takes ~2 s to sort
10,000 rows; sorting the list here and emitting layoutChanged takes milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from enum import IntEnum
from operator import attrgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ... import timefmt
from ...keyflags import DESCRIPTIONS, EXPOSED, FlagRules

if TYPE_CHECKING:
    from ...api.models import ApiKey
    from ...scan import Hit

_Index = QModelIndex | QPersistentModelIndex
from .charts import SPARKLINE_ROLE  # noqa: E402 - the 30 daily counts, for the sparkline delegate

FLAGS_ROLE = Qt.ItemDataRole.UserRole + 2  # the key's flag names, then its marks, for the flag delegate
SIGNS_IN, STORED = "signs-in", "stored"  # marks: not flags (nothing to attend to), shown beside them
MARK_WORDS = {SIGNS_IN: "This profile signs in with this key.",
              STORED: "Its secret is kept in your keychain: Key ▸ Copy stored secret."}
STATUS_ORDER = {"active": 0, "expiring": 1, "revoked": 2}
STATUS_FILTERS = ("current", "active", "expiring", "revoked", "all")  # "current": all but revoked


class Column(IntEnum):
    NAME = 0
    FLAGS = 1
    STATUS = 2
    PREFIX = 3
    PERMISSIONS = 4
    CREATED = 5
    LAST_USED = 6
    REQUESTS_24H = 7
    REQUESTS_TOTAL = 8
    USAGE = 9


HEADERS = {
    Column.NAME: "Name", Column.FLAGS: "Attention", Column.STATUS: "Status", Column.PREFIX: "Prefix",
    Column.PERMISSIONS: "Permissions", Column.CREATED: "Created", Column.LAST_USED: "Last used",
    Column.REQUESTS_24H: "24 h", Column.REQUESTS_TOTAL: "Total", Column.USAGE: "30 days",
}
NUMERIC_COLUMNS = (Column.REQUESTS_24H, Column.REQUESTS_TOTAL)  # right-aligned
_ROWS_MOVE = QAbstractTableModel.LayoutChangeHint.VerticalSortHint
_LAYOUT_ARGS = ("QList<QPersistentModelIndex>", "QAbstractItemModel::LayoutChangeHint")  # the overload with a hint
_COLUMN_COUNT = len(Column)  # len() of an enum runs Python code; views ask for it hundreds of times a paint
_SERVED_ROLES = frozenset({Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, SPARKLINE_ROLE, FLAGS_ROLE,
                           Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.TextAlignmentRole})


class KeyRow(NamedTuple):
    """One key with its usage series and flags, as the details pane shows it."""

    key: ApiKey
    usage: tuple[int, ...]
    flags: tuple[str, ...]


class KeysModel(QAbstractTableModel):
    """Rows are the parsed `ApiKey` objects themselves. What is derived from a key (flags,
    display text) is worked out when a cell asks for it, so a refresh of 10,000 keys costs a
    sort and a paint, not 10,000 rows built up front (flags alone took ~13 ms for 10,000)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._keys: list[ApiKey] = []  # as the refresh brought them
        self._order: list[int] = []  # positions in _keys, in sort order
        self._all: list[ApiKey] = []  # _keys in sort order
        self._rows: list[ApiKey] = []
        self._usage: dict[int, tuple[int, ...]] = {}
        self._flags: dict[int, tuple[str, ...]] = {}  # key id -> flags, filled on first use
        self._sort_values: dict[Column, list[Any]] = {}  # see _values_of
        self._rules = FlagRules(datetime.now(UTC))
        self._sort_column = Column.CREATED
        self._sort_order = Qt.SortOrder.DescendingOrder
        self._text = ""
        self._status = "current"
        self._attention_only = False
        self._stored: frozenset[int] = frozenset()
        self._own_prefix = ""
        self._found: Mapping[str, tuple[Hit, ...]] = {}  # key prefix -> where scans found it
        self._exposed: frozenset[str] = frozenset()  # prefixes found in a commit
        self.now = datetime.now().astimezone()

    # --- data in -----------------------------------------------------------------------

    def set_keys(self, keys: Sequence[ApiKey], usage: dict[int, tuple[int, ...]] | None = None,
                 *, now: datetime | None = None, rotation_days: int = 90, stored: frozenset[int] = frozenset(),
                 own_prefix: str = "") -> None:
        """Replace every row (a refresh); sort and filter are kept. `stored`: ids of keys whose
        secret the app keeps; `own_prefix`: the key the profile signs in with."""
        self.now = now or datetime.now(UTC)
        self._stored, self._own_prefix = stored, own_prefix
        self._usage = usage or {}
        self._rules = FlagRules(self.now, rotation_days)
        self._flags, self._sort_values = {}, {}
        self.beginResetModel()
        self._keys = list(keys)
        self._order = list(range(len(self._keys)))
        self._sort()
        self._rows = self._filtered(self._all)
        self.endResetModel()

    def set_found(self, found: Mapping[str, tuple[Hit, ...]]) -> None:
        """Where scans found each key prefix (see `myssl_desktop.scan.store`): a key found in a
        commit is flagged exposed. Sort and filter are kept."""
        self._found = found
        self._exposed = frozenset(prefix for prefix, hits in found.items() if any(h.in_history for h in hits))
        self._flags, self._sort_values = {}, {}
        self.beginResetModel()
        self._sort()
        self._rows = self._filtered(self._all)
        self.endResetModel()

    def set_filter(self, *, text: str | None = None, status: str | None = None,
                   attention_only: bool | None = None) -> None:
        if status is not None and status not in STATUS_FILTERS:
            raise ValueError(f"status filter must be one of {STATUS_FILTERS}")
        before = (self._text, self._status, self._attention_only)
        if text is not None:
            self._text = text.strip().casefold()
        if status is not None:
            self._status = status
        if attention_only is not None:
            self._attention_only = attention_only
        # Typing on in the filter box: a row the longer text matches contained the shorter
        # text too, so only the rows shown now need looking at, not every key.
        narrowing = before[1:] == (self._status, self._attention_only) and before[0] in self._text
        self.beginResetModel()
        self._rows = self._filtered(self._rows if narrowing else self._all)
        self.endResetModel()

    # --- what a key's cells show ---------------------------------------------------------

    def flags_of(self, key: ApiKey) -> tuple[str, ...]:
        flags = self._flags.get(key.id)
        if flags is None:
            flags = self._flags[key.id] = self._rules.flags(key, self._usage.get(key.id, ()),
                                                            exposed=key.prefix in self._exposed)
        return flags

    def found_of(self, key: ApiKey) -> tuple[Hit, ...]:
        """Where scans found the key (by its prefix)."""
        return self._found.get(key.prefix, ())

    def marks_of(self, key: ApiKey) -> tuple[str, ...]:
        own = (SIGNS_IN,) if self._own_prefix and key.prefix == self._own_prefix else ()
        return own + ((STORED,) if key.id in self._stored else ())

    def is_stored(self, key: ApiKey) -> bool:
        return key.id in self._stored

    def usage_of(self, key: ApiKey) -> tuple[int, ...]:
        return self._usage.get(key.id, ())

    # --- sorting and filtering ---------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column, self._sort_order = Column(column), order
        # The hint tells views that only rows move: a header of moved and resized columns
        # would otherwise save and restore every section around the change.
        self.layoutAboutToBeChanged[_LAYOUT_ARGS].emit([], _ROWS_MOVE)  # type: ignore[index]  # stubs lack it
        persistent = self.persistentIndexList()
        anchors = [(self._rows[i.row()], i.column()) if i.row() < len(self._rows) else None
                   for i in persistent]
        self._sort()
        self._rows = self._filtered(self._all)
        if anchors:  # usually one or two: the current cell and the selection
            identities = list(map(id, self._rows))  # found by identity: comparing ApiKeys runs Python
            moved = [self.index(identities.index(id(a[0])), a[1]) if a and id(a[0]) in identities
                     else QModelIndex() for a in anchors]
            self.changePersistentIndexList(persistent, moved)
        self.layoutChanged[_LAYOUT_ARGS].emit([], _ROWS_MOVE)  # type: ignore[index]  # stubs lack overloads

    def _sort(self) -> None:
        """Put `_all` in the sort order. Positions are sorted by values looked up in C: calling
        a Python key function for each of 10,000 keys took 3-8 ms a sort, most of the sort."""
        column, descending = self._sort_column, self._sort_order == Qt.SortOrder.DescendingOrder
        values = self._values_of(column)
        order = sorted(self._order, key=values.__getitem__, reverse=descending)
        if column == Column.LAST_USED and descending:  # "never" sorts last both ways: move it back
            used_from = next((n for n, i in enumerate(order) if values[i] != math.inf), len(order))
            order = order[used_from:] + order[:used_from]
        self._order = order
        self._all = list(map(self._keys.__getitem__, order))

    def _values_of(self, column: Column) -> list[Any]:
        """The raw value `column` sorts by for each of `_keys`, worked out once per refresh."""
        values = self._sort_values.get(column)
        if values is None:
            values = self._sort_values[column] = list(map(self._sort_value(column), self._keys))
        return values

    def _sort_value(self, column: Column) -> Callable[[ApiKey], Any]:
        by_column: dict[Column, Callable[[ApiKey], Any]] = {
            Column.NAME: lambda k: k.name.casefold(),
            Column.FLAGS: lambda k: (EXPOSED in (flags := self.flags_of(k)), len(flags)),  # exposed first
            Column.STATUS: lambda k: STATUS_ORDER.get(k.status, 9),
            Column.PREFIX: attrgetter("prefix"),
            Column.PERMISSIONS: lambda k: (len(k.permissions), k.permissions),
            Column.CREATED: attrgetter("created_at"),
            # "Never" as infinitely late: last when ascending, and moved last when descending.
            Column.LAST_USED: lambda k: math.inf if k.last_used_at is None else k.last_used_at.timestamp(),
            Column.REQUESTS_24H: attrgetter("requests_24h"),
            Column.REQUESTS_TOTAL: attrgetter("request_count"),
            Column.USAGE: lambda k: sum(self.usage_of(k)),
        }
        return by_column[column]

    def _filtered(self, keys: list[ApiKey]) -> list[ApiKey]:
        # One pass per active criterion: each is a tight comprehension.
        if self._status == "current":
            keys = [k for k in keys if k.status != "revoked"]
        elif self._status != "all":
            keys = [k for k in keys if k.status == self._status]
        if self._attention_only:
            keys = [k for k in keys if self.flags_of(k)]
        if self._text:
            text = self._text
            keys = [k for k in keys if text in k.name.casefold() or text in k.prefix.casefold()]
        return list(keys)

    # --- lookup ------------------------------------------------------------------------

    def display_text(self, row: int, column: int) -> str | None:
        """What `data()` shows in a cell, without the trip through Qt: the table's text cells
        ask for it about 160 times a paint."""
        return self._display(self._rows[row], column)

    def row_at(self, row: int) -> KeyRow:
        key = self._rows[row]
        return KeyRow(key, self.usage_of(key), self.flags_of(key))

    def key_at(self, row: int) -> ApiKey:
        return self._rows[row]

    def row_of(self, key_id: int) -> int | None:
        for n, key in enumerate(self._rows):
            if key.id == key_id:
                return n
        return None

    @property
    def total_count(self) -> int:
        return len(self._all)

    def all_keys(self) -> list[ApiKey]:
        """Every key of the list in the table's order, whatever the filters hide."""
        return list(self._all)

    @property
    def sort_state(self) -> tuple[Column, Qt.SortOrder]:
        return self._sort_column, self._sort_order

    # --- Qt model interface ------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else _COLUMN_COUNT

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[Column(section)]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Views ask for a dozen roles per cell on every paint; answer the others at once.
        # An invalid index has row -1, so the range check covers it.
        if role not in _SERVED_ROLES or not 0 <= (number := index.row()) < len(self._rows):
            return None
        key = self._rows[number]
        column = index.column()  # an int; Column members compare equal to it (no enum call per cell)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(key, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(key, column)
        if role == SPARKLINE_ROLE and column == Column.USAGE:
            return self.usage_of(key)
        if role == FLAGS_ROLE and column == Column.FLAGS:
            return self.flags_of(key) + self.marks_of(key)
        if role == Qt.ItemDataRole.AccessibleTextRole and column == Column.FLAGS:
            return ", ".join(self.flags_of(key) + self.marks_of(key)) or "no flags"
        if role == Qt.ItemDataRole.TextAlignmentRole and column in NUMERIC_COLUMNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, key: ApiKey, column: int) -> str | None:
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
                # isoformat, not strftime: strftime imports `time` twice a call, through
                # PySide's import hook, which made this the slowest column to paint.
                return f"{key.created_at.astimezone().date().isoformat()} ({timefmt.age(key.created_at, self.now)})"
            case Column.LAST_USED:
                return timefmt.relative(key.last_used_at, self.now)
            case Column.REQUESTS_24H:
                return f"{key.requests_24h:,}"
            case Column.REQUESTS_TOTAL:
                return f"{key.request_count:,}"
        return None

    def _tooltip(self, key: ApiKey, column: int) -> str | None:
        match column:
            case Column.LAST_USED:
                return timefmt.exact(key.last_used_at)
            case Column.CREATED:
                return timefmt.exact(key.created_at)
            case Column.FLAGS:
                lines = [DESCRIPTIONS[f] for f in self.flags_of(key)] or ["Nothing needs attention."]
                return "\n".join(lines + [MARK_WORDS[m] for m in self.marks_of(key)])
            case Column.STATUS if key.status == "expiring":
                return f"Revoke scheduled for {timefmt.exact(key.expires_at)} ({timefmt.relative(key.expires_at)})"
            case Column.STATUS if key.status == "revoked":
                return f"Revoked {timefmt.exact(key.revoked_at)}"
            case Column.USAGE:
                usage = self.usage_of(key)
                return f"{sum(usage):,} requests in the last {len(usage)} days"
        return None
