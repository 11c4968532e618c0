"""What a click on a notification (or a tray entry) opens in the window: a profile, a key's
details, or a rotation's wizard."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel

if TYPE_CHECKING:
    from ...rotation import Rotation
    from ...services import Services
    from ..account.controller import AccountController
    from .main_window import MainWindow


def open_target(window: MainWindow, controller: AccountController, services: Services, target: str) -> None:
    kind, _, rest = target.partition("/")
    if kind == "profile":
        _show_profile(window, controller, rest)
    elif kind == "key":
        profile_id, _, key_id = rest.partition("/")
        _show_profile(window, controller, profile_id)
        if key_id.isdigit():
            _select_key_when_listed(window, int(key_id))
    elif kind == "rotation":
        rotations = window.content.rotations

        def resume(rotation: Rotation) -> None:
            rotations.resume(rotation)

        window.ops(lambda: services.rotations.load(rest)).any_session().success(resume).run()


def _show_profile(window: MainWindow, controller: AccountController, profile_id: str) -> None:
    session = window.session
    if session is None or session.profile.id != profile_id:
        controller.switch_profile(profile_id)


def _select_key_when_listed(window: MainWindow, key_id: int) -> None:
    keys = window.content.keys
    model = keys.model

    def select() -> bool:
        row = model.row_of(key_id)
        if row is None:
            return False
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        keys.table.selectionModel().setCurrentIndex(model.index(row, 0), flags)
        keys.table.scrollTo(model.index(row, 0))
        keys.show_details()
        return True

    if window.session is not None and select():
        return

    def listed() -> None:
        if window.session is not None and select():
            model.modelReset.disconnect(listed)

    model.modelReset.connect(listed)


__all__ = ["open_target"]
