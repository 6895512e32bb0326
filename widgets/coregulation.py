"""Felt safety and co-regulation: the 4 S's and 6 R's matched to behaviours, and a co-regulation model.

Two pieces, each a pure model first, then figures, then a view:

* **Frameworks from practice.** The 4 S's (Seen, Safe, Soothed, Secure; Siegel & Bryson,
  2020, a popular parenting book seen through secondary sources, not empirical research)
  and Perry's 6 R's (Relational, Relevant, Repetitive, Rewarding, Rhythmic, Respectful;
  Neurosequential Model, seen through secondary sources, evidence base limited), packaged
  as ``four_s`` and ``six_r`` with the deck's wording and the course's explanation, and the
  course's own fictional caregiver behaviours matched to them (``coreg_behaviours``).
  :func:`match_behaviours` compares a learner's matches with the course's reading;
  :class:`BehaviourMatcher` wraps it in dropdowns.
* **Co-regulation of arousal**, the course's own *illustrative* model (a teaching toy, not a
  physiological model; no parameter is an empirical estimate): :func:`simulate_coregulation`,
  :func:`compare_caregivers`, :func:`plot_coregulation`, :class:`CoRegulationExplorer`.

The co-regulation model (one step = one second)
-----------------------------------------------
A child's **arousal** is a number on the course's 0-10 scale: 0 deeply calm or asleep,
2 calm and alert (the default resting **baseline**), about 5 fussing, about 8 crying hard,
10 the most distress the scale allows. It is not a clinical measure. At time 0 a stressor
lifts arousal from the baseline ``b`` by ``stressor`` points (capped at 10). Each second::

    a[t+1] = a[t] + self_regulation * (b - a[t])                      # the child's own settling
                  + co_regulation * calm * (b - a[t])                 # a calm adult helps settle (if present)
                  + contagion * (C - a[t])                            # the adult's own arousal pulls (if present)
                  + noise_sd * z[t]                                   # optional, seeded, z ~ N(0, 1)

clipped to [0, 10]. ``calm`` (0-1) is the caregiver's calm; the caregiver's own arousal is
``C = b + (1 - calm) * (10 - b)``: a fully calm adult sits at the child's resting level, a
fully stressed one at 10. Without noise the model is linear: the gap ``d = a - b`` obeys
``d[t+1] = (1 - r) * d[t] + k``, with total rate ``r = self_regulation + co_regulation * calm +
contagion`` (the last two only with a caregiver present) and push ``k = contagion * (C - b)``.
So ``d[t] = d* + (d[0] - d*) * (1 - r) ** t`` with settling gap ``d* = k / r``. The child
counts as **recovered** at the first second when ``|a - b| <= recovery_band * b`` (default:
within 10% of baseline, 0.2 points at baseline 2). With a fully calm caregiver or none,
``d* = 0`` and the recovery time is the smallest whole ``t`` with
``t >= log(band / d[0]) / log(1 - r)``. A caregiver who stays stressed keeps ``d* > 0``;
if ``d*`` is wider than the band, the child never fully settles while the adult stays that way.
"""
from __future__ import annotations

import html
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .data import load_table
from .figures import LINESTYLES, MARKERS, PALETTE, new_figure
from .view import ModelView
from .validate import real as _real
from .validate import integer as _integer

__all__ = [
    "FRAMEWORKS",
    "SCALE_MAX",
    "FrameworkItem",
    "BehaviourExample",
    "BehaviourMatchResult",
    "framework_items",
    "behaviour_examples",
    "match_behaviours",
    "plot_behaviour_matching",
    "describe_behaviour_matching",
    "BehaviourMatcher",
    "CoRegulationResult",
    "CaregiverComparison",
    "simulate_coregulation",
    "compare_caregivers",
    "plot_coregulation",
    "describe_coregulation",
    "CoRegulationExplorer",
]

#: The two frameworks (packaged table name -> how the course names it).
FRAMEWORKS = {"four_s": "the 4 S's", "six_r": "the 6 R's"}

