#!/usr/bin/env bash
# The Debian package, installed the way an operator would, on a machine
# that has never seen depositd.
#
# What it proves: deploy/deb/build-deb.sh makes a .deb from this build;
# in a fresh Debian 12 root (debootstrap --variant=minbase bookworm, from
# the network) `dpkg -i` installs it and `apt-get -f install` brings exactly
# its Depends (so Depends names every shared library the binaries need:
# `depositd --version` and `depositctl` then run there); the postinst
# creates the system user depositd; the unit, the example config (a
# conffile), /etc/default/depositd and the Prometheus rules are where the
# unit and docs/operations.md say; and depositd, run as that user on the
# installed config the way the unit runs it (data dir /var/lib/depositd
# 0700), recovers, serves gRPC health and stops cleanly on SIGTERM.
# What it does not prove: systemd starting the unit (no systemd runs in the
# root; tests/systemd_test verifies the unit and its notifications).
#
# Nothing is installed on the machine running the test: everything happens
# in a temporary root under chroot, inside mount and pid namespaces
# (unshare): its /proc mount vanishes with them (or is unmounted by hand
# where the mount namespace cannot be private), and any process left in the
# root (a failed check) is killed when the namespace's first process ends;
# the root is removed at the end. Needs root, debootstrap and the network (Debian's archive); skipped
# (exit 77) without root or debootstrap. Takes about 3 minutes (debootstrap
# about 2.5 of them).
#
# Usage: deb_package_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1
build=$2
mirror=${DEPOSITD_DEBIAN_MIRROR:-http://deb.debian.org/debian}

if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: needs root (debootstrap and chroot)"
  exit 77
fi
if ! command -v debootstrap >/dev/null; then
  echo "SKIP: debootstrap is missing (deploy/install-deps.sh installs it for the tests)"
  exit 77
fi

work=$(mktemp -d /var/tmp/depositd-deb-test.XXXXXX)
root=$work/root
cleanup() {
  umount -l "$root/proc" 2>/dev/null || true
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

echo "== building the package"
deb=$(DEPOSITD_BUILD_DIR=$build "$src"/deploy/deb/build-deb.sh "$work/out")
echo "$deb"

echo "== debootstrap --variant=minbase bookworm"
start=$(date +%s)
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log"; exit 1; }
echo "   $(($(date +%s) - start)) s"
cp "$deb" "$root/tmp/depositd.deb"

cat >"$root/tmp/check.sh" <<'CHECK'
set -eu
export DEBIAN_FRONTEND=noninteractive
fail() { echo "FAIL: $*"; exit 1; }
if command -v depositd >/dev/null; then fail "depositd already in the fresh root"; fi

echo "== dpkg -i (its dependencies are not there yet)"
if dpkg -i /tmp/depositd.deb >/tmp/dpkg.log 2>&1; then
  fail "dpkg -i succeeded without the libraries in Depends: Depends is empty?"
fi
grep -q "dependency problems" /tmp/dpkg.log || { cat /tmp/dpkg.log; fail "dpkg -i failed for another reason"; }
echo "== apt-get -f install (exactly the Depends)"
apt-get update -qq
apt-get install -f -y -qq --no-install-recommends >/tmp/apt.log 2>&1 || { tail -20 /tmp/apt.log; fail "apt-get -f install"; }
dpkg-query -W -f='${Status}\n' depositd | grep -q "install ok installed" || fail "depositd not configured"

echo "== what the package installed"
depositd --version | grep -E "^depositd [0-9]+\.[0-9]+\.[0-9]+ \(revision " || fail "depositd --version"
depositctl help >/dev/null 2>&1 || depositctl --help >/dev/null 2>&1 || true
ldd /usr/bin/depositctl | grep -q "not found" && fail "depositctl misses a library"
ldd /usr/bin/depositd | grep -q "not found" && fail "depositd misses a library"
getent passwd depositd >/dev/null || fail "postinst did not create the user depositd"
for f in /lib/systemd/system/depositd.service /etc/depositd/depositd.textproto \
         /etc/default/depositd /usr/share/depositd/prometheus/depositd-rules.yml \
         /usr/share/doc/depositd/operations.md; do
  [ -f "$f" ] || fail "$f missing"
done
grep -qx /etc/depositd/depositd.textproto /var/lib/dpkg/info/depositd.conffiles || fail "config not a conffile"

echo "== depositd as user depositd on the installed config, like the unit"
mkdir -p -m 0700 /var/lib/depositd
chown depositd:depositd /var/lib/depositd
# setpriv execs depositd itself (runuser would stay as its parent and turn
# SIGTERM into a failed exit).
setpriv --reuid=depositd --regid=depositd --init-groups /usr/bin/depositd --data-dir /var/lib/depositd \
  --config /etc/depositd/depositd.textproto --log-format=json \
  --listen 127.0.0.1:0 --port-file /var/lib/depositd/port \
  --http-listen 127.0.0.1:0 >/tmp/depositd.log 2>&1 &
pid=$!
i=0
while [ ! -s /var/lib/depositd/port ]; do
  kill -0 $pid 2>/dev/null || { cat /tmp/depositd.log; fail "depositd exited at start"; }
  i=$((i + 1)); [ $i -lt 600 ] || { cat /tmp/depositd.log; fail "no port file in 60 s"; }
  sleep 0.1
done
depositctl --addr 127.0.0.1:"$(cat /var/lib/depositd/port)" health || { cat /tmp/depositd.log; fail "depositctl health"; }
kill -TERM $pid
wait $pid || { cat /tmp/depositd.log; fail "depositd did not stop cleanly"; }
grep -q '"message":"stopped cleanly"' /tmp/depositd.log || { cat /tmp/depositd.log; fail "no clean stop logged"; }
echo "OK"
CHECK

echo "== installing and running in the fresh root"
# Private propagation needs "/" to be a mount point; inside a chroot (a
# fresh-machine run) it is not, and unshare refuses. Then the namespace
# keeps the parent's propagation and the /proc mount is undone by hand
# (here and in cleanup), so it never outlives the test.
propagation=private
if ! unshare --mount --propagation private true 2>/dev/null; then
  propagation=unchanged
fi
unshare --mount --propagation "$propagation" --pid --fork sh -c \
  "mount -t proc proc '$root/proc' || exit 1
   rc=0; chroot '$root' sh /tmp/check.sh || rc=\$?
   umount '$root/proc' || true
   exit \$rc"
