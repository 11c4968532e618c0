"""Asking before a rotation is cancelled, in words that say what cancelling will do."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from ...rotation import CommandTarget, Rotation, State


def cancel_text(rotation: Rotation) -> str:
    written = [t for t, state in zip(rotation.targets, rotation.target_states, strict=True)
               if state.written or state.writing]
    undone = [t for t in written if t.automatic and not isinstance(t, CommandTarget)]
    rerun = [t for t in written if isinstance(t, CommandTarget)]
    by_hand = [t for t in written if not t.automatic]
    lines = [f"Cancel the rotation of “{rotation.old_key_name}”? The old key keeps working."]
    if undone:
        lines.append("Put back as they were (only the key's value, other changes stay): "
                     + "; ".join(t.label for t in undone) + ".")
    if rerun:
        lines.append("Run again with the old key (while its secret is in the keychain): "
                     + "; ".join(t.label for t in rerun) + ".")
    if rotation.new_prefix:
        lines.append(f"The new key ({rotation.new_prefix}…) is revoked.")
    if by_hand:
        lines.append("Put the old key back yourself in: " + "; ".join(t.label for t in by_hand) + ".")
    if rotation.switch_profiles and rotation.at_least(State.VERIFIED):
        lines.append("The profiles that switched to the new key sign in with the old key again.")
    return "\n\n".join(lines)


def confirm_cancel(parent: QWidget, rotation: Rotation, on_yes: Callable[[], None]) -> QMessageBox:
    """The cancel confirmation (non-modal to the app; `on_yes()` when confirmed)."""
    box = QMessageBox(QMessageBox.Icon.Question, "Cancel rotation", cancel_text(rotation),
                      QMessageBox.StandardButton.NoButton, parent)
    yes = box.addButton("Cancel rotation", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("Keep going", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.finished.connect(lambda _: on_yes() if box.clickedButton() is yes else None)
    box.open()
    return box