#: Top of the course's arousal scale (0 = deeply calm, 10 = the most distress the scale allows).
SCALE_MAX = 10.0


# --------------------------------------------------------------------------
# Input checks (messages name the parameter)
# --------------------------------------------------------------------------
def _generator(seed) -> tuple[np.random.Generator, int | None]:
    if isinstance(seed, np.random.Generator):
        return seed, None
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed: expected a non-negative whole number or numpy Generator, got {seed!r}")
    return np.random.default_rng(int(seed)), int(seed)


def _framework(framework) -> str:
    if not isinstance(framework, str) or framework not in FRAMEWORKS:
        raise ValueError(f"framework: expected one of {list(FRAMEWORKS)}, got {framework!r}")
    return framework


# ==========================================================================
# 1. The 4 S's and the 6 R's, and behaviours matched to them
# ==========================================================================
@dataclass(frozen=True)
class FrameworkItem:
    """One S or R: its key, place in the deck's list, name, the deck's text and the course's explanation."""

    framework: str
    key: str
    order: int
    name: str
    deck_text: str
    meaning: str


@dataclass(frozen=True)
class BehaviourExample:
    """One of the course's fictional caregiver behaviours and the S or R it is mainly about."""

    framework: str
    key: str
    title: str
    behaviour: str
    course_match: str
    reason: str


def framework_items(framework: str) -> tuple[FrameworkItem, ...]:
    """The S's (``"four_s"``) or R's (``"six_r"``) from the packaged table, in the deck's order."""
    framework = _framework(framework)
    table = load_table(framework)
    text_column = "deck_wording" if framework == "four_s" else "deck_gloss"
    items = [FrameworkItem(framework=framework, key=r["key"], order=int(r["order"]), name=r["name"],
                           deck_text=r[text_column], meaning=r["meaning"]) for r in table.rows]
    return tuple(sorted(items, key=lambda item: item.order))


def behaviour_examples(framework: str) -> tuple[BehaviourExample, ...]:
    """The course's worked examples for one framework (packaged table ``coreg_behaviours``)."""
    framework = _framework(framework)
    rows = load_table("coreg_behaviours").where(framework=framework)
    return tuple(BehaviourExample(framework=r["framework"], key=r["key"], title=r["title"],
                                  behaviour=r["behaviour"], course_match=r["course_match"], reason=r["reason"])
                 for r in rows)


@dataclass(frozen=True)
class BehaviourMatchResult:
    """A learner's matches compared with the course's reading; ``""`` means not answered yet.

    ``agree`` holds True / False per example, or None where not answered.
    """

    framework: str
    keys: tuple
    choices: tuple
    course_matches: tuple
    agree: tuple
    feedback: tuple
    n_answered: int
    n_agree: int

    @property
    def n_items(self) -> int:
        """Number of examples."""
        return len(self.keys)


def match_behaviours(choices: Mapping, framework: str,
                     examples: Sequence[BehaviourExample] | None = None) -> BehaviourMatchResult:
    """Compare ``choices`` ({example key: S or R key, or "" for not yet}) with the course's reading.

    ``examples`` defaults to the packaged examples of ``framework``. Every example needs a
    choice; a value that is not a key of the framework (or "") is an error.
    """
    framework = _framework(framework)
    if not isinstance(choices, Mapping):
        raise ValueError(f"choices: give a dict {{example key: match}}; got {type(choices).__name__}")
    examples = behaviour_examples(framework) if examples is None else tuple(examples)
    if not examples or not all(isinstance(e, BehaviourExample) and e.framework == framework for e in examples):
        raise ValueError(f"examples: give a non-empty sequence of BehaviourExample for {framework}")
    items = {item.key: item for item in framework_items(framework)}
    keys = tuple(e.key for e in examples)
    missing = [k for k in keys if k not in choices]
    extra = [k for k in choices if k not in keys]
    if missing or extra:
        raise ValueError(f"choices: keys must be exactly {list(keys)} (missing {missing}, unexpected {extra})")
    picked, agree, feedback = [], [], []
    for example in examples:
        value = choices[example.key]
        if not isinstance(value, str) or (value.strip().casefold() not in items and value.strip() != ""):
            raise ValueError(f"choices: {example.key} must be one of {list(items)} (or \"\" for not answered); "
                             f"got {value!r}")
        value = value.strip().casefold()
        picked.append(value)
        course = items[example.course_match].name
        if value == "":
            agree.append(None)
            feedback.append("Not answered yet: choose the one this moment is mainly about.")
        elif value == example.course_match:
            agree.append(True)
            feedback.append(f"Agrees with the course's reading ({course}): {example.reason}")
        else:
            agree.append(False)
            feedback.append(f"You chose {items[value].name}; the course reads this mainly as {course}: "
                            f"{example.reason} Real moments often carry several at once; ask what this one is "
                            f"mainly about.")
    return BehaviourMatchResult(
        framework=framework, keys=keys, choices=tuple(picked),
        course_matches=tuple(e.course_match for e in examples), agree=tuple(agree), feedback=tuple(feedback),
        n_answered=sum(a is not None for a in agree), n_agree=sum(a is True for a in agree))


