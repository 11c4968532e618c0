#!/usr/bin/env bash
# Check the README's two set-up commands on a fresh system, as a newcomer would run them:
# in a minimal chroot, as root, on this checkout's HEAD. Make the chroot first, e.g.
#   debootstrap --variant=minbase bookworm /work/chroots/debian12 http://deb.debian.org/debian
#   debootstrap --variant=minbase --components=main,universe jammy DIR http://archive.ubuntu.com/ubuntu
# (for Ubuntu also add the -updates suite to DIR/etc/apt/sources.list), then, as root:
#   bash packaging/ci/fresh-chroot.sh DIR
# It copies HEAD (git archive) to DIR/root/myssl-desktop, starts the app on the sandbox
# (offscreen) with the README's first command and checks it is still up 30 s after it
# started, then runs the README's test command. Exit 0 when both passed. Log: DIR/root/fresh-check.log
set -euo pipefail
root=$(realpath "${1:?usage: fresh-chroot.sh CHROOT_DIR}")
[ -x "$root/bin/bash" ] || { echo "fresh-chroot: $root is not a chroot" >&2; exit 2; }
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)

mounted=()
cleanup() {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" || true; done
}
trap cleanup EXIT
mount -t proc proc "$root/proc"; mounted+=("$root/proc")
mount -t sysfs sysfs "$root/sys"; mounted+=("$root/sys")
mount --bind /dev "$root/dev"; mounted+=("$root/dev")
mount -t devpts devpts "$root/dev/pts" -o newinstance,ptmxmode=0666; mounted+=("$root/dev/pts")
mount -t tmpfs tmpfs "$root/dev/shm"; mounted+=("$root/dev/shm")
mount -t tmpfs tmpfs "$root/tmp"; mounted+=("$root/tmp")
cp /etc/resolv.conf "$root/etc/resolv.conf"

rm -rf "$root/root/myssl-desktop"
mkdir -p "$root/root/myssl-desktop"
git -C "$repo" archive HEAD | tar -x -C "$root/root/myssl-desktop"
log=$root/root/fresh-check.log
# shellcheck source=/dev/null
echo "fresh-chroot: $(. "$root/etc/os-release" && echo "$PRETTY_NAME"), HEAD $(git -C "$repo" rev-parse --short HEAD), $(date -u +%FT%TZ)" | tee "$log"

# Only this machine's way out is passed on: its proxies and, where its HTTPS goes through an
# intercepting proxy, the CA bundle pip is told to trust.
network=()
for variable in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
  [ -n "${!variable:-}" ] && network+=("$variable=${!variable}")
done
if [ -n "${PIP_CERT:-}" ] && [ -f "$PIP_CERT" ]; then
  cp "$PIP_CERT" "$root/etc/host-ca-bundle.crt"
  network+=(PIP_CERT=/etc/host-ca-bundle.crt)
fi
in_chroot() {
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    TERM=dumb "${network[@]}" "$@"
}

# 1. bash packaging/dev/run-sandbox.sh: the app must start and stay up.
started=$(date +%s)
in_chroot sh -c 'cd /root/myssl-desktop && QT_QPA_PLATFORM=offscreen exec bash packaging/dev/run-sandbox.sh' \
  >>"$log" 2>&1 &
runner=$!
app_pid=
while [ -z "$app_pid" ] && kill -0 "$runner" 2>/dev/null; do
  for pid_dir in /proc/[0-9]*; do
    if [ "$(readlink "$pid_dir/root" 2>/dev/null)" = "$root" ] &&
       { tr '\0' ' ' <"$pid_dir/cmdline"; } 2>/dev/null | grep -q 'myssl-desktop --sandbox'; then
      app_pid=${pid_dir#/proc/}
    fi
  done
  [ -n "$app_pid" ] || sleep 2
done
[ -n "$app_pid" ] || { echo "fresh-chroot: FAIL run-sandbox.sh ended before the app started" | tee -a "$log"; exit 1; }
sleep 30
if kill -0 "$app_pid" 2>/dev/null; then
  echo "fresh-chroot: ok   run-sandbox.sh: the app was up 30 s after it started ($(( $(date +%s) - started )) s including setup)" | tee -a "$log"
  kill "$app_pid"; wait "$runner" || true
else
  echo "fresh-chroot: FAIL run-sandbox.sh: the app exited within 30 s" | tee -a "$log"; exit 1
fi

# 2. bash packaging/dev/run-tests.sh --all
started=$(date +%s)
if in_chroot sh -c 'cd /root/myssl-desktop && exec bash packaging/dev/run-tests.sh --all -p no:cacheprovider' >>"$log" 2>&1; then
  echo "fresh-chroot: ok   run-tests.sh --all: $(grep -E '^=+ .*(passed|failed)' "$log" | tail -1) ($(( $(date +%s) - started )) s)" | tee -a "$log"
else
  echo "fresh-chroot: FAIL run-tests.sh --all: $(grep -E '^=+ .*(passed|failed|error)' "$log" | tail -1)" | tee -a "$log"
  exit 1
fi
