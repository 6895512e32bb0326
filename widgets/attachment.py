"""Attachment and attunement: Strange Situation data, a secure-base model, attunement coding.

Three pieces, each a pure model, then figures, then a view:

* **Strange Situation distributions** (packaged table ``strange_situation``):
  :func:`strange_situation`, :func:`sample_distribution`, :func:`expected_counts`,
  :func:`compare_samples`, :func:`plot_strange_situation`, :class:`StrangeSituationExplorer`.
* **Secure base and exploration**, the course's own *illustrative* model (not a
  published model, no parameter is an empirical estimate): :func:`simulate_secure_base`,
  :func:`plot_secure_base`, :class:`SecureBaseExplorer`.
* **Attunement**, the course's own coding of fictional moments against Stern's (1985)
  description (intensity, timing, shape; often in another modality; not imitation):
  :class:`Expression`, :func:`assess_attunement`, :func:`attunement_examples`,
  :func:`plot_attunement`; and a practice in matching across modalities: :func:`matching_puzzle`,
  :func:`check_match`, :func:`plot_matching`, :class:`AttunementSorter`.
"""
from __future__ import annotations

import html
import math
import textwrap
import numbers
from dataclasses import dataclass

import ipywidgets
import numpy as np

from .data import load_table
from .figures import LINESTYLES, MARKERS, PALETTE, Redrawer, new_figure
from .view import ModelView, side_by_side
from .validate import real as _real
from .validate import integer as _integer

__all__ = [
    "CATEGORIES",
    "CATEGORY_NAMES",
    "SampleDistribution",
    "ExpectedCounts",
    "SampleComparison",
    "strange_situation",
    "sample_keys",
    "sample_distribution",
    "expected_counts",
    "compare_samples",
    "plot_strange_situation",
    "describe_strange_situation",
    "StrangeSituationExplorer",
    "MODES",
    "SecureBaseResult",
    "simulate_secure_base",
    "plot_secure_base",
    "describe_secure_base",
    "SecureBaseExplorer",
    "SHAPES",
    "MODALITIES",
    "LABELS",
    "Expression",
    "AttunementAssessment",
    "AttunementExample",
    "expression_contour",
    "assess_attunement",
    "attunement_examples",
    "assess_example",
    "plot_attunement",
    "describe_attunement",
    "DIMENSIONS",
    "OPTION_LETTERS",
    "MatchPuzzle",
    "MatchFeedback",
    "matching_puzzle",
    "check_match",
    "plot_matching",
    "describe_matching",
    "AttunementSorter",
]


