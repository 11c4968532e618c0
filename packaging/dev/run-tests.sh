#!/usr/bin/env bash
# Set up (see setup.sh), then run the whole test suite: inside a private D-Bus session
# with an unlocked gnome-keyring (the real Secret Service) and a throw-away HOME, with a
# virtual X server for the tests that need a real window. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash packaging/dev/setup.sh

export LANG=C.UTF-8 LC_ALL=C.UTF-8
test_home=$(mktemp -d)
trap 'rm -rf "$test_home"' EXIT
export HOME="$test_home" XDG_CONFIG_HOME="$test_home/.config" XDG_DATA_HOME="$test_home/.local/share" \
       XDG_CACHE_HOME="$test_home/.cache" XDG_STATE_HOME="$test_home/.local/state"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY

exec xvfb-run -a -s "-screen 0 1280x800x24" \
  dbus-run-session -- sh -c '
    echo -n test-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec .venv/bin/python -m pytest "$@"' sh "$@"
