"""The main window: the account bar, a banner for problems, and the keys of the account."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QVBoxLayout, QWidget

if TYPE_CHECKING:

    from ..api.models import ApiKey
    from ..profiles import Profile
    from .banner import Banner
    from .keys_model import KeysModel
    from .session import Session
    from .tasks import BackgroundTasks


class MainWindow(QMainWindow):
    frame_painted = Signal()  # the window is on screen (account bar, status bar)
    first_painted = Signal()  # ... and its content is built: services may start
    switch_profile_requested = Signal(str)
    sign_in_requested = Signal()
    sign_out_requested = Signal()
    forget_requested = Signal()
    banner_action = Signal(str)

    def __init__(self, *, defer_content: bool = False) -> None:
        """`defer_content`: paint the frame and account bar first, build the rest right
        after. The table, menus and their Qt types (PySide6 creates ~130 Python enum
        types on first use of the `Qt` namespace and friends) cost ~40 ms that would
        otherwise delay the window's first appearance."""
        super().__init__()
        self.setWindowTitle("MySSL Desktop")
        self.resize(1100, 650)
        self.session: Session | None = None
        self._generation = 0
        self._painted = False
        self._content_built = False

        central = QWidget(self)
        self._layout = QVBoxLayout(central)
        self._layout.setContentsMargins(8, 8, 8, 4)
        self.account_bar = QWidget()
        bar = QHBoxLayout(self.account_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        self.profile_label = QLabel("Not signed in")
        self.profile_label.setAccessibleName("Profile")
        self.tier_label = QLabel("")
        self.tier_label.setAccessibleName("Account tier")
        bar.addWidget(self.profile_label)
        bar.addWidget(self.tier_label)
        bar.addStretch(1)
        self._layout.addWidget(self.account_bar)
        self.setCentralWidget(central)
        self.status = QLabel("Loading…")
        self.statusBar().addWidget(self.status, 1)
        if not defer_content:
            self.ensure_content()

    def ensure_content(self) -> None:
        """Build the table, banner, menus and toolbar (once)."""
        if self._content_built:
            return
        self._content_built = True
        from PySide6.QtWidgets import QHeaderView, QTableView

        from .banner import Banner
        from .icons import app_icon
        from .keys_model import KeysModel
        from .tasks import BackgroundTasks

        self.setWindowIcon(app_icon())
        self.tasks: BackgroundTasks = BackgroundTasks(self)
        self.banner: Banner = Banner()
        self.banner.action_clicked.connect(self.banner_action)
        self._layout.addWidget(self.banner)
        self.model: KeysModel = KeysModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("API keys")
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self._layout.addWidget(self.table, 1)
        self.status.setText("")
        self._build_actions()

    # --- menus and toolbar -------------------------------------------------------------

    def _build_actions(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QAction, QActionGroup, QKeySequence
        from PySide6.QtWidgets import QMenu, QToolBar

        from .icons import icon

        self.refresh_action = QAction(icon("refresh"), "&Refresh", self)
        self.refresh_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.refresh_action.triggered.connect(self.refresh)
        self.sign_in_action = QAction(icon("user"), "&Sign in to another account…", self)
        self.sign_in_action.triggered.connect(self.sign_in_requested)
        self.sign_out_action = QAction("Sign &out…", self)
        self.sign_out_action.triggered.connect(self.sign_out_requested)
        self.forget_action = QAction("&Forget this profile…", self)
        self.forget_action.triggered.connect(self.forget_requested)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        quit_action.triggered.connect(self.close)

        self.quit_action = quit_action
        self.profile_menu = QMenu("&Profile", self)
        self._profile_group = QActionGroup(self)
        self.menuBar().addMenu(self.profile_menu)
        self.set_profiles([], None)
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(self.refresh_action)

        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("main-toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addAction(self.refresh_action)
        self.addToolBar(toolbar)

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
        self.profile_menu.addAction(self.sign_in_action)
        self.profile_menu.addAction(self.sign_out_action)
        self.profile_menu.addAction(self.forget_action)
        signed_in = current_id is not None and not sandbox
        self.sign_in_action.setEnabled(not sandbox)
        self.sign_out_action.setEnabled(signed_in)
        self.forget_action.setEnabled(signed_in)
        self.profile_menu.addSeparator()
        self.profile_menu.addAction(self.quit_action)

    # --- first paint -------------------------------------------------------------------

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.frame_painted.emit()
            QTimer.singleShot(0, self._after_first_paint)

    def _after_first_paint(self) -> None:
        self.ensure_content()
        self.first_painted.emit()

    # --- session -----------------------------------------------------------------------

    def attach(self, session: Session) -> None:
        """Show `session`'s account; results of earlier sessions are dropped from now on."""
        self._generation += 1
        self.session = session
        name = "Sandbox (demo data)" if session.is_sandbox else session.profile.name
        self.setWindowTitle(f"MySSL Desktop — {name}")
        self.profile_label.setText(
            f"<span style='color:{session.colour}'>●</span> <b>{_html(name)}</b> "
            f"<span style='color:{session.colour}'>{session.environment}</span>")
        self.tier_label.setText(f"· {session.profile.tier} tier" if session.profile.tier else "")
        self.banner.clear()
        self.model.set_keys([])
        self.refresh()

    def detach(self, message: str) -> None:
        self._generation += 1
        self.session = None
        self.setWindowTitle("MySSL Desktop")
        self.profile_label.setText("Not signed in")
        self.tier_label.setText("")
        self.model.set_keys([])
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

    def refresh(self) -> None:
        session = self.session
        if session is None:
            return
        self.show_status("Refreshing…")
        self.run_for_session(session.client.all_keys, self._show_keys, self._show_error)

    def _show_keys(self, keys: list[ApiKey]) -> None:
        self.model.set_keys(keys)
        self.banner.clear()
        self.show_status(f"{len(keys)} keys")

    def _show_error(self, error: BaseException) -> None:
        self.banner.show_message(f"Could not load keys: {error}", action="refresh", action_label="Retry")
        self.show_status("")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