# --------------------------------------------------------------------------
# Input checks (messages name the parameter)
# --------------------------------------------------------------------------
def _rng(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed: expected a non-negative whole number or numpy Generator, got {seed!r}")
    return np.random.default_rng(int(seed))


# ==========================================================================
# 1. Strange Situation distributions
# ==========================================================================
#: Category letters in the order the course draws them.
CATEGORIES = ("A", "B", "C", "D")
CATEGORY_NAMES = {"A": "avoidant", "B": "secure", "C": "resistant", "D": "disorganized"}
_CATEGORY_COLUMNS = {"A": "avoidant_pct", "B": "secure_pct", "C": "resistant_pct", "D": "disorganized_pct"}
_CATEGORY_COLOURS = {"A": PALETTE["orange"], "B": PALETTE["blue"], "C": PALETTE["green"], "D": PALETTE["vermillion"]}
_CATEGORY_HATCHES = {"A": "//", "B": "", "C": "\\\\", "D": "xx"}
_SAMPLE_HATCHES = ("", "//", "\\\\", "xx", "..", "oo")
_UNREPORTED = ("#DDDDDD", "..")


@dataclass(frozen=True)
class SampleDistribution:
    """One row of the Strange Situation table.

    ``percent`` maps "A", "B", "C", "D" to a percentage (0-100) or ``None`` where the
    category was not coded or not reported. ``status`` is "V" or "V-sec" (see the table notes).
    """

    key: str
    sample: str
    year: int | None
    n: int
    n_note: str
    population: str
    percent: dict
    status: str
    citation: str

    @property
    def reported(self) -> tuple:
        """Categories with a reported percentage."""
        return tuple(c for c in CATEGORIES if self.percent[c] is not None)

    @property
    def unreported_percent(self) -> float:
        """Percent not split into the reported categories (0 when all are given)."""
        return max(0.0, 100.0 - sum(self.percent[c] for c in self.reported))


@dataclass(frozen=True)
class ExpectedCounts:
    """Expected number of children in each category in a sample of ``n`` (``None`` = not reported)."""

    key: str
    sample: str
    n: int
    counts: dict
    status: str


@dataclass(frozen=True)
class SampleComparison:
    """Several samples side by side, with expected counts for a sample of ``n``."""

    distributions: tuple
    expected: tuple
    n: int


def strange_situation():
    """The packaged table ``strange_situation`` (a :class:`widgets.data.Table`)."""
    return load_table("strange_situation")


def _pct(value) -> float | None:
    return None if value == "" else float(value)


def _distribution_from_row(row: dict) -> SampleDistribution:
    return SampleDistribution(
        key=row["key"], sample=row["sample"], year=row["year"] if row["year"] != "" else None,
        n=int(row["n"]), n_note=str(row["n_note"]), population=row["population"],
        percent={c: _pct(row[col]) for c, col in _CATEGORY_COLUMNS.items()},
        status=row["status"], citation=row["citation"],
    )


def sample_keys() -> tuple:
    """Keys of all samples in the table, in table order."""
    return tuple(strange_situation().column("key"))


def sample_distribution(sample) -> SampleDistribution:
    """The row for ``sample`` (its key, e.g. ``"madigan_2023"``), as a :class:`SampleDistribution`."""
    if isinstance(sample, SampleDistribution):
        return sample
    if not isinstance(sample, str):
        raise ValueError(f"sample: expected a sample key (str), got {type(sample).__name__} {sample!r}")
    rows = strange_situation().where(key=sample.strip())
    if not rows:
        raise ValueError(f"sample: unknown sample {sample!r}; known samples: {list(sample_keys())}")
    return _distribution_from_row(rows[0])


def expected_counts(sample, n: int) -> ExpectedCounts:
    """Expected number of children per category in a sample of ``n`` children.

    count = n x percent / 100 for each reported category (not rounded: a sample of
    250 with 51.6% secure expects 129.0 secure children). ``None`` where not reported.
    """
    n = _integer("n", n, low=1)
    dist = sample_distribution(sample)
    counts = {c: (None if dist.percent[c] is None else n * dist.percent[c] / 100.0) for c in CATEGORIES}
    return ExpectedCounts(key=dist.key, sample=dist.sample, n=n, counts=counts, status=dist.status)


def compare_samples(samples, n: int = 100) -> SampleComparison:
    """Distributions of several samples (keys) and their expected counts in a sample of ``n``."""
    if isinstance(samples, str) or not isinstance(samples, (list, tuple)):
        raise ValueError(f"samples: expected a list or tuple of sample keys, got {type(samples).__name__}")
    if not samples:
        raise ValueError("samples: choose at least one sample")
    if len(set(samples)) != len(samples):
        raise ValueError(f"samples: each sample may appear once, got {list(samples)}")
    n = _integer("n", n, low=1)
    dists = tuple(sample_distribution(s) for s in samples)
    return SampleComparison(distributions=dists, expected=tuple(expected_counts(d, n) for d in dists), n=n)


def _draw_strange_situation(ax, comparison: SampleComparison, mode: str, frame: tuple) -> None:
    """The data of :func:`plot_strange_situation` (bars, value labels), inside axes it has set up."""
    chosen = {d.key: d for d in comparison.distributions}
    if mode == "stacked":
        ys = np.arange(len(frame))[::-1]
        for y, key in zip(ys, frame):
            dist = chosen.get(key)
            if dist is None:
                ax.text(1, y, "not selected", va="center", fontsize=8, color="#555555")
                continue
            left = 0.0
            for c in CATEGORIES:
                value = dist.percent[c]
                if value is None:
                    continue
                ax.barh(y, value, left=left, color=_CATEGORY_COLOURS[c], hatch=_CATEGORY_HATCHES[c],
                        edgecolor="black", linewidth=0.6)
                if value >= 6:
                    ax.text(left + value / 2, y, f"{value:g}", ha="center", va="center", fontsize=8,
                            color="black", bbox={"facecolor": "white", "alpha": 0.7, "pad": 1, "linewidth": 0})
                left += value
            rest = dist.unreported_percent
            if rest > 0.05:
                ax.barh(y, rest, left=left, color=_UNREPORTED[0], hatch=_UNREPORTED[1], edgecolor="black",
                        linewidth=0.6)
        return
    x = np.arange(len(CATEGORIES))
    dists = comparison.distributions
    width = 0.8 / len(dists)
    colours = list(PALETTE.values())
    for i, dist in enumerate(dists):
        k = frame.index(dist.key)  # colour and hatch follow the sample, whatever else is chosen
        heights = [dist.percent[c] if dist.percent[c] is not None else 0.0 for c in CATEGORIES]
        bars = ax.bar(x - 0.4 + width * (i + 0.5), heights, width, color=colours[k % len(colours)],
                      hatch=_SAMPLE_HATCHES[k % len(_SAMPLE_HATCHES)], edgecolor="black", linewidth=0.6)
        for bar, c in zip(bars, CATEGORIES):
            if dist.percent[c] is None:
                ax.text(bar.get_x() + bar.get_width() / 2, 1, "n/r", ha="center", va="bottom", fontsize=7,
                        rotation=90)
    if any(d.percent[c] is None for d in dists for c in CATEGORIES):
        ax.text(0.01, 0.97, "n/r = not reported", transform=ax.transAxes, fontsize=8, va="top")


def _frame_distributions(frame: tuple) -> dict:
    """The table's rows for the sample keys in ``frame`` (one read of the table)."""
    rows = {row["key"]: row for row in strange_situation().rows}
    return {key: _distribution_from_row(rows[key]) for key in frame}


def _grouped_labels(comparison: SampleComparison, frame: tuple, dists: dict | None = None) -> list:
    chosen = {d.key for d in comparison.distributions}
    dists = dists or _frame_distributions(frame)
    return [f"{dists[k].sample} [{dists[k].status}]" if k in chosen else f"{dists[k].sample}: not selected"
            for k in frame]


def plot_strange_situation(comparison: SampleComparison, mode: str = "stacked", ax=None, *, frame=None):
    """Bars of the A/B/C/D percentages (%) per sample: ``"stacked"`` (one bar per sample) or ``"grouped"``.

    ``frame`` (sample keys, default: the comparison's samples) fixes the axes: stacked rows and grouped
    legend entries for every sample in it, chosen or not ("not selected"), so that a view can keep its
    axes while the choice of samples changes.
    """
    if mode not in ("stacked", "grouped"):
        raise ValueError(f"mode: expected 'stacked' or 'grouped', got {mode!r}")
    from matplotlib.patches import Patch

    frame = tuple(d.key for d in comparison.distributions) if frame is None else tuple(frame)
    missing = [d.key for d in comparison.distributions if d.key not in frame]
    if missing:
        raise ValueError(f"frame: must include every chosen sample; missing {missing}")
    if ax is None:
        fig, ax = new_figure(7.5, 1.7 + 0.45 * len(frame) if mode == "stacked" else 3.8)
    else:
        fig = ax.figure
    _draw_strange_situation(ax, comparison, mode, frame)
    dists = _frame_distributions(frame)
    if mode == "stacked":
        ys = np.arange(len(frame))[::-1]
        ax.set_yticks(ys, [textwrap.fill(f"{dists[k].sample} [{dists[k].status}]", 24) for k in frame], fontsize=8)
        ax.set_ylim(-0.6, len(frame) - 0.4)
        ax.set_xlim(0, 100)
        ax.set_xlabel("Share of the sample (%)")
        ax.set_ylabel("Sample (verification status)")
        ax.grid(axis="y", visible=False)
        shown = [c for c in CATEGORIES if any(d.percent[c] is not None for d in comparison.distributions)]
        handles = [Patch(facecolor=_CATEGORY_COLOURS[c], hatch=_CATEGORY_HATCHES[c], edgecolor="black",
                         linewidth=0.6, label=f"{c} {CATEGORY_NAMES[c]}") for c in CATEGORIES if c in shown]
        if any(d.unreported_percent > 0.05 for d in comparison.distributions) or len(frame) > len(
                comparison.distributions):  # a fixed frame lists every entry
            handles.append(Patch(facecolor=_UNREPORTED[0], hatch=_UNREPORTED[1], edgecolor="black", linewidth=0.6,
                                 label="not reported"))
        if len(frame) > len(comparison.distributions):
            handles = [Patch(facecolor=_CATEGORY_COLOURS[c], hatch=_CATEGORY_HATCHES[c], edgecolor="black",
                             linewidth=0.6, label=f"{c} {CATEGORY_NAMES[c]}") for c in CATEGORIES] + handles[-1:]
        ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=5, fontsize=8)
    else:
        x = np.arange(len(CATEGORIES))
        colours = list(PALETTE.values())
        chosen = {d.key for d in comparison.distributions}
        handles = [Patch(facecolor=colours[k % len(colours)] if key in chosen else "white",
                         hatch=_SAMPLE_HATCHES[k % len(_SAMPLE_HATCHES)], edgecolor="black", linewidth=0.6,
                         label=label)
                   for k, (key, label) in enumerate(zip(frame, _grouped_labels(comparison, frame, dists)))]
        ax.set_xticks(x, [f"{c} {CATEGORY_NAMES[c]}" for c in CATEGORIES])
        ax.set_xlim(-0.5, len(CATEGORIES) - 0.5)
        ax.set_xlabel("Strange Situation category")
        ax.set_ylabel("Share of the sample (%)")
        ax.set_ylim(0, 100)
        ax.legend(handles=handles, fontsize=8, loc="upper right")
    ax.set_title("Strange Situation classifications by sample", pad=22 if mode == "stacked" else 6)
    return fig


