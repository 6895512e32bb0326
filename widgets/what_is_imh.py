"""Notebook 01, "What is infant mental health?": the definition's capacities and brain size.

Two small models and their views:

* **Capacity sorter.** The deck's "Development to Competency" slide lists capacities
  present at birth and capacities reached by about age five. The packaged table
  ``capacities`` holds them in alphabetical order with the course's own teaching
  classification into the three capacities of the ZERO TO THREE definition
  (``domain``: relationships; emotions; explore and learn). The deck's birth/five
  columns are taught in notebook 01 and are not packaged (the sorter is for
  exploring, never for answering): :func:`score_capacity_sort` records a learner's age placements and
  counts them, and counts how many domain placements agree with the course's
  classification (which is not graded).
* **Brain size versus the "80% by age 2" claim.** The packaged table ``brain_size``
  holds verified measurements (Holland et al. 2014; Knickmeyer et al. 2008;
  BrainFacts/SfN 2019; Dekaban 1978) and one secondary figure (Giedd et al. 1999 as
  cited by Peper et al. 2010). :func:`brain_size_fraction` joins the reported
  percent-of-adult points by straight lines: an *approximate* curve of brain SIZE,
  which is not brain development. ``brain_processes`` lists development that goes on
  after size levels off (pruning, myelination, prefrontal maturation), with
  approximate spans.

Nothing is computed at import time; tables are read when a function needs them.
"""
from __future__ import annotations

import html
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import ipywidgets
import numpy as np
from matplotlib.patches import Rectangle

from .data import load_table
from .figures import LINESTYLES, MARKERS, PALETTE, keep_still, new_figure
from .view import ModelView, side_by_side
from .validate import real as _real

__all__ = [
    "AGES",
    "DOMAINS",
    "CLAIM_AGE_YEARS",
    "CLAIM_FRACTION",
    "MAX_AGE_YEARS",
    "Capacity",
    "SortScore",
    "BrainMeasure",
    "SizeAnchor",
    "GrowthProjection",
    "Process",
    "BrainSizeReading",
    "capacities",
    "score_capacity_sort",
    "brain_measures",
    "size_anchors",
    "brain_size_fraction",
    "project_growth",
    "knickmeyer_projection",
    "continuing_processes",
    "read_brain_size",
    "plot_capacity_sort",
    "describe_capacity_sort",
    "plot_brain_size",
    "describe_brain_size",
    "plot_brain_processes",
    "describe_brain_processes",
    "plot_brain_explorer",
    "describe_brain_explorer",
    "CapacitySorter",
    "BrainSizeExplorer",
]

#: The deck's two columns on the "Development to Competency" slide.
AGES = ("birth", "five")
#: The three capacities of the ZERO TO THREE definition, as the course names them.
DOMAINS = ("relationships", "emotions", "explore and learn")
#: The deck's claim, "80% of brain development occurs by age 2", as numbers.
CLAIM_AGE_YEARS = 2.0
CLAIM_FRACTION = 0.80
#: The brain-size curve covers birth to this age (years).
MAX_AGE_YEARS = 30.0

#: Rows of ``brain_size`` that give size as a fraction of adult, in age order.
_CURVE_MEASURES = (
    "newborn_volume_fraction",
    "volume_fraction_3_months",
    "size_fraction_age_2",
    "cerebral_volume_fraction_age_6",
)
#: Row whose age the course takes as "adult size reached" (an assumption, see size_anchors).
_ADULT_MEASURE = "weight_peak"


# --- validation ----------------------------------------------------------------
def _age_text(age_years: float) -> str:
    """'3 months' for ages under a year that are whole months, else '1.5 years'."""
    months = age_years * 12
    if 0 < age_years < 1 and abs(months - round(months)) < 1e-9:
        return f"{round(months)} month{'s' if round(months) != 1 else ''}"
    return f"{age_years:g} years"


# --- capacities ----------------------------------------------------------------
@dataclass(frozen=True)
class Capacity:
    """One capacity from the deck's slide.

    ``domain`` is the course's teaching classification into one of :data:`DOMAINS`,
    with its ``rationale``. The deck's column (birth or five) is not packaged: it is
    taught in notebook 01, and the sorter only records and counts placements.
    """

    key: str
    wording: str
    domain: str
    rationale: str


