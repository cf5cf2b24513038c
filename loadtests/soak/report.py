"""The soak's figures: JSON for machines, one PNG for people."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

MiB = 2**20


@dataclass
class Sample:
    t: float  # seconds into the steady phase
    server_rss: int
    server_fds: int
    own_rss: int
    open_connections: int
    sent: int
    acked: int
    failed: int
    copies: int  # fan-out copies with a latency sample in this interval
    latency: dict[str, float]  # seconds: p50, p95, p99, max of this interval
    ack_latency: dict[str, float]
    rss_growth: int  # bytes over the RSS right after every connection joined


def slope_per_hour(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, value), per hour."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return 0.0
    cov = sum((t - mean_t) * (v - mean_v) for t, v in points)
    return cov / var * 3600


def summarize(
    *,
    args: dict[str, Any],
    server: str,
    server_env: dict[str, str],
    limits: dict[str, int],
    rss_idle: int,
    fds_idle: int,
    rss_half: int,
    fds_half: int,
    rss_connected: int,
    fds_connected: int,
    connections: int,
    connect_seconds: float,
    samples: list[Sample],
    failures: dict[str, int],
    drops: list[str],
) -> dict[str, Any]:
    last = samples[-1] if samples else None
    # Growth is judged on the second half, after allocator and caches settled.
    half = samples[len(samples) // 2 :]
    p99s = [s.latency["p99"] for s in samples if s.latency]
    summary = {
        "connections": connections,
        "connect_seconds": round(connect_seconds, 1),
        "server_rss_idle_mib": round(rss_idle / MiB, 1),
        "server_rss_connected_mib": round(rss_connected / MiB, 1),
        "server_rss_half_connected_mib": round(rss_half / MiB, 1),
        # The second half of the connections: the first half also warmed the allocator.
        "rss_per_connection_kib": round(
            (rss_connected - rss_half) / max(connections - connections // 2, 1) / 1024, 1
        ),
        "server_rss_end_mib": round(last.server_rss / MiB, 1) if last else None,
        "rss_growth_during_traffic_mib": round(last.rss_growth / MiB, 1) if last else None,
        "rss_slope_second_half_mib_per_hour": round(
            slope_per_hour([(s.t, s.server_rss / MiB) for s in half]), 1
        ),
        "server_fds_idle": fds_idle,
        "server_fds_connected": fds_connected,
        "server_fds_end": last.server_fds if last else None,
        "fds_per_connection": round(
            (fds_connected - fds_half) / max(connections - connections // 2, 1), 2
        ),
        "messages_sent": last.sent if last else 0,
        "messages_acked": last.acked if last else 0,
        "send_failures": failures,
        "connections_dropped": connections - (last.open_connections if last else connections),
        "drop_reasons": drops,
        "latency_p99_ms_median_interval": round(sorted(p99s)[len(p99s) // 2] * 1000, 1)
        if p99s
        else None,
        "latency_p99_ms_worst_interval": round(max(p99s) * 1000, 1) if p99s else None,
        "nofile": limits,
    }
    return {
        "summary": summary,
        "args": args,
        "server": server,
        "server_env": server_env,
        "samples": [asdict(s) for s in samples],
    }


def write_report(result: dict[str, Any], samples: list[Sample], out: Path) -> None:
    (out / "soak.json").write_text(json.dumps(result, indent=2, default=str))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    minutes = [s.t / 60 for s in samples]
    fig, (mem, fds, lat) = plt.subplots(3, 1, figsize=(9, 9), sharex=True)
    s = result["summary"]
    fig.suptitle(
        f"soak: {s['connections']} connections, {result['args']['rate']:g} msg/s, "
        f"{result['server']}"
    )
    mem.plot(minutes, [x.server_rss / MiB for x in samples], label="server RSS")
    mem.plot(minutes, [x.own_rss / MiB for x in samples], label="soak client RSS", alpha=0.6)
    mem.set_ylabel("MiB")
    mem.legend(loc="upper left")
    fds.plot(minutes, [x.server_fds for x in samples], label="server open fds")
    fds.plot(minutes, [x.open_connections for x in samples], label="open connections")
    fds.set_ylabel("count")
    fds.legend(loc="upper left")
    for key in ("p50", "p95", "p99", "max"):
        lat.plot(minutes, [x.latency.get(key, float("nan")) * 1000 for x in samples], label=key)
    lat.set_ylabel("fan-out latency, ms")
    lat.set_yscale("log")
    lat.set_xlabel("minutes of steady traffic")
    lat.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(out / "soak.png", dpi=110)
    plt.close(fig)
