"""chat-bench: Socket.IO fan-out benchmark of ChatApp against reference servers.

chat-bench fanout --configs node,pyref,embedded --ramp 250:8000 --duration 15
chat-bench fanout --target http://127.0.0.1:8000 --rate 200 --connections 200
chat-bench compare loadtests/results/A/results.json loadtests/results/B/results.json
chat-bench report loadtests/results/A/results.json   # redraw plots and HTML
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from loadtests.bench import report
from loadtests.bench.compare import compare
from loadtests.bench.cost import cost
from loadtests.bench.fanout import DEFAULT_CONFIGS, fanout
from loadtests.bench.scaling import scaling
from loadtests.bench.servers import KINDS
from loadtests.bench.summary import markdown_summary


def redraw(args: argparse.Namespace) -> int:
    path = Path(args.results)
    results = json.loads(path.read_text())
    paths = report.write_all(results, path.parent)
    print(markdown_summary(results))
    print(f"\nreport: {paths['html']}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chat-bench", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fanout", help="measure room fan-out (delivered copies/s, latency)")
    f.add_argument(
        "--configs",
        help=f"comma-separated, in order: {', '.join(KINDS)} or URLs (default {DEFAULT_CONFIGS})",
    )
    f.add_argument(
        "--target",
        action="append",
        default=[],
        help="URL of a running server (http://127.0.0.1:PORT); repeatable",
    )
    f.add_argument(
        "--target-pid",
        type=int,
        action="append",
        default=[],
        help="pid of a --target server process, to measure its CPU and memory; repeatable",
    )
    f.add_argument("--connections", type=int, default=1000)
    f.add_argument("--rooms", type=int, default=50)
    f.add_argument("--room-size", type=int, default=20)
    f.add_argument("--rate", default="250", help="msgs/s sent, comma-separated steps")
    f.add_argument(
        "--ramp",
        help="START:MAX[:FACTOR] msgs/s, geometric; stops past the knee (steps down from "
        "START, up to 4 times, when START is already over the SLO)",
    )
    f.add_argument("--refine", type=int, default=1, help="bisection steps after the knee")
    f.add_argument("--retries", type=int, default=2, help="reruns of a step over the SLO")
    f.add_argument("--duration", type=float, default=15.0, help="seconds per step")
    f.add_argument("--warmup", type=float, default=2.0, help="unreported first step, seconds")
    f.add_argument("--drain", type=float, default=5.0, help="max wait for late copies, s")
    f.add_argument(
        "--workers",
        type=int,
        default=0,
        help="generator processes (default one per generator core: two processes sharing "
        "one core cost more per copy than one)",
    )
    f.add_argument("--users", type=int, default=0, help="users (default min(connections, 100))")
    f.add_argument("--body-bytes", type=int, default=64)
    f.add_argument("--compression", choices=("none", "deflate"), default="none")
    f.add_argument("--slo-ms", type=float, default=50.0)
    f.add_argument(
        "--profile",
        action="store_true",
        help="py-spy the Python server processes during each measured step",
    )
    f.add_argument(
        "--profile-native",
        action="store_true",
        help="like --profile with C frames (syscalls, uvloop, GC); pauses the server per sample",
    )
    f.add_argument("--no-pin", action="store_true", help="do not pin server/generator cores")
    f.add_argument("--env", action="append", default=[], help="KEY=VALUE for ChatApp servers")
    f.add_argument("--out", help="results directory (default loadtests/results/<timestamp>)")
    f.add_argument("--label", default="", help="free text stored with the results")
    f.set_defaults(func=fanout)
    c = sub.add_parser("compare", help="two results.json side by side, with ratios")
    c.add_argument("a")
    c.add_argument("b")
    c.set_defaults(func=compare)
    k = sub.add_parser("cost", help="split server CPU into per-message and per-copy costs")
    k.add_argument("--configs", default="node,pyref,embedded,pg-redis-1")
    k.add_argument("--sizes", default="2,50", help="room sizes, comma-separated (>= 2)")
    k.add_argument("--rate", type=float, default=20.0, help="msgs/s, below every knee")
    k.add_argument("--connections", type=int, default=200)
    k.add_argument("--duration", type=float, default=10.0)
    k.add_argument("--warmup", type=float, default=2.0)
    k.add_argument("--env", action="append", default=[], help="KEY=VALUE for ChatApp servers")
    k.add_argument("--out", help="results directory (default loadtests/results/<ts>-cost)")
    k.set_defaults(func=cost)
    s = sub.add_parser("scaling", help="server CPU per copy at 1, 2 and 4 processes")
    s.add_argument("--processes", default="1,2,4")
    s.add_argument("--rooms", type=int, default=20)
    s.add_argument("--room-size", type=int, default=20)
    s.add_argument("--rate", type=float, default=100.0, help="msgs/s, below every knee")
    s.add_argument("--placement", choices=("rooms", "spread"), default="rooms")
    s.add_argument("--duration", type=float, default=10.0)
    s.add_argument("--warmup", type=float, default=2.0)
    s.add_argument("--env", action="append", default=[], help="KEY=VALUE for ChatApp servers")
    s.add_argument("--out", help="results directory (default loadtests/results/<ts>-scaling)")
    s.set_defaults(func=scaling)
    r = sub.add_parser("report", help="redraw plots, CSV and HTML from a results.json")
    r.add_argument("results")
    r.set_defaults(func=redraw)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
