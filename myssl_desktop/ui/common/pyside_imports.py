"""A cheaper answer to the question PySide6 asks of every module imported after it.

PySide6 supports `from __feature__ import snake_case` per module. To know which modules
could use it, its import hook reads each newly imported module's source with
`inspect.getsource` and looks for "PySide6" (shibokensupport's `_mod_uses_pyside`). Through
inspect and linecache that costs about 10 ms of the app's start, for a question a plain read
of the file's bytes answers the same way.
"""

from __future__ import annotations

import sys
from types import ModuleType


def cheapen_feature_probe() -> bool:
    """Answer PySide6's "does this module use PySide6?" from the file's bytes. Returns whether
    the hook was found (a PySide6 without it, or frozen without sources, keeps its own)."""
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or original is None or getattr(original, "reads_bytes", False):
        return False

    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as source:
                    return b"PySide6" in source.read()
            except OSError:
                pass
        return bool(original(module))  # no source file: PySide6's own answer

    uses_pyside.reads_bytes = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]
    return True


__all__ = ["cheapen_feature_probe"]
