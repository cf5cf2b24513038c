#!/usr/bin/env bash
# Static checks of the delivery files, no Docker engine needed (docs/library-facts.md):
#   hadolint          every Dockerfile
#   actionlint        every workflow (with shellcheck on run: scripts when installed)
#   check-jsonschema  every compose file against the compose specification
#   nginx -t          the proxy config, when nginx is installed (upstream names stubbed)
# Exits non-zero on any finding. The tools come from PATH or the repo's .venv/bin.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [[ -d "$root/.venv/bin" ]]; then
    PATH="$PATH:$root/.venv/bin"
fi

failed=0
step() { printf '== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; failed=1; }

need() {
    if ! command -v "$1" > /dev/null 2>&1; then
        fail "$1 not found (pip install -e '.[dev]' provides it)"
        return 1
    fi
}

mapfile -t dockerfiles < <(git ls-files --cached --others --exclude-standard -- 'Dockerfile' 'Dockerfile.*' '*/Dockerfile' '*/Dockerfile.*' '*.Dockerfile' | sort -u)
mapfile -t workflows < <(git ls-files --cached --others --exclude-standard -- '.github/workflows/*.yml' '.github/workflows/*.yaml' | sort -u)
mapfile -t composefiles < <(git ls-files --cached --others --exclude-standard -- 'docker-compose*.yml' 'docker-compose*.yaml' 'compose*.yml' 'compose*.yaml' | sort -u)

step "hadolint: ${dockerfiles[*]:-(none)}"
if [[ ${#dockerfiles[@]} -eq 0 ]]; then
    fail "no Dockerfile found"
elif need hadolint; then
    hadolint --no-color --failure-threshold info "${dockerfiles[@]}" || fail "hadolint"
fi

step "actionlint: ${workflows[*]:-(none)}"
if [[ ${#workflows[@]} -eq 0 ]]; then
    fail "no workflow found"
elif need actionlint; then
    if ! command -v shellcheck > /dev/null 2>&1; then
        echo "note: shellcheck not installed; actionlint skips the run: scripts"
    fi
    actionlint -no-color "${workflows[@]}" || fail "actionlint"
fi

step "compose schema: ${composefiles[*]:-(none)}"
if [[ ${#composefiles[@]} -eq 0 ]]; then
    fail "no compose file found"
elif need check-jsonschema; then
    check-jsonschema --builtin-schema vendor.compose-spec "${composefiles[@]}" || fail "compose schema"
fi

step "shellcheck: scripts/validate-delivery.sh"
if command -v shellcheck > /dev/null 2>&1; then
    shellcheck scripts/validate-delivery.sh || fail "shellcheck"
else
    echo "note: shellcheck not installed; skipped"
fi

step "nginx -t: deploy/nginx/*.conf"
if command -v nginx > /dev/null 2>&1; then
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    for conf in deploy/nginx/*.conf; do
        # Compose service names do not resolve here; test the syntax against loopback.
        sed -E 's/(server[[:space:]]+)[a-z][a-z0-9_-]*:([0-9]+)/\1127.0.0.1:\2/' "$conf" > "$work/site.conf"
        cat > "$work/nginx.conf" <<EOF
pid $work/nginx.pid;
error_log stderr;
events {}
http {
    access_log off;
    client_body_temp_path $work;
    proxy_temp_path $work;
    fastcgi_temp_path $work;
    uwsgi_temp_path $work;
    scgi_temp_path $work;
    include $work/site.conf;
}
EOF
        nginx -q -t -e stderr -p "$work" -c "$work/nginx.conf" || fail "nginx -t $conf"
    done
else
    echo "note: nginx not installed; skipped (apt-get install nginx-light to run it)"
fi

if [[ $failed -ne 0 ]]; then
    echo "validate-delivery: FAILED" >&2
    exit 1
fi
echo "validate-delivery: all clean"
