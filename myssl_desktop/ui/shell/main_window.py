"""The main window: account bar, problems banner, filters, the keys table and the detail
pane. All network and file work runs on worker threads; results for a session the user
has left are dropped."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from ...api.models import RateLimit
    from ...keycache import KeyCache, Snapshot
    from ...profiles import Profile
    from ...session import Session
    from ..account.bar import AccountBar
    from ..common.banner import Banner
    from ..common.tasks import BackgroundTasks
    from ..keys.details import KeyDetails
    from ..keys.model import KeysModel
    from .refresh_schedule import RefreshSchedule

STATUS_CHOICES = (("current", "Current keys"), ("active", "Active"), ("expiring", "Expiring"),
                  ("revoked", "Revoked"), ("all", "All keys"))


class MainWindow(QMainWindow):
    frame_painted = Signal()  # the window is on screen (title, status bar)
    first_painted = Signal()  # ... and its content is built: services may start
    switch_profile_requested = Signal(str)
    sign_in_requested = Signal()
    sign_out_requested = Signal()
    forget_requested = Signal()
    session_rejected = Signal(str)  # the sign-in key stopped working (401)
    banner_action = Signal(str)

    def __init__(self, *, defer_content: bool = False, key_cache: KeyCache | None = None,
                 state_dir: Path | None = None, data_dir: Path | None = None,
                 clipboard_backend: Any = None) -> None:
        """`defer_content`: paint the frame first and build the rest right after. The
        table, menus and their Qt types (PySide6 creates ~130 Python enum types on first
        use of the `Qt` namespace and the item views) cost ~35 ms that would otherwise
        delay the window's first appearance."""
        super().__init__()
        self.setWindowTitle("MySSL Desktop")
        self.resize(1200, 700)
        self.session: Session | None = None
        self.key_cache = key_cache
        self.state_dir = state_dir
        self.data_dir = data_dir  # rotation journals; None: a throw-away folder (see ui/rotation/coordinator.py)
        self.profile_store: Any = None  # a ProfileStore: a self-rotation records the profile's new key there
        self.clipboard_backend = clipboard_backend  # None: the system clipboard
        self._generation = 0
        self._painted = False
        self._content_built = False
        self._refreshing = False

        central = QWidget(self)
        self._layout = QVBoxLayout(central)
        self._layout.setContentsMargins(10, 8, 10, 4)
        self.setCentralWidget(central)
        self.status = QLabel("Loading…")
        self.statusBar().addWidget(self.status, 1)
        if not defer_content:
            self.ensure_content()

    # --- construction ------------------------------------------------------------------

    def ensure_content(self) -> None:
        """Build the widgets, menus and toolbar (once)."""
        if self._content_built:
            return
        self._content_built = True
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSplitter, QTableView

        from ..account.bar import AccountBar
        from ..common.banner import Banner
        from ..common.icons import app_icon
        from ..common.tasks import BackgroundTasks
        from ..keys.charts import SparklineDelegate
        from ..keys.column_layout import apply_default_layout
        from ..keys.details import KeyDetails
        from ..keys.model import NUMERIC_COLUMNS, Column, KeysModel
        from ..keys.status_delegates import FlagsDelegate, StatusBadgeDelegate
        from ..keys.text_cells import StaticTextDelegate
        from .refresh_schedule import RefreshSchedule

        self.setWindowIcon(app_icon())
        self.tasks: BackgroundTasks = BackgroundTasks(self)
        self.schedule: RefreshSchedule = RefreshSchedule(self)
        self.schedule.due.connect(self.refresh)
        self.schedule.countdown.connect(self._show_countdown)
        self.account_bar: AccountBar = AccountBar()
        self._layout.addWidget(self.account_bar)
        self.banner: Banner = Banner()
        self.banner.action_clicked.connect(self._banner_clicked)
        self._layout.addWidget(self.banner)
        self._layout.addLayout(self._build_filters())

        self.model: KeysModel = KeysModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("API keys")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
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
        self._current: tuple[int, int] | None = None  # the current key's id and column, over a reset
        self.model.modelAboutToBeReset.connect(self._remember_current)
        self.model.modelReset.connect(self._after_reset)
        self.table.activated.connect(lambda _: self.show_details())

        self.details: KeyDetails = KeyDetails()
        self.details.period_changed.connect(lambda _: self._load_usage())
        self.splitter = QSplitter(self)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self._scrolling(self.details))
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self._layout.addWidget(self.splitter, 1)
        self.status.setText("")
        from ..keys.commands import KeyCommands
        from ..rotation.coordinator import Rotations
        from ..secrets.clipboard import SecretClipboard
        from ..secrets.hygiene import SecretHygiene

        self.hygiene = SecretHygiene(SecretClipboard(self.clipboard_backend), parent=self)
        self.hygiene.start()
        self.rotations = Rotations(self)
        self.key_commands = KeyCommands(self)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self.key_commands.update())
        self.model.modelReset.connect(self.key_commands.update)
        self._build_actions()
        self._restore_state()
        # A window shown before its content existed (defer_content) told no schedule: tell it
        # now, or the list never refreshes by itself.
        self._visibility_changed()

    @staticmethod
    def _scrolling(pane: QWidget) -> QWidget:
        """`pane` in a frameless vertical scroll area: in a short window the details scroll
        rather than squeeze their lines (squeezed, an underscore in a prefix disappeared)."""
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QFrame, QScrollArea

        area = QScrollArea()
        area.setWidget(pane)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # As wide as the pane needs, with room for the scroll bar when it shows.
        width = max(pane.minimumWidth(), pane.minimumSizeHint().width())
        area.setMinimumWidth(width + area.verticalScrollBar().sizeHint().width())
        return area

    def _build_filters(self) -> QHBoxLayout:
        from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit

        row = QHBoxLayout()
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by name or prefix (Ctrl+F)")
        self.filter_edit.setAccessibleName("Filter keys by name or prefix")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(lambda text: self.model.set_filter(text=text))
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

    def _build_actions(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QAction, QActionGroup, QKeySequence
        from PySide6.QtWidgets import QMenu, QToolBar

        from ..common.actions import make_action

        def action(text: str, slot: Callable[[], Any], shortcut: Any = None, icon_name: str = "") -> QAction:
            return make_action(self, text, slot, shortcut, icon_name)

        self.refresh_action = action("&Refresh", self.refresh, QKeySequence.StandardKey.Refresh, "refresh")
        self.refresh_action.setToolTip("Refresh (F5)")
        self.find_action = action("&Find…", self.focus_filter, QKeySequence.StandardKey.Find)
        self.details_action = action("Key &details", self.show_details, "Ctrl+D")
        self.sign_in_action = action("&Sign in to another account…", self.sign_in_requested.emit,
                                     icon_name="user")
        self.sign_out_action = action("Sign &out…", self.sign_out_requested.emit)
        self.forget_action = action("&Forget this profile…", self.forget_requested.emit)
        self.quit_action = action("&Quit", self.close, QKeySequence.StandardKey.Quit)

        self.profile_menu = QMenu("&Profile", self)
        self._profile_group = QActionGroup(self)
        self.menuBar().addMenu(self.profile_menu)
        keys = self.menuBar().addMenu("&Key")
        for item in self.key_commands.all:
            keys.addAction(item)
        keys.addSeparator()
        self._build_clipboard_menu(keys.addMenu("C&lear copied secrets after"))
        view = self.menuBar().addMenu("&View")
        for item in (self.refresh_action, self.find_action, self.details_action, self.rotations.panel_action):
            view.addAction(item)
        self.set_profiles([], None)

        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addAction(self.refresh_action)
        toolbar.addAction(self.key_commands.create_action)
        toolbar.addAction(self.key_commands.copy_action)
        self.addToolBar(toolbar)

    def _build_clipboard_menu(self, menu: Any) -> None:
        from PySide6.QtGui import QActionGroup

        from ...settings import CLIPBOARD_CHOICES, SettingsStore

        store = SettingsStore(self.state_dir) if self.state_dir is not None else None
        current = store.load().clipboard_clear_s if store else self.hygiene.clipboard.timeout_s
        self.hygiene.clipboard.timeout_s = current
        group = QActionGroup(self)
        for seconds in CLIPBOARD_CHOICES:
            entry = menu.addAction(f"{seconds} seconds")
            entry.setCheckable(True)
            entry.setChecked(seconds == current)
            entry.setActionGroup(group)

            def chosen(_: bool = False, value: int = seconds) -> None:
                self.hygiene.clipboard.timeout_s = value
                if store is not None:
                    store.change(clipboard_clear_s=value)

            entry.triggered.connect(chosen)
        self.clipboard_menu = menu

    def set_profiles(self, profiles: list[Profile], current_id: str | None, *, sandbox: bool = False) -> None:
        """Rebuild the Profile menu: one checkable entry per profile, then account actions."""
        self.profile_menu.clear()
        for action in self._profile_group.actions():
            self._profile_group.removeAction(action)
        if sandbox:
            entry = self.profile_menu.addAction("Sandbox (demo data)")
            entry.setCheckable(True)
            entry.setChecked(True)
        for profile in profiles:
            entry = self.profile_menu.addAction(f"{profile.name} ({profile.environment})")
            entry.setCheckable(True)
            entry.setChecked(profile.id == current_id)
            entry.setActionGroup(self._profile_group)
            entry.triggered.connect(lambda _=False, pid=profile.id: self.switch_profile_requested.emit(pid))
        self.profile_menu.addSeparator()
        signed_in = current_id is not None and not sandbox
        for action, enabled in ((self.sign_in_action, not sandbox), (self.sign_out_action, signed_in),
                                (self.forget_action, signed_in)):
            action.setEnabled(enabled)
            self.profile_menu.addAction(action)
        self.profile_menu.addSeparator()
        self.profile_menu.addAction(self.quit_action)

    # --- first paint, visibility, closing ------------------------------------------------

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.frame_painted.emit()
            QTimer.singleShot(0, self._after_first_paint)

    def _after_first_paint(self) -> None:
        self.ensure_content()
        self.first_painted.emit()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange:
            self._visibility_changed()

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        self._visibility_changed()

    def hideEvent(self, event: Any) -> None:  # noqa: N802
        super().hideEvent(event)
        self._visibility_changed()

    def _visibility_changed(self) -> None:
        if self._content_built:
            self.schedule.set_visible(self.isVisible() and not self.isMinimized())

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        self._save_state()
        if self._content_built:
            self.schedule.stop()
            self.rotations.shutdown()
            self.hygiene.shutdown()  # clears the clipboard if it still holds our secret
        super().closeEvent(event)

    def _restore_state(self) -> None:
        if self.state_dir is None:
            return
        from . import window_state

        state = window_state.load(self.state_dir)
        if "geometry" in state:
            self.restoreGeometry(state["geometry"])
        if "columns" in state:
            self.table.horizontalHeader().restoreState(state["columns"])
            header = self.table.horizontalHeader()
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        if "splitter" in state:
            self.splitter.restoreState(state["splitter"])

    def _save_state(self) -> None:
        if self.state_dir is None or not self._content_built:
            return
        from . import window_state

        try:
            window_state.save(self.state_dir, {"geometry": self.saveGeometry(),
                                               "columns": self.table.horizontalHeader().saveState(),
                                               "splitter": self.splitter.saveState()})
        except OSError:
            pass  # losing the layout is not worth an error on quit

    # --- keyboard ------------------------------------------------------------------------

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

    # --- session -----------------------------------------------------------------------

    def attach(self, session: Session) -> None:
        """Show `session`'s account; results of earlier sessions are dropped from now on."""
        self.ensure_content()
        self._generation += 1
        self._refreshing = False
        self.session = session
        name = "Sandbox (demo data)" if session.is_sandbox else session.profile.name
        self.setWindowTitle(f"MySSL Desktop — {name}")
        self.account_bar.show_session(session)
        self.account_bar.show_rate_limit(None)
        self.banner.clear()
        self.model.set_keys([])
        self.key_commands.update()
        if session.profile.read_only:
            self.banner.show_message("Read-only: this key lacks the “keys:manage” permission, so keys "
                                     "can be seen here but not created, rotated or revoked.", kind="info")
        if self.key_cache is not None and not session.is_sandbox:
            cache, profile_id = self.key_cache, session.profile.id
            self.run_for_session(lambda: cache.load(profile_id), self._show_cached, lambda _: None)
        self.refresh()
        self.rotations.session_changed()  # offers to resume unfinished rotations

    def detach(self, message: str) -> None:
        self.ensure_content()
        self._generation += 1
        self._refreshing = False
        self.session = None
        self.schedule.stop()
        self.setWindowTitle("MySSL Desktop")
        self.account_bar.show_session(None)
        self.model.set_keys([])
        self.key_commands.update()
        self.rotations.session_changed()
        self.show_status(message)

    def show_status(self, text: str) -> None:
        self.status.setText(text)

    def run_for_session(self, work: Callable[[], Any], on_success: Callable[[Any], None],
                        on_failure: Callable[[BaseException], None]) -> None:
        """Run `work` in the background; drop its result if the session changed meanwhile."""
        generation = self._generation

        def current(callback: Callable[[Any], None]) -> Callable[[Any], None]:
            return lambda value: callback(value) if generation == self._generation else None

        self.tasks.run(work, current(on_success), current(on_failure))

    # --- refreshing ----------------------------------------------------------------------

    def refresh(self) -> None:
        session = self.session
        if session is None or self._refreshing:
            return
        if not self.schedule.may_refresh_now():
            self._show_countdown(self.schedule.seconds_blocked())
            return
        self._refreshing = True
        self.show_status("Refreshing…")
        client, cache = session.client, None if session.is_sandbox else self.key_cache
        profile_id = session.profile.id

        def fetch() -> tuple[Snapshot, RateLimit | None]:
            from ...keycache import snapshot_now

            snapshot = snapshot_now(client.all_keys(), client.all_usage(days=30))
            if cache is not None:
                try:
                    cache.save(profile_id, snapshot)
                except OSError:
                    pass  # no offline copy this time; the fresh list still shows
            return snapshot, client.rate_limit

        self.run_for_session(fetch, self._refreshed, self._refresh_failed)

    def _show_snapshot(self, snapshot: Snapshot) -> None:
        rotation_days = self.session.profile.rotation_policy_days if self.session else 90
        self.model.set_keys(snapshot.keys, snapshot.usage, rotation_days=rotation_days)  # keeps the selection

    def _show_cached(self, snapshot: Snapshot | None) -> None:
        if snapshot is None or self.model.total_count:  # fresh data already arrived
            return
        self._show_snapshot(snapshot)
        self.account_bar.mark_updated(None, as_of=snapshot.fetched_at)

    def _refreshed(self, result: tuple[Snapshot, RateLimit | None]) -> None:
        snapshot, rate_limit = result
        self._refreshing = False
        self._show_snapshot(snapshot)
        if self.banner.kind in ("error", "warning"):
            self.banner.clear()
        self.account_bar.show_rate_limit(rate_limit)
        self.account_bar.mark_updated(time.time())
        self.show_status("")
        self.schedule.refreshed(rate_limit.minute_remaining if rate_limit else None,
                                rate_limit.reset_at if rate_limit else None)

    def _refresh_failed(self, error: BaseException) -> None:
        from ...api import errors

        self._refreshing = False
        self.show_status("")
        if error_limit := getattr(error, "rate_limit", None):
            self.account_bar.show_rate_limit(error_limit)
        if isinstance(error, (errors.InvalidApiKey, errors.AuthenticationRequired)):
            self.session_rejected.emit(str(error))
            return
        if isinstance(error, errors.RateLimited):
            self.schedule.rate_limited(error.retry_after)
            return
        if isinstance(error, errors.AccessDenied):
            self.banner.show_message(f"Read-only notice: MySSL refused to list keys because this key lacks "
                                     f"the “{error.permission or 'keys:read'}” permission. Sign in with a "
                                     "key that has it.", kind="warning")
        else:
            kept = " The list shows the last rows received." if self.model.total_count else ""
            self.banner.show_message(f"Could not refresh: {error}{kept}", action="refresh",
                                     action_label="Retry")
        self.schedule.refreshed()

    def _show_countdown(self, seconds: int) -> None:
        if seconds > 0:
            self.banner.show_message(f"MySSL's rate limit was reached. Refreshing again in {seconds} s.",
                                     kind="warning")
        elif self.banner.kind == "warning" and "rate limit" in self.banner.label.text():
            self.banner.clear()

    def _banner_clicked(self, action: str) -> None:
        if action == "refresh":
            self.refresh()
        elif action.startswith("rotation"):
            self.rotations.banner_clicked(action)
        else:
            self.banner_action.emit(action)

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

    def _restore_current(self) -> bool:
        """A refresh or a filter rebuilds the rows, which clears the selection: the key the user
        was on stays current and selected (its details refreshed) while it is shown, and the
        view does not scroll to it. False if there is no such key."""
        row = None if self._current is None else self.model.row_of(self._current[0])
        if row is None:
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
        if row is not None and row.key.id != previous:
            self._load_usage()

    def _load_usage(self) -> None:
        """The chart: the 30-day series we already have, or one request for 90 days."""
        key_id, days, session = self.details.key_id, self.details.period, self.session
        if key_id is None or session is None:
            return
        row = self.model.row_at(r) if (r := self.model.row_of(key_id)) is not None else None
        if row is not None and days <= len(row.usage):
            self.details.show_usage(key_id, _dated(row.usage[-days:]))
            return
        client = session.client
        self.run_for_session(lambda: client.key_usage(key_id, days=days),
                             lambda usage: self.details.show_usage(
                                 key_id, [(d.date, d.requests) for d in usage.days]),
                             lambda error: self.show_status(f"Could not load the usage chart: {error}"))


def _dated(counts: tuple[int, ...]) -> list[tuple[date, int]]:
    """Daily counts ending today (UTC), as the usage endpoint returns them."""
    today = datetime.now(UTC).date()
    return [(today - timedelta(days=len(counts) - 1 - n), count) for n, count in enumerate(counts)]
