"""Write a run's results: JSON, CSV, PNG plots and one self-contained HTML page."""

from __future__ import annotations

import base64
import csv
import html
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from loadtests.bench import histogram

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


def capacity(config: dict[str, Any]) -> float | None:
    cap = config.get("capacity")
    return float(cap["copies_per_s"]) if cap else None


def reference_ratios(results: dict[str, Any], reference: str = "node") -> dict[str, float | None]:
    ref = next((c for c in results["configs"] if c["name"] == reference), None)
    ref_cap = capacity(ref) if ref else None
    ratios: dict[str, float | None] = {}
    for config in results["configs"]:
        cap = capacity(config)
        ratios[config["name"]] = cap / ref_cap if cap and ref_cap else None
    return ratios


def _hist_array(step: dict[str, Any]) -> histogram.Hist:
    hist = histogram.empty()
    for k, v in step.get("hist", {}).items():
        hist[int(k)] = v
    return hist


def _display_step(config: dict[str, Any]) -> dict[str, Any] | None:
    steps: list[dict[str, Any]] = config.get("steps") or []
    if not steps:
        return None
    cap = config.get("capacity")
    if cap:
        for step in steps:
            if step["rate_msgs_per_s"] == cap["rate_msgs_per_s"]:
                return step
    return steps[-1]


