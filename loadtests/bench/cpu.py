"""CPU seconds the orchestrator samples around a step: the whole box, PostgreSQL and Redis."""

from __future__ import annotations

import contextlib

import psutil  # type: ignore[import-untyped]


def services_cpu_by_pid() -> dict[int, float]:
    """CPU seconds of each PostgreSQL and Redis server process (shared system services)."""
    found: dict[int, float] = {}
    for p in psutil.process_iter(["name"]):
        name = p.info.get("name") or ""
        if name.startswith(("postgres", "redis-server")):
            with contextlib.suppress(psutil.Error):
                t = p.cpu_times()
                found[p.pid] = t.user + t.system
    return found


def services_cpu_delta(before: dict[int, float]) -> float:
    """Per process, so backends that start or end mid-step do not skew the sum (one
    that ended takes its last CPU with it: an undercount, never a negative)."""
    after = services_cpu_by_pid()
    return sum(max(0.0, cpu - before.get(pid, 0.0)) for pid, cpu in after.items())


def busy_cpu_seconds() -> float:
    t = psutil.cpu_times()
    return float(sum(t) - t.idle - getattr(t, "iowait", 0.0))
