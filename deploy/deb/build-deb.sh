#!/usr/bin/env bash
# Builds the Debian package depositd_VERSION_ARCH.deb from an existing build
# (deploy/build.sh), with dpkg-deb.
#
#   deploy/deb/build-deb.sh [OUT_DIR]      (default: build/deb)
#
# Why dpkg-deb and not CPack: the package needs maintainer scripts (a
# system user, the unit enabled on install) and conffiles, which are plain
# files here that a reader can check against Debian policy, and no packaging
# rules go into the shared CMakeLists. Depends comes from dpkg-shlibdeps
# over the two binaries (the libraries they link, with the versions of this
# Debian release), so it never drifts from what the build links.
#
# Installs:
#   /usr/bin/depositd, /usr/bin/depositctl        (debug info stripped)
#   /lib/systemd/system/depositd.service          deploy/systemd/
#   /etc/depositd/depositd.textproto              example config (conffile)
#   /etc/default/depositd                         ARGS= for the unit (conffile)
#   /usr/share/depositd/prometheus/depositd-rules.yml   deploy/prometheus/
#   /usr/share/doc/depositd/                      operations.md, copyright
# The system user `depositd` is created by postinst; the data dir
# /var/lib/depositd by systemd (StateDirectory). Purging the package keeps
# the data dir and the user: the data proves merchants' money.
set -euo pipefail
cd "$(dirname "$0")/../.."
build_dir=${DEPOSITD_BUILD_DIR:-build}
out_dir=${1:-$build_dir/deb}
depositd_bin=$build_dir/daemon/depositd
depositctl_bin=$build_dir/tools/depositctl
for f in "$depositd_bin" "$depositctl_bin"; do
  if [[ ! -x $f ]]; then
    echo "build-deb: $f is missing: run deploy/build.sh --target depositd depositctl first" >&2
    exit 1
  fi
done

# "depositd 0.1.0 (revision abcdef012345)" -> 0.1.0
version=$("$depositd_bin" --version | awk '{print $2}')
arch=$(dpkg --print-architecture)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/depositd_${version}_${arch}
mkdir -p "$root"/DEBIAN "$root"/usr/bin "$root"/lib/systemd/system \
  "$root"/etc/depositd "$root"/etc/default \
  "$root"/usr/share/depositd/prometheus "$root"/usr/share/doc/depositd

install -m 0755 "$depositd_bin" "$depositctl_bin" "$root"/usr/bin/
strip --strip-debug "$root"/usr/bin/depositd "$root"/usr/bin/depositctl
install -m 0644 deploy/systemd/depositd.service "$root"/lib/systemd/system/
install -m 0644 deploy/examples/depositd.textproto "$root"/etc/depositd/
install -m 0644 deploy/deb/default "$root"/etc/default/depositd
install -m 0644 deploy/prometheus/depositd-rules.yml \
  "$root"/usr/share/depositd/prometheus/
install -m 0644 docs/operations.md deploy/deb/copyright \
  "$root"/usr/share/doc/depositd/
install -m 0755 deploy/deb/postinst deploy/deb/prerm deploy/deb/postrm \
  "$root"/DEBIAN/
printf '/etc/depositd/depositd.textproto\n/etc/default/depositd\n' \
  >"$root"/DEBIAN/conffiles

# dpkg-shlibdeps reads debian/control of a source package: give it one.
mkdir -p "$stage"/src/debian
printf 'Source: depositd\n\nPackage: depositd\nArchitecture: any\n' \
  >"$stage"/src/debian/control
depends=$(cd "$stage"/src &&
  dpkg-shlibdeps -O "$root"/usr/bin/depositd "$root"/usr/bin/depositctl |
  sed -n 's/^shlibs:Depends=//p')
if [[ -z $depends ]]; then
  echo "build-deb: dpkg-shlibdeps found no dependencies" >&2
  exit 1
fi
installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root"/DEBIAN/control <<CONTROL
Package: depositd
Version: $version
Architecture: $arch
Maintainer: depositd maintainers <depositd@localhost>
Installed-Size: $installed_size
Depends: $depends, adduser | passwd
Section: net
Priority: optional
Description: closure-readiness daemon for e-commerce security deposits
 depositd keeps a state machine per shop for the security deposits that
 e-commerce platforms hold, tells when a shop's deposit can be refunded
 and alerts operations about what blocks it. It serves gRPC (ingest,
 readiness, alerts, admin) and an HTTP edge with Prometheus metrics and
 probes. depositctl is its command-line client.
CONTROL

mkdir -p "$out_dir"
deb=$out_dir/depositd_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
