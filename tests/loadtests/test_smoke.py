"""The load tools work end to end against a real server: a few seconds each.

These prove that the locustfile and chat-bench run, deliver copies and write their
reports; they never judge a time (docs/DEVELOPING.md: a test asserts behaviour, a benchmark
reports numbers).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.server import ServerProcess

REPO = Path(__file__).resolve().parents[2]


def run(argv: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    return subprocess.run(
        argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.mark.timeout(180)
def test_locustfile_records_fanout_copies(server: ServerProcess, tmp_path: Path) -> None:
    result = run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            "loadtests/locustfile.py",
            "--headless",
            "-u",
            "3",
            "-r",
            "3",
            "-t",
            "5s",
            "--host",
            server.url,
            "--csv",
            str(tmp_path / "locust"),
            "--html",
            str(tmp_path / "locust.html"),
            "--only-summary",
            "--chat-room-sizes",
            "10",
        ],
        timeout=150,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with (tmp_path / "locust_stats.csv").open() as f:
        rows = list(csv.DictReader(f))
    fanout = [r for r in rows if r["Type"] == "FANOUT"]
    assert fanout, rows
    assert sum(int(r["Request Count"]) for r in fanout) > 0
    assert (tmp_path / "locust.html").stat().st_size > 0


@pytest.mark.timeout(240)
def test_chat_bench_reports_fanout(server: ServerProcess, tmp_path: Path) -> None:
    out = tmp_path / "bench"
    result = run(
        [
            sys.executable,
            "-m",
            "loadtests.bench.cli",
            "fanout",
            "--target",
            server.url,
            "--connections",
            "20",
            "--rooms",
            "1",
            "--room-size",
            "10",
            "--rate",
            "5",
            "--duration",
            "2",
            "--warmup",
            "0",
            "--drain",
            "5",
            "--retries",
            "0",
            "--users",
            "5",
            "--workers",
            "2",
            "--out",
            str(out),
        ],
        timeout=200,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    results = json.loads((out / "results.json").read_text())
    (config,) = results["configs"]
    assert config["error"] is None
    assert config["connect"]["connected"] == 20
    (step,) = config["steps"]
    assert step["delivered_copies"] > 0
    assert step["hist"]
    for name in ("results.csv", "report.html", "latency_hist.png", "capacity.png"):
        assert (out / name).stat().st_size > 0, name
    compared = run(
        [sys.executable, "-m", "loadtests.bench.cli", "compare", *[str(out / "results.json")] * 2],
        timeout=60,
    )
    assert compared.returncode == 0, compared.stderr
    assert "capacity A" in compared.stdout
