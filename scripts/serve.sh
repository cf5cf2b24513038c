#!/usr/bin/env bash
# README command 1: install ChatApp and start it on the embedded default — SQLite and the
# in-process Socket.IO manager, no PostgreSQL or Redis — at http://127.0.0.1:8000.
# Any setting can be given in the environment (see .env.example), e.g. PORT=9000.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
echo "==> installing ChatApp into .venv"
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .

if command -v npm >/dev/null 2>&1; then
  built=webclient/dist/index.html
  if [[ ! -f $built || -n $(find webclient/src webclient/public webclient/index.html \
        webclient/package-lock.json webclient/vite.config.* -newer "$built" 2>/dev/null | head -1) ]]; then
    echo "==> building the web client"
    (cd webclient && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
  fi
else
  echo "==> npm not found: serving without the web client (install Node.js 20 to build it)"
fi

export CHAT_ENV=${CHAT_ENV:-development}
echo "==> ChatApp on http://${HOST:-127.0.0.1}:${PORT:-8000}  (API docs: /api/docs)"
exec .venv/bin/chat serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" --workers "${WORKERS:-1}"
