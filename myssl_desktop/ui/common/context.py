"""The small context a feature receives from the window it lives in, instead of the window.

A feature (key commands, rotations, the account controller) gets: the current session, the
background-op runner, the status line, the banner, the secret clipboard and the signal that
hides shown secrets, and a widget to parent its dialogs to. Nothing else of the window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QWidget

from .banner import Banner
from .ops import Ops

if TYPE_CHECKING:
    from ...api.secret import Secret
    from ...profiles import Profile
    from ...session import Session


class CopiesSecrets(Protocol):
    """The clipboard for secrets (ui/secrets/clipboard.py): marked secret, cleared after a while."""

    countdown: SignalInstance

    @property
    def timeout_s(self) -> int: ...

    @property
    def seconds_left(self) -> int: ...

    def copy_secret(self, secret: Secret) -> None: ...

    def holds(self, secret: Secret) -> bool: ...


class SessionHost(Protocol):
    """What shows a session: the main window, seen by the account controller."""

    @property
    def session(self) -> Session | None: ...

    def attach(self, session: Session) -> None: ...

    def detach(self, message: str) -> None: ...

    def show_opening(self, profile: Profile, then: Callable[[], None] = ...) -> None: ...

    def show_profiles(self, profiles: list[Profile], current_id: str | None, *, sandbox: bool = False) -> None: ...


@dataclass(frozen=True)
class UiContext:
    parent: QWidget  # dialogs open over it
    session: Callable[[], Session | None]  # the session shown now (it changes)
    ops: Ops
    status: Callable[[str], None]  # one line in the status bar
    banner: Banner
    clipboard: CopiesSecrets
    hide_secrets: SignalInstance  # idle or screen lock: mask every shown secret


__all__ = ["CopiesSecrets", "SessionHost", "UiContext"]