def _alphabetical(capacity: Capacity) -> str:
    """Sort key: the wording without leading quotes, case-insensitive."""
    return capacity.wording.lstrip('"').casefold()


@lru_cache(maxsize=1)
def _capacity_rows() -> tuple[Capacity, ...]:
    table = load_table("capacities")
    rows = tuple(Capacity(key=r["key"], wording=r["wording"], domain=r["domain"], rationale=r["rationale"])
                 for r in table.rows)
    # Sorted here as well as in the table, so the order never gives away the deck's columns.
    return tuple(sorted(rows, key=_alphabetical))


def capacities() -> tuple[Capacity, ...]:
    """The 13 capacities in alphabetical order of wording (leading quotes ignored, case-insensitive).

    This is the order the sorter shows; it says nothing about the deck's birth/five
    columns, which are not packaged.
    """
    return _capacity_rows()


@dataclass(frozen=True)
class SortScore:
    """A learner's placements, counted.

    ``ages`` and ``domains`` are ``(key, placement)`` pairs in the order of
    :func:`capacities` (alphabetical), with ``""`` for a capacity not yet placed.
    Counts: ``*_placed`` capacities have a placement; ``n_age_birth`` and
    ``n_age_five`` split the age placements by column. Ages are not compared with
    anything (the deck's columns are graded in the notebook and not packaged);
    ``n_domain_agree`` domain placements match the course's own classification.
    """

    n_items: int
    n_age_placed: int
    n_age_birth: int
    n_age_five: int
    n_domain_placed: int
    n_domain_agree: int
    ages: tuple[tuple[str, str], ...]
    domains: tuple[tuple[str, str], ...]

    @property
    def ages_complete(self) -> bool:
        """True when every capacity has an age."""
        return self.n_age_placed == self.n_items

    def age_placements(self) -> dict[str, str]:
        """The learner's age placements as a dict (key to "birth", "five" or "")."""
        return dict(self.ages)


def _placements(name: str, given, allowed: Sequence[str], keys: Sequence[str]) -> tuple[tuple[str, str], ...]:
    if not isinstance(given, Mapping):
        raise ValueError(f"{name}: expected a dict from capacity key to placement, got {type(given).__name__}")
    unknown = [k for k in given if k not in keys]
    if unknown:
        raise ValueError(f"{name}: unknown capacity keys {unknown}; known keys: {list(keys)}")
    out = []
    for key in keys:
        value = given.get(key, "")
        if not isinstance(value, str):
            raise ValueError(f"{name}: placement of {key!r} must be a string, got {type(value).__name__}")
        value = value.strip().casefold()
        if value and value not in allowed:
            raise ValueError(f"{name}: placement of {key!r} must be one of {list(allowed)} or '', got {value!r}")
        out.append((key, value))
    return tuple(out)


def score_capacity_sort(ages: Mapping[str, str], domains: Mapping[str, str] | None = None) -> SortScore:
    """Validate and record a learner's placements and count them.

    ``ages`` maps capacity keys to "birth" or "five"; ``domains`` maps them to one of
    :data:`DOMAINS`. Missing keys or ``""`` mean "not placed yet". Ages are counted
    by column only; domains are also compared with the course's classification.
    """
    rows = capacities()
    keys = [c.key for c in rows]
    age_pairs = _placements("ages", ages, AGES, keys)
    domain_pairs = _placements("domains", {} if domains is None else domains, DOMAINS, keys)
    return SortScore(
        n_items=len(rows),
        n_age_placed=sum(1 for _, a in age_pairs if a),
        n_age_birth=sum(1 for _, a in age_pairs if a == "birth"),
        n_age_five=sum(1 for _, a in age_pairs if a == "five"),
        n_domain_placed=sum(1 for _, d in domain_pairs if d),
        n_domain_agree=sum(1 for c, (_, d) in zip(rows, domain_pairs) if d == c.domain),
        ages=age_pairs,
        domains=domain_pairs,
    )


