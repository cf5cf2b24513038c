#!/usr/bin/env bash
# The web client's gate, from a fresh clone: install, lint, typecheck, unit tests
# with coverage (thresholds in vite.config.ts), production build to dist/.
set -euo pipefail
cd "$(dirname "$0")"

run() {
  echo "==> $*"
  "$@"
}

run node --version
run npm ci --no-audit --no-fund
run npm run lint
run npm run typecheck
run npm test
run npm run build
echo "==> webclient: all checks passed"
