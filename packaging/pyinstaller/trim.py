"""What a Qt Widgets + Svg + DBus app does not need in its PyInstaller bundle, and how to
drop it. Shared by myssl-desktop.spec and the hello-world baseline (hello/hello.spec) so
that benchmarks/bundle_size.py compares like with like.

PyInstaller's Qt hooks collect every plugin of each plugin type, and then the binary
dependency analysis pulls in what those plugins link to: the gtk3 platform theme alone
drags GTK, cairo, pango and friends from the build host. So trimming is two steps:

1. drop entries whose bundle name OR source path matches a rule below (the name and the
   path differ: dependencies land flat in the bundle's top folder, Qt libraries under
   PySide6/Qt/lib, and wheel layouts vary per platform);
2. drop the libraries that only the dropped entries needed (a closure over link-time
   imports of what is kept). A library that is dlopen()ed rather than linked stays, as it
   was never a dependency of a dropped entry in the first place.

A kept plugin that links to a dropped library is dropped too (it could never load); a
kept non-plugin that does raises, because the app would not start.

On Linux, a third kind of entry goes: the desktop system libraries (X11/xcb, xkbcommon,
fontconfig/freetype, GLib, D-Bus, libstdc++) that PyInstaller would copy from the build
host. The .deb depends on them instead (packaging/linux/build.sh), so the app uses the
same copies as the user's session (its fontconfig configuration, GIO modules, GL driver
needs of libstdc++), and what only they needed (pcre2, libmount, systemd, gcrypt...) goes
with them. Qt's wheel expects exactly this: it ships Qt and ICU, not the platform.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable

# Python modules nothing in a desktop app imports at run time; PyInstaller would otherwise
# follow optional imports into them.
EXCLUDED_MODULES = ["tkinter", "_tkinter", "idlelib", "lib2to3", "ensurepip", "venv", "pydoc_data",
                    "setuptools", "pkg_resources", "distutils", "pip", "PyInstaller", "pytest", "_pytest",
                    # PySide6/__init__.py imports QtNetwork in a Windows-only OpenSSL branch, which
                    # drags QtNetwork, its TLS and network-information plugins and Kerberos along.
                    # The app talks HTTP through httpx and uses no Qt networking.
                    "PySide6.QtNetwork",
                    # httpx's optional command-line client (httpx._main, guarded by try/except
                    # ImportError in httpx/__init__.py): pygments alone is 1.8 MB per executable.
                    "pygments", "rich", "click",
                    # Only concurrent.futures.ProcessPoolExecutor and anyio.to_process use it;
                    # the app runs its work in threads.
                    "multiprocessing"]
RUNTIME_HOOKS: list[str] = []
if sys.platform.startswith("linux"):
    # SecretStorage takes only AES-CBC from cryptography (12 MB with its own OpenSSL); the
    # bundle's libcrypto provides it instead.
    EXCLUDED_MODULES += ["cryptography", "cffi", "_cffi_backend"]
    RUNTIME_HOOKS.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "rthooks", "secretstorage_aes.py"))

# Python modules as .pyc files in the bundle folder instead of a zlib archive appended to
# each executable: myssl-desktop and myssl-keys then share one copy instead of two.
NOARCHIVE = True

# Strip symbol tables on Linux (a self-built libpython keeps ~18 MB of them). Not on macOS,
# where stripping breaks the signatures of the Qt frameworks, nor on Windows (no-op).
STRIP = sys.platform.startswith("linux")

# Qt platform plugins kept: X11 and Wayland on Linux, Windows, macOS, and offscreen (the
# self-test and headless runs). Gone: eglfs, minimal, minimalegl, linuxfb, vnc,
# vkkhrdisplay, direct2d.
KEEP_PLATFORMS = re.compile(r"^(lib)?q(xcb|offscreen|wayland.*|windows|cocoa)\.(so|dll|dylib)$", re.I)

# Matched against "/"-separated, lower-cased bundle names and source paths, which name the
# same Qt module differently per platform: libQt6Pdf.so.6 (Linux), Qt6Pdf.dll (Windows),
# QtPdf.framework (macOS), PySide6/QtPdf.abi3.so|.pyd (the bindings) - hence "qt6?".
DROP_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (why, re.compile(pattern, re.I)) for why, pattern in (
        # Pulls GTK 3, cairo, pango, harfbuzz, gdk-pixbuf... from the build host.
        ("gtk3 platform theme", r"/platformthemes/(lib)?qgtk3\b"),
        ("pdf", r"(^|/)(lib)?qt6?pdf|/imageformats/(lib)?qpdf\b"),
        ("virtual keyboard", r"virtualkeyboard"),
        ("eglfs", r"/egldeviceintegrations/|/platforms/(lib)?qeglfs|(^|/)(lib)?qt6?eglfs"),
        ("QML and Quick", r"(^|/)(lib)?qt6?(qml|quick|labs)|/qml/|/qmltooling/|/qmllint/|/scenegraph/"),
        ("Designer", r"/designer/|(^|/)(lib)?qt6?designer|(^|/)(lib)?pyside6qml"),
        # Qt networking: PySide6.QtNetwork is excluded (see EXCLUDED_MODULES), nothing links to it.
        ("Qt networking", r"(^|/)(lib)?qt6?network|/plugins/(tls|networkinformation)/"),
        # Input plugins for eglfs/linuxfb (evdev) and TUIO touch over the network; loaded only
        # when asked for with -plugin or QT_QPA_GENERIC_PLUGINS, never on X11/Wayland/Windows/macOS.
        ("generic input plugins", r"/plugins/generic/"),
        # Qt's own message catalogues (qtbase_de.qm...): the app installs no QTranslator, its UI
        # is English only. Drop this rule when the app is translated.
        ("Qt translations", r"/qt/translations/|(^|/)translations/qt[a-z_]*\.qm$"),
    )
)


# Linux libraries provided by the distribution (packaging/linux/build.sh DEPENDS names their
# packages and checks that every library the bundle links to but does not carry is covered).
SYSTEM_LIBRARY = re.compile(
    r"^lib(x11|x11-xcb|xau|xdmcp|xcb(-[a-z0-9-]+)?|xkbcommon(-x11)?|fontconfig|freetype"
    r"|(glib|gio|gobject|gmodule|gthread)-2\.0|dbus-1|stdc\+\+|gcc_s)\.so(\.[0-9]+)*$", re.I)


def system_library(dest: str) -> bool:
    """True for a Linux system library the bundle leaves to the distribution."""
    return sys.platform.startswith("linux") and bool(SYSTEM_LIBRARY.match(_norm(dest).rsplit("/", 1)[-1]))


def _norm(path: str) -> str:
    return path.replace("\\", "/").lower()


def _source_tail(src: str) -> str:
    """The part of a source path that says what it is: below site-packages (PySide6/Qt/...),
    else the file name. A checkout under /home/someone/qml/ must not match the QML rule."""
    path = _norm(src)
    marker = "site-packages/"
    return path.rsplit(marker, 1)[1] if marker in path else path.rsplit("/", 1)[-1]


def drop_reason(dest: str, src: str | None) -> str | None:
    """Why this bundle entry goes, or None to keep it. Tests the name and the source path."""
    names = [_norm(dest)] + ([_source_tail(src)] if src else [])
    for name in names:
        if "/plugins/platforms/" in name or name.startswith("platforms/"):
            if not KEEP_PLATFORMS.match(name.rsplit("/", 1)[-1]):
                return "extra platform plugin"
        for why, pattern in DROP_RULES:
            if pattern.search("/" + name):
                return why
    return None


def _framework_of(dest: str) -> str | None:
    """The `….framework/` folder a bundle entry lies in (macOS), or None."""
    path = dest.replace("\\", "/")
    end = path.find(".framework/")
    return path[:end + len(".framework/")] if end >= 0 else None


def _is_plugin(dest: str) -> bool:
    return "/plugins/" in _norm("/" + dest)


def _real(path: str) -> str:
    return os.path.normcase(os.path.realpath(path))


def _imports(src: str) -> set[str]:
    """Real paths of the libraries `src` links to (PyInstaller's own, cross-platform reader)."""
    from PyInstaller.depend import bindepend

    try:
        found = bindepend.get_imports(src)
    except Exception:  # not a binary PyInstaller can read (a data file in binaries): no imports
        return set()
    if sys.platform.startswith("linux"):
        # PyInstaller reads ldd, which lists the whole transitive closure: keep the direct
        # DT_NEEDED entries only, or a kept library would seem to need its dependencies'
        # dependencies itself.
        direct = _needed(src)
        found = [(name, path) for name, path in found if os.path.basename(name) in direct]
    return {_real(path) for _name, path in found if path}


def _needed(src: str) -> set[str]:
    """DT_NEEDED sonames of an ELF file (objdump comes with binutils, which PyInstaller needs)."""
    import subprocess

    out = subprocess.run(["objdump", "-p", src], capture_output=True, text=True).stdout
    return {line.split()[1] for line in out.splitlines() if line.strip().startswith("NEEDED")}


def trim(binaries: Iterable[tuple[str, str, str]], datas: Iterable[tuple[str, str, str]],
         log: bool = True) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]], dict[str, int]]:
    """Return (binaries, datas, counts of dropped entries by reason)."""
    binaries, datas = list(binaries), list(datas)
    dropped: dict[str, int] = {}

    def note(why: str) -> None:
        dropped[why] = dropped.get(why, 0) + 1

    kept_bin, gone_bin, system_bin = [], [], []
    for entry in binaries:
        why = drop_reason(entry[0], entry[1])
        if system_library(entry[0]):
            note("system library (a package dependency)")
            system_bin.append(entry)
        elif why:
            note(why)
            gone_bin.append(entry)
        else:
            kept_bin.append(entry)
    kept_data = []
    for entry in datas:
        why = drop_reason(entry[0], entry[1])
        if why:
            note(why)
        else:
            kept_data.append(entry)

    by_path = {_real(src): entry for entry in binaries for src in [entry[1]] if src}
    imports = {_real(entry[1]): _imports(entry[1]) for entry in binaries if entry[1]}

    # Kept plugins that link to a dropped library could never load: drop them as well.
    gone_paths = {_real(entry[1]) for entry in gone_bin}
    changed = True
    while changed:
        changed = False
        for entry in list(kept_bin):
            missing = imports.get(_real(entry[1]), set()) & gone_paths
            if not missing:
                continue
            if not _is_plugin(entry[0]):
                names = ", ".join(sorted(by_path[p][0] for p in missing))
                raise SystemExit(f"trim: {entry[0]} links to dropped {names}; relax the rules in {__file__}")
            kept_bin.remove(entry)
            gone_bin.append(entry)
            gone_paths.add(_real(entry[1]))
            note("plugin linking to a dropped library")
            changed = True

    # Libraries reachable only from dropped entries go with them.
    def closure(roots: Iterable[str], stop: set[str] | None = None) -> set[str]:
        seen: set[str] = set()
        todo = list(roots)
        while todo:
            path = todo.pop()
            if path in seen or (stop and path in stop):
                continue
            seen.add(path)
            todo.extend(p for p in imports.get(path, ()) if p in by_path)
        return seen

    # What the system libraries link to comes from the system as well.
    left = gone_paths | {_real(entry[1]) for entry in system_bin}
    needed_by_gone = closure(left) - left
    needed_by_kept = closure((_real(entry[1]) for entry in kept_bin if _real(entry[1]) not in needed_by_gone),
                             stop=left)
    orphans = needed_by_gone - needed_by_kept
    if orphans:
        gone_bin += [entry for entry in kept_bin if _real(entry[1]) in orphans]
        kept_bin = [entry for entry in kept_bin if _real(entry[1]) not in orphans]
        for _ in orphans:
            note("only needed by dropped entries")

    # macOS: a framework whose binary went must not keep its Resources (Info.plist...):
    # codesign rejects a .framework without its executable.
    gone_frameworks = {root for entry in gone_bin if (root := _framework_of(entry[0]))}
    for entry in kept_data:
        if _framework_of(entry[0]) in gone_frameworks:
            note("resources of a dropped framework")
    kept_data = [entry for entry in kept_data if _framework_of(entry[0]) not in gone_frameworks]

    if log:
        total = sum(dropped.values())
        detail = ", ".join(f"{why}: {count}" for why, count in sorted(dropped.items()))
        print(f"trim: dropped {total} entries ({detail})", file=sys.stderr)
    return kept_bin, kept_data, dropped
