"""The main window's parts, in typed places: the key list built first after the frame's paint
(`KeysView`, with the menus and toolbar it fills later, `WindowBars`), then everything
(`WindowContent`). Apart from the window's module: defining them costs ~2 ms, after its first
paint rather than before."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QAction, QActionGroup
    from PySide6.QtWidgets import QMenu, QToolBar

    from ..account.bar import AccountBar
    from ..common.banner import Banner
    from ..common.context import UiContext
    from ..discovery.controller import KeyDiscovery
    from ..keys.commands import KeyCommands
    from ..keys.pane import KeysPane
    from ..rotation.coordinator import RotationCoordinator
    from ..secrets.hygiene import SecretHygiene
    from .refresh_schedule import RefreshSchedule
    from .window_setup import WindowSetup


@dataclass
class WindowActions:
    refresh: QAction
    find: QAction
    details: QAction
    sign_in: QAction
    sign_out: QAction
    forget: QAction
    policy: QAction
    quit: QAction
    profile_menu: QMenu
    profile_group: QActionGroup
    clipboard_menu: QMenu


@dataclass
class WindowBars:
    """The menus and the toolbar, made with the key list and filled with the rest: nothing on
    screen moves when the rest is built."""

    profile_menu: QMenu
    key_menu: QMenu
    view_menu: QMenu
    help_menu: QMenu
    toolbar: QToolBar
    refresh: QAction


@dataclass
class KeysView:
    """What the key list needs, built first after the frame's paint."""

    setup: WindowSetup
    banner: Banner
    account_bar: AccountBar
    keys: KeysPane
    schedule: RefreshSchedule
    hygiene: SecretHygiene
    ctx: UiContext
    bars: WindowBars


@dataclass
class WindowContent(KeysView):
    """Everything built after the first paint, in one typed place: the key list, then the
    features, menus and toolbar."""

    key_commands: KeyCommands
    rotations: RotationCoordinator
    actions: WindowActions
    discovery: KeyDiscovery


__all__ = ["KeysView", "WindowActions", "WindowBars", "WindowContent"]
