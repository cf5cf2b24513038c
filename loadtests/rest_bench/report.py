"""The table the benchmark prints."""

from __future__ import annotations

from typing import Any


def table(results: dict[str, Any]) -> str:
    tp, lat = results["throughput"], results["latency"]
    small, large = (str(s) for s in results["config"]["sizes"])
    rows = (
        ("bridge", f"  history, {int(small):,} room, through the bridge"),
        ("bridge_large", f"  history, {int(large):,} room, through the bridge"),
        ("asgi", "  history, pure-ASGI twin (same services)"),
        ("lean", "  history, lean peer (ASGI + asyncpg)"),
        ("rooms", "  room list (GET /api/rooms), bridge"),
    )
    lines = [
        "",
        f"{'REST throughput, 16 connections':<46}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'CPU µs/req':>12}{'1 core/s':>10}",
    ]
    for kind, label in rows:
        row = tp[kind]
        lines.append(
            f"{label:<46}{row['rate']:>9,.1f}{row['p50_ms']:>9.2f}{row['p99_ms']:>9.2f}"
            f"{row['server_cpu_us_per_request']:>12,.0f}{row['one_core_rate']:>10,.0f}"
        )
    lines += [
        f"  twin CPU / bridge CPU = {tp['cpu_ratio']:.2f} (target >= {tp['target']}: "
        f"{'pass' if tp['pass'] else 'FAIL'}); lean / bridge = {tp['lean_ratio']:.2f}; "
        f"{int(large):,} / {int(small):,} room = {tp['large_ratio']:.2f}",
        f"  bridge pages per core-second >= {tp['rate_target']:,}: "
        f"{'pass' if tp['rate_pass'] else 'FAIL'}",
        "",
        f"{'History page latency, one request at a time':<46}{'p50 ms':>10}{'p99 ms':>10}",
    ]
    for kind, label in (("bridge", "REST"), ("asgi", "pure ASGI")):
        for size in (small, large):
            row = lat[kind][size]
            lines.append(
                f"{f'  {label}, {int(size):,} messages':<46}{row['p50_ms']:>10.2f}"
                f"{row['p99_ms']:>10.2f}"
            )
        lines.append(
            f"  {label}: {int(large):,} / {int(small):,} = {lat[kind]['ratio_p50']:.2f} (p50), "
            f"{lat[kind]['ratio_p99']:.2f} (p99)"
        )
    lines.append(
        f"  REST target <= {lat['target']}: {'pass' if lat['pass'] else 'FAIL'}",
    )
    machine = results["machine"]
    lines.append(
        f"\nload average before/after: {machine['loadavg_1m_before']} / "
        f"{machine['loadavg_1m_after']} on {machine['cpus']} cores "
        "(above ~1, something else shared the machine); other processes (PostgreSQL and Redis "
        "included) used "
        f"{tp['other_processes_cores']} cores during the throughput rounds"
    )
    return "\n".join(lines)
