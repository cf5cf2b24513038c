"""chat-bench scaling: total server CPU per delivered copy at 1, 2 and 4 processes.

The same fixed load (rooms, room size, message rate) runs on `pg-redis-1`, `-2` and `-4`,
every room's members on one process (`placement="rooms"`, as a room-affine balancer puts
them; `--placement spread` puts connection i on process i mod N instead). It is CPU
accounting, not wall-clock capacity: the processes may share a core. With broadcasts routed
per room, a process pays only for the rooms it holds, so CPU per copy should stay flat as
processes are added; the goal is 4 processes at most 1.15x the CPU per copy of one.
"""

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

GOAL = 1.15


def scaling(args: argparse.Namespace) -> int:
    counts = [int(x) for x in args.processes.split(",")]
    started = dt.datetime.now(dt.UTC)
    out = (
        Path(args.out)
        if args.out
        else REPO_ROOT / "loadtests" / "results" / (started.strftime("%Y%m%d-%H%M%S") + "-scaling")
    )
    out.mkdir(parents=True, exist_ok=True)
    progress = Progress()
    chat_env = dict(kv.split("=", 1) for kv in args.env)
    rows: list[dict[str, Any]] = []
    for count in counts:
        opts = BenchOptions(
            connections=args.rooms * args.room_size,
            rooms=args.rooms,
            room_size=args.room_size,
            rates=[args.rate],
            duration=args.duration,
            warmup=args.warmup,
            retries=0,
            placement=args.placement,
        )
        kind = f"pg-redis-{count}"
        result = run_config(kind, opts, out / "logs", progress, chat_env=chat_env)
        steps = result.get("steps") or []
        if result.get("error") or not steps or steps[0]["server_cpu_s"] is None:
            rows.append({"processes": count, "error": result.get("error") or "no CPU figure"})
            continue
        step = steps[0]
        idle = result["connect"].get("idle_server_cpu_util") or 0.0
        busy = max(0.0, step["server_cpu_s"] - idle * step["wall_s"])
        copies = max(1, step["delivered_copies"])
        rows.append(
            {
                "processes": count,
                "copies": step["delivered_copies"],
                "acked": step["acked"],
                "server_cpu_s": busy,
                "us_per_copy": busy * 1e6 / copies,
                "services_cpu_s": step["services_cpu_s"],
                "p99_ms": step["p99_ms"],
                "lost": step.get("lost"),
                "error": None,
            }
        )
    base = next((r["us_per_copy"] for r in rows if not r["error"] and r["processes"] == 1), None)
    lines = [
        f"Server CPU per delivered copy, {args.rooms} rooms of {args.room_size} at "
        f"{args.rate:g} msgs/s, placement `{args.placement}` (less idle CPU; all processes "
        f"summed; goal: 4 processes <= {GOAL}x one):",
        "",
        "| processes | copies | server CPU s | µs per copy | ratio to 1 | p99 ms |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        if row["error"]:
            lines.append(f"| {row['processes']} | error: {str(row['error'])[:80]} | | | | |")
            continue
        ratio = row["us_per_copy"] / base if base else None
        row["ratio"] = ratio
        lines.append(
            f"| {row['processes']} | {row['copies']:,} | {row['server_cpu_s']:.2f} "
            f"| {row['us_per_copy']:.1f} | {f'{ratio:.2f}' if ratio else '—'} "
            f"| {_ms(row['p99_ms'])} |"
        )
    text = "\n".join(lines) + "\n"
    (out / "scaling.md").write_text(text)
    report.write_json(
        {"tool": "chat-bench scaling", "args": vars(args) | {"func": None}, "rows": rows},
        out / "scaling.json",
    )
    _plot(rows, out / "scaling.png")
    print(text)
    print(f"written to {out}")
    return 0 if all(not r["error"] for r in rows) else 1


def _plot(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    good = [r for r in rows if not r["error"]]
    if not good:
        return
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.bar([str(r["processes"]) for r in good], [r["us_per_copy"] for r in good])
    if good[0]["processes"] == 1:
        ax.axhline(good[0]["us_per_copy"] * GOAL, linestyle="--", color="grey")
        ax.text(0, good[0]["us_per_copy"] * GOAL, f" goal: {GOAL}x one", va="bottom")
    ax.set_xlabel("server processes")
    ax.set_ylabel("server CPU µs per delivered copy")
    ax.set_title("CPU per copy as processes are added")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"