def _update_strange_situation(fig, comparison: SampleComparison, mode: str, frame: tuple) -> None:
    """Redraw the data of a view's figure (made with ``frame``) for another choice of samples, in place."""
    ax = fig.axes[0]
    for artist in list(ax.patches) + list(ax.texts):
        artist.remove()
    _draw_strange_situation(ax, comparison, mode, frame)
    if mode == "grouped":
        legend = ax.get_legend()
        chosen = {d.key for d in comparison.distributions}
        colours = list(PALETTE.values())
        for k, (key, text, handle, label) in enumerate(zip(frame, legend.get_texts(), legend.legend_handles,
                                                          _grouped_labels(comparison, frame))):
            text.set_text(label)
            handle.set_facecolor(colours[k % len(colours)] if key in chosen else "white")


def describe_strange_situation(comparison: SampleComparison) -> str:
    """One-sentence description of :func:`plot_strange_situation`."""
    parts = []
    for d in comparison.distributions:
        shown = ", ".join(f"{c} {d.percent[c]:g}%" for c in d.reported)
        missing = [c for c in CATEGORIES if d.percent[c] is None]
        extra = f" ({'/'.join(missing)} not reported)" if missing else ""
        parts.append(f"{d.sample}: {shown}{extra}")
    return "Bar chart of Strange Situation classifications by sample; " + "; ".join(parts) + "."


_STATUS_TEXT = {"V": "checked in the primary source", "V-sec": "seen only through a secondary source"}


class _RedrawerPerLayout:
    """Renders like :class:`widgets.figures.Redrawer`, with one Redrawer (and so one saved background) per
    bar layout: switching between the view's two figures then redraws only what is inside the axes."""

    def __init__(self):
        self.layout = None
        self._inner: dict = {}

    def png(self, fig) -> bytes:
        return self._inner.setdefault(self.layout, Redrawer()).png(fig)

    @property
    def full_draws(self) -> int:
        return sum(r.full_draws for r in self._inner.values())

    @property
    def partial_draws(self) -> int:
        return sum(r.partial_draws for r in self._inner.values())


class StrangeSituationExplorer(ModelView):
    """Choose samples, a bar layout and a sample size N; see the bars and expected counts."""

    title = "Strange Situation distributions across samples"

    def make_controls(self) -> dict:
        table = strange_situation()
        options = [(f"{r['sample']} [{r['status']}]", r["key"]) for r in table.rows]
        return {
            "samples": ipywidgets.SelectMultiple(
                options=options, value=("ainsworth_1978_pooled", "madigan_2023"), rows=len(options),
                description="Samples to compare (Ctrl/Cmd-click for several)"),
            "mode": ipywidgets.ToggleButtons(options=[("Stacked", "stacked"), ("Grouped", "grouped")],
                                             value="stacked", description="Bar layout"),
            "n": ipywidgets.BoundedIntText(value=100, min=1, max=100_000, step=1,
                                           description="Sample size N for expected counts (children)"),
        }

    def compute(self, samples, mode, n):
        return compare_samples(tuple(samples), n)

    def plot(self, result):
        # One figure per bar layout, framed by every sample in the table (fixed axes and legend), its bars
        # redrawn in place, each layout with its own saved background, so neither a new choice of samples
        # nor a switch of layout changes the axes a Redrawer keeps.
        mode = self.controls["mode"].value
        frame = sample_keys()
        figures = self.__dict__.setdefault("_figures", {})
        drawn = self.__dict__.setdefault("_drawn", {})
        if mode not in figures:
            figures[mode] = plot_strange_situation(result, mode, frame=frame)
        elif drawn.get(mode) != result.distributions:
            _update_strange_situation(figures[mode], result, mode, frame)
        drawn[mode] = result.distributions
        if not isinstance(self.redrawer, _RedrawerPerLayout):  # once, at the first drawing
            self.redrawer = _RedrawerPerLayout()
        self.redrawer.layout = mode  # ModelView.update renders with self.redrawer after plot()
        return figures[mode]

    def describe(self, result):
        return describe_strange_situation(result)

    def summarise(self, result) -> str:
        head = "".join(f"<th>{c} {CATEGORY_NAMES[c]}</th>" for c in CATEGORIES)
        rows = []
        for dist, exp in zip(result.distributions, result.expected):
            cells = "".join(
                "<td>not reported</td>" if exp.counts[c] is None
                else f"<td>{dist.percent[c]:g}% &rarr; {exp.counts[c]:.1f}</td>" for c in CATEGORIES)
            rows.append(f"<tr><td>{html.escape(dist.sample)} (N {html.escape(dist.n_note)}; "
                        f"{dist.status}: {_STATUS_TEXT.get(dist.status, dist.status)})</td>{cells}</tr>")
        return (f"<p>Expected number of children in each category in a sample of <b>N = {result.n}</b> "
                f"(percent &rarr; N &times; percent / 100):</p>"
                f"<table><tr><th>Sample</th>{head}</tr>{''.join(rows)}</table>")


# ==========================================================================
# 2. Secure base and exploration: the course's own illustrative model
# ==========================================================================
#: Behaviour codes used in :class:`SecureBaseResult.mode`.
MODES = ("exploring", "returning", "at base")
_EXPLORE, _RETURN, _BASE = 0, 1, 2


@dataclass(frozen=True)
class SecureBaseResult:
    """A seeded run of the secure-base model, one value per second.

    Arrays: ``time_s`` (s, end of each second), ``distance_m`` (infant's distance from the
    caregiver at the end of the second, m), ``security`` (felt security at the end of the second,
    0-1), ``mode`` (what the infant did during the second, index into :data:`MODES`), ``comforted``
    (True where the caregiver responded to the infant at base that second), ``startled``
    (True where a startling event happened). Summaries: ``fraction_exploring`` (0-1, share of
    seconds spent exploring), ``mean_distance_m``, ``n_returns`` (trips back to the caregiver),
    ``mean_base_visit_s`` (mean length of a completed stay at base, s; nan if none).
    """

    responsiveness: float
    startle_per_min: float
    duration_s: int
    seed: int | None
    parameters: dict
    time_s: np.ndarray
    distance_m: np.ndarray
    security: np.ndarray
    mode: np.ndarray
    comforted: np.ndarray
    startled: np.ndarray
    fraction_exploring: float
    mean_distance_m: float
    n_returns: int
    mean_base_visit_s: float