def plot_behaviour_matching(result: BehaviourMatchResult, ax=None):
    """Dot plot: the learner's match (circle) and, once answered, the course's reading (open square)."""
    items = framework_items(result.framework)
    position = {item.key: i for i, item in enumerate(items)}
    if ax is None:
        fig, ax = new_figure(7.0, 1.4 + 0.35 * result.n_items)
    else:
        fig = ax.figure
    ys = np.arange(result.n_items)[::-1]
    mine = [(position[c], y) for c, y in zip(result.choices, ys) if c]
    course = [(position[m], y) for m, y, c in zip(result.course_matches, ys, result.choices) if c]
    ax.plot([m[0] for m in mine], [m[1] for m in mine], linestyle="none", marker=MARKERS[0], markersize=9,
            color=PALETTE["blue"], label="your match")
    ax.plot([m[0] for m in course], [m[1] for m in course], linestyle="none", marker=MARKERS[1], markersize=15,
            markerfacecolor="none", markeredgewidth=2, color=PALETTE["orange"], label="course's reading")
    ax.set_yticks(ys, list(result.keys), fontsize=8)
    ax.set_xticks(range(len(items)), [item.name for item in items])
    ax.set_xlim(-0.5, len(items) - 0.5)
    ax.set_ylim(-0.7, result.n_items - 0.3)
    ax.set_xlabel(f"Category ({FRAMEWORKS[result.framework]})")
    ax.set_ylabel("Course example")
    ax.set_title(f"Matching {FRAMEWORKS[result.framework]}: {result.n_agree} of {result.n_items} agree "
                 f"with the course's reading", fontsize=11)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return fig


def describe_behaviour_matching(result: BehaviourMatchResult) -> str:
    """One sentence describing :func:`plot_behaviour_matching`."""
    name = FRAMEWORKS[result.framework]
    if result.n_answered == 0:
        return f"An empty grid of {result.n_items} course examples by {name}: no example has been matched yet."
    agreed = [k for k, a in zip(result.keys, result.agree) if a is True]
    differ = [k for k, a in zip(result.keys, result.agree) if a is False]
    return (f"A grid of {result.n_items} course examples by {name}: of {result.n_answered} matched, "
            f"{result.n_agree} agree with the course's reading ({', '.join(agreed) or 'none'}) and "
            f"{len(differ)} {'differs' if len(differ) == 1 else 'differ'} ({', '.join(differ) or 'none'}).")


