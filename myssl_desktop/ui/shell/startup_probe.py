"""The start-up probe of benchmarks/startup.py: says when each stage of a start is on screen,
up to the signed-in profile's keys painted, first the offline copy, then the fresh list."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, QTimer
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


class _PlacesPainted(QObject):
    """Where the account bar and the key list were in the window when they first painted, and
    when they last did: a list painted before the window was laid out jumps once it is."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.first: dict[str, list[int]] = {}
        self.last: dict[str, list[int]] = {}
        self._names: dict[QObject, str] = {}

    def watch(self) -> None:
        for name, widget in (("account bar", self._window.view.account_bar), ("key list", self._window.view.keys)):
            self._names[widget] = name
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint and isinstance(watched, QWidget):
            corner = watched.mapTo(self._window, QPoint(0, 0))
            place = [corner.x(), corner.y(), watched.width(), watched.height()]
            self.first.setdefault(self._names[watched], place)
            self.last[self._names[watched]] = place
        return False


def watch_keys_painted(window: MainWindow, report: Callable[[str, dict[str, list[int]]], None],
                       done: Callable[[], None]) -> None:
    """Report "frame", "content", then "cached" and "fresh" as the table paints each list, with
    the list's place from "cached" on; `done` after the fresh list is on screen."""
    places = _PlacesPainted(window)
    window.view_ready.connect(places.watch)  # before the account opens
    window.frame_painted.connect(lambda: report("frame", {}))
    window.first_painted.connect(lambda: report("content", places.last))
    reported: set[str] = set()

    def shown(cached: bool) -> None:
        stage = "cached" if cached else "fresh"
        if stage in reported:
            return
        reported.add(stage)
        if cached and not window.content_built:  # painted with the key list, before the rest is built
            window.view_painted.connect(lambda: report(stage, places.first))
            return
        viewport = window.content.keys.table.viewport()

        def painted() -> None:
            report(stage, places.last)
            if not cached:
                done()

        _AfterNextPaint(viewport, painted)
        viewport.update()

    window.keys_shown.connect(shown)


__all__ = ["watch_keys_painted"]
