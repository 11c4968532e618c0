#!/usr/bin/env bash
# Set up (see setup.sh), then run the tests: inside a private D-Bus session with an
# unlocked gnome-keyring (the real Secret Service) and a throw-away HOME, with a virtual
# X server for the tests that need a real window.
#   run-tests.sh --all [pytest args]   the whole suite (what .ci/run and the README run)
#   run-tests.sh [pytest args]         the quicker developer run: without the tests marked
#                                      `slow` (the .deb and wheel builds, Schemathesis)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "${1:-}" = --all ]; then
  shift
else
  set -- -m "not slow" "$@"  # a later -m of the caller's wins
fi
bash packaging/dev/setup.sh

export LANG=C.UTF-8 LC_ALL=C.UTF-8
test_home=$(mktemp -d)
trap 'rm -rf "$test_home"' EXIT
export HOME="$test_home" XDG_CONFIG_HOME="$test_home/.config" XDG_DATA_HOME="$test_home/.local/share" \
       XDG_CACHE_HOME="$test_home/.cache" XDG_STATE_HOME="$test_home/.local/state"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY

exec xvfb-run -a -s "-screen 0 1280x800x24 -noreset" \
  dbus-run-session -- sh -c '
    echo -n test-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec .venv/bin/python -m pytest "$@"' sh "$@"
