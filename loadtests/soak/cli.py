"""`python -m loadtests.soak`: hold N connections with steady traffic for S seconds.

Against a server it starts (`--server embedded`, SQLite; `--server pg-redis-1`, the local
PostgreSQL and Redis; both via chat-bench's launcher) or one already running (`--target URL
--target-pid PID`; without a pid, memory and descriptors cannot be read). Writes
soak.json and soak.png to --out (default loadtests/results/soak-<UTC time>/).

Phases: provision users and rooms over REST; open and join every connection (memory before
and after gives the cost per connection); then steady traffic, sampled every --interval
seconds: server RSS and open descriptors, this process's RSS, connections still open,
send acks, and the fan-out latency of the interval (send time to receipt, one clock).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import resource
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil  # type: ignore[import-untyped]

from loadtests.bench.servers import ServerHandle, start_server
from loadtests.soak.client import STAMP, SoakConnection
from loadtests.soak.report import Sample, summarize, write_report

REPO_ROOT = Path(__file__).resolve().parents[2]


def raise_nofile() -> dict[str, int]:
    """Raise the soft limit on open files to the hard one (each connection is one)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    now = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return {"soft_before": soft, "hard": hard, "soft_now": now}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m loadtests.soak", description=__doc__.split("\n")[0])
    p.add_argument("--connections", type=int, default=200)
    p.add_argument("--duration", type=float, default=60.0, help="seconds of steady traffic")
    p.add_argument("--target", help="URL of a running server (else --server starts one)")
    p.add_argument("--target-pid", type=int, action="append", default=[])
    p.add_argument("--server", default="embedded", help="embedded or pg-redis-1")
    p.add_argument("--room-size", type=int, default=20)
    p.add_argument("--sockets-per-user", type=int, default=10)
    p.add_argument("--rate", type=float, default=10.0, help="messages per second, in all")
    p.add_argument("--interval", type=float, default=10.0, help="seconds between samples")
    p.add_argument("--ramp", type=int, default=50, help="connections opened at once")
    p.add_argument("--out", type=Path)
    return p.parse_args(argv)


