#!/usr/bin/env bash
# Installs the Debian 12 packages depositd needs to build, run and test.
# Idempotent: installs only what is missing, and runs `apt-get update` only
# when something is. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake pkg-config ca-certificates tzdata
  protobuf-compiler libprotobuf-dev
  libgrpc++-dev protobuf-compiler-grpc
  libabsl-dev librocksdb-dev libcurl4-openssl-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libjemalloc-dev
  libcpp-httplib-dev prometheus-cpp-dev
  libsystemd-dev
  libnats-dev
)
# Extra packages for the test suite only (set by deploy/test.sh).
# prometheus-alertmanager: the end-to-end test starts a real Alertmanager on
# loopback; clang and its runtime (libFuzzer): the fuzz targets; openssl:
# tests/auth_test makes throwaway TLS certificates; prometheus: promtool
# checks /metrics and tests/http_edge_test scrapes depositd with a real
# Prometheus on loopback; systemd: systemd-analyze verifies the unit
# (tests/systemd_test); debootstrap: the Debian package is installed in a
# fresh Debian 12 root (tests/deb_package_test.sh); nats-server: the cluster
# tests start real 3-node JetStream clusters on loopback (label cluster).
# chromium: the console's browser tests run Debian's Chromium headless
# (tests/console_browser.cmake), driven from Node.js by playwright-core,
# which npm installs from console/tests' lockfile; nodejs and npm only where
# no node or npm is installed yet (a machine whose Node.js build already
# provides npm keeps it: Debian's npm package would conflict with it).
if [[ "${DEPOSITD_TEST_DEPS:-0}" == 1 ]]; then
  packages+=(procps prometheus-alertmanager clang libclang-rt-14-dev openssl
             prometheus systemd debootstrap nats-server chromium)
  if ! command -v node >/dev/null 2>&1; then packages+=(nodejs); fi
  if ! command -v npm >/dev/null 2>&1; then packages+=(npm); fi
fi
# gnuplot draws the benchmark plots (bench/*.sh set this).
if [[ "${DEPOSITD_BENCH_DEPS:-0}" == 1 ]]; then
  packages+=(gnuplot-nox linux-perf)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "depositd: installing missing Debian packages: ${missing[*]}" >&2
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then
    sudo=(sudo)
  else
    echo "depositd: these packages are missing and I am not root (and there is no sudo): ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
