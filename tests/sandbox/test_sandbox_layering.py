"""The sandbox is stdlib only: no Qt (the app's core rule) and no third-party imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import myssl_desktop.sandbox as sandbox_package

PACKAGE = Path(sandbox_package.__file__).parent
REPO = PACKAGE.parents[1]


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_only_the_standard_library_is_imported() -> None:
    files = sorted(PACKAGE.glob("*.py"))
    assert len(files) >= 8
    for path in files:
        outside = {r for r in _imported_roots(path) if r not in sys.stdlib_module_names
                   and r != "__future__"}
        assert outside == set(), path.name


def test_importing_the_sandbox_loads_no_qt_and_no_httpx() -> None:
    script = ("import sys, myssl_desktop.sandbox, myssl_desktop.sandbox.__main__\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] in "
              "('PySide6', 'shiboken6', 'PyQt5', 'PyQt6', 'httpx')))")
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
