"""Notebook 13 (parents' mental health in the perinatal period): what a screening result means.

The Edinburgh Postnatal Depression Scale (EPDS) is a 10-item self-report screen, not a diagnosis.
Levis et al. (2020) give its sensitivity and specificity for major depression at several cut-offs
(packaged as the table ``epds_accuracy``). How often a positive screen is right (the positive
predictive value, PPV) also depends on how common depression is among the parents screened (the
prevalence, or base rate). :func:`screening_table` turns a cut-off, a prevalence and a number of
parents into the expected 2x2 table; :func:`ppv_curve` gives the PPV across prevalences for the
figure. :class:`ScreeningExplorer` wires these to a cut-off choice and a prevalence slider.

The functions return expected counts (means over many groups of the same size), not a simulation:
real groups vary around them.
"""
from __future__ import annotations

from dataclasses import dataclass

import ipywidgets
import numpy as np

from .data import load_table
from .figures import PALETTE, new_figure, fixed_legend
from .view import ModelView

__all__ = ["epds_accuracy", "ScreeningTable", "screening_table", "ppv_curve", "plot_screening",
           "describe_screening", "ScreeningExplorer"]


def epds_accuracy() -> dict:
    """Sensitivity and specificity (proportions) by EPDS cut-off, from the packaged Levis et al. (2020) table:
    ``{cutoff: (sensitivity, specificity)}``."""
    return {int(r["cutoff"]): (float(r["sensitivity"]), float(r["specificity"]))
            for r in load_table("epds_accuracy").rows}


@dataclass(frozen=True)
class ScreeningTable:
    """Expected counts when ``parents`` parents are screened (a 2x2 table) and what follows from them."""

    cutoff: int | None          # EPDS cut-off (points), or None when sensitivity/specificity were given directly
    sensitivity: float          # proportion of parents with depression who screen positive
    specificity: float          # proportion of parents without depression who screen negative
    prevalence: float           # proportion of the screened parents who have depression
    parents: int                # how many parents are screened
    true_positive: float        # depressed, screen positive
    false_negative: float       # depressed, screen negative (missed)
    false_positive: float       # not depressed, screen positive (false alarm)
    true_negative: float        # not depressed, screen negative

    @property
    def positives(self) -> float:
        return self.true_positive + self.false_positive

    @property
    def negatives(self) -> float:
        return self.true_negative + self.false_negative

    @property
    def ppv(self) -> float:
        """Share of positive screens that are true (nan when nobody screens positive)."""
        return self.true_positive / self.positives if self.positives else float("nan")

    @property
    def npv(self) -> float:
        """Share of negative screens that are true (nan when nobody screens negative)."""
        return self.true_negative / self.negatives if self.negatives else float("nan")


def _check_proportion(name: str, value: float) -> float:
    value = float(value)
    if not 0 <= value <= 1:
        raise ValueError(f"{name}: a proportion from 0 to 1 (got {value:g})")
    return value


def screening_table(prevalence: float, *, cutoff: int | None = 11, sensitivity: float | None = None,
                    specificity: float | None = None, parents: int = 1000) -> ScreeningTable:
    """The expected 2x2 table for ``parents`` parents screened at an EPDS ``cutoff`` (Levis et al., 2020), or
    with ``sensitivity`` and ``specificity`` given directly (then ``cutoff`` is ignored and stored as None).
    ``prevalence``, ``sensitivity`` and ``specificity`` are proportions (0 to 1)."""
    prevalence = _check_proportion("prevalence", prevalence)
    if sensitivity is None or specificity is None:
        table = epds_accuracy()
        if cutoff not in table:
            raise ValueError(f"cutoff: one of {sorted(table)} (the cut-offs Levis et al. report for interview studies)")
        sensitivity, specificity = table[cutoff]
    else:
        cutoff = None
    sensitivity = _check_proportion("sensitivity", sensitivity)
    specificity = _check_proportion("specificity", specificity)
    if int(parents) < 1:
        raise ValueError("parents: at least 1 parent screened")
    parents = int(parents)
    depressed = parents * prevalence
    not_depressed = parents - depressed
    return ScreeningTable(cutoff, sensitivity, specificity, prevalence, parents,
                          true_positive=depressed * sensitivity, false_negative=depressed * (1 - sensitivity),
                          false_positive=not_depressed * (1 - specificity), true_negative=not_depressed * specificity)


def ppv_curve(sensitivity: float, specificity: float, prevalences=None) -> tuple[np.ndarray, np.ndarray]:
    """PPV (proportion) at each prevalence (proportion): ``(prevalences, ppv)``; by default 1% to 50%."""
    p = np.linspace(0.01, 0.5, 99) if prevalences is None else np.asarray(prevalences, dtype=float)
    true_pos = sensitivity * p
    false_pos = (1 - specificity) * (1 - p)
    with np.errstate(invalid="ignore", divide="ignore"):
        ppv = np.where(true_pos + false_pos > 0, true_pos / (true_pos + false_pos), np.nan)
    return p, ppv


