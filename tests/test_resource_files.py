"""The resource files are found through importlib.resources however the package is laid out:
the source tree, and a zip on sys.path (where nothing is a real folder). The wheel install
is tests/test_packaging_wheel.py."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from myssl_desktop import resource_files

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
from myssl_desktop import resource_files
key = resource_files.read_icon_svg("key")
app = resource_files.read_icon_svg("app-icon")
print(len(key), len(app), resource_files.describe_location())
"""


def test_icons_and_the_app_icon_are_read_from_the_source_tree() -> None:
    assert resource_files.read_icon_svg("key") == (ROOT / "resources" / "icons" / "key.svg").read_bytes()
    assert resource_files.read_icon_svg("app-icon") == (ROOT / "resources" / "app-icon.svg").read_bytes()
    assert resource_files.describe_location() == str(ROOT / "resources")


def test_a_zipped_install_reads_them_without_a_folder(tmp_path: Path) -> None:
    archive = tmp_path / "site.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in (ROOT / "myssl_desktop").rglob("*.py"):
            bundle.write(path, path.relative_to(ROOT).as_posix())
        for path in (ROOT / "resources").rglob("*"):
            if path.suffix in {".py", ".svg"}:
                bundle.write(path, "myssl_desktop/resources/" + path.relative_to(ROOT / "resources").as_posix())
    result = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(archive)!r})\n" + PROBE],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    key, app, location = result.stdout.split(maxsplit=2)
    assert int(key) == (ROOT / "resources" / "icons" / "key.svg").stat().st_size
    assert int(app) == (ROOT / "resources" / "app-icon.svg").stat().st_size
    assert location.strip() == f"{archive}/myssl_desktop/resources/"
