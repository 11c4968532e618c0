#!/usr/bin/env bash
# The README's screenshots of a notification and of the tray menu: Xvfb with openbox, trayer as
# the tray, dunst as the notification daemon, in a private D-Bus session with gnome-keyring.
# Needs setup.sh's packages (trayer, dunst, openbox, imagemagick, xdotool, x11-utils).
set -euo pipefail
cd "$(dirname "$0")/../.."
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
mkdir -p "$home/.cache"
export HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" LANG=C.UTF-8
unset DBUS_SESSION_BUS_ADDRESS DISPLAY
exec xvfb-run -a -s "-screen 0 1024x640x24" dbus-run-session -- sh -c '
  echo -n screenshots | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  openbox >/dev/null 2>&1 &
  trayer --edge top --align right --widthtype request --height 28 --transparent false --tint 0xe0e0e0 \
    --SetDockType true >/dev/null 2>&1 &
  dunst -geometry "360x5-12+40" >/dev/null 2>&1 &
  QT_QPA_PLATFORM=xcb exec .venv/bin/python packaging/dev/reminder_screenshots.py'
