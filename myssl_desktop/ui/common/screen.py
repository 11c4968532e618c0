"""A window or dialog brought within the screen it opens on (at QT_SCALE_FACTOR=2 a 1400×900
screen is 700×450: a size fine at scale 1 would hide its buttons)."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QWidget

FRAME_SLACK = QSize(16, 48)  # a window manager's frame, before the window is shown and it is known


def fit_on_screen(widget: QWidget, slack: QSize | None = FRAME_SLACK) -> None:
    """Shrink `widget` (not below its minimum size) and move it so its frame fits the screen's
    available geometry. `slack`: room for a frame not yet known."""
    screen = widget.screen()
    if screen is None:
        return
    room = screen.availableGeometry()
    frame = widget.frameGeometry()
    extra_w, extra_h = frame.width() - widget.width(), frame.height() - widget.height()
    if slack is not None:
        extra_w, extra_h = max(extra_w, slack.width()), max(extra_h, slack.height())
    widget.resize(min(widget.width(), room.width() - extra_w), min(widget.height(), room.height() - extra_h))
    frame = widget.frameGeometry()
    x = min(max(frame.x(), room.x()), room.right() - frame.width() + 1)
    y = min(max(frame.y(), room.y()), room.bottom() - frame.height() + 1)
    if (x, y) != (frame.x(), frame.y()):
        widget.move(x, y)


__all__ = ["fit_on_screen"]
