#!/usr/bin/env bash
# Build the Linux installers of MySSL Desktop into dist/:
#   dist/myssl-desktop/                              the PyInstaller one-folder bundle
#   dist/myssl-desktop_<version>_<arch>.deb          app in /opt/myssl-desktop, /usr/bin links,
#                                                    .desktop file, hicolor icons (xz)
#   dist/myssl-desktop-<version>-linux-<arch>.tar.gz the same bundle, for other distributions
#
# Needs what packaging/dev/setup.sh installs, and runs it first (as root it installs the
# system packages too): the project's virtualenv with PyInstaller (the `test` extra), the
# shared libpython, binutils (objdump, strip), dpkg-deb and dpkg-shlibdeps (dpkg-dev).
# Safe to rerun: every output is rebuilt from scratch; PyInstaller reuses its analysis in
# build/pyinstaller when nothing changed. Environment:
#   PYTHON   an interpreter that already has PyInstaller and the project; setup.sh is then
#            not run (default: setup.sh, then .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

die() { echo "build.sh: $*" >&2; exit 1; }
PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
  bash packaging/dev/setup.sh
  PYTHON=.venv/bin/python
fi
"$PYTHON" -c 'import PyInstaller' 2>/dev/null \
  || die "PyInstaller is not installed for $PYTHON (run: bash packaging/dev/setup.sh, or pip install 'pyinstaller>=6.10')"
# Debian's and Ubuntu's python3 links libpython statically; PyInstaller bundles the shared
# one, which only the libpython3.X package has.
"$PYTHON" -c 'from PyInstaller.depend.bindepend import get_python_library_path as f; f()' >/dev/null 2>&1 \
  || die "PyInstaller finds no shared libpython for $PYTHON (as root: bash packaging/dev/setup.sh, or apt-get install libpython$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])'))"
for tool in objdump dpkg-deb dpkg-shlibdeps dpkg-architecture; do
  command -v "$tool" >/dev/null || die "$tool is missing (as root: bash packaging/dev/setup.sh, or apt-get install binutils dpkg-dev)"
done

