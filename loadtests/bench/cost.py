"""chat-bench cost: a server's CPU split into a cost per message and per delivered copy."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from loadtests.bench import report
from loadtests.bench.plans import BenchOptions
from loadtests.bench.progress import Progress
from loadtests.bench.runner import run_config
from loadtests.bench.servers import REPO_ROOT


def cost(args: argparse.Namespace) -> int:
    """Split a server's CPU into a cost per message and a cost per delivered copy.

    Runs each configuration at one message rate with different room sizes (same
    connections), then fits server CPU = a x messages + b x copies (least squares),
    after subtracting the CPU the server burns idle with the same sockets open.
    """
    import numpy as np

    sizes = [int(x) for x in args.sizes.split(",")]
    if len(sizes) < 2:
        raise SystemExit("--sizes needs at least two room sizes")
    started = dt.datetime.now(dt.UTC)
    out = (
        Path(args.out)
        if args.out
        else REPO_ROOT / "loadtests" / "results" / (started.strftime("%Y%m%d-%H%M%S") + "-cost")
    )
    out.mkdir(parents=True, exist_ok=True)
    progress = Progress()
    rows: list[dict[str, Any]] = []
    for kind in [c.strip() for c in args.configs.split(",") if c.strip()]:
        points = []
        for size in sizes:
            opts = BenchOptions(
                connections=args.connections,
                rooms=max(1, args.connections // size),
                room_size=size,
                rates=[args.rate],
                duration=args.duration,
                warmup=args.warmup,
                retries=0,
            )
            chat_env = dict(kv.split("=", 1) for kv in args.env)
            result = run_config(kind, opts, out / "logs", progress, chat_env=chat_env)
            if result.get("error") or not result["steps"]:
                rows.append({"config": kind, "error": result.get("error") or "no step"})
                break
            step = result["steps"][0]
            idle = result["connect"].get("idle_server_cpu_util")
            if step["server_cpu_s"] is None or idle is None:
                rows.append({"config": kind, "error": "server CPU not measurable"})
                break
            points.append(
                {
                    "room_size": size,
                    "messages": step["acked"],
                    "copies": step["delivered_copies"],
                    # Less what the server burns idle with the same sockets open.
                    "server_cpu_s": max(0.0, step["server_cpu_s"] - idle * step["wall_s"]),
                    "idle_server_cpu_util": idle,
                    "services_cpu_s": step["services_cpu_s"],
                    "p99_ms": step["p99_ms"],
                }
            )
        else:
            a = np.array([[p["messages"], p["copies"]] for p in points], dtype=float)
            y = np.array([p["server_cpu_s"] for p in points], dtype=float)
            (per_message, per_copy), *_ = np.linalg.lstsq(a, y, rcond=None)
            rows.append(
                {
                    "config": kind,
                    "per_message_us": per_message * 1e6,
                    "per_copy_us": per_copy * 1e6,
                    "points": points,
                    "error": None,
                }
            )
    lines = [
        f"Server CPU split at {args.rate:g} msgs/s, room sizes {args.sizes}, "
        f"{args.connections} connections (least squares over the sizes)"
        + (f", ChatApp env {' '.join(args.env)}" if args.env else "")
        + ":",
        "",
        "| configuration | µs per message | µs per delivered copy | room-size points |",
        "|---|---:|---:|---|",
    ]
    for row in rows:
        if row["error"]:
            lines.append(f"| {row['config']} | error: {row['error'][:80]} | | |")
            continue
        pts = ", ".join(
            f"{p['room_size']}: {p['server_cpu_s'] * 1e6 / max(1, p['messages']):,.0f} µs/msg"
            for p in row["points"]
        )
        lines.append(
            f"| {row['config']} | {row['per_message_us']:,.0f} | {row['per_copy_us']:,.1f} "
            f"| {pts} |"
        )
    text = "\n".join(lines) + "\n"
    (out / "cost.md").write_text(text)
    report.write_json(
        {"tool": "chat-bench cost", "args": vars(args) | {"func": None}, "rows": rows},
        out / "cost.json",
    )
    print(text)
    print(f"written to {out}")
    return 0 if all(not r["error"] for r in rows) else 1
