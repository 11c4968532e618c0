"""The start-up probe of benchmarks/startup.py: says when each stage of a start is on screen,
up to the signed-in profile's keys painted, first the offline copy, then the fresh list."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from .main_window import MainWindow


class _AfterNextPaint(QObject):
    """Calls `then` once `widget` has painted again."""

    def __init__(self, widget: QWidget, then: Callable[[], None]) -> None:
        super().__init__(widget)
        self._then = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._then)  # runs once this paint is done
            self.deleteLater()
        return False


def watch_keys_painted(window: MainWindow, report: Callable[[str], None], done: Callable[[], None]) -> None:
    """Report "frame", "content", then "cached" and "fresh" as the table paints each list;
    `done` after the fresh list is on screen."""
    window.frame_painted.connect(lambda: report("frame"))
    window.first_painted.connect(lambda: report("content"))
    reported: set[str] = set()

    def shown(cached: bool) -> None:
        stage = "cached" if cached else "fresh"
        if stage in reported:
            return
        reported.add(stage)
        if cached and not window.content_built:  # painted with the key list, before the rest is built
            window.view_painted.connect(lambda: report(stage))
            return
        viewport = window.content.keys.table.viewport()

        def painted() -> None:
            report(stage)
            if not cached:
                done()

        _AfterNextPaint(viewport, painted)
        viewport.update()

    window.keys_shown.connect(shown)


__all__ = ["watch_keys_painted"]
