"""Run one configuration: start it, provision, connect, step through the rates.

The orchestrator (this process) does no load itself: it starts the server, spawns
the generator processes (worker.py), tells them when each step starts, samples the
server's CPU and memory with psutil, and folds the workers' counts into one step
record. Capacity is the highest delivered copies/s of a step whose p99 — counting
every copy that never arrived as infinitely late — stays within the SLO.
"""

from __future__ import annotations

import contextlib
import math
import os
import secrets
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from loadtests.bench import profiling
from loadtests.bench.cpu import busy_cpu_seconds, services_cpu_by_pid, services_cpu_delta
from loadtests.bench.generators import Generators, settle_late_copies
from loadtests.bench.plans import BenchOptions, StepSpec
from loadtests.bench.progress import Progress, bar
from loadtests.bench.provision import provision
from loadtests.bench.servers import ServerHandle, split_cores, start_server
from loadtests.bench.steps import attempt_rank, fold_step


def settle(handle: ServerHandle, limit: float) -> None:
    """Wait (bounded) until the server's CPU falls quiet after a step."""
    deadline = time.monotonic() + limit
    prev = handle.cpu_seconds()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = handle.cpu_seconds()
        if now - prev < 0.1:
            return
        prev = now


def run_config(
    kind: str,
    opts: BenchOptions,
    log_dir: Path,
    progress: Progress,
    chat_env: dict[str, str] | None = None,
    target_pids: list[int] | None = None,
) -> dict[str, Any]:
    """Everything measured for one configuration; ``error`` set if it broke."""
    server_cores, gen_cores = split_cores() if opts.pin else (None, None)
    if gen_cores:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, gen_cores)
    result: dict[str, Any] = {"name": kind, "steps": [], "capacity": None, "error": None}
    handle: ServerHandle | None = None
    gens: Generators | None = None
    run_id = secrets.token_hex(3)
    try:
        progress.update(f"{kind}: starting server", key=f"{kind}-start")
        handle = start_server(
            kind, cores=server_cores, log_dir=log_dir, chat_env=chat_env, target_pids=target_pids
        )
        result |= {"urls": handle.urls, "env": handle.env, "notes": handle.notes}
        result["server_cores"] = sorted(server_cores) if server_cores else None
        result["generator_cores"] = sorted(gen_cores) if gen_cores else None
        progress.update(f"{kind}: provisioning {opts.user_count()} users", key=f"{kind}-prov")
        prov = provision(handle.urls[0], users=opts.user_count(), rooms=opts.rooms, run_id=run_id)
        result["provision_seconds"] = prov.seconds
        time.sleep(0.5)
        rss_before = handle.rss_bytes()
        gens = Generators(handle, opts, prov.tokens, prov.room_ids, run_id, gen_cores)
        started = time.monotonic()

        def connecting() -> None:
            progress.update(
                f"{kind}: connecting {opts.connections} sockets {time.monotonic() - started:5.1f}s",
                key=f"{kind}-conn",
            )

        result["generator_processes"] = gens.workers
        replies = gens.ask("connect", None, connecting)
        joined = [sum(r["joined"][i] for r in replies) for i in range(opts.rooms)]
        time.sleep(1.0)
        rss_after = handle.rss_bytes()
        idle0, idle_t0 = handle.cpu_seconds(), time.monotonic()
        time.sleep(2.0)
        idle_util = (handle.cpu_seconds() - idle0) / (time.monotonic() - idle_t0)
        connected = sum(r["connected"] for r in replies)
        result["connect"] = {
            "connected": connected,
            "failed": sum(r["failed"] for r in replies),
            "errors": [e for r in replies for e in r["errors"]][:5],
            "join_errors": [e for r in replies for e in r["join_errors"]][:5],
            "join_error_count": sum(r["join_error_count"] for r in replies),
            "joined_memberships": sum(joined),
            "seconds": time.monotonic() - started,
            "rss_before_bytes": rss_before,
            "rss_after_bytes": rss_after,
            # Server CPU with every socket connected and nothing sent (pings, timers).
            "idle_server_cpu_util": idle_util if handle.measurable else None,
            "rss_per_connection_bytes": (
                (rss_after - rss_before) / connected if connected and handle.measurable else None
            ),
        }
        if connected == 0 or sum(joined) == 0:
            raise RuntimeError(f"no connection joined: {result['connect']}")
        rates = list(opts.rates)
        if opts.warmup > 0:
            run_step(kind, gens, handle, opts, -1, rates[0], opts.warmup, joined, progress, 0, 0)
            settle(handle, opts.settle_seconds)
        index = 0
        good: float | None = None
        bad: float | None = None
        refinements = 0
        step_id = 0
        while index < len(rates):
            rate = rates[index]
            attempts = []
            for _ in range(1 + max(0, opts.retries)):
                attempt = run_step(
                    kind,
                    gens,
                    handle,
                    opts,
                    step_id,
                    rate,
                    opts.duration,
                    joined,
                    progress,
                    index,
                    len(rates),
                    log_dir.parent / "profiles" if opts.profile or opts.profile_native else None,
                )
                step_id += 1
                attempts.append(attempt)
                if attempt["qualifies"]:
                    break
                # A step over the SLO is run again (the box is shared: one stalled
                # second of another process sinks a p99); the best attempt counts.
                settle(handle, opts.settle_seconds)
            step = min(attempts, key=attempt_rank)
            step["attempts"] = len(attempts)
            result["steps"].append(step)
            if step["qualifies"]:
                good = rate if good is None else max(good, rate)
            else:
                bad = rate if bad is None else min(bad, rate)
            index += 1
            settle(handle, opts.settle_seconds)
            if opts.ramp and bad is not None:
                # Past the knee: stop the ramp, then bisect between the last good and
                # the first bad rate a few times.
                del rates[index:]
                if good is None:
                    # Even the first rate was too much: step down, up to four times.
                    if len(rates) < 5:
                        rates.append(min(rates) / opts.ramp_factor)
                elif good is not None and refinements < opts.refine and bad / good > 1.1:
                    rates.append(math.sqrt(good * bad))
                    refinements += 1
        settle_late_copies(gens, result["steps"], opts.drain)
        qualifying = [s for s in result["steps"] if s["qualifies"]]
        if qualifying:
            best = max(qualifying, key=lambda s: s["delivered_copies_per_s"])
            result["capacity"] = {
                "copies_per_s": best["delivered_copies_per_s"],
                "rate_msgs_per_s": best["rate_msgs_per_s"],
                "p99_ms": best["p99_ms"],
                "lower_bound": bad is None,
            }
    except Exception as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"
        progress.done(f"{kind}: ERROR {result['error']}")
    finally:
        if gens is not None:
            gens.close()
        if handle is not None:
            result["logs"] = [str(p) for p in handle.logs]
            handle.stop()
    return result


