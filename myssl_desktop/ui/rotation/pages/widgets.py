"""What the wizard's pages share: the step header, colours that suit light and dark, and
small widget makers. The pages are views: the wizard tells them what to show; they never
touch the network, the keychain or the journal."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QPlainTextEdit, QProgressBar, QScrollArea, QWidget

from .... import timefmt
from ...common.richtext import html

if TYPE_CHECKING:
    from ....api.models import ApiKey
    from ....rotation.commands import Ran

STEPS = ("Plan", "Create", "Update", "Verify", "Watch", "Done")
# GitHub and Kubernetes were snippets too; they are command targets now (plan.py's Command tab).
SNIPPET_STYLES = (("shell", "Shell export"),)
MASK = "••••••••••••"

# (light background, dark background)
_TONES = {"bad": ("#c62828", "#ff8a80"), "good": ("#2e7d32", "#81c784"), "wait": ("#8a5300", "#ffcc80"),
          "muted": ("#5f6368", "#a0a0a0")}


def tone(widget: QWidget, kind: str) -> str:
    """A text colour that reads well on the widget's background, light or dark."""
    dark = widget.palette().color(QPalette.ColorRole.Window).lightness() < 128
    return _TONES[kind][1 if dark else 0]


def label(text: str = "", *, wrap: bool = True, rich: bool = False) -> QLabel:
    widget = QLabel(text)
    widget.setWordWrap(wrap)
    widget.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    return widget


def scrolling(widget: QWidget) -> QScrollArea:
    """`widget` in a frameless scroll area: long lists of places stay reachable in a small window."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    return area


def command_output() -> QPlainTextEdit:
    """A read-only, fixed-width box for what programs printed (already redacted)."""
    box = QPlainTextEdit()
    box.setReadOnly(True)
    box.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    box.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    box.setMaximumHeight(110)
    return box


def runs_text(runs: tuple[Ran, ...] | list[Ran]) -> str:
    """Each program run: "$ command (exit 0, 0.3 s)", then what it printed."""
    parts = []
    for ran in runs:
        parts.append(f"$ {ran.summary()}" + (f" — {ran.problem}" if ran.problem else ""))
        parts.extend(f"  {line}" for line in ran.output.splitlines())
    return "\n".join(parts)


def busy_bar() -> QProgressBar:
    bar = QProgressBar()
    bar.setRange(0, 0)  # indeterminate
    bar.setTextVisible(False)
    bar.setMaximumHeight(10)
    bar.setAccessibleName("Working")
    return bar


def key_line(key: ApiKey, now: datetime | None = None) -> str:
    """"<b>Name</b> (myssl_k_ab12…) · last used 3 min ago · 1,234 requests in 24 h" (HTML)."""
    used = timefmt.relative(key.last_used_at, now or datetime.now(UTC), never="never used")
    used = used if key.last_used_at is None else f"last used {used}"
    return (f"<b>{html(key.name)}</b> ({key.prefix}…) · {used} · {key.requests_24h:,} requests in the last "
            f"24 h · {key.request_count:,} in all")


class StepHeader(QLabel):
    """Plan › Create › Update › Verify › Watch › Done, the current step in bold."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAccessibleName("Rotation step")
        self.step = 0
        self.set_step(0)

    def set_step(self, index: int) -> None:
        self.step = index
        muted = tone(self, "muted")
        parts = []
        for n, name in enumerate(STEPS):
            if n == index:
                parts.append(f"<b>{n + 1}. {name}</b>")
            elif n < index:
                parts.append(f"{n + 1}. {name}")
            else:
                parts.append(f"<span style='color:{muted}'>{n + 1}. {name}</span>")
        self.setText(" &nbsp;›&nbsp; ".join(parts))
