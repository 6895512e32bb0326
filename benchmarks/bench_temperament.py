"""Responsiveness of the TemperamentMatcher view: time from a slider change to updated text and figure.

Drives the view from Python (no browser): builds it once, then changes a slider
30 times (alternating child and setting sliders across all nine dimensions) and
times each change until ``observe`` has recomputed the model, redrawn the figure
(PNG) and rewritten the summary. Reports wall-clock and CPU time per update in
milliseconds; the target is a median wall-clock update under 100 ms.

    .venv/bin/python benchmarks/bench_temperament.py [--changes 30] [--json PATH]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_MEDIAN_MS = 100.0


def run(changes: int = 30) -> dict:
    """Time ``changes`` slider changes on a fresh view; returns the figures in ms."""
    from widgets.temperament import DIMENSIONS, TemperamentMatcher

    start = time.perf_counter()
    view = TemperamentMatcher()
    construct_ms = (time.perf_counter() - start) * 1000
    values = (1.0, 3.0, 1.5, 2.5)
    wall, cpu = [], []
    for i in range(changes):
        side = "child" if i % 2 == 0 else "setting"
        control = view.controls[f"{side}_{DIMENSIONS[i % len(DIMENSIONS)]}"]
        value = values[i % len(values)]
        if control.value == value:
            value = 2.0
        updates = view.updates
        w0, c0 = time.perf_counter(), time.process_time()
        control.value = value
        wall.append((time.perf_counter() - w0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        if view.updates != updates + 1:
            raise RuntimeError(f"change {i} did not update the view exactly once")
    return {
        "benchmark": "temperament_matcher_update",
        "changes": changes,
        "construct_ms": construct_ms,
        "median_ms": statistics.median(wall),
        "p95_ms": float(np.percentile(wall, 95)),
        "mean_ms": statistics.fmean(wall),
        "max_ms": max(wall),
        "cpu_median_ms": statistics.median(cpu),
        "target_median_ms": TARGET_MEDIAN_MS,
        "meets_target": statistics.median(wall) < TARGET_MEDIAN_MS,
    }


def table(figures: dict) -> str:
    """The figures as a plain-text table."""
    rows = [
        ("slider changes", f"{figures['changes']}"),
        ("first render (construct), ms", f"{figures['construct_ms']:.1f}"),
        ("update median, ms", f"{figures['median_ms']:.1f}"),
        ("update 95th percentile, ms", f"{figures['p95_ms']:.1f}"),
        ("update mean, ms", f"{figures['mean_ms']:.1f}"),
        ("update max, ms", f"{figures['max_ms']:.1f}"),
        ("update CPU median, ms", f"{figures['cpu_median_ms']:.1f}"),
        ("target: median below, ms", f"{figures['target_median_ms']:.0f}"),
        ("meets target", "yes" if figures["meets_target"] else "NO"),
    ]
    width = max(len(name) for name, _ in rows)
    lines = ["TemperamentMatcher responsiveness", "-" * (width + 12)]
    lines += [f"{name:<{width}}  {value:>9}" for name, value in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=30, help="number of slider changes to time (default 30)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures to this JSON file")
    args, _ = parser.parse_known_args(argv)  # run_all.py passes every script the same arguments
    if args.changes < 1:
        parser.error("--changes must be at least 1")
    figures = run(args.changes)
    print(table(figures))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
