#!/usr/bin/env bash
# End-to-end test of the built client against a running server.
#   E2E_BASE_URL=http://127.0.0.1:8000 webclient/e2e.sh
# The server must serve webclient/dist (WEBCLIENT_DIR); run ci.sh (or npm ci &&
# npm run build) first. Installs Debian's chromium when it is missing.
set -euo pipefail
cd "$(dirname "$0")"

: "${E2E_BASE_URL:=http://127.0.0.1:8000}"
export E2E_BASE_URL

if [ ! -x /usr/bin/chromium ]; then
  echo "==> installing chromium (apt)"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi

if [ ! -d node_modules/playwright-core ]; then
  echo "==> installing node packages"
  npm ci --no-audit --no-fund
fi

echo "==> e2e against ${E2E_BASE_URL}"
exec node e2e/chat.e2e.mjs