class BehaviourMatcher(ModelView):
    """Dropdowns: match each of the course's worked examples to an S (``"four_s"``) or an R (``"six_r"``)."""

    def __init__(self, framework: str = "four_s", **initial):
        self.framework = _framework(framework)
        self.examples = behaviour_examples(self.framework)
        self.title = f"Match each caregiver behaviour to {FRAMEWORKS[self.framework]} (course's worked examples)"
        super().__init__(**initial)

    def make_controls(self) -> dict:
        import ipywidgets

        options = [("(choose one)", "")] + [(f"{i.name}: {i.deck_text}", i.key)
                                            for i in framework_items(self.framework)]
        return {e.key: ipywidgets.Dropdown(options=options, value="", description=f"{e.title}")
                for e in self.examples}

    def compute(self, **choices):
        return match_behaviours(choices, self.framework, self.examples)

    def plot(self, result):
        return plot_behaviour_matching(result)

    def describe(self, result) -> str:
        return describe_behaviour_matching(result)

    def summarise(self, result) -> str:
        rows = "".join(
            f"<li><b>{html.escape(e.title)}</b> (<code>{html.escape(e.key)}</code>): {html.escape(e.behaviour)}"
            f"<br/><i>{html.escape(fb)}</i></li>"
            for e, fb in zip(self.examples, result.feedback))
        return (f"<p>{result.n_agree} of {result.n_answered} answered examples agree with the course's reading "
                f"({result.n_items} examples in all).</p><ol style='padding-left:1.2em'>{rows}</ol>")


# ==========================================================================
# 2. Co-regulation of arousal: the course's own illustrative model
# ==========================================================================
@dataclass(frozen=True)
class CoRegulationResult:
    """One run of the co-regulation model, one value per second from the stressor (t = 0).

    Arrays: ``time_s`` (s since the stressor, 0 to ``duration_s``) and ``arousal`` (the child's
    arousal on the course's 0-10 scale at each second). Summaries: ``peak`` (highest arousal,
    0-10), ``recovery_time_s`` (s from the stressor to the first second within
    ``recovery_band`` x baseline of the baseline; nan if that never happens in the run),
    ``recovered`` (bool), ``area_above_baseline`` (sum over seconds 0 .. duration_s - 1 of the
    arousal above baseline, in arousal points x s). Theory for the run without noise:
    ``rate_per_s`` (total pull towards the settling level, per second), ``settle_level`` (the
    arousal the child approaches while the caregiver stays as they are, 0-10; nan if the
    rate is 0) and ``caregiver_arousal`` (0-10; nan when no caregiver is present).
    """

    caregiver_calm: float
    caregiver_present: bool
    self_regulation: float
    stressor: float
    baseline: float
    co_regulation: float
    contagion: float
    recovery_band: float
    noise_sd: float
    duration_s: int
    seed: int | None
    caregiver_arousal: float
    rate_per_s: float
    settle_level: float
    time_s: np.ndarray
    arousal: np.ndarray
    peak: float
    recovery_time_s: float
    recovered: bool
    area_above_baseline: float

    @property
    def band(self) -> float:
        """Half-width of the recovery band around the baseline (arousal points)."""
        return self.recovery_band * self.baseline

    @property
    def label(self) -> str:
        """Short legend label for this run."""
        if not self.caregiver_present:
            return "child alone (self-regulation only)"
        return f"caregiver calm {self.caregiver_calm:.2f}"


