"""Rotations in progress: the window's link to the rotation journal.

`Rotations` builds the engine for the window's session, opens one wizard per rotation,
offers to resume (a banner when a profile with unfinished rotations is attached) and keeps
the window signed in after a self-rotation switched (or a cancel switched back) the
profile's key. `RotationsPanel` lists the journal's unfinished rotations with Resume and
Cancel. Journal reads and engine calls run on workers.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ... import timefmt
from ...rotation import JournalStore, Rotation, State

if TYPE_CHECKING:
    from ...api.models import ApiKey
    from ...rotation import RotationEngine, Target
    from ..shell.main_window import MainWindow
    from .wizard import RotationWizard


@dataclass(frozen=True)
class Prefill:
    """What a new rotation's plan starts with: where the key lives, and the last choices."""

    targets: list[Target]
    quiet_period_s: int | None = None
    revoke: str | None = None

    @staticmethod
    def of(rotation: Rotation) -> Prefill:
        from ...rotation.targets import target_from

        targets = [target_from({k: v for k, v in spec.items() if k != "read_digest"}) for spec in rotation.targets]
        return Prefill(targets, rotation.quiet_period_s, rotation.revoke)


def state_words(rotation: Rotation) -> str:
    """Where a rotation stands, in plain words."""
    state, total, done = rotation.state, len(rotation.targets), len(rotation.delivered)
    if state == State.PLANNED:
        return "planned: the new key is not created yet"
    if state == State.CREATED:
        return f"new key created, {done} of {total} place{'s' if total != 1 else ''} updated" if total else \
            "new key created"
    if state == State.DELIVERED:
        return "every place updated; the new key is not verified yet"
    if state in (State.VERIFIED, State.DRAINING):
        if rotation.revoke == "later":
            return "new key in use; the old key still works (finish later)"
        return "new key in use; watching the old key fall silent"
    if state in (State.REVOKED, State.SCHEDULED):
        return "old key revoked; cleaning up"
    return "cancelled" if state == State.CANCELLED else "done"


def cancel_text(rotation: Rotation) -> str:
    from ...rotation.targets import EnvFileTarget, KeychainTarget, target_from
    from .pages import target_line

    targets = [(i, target_from(spec)) for i, spec in enumerate(rotation.targets)]
    undone = [t for i, t in targets if i in rotation.delivered and isinstance(t, EnvFileTarget | KeychainTarget)]
    by_hand = [t for i, t in targets if i in rotation.delivered and not isinstance(t, EnvFileTarget | KeychainTarget)]
    lines = [f"Cancel the rotation of “{rotation.old_key_name}”? The old key keeps working."]
    if undone:
        lines.append("Put back as they were: " + "; ".join(target_line(t) for t in undone) + ".")
    if rotation.new_prefix:
        lines.append(f"The new key ({rotation.new_prefix}…) is revoked.")
    if by_hand:
        lines.append("Put the old key back yourself in: " + "; ".join(target_line(t) for t in by_hand) + ".")
    if rotation.self_rotation and rotation.at_least(State.VERIFIED):
        lines.append("This profile signs in with the old key again.")
    return "\n\n".join(lines)


