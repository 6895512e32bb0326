"""The benchmarks measure what they claim (no timing is asserted: figures go in the README)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import bench_widgets  # noqa: E402


def test_the_widget_benchmark_finds_every_view_and_changes_each_control():
    names = {cls.__name__ for cls in bench_widgets.views()}
    assert {"TemperamentMatcher", "RuptureRepairExplorer", "BreathingGuide"} <= names and len(names) >= 20
    for cls in bench_widgets.views():
        view = cls()
        for control in view.controls.values():
            value = bench_widgets.next_value(control, 0)
            assert value is not None and value != control.value, (cls.__name__, control.description)


def test_a_benchmarked_change_really_updates_the_view():
    from widgets.temperament import TemperamentMatcher

    row = bench_widgets.time_view(TemperamentMatcher, changes=6)
    assert row["changes"] == 6 and row["median_ms"] > 0 and row["controls"] == len(TemperamentMatcher().controls)
