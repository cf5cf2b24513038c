"""chat-bench: Socket.IO fan-out benchmark of ChatApp against reference servers.

chat-bench fanout --configs node,pyref,embedded --ramp 250:8000 --duration 15
chat-bench fanout --target http://127.0.0.1:8000 --rate 200 --connections 200
chat-bench compare loadtests/results/A/results.json loadtests/results/B/results.json
chat-bench report loadtests/results/A/results.json   # redraw plots and HTML
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

from loadtests.bench import report
from loadtests.bench.plans import BenchOptions
from loadtests.bench.progress import Progress
from loadtests.bench.runner import options_dict, run_config
from loadtests.bench.servers import KINDS, RAISED_LIMITS, REPO_ROOT

DEFAULT_CONFIGS = "node,pyref,embedded,pg-redis-1,pg-redis-2"


def parse_rates(args: argparse.Namespace) -> tuple[list[float], bool, float]:
    if args.ramp:
        parts = args.ramp.split(":")
        if len(parts) not in (2, 3):
            raise SystemExit("--ramp takes START:MAX or START:MAX:FACTOR (msgs/s)")
        start, stop = float(parts[0]), float(parts[1])
        factor = float(parts[2]) if len(parts) == 3 else 2.0
        if start <= 0 or stop < start or factor <= 1:
            raise SystemExit("--ramp needs 0 < START <= MAX and FACTOR > 1")
        rates = []
        rate = start
        while rate <= stop * 1.0001:
            rates.append(round(rate, 3))
            rate *= factor
        return rates, True, factor
    return [float(r) for r in str(args.rate).split(",") if r.strip()], False, 2.0


def host_info() -> dict[str, Any]:
    import psutil  # type: ignore[import-untyped]

    info: dict[str, Any] = {
        "cpus": psutil.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "loadavg_1m": round(os.getloadavg()[0], 2),
    }
    try:
        node = subprocess.run(
            ["node", "--version"], capture_output=True, text=True, timeout=10, check=False
        )
        info["node"] = node.stdout.strip()
    except OSError:
        info["node"] = None
    from importlib.metadata import PackageNotFoundError, version

    for package in ("python-socketio", "python-engineio", "uvicorn", "websockets"):
        with contextlib.suppress(PackageNotFoundError):
            info[package] = version(package)
    lock = REPO_ROOT / "loadtests" / "reference" / "node" / "node_modules" / "socket.io"
    with contextlib.suppress(OSError, ValueError, KeyError):
        info["socket.io"] = json.loads((lock / "package.json").read_text())["version"]
    return info


def fanout(args: argparse.Namespace) -> int:
    rates, ramp, factor = parse_rates(args)
    opts = BenchOptions(
        connections=args.connections,
        rooms=args.rooms,
        room_size=args.room_size,
        rates=rates,
        ramp=ramp,
        ramp_factor=factor,
        refine=args.refine,
        retries=args.retries,
        profile=args.profile,
        profile_native=args.profile_native,
        duration=args.duration,
        warmup=args.warmup,
        drain=args.drain,
        body_bytes=args.body_bytes,
        workers=args.workers,
        users=args.users,
        compression=None if args.compression == "none" else args.compression,
        slo_ms=args.slo_ms,
        pin=not args.no_pin,
    )
    try:
        opts.validate()
    except ValueError as exc:
        raise SystemExit(f"chat-bench: {exc}") from exc
    configs = [c.strip() for c in (args.configs or "").split(",") if c.strip()]
    if args.target:
        configs = configs if args.configs else []
        configs += args.target
    if not configs:
        configs = DEFAULT_CONFIGS.split(",")
    started = dt.datetime.now(dt.UTC)
    out = (
        Path(args.out)
        if args.out
        else REPO_ROOT / "loadtests" / "results" / started.strftime("%Y%m%d-%H%M%S")
    )
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "schema": 1,
        "tool": "chat-bench fanout",
        "started_at": started.isoformat(timespec="seconds"),
        "label": args.label,
        "command": " ".join(["chat-bench", *sys.argv[1:]]),
        "host": host_info(),
        "options": options_dict(opts),
        "raised_limits": RAISED_LIMITS,
        "configs": [],
        "warnings": [],
    }
    progress = Progress()
    chat_env = dict(kv.split("=", 1) for kv in args.env)
    for kind in configs:
        result = run_config(
            kind, opts, out / "logs", progress, chat_env=chat_env, target_pids=args.target_pid
        )
        results["configs"].append(result)
        report.write_json(results, out / "results.json")
    results["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    results["warnings"] = collect_warnings(results)
    paths = report.write_all(results, out)
    print(report.markdown_summary(results))
    for w in results["warnings"]:
        print(f"warning: {w}")
    print(f"\nreport: {paths['html']}\njson:   {paths['json']}\ncsv:    {paths['csv']}")
    ok = all(
        not c.get("error") and any(s["delivered_copies"] > 0 for s in c["steps"])
        for c in results["configs"]
    )
    return 0 if ok else 1


def collect_warnings(results: dict[str, Any]) -> list[str]:
    warnings = []
    for config in results["configs"]:
        for step in config["steps"]:
            rate = f"{config['name']} at {step['rate_msgs_per_s']:,.0f} msgs/s"
            if step.get("generator_bound"):
                warnings.append(
                    f"{rate}: the generator was busy ({step['generator_util']:.0%} of its core, "
                    f"max send lag {step['max_send_lag_ms']:.0f} ms): figures may measure it"
                )
            if step.get("foreign_busy_cores", 0) > 0.3:
                warnings.append(
                    f"{rate}: other processes used {step['foreign_busy_cores']:.1f} cores "
                    "during the step: the figures are indicative"
                )
        if config.get("server_cores") is None and not config.get("error"):
            warnings.append(f"{config['name']}: server and generator were not pinned to cores")
    return warnings


def compare(args: argparse.Namespace) -> int:
    a = json.loads(Path(args.a).read_text())
    b = json.loads(Path(args.b).read_text())
    print(f"A: {args.a} ({a.get('started_at')}, {a.get('label') or ''})")
    print(f"B: {args.b} ({b.get('started_at')}, {b.get('label') or ''})\n")
    print("| configuration | capacity A | capacity B | B/A | µs/copy A | µs/copy B | B/A |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    rows_a = {r["config"]: r for r in report.summary_rows(a)}
    rows_b = {r["config"]: r for r in report.summary_rows(b)}
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


def redraw(args: argparse.Namespace) -> int:
    path = Path(args.results)
    results = json.loads(path.read_text())
    paths = report.write_all(results, path.parent)
    print(report.markdown_summary(results))
    print(f"\nreport: {paths['html']}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chat-bench", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fanout", help="measure room fan-out (delivered copies/s, latency)")
    f.add_argument(
        "--configs",
        help=f"comma-separated, in order: {', '.join(KINDS)} or URLs (default {DEFAULT_CONFIGS})",
    )
    f.add_argument(
        "--target",
        action="append",
        default=[],
        help="URL of a running server (http://127.0.0.1:PORT); repeatable",
    )
    f.add_argument(
        "--target-pid",
        type=int,
        action="append",
        default=[],
        help="pid of a --target server process, to measure its CPU and memory; repeatable",
    )
    f.add_argument("--connections", type=int, default=1000)
    f.add_argument("--rooms", type=int, default=50)
    f.add_argument("--room-size", type=int, default=20)
    f.add_argument("--rate", default="250", help="msgs/s sent, comma-separated steps")
    f.add_argument(
        "--ramp",
        help="START:MAX[:FACTOR] msgs/s, geometric; stops past the knee (steps down from "
        "START, up to 4 times, when START is already over the SLO)",
    )
    f.add_argument("--refine", type=int, default=1, help="bisection steps after the knee")
    f.add_argument("--retries", type=int, default=2, help="reruns of a step over the SLO")
    f.add_argument("--duration", type=float, default=15.0, help="seconds per step")
    f.add_argument("--warmup", type=float, default=2.0, help="unreported first step, seconds")
    f.add_argument("--drain", type=float, default=5.0, help="max wait for late copies, s")
    f.add_argument(
        "--workers",
        type=int,
        default=0,
        help="generator processes (default one per generator core: two processes sharing "
        "one core cost more per copy than one)",
    )
    f.add_argument("--users", type=int, default=0, help="users (default min(connections, 100))")
    f.add_argument("--body-bytes", type=int, default=64)
    f.add_argument("--compression", choices=("none", "deflate"), default="none")
    f.add_argument("--slo-ms", type=float, default=50.0)
    f.add_argument(
        "--profile",
        action="store_true",
        help="py-spy the Python server processes during each measured step",
    )
    f.add_argument(
        "--profile-native",
        action="store_true",
        help="like --profile with C frames (syscalls, uvloop, GC); pauses the server per sample",
    )
    f.add_argument("--no-pin", action="store_true", help="do not pin server/generator cores")
    f.add_argument("--env", action="append", default=[], help="KEY=VALUE for ChatApp servers")
    f.add_argument("--out", help="results directory (default loadtests/results/<timestamp>)")
    f.add_argument("--label", default="", help="free text stored with the results")
    f.set_defaults(func=fanout)
    c = sub.add_parser("compare", help="two results.json side by side, with ratios")
    c.add_argument("a")
    c.add_argument("b")
    c.set_defaults(func=compare)
    k = sub.add_parser("cost", help="split server CPU into per-message and per-copy costs")
    k.add_argument("--configs", default="node,pyref,embedded,pg-redis-1")
    k.add_argument("--sizes", default="2,50", help="room sizes, comma-separated (>= 2)")
    k.add_argument("--rate", type=float, default=20.0, help="msgs/s, below every knee")
    k.add_argument("--connections", type=int, default=200)
    k.add_argument("--duration", type=float, default=10.0)
    k.add_argument("--warmup", type=float, default=2.0)
    k.add_argument("--env", action="append", default=[], help="KEY=VALUE for ChatApp servers")
    k.add_argument("--out", help="results directory (default loadtests/results/<ts>-cost)")
    k.set_defaults(func=cost)
    r = sub.add_parser("report", help="redraw plots, CSV and HTML from a results.json")
    r.add_argument("results")
    r.set_defaults(func=redraw)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
