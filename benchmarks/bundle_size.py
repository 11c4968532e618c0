"""Installer size against a baseline built in the same run.

Builds the app's one-folder bundle and .deb (packaging/linux/build.sh) and a hello-world
PySide6 bundle (QApplication + QMainWindow, packaging/pyinstaller/hello/) with the same
trimming (packaging/pyinstaller/trim.py), then prints both sizes, their ratio and the .deb
size against the goals of issue 7 (bundle at most 1.1x the hello-world; .deb (xz) at most
45 MB), and what makes up the difference.

    .venv/bin/python benchmarks/bundle_size.py            # build both, then measure
    .venv/bin/python benchmarks/bundle_size.py --reuse    # measure dist/ as it is (build only the baseline)

Exits 0 whatever the figures (a benchmark reports; it does not judge).
"""

from __future__ import annotations

import argparse
import lzma
import os
import subprocess
import sys
import tarfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "dist" / "myssl-desktop"
HELLO_DIST = ROOT / "build" / "bundle-size" / "dist"
HELLO_WORK = ROOT / "build" / "bundle-size" / "work"
RATIO_GOAL = 1.1
DEB_GOAL_MB = 45.0


def size_of(folder: Path) -> int:
    """Bytes of every file (apparent size, symlinks not followed), like `du -sb`."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def xz_size(folder: Path) -> int:
    """Size of the folder as an xz-compressed tar (level 6, as dpkg-deb -Zxz uses)."""

    class Counting:
        def __init__(self) -> None:
            self.count = 0

        def write(self, data: bytes) -> int:
            self.count += len(data)
            return len(data)

    sink = Counting()
    with lzma.open(sink, "wb", preset=6) as compressed, tarfile.open(fileobj=compressed, mode="w") as tar:  # type: ignore[arg-type]
        tar.add(folder, arcname=folder.name)
    return sink.count


def python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def run(command: list[str], what: str) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, PYTHON=python()))
    if result.returncode != 0:
        sys.exit(f"bundle_size: {what} failed:\n{result.stdout}\n{result.stderr[-4000:]}")
    return time.perf_counter() - started


def group(relative: str) -> str:
    parts = relative.split("/")
    if parts[0] == "_internal":
        parts = parts[1:]
    if len(parts) > 1 and parts[0] == "python3.11":
        return "/".join(parts[:3])
    return parts[0]


def difference(app: Path, hello: Path, top: int = 8) -> list[tuple[str, int]]:
    def sizes(folder: Path) -> Counter[str]:
        counts: Counter[str] = Counter()
        for p in folder.rglob("*"):
            if p.is_file() and not p.is_symlink():
                rel = p.relative_to(folder).as_posix()
                counts["(executables)" if "/" not in rel else group(rel)] += p.lstat().st_size
        return counts

    delta = sizes(app)
    delta.subtract(sizes(hello))
    return delta.most_common(top)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reuse", action="store_true", help="measure the existing dist/ instead of rebuilding it")
    args = parser.parse_args()
    linux = sys.platform.startswith("linux")

    if not (args.reuse and BUNDLE.is_dir()):
        if linux:
            seconds = run(["bash", "packaging/linux/build.sh"], "packaging/linux/build.sh")
            print(f"built the app bundle, .deb and .tar.gz in {seconds:.0f} s (packaging/linux/build.sh)")
        else:
            seconds = run([python(), "-m", "PyInstaller", "--noconfirm", "--distpath", "dist", "--workpath",
                           "build/pyinstaller", "packaging/pyinstaller/myssl-desktop.spec"], "PyInstaller (app)")
            print(f"built the app bundle in {seconds:.0f} s")
    seconds = run([python(), "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "--distpath", str(HELLO_DIST),
                   "--workpath", str(HELLO_WORK), "packaging/pyinstaller/hello/hello.spec"], "PyInstaller (hello)")
    hello = HELLO_DIST / "hello"
    print(f"built the hello-world bundle in {seconds:.0f} s (same trim.py)")

    app_bytes, hello_bytes = size_of(BUNDLE), size_of(hello)
    ratio = app_bytes / hello_bytes
    print()
    print(f"{'hello-world PySide6 bundle':32} {hello_bytes / 1e6:7.1f} MB")
    print(f"{'myssl-desktop bundle':32} {app_bytes / 1e6:7.1f} MB   ratio {ratio:.2f}x "
          f"(goal <= {RATIO_GOAL}x: {'met' if ratio <= RATIO_GOAL else 'NOT met'})")
    if linux:
        debs = sorted((ROOT / "dist").glob("myssl-desktop_*.deb"), key=lambda p: p.stat().st_mtime)
        if debs:
            deb_mb = debs[-1].stat().st_size / 1e6
            print(f"{debs[-1].name:32} {deb_mb:7.1f} MB   (goal <= {DEB_GOAL_MB:.0f} MB: "
                  f"{'met' if deb_mb <= DEB_GOAL_MB else 'NOT met'})")
        tarballs = sorted((ROOT / "dist").glob("myssl-desktop-*-linux-*.tar.gz"), key=lambda p: p.stat().st_mtime)
        if tarballs:
            print(f"{tarballs[-1].name:32} {tarballs[-1].stat().st_size / 1e6:7.1f} MB")
        print(f"{'hello-world as tar.xz (level 6)':32} {xz_size(hello) / 1e6:7.1f} MB   (what its .deb would weigh)")
    print()
    print("where the difference is (app minus hello-world):")
    for name, delta in difference(BUNDLE, hello):
        print(f"  {delta / 1e6:+7.2f} MB  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
