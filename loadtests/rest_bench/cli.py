"""`python -m loadtests.rest_bench` (or `chat-rest-bench`): what a REST history page costs
the server, through Flask-RESTX and against leaner paths, and whether it grows with the room.

1. A throwaway PostgreSQL database (dropped after) and its own Redis key prefix; the server
   (loadtests.rest_bench.app: ChatApp plus a pure-ASGI twin of the history endpoint) and
   the lean peer (loadtests.rest_bench.lean) on the first core, this generator on the others.
2. Throughput: `--connections` closed-loop keep-alive clients ask for pages of 50 below a
   random seq - through the bridge (10k and 1M rooms), the twin, the lean peer - and for
   the room list, each kind in turn for `--rounds` rounds; each kind's server CPU per
   request comes from /proc. Targets: the twin's CPU per page >= 0.8x the bridge's; one
   core serves >= 1,500 pages/s through the bridge (CPU per page <= 667 us).
3. Page latency: one client asks, one request at a time, for pages of both rooms in turn
   (newest, below a random seq, above a random seq, at the same relative place in both).
   Target: the 1M room's p50 and p99 within 1.2x of the 10k room's.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import statistics
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]
import uvloop

from loadtests.rest_bench import database, profile, report, server
from loadtests.rest_bench.client import Connection, Run, closed_loop

THROUGHPUT_TARGET = 0.8  # bridge CPU per request within 1/0.8 of the pure-ASGI twin's
RATE_TARGET = 1500  # history pages/s one server core serves through the bridge
LATENCY_TARGET = 1.2
PAGE = 50


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="chat-rest-bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,1000000", help="messages in the two rooms")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0, help="per throughput round")
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument(
        "--rounds", type=int, default=4, help="throughput rounds per path, alternating"
    )
    parser.add_argument("--pages", type=int, default=1500, help="latency requests per room")
    parser.add_argument("--out", type=Path, default=None, help="results directory")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="after the throughput rounds, one more round per kind under py-spy (profile-*.json)",
    )
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    if len(sizes) != 2 or min(sizes) < PAGE * 4:
        parser.error(f"--sizes takes two sizes of at least {PAGE * 4}")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.out or server.REPO_ROOT / "loadtests" / "results" / f"rest-bench-{stamp}"
    out.mkdir(parents=True, exist_ok=True)
    results = uvloop.run(_run(args, sizes, out))
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(report.table(results))
    print(f"\nresults: {out / 'results.json'}")
    passed = results["throughput"]["pass"] and results["throughput"]["rate_pass"]
    return 0 if passed and results["latency"]["pass"] else 1


async def _run(args: argparse.Namespace, sizes: list[int], out: Path) -> dict[str, Any]:
    load_before = os.getloadavg()
    server_cores, generator_cores = server.split_cores()
    if generator_cores:
        os.sched_setaffinity(0, generator_cores)
    name = await database.create_database()
    prefix = f"restbench{secrets.token_hex(4)}"
    proc: subprocess.Popen[bytes] | None = None
    lean: subprocess.Popen[bytes] | None = None
    try:
        port, lean_port = server.free_port(), server.free_port()
        proc = server.start_server(name, prefix, port, server_cores, out / "server.log")
        lean = server.start_server(
            name, prefix, lean_port, server_cores, out / "lean.log", server.LEAN_FACTORY
        )
        base = f"http://127.0.0.1:{port}"
        server.wait_ready(base, proc)
        server.wait_ready(f"http://127.0.0.1:{lean_port}", lean, path="/ready")
        token, user_id = server.login(base)
        rooms: dict[int, int] = {}
        seeded: dict[str, float] = {}
        for size in sizes:
            room_id = server.create_room(base, token, f"bench-{size}")
            seeded[str(size)] = round(await database.fill_room(name, room_id, user_id, size), 2)
            rooms[size] = room_id
            print(f"room of {size:,} messages seeded in {seeded[str(size)]:.1f}s", flush=True)
        await database.mark_read(name, user_id)
        await _same_answers(port, lean_port, token, rooms[sizes[0]])
        targets = {
            "bridge": (port, proc.pid, _history("/api/rooms/{}/messages", rooms, sizes[0])),
            "bridge_large": (port, proc.pid, _history("/api/rooms/{}/messages", rooms, sizes[1])),
            "asgi": (port, proc.pid, _history("/bench/history/{}", rooms, sizes[0])),
            "lean": (lean_port, lean.pid, _history("/history/{}", rooms, sizes[0])),
            "rooms": (port, proc.pid, _constant("/api/rooms")),
        }
        busy_before, own_before = _busy_seconds(), _own_seconds(proc.pid, lean.pid)
        started = time.monotonic()
        throughput = await _throughput(args, token, targets)
        elapsed = time.monotonic() - started
        others = _busy_seconds() - busy_before - (_own_seconds(proc.pid, lean.pid) - own_before)
        # How quiet the box was: CPU the rest of the machine used while the throughput ran,
        # in cores (of os.cpu_count()); near 0 on a quiet machine.
        throughput["other_processes_cores"] = round(others / elapsed, 2)
        if args.profile:
            await _profile(args, token, targets, out)
        latency = await _latency(args, port, token, rooms)
    finally:
        for process in (proc, lean):
            if process is not None:
                server.stop(process)
        await database.drop_database(name)
        await server.drop_redis_keys(prefix)
    return {
        "when": datetime.now(UTC).isoformat(),
        "machine": {
            "cpus": os.cpu_count(),
            "server_cores": sorted(server_cores or []),
            "generator_cores": sorted(generator_cores or []),
            "python": platform.python_version(),
            # Anything else running on the box shows here and in the figures.
            "loadavg_1m_before": round(load_before[0], 2),
            "loadavg_1m_after": round(os.getloadavg()[0], 2),
        },
        "config": {
            "sizes": sizes,
            "connections": args.connections,
            "seconds": args.seconds,
            "rounds": args.rounds,
            "pages": args.pages,
            "page_size": PAGE,
            "db_pool_size": server.DB_POOL_SIZE,
            "database": "PostgreSQL 127.0.0.1:5432 (throwaway database), Redis deny-list",
        },
        "seed_seconds": seeded,
        "throughput": throughput,
        "latency": latency,
    }


async def _same_answers(port: int, lean_port: int, token: str, room_id: int) -> None:
    """Every path must answer the same page, or the comparison means nothing."""
    conn = await Connection("127.0.0.1", port, token).open()
    peer = await Connection("127.0.0.1", lean_port, token).open()
    try:
        for query in (f"?limit={PAGE}", f"?before=500&limit={PAGE}", "?after=7&limit=3"):
            bridge = await conn.get(f"/api/rooms/{room_id}/messages{query}")
            pure = await conn.get(f"/bench/history/{room_id}{query}")
            lean = await peer.get(f"/history/{room_id}{query}")
            assert bridge[0] == pure[0] == lean[0] == 200, (bridge[0], pure[0], lean[0])
            assert json.loads(bridge[1]) == json.loads(pure[1]) == json.loads(lean[1]), query
    finally:
        await conn.close()
        await peer.close()


def _history(template: str, rooms: dict[int, int], size: int) -> Callable[[random.Random], str]:
    """Pages of 50 below a random seq of the room: what a scrolling reader asks for."""
    path = template.format(rooms[size])
    return lambda rng: f"{path}?before={rng.randint(PAGE + 1, size)}&limit={PAGE}"


Target = tuple[int, int, Callable[[random.Random], str]]  # port, server pid, paths


async def _throughput(
    args: argparse.Namespace, token: str, targets: dict[str, Target]
) -> dict[str, Any]:
    """Each kind in turn, the order rotating each round so drift hits them alike; the CPU
    time of the process that served each kind, read around its measured seconds."""
    runs: dict[str, list[Run]] = {kind: [] for kind in targets}
    cpu: dict[str, float] = dict.fromkeys(targets, 0.0)
    kinds = list(targets)
    for round_ in range(args.rounds):
        for kind in kinds[round_ % len(kinds) :] + kinds[: round_ % len(kinds)]:
            port, pid, paths = targets[kind]
            watched = psutil.Process(pid)
            measure = partial(
                closed_loop,
                "127.0.0.1",
                port,
                token,
                paths,
                connections=args.connections,
                warmup=0,
            )
            await measure(seconds=args.warmup)
            before = _cpu_seconds(watched)
            run = await measure(seconds=args.seconds)
            cpu[kind] += _cpu_seconds(watched) - before
            runs[kind].append(run)
            print(f"throughput {kind:13} round {round_ + 1}: {run.rate:8.1f} req/s", flush=True)
    summary: dict[str, Any] = {kind: _summarise(kind_runs) for kind, kind_runs in runs.items()}
    for kind, seconds in cpu.items():
        per_request = seconds * 1e6 / max(summary[kind]["requests"], 1)
        summary[kind]["server_cpu_us_per_request"] = round(per_request, 1)
        # What one dedicated core would serve at that CPU cost.
        summary[kind]["one_core_rate"] = round(1e6 / per_request, 1) if per_request else 0.0
    bridge_cpu = summary["bridge"]["server_cpu_us_per_request"]
    cpu_ratio = summary["asgi"]["server_cpu_us_per_request"] / bridge_cpu
    errors = any(s["errors"] for s in summary.values())
    return {
        **summary,
        "ratio": round(summary["bridge"]["rate"] / summary["asgi"]["rate"], 3),
        # The comparisons from the server's CPU per request: what one core could serve
        # through the bridge against the twin and the lean peer, and the 1M room against
        # the 10k room; less swayed by other load on the machine than req/s.
        "cpu_ratio": round(cpu_ratio, 3),
        "lean_ratio": round(summary["lean"]["server_cpu_us_per_request"] / bridge_cpu, 3),
        "large_ratio": round(summary["bridge_large"]["server_cpu_us_per_request"] / bridge_cpu, 3),
        "target": THROUGHPUT_TARGET,
        "rate_target": RATE_TARGET,
        "pass": cpu_ratio >= THROUGHPUT_TARGET and not errors,
        "rate_pass": min(
            summary["bridge"]["one_core_rate"], summary["bridge_large"]["one_core_rate"]
        )
        >= RATE_TARGET,
    }


async def _profile(
    args: argparse.Namespace, token: str, targets: dict[str, Target], out: Path
) -> None:
    for kind in ("bridge", "asgi", "rooms", "lean"):
        port, pid, paths = targets[kind]
        raw = out / f"profile-{kind}.txt"
        spy = await profile.record(pid, args.seconds, raw)
        await closed_loop(
            "127.0.0.1",
            port,
            token,
            paths,
            connections=args.connections,
            seconds=args.seconds + 1,
            warmup=0,
        )
        await spy.wait()
        if raw.exists():
            summary = profile.summarise(raw)
            (out / f"profile-{kind}.json").write_text(json.dumps(summary, indent=1) + "\n")
            print(f"profile {kind}: {summary['samples']} samples, {raw}", flush=True)


def _busy_seconds() -> float:
    times = psutil.cpu_times()
    return float(times.user + times.nice + times.system + times.irq + times.softirq)


def _own_seconds(*pids: int) -> float:
    """CPU of this benchmark's processes: the servers and the generator."""
    return sum(_cpu_seconds(psutil.Process(pid)) for pid in (*pids, os.getpid()))


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def _constant(path: str) -> Callable[[random.Random], str]:
    return lambda _rng: path


