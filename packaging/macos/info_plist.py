"""Write the Info.plist that packaging/pyinstaller/myssl-desktop.spec gives the macOS .app,
on any OS, so that CI without a Mac can check it (tests/test_macos_bundle.py):

    python packaging/macos/info_plist.py OUT_DIR     -> OUT_DIR/MySSL Desktop.app/Contents/Info.plist

The spec is evaluated as on macOS (sys.platform "darwin"), with PyInstaller's build steps
replaced by stand-ins that only record their arguments; PyInstaller's own BUNDLE then
builds a skeleton .app from what the spec passed to BUNDLE, writing the Info.plist as it
does on a Mac (its defaults merged with the spec's info_plist). Nothing is signed.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

SPEC = Path(__file__).resolve().parents[1] / "pyinstaller" / "myssl-desktop.spec"


class _Recorded:
    """A stand-in for Analysis, PYZ, EXE and COLLECT: keeps its arguments, builds nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args, self.kwargs = args, kwargs
        self.binaries: list[Any] = []
        self.datas: list[Any] = []
        self.pure: list[Any] = []
        self.scripts: list[Any] = []


def bundle_arguments() -> tuple[tuple[Any, ...], dict[str, Any]]:
    """What the spec passes to BUNDLE when it runs on macOS."""
    recorded: dict[str, Any] = {}

    def bundle(*args: Any, **kwargs: Any) -> None:
        recorded["args"], recorded["kwargs"] = args, kwargs

    namespace = {"__file__": str(SPEC), "SPECPATH": str(SPEC.parent), "Analysis": _Recorded, "PYZ": _Recorded,
                 "EXE": _Recorded, "COLLECT": _Recorded, "BUNDLE": bundle}
    platform, path, modules = sys.platform, list(sys.path), set(sys.modules)
    sys.platform = "darwin"
    try:
        exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    finally:
        sys.platform = platform
        sys.path[:] = path
        for name in set(sys.modules) - modules:  # trim.py was imported as on macOS
            del sys.modules[name]
    if "kwargs" not in recorded:
        raise SystemExit(f"{SPEC} made no BUNDLE on macOS")
    return recorded["args"], recorded["kwargs"]


def write_app(out_dir: Path) -> Path:
    from PyInstaller.building import osx
    from PyInstaller.config import CONF

    _, kwargs = bundle_arguments()
    work = Path(tempfile.mkdtemp(prefix="info-plist-"))
    executable = work / "myssl-desktop"  # the .app's CFBundleExecutable: COLLECT's first EXE
    executable.write_bytes(b"")
    CONF.update(specpath=str(SPEC.parent), distpath=str(out_dir), workpath=str(work), spec=str(SPEC),
                specnm=SPEC.stem, code_cache={})
    osx.is_darwin = True
    os.environ["PYINSTALLER_STRICT_BUNDLE_CODESIGN_ERROR"] = "0"  # no codesign here: a warning
    # console=True, as COLLECT hands down from myssl-keys (the case the spec must override).
    osx.BUNDLE([(executable.name, str(executable), "EXECUTABLE")], **kwargs)
    return out_dir / kwargs["name"] / "Contents" / "Info.plist"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    print(write_app(Path(sys.argv[1]).resolve()))
