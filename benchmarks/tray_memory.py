"""The resident app's footprint: RSS in the tray with the window closed, after a simulated hour
of reminder checks, against a bare PySide6 window measured in the same run (the same way:
in this venv, and as the frozen bundle runs, without what the bundle leaves out).

Two ways to be in the tray: the window closed and released in the same process, and the fresh
hidden app the window hands over to (what the app does; start at login runs the same).

Each is its own process, offscreen. Ours signs in to a sandbox (`--seed demo`, its own process,
so its memory is not ours), opens the window and waits for the key list, closes the window to
the tray (the resident app deletes it and asks glibc to return the freed memory), then runs four
reminder checks, one per simulated quarter hour, each asking the sandbox for the keys and the
usage as the real check does, with notifications sent to a notification server on D-Bus. Goal:
at most 1.6x the bare window, and no growth from the first check to the last.

    packaging/dev/run-tests.sh is not needed: run it inside a D-Bus session with a keychain,
    dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets \
        >/dev/null; .venv/bin/python benchmarks/tray_memory.py [checks] [rounds]'
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

PREAMBLE = """
import os, sys
if os.environ.get("TRAY_BENCH_AS_BUNDLE"):
    # As the frozen app runs: without the httpx command-line extras (rich, click, pygments: the dev
    # venv has them for its test tools) and with the bundle's AES hook instead of `cryptography`.
    for name in ("rich", "click", "pygments"):
        sys.modules[name] = None
    import importlib.util
    spec = importlib.util.spec_from_file_location("rthook", os.environ["TRAY_BENCH_AS_BUNDLE"])
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    sys.modules.update(hook.modules())  # what its install() does where no cryptography is installed

def rss_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
"""

BARE_WINDOW = PREAMBLE + """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1100, 650)
window.show()
QTimer.singleShot(300, app.quit)
app.exec()
print(rss_kb(), flush=True)
"""

RESIDENT = PREAMBLE + """
import json, sys, time
from pathlib import Path
from PySide6.QtWidgets import QApplication


app = QApplication(sys.argv[:1])

def wait(condition, seconds=60):
    end = time.monotonic() + seconds
    while not condition() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)
    assert condition()

from myssl_desktop.api import Secret
from myssl_desktop.keychain import Keychain
from myssl_desktop.paths import AppDirs
from myssl_desktop.profiles import Profile
from myssl_desktop.services import Services
from myssl_desktop.ui.shell.resident import Resident

base_url, admin_key, state, checks, hidden = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]), \
    sys.argv[5] == "hidden"
dirs = AppDirs.under(state)
services = Services.build(dirs)
services.signin.sign_in(Profile.new("Work", base_url), Secret(admin_key))

def make_window():  # its modules load here, as in the app: a hidden app never imports them
    from myssl_desktop.keycache import KeyCache
    from myssl_desktop.ui.account.controller import AccountController
    from myssl_desktop.ui.shell.main_window import MainWindow, WindowSetup

    window = MainWindow(WindowSetup(state_dir=dirs.config, key_cache=KeyCache(dirs.cache), services=services))
    controller = AccountController(services, window, window.content.ctx)
    window.connect_account(controller)
    window.show()
    controller.start()
    return window, lambda: controller

resident = Resident(app, lambda: services, make_window, tray=True, interval_s=3600, on_quit=lambda: None)
open_kb = 0
if hidden:  # what a handover (and start at login) runs: a fresh app that never had the window
    resident.start_hidden()
else:  # the window open, signed in, then closed and released in the same process
    resident.open()
    window = resident.window
    wait(lambda: window.session is not None and window.content.keys.model.total_count > 5 and window.is_idle)
    resident.start()
    window.content.keys.table.selectRow(0)  # the details and a chart, as a user would have seen
    wait(lambda: window.is_idle)
    for _ in range(20):
        app.processEvents()
    open_kb = rss_kb()
    window.close()
    wait(lambda: resident.window is None)
scheduler = resident.scheduler
after = []
for number in range(1, checks + 1):  # one check per simulated quarter hour
    scheduler.run_now()
    wait(lambda: scheduler.checks == number and not scheduler.running)
    for _ in range(20):
        app.processEvents()
    after.append(rss_kb())
resident.notifier.close()
assert "cryptography._rust" not in sys.modules or not os.environ.get("TRAY_BENCH_AS_BUNDLE")
print(json.dumps({"open_kb": open_kb, "after_kb": after, "findings": len(scheduler.last_report.findings),
                  "errors": list(scheduler.last_report.errors)}), flush=True)
"""


def run(code: str, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=300)
    if done.returncode != 0:
        raise SystemExit(f"failed: {done.stderr[-3000:]}")
    return done.stdout.strip().splitlines()[-1]


def main() -> None:
    checks = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        raise SystemExit("run inside a D-Bus session with an unlocked keychain (see the docstring)")
    sys.path.insert(0, str(ROOT))
    from tests.reminders.notification_server import NotificationServer

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    sandbox = subprocess.Popen([sys.executable, "-m", "myssl_desktop.sandbox", "--seed", "demo",
                                "--tier", "enterprise"],
                               stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    assert sandbox.stdout is not None
    info = json.loads(sandbox.stdout.readline())
    server = NotificationServer()
    hook = str(ROOT / "packaging" / "pyinstaller" / "rthooks" / "secretstorage_aes.py")
    try:
        for label, extra in (("as in this venv", {}), ("as the bundle runs", {"TRAY_BENCH_AS_BUNDLE": hook})):
            report(label, measure(dict(env, **extra), info, checks, rounds), checks, rounds)
    finally:
        server.close()
        sandbox.terminate()
        sandbox.wait(timeout=10)


def measure(env: dict[str, str], info: dict[str, str], checks: int, rounds: int) -> dict[str, list[Any]]:
    """Rounds taken in turns: a bare window, ours closed in the same process, ours started hidden."""
    found: dict[str, list[Any]] = {"bare": [], "closed": [], "hidden": []}
    for _ in range(rounds):
        found["bare"].append(int(run(BARE_WINDOW, env=env)))
        for way in ("closed", "hidden"):
            with tempfile.TemporaryDirectory() as state:
                found[way].append(json.loads(run(RESIDENT, info["base_url"], info["admin_key"], state, str(checks),
                                                 way, env=env)))
    return found


def report(label: str, found: dict[str, list[Any]], checks: int, rounds: int) -> None:
    mb = 1024
    bare = statistics.median(found["bare"]) / mb
    print(f"{label}: medians of {rounds} runs, offscreen, after {checks} reminder checks (a simulated "
          f"{checks * 15} minutes; {found['hidden'][-1]['findings']} findings, errors: "
          f"{found['hidden'][-1]['errors'] or 'none'})")
    print(f"  bare PySide6 window:                          {bare:6.1f} MB RSS")
    opened = statistics.median(r["open_kb"] for r in found["closed"]) / mb
    print(f"  ours, signed in, window open:                 {opened:6.1f} MB  {opened / bare:.2f}x")
    for way, words in (("closed", "window closed, same process:"), ("hidden", "fresh hidden app (handover):")):
        first = statistics.median(r["after_kb"][0] for r in found[way]) / mb
        last = statistics.median(r["after_kb"][-1] for r in found[way]) / mb
        growth = ", ".join(f"{(r['after_kb'][-1] - r['after_kb'][0]) / mb:+.1f}" for r in found[way])
        print(f"  tray, {words:<38}  {last:6.1f} MB  {last / bare:.2f}x (goal 1.6x); first check to last: "
              f"{last - first:+.1f} MB (runs: {growth})")


if __name__ == "__main__":
    main()
