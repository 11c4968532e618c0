"""Copying a key secret to the clipboard the way a password manager does (KeePassXC is the model).

The copy is marked so that clipboard managers and the OS clipboard history skip it, and it is
cleared after a countdown, on idle, on screen lock and at quit, but only while the clipboard
still holds what we put there: whatever the user copied since is never touched.
"""

from __future__ import annotations

import math
import os
import struct
import sys
import time
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QMimeData, QObject, QTimer, Signal
from PySide6.QtGui import QClipboard, QGuiApplication

from myssl_desktop.api.secret import Secret

DEFAULT_TIMEOUT_S = 30

_DWORD_0 = struct.pack("<I", 0)


def _windows_format(name: str) -> str:
    """The mime type under which Qt on Windows puts data in the registered clipboard format `name`.

    Qt's QWindowsMimeRegistry::registerMimeType documents that
    `application/x-qt-windows-mime;value="X"` is registered as clipboard format X. A bare "X"
    would land in the same format through Qt's last-resort converter, but only by accident,
    and setting both would offer that one format twice, so we use only the documented form.
    """
    return f'application/x-qt-windows-mime;value="{name}"'


# Linux: KDE Klipper, CopyQ, GPaste and others skip the copy when this target is offered.
KDE_PASSWORD_HINT = "x-kde-passwordManagerHint"
# Windows: monitors (Ditto, ...) and the Win+V history and cloud clipboard honour these formats.
WINDOWS_EXCLUDE_FROM_MONITORS = _windows_format("ExcludeClipboardContentFromMonitorProcessing")
WINDOWS_HISTORY = _windows_format("CanIncludeInClipboardHistory")
WINDOWS_CLOUD = _windows_format("CanUploadToCloudClipboard")
# macOS: the name KeePassXC and CopyQ use for the nspasteboard.org marker. Stock Qt has no
# mapping for it: its "any mime" handler publishes unknown types as the private UTI
# "com.trolltech.anymime.application--x-nspasteboard-concealed-type", which Qt-based managers
# such as CopyQ read back, but native ones (Maccy, Paste, Alfred) look for the raw UTI
# "org.nspasteboard.ConcealedType" and do not see it. Publishing the raw UTI needs a
# QUtiMimeConverter (KeePassXC registers one in C++); see the report before adding one.
MACOS_CONCEALED = "application/x-nspasteboard-concealed-type"

SECRET_MARKERS: dict[str, bytes] = {
    KDE_PASSWORD_HINT: b"secret",
    WINDOWS_EXCLUDE_FROM_MONITORS: b"\x01\x00\x00\x00",  # presence is what counts
    WINDOWS_HISTORY: _DWORD_0,
    WINDOWS_CLOUD: _DWORD_0,
    MACOS_CONCEALED: b"secret",  # not the secret itself: one copy of it on the clipboard is enough
}
_WINDOWS_ONLY = (WINDOWS_EXCLUDE_FROM_MONITORS, WINDOWS_HISTORY, WINDOWS_CLOUD)


def secret_mime_data(text: str, platform: str = sys.platform) -> QMimeData:
    """`text` as text/plain plus every marker that keeps it out of clipboard managers and history.

    The markers are harmless where nobody reads them (they are extra targets on X11 and Wayland,
    extra registered formats on Windows), so all are set everywhere, except the Windows formats
    on macOS: Qt would turn their names, with `;` and `"`, into UTIs that UTIs may not contain.
    """
    data = QMimeData()
    data.setText(text)
    for mime_type, value in SECRET_MARKERS.items():
        if platform == "darwin" and mime_type in _WINDOWS_ONLY:
            continue
        data.setData(mime_type, value)
    return data


class ClipboardBackend(Protocol):
    """The little of the system clipboard we need; tests use a fake (the real one is flaky there)."""

    def set_mime_data(self, data: QMimeData) -> None: ...

    def text(self) -> str: ...

    def clear(self) -> None: ...