def simulate_secure_base(responsiveness: float = 0.7, *, startle_per_min: float = 0.5, duration_s: int = 600,
                         seed=0, max_range_m: float = 5.0, speed_m_per_s: float = 0.3,
                         drain_per_s: float = 0.02, comfort_per_s: float = 0.10,
                         self_soothe_per_s: float = 0.01, startle_drop: float = 0.3,
                         return_below: float = 0.3, explore_above: float = 0.8) -> SecureBaseResult:
    """Simulate an infant using a caregiver as a secure base, one step per second.

    The course's own illustrative model; every parameter is an assumption chosen to make
    the idea visible, not an estimate. Felt security ``s`` (0-1) sets how far the infant
    is willing to roam (``max_range_m * s``, m). While exploring, ``s`` drains at
    ``drain_per_s`` x distance / ``max_range_m`` per second, and a startling event (rate
    ``startle_per_min`` per minute) takes away ``startle_drop``. Below ``return_below`` the
    infant heads back at ``speed_m_per_s`` (m/s). At the caregiver, each second the caregiver
    responds with probability ``responsiveness`` (0-1), restoring ``comfort_per_s``; otherwise
    the infant self-soothes by ``self_soothe_per_s``. At ``explore_above`` it sets off again.
    Two uniform numbers are drawn every second whatever the infant is doing, so runs with the
    same seed share their random events and differ only through the parameters.
    """
    r = _real("responsiveness", responsiveness, low=0.0, high=1.0)
    startle = _real("startle_per_min", startle_per_min, low=0.0, high=60.0)
    steps = _integer("duration_s", duration_s, low=1)
    max_range = _real("max_range_m", max_range_m, low=0.0, low_open=True)
    speed = _real("speed_m_per_s", speed_m_per_s, low=0.0, low_open=True)
    drain = _real("drain_per_s", drain_per_s, low=0.0, high=1.0)
    comfort = _real("comfort_per_s", comfort_per_s, low=0.0, high=1.0)
    soothe = _real("self_soothe_per_s", self_soothe_per_s, low=0.0, high=1.0)
    drop = _real("startle_drop", startle_drop, low=0.0, high=1.0)
    low = _real("return_below", return_below, low=0.0, high=1.0)
    high = _real("explore_above", explore_above, low=0.0, high=1.0)
    if not low < high:
        raise ValueError(f"return_below, explore_above: need return_below < explore_above, got {low} and {high}")
    rng = _rng(seed)
    p_startle = startle / 60.0  # per second

    distance = np.zeros(steps)
    security = np.zeros(steps)
    mode = np.zeros(steps, dtype=np.int8)
    comforted = np.zeros(steps, dtype=bool)
    startled = np.zeros(steps, dtype=bool)
    x, s, m = 0.0, high, _EXPLORE
    for t in range(steps):
        mode[t] = m  # what the infant does during this second
        u_startle, u_respond = rng.random(2)
        if u_startle < p_startle:
            startled[t] = True
            s -= drop
        if m == _EXPLORE:
            s -= drain * x / max_range
            s = min(max(s, 0.0), 1.0)
            target = max_range * s
            x += min(max(target - x, -speed), speed)
            if s < low:
                m = _RETURN
        elif m == _RETURN:
            s = min(max(s, 0.0), 1.0)
            x = max(0.0, x - speed)
            if x == 0.0:
                m = _BASE
        else:
            if u_respond < r:
                comforted[t] = True
                s += comfort
            else:
                s += soothe
            s = min(max(s, 0.0), 1.0)
            if s >= high:
                m = _EXPLORE
        distance[t], security[t] = x, s  # state at the end of this second

    # summaries
    previous = np.concatenate(([_EXPLORE], mode[:-1]))
    n_returns = int(np.sum((mode == _RETURN) & (previous != _RETURN)))
    visits, run = [], 0
    for code in mode:
        if code == _BASE:
            run += 1
        elif run:
            visits.append(run)
            run = 0
    params = {"max_range_m": max_range, "speed_m_per_s": speed, "drain_per_s": drain, "comfort_per_s": comfort,
              "self_soothe_per_s": soothe, "startle_drop": drop, "return_below": low, "explore_above": high}
    for array in (distance, security, mode, comforted, startled):
        array.setflags(write=False)
    time_s = np.arange(1, steps + 1, dtype=float)
    time_s.setflags(write=False)
    return SecureBaseResult(
        responsiveness=r, startle_per_min=startle, duration_s=steps,
        seed=None if isinstance(seed, np.random.Generator) else int(seed), parameters=params,
        time_s=time_s, distance_m=distance, security=security, mode=mode, comforted=comforted, startled=startled,
        fraction_exploring=float(np.mean(mode == _EXPLORE)), mean_distance_m=float(np.mean(distance)),
        n_returns=n_returns, mean_base_visit_s=float(np.mean(visits)) if visits else float("nan"),
    )


def plot_secure_base(result: SecureBaseResult, ax=None):
    """Two panels over time (min): distance from the caregiver (m) and felt security (0-1)."""
    if ax is None:
        fig, (ax_d, ax_s) = new_figure(7.0, 5.0, nrows=2)
    else:
        ax_d, ax_s = ax
        fig = ax_d.figure
    minutes = result.time_s / 60.0
    ax_d.plot(minutes, result.distance_m, color=PALETTE["blue"], linestyle=LINESTYLES[0], label="distance from caregiver")
    at_base = np.where(result.mode == _BASE, 1.0, np.nan)
    ax_d.plot(minutes, at_base * 0.0, color=PALETTE["vermillion"], linewidth=5, solid_capstyle="butt",
              label="at base with caregiver")
    ax_d.set_ylabel("Distance (m)")
    ax_d.set_ylim(-0.3, result.parameters["max_range_m"] * 1.05)
    ax_d.legend(loc="upper right", fontsize=8, ncol=2)
    ax_d.set_title(_secure_base_title(result))
    ax_s.plot(minutes, result.security, color=PALETTE["orange"], linestyle=LINESTYLES[1], label="felt security")
    ax_s.axhline(result.parameters["explore_above"], color=PALETTE["green"], linestyle=LINESTYLES[3],
                 label="sets off exploring above")
    ax_s.axhline(result.parameters["return_below"], color=PALETTE["black"], linestyle=LINESTYLES[2],
                 label="heads back below")
    # always drawn (empty without startling events), so the legend and the layout stay the same
    ax_s.plot(minutes[result.startled], result.security[result.startled], linestyle="none",
              marker=MARKERS[2], color=PALETTE["purple"], label="startling event")
    ax_s.set_ylabel("Felt security (0-1)")
    ax_s.set_xlabel("Time (min)")
    ax_s.set_ylim(0, 1.05)
    ax_s.legend(loc="upper center", bbox_to_anchor=(0.5, -0.32), fontsize=8, ncol=4)
    return fig


