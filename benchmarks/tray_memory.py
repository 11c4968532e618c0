"""The resident app's footprint: RSS in the tray with the window closed, after a simulated hour
of reminder checks, against a bare PySide6 window measured in the same run.

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

ROOT = Path(__file__).resolve().parents[1]

BARE_WINDOW = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

def rss_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1100, 650)
window.show()
QTimer.singleShot(300, app.quit)
app.exec()
print(rss_kb(), flush=True)
"""

RESIDENT = """
import json, sys, time
from pathlib import Path
from PySide6.QtWidgets import QApplication

def rss_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

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
from myssl_desktop.ui.account.controller import AccountController
from myssl_desktop.ui.shell.main_window import MainWindow, WindowSetup
from myssl_desktop.keycache import KeyCache
from myssl_desktop.ui.shell.resident import Resident

base_url, admin_key, state, checks = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
dirs = AppDirs.under(state)
services = Services.build(dirs)
services.signin.sign_in(Profile.new("Work", base_url), Secret(admin_key))

def make_window():
    window = MainWindow(WindowSetup(state_dir=dirs.config, key_cache=KeyCache(dirs.cache), services=services))
    controller = AccountController(services, window, window.content.ctx)
    window.connect_account(controller)
    window.show()
    controller.start()
    return window, lambda: controller

resident = Resident(app, lambda: services, make_window, tray=True, interval_s=3600, on_quit=lambda: None)
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
    sandbox = subprocess.Popen([sys.executable, "-m", "myssl_desktop.sandbox", "--seed", "demo"],
                               stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    assert sandbox.stdout is not None
    info = json.loads(sandbox.stdout.readline())
    server = NotificationServer()
    bare, open_, first, last, runs = [], [], [], [], []
    try:
        for _ in range(rounds):
            bare.append(int(run(BARE_WINDOW, env=env)))
            with tempfile.TemporaryDirectory() as state:
                result = json.loads(run(RESIDENT, info["base_url"], info["admin_key"], state, str(checks), env=env))
            runs.append(result)
            open_.append(result["open_kb"])
            first.append(result["after_kb"][0])
            last.append(result["after_kb"][-1])
    finally:
        server.close()
        sandbox.terminate()
        sandbox.wait(timeout=10)
    mb = 1024
    bare_mb, open_mb = statistics.median(bare) / mb, statistics.median(open_) / mb
    first_mb, last_mb = statistics.median(first) / mb, statistics.median(last) / mb
    print(f"medians of {rounds} runs, offscreen; {checks} reminder checks (a simulated "
          f"{checks * 15} minutes), {runs[-1]['findings']} findings, errors: {runs[-1]['errors'] or 'none'}")
    print(f"  bare PySide6 window:                     {bare_mb:6.1f} MB RSS")
    print(f"  myssl-desktop, signed in, window open:   {open_mb:6.1f} MB  ratio {open_mb / bare_mb:.2f}x")
    print(f"  in the tray, after the first check:      {first_mb:6.1f} MB  ratio {first_mb / bare_mb:.2f}x")
    print(f"  in the tray, after the last check:       {last_mb:6.1f} MB  ratio {last_mb / bare_mb:.2f}x "
          f"(goal: at most 1.6x)")
    growth = ", ".join(f"{(r['after_kb'][-1] - r['after_kb'][0]) / mb:+.1f}" for r in runs)
    print(f"  growth, first check to last:             {last_mb - first_mb:+6.1f} MB (per run: {growth})")
    print("  each run's checks, MB: " + "; ".join(" ".join(f"{kb / mb:.1f}" for kb in r["after_kb"]) for r in runs))


if __name__ == "__main__":
    main()
