"""Only `myssl_desktop.ui` (and the composition root that starts it) may import Qt, so the
core runs in the CLI, the sandbox and tests without a display."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import myssl_desktop

PACKAGE_DIR = Path(myssl_desktop.__file__).parent
QT_ROOTS = ("PySide6", "shiboken6", "PyQt5", "PyQt6")
# The composition root imports the UI inside main(); the self-test builds the real window.
ALLOWED = {"app.py", "selftest.py"}


def _core_files() -> list[Path]:
    files = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        relative = path.relative_to(PACKAGE_DIR)
        if relative.parts[0] == "ui" or str(relative) in ALLOWED:
            continue
        files.append(path)
    return files


def _qt_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        found += [n for n in names if n.split(".")[0] in QT_ROOTS]
    return found


def test_no_core_module_imports_qt_anywhere_in_its_source() -> None:
    files = _core_files()
    assert any(p.parent.name == "api" for p in files) and any(p.parent.name == "sandbox" for p in files)
    offenders = {str(p.relative_to(PACKAGE_DIR)): _qt_imports(p) for p in files if _qt_imports(p)}
    assert offenders == {}


def test_importing_every_core_module_loads_no_qt() -> None:
    modules = [m.name for m in pkgutil.walk_packages([str(PACKAGE_DIR)], "myssl_desktop.")
               if not m.name.startswith("myssl_desktop.ui") and m.name.removeprefix("myssl_desktop.") + ".py"
               not in ALLOWED
               and not m.name.endswith("__main__")]
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {QT_ROOTS!r}))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "myssl_desktop.api.client" in modules and "myssl_desktop.sandbox" in modules
    assert out.stdout.strip() == "[]"


def test_the_checker_itself_sees_a_qt_import(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("def f():\n    from PySide6.QtCore import QObject\n")
    assert _qt_imports(sample) == ["PySide6.QtCore"]
