"""One self-contained HTML page per run: the summary, every step, the plots embedded."""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

from loadtests.bench.summary import fmt_cell, summary_rows


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
        cap = fmt_cell(row["capacity"])
        if row["lower_bound"] and row["capacity"]:
            cap = "≥ " + cap
        if row["error"]:
            cap = f"<span class='bad'>{html.escape(row['error'][:200])}</span>"
        gen = f"{row['generator_util']:.0%}" if row["generator_util"] is not None else "—"
        parts.append(
            f"<tr><td>{html.escape(row['config'])}</td><td>{cap}</td>"
            f"<td>{fmt_cell(row['ratio_to_node'], 2)}</td><td>{fmt_cell(row['p99_ms'])}</td>"
            f"<td>{fmt_cell(row['server_us_per_copy'])}</td><td>{fmt_cell(row['cpu_ceiling'])}</td>"
            f"<td>{fmt_cell(row['services_us_per_copy'])}</td><td>{gen}</td>"
            f"<td>{fmt_cell(row['rss_kib_per_connection'])}</td></tr>"
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
                    text = fmt_cell(value)
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
