"""A coloured strip above the table for things the user should see, and can act on.

Several parts of the window post notices here (refresh problems, the rate limit, rotations
in progress, a profile that could not be opened). Each notice has an owner, and an owner
replaces or withdraws only its own notice; the strip shows the most serious one (errors
before warnings before information, then the newest). A notice's button runs a callable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, IntEnum, auto

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class Kind(IntEnum):
    """How serious a notice is; a higher value wins the strip."""

    INFO = 1
    WARNING = 2
    ERROR = 3


class Owner(Enum):
    ACCOUNT = auto()  # the profile could not be opened (keychain, network)
    ACCESS = auto()  # the profile is read-only
    REFRESH = auto()  # the list could not be refreshed
    RATE_LIMIT = auto()  # MySSL's rate limit: the countdown
    ROTATIONS = auto()  # rotations in progress
    FAILURE = auto()  # background work failed and nobody else said so


@dataclass(frozen=True)
class Action:
    label: str
    run: Callable[[], object]  # what it returns is not used


@dataclass(frozen=True)
class Notice:
    owner: Owner
    text: str
    kind: Kind = Kind.ERROR
    action: Action | None = None


_STYLES = {
    Kind.ERROR: "background: #fdecea; color: #611a15; border: 1px solid #f5c6cb;",
    Kind.WARNING: "background: #fff4e5; color: #663c00; border: 1px solid #ffd599;",
    Kind.INFO: "background: #e8f4fd; color: #0d3c61; border: 1px solid #b6dcf7;",
}


class Banner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setAccessibleName("Notice")
        layout.addWidget(self.label, 1)
        self.button = QPushButton()
        self.button.clicked.connect(self._clicked)
        layout.addWidget(self.button)
        self._notices: dict[Owner, Notice] = {}  # in posting order: the newest last
        self.shown: Notice | None = None
        self.hide()

    @property
    def kind(self) -> Kind | None:
        """The kind of the notice on show, None when the strip is hidden."""
        return self.shown.kind if self.shown else None

    def post(self, notice: Notice) -> None:
        """Show `notice`, replacing its owner's previous one."""
        self._notices.pop(notice.owner, None)
        self._notices[notice.owner] = notice
        self._show_most_serious()

    def withdraw(self, *owners: Owner) -> None:
        """Take these owners' notices away; others stay."""
        for owner in owners:
            self._notices.pop(owner, None)
        self._show_most_serious()

    def notice_of(self, owner: Owner) -> Notice | None:
        return self._notices.get(owner)

    def clear(self) -> None:
        self._notices.clear()
        self._show_most_serious()

    def _show_most_serious(self) -> None:
        newest_first = list(reversed(self._notices.values()))
        notice = max(newest_first, key=lambda n: n.kind, default=None)  # max keeps the first of equals
        self.shown = notice
        if notice is None:
            self.label.clear()
            self.hide()
            return
        self.setStyleSheet(f"QFrame#banner {{ {_STYLES[notice.kind]} border-radius: 4px; }}"
                           " QLabel { border: none; background: transparent; }")
        self.label.setText(notice.text)
        label = notice.action.label if notice.action else ""
        self.button.setText(label)
        self.button.setAccessibleName(label)
        self.button.setVisible(notice.action is not None)
        self.show()

    def _clicked(self) -> None:
        if self.shown is not None and self.shown.action is not None:
            self.shown.action.run()


__all__ = ["Action", "Banner", "Kind", "Notice", "Owner"]