def simulate_coregulation(caregiver_calm: float = 1.0, *, self_regulation: float = 0.01, stressor: float = 6.0,
                          caregiver_present: bool = True, baseline: float = 2.0, co_regulation: float = 0.04,
                          contagion: float = 0.005, duration_s: int = 600, recovery_band: float = 0.10,
                          noise_sd: float = 0.0, seed=0) -> CoRegulationResult:
    """Simulate a child's arousal (0-10) after a stressor, alone or with a caregiver, one step per second.

    The course's own illustration, not a physiological model; every rate is an assumption.
    ``caregiver_calm`` 0-1 (1 fully calm, 0 very stressed); ``self_regulation``,
    ``co_regulation`` and ``contagion`` are fractions of the gap closed per second (0-1);
    ``stressor`` is the rise at t = 0 (arousal points, capped at the top of the scale);
    ``baseline`` the resting level (0-10, above 0); ``recovery_band`` the fraction of the
    baseline that counts as back (default 0.10); ``noise_sd`` the SD of seeded Gaussian noise
    added each second (arousal points). Standard normal numbers are drawn for every second
    whatever ``noise_sd`` is, so runs with one seed share their noise. See the module docstring
    for the update rule and its closed form.
    """
    calm = _real("caregiver_calm", caregiver_calm, low=0.0, high=1.0)
    k_self = _real("self_regulation", self_regulation, low=0.0, high=1.0, high_open=True)
    rise = _real("stressor", stressor, low=0.0, high=SCALE_MAX)
    if not isinstance(caregiver_present, bool):
        raise ValueError(f"caregiver_present: expected True or False, got {caregiver_present!r}")
    b = _real("baseline", baseline, low=0.0, high=SCALE_MAX, low_open=True, high_open=True)
    k_co = _real("co_regulation", co_regulation, low=0.0, high=1.0, high_open=True)
    k_con = _real("contagion", contagion, low=0.0, high=1.0, high_open=True)
    steps = _integer("duration_s", duration_s, low=1, high=100_000)
    band_fraction = _real("recovery_band", recovery_band, low=0.0, high=1.0, low_open=True)
    noise = _real("noise_sd", noise_sd, low=0.0, high=SCALE_MAX)
    rng, seed_value = _generator(seed)

    if caregiver_present:
        caregiver_arousal = b + (1.0 - calm) * (SCALE_MAX - b)
        rate = k_self + k_co * calm + k_con
        push = k_con * (caregiver_arousal - b)
    else:
        caregiver_arousal = float("nan")
        rate, push = k_self, 0.0
    if rate >= 1.0:
        raise ValueError("self_regulation, co_regulation, contagion: the total rate "
                         f"self_regulation + co_regulation x calm + contagion must be below 1 per second, got {rate:g}")
    settle = b + push / rate if rate > 0 else float("nan")

    z = rng.standard_normal(steps)
    arousal = np.empty(steps + 1)
    arousal[0] = a = min(SCALE_MAX, b + rise)
    for t in range(steps):
        change = k_self * (b - a)
        if caregiver_present:
            change += k_co * calm * (b - a) + k_con * (caregiver_arousal - a)
        a = min(max(a + change + noise * z[t], 0.0), SCALE_MAX)
        arousal[t + 1] = a
    within = np.flatnonzero(np.abs(arousal - b) <= band_fraction * b + 1e-12)
    recovered = within.size > 0
    time_s = np.arange(steps + 1, dtype=float)
    for array in (time_s, arousal):
        array.setflags(write=False)
    return CoRegulationResult(
        caregiver_calm=calm, caregiver_present=caregiver_present, self_regulation=k_self, stressor=rise,
        baseline=b, co_regulation=k_co, contagion=k_con, recovery_band=band_fraction, noise_sd=noise,
        duration_s=steps, seed=seed_value, caregiver_arousal=caregiver_arousal, rate_per_s=rate,
        settle_level=settle, time_s=time_s, arousal=arousal, peak=float(arousal.max()),
        recovery_time_s=float(within[0]) if recovered else float("nan"), recovered=bool(recovered),
        area_above_baseline=float(np.sum(np.clip(arousal[:-1] - b, 0.0, None))),
    )


@dataclass(frozen=True)
class CaregiverComparison:
    """Several runs of the co-regulation model that differ only in the caregiver (same child, same seed)."""

    runs: tuple

    def run(self, label: str) -> CoRegulationResult:
        """The run with this legend label."""
        for r in self.runs:
            if r.label == label:
                return r
        raise KeyError(f"no run labelled {label!r}; labels: {[r.label for r in self.runs]}")


