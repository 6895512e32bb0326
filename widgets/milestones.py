"""Typical and atypical development: a child's motor milestones on the WHO windows, and CDC's 75% rule.

Three pieces, each a pure model first, then figures, then a view:

* **Windows of achievement** (packaged table ``who_motor_windows``, WHO Multicentre
  Growth Reference Study Group 2006): :func:`milestone_windows`, :func:`find_window`,
  :func:`plot_windows`. The window bounds (1st and 99th percentiles) are verified.
* **Placing a child on the windows**: :func:`classify_age` says "before", "within" or
  "after" (bounds inclusive); :func:`place_child` places several milestones at once,
  including ones the child has not reached yet, and writes a respectful summary
  (a screening aid, never a diagnosis); :func:`plot_placement`, :class:`MilestonePlacer`.
* **A normal approximation** for the three milestones whose mean and SD the course has
  from a secondary source (sitting without support, standing with assistance,
  hands-and-knees crawling): :func:`share_achieved`, :func:`age_for_share`,
  :func:`milestone_curve`, :func:`plot_curve`, :class:`MilestoneCurveExplorer`. It is
  an approximation: the real distributions need not be symmetric, and the SDs of the
  other three milestones are unverified, so they are refused.

The CDC 2022 checklist revision (Zubler et al. 2022: milestones that 75% or more of
children are expected to have reached by each visit age) is in the packaged table
``cdc_2022_revision``, loaded by :func:`cdc_revision`, with its two walking items (15 months,
a few steps alone; 18 months, walking without holding on): two different skills. The WHO study's sample facts
(816 children, 4.3% never crawled ...) come from :func:`who_study` (shared with
``widgets.culture``, which reads the same table's metadata).
"""
from __future__ import annotations

import html
import math
import numbers
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from statistics import NormalDist

import ipywidgets
import numpy as np

from .culture import MilestoneWindow, WHOStudy, who_study, who_windows
from .data import load_table
from .figures import LINESTYLES, PALETTE, fixed_legend, keep_still, new_figure
from .view import ModelView

__all__ = [
    "CATEGORIES",
    "NOT_YET",
    "MAX_AGE_MONTHS",
    "Window",
    "CDCRevision",
    "WHOStudy",
    "MilestonePlacement",
    "ChildPlacement",
    "CurveResult",
    "milestone_windows",
    "milestone_keys",
    "find_window",
    "who_study",
    "cdc_revision",
    "classify_age",
    "place_child",
    "approximation_milestones",
    "share_achieved",
    "age_for_share",
    "milestone_curve",
    "plot_windows",
    "describe_windows",
    "plot_placement",
    "describe_placement",
    "plot_curve",
    "describe_curve",
    "MilestonePlacer",
    "MilestoneCurveExplorer",
]

#: The three places an achieved milestone can sit relative to its window.
CATEGORIES = ("before", "within", "after")
#: The placement of a milestone not reached yet while its window is still open (or not yet open).
NOT_YET = "not yet"
#: Ages above this (months) are outside the course's range (birth to five).
MAX_AGE_MONTHS = 60.0
#: Statuses of a mean and SD good enough for the course's normal approximation.
_APPROXIMATION_STATUSES = ("V", "V-sec")


# --------------------------------------------------------------------------- input checks
def _months(name: str, value, *, low: float = 0.0, high: float = MAX_AGE_MONTHS) -> float:
    """A finite age in months between ``low`` and ``high`` (inclusive), else ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name}: expected an age in months (a number), got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name}: expected a finite age in months, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name}: must be between {low:g} and {high:g} months, got {value:g}")
    return value


# --------------------------------------------------------------------------- data
@dataclass(frozen=True)
class Window(MilestoneWindow):
    """A WHO window of achievement for one gross motor milestone; ages in months.

    The one packaged WHO table is read by :func:`widgets.culture.who_windows`; this adds what
    notebook 09 needs. The bounds (1st and 99th percentiles) are verified (``window_status``
    "V"); ``mean_months`` and ``sd_months`` are approximate (``mean_status``/``sd_status``).
    """

    @property
    def approximation_available(self) -> bool:
        """True when mean and SD are at least [V-sec], so the normal approximation may use them."""
        return self.mean_status in _APPROXIMATION_STATUSES and self.sd_status in _APPROXIMATION_STATUSES


def milestone_windows() -> tuple[Window, ...]:
    """The six WHO windows in the table's order (the usual order of achievement)."""
    return tuple(Window(**asdict(window)) for window in who_windows())


