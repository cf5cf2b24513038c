"""The generator processes as the orchestrator sees them: spawn, ask, measure, close.

Each runs `worker.worker_main` with its share of the connections (connection ``i`` goes to
worker ``i % workers``) and answers the orchestrator's commands over a pipe.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import time
from multiprocessing.connection import Connection
from typing import Any

import psutil  # type: ignore[import-untyped]

from loadtests.bench.eio import socket_url
from loadtests.bench.plans import BenchOptions, ConnPlan, WorkerPlan, assign
from loadtests.bench.servers import ServerHandle
from loadtests.bench.worker import worker_main


class Generators:
    def __init__(
        self,
        handle: ServerHandle,
        opts: BenchOptions,
        tokens: list[str],
        room_ids: list[Any],
        run_id: str,
        cores: frozenset[int] | None,
    ) -> None:
        plan = assign(opts)
        self.workers = opts.workers or (len(cores) if cores else 1)
        ctx = mp.get_context("spawn")
        self.pipes: list[Connection] = []
        self.procs: list[Any] = []
        self.pids: list[int] = []
        for w in range(self.workers):
            conns = []
            for i in range(w, opts.connections, self.workers):
                if opts.placement == "rooms" and plan.conn_rooms[i]:
                    base = handle.urls[plan.conn_rooms[i][0] % len(handle.urls)]
                else:
                    base = handle.urls[i % len(handle.urls)]
                conns.append(
                    ConnPlan(
                        index=i,
                        url=socket_url(base),
                        origin=base,
                        token=tokens[i % len(tokens)],
                        rooms=tuple(plan.conn_rooms[i]),
                    )
                )
            wplan = WorkerPlan(
                worker_id=w,
                workers=self.workers,
                run_id=run_id,
                room_ids=room_ids,
                room_members=plan.room_members,
                conns=conns,
                cpu=cores,
                compression=opts.compression,
            )
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=worker_main, args=(child, wplan), daemon=True)
            proc.start()
            child.close()
            self.pipes.append(parent)
            self.procs.append(proc)
            self.pids.append(proc.pid or 0)

    def ask(self, command: str, arg: Any, progress: Any = None, timeout: float = 600) -> list[Any]:
        for pipe in self.pipes:
            pipe.send((command, arg))
        replies: list[Any] = [None] * len(self.pipes)
        deadline = time.monotonic() + timeout
        while any(r is None for r in replies):
            for i, pipe in enumerate(self.pipes):
                if replies[i] is None and pipe.poll(0.1):
                    _, replies[i] = pipe.recv()
            if progress is not None:
                progress()
            if time.monotonic() > deadline:
                raise TimeoutError(f"generators did not answer {command!r} in {timeout}s")
            for i, proc in enumerate(self.procs):
                if replies[i] is None and not proc.is_alive():
                    raise RuntimeError(f"generator {i} died (exit code {proc.exitcode})")
        return replies

    def cpu_seconds(self) -> float:
        total = 0.0
        for pid in self.pids:
            with contextlib.suppress(psutil.Error):
                t = psutil.Process(pid).cpu_times()
                total += t.user + t.system
        return total

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ask("close", None, timeout=30)
        for proc in self.procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=5)


def settle_late_copies(gens: Generators, steps: list[dict[str, Any]], wait: float) -> None:
    """Copies that arrived after their step's drain were counted lost: recount them.

    Their latency is unknown beyond "more than the drain", so a step with late copies
    still fails the SLO; they just are not called lost.
    """
    late: dict[int, int] = {}
    for reply in gens.ask("late", wait, timeout=wait + 60):
        for step_id, n in reply.items():
            late[step_id] = late.get(step_id, 0) + n
    for step in steps:
        n = late.get(step.get("step_id", -99), 0)
        step["late_after_drain"] = n
        if n:
            step["lost"] = max(0, step["lost"] - n)
