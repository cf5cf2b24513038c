"""chat-bench fanout: run each configuration's ramp, then write and print the report."""

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
from loadtests.bench.servers import RAISED_LIMITS, REPO_ROOT
from loadtests.bench.summary import markdown_summary

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
    print(markdown_summary(results))
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
