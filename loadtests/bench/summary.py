"""A run's figures per configuration: capacity, ratio to Node, cost per copy, as a table."""

from __future__ import annotations

import html
import math
from typing import Any


def capacity(config: dict[str, Any]) -> float | None:
    cap = config.get("capacity")
    return float(cap["copies_per_s"]) if cap else None


def reference_ratios(results: dict[str, Any], reference: str = "node") -> dict[str, float | None]:
    ref = next((c for c in results["configs"] if c["name"] == reference), None)
    ref_cap = capacity(ref) if ref else None
    ratios: dict[str, float | None] = {}
    for config in results["configs"]:
        cap = capacity(config)
        ratios[config["name"]] = cap / ref_cap if cap and ref_cap else None
    return ratios


def fmt_cell(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        if math.isinf(value):
            return "∞"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.{digits}f}"
    return html.escape(str(value))


def summary_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    ratios = reference_ratios(results)
    rows = []
    for config in results["configs"]:
        # Per-copy figures come from the capacity step, else from the most loaded one.
        step = None
        cap = config.get("capacity")
        if cap:
            step = next(
                (s for s in config["steps"] if s["rate_msgs_per_s"] == cap["rate_msgs_per_s"]), None
            )
        elif config.get("steps"):
            step = max(config["steps"], key=lambda s: s["delivered_copies_per_s"])
        us = step["server_us_per_copy"] if step else None
        rss = (config.get("connect") or {}).get("rss_per_connection_bytes")
        rows.append(
            {
                "config": config["name"],
                "capacity": capacity(config),
                "lower_bound": bool(cap and cap.get("lower_bound")),
                "ratio_to_node": ratios.get(config["name"]),
                "p99_ms": step["p99_ms"] if step else None,
                "server_us_per_copy": us,
                "cpu_ceiling": 1e6 / us if us else None,
                "services_us_per_copy": step["services_us_per_copy"] if step else None,
                "generator_util": step["generator_util"] if step else None,
                "rss_kib_per_connection": rss / 1024 if rss is not None else None,
                "error": config.get("error"),
            }
        )
    return rows


def markdown_summary(results: dict[str, Any]) -> str:
    lines = [
        "| configuration | capacity (copies/s, p99 ≤ "
        f"{results['options']['slo_ms']:g} ms) | ratio to Node | p99 there (ms) | server µs/copy "
        "| one core ÷ µs/copy | PG+Redis µs/copy | RSS KiB/conn |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in summary_rows(results):
        cap = fmt_cell(row["capacity"])
        if row["lower_bound"] and row["capacity"]:
            cap = "≥ " + cap
        if row["error"]:
            cap = f"error: {row['error'][:60]}"
        ratio = f"{row['ratio_to_node']:.2f}" if row["ratio_to_node"] else "—"
        lines.append(
            f"| {row['config']} | {cap} | {ratio} | {fmt_cell(row['p99_ms'])} | "
            f"{fmt_cell(row['server_us_per_copy'])} | {fmt_cell(row['cpu_ceiling'])} | "
            f"{fmt_cell(row['services_us_per_copy'])} | "
            f"{fmt_cell(row['rss_kib_per_connection'])} |"
        )
    return "\n".join(lines)