def compare_caregivers(calm_levels: Sequence[float] = (1.0, 0.3), *, include_alone: bool = True,
                       **settings) -> CaregiverComparison:
    """Run the model once per caregiver calm level (0-1), plus the child alone, with shared settings.

    ``settings`` are the keyword arguments of :func:`simulate_coregulation` (not
    ``caregiver_calm`` or ``caregiver_present``); every run uses the same seed, so with noise
    the runs share their random draws and differ only through the caregiver.
    """
    if isinstance(calm_levels, (str, bytes)) or not isinstance(calm_levels, Sequence):
        raise ValueError(f"calm_levels: expected a list or tuple of numbers 0-1, got {type(calm_levels).__name__}")
    if not isinstance(include_alone, bool):
        raise ValueError(f"include_alone: expected True or False, got {include_alone!r}")
    if not calm_levels and not include_alone:
        raise ValueError("calm_levels: give at least one calm level or include the child alone")
    if len(calm_levels) > 4:
        raise ValueError(f"calm_levels: at most 4 caregivers in one figure, got {len(calm_levels)}")
    for name in ("caregiver_calm", "caregiver_present"):
        if name in settings:
            raise ValueError(f"{name}: set it through calm_levels / include_alone, not as a setting")
    seed = settings.pop("seed", 0)
    if isinstance(seed, np.random.Generator):
        raise ValueError("seed: give a whole number so every run can share the same draws")
    runs = [simulate_coregulation(_real("calm_levels", c, low=0.0, high=1.0), seed=seed, **settings)
            for c in calm_levels]
    if include_alone:
        runs.append(simulate_coregulation(1.0, caregiver_present=False, seed=seed, **settings))
    labels = [r.label for r in runs]
    if len(set(labels)) != len(labels):
        raise ValueError(f"calm_levels: each calm level may appear once (to two decimals), got {list(calm_levels)}")
    return CaregiverComparison(runs=tuple(runs))


_RUN_STYLES = (
    (PALETTE["blue"], LINESTYLES[0], MARKERS[0]),
    (PALETTE["vermillion"], LINESTYLES[1], MARKERS[1]),
    (PALETTE["green"], LINESTYLES[3], MARKERS[3]),
    (PALETTE["purple"], (0, (5, 1, 1, 1, 1, 1)), "v"),
)
_ALONE_STYLE = (PALETTE["black"], LINESTYLES[2], MARKERS[2])


def _recovery_text(run: CoRegulationResult) -> str:
    if run.recovered:
        return f"back within {run.recovery_band:.0%} of baseline after {run.recovery_time_s:.0f} s"
    return f"not back within {run.recovery_band:.0%} of baseline in {run.duration_s} s"


def plot_coregulation(comparison: CaregiverComparison, ax=None):
    """Child's arousal (0-10) over time since the stressor (s), one line per run, with the recovery band."""
    if not isinstance(comparison, CaregiverComparison):
        raise ValueError(f"comparison: expected a CaregiverComparison, got {type(comparison).__name__}")
    if ax is None:
        fig, ax = new_figure(7.5, 3.9)
    else:
        fig = ax.figure
    first = comparison.runs[0]
    b, band = first.baseline, first.band
    ax.axhspan(b - band, b + band, facecolor=PALETTE["sky"], alpha=0.35, edgecolor=PALETTE["blue"], hatch="..",
               linewidth=0,
               label=f"within {first.recovery_band:.0%} of baseline (counts as recovered)")
    ax.axhline(b, color=PALETTE["black"], linestyle=LINESTYLES[3], linewidth=0.8, label=f"baseline ({b:g})")
    styles = iter(_RUN_STYLES)
    for run in comparison.runs:
        colour, style, marker = _ALONE_STYLE if not run.caregiver_present else next(styles)
        ax.plot(run.time_s, run.arousal, color=colour, linestyle=style, linewidth=2,
                label=f"{run.label}: {_recovery_text(run)}")
        if run.recovered:
            t = int(run.recovery_time_s)
            ax.plot([t], [run.arousal[t]], linestyle="none", marker=marker, markersize=8, color=colour,
                    markeredgecolor="black")
    ax.set_xlim(0, first.duration_s)
    ax.set_ylim(0, SCALE_MAX)
    ax.set_xlabel("Time since the stressor (s)")
    ax.set_ylabel("Child's arousal (course's 0-10 scale)")
    ax.set_title(f"Co-regulation model (an illustration, not physiology): stressor {first.stressor:g} points, "
                 f"self-regulation {first.self_regulation:g}/s", fontsize=10)
    ax.legend(loc="upper right", fontsize=7.5)
    return fig


