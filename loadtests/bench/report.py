"""Write a run's results: JSON, CSV, the PNG plots, the summary and the HTML page."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

from loadtests.bench.html_page import write_html
from loadtests.bench.plots import plot
from loadtests.bench.summary import markdown_summary

CSV_FIELDS = [
    "config",
    "step",
    "rate_msgs_per_s",
    "offered_copies_per_s",
    "delivered_copies_per_s",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "max_ms",
    "p99_with_loss_ms",
    "qualifies",
    "sent",
    "acked",
    "failure_ratio",
    "lost",
    "duplicates",
    "out_of_order",
    "ack_p50_ms",
    "ack_p99_ms",
    "server_cpu_util",
    "server_us_per_copy",
    "services_us_per_copy",
    "generator_util",
    "generator_us_per_copy",
    "generator_bound",
    "max_send_lag_ms",
    "box_busy_cores",
    "foreign_busy_cores",
    "rss_per_connection_bytes",
]


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def write_json(results: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(_finite(results), indent=1, default=str) + "\n")


def write_csv(results: dict[str, Any], path: Path) -> None:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for config in results["configs"]:
            rss = (config.get("connect") or {}).get("rss_per_connection_bytes")
            for i, step in enumerate(config["steps"]):
                row = {k: step.get(k) for k in CSV_FIELDS}
                row |= {"config": config["name"], "step": i, "rss_per_connection_bytes": rss}
                writer.writerow(_finite(row))


def write_all(results: dict[str, Any], out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    write_json(results, out / "results.json")
    write_csv(results, out / "results.csv")
    images = plot(results, out)
    write_html(results, images, out / "report.html")
    (out / "summary.md").write_text(markdown_summary(results) + "\n")
    return {"json": out / "results.json", "csv": out / "results.csv", "html": out / "report.html"}
