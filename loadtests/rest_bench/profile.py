"""Where a request's server CPU goes: py-spy samples the server while one kind of request
runs, and the samples are summed by function (inclusive and self), so a README can say
which share of a history page is Flask, the bridge, asyncpg or the token check.

py-spy (the `load` extra) reads the process from outside: nothing in ChatApp changes. It
samples the thread holding the GIL, 200 times a second; it pauses the process for each
sample, so a profiled round's req/s is not a benchmark figure (the throughput rounds run
without it). Time in C code (uvloop, asyncpg's decoding, orjson) counts toward the Python
function that called it.
"""

from __future__ import annotations

import asyncio
import collections
import re
import shutil
import sys
from pathlib import Path
from typing import Any

_FILE = re.compile(r" \(([^()]*/)?([^/()]+\.py):\d+\)")


async def record(pid: int, seconds: float, raw: Path) -> asyncio.subprocess.Process:
    """Starts py-spy on the process for `seconds`; await .wait() on the result."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    return await asyncio.create_subprocess_exec(
        spy,
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(max(int(seconds), 1)),
        "--rate",
        "200",
        "--gil",  # only the thread holding the GIL: Python's CPU, not threads waiting
        "--format",
        "raw",
        "-o",
        str(raw),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


def summarise(raw: Path, top: int = 40) -> dict[str, Any]:
    """Shares of samples by function: inclusive (on the stack) and self (on top)."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [_FILE.sub(r" (\2)", frame) for frame in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples

    def shares(counter: collections.Counter[str]) -> list[tuple[str, float]]:
        return [(name, round(100 * n / total, 1)) for name, n in counter.most_common(top)]

    return {"samples": total, "inclusive_pct": shares(inclusive), "self_pct": shares(own)}