def run_step(
    kind: str,
    gens: Generators,
    handle: ServerHandle,
    opts: BenchOptions,
    index: int,
    rate: float,
    duration: float,
    joined: list[int],
    progress: Progress,
    number: int,
    total: int,
    profile_dir: Path | None = None,
) -> dict[str, Any]:
    t0_ns = time.monotonic_ns() + 400_000_000
    spec = StepSpec(
        step=index,
        t0_ns=t0_ns,
        rate=rate,
        duration=duration,
        drain=opts.drain,
        quiet=opts.quiet,
        body_bytes=opts.body_bytes,
    )
    for pipe in gens.pipes:
        pipe.send(("step", spec))
    time.sleep(max(0.0, (t0_ns - time.monotonic_ns()) / 1e9))
    profilers: list[Any] = []
    if profile_dir is not None and index >= 0:
        prefix = profile_dir / f"{safe_name(kind)}-{rate:g}-step{index}"
        profilers = profiling.start(
            profiling.python_pids(handle.processes()), prefix, duration, opts.profile_native
        )
    cpu0 = handle.cpu_seconds()
    svc0 = services_cpu_by_pid()
    busy0 = busy_cpu_seconds()
    replies: list[Any] = [None] * len(gens.pipes)
    label = "warm-up" if index < 0 else f"step {number + 1}/{total}"
    copies = rate * sum(joined) / max(1, len(joined))
    while any(r is None for r in replies):
        for i, pipe in enumerate(gens.pipes):
            if replies[i] is None and pipe.poll(0.2):
                _, replies[i] = pipe.recv()
        elapsed = (time.monotonic_ns() - t0_ns) / 1e9
        phase = "sending" if elapsed < duration else "draining"
        progress.update(
            f"{kind} {label} {rate:,.0f} msg/s ({copies:,.0f} copies/s) "
            f"{bar(elapsed / duration)} {min(elapsed, duration):4.1f}/{duration:.0f}s {phase}",
            key=f"{kind}-{index}",
        )
        for i, proc in enumerate(gens.procs):
            if replies[i] is None and not proc.is_alive():
                raise RuntimeError(f"generator {i} died (exit code {proc.exitcode})")
        if not handle.alive():
            raise RuntimeError(f"{kind}: server process exited during the step")
    server_cpu = handle.cpu_seconds() - cpu0 if handle.measurable else None
    services_cpu = services_cpu_delta(svc0) if handle.uses_services else None
    busy = busy_cpu_seconds() - busy0
    step = fold_step(opts, rate, replies, joined, server_cpu, services_cpu, busy, t0_ns)
    step["step_id"] = index
    if profilers:
        summary = profiling.finish(profilers)
        step["profile"] = summary
        if summary is not None and profile_dir is not None:
            title = f"{kind} at {rate:g} msgs/s (step {index})"
            path = profile_dir / f"{safe_name(kind)}-{rate:g}-step{index}.md"
            path.write_text(profiling.markdown(summary, title))
    if index >= 0:
        progress.done(
            f"{kind} {label} {rate:,.0f} msg/s: {step['delivered_copies_per_s']:,.0f} copies/s "
            f"p50 {step['p50_ms']:.1f} p99 {step['p99_ms']:.1f} ms, lost {step['lost']}, "
            + (
                f"server {step['server_us_per_copy']:.1f} µs/copy, "
                if step["server_us_per_copy"] is not None
                else ""
            )
            + f"generator {step['generator_util']:.0%} of its core"
            + ("" if step["qualifies"] else "  (over SLO)")
        )
    return step


def safe_name(kind: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in kind)


def options_dict(opts: BenchOptions) -> dict[str, Any]:
    return asdict(opts)
