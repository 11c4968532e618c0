"""Time from process start to the main window's first paint, against a bare PySide6 window.

Both are measured in this run, alternating, as whole processes (interpreter start
included), offscreen. Goal: the app's first paint at most 1.25x the bare window's. The
app paints its frame first and builds the table and menus right after; the second
figure shows when that is done. Compile the package first (`python -m compileall
myssl_desktop`) where PYTHONDONTWRITEBYTECODE is set: an installed app has bytecode.

    .venv/bin/python benchmarks/startup.py [rounds]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

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


def time_to_lines(command: list[str], env: dict[str, str], lines: int = 1) -> list[float]:
    """Seconds from spawning `command` to each of its first `lines` output lines."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, env=env, text=True)
    assert process.stdout is not None
    times = []
    for _ in range(lines):
        process.stdout.readline()
        times.append(time.perf_counter() - started)
    process.wait(timeout=30)
    return times


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MYSSL_DESKTOP_STARTUP_PROBE="1")
    bare_command = [sys.executable, "-c", BARE_WINDOW]
    app_command = [sys.executable, "-m", "myssl_desktop.app"]
    time_to_lines(bare_command, env)  # warm the file cache for both
    time_to_lines(app_command, env, 2)
    bare, frame, content = [], [], []
    for _ in range(rounds):
        bare += time_to_lines(bare_command, env)
        app_frame, app_content = time_to_lines(app_command, env, 2)
        frame.append(app_frame)
        content.append(app_content)
    bare_ms = statistics.median(bare) * 1000
    frame_ms, content_ms = statistics.median(frame) * 1000, statistics.median(content) * 1000
    print(f"medians of {rounds} runs, offscreen, process start to:")
    print(f"  bare PySide6 window, first paint:        {bare_ms:.0f} ms")
    print(f"  myssl-desktop window, first paint:       {frame_ms:.0f} ms  "
          f"ratio {frame_ms / bare_ms:.2f}x (goal: at most 1.25x)")
    print(f"  myssl-desktop table and menus built:     {content_ms:.0f} ms  "
          f"ratio {content_ms / bare_ms:.2f}x")


if __name__ == "__main__":
    main()
