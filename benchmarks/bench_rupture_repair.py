"""Speed and memory of the rupture-and-repair model, and the responsiveness of its view.

Run: ``.venv/bin/python benchmarks/bench_rupture_repair.py [--json PATH]``.

Measured in one process, interleaved so that load on the machine affects all alike:

* the deck's whole first year (15,536,000 one-second exchanges) with
  ``simulate_dyad`` at the default settings;
* the practical floor: ``rng.random(15_536_000)``, one uniform number a second
  (target: the year takes at most 1.5 times the floor);
* the naive baseline: a plain Python loop over seconds (state change and distress
  update each second), timed on a shorter run and scaled to the year;
* peak memory of the year (target under 300 MB): ``tracemalloc`` peak of the call,
  and the peak resident set size of a fresh Python process that imports the model
  and simulates the year (``VmHWM`` from /proc on Linux, ``resource.getrusage``
  elsewhere: on Linux ``ru_maxrss`` of a child starts from its parent's size);
* the view: ``RuptureRepairExplorer`` driven from Python, one slider moved 30 times,
  the time of each full update (simulate, draw, summarise) in ms (target median < 100 ms).

Wall-clock times are the targets; CPU times of this process and the load average are
printed too, because on a shared machine other work stretches wall-clock times.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from widgets import rupture_repair as rr  # noqa: E402

YEAR = rr.YEAR_ONE_S
DEFAULTS = (rr.DEFAULT_RESPONSIVENESS, rr.DEFAULT_SELF_REGULATION, rr.DEFAULT_BREAK_RATE)
TARGET_RATIO, TARGET_MB, TARGET_VIEW_MS = 1.5, 300.0, 100.0


def python_loop(seconds: int, seed: int) -> float:
    """The naive model: one Python iteration per second. Returns the fraction matched."""
    b, p = DEFAULTS[2], rr.repair_probability(*DEFAULTS[:2])
    settle, rise = math.exp(-1 / rr.TAU_SETTLE_S), math.exp(-1 / rr.TAU_RISE_S)
    draw = random.Random(seed).random
    state, distress, matched, total = 1, 0.0, 0, 0.0
    for _ in range(seconds):
        if state == 1:
            if draw() < b:
                state = 0
        elif draw() < p:
            state = 1
        if state == 1:
            distress *= settle
            matched += 1
        else:
            distress = 1.0 + (distress - 1.0) * rise
        total += distress
    return matched / seconds


def _timed(function):
    """(wall s, CPU s of this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - wall, time.process_time() - cpu


def time_year(repeats: int) -> dict:
    """Interleaved timings of the year and of the floor: lists of (wall s, CPU s)."""
    rng = np.random.default_rng(0)
    rr.simulate_dyad(*DEFAULTS, YEAR, seed=999)  # warm-up (first-call costs)
    rng.random(YEAR)
    year, floor = [], []
    for i in range(repeats):
        floor.append(_timed(lambda: rng.random(YEAR)))
        year.append(_timed(lambda: rr.simulate_dyad(*DEFAULTS, YEAR, seed=i)))
    return {"year": year, "floor": floor}


def tracemalloc_peak_mb() -> float:
    tracemalloc.start()
    tracemalloc.reset_peak()
    result = rr.simulate_dyad(*DEFAULTS, YEAR, seed=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return peak / 1e6


_CHILD = """
import resource, sys
sys.path.insert(0, {root!r})


def peak_mb():
    # Linux: VmHWM of this process image (ru_maxrss would include the parent's size at fork).
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1e6 if sys.platform == "darwin" else rss * 1024 / 1e6


from widgets import rupture_repair as rr
before = peak_mb()
result = rr.simulate_dyad(rr.DEFAULT_RESPONSIVENESS, rr.DEFAULT_SELF_REGULATION, rr.DEFAULT_BREAK_RATE, rr.YEAR_ONE_S, seed=1)
print(before, peak_mb(), result.n_runs)
"""


def child_rss_mb() -> tuple[float, float, int]:
    """Peak resident memory (MB) of a fresh process after imports and after simulating the year."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD.format(root=str(ROOT))], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), float(out[1]), int(out[2])


def view_times(changes: int = 30) -> list[tuple[float, float]]:
    """(wall s, CPU s) of each full update of the explorer when the responsiveness slider moves."""
    view = rr.RuptureRepairExplorer()
    slider = view.controls["responsiveness"]
    values = [round(v, 2) for v in np.linspace(0.2, 0.9, changes)]
    values = [v + 0.01 if v == slider.value else v for v in values]  # every assignment must be a change
    times = []
    for value in values:
        times.append(_timed(lambda: setattr(slider, "value", value)))
    assert view.updates == changes + 1, "every change should have redrawn the view"
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the figures as JSON to this path")
    parser.add_argument("--repeats", type=int, default=7, help="interleaved repetitions of year and floor")
    parser.add_argument("--loop-seconds", type=int, default=1_000_000, help="seconds for the Python-loop baseline")
    args = parser.parse_args(argv)

    rss_before, rss_after, n_runs = child_rss_mb()
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    timings = time_year(args.repeats)
    year_wall = [w for w, _ in timings["year"]]
    floor_wall = [w for w, _ in timings["floor"]]
    year_s, floor_s = statistics.median(year_wall), statistics.median(floor_wall)
    year_cpu = statistics.median(c for _, c in timings["year"])
    floor_cpu = statistics.median(c for _, c in timings["floor"])
    loop_wall, _ = _timed(lambda: python_loop(args.loop_seconds, seed=1))
    loop_s = loop_wall * YEAR / args.loop_seconds
    traced = tracemalloc_peak_mb()
    view = view_times()
    view_wall = [w * 1e3 for w, _ in view]
    view_cpu = [c * 1e3 for _, c in view]
    view_median, view_p95 = statistics.median(view_wall), float(np.percentile(view_wall, 95))
    load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    figures = {
        "seconds_simulated": YEAR,
        "runs_in_year": n_runs,
        "repeats": args.repeats,
        "year_median_s": year_s,
        "year_min_s": min(year_wall),
        "year_median_cpu_s": year_cpu,
        "floor_median_s": floor_s,
        "floor_min_s": min(floor_wall),
        "floor_median_cpu_s": floor_cpu,
        "ratio_to_floor_median": year_s / floor_s,
        "ratio_to_floor_min": min(year_wall) / min(floor_wall),
        "ratio_to_floor_cpu": year_cpu / floor_cpu,
        "python_loop_scaled_s": loop_s,
        "python_loop_measured_seconds": args.loop_seconds,
        "speedup_over_python_loop": loop_s / year_s,
        "tracemalloc_peak_mb": traced,
        "child_peak_rss_after_imports_mb": rss_before,
        "child_peak_rss_after_year_mb": rss_after,
        "view_updates": len(view),
        "view_median_ms": view_median,
        "view_p95_ms": view_p95,
        "view_median_cpu_ms": statistics.median(view_cpu),
        "load_average_1min": [load_before, load_after],
        "cpus": os.cpu_count(),
        "targets": {"ratio_to_floor": TARGET_RATIO, "peak_mb": TARGET_MB, "view_median_ms": TARGET_VIEW_MS},
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    figures["meets_targets"] = {
        "speed": figures["ratio_to_floor_median"] <= TARGET_RATIO,
        "memory": max(traced, rss_after) < TARGET_MB,
        "view": view_median < TARGET_VIEW_MS,
    }

    def ok(flag: bool) -> str:
        return "yes" if flag else "NO"

    rows = [
        ("First year, simulate_dyad (15,536,000 s)", f"{year_s * 1e3:9.1f} ms",
         f"min {min(year_wall) * 1e3:.1f} ms; CPU {year_cpu * 1e3:.1f} ms"),
        ("Floor: rng.random(15_536_000)", f"{floor_s * 1e3:9.1f} ms",
         f"min {min(floor_wall) * 1e3:.1f} ms; CPU {floor_cpu * 1e3:.1f} ms"),
        ("Ratio year / floor (target <= 1.5)", f"{year_s / floor_s:9.2f} x",
         f"{ok(figures['meets_targets']['speed'])}; of mins {min(year_wall) / min(floor_wall):.2f} x; "
         f"of CPU {year_cpu / floor_cpu:.2f} x"),
        (f"Python per-second loop (timed on {args.loop_seconds:,} s, scaled)", f"{loop_s:9.1f} s",
         f"{loop_s / year_s:,.0f} x slower than simulate_dyad"),
        ("Peak memory, tracemalloc (year)", f"{traced:9.1f} MB", ok(traced < TARGET_MB)),
        ("Peak RSS, fresh process (imports + year)", f"{rss_after:9.1f} MB",
         f"{ok(rss_after < TARGET_MB)}; {rss_before:.1f} MB after imports alone"),
        ("View update, median of 30 slider moves", f"{view_median:9.1f} ms",
         f"{ok(figures['meets_targets']['view'])}; CPU {statistics.median(view_cpu):.1f} ms"),
        ("View update, 95th percentile", f"{view_p95:9.1f} ms", ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(
        f"Rupture and repair benchmark: {args.repeats} interleaved repeats, medians; {n_runs:,} runs in the year; "
        f"load average {load_before:.1f} -> {load_after:.1f} on {os.cpu_count()} CPUs"
    )
    print(f"{'Measure':<{width}}  {'Value':>12}  Note")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>12}  {note}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
        print(f"Wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