def _secure_base_title(result: SecureBaseResult) -> str:
    return f"Secure-base model (illustrative): responsiveness {result.responsiveness:.2f}, seed {result.seed}"


def _update_secure_base(fig, result: SecureBaseResult) -> bool:
    """Change a figure made by :func:`plot_secure_base` in place for another run of the same length and
    thresholds (line data, title); False when it cannot."""
    ax_d, ax_s = fig.axes
    distance, at_base = ax_d.lines
    security, explore, back, startled = ax_s.lines
    minutes = result.time_s / 60.0
    if (len(distance.get_xdata()) != len(minutes) or explore.get_ydata()[0] != result.parameters["explore_above"]
            or back.get_ydata()[0] != result.parameters["return_below"]):
        return False
    distance.set_ydata(result.distance_m)
    at_base.set_ydata(np.where(result.mode == _BASE, 0.0, np.nan))
    security.set_ydata(result.security)
    startled.set_data(minutes[result.startled], result.security[result.startled])
    ax_d.set_title(_secure_base_title(result))
    return True


def describe_secure_base(result: SecureBaseResult) -> str:
    """One-sentence description of :func:`plot_secure_base`."""
    return (f"Over {result.duration_s / 60:g} minutes with caregiver responsiveness {result.responsiveness:.2f}, "
            f"the simulated infant explored {result.fraction_exploring:.0%} of the time at a mean distance of "
            f"{result.mean_distance_m:.1f} m, returned to the caregiver {result.n_returns} times, and its felt "
            f"security rose at each return and fell while it explored.")


class SecureBaseExplorer(ModelView):
    """Sliders for the caregiver's responsiveness, startling events and the seed of the secure-base model."""

    title = "Secure base and exploration (the course's illustrative model)"

    def make_controls(self) -> dict:
        return {
            "responsiveness": ipywidgets.FloatSlider(
                value=0.7, min=0.0, max=1.0, step=0.05,
                description="Caregiver responsiveness (chance of a response each second at base)"),
            "startle_per_min": ipywidgets.FloatSlider(
                value=0.5, min=0.0, max=3.0, step=0.25, description="Startling events per minute (assumption)"),
            "seed": ipywidgets.BoundedIntText(value=1, min=0, max=10_000, description="Random seed"),
        }

    def compute(self, responsiveness, startle_per_min, seed):
        return simulate_secure_base(responsiveness, startle_per_min=startle_per_min, seed=seed)

    def plot(self, result):
        fig = getattr(self, "_figure", None)  # one figure, its lines changed in place (fixed axes)
        if fig is None or not _update_secure_base(fig, result):
            fig = self._figure = plot_secure_base(result)
        return fig

    def describe(self, result):
        return describe_secure_base(result)

    def summarise(self, result) -> str:
        visit = ("no completed stay" if math.isnan(result.mean_base_visit_s)
                 else f"{result.mean_base_visit_s:.1f} s")
        return (f"<p>Time exploring: <b>{result.fraction_exploring:.1%}</b> &middot; mean distance "
                f"<b>{result.mean_distance_m:.2f} m</b> &middot; returns to the caregiver <b>{result.n_returns}</b>"
                f" &middot; mean stay at base {visit}.</p>"
                f"<p>Put in an answer cell: <code>simulate_secure_base({result.responsiveness:g}, "
                f"startle_per_min={result.startle_per_min:g}, seed={result.seed})</code></p>")


# ==========================================================================
# 3. Attunement: the course's coding of moments against Stern (1985)
# ==========================================================================
SHAPES = ("burst", "swell", "steady")
MODALITIES = ("voice", "face", "movement", "touch")
LABELS = ("attuned", "imitation", "misattuned")


@dataclass(frozen=True)
class Expression:
    """One expression of feeling: channel, contour, peak intensity (0-1), onset (s), duration (s)."""

    modality: str
    shape: str
    peak: float
    onset_s: float
    duration_s: float

    def __post_init__(self):
        if self.modality not in MODALITIES:
            raise ValueError(f"modality: expected one of {MODALITIES}, got {self.modality!r}")
        if self.shape not in SHAPES:
            raise ValueError(f"shape: expected one of {SHAPES}, got {self.shape!r}")
        object.__setattr__(self, "peak", _real("peak", self.peak, low=0.0, high=1.0))
        object.__setattr__(self, "onset_s", _real("onset_s", self.onset_s, low=0.0))
        object.__setattr__(self, "duration_s", _real("duration_s", self.duration_s, low=0.0, low_open=True))


@dataclass(frozen=True)
class AttunementAssessment:
    """How a response compares with the infant's expression, and the course's label.

    ``intensity_gap`` (0-1 scale), ``onset_lag_s`` (s, response onset minus infant onset),
    ``duration_ratio`` (response / infant); the three ``*_matched`` flags use the tolerances;
    ``cross_modal`` is True when the response uses another channel.
    """

    intensity_gap: float
    onset_lag_s: float
    duration_ratio: float
    intensity_matched: bool
    timing_matched: bool
    shape_matched: bool
    cross_modal: bool
    copies_behaviour: bool
    label: str
    reasons: tuple


@dataclass(frozen=True)
class AttunementExample:
    """A worked example from the packaged table ``attunement_examples``."""

    key: str
    title: str
    age_months: int
    infant_text: str
    response_text: str
    infant: Expression
    response: Expression
    copies_behaviour: bool
    course_label: str
    reason: str


def expression_contour(expression: Expression, times_s) -> np.ndarray:
    """Intensity (0-1) of an expression at each time in ``times_s`` (s); 0 outside its window.

    burst: rises over the first 20% of the duration, falls over the rest; swell: rises over
    the first 75%, falls over the rest; steady: rises and falls within 10% at each end.
    """
    if not isinstance(expression, Expression):
        raise ValueError(f"expression: expected an Expression, got {type(expression).__name__}")
    t = np.asarray(times_s, dtype=float)
    u = (t - expression.onset_s) / expression.duration_s
    peak_at = {"burst": 0.2, "swell": 0.75}.get(expression.shape)
    if peak_at is None:  # steady
        level = np.clip(np.minimum(u / 0.1, (1 - u) / 0.1), 0.0, 1.0)
    else:
        level = np.where(u <= peak_at, u / peak_at, (1 - u) / (1 - peak_at))
    level = np.where((u >= 0) & (u <= 1), np.clip(level, 0.0, 1.0), 0.0)
    return expression.peak * level


