"""Time from process start to what a user sees, against a bare PySide6 window's first paint.

All measured in this run, alternating, as whole processes (interpreter start included),
offscreen:
  - the app's first paint (goal: at most 1.25x the bare window's), and its table and menus
    built right after;
  - signed in, as a user starts it (the single-instance check and the tray's code come first):
    the first paint, and the profile's cached keys painted (goal: at most 1.6x), the figure a
    user feels;
  - the fresh list from a sandbox on loopback painted (reported, no goal: it waits on the
    keychain and the network);
  - for scale, the least a key list in PySide6 costs: a bare window holding a table with a
    Python model of 25 rows of plain text (no goal).
The signed-in runs need the Secret Service: the script runs itself again in a throw-away home
with a private D-Bus session and an unlocked gnome-keyring (as the tests do), so it touches
neither your profiles nor your keychain. Compile the package first (`python -m compileall
myssl_desktop`) where PYTHONDONTWRITEBYTECODE is set: an installed app has bytecode.

With --x11 it all runs on a private X server (Xvfb) with a window manager (openbox) instead,
as on a Linux desktop: there the icon theme, fonts and the window manager's round trips cost
what offscreen hides. It needs Xvfb, openbox and xprop (Debian: xvfb, openbox, x11-utils).

    .venv/bin/python benchmarks/startup.py [--x11] [rounds]
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

INNER = "--inner"  # already in the private session
X11 = "--x11"
KEYS = 25  # keys in the signed-in account, each with 30 days of usage

BARE_WINDOW = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class Window(QMainWindow):
    painted = False
    def paintEvent(self, event):
        super().paintEvent(event)
        if not self.painted:
            self.painted = True
            print("painted", flush=True)
            QTimer.singleShot(0, app.quit)

app = QApplication(sys.argv[:1])
window = Window()
window.resize(1100, 650)
window.show()
app.exec()
"""


MINIMAL_TABLE = """
import sys
from PySide6.QtCore import QAbstractTableModel, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

HEADER = ["Name", "Status", "Last used", "24 h", "Total", "Created"]
ROWS = [[f"Service {n}", "active", f"{n} h ago", str(n * 37), str(n * 1234), "2026-11-05"] for n in range(25)]

class Model(QAbstractTableModel):
    def rowCount(self, parent=None):
        return 0 if parent is not None and parent.isValid() else len(ROWS)
    def columnCount(self, parent=None):
        return len(HEADER)
    def data(self, index, role=0):
        return ROWS[index.row()][index.column()] if role == 0 else None
    def headerData(self, section, orientation, role=0):
        return HEADER[section] if role == 0 and orientation == Qt.Orientation.Horizontal else None

class Window(QMainWindow):
    painted = False
    def paintEvent(self, event):
        super().paintEvent(event)
        if not self.painted:
            self.painted = True
            QTimer.singleShot(0, lambda: (print("painted", flush=True), app.quit()))  # after the table's paint

app = QApplication(sys.argv[:1])
window = Window()
window.resize(1100, 650)
table = QTableView()
model = Model()
table.setModel(model)
window.setCentralWidget(table)
window.show()
app.exec()
"""


def stage_times(command: list[str], env: dict[str, str], last: str) -> dict[str, float]:
    """Seconds from spawning the app in probe mode to each stage it reports, up to `last`."""
    with tempfile.TemporaryFile("w+") as errors:  # offscreen Qt's chatter, shown only if the app fails
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, env=env, text=True)
        assert process.stdout is not None
        times: dict[str, float] = {}
        for line in process.stdout:
            stage = json.loads(line)["stage"]
            times[stage] = time.perf_counter() - started
            if stage == last:
                break
        process.stdout.read()  # to its end: the app quits after the last stage it reports
        process.stdout.close()
        if process.wait(timeout=30) != 0 or last not in times:
            errors.seek(0)
            raise SystemExit(f"the app ended before it reported {last!r} (it reported {sorted(times)}):\n"
                             + errors.read())
    return times


def bare_paint(env: dict[str, str], script: str = BARE_WINDOW) -> float:
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, env=env, text=True)
    assert process.stdout is not None
    process.stdout.readline()
    painted = time.perf_counter() - started
    process.stdout.close()
    process.wait(timeout=30)
    return painted


def run_privately(argv: list[str]) -> int:
    """This script again, in a throw-away home, D-Bus session and unlocked gnome-keyring."""
    home = Path(tempfile.mkdtemp(prefix="myssl-startup-"))
    (home / "run").mkdir(mode=0o700)
    env = dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local/share"), XDG_CACHE_HOME=str(home / ".cache"),
               XDG_STATE_HOME=str(home / ".local/state"), XDG_RUNTIME_DIR=str(home / "run"))
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    unlock = 'echo -n startup-benchmark | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$@"'
    try:
        return subprocess.call(["dbus-run-session", "--", "sh", "-c", unlock, "sh",
                                sys.executable, __file__, INNER, *argv], env=env)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def sign_in(sandbox: object) -> None:
    """A profile signed in to `sandbox`'s account, as the app's sign-in leaves it."""
    from myssl_desktop.api import Secret
    from myssl_desktop.profiles import Profile
    from myssl_desktop.services import Services

    services = Services.build()
    services.signin.sign_in(Profile.new("Work", sandbox.base_url), Secret(sandbox.admin_key))  # type: ignore[attr-defined]


