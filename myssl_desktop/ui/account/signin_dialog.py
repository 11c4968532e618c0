"""The sign-in dialog: paste a key, check its form as you type, verify it in the
background with progress and cancel, show what it grants, then keep it in the keychain.

Enter does what the primary button says (check, then save); the layout keeps room for the
progress bar and the status, so nothing jumps or squeezes while a check runs."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...api.models import DEFAULT_BASE_URL
from ...api.secret import Secret, is_key_format
from ...errors import describe
from ...profiles import ENVIRONMENTS, Profile
from ..common.forms import FormDialog
from ..common.icons import icon
from ..common.ops import Ops, Task
from ..common.richtext import html

if TYPE_CHECKING:
    from ...signin import SignInService, Verified

ENV_VARIABLE = "MYSSL_API_KEY"
ISSUED_LENGTH = 40  # MySSL issues `myssl_k_` + 40 letters and digits (myssl-api.md)
SITE = "https://myssl.info/"  # the dashboard's own address for key pages is not documented
STATUS_LINES = 5  # room kept for the check's result: the key, tier, permissions and a note


def format_hint(text: str) -> str:
    """What the typed key looks like, said before anything is sent."""
    if not text:
        return f"A key is “myssl_k_” followed by {ISSUED_LENGTH} letters and digits."
    if not text.startswith("myssl_k_"):
        return "That is not a MySSL key: keys start with “myssl_k_”."
    if not is_key_format(text):
        return "After “myssl_k_” a key has only letters and digits: check for spaces or cut-off text."
    length = len(text) - len("myssl_k_")
    if length != ISSUED_LENGTH:
        return (f"This key has {length} characters after “myssl_k_”; MySSL issues {ISSUED_LENGTH}. "
                "Check that it was copied whole.")
    return f"✓ A complete MySSL key (“myssl_k_” and {ISSUED_LENGTH} letters and digits)."


class SignInDialog(FormDialog):
    """Result: `profile` and `verified` after `accept()`; `wants_sandbox` for the demo."""

    def __init__(self, signin: SignInService, ops: Ops, *,
                 profile: Profile | None = None, first_run: bool = False, notice: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign in to MySSL")
        self.setMinimumWidth(520)
        self._signin = signin
        self._ops = ops
        self._task: Task | None = None
        self._verified: Verified | None = None
        self._existing = profile
        self.profile: Profile | None = None
        self.verified: Verified | None = None
        self.wants_sandbox = False

        layout = QVBoxLayout(self)
        intro = QLabel("Paste a MySSL API key. It is checked with MySSL, then kept only in "
                       "your system keychain. <a href='#where'>Where do I get a key?</a>")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.where_help = QLabel(f"Sign in to the MySSL dashboard at <a href='{SITE}'>myssl.info</a> and "
                                 "create an API key there (or ask whoever runs your MySSL account for one). "
                                 "MySSL shows a new key once: copy all of it and paste it below.")
        self.where_help.setWordWrap(True)
        self.where_help.setOpenExternalLinks(True)
        self.where_help.hide()
        intro.linkActivated.connect(lambda _: self.where_help.show())
        layout.addWidget(self.where_help)
        self.notice = QLabel(notice)
        self.notice.setWordWrap(True)
        self.notice.setObjectName("notice")
        self.notice.setVisible(bool(notice))
        layout.addWidget(self.notice)

        form = QFormLayout()
        self.name_edit = QLineEdit(profile.name if profile else "Default")
        self.name_edit.setAccessibleName("Profile name")
        form.addRow("&Profile name:", self.name_edit)
        self.env_combo = QComboBox()
        self.env_combo.addItems([e.capitalize() for e in ENVIRONMENTS])
        self.env_combo.setAccessibleName("Environment")
        if profile:
            self.env_combo.setCurrentIndex(ENVIRONMENTS.index(profile.environment))
        form.addRow("&Environment:", self.env_combo)
        self.url_edit = QLineEdit(profile.base_url if profile else DEFAULT_BASE_URL)
        self.url_edit.setAccessibleName("API base URL")
        form.addRow("API &base URL:", self.url_edit)
        self.key_edit = QLineEdit()
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("myssl_k_…")
        self.key_edit.setAccessibleName("API key")
        self.reveal_action = QAction(icon("eye"), "Show key", self)
        self.reveal_action.setCheckable(True)
        self.reveal_action.toggled.connect(self._toggle_reveal)
        self.key_edit.addAction(self.reveal_action, QLineEdit.ActionPosition.TrailingPosition)
        form.addRow("API &key:", self.key_edit)
        self.format_hint = QLabel(" ")
        self.format_hint.setObjectName("hint")
        self.format_hint.setWordWrap(True)  # never cut off mid-sentence
        self.format_hint.setMinimumHeight(2 * self.fontMetrics().lineSpacing())
        form.addRow("", self.format_hint)
        layout.addLayout(form)

        self.import_button = QPushButton(f"Use the key from ${ENV_VARIABLE}")
        self.import_button.setVisible(bool(os.environ.get(ENV_VARIABLE)))
        self.import_button.clicked.connect(self._import_from_environment)
        layout.addWidget(self.import_button, alignment=Qt.AlignmentFlag.AlignLeft)

        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName("Checking the key")
        keep_room = self.progress.sizePolicy()
        keep_room.setRetainSizeWhenHidden(True)  # the buttons stay where they are
        self.progress.setSizePolicy(keep_room)
        self.progress.hide()
        layout.addWidget(self.progress)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.status.setMinimumHeight(STATUS_LINES * self.fontMetrics().lineSpacing())
        layout.addWidget(self.status)
        layout.addStretch(1)

        self.buttons = QDialogButtonBox()
        self.sign_in_button = self.buttons.addButton("Sign in", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.sandbox_button = self.buttons.addButton("Try the sandbox with demo data",
                                                     QDialogButtonBox.ButtonRole.ActionRole)
        self.sandbox_button.setVisible(first_run)
        self.sign_in_button.clicked.connect(self._primary)
        self.cancel_button.clicked.connect(self._cancel)
        self.sandbox_button.clicked.connect(self._choose_sandbox)
        layout.addWidget(self.buttons)

        self.key_edit.textChanged.connect(self._key_changed)
        self.name_edit.textChanged.connect(self._update_buttons)
        self.url_edit.textChanged.connect(self._key_changed)
        self._key_changed()
        self.set_accept_button(self.sign_in_button, self._explain_not_ready)  # never the sandbox button
        self.key_edit.setFocus()
        self.setMinimumHeight(self.sizeHint().height())  # room for the longest status: no squeezing

    # --- input -------------------------------------------------------------------------

    def _toggle_reveal(self, shown: bool) -> None:
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.reveal_action.setText("Hide key" if shown else "Show key")
        self.reveal_action.setIcon(icon("eye-off" if shown else "eye"))

    def _import_from_environment(self) -> None:
        self.key_edit.setText(os.environ.get(ENV_VARIABLE, "").strip())

    def _key_changed(self) -> None:
        """The key or the URL changed: an earlier check's result (or error) no longer applies."""
        self._verified = None
        self.sign_in_button.setText("Sign in")
        if self._task is None:
            self._show_status("")
        self.format_hint.setText(format_hint(self.key_edit.text().strip()))
        self._update_buttons()

    def _explain_not_ready(self) -> None:
        """Enter before the form can be sent: say what is missing, where it is."""
        if self._task is not None:
            return  # a check is running: its progress shows
        if not self.name_edit.text().strip():
            self._show_status("Give the profile a name first.", error=True)
            self.name_edit.setFocus()
        else:
            self._show_status("Paste a whole MySSL key first: " + format_hint(self.key_edit.text().strip()),
                              error=True)
            self.key_edit.setFocus()

    def _show_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #d32f2f;" if error else "")

    def _update_buttons(self) -> None:
        busy = self._task is not None
        ready = is_key_format(self.key_edit.text().strip()) and bool(self.name_edit.text().strip())
        self.sign_in_button.setEnabled(ready and not busy)
        for widget in (self.name_edit, self.env_combo, self.url_edit, self.key_edit):
            widget.setEnabled(not busy)

    # --- actions -----------------------------------------------------------------------

    def _draft_profile(self) -> Profile:
        environment = ENVIRONMENTS[self.env_combo.currentIndex()]
        name = self.name_edit.text().strip()
        base_url = self.url_edit.text().strip()
        if self._existing is not None:
            return replace(self._existing, name=name, environment=environment, base_url=base_url)
        return Profile.new(name, base_url, environment)

    def _primary(self) -> None:
        secret = Secret(self.key_edit.text().strip())
        draft = self._draft_profile()
        if self._verified is None:
            self._start("Checking the key with MySSL…",
                        lambda: self._signin.verify(draft.base_url, secret),
                        self._on_verified)
        else:
            verified = self._verified
            self._start("Saving the key in your keychain…",
                        lambda: self._signin.sign_in(draft, secret, verified), self._on_saved)

    def _start(self, message: str, work: Any, on_success: Any) -> None:
        self._show_status(message)
        self.progress.show()
        self._task = self._ops(work).success(on_success).failure(self._on_failed).any_session().run()
        self._update_buttons()

    def _finish_task(self) -> None:
        self._task = None
        self.progress.hide()
        self._update_buttons()

    def _on_verified(self, verified: Verified) -> None:
        self._finish_task()
        self._verified = verified
        key, account = verified.current.api_key, verified.current.account
        lines = [f"<b>Key:</b> {html(key.name)} ({key.prefix}…)",
                 f"<b>Account tier:</b> {account.tier}",
                 f"<b>Permissions:</b> {', '.join(key.permissions)}"]
        if verified.access == "read-only":
            lines.append("<b>Read-only:</b> this key lacks “keys:manage”, so you can see keys "
                         "but not create, rotate or revoke them.")
        self.status.setText("<br>".join(lines))
        self.sign_in_button.setText("Save and continue")

    def _on_saved(self, result: tuple[Profile, Verified]) -> None:
        self._finish_task()
        self.profile, self.verified = result
        self.accept()

    def _on_failed(self, error: BaseException) -> None:
        self._finish_task()
        self._verified = None
        self.sign_in_button.setText("Sign in")
        self._show_status(describe(error), error=True)

    def _cancel(self) -> None:
        if self._task is not None:  # cancel the check, keep the dialog
            self._task.cancel()
            self._finish_task()
            self.status.setText("Cancelled.")
            return
        self.reject()

    def _choose_sandbox(self) -> None:
        self.wants_sandbox = True
        self.accept()

    def reject(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        super().reject()


