"""`myssl-desktop --sandbox` in a real X server window: it shows the demo keys with their
usage and flags, and keeps them current while the sandbox's traffic moves them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SCRIPT = r"""
import json, sys, tempfile, time
from pathlib import Path
from PySide6.QtWidgets import QApplication
from myssl_desktop.paths import AppDirs
from myssl_desktop.services import Services
from myssl_desktop.demo import DemoAccount
from myssl_desktop.ui.account.controller import AccountController
from myssl_desktop.ui.shell.main_window import MainWindow

app = QApplication(sys.argv[:1])
window = MainWindow()
demo = DemoAccount()
controller = AccountController(Services.build(AppDirs.under(Path(tempfile.mkdtemp()))), window, window.content.ctx,
                               open_sandbox=demo.open, sandbox=True)
window.show()
controller.start()

def wait(condition, seconds=30):
    end = time.time() + seconds
    while not condition() and time.time() < end:
        app.processEvents()
        time.sleep(0.01)
    return condition()

model = window.content.keys.model
wait(lambda: model.total_count > 5 and window.is_idle)
def counts():
    return {model.key_at(r).name: model.key_at(r).request_count for r in range(model.rowCount())}
before = counts()
moved = demo.sandbox.traffic.tick()          # one burst of the --traffic simulator
window.refresh()
wait(lambda: window.is_idle)
after = counts()
image = window.grab().toImage()
colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 23)}
flags = {model.key_at(r).name: list(model.row_at(r).flags) for r in range(model.rowCount())}
print(json.dumps({"platform": app.platformName(), "visible": window.isVisible(), "names": sorted(before),
                  "moved": sum(moved.values()), "grew": sum(after.values()) - sum(before.values()),
                  "flags": flags, "colours": len(colours),
                  "sparklines": sum(1 for r in range(model.rowCount()) if model.row_at(r).usage)}))
demo.stop()
"""


@pytest.mark.xserver
def test_the_sandbox_window_on_a_real_x_server() -> None:
    assert os.environ.get("DISPLAY"), "needs an X server: run packaging/dev/run-tests.sh (it starts Xvfb)"
    env = dict(os.environ, QT_QPA_PLATFORM="xcb")
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True,
                         timeout=120, check=True).stdout
    report = json.loads(out.strip().splitlines()[-1])
    assert report["platform"] == "xcb" and report["visible"]
    assert {"Production Server", "CI/CD Pipeline", "Staging"} <= set(report["names"])
    assert report["sparklines"] >= 10
    assert "stale" in report["flags"]["Legacy Integration"]
    assert any("spike" in f for f in report["flags"].values())
    assert report["moved"] > 0 and report["grew"] >= report["moved"]  # the traffic shows up
    assert report["colours"] > 10  # really painted, not a blank window


FIT_SCRIPT = r"""
import json, sys, time
from pathlib import Path
from PySide6.QtWidgets import QApplication
from myssl_desktop.ui.shell.main_window import MainWindow, WindowSetup

app = QApplication(sys.argv[:1])
window = MainWindow(WindowSetup(state_dir=Path(sys.argv[1])))
if len(sys.argv) > 2:
    window.resize(int(sys.argv[2]), int(sys.argv[3]))  # the layout to save
window.show()
end = time.time() + 20
while time.time() < end and window._content is None:
    app.processEvents()  # until the content is built and the saved layout restored
    time.sleep(0.01)
app.processEvents()
room, frame = window.screen().availableGeometry(), window.frameGeometry()
print(json.dumps({"room": [room.x(), room.y(), room.width(), room.height()],
                  "frame": [frame.x(), frame.y(), frame.width(), frame.height()]}))
window.close()
"""


def _fit_report(state_dir: str, scale: str, *size: int) -> dict[str, list[int]]:
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", QT_SCALE_FACTOR=scale)
    out = subprocess.run([sys.executable, "-c", FIT_SCRIPT, state_dir, *map(str, size)], env=env,
                         capture_output=True, text=True, timeout=120, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _inside(frame: list[int], room: list[int]) -> bool:
    return (frame[0] >= room[0] and frame[1] >= room[1] and frame[0] + frame[2] <= room[0] + room[2]
            and frame[1] + frame[3] <= room[1] + room[3])


@pytest.mark.xserver
def test_at_twice_the_scale_the_window_stays_within_the_screen(tmp_path) -> None:  # noqa: ANN001
    """1280×800 at QT_SCALE_FACTOR=2 is 640×400: neither the first-run size (1200×700) nor a
    layout saved at scale 1 may open larger than that."""
    assert os.environ.get("DISPLAY"), "needs an X server: run packaging/dev/run-tests.sh (it starts Xvfb)"
    first = _fit_report(str(tmp_path / "fresh"), "2")
    assert first["room"][2] <= 640 and _inside(first["frame"], first["room"]), first
    _fit_report(str(tmp_path / "saved"), "1", 1200, 700)  # saved at scale 1
    restored = _fit_report(str(tmp_path / "saved"), "2")
    assert _inside(restored["frame"], restored["room"]), restored
