"""One resident app per user: a second `myssl-desktop` asks the first to open its window, then
exits. Without a tray the window is the only way back in, so starting the app again must
bring it back. A Unix socket in the user's runtime folder (POSIX); on Windows, where a tray
always exists, every start is its own app."""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path

from PySide6.QtCore import QObject, QSocketNotifier, Signal

OPEN = b"open\n"


class SingleInstance(QObject):
    activated = Signal()  # another start asked for the window

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self._server: socket.socket | None = None
        self._notifier: QSocketNotifier | None = None

    def claim(self) -> bool:
        """True when this process is the app; False when another one is and was told to open."""
        if not hasattr(socket, "AF_UNIX") or os.name != "posix":
            return True
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError:
            return True  # no runtime folder: every start is its own app
        with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as other:
            other.settimeout(2)
            other.connect(str(self.path))
            other.sendall(OPEN)
            return False
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # left by an app that crashed
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            server.bind(str(self.path))
            os.chmod(self.path, 0o600)
            server.listen(4)
        except OSError:
            server.close()
            return True
        server.setblocking(False)
        self._server = server
        self._notifier = QSocketNotifier(server.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._accept)
        return True

    def _accept(self) -> None:
        if self._server is None:
            return
        with contextlib.suppress(BlockingIOError, OSError):
            connection, _ = self._server.accept()
            with connection:
                connection.settimeout(1)
                if connection.recv(16).startswith(OPEN.strip()):
                    self.activated.emit()

    def hand_over(self, command: list[str]) -> bool:
        """Start `command` (a new app, hidden) to be the app from now on; True when it started."""
        self.release()
        try:
            import subprocess  # here: only a handover needs it, and the window's first paint waits for imports

            subprocess.Popen(command, start_new_session=True, stdin=subprocess.DEVNULL)
        except OSError:
            self.claim()
            return False
        return True

    def release(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
        if self._server is not None:
            self._server.close()
            self._server = None
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()


__all__ = ["SingleInstance"]