@dataclass
class Soak:
    args: argparse.Namespace
    handle: ServerHandle
    url: str
    conns: list[SoakConnection] = field(default_factory=list)
    rooms: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    ack_times: list[float] = field(default_factory=list)
    sent: int = 0
    acked: int = 0
    failed: dict[str, int] = field(default_factory=dict)

    def server_stats(self) -> tuple[int, int]:
        rss = fds = 0
        for proc in self.handle.processes():
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                rss += proc.memory_info().rss
                fds += proc.num_fds()
        return rss, fds

    async def provision(self) -> list[str]:
        users = max(1, -(-self.args.connections // self.args.sockets_per_user))
        rooms = max(1, -(-self.args.connections // self.args.room_size))
        tokens: list[str] = []
        limit = asyncio.Semaphore(8)
        async with httpx.AsyncClient(base_url=self.url, timeout=60) as http:

            async def account() -> str:
                async with limit:
                    name = f"soak_{uuid.uuid4().hex[:12]}"
                    password = uuid.uuid4().hex
                    body = {"username": name, "password": password}
                    r = await http.post("/api/auth/register", json=body)
                    r.raise_for_status()
                    r = await http.post("/api/auth/login", json=body)
                    r.raise_for_status()
                    return str(r.json()["access_token"])

            tokens = list(await asyncio.gather(*(account() for _ in range(users))))
            owner = {"Authorization": f"Bearer {tokens[0]}"}
            for _ in range(rooms):
                r = await http.post(
                    "/api/rooms", json={"name": f"soak-{uuid.uuid4().hex[:10]}"}, headers=owner
                )
                r.raise_for_status()
                self.rooms.append(int(r.json()["id"]))
        return tokens

    async def connect_all(self, tokens: list[str], indices: range) -> None:
        limit = asyncio.Semaphore(self.args.ramp)

        async def one(i: int) -> None:
            async with limit:
                conn = SoakConnection(self.url, tokens[i % len(tokens)], self.latencies.append)
                await conn.open()
                conn.room_id = self.rooms[i % len(self.rooms)]
                ack = await conn.call("join", {"room_id": conn.room_id})
                if not ack.get("ok"):
                    raise RuntimeError(f"join refused: {ack}")
                self.conns.append(conn)

        await asyncio.gather(*(one(i) for i in indices))

    async def traffic(self, stop: asyncio.Event) -> None:
        """Open-loop: one send every 1/rate seconds from a random open connection."""
        period = 1.0 / self.args.rate
        next_at = time.perf_counter()
        pending: set[asyncio.Task[None]] = set()
        while not stop.is_set():
            next_at += period
            conn = random.choice(self.conns)
            if not conn.closed.is_set():
                task = asyncio.create_task(self._send(conn, conn.room_id))
                pending.add(task)
                task.add_done_callback(pending.discard)
            delay = next_at - time.perf_counter()
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
        if pending:
            await asyncio.wait(pending, timeout=30)

    async def _send(self, conn: SoakConnection, room: int) -> None:
        self.sent += 1
        start = time.perf_counter()
        body = f"soak {self.sent}{STAMP}{start:.6f}"
        try:
            ack = await conn.call(
                "send", {"room_id": room, "body": body, "client_id": uuid.uuid4().hex}
            )
        except (ConnectionError, TimeoutError) as exc:
            key = type(exc).__name__
            self.failed[key] = self.failed.get(key, 0) + 1
            return
        if ack.get("ok"):
            self.acked += 1
            self.ack_times.append(time.perf_counter() - start)
        else:
            code = str(ack.get("error", {}).get("code"))
            self.failed[code] = self.failed.get(code, 0) + 1

    def sample(self, started: float, rss0: int) -> Sample:
        rss, fds = self.server_stats()
        lat = sorted(self.latencies)
        acks = sorted(self.ack_times)
        self.latencies.clear()
        self.ack_times.clear()
        return Sample(
            t=time.monotonic() - started,
            server_rss=rss,
            server_fds=fds,
            own_rss=psutil.Process().memory_info().rss,
            open_connections=sum(not c.closed.is_set() for c in self.conns),
            sent=self.sent,
            acked=self.acked,
            failed=sum(self.failed.values()),
            copies=len(lat),
            latency=_percentiles(lat),
            ack_latency=_percentiles(acks),
            rss_growth=rss - rss0,
        )


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}

    def at(q: float) -> float:
        return values[min(len(values) - 1, int(q * len(values)))]

    return {"p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "max": values[-1]}


async def run(args: argparse.Namespace, handle: ServerHandle, out: Path) -> dict[str, Any]:
    soak = Soak(args, handle, handle.urls[0])
    limits = raise_nofile()
    print(f"nofile: {limits}; provisioning", flush=True)
    tokens = await soak.provision()
    rss_idle, fds_idle = soak.server_stats()
    t0 = time.monotonic()
    # Two halves: the first also pays for allocator arenas and caches warming up (and
    # for what provisioning left behind); the second half's cost is the cost per connection.
    half = args.connections // 2
    await soak.connect_all(tokens, range(half))
    rss_half, fds_half = soak.server_stats()
    await soak.connect_all(tokens, range(half, args.connections))
    connect_seconds = time.monotonic() - t0
    rss_connected, fds_connected = soak.server_stats()
    per_connection = (rss_connected - rss_half) / max(args.connections - half, 1)
    print(
        f"{len(soak.conns)} connections in {connect_seconds:.1f}s; server RSS "
        f"{rss_idle / 2**20:.1f} -> {rss_half / 2**20:.1f} (half) -> "
        f"{rss_connected / 2**20:.1f} MiB: {per_connection / 1024:.1f} KiB per connection",
        flush=True,
    )
    stop = asyncio.Event()
    traffic = asyncio.create_task(soak.traffic(stop))
    samples: list[Sample] = []
    started = time.monotonic()
    rss0 = rss_connected
    while time.monotonic() - started < args.duration:
        remaining = args.duration - (time.monotonic() - started)
        await asyncio.sleep(min(args.interval, max(remaining, 0.1)))
        samples.append(soak.sample(started, rss0))
        s = samples[-1]
        print(
            f"t={s.t:6.0f}s rss={s.server_rss / 2**20:7.1f} MiB fds={s.server_fds} "
            f"open={s.open_connections} sent={s.sent} failed={s.failed} copies={s.copies} "
            f"p99={s.latency.get('p99', float('nan')) * 1000:.1f} ms",
            flush=True,
        )
    stop.set()
    await traffic
    drops = {c.close_reason for c in soak.conns if c.closed.is_set()}
    for conn in soak.conns:
        await conn.close()
    result = summarize(
        args=vars(args) | {"out": str(out)},
        server=handle.name,
        server_env={k: v for k, v in handle.env.items()},
        limits=limits,
        rss_idle=rss_idle,
        fds_idle=fds_idle,
        rss_half=rss_half,
        fds_half=fds_half,
        rss_connected=rss_connected,
        fds_connected=fds_connected,
        connections=len(soak.conns),
        connect_seconds=connect_seconds,
        samples=samples,
        failures=soak.failed,
        drops=sorted(drops),
    )
    write_report(result, samples, out)
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out: Path = args.out or REPO_ROOT / "loadtests" / "results" / f"soak-{stamp}"
    out.mkdir(parents=True, exist_ok=True)
    raise_nofile()  # before the server starts, so that it inherits the raised limit
    if args.target:
        handle = start_server(
            args.target, cores=None, log_dir=out, target_pids=list(args.target_pid)
        )
    else:
        handle = start_server(args.server, cores=None, log_dir=out)
    try:
        result = asyncio.run(run(args, handle, out))
    finally:
        handle.stop()
    print(f"report: {out / 'soak.json'}, {out / 'soak.png'}")
    summary = result["summary"]
    for key, value in summary.items():
        print(f"  {key}: {value}")
    return 0 if summary["connections_dropped"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
