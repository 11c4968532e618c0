"""Smoke test of the Linux installers: build the .deb and the .tar.gz once with
packaging/linux/build.sh, unpack the .deb, check its layout and metadata, and run the
frozen app's self-test inside this suite's private D-Bus session with gnome-keyring
(packaging/dev/run-tests.sh), so the frozen keychain backend is proven to be the real
Secret Service. Takes a minute or two on two cores (one build per run)."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import struct
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest

import myssl_desktop

ROOT = Path(__file__).resolve().parents[1]
VERSION = myssl_desktop.__version__
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
DEB_GOAL_BYTES = 45_000_000  # issue 7: the .deb (xz) at most 45 MB

pytestmark = [pytest.mark.slow, pytest.mark.keychain, pytest.mark.timeout(900)]


@dataclass(frozen=True)
class Built:
    deb: Path
    tarball: Path
    root: Path  # the .deb unpacked with dpkg-deb -x
    build_log: str

    @property
    def app(self) -> Path:
        return self.root / "opt" / "myssl-desktop"


def _require_tools() -> None:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        pytest.fail("PyInstaller is not installed: the `test` extra has it (bash packaging/dev/setup.sh)")
    for tool in ("dpkg-deb", "dpkg-shlibdeps", "objdump", "desktop-file-validate"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: bash packaging/dev/setup.sh installs it (as root)")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    _require_tools()
    env = dict(os.environ, PYTHON=sys.executable)
    result = subprocess.run(["bash", str(ROOT / "packaging" / "linux" / "build.sh")], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=840)
    assert result.returncode == 0, f"build.sh failed:\n{result.stdout}\n{result.stderr[-6000:]}"
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()
    deb = ROOT / "dist" / f"myssl-desktop_{VERSION}_{arch}.deb"
    tarball = ROOT / "dist" / f"myssl-desktop-{VERSION}-linux-{arch}.tar.gz"
    assert deb.is_file() and tarball.is_file(), result.stderr[-3000:]
    root = tmp_path_factory.mktemp("deb")
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    return Built(deb, tarball, root, result.stderr)


def control(deb: Path, field: str) -> str:
    return subprocess.run(["dpkg-deb", "-f", str(deb), field], capture_output=True, text=True,
                          check=True).stdout.strip()


def depends_packages(deb: Path) -> set[str]:
    return {re.split(r"[ (:]", dep.strip(), maxsplit=1)[0] for dep in control(deb, "Depends").split(",")}


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


# --- layout -------------------------------------------------------------------------------

def test_the_app_lives_in_opt_with_both_executables(built: Built) -> None:
    for name in ("myssl-desktop", "myssl-keys"):
        executable = built.app / name
        assert executable.is_file() and os.access(executable, os.X_OK), executable
    internal = built.app / "_internal"
    assert (internal / "resources" / "app-icon.svg").is_file()
    assert (internal / "resources" / "icons" / "key.svg").is_file()
    assert (internal / "myssl_desktop" / "api" / "openapi.json").is_file()


def test_usr_bin_points_at_the_bundle(built: Built) -> None:
    for name in ("myssl-desktop", "myssl-keys"):
        link = built.root / "usr" / "bin" / name
        assert link.is_symlink(), link
        assert os.readlink(link) == f"/opt/myssl-desktop/{name}"


def test_the_desktop_file(built: Built) -> None:
    path = built.root / "usr" / "share" / "applications" / "myssl-desktop.desktop"
    subprocess.run(["desktop-file-validate", str(path)], check=True, capture_output=True, text=True)
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application" and entry["Name"] == "MySSL Desktop"
    assert entry["Exec"].split()[0] == "myssl-desktop" and (built.root / "usr" / "bin" / "myssl-desktop").is_symlink()
    assert entry["Icon"] == "myssl-desktop" and entry["Terminal"] == "false"
    assert entry["StartupWMClass"] == "myssl-desktop"  # the X11 class Qt gives the window
    assert entry["Categories"].endswith(";")


def test_shell_completion_is_installed_where_each_shell_looks(built: Built) -> None:
    share = built.root / "usr" / "share"
    bash = share / "bash-completion" / "completions" / "myssl-keys"
    zsh = share / "zsh" / "vendor-completions" / "_myssl-keys"
    fish = share / "fish" / "vendor_completions.d" / "myssl-keys.fish"
    assert "complete" in bash.read_text() and "myssl-keys" in bash.read_text()
    assert zsh.read_text().startswith("#compdef myssl-keys")
    assert "complete -c myssl-keys" in fish.read_text()
    for path in (bash, zsh, fish):
        assert path.stat().st_mode & 0o777 == 0o644, path
    bash_check = subprocess.run(["bash", "-n", str(bash)], capture_output=True, text=True)
    assert bash_check.returncode == 0, bash_check.stderr


def test_hicolor_icons_at_every_size(built: Built) -> None:
    hicolor = built.root / "usr" / "share" / "icons" / "hicolor"
    for size in ICON_SIZES:
        assert png_size(hicolor / f"{size}x{size}" / "apps" / "myssl-desktop.png") == (size, size)
    assert (hicolor / "scalable" / "apps" / "myssl-desktop.svg").read_bytes() == \
        (ROOT / "resources" / "app-icon.svg").read_bytes()


def test_control_fields(built: Built) -> None:
    assert control(built.deb, "Package") == "myssl-desktop"
    assert control(built.deb, "Version") == VERSION
    assert control(built.deb, "Recommends") == "gnome-keyring | kwalletd6 | libkf5wallet-bin | keepassxc"
    depends = control(built.deb, "Depends")
    libc = re.search(r"libc6 \(>= 2\.(\d+)\)", depends)
    host_libc = int(os.confstr("CS_GNU_LIBC_VERSION").split(".")[1])  # "glibc 2.36" on Debian 12
    # The wheels need 2.34+; dpkg-shlibdeps asks no more than the build host has (Debian 12:
    # 2.36, Ubuntu 24.04: 2.39).
    assert libc and 34 <= int(libc.group(1)) <= host_libc, depends
    # Ubuntu 24.04 renamed some libraries for 64-bit time_t (libglib2.0-0t64).
    packages = {package.removesuffix("t64") for package in depends_packages(built.deb)}
    assert {"libegl1", "libgl1", "libfontconfig1", "libxkbcommon0", "libdbus-1-3", "libglib2.0-0",
            "libxcb1", "libxcb-cursor0", "libx11-6", "libstdc++6"} <= packages


def test_depends_covers_every_library_the_bundle_does_not_carry(built: Built) -> None:
    files = [p for p in built.app.rglob("*") if p.is_file() and not p.is_symlink()
             and p.read_bytes()[:4] == b"\x7fELF"]
    bundled = {p.name for p in built.app.rglob("*.so*")}
    needed = set()
    for path in files:
        dump = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True, check=True).stdout
        needed |= {line.split()[1] for line in dump.splitlines() if line.strip().startswith("NEEDED")}
    outside = sorted(needed - bundled)
    depends = depends_packages(built.deb)
    uncovered = {}
    for soname in outside:
        owner = subprocess.run(["dpkg", "-S", f"*/{soname}"], capture_output=True, text=True).stdout
        packages = {re.split(r"[:,]", line)[0] for line in owner.splitlines() if line}
        if not packages & depends:
            uncovered[soname] = packages
    assert "libEGL.so.1" in outside and "libxcb.so.1" in outside
    assert uncovered == {}


def test_the_bundle_is_trimmed(built: Built) -> None:
    names = [p.relative_to(built.app).as_posix() for p in built.app.rglob("*")]
    text = "\n".join(names)
    for unwanted in ("qgtk3", "libgtk-3", "libcairo", "libpango", "Pdf", "VirtualKeyboard", "virtualkeyboard",
                     "eglfs", "egldeviceintegrations", "libQt6Qml", "libQt6Quick", "Designer", "/qml/",
                     "Qt/translations/", "libqminimal", "libqvnc", "libqlinuxfb", "libQt6Network",
                     "libX11.so", "libglib-2.0", "libfontconfig", "libdbus-1", "libstdc++", "pygments/",
                     # 12 MB for SecretStorage's AES; rthooks/secretstorage_aes.py uses libcrypto
                     "cryptography/", "_cffi_backend", "multiprocessing/"):
        assert unwanted not in text, unwanted
    platforms = {p.name for p in (built.app / "_internal" / "PySide6" / "Qt" / "plugins" / "platforms").iterdir()}
    assert {"libqxcb.so", "libqoffscreen.so"} <= platforms
    assert all(re.fullmatch(r"libq(xcb|offscreen|wayland.*)\.so", name) for name in platforms), platforms
    assert (built.app / "_internal" / "PySide6" / "Qt" / "plugins" / "iconengines" / "libqsvgicon.so").is_file()


def test_the_deb_is_within_the_size_goal(built: Built) -> None:
    size = built.deb.stat().st_size
    assert size <= DEB_GOAL_BYTES, f"{built.deb.name} is {size / 1e6:.1f} MB, the goal is 45 MB"


def test_the_tarball_holds_the_same_bundle(built: Built) -> None:
    with tarfile.open(built.tarball) as archive:
        in_tar = {m.name for m in archive.getmembers() if not m.isdir()}
        assert all(m.uid == 0 and m.gid == 0 for m in archive.getmembers())
    in_deb = {("myssl-desktop/" + p.relative_to(built.app).as_posix()) for p in built.app.rglob("*")
              if not p.is_dir()}
    assert in_tar == in_deb


# --- the frozen app -----------------------------------------------------------------------

def test_the_frozen_self_test_passes_with_the_secret_service(built: Built) -> None:
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)  # the self-test defaults to offscreen by itself
    result = subprocess.run([str(built.app / "myssl-desktop"), "--self-test"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"MySSL Desktop {VERSION} self-test (frozen,")
    assert "ok   keychain: keyring.backends.SecretService.Keyring round trip" in lines
    assert any(line.startswith("ok   window: ") and "/opt/myssl-desktop/_internal/resources" in line
               for line in lines)
    assert any(line.startswith("ok   api: ") for line in lines)
    assert lines[-1].startswith("self-test passed: 3 of 3 checks")
    assert not re.search(r"myssl_k_[A-Za-z0-9]{5,}", result.stdout + result.stderr)


def test_the_frozen_command_line_reaches_the_secret_service(built: Built, tmp_path: Path) -> None:
    """myssl-keys is frozen separately from the GUI: its keychain (SecretStorage's AES session
    on the bundle's libcrypto) must work on its own."""
    env = dict(os.environ, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_CACHE_HOME=str(tmp_path / "cache"),
               XDG_STATE_HOME=str(tmp_path / "state"))
    result = subprocess.run([str(built.app / "myssl-keys"), "doctor", "--base-url", "http://127.0.0.1:9/api/v1"],
                            env=env, capture_output=True, text=True, timeout=60)
    keychain = [line for line in result.stdout.splitlines() if line.split()[1:2] == ["keychain"]]
    assert keychain == ["ok   keychain       keyring.backends.SecretService.Keyring: works "
                        "(stored, read back and removed a test entry)"], result.stdout + result.stderr


def test_the_frozen_command_line(built: Built) -> None:
    result = subprocess.run([str(built.app / "myssl-keys"), "--version"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"myssl-keys {VERSION}"


def test_the_frozen_command_line_is_the_scans_helper(built: Built, tmp_path: Path) -> None:
    """The bundle has no Python to start scan/helper.py with `-m`: its myssl-keys is the helper
    when given HELPER_FLAG, and answers a batch as the module does (prefixes, never secrets)."""
    import hashlib

    from myssl_desktop.scan.batches import encode_answer, encode_batch
    from myssl_desktop.scan.pattern import Found
    from myssl_desktop.scan.sharing import HELPER_FLAG

    key = "myssl_k_" + "a1" * 20
    (tmp_path / ".env").write_text(f"MYSSL_API_KEY={key}\n")
    sent = encode_batch([(str(tmp_path), [".env", "gone.txt"])])
    result = subprocess.run([str(built.app / "myssl-keys"), HELPER_FLAG, "1000"], input=sent, capture_output=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == encode_answer(1, 1, len(key) + 15, [
        (0, ".env", Found(prefix=key[:12], sha256=hashlib.sha256(key.encode()).hexdigest(), line=1))])