def milestone_keys() -> tuple[str, ...]:
    """Short keys of the six milestones, in table order (e.g. ``"walking_alone"``)."""
    return tuple(w.key for w in milestone_windows())


def find_window(milestone) -> Window:
    """The window for ``milestone``: its key (``"walking_alone"``) or WHO name, case-insensitive."""
    if isinstance(milestone, Window):
        return milestone
    if not isinstance(milestone, str):
        raise ValueError(f"milestone: expected a milestone key or name (str), got {type(milestone).__name__} {milestone!r}")
    wanted = milestone.strip().casefold()
    for window in milestone_windows():
        if wanted in (window.key.casefold(), window.milestone.casefold()):
            return window
    raise ValueError(f"milestone: unknown milestone {milestone!r}; known keys: {list(milestone_keys())}")


@dataclass(frozen=True)
class CDCRevision:
    """The CDC 2022 checklist revision (Zubler et al. 2022) as the course's table records it.

    Percentages are 0-100; ages in months. Two walking items, both [V-sec] wording: ``few_steps_months``
    (15: "Takes a few steps on his own", first independent steps, the skill closest to WHO's walking
    alone) and ``walks_without_holding_months`` (18: "Walks without holding on to anyone or anything",
    established walking). Both are ages by which 75% or more of children have the skill.
    """

    achievement_threshold_percent: float
    new_checklist_ages_months: tuple
    fewer_milestones_percent: float
    replaced_percent: float
    moved_to_older_percent: float
    few_steps_months: float
    walks_without_holding_months: float
    walking_items_status: str
    citation: str


def cdc_revision() -> CDCRevision:
    """The packaged table ``cdc_2022_revision`` as a :class:`CDCRevision`."""
    table = load_table("cdc_2022_revision")
    rows = {r["key"]: r for r in table.rows}
    return CDCRevision(
        achievement_threshold_percent=float(rows["achievement_threshold_percent"]["value"]),
        new_checklist_ages_months=(float(rows["new_checklist_15_months"]["value"]),
                                   float(rows["new_checklist_30_months"]["value"])),
        fewer_milestones_percent=float(rows["fewer_milestones_percent"]["value"]),
        replaced_percent=float(rows["replaced_percent"]["value"]),
        moved_to_older_percent=float(rows["moved_to_older_percent"]["value"]),
        few_steps_months=float(rows["few_steps_months"]["value"]),
        walks_without_holding_months=float(rows["walks_without_holding_months"]["value"]),
        walking_items_status=rows["walks_without_holding_months"]["status"],
        citation=table.citation,
    )


# --------------------------------------------------------------------------- placing a child
def classify_age(milestone, age_months) -> str:
    """Where an age of achievement (months) sits on the milestone's WHO window.

    "before": earlier than the 1st percentile; "within": from the 1st to the 99th
    percentile, both bounds included; "after": later than the 99th percentile.
    """
    window = find_window(milestone)
    age = _months("age_months", age_months)
    if age < window.first_percentile_months:
        return "before"
    if age > window.ninety_ninth_percentile_months:
        return "after"
    return "within"


@dataclass(frozen=True)
class MilestonePlacement:
    """One milestone of one child on its window.

    ``age_months`` is the age the milestone was reached, or ``None`` when it is not reached
    yet. ``category`` is "before", "within", "after" or "not yet" (not reached and the
    child's current age is not past the window). ``months_outside`` is how far outside the
    window (negative before, positive after, 0 within or not yet). ``message`` is the
    course's respectful one-line reading.
    """

    key: str
    milestone: str
    first_percentile_months: float
    ninety_ninth_percentile_months: float
    age_months: float | None
    category: str
    months_outside: float
    message: str

    @property
    def reached(self) -> bool:
        """True when the child has reached the milestone."""
        return self.age_months is not None


