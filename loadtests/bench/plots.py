"""The PNG plots of a run: latency histograms, p99 against load, capacity, CPU per copy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from loadtests.bench import histogram
from loadtests.bench.summary import capacity


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
