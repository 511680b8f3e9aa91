#!/usr/bin/env bash
# Runs the console's browser tests (CTest label console).
#   console/tests/run.sh install        npm ci from the committed lockfile
#                                        when node_modules is missing or older
#   console/tests/run.sh FILE.test.mjs  node's test runner on one file
# playwright-core drives Debian's Chromium (/usr/bin/chromium, or $CHROMIUM);
# no browser is ever downloaded.
set -euo pipefail
cd "$(dirname "$0")"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1
if [[ "${1:-}" == install ]]; then
  if [[ ! -f node_modules/.package-lock.json ||
        package-lock.json -nt node_modules/.package-lock.json ]]; then
    npm ci --ignore-scripts --no-audit --no-fund
  fi
  exit 0
fi
if [[ ! -d node_modules/playwright-core ]]; then
  echo "console tests: node_modules is missing; run deploy/test.sh or" \
       "'console/tests/run.sh install' (npm ci from the lockfile)" >&2
  exit 1
fi
chromium_bin=${CHROMIUM:-/usr/bin/chromium}
if [[ ! -x "$chromium_bin" ]]; then
  echo "console tests: no Chromium at $chromium_bin; install Debian's" \
       "chromium (DEPOSITD_TEST_DEPS=1 deploy/install-deps.sh)" >&2
  exit 1
fi
exec node --test --test-reporter=spec "$@"