def plot(results: dict[str, Any], out: Path) -> dict[str, Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    configs = [c for c in results["configs"] if c.get("steps")]
    files: dict[str, Path] = {}
    if not configs:
        return files
    slo = results["options"]["slo_ms"]
    centers = histogram.centers_ms()

    # 1. Latency histogram of the capacity step (or the last step) per configuration.
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for config in configs:
        step = _display_step(config)
        if step is None:
            continue
        hist = _hist_array(step)
        total = hist.sum()
        if not total:
            continue
        # Sum neighbouring buckets so the curve reads as a density on the log axis.
        k = 5
        n = len(hist) // k * k
        grouped = hist[:n].reshape(-1, k).sum(axis=1) / total
        x = centers[:n].reshape(-1, k).mean(axis=1)
        label = f"{config['name']} @ {step['delivered_copies_per_s']:,.0f} copies/s"
        ax.plot(x, grouped * 100, label=label, drawstyle="steps-mid")
    ax.axvline(slo, color="red", linestyle="--", linewidth=1, label=f"SLO {slo:g} ms")
    ax.set_xscale("log")
    ax.set_xlim(left=0.05)
    ax.set_xlabel("fan-out latency (ms, log scale)")
    ax.set_ylabel("% of delivered copies")
    ax.set_title("Latency distribution at capacity (or the last step)")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    files["latency_hist"] = _save(fig, out / "latency_hist.png")

    # 2. Latency over time: every step of every configuration, back to back.
    fig, axes = plt.subplots(
        len(configs), 1, figsize=(10, 2.6 * max(1, len(configs))), squeeze=False
    )
    for ax, config in zip(axes[:, 0], configs, strict=True):
        offset = 0.0
        for step in config["steps"]:
            rows = step.get("per_second") or []
            t = [offset + r["t"] for r in rows]
            ax.plot(t, [r["p50_ms"] for r in rows], color="tab:blue", linewidth=1)
            ax.plot(t, [r["p99_ms"] for r in rows], color="tab:orange", linewidth=1)
            ax.plot(t, [r["max_ms"] for r in rows], color="tab:gray", linewidth=0.6, alpha=0.6)
            ax.axvline(offset, color="black", linewidth=0.5, alpha=0.4)
            ax.text(
                offset,
                1,
                f" {step['rate_msgs_per_s']:,.0f}/s",
                fontsize=7,
                va="bottom",
                transform=ax.get_xaxis_transform(),
            )
            offset += (max(r["t"] for r in rows) + 1) if rows else step["wall_s"]
        ax.axhline(slo, color="red", linestyle="--", linewidth=0.8)
        ax.set_yscale("log")
        ax.set_ylabel("ms")
        ax.set_title(
            f"{config['name']}: p50 (blue), p99 (orange), max (grey) per second",
            fontsize=9,
            loc="left",
        )
        ax.grid(True, which="both", alpha=0.3)
    axes[-1, 0].set_xlabel("seconds of measurement (steps back to back, labelled by msgs/s)")
    fig.tight_layout()
    files["latency_time"] = _save(fig, out / "latency_time.png")

    # 3. Capacity: p99 against delivered copies/s, and the capacity per configuration.
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    for config in configs:
        steps = sorted(config["steps"], key=lambda s: s["rate_msgs_per_s"])
        x = [s["delivered_copies_per_s"] for s in steps]
        y = [min(s["p99_with_loss_ms"] or 1e5, 1e5) for s in steps]
        left.plot(x, y, marker="o", label=config["name"])
    left.axhline(slo, color="red", linestyle="--", linewidth=1, label=f"SLO p99 {slo:g} ms")
    left.set_yscale("log")
    left.set_xlabel("delivered copies/s")
    left.set_ylabel("p99 fan-out latency, lost = ∞ (ms)")
    left.set_title("Latency against throughput")
    left.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=8)
    names = [c["name"] for c in results["configs"]]
    caps = [capacity(c) or 0.0 for c in results["configs"]]
    bars = right.bar(names, caps, color="tab:green")
    for rect, config in zip(bars, results["configs"], strict=True):
        cap = config.get("capacity")
        mark = "≥" if cap and cap.get("lower_bound") else ""
        right.annotate(
            f"{mark}{rect.get_height():,.0f}",
            (rect.get_x() + rect.get_width() / 2, rect.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    right.set_ylabel("copies/s with p99 ≤ SLO")
    right.set_title("Capacity")
    right.tick_params(axis="x", labelrotation=20)
    fig.tight_layout()
    files["capacity"] = _save(fig, out / "capacity.png")

    # 4. Server CPU per delivered copy.
    fig, ax = plt.subplots(figsize=(9, 4))
    for config in configs:
        steps = sorted(config["steps"], key=lambda s: s["rate_msgs_per_s"])
        x = [s["delivered_copies_per_s"] for s in steps]
        y = [s["server_us_per_copy"] for s in steps]
        ax.plot(x, y, marker="o", label=config["name"])
    ax.set_xlabel("delivered copies/s")
    ax.set_ylabel("server CPU µs per delivered copy")
    ax.set_title("Server CPU cost per copy (server processes only)")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    files["cpu_per_copy"] = _save(fig, out / "cpu_per_copy.png")
    return files


def _save(fig: Any, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        if math.isinf(value):
            return "∞"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.{digits}f}"
    return html.escape(str(value))


def summary_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    ratios = reference_ratios(results)
    rows = []
    for config in results["configs"]:
        # Per-copy figures come from the capacity step, else from the most loaded one.
        step = None
        cap = config.get("capacity")
        if cap:
            step = next(
                (s for s in config["steps"] if s["rate_msgs_per_s"] == cap["rate_msgs_per_s"]), None
            )
        elif config.get("steps"):
            step = max(config["steps"], key=lambda s: s["delivered_copies_per_s"])
        us = step["server_us_per_copy"] if step else None
        rss = (config.get("connect") or {}).get("rss_per_connection_bytes")
        rows.append(
            {
                "config": config["name"],
                "capacity": capacity(config),
                "lower_bound": bool(cap and cap.get("lower_bound")),
                "ratio_to_node": ratios.get(config["name"]),
                "p99_ms": step["p99_ms"] if step else None,
                "server_us_per_copy": us,
                "cpu_ceiling": 1e6 / us if us else None,
                "services_us_per_copy": step["services_us_per_copy"] if step else None,
                "generator_util": step["generator_util"] if step else None,
                "rss_kib_per_connection": rss / 1024 if rss is not None else None,
                "error": config.get("error"),
            }
        )
    return rows


def markdown_summary(results: dict[str, Any]) -> str:
    lines = [
        "| configuration | capacity (copies/s, p99 ≤ "
        f"{results['options']['slo_ms']:g} ms) | ratio to Node | p99 there (ms) | server µs/copy "
        "| one core ÷ µs/copy | PG+Redis µs/copy | RSS KiB/conn |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in summary_rows(results):
        cap = _fmt(row["capacity"])
        if row["lower_bound"] and row["capacity"]:
            cap = "≥ " + cap
        if row["error"]:
            cap = f"error: {row['error'][:60]}"
        ratio = f"{row['ratio_to_node']:.2f}" if row["ratio_to_node"] else "—"
        lines.append(
            f"| {row['config']} | {cap} | {ratio} | {_fmt(row['p99_ms'])} | "
            f"{_fmt(row['server_us_per_copy'])} | {_fmt(row['cpu_ceiling'])} | "
            f"{_fmt(row['services_us_per_copy'])} | "
            f"{_fmt(row['rss_kib_per_connection'])} |"
        )
    return "\n".join(lines)


def write_html(results: dict[str, Any], images: dict[str, Path], path: Path) -> None:
    opts = results["options"]
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>chat-bench fan-out</title>",
        "<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px}"
        "table{border-collapse:collapse;margin:1em 0;font-size:13px}"
        "td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}"
        "th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}"
        ".bad{color:#b00}.warn{background:#fff4d6;padding:.5em 1em}"
        "img{max-width:100%}</style></head><body>",
        f"<h1>chat-bench fan-out — {html.escape(results['started_at'])}</h1>",
        "<p>Open-loop sending at fixed rates; latency from each message's scheduled send "
        "time to each delivered copy. Capacity: the highest delivered copies/s of a step "
        f"whose p99 (lost copies counted as infinitely late) is ≤ {opts['slo_ms']:g} ms.</p>",
        f"<p>{opts['connections']:,} connections, {opts['rooms']} rooms of "
        f"{opts['room_size']}, generator processes: {opts['workers'] or 'one per core'}, steps of "
        f"{opts['duration']:g} s (+ drain), bodies of {opts['body_bytes']} bytes, "
        f"websocket compression {opts['compression'] or 'off'}.</p>",
    ]
    host = results.get("host", {})
    parts.append("<p>Host: " + html.escape(", ".join(f"{k} {v}" for k, v in host.items())) + "</p>")
    parts.append(
        "<p>Limits raised for ChatApp configurations (a benchmark would otherwise measure "
        "the limiter): "
        + html.escape(", ".join(f"{k}={v}" for k, v in results.get("raised_limits", {}).items()))
        + "</p>"
    )
    warnings = results.get("warnings") or []
    if warnings:
        parts.append("<div class='warn'><b>Read with care:</b><ul>")
        parts += [f"<li>{html.escape(w)}</li>" for w in warnings]
        parts.append("</ul></div>")
    parts.append(
        "<h2>Capacity</h2><table><tr><th>configuration</th><th>capacity copies/s</th>"
        "<th>ratio to Node</th><th>p99 ms</th><th>server µs/copy</th>"
        "<th>PG+Redis µs/copy</th><th>generator core</th><th>RSS KiB/conn</th></tr>"
    )
    for row in summary_rows(results):
        cap = _fmt(row["capacity"])
        if row["lower_bound"] and row["capacity"]:
            cap = "≥ " + cap
        if row["error"]:
            cap = f"<span class='bad'>{html.escape(row['error'][:200])}</span>"
        gen = f"{row['generator_util']:.0%}" if row["generator_util"] is not None else "—"
        parts.append(
            f"<tr><td>{html.escape(row['config'])}</td><td>{cap}</td>"
            f"<td>{_fmt(row['ratio_to_node'], 2)}</td><td>{_fmt(row['p99_ms'])}</td>"
            f"<td>{_fmt(row['server_us_per_copy'])}</td><td>{_fmt(row['cpu_ceiling'])}</td>"
            f"<td>{_fmt(row['services_us_per_copy'])}</td><td>{gen}</td>"
            f"<td>{_fmt(row['rss_kib_per_connection'])}</td></tr>"
        )
    parts.append("</table>")
    for key, title in (
        ("capacity", "Latency against throughput"),
        ("latency_hist", "Latency histogram"),
        ("latency_time", "Latency over time"),
        ("cpu_per_copy", "Server CPU per copy"),
    ):
        if key in images:
            data = base64.b64encode(images[key].read_bytes()).decode()
            parts.append(f"<h2>{title}</h2><img alt='{title}' src='data:image/png;base64,{data}'>")
    step_cols = [
        ("rate_msgs_per_s", "msgs/s"),
        ("offered_copies_per_s", "offered copies/s"),
        ("delivered_copies_per_s", "delivered copies/s"),
        ("p50_ms", "p50"),
        ("p95_ms", "p95"),
        ("p99_ms", "p99"),
        ("max_ms", "max"),
        ("lost", "lost"),
        ("duplicates", "dup"),
        ("out_of_order", "ooo"),
        ("failure_ratio", "failed acks"),
        ("ack_p99_ms", "ack p99"),
        ("server_cpu_util", "server core"),
        ("server_us_per_copy", "server µs/copy"),
        ("services_us_per_copy", "PG+Redis µs/copy"),
        ("generator_util", "generator core"),
        ("generator_us_per_copy", "generator µs/copy"),
        ("max_send_lag_ms", "max send lag"),
        ("foreign_busy_cores", "other load (cores)"),
    ]
    for config in results["configs"]:
        parts.append(f"<h2>{html.escape(config['name'])}</h2>")
        if config.get("error"):
            parts.append(f"<p class='bad'>{html.escape(config['error'])}</p>")
        conn = config.get("connect") or {}
        if conn:
            parts.append(
                f"<p>{conn.get('connected', 0):,} connected ({conn.get('failed', 0)} failed) in "
                f"{conn.get('seconds', 0):.1f} s; {conn.get('joined_memberships', 0):,} room "
                f"memberships; server RSS {conn.get('rss_before_bytes', 0) / 2**20:.1f} → "
                f"{conn.get('rss_after_bytes', 0) / 2**20:.1f} MiB.</p>"
            )
        if config.get("env"):
            parts.append(
                "<p><small>env: "
                + html.escape(" ".join(f"{k}={v}" for k, v in sorted(config["env"].items())))
                + "</small></p>"
            )
        parts.append("<table><tr>" + "".join(f"<th>{h}</th>" for _, h in step_cols) + "</tr>")
        for step in config.get("steps", []):
            cells = []
            for key, _ in step_cols:
                value = step.get(key)
                if key.endswith(("_util", "ratio")) and isinstance(value, float):
                    text = f"{value:.1%}" if key == "failure_ratio" else f"{value:.0%}"
                else:
                    text = _fmt(value)
                cls = " class='bad'" if key == "p99_ms" and not step.get("qualifies") else ""
                cells.append(f"<td{cls}>{text}</td>")
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</table>")
        for step in config.get("steps", []):
            prof = step.get("profile")
            if not prof or not prof.get("samples"):
                continue
            parts.append(
                f"<h3>py-spy at {step['rate_msgs_per_s']:,.0f} msgs/s "
                f"({prof['samples']:,} samples)</h3><table><tr><th>innermost frame's area</th>"
                "<th>self</th><th>on the stack</th><th>inclusive</th>"
                "<th>hottest innermost frames</th><th>self</th></tr>"
            )
            rows = max(len(prof["self"]), len(prof["inclusive"]), len(prof["top_frames"]))
            for i in range(min(rows, 15)):
                cells = []
                for key in ("self", "inclusive", "top_frames"):
                    pairs = prof[key]
                    if i < len(pairs):
                        cells.append(
                            f"<td>{html.escape(pairs[i][0])}</td><td>{pairs[i][1]:.1%}</td>"
                        )
                    else:
                        cells.append("<td></td><td></td>")
                parts.append("<tr>" + "".join(cells) + "</tr>")
            parts.append("</table>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts))


def write_all(results: dict[str, Any], out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    write_json(results, out / "results.json")
    write_csv(results, out / "results.csv")
    images = plot(results, out)
    write_html(results, images, out / "report.html")
    (out / "summary.md").write_text(markdown_summary(results) + "\n")
    return {"json": out / "results.json", "csv": out / "results.csv", "html": out / "report.html"}


def percentile_table(hist_json: dict[str, int]) -> dict[str, float]:
    hist = histogram.empty()
    for k, v in hist_json.items():
        hist[int(k)] = v
    return {f"p{q:g}": histogram.percentile_us(hist, q) / 1000 for q in (50, 90, 99, 99.9)}


__all__ = ["markdown_summary", "np", "percentile_table", "reference_ratios", "write_all"]
