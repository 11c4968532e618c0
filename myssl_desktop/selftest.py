"""`myssl-desktop --self-test`: prove that this build of the app works on this machine.

Three checks, each printed on its own line (``ok   name: detail`` or ``FAIL name: reason``):

* window: the real main window, fully built (table, menus, toolbar, icons), shown
  offscreen unless ``QT_QPA_PLATFORM`` says otherwise; fonts and the bundled icons load.
* keychain: a random value stored, read back and deleted under a throw-away entry
  ``self-test/<random>`` of the real keychain (the same backend the app uses).
* api: an in-process sandbox on 127.0.0.1, called through the app's HTTP client.

Exits 0 only when every check passed. Works from the source tree and frozen (PyInstaller),
where it proves that the Qt plugins, the keyring backends and the data files made it into
the bundle. Never prints a secret: the throw-away value is generated here and every
message is passed through `redact` and scrubbed of it before printing.
"""

from __future__ import annotations

import os
import secrets
import sys
import threading
import time
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

from . import __version__

KEYCHAIN_TIMEOUT_S = 30.0  # a locked keychain may wait on an unlock prompt; do not hang forever


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    detail: str


class CheckFailed(Exception):
    """A check found something wrong; the message says what."""


@contextmanager
def _quiet_offscreen_notice() -> Iterator[None]:
    """Showing a window offscreen makes Qt warn that the plugin cannot propagate size hints;
    that is expected here, so drop that one message and pass every other one on."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(mode: object, context: object, message: str) -> None:
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    previous = qInstallMessageHandler(handler)
    try:
        yield
    finally:
        qInstallMessageHandler(previous)


def _check_window() -> str:
    from PySide6.QtGui import QFontDatabase
    from PySide6.QtWidgets import QApplication, QTableView

    from .resource_files import describe_location
    from .ui.common.icons import app_icon, icon
    from .ui.shell.main_window import MainWindow

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    window = MainWindow()  # built in full: table, menus, toolbar, delegates, icons
    try:
        with _quiet_offscreen_notice():
            window.show()
            app.processEvents()
        table = window.content.keys.table
        if not isinstance(table, QTableView) or table.model() is None:
            raise CheckFailed("the main window has no keys table")
        columns = table.model().columnCount()
        if columns < 5:
            raise CheckFailed(f"the keys table has {columns} columns, expected the key columns")
        if window.grab().isNull():
            raise CheckFailed("the main window could not be painted")
        families = QFontDatabase.families()
        if not families:
            raise CheckFailed("no fonts found: text cannot be drawn (install fontconfig and a font such as "
                              "fonts-dejavu-core)")
        if app_icon().isNull() or icon("key").isNull():
            raise CheckFailed(f"the icons in {describe_location()} did not load")
        return (f"main window with a {columns}-column keys table on {app.platformName()}, "
                f"{len(families)} font families, icons from {describe_location()}")
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()


def _check_keychain(value: str) -> str:
    from .api.secret import Secret
    from .keychain import Keychain, KeychainError

    keychain = Keychain()
    entry = f"self-test/{secrets.token_hex(8)}"
    secret = Secret(value)
    try:
        keychain.store(entry, secret)
    except KeychainError as error:  # its message is advice a person can act on
        raise CheckFailed(f"{keychain.backend_name()}: {error}") from None
    try:
        if keychain.load(entry) != secret:
            raise CheckFailed(f"{keychain.backend_name()} returned a different value than was stored")
    finally:
        deleted = keychain.delete(entry)
    if not deleted:
        raise CheckFailed(f"{keychain.backend_name()} could not delete the throw-away entry {entry}")
    if keychain.load(entry) is not None:
        raise CheckFailed(f"{keychain.backend_name()} still returns the entry {entry} after deleting it")
    return f"{keychain.backend_name()} round trip"


def _with_timeout(check: Callable[[], str], seconds: float, what: str) -> str:
    """Run `check` on a daemon thread: a keychain waiting on an unlock prompt must not hang us."""
    outcome: list[str | BaseException] = []

    def run() -> None:
        try:
            outcome.append(check())
        except BaseException as error:  # reported by the caller's thread
            outcome.append(error)

    worker = threading.Thread(target=run, name=f"self-test-{what}", daemon=True)
    worker.start()
    worker.join(seconds)
    if not outcome:
        raise CheckFailed(f"no answer within {seconds:.0f} s (is it locked and waiting for an unlock prompt?)")
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result


def _check_api() -> str:
    from .api import MysslClient
    from .sandbox import Sandbox

    with Sandbox(tier="enterprise") as sandbox:
        client = MysslClient(sandbox.base_url, sandbox.admin_key)
        current = client.current()
        keys = client.all_keys()
        if current.account.tier != "enterprise":
            raise CheckFailed(f"the sandbox answered tier {current.account.tier!r}, expected 'enterprise'")
        if current.api_key.id not in {key.id for key in keys}:
            raise CheckFailed("the key list does not contain the calling key")
        host = sandbox.base_url.split("/")[2]
        return f"sandbox at {host}: current key and account (tier {current.account.tier}), {len(keys)} key(s) listed"


def _describe(error: BaseException) -> str:
    text = str(error).strip()
    if isinstance(error, CheckFailed):
        return text
    from .keychain import KeychainError

    if isinstance(error, KeychainError):
        return text  # already a message a person can act on
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _scrub(text: str, value: str) -> str:
    from .api.secret import redact

    return redact(text.replace(value, "***"))


def _console() -> TextIO | None:
    """Where to print. A windowed Windows build has no stdout: borrow the parent's console."""
    if sys.stdout is not None:
        return sys.stdout
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import ctypes

        if ctypes.windll.kernel32.AttachConsole(-1):  # ATTACH_PARENT_PROCESS
            return open("CONOUT$", "w", encoding="utf-8", errors="replace")  # noqa: SIM115
    return None