def assess_attunement(infant: Expression, response: Expression, *, copies_behaviour: bool = False,
                      intensity_tolerance: float = 0.2, max_lag_s: float = 1.5,
                      duration_tolerance: float = 1.5) -> AttunementAssessment:
    """Apply the course's transparent rule for one moment.

    Matched intensity: peaks differ by at most ``intensity_tolerance`` (0-1 scale). Matched
    timing: the response starts 0 to ``max_lag_s`` seconds after the infant and lasts between
    1/``duration_tolerance`` and ``duration_tolerance`` times as long. Matched shape: same contour.
    Label: all three matched and not a copy of the behaviour -> "attuned" (often in another
    modality); all three matched but a same-modality copy -> "imitation"; otherwise "misattuned".

    This is a deliberately strict teaching convention, not Stern's criterion: Stern (1985) described
    attunements that match only some features of the infant's feeling, and used "misattunement" for
    purposeful over- or under-matching. Notebook 06 says so where it introduces the sorter.
    """
    if not isinstance(infant, Expression):
        raise ValueError(f"infant: expected an Expression, got {type(infant).__name__}")
    if not isinstance(response, Expression):
        raise ValueError(f"response: expected an Expression, got {type(response).__name__}")
    if not isinstance(copies_behaviour, bool):
        raise ValueError(f"copies_behaviour: expected True or False, got {copies_behaviour!r}")
    tol = _real("intensity_tolerance", intensity_tolerance, low=0.0, high=1.0)
    lag_max = _real("max_lag_s", max_lag_s, low=0.0)
    dur_tol = _real("duration_tolerance", duration_tolerance, low=1.0)
    if copies_behaviour and response.modality != infant.modality:
        raise ValueError("copies_behaviour: a copy of the infant's behaviour must use the same modality")
    gap = abs(response.peak - infant.peak)
    lag = response.onset_s - infant.onset_s
    ratio = response.duration_s / infant.duration_s
    intensity_ok = gap <= tol + 1e-9
    timing_ok = (0.0 <= lag <= lag_max + 1e-9) and (1.0 / dur_tol - 1e-9 <= ratio <= dur_tol + 1e-9)
    shape_ok = response.shape == infant.shape
    reasons = []
    reasons.append(f"intensity {'matched' if intensity_ok else 'not matched'} (gap {gap:.2f})")
    reasons.append(f"timing {'matched' if timing_ok else 'not matched'} (starts {lag:+.1f} s, lasts {ratio:.2f}x as long)")
    reasons.append(f"shape {'matched' if shape_ok else 'not matched'} ({infant.shape} vs {response.shape})")
    reasons.append(f"{'another' if response.modality != infant.modality else 'the same'} modality "
                   f"({infant.modality} to {response.modality})")
    if copies_behaviour:
        reasons.append("the response copies the infant's behaviour")
    if intensity_ok and timing_ok and shape_ok:
        label = "imitation" if copies_behaviour else "attuned"
    else:
        label = "misattuned"
    return AttunementAssessment(
        intensity_gap=gap, onset_lag_s=lag, duration_ratio=ratio, intensity_matched=intensity_ok,
        timing_matched=timing_ok, shape_matched=shape_ok, cross_modal=response.modality != infant.modality,
        copies_behaviour=copies_behaviour, label=label, reasons=tuple(reasons),
    )


def attunement_examples() -> tuple:
    """The course's worked examples (packaged table ``attunement_examples``) as :class:`AttunementExample`s."""
    table = load_table("attunement_examples")
    examples = []
    for row in table.rows:
        def expr(who):
            return Expression(modality=row[f"{who}_modality"], shape=row[f"{who}_shape"], peak=row[f"{who}_peak"],
                              onset_s=row[f"{who}_onset_s"], duration_s=row[f"{who}_duration_s"])
        examples.append(AttunementExample(
            key=row["key"], title=row["title"], age_months=int(row["age_months"]), infant_text=row["infant_text"],
            response_text=row["response_text"], infant=expr("infant"), response=expr("response"),
            copies_behaviour=row["copies_behaviour"] == "yes", course_label=row["course_label"], reason=row["reason"]))
    return tuple(examples)


@dataclass(frozen=True)
class ExampleAssessment:
    """A worked example with the course rule's assessment of it."""

    example: AttunementExample
    assessment: AttunementAssessment


def assess_example(key: str) -> ExampleAssessment:
    """Assess one worked example (by key) with :func:`assess_attunement`."""
    if not isinstance(key, str):
        raise ValueError(f"key: expected an example key (str), got {type(key).__name__}")
    for example in attunement_examples():
        if example.key == key:
            result = assess_attunement(example.infant, example.response, copies_behaviour=example.copies_behaviour)
            return ExampleAssessment(example=example, assessment=result)
    raise ValueError(f"key: unknown example {key!r}; known: {[e.key for e in attunement_examples()]}")


def plot_attunement(result: ExampleAssessment, ax=None):
    """Intensity (0-1) over time (s) of the infant's expression and the caregiver's response."""
    if ax is None:
        fig, ax = new_figure(7.0, 3.2)
    else:
        fig = ax.figure
    ex = result.example
    end = max(ex.infant.onset_s + ex.infant.duration_s, ex.response.onset_s + ex.response.duration_s) + 0.5
    t = np.linspace(0.0, end, 400)
    ax.plot(t, expression_contour(ex.infant, t), color=PALETTE["blue"], linestyle=LINESTYLES[0], linewidth=2,
            label=f"infant ({ex.infant.modality}, {ex.infant.shape})")
    ax.plot(t, expression_contour(ex.response, t), color=PALETTE["vermillion"], linestyle=LINESTYLES[1],
            linewidth=2, label=f"caregiver ({ex.response.modality}, {ex.response.shape})")
    ax.set_ylim(0, 1.05)
    ax.set_xlim(0, end)
    ax.set_xlabel("Time from the start of the moment (s)")
    ax.set_ylabel("Intensity (course's 0-1 scale)")
    ax.set_title(f"{ex.title}: course's label '{result.assessment.label}'")
    ax.legend(loc="upper right", fontsize=8)
    return fig


def describe_attunement(result: ExampleAssessment) -> str:
    """One-sentence description of :func:`plot_attunement`."""
    ex, a = result.example, result.assessment
    return (f"Intensity over time for '{ex.title}': the infant's {ex.infant.shape} of {ex.infant.modality} peaks at "
            f"{ex.infant.peak:g}, the caregiver's {ex.response.shape} of {ex.response.modality} peaks at "
            f"{ex.response.peak:g} starting {a.onset_lag_s:+.1f} s later; the course's label is '{a.label}'.")


# --------------------------------------------------------------------------
# Practice: which response matches the infant's feeling on one dimension?
# --------------------------------------------------------------------------
DIMENSIONS = ("intensity", "timing", "shape")
OPTION_LETTERS = ("A", "B", "C")
_INFANT_MODALITIES = ("voice", "face", "movement")
_MATCH_XLIM_S = 11.0  # every generated expression ends before this (s): fixed axes for the view
_HINTS = {
    "intensity": "Compare the heights of the peaks: within 0.2 of each other on the course's 0-1 scale counts as a "
                 "match.",
    "timing": "Compare when each starts and how long it lasts: starting 0 to 1.5 s after the infant, and lasting "
              "between 1/1.5 and 1.5 times as long, counts as a match.",
    "shape": "Compare where each contour peaks: early and falling away (burst), late after a slow rise (swell), or "
             "level (steady).",
}


