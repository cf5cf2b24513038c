"""`python -m loadtests.rest_bench` (or `chat-rest-bench`): prices the asgiref bridge on the
history endpoint and checks that history pages cost the same at 10k and 1M messages.

1. A throwaway PostgreSQL database (dropped after) and its own Redis key prefix; the server
   (loadtests.rest_bench.app: ChatApp plus a pure-ASGI twin of the history endpoint) on the
   first core, this generator on the others.
2. Throughput: `--connections` closed-loop keep-alive clients ask for the newest page of
   the 10k room, alternately through the bridge (GET /api/rooms/{id}/messages) and the
   pure-ASGI twin, `--rounds` times each. Target: bridge >= 0.5x pure ASGI.
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

from loadtests.rest_bench import database, report, server
from loadtests.rest_bench.client import Connection, Run, closed_loop

THROUGHPUT_TARGET = 0.5
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
    return 0 if results["throughput"]["pass"] and results["latency"]["pass"] else 1


async def _run(args: argparse.Namespace, sizes: list[int], out: Path) -> dict[str, Any]:
    load_before = os.getloadavg()
    server_cores, generator_cores = server.split_cores()
    if generator_cores:
        os.sched_setaffinity(0, generator_cores)
    name = await database.create_database()
    prefix = f"restbench{secrets.token_hex(4)}"
    proc: subprocess.Popen[bytes] | None = None
    try:
        port = server.free_port()
        proc = server.start_server(name, prefix, port, server_cores, out / "server.log")
        base = f"http://127.0.0.1:{port}"
        server.wait_ready(base, proc)
        token, user_id = server.login(base)
        rooms: dict[int, int] = {}
        seeded: dict[str, float] = {}
        for size in sizes:
            room_id = server.create_room(base, token, f"bench-{size}")
            seeded[str(size)] = round(await database.fill_room(name, room_id, user_id, size), 2)
            rooms[size] = room_id
            print(f"room of {size:,} messages seeded in {seeded[str(size)]:.1f}s", flush=True)
        await _same_answers(port, token, rooms[sizes[0]])
        throughput = await _throughput(args, port, token, rooms[sizes[0]], proc.pid)
        latency = await _latency(args, port, token, rooms)
    finally:
        if proc is not None:
            server.stop(proc)
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


async def _same_answers(port: int, token: str, room_id: int) -> None:
    """Both paths must answer the same page, or the comparison means nothing."""
    conn = await Connection("127.0.0.1", port, token).open()
    try:
        for query in (f"?limit={PAGE}", f"?before=500&limit={PAGE}", "?after=7&limit=3"):
            bridge = await conn.get(f"/api/rooms/{room_id}/messages{query}")
            pure = await conn.get(f"/bench/history/{room_id}{query}")
            assert bridge[0] == pure[0] == 200, (bridge[0], pure[0])
            assert json.loads(bridge[1]) == json.loads(pure[1]), query
    finally:
        await conn.close()


async def _throughput(
    args: argparse.Namespace, port: int, token: str, room_id: int, server_pid: int
) -> dict[str, Any]:
    paths = {
        "bridge": f"/api/rooms/{room_id}/messages?limit={PAGE}",
        "asgi": f"/bench/history/{room_id}?limit={PAGE}",
    }
    watched = psutil.Process(server_pid)
    runs: dict[str, list[Run]] = {"bridge": [], "asgi": []}
    cpu: dict[str, float] = {"bridge": 0.0, "asgi": 0.0}
    for round_ in range(args.rounds):
        for kind in ("bridge", "asgi") if round_ % 2 == 0 else ("asgi", "bridge"):
            measure = partial(
                closed_loop,
                "127.0.0.1",
                port,
                token,
                _constant(paths[kind]),
                connections=args.connections,
                warmup=0,
            )
            await measure(seconds=args.warmup)
            before = _cpu_seconds(watched)
            run = await measure(seconds=args.seconds)
            cpu[kind] += _cpu_seconds(watched) - before
            runs[kind].append(run)
            print(f"throughput {kind:6} round {round_ + 1}: {run.rate:8.1f} req/s", flush=True)
    summary = {kind: _summarise(kind_runs) for kind, kind_runs in runs.items()}
    for kind, seconds in cpu.items():
        summary[kind]["server_cpu_us_per_request"] = round(
            seconds * 1e6 / summary[kind]["requests"], 1
        )
    ratio = summary["bridge"]["rate"] / summary["asgi"]["rate"]
    cpu_ratio = (
        summary["asgi"]["server_cpu_us_per_request"]
        / summary["bridge"]["server_cpu_us_per_request"]
    )
    return {
        **summary,
        "ratio": round(ratio, 3),
        # The same comparison from the server's CPU per request: what one core could serve
        # through the bridge against pure ASGI, less swayed by other load on the machine.
        "cpu_ratio": round(cpu_ratio, 3),
        "target": THROUGHPUT_TARGET,
        "pass": ratio >= THROUGHPUT_TARGET and not any(s["errors"] for s in summary.values()),
    }


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
