#!/usr/bin/env bash
# Makes sure PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) answer, starting them
# where they are installed but not running. Exit 0: both up. Exit 3: not installed here.
set -uo pipefail

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_up() {
  for _ in $(seq 1 60); do up "$1" && return 0; sleep 0.5; done
  return 1
}

if ! up 5432; then
  if ls /etc/postgresql >/dev/null 2>&1 && command -v pg_ctlcluster >/dev/null; then
    echo "==> starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    wait_up 5432 || { echo "PostgreSQL did not come up on 127.0.0.1:5432" >&2; exit 1; }
  else
    echo "PostgreSQL is not installed here" >&2; exit 3
  fi
fi
if ! up 6379; then
  if command -v redis-server >/dev/null; then
    echo "==> starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
    wait_up 6379 || { echo "Redis did not come up on 127.0.0.1:6379" >&2; exit 1; }
  else
    echo "Redis is not installed here" >&2; exit 3
  fi
fi
exit 0