class QtClipboard:
    """The system clipboard through QGuiApplication."""

    def _clipboard(self) -> QClipboard:
        return QGuiApplication.clipboard()

    def set_mime_data(self, data: QMimeData) -> None:
        self._clipboard().setMimeData(data, QClipboard.Mode.Clipboard)  # Qt takes ownership of `data`

    def text(self) -> str:
        return self._clipboard().text(QClipboard.Mode.Clipboard)

    def clear(self) -> None:
        clipboard = self._clipboard()
        ours = clipboard.text(QClipboard.Mode.Clipboard)
        clipboard.clear(QClipboard.Mode.Clipboard)
        # On X11 a user who selected the revealed secret has it in the primary selection too (middle
        # click pastes it). Clear that as well, but only when it is the same text, as KeePassXC does.
        if ours and clipboard.supportsSelection() and clipboard.text(QClipboard.Mode.Selection) == ours:
            clipboard.clear(QClipboard.Mode.Selection)


class SecretClipboard(QObject):
    """Puts a secret on the clipboard and takes it off again after `timeout_s` seconds.

    Only a salted SHA-256 digest of what we copied is kept, never the text, so this object cannot
    leak the secret through a repr, a log line or a memory dump of its attributes.
    """

    countdown = Signal(int)  # seconds until the clipboard is cleared; 0 when the countdown ends
    cleared = Signal()  # we took our secret off the clipboard

    def __init__(self, backend: ClipboardBackend | None = None, timeout_s: int = DEFAULT_TIMEOUT_S,
                 parent: QObject | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self._backend: ClipboardBackend = backend if backend is not None else QtClipboard()
        self._clock = clock
        self._timeout_s = self._checked(timeout_s)
        self._salt = os.urandom(16)  # a bare digest could be matched against a list of known keys
        self._digest: bytes | None = None
        self._copied_at = 0.0
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._on_tick)

    def __repr__(self) -> str:
        return f"<SecretClipboard holding={self._digest is not None} seconds_left={self.seconds_left}>"

    @staticmethod
    def _checked(timeout_s: int) -> int:
        if timeout_s < 1:
            raise ValueError(f"the clipboard timeout must be at least 1 second, got {timeout_s}")
        return int(timeout_s)

    @property
    def timeout_s(self) -> int:
        return self._timeout_s

    @timeout_s.setter
    def timeout_s(self, value: int) -> None:
        """A user setting; a countdown already running follows the new value from its copy time."""
        self._timeout_s = self._checked(value)

    @property
    def seconds_left(self) -> int:
        if self._digest is None or not self._tick.isActive():
            return 0
        return max(0, math.ceil(self._copied_at + self._timeout_s - self._clock()))

    def copy_secret(self, secret: Secret) -> None:
        """Put `secret` on the clipboard, marked, and (re)start the countdown."""
        text = secret.reveal()
        self._backend.set_mime_data(secret_mime_data(text))
        self._digest = self._digest_of(text)
        self._copied_at = self._clock()
        self._tick.start()  # restarts a running countdown
        self.countdown.emit(self.seconds_left)

    def holds_ours(self) -> bool:
        """True while the clipboard still holds the secret we copied last."""
        if self._digest is None:
            return False  # nothing of ours to look for: what others copied is never read
        return self._matches(self._backend.text())

    def holds(self, secret: Secret) -> bool:
        """True while the clipboard holds exactly `secret`, copied by us and not yet cleared."""
        return self.holds_ours() and self._matches(secret.reveal())

    def clear_if_ours(self) -> bool:
        """Clear the clipboard if it still holds our secret; say whether it did.

        Called when the countdown ends, at quit, on idle and on screen lock. Either way we stop
        tracking: once the user has copied something else, our copy is gone for good.
        """
        ours = self.holds_ours()
        if ours:
            self._backend.clear()
        self._digest = None
        if self._tick.isActive():
            self._tick.stop()
            self.countdown.emit(0)
        if ours:
            self.cleared.emit()
        return ours

    def _on_tick(self) -> None:
        left = self.seconds_left
        if left > 0:
            self.countdown.emit(left)
        else:
            self.clear_if_ours()  # emits the final 0

    def _matches(self, text: str) -> bool:
        """`text` is the secret we copied last (digests compared in constant time)."""
        import hmac  # here and below, not at import: hashlib loads OpenSSL, ~2 ms of the window's start

        return self._digest is not None and hmac.compare_digest(self._digest, self._digest_of(text))

    def _digest_of(self, text: str) -> bytes:
        import hashlib

        return hashlib.sha256(self._salt + text.encode("utf-8")).digest()