def run_checks(value: str) -> list[CheckResult]:
    checks: list[tuple[str, Callable[[], str]]] = [
        ("window", _check_window),
        ("keychain", lambda: _with_timeout(lambda: _check_keychain(value), KEYCHAIN_TIMEOUT_S, "keychain")),
        ("api", _check_api),
    ]
    results = []
    for name, check in checks:
        try:
            detail = check()
        except Exception as error:
            results.append(CheckResult(name, False, _describe(error)))
        else:
            results.append(CheckResult(name, True, detail))
    return results


def offscreen_environment(environ: MutableMapping[str, str], platform: str) -> None:
    """Choose the offscreen Qt platform unless told otherwise. On Windows that plugin reads
    fonts only from QT_QPA_FONTDIR (a FreeType font database, not the Windows font API), so
    point it at the system's fonts; without them no text could be laid out."""
    environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if platform == "win32" and environ["QT_QPA_PLATFORM"].startswith("offscreen"):
        windows = environ.get("WINDIR") or environ.get("SystemRoot") or r"C:\Windows"
        environ.setdefault("QT_QPA_FONTDIR", windows.rstrip("\\") + r"\Fonts")


def main() -> int:
    offscreen_environment(os.environ, sys.platform)
    out = _console()

    def say(line: str) -> None:
        if out is not None:
            print(line, file=out, flush=True)

    frozen = "frozen" if getattr(sys, "frozen", False) else "from source"
    say(f"MySSL Desktop {__version__} self-test ({frozen}, Python {sys.version.split()[0]}, {sys.platform})")
    value = "myssl_k_" + secrets.token_hex(16)  # shaped like a key, so redact() would cut it too
    started = time.monotonic()
    results = run_checks(value)
    for result in results:
        say(_scrub(f"{'ok  ' if result.passed else 'FAIL'} {result.name}: {result.detail}", value))
    failed = [result.name for result in results if not result.passed]
    elapsed = time.monotonic() - started
    if failed:
        say(f"self-test FAILED: {len(failed)} of {len(results)} checks failed ({', '.join(failed)}) "
            f"in {elapsed:.1f} s")
        return 1
    say(f"self-test passed: {len(results)} of {len(results)} checks in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
