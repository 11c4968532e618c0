"""Composition root of `myssl-desktop`: paint the window first, then build the services.

httpx, keyring and the sandbox load after the first paint, on worker threads, so the
window appears at once (benchmarks/startup.py measures it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from . import __version__

# Set to make the app print which heavy modules were loaded at its first paint, then exit
# (used by benchmarks/startup.py and tests/test_startup.py).
STARTUP_PROBE = "MYSSL_DESKTOP_STARTUP_PROBE"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="myssl-desktop", description="Manage MySSL API keys.")
    parser.add_argument("--sandbox", action="store_true",
                        help="run against a built-in MySSL sandbox with demo data (touches no real profile)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
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


def _report_startup(stage: str) -> None:
    loaded = {name: name in sys.modules for name in ("httpx", "keyring", "myssl_desktop.sandbox")}
    print(json.dumps({"stage": stage, "loaded": loaded}), flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    disable_core_dumps()
    from PySide6.QtWidgets import QApplication

    from .ui.shell.main_window import MainWindow, WindowSetup

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("MySSL Desktop")
    app.setOrganizationName("MySSL")
    app.setDesktopFileName("myssl-desktop")
    from .ui.common.theme import apply_theme

    apply_theme(app)
    built: dict[str, Any] = {}

    def setup() -> WindowSetup:
        """After the first paint: the services, the log, and what the window remembers."""
        from .keycache import KeyCache
        from .logs import setup_logging
        from .services import Services

        services = built["services"] = Services.build()
        try:
            setup_logging(services.dirs.log)
        except OSError as error:
            print(f"myssl-desktop: cannot write the log file: {error}", file=sys.stderr)
        return WindowSetup(state_dir=services.dirs.config, key_cache=KeyCache(services.dirs.cache),
                           services=services, log_dir=services.dirs.log)

    window = MainWindow(setup, defer_content=True)
    window.show()

    if os.environ.get(STARTUP_PROBE):
        window.frame_painted.connect(lambda: _report_startup("frame"))
        def content_painted() -> None:
            _report_startup("content")
            app.quit()

        window.first_painted.connect(content_painted)
        return app.exec()

    from .demo import DemoAccount

    demo = DemoAccount()

    def start() -> None:
        from .ui.account.controller import AccountController

        controller = AccountController(built["services"], window, window.content.ctx, open_sandbox=demo.open,
                                       sandbox=args.sandbox)
        window.connect_account(controller)
        built["controller"] = controller
        controller.start()

    window.first_painted.connect(start)
    try:
        return app.exec()
    finally:
        demo.stop()


if __name__ == "__main__":
    sys.exit(main())
