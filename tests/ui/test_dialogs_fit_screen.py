"""At QT_SCALE_FACTOR=2 on Xvfb's 1280×800 (640×400 logical) the Reminders settings and the
Activity log open within the screen, their buttons on it, and no label is cut (a label that
does not wrap made the Reminders dialog wider than the screen)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SCRIPT = r"""
import json, sys, tempfile
from pathlib import Path
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QScrollArea
from myssl_desktop.activity import ActivityLog
from myssl_desktop.profiles import Profile
from myssl_desktop.reminders.preferences import ReminderPrefsStore
from myssl_desktop.ui.activity.dialog import ActivityDialog
from myssl_desktop.ui.common.ops import Ops
from myssl_desktop.ui.reminders.settings_dialog import ReminderSettings

app = QApplication(sys.argv[:1])
folder = Path(tempfile.mkdtemp())
ops = Ops()
dialogs = {"reminders": ReminderSettings(ReminderPrefsStore(folder), [Profile.new("Work", "http://127.0.0.1:9/api/v1")],
                                         tray=False),
           "activity": ActivityDialog(ActivityLog(folder), ops)}
report = {}
for name, dialog in dialogs.items():
    dialog.show()
    for _ in range(20):
        app.processEvents()
    room, frame = dialog.screen().availableGeometry(), dialog.frameGeometry()
    buttons = dialog.findChild(QDialogButtonBox)
    corner = buttons.mapTo(dialog, buttons.rect().bottomRight())
    scroll = dialog.findChild(QScrollArea)
    cut = [label.text() for label in dialog.findChildren(QLabel)
           if label.isVisible() and not label.wordWrap() and label.sizeHint().width() > label.width()]
    report[name] = {"room": [room.x(), room.y(), room.width(), room.height()],
                    "frame": [frame.x(), frame.y(), frame.width(), frame.height()],
                    "buttons_in": dialog.rect().contains(corner), "cut": cut,
                    "sideways": bool(scroll and scroll.horizontalScrollBar().maximum())}
    dialog.close()
print(json.dumps(report))
"""


def _inside(frame: list[int], room: list[int]) -> bool:
    return (frame[0] >= room[0] and frame[1] >= room[1] and frame[0] + frame[2] <= room[0] + room[2]
            and frame[1] + frame[3] <= room[1] + room[3])


@pytest.mark.xserver
def test_at_twice_the_scale_the_reminders_and_activity_dialogs_fit_the_screen() -> None:
    assert os.environ.get("DISPLAY"), "needs an X server: run packaging/dev/run-tests.sh (it starts Xvfb)"
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", QT_SCALE_FACTOR="2")
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True,
                         timeout=120, check=True).stdout
    report = json.loads(out.strip().splitlines()[-1])
    for name in ("reminders", "activity"):
        got = report[name]
        assert got["room"][2] <= 640 and _inside(got["frame"], got["room"]), (name, got)
        assert got["buttons_in"] and not got["cut"] and not got["sideways"], (name, got)
