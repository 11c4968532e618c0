#!/usr/bin/env bash
# Prepare a fresh Debian 12 / Ubuntu machine (or refresh an existing checkout) for
# development: system libraries Qt and the keychain need (when run as root), a virtual
# environment in .venv, and the project installed into it with its test tools.
set -euo pipefail
cd "$(dirname "$0")/../.."

apt_updated=
apt_install() {  # apt_install PACKAGE...: as root, quietly, updating the lists once
  [ -n "$apt_updated" ] || { apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# The interpreter: $PYTHON, else python3 when it is 3.11 or newer, else the distribution's
# python3.11 (Ubuntu 22.04's python3 is 3.10; its python3.11 is a package of its own).
if [ -z "${PYTHON:-}" ]; then
  if ! command -v python3 >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "setup: installing python3" >&2
    apt_install python3  # a minimal system has none
  fi
  PYTHON=python3
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || PYTHON=python3.11
fi
if command -v "$PYTHON" >/dev/null; then
  read -r PY_VERSION PY_PREFIX < <("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2], sys.base_prefix)')
else  # not installed yet: only the distribution's python3.X can be installed here
  PY_VERSION=${PYTHON##*python}
  PY_PREFIX=/usr
fi

APT_PACKAGES=(
  # Qt offscreen and X11 (xcb) platform plugins
  libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0 libxkbcommon0
  libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
  libxcb-render-util0 libxcb-randr0 libxcb-shape0 libxcb-xkb1 libx11-xcb1 fonts-dejavu-core
  # a real X server for tests that need one, and for screenshots
  xvfb xauth
  # the real keychain: a private D-Bus session with gnome-keyring's Secret Service
  dbus gnome-keyring
  # openssl makes the throw-away certificates of the TLS tests
  openssl
  # PyInstaller needs objdump (and strip); packaging/linux/build.sh needs dpkg-deb,
  # dpkg-shlibdeps (dpkg-dev) and xz; tests/test_packaging.py checks the .desktop file
  binutils dpkg-dev xz-utils desktop-file-utils
  # tests/test_macos_bundle.py lints the build scripts
  shellcheck
  # benchmarks/scan.py times the key scan against ripgrep (rg -uu) as its baseline
  ripgrep
  # tests/cli/test_completion.py completes for real in zsh and fish (bash is always there)
  zsh fish
  # tests/rotation/test_commands.py runs command targets with real secret stores: secret-tool,
  # pass (with a throw-away GnuPG home) and systemd-creds
  libsecret-tools pass gnupg systemd
  # tests/reminders/test_tray.py: a real XEmbed tray host (trayer), real clicks on it (xdotool) and
  # the embedded icon's position (xwininfo, in x11-utils)
  trayer xdotool x11-utils
  # packaging/dev/reminder-screenshots.sh: a notification daemon that draws (dunst), a window
  # manager (openbox) and the screenshots (imagemagick's import and convert)
  dunst openbox imagemagick
)
if [ "$PY_PREFIX" = /usr ]; then
  # The distribution's Python: venv support, and the shared libpython that PyInstaller
  # bundles (Debian's and Ubuntu's python3 links it statically, so only this package has it).
  APT_PACKAGES+=("python$PY_VERSION" "python$PY_VERSION-venv" "libpython$PY_VERSION")
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing system packages: ${missing[*]}" >&2
    apt_install "${missing[@]}"
  else
    echo "setup: not root, so not installing: ${missing[*]}" >&2
    echo "setup: run as root, or: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
  fi
fi

command -v "$PYTHON" >/dev/null || { echo "setup: $PYTHON is not installed (run this as root to install it)" >&2; exit 1; }
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "setup: Python 3.11 or newer is needed (found $("$PYTHON" --version))" >&2; exit 1; }
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
# pip's and setuptools' chatter goes to a log; it is shown only when the install fails.
log=.venv/setup.log
if ! { .venv/bin/python -m pip install -q --disable-pip-version-check -r packaging/build-tools.txt &&
       .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "setup: installing the Python packages failed (log above)" >&2
  exit 1
fi