def describe_coregulation(comparison: CaregiverComparison) -> str:
    """One-sentence description of :func:`plot_coregulation`."""
    if not isinstance(comparison, CaregiverComparison):
        raise ValueError(f"comparison: expected a CaregiverComparison, got {type(comparison).__name__}")
    parts = []
    for run in comparison.runs:
        text = f"{run.label}: peak {run.peak:.1f}, {_recovery_text(run)}"
        if not run.recovered and math.isfinite(run.settle_level):
            text += f", levelling off near {run.settle_level:.1f}"
        parts.append(text)
    first = comparison.runs[0]
    return (f"Line chart of a child's arousal over {first.duration_s} s after a stressor that lifts it from a "
            f"baseline of {first.baseline:g} by {first.stressor:g} points; " + "; ".join(parts) + ".")


class CoRegulationExplorer(ModelView):
    """Sliders for the caregiver's calm, the child's self-regulation, the stressor and noise; a fully calm
    caregiver and the child alone are drawn for comparison."""

    title = "Co-regulation of arousal (the course's illustrative model, not a physiological model)"

    def make_controls(self) -> dict:
        import ipywidgets

        return {
            "caregiver_calm": ipywidgets.FloatSlider(
                value=0.3, min=0.0, max=1.0, step=0.05,
                description="This caregiver's calm (0 = very stressed, 1 = fully calm)"),
            "self_regulation": ipywidgets.FloatSlider(
                value=0.01, min=0.0, max=0.05, step=0.0025, readout_format=".4f",
                description="Child's self-regulation (share of the gap closed per second)"),
            "stressor": ipywidgets.FloatSlider(
                value=6.0, min=1.0, max=8.0, step=0.5, description="Stressor size (arousal points above baseline)"),
            "noise_sd": ipywidgets.FloatSlider(
                value=0.0, min=0.0, max=0.2, step=0.02,
                description="Moment-to-moment noise (SD, arousal points per second)"),
            "seed": ipywidgets.BoundedIntText(value=1, min=0, max=10_000, description="Random seed (for the noise)"),
        }

    def compute(self, caregiver_calm, self_regulation, stressor, noise_sd, seed):
        levels = (1.0,) if round(caregiver_calm, 2) == 1.0 else (1.0, caregiver_calm)
        return compare_caregivers(levels, include_alone=True, self_regulation=self_regulation,
                                  stressor=stressor, noise_sd=noise_sd, seed=seed)

    def plot(self, result):
        return plot_coregulation(result)

    def describe(self, result):
        return describe_coregulation(result)

    def summarise(self, result) -> str:
        rows = []
        for run in result.runs:
            recovery = f"{run.recovery_time_s:.0f} s" if run.recovered else f"not within {run.duration_s} s"
            carer = "none" if not run.caregiver_present else f"{run.caregiver_arousal:.1f}"
            settle = "n/a" if not math.isfinite(run.settle_level) else f"{run.settle_level:.2f}"
            rows.append(f"<tr><td>{html.escape(run.label)}</td><td>{carer}</td><td>{run.rate_per_s:.4f}</td>"
                        f"<td>{settle}</td><td>{run.peak:.1f}</td><td>{recovery}</td>"
                        f"<td>{run.area_above_baseline:.0f}</td></tr>")
        mine = result.runs[1] if len(result.runs) > 2 else result.runs[0]
        return ("<table><tr><th>Run</th><th>Caregiver's own arousal (0-10)</th><th>Total rate (per s)</th>"
                "<th>Settles near (no noise)</th><th>Peak</th><th>Recovery time</th>"
                "<th>Area above baseline (points x s)</th></tr>" + "".join(rows) + "</table>"
                f"<p>Put in an answer cell: <code>simulate_coregulation({mine.caregiver_calm:g}, "
                f"self_regulation={mine.self_regulation:g}, stressor={mine.stressor:g}, "
                f"noise_sd={mine.noise_sd:g}, seed={mine.seed})</code></p>")
