"""The Key menu: create, rename, regenerate, revoke (now or scheduled), cancel a scheduled
revoke, copy a stored secret. Dialogs ask on the GUI thread; the work runs in the background."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QInputDialog, QLineEdit, QMessageBox

from ... import timefmt
from ...api import errors
from ...errors import describe
from ...keyactions import ActionUncertain, CreateUncertain
from ...revoke_when import RevokeWhen
from ..common.actions import make_action
from ..common.confirm import ConfirmKeyAction
from .dialogs import BulkRevokeDialog, CreateKeyDialog, SecretDialog, regenerate_dialog, revoke_dialog

if TYPE_CHECKING:
    from ...api.models import ApiKey
    from ...keyactions import NewSecret
    from ...session import Session
    from ..common.context import UiContext


class KeyCommands(QObject):
    def __init__(self, ctx: UiContext, *, selected: Callable[[], ApiKey | None],
                 shown_names: Callable[[], set[str]], refresh: Callable[[], None],
                 rotate: Callable[[ApiKey], None], show_needing_attention: Callable[[], None],
                 all_selected: Callable[[], list[ApiKey]] | None = None,
                 stored: Callable[[ApiKey], bool] = lambda _: True) -> None:
        """`selected`: the key the table is on (`all_selected`: every selected one, for a bulk
        revoke); `shown_names`: names in the table (a new key's name is checked against them);
        `refresh`: reload the list after a change; `rotate`: open the rotation of a key;
        `show_needing_attention`: filter the table to such keys; `stored`: whether the app keeps
        a key's secret (Copy stored secret is offered only then)."""
        super().__init__(ctx.parent)
        self._ctx = ctx
        self._selected = selected
        self._all_selected = all_selected or (lambda: [k] if (k := selected()) is not None else [])
        self._stored = stored
        self._shown_names = shown_names
        self._refresh = refresh
        self._rotate = rotate
        self._show_needing_attention = show_needing_attention
        self.dialog: QDialog | None = None  # the open dialog, for tests and to keep it alive

        def action(text: str, slot: Callable[[], None], shortcut: Any = None, icon_name: str = "") -> QAction:
            return make_action(ctx.parent, text, slot, shortcut, icon_name)

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

    def _target(self) -> tuple[ApiKey, Session] | None:
        key, session = self._selected(), self._ctx.session()
        return None if key is None or session is None else (key, session)

    def update(self) -> None:
        session, key = self._ctx.session(), self._selected()
        can_manage = session is not None and not session.profile.read_only
        live = key is not None and key.status != "revoked"
        own = key is not None and session is not None and session.actions.is_own_key(key)
        self.create_action.setEnabled(can_manage)
        self.rename_action.setEnabled(can_manage and live)
        self.regenerate_action.setEnabled(can_manage and live and not own)
        self.rotate_action.setEnabled(can_manage and live)  # the own key too: the profile follows
        self.revoke_action.setEnabled(can_manage and live)  # the own key gets an explanation
        self.cancel_revoke_action.setEnabled(can_manage and key is not None and key.status == "expiring")
        self.copy_action.setEnabled(session is not None and key is not None and self._stored(key))
        many = len(self._all_selected()) > 1
        self.revoke_action.setText("&Revoke selected keys…" if many else "&Revoke…")
        if many:
            self.revoke_action.setEnabled(can_manage)

    # --- actions -------------------------------------------------------------------------

    def create(self) -> None:
        session = self._ctx.session()
        if session is None:
            return
        dialog = CreateKeyDialog(session.permissions, self._shown_names(), self._ctx.parent)
        def create() -> None:
            name, permissions, expires_at = dialog.name, dialog.permissions, dialog.expires_at  # as of Create
            self._change(lambda: session.actions.create(name, permissions, expires_at=expires_at),
                         self._show_secret, f"Creating “{name}”…")

        dialog.accepted.connect(create)
        self._open(dialog)

    def rename(self) -> None:
        if (target := self._target()) is None:
            return
        key, session = target
        name, ok = QInputDialog.getText(self._ctx.parent, "Rename key", "New name:", QLineEdit.EchoMode.Normal,
                                        key.name)
        if ok and name.strip() and name.strip() != key.name:
            self._change(lambda: session.actions.rename(key, name.strip()), lambda _: None, "Renaming…")

    def rotate(self) -> None:
        """The rotation wizard (or the rotation already running for this key)."""
        if (target := self._target()) is not None:
            self._rotate(target[0])

    def regenerate(self) -> None:
        if (target := self._target()) is None:
            return
        key, session = target
        dialog = regenerate_dialog(key, self._ctx.parent)
        dialog.accepted.connect(lambda: self._change(lambda: session.actions.regenerate(key), self._show_secret,
                                                     f"Regenerating “{key.name}”…"))
        self._offer_rotation(dialog, key)
        self._open(dialog)

    def _offer_rotation(self, dialog: ConfirmKeyAction, key: ApiKey) -> None:
        """"Rotate instead": the zero-downtime way, one click from the destructive one."""
        def instead() -> None:
            dialog.reject()
            self._rotate(key)

        dialog.add_button("Rotate &instead…", QDialogButtonBox.ButtonRole.ActionRole).clicked.connect(instead)

    def revoke(self) -> None:
        if len(self._all_selected()) > 1:
            self.revoke_many()
            return
        if (target := self._target()) is None:
            return
        key, session = target
        if session.actions.is_own_key(key):
            QMessageBox.information(self._ctx.parent, "Revoke key",
                                    f"“{key.name}” is the key this profile signs in with, so it cannot be revoked "
                                    "here: the app would lock itself out. Rotate it instead: the rotation "
                                    "switches the profile to a new key before the old one is revoked.")
            return
        dialog, choice = revoke_dialog(key, self._ctx.parent)

        def confirmed() -> None:
            when = choice.choice
            if when is RevokeWhen.NOW:
                work = lambda: session.actions.revoke(key)  # noqa: E731
            else:
                work = lambda: session.actions.schedule_revoke(key, when)  # noqa: E731
            self._change(work, lambda done: self._ctx.status(_revoked_words(done)), f"Revoking “{key.name}”…")

        dialog.accepted.connect(confirmed)
        self._offer_rotation(dialog, key)
        self._open(dialog)

    def revoke_many(self) -> None:
        """One confirmation for every selected key (freeing room at the key limit took a dialog a key)."""
        session = self._ctx.session()
        keys = [k for k in self._all_selected() if not k.is_revoked]
        if session is None or not keys:
            return
        own = [k for k in keys if session.actions.is_own_key(k)]
        keys = [k for k in keys if k not in own]
        dialog = BulkRevokeDialog(keys, own, self._ctx.parent)

        def confirmed() -> None:
            when, actions = dialog.choice.choice, session.actions

            def revoke_all() -> list[tuple[ApiKey, BaseException | None]]:
                results: list[tuple[ApiKey, BaseException | None]] = []
                for key in keys:
                    try:
                        actions.revoke(key) if when is RevokeWhen.NOW else actions.schedule_revoke(key, when)
                        results.append((key, None))
                    except Exception as error:  # the others go on; each failure is listed
                        results.append((key, error))
                return results

            self._change(revoke_all, lambda results: self._revoked_many(results, when),
                         f"Revoking {len(keys)} keys…")

        dialog.accepted.connect(confirmed)
        self._open(dialog)

    def _revoked_many(self, results: list[tuple[ApiKey, BaseException | None]], when: RevokeWhen) -> None:
        failed = [(k, e) for k, e in results if e is not None]
        done = len(results) - len(failed)
        keys = f"{done} key{'s' if done != 1 else ''}"
        self._ctx.status(f"Revoked {keys}." if when is RevokeWhen.NOW else
                         f"{keys} will be revoked in {when.span}; until then they work. "
                         "Key ▸ Cancel scheduled revoke undoes it, key by key.")
        if failed:
            lines = "\n".join(f"• {k.name}: {describe(e)}" for k, e in failed)
            box = QMessageBox(QMessageBox.Icon.Warning, "Revoke keys",
                              f"{done} of {len(results)} keys were revoked or scheduled. These were not:\n\n{lines}",
                              parent=self._ctx.parent)
            self.dialog = box
            box.open()

    def cancel_revoke(self) -> None:
        if (target := self._target()) is not None:
            key, session = target
            self._change(lambda: session.actions.cancel_scheduled_revoke(key),
                         lambda _: self._ctx.status(f"The scheduled revoke of “{key.name}” is cancelled: it stays "
                                                    "active."),
                         f"Cancelling the revoke of “{key.name}”…")

    def copy_stored_secret(self) -> None:
        if (target := self._target()) is None:
            return
        key, session = target

        def copied(secret: Any) -> None:
            if secret is None:
                QMessageBox.information(self._ctx.parent, "Copy stored secret",
                                        f"No secret of “{key.name}” is stored: MySSL shows a secret only once, "
                                        "and this key was created or regenerated outside this app. Regenerate "
                                        "or rotate it to get one.")
                return
            self._ctx.clipboard.copy_secret(secret)
            self._ctx.status(f"Copied the secret of “{key.name}”. The clipboard is cleared in "
                             f"{self._ctx.clipboard.timeout_s} s.")

        self._ctx.ops(lambda: session.actions.stored_secret(key.id)).success(copied).failure(self._failed).run()

    # --- plumbing ------------------------------------------------------------------------

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.open()

    def _change(self, work: Callable[[], Any], done: Callable[[Any], None], busy: str) -> None:
        """Run a change of a key; the list is refreshed after it."""
        def succeeded(result: Any) -> None:
            done(result)
            self._refresh()

        self._ctx.ops(work).busy(busy).success(succeeded).failure(self._failed).run()

    def _show_secret(self, new: NewSecret) -> None:
        dialog = SecretDialog(new, self._ctx.clipboard, self._ctx.parent)
        self._ctx.hide_secrets.connect(dialog.hide_secret)
        secret = new.secret

        def write(path: Path) -> None:
            from ...rotation.files import put_secret  # on first use: the window starts without rotation code
            from ...rotation.targets import DEFAULT_VARIABLE as ENV_VARIABLE

            self._ctx.ops(lambda: put_secret(path, ENV_VARIABLE, secret)).any_session().success(dialog.show_written) \
                .failure(lambda error: dialog.show_written(describe(error, f"write to {path}"))).run()

        dialog.write_env_requested.connect(write)
        self._open(dialog)

    def _failed(self, error: BaseException) -> None:
        text = describe(error)
        if isinstance(error, errors.KeyLimitReached):
            box = QMessageBox(QMessageBox.Icon.Warning, "Key limit reached", text, parent=self._ctx.parent)
            show = (box.addButton("Show keys that need attention", QMessageBox.ButtonRole.ActionRole)
                    if error.stale_keys else None)
            box.addButton(QMessageBox.StandardButton.Close)
            self.dialog = box
            box.finished.connect(lambda _: self._show_needing_attention()
                                 if show and box.clickedButton() is show else None)
            box.open()
            return
        if isinstance(error, errors.NotFound | CreateUncertain) or (
                isinstance(error, ActionUncertain) and error.happened is not False):
            self._refresh()  # what the list shows of the key is out of date
        box = QMessageBox(QMessageBox.Icon.Warning, "MySSL Desktop", text, parent=self._ctx.parent)
        self.dialog = box
        lost = error.key_to_regenerate if isinstance(error, CreateUncertain | ActionUncertain) else None
        if lost is not None and (session := self._ctx.session()) is not None:
            # MySSL made a secret nobody received: a regenerate makes one that is kept
            regenerate = box.addButton(f"Regenerate “{lost.name}”", QMessageBox.ButtonRole.AcceptRole)
            box.addButton(QMessageBox.StandardButton.Close)
            box.finished.connect(lambda _: self._change(lambda: session.actions.regenerate(lost), self._show_secret,
                                                        f"Regenerating “{lost.name}”…")
                                 if box.clickedButton() is regenerate else None)
        box.open()


def _revoked_words(key: ApiKey) -> str:
    """What a revoke did, for the status line."""
    if key.is_revoked:
        return f"Revoked “{key.name}” ({key.prefix}…)."
    when = timefmt.exact(key.expires_at)
    return (f"“{key.name}” will be revoked at {when} ({timefmt.relative(key.expires_at)}); until then it works. "
            "Key ▸ Cancel scheduled revoke undoes it.")
