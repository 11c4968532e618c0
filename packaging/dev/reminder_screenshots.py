"""Screenshots of a reminder notification (drawn by dunst, a real notification daemon) and of
the tray menu (in trayer, a real tray), for the README. Run by reminder-screenshots.sh inside
Xvfb, openbox and a D-Bus session; writes docs/reminder-notification.png and docs/tray-menu.png."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication, QSystemTrayIcon

ROOT = Path(__file__).resolve().parents[2]
CONVERT = "/usr/bin/convert"  # imagemagick's (a bare `convert` may be another program)
app = QApplication(sys.argv[:1])


def wait(condition, seconds: float = 20) -> bool:  # noqa: ANN001
    end = time.monotonic() + seconds
    while not condition() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)
    return bool(condition())


def geometry(window: str) -> tuple[int, int, int, int]:
    text = subprocess.run(["xwininfo", "-id", window], capture_output=True, text=True).stdout
    values = [int(re.search(rf"{name}:\s+(-?\d+)", text).group(1)) for name in
              ("Absolute upper-left X", "Absolute upper-left Y", "Width", "Height")]
    return values[0], values[1], values[2], values[3]


def shoot(path: Path, x: int, y: int, width: int, height: int) -> None:
    with tempfile.NamedTemporaryFile(suffix=".png") as whole:
        subprocess.run(["import", "-window", "root", whole.name], check=True)
        subprocess.run([CONVERT, whole.name, "-crop", f"{width}x{height}+{max(0, x)}+{max(0, y)}", "+repage",
                        str(path)], check=True)
    print(f"wrote {path}")


def main() -> None:
    from myssl_desktop.api import Secret
    from myssl_desktop.paths import AppDirs
    from myssl_desktop.profiles import Profile
    from myssl_desktop.reminders.findings import Event
    from myssl_desktop.reminders.preferences import ProfileReminders, ReminderPrefsStore
    from myssl_desktop.sandbox import Sandbox
    from myssl_desktop.services import Services
    from myssl_desktop.ui.shell.resident import Resident

    assert wait(QSystemTrayIcon.isSystemTrayAvailable), "no tray: start trayer first"
    services = Services.build(AppDirs.under(Path(tempfile.mkdtemp())))
    with Sandbox(tier="enterprise", seed="demo") as sb:
        profile, _ = services.signin.sign_in(Profile.new("Work", sb.base_url), Secret(sb.admin_key))
        store = ReminderPrefsStore(services.dirs.config)
        store.save(store.load().with_profile(profile.id, ProfileReminders(events=frozenset({Event.SPIKE}))))
        resident = Resident(app, lambda: services, lambda: None, interval_s=3600, on_quit=lambda: None)
        resident.start_hidden()
        resident.scheduler.run_now()
        assert wait(lambda: resident.scheduler.checks == 1)
        dunst = ""
        wait(lambda: bool(subprocess.run(["xdotool", "search", "--class", "Dunst"], capture_output=True,
                                         text=True).stdout.strip()), 10)
        dunst = subprocess.run(["xdotool", "search", "--class", "Dunst"], capture_output=True, text=True).stdout.split()
        wait(lambda: False, 1)  # let dunst draw
        x, y, width, height = geometry(dunst[-1])
        shoot(ROOT / "docs" / "reminder-notification.png", x - 8, y - 8, width + 16, height + 16)

        subprocess.run(["dunstctl", "close-all"], check=False)
        [icon] = [w for w in app.topLevelWidgets() if w.metaObject().className() == "QSystemTrayIconSys"]
        ix, iy, iw, ih = geometry(str(int(icon.winId())))
        subprocess.run(["xdotool", "mousemove", str(ix + iw // 2), str(iy + ih // 2), "click", "3"], check=True)
        tray = resident.tray
        assert wait(tray.menu.isVisible)
        wait(lambda: False, 0.5)
        menu = tray.menu.geometry()
        left = min(menu.x(), ix) - 8
        shoot(ROOT / "docs" / "tray-menu.png", left, 0, max(menu.right(), ix + iw) - left + 8,
              max(menu.bottom(), iy + ih) + 8)
        resident.notifier.close()


main()