def seed(sandbox: object) -> None:
    from datetime import UTC, datetime

    store = sandbox.store  # type: ignore[attr-defined]
    now = time.time()
    for n in range(KEYS - 1):  # and the admin key the profile signs in with
        key_id, _ = store.create_key(f"Service {n + 1}", ["domains:read"], created_at=now - (n + 30) * 86400,
                                     last_used_at=now - n * 3600)
        for back in range(30):
            store.add_usage(key_id, datetime.fromtimestamp(now - back * 86400, UTC).strftime("%Y-%m-%d"), 50 + n)


@contextmanager
def x_display() -> Iterator[dict[str, str]]:
    """A private Xvfb with openbox running on it: the variables that start Qt there."""
    started: list[subprocess.Popen[bytes]] = []
    try:
        read, write = os.pipe()
        started.append(subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1600x1000x24",
                                         "-noreset"], pass_fds=(write,), stderr=subprocess.DEVNULL))
        os.close(write)
        with os.fdopen(read) as displayfd:
            display = displayfd.readline().strip()
        if not display:
            raise SystemExit("Xvfb did not start")
        env = dict(os.environ, DISPLAY=f":{display}", QT_QPA_PLATFORM="xcb")
        wm = subprocess.Popen(["openbox"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append(wm)
        deadline = time.monotonic() + 20
        while "window id" not in subprocess.run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"], env=env,
                                                capture_output=True, text=True).stdout:
            if time.monotonic() > deadline or wm.poll() is not None:
                raise SystemExit("openbox did not start")
            time.sleep(0.05)  # polling a separate process: nothing to wait on
        yield env
    finally:
        for process in reversed(started):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def main() -> None:
    args = sys.argv[1:]
    if args[:1] != [INNER]:
        raise SystemExit(run_privately(args))
    x11 = X11 in args
    counts = [arg for arg in args[1:] if arg != X11]
    rounds = int(counts[0]) if counts else 9
    with x_display() if x11 else nullcontext(dict(os.environ, QT_QPA_PLATFORM="offscreen")) as env:
        measure(env, rounds, "on Xvfb with openbox" if x11 else "offscreen")


def measure(env: dict[str, str], rounds: int, where: str) -> None:
    from myssl_desktop.sandbox import Sandbox

    first_paint = dict(env, MYSSL_DESKTOP_STARTUP_PROBE="1")
    signed_in = dict(env, MYSSL_DESKTOP_STARTUP_PROBE="keys")
    app = [sys.executable, "-m", "myssl_desktop.app"]
    with Sandbox(tier="enterprise") as sandbox:
        seed(sandbox)
        sign_in(sandbox)
        bare_paint(env)  # warm the file cache, and leave the profile's offline copy
        stage_times(app, first_paint, "content")
        stage_times(app, signed_in, "fresh")
        bare, frame, content, signed_in_frame, cached, fresh, table = [], [], [], [], [], [], []
        for _ in range(rounds):
            bare.append(bare_paint(env))
            table.append(bare_paint(env, MINIMAL_TABLE))
            stages = stage_times(app, first_paint, "content")
            frame.append(stages["frame"])
            content.append(stages["content"])
            stages = stage_times(app, signed_in, "fresh")
            signed_in_frame.append(stages["frame"])
            if "cached" in stages:  # else the fresh list won the race (a fast loopback): not counted
                cached.append(stages["cached"])
            fresh.append(stages["fresh"])
    bare_ms = statistics.median(bare) * 1000

    def line(label: str, times: list[float], goal: str = "") -> str:
        if not times:
            return f"  {label:<45} never (the fresh list always came first)"
        ms = statistics.median(times) * 1000
        return f"  {label:<45} {ms:5.0f} ms  ratio {ms / bare_ms:.2f}x{goal}"

    print(f"medians of {rounds} runs, {where}, process start to:")
    print(f"  {'bare PySide6 window, first paint:':<45} {bare_ms:5.0f} ms")
    print(line("myssl-desktop window, first paint:", frame, " (goal: at most 1.25x)"))
    print(line("myssl-desktop table and menus built:", content))
    print(line("signed in, first paint (as a user starts it):", signed_in_frame))
    print(line(f"signed in, cached keys painted ({KEYS} keys):", cached, " (goal: at most 1.6x)")
          + (f"  [{len(cached)} of {rounds} runs]" if len(cached) != rounds else ""))
    print(line("signed in, fresh keys painted (sandbox):", fresh))
    print(line("for scale: a window with a 25-row table:", table))


if __name__ == "__main__":
    main()
