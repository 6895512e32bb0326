"""Every view of the course, driven from Python: time from one control change to an updated view.

Finds every ``ModelView`` subclass in the ``widgets`` package, builds each once, then changes its
controls one at a time (round robin; a slider moves to another value within its range, a
drop-down to another option, a checkbox toggles, a text box gets another value) and times each
change until the view has recomputed its model, redrawn its figure (PNG) and rewritten its
summary: the kernel side of what a learner waits for. Goal (issue 16): every view's median under
50 ms and 95th percentile under 100 ms on the 2-core development machine.

    .venv/bin/python benchmarks/bench_widgets.py [--changes 40] [--json PATH]
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import json
import pkgutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_MEDIAN_MS, TARGET_P95_MS = 50.0, 100.0


def views() -> list[type]:
    """Every concrete ModelView subclass of the package, in module order."""
    import widgets
    from widgets.view import ModelView

    found = []
    for info in pkgutil.iter_modules(widgets.__path__):
        module = importlib.import_module(f"widgets.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, ModelView) and cls is not ModelView and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def next_value(control, step: int):
    """Another valid value for ``control`` (what a person moving it once would produce)."""
    import ipywidgets

    if isinstance(control, (ipywidgets.Checkbox, ipywidgets.ToggleButton)):
        return not control.value
    options = getattr(control, "options", None)
    if options and isinstance(control.value, tuple):  # a multiple selection: one more or one fewer
        labels = [o[1] if isinstance(o, tuple) else o for o in options]
        pick = labels[step % len(labels)]
        chosen = set(control.value) ^ {pick}
        return tuple(label for label in labels if label in chosen) or (labels[0],)
    if options:
        labels = [o[1] if isinstance(o, tuple) else o for o in options]
        index = labels.index(control.value) if control.value in labels else 0
        return labels[(index + 1 + step) % len(labels)]
    if hasattr(control, "min") and hasattr(control, "max"):
        low, high = control.min, control.max
        span = high - low
        fraction = (0.2, 0.8, 0.4, 0.6)[step % 4]
        value = low + fraction * span
        if isinstance(control.value, int) and not isinstance(control.value, bool):
            value = int(round(value))
        if isinstance(control.value, tuple):  # a range slider: move the upper end
            return (control.value[0], max(control.value[0], value))
        if value == control.value:
            value = low if control.value != low else high
        return value
    if isinstance(control.value, int) and not isinstance(control.value, bool):  # a number box: one up, one down
        return control.value + (1 if step % 2 == 0 else -1)
    if isinstance(control.value, str):
        return control.value + " " if step % 2 == 0 else control.value.rstrip()
    return None


def time_view(cls, changes: int) -> dict:
    start = time.perf_counter()
    view = cls()
    construct_ms = (time.perf_counter() - start) * 1000
    names = list(view.controls)
    wall = []
    for i in range(changes):
        control = view.controls[names[i % len(names)]]
        value = next_value(control, i // len(names))
        if value is None or value == control.value:
            continue
        before = view.updates
        start = time.perf_counter()
        control.value = value
        elapsed = (time.perf_counter() - start) * 1000
        if view.updates > before:
            wall.append(elapsed)
    wall.sort()
    p95 = wall[min(len(wall) - 1, int(round(0.95 * (len(wall) - 1))))] if wall else float("nan")
    median = statistics.median(wall) if wall else float("nan")
    return {"view": f"{cls.__module__.split('.')[-1]}.{cls.__name__}", "controls": len(names),
            "changes": len(wall), "construct_ms": round(construct_ms, 1), "median_ms": round(median, 1),
            "p95_ms": round(p95, 1), "max_ms": round(max(wall), 1) if wall else None,
            "meets_goal": bool(wall) and median < TARGET_MEDIAN_MS and p95 < TARGET_P95_MS}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=40)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--only", nargs="*", default=(), metavar="NAME",
                        help="time only views whose class or module name contains one of these")
    args = parser.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    chosen = [cls for cls in views()
              if not args.only or any(n in cls.__name__ or n in cls.__module__ for n in args.only)]
    rows = [time_view(cls, args.changes) for cls in chosen]
    print(f"{'view':<42} {'controls':>8} {'changes':>7} {'median ms':>9} {'p95 ms':>7} {'max ms':>7}  goal")
    for r in rows:
        print(f"{r['view']:<42} {r['controls']:>8} {r['changes']:>7} {r['median_ms']:>9} {r['p95_ms']:>7} "
              f"{r['max_ms'] if r['max_ms'] is not None else '-':>7}  {'yes' if r['meets_goal'] else 'NO'}")
    missed = [r["view"] for r in rows if not r["meets_goal"]]
    print(f"{len(rows)} views; {len(rows) - len(missed)} meet the goal (median < {TARGET_MEDIAN_MS:g} ms, "
          f"p95 < {TARGET_P95_MS:g} ms){'; not yet: ' + ', '.join(missed) if missed else ''}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
