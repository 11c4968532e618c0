"""packaging/pyinstaller/trim.py's decisions on a made-up bundle: what the rules drop, what
goes with it because only dropped entries needed it, and (macOS) a dropped framework's
resources. The link graph is given here instead of read from real binaries."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from tests.support import load_module_file

TRIM = Path(__file__).parents[1] / "packaging" / "pyinstaller" / "trim.py"
LIB = "PySide6/Qt/lib"


def load_trim() -> ModuleType:
    return load_module_file(TRIM)


@pytest.fixture
def trim(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    module = load_trim()
    links = {  # source path -> what it links to
        "/src/QtWidgets.abi3.so": {"/src/QtWidgets"},
        "/src/libqpdf.dylib": {"/src/QtHelper", "/src/QtWidgets"},
        "/src/QtHelper": set(),
        "/src/QtWidgets": set(),
    }
    monkeypatch.setattr(module, "_real", lambda path: path)
    monkeypatch.setattr(module, "_imports", lambda src: links.get(src, set()))
    return module


BINARIES = [
    ("PySide6/QtWidgets.abi3.so", "/src/QtWidgets.abi3.so", "EXTENSION"),
    (f"{LIB}/QtWidgets.framework/Versions/A/QtWidgets", "/src/QtWidgets", "BINARY"),
    ("PySide6/Qt/plugins/imageformats/libqpdf.dylib", "/src/libqpdf.dylib", "BINARY"),  # the pdf rule
    (f"{LIB}/QtHelper.framework/Versions/A/QtHelper", "/src/QtHelper", "BINARY"),  # only qpdf needs it
]
DATAS = [
    (f"{LIB}/QtWidgets.framework/Resources/Info.plist", "/src/w/Info.plist", "DATA"),
    (f"{LIB}/QtHelper.framework/Resources/Info.plist", "/src/h/Info.plist", "DATA"),
    ("resources/app-icon.svg", "/src/app-icon.svg", "DATA"),
]


def test_a_library_only_dropped_entries_needed_goes_with_its_framework_resources(trim: ModuleType) -> None:
    binaries, datas, dropped = trim.trim(BINARIES, DATAS, log=False)
    assert [entry[0] for entry in binaries] == ["PySide6/QtWidgets.abi3.so",
                                                 f"{LIB}/QtWidgets.framework/Versions/A/QtWidgets"]
    assert [entry[0] for entry in datas] == [f"{LIB}/QtWidgets.framework/Resources/Info.plist",
                                              "resources/app-icon.svg"]
    assert dropped == {"pdf": 1, "only needed by dropped entries": 1, "resources of a dropped framework": 1}


def test_a_kept_library_that_links_to_a_dropped_one_stops_the_build(trim: ModuleType,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trim, "_imports", lambda src: {"/src/libqpdf.dylib"} if src == "/src/QtWidgets" else set())
    with pytest.raises(SystemExit, match="links to dropped"):
        trim.trim(BINARIES, DATAS, log=False)


def test_framework_folders_are_recognised() -> None:
    trim = load_trim()
    assert trim._framework_of(f"{LIB}/QtHelper.framework/Versions/A/Resources/Info.plist") == \
        f"{LIB}/QtHelper.framework/"
    assert trim._framework_of("PySide6\\Qt\\lib\\QtCore.framework\\QtCore") == "PySide6/Qt/lib/QtCore.framework/"
    assert trim._framework_of("PySide6/Qt/lib/libQt6Core.so.6") is None
