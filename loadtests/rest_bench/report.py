"""The table the benchmark prints."""

from __future__ import annotations

from typing import Any


def table(results: dict[str, Any]) -> str:
    tp, lat = results["throughput"], results["latency"]
    small, large = (str(s) for s in results["config"]["sizes"])
    lines = [
        "",
        f"{'REST history throughput (newest page of 50)':<46}{'req/s':>10}{'p50 ms':>10}"
        f"{'p99 ms':>10}",
        f"{'  through the asgiref bridge (Flask-RESTX)':<46}{tp['bridge']['rate']:>10,.1f}"
        f"{tp['bridge']['p50_ms']:>10.2f}{tp['bridge']['p99_ms']:>10.2f}",
        f"{'  pure ASGI, same services and query':<46}{tp['asgi']['rate']:>10,.1f}"
        f"{tp['asgi']['p50_ms']:>10.2f}{tp['asgi']['p99_ms']:>10.2f}",
        f"  bridge / pure ASGI = {tp['ratio']:.2f}  (target >= {tp['target']}: "
        f"{'pass' if tp['pass'] else 'FAIL'})",
        f"  server CPU per request: bridge {tp['bridge']['server_cpu_us_per_request']:,.0f} µs, "
        f"pure ASGI {tp['asgi']['server_cpu_us_per_request']:,.0f} µs "
        f"(one core's worth: {tp['cpu_ratio']:.2f})",
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
        "(above ~1, something else shared the machine)"
    )
    return "\n".join(lines)
