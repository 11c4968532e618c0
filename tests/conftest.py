"""Shared fixtures. Qt runs offscreen unless a test asks for the real X server."""

from __future__ import annotations

import os

# Without a display and without this, Qt aborts the whole process.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LANG", "C.UTF-8")
