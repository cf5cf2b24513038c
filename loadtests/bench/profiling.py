"""py-spy profiles of the Python server processes during a step, and their summary.

``chat-bench fanout --profile`` samples every Python server process (not Node) at
100 Hz for the length of each measured step, non-blocking (``--profile-native``: with
C frames, pausing the process at each sample), and keeps py-spy's raw
collapsed stacks (load them in speedscope or flamegraph.pl). The summary splits the
samples — CPU time, py-spy skips idle threads — by the library of the innermost
Python frame ("self") and by every library on the stack ("inclusive").
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

# (label, path fragments) - the first match wins, for the innermost frame.
AREAS: list[tuple[str, tuple[str, ...]]] = [
    # Native frames (--profile-native only).
    ("syscalls in libc (write, epoll, recv)", ("(libc.so",)),
    ("CPython runtime (GC, allocation, eval)", ("(libpython",)),
    ("uvloop (C)", ("(loop.c", "uvloop/", "(uvloop")),
    ("asyncio (C)", ("_asynciomodule",)),
    ("chat.realtime", ("chat/realtime/",)),
    ("chat.services", ("chat/services/",)),
    ("chat.storage", ("chat/storage/",)),
    ("chat.http", ("chat/http/",)),
    ("chat (other)", ("chat/",)),
    ("sqlalchemy", ("sqlalchemy/",)),
    ("asyncpg", ("asyncpg/",)),
    ("aiosqlite/sqlite3", ("aiosqlite/", "sqlite3/")),
    ("redis", ("redis/",)),
    ("socketio", ("socketio/", "bidict/")),
    ("engineio", ("engineio/",)),
    ("uvicorn", ("uvicorn/",)),
    ("websockets", ("websockets/",)),
    ("flask/werkzeug/restx/asgiref", ("flask/", "werkzeug/", "flask_restx/", "asgiref/")),
    ("json", ("json/",)),
    ("jwt/argon2", ("jwt/", "argon2/")),
    ("logging", ("logging/",)),
    ("asyncio", ("asyncio/",)),
]
LOOP_FRAMES = ("Runner.run (asyncio/runners.py", "asyncio_run (uvicorn/_compat.py")


def area_of(frame: str, innermost: bool) -> str:
    if innermost and frame.startswith(LOOP_FRAMES):
        return "event loop in C (uvloop: I/O, syscalls, callbacks)"
    for label, fragments in AREAS:
        if any(f in frame for f in fragments):
            return label
    return "other"


def py_spy() -> str | None:
    found = shutil.which("py-spy")
    if found:
        return found
    candidate = Path(sys.executable).with_name("py-spy")
    return str(candidate) if candidate.exists() else None


def python_pids(processes: list[psutil.Process]) -> list[int]:
    pids = []
    for p in processes:
        with contextlib.suppress(psutil.Error):
            if "python" in p.name().lower():
                pids.append(p.pid)
    return pids


def start(
    pids: list[int], out_prefix: Path, duration: float, native: bool = False
) -> list[tuple[subprocess.Popen[bytes], Path]]:
    """One py-spy per process. ``native`` adds C frames but pauses the process for
    every sample (py-spy cannot do both non-blocking): it perturbs what it measures."""
    exe = py_spy()
    if exe is None or not pids:
        return []
    out_prefix.parent.mkdir(parents=True, exist_ok=True)
    started = []
    for pid in pids:
        path = out_prefix.with_name(f"{out_prefix.name}-pid{pid}.txt")
        proc = subprocess.Popen(
            [
                exe,
                "record",
                "--pid",
                str(pid),
                "--rate",
                "100",
                "--format",
                "raw",
                *(["--native"] if native else ["--nonblocking"]),
                "--duration",
                str(max(1, int(duration))),
                "--output",
                str(path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append((proc, path))
    return started


def finish(started: list[tuple[subprocess.Popen[bytes], Path]]) -> dict[str, Any] | None:
    paths = []
    for proc, path in started:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        if path.exists():
            paths.append(path)
    return summarize(paths) if paths else None


def summarize(paths: list[Path], top: int = 15) -> dict[str, Any]:
    self_areas: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    for path in paths:
        for line in path.read_text(errors="replace").splitlines():
            stack, _, count_text = line.rpartition(" ")
            if not stack or not count_text.isdigit():
                continue
            count = int(count_text)
            frames = stack.split(";")
            total += count
            leaf = frames[-1]
            self_areas[area_of(leaf, innermost=True)] += count
            leaves[leaf] += count
            for area in {area_of(f, innermost=False) for f in frames} - {"other"}:
                inclusive[area] += count

    def shares(counter: Counter[str]) -> list[tuple[str, float]]:
        return [(k, v / total) for k, v in counter.most_common()] if total else []

    return {
        "samples": total,
        "files": [str(p) for p in paths],
        "self": shares(self_areas),
        "inclusive": shares(inclusive),
        "top_frames": shares(leaves)[:top],
    }


def markdown(summary: dict[str, Any], title: str) -> str:
    lines = [f"### {title}", "", f"{summary['samples']} samples (100 Hz, CPU only)", ""]
    lines += ["| innermost frame's area | self |", "|---|---:|"]
    lines += [f"| {k} | {v:.1%} |" for k, v in summary["self"]]
    lines += ["", "| on the stack | inclusive |", "|---|---:|"]
    lines += [f"| {k} | {v:.1%} |" for k, v in summary["inclusive"]]
    lines += ["", "| hottest innermost frames | self |", "|---|---:|"]
    lines += [f"| `{k}` | {v:.1%} |" for k, v in summary["top_frames"]]
    return "\n".join(lines) + "\n"
