"""The Key menu: create, rename, regenerate, revoke (now or scheduled), cancel a scheduled
revoke, copy a stored secret. Dialogs ask on the GUI thread; the work runs on workers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QInputDialog, QLineEdit, QMessageBox

from ...revoke_when import RevokeWhen
from ..common.actions import make_action
from .dialogs import CreateKeyDialog, SecretDialog, regenerate_dialog, revoke_dialog

if TYPE_CHECKING:
    from ...api.models import ApiKey
    from ...keyactions import NewSecret
    from ..shell.main_window import MainWindow


class KeyCommands(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: QDialog | None = None  # the open dialog, for tests and to keep it alive

        def action(text: str, slot: Callable[[], None], shortcut: Any = None, icon_name: str = "") -> QAction:
            return make_action(window, text, slot, shortcut, icon_name)

        self.create_action = action("&New key…", self.create, QKeySequence.StandardKey.New, "plus")
        self.rename_action = action("Re&name…", self.rename, "F2")
        self.regenerate_action = action("Re&generate…", self.regenerate)
        self.rotate_action = action("R&otate…", self.rotate, "Ctrl+Shift+R", "key")
        self.rotate_action.setToolTip("Replace the key without downtime: a new key, your files updated, the old "
                                      "key revoked once nothing uses it")
        self.revoke_action = action("&Revoke…", self.revoke, QKeySequence.StandardKey.Delete)
        self.cancel_revoke_action = action("C&ancel scheduled revoke", self.cancel_revoke)
        self.copy_action = action("&Copy stored secret", self.copy_stored_secret, "Ctrl+Shift+C", "copy")
        self.all = (self.create_action, self.rename_action, self.rotate_action, self.regenerate_action,
                    self.revoke_action, self.cancel_revoke_action, self.copy_action)
        self.update()

    # --- state ---------------------------------------------------------------------------

    def selected(self) -> ApiKey | None:
        index = self.window.table.selectionModel().currentIndex()
        return self.window.model.key_at(index.row()) if index.isValid() else None

    def update(self) -> None:
        session, key = self.window.session, self.selected()
        can_manage = session is not None and not session.profile.read_only
        live = key is not None and key.status != "revoked"
        own = key is not None and session is not None and session.actions.is_own_key(key)
        self.create_action.setEnabled(can_manage)
        self.rename_action.setEnabled(can_manage and live)
        self.regenerate_action.setEnabled(can_manage and live and not own)
        self.rotate_action.setEnabled(can_manage and live)  # the own key too: the profile follows
        self.revoke_action.setEnabled(can_manage and live)  # the own key gets an explanation
        self.cancel_revoke_action.setEnabled(can_manage and key is not None and key.status == "expiring")
        self.copy_action.setEnabled(session is not None and key is not None)

    # --- actions -------------------------------------------------------------------------

    def create(self) -> None:
        session = self.window.session
        if session is None:
            return
        names = {self.window.model.key_at(r).name for r in range(self.window.model.rowCount())}
        dialog = CreateKeyDialog(session.permissions, names, self.window)
        dialog.accepted.connect(lambda: self._run(lambda: session.actions.create(dialog.name, dialog.permissions),
                                                  self._show_secret, f"Creating “{dialog.name}”…"))
        self._open(dialog)

    def rename(self) -> None:
        key, session = self.selected(), self.window.session
        if key is None or session is None:
            return
        name, ok = QInputDialog.getText(self.window, "Rename key", "New name:", QLineEdit.EchoMode.Normal, key.name)
        if ok and name.strip() and name.strip() != key.name:
            self._run(lambda: session.actions.rename(key, name.strip()), lambda _: None, "Renaming…")

    def rotate(self) -> None:
        """The rotation wizard (or the rotation already running for this key)."""
        key = self.selected()
        if key is not None and self.window.session is not None:
            self.window.rotations.start(key)

    def regenerate(self) -> None:
        key, session = self.selected(), self.window.session
        if key is None or session is None:
            return
        dialog = regenerate_dialog(key, self.window)
        dialog.accepted.connect(lambda: self._run(lambda: session.actions.regenerate(key), self._show_secret,
                                                  f"Regenerating “{key.name}”…"))
        self._open(dialog)

    def revoke(self) -> None:
        key, session = self.selected(), self.window.session
        if key is None or session is None:
            return
        if session.actions.is_own_key(key):
            QMessageBox.information(self.window, "Revoke key",
                                    f"“{key.name}” is the key this profile signs in with, so it cannot be revoked "
                                    "here: the app would lock itself out. Rotate it instead: the rotation "
                                    "switches the profile to a new key before the old one is revoked.")
            return
        dialog, choice = revoke_dialog(key, self.window)

        def confirmed() -> None:
            when = choice.choice
            if when is RevokeWhen.NOW:
                work = lambda: session.actions.revoke(key)  # noqa: E731
            else:
                work = lambda: session.actions.schedule_revoke(key, when)  # noqa: E731
            self._run(work, lambda _: None, f"Revoking “{key.name}”…")

        dialog.accepted.connect(confirmed)
        self._open(dialog)

    def cancel_revoke(self) -> None:
        key, session = self.selected(), self.window.session
        if key is not None and session is not None:
            self._run(lambda: session.actions.cancel_scheduled_revoke(key), lambda _: None,
                      f"Cancelling the revoke of “{key.name}”…")

    def copy_stored_secret(self) -> None:
        key, session = self.selected(), self.window.session
        if key is None or session is None:
            return

        def copied(secret: Any) -> None:
            if secret is None:
                QMessageBox.information(self.window, "Copy stored secret",
                                        f"No secret of “{key.name}” is stored: MySSL shows a secret only once, "
                                        "and this key was created or regenerated outside this app. Regenerate "
                                        "or rotate it to get one.")
                return
            self.window.hygiene.clipboard.copy_secret(secret)
            self.window.show_status(f"Copied the secret of “{key.name}”. The clipboard is cleared in "
                                    f"{self.window.hygiene.clipboard.timeout_s} s.")

        self.window.run_for_session(lambda: session.actions.stored_secret(key.id), copied, self._failed)

    # --- plumbing ------------------------------------------------------------------------

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.open()

    def _run(self, work: Callable[[], Any], done: Callable[[Any], None], message: str) -> None:
        self.window.show_status(message)

        def succeeded(result: Any) -> None:
            self.window.show_status("")
            done(result)
            self.window.refresh()

        self.window.run_for_session(work, succeeded, self._failed)

    def _show_secret(self, new: NewSecret) -> None:
        dialog = SecretDialog(new, self.window.hygiene.clipboard, self.window)
        self.window.hygiene.hide_secrets.connect(dialog.hide_secret)
        self._open(dialog)

    def _failed(self, error: BaseException) -> None:
        from ...api import errors
        from ...keyactions import CreateUncertain

        self.window.show_status("")
        text = str(error)
        if isinstance(error, errors.KeyLimitReached):
            stale = error.stale_keys
            box = QMessageBox(QMessageBox.Icon.Warning, "Key limit reached", text, parent=self.window)
            show = box.addButton("Show keys that need attention", QMessageBox.ButtonRole.ActionRole) if stale else None
            box.addButton(QMessageBox.StandardButton.Close)
            self.dialog = box
            box.finished.connect(lambda _: self._show_attention() if show and box.clickedButton() is show else None)
            box.open()
            return
        if isinstance(error, (errors.NotFound, CreateUncertain)) or getattr(error, "happened", False) is None:
            self.window.refresh()
        box = QMessageBox(QMessageBox.Icon.Warning, "MySSL Desktop", text, parent=self.window)
        self.dialog = box
        box.open()

    def _show_attention(self) -> None:
        self.window.attention_check.setChecked(True)
