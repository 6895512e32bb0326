"""Notebook 00 (working in these notebooks): the description of the learner's first figure, and a
first interactive view.

The learner draws the WHO windows themselves (that is the lesson); :func:`describe_windows_figure`
writes the figure's one-sentence description from the same table, so the words always match the
bars. :class:`WindowExplorer` shows what a slider-driven view is: an age (months) placed before,
inside or past each WHO window.
"""
from __future__ import annotations

from dataclasses import dataclass

import ipywidgets

from .data import load_table
from .figures import PALETTE, new_figure
from .view import ModelView

__all__ = ["describe_windows_figure", "AgeAmongWindows", "age_among_windows", "plot_age_among_windows",
           "describe_age_among_windows", "WindowExplorer"]


def describe_windows_figure(table) -> str:
    """One sentence for a bar chart of milestone windows (1st to 99th percentile, months)."""
    rows = sorted(table.rows, key=lambda r: r["first_percentile_months"])
    first, last = rows[0], rows[-1]
    widths = [r["ninety_ninth_percentile_months"] - r["first_percentile_months"] for r in rows]
    overlap = all(b["first_percentile_months"] < a["ninety_ninth_percentile_months"] for a, b in zip(rows, rows[1:]))
    return (f"Horizontal bars for {len(rows)} motor milestones, each spanning the ages in months by which 1% and 99% "
            f"of children in the WHO study had reached it, from {first['milestone'].lower()} "
            f"({first['first_percentile_months']:g} to {first['ninety_ninth_percentile_months']:g} months) to "
            f"{last['milestone'].lower()} ({last['first_percentile_months']:g} to "
            f"{last['ninety_ninth_percentile_months']:g} months); "
            f"{'each window overlaps the next' if overlap else 'some windows do not overlap the next'}, and each is "
            f"{min(widths):.1f} to {max(widths):.1f} months wide.")


# --- a first interactive view: where an age falls among the WHO windows ------------------------


@dataclass(frozen=True)
class AgeAmongWindows:
    """Which WHO windows (1st to 99th percentile) an age is before, inside or past."""

    age_months: float
    before: tuple     # milestones whose window opens after this age
    inside: tuple     # milestones whose window contains this age
    past: tuple       # milestones whose window closed before this age
    rows: tuple       # the table's rows, for drawing


def age_among_windows(age_months: float, table=None) -> AgeAmongWindows:
    """Sort the milestones of the WHO table by where ``age_months`` (months) falls in their windows."""
    if not 0 <= age_months <= 36:
        raise ValueError("age_months: an age from 0 to 36 months")
    rows = tuple((table or load_table("who_motor_windows")).rows)
    before = tuple(r["milestone"] for r in rows if age_months < r["first_percentile_months"])
    past = tuple(r["milestone"] for r in rows if age_months > r["ninety_ninth_percentile_months"])
    inside = tuple(r["milestone"] for r in rows if r["milestone"] not in before + past)
    return AgeAmongWindows(float(age_months), before, inside, past, rows)


def plot_age_among_windows(result: AgeAmongWindows):
    fig, ax = new_figure(width=7, height=3.0)
    for position, row in enumerate(result.rows):
        ax.plot([row["first_percentile_months"], row["ninety_ninth_percentile_months"]], [position, position],
                linewidth=6, color=PALETTE["blue"], solid_capstyle="butt")
    ax.axvline(result.age_months, color=PALETTE["vermillion"], linestyle="--", linewidth=2, gid="age")
    ax.set_yticks(range(len(result.rows)), [r["milestone"] for r in result.rows])
    ax.set_xlim(0, 24)
    ax.set_xlabel("Age (months)")
    _update_age_among_windows(result, ax)
    return fig


def _update_age_among_windows(result: AgeAmongWindows, ax) -> None:
    """Move the dashed line and the title of a :func:`plot_age_among_windows` figure to ``result``."""
    for line in ax.lines:
        if line.get_gid() == "age":
            line.set_xdata([result.age_months, result.age_months])
    ax.set_title(f"WHO windows and a child of {result.age_months:g} months (dashed line)")


def describe_age_among_windows(result: AgeAmongWindows) -> str:
    return (f"Bars of the six WHO motor milestone windows (1st to 99th percentile, months) with a dashed line at "
            f"{result.age_months:g} months, inside {len(result.inside)} windows, before {len(result.before)} "
            f"and past {len(result.past)}.")


class WindowExplorer(ModelView):
    title = "Where does a child's age fall among the WHO windows?"

    def make_controls(self):
        return {"age_months": ipywidgets.FloatSlider(value=9, min=0, max=24, step=0.5,
                                                     description="Child's age (months)")}

    def compute(self, age_months):
        return age_among_windows(age_months)

    def plot(self, result):
        # drawn once; the dashed line and the title move in place
        fig = getattr(self, "_windows_figure", None)
        if fig is None:
            fig = self._windows_figure = plot_age_among_windows(result)
        else:
            _update_age_among_windows(result, fig.axes[0])
        return fig

    def describe(self, result):
        return describe_age_among_windows(result)

    def summarise(self, result):
        def names(items):
            return ", ".join(items).lower() or "none"
        return (f"<p>At {result.age_months:g} months: <b>inside the window</b>: {names(result.inside)}; "
                f"<b>window not open yet</b>: {names(result.before)}; <b>window closed</b>: {names(result.past)}. "
                "Inside a window means the age is ordinary for that milestone, whether or not the child has "
                "reached it yet.</p>")
