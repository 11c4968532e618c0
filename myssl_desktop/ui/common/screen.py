"""Windows kept within the screen they open on.

At QT_SCALE_FACTOR=2 a 1400×900 screen is 700×450: a size that suits scale 1 (or a layout
saved on a larger screen) would put a window's buttons off-screen.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QWidget

FRAME_SLACK = QSize(16, 48)  # a window manager's frame, before the window is shown and it is known


def fit_on_screen(window: QWidget, slack: QSize | None = None) -> None:
    """Bring a window larger than its screen's free area back within it, and onto it.
    `slack`: room for a frame not yet known (before the first show)."""
    screen = window.screen()
    if screen is None:
        return
    room = screen.availableGeometry()
    frame = window.frameGeometry()
    extra_w, extra_h = frame.width() - window.width(), frame.height() - window.height()
    if slack is not None:
        extra_w, extra_h = max(extra_w, slack.width()), max(extra_h, slack.height())
    width = min(window.width(), room.width() - extra_w)
    height = min(window.height(), room.height() - extra_h)
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    frame = window.frameGeometry()
    x = min(max(frame.x(), room.x()), room.right() - frame.width() + 1)
    y = min(max(frame.y(), room.y()), room.bottom() - frame.height() + 1)
    if (x, y) != (frame.x(), frame.y()):
        window.move(x, y)


__all__ = ["FRAME_SLACK", "fit_on_screen"]
