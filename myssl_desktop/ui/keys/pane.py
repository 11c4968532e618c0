"""The keys pane: the filter row, the keys table and the details of the selected key.

It shows the key lists it is given (`show_keys`) and loads a selected key's longer usage
chart itself, through the context's background ops. The selected key stays selected
through a refresh or a filter.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...api.errors import ClientsNotReported
from ...errors import describe
from ...keyclients import NOT_REPORTED
from ..common.richtext import html
from .charts import SparklineDelegate
from .column_layout import apply_default_layout
from .details import CLIENT_HOURS, KeyDetails
from .model import NUMERIC_COLUMNS, Column, KeysModel
from .sort_header import SortHeader
from .status_delegates import FlagsDelegate, StatusBadgeDelegate
from .text_cells import StaticTextDelegate

if TYPE_CHECKING:
    from ...api.models import ApiKey
    from ...keycache import Snapshot
    from ...scan.store import Findings, ScannedFolder
    from ..common.context import UiContext

STATUS_CHOICES = (("current", "Current keys"), ("active", "Active"), ("expiring", "Expiring"),
                  ("revoked", "Revoked"), ("all", "All keys"))


class KeysPane(QWidget):
    sign_in_requested = Signal()  # from the signed-out empty state
    sandbox_requested = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._build_filters())
        self.signed_out = self._build_signed_out()
        layout.addWidget(self.signed_out, 1)

        self.model = KeysModel(self)
        self.table = QTableView(self)
        self.table.setHorizontalHeader(SortHeader(self.table))  # ▲ for ascending, as the platforms draw it
        self.table.setModel(self.model)
        self.table.setAccessibleName("API keys")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # bulk revoke
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionsMovable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(Column.CREATED, Qt.SortOrder.DescendingOrder)
        header.sortIndicatorChanged.connect(self.model.sort)
        apply_default_layout(self.table)
        text_at = self.model.display_text
        self._delegates = (StaticTextDelegate(self.table, text_at=text_at),
                           StaticTextDelegate(self.table, align_right=True, text_at=text_at),
                           SparklineDelegate(self.table), StatusBadgeDelegate(self.table),
                           FlagsDelegate(self.table))
        self.table.setItemDelegate(self._delegates[0])
        for column in NUMERIC_COLUMNS:
            self.table.setItemDelegateForColumn(column, self._delegates[1])
        self.table.setItemDelegateForColumn(Column.USAGE, self._delegates[2])
        self.table.setItemDelegateForColumn(Column.STATUS, self._delegates[3])
        self.table.setItemDelegateForColumn(Column.FLAGS, self._delegates[4])
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selection_changed())
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.row_actions: list[QAction | None] = []  # the context menu (None: a separator)
        self._no_match: QLabel | None = None  # over the table when filters hide every key; made when first needed
        self._current: tuple[int, int] | None = None  # the current key's id and column, over a reset
        self._folders_scanned: tuple[ScannedFolder, ...] = ()  # by the scans whose findings are shown
        self.model.modelAboutToBeReset.connect(self._remember_current)
        self.model.modelReset.connect(self._after_reset)

        self.details = KeyDetails()
        self.details.period_changed.connect(lambda _: self._load_usage())
        self.splitter = QSplitter(self)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(_scrolling(self.details))
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(0, False)  # the details may be dragged away in a small window (Ctrl+D)
        self.splitter.setCollapsible(1, True)
        layout.addWidget(self.splitter, 1)
        self.show_signed_in(False)

    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by name or prefix (Ctrl+F)")
        self.filter_edit.setAccessibleName("Filter keys by name or prefix")
        self.filter_edit.textChanged.connect(lambda text: self.model.set_filter(text=text))
        self.filter_edit.installEventFilter(self)  # Down moves into the results
        self.status_combo = QComboBox()
        self.status_combo.setAccessibleName("Show keys with status")
        for value, label in STATUS_CHOICES:
            self.status_combo.addItem(label, value)
        self.status_combo.currentIndexChanged.connect(
            lambda _: self.model.set_filter(status=self.status_combo.currentData()))
        self.attention_check = QCheckBox("&Needs attention")
        self.attention_check.setAccessibleName("Show only keys that need attention")
        self.attention_check.toggled.connect(lambda on: self.model.set_filter(attention_only=on))
        self.count_label = QLabel("")
        self.count_label.setAccessibleName("Keys shown")
        row.addWidget(self.filter_edit, 1)
        row.addWidget(self.status_combo)
        row.addWidget(self.attention_check)
        row.addWidget(self.count_label)
        return row

    def _build_signed_out(self) -> QWidget:
        """What a signed-out window shows instead of an empty table: the next step."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.addStretch(1)
        words = QLabel("<h3>Not signed in</h3>Sign in with a MySSL API key to see your keys, their use and "
                       "rotations. The key is kept in your system keychain only.")
        words.setWordWrap(True)
        words.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(words)
        row = QHBoxLayout()
        row.addStretch(1)
        self.sign_in_button = QPushButton("&Sign in…")
        self.sign_in_button.clicked.connect(self.sign_in_requested)
        self.sandbox_button = QPushButton("Try the sandbox with demo data")
        self.sandbox_button.clicked.connect(self.sandbox_requested)
        row.addWidget(self.sign_in_button)
        row.addWidget(self.sandbox_button)
        row.addStretch(1)
        column.addLayout(row)
        column.addStretch(2)
        return box

    # --- what it shows ---------------------------------------------------------------------

    def add_clear_button(self) -> None:
        """The filter's clear button, made with the window's features, after the list's first
        paint at start-up: under X11 its icon is looked up in the desktop's icon theme (33–67 ms
        measured), and it shows only once text is typed."""
        self.filter_edit.setClearButtonEnabled(True)

    def show_signed_in(self, signed_in: bool) -> None:
        self.signed_out.setVisible(not signed_in)
        self.splitter.setVisible(signed_in)
        for widget in (self.filter_edit, self.status_combo, self.attention_check, self.count_label):
            widget.setEnabled(signed_in)

    def show_keys(self, snapshot: Snapshot | None, rotation_days: int = 90, *, own_prefix: str = "") -> None:
        """A fresh or cached list (None: no list), marking the keys whose secret the app keeps
        and the one the profile signs in with (`own_prefix`); the selected key stays selected."""
        if snapshot is None:
            self.model.set_keys([])
        else:
            self.model.set_keys(snapshot.keys, snapshot.usage, rotation_days=rotation_days, stored=snapshot.stored,
                                own_prefix=own_prefix)

    def show_found(self, findings: Findings) -> None:
        """Where scans found the keys: the exposed flag in the table, "Found in" in the details."""
        self._folders_scanned = findings.folders
        self.model.set_found(findings.by_prefix())
        self._show_found()

    def select_prefix(self, prefix: str) -> bool:
        """Select the key of `prefix` and show its details, clearing filters that hide it."""
        if not any(key.prefix == prefix for key in self.model.all_keys()):
            return False
        if not self._select_shown(prefix):
            self._clear_filters()
            if not self._select_shown(prefix):  # revoked: only "All keys" shows it
                self.status_combo.setCurrentIndex(self.status_combo.findData("all"))
                self._select_shown(prefix)
        self.show_details()
        return True

    def _select_shown(self, prefix: str) -> bool:
        row = next((r for r in range(self.model.rowCount()) if self.model.key_at(r).prefix == prefix), None)
        if row is not None:
            self.table.selectRow(row)
        return row is not None

    def selected(self) -> ApiKey | None:
        index = self.table.selectionModel().currentIndex()
        return self.model.key_at(index.row()) if index.isValid() else None

    def selected_keys(self) -> list[ApiKey]:
        """Every selected row's key (several, for a bulk revoke), in the table's order."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.key_at(row) for row in rows]

    def shown_names(self) -> set[str]:
        return {self.model.key_at(row).name for row in range(self.model.rowCount())}

    def show_needing_attention(self) -> None:
        self.attention_check.setChecked(True)

    # --- keyboard ----------------------------------------------------------------------------

    def focus_filter(self) -> None:
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    def show_details(self) -> None:
        sizes = self.splitter.sizes()
        if len(sizes) == 2 and sizes[1] == 0:
            self.splitter.setSizes([sizes[0] * 3 // 4, sizes[0] // 4])
        self.details.setFocus()
        buttons = self.details.period_buttons.checkedButton()
        if buttons is not None and buttons.isVisible():
            buttons.setFocus()

    # --- selection and details -----------------------------------------------------------

    def _remember_current(self) -> None:
        index = self.table.currentIndex()
        self._current = (self.model.key_at(index.row()).id, index.column()) if index.isValid() else None

    def _after_reset(self) -> None:
        shown, total = self.model.rowCount(), self.model.total_count
        self.count_label.setText(f"{shown} of {total} keys" if shown != total else f"{total} keys")
        restored = self._restore_current()  # the details follow it
        if not restored and self.details.key_id is not None and self.model.row_of(self.details.key_id) is None:
            self.details.show_row(None)
        elif restored:
            self._load_usage()  # the chart shows this refresh's counts, not the last selection's
        self._show_no_match(shown == 0 and total > 0)
        self._show_found()

    @property
    def no_match(self) -> QLabel:
        """Made on first use. Its parent, the table's viewport, is a widget Qt made: to find its
        Python class, PySide creates every QWidget subclass it wraps, with their enums (~8 ms),
        which at start-up would hold up the key list."""
        if self._no_match is None:
            self._no_match = QLabel(self.table.viewport())
            self._no_match.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self._no_match.setTextFormat(Qt.TextFormat.RichText)
            self._no_match.setAccessibleName("No keys shown")
            self._no_match.linkActivated.connect(lambda _: self._clear_filters())
            self._no_match.hide()
        return self._no_match

    def _show_no_match(self, empty: bool) -> None:
        """Filters that hide every key say so, with a way back."""
        if empty:
            text = self.filter_edit.text().strip()
            what = f"match “{html(text)}”" if text else "are shown with these filters"
            self.no_match.setText(f"No keys {what}. <a href='clear'>Show all keys</a>")
            self.no_match.resize(self.table.viewport().size())
            self.no_match.show()
        elif self._no_match is not None:
            self._no_match.hide()

    def _clear_filters(self) -> None:
        self.filter_edit.clear()
        self.status_combo.setCurrentIndex(0)
        self.attention_check.setChecked(False)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self._no_match is not None:
            self._no_match.resize(self.table.viewport().size())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.filter_edit and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress \
                and event.key() == Qt.Key.Key_Down and self.model.rowCount():
            self.table.setFocus()
            if not self.table.currentIndex().isValid():
                self.table.selectRow(0)
            return True
        return super().eventFilter(watched, event)

    def export_list(self) -> None:
        """Key ▸ Export key list…: every key, revoked ones too, whatever the filter shows,
        with its use and flags (no secret), CSV or JSON."""
        from ...export import KEY_COLUMNS, key_rows
        from ..common.export_file import export_rows

        model = self.model

        def what(rows: list[dict[str, object]]) -> str:
            """Every key goes out, whatever the filter shows: the words say so."""
            revoked = sum(row["status"] == "revoked" for row in rows)
            words = f"all {len(rows)} key{'s' if len(rows) != 1 else ''}"
            if revoked:
                words += f", the {revoked} revoked one{'s' if revoked != 1 else ''} too"
            shown = model.rowCount()
            if shown != len(rows):
                words += f" (not only the {shown} shown)"
            return words

        self.export_dialog = export_rows(self, self._ctx.ops, "Export all keys (revoked ones too, whatever is shown)",
                                         "myssl-keys.csv", lambda: key_rows(model.all_keys(), model.flags_of),
                                         KEY_COLUMNS, self._ctx.status, what)

    def _context_menu(self, position: QPoint) -> None:
        index = self.table.indexAt(position)
        if not index.isValid():
            return
        if not self.table.selectionModel().isRowSelected(index.row()):
            self.table.selectRow(index.row())
        menu = QMenu(self.table)
        for action in self.row_actions:
            if action is None:
                menu.addSeparator()
            elif action.isEnabled():
                menu.addAction(action)
        self.context_menu = menu  # kept for tests
        menu.popup(self.table.viewport().mapToGlobal(position))

    def _restore_current(self) -> bool:
        """A refresh or a filter rebuilds the rows, which clears the selection: the key the user
        was on stays current and selected (its details refreshed) while it is shown, and the
        view does not scroll to it. False if there is no such key."""
        row = None if self._current is None else self.model.row_of(self._current[0])
        if row is None or self._current is None:
            return False
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.setAutoScroll(False)
        self.table.selectionModel().setCurrentIndex(self.model.index(row, self._current[1]), flags)
        self.table.setAutoScroll(True)
        return True

    def _selection_changed(self) -> None:
        index = self.table.selectionModel().currentIndex()
        row = self.model.row_at(index.row()) if index.isValid() else None
        previous = self.details.key_id
        self.details.show_row(row)
        self._show_found()
        if row is not None and row.key.id != previous:
            self._load_usage()
            self._load_clients()

    def _show_found(self) -> None:
        row = None if self.details.key_id is None else self.model.row_of(self.details.key_id)
        key = None if row is None else self.model.key_at(row)
        self.details.found_in.show_hits(key, self.model.found_of(key) if key else (), self._folders_scanned)

    def _load_usage(self) -> None:
        """The chart: the 30-day series we already have, or one request for 90 days."""
        key_id, days, session = self.details.key_id, self.details.period, self._ctx.session()
        if key_id is None or session is None:
            return
        row = self.model.row_at(r) if (r := self.model.row_of(key_id)) is not None else None
        if row is not None and days <= len(row.usage):
            self.details.show_usage(key_id, _dated(row.usage[-days:]))
            return
        client = session.client
        self._ctx.ops(lambda: client.key_usage(key_id, days=days)) \
            .success(lambda usage: self.details.show_usage(key_id, [(d.date, d.requests) for d in usage.days])) \
            .failure(lambda error: self._ctx.status(describe(error, "load the usage chart"))).run()


    def _load_clients(self) -> None:
        """Who used the selected key in the last hours: one request in the background. An
        older server that does not report clients is said so, in the details, not as an error."""
        key_id, session = self.details.key_id, self._ctx.session()
        if key_id is None or session is None:
            return
        client = session.client

        def failed(error: BaseException) -> None:
            text = NOT_REPORTED if isinstance(error, ClientsNotReported) else describe(error, "load who uses it")
            self.details.show_clients_note(key_id, text)

        self._ctx.ops(lambda: client.key_clients(key_id, hours=CLIENT_HOURS)) \
            .success(lambda found: self.details.show_clients(key_id, found.clients)).failure(failed).run()


def _scrolling(pane: QWidget) -> QWidget:
    """`pane` in a frameless vertical scroll area: in a short window the details scroll
    rather than squeeze their lines (squeezed, an underscore in a prefix disappeared)."""
    area = QScrollArea()
    area.setWidget(pane)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    # As wide as the pane needs, with room for the scroll bar when it shows.
    width = max(pane.minimumWidth(), pane.minimumSizeHint().width())
    area.setMinimumWidth(width + area.verticalScrollBar().sizeHint().width())
    return area


def _dated(counts: tuple[int, ...]) -> list[tuple[date, int]]:
    """Daily counts ending today (UTC), as the usage endpoint returns them."""
    today = datetime.now(UTC).date()
    return [(today - timedelta(days=len(counts) - 1 - n), count) for n, count in enumerate(counts)]


__all__ = ["STATUS_CHOICES", "KeysPane"]
