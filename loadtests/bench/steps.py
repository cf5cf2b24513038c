"""Folding the generators' counts for one step into the step's record."""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from loadtests.bench import histogram
from loadtests.bench.plans import BenchOptions


def fold_step(
    opts: BenchOptions,
    rate: float,
    replies: list[dict[str, Any]],
    joined: list[int],
    server_cpu: float | None,
    services_cpu: float | None,
    busy_cpu: float,
    t0_ns: int,
) -> dict[str, Any]:
    rooms = len(joined)
    per_second = sum(r["per_second"] for r in replies)
    hist = per_second.sum(axis=0)
    ack_hist = sum(r["ack_hist"] for r in replies)
    acked: list[set[int]] = [set() for _ in range(rooms)]
    counts: list[dict[int, int]] = [{} for _ in range(rooms)]
    for r in replies:
        for ri in range(rooms):
            acked[ri].update(r["acked_seqs"][ri])
            target = counts[ri]
            for seq, n in r["recv_counts"][ri].items():
                target[seq] = target.get(seq, 0) + n
    expected = 0
    delivered_of_acked = 0
    for ri in range(rooms):
        members = joined[ri]
        expected += members * len(acked[ri])
        got = counts[ri]
        delivered_of_acked += sum(min(members, got.get(seq, 0)) for seq in acked[ri])
    lost = expected - delivered_of_acked
    unique = sum(r["unique"] for r in replies)
    with_loss = hist.copy()
    with_loss[histogram.OVERFLOW] += lost
    last_receipt = max((r["last_receipt_ns"] for r in replies), default=0)
    window = max(opts.duration, (last_receipt - t0_ns) / 1e9) if last_receipt else opts.duration
    wall = max(r["wall_seconds"] for r in replies)
    gen_cpu = sum(r["cpu_seconds"] for r in replies)
    ack_failed: dict[str, int] = {}
    for r in replies:
        for code, n in r["ack_failed"].items():
            ack_failed[code] = ack_failed.get(code, 0) + n
    p99_loss = histogram.percentile_us(with_loss, 99) / 1000
    seconds = []
    for s in range(per_second.shape[0]):
        row = per_second[s]
        n = int(row.sum())
        if n:
            seconds.append(
                {
                    "t": s,
                    "copies": n,
                    "p50_ms": histogram.percentile_us(row, 50) / 1000,
                    "p99_ms": histogram.percentile_us(row, 99) / 1000,
                    "max_ms": histogram.upper_edge_us(int(np.nonzero(row)[0].max())) / 1000,
                }
            )
    sent = sum(r["sent"] for r in replies)
    failures = sum(ack_failed.values()) + sum(r["ack_timeouts"] + r["send_errors"] for r in replies)
    gen_cores = len(os.sched_getaffinity(0))
    step: dict[str, Any] = {
        "rate_msgs_per_s": rate,
        "offered_copies_per_s": rate * (sum(joined) / max(1, rooms)),
        "sent": sent,
        "acked": sum(r["acked"] for r in replies),
        "ack_failed": ack_failed,
        "ack_timeouts": sum(r["ack_timeouts"] for r in replies),
        "send_errors": sum(r["send_errors"] for r in replies),
        "failure_ratio": failures / max(1, sent),
        "expected_copies": expected,
        "delivered_copies": unique,
        "delivered_copies_per_s": unique / window,
        "delivery_window_s": window,
        "lost": lost,
        "duplicates": sum(r["duplicates"] for r in replies),
        "out_of_order": sum(r["out_of_order"] for r in replies),
        "stale": sum(r["stale"] for r in replies),
        "late_acks": sum(r["late_acks"] for r in replies),
        "p50_ms": histogram.percentile_us(hist, 50) / 1000,
        "p95_ms": histogram.percentile_us(hist, 95) / 1000,
        "p99_ms": histogram.percentile_us(hist, 99) / 1000,
        "max_ms": max((r["max_latency_us"] for r in replies), default=0.0) / 1000,
        "p99_with_loss_ms": p99_loss,
        "ack_p50_ms": histogram.percentile_us(ack_hist, 50) / 1000,
        "ack_p99_ms": histogram.percentile_us(ack_hist, 99) / 1000,
        "server_cpu_s": server_cpu,
        "server_cpu_util": server_cpu / wall if wall and server_cpu is not None else None,
        "server_us_per_copy": per_copy(server_cpu, unique),
        "services_cpu_s": services_cpu,
        "services_us_per_copy": per_copy(services_cpu, unique),
        "generator_cpu_s": gen_cpu,
        "generator_util": gen_cpu / (wall * gen_cores) if wall else 0.0,
        "generator_us_per_copy": gen_cpu * 1e6 / unique if unique else math.nan,
        "max_send_lag_ms": max(r["max_send_lag_ms"] for r in replies),
        "sends_late_5ms": sum(r["sends_late_5ms"] for r in replies),
        "box_busy_cores": busy_cpu / wall if wall else 0.0,
        "wall_s": wall,
        "disconnects": sum(r["disconnects"] for r in replies),
        "qualifies": bool(unique and p99_loss <= opts.slo_ms),
        "hist": {str(i): int(n) for i, n in enumerate(hist) if n},
        "per_second": seconds,
    }
    known = (server_cpu or 0.0) + gen_cpu + (services_cpu or 0.0)
    step["foreign_busy_cores"] = max(0.0, step["box_busy_cores"] - known / wall) if wall else 0.0
    # Sends are never held back by the server (write_now), so late sends mean the
    # generator's own loop was busy or descheduled.
    step["generator_bound"] = bool(
        step["generator_util"] > 0.75 or step["sends_late_5ms"] > sent / 100
    )
    return step


def per_copy(cpu_seconds: float | None, copies: int) -> float | None:
    if cpu_seconds is None or not copies:
        return None
    return cpu_seconds * 1e6 / copies


def attempt_rank(step: dict[str, Any]) -> tuple[bool, float]:
    p99 = step["p99_with_loss_ms"]
    return (not step["qualifies"], p99 if p99 == p99 else math.inf)
