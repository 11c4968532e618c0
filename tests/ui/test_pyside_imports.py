"""PySide6's per-module "does it use PySide6?" question, answered from the file's bytes."""

from __future__ import annotations

import importlib
import sys

import PySide6.QtCore  # noqa: F401 - loads shibokensupport.feature

from myssl_desktop.ui.common.pyside_imports import cheapen_feature_probe


def test_the_cheaper_probe_answers_as_pysides_own(tmp_path, monkeypatch) -> None:
    feature = sys.modules["shibokensupport.feature"]
    original = feature._mod_uses_pyside
    monkeypatch.setattr(feature, "_mod_uses_pyside", original)  # put back after the test
    assert cheapen_feature_probe()
    assert feature._mod_uses_pyside is not original
    assert not cheapen_feature_probe(), "installed once"

    (tmp_path / "probe_uses_qt.py").write_text("from PySide6.QtCore import QObject\n")
    (tmp_path / "probe_plain.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name, uses in (("probe_uses_qt", True), ("probe_plain", False)):
        module = __import__(name)  # through builtins.__import__, which PySide6 hooks (import_module is not)
        monkeypatch.delitem(sys.modules, name)
        assert feature._mod_uses_pyside(module) is uses is original(module)
        assert feature.pyside_feature_dict[name] == (0 if uses else -1), "set by the import hook"
    for module in (sys, importlib, sys.modules["myssl_desktop.ui.common.pyside_imports"]):
        assert feature._mod_uses_pyside(module) == original(module)