def confirm_cancel(parent: QWidget, rotation: Rotation, on_yes: Any) -> QMessageBox:
    """The cancel confirmation (non-modal to the app; `on_yes()` when confirmed)."""
    box = QMessageBox(QMessageBox.Icon.Question, "Cancel rotation", cancel_text(rotation),
                      QMessageBox.StandardButton.NoButton, parent)
    yes = box.addButton("Cancel rotation", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("Keep going", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.finished.connect(lambda _: on_yes() if box.clickedButton() is yes else None)
    box.open()
    return box


class Rotations(QObject):
    """The window's rotations: engine, wizards, the resume offer and the panel."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.wizards: dict[str, RotationWizard] = {}  # by rotation id, kept while the session lasts
        self.wizard: RotationWizard | None = None  # the last one opened
        self.panel: RotationsPanel | None = None
        self.in_progress: list[Rotation] = []
        self.confirmation: QMessageBox | None = None
        self._identity: tuple[Any, ...] | None = None
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._sandbox_key = ""
        self._banner_text = ""
        self.panel_action = QAction("Rotations in &progress…", window)
        self.panel_action.triggered.connect(lambda _=False: self.open_panel())

    # --- the engine ----------------------------------------------------------------------

    def data_dir(self) -> Path:
        """The journal's folder: the app's data folder, or a throw-away one for the sandbox
        (and for windows built without a data folder), so sandbox keys never reach it."""
        session = self.window.session
        real = self.window.data_dir
        if real is not None and not (session is not None and session.is_sandbox):
            return real
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="myssl-rotations-")
        return Path(self._scratch.name)

    def store(self) -> JournalStore:
        return JournalStore(self.data_dir())

    def engine(self) -> RotationEngine | None:
        from ...rotation import RotationEngine

        session = self.window.session
        if session is None:
            return None
        profiles = None if session.is_sandbox else self.window.profile_store
        return RotationEngine(session.client, session.actions.keychain, self.store(), session.profile,
                              profiles=profiles)

    def prepare_engine(self, engine: RotationEngine) -> None:
        """On a worker, before each step.

        - The engine writes the profile back (the targets it remembers per key, a
          self-rotation's new key): give it the stored profile's current targets, so a
          session opened before an earlier rotation does not write stale ones.
        - The sandbox never stores its sign-in key; a self-rotation's cancel needs it to
          switch back, so keep it in the demo keychain."""
        from ...api.secret import Secret
        from ...keychain import Entry

        if engine.profiles is not None:
            try:
                stored = engine.profiles.load().find(engine.profile.id)
            except Exception:  # an unreadable profiles file is reported where profiles are opened
                stored = None
            if stored is not None and stored.targets != engine.profile.targets:
                engine.profile = replace(engine.profile, targets=stored.targets)
        admin = self._sandbox_key
        if admin and engine.client.key_prefix == admin[:12] and \
                engine.keychain.load(Entry.sign_in(engine.profile.id)) is None:
            engine.keychain.store(Entry.sign_in(engine.profile.id), Secret(admin))

    # --- opening wizards -----------------------------------------------------------------

    def start(self, key: ApiKey) -> None:
        """Rotate `key`: resume its rotation if one is running, else plan a new one filled in
        with where the key lives (remembered in the profile by the last rotation)."""
        store, session = self.store(), self.window.session
        if session is None:
            return
        profile_id = session.profile.id
        profiles = None if session.is_sandbox else self.window.profile_store

        def look() -> tuple[Rotation | None, Prefill]:
            from ...rotation.targets import target_from

            running = store.active_for_key(profile_id, key.id)
            previous = [r for r in store.all() if r.profile_id == profile_id and r.new_key_id == key.id
                        and r.state == State.DONE]
            last = previous[-1] if previous else None
            stored = profiles.load().find(profile_id) if profiles is not None else None
            specs = stored.targets_for(key.id) if stored is not None else []
            if not specs and last is not None:
                specs = [dict(spec) for spec in last.targets]
            targets = [target_from({k: v for k, v in spec.items() if k != "read_digest"}) for spec in specs]
            return running, Prefill(targets, last.quiet_period_s if last else None, last.revoke if last else None)

        def found(result: tuple[Rotation | None, Prefill]) -> None:
            running, prefill = result
            if running is not None:
                self.window.show_status(f"“{key.name}” is being rotated already: here is that rotation.")
                self.resume(running)
            else:
                self.start_with(key, prefill)

        self.window.run_for_session(look, found, lambda error: self.window.show_status(f"Cannot rotate: {error}"))

    def start_with(self, key: ApiKey, prefill: Prefill | None = None) -> RotationWizard | None:
        from .wizard import RotationWizard

        engine = self.engine()
        if engine is None:
            return None
        wizard = RotationWizard(self, engine, key=key, prefill=prefill)
        self._show(wizard)
        return wizard

    def resume(self, rotation: Rotation) -> RotationWizard | None:
        from .wizard import RotationWizard

        wizard = self.wizards.get(rotation.id)
        if wizard is not None:
            if not wizard.isVisible() and not wizard.busy:
                wizard.resume(rotation)
        else:
            engine = self.engine()
            if engine is None:
                return None
            wizard = RotationWizard(self, engine, rotation=rotation)
            self.register(wizard)
        self._show(wizard)
        return wizard

    def _show(self, wizard: RotationWizard) -> None:
        self.wizard = wizard
        wizard.show()  # not modal: the keys window stays usable while the old key drains
        wizard.raise_()
        wizard.activateWindow()
        self._update_banner()

    def register(self, wizard: RotationWizard) -> None:
        if wizard.rotation is not None and self.wizards.get(wizard.rotation.id) is not wizard:
            self.wizards[wizard.rotation.id] = wizard
            wizard.rotation_changed.connect(self._rotation_saved)

    def wizard_closed(self, wizard: RotationWizard) -> None:
        self.refresh()

    def _rotation_saved(self, rotation: Rotation) -> None:
        if rotation.state in (State.CREATED, State.DONE, State.CANCELLED):
            self.window.refresh()  # a key appeared, or one was revoked
        self.refresh()

    # --- cancelling from the list --------------------------------------------------------

    def cancel(self, rotation: Rotation) -> None:
        wizard = self.wizards.get(rotation.id)
        if wizard is not None:
            self._show(wizard)
            wizard.request_cancel()
            return
        engine = self.engine()
        if engine is None:
            return

        def cancel() -> None:
            self.window.show_status(f"Cancelling the rotation of “{rotation.old_key_name}”…")
            self.window.run_for_session(lambda: engine.cancel(rotation), self._cancelled,
                                        lambda error: self._cancel_failed(rotation, error))

        self.confirmation = confirm_cancel(self.panel or self.window, rotation, cancel)

    def _cancelled(self, rotation: Rotation) -> None:
        self.window.show_status(f"The rotation of “{rotation.old_key_name}” was cancelled: the new key was "
                                "revoked and every file put back.")
        if rotation.self_rotation:
            self.adopt_sign_in(rotation)
        self._rotation_saved(rotation)

    def _cancel_failed(self, rotation: Rotation, error: BaseException) -> None:
        self.window.show_status("")
        box = QMessageBox(QMessageBox.Icon.Warning, "Cancel rotation",
                          f"Could not cancel the rotation of “{rotation.old_key_name}”: {error}",
                          parent=self.panel or self.window)
        self.confirmation = box
        box.open()

    # --- the session ---------------------------------------------------------------------

    def session_changed(self) -> None:
        """Called by the window on attach and detach."""
        session = self.window.session
        identity = None if session is None else (session.profile.id, id(session.sandbox), self.window.data_dir)
        if identity != self._identity:
            for wizard in {*self.wizards.values(), *([self.wizard] if self.wizard else [])}:
                wizard.close()  # the rotation is journaled: it waits for its profile
                wizard.deleteLater()
            self.wizards.clear()
            self.wizard = None
            if self._scratch is not None:
                self._scratch.cleanup()
                self._scratch = None
            self._identity = identity
            self._sandbox_key = session.sandbox.admin_key if session is not None and session.is_sandbox else ""
        else:
            engine = self.engine()
            for wizard in {*self.wizards.values(), *([self.wizard] if self.wizard else [])}:
                if engine is not None:
                    wizard.session_changed(engine)
        self._banner_text = ""
        self.in_progress = []
        self.refresh()

    def adopt_sign_in(self, rotation: Rotation) -> None:
        """After a self-rotation switched the profile's key (or a cancel switched it back),
        re-attach the window with the key the profile now signs in with."""
        from ...api.client import MysslClient
        from ...keychain import Entry

        session = self.window.session
        if session is None or session.profile.id != rotation.profile_id:
            return
        keychain, base_url = session.actions.keychain, session.client.base_url

        def load() -> MysslClient | None:
            secret = keychain.load(Entry.sign_in(rotation.profile_id))
            if secret is None or secret.prefix == session.client.key_prefix:
                return None
            return MysslClient(base_url, secret)

        def switch(client: MysslClient | None) -> None:
            if client is None or self.window.session is not session:
                return
            prefix = client.key_prefix
            name = rotation.new_key_name if prefix == rotation.new_prefix else rotation.old_key_name
            profile = replace(session.profile, key_prefix=prefix, key_name=name)
            self.window.attach(replace(session, profile=profile, client=client))
            self.window.show_status(f"This profile now signs in with “{name}” ({prefix}…).")

        self.window.run_for_session(load, switch, lambda error: self.window.show_status(
            f"The profile's key changed but could not be read from the keychain: {error}"))

    # --- the list, the banner and the panel ----------------------------------------------

    def refresh(self) -> None:
        session = self.window.session
        throw_away = self.window.data_dir is None or (session is not None and session.is_sandbox)
        if session is None or (throw_away and self._scratch is None):  # no journal written yet
            self._listed([])
            return
        store, profile_id = self.store(), session.profile.id
        self.window.run_for_session(lambda: store.in_progress(profile_id), self._listed,
                                    lambda error: self.window.show_status(f"Cannot read the rotations: {error}"))

    def _listed(self, rotations: list[Rotation]) -> None:
        self.in_progress = rotations
        self._update_banner()
        if self.panel is not None:
            self.panel.show_rotations(rotations)

    def _update_banner(self) -> None:
        banner = self.window.banner
        ours = bool(self._banner_text) and not banner.isHidden() and banner.label.text() == self._banner_text
        open_ids = {rid for rid, wizard in self.wizards.items() if wizard.isVisible()}
        waiting = [r for r in self.in_progress if r.id not in open_ids]
        if not waiting:
            if ours:
                banner.clear()
            self._banner_text = ""
            return
        if not banner.isHidden() and not ours:
            return  # a problem is showing: it matters more
        if len(waiting) == 1:
            rotation = waiting[0]
            text = f"1 rotation in progress: {rotation.old_key_name} ({state_words(rotation)})."
            action, label = f"rotation:{rotation.id}", "Resume"
        else:
            names = ", ".join(r.old_key_name for r in waiting[:3]) + ("…" if len(waiting) > 3 else "")
            text = f"{len(waiting)} rotations in progress: {names}."
            action, label = "rotations", "Show"
        self._banner_text = text
        banner.show_message(text, kind="info", action=action, action_label=label)

    def banner_clicked(self, action: str) -> None:
        if action.startswith("rotation:"):
            rotation_id = action.removeprefix("rotation:")
            rotation = next((r for r in self.in_progress if r.id == rotation_id), None)
            if rotation is not None:
                self.resume(rotation)
                return
        self.open_panel()

    def open_panel(self) -> RotationsPanel:
        if self.panel is None:
            self.panel = RotationsPanel(self)
        self.panel.show_rotations(self.in_progress)
        self.panel.show()
        self.panel.raise_()
        self.refresh()
        return self.panel

    def shutdown(self) -> None:
        for wizard in {*self.wizards.values(), *([self.wizard] if self.wizard else [])}:
            wizard.hide()
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None


class RotationsPanel(QDialog):
    """View ▸ Rotations in progress: what is unfinished, with Resume and Cancel."""

    def __init__(self, rotations: Rotations) -> None:
        super().__init__(rotations.window)
        self.rotations = rotations
        self.setWindowTitle("Rotations in progress")
        self.setModal(False)
        self.resize(720, 300)
        layout = QVBoxLayout(self)
        self.intro = QLabel("Rotations are saved at every step. Resume one where it stopped, or cancel it: "
                            "cancelling puts every file back and revokes the new key.")
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.list = QTreeWidget()
        self.list.setAccessibleName("Rotations in progress")
        self.list.setHeaderLabels(["Key", "Where it stands", "Started", "Places"])
        self.list.setRootIsDecorated(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setColumnWidth(0, 180)
        self.list.setColumnWidth(1, 300)
        self.list.setColumnWidth(2, 100)
        self.list.header().setStretchLastSection(True)
        self.list.itemDoubleClicked.connect(lambda *_: self.resume_selected())
        self.list.currentItemChanged.connect(lambda *_: self._update())
        layout.addWidget(self.list, 1)
        self.empty = QLabel("No rotation in progress. Start one with Key ▸ Rotate….")
        layout.addWidget(self.empty)
        row = QHBoxLayout()
        self.resume_button = QPushButton("&Resume")
        self.resume_button.clicked.connect(self.resume_selected)
        self.cancel_button = QPushButton("&Cancel rotation…")
        self.cancel_button.clicked.connect(self.cancel_selected)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        row.addWidget(self.resume_button)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.shown: list[Rotation] = []
        self._update()

    def show_rotations(self, rotations: list[Rotation]) -> None:
        selected = self.selected()
        self.shown = list(rotations)
        self.list.clear()
        for rotation in self.shown:
            started = datetime.fromisoformat(rotation.created_at.replace("Z", "+00:00"))
            item = QTreeWidgetItem([rotation.old_key_name, state_words(rotation), timefmt.relative(started),
                                    str(len(rotation.targets))])
            item.setToolTip(0, f"{rotation.old_key_name} ({rotation.old_prefix}…), rotation {rotation.id}")
            item.setToolTip(1, state_words(rotation))
            item.setData(0, Qt.ItemDataRole.UserRole, rotation.id)
            self.list.addTopLevelItem(item)
            if selected is not None and rotation.id == selected.id:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.shown:
            self.list.setCurrentItem(self.list.topLevelItem(0))
        self._update()

    def selected(self) -> Rotation | None:
        item = self.list.currentItem()
        if item is None:
            return None
        rotation_id = item.data(0, Qt.ItemDataRole.UserRole)
        return next((r for r in self.shown if r.id == rotation_id), None)

    def resume_selected(self) -> None:
        rotation = self.selected()
        if rotation is not None:
            self.rotations.resume(rotation)

    def cancel_selected(self) -> None:
        rotation = self.selected()
        if rotation is not None:
            self.rotations.cancel(rotation)

    def _update(self) -> None:
        chosen = self.selected()
        self.resume_button.setEnabled(chosen is not None)
        self.cancel_button.setEnabled(chosen is not None and chosen.state in (
            State.PLANNED, State.CREATED, State.DELIVERED, State.VERIFIED, State.DRAINING))
        self.list.setVisible(bool(self.shown))
        self.empty.setVisible(not self.shown)
