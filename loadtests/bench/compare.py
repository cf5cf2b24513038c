"""chat-bench compare: two results.json side by side, with ratios."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from loadtests.bench.summary import summary_rows


def compare(args: argparse.Namespace) -> int:
    a = json.loads(Path(args.a).read_text())
    b = json.loads(Path(args.b).read_text())
    print(f"A: {args.a} ({a.get('started_at')}, {a.get('label') or ''})")
    print(f"B: {args.b} ({b.get('started_at')}, {b.get('label') or ''})\n")
    print("| configuration | capacity A | capacity B | B/A | µs/copy A | µs/copy B | B/A |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    rows_a = {r["config"]: r for r in summary_rows(a)}
    rows_b = {r["config"]: r for r in summary_rows(b)}
    for name in list(rows_a) + [n for n in rows_b if n not in rows_a]:
        ra, rb = rows_a.get(name, {}), rows_b.get(name, {})
        ca, cb = ra.get("capacity"), rb.get("capacity")
        ua, ub = ra.get("server_us_per_copy"), rb.get("server_us_per_copy")
        print(
            f"| {name} | {fmt(ca)} | {fmt(cb)} | {ratio(cb, ca)} | {fmt(ua)} | {fmt(ub)} "
            f"| {ratio(ub, ua)} |"
        )
    print("\nSame configuration, same rate:\n")
    print("| configuration | msgs/s | p99 A | p99 B | B/A | copies/s A | copies/s B | B/A |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    steps_b = {
        (c["name"], s["rate_msgs_per_s"]): s for c in b["configs"] for s in c.get("steps", [])
    }
    for config in a["configs"]:
        for sa in config.get("steps", []):
            sb = steps_b.get((config["name"], sa["rate_msgs_per_s"]))
            if sb is None:
                continue
            print(
                f"| {config['name']} | {sa['rate_msgs_per_s']:,.0f} | {fmt(sa['p99_ms'])} | "
                f"{fmt(sb['p99_ms'])} | {ratio(sb['p99_ms'], sa['p99_ms'])} | "
                f"{fmt(sa['delivered_copies_per_s'])} | {fmt(sb['delivered_copies_per_s'])} | "
                f"{ratio(sb['delivered_copies_per_s'], sa['delivered_copies_per_s'])} |"
            )
    return 0


def fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}"
    return str(value)


def ratio(num: Any, den: Any) -> str:
    if not num or not den:
        return "—"
    return f"{num / den:.2f}"