def _summarise(runs: list[Run]) -> dict[str, Any]:
    latencies = sorted(lat for run in runs for lat in run.latencies)
    errors: dict[str, int] = {}
    for run in runs:
        for status, count in run.errors.items():
            errors[str(status)] = errors.get(str(status), 0) + count
    seconds = sum(run.seconds for run in runs)
    return {
        "requests": len(latencies),
        "rate": round(len(latencies) / seconds, 1),
        "rounds": [round(run.rate, 1) for run in runs],
        "median_round": round(statistics.median(run.rate for run in runs), 1),
        "p50_ms": _ms(latencies, 0.50),
        "p99_ms": _ms(latencies, 0.99),
        "errors": errors,
    }


async def _latency(
    args: argparse.Namespace, port: int, token: str, rooms: dict[int, int]
) -> dict[str, Any]:
    rng = random.Random(7)
    sizes = sorted(rooms)
    seen: dict[str, dict[int, list[float]]] = {"bridge": {}, "asgi": {}}
    conn = await Connection("127.0.0.1", port, token).open()
    try:
        for warming in (True, False):
            for n in range(args.pages // 4 if warming else args.pages):
                kind, fraction = n % 3, rng.random()
                for path_kind in ("bridge", "asgi"):
                    order = sizes if n % 2 else list(reversed(sizes))
                    for size in order:
                        path = _page_path(path_kind, rooms[size], size, kind, fraction)
                        started = time.perf_counter()
                        status, _ = await conn.get(path)
                        elapsed = time.perf_counter() - started
                        assert status == 200, (status, path)
                        if not warming:
                            seen[path_kind].setdefault(size, []).append(elapsed)
    finally:
        await conn.close()
    result: dict[str, Any] = {}
    for path_kind, by_size in seen.items():
        rows = {str(size): _percentiles(by_size[size]) for size in sizes}
        small, large = rows[str(sizes[0])], rows[str(sizes[1])]
        result[path_kind] = {
            **rows,
            "ratio_p50": round(large["p50_ms"] / small["p50_ms"], 3),
            "ratio_p99": round(large["p99_ms"] / small["p99_ms"], 3),
        }
    rest = result["bridge"]
    result["target"] = LATENCY_TARGET
    result["pass"] = max(rest["ratio_p50"], rest["ratio_p99"]) <= LATENCY_TARGET
    return result


def _page_path(path_kind: str, room_id: int, size: int, kind: int, fraction: float) -> str:
    if kind == 0:
        query = f"limit={PAGE}"
    elif kind == 1:
        query = f"before={PAGE + 1 + int(fraction * (size - PAGE))}&limit={PAGE}"
    else:
        query = f"after={int(fraction * (size - PAGE))}&limit={PAGE}"
    if path_kind == "bridge":
        return f"/api/rooms/{room_id}/messages?{query}"
    return f"/bench/history/{room_id}?{query}"


def _percentiles(latencies: list[float]) -> dict[str, Any]:
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "p50_ms": _ms(ordered, 0.50),
        "p99_ms": _ms(ordered, 0.99),
    }


def _ms(ordered: list[float], q: float) -> float:
    if not ordered:
        return 0.0
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 3)