# --- brain size ----------------------------------------------------------------
@dataclass(frozen=True)
class BrainMeasure:
    """One row of the packaged ``brain_size`` table (ages in years; ``value`` in ``unit``)."""

    measure: str
    age_from_years: float
    age_to_years: float
    value: float
    unit: str
    qualifier: str
    source: str
    evidence: str


@lru_cache(maxsize=1)
def _measure_rows() -> tuple[BrainMeasure, ...]:
    table = load_table("brain_size")
    return tuple(BrainMeasure(measure=r["measure"], age_from_years=float(r["age_from_years"]),
                              age_to_years=float(r["age_to_years"]), value=float(r["value"]),
                              unit=r["unit"], qualifier=r["qualifier"], source=r["source"],
                              evidence=r["evidence"]) for r in table.rows)


def brain_measures() -> dict[str, BrainMeasure]:
    """The ``brain_size`` table as a dict by measure name (a new dict each call)."""
    return {m.measure: m for m in _measure_rows()}


@dataclass(frozen=True)
class SizeAnchor:
    """A point of the size curve: ``fraction`` of adult size (0-1) at ``age_years``.

    ``assumption`` is True for the one point the course supplies itself: adult size
    (1.0) at the age brain weight peaks (Dekaban 1978).
    """

    age_years: float
    fraction: float
    source: str
    evidence: str
    assumption: bool = False


def size_anchors() -> tuple[SizeAnchor, ...]:
    """The reported percent-of-adult-size points, in age order, plus the adult end point.

    Birth about 1/3 and 3 months just over 1/2 (Holland et al. 2014), age 2 about 0.8
    (BrainFacts/SfN 2019), age 6 about 0.95 (Giedd et al. 1999 via Peper et al. 2010,
    [V-sec]), then 1.0 at about 19, where brain weight peaks (Dekaban 1978): that
    last point is the course's assumption that size is "adult" by then.
    """
    measures = brain_measures()
    points = [SizeAnchor(measures[name].age_to_years, measures[name].value, measures[name].source,
                         measures[name].evidence) for name in _CURVE_MEASURES]
    adult = measures[_ADULT_MEASURE]
    points.append(SizeAnchor(adult.age_to_years, 1.0, adult.source, adult.evidence, assumption=True))
    return tuple(points)


def _curve(ages) -> np.ndarray:
    anchors = size_anchors()
    return np.interp(np.asarray(ages, dtype=float), [a.age_years for a in anchors], [a.fraction for a in anchors])


def brain_size_fraction(age_years: float) -> float:
    """Approximate brain size at ``age_years`` (0-30 years) as a fraction (0-1) of adult size.

    Straight-line interpolation between the points of :func:`size_anchors`; 1.0
    after about 19. Approximate: the points come from different studies, measures
    (volume, weight, "size") and definitions of "adult". This is size, not development.
    """
    age = _real("age_years", age_years, low=0.0, high=MAX_AGE_YEARS)
    return float(_curve(age))


@dataclass(frozen=True)
class GrowthProjection:
    """Size after whole years of growth: ``fractions[k]`` is the fraction of adult size at ``ages[k]`` years."""

    newborn_fraction: float
    yearly_growth_percent: tuple[float, ...]
    ages: tuple[float, ...]
    fractions: tuple[float, ...]

    @property
    def multiple(self) -> float:
        """Size at the last age as a multiple of size at birth."""
        return self.fractions[-1] / self.newborn_fraction


def project_growth(newborn_fraction: float, yearly_growth_percent: Sequence[float]) -> GrowthProjection:
    """Apply yearly percent increases to a newborn's fraction of adult size.

    ``newborn_fraction`` is in (0, 1]; ``yearly_growth_percent[k]`` is the percent
    increase during year k+1 (e.g. 101 means the size is multiplied by 2.01).
    Fraction at age n = newborn_fraction x (1 + g1/100) x ... x (1 + gn/100).
    """
    start = _real("newborn_fraction", newborn_fraction, low=0.0, high=1.0, low_open=True)
    if isinstance(yearly_growth_percent, (str, bytes, Mapping)) or not isinstance(yearly_growth_percent, Sequence):
        raise ValueError(f"yearly_growth_percent: expected a list of numbers, got {type(yearly_growth_percent).__name__}")
    growth = tuple(_real("yearly_growth_percent", g, low=-100.0, low_open=True) for g in yearly_growth_percent)
    fractions = [start]
    for g in growth:
        fractions.append(fractions[-1] * (1.0 + g / 100.0))
    return GrowthProjection(start, growth, tuple(float(k) for k in range(len(growth) + 1)), tuple(fractions))


