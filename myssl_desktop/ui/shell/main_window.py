"""The main window: it composes the features. The account bar and banner on top, the keys
pane (filters, table, details) below, the menus and toolbar around them.

The window paints its frame first and builds the rest right after, in two steps: the key
list (`KeysView`: account bar, banner, table and details), which then shows the profile's
offline copy at once, and only then the features, menus and toolbar (`WindowContent`). The
table, menus and their Qt types (PySide6 creates ~130 Python enum types on first use of the
`Qt` namespace and the item views) would otherwise delay the first appearance, and the
features the list a user waits for. Network and keychain work runs in the background;
results for a session the user has left are dropped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QSize, QTimer, Signal
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QVBoxLayout, QWidget

from ..common.ops import Ops
from ..common.screen import FRAME_SLACK, fit_on_screen
from .window_setup import WindowSetup

FIRST_RUN_SIZE = QSize(1200, 700)
REST_UNPAINTED_MS = 200  # a window minimised right after its first frame builds the rest anyway

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMenu

    from ...api.models import RateLimit
    from ...keycache import Snapshot
    from ...profiles import Profile
    from ...services import Services
    from ...session import Session
    from ..account.controller import AccountController
    from ..discovery.controller import KeyDiscovery
    from ..keys.commands import KeyCommands
    from ..keys.pane import KeysPane
    from ..rotation.coordinator import RotationCoordinator
    from ..secrets.hygiene import SecretHygiene
    from .window_parts import KeysView, WindowActions, WindowBars, WindowContent


class MainWindow(QMainWindow):
    frame_painted = Signal()  # the window is on screen (title, status bar)
    view_ready = Signal()  # ... and its key list is built: the account may open and show its offline copy
    view_painted = Signal()  # ... and the key list, as the account left it, is on screen
    first_painted = Signal()  # ... and its content is built
    keys_shown = Signal(bool)  # a key list is on show: True for the offline copy, False for a fresh one
    switch_profile_requested = Signal(str)
    sign_in_requested = Signal()
    sign_out_requested = Signal()
    forget_requested = Signal()
    policy_requested = Signal()  # Profile ▸ Rotation policy…
    reminders_requested = Signal()  # View ▸ Reminders…
    keys_exposed = Signal(object, object)  # a scan newly found keys in a commit: Profile, list[ApiKey]
    sandbox_requested = Signal()  # "Try the sandbox" in the signed-out window
    session_rejected = Signal(str)  # the sign-in key stopped working (401)
    session_reached = Signal()  # a refresh worked for a session opened offline: its key can be checked now
    idle = Signal()  # no background work is running (tests and benchmarks wait for it)

    def __init__(self, setup: WindowSetup | Callable[[], WindowSetup] | None = None, *,
                 defer_content: bool = False) -> None:
        """`setup` may be a function: it is called when the content is built, after the first
        paint, so the composition root can build its services then. `defer_content`: paint
        the frame first and build the rest right after."""
        super().__init__()
        self.setWindowTitle("MySSL Desktop")
        self.resize(FIRST_RUN_SIZE)
        fit_on_screen(self, slack=FRAME_SLACK)  # at QT_SCALE_FACTOR=2, 1200×700 is larger than many screens
        self._setup = setup
        self.session: Session | None = None
        self._view: KeysView | None = None
        self._content: WindowContent | None = None
        self._pending_profiles: tuple[list[Profile], str | None, bool] = ([], None, False)  # for the Profile menu
        self._painted = False
        self._after_paint: list[Callable[[], None]] = []  # run once the window's next paint is done
        self._closed = False
        self._refreshing = False
        self._unreachable = False  # the last refresh failed to reach MySSL (not a refusal such as the rate limit)
        self._shown_profile = ""  # the profile whose keys the table shows (opening or attached)
        self._opening: Profile | None = None  # the profile last opened; an attached session's profile comes first
        self._cached_at: datetime | None = None  # the table shows the offline copy of this time
        central = QWidget(self)
        self._layout = QVBoxLayout(central)
        self._layout.setContentsMargins(10, 8, 10, 4)
        self.setCentralWidget(central)
        self.status = QLabel("Loading…")  # what last happened: stays until something else happens
        self.status.setAccessibleName("Status")
        self.statusBar().addWidget(self.status, 1)
        self.busy = QLabel("")  # what runs now ("Refreshing…"): apart, so it never hides a confirmation
        self.busy.setAccessibleName("Working on")
        self.statusBar().addPermanentWidget(self.busy)
        self.ops = Ops(self, status=self.busy.setText, report=self._report_failure)
        self.ops.idle.connect(self._maybe_idle)
        self.quit_handler: Callable[[], Any] = self.close  # the resident app makes Quit end it, not hide it
        self.reminders_available = False  # the resident app keeps them; the sandbox session has none
        self._delete_on_close = False
        if not defer_content:
            self.ensure_content()

    # --- construction ------------------------------------------------------------------

    @property
    def content(self) -> WindowContent:
        """The window's parts; built on first use if the first paint has not built them yet."""
        return self._content or self.ensure_content()

    @property
    def content_built(self) -> bool:
        return self._content is not None

    @property
    def view(self) -> KeysView:
        """The key list's parts, without building the features."""
        return self._content or self._view or self.ensure_view()

    def ensure_view(self) -> KeysView:
        """Build the account bar, banner and keys pane (once), with the remembered layout."""
        if self._view is not None:
            return self._view
        from ..account.bar import AccountBar
        from ..common.banner import Banner
        from ..common.context import UiContext
        from ..keys.pane import KeysPane
        from ..secrets.clipboard import SecretClipboard
        from ..secrets.hygiene import SecretHygiene
        from .refresh_schedule import RefreshSchedule
        from .window_parts import KeysView

        setup = self._setup() if callable(self._setup) else self._setup or WindowSetup()
        schedule = RefreshSchedule(self)
        schedule.due.connect(self.refresh)
        schedule.countdown.connect(self._show_countdown)
        account_bar = AccountBar()
        self._layout.addWidget(account_bar)
        banner = Banner()
        self._layout.addWidget(banner)
        hygiene = SecretHygiene(SecretClipboard(setup.clipboard_backend), parent=self)
        ctx = UiContext(parent=self, session=lambda: self.session, ops=self.ops, status=self.show_status,
                        banner=banner, clipboard=hygiene.clipboard, hide_secrets=hygiene.hide_secrets)
        keys = KeysPane(ctx)
        self._layout.addWidget(keys, 1)
        keys.sign_in_requested.connect(self.sign_in_requested)
        keys.sandbox_requested.connect(self.sandbox_requested)
        keys.table.activated.connect(lambda _: keys.show_details())
        self.status.setText("")
        self._view = KeysView(setup, banner, account_bar, keys, schedule, hygiene, ctx, self._build_bars())
        # Parts added to a window on screen are shown by a queued call, which may come after the
        # paint meant to show the list: show them now.
        for part in (account_bar, keys, self._view.bars.toolbar, self.menuBar()):
            part.show()
        self._restore_state()
        # A window shown before its content existed (defer_content) told no schedule: tell it
        # now, or the list never refreshes by itself.
        self._visibility_changed()
        return self._view

    def ensure_content(self) -> WindowContent:
        """Build the key list, then the features, menus and toolbar (once)."""
        if self._content is not None:
            return self._content
        from dataclasses import fields

        from ..discovery.controller import KeyDiscovery
        from ..keys.commands import KeyCommands
        from ..rotation.coordinator import RotationCoordinator
        from .window_parts import KeysView, WindowContent

        view = self.ensure_view()
        setup, keys, ctx, hygiene = view.setup, view.keys, view.ctx, view.hygiene
        hygiene.start()  # after the key list: its app-wide event filter and D-Bus would hold that up
        keys.add_clear_button()
        rotations = RotationCoordinator(ctx, refresh_keys=self.refresh, attach=self.attach, services=setup.services)
        key_commands = KeyCommands(ctx, selected=keys.selected, shown_names=keys.shown_names,
                                   refresh=self.refresh, rotate=rotations.start,
                                   show_needing_attention=keys.show_needing_attention,
                                   all_selected=keys.selected_keys, stored=keys.model.is_stored)
        keys.table.selectionModel().currentRowChanged.connect(lambda *_: key_commands.update())
        keys.table.selectionModel().selectionChanged.connect(lambda *_: key_commands.update())
        discovery = KeyDiscovery(ctx, keys=keys.model.all_keys, selected=keys.selected, rotate=rotations.start,
                                 show_key=keys.select_prefix)
        discovery.findings_changed.connect(keys.show_found)
        discovery.keys_exposed.connect(self.keys_exposed)
        keys.details.found_in.rotate_now_requested.connect(discovery.rotate_now)
        keys.details.found_in.rotate_with_file_requested.connect(discovery.rotate_with_file)
        keys.table.selectionModel().currentRowChanged.connect(lambda *_: discovery.update())
        keys.model.modelReset.connect(discovery.update)
        keys.row_actions = [discovery.rotate_now_action, key_commands.rotate_action, key_commands.rename_action,
                            key_commands.regenerate_action, key_commands.revoke_action,
                            key_commands.cancel_revoke_action, None, key_commands.copy_action]
        keys.details.rotate_requested.connect(key_commands.rotate)
        keys.model.modelReset.connect(key_commands.update)
        actions = self._build_actions(view.bars, keys, key_commands, rotations, hygiene, setup, discovery)
        self._content = WindowContent(**{field.name: getattr(view, field.name) for field in fields(KeysView)},
                                      key_commands=key_commands, rotations=rotations, actions=actions,
                                      discovery=discovery)
        profiles, current_id, sandbox = self._pending_profiles
        self.show_profiles(profiles, current_id, sandbox=sandbox)
        return self._content

    def _build_bars(self) -> WindowBars:
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QKeySequence
        from PySide6.QtWidgets import QMenu, QToolBar

        from ..common.actions import make_action
        from ..common.icons import app_icon
        from .window_parts import WindowBars

        self.setWindowIcon(app_icon())  # in the title bar and task bar with the list

        profile_menu = QMenu("&Profile", self)
        self.menuBar().addMenu(profile_menu)
        key_menu, view_menu, help_menu = (self.menuBar().addMenu(title) for title in ("&Key", "&View", "&Help"))
        refresh = make_action(self, "&Refresh", self.refresh, QKeySequence.StandardKey.Refresh, "refresh")
        refresh.setToolTip("Refresh (F5)")
        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addAction(refresh)  # its height is the filled toolbar's
        self.addToolBar(toolbar)
        return WindowBars(profile_menu, key_menu, view_menu, help_menu, toolbar, refresh)

    def _build_actions(self, bars: WindowBars, keys: KeysPane, key_commands: KeyCommands,
                       rotations: RotationCoordinator, hygiene: SecretHygiene, setup: WindowSetup,
                       discovery: KeyDiscovery) -> WindowActions:
        from PySide6.QtGui import QActionGroup, QKeySequence

        from ..common.actions import make_action
        from .window_parts import WindowActions

        def action(text: str, slot: Callable[[], Any], shortcut: Any = None, icon_name: str = "") -> QAction:
            return make_action(self, text, slot, shortcut, icon_name)

        refresh = bars.refresh
        find = action("&Find…", keys.focus_filter, QKeySequence.StandardKey.Find)
        details = action("Key &details", keys.show_details, "Ctrl+D")
        sign_in = action("&Sign in to another account…", self.sign_in_requested.emit, icon_name="user")
        sign_out = action("Sign &out…", self.sign_out_requested.emit)
        forget = action("&Forget this profile…", self.forget_requested.emit)
        policy = action("Rotation &policy…", self.policy_requested.emit)
        quit_action = action("&Quit", lambda: self.quit_handler(), QKeySequence.StandardKey.Quit)

        key_menu, view_menu, help_menu = bars.key_menu, bars.view_menu, bars.help_menu
        for entry in key_commands.all:
            key_menu.addAction(entry)
        key_menu.addSeparator()
        key_menu.addAction(discovery.find_action)
        key_menu.addAction(discovery.rotate_now_action)
        key_menu.addSeparator()
        key_menu.addAction(action("E&xport key list…", keys.export_list))
        clipboard_menu = key_menu.addMenu("C&lear copied secrets after")
        self._fill_clipboard_menu(clipboard_menu, hygiene, setup)
        for entry in (refresh, find, details, rotations.panel_action):
            view_menu.addAction(entry)
        view_menu.addAction(action("&Activity log…", lambda: self.show_activity(setup.services)))
        view_menu.addSeparator()
        view_menu.addAction(action("Re&minders…", self.show_reminders))
        help_menu.addAction(action("&Keyboard shortcuts", self.show_shortcuts, QKeySequence.StandardKey.HelpContents))
        help_menu.addAction(action("Open &log folder", lambda: self.open_folder(setup.log_dir)))
        help_menu.addSeparator()
        help_menu.addAction(action("&About MySSL Desktop", self.show_about))
        for entry in (key_commands.create_action, key_commands.rotate_action, key_commands.copy_action):
            bars.toolbar.addAction(entry)
        return WindowActions(refresh, find, details, sign_in, sign_out, forget, policy, quit_action, bars.profile_menu,
                             QActionGroup(self), clipboard_menu)

    def _fill_clipboard_menu(self, menu: QMenu, hygiene: SecretHygiene, setup: WindowSetup) -> None:
        from PySide6.QtGui import QActionGroup

        from ...settings import CLIPBOARD_CHOICES, SettingsStore

        store = SettingsStore(setup.state_dir) if setup.state_dir is not None else None
        current = store.load().clipboard_clear_s if store else hygiene.clipboard.timeout_s
        hygiene.clipboard.timeout_s = current
        group = QActionGroup(self)
        for seconds in CLIPBOARD_CHOICES:
            entry = menu.addAction(f"{seconds} seconds")
            entry.setCheckable(True)
            entry.setChecked(seconds == current)
            entry.setActionGroup(group)

            def chosen(_: bool = False, value: int = seconds) -> None:
                hygiene.clipboard.timeout_s = value
                if store is not None:
                    store.change(clipboard_clear_s=value)

            entry.triggered.connect(chosen)

    def show_profiles(self, profiles: list[Profile], current_id: str | None, *, sandbox: bool = False) -> None:
        """Rebuild the Profile menu: one checkable entry per profile, then account actions."""
        if self._content is None:  # only the key list is built yet: the menu is made with the rest
            self._pending_profiles = (profiles, current_id, sandbox)
            return
        actions = self._content.actions
        menu, group = actions.profile_menu, actions.profile_group
        menu.clear()
        for entry in group.actions():
            group.removeAction(entry)
        if sandbox:
            entry = menu.addAction("Sandbox (demo data)")
            entry.setCheckable(True)
            entry.setChecked(True)
        for profile in profiles:
            entry = menu.addAction(f"{profile.name} ({profile.environment})")
            entry.setCheckable(True)
            entry.setChecked(profile.id == current_id)
            entry.setActionGroup(group)
            entry.triggered.connect(lambda _=False, pid=profile.id: self.switch_profile_requested.emit(pid))
        menu.addSeparator()
        signed_in = current_id is not None and not sandbox
        for entry, enabled in ((actions.sign_in, True), (actions.sign_out, signed_in),  # the sandbox is no dead end
                               (actions.policy, signed_in), (actions.forget, signed_in)):
            entry.setEnabled(enabled)
            menu.addAction(entry)
        menu.addSeparator()
        menu.addAction(actions.quit)

    def connect_account(self, controller: AccountController) -> None:
        """Route the Profile menu and a rejected key to the account controller."""
        self.switch_profile_requested.connect(controller.switch_profile)
        self.sign_in_requested.connect(lambda: controller.show_sign_in())
        self.sandbox_requested.connect(controller.start_sandbox)
        self.sign_out_requested.connect(controller.sign_out)
        self.forget_requested.connect(controller.forget)
        self.policy_requested.connect(controller.set_rotation_policy)
        self.session_rejected.connect(lambda _: controller.session_rejected())
        self.session_reached.connect(controller.check_session)

    # --- first paint, visibility, closing ------------------------------------------------

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.frame_painted.emit()
            QTimer.singleShot(0, self, self._after_first_paint)
        elif self._after_paint:  # children paint after this: zero timers fire once they are done
            painted, self._after_paint = self._after_paint, []
            for then in painted:  # each on its own: one that fails does not stop the others
                QTimer.singleShot(0, self, then)

    def after_next_paint(self, then: Callable[[], None]) -> None:
        """Run `then` once the window has painted what it shows now, or after REST_UNPAINTED_MS
        if no paint comes (a minimised window paints nothing). A zero timer is not enough: on
        X11 the paint waits for the window manager, and work started meanwhile holds it up."""
        self._after_paint.append(then)
        QTimer.singleShot(REST_UNPAINTED_MS, self, lambda: self._run_unpainted(then))
        self.update()

    def _run_unpainted(self, then: Callable[[], None]) -> None:
        for index, waiting in enumerate(self._after_paint):
            if waiting is then:  # else a paint took it
                del self._after_paint[index]
                then()
                return

    def _after_first_paint(self) -> None:
        self.ensure_view()
        self.after_next_paint(self.view_painted.emit)  # first: before the key check starts
        self.view_ready.emit()  # the account opens, and its offline copy goes on the table
        # Lay out what is pending now, added and filled, before the paint meant to show it.
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self.after_next_paint(self._build_the_rest)

    def _build_the_rest(self) -> None:
        if self._closed:
            return  # closed within the gap: no features (their runners) for a window on its way out
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
        view = self._content or self._view
        if view is not None:
            view.schedule.set_visible(self.isVisible() and not self.isMinimized())

    def delete_on_close(self) -> None:
        """Be deleted once closed. Set when it closes: the first use of the `Qt` namespace costs
        ~10 ms, which would otherwise come before the first paint."""
        self._delete_on_close = True

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        self._closed = True
        if self._delete_on_close:
            from PySide6.QtCore import Qt

            self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # Qt reads it after this event
        self._save_state()
        view = self._content or self._view
        if view is not None:
            view.schedule.stop()
            view.hygiene.shutdown()  # clears the clipboard if it still holds our secret
        if self._content is not None:
            self._content.rotations.shutdown()
            self._content.discovery.shutdown()  # a running scan stops, its git processes with it
        super().closeEvent(event)

    def _restore_state(self) -> None:
        content = self.view
        if content.setup.state_dir is None:
            return
        from . import window_state

        state = window_state.load(content.setup.state_dir)
        table = content.keys.table
        if "geometry" in state:
            self.restoreGeometry(state["geometry"])
            fit_on_screen(self)
        if "columns" in state:
            header = table.horizontalHeader()
            header.restoreState(state["columns"])
            content.keys.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        if "splitter" in state:
            content.keys.splitter.restoreState(state["splitter"])

    # --- help ----------------------------------------------------------------------------

    def show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from ... import __version__

        QMessageBox.about(self, "About MySSL Desktop",
                          f"<b>MySSL Desktop {__version__}</b><br>Your MySSL API keys: their use, rotation without "
                          "downtime, and every secret in your system keychain.<br><br>"
                          "MySSL: <a href='https://myssl.info/'>myssl.info</a>")

    def show_reminders(self) -> None:
        """View ▸ Reminders…: their settings, or why there are none here."""
        if self.reminders_available:
            self.reminders_requested.emit()
            return
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Information, "Reminders",
                          "Reminders watch the keys of your own profiles, also while this window is closed. The "
                          "sandbox's demo keys have none: sign in to your account (Profile ▸ Sign in to another "
                          "account…) to set them up.", parent=self)
        self.reminders_box = box
        box.open()

    def show_shortcuts(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        actions = self.content.actions
        commands = self.content.key_commands
        rows = [(actions.refresh, "Refresh the list"), (actions.find, "Filter the keys"),
                (actions.details, "Show the selected key's details"), (commands.create_action, "New key"),
                (commands.rename_action, "Rename the key"), (commands.rotate_action, "Rotate the key"),
                (commands.revoke_action, "Revoke the key(s)"), (commands.copy_action, "Copy the stored secret"),
                (self.content.discovery.find_action, "Find where keys are used"),
                (actions.quit, "Quit")]
        table = "".join(f"<tr><td><b>{entry.shortcut().toString()}</b></td><td>{words}</td></tr>"
                        for entry, words in rows if not entry.shortcut().isEmpty())
        extra = ("<tr><td><b>Enter</b></td><td>Open the selected key's details (in a dialog: confirm)</td></tr>"
                 "<tr><td><b>Down</b></td><td>From the filter into the list</td></tr>"
                 "<tr><td><b>Escape</b></td><td>Close a dialog without doing anything</td></tr>")
        box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard shortcuts",
                          f"<table cellpadding='3'>{table}{extra}</table>", parent=self)
        self.shortcuts_box = box
        box.open()

    def show_activity(self, services: Services | None) -> None:
        """What this app did to which key (the log lives beside the profiles' data)."""
        from ..activity.dialog import ActivityDialog

        session = self.session
        services = session.services if session is not None and session.services is not None else services
        if services is None:
            self.show_status("This window keeps no activity log.")
            return
        self.activity_dialog = ActivityDialog(services.activity, self.ops, self)
        self.activity_dialog.open()

    def open_folder(self, folder: Path | None) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        if folder is None:
            self.show_status("This window keeps no log.")
            return
        folder.mkdir(parents=True, exist_ok=True)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self.show_status(f"The log folder is {folder}")

    def _save_state(self) -> None:
        content = self._content or self._view
        if content is None or content.setup.state_dir is None:
            return
        from . import window_state

        try:
            window_state.save(content.setup.state_dir,
                              {"geometry": self.saveGeometry(),
                               "columns": content.keys.table.horizontalHeader().saveState(),
                               "splitter": content.keys.splitter.saveState()})
        except OSError:
            pass  # losing the layout is not worth an error on quit

    # --- status and idleness -------------------------------------------------------------

    def show_status(self, text: str) -> None:
        self.status.setText(text)

    @property
    def is_idle(self) -> bool:
        """No refresh and no other background work is running."""
        return not self._refreshing and self.ops.pending == 0

    def _maybe_idle(self) -> None:
        if self.is_idle:
            self.idle.emit()

    def _report_failure(self, message: str) -> None:
        """Background work failed and its caller said nothing: show it, do not just log it."""
        view = self._content or self._view
        if view is None:
            self.show_status(message)
            return
        from ..common.banner import Action, Notice, Owner

        banner = view.banner
        banner.post(Notice(Owner.FAILURE, message, action=Action("Dismiss", lambda: banner.withdraw(Owner.FAILURE))))

    # --- session -----------------------------------------------------------------------

    def attach(self, session: Session) -> None:
        """Show `session`'s account; results of earlier sessions are dropped from now on."""
        from ..common.banner import Kind, Notice, Owner

        content = self.content
        self.ops.session_changed()
        self._refreshing = self._unreachable = False
        self.session = session
        self.show_status("")  # "Opening …" is over
        self.setWindowTitle(f"MySSL Desktop — {session.title}")
        content.keys.show_signed_in(True)
        content.account_bar.show_session(session)
        content.account_bar.show_rate_limit(None)
        content.banner.clear()
        if self._shown_profile != session.profile.id or session.is_sandbox:  # another account: not its rows
            content.keys.show_keys(None)
            self._cached_at = None
            self._load_cached(session.profile.id if not session.is_sandbox else "")
        self._shown_profile = session.profile.id
        content.key_commands.update()
        if session.profile.read_only:
            content.banner.post(Notice(Owner.ACCESS, "Read-only: this key lacks the “keys:manage” permission, so "
                                       "keys can be seen here but not created, rotated or revoked.", Kind.INFO))
        self.refresh()
        content.rotations.session_changed()  # offers to resume unfinished rotations
        content.discovery.session_changed()  # where scans found this profile's keys

    def show_opening(self, profile: Profile, then: Callable[[], None] = lambda: None) -> None:
        """While a profile's key is checked: its name, and its last list as of when it was kept.
        `then` runs once that list is on screen (or there is none to show): the key check starts
        after it, so its imports (keyring, httpx) do not hold up the list a user waits for."""
        content = self.view
        self._leave_session(f"Opening “{profile.name}”…")
        self._opening = profile
        self.setWindowTitle(f"MySSL Desktop — {profile.name}")
        content.keys.show_signed_in(True)
        content.account_bar.show_profile(profile)
        if self._shown_profile == profile.id:
            then()
            return
        content.keys.show_keys(None)
        self._cached_at = None
        self._shown_profile = profile.id
        self._load_cached(profile.id, then)

    def _load_cached(self, profile_id: str, then: Callable[[], None] | None = None) -> None:
        """Show the profile's offline copy; `then` runs once it is on screen."""
        cache = self.view.setup.key_cache
        if cache is None or not profile_id:
            if then is not None:
                then()
            return

        def loaded(snapshot: Snapshot | None) -> None:
            self._show_cached(profile_id, snapshot)
            if then is not None:
                self.after_next_paint(then)

        if self._content is None:
            # Opening at start-up: read here (a small local file, ~1 ms for 25 keys), so the list
            # paints before the rest of the window is built, which would hold up a background
            # read's answer. Later reads stay in the background: a slow disk never freezes the window.
            loaded(cache.load(profile_id))
            return
        def unread(_: BaseException) -> None:
            if then is not None:
                then()

        self.ops(lambda: cache.load(profile_id)).any_session().success(loaded).failure(unread).run()

    def detach(self, message: str) -> None:
        """Show no account: the signed-out window, with its next step."""
        content = self.view
        self._leave_session(message)
        self.setWindowTitle("MySSL Desktop")
        content.account_bar.show_session(None)
        content.keys.show_keys(None)
        content.keys.show_signed_in(False)
        self._shown_profile, self._cached_at = "", None

    def _leave_session(self, message: str) -> None:
        self.ops.session_changed()
        self._refreshing = self._unreachable = False
        self.session = self._opening = None
        self.view.schedule.stop()
        if self._content is not None:  # else the features are built later, without a session
            self._content.key_commands.update()
            self._content.rotations.session_changed()
            self._content.discovery.session_changed()
        self.show_status(message)

    # --- refreshing ----------------------------------------------------------------------

    def refresh(self) -> None:
        session, content = self.session, self.content
        if session is None or self._refreshing:
            return
        if not content.schedule.may_refresh_now():
            self._show_countdown(content.schedule.seconds_blocked())
            return
        self._refreshing = True
        client = session.client
        cache = None if session.is_sandbox else content.setup.key_cache
        profile_id = session.profile.id
        actions = session.actions

        def fetch() -> tuple[Snapshot, RateLimit | None]:
            from dataclasses import replace

            from ...keycache import snapshot_now
            from ...keychain import KeychainError

            snapshot = snapshot_now(client.all_keys(), client.all_usage(days=30))
            try:
                actions.forget_revoked_secrets(snapshot.keys)  # a scheduled revoke took effect
            except KeychainError:
                pass  # tried again at the next refresh
            snapshot = replace(snapshot, stored=actions.stored_key_ids())  # the offline copy marks them too
            if cache is not None:
                try:
                    cache.save(profile_id, snapshot)
                except OSError:
                    pass  # no offline copy this time; the fresh list still shows
            return snapshot, client.rate_limit

        self.ops(fetch).busy("Refreshing…").success(self._refreshed).failure(self._refresh_failed).run()

    def _show_snapshot(self, snapshot: Snapshot) -> None:
        # The offline copy, shown while a profile opens, already follows its policy and marks its key.
        profile = self.session.profile if self.session else self._opening
        rotation_days = profile.rotation_policy_days if profile else 90
        own = profile.key_prefix if profile else ""
        self.view.keys.show_keys(snapshot, rotation_days, own_prefix=own)  # keeps the selection

    def _show_cached(self, profile_id: str, snapshot: Snapshot | None) -> None:
        if snapshot is None or profile_id != self._shown_profile or self.view.keys.model.total_count:
            return  # another profile by now, or fresh data arrived first
        self._show_snapshot(snapshot)
        self._cached_at = snapshot.fetched_at
        offline = self.session is not None and self._unreachable  # attached, and its refresh found no MySSL first
        self.view.account_bar.mark_updated(None, as_of=snapshot.fetched_at, offline=offline)
        self.keys_shown.emit(True)

    def _refreshed(self, result: tuple[Snapshot, RateLimit | None]) -> None:
        from ..common.banner import Owner

        snapshot, rate_limit = result
        self._refreshing = self._unreachable = False
        self._cached_at = None
        content = self.content
        self._show_snapshot(snapshot)
        content.banner.withdraw(Owner.REFRESH, Owner.RATE_LIMIT)
        content.account_bar.show_rate_limit(rate_limit)
        content.account_bar.mark_updated(time.time())
        content.schedule.refreshed(rate_limit.minute_remaining if rate_limit else None,
                                   rate_limit.reset_at if rate_limit else None)
        self.keys_shown.emit(False)
        if self.session is not None and not self.session.checked:
            self.session_reached.emit()
        self._maybe_idle()

    def _refresh_failed(self, error: BaseException) -> None:
        from ...api import errors
        from ...errors import describe
        from ..common.banner import Action, Kind, Notice, Owner

        self._refreshing = self._unreachable = False
        content = self.content
        if isinstance(error, errors.ApiError) and error.rate_limit is not None:
            content.account_bar.show_rate_limit(error.rate_limit)
        if isinstance(error, errors.InvalidApiKey | errors.AuthenticationRequired):
            self.session_rejected.emit(str(error))
        elif isinstance(error, errors.RateLimited):
            content.schedule.rate_limited(error.retry_after)
        elif isinstance(error, errors.AccessDenied):
            content.banner.post(Notice(Owner.REFRESH, "Read-only notice: MySSL refused to list keys because this "
                                       f"key lacks the “{error.permission or 'keys:read'}” permission. Sign in "
                                       "with a key that has it.", Kind.WARNING))
            content.schedule.refreshed()
        else:  # MySSL could not be reached (or answered nonsense): not a refusal
            self._unreachable = True
            kept = " The list shows the last rows received." if content.keys.model.total_count else ""
            content.banner.post(Notice(Owner.REFRESH, describe(error, "refresh the keys") + kept,
                                       action=Action("Retry", self.refresh)))
            if self._cached_at is not None:  # what is shown is the offline copy: say so plainly
                content.account_bar.mark_updated(None, as_of=self._cached_at, offline=True)
            content.schedule.refreshed()
        self._maybe_idle()

    def _show_countdown(self, seconds: int) -> None:
        from ..common.banner import Kind, Notice, Owner

        banner = self.content.banner
        if seconds > 0:
            banner.post(Notice(Owner.RATE_LIMIT, f"MySSL's rate limit was reached. Refreshing again in {seconds} s.",
                               Kind.WARNING))
        else:
            banner.withdraw(Owner.RATE_LIMIT)


__all__ = ["MainWindow", "WindowSetup"]
