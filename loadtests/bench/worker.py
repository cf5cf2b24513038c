"""One load-generator process: many Socket.IO websocket connections on one loop.

The orchestrator (runner.py) drives it through a multiprocessing pipe with three
commands: ``connect`` (open every connection, authenticate, join its rooms),
``step`` (send open-loop at a fixed rate for a while, then drain) and ``close``.

Sending is open-loop: message ``m`` of a step is due at ``t0 + m / rate``, wherever
the generator stands, and its latency is measured from that scheduled time, so a
server (or generator) that falls behind shows up as latency rather than as a lower
offered rate (no coordinated omission). Message ``m`` goes to room ``m % rooms``; the
room's members take turns sending. Every process computes the same schedule and
sends only the messages whose sender it owns (connection ``i`` belongs to worker
``i % workers``), so all processes share one clock: CLOCK_MONOTONIC, system-wide on
Linux.

Frames are handled in the websocket protocol callback (``FastConnection``), not via
``recv()``: that keeps the generator's cost per received copy low.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import time
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from loadtests.bench import eio, histogram
from loadtests.bench.client_conn import Conn
from loadtests.bench.plans import StepSpec, WorkerPlan
from loadtests.bench.step_stats import StepStats

BODY_TAG = "bench"
BODY_MARK = '"bench|'
SEND = 1


class Worker:
    def __init__(self, plan: WorkerPlan, pipe: Connection) -> None:
        self.plan = plan
        self.pipe = pipe
        self.conns: dict[int, Conn] = {c.index: Conn(self, c) for c in plan.conns}
        self.room_index: dict[Any, int] = {rid: i for i, rid in enumerate(plan.room_ids)}
        self.stats = StepStats(step=-1, t0_ns=0, rooms=len(plan.room_ids))
        self.disconnects = 0
        self.late_copies: dict[int, int] = {}

    # ---- commands -------------------------------------------------------------

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            command, arg = await loop.run_in_executor(None, self.pipe.recv)
            if command == "connect":
                reply: Any = await self.connect_all()
            elif command == "step":
                reply = await self.run_step(arg)
            elif command == "late":
                # Wait a little for stragglers, then count them per step.
                await asyncio.sleep(float(arg or 0))
                reply = dict(self.late_copies)
            elif command == "close":
                await self.close_all()
                self.pipe.send(("closed", None))
                return
            else:
                reply = {"error": f"unknown command {command!r}"}
            self.pipe.send((command, reply))

    async def connect_all(self) -> dict[str, Any]:
        started = time.monotonic()
        cpu0 = time.process_time()
        semaphore = asyncio.Semaphore(self.plan.connect_concurrency)
        errors: list[str] = []
        joined = [0] * len(self.plan.room_ids)
        join_errors: list[str] = []
        timeout = self.plan.handshake_timeout

        async def one(conn: Conn) -> bool:
            async with semaphore:
                try:
                    await conn.open()
                except Exception as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
                    return False
            for ri in conn.plan.rooms:
                try:
                    ack = await conn.call("join", {"room_id": self.plan.room_ids[ri]}, timeout)
                except Exception as exc:
                    join_errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                if isinstance(ack, dict) and ack.get("ok"):
                    joined[ri] += 1
                    room = ack.get("room") or {}
                    last_seq = room.get("last_seq") if isinstance(room, dict) else None
                    conn.tracks[ri] = [last_seq, set()]
                else:
                    join_errors.append(f"join refused: {ack}")
            return True

        results = await asyncio.gather(*(one(c) for c in self.conns.values()))
        return {
            "worker": self.plan.worker_id,
            "connected": sum(results),
            "failed": len(results) - sum(results),
            "errors": errors[:5],
            "error_count": len(errors),
            "joined": joined,
            "join_errors": join_errors[:5],
            "join_error_count": len(join_errors),
            "seconds": time.monotonic() - started,
            "cpu_seconds": time.process_time() - cpu0,
        }

    async def close_all(self) -> None:
        async def one(conn: Conn) -> None:
            conn.closed = True
            if conn.ws is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(conn.ws.close(), 3)

        await asyncio.gather(*(one(c) for c in self.conns.values()))

    # ---- the measured step ------------------------------------------------------

    def on_message(self, conn: Conn, text: str, now: int) -> None:
        """One delivered copy: ``42["message",{...}]`` as received.

        Reads only the seq and the body's ``bench|step|m|scheduled_ns|`` marker,
        without a JSON parse; the room is ``m % rooms``.
        """
        st = self.stats
        st.received += 1
        i = text.find(BODY_MARK)
        s = text.find('"seq":')
        if i < 0 or s < 0:
            st.stale += 1
            return
        j = text.find('"', i + 1)
        parts = text[i + 7 : j].split("|", 3)
        s += 6
        e = s
        while text[e] == " ":
            e += 1
        s = e
        while text[e].isdigit():
            e += 1
        seq = int(text[s:e])
        m = int(parts[1])
        ri = m % st.rooms
        track = conn.tracks.get(ri)
        if track is None:
            track = conn.tracks[ri] = [None, set()]
        last = track[0]
        if last is None or seq == last + 1:
            track[0] = seq
        elif seq > last:
            track[1].update(range(last + 1, seq))
            track[0] = seq
        elif seq in track[1]:
            track[1].discard(seq)
            st.out_of_order += 1
        else:
            st.duplicates += 1
            return
        step = int(parts[0])
        if step != st.step:
            # A copy of an earlier step's message, after that step's drain ended.
            st.stale += 1
            self.late_copies[step] = self.late_copies.get(step, 0) + 1
            return
        st.unique += 1
        st.latencies_ns.append(now - int(parts[2]))
        st.recv_times_ns.append(now)
        st.last_receipt_ns = now
        counts = st.recv_counts[ri]
        counts[seq] = counts.get(seq, 0) + 1

    def on_send_ack(self, entry: tuple[int, int, int, int], result: Any, now: int) -> None:
        _, step, ri, sched_ns = entry
        st = self.stats
        if step != st.step:
            st.late_acks += 1
            return
        if isinstance(result, dict) and result.get("ok"):
            st.acked += 1
            st.ack_latencies_ns.append(now - sched_ns)
            message = result.get("message")
            seq = message.get("seq") if isinstance(message, dict) else None
            if isinstance(seq, int):
                st.acked_seqs[ri].append(seq)
        else:
            error = result.get("error") if isinstance(result, dict) else None
            code = str(error.get("code")) if isinstance(error, dict) else repr(result)[:40]
            st.ack_failed[code] = st.ack_failed.get(code, 0) + 1

    def my_sends(self, spec: StepSpec) -> list[tuple[int, Conn, int]]:
        rooms = len(self.plan.room_ids)
        total = int(spec.rate * spec.duration)
        mine: list[tuple[int, Conn, int]] = []
        workers = self.plan.workers
        me = self.plan.worker_id
        for m in range(total):
            ri = m % rooms
            members = self.plan.room_members[ri]
            sender = members[(m // rooms) % len(members)]
            if sender % workers == me:
                mine.append((m, self.conns[sender], ri))
        return mine

    async def run_step(self, spec: StepSpec) -> dict[str, Any]:
        st = StepStats(step=spec.step, t0_ns=spec.t0_ns, rooms=len(self.plan.room_ids))
        self.stats = st
        sends = self.my_sends(spec)
        pad = "x" * max(0, spec.body_bytes - 48)
        period_ns = 1e9 / spec.rate
        await asyncio.sleep(max(0.0, (spec.t0_ns - time.monotonic_ns()) / 1e9))
        cpu_at_t0 = time.process_time()
        for m, conn, ri in sends:
            sched = spec.t0_ns + int(m * period_ns)
            now = time.monotonic_ns()
            while sched > now:
                # The loop's timers have millisecond resolution and may fire early:
                # round up, and never send before the scheduled time.
                await asyncio.sleep(math.ceil((sched - now) / 1e6) / 1e3)
                now = time.monotonic_ns()
            lag = now - sched
            if lag > st.max_send_lag_ns:
                st.max_send_lag_ns = lag
            if lag > 5_000_000:
                st.sends_late_5ms += 1
            ws = conn.ws
            if ws is None or conn.closed:
                st.send_errors += 1
                continue
            ack_id = conn.ack_id()
            conn.pending[ack_id] = (SEND, spec.step, ri, sched)
            body = f"{BODY_TAG}|{spec.step}|{m}|{sched}|{pad}"
            payload = {
                "room_id": self.plan.room_ids[ri],
                "body": body,
                "client_id": f"{self.plan.run_id}-{spec.step}-{m}",
            }
            try:
                ws.write_now(eio.encode_event("send", payload, ack_id))
            except Exception:
                conn.pending.pop(ack_id, None)
                st.send_errors += 1
                continue
            st.sent += 1
        send_end = spec.t0_ns + int(spec.duration * 1e9)
        deadline = max(send_end, time.monotonic_ns()) + int(spec.drain * 1e9)
        quiet_ns = int(spec.quiet * 1e9)
        while time.monotonic_ns() < deadline:
            now = time.monotonic_ns()
            pending = self.pending_sends(spec.step)
            if not pending and now - max(st.last_receipt_ns, send_end) > quiet_ns:
                break
            await asyncio.sleep(0.05)
        wall_ns = time.monotonic_ns() - spec.t0_ns
        timeouts = self.pending_sends(spec.step)
        for conn in self.conns.values():
            for ack_id in [k for k, v in conn.pending.items() if isinstance(v, tuple)]:
                if conn.pending[ack_id][1] == spec.step:
                    del conn.pending[ack_id]
        return self.summarize(spec, st, timeouts, time.process_time() - cpu_at_t0, wall_ns)

    def pending_sends(self, step: int) -> int:
        return sum(
            1
            for conn in self.conns.values()
            for v in conn.pending.values()
            if isinstance(v, tuple) and v[1] == step
        )

    def summarize(
        self, spec: StepSpec, st: StepStats, timeouts: int, cpu_s: float, wall_ns: int
    ) -> dict[str, Any]:
        lat_us = np.frombuffer(st.latencies_ns, dtype=np.int64).astype(np.float64) / 1000.0
        recv = np.frombuffer(st.recv_times_ns, dtype=np.int64)
        seconds = int(spec.duration + spec.drain) + 2
        per_second = np.zeros((seconds, histogram.NBUCKETS), dtype=np.int64)
        if lat_us.size:
            sec = np.clip((recv - spec.t0_ns) // 1_000_000_000, 0, seconds - 1)
            flat = sec * histogram.NBUCKETS + histogram.bucket_indexes(lat_us)
            per_second = (
                np.bincount(flat, minlength=seconds * histogram.NBUCKETS)
                .astype(np.int64)
                .reshape(seconds, histogram.NBUCKETS)
            )
        ack_us = np.frombuffer(st.ack_latencies_ns, dtype=np.int64).astype(np.float64) / 1000
        return {
            "worker": self.plan.worker_id,
            "received": st.received,
            "unique": st.unique,
            "duplicates": st.duplicates,
            "out_of_order": st.out_of_order,
            "stale": st.stale,
            "other_events": st.other_events,
            "sent": st.sent,
            "send_errors": st.send_errors,
            "acked": st.acked,
            "ack_failed": st.ack_failed,
            "ack_timeouts": timeouts,
            "late_acks": st.late_acks,
            "max_send_lag_ms": st.max_send_lag_ns / 1e6,
            "sends_late_5ms": st.sends_late_5ms,
            "last_receipt_ns": st.last_receipt_ns,
            "max_latency_us": float(lat_us.max()) if lat_us.size else 0.0,
            "per_second": per_second,
            "ack_hist": histogram.from_values(ack_us),
            "acked_seqs": st.acked_seqs,
            "recv_counts": st.recv_counts,
            "cpu_seconds": cpu_s,
            "wall_seconds": wall_ns / 1e9,
            "disconnects": self.disconnects,
            "open_connections": sum(1 for c in self.conns.values() if not c.closed),
        }


def worker_main(pipe: Connection, plan: WorkerPlan) -> None:
    """Process entry point (multiprocessing, spawn context)."""
    if plan.cpu:
        with contextlib.suppress(OSError, AttributeError):
            os.sched_setaffinity(0, plan.cpu)
    try:
        import uvloop

        runner: Any = uvloop.run
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        runner = asyncio.run
    profile_dir = os.environ.get("CHAT_BENCH_PROFILE_DIR")
    if not profile_dir:
        runner(Worker(plan, pipe).serve())
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        runner(Worker(plan, pipe).serve())
    finally:
        profiler.disable()
        profiler.dump_stats(os.path.join(profile_dir, f"worker-{plan.worker_id}.pstats"))
