#!/usr/bin/env bash
# README command 2: the whole test suite. `.ci/run` calls exactly this.
#   static checks (ruff, mypy --strict, bandit) and delivery validation (hadolint, actionlint,
#   compose schema); pytest on SQLite + in-process manager, then on PostgreSQL + Redis (with
#   the fault drills), then tests/realtime on a private Redis Cluster; one combined coverage
#   floor of 80% on chat/; the web client's lint, unit tests (coverage >= 75%) and build;
#   the browser end-to-end test in headless Chromium.
# With CI set, PostgreSQL and Redis must be reachable (started here if installed) or the run
# fails. Outside CI, where they are not installed, that half is reported as not run.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
START=$(date +%s)
declare -a PASSED=() FAILED=() NOT_RUN=()

stage() {  # stage NAME COMMAND...: runs one stage, records the outcome, goes on
  local name=$1; shift
  echo; echo "======== $name"
  local t0=$(date +%s)
  if "$@"; then PASSED+=("$name"); echo "-------- $name: ok ($(( $(date +%s) - t0 ))s)"
  else FAILED+=("$name"); echo "-------- $name: FAILED ($(( $(date +%s) - t0 ))s)"; fi
}

install() {
  [[ -x .venv/bin/python ]] || python3 -m venv .venv || return 1
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null &&
    .venv/bin/python -m pip install -q -e ".[dev,load]"
}

system_tools() {  # Debian packages some stages use: Chromium, shellcheck, nginx (for nginx -t)
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
  command -v nginx >/dev/null 2>&1 || missing+=(nginx-light)
  [[ ${#missing[@]} == 0 ]] && return 0
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "installing: ${missing[*]}"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "not root or no apt-get: install ${missing[*]} to run every check"
    [[ -z ${CI-} ]]
  fi
}

static_checks() {
  .venv/bin/ruff check chat migrations tests loadtests &&
    .venv/bin/ruff format --check chat migrations tests loadtests &&
    .venv/bin/mypy --strict chat &&
    .venv/bin/bandit -q -c pyproject.toml -r chat
}

pytest_pass() {  # pytest_pass BACKEND ARGS...
  local backend=$1; shift
  CHAT_TEST_BACKEND=$backend .venv/bin/coverage run -m pytest -p no:cacheprovider \
    --junitxml="test-artifacts/junit-$backend.xml" "$@"
}

cluster_pass() {  # the realtime contract again, on a private Redis Cluster (3 masters + 3 replicas)
  CHAT_TEST_BACKEND=postgres CHAT_TEST_REDIS=cluster .venv/bin/coverage run -m pytest \
    -p no:cacheprovider --junitxml=test-artifacts/junit-redis-cluster.xml tests/realtime
}

coverage_report() {
  .venv/bin/coverage combine -q &&
    .venv/bin/coverage report --fail-under=80 &&
    .venv/bin/coverage xml -q -o test-artifacts/coverage.xml
}

e2e() {
  local port log pid rc
  port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  log=test-artifacts/e2e-server.log
  CHAT_ENV=test SECRET_KEY=e2e-secret-key-0123456789abcdefghijklmnop \
    DATABASE_URL="sqlite+aiosqlite:///$ROOT/test-artifacts/e2e.db" \
    LOGIN_RATE_PER_ADDRESS=100000 WEBCLIENT_DIR="$ROOT/webclient/dist" \
    SEND_RATE_PER_SECOND=1000 SEND_RATE_BURST=1000 \
    .venv/bin/chat serve --port "$port" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/api/ready" >/dev/null && break; sleep 0.2; done
  E2E_BASE_URL="http://127.0.0.1:$port" bash webclient/e2e.sh; rc=$?
  kill "$pid"; wait "$pid" 2>/dev/null
  return $rc
}

mkdir -p test-artifacts
rm -f .coverage .coverage.* test-artifacts/e2e.db*

stage "install" install || true
if [[ ${FAILED[*]-} == *install* ]]; then echo "install failed"; exit 1; fi
stage "system tools" system_tools
stage "static checks" static_checks
stage "delivery validation" bash scripts/validate-delivery.sh

stage "pytest: sqlite + in-process manager" pytest_pass sqlite -m "not drill"

bash scripts/services.sh; services=$?
if [[ $services == 0 ]]; then
  stage "pytest: postgresql + redis, with drills" pytest_pass postgres
  stage "pytest: realtime on a Redis Cluster" cluster_pass
elif [[ -n ${CI-} ]]; then
  FAILED+=("pytest: postgresql + redis (PostgreSQL or Redis unreachable)")
else
  NOT_RUN+=("pytest: postgresql + redis — run it with: CHAT_TEST_BACKEND=postgres .venv/bin/pytest")
fi
stage "coverage >= 80% of chat/" coverage_report

if command -v npm >/dev/null 2>&1 || [[ -n ${CI-} ]]; then
  stage "web client: lint, unit tests, build" bash webclient/ci.sh
  stage "web client: end-to-end in headless Chromium" e2e
else
  NOT_RUN+=("web client — install Node.js 20, then: bash webclient/ci.sh")
fi

echo; echo "======== summary ($(( $(date +%s) - START ))s)"
for s in "${PASSED[@]}"; do echo "  ok       $s"; done
for s in "${FAILED[@]}"; do echo "  FAILED   $s"; done
for s in "${NOT_RUN[@]}"; do echo "  not run  $s"; done
echo "stages: ${#PASSED[@]} passed, ${#FAILED[@]} failed"
[[ ${#FAILED[@]} == 0 ]]