@dataclass(frozen=True)
class ChildPlacement:
    """Several milestones of one child on the WHO windows, in table order, with a summary text."""

    placements: tuple
    current_age_months: float | None
    summary: str

    @property
    def counts(self) -> dict:
        """Number of milestones in each category ("before", "within", "after", "not yet")."""
        return {c: sum(p.category == c for p in self.placements) for c in (*CATEGORIES, NOT_YET)}

    @property
    def categories(self) -> dict:
        """Category by milestone key."""
        return {p.key: p.category for p in self.placements}

    def placement(self, milestone) -> MilestonePlacement:
        """The placement of one milestone (key or name)."""
        key = find_window(milestone).key
        for p in self.placements:
            if p.key == key:
                return p
        raise ValueError(f"milestone: {milestone!r} was not placed; placed: {[p.key for p in self.placements]}")


_AFTER_ADVICE = ("worth discussing with a health professional, together with the family's observations; "
                 "a reason to look more closely, not a diagnosis")


def _message(window: Window, category: str, age: float | None, current: float | None) -> str:
    name, lo, hi = window.milestone, window.first_percentile_months, window.ninety_ninth_percentile_months
    span = f"{lo:g} to {hi:g} months"
    crawl_note = ""
    if window.key == "crawling" and age is None:
        crawl_note = (f" Some children never crawl on hands and knees ({who_study().never_crawled_percent:g}% of the "
                      "WHO study's children), so on its own this says little.")
    if age is not None:
        if category == "before":
            return (f"{name}: reached at {age:g} months, before the window ({span}). Reaching a milestone early is "
                    "usually not a concern in itself.")
        if category == "within":
            return f"{name}: reached at {age:g} months, within the window ({span}), part of the normal variation."
        return f"{name}: reached at {age:g} months, after the window ({span}): {_AFTER_ADVICE}."
    if category == "after" and window.key == "crawling":
        return (f"{name}: not seen by {current:g} months, past the end of the window ({span}).{crawl_note} "
                "Look at the other milestones, such as standing and walking, and at what the family has noticed.")
    if category == "after":
        return f"{name}: not yet at {current:g} months, past the end of the window ({span}): {_AFTER_ADVICE}."
    if current < lo:
        return f"{name}: not yet at {current:g} months; the window only opens at {lo:g} months.{crawl_note}"
    return (f"{name}: not yet at {current:g} months; the window runs to {hi:g} months, so this is still within "
            f"the range of normal variation.{crawl_note}")


def _summary(placements: tuple) -> str:
    n = len(placements)
    counts = {c: sum(p.category == c for p in placements) for c in (*CATEGORIES, NOT_YET)}
    head = (f"Of {n} milestone{'s' if n != 1 else ''} placed: {counts['within']} within the window, "
            f"{counts['before']} before it, {counts['after']} after it, {counts[NOT_YET]} not yet reached "
            "with the window still open.")
    after = [p for p in placements if p.category == "after"]
    if len(after) == 1 and after[0].key == "crawling" and not after[0].reached:
        return (f"{head} The only milestone past its window is hands-and-knees crawling, not seen yet: "
                f"{who_study().never_crawled_percent:g}% of the WHO study's children never crawled on hands and "
                "knees, so on its own that says little. Look at the other milestones, at whether any skill has been "
                "lost, and at what the family has noticed; a family's worry is always worth raising with a "
                "health professional.")
    if after:
        names = ", ".join(p.milestone.lower() for p in after)
        return (f"{head} After the window: {names}. That is {_AFTER_ADVICE}. What matters next is the pattern across "
                "domains (these windows cover gross motor skills only), whether any skill has been lost, and what "
                "the family has noticed and is worried about.")
    early = " Reaching a milestone early is usually not a concern in itself." if counts["before"] else ""
    return (f"{head} Every milestone placed sits within or before its window, or its window is still open: this "
            f"child's gross motor timing lies within the normal variation seen in the WHO study.{early} A loss of "
            "skills, or a family's continuing worry, is still worth raising with a health professional, whatever "
            "the windows say.")