@dataclass(frozen=True)
class MatchPuzzle:
    """An infant's expression and three caregiver responses (A, B, C), each in another modality.

    Exactly one response (``answer``) matches the infant on ``dimension`` under the course's
    tolerances (:func:`assess_attunement`); the others do not, though they may match on the other
    dimensions. ``seed`` is None when a Generator was passed.
    """

    dimension: str
    infant: Expression
    options: tuple
    answer: str
    seed: int | None

    def option(self, letter: str) -> Expression:
        """The response labelled ``letter``."""
        if letter not in OPTION_LETTERS:
            raise ValueError(f"letter: expected one of {OPTION_LETTERS}, got {letter!r}")
        return self.options[OPTION_LETTERS.index(letter)]


@dataclass(frozen=True)
class MatchFeedback:
    """The learner's pick for a :class:`MatchPuzzle` and what the course says about it.

    ``choice`` is None before a pick (then ``correct`` and ``assessment`` are None too);
    ``matched`` maps each dimension to whether the picked response matches it; ``message`` says
    whether and why.
    """

    puzzle: MatchPuzzle
    choice: str | None
    correct: bool | None
    assessment: AttunementAssessment | None
    matched: dict
    message: str


def _matched(a: AttunementAssessment) -> dict:
    return {"intensity": a.intensity_matched, "timing": a.timing_matched, "shape": a.shape_matched}


def _respond(rng: np.random.Generator, infant: Expression, modality: str, match: dict) -> Expression:
    """A response in ``modality`` that matches ``infant`` exactly on the dimensions ``match`` marks True
    (with margins well inside the course's tolerances) and clearly misses on the others."""
    if match["intensity"]:
        peak = infant.peak + rng.uniform(-0.1, 0.1)
    else:
        up = infant.peak <= 0.6 and (infant.peak < 0.45 or rng.random() < 0.5)
        peak = infant.peak + rng.uniform(0.35, 0.4) if up else infant.peak - rng.uniform(0.3, 0.35)
    lag, ratio = rng.uniform(0.2, 1.0), rng.uniform(0.8, 1.25)
    if not match["timing"]:
        kind = rng.integers(3)
        if kind == 0:
            lag = rng.uniform(2.5, 4.0)      # late
        elif kind == 1:
            ratio = rng.uniform(2.0, 2.5)    # far too long
        else:
            ratio = rng.uniform(0.3, 0.45)   # cut short
    shape = infant.shape if match["shape"] else str(rng.choice([s for s in SHAPES if s != infant.shape]))
    return Expression(modality=modality, shape=shape, peak=round(float(np.clip(peak, 0.05, 1.0)), 2),
                      onset_s=round(infant.onset_s + lag, 1), duration_s=round(infant.duration_s * ratio, 1))


def matching_puzzle(dimension: str = "intensity", seed=1) -> MatchPuzzle:
    """A seeded practice item: an infant's expression and three responses in other modalities, of which
    exactly one matches it on ``dimension`` ("intensity", "timing" or "shape").

    The infant: a random modality (voice, face or movement) and shape, peak 0.3-0.9, onset 0-1 s, duration 1.5-3.5 s. The
    matching response matches on each other dimension with probability 1/2 (Stern's attunements
    often match only some features); one wrong response matches on both other dimensions (a near
    miss) and the last on each with probability 1/2. Position of the match: uniform over A, B, C.
    ``seed``: a non-negative int or a ``numpy.random.Generator`` (no global random state).
    """
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension: expected one of {DIMENSIONS}, got {dimension!r}")
    rng = _rng(seed)
    if not isinstance(seed, np.random.Generator):  # each dimension its own example for a seed
        rng = np.random.default_rng([int(seed), DIMENSIONS.index(dimension)])
    infant = Expression(modality=str(rng.choice(_INFANT_MODALITIES)), shape=str(rng.choice(SHAPES)),
                        peak=round(float(rng.uniform(0.3, 0.9)), 2), onset_s=round(float(rng.uniform(0.0, 1.0)), 1),
                        duration_s=round(float(rng.uniform(1.5, 3.5)), 1))
    others = [d for d in DIMENSIONS if d != dimension]
    plans = [{dimension: True, **{d: bool(rng.random() < 0.5) for d in others}},
             {dimension: False, **{d: True for d in others}},
             {dimension: False, **{d: bool(rng.random() < 0.5) for d in others}}]
    modalities = rng.permutation([m for m in MODALITIES if m != infant.modality])
    order = rng.permutation(3)  # order[k]: which plan sits at letter k
    options = tuple(_respond(rng, infant, str(modalities[k]), plans[order[k]]) for k in range(3))
    answer = OPTION_LETTERS[int(np.flatnonzero(order == 0)[0])]
    for letter, option, k in zip(OPTION_LETTERS, options, order):  # the generator's promise, checked
        assert _matched(assess_attunement(infant, option)) == plans[k], (letter, option)
    return MatchPuzzle(dimension=dimension, infant=infant, options=options, answer=answer,
                       seed=None if isinstance(seed, np.random.Generator) else int(seed))


def _dimension_text(dimension: str, infant: Expression, response: Expression, a: AttunementAssessment) -> str:
    if dimension == "intensity":
        return f"its peak is {response.peak:.2f} against the infant's {infant.peak:.2f}, a gap of {a.intensity_gap:.2f}"
    if dimension == "timing":
        when = (f"{a.onset_lag_s:.1f} s after" if a.onset_lag_s >= 0 else f"{-a.onset_lag_s:.1f} s before")
        return (f"it starts {when} the infant and lasts {a.duration_ratio:.2f} times as long "
                f"({response.duration_s:g} s against {infant.duration_s:g} s)")
    return f"it is a {response.shape} against the infant's {infant.shape}"