def knickmeyer_projection() -> GrowthProjection:
    """Holland et al.'s newborn third grown by Knickmeyer et al.'s +101% (year 1) and +15% (year 2)."""
    m = brain_measures()
    return project_growth(m["newborn_volume_fraction"].value,
                          [m["total_volume_growth_year_1"].value, m["total_volume_growth_year_2"].value])


@dataclass(frozen=True)
class Process:
    """Development that continues after size levels off; ages in years, approximate."""

    name: str
    short_label: str
    start_years: float
    end_years: float
    end_is_approximate: bool
    source: str
    evidence: str
    note: str


@lru_cache(maxsize=1)
def continuing_processes() -> tuple[Process, ...]:
    """The packaged ``brain_processes`` spans (for illustration only, never graded)."""
    table = load_table("brain_processes")
    return tuple(Process(name=r["process"], short_label=r["short_label"], start_years=float(r["start_years"]), end_years=float(r["end_years"]),
                         end_is_approximate=r["end_is_approximate"] == "yes", source=r["source"],
                         evidence=r["evidence"], note=r["note"]) for r in table.rows)


@dataclass(frozen=True)
class BrainSizeReading:
    """The size curve read at one age, beside the deck's claim and the processes under way.

    ``lower`` and ``upper`` are the curve points either side of the age (the same
    point when the age is on one, or past the last); ``ongoing`` are the processes
    whose approximate span includes the age.
    """

    age_years: float
    fraction: float
    lower: SizeAnchor
    upper: SizeAnchor
    ongoing: tuple[Process, ...]
    show_processes: bool = True

    @property
    def percent(self) -> float:
        """Approximate percent of adult size."""
        return 100.0 * self.fraction

    @property
    def on_anchor(self) -> bool:
        """True when the age is one of the reported points (or past the last)."""
        return self.lower == self.upper


def read_brain_size(age_years: float, *, show_processes: bool = True) -> BrainSizeReading:
    """Read the approximate size curve at ``age_years`` (0-30) and list the processes still under way."""
    age = _real("age_years", age_years, low=0.0, high=MAX_AGE_YEARS)
    if not isinstance(show_processes, bool):
        raise ValueError(f"show_processes: expected True or False, got {type(show_processes).__name__}")
    anchors = size_anchors()
    lower = max((a for a in anchors if a.age_years <= age), key=lambda a: a.age_years)
    later = [a for a in anchors if a.age_years >= age]
    upper = min(later, key=lambda a: a.age_years) if later else lower
    ongoing = tuple(p for p in continuing_processes() if p.start_years <= age <= p.end_years)
    return BrainSizeReading(age, brain_size_fraction(age), lower, upper, ongoing, show_processes)


# --- figures -------------------------------------------------------------------
_NOT_PLACED = ("not placed yet", PALETTE["sky"], "..")
#: Segments of each bar: (legend label, colour, hatch). Ages are only counted (the deck's
#: columns are not packaged); domains are compared with the course's classification.
_SORT_ROWS = {
    "Age (your placements)": (("at birth", PALETTE["blue"], "\\\\"),
                              ("by age five", PALETTE["purple"], "++"),
                              _NOT_PLACED),
    "Domain (course's classification)": (("agree with the course's classification", PALETTE["green"], "//"),
                                         ("placed differently", PALETTE["orange"], "xx"),
                                         _NOT_PLACED),
}


def _sort_counts(score: SortScore) -> dict[str, tuple[int, int, int]]:
    """Counts for each bar, in the order of :data:`_SORT_ROWS` segments."""
    age_row, domain_row = _SORT_ROWS
    return {
        age_row: (score.n_age_birth, score.n_age_five, score.n_items - score.n_age_placed),
        domain_row: (score.n_domain_agree, score.n_domain_placed - score.n_domain_agree,
                     score.n_items - score.n_domain_placed),
    }


