"""Render resources/app-icon.svg into the icon files the installers need, next to it:

    resources/app-icon-<size>.png   16 24 32 48 64 128 256 512 1024 (Linux hicolor, docs)
    resources/app-icon.ico          16..256 in one file (Windows: executables, installer)
    resources/app-icon.icns         16..1024 in one file (macOS .app)

PNGs come from Qt's SVG renderer (PySide6, already a dependency), antialiased, on a
transparent background. The .ico and .icns are assembled by Pillow when it is importable
(it writes both formats on any OS; no macOS tools needed). The renderings are committed, so
builds do not need Pillow; rerun this after changing the SVG:

    .venv/bin/python packaging/icons/render.py            # PNGs; .ico/.icns too if Pillow is there
    .venv/bin/python packaging/icons/render.py --check    # exit 1 when a rendering is missing
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"
SOURCE = RESOURCES / "app-icon.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)  # what Pillow's ICNS writer stores


def png_path(size: int) -> Path:
    return RESOURCES / f"app-icon-{size}.png"


def render_pngs() -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QByteArray, QRectF, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(QByteArray(SOURCE.read_bytes()))
    if not renderer.isValid():
        raise SystemExit(f"render: {SOURCE} is not a valid SVG")
    written = []
    for size in PNG_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        path = png_path(size)
        if not image.convertToFormat(QImage.Format.Format_ARGB32).save(str(path), "PNG"):
            raise SystemExit(f"render: could not write {path}")
        written.append(path)
    return written


def write_ico_icns() -> list[Path]:
    try:
        from PIL import Image
    except ImportError:
        print("render: Pillow is not installed, so app-icon.ico and app-icon.icns were left as they are "
              "(pip install pillow, then rerun)", file=sys.stderr)
        return []
    images = {size: Image.open(png_path(size)).convert("RGBA") for size in PNG_SIZES}
    ico = RESOURCES / "app-icon.ico"
    # Each size from its own rendering (crisper than downscaling one large image).
    images[max(ICO_SIZES)].save(ico, format="ICO", sizes=[(s, s) for s in ICO_SIZES],
                                append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)])
    icns = RESOURCES / "app-icon.icns"
    images[1024].save(icns, format="ICNS", append_images=[images[s] for s in ICNS_SIZES if s != 1024])
    return [ico, icns]


def missing() -> list[str]:
    """Renderings that are not there (modification times say nothing after a git checkout)."""
    wanted = [png_path(size) for size in PNG_SIZES] + [RESOURCES / "app-icon.ico", RESOURCES / "app-icon.icns"]
    return [str(p.relative_to(ROOT)) for p in wanted if not p.is_file()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report missing renderings")
    args = parser.parse_args(argv)
    if args.check:
        absent = missing()
        for path in absent:
            print(f"render: {path} is missing", file=sys.stderr)
        return 1 if absent else 0
    for path in render_pngs() + write_ico_icns():
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
