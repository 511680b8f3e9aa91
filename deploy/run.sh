#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, and starts
# depositd in the foreground with its embedded RocksDB store under
# ./var/depositd, listening on 127.0.0.1:50051. Extra arguments go to
# depositd (e.g. --listen, --config, --test-clock). Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
deploy/build.sh --target depositd depositctl
# The data dir holds merchants' paying accounts and the ledger: depositd
# refuses one that other users can read (README "Security").
mkdir -p var/depositd
chmod 700 var/depositd
echo "depositd: starting; try: build/tools/depositctl health" >&2
exec build/daemon/depositd --data-dir var/depositd "$@"
