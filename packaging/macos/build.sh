#!/usr/bin/env bash
# Build the macOS installer of MySSL Desktop into dist/:
#   dist/MySSL Desktop.app                 PyInstaller .app (bundle id info.myssl.desktop,
#                                          macOS 13+, HiDPI, the build machine's architecture:
#                                          arm64 on Apple silicon); myssl-keys is inside it at
#                                          Contents/MacOS/myssl-keys
#   dist/MySSL-Desktop-<version>.dmg       the .app and an Applications link, compressed
#
# Signing and notarization are driven by the environment (both optional, but see
# packaging/macos/README.md: every public release must be signed with the SAME identity):
#   MACOS_SIGN_IDENTITY   "Developer ID Application: <Name> (<TEAMID>)" in the login or
#                         CI keychain: codesign with the hardened runtime and a timestamp
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD
#                         notarize the .app, then the .dmg, with `xcrun notarytool submit
#                         --wait`, and staple both tickets (needs MACOS_SIGN_IDENTITY)
#   PYTHON                the interpreter with PyInstaller (default: .venv/bin/python, else python3)
set -euo pipefail
cd "$(dirname "$0")/../.."

die() { echo "build.sh: $*" >&2; exit 1; }
[ "$(uname -s)" = Darwin ] || die "run this on macOS (codesign, hdiutil and notarytool are macOS tools)"
PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
  if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
"$PYTHON" -c 'import PyInstaller' 2>/dev/null || die "PyInstaller is not installed for $PYTHON (pip install -e '.[test]')"

VERSION=$("$PYTHON" -c 'import ast
tree = ast.parse(open("myssl_desktop/__init__.py", encoding="utf-8").read())
print(next(n.value.value for n in tree.body if isinstance(n, ast.Assign)
           and any(getattr(t, "id", None) == "__version__" for t in n.targets)))')
APP="dist/MySSL Desktop.app"
DMG="dist/MySSL-Desktop-${VERSION}.dmg"
IDENTITY=${MACOS_SIGN_IDENTITY:-}
ENTITLEMENTS=packaging/macos/entitlements.plist
echo "build.sh: MySSL Desktop $VERSION (macOS $(sw_vers -productVersion), $(uname -m))" >&2

# 1. The .app --------------------------------------------------------------------------
"$PYTHON" -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
  packaging/pyinstaller/myssl-desktop.spec
[ -x "$APP/Contents/MacOS/myssl-desktop" ] || die "PyInstaller did not produce $APP"
[ -x "$APP/Contents/MacOS/myssl-keys" ] || die "$APP has no myssl-keys"
/usr/libexec/PlistBuddy -c 'Print :CFBundleIdentifier' "$APP/Contents/Info.plist" | grep -qx info.myssl.desktop \
  || die "$APP has the wrong bundle identifier"
if /usr/libexec/PlistBuddy -c 'Print :LSBackgroundOnly' "$APP/Contents/Info.plist" 2>/dev/null | grep -qx true; then
  die "$APP is marked LSBackgroundOnly: it would have no Dock icon or menu bar"
fi

# 2. Code signing (inside out: libraries, frameworks, executables, then the bundle) -----
sign() {
  codesign --force --timestamp --options runtime --entitlements "$ENTITLEMENTS" --sign "$IDENTITY" "$@"
}
if [ -n "$IDENTITY" ]; then
  while IFS= read -r -d '' file; do
    if file -b "$file" | grep -q 'Mach-O'; then sign "$file"; fi
  done < <(find "$APP/Contents/Frameworks" "$APP/Contents/Resources" -type f \
             \( -name '*.so' -o -name '*.dylib' -o -perm -u+x \) -print0)
  while IFS= read -r -d '' framework; do
    sign "$framework"
  done < <(find "$APP/Contents" -type d -name '*.framework' -print0)
  sign "$APP/Contents/MacOS/myssl-keys"
  sign "$APP/Contents/MacOS/myssl-desktop"
  sign "$APP"
  codesign --verify --deep --strict --verbose=2 "$APP"
  # Gatekeeper's verdict before notarization is "rejected (Unnotarized Developer ID)"; after
  # stapling it must say "accepted".
else
  echo "build.sh: MACOS_SIGN_IDENTITY is not set: the .app is only ad-hoc signed by PyInstaller." >&2
  echo "build.sh: users will see Gatekeeper warnings, and the keychain will ask again after updates." >&2
fi

# 3. Notarization of the .app, so that a copy dragged out of the .dmg opens offline too
NOTARIZE=
if [ -n "${APPLE_ID:-}" ] && [ -n "${APPLE_TEAM_ID:-}" ] && [ -n "${APPLE_APP_PASSWORD:-}" ]; then
  [ -n "$IDENTITY" ] || die "notarization needs a signed app: set MACOS_SIGN_IDENTITY too"
  NOTARIZE=1
else
  echo "build.sh: APPLE_ID/APPLE_TEAM_ID/APPLE_APP_PASSWORD are not all set: not notarized." >&2
fi
json_field() { "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$1"; }
notarize() {  # notarize FILE (a .zip or .dmg); --wait exits 0 even when the verdict is Invalid
  local result status id
  result=$(xcrun notarytool submit "$1" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
             --password "$APPLE_APP_PASSWORD" --wait --output-format json) || true
  echo "$result" >&2
  status=$(printf '%s' "$result" | json_field status 2>/dev/null || true)
  if [ "$status" != "Accepted" ]; then
    id=$(printf '%s' "$result" | json_field id 2>/dev/null || true)
    if [ -n "$id" ]; then
      xcrun notarytool log "$id" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
        --password "$APPLE_APP_PASSWORD" >&2 || true
    fi
    die "notarization of $1 was not accepted (status: ${status:-unknown})"
  fi
}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
if [ -n "$NOTARIZE" ]; then
  ditto -c -k --keepParent "$APP" "$stage/app.zip"
  notarize "$stage/app.zip"
  rm "$stage/app.zip"
  xcrun stapler staple "$APP"
fi

# 4. The .dmg --------------------------------------------------------------------------
ditto "$APP" "$stage/MySSL Desktop.app"
ln -s /Applications "$stage/Applications"
rm -f "$DMG"
# hdiutil fails now and then with "Resource busy" on CI machines; a retry clears it.
for attempt in 1 2 3 4 5; do
  hdiutil create -volname "MySSL Desktop $VERSION" -srcfolder "$stage" -fs HFS+ -format UDZO -ov "$DMG" >/dev/null && break
  [ "$attempt" = 5 ] && die "hdiutil create failed 5 times"
  sleep $((attempt * 5))
done
if [ -n "$IDENTITY" ]; then
  codesign --force --timestamp --sign "$IDENTITY" "$DMG"
fi
if [ -n "$NOTARIZE" ]; then
  notarize "$DMG"
  xcrun stapler staple "$DMG"
  xcrun stapler validate "$DMG"
  spctl --assess --type open --context context:primary-signature --verbose=2 "$DMG"
fi

printf 'build.sh: %s  %s MB\n' "$DMG" "$(stat -f %z "$DMG" | awk '{printf "%.1f", $1/1e6}')" >&2
