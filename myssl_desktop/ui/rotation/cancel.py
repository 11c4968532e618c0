"""Asking before a rotation is cancelled, in words that say what cancelling will do."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from ...rotation import Rotation, State


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
