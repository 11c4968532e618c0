"""Composition root of `myssl-desktop`: paint the window first, then build the services.

httpx, keyring and the sandbox load after the first paint, on worker threads, so the
window appears at once (benchmarks/startup.py measures it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__

if TYPE_CHECKING:
    from .services import Services
    from .ui.account.controller import AccountController
    from .ui.shell.main_window import MainWindow

# Set to make the app print which heavy modules were loaded at its first paint, then exit
# (used by benchmarks/startup.py and tests/test_startup.py). Set to "keys", the app starts as
# usual and prints when the profile's cached and fresh keys are painted, then exits.
STARTUP_PROBE = "MYSSL_DESKTOP_STARTUP_PROBE"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="myssl-desktop", description="Manage MySSL API keys.")
    parser.add_argument("--sandbox", action="store_true",
                        help="run against a built-in MySSL sandbox with demo data (touches no real profile)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--hidden", action="store_true",
                        help="start without the window, in the tray (start at login uses it); only where the app "
                             "can stay running (a tray, or reminders kept on)")
    parser.add_argument("--window-closed", action="store_true", help=argparse.SUPPRESS)  # a handover (see below)
    parser.add_argument("--self-test", action="store_true",
                        help="check the window (offscreen), the keychain and the API client, then exit")
    args = parser.parse_args(argv)
    if args.self_test:  # before any window code: it makes its own, offscreen
        from .selftest import main as self_test

        raise SystemExit(self_test())
    return args


def disable_core_dumps() -> None:
    """A core dump of this process could hold secrets; ask the OS not to write one."""
    try:
        import resource
    except ImportError:  # Windows: no core dumps to disable
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _report_startup(stage: str, layout: dict[str, list[int]] | None = None) -> None:
    loaded = {name: name in sys.modules for name in ("httpx", "keyring", "myssl_desktop.sandbox", "PySide6.QtDBus")}
    # PySide6 creates its classes on first use. Handed a QObject or QWidget that Qt made, it creates
    # every subclass it wraps to find the object's class: ~20 ms, worth keeping out of the first list.
    made = {name: name in vars(sys.modules[module]) for module, name in
            (("PySide6.QtCore", "QProcess"), ("PySide6.QtWidgets", "QWizard"))}
    print(json.dumps({"stage": stage, "loaded": loaded, "qt_classes_made": made, "layout": layout or {}}),
          flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    disable_core_dumps()
    from PySide6.QtWidgets import QApplication

    from .ui.common.pyside_imports import cheapen_feature_probe

    cheapen_feature_probe()
    from .ui.shell.main_window import MainWindow, WindowSetup

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("MySSL Desktop")
    app.setOrganizationName("MySSL")
    app.setDesktopFileName("myssl-desktop")
    from .paths import AppDirs
    from .ui.common.theme import start_theme

    check_theme = start_theme(app, AppDirs.default().cache / "appearance")
    built: dict[str, Any] = {}

    def services() -> Services:
        if "services" not in built:
            from .logs import setup_logging
            from .services import Services

            built["services"] = Services.build()
            try:
                setup_logging(built["services"].dirs.log)
            except OSError as error:
                print(f"myssl-desktop: cannot write the log file: {error}", file=sys.stderr)
        return built["services"]  # type: ignore[no-any-return]

    def setup() -> WindowSetup:
        """After the first paint: the services, the log, and what the window remembers."""
        from .keycache import KeyCache

        dirs = services().dirs
        return WindowSetup(state_dir=dirs.config, key_cache=KeyCache(dirs.cache), services=services(),
                           log_dir=dirs.log)

    probe = os.environ.get(STARTUP_PROBE)
    if probe and probe != "keys":
        window = MainWindow(setup, defer_content=True)
        window.show()
        window.frame_painted.connect(lambda: _report_startup("frame"))
        def content_painted() -> None:
            check_theme()
            _report_startup("content")
            app.quit()

        window.first_painted.connect(content_painted)
        return app.exec()

    from .demo import DemoAccount

    demo = DemoAccount()

    def make_window() -> tuple[MainWindow, Callable[[], AccountController | None]]:
        window = MainWindow(setup, defer_content=True)
        if probe == "keys":
            from .ui.shell.startup_probe import watch_keys_painted

            watch_keys_painted(window, _report_startup, app.quit)
        window.show()
        made: list[AccountController] = []

        def start() -> None:
            from .ui.account.controller import AccountController  # after the frame is on screen

            controller = AccountController(services(), window, window.view.ctx, open_sandbox=demo.open,
                                           sandbox=args.sandbox)
            window.connect_account(controller)
            made.append(controller)
            controller.start()

        window.first_painted.connect(check_theme)
        window.view_ready.connect(start)
        return window, lambda: made[0] if made else None

    try:
        if args.sandbox:  # the demo touches no real profile: no tray, no reminders, no second instance check
            built["window"] = make_window()  # held: a window without a parent lives while referenced
            app.setQuitOnLastWindowClosed(True)
            return app.exec()
        from .launchers import command_for
        from .ui.shell.resident import Resident
        from .ui.shell.single_instance import SingleInstance

        single = SingleInstance(_runtime_path() / "app.sock")
        if not single.claim():
            print("myssl-desktop: already running; its window was asked to open.", file=sys.stderr)
            return 0
        # A window closed to the tray hands over to a fresh hidden app, lighter by all the window imported.
        resident = Resident(app, services, make_window, handover=lambda: single.hand_over(
            [*command_for("myssl-desktop"), "--hidden", "--window-closed"]))
        single.activated.connect(lambda: resident.open())
        if not ((args.hidden or args.window_closed) and resident.start_hidden()):
            resident.open()
        elif args.window_closed:
            resident.say_still_running()
        try:
            return app.exec()
        finally:
            single.release()
    finally:
        demo.stop()


def _runtime_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_runtime_dir("myssl-desktop", appauthor=False))


if __name__ == "__main__":
    sys.exit(main())