def place_child(ages: Mapping, current_age_months=None) -> ChildPlacement:
    """Place a child's milestone ages (months) on the WHO windows.

    ``ages`` maps milestone keys or names to the age the milestone was reached (months),
    or to ``None`` when it is not reached yet; then ``current_age_months`` (the child's age
    now) is required. A milestone not reached by an age past its window is "after"; one
    not reached while its window is open (or not yet open) is "not yet".
    """
    if not isinstance(ages, Mapping):
        raise ValueError(f"ages: expected a dict from milestone to age in months, got {type(ages).__name__}")
    if not ages:
        raise ValueError("ages: give at least one milestone")
    current = None if current_age_months is None else _months("current_age_months", current_age_months)
    by_key = {}
    for name, age in ages.items():
        try:
            window = find_window(name)
        except ValueError:
            raise ValueError(f"ages: unknown milestone {name!r}; known keys: {list(milestone_keys())}") from None
        if window.key in by_key:
            raise ValueError(f"ages: {window.milestone!r} is given twice")
        if age is None:
            if current is None:
                raise ValueError(f"current_age_months: needed because {window.milestone!r} is not reached yet (None)")
        else:
            age = _months(f"ages[{name!r}]", age)
            if current is not None and age > current:
                raise ValueError(f"ages: {window.milestone!r} reached at {age:g} months is later than the child's "
                                 f"current age ({current:g} months); lower it or mark it as not yet reached")
        by_key[window.key] = (window, age)
    placements = []
    for key in milestone_keys():
        if key not in by_key:
            continue
        window, age = by_key[key]
        lo, hi = window.first_percentile_months, window.ninety_ninth_percentile_months
        if age is not None:
            category = classify_age(window, age)
            outside = age - lo if category == "before" else age - hi if category == "after" else 0.0
        elif current > hi:
            category, outside = "after", current - hi
        else:
            category, outside = NOT_YET, 0.0
        placements.append(MilestonePlacement(
            key=key, milestone=window.milestone, first_percentile_months=lo, ninety_ninth_percentile_months=hi,
            age_months=age, category=category, months_outside=round(outside, 10),
            message=_message(window, category, age, current)))
    placements = tuple(placements)
    return ChildPlacement(placements=placements, current_age_months=current, summary=_summary(placements))


# --------------------------------------------------------------------------- normal approximation
def approximation_milestones() -> tuple[str, ...]:
    """Keys of the milestones whose mean and SD are good enough ([V-sec]) for the approximation."""
    return tuple(w.key for w in milestone_windows() if w.approximation_available)


def _approx_window(milestone) -> Window:
    window = find_window(milestone)
    if not window.approximation_available:
        allowed = [w.milestone for w in milestone_windows() if w.approximation_available]
        raise ValueError(f"milestone: the normal approximation is offered only for {allowed}; the SD for "
                         f"{window.milestone!r} is a recalled value ([{window.sd_status}]) the course has not verified")
    return window


def share_achieved(milestone, age_months) -> float:
    """Share of children (0-1) expected to have reached ``milestone`` by ``age_months`` (months).

    The course's normal approximation: a normal distribution with the milestone's
    approximate mean and SD ([V-sec]). Only for :func:`approximation_milestones`.
    """
    window = _approx_window(milestone)
    age = _months("age_months", age_months)
    return NormalDist(window.mean_months, window.sd_months).cdf(age)