VERSION=$("$PYTHON" -c 'import ast, sys
tree = ast.parse(open("myssl_desktop/__init__.py", encoding="utf-8").read())
print(next(n.value.value for n in tree.body if isinstance(n, ast.Assign)
           and any(getattr(t, "id", None) == "__version__" for t in n.targets)))')
ARCH=$(dpkg --print-architecture)
NAME=myssl-desktop
BUNDLE=dist/$NAME
DEB=dist/${NAME}_${VERSION}_${ARCH}.deb
TARBALL=dist/${NAME}-${VERSION}-linux-${ARCH}.tar.gz
# Reproducible timestamps in the archives: the last commit, else now.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH

echo "build.sh: MySSL Desktop $VERSION ($ARCH)" >&2
started=$(date +%s)

# 1. The bundle ------------------------------------------------------------------------
"$PYTHON" packaging/icons/render.py --check \
  || die "icon renderings are missing: run $PYTHON packaging/icons/render.py"
"$PYTHON" -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
  packaging/pyinstaller/myssl-desktop.spec
if [ ! -x "$BUNDLE/myssl-desktop" ] || [ ! -x "$BUNDLE/myssl-keys" ]; then die "PyInstaller did not produce $BUNDLE"; fi

# 2. Depends: the libraries the bundle links to but does not carry --------------------
# dpkg-shlibdeps knows the minimum versions (from the symbols the bundle uses); it also
# names packages for libraries the bundle carries itself, so keep only the packages that
# provide a library some bundled file needs and the bundle does not have.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck disable=SC2016  # $1 is for the inner sh
mapfile -t elf_files < <(find "$BUNDLE" -type f \( -name '*.so*' -o -perm -u+x \) -print0 |
  xargs -0 -I{} sh -c 'head -c4 "$1" | grep -q ELF && echo "$1"' _ {} | sort)
bundled=$(find "$BUNDLE" -name '*.so*' -printf '%f\n' | sort -u)
unbundled=$(for f in "${elf_files[@]}"; do objdump -p "$f" | awk '/^ *NEEDED/ {print $2}'; done |
  sort -u | grep -vxF "$bundled" || true)
providers=()
missing=()
for soname in $unbundled; do
  # "libegl1:amd64: /usr/lib/x86_64-linux-gnu/libEGL.so.1" -> libegl1
  owner=$(dpkg -S "*/$soname" 2>/dev/null | grep -v '^diversion' | head -1 | sed 's/: .*//; s/,.*//; s/:.*//' || true)
  if [ -n "$owner" ]; then providers+=("$owner"); else missing+=("$soname"); fi
done
[ ${#missing[@]} -eq 0 ] \
  || die "no installed package provides ${missing[*]} (needed by the bundle): install it and rerun"
mkdir -p "$work/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$NAME" "$NAME" > "$work/debian/control"
mapfile -t libdirs < <(find "$ROOT/$BUNDLE" -name '*.so*' -printf '-l%h\n' | sort -u)
if ! shlibs=$(cd "$work" && dpkg-shlibdeps -O --ignore-missing-info "${libdirs[@]}" \
    "${elf_files[@]/#/$ROOT/}" 2>"$work/shlibdeps.log" | sed -n 's/^shlibs:Depends=//p'); then
  cat "$work/shlibdeps.log" >&2
  die "dpkg-shlibdeps failed (its messages above)"
fi
[ -n "$shlibs" ] || { cat "$work/shlibdeps.log" >&2; die "dpkg-shlibdeps found no dependencies"; }
# Sets, not `printf | grep -q` pipelines: under pipefail, grep -q quitting at its match can
# SIGPIPE a writer that is still writing, which fails the pipe for no reason in the data.
wanted=$(printf '%s\n' "${providers[@]}" | sort -u)
declare -A is_wanted=() in_depends=()
for package in $wanted; do is_wanted[$package]=1; done
DEPENDS=$(echo "$shlibs" | tr ',' '\n' | sed 's/^ *//' |
  while read -r dep; do
    package=${dep%% *}; package=${package%%:*}
    if [ -n "${is_wanted[$package]:-}" ]; then echo "$dep"; fi
  done | paste -sd, | sed 's/,/, /g')
while read -r dep; do in_depends[${dep%% *}]=1; done < <(echo "$DEPENDS" | tr ',' '\n' | sed 's/^ *//')
for package in $wanted; do  # every provider made it into Depends
  [ -n "${in_depends[$package]:-}" ] || die "dpkg-shlibdeps gave no entry for $package (in: $shlibs)"
done

# 3. The .deb --------------------------------------------------------------------------
stage=$work/deb
opt=$stage/opt/$NAME
mkdir -p "$opt" "$stage/usr/bin" "$stage/usr/share/applications" "$stage/usr/share/doc/$NAME" "$stage/DEBIAN"
cp -a "$BUNDLE/." "$opt/"
ln -s "/opt/$NAME/myssl-desktop" "$stage/usr/bin/myssl-desktop"
ln -s "/opt/$NAME/myssl-keys" "$stage/usr/bin/myssl-keys"
for size in 16 24 32 48 64 128 256 512; do
  install -D -m 0644 "resources/app-icon-$size.png" "$stage/usr/share/icons/hicolor/${size}x${size}/apps/$NAME.png"
done
install -D -m 0644 resources/app-icon.svg "$stage/usr/share/icons/hicolor/scalable/apps/$NAME.svg"
install -m 0644 packaging/linux/myssl-desktop.desktop "$stage/usr/share/applications/$NAME.desktop"
# Shell completion, generated by the bundled myssl-keys itself so it matches its parser.
for shell_dir in "bash:usr/share/bash-completion/completions/myssl-keys" \
                 "zsh:usr/share/zsh/vendor-completions/_myssl-keys" \
                 "fish:usr/share/fish/vendor_completions.d/myssl-keys.fish"; do
  shell=${shell_dir%%:*} target=$stage/${shell_dir#*:}
  mkdir -p "$(dirname "$target")"
  "$BUNDLE/myssl-keys" completion "$shell" > "$target" || die "myssl-keys completion $shell failed"
  [ -s "$target" ] || die "myssl-keys completion $shell printed nothing"
done
cat > "$stage/usr/share/doc/$NAME/README.Debian" <<EOF
MySSL Desktop $VERSION, a PyInstaller bundle of the app and its Python runtime, Qt and ICU,
installed in /opt/$NAME. The system libraries it uses (X11/xcb, Wayland, OpenGL/EGL,
fontconfig, GLib, D-Bus, libstdc++) are this package's dependencies.

Keys are kept only in a Secret Service keychain (GNOME Keyring, KWallet or KeePassXC with
its Secret Service integration); check with: myssl-keys doctor
EOF
# Normal permissions whatever the umask; executables stay executable.
find "$stage" -type d -exec chmod 0755 {} +
find "$stage" -type f -exec chmod go-w,a+r {} +
installed_kb=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat > "$stage/DEBIAN/control" <<EOF
Package: $NAME
Version: $VERSION
Architecture: $ARCH
Maintainer: MySSL <support@myssl.info>
Installed-Size: $installed_kb
Depends: $DEPENDS
Recommends: gnome-keyring | kwalletd6 | libkf5wallet-bin | keepassxc
Suggests: bash-completion
Section: utils
Priority: optional
Homepage: https://myssl.info
Description: desktop manager for MySSL API keys
 List MySSL API keys with their usage and last use, rotate them without
 downtime, and keep every secret in the desktop keychain (Secret Service:
 GNOME Keyring, KWallet or KeePassXC). Includes myssl-keys, the same
 functions on the command line.
EOF
find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
rm -f "$DEB"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$DEB" >/dev/null

# 4. The tarball of the same bundle ----------------------------------------------------
rm -f "$TARBALL"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
  -C "$opt/.." -cf - "$NAME" | gzip -n -9 > "$TARBALL"

elapsed=$(( $(date +%s) - started ))
echo "build.sh: Depends: $DEPENDS" >&2
printf 'build.sh: %s  bundle %s MB\n' "$BUNDLE" \
  "$(find "$BUNDLE" -type f -printf '%s\n' | awk '{n += $1} END {printf "%.1f", n/1e6}')" >&2
for out in "$DEB" "$TARBALL"; do
  printf 'build.sh: %s  %s MB\n' "$out" "$(stat -c %s "$out" | awk '{printf "%.1f", $1/1e6}')" >&2
done
echo "build.sh: done in ${elapsed} s" >&2