def plot_screening(result: ScreeningTable):
    fig, ax = new_figure(width=7, height=3.6)
    ax.plot([], [], color=PALETTE["blue"], linewidth=2.5, label="Positive predictive value", gid="ppv")
    ax.plot([], [], color=PALETTE["orange"], linewidth=2.5, linestyle="--", label="Negative predictive value",
            gid="npv")
    ax.axvline(0, color=PALETTE["vermillion"], linestyle=":", linewidth=2, gid="prevalence")
    ax.plot([], [], "o", color=PALETTE["vermillion"], markersize=8, gid="chosen")
    _update_screening(result, ax)
    ax.set_xlim(0, 50)
    ax.set_ylim(0, 100)
    ax.set_xlabel("Prevalence of major depression among parents screened (%)")
    ax.set_ylabel("Predictive value (%)")
    handles, labels = ax.get_legend_handles_labels()
    fixed_legend(ax, handles, labels, loc="lower right", frameon=False)  # the course style: no frame
    return fig


def _update_screening(result: ScreeningTable, ax) -> None:
    """The curves, the chosen prevalence and the title of a :func:`plot_screening` figure, in place."""
    lines = {line.get_gid(): line for line in ax.lines}
    p, ppv = ppv_curve(result.sensitivity, result.specificity)
    lines["ppv"].set_data(100 * p, 100 * ppv)
    npv = (result.specificity * (1 - p)) / (result.specificity * (1 - p) + (1 - result.sensitivity) * p)
    lines["npv"].set_data(100 * p, 100 * npv)
    lines["prevalence"].set_xdata([100 * result.prevalence] * 2)
    lines["chosen"].set_data([100 * result.prevalence], [100 * result.ppv])
    ax.set_title(f"EPDS {_cut_label(result)}: predictive values against prevalence")


def _cut_label(result: ScreeningTable) -> str:
    return f"cut-off {result.cutoff} or more" if result.cutoff is not None else "given accuracy"


def describe_screening(result: ScreeningTable) -> str:
    """One sentence for the figure: what is plotted and where the chosen prevalence sits."""
    return (f"Two curves against prevalence from 1% to 50% for the EPDS at {_cut_label(result)}: the positive "
            f"predictive value rises steeply with prevalence while the negative predictive value falls slowly from "
            f"near 100%; a dotted line and a dot mark the chosen prevalence of {100 * result.prevalence:.0f}%.")


class ScreeningExplorer(ModelView):
    title = "What does a positive EPDS screen mean? Choose a cut-off and how common depression is"

    def make_controls(self):
        cutoffs = sorted(epds_accuracy())
        return {
            "cutoff": ipywidgets.RadioButtons(options=[(f"{c} or more", c) for c in cutoffs], value=cutoffs[1],
                                              description="EPDS cut-off (points)"),
            "prevalence_percent": ipywidgets.FloatSlider(value=5, min=1, max=40, step=1,
                                                         description="Prevalence of major depression (%)"),
            "parents": ipywidgets.IntSlider(value=1000, min=100, max=5000, step=100,
                                            description="Parents screened"),
        }

    def compute(self, cutoff, prevalence_percent, parents):
        return screening_table(prevalence_percent / 100, cutoff=cutoff, parents=parents)

    def plot(self, result):
        # drawn once; the curves, the chosen prevalence and the title move in place
        fig = getattr(self, "_screening_figure", None)
        if fig is None:
            fig = self._screening_figure = plot_screening(result)
        else:
            _update_screening(result, fig.axes[0])
        return fig

    def describe(self, result):
        return describe_screening(result)

    def summarise(self, result):
        r = result
        return (f"<p>Of {r.parents:,} parents screened at {_cut_label(r)}, about {r.parents * r.prevalence:.0f} have "
                f"major depression (prevalence {100 * r.prevalence:.0f}%).</p>"
                '<table style="border-collapse:collapse"><caption>Expected 2x2 table</caption>'
                '<tr><th scope="col"></th><th scope="col">Depression</th><th scope="col">No depression</th></tr>'
                f'<tr><th scope="row">Screen positive</th><td>{r.true_positive:.0f}</td><td>{r.false_positive:.0f}</td></tr>'
                f'<tr><th scope="row">Screen negative</th><td>{r.false_negative:.0f}</td><td>{r.true_negative:.0f}</td></tr>'
                "</table>"
                f"<p>Sensitivity {100 * r.sensitivity:.0f}%, specificity {100 * r.specificity:.0f}%. "
                f"<b>Of {r.positives:.0f} positive screens, {r.true_positive:.0f} are true</b> "
                f"(positive predictive value {100 * r.ppv:.0f}%); of {r.negatives:.0f} negative screens, "
                f"{r.true_negative:.0f} are true (negative predictive value {100 * r.npv:.0f}%). "
                "A positive screen is a reason for a conversation and an assessment, not a diagnosis.</p>")