def age_for_share(milestone, share) -> float:
    """Age (months) by which a share (0-1, exclusive) of children has reached ``milestone``, by the approximation.

    ``age_for_share(m, 0.5)`` is the approximate mean (the average child); 0.75 is CDC's rule.
    """
    window = _approx_window(milestone)
    if isinstance(share, bool) or not isinstance(share, numbers.Real):
        raise ValueError(f"share: expected a fraction between 0 and 1 (e.g. 0.75), got {type(share).__name__} {share!r}")
    share = float(share)
    if not (math.isfinite(share) and 0.0 < share < 1.0):
        raise ValueError(f"share: must be a fraction strictly between 0 and 1 (0.75 means 75%), got {share!r}")
    return NormalDist(window.mean_months, window.sd_months).inv_cdf(share)


@dataclass(frozen=True, eq=False)
class CurveResult:
    """The normal approximation for one milestone, looked up at one age (months; shares 0-1).

    ``age_50``, ``age_75``: ages by which 50% (the average child) and 75% (CDC's rule) have
    reached it; ``age_1_approx`` and ``age_99_approx``: the approximation's own 1st and 99th
    percentiles, to compare with WHO's window (``window_low``, ``window_high``).
    ``ages`` and ``shares`` (read-only arrays) trace the curve.
    """

    key: str
    milestone: str
    mean_months: float
    sd_months: float
    status: str
    age_months: float
    share_at_age: float
    age_50: float
    age_75: float
    age_1_approx: float
    age_99_approx: float
    window_low: float
    window_high: float
    share_at_window_high: float
    ages: np.ndarray
    shares: np.ndarray


def milestone_curve(milestone, age_months) -> CurveResult:
    """The approximation's curve for ``milestone`` and its value at ``age_months`` (months)."""
    window = _approx_window(milestone)
    age = _months("age_months", age_months)
    dist = NormalDist(window.mean_months, window.sd_months)
    ages = np.linspace(0.0, max(20.0, age + 1.0), 401)
    shares = np.array([dist.cdf(a) for a in ages])
    ages.setflags(write=False)
    shares.setflags(write=False)
    return CurveResult(
        key=window.key, milestone=window.milestone, mean_months=window.mean_months, sd_months=window.sd_months,
        status=window.sd_status, age_months=age, share_at_age=dist.cdf(age), age_50=dist.inv_cdf(0.5),
        age_75=dist.inv_cdf(0.75), age_1_approx=dist.inv_cdf(0.01), age_99_approx=dist.inv_cdf(0.99),
        window_low=window.first_percentile_months, window_high=window.ninety_ninth_percentile_months,
        share_at_window_high=dist.cdf(window.ninety_ninth_percentile_months), ages=ages, shares=shares,
    )


# --------------------------------------------------------------------------- figures
_CATEGORY_STYLE = {  # colour, marker, legend label
    "before": (PALETTE["orange"], "<", "before the window"),
    "within": (PALETTE["blue"], "o", "within the window"),
    "after": (PALETTE["vermillion"], ">", "after the window"),
    NOT_YET: (PALETTE["purple"], "s", "not yet (marked at current age)"),
}


def _window_bars(ax, windows, ys, label="WHO window (1st-99th percentile)"):
    for i, (y, w) in enumerate(zip(ys, windows)):
        ax.barh(y, w.width_months, left=w.first_percentile_months, height=0.5, color=PALETTE["sky"], alpha=0.45,
                edgecolor=PALETTE["blue"], hatch="//", label=label if i == 0 else None)


