"""Run by tests/reminders/test_tray.py in its own process on the real X server (xcb), with a
tray host (trayer) already there: the resident app starts hidden in the tray, and the tray's
menu is driven with real clicks (xdotool). Prints one JSON line of what it saw. With a second
argument, takes a screenshot of the open menu there (`import -window root`)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication, QSystemTrayIcon

app = QApplication(sys.argv[:1])


def wait(condition, seconds: float = 20) -> bool:  # noqa: ANN001
    """Run the event loop until `condition` holds (X and D-Bus answers arrive as events)."""
    end = time.monotonic() + seconds
    while not condition() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    return bool(condition())


def tray_icon_position() -> tuple[int, int]:
    [widget] = [w for w in app.topLevelWidgets() if w.metaObject().className() == "QSystemTrayIconSys"]

    def info() -> str:
        return subprocess.run(["xwininfo", "-id", str(int(widget.winId()))], capture_output=True, text=True).stdout

    assert wait(lambda: "IsViewable" in info()), "the tray host did not embed the icon"
    text = info()
    x = int(re.search(r"Absolute upper-left X:\s+(-?\d+)", text).group(1))
    y = int(re.search(r"Absolute upper-left Y:\s+(-?\d+)", text).group(1))
    return x + widget.width() // 2, y + widget.height() // 2


def click(x: int, y: int, button: int = 1) -> None:
    subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", str(button)], check=True)


def main() -> dict[str, object]:
    from myssl_desktop.api import Secret
    from myssl_desktop.paths import AppDirs
    from myssl_desktop.profiles import Profile
    from myssl_desktop.sandbox import Sandbox
    from myssl_desktop.services import Services
    from myssl_desktop.ui.account.controller import AccountController
    from myssl_desktop.ui.shell.main_window import MainWindow, WindowSetup
    from myssl_desktop.ui.shell.resident import Resident

    seen: dict[str, object] = {"tray": wait(QSystemTrayIcon.isSystemTrayAvailable)}
    services = Services.build(AppDirs.under(Path(sys.argv[1])))
    quits: list[int] = []
    with Sandbox(tier="enterprise") as sb:
        sb.store.create_key("Old deploy key", ["domains:read"], created_at=time.time() - 120 * 86400)
        services.signin.sign_in(Profile.new("Work", sb.base_url), Secret(sb.admin_key))

        def make_window():  # noqa: ANN202
            window = MainWindow(WindowSetup(state_dir=services.dirs.config, services=services))
            controller = AccountController(services, window, window.content.ctx)
            window.connect_account(controller)
            window.show()
            controller.start()
            return window, lambda: controller

        resident = Resident(app, lambda: services, make_window, interval_s=3600, on_quit=lambda: quits.append(1))
        seen["hidden"] = resident.start_hidden() and resident.window is None
        tray = resident.tray
        assert tray is not None, f"no tray icon ({seen})"
        resident.scheduler.run_now()
        wait(lambda: resident.scheduler.checks == 1)
        x, y = tray_icon_position()

        click(x, y, 3)
        seen["menu_opened"] = wait(tray.menu.isVisible)
        wait(lambda: False, 0.3)  # let the menu paint before the screenshot (nothing to wait on)
        seen["status"] = tray.status.text()
        seen["tooltip"] = tray.icon.toolTip()
        seen["profiles"] = [a.text() for a in tray.profiles_menu.actions()]
        seen["entries"] = [a.text() for a in tray.menu.actions() if a.text()]
        if len(sys.argv) > 2:
            subprocess.run(["import", "-window", "root", sys.argv[2]], check=True)
        where = tray.menu.mapToGlobal(tray.menu.actionGeometry(tray.open_window).center())
        click(where.x(), where.y())
        seen["window_opened"] = wait(lambda: resident.window is not None and resident.window.isVisible())
        window = resident.window
        wait(lambda: window.session is not None and window.is_idle)
        window.close()
        seen["window_released"] = wait(lambda: resident.window is None)
        seen["still_running"] = quits == [] and tray.icon.isVisible()

        click(x, y, 3)
        wait(tray.menu.isVisible)
        where = tray.menu.mapToGlobal(tray.menu.actionGeometry(tray.quit).center())
        click(where.x(), where.y())
        seen["quit"] = wait(lambda: quits == [1])
        resident.notifier.close()
    return seen


print(json.dumps(main()), flush=True)