def plot_capacity_sort(score: SortScore, ax=None):
    """Stacked bars: ages placed at birth, by five or not yet; domains that agree, differ or are missing."""
    if ax is None:
        fig, ax = new_figure(width=8.0, height=2.4)
    else:
        fig = ax.figure
    counts = _sort_counts(score)
    labelled = set()
    for y, (row, segments) in enumerate(_SORT_ROWS.items()):
        left = 0
        for (label, colour, hatch), width in zip(segments, counts[row]):
            legend_label = "_nolegend_" if label in labelled else label
            labelled.add(label)
            ax.barh(y, width, left=left, color=colour, hatch=hatch, edgecolor=PALETTE["black"], label=legend_label)
            if width:
                ax.text(left + width / 2, y, f"{width}", ha="center", va="center", fontsize=10,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
            left += width
    ax.set_yticks(range(len(_SORT_ROWS)), list(_SORT_ROWS))
    ax.set_xlim(0, score.n_items)
    ax.set_xlabel(f"Number of capacities (of {score.n_items})")
    ax.set_ylabel("Placement")
    ax.invert_yaxis()
    ax.set_title("Your capacity sort: ages placed, domains against the course's classification")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def describe_capacity_sort(score: SortScore) -> str:
    """One sentence describing :func:`plot_capacity_sort`."""
    (a_birth, a_five, a_none), (d_ok, d_diff, d_none) = _sort_counts(score).values()
    return (f"Stacked bar chart of {score.n_items} capacities: for age, {a_birth} are placed at birth, "
            f"{a_five} by age five and {a_none} are not placed yet; for domain, {d_ok} agree with the "
            f"course's classification, {d_diff} are placed differently and {d_none} are not placed yet.")


_AGE_TICKS = (0, 0.25, 1, 2, 3, 6, 10, 16, 25)
_AGE_LABELS = ("0", "3 mo", "1", "2", "3", "6", "10", "16", "25")
_X_MAX = 25.0


def _age_axis(ax) -> None:
    """Square-root age axis: the first years get room without hiding the decades after."""
    ax.set_xscale("function", functions=(lambda x: np.sqrt(np.clip(x, 0, None)), np.square))
    ax.set_xlim(0, _X_MAX)
    ax.set_xticks(_AGE_TICKS, _AGE_LABELS)


def plot_brain_size(reading: BrainSizeReading, ax=None):
    """Approximate percent of adult brain size by age, the reported points, the Knickmeyer
    arithmetic, the deck's "80% by 2" claim, and the chosen age."""
    if ax is None:
        fig, ax = new_figure(width=8.0, height=4.0)
    else:
        fig = ax.figure
    ages = np.linspace(0, _X_MAX, 401)
    ax.plot(ages, 100 * _curve(ages), color=PALETTE["blue"], linestyle=LINESTYLES[0],
            label="size curve (straight lines between points)")
    anchors = size_anchors()
    reported = [a for a in anchors if not a.assumption and a.evidence == "V"]
    secondary = [a for a in anchors if not a.assumption and a.evidence != "V"]
    assumed = [a for a in anchors if a.assumption]
    ax.plot([a.age_years for a in reported], [100 * a.fraction for a in reported], linestyle="none",
            marker=MARKERS[0], color=PALETTE["blue"], markersize=7, label="reported (primary source)")
    ax.plot([a.age_years for a in secondary], [100 * a.fraction for a in secondary], linestyle="none",
            marker=MARKERS[1], markerfacecolor="white", color=PALETTE["blue"], markersize=7,
            label="reported (secondary source)")
    ax.plot([a.age_years for a in assumed], [100 * a.fraction for a in assumed], linestyle="none",
            marker="P", color=PALETTE["purple"], markersize=8, label="assumed: adult size when weight peaks")
    projection = knickmeyer_projection()
    ax.plot(projection.ages, [100 * f for f in projection.fractions], linestyle=LINESTYLES[1],
            marker=MARKERS[2], color=PALETTE["green"], label="newborn third x Knickmeyer growth")
    ax.axhline(100 * CLAIM_FRACTION, color=PALETTE["vermillion"], linestyle=LINESTYLES[2],
               label='deck: "80% of brain development by age 2"')
    ax.axvline(CLAIM_AGE_YEARS, color=PALETTE["vermillion"], linestyle=LINESTYLES[2], linewidth=1)
    ax.plot([reading.age_years], [reading.percent], linestyle="none", marker=MARKERS[3], markersize=9,
            color=PALETTE["black"], label=_chosen_label(reading), gid="chosen age")
    _age_axis(ax)
    ax.set_ylim(0, 105)
    ax.set_xlabel("Age (years, square-root scale)")
    ax.set_ylabel("Brain size (% of adult, approx.)")
    ax.set_title("Brain SIZE by age (approximate, from reported points)")
    ax.legend(loc="lower right", fontsize=8)
    return fig


def describe_brain_size(reading: BrainSizeReading) -> str:
    """One sentence describing :func:`plot_brain_size`."""
    return (f"Line chart of approximate brain size as a percent of adult size against age from birth to 25 years: "
            f"it rises from about 33% at birth to about 50% at 3 months, 80% at 2 years and 95% at 6 years, "
            f"then levels off near 100%, and at the chosen age of {reading.age_years:g} years it reads about "
            f"{reading.percent:.0f}%, against the deck's dotted line at 80% by age 2.")


def plot_brain_processes(reading: BrainSizeReading, ax=None):
    """Approximate age spans of brain development that continues after size levels off."""
    if ax is None:
        fig, ax = new_figure(width=8.0, height=3.2)
    else:
        fig = ax.figure
    processes = continuing_processes()
    hatches = ("", "/", "\\", "x", "o")
    colours = (PALETTE["blue"], PALETTE["orange"], PALETTE["green"], PALETTE["vermillion"], PALETTE["purple"])
    for y, (process, colour, hatch) in enumerate(zip(processes, colours, hatches)):
        ax.barh(y, process.end_years - process.start_years, left=process.start_years, height=0.6, color=colour,
                hatch=hatch, edgecolor=PALETTE["black"],
                linestyle="--" if process.end_is_approximate else "-", linewidth=1.2)
        ax.text(0.3, y, f"{process.short_label} [{process.evidence}]", va="center", ha="left", fontsize=9,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85})
    ax.set_yticks(range(len(processes)), [str(k + 1) for k in range(len(processes))])
    ax.invert_yaxis()
    ax.axvline(reading.age_years, color=PALETTE["black"], linestyle=LINESTYLES[3],
               label=_chosen_line_label(reading), gid="chosen age line")
    ax.add_patch(Rectangle((0, 0), 0, 0, facecolor="white", edgecolor=PALETTE["black"], linestyle="-",
                           label="end age reported"))
    ax.add_patch(Rectangle((0, 0), 0, 0, facecolor="white", edgecolor=PALETTE["black"], linestyle="--",
                           label="end age approximate"))
    _age_axis(ax)
    ax.set_xlabel("Age (years, square-root scale)")
    ax.set_ylabel("Process")
    ax.set_title("Development that goes on after size levels off (approximate spans)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncols=3, fontsize=8)
    return fig


def describe_brain_processes(reading: BrainSizeReading) -> str:
    """One sentence describing :func:`plot_brain_processes`."""
    names = "; ".join(p.short_label.lower() for p in reading.ongoing)
    under_way = f"the processes under way are: {names}" if names else "none of the listed processes is under way"
    return (f"Timeline bars of approximate age spans: brain size growth to about 95% of adult ends near age 6, "
            f"while synaptic pruning runs to about 16 and myelination and prefrontal maturation into the 20s; "
            f"at the chosen age of {reading.age_years:g} years {under_way}.")


def _chosen_label(reading: BrainSizeReading) -> str:
    return f"your age: {reading.age_years:g} y, about {reading.percent:.0f}%"


def _chosen_line_label(reading: BrainSizeReading) -> str:
    return f"your age: {reading.age_years:g} y"


def _move_brain_explorer(fig, old: BrainSizeReading, reading: BrainSizeReading) -> None:
    """Move a :func:`plot_brain_explorer` figure drawn for ``old`` to ``reading`` in place (same
    panels): the chosen-age marker, line and legend entries change; everything else stays."""
    labels = {_chosen_label(old): _chosen_label(reading), _chosen_line_label(old): _chosen_line_label(reading)}
    for ax in fig.axes:
        for line in ax.lines:
            if line.get_gid() == "chosen age":
                line.set_data([reading.age_years], [reading.percent])
            elif line.get_gid() == "chosen age line":
                line.set_xdata([reading.age_years, reading.age_years])
            else:
                continue
            line.set_label(labels.get(line.get_label(), line.get_label()))
        legend = ax.get_legend()
        for text in legend.get_texts() if legend else ():
            text.set_text(labels.get(text.get_text(), text.get_text()))


def plot_brain_explorer(reading: BrainSizeReading):
    """The size curve, and below it the continuing processes when ``reading.show_processes``."""
    if not reading.show_processes:
        return plot_brain_size(reading)
    fig, (top, bottom) = new_figure(width=8.0, height=7.0, nrows=2)
    plot_brain_size(reading, ax=top)
    plot_brain_processes(reading, ax=bottom)
    return fig


def describe_brain_explorer(reading: BrainSizeReading) -> str:
    """One sentence (or two, with the processes panel) describing :func:`plot_brain_explorer`."""
    text = describe_brain_size(reading)
    if reading.show_processes:
        below = describe_brain_processes(reading)
        text += " Below it, " + below[0].lower() + below[1:]
    return text


# --- views -----------------------------------------------------------------------
class CapacitySorter(ModelView):
    """Dropdowns for each capacity's age (birth or five) and domain; counts the ages placed and the
    domains that agree with the course's classification."""

    title = ("Capacity sorter: for each capacity choose when the deck places it (at birth or by age five) "
             "and which capacity of the definition it belongs to.")

    def make_controls(self) -> dict:
        controls = {}
        for capacity in capacities():
            controls[f"age__{capacity.key}"] = ipywidgets.Dropdown(
                options=[("choose...", ""), ("at birth", "birth"), ("by age five", "five")], value="",
                description=f"{capacity.wording}: age", layout=ipywidgets.Layout(width="440px"))
            controls[f"domain__{capacity.key}"] = ipywidgets.Dropdown(
                options=[("choose...", "")] + [(d, d) for d in DOMAINS], value="",
                description="domain", layout=ipywidgets.Layout(width="240px"))
        return controls

    def __init__(self, **initial):
        super().__init__(**initial)
        # One row per capacity (age and domain side by side) instead of one long column.
        rows = [ipywidgets.HBox([self.controls[f"age__{c.key}"], self.controls[f"domain__{c.key}"]])
                for c in capacities()]
        for control in self.controls.values():
            control.style = {"description_width": "290px"}
        self.controls_box = ipywidgets.VBox(rows)
        header = [ipywidgets.HTML(f"<b>{html.escape(self.title)}</b>")]
        self.widget = ipywidgets.VBox(header + [side_by_side([self.controls_box, self.error, self.summary], [self.figure])])

    def compute(self, **values) -> SortScore:
        ages = {name.split("__", 1)[1]: v for name, v in values.items() if name.startswith("age__")}
        domains = {name.split("__", 1)[1]: v for name, v in values.items() if name.startswith("domain__")}
        return score_capacity_sort(ages, domains)

    def plot(self, result: SortScore):
        return plot_capacity_sort(result)

    def describe(self, result: SortScore) -> str:
        return describe_capacity_sort(result)

    def summarise(self, result: SortScore) -> str:
        wording = {c.key: c.wording for c in capacities()}
        grid = {(a, d): [] for a in AGES for d in DOMAINS}
        for (key, age), (_, domain) in zip(result.ages, result.domains):
            if age and domain:
                grid[(age, domain)].append(wording[key])
        cells = "".join(f"<th style='padding:2px 8px'>{html.escape(d)}</th>" for d in DOMAINS)
        body = "".join(
            f"<tr><th style='padding:2px 8px'>{'at birth' if a == 'birth' else 'by age five'}</th>"
            + "".join(f"<td style='padding:2px 8px;vertical-align:top'>"
                      f"{'<br>'.join(html.escape(w) for w in grid[(a, d)]) or '&mdash;'}</td>" for d in DOMAINS)
            + "</tr>" for a in AGES)
        text = (f"<p><b>Age:</b> {result.n_age_placed} of {result.n_items} placed ({result.n_age_birth} at birth, "
                f"{result.n_age_five} by age five, {result.n_items - result.n_age_placed} not placed yet); "
                f"the sorter does not check ages. <b>Domain:</b> {result.n_domain_agree} of "
                f"{result.n_items} agree with the course's own classification ({result.n_domain_placed} placed).</p>"
                f"<table style='border-collapse:collapse'><caption>Your sort (capacities with both an age and a "
                f"domain)</caption><tr><th></th>{cells}</tr>{body}</table>")
        if result.ages_complete:  # counts only: a view never prints a paste-ready answer
            text += "<p>Every capacity has an age. Compare your counts with the slide's two columns.</p>"
        return text


class BrainSizeExplorer(ModelView):
    """A slider for age: approximate percent of adult brain size beside the "80% by 2" claim."""

    title = ("Brain-size explorer: move the age slider to read the approximate percent of adult brain SIZE, "
             "and compare it with the deck's claim and with development that continues.")

    def make_controls(self) -> dict:
        return {
            "age_years": ipywidgets.FloatSlider(value=CLAIM_AGE_YEARS, min=0.0, max=_X_MAX, step=0.25,
                                                description="Child's age (years)", readout_format=".2f",
                                                continuous_update=False),
            "show_processes": ipywidgets.Checkbox(value=True,
                                                  description="Show development that continues after size levels off"),
        }

    def compute(self, age_years, show_processes) -> BrainSizeReading:
        return read_brain_size(age_years, show_processes=show_processes)

    def plot(self, result: BrainSizeReading):
        # drawn once per panel choice; later ages move the marker, the line and their legend entries
        figures = self.__dict__.setdefault("_figures", {})
        drawn = figures.get(result.show_processes)
        if drawn is None:
            fig = plot_brain_explorer(result)
            keep_still(*(a for ax in fig.axes for a in (*ax.lines, *ax.patches, *ax.texts)
                         if not (a.get_gid() or "").startswith("chosen age")))
        else:
            fig, old = drawn
            _move_brain_explorer(fig, old, result)
        figures[result.show_processes] = (fig, result)
        return fig

    def describe(self, result: BrainSizeReading) -> str:
        return describe_brain_explorer(result)

    def summarise(self, result: BrainSizeReading) -> str:
        def point(a: SizeAnchor) -> str:
            note = ", the course's assumption" if a.assumption else (", secondary source" if a.evidence != "V" else "")
            return f"{100 * a.fraction:.0f}% at {_age_text(a.age_years)}, {html.escape(a.source)}{note}"

        if result.on_anchor and result.age_years == result.lower.age_years:
            where = f"a reported point: {point(result.lower)}"
        elif result.on_anchor:
            where = f"past the last point, {point(result.lower)}"
        else:
            where = (f"a straight line between {point(result.lower)} and {point(result.upper)}; "
                     f"the straight line is the course's approximation")
        gap = round(result.percent - 100 * CLAIM_FRACTION)
        relation = (f"{abs(gap)} percentage points {'above' if gap > 0 else 'below'}" if gap else "level with")
        text = (f"<p>At <b>{result.age_years:g} years</b> the curve gives about <b>{result.percent:.0f}% of adult "
                f"brain size</b> ({where}). That is {relation} the 80% mark. The deck's slide says "
                f"\"80% of brain development occurs by age 2\"; the data support about 80% of adult "
                f"<i>size</i> by about age 2 to 3, which is not the same as development.</p>")
        if result.ongoing:
            items = "".join(
                f"<li>{html.escape(p.name)}: about {p.start_years:g} to {p.end_years:g} years"
                f"{' (end approximate)' if p.end_is_approximate else ''} [{html.escape(p.evidence)}]</li>"
                for p in result.ongoing)
            text += f"<p>Under way at this age (approximate spans):</p><ul>{items}</ul>"
        return text
