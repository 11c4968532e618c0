"""(f) Done: what was done and where the new key is; or what a cancel put back."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from .... import timefmt
from ....revoke_when import RevokeWhen
from ....rotation import Rotation, State
from ...common.richtext import html
from .widgets import busy_bar, command_output, label, runs_text, scrolling, tone

if TYPE_CHECKING:
    from ....rotation.commands import Ran


class SummaryPage(QWidget):
    def __init__(self, keychain_place: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keychain_place = keychain_place
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = label(rich=True)
        self.title.setAccessibleName("Rotation result")
        layout.addWidget(self.title)
        self.bar = busy_bar()
        self.bar.hide()
        layout.addWidget(self.bar)
        self.body = label(rich=True)
        self.body.setAccessibleName("What was done")
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout.addWidget(scrolling(self.body), 1)
        self.runs = command_output()
        self.runs.setAccessibleName("What the commands printed")
        self.runs.hide()
        layout.addWidget(self.runs)

    def show_runs(self, runs: tuple[Ran, ...]) -> None:
        """What a cancel's commands printed (every key cut to its prefix)."""
        self.runs.setPlainText(runs_text(runs))
        self.runs.setVisible(bool(runs))

    def show_working(self, text: str) -> None:
        self.runs.hide()
        self.bar.show()
        self.title.setStyleSheet("")
        self.title.setText(html(text))
        self.body.setText("")

    def show_rotation(self, rotation: Rotation, old_key_expires: datetime | None = None) -> None:
        self.bar.hide()
        old = f"<b>{html(rotation.old_key_name)}</b> ({rotation.old_prefix}…)"
        new = f"<b>{html(rotation.new_key_name)}</b> ({rotation.new_prefix}…)"
        if rotation.state == State.CANCELLED:
            self.title.setStyleSheet(f"color: {tone(self, 'wait')};")
            self.title.setText("<b>Rotation cancelled.</b>")
            lines = [f"The old key {old} still works and nothing was changed for it."]
            states = list(zip(rotation.targets, rotation.target_states, strict=True))
            automatic = [t for t, state in states if t.automatic and not state.written]
            # checklist items, and commands a cancel could not run again (no old key in the keychain)
            by_hand = [t for t, state in states if state.written]
            if automatic:
                lines.append("These hold the old key, as before: " + "; ".join(html(t.label) for t in automatic)
                             + ".")
            if by_hand:
                lines.append("<b>Put the old key back by hand in:</b> " + "; ".join(html(t.label) for t in by_hand)
                             + ".")
            if rotation.new_prefix:
                lines.append(f"The new key ({rotation.new_prefix}…) was revoked.")
            self.body.setText("<p>" + "</p><p>".join(lines) + "</p>")
            return
        finished = rotation.state in (State.DONE, State.SCHEDULED)
        self.title.setStyleSheet(f"color: {tone(self, 'good' if finished else 'wait')};")
        if finished:
            self.title.setText("<b>✓ Rotation complete.</b>")
        else:
            self.title.setText("<b>The new key is in place; the old key still works.</b>")
        items = "".join(f"<li>{html(t.label)}</li>" for t in rotation.targets)
        if rotation.state == State.DONE and rotation.revoke == RevokeWhen.NOW:
            fate = f"The old key {old} is revoked."
        elif finished:
            when = f" ({timefmt.exact(old_key_expires)})" if old_key_expires else ""
            fate = (f"The old key {old} will be revoked {rotation.revoke.label.lower()}{when} after the rotation "
                    "ended; the new key takes its name then.")
            if rotation.state == State.DONE:
                fate = f"The old key {old} is revoked (its scheduled revoke took effect)."
        else:
            fate = (f"The old key {old} still works. Revoke it once nothing uses it: View ▸ Rotations in "
                    "progress, Resume.")
        own = "<p>This profile signs in with the new key.</p>" if rotation.self_rotation else ""
        places = f"<p>The new key is in:</p><ul>{items}</ul>" if items else "<p>No places were listed.</p>"
        self.body.setText(f"<p>New key: {new}, with {', '.join(rotation.permissions) or 'no permissions'}. "
                          f"Its secret is kept in {self.keychain_place}.</p>{places}<p>{fate}</p>{own}")