def plot_windows(windows=None, *, show_widths: bool = False, cdc: CDCRevision | None = None, ax=None):
    """The WHO windows (months) as horizontal bars; optionally their widths and CDC's walking-alone age."""
    windows = tuple(windows) if windows is not None else milestone_windows()
    if ax is None:
        fig, ax = new_figure(7.5, 1.4 + 0.5 * len(windows))
    else:
        fig = ax.figure
    ys = np.arange(len(windows))[::-1]
    _window_bars(ax, windows, ys)
    if show_widths:
        for y, w in zip(ys, windows):
            ax.text(w.ninety_ninth_percentile_months + 0.2, y, f"{w.width_months:g} months wide", va="center",
                    fontsize=8)
    if cdc is not None:
        walk = [y for y, w in zip(ys, windows) if w.key == "walking_alone"]
        if walk:
            ax.plot([cdc.few_steps_months], walk, linestyle="none", marker="D", markersize=8,
                    color=PALETTE["vermillion"],
                    label=f"CDC: takes a few steps on his own (75%+) [{cdc.walking_items_status}]")
            ax.plot([cdc.walks_without_holding_months], walk, linestyle="none", marker="s", markersize=8,
                    markerfacecolor="white", color=PALETTE["vermillion"],
                    label=f"CDC: walks without holding on (75%+) [{cdc.walking_items_status}]")
    ax.set_yticks(ys, [w.milestone for w in windows])
    ax.set_xlim(0, 24)
    ax.set_xlabel("Age (months)")
    ax.set_ylabel("Gross motor milestone")
    ax.set_title("WHO windows of achievement (WHO MGRS Group, 2006)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8)
    return fig


def describe_windows(windows=None, *, show_widths: bool = False, cdc: CDCRevision | None = None) -> str:
    """One-sentence description of :func:`plot_windows` (same options)."""
    windows = tuple(windows) if windows is not None else milestone_windows()
    parts = "; ".join(f"{w.milestone.lower()} {w.first_percentile_months:g} to {w.ninety_ninth_percentile_months:g}"
                      + (f" ({w.width_months:g} months wide)" if show_widths else "") for w in windows)
    text = f"Horizontal bars show the WHO windows of achievement in months: {parts}"
    if cdc is not None:
        text += (f"; on the walking-alone row, a diamond marks CDC's {cdc.few_steps_months:g}-month item \"takes a few "
                 f"steps on his own\" and an open square its {cdc.walks_without_holding_months:g}-month item \"walks "
                 "without holding on\" (ages by which 75% or more of children have each skill)")
    return text + "."


def _placement_legend_handles() -> list:
    """Legend entries for every category :func:`plot_placement` can show (a view's legend that never
    changes), the window bar and the current-age line."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=PALETTE["sky"], alpha=0.45, edgecolor=PALETTE["blue"], hatch="//",
                     label="WHO window (1st-99th percentile)")]
    for colour, marker, label in _CATEGORY_STYLE.values():
        handles.append(Line2D([], [], linestyle="none", marker=marker, markersize=9, color=colour,
                              markerfacecolor="white" if "not yet" in label else colour, markeredgewidth=2,
                              label=label))
    handles.append(Line2D([], [], linestyle="none", marker="X", markersize=9, color=PALETTE["vermillion"],
                          markerfacecolor="white", markeredgewidth=2,
                          label="not yet, past the window (marked at current age)"))
    handles.append(Line2D([], [], color=PALETTE["black"], linestyle=LINESTYLES[2], label="child's current age"))
    return handles


def plot_placement(child: ChildPlacement, ax=None, *, right_months: float | None = None):
    """A child's milestone ages (markers, by category) on the WHO windows (bars); ages in months.
    ``right_months`` fixes the x-axis end (a view's whole slider range, so moving a slider does not
    rescale the axis); by default the axis ends 2 months past the latest age shown, at least 20."""
    placements = child.placements
    if ax is None:
        fig, ax = new_figure(7.5, 1.6 + 0.5 * len(placements))
    else:
        fig = ax.figure
    windows = [find_window(p.key) for p in placements]
    ys = np.arange(len(placements))[::-1]
    _window_bars(ax, windows, ys)
    shown = set()
    right = 20.0
    for y, p in zip(ys, placements):
        if p.reached:
            x, (colour, marker, label), face = p.age_months, _CATEGORY_STYLE[p.category], None
        elif p.category == NOT_YET:
            x, (colour, marker, label), face = child.current_age_months, _CATEGORY_STYLE[NOT_YET], "white"
        else:  # not reached, and the child is already past the window
            x, colour, marker, face = child.current_age_months, PALETTE["vermillion"], "X", "white"
            label = "not yet, past the window (marked at current age)"
        face = face or colour
        ax.plot([x], [y], linestyle="none", marker=marker, markersize=9, color=colour, markerfacecolor=face,
                markeredgewidth=2, label=label if label not in shown else None)
        shown.add(label)
        ax.text(x, y + 0.32, f"{x:g}" if p.reached else f"not yet ({x:g})", ha="center", fontsize=8)
        right = max(right, x + 2)
    if child.current_age_months is not None:
        ax.axvline(child.current_age_months, color=PALETTE["black"], linestyle=LINESTYLES[2],
                   label="child's current age")
        right = max(right, child.current_age_months + 2)
    ax.set_yticks(ys, [p.milestone for p in placements])
    ax.set_ylim(-0.7, len(placements) - 0.2)
    ax.set_xlim(0, right if right_months is None else max(right_months, right))
    ax.set_xlabel("Age (months)")
    ax.set_title("A child's milestones on the WHO windows")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8)
    return fig


def describe_placement(child: ChildPlacement) -> str:
    """One-sentence description of :func:`plot_placement`."""
    parts = []
    for p in child.placements:
        when = f"{p.age_months:g} months" if p.reached else f"not yet at {child.current_age_months:g} months"
        parts.append(f"{p.milestone.lower()} {when} ({p.category}; window {p.first_percentile_months:g} to "
                     f"{p.ninety_ninth_percentile_months:g})")
    return "Horizontal bars show the WHO windows with the child's milestones marked: " + "; ".join(parts) + "."


def plot_curve(result: CurveResult, ax=None):
    """The approximation's share of children (%) who have reached the milestone by each age (months)."""
    if ax is None:
        fig, ax = new_figure(7.5, 3.8)
    else:
        fig = ax.figure
    ax.axvspan(result.window_low, result.window_high, color=PALETTE["sky"], alpha=0.25, hatch="//",
               label=f"WHO window, {result.window_low:g} to {result.window_high:g} months")
    ax.plot(result.ages, 100 * result.shares, color=PALETTE["blue"], linestyle=LINESTYLES[0], linewidth=2,
            label="normal approximation")
    ax.axvline(result.age_50, color=PALETTE["orange"], linestyle=LINESTYLES[1],
               label=f"50% (average child): {result.age_50:.1f} months")
    ax.axvline(result.age_75, color=PALETTE["green"], linestyle=LINESTYLES[3],
               label=f"75% (CDC's rule): {result.age_75:.1f} months")
    ax.axvline(result.window_high, color=PALETTE["vermillion"], linestyle=LINESTYLES[0], linewidth=1.2,
               label=f"WHO 99th percentile: {result.window_high:g} months")
    ax.plot([result.age_months], [100 * result.share_at_age], linestyle="none", marker="o", markersize=9,
            color=PALETTE["black"], label=f"at {result.age_months:g} months: {result.share_at_age:.0%}")
    ax.axhline(100 * result.share_at_age, color=PALETTE["black"], linestyle=LINESTYLES[2], linewidth=0.8)
    ax.set_xlim(0, result.ages[-1])
    ax.set_ylim(0, 102)
    ax.set_xlabel("Age (months)")
    ax.set_ylabel("Children who have reached it (%)")
    ax.set_title(f"{result.milestone}: APPROXIMATION (normal, mean {result.mean_months:.1f}, "
                 f"SD {result.sd_months:.1f} months [{result.status}])", fontsize=10)
    ax.legend(loc="lower right", fontsize=7.5)
    return fig


def describe_curve(result: CurveResult) -> str:
    """One-sentence description of :func:`plot_curve`."""
    return (f"An S-shaped curve, a normal approximation with mean {result.mean_months:g} and SD {result.sd_months:g} "
            f"months, shows the share of children who have reached {result.milestone.lower()} rising with age: "
            f"{result.share_at_age:.0%} by {result.age_months:g} months, 50% by {result.age_50:.1f}, 75% by "
            f"{result.age_75:.1f}, and {result.share_at_window_high:.1%} by the WHO window's upper edge at "
            f"{result.window_high:g} months.")


# --------------------------------------------------------------------------- views
class MilestonePlacer(ModelView):
    """One slider per milestone (age reached, months), the child's current age, and which are not yet reached."""

    title = "Place a child's milestones on the WHO windows (gross motor only; a screening aid, not a diagnosis)"
    #: Starting positions of the sliders (months): an illustrative child, not averages.
    defaults = {"sitting": 6.0, "standing_assisted": 8.0, "crawling": 9.0, "walking_assisted": 10.0,
                "standing_alone": 11.5, "walking_alone": 13.0}

    def make_controls(self) -> dict:
        controls = {}
        for w in milestone_windows():
            controls[w.key] = ipywidgets.FloatSlider(
                value=self.defaults.get(w.key, 10.0), min=2.0, max=24.0, step=0.1,
                description=f"{w.milestone}: age reached (months)")
        controls["not_yet"] = ipywidgets.SelectMultiple(
            options=[(w.milestone, w.key) for w in milestone_windows()], value=(), rows=6,
            description="Not yet reached (Ctrl/Cmd-click for several)")
        controls["current_age"] = ipywidgets.FloatSlider(value=24.0, min=2.0, max=36.0, step=0.5,
                                                         description="Child's current age (months)")
        return controls

    def compute(self, not_yet, current_age, **ages):
        wanted = {key: (None if key in not_yet else age) for key, age in ages.items()}
        return place_child(wanted, current_age_months=current_age)

    def plot(self, result):
        # a fixed axis over the sliders' whole range, and the window bars kept in the saved background:
        # a change redraws only the markers, their labels and the current-age line
        fig = plot_placement(result, right_months=self.controls["current_age"].max + 2)
        ax = fig.axes[0]
        keep_still(*ax.patches)
        ax.get_legend().remove()  # one legend with every category, whichever are shown now
        fixed_legend(ax, _placement_legend_handles(), side="lower", ncols=2, fontsize=8)
        return fig

    def describe(self, result):
        return describe_placement(result)

    def summarise(self, result) -> str:
        items = "".join(f"<li>{html.escape(p.message)}</li>" for p in result.placements)
        return f"<p>{html.escape(result.summary)}</p><ul>{items}</ul>"


class MilestoneCurveExplorer(ModelView):
    """A milestone (the three with [V-sec] mean and SD) and an age; the approximation's share achieved."""

    title = "What share of children have reached it by a given age? (a normal APPROXIMATION)"

    def make_controls(self) -> dict:
        options = [(w.milestone, w.key) for w in milestone_windows() if w.approximation_available]
        return {
            "milestone": ipywidgets.Dropdown(options=options, value=options[0][1], description="Milestone"),
            "age_months": ipywidgets.FloatSlider(value=7.0, min=2.0, max=16.0, step=0.1,
                                                 description="Age to look up (months)"),
        }

    def compute(self, milestone, age_months):
        return milestone_curve(milestone, age_months)

    def plot(self, result):
        return plot_curve(result)

    def describe(self, result):
        return describe_curve(result)

    def summarise(self, result) -> str:
        return (
            f"<p>By <b>{result.age_months:g} months</b>, the approximation expects about "
            f"<b>{result.share_at_age:.1%}</b> of children to have reached {html.escape(result.milestone.lower())}. "
            f"Average child (50%): {result.age_50:.1f} months &middot; CDC-style 75% point: {result.age_75:.2f} months "
            f"&middot; WHO window {result.window_low:g} to {result.window_high:g} months (the approximation's own 1st "
            f"and 99th percentiles: {result.age_1_approx:.1f} and {result.age_99_approx:.1f}).</p>"
            f"<p><i>Approximation: normal, mean {result.mean_months:.1f} and SD {result.sd_months:.1f} months, values the "
            f"course has only from a secondary source [{result.status}]. Real ages of achievement need not follow a "
            "symmetric curve; the WHO window bounds are the verified figures.</i></p>"
        )