def check_match(puzzle: MatchPuzzle, choice) -> MatchFeedback:
    """Whether ``choice`` ("A", "B", "C"; "" or None for no pick yet) matches the infant on the puzzle's
    dimension, with the reason in words (the course's tolerances, :func:`assess_attunement`)."""
    if not isinstance(puzzle, MatchPuzzle):
        raise ValueError(f"puzzle: expected a MatchPuzzle, got {type(puzzle).__name__}")
    if choice in (None, ""):
        return MatchFeedback(puzzle=puzzle, choice=None, correct=None, assessment=None, matched={},
                             message=f"Which response matches the infant's {puzzle.dimension}? Pick A, B or C.")
    if choice not in OPTION_LETTERS:
        raise ValueError(f"choice: expected one of {OPTION_LETTERS} (or '' for none yet), got {choice!r}")
    infant, response = puzzle.infant, puzzle.option(choice)
    a = assess_attunement(infant, response)
    matched = _matched(a)
    dim = puzzle.dimension
    why = _dimension_text(dim, infant, response, a)
    others = [d for d in DIMENSIONS if d != dim]
    also = [d for d in others if matched[d]]
    missed = [d for d in others if not matched[d]]
    if matched[dim]:
        message = (f"Yes: response {choice} matches the infant's {dim}: {why}. It is in {response.modality}, not the "
                   f"infant's {infant.modality}, so what it carries is the feeling's {dim}, not the behaviour: "
                   f"Stern's (1985) cross-modal matching.")
        if missed:
            message += (f" It does not match the {' or the '.join(missed)}; Stern found that attunements often "
                        f"match only some features.")
        else:
            message += " It matches the other two dimensions as well."
    else:
        message = f"Not this one: response {choice} does not match the infant's {dim}: {why}."
        if also:
            message += (f" It does match the {' and the '.join(also)}, which can make it look close; a match on "
                        f"other dimensions is not a match on {dim}.")
        message += " " + _HINTS[dim]
    return MatchFeedback(puzzle=puzzle, choice=choice, correct=matched[dim], assessment=a, matched=matched,
                         message=message)


_MATCH_TIMES = np.linspace(0.0, _MATCH_XLIM_S, 221)


def _match_title(letter: str, response: Expression, feedback: MatchFeedback) -> str:
    mark = ""
    if feedback.choice == letter:
        mark = ": your pick, a match" if feedback.correct else ": your pick, no match"
    return f"{letter} ({response.modality}){mark}" if mark else f"Response {letter} ({response.modality})"


def plot_matching(feedback: MatchFeedback, fig=None):
    """Four panels of intensity (0-1) over time (s): the infant's expression, and each response beside it
    (the infant's contour dotted for comparison). Fixed axes (0-11 s, 0-1.05); with ``fig`` (a figure this
    function made) the lines and titles are changed in place."""
    puzzle = feedback.puzzle
    t = _MATCH_TIMES
    infant_y = expression_contour(puzzle.infant, t)
    infant_title = f"Infant ({puzzle.infant.modality}): match its {puzzle.dimension}"
    if fig is not None:
        axes = fig.axes
        axes[0].lines[0].set_ydata(infant_y)
        axes[0].set_title(infant_title, fontsize=10)
        for ax, letter, response in zip(axes[1:], OPTION_LETTERS, puzzle.options):
            ax.lines[0].set_ydata(infant_y)
            ax.lines[1].set_ydata(expression_contour(response, t))
            ax.set_title(_match_title(letter, response, feedback), fontsize=10)
        return fig
    fig, grid = new_figure(7.0, 4.6, nrows=2, ncols=2)
    axes = list(grid.flat)
    axes[0].plot(t, infant_y, color=PALETTE["blue"], linestyle=LINESTYLES[0], linewidth=2, label="infant")
    axes[0].set_title(infant_title, fontsize=10)
    for ax, letter, response in zip(axes[1:], OPTION_LETTERS, puzzle.options):
        ax.plot(t, infant_y, color=PALETTE["blue"], linestyle=LINESTYLES[2], linewidth=1.5, label="infant")
        ax.plot(t, expression_contour(response, t), color=PALETTE["vermillion"], linestyle=LINESTYLES[1],
                linewidth=2, label="caregiver's response")
        ax.set_title(_match_title(letter, response, feedback), fontsize=10)
    for ax in axes:
        ax.set_xlim(0, _MATCH_XLIM_S)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("Time (s)", fontsize=9)
        ax.set_ylabel("Intensity (0-1)", fontsize=9)
    axes[1].legend(loc="upper right", fontsize=8)
    return fig


def describe_matching(feedback: MatchFeedback) -> str:
    """One-sentence description of :func:`plot_matching` (says nothing about which response matches)."""
    p = feedback.puzzle

    def words(e: Expression) -> str:
        return (f"a {e.shape} of {e.modality} peaking at {e.peak:g}, from {e.onset_s:g} s for {e.duration_s:g} s")

    options = "; ".join(f"response {letter} is {words(e)}" for letter, e in zip(OPTION_LETTERS, p.options))
    return (f"Four panels of intensity (0-1) over time (0-11 s): the infant's expression is {words(p.infant)}; "
            f"{options}.")


class AttunementSorter(ModelView):
    """Practice Stern's cross-modal matching: for the infant's expression shown, pick the caregiver response
    (each in another modality) that matches it on the chosen dimension, and read why; ask for new examples."""

    title = "Which response matches the infant's feeling? (fictional examples on the course's scales)"

    def __init__(self, **initial):
        super().__init__(**initial)
        self.new_example = ipywidgets.Button(description="New example", icon="refresh",
                                             tooltip="Draw another infant expression and three responses")
        self.new_example.on_click(self._next_example)
        header = [ipywidgets.HTML(f"<b>{html.escape(self.title)}</b>")]
        self.widget = ipywidgets.VBox(header + [side_by_side(
            list(self.controls.values()) + [self.new_example, self.error, self.summary], [self.figure])])

    def make_controls(self) -> dict:
        return {
            "dimension": ipywidgets.Dropdown(options=[("intensity (how strong)", "intensity"),
                                                      ("timing (when, and for how long)", "timing"),
                                                      ("shape (burst, swell or steady)", "shape")],
                                             value="intensity", description="Dimension to match"),
            "example": ipywidgets.BoundedIntText(value=1, min=0, max=9999, description="Example number (seed)"),
            "choice": ipywidgets.RadioButtons(options=[("not yet", ""), ("A", "A"), ("B", "B"), ("C", "C")],
                                              value="", description="The response that matches is"),
        }

    def _next_example(self, _button=None) -> None:
        """A new example: clear the pick, then move the seed on (wraps at the control's maximum)."""
        self.controls["choice"].value = ""
        example = self.controls["example"]
        example.value = example.min if example.value >= example.max else example.value + 1

    def compute(self, dimension, example, choice):
        return check_match(matching_puzzle(dimension, seed=example), choice)

    def plot(self, result):
        fig = getattr(self, "_figure", None)
        self._figure = plot_matching(result, fig)
        return self._figure

    def describe(self, result):
        return describe_matching(result)

    def summarise(self, result) -> str:
        style = ""
        if result.correct is not None:
            style = f" style='border-left:4px solid {PALETTE['green'] if result.correct else PALETTE['orange']};" \
                    "padding-left:6px'"
        return (f"<p role='status'{style}>{html.escape(result.message)}</p>"
                "<p><i>Fictional contours on the course's scales; the tolerances are the course's, not Stern's.</i></p>")
