"""Caring for the caregiver: a paced-breathing guide and the IMH Endorsement categories.

Two pieces, each a pure model, then figures, then a view:

* **Paced breathing**, the course's own schedule model (a timing aid, not a physiological
  model and not a treatment): :func:`breathing_schedule`, :func:`breath_state`,
  :func:`plot_breathing_schedule`, :class:`BreathingGuide`. The arithmetic it shows:
  breaths per minute = 60 x frequency (Hz); cycle length (s) = 60 / breaths per minute
  = 1 / frequency; 6 breaths a minute = 0.1 Hz = a 10-second cycle.
* **IMH Endorsement** (packaged tables ``endorsement_categories`` and
  ``endorsement_examples``, MI-AIMH 2017 Competency Guidelines as licensed through the
  Alliance for the Advancement of Infant Mental Health): :func:`endorsement_categories`,
  :func:`endorsement_examples`, :func:`plot_supervision_hours`, :class:`EndorsementMatcher`.

The view animates in the browser only: an ``ipywidgets.Play`` widget is linked with
``jslink`` to the "Time (s)" slider, so no Python thread or sleep loop ever runs (the
notebook is re-executed headless by nbgrader).
"""
from __future__ import annotations

import html
import math
import numbers
import textwrap
from dataclasses import dataclass
from functools import lru_cache

import ipywidgets
import numpy as np
from matplotlib.patches import Patch

from .controls import AccessibleIntSlider, AccessiblePlay
from .data import load_table
from .figures import LINESTYLES, MARKERS, PALETTE, figure_html, new_figure, fixed_legend
from .view import ModelView, side_by_side
from .validate import real as _real

__all__ = [
    "MIN_BREATHS_PER_MINUTE",
    "MAX_BREATHS_PER_MINUTE",
    "SLOW_BREATHING_BELOW",
    "PHASES",
    "BreathingSchedule",
    "BreathState",
    "breathing_schedule",
    "breath_state",
    "plot_breathing_schedule",
    "describe_breathing_schedule",
    "BreathingGuide",
    "CATEGORY_KEYS",
    "EndorsementCategory",
    "ScopeExample",
    "endorsement_categories",
    "endorsement_category",
    "endorsement_examples",
    "plot_supervision_hours",
    "describe_supervision_hours",
    "ExampleMatch",
    "match_example",
    "EndorsementMatcher",
]

#: The range of rates the guide accepts (breaths per minute). Below 3 a single breath
#: lasts over 20 s; above 12 it is no longer a slow-breathing exercise.
MIN_BREATHS_PER_MINUTE = 3.0
MAX_BREATHS_PER_MINUTE = 12.0
#: Zaccaro et al. (2018): "slow breathing" means fewer than 10 breaths per minute.
SLOW_BREATHING_BELOW = 10.0
#: Phase labels: breathing in, breathing out.
PHASES = ("in", "out")
_EPS = 1e-9


# --------------------------------------------------------------------------
# Input checks (messages name the parameter)
# --------------------------------------------------------------------------
def _num(value: float) -> str:
    """A short number for text: 4 -> '4', 4.8 -> '4.8', 9.2307 -> '9.2'."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


# ==========================================================================
# 1. Paced breathing: the course's schedule model
# ==========================================================================
@dataclass(frozen=True)
class BreathState:
    """Where a paced-breathing schedule is at one moment.

    ``label`` is "in" or "out"; ``phase`` the lung-volume-like level (0 = breathed out,
    1 = breathed in); ``elapsed_s`` seconds into the current in- or out-breath of length
    ``phase_length_s`` (s); ``breath_number`` counts breaths from 1; ``cue`` is the text
    the guide shows, e.g. "Breathe in... 2 of 4 s".
    """

    time_s: float
    label: str
    phase: float
    elapsed_s: float
    phase_length_s: float
    breath_number: int

    @property
    def remaining_s(self) -> float:
        """Seconds left in the current in- or out-breath."""
        return self.phase_length_s - self.elapsed_s

    @property
    def cue(self) -> str:
        """The guide's cue, e.g. "Breathe in... 2 of 4 s" or "Breathe out... 1 of 6 s"."""
        verb = "Breathe in..." if self.label == "in" else "Breathe out..."
        return f"{verb} {_num(self.elapsed_s)} of {_num(self.phase_length_s)} s"


@dataclass(frozen=True)
class BreathingSchedule:
    """A paced-breathing schedule sampled every ``step_s`` seconds.

    Scalars: ``breaths_per_minute``, ``inhale_fraction`` (share of each breath spent
    breathing in, 0-1), ``duration_s`` and ``step_s`` (s), ``cycle_length_s`` (s per breath
    = 60 / breaths per minute), ``frequency_hz`` (breaths per second = breaths per minute / 60),
    ``inhale_s`` and ``exhale_s`` (s), ``breaths_in_duration`` (cycles in ``duration_s``).
    Arrays (read-only, one value per sample): ``times_s`` (s), ``phase`` (lung-volume-like,
    0 = breathed out, 1 = breathed in) and ``labels`` ("in" or "out").
    """

    breaths_per_minute: float
    inhale_fraction: float
    duration_s: float
    step_s: float
    cycle_length_s: float
    frequency_hz: float
    inhale_s: float
    exhale_s: float
    breaths_in_duration: float
    times_s: np.ndarray
    phase: np.ndarray
    labels: np.ndarray

    @property
    def is_slow(self) -> bool:
        """True when the rate is below 10 breaths a minute (Zaccaro et al.'s 2018 definition)."""
        return self.breaths_per_minute < SLOW_BREATHING_BELOW

    def state_at(self, time_s: float) -> BreathState:
        """The :class:`BreathState` at ``time_s`` seconds (exact, not read off the samples)."""
        return breath_state(self.breaths_per_minute, time_s, inhale_fraction=self.inhale_fraction)

    def label_at(self, time_s: float) -> str:
        """"in" or "out" at ``time_s`` seconds."""
        return self.state_at(time_s).label


def _validate_rate(breaths_per_minute, inhale_fraction) -> tuple[float, float]:
    bpm = _real("breaths_per_minute", breaths_per_minute, low=MIN_BREATHS_PER_MINUTE, high=MAX_BREATHS_PER_MINUTE)
    share = _real("inhale_fraction", inhale_fraction, low=0.2, high=0.8)
    return bpm, share


def _position(times: np.ndarray, cycle: float) -> tuple[np.ndarray, np.ndarray]:
    """Seconds into the current breath and the 0-based breath index, robust to rounding."""
    index = np.floor(times / cycle + _EPS)
    into = times - index * cycle
    into = np.where(np.abs(into) < _EPS, 0.0, into)
    return np.clip(into, 0.0, cycle), index.astype(int)


def _phase_level(into: np.ndarray, inhale: float, exhale: float) -> tuple[np.ndarray, np.ndarray]:
    """Lung-volume-like level (0-1) and an is-inhaling mask: half-cosine rise, half-cosine fall."""
    inhaling = into < inhale - _EPS
    rise = (1.0 - np.cos(np.pi * np.clip(into / inhale, 0.0, 1.0))) / 2.0
    fall = (1.0 + np.cos(np.pi * np.clip((into - inhale) / exhale, 0.0, 1.0))) / 2.0
    return np.where(inhaling, rise, fall), inhaling


def breath_state(breaths_per_minute: float, time_s: float, *, inhale_fraction: float = 0.4) -> BreathState:
    """The guide's state ``time_s`` seconds after the first in-breath starts.

    Each breath lasts 60 / ``breaths_per_minute`` seconds: the first ``inhale_fraction`` of it
    is breathing in, the rest breathing out. At a boundary the new phase has begun.
    """
    bpm, share = _validate_rate(breaths_per_minute, inhale_fraction)
    t = _real("time_s", time_s, low=0.0)
    cycle = 60.0 / bpm
    inhale, exhale = share * cycle, (1.0 - share) * cycle
    into, index = _position(np.array([t]), cycle)
    level, inhaling = _phase_level(into, inhale, exhale)
    is_in = bool(inhaling[0])
    elapsed = float(into[0]) if is_in else float(into[0]) - inhale
    return BreathState(time_s=t, label="in" if is_in else "out", phase=float(level[0]),
                       elapsed_s=max(0.0, round(elapsed, 9)), phase_length_s=inhale if is_in else exhale,
                       breath_number=int(index[0]) + 1)


def breathing_schedule(breaths_per_minute: float, inhale_fraction: float = 0.4, duration_s: float = 60.0,
                       step_s: float = 0.1) -> BreathingSchedule:
    """A paced-breathing schedule: ``breaths_per_minute`` (3-12) for ``duration_s`` seconds.

    Each breath lasts 60 / ``breaths_per_minute`` seconds (the cycle length); the first
    ``inhale_fraction`` (0.2-0.8) of it is breathing in. The phase is a lung-volume-like level
    that rises from 0 to 1 on the in-breath and falls back on the out-breath (half-cosine
    curves, the course's choice for a smooth guide). Sampled at 0, ``step_s``, 2 x ``step_s``,
    ... up to ``duration_s`` (s).
    """
    bpm, share = _validate_rate(breaths_per_minute, inhale_fraction)
    duration = _real("duration_s", duration_s, low=0.0, high=3600.0, low_open=True)
    step = _real("step_s", step_s, low=0.0, high=10.0, low_open=True)
    if step > duration:
        raise ValueError(f"step_s: must not be longer than duration_s ({duration:g} s), got {step:g}")
    n = int(math.floor(duration / step + _EPS))
    if n > 200_000:
        raise ValueError(f"step_s: {step:g} s over {duration:g} s gives {n} samples; use a larger step (max 200000)")
    cycle = 60.0 / bpm
    inhale, exhale = share * cycle, (1.0 - share) * cycle
    times = np.arange(n + 1) * step
    into, _ = _position(times, cycle)
    level, inhaling = _phase_level(into, inhale, exhale)
    labels = np.where(inhaling, "in", "out")
    for array in (times, level, labels):
        array.setflags(write=False)
    return BreathingSchedule(
        breaths_per_minute=bpm, inhale_fraction=share, duration_s=duration, step_s=step,
        cycle_length_s=cycle, frequency_hz=bpm / 60.0, inhale_s=inhale, exhale_s=exhale,
        breaths_in_duration=duration / cycle, times_s=times, phase=level, labels=labels,
    )


def plot_breathing_schedule(schedule: BreathingSchedule, time_s: float | None = None, ax=None):
    """Breathing phase (0-1) over time (s), in-breaths and out-breaths shaded, a marker at ``time_s``.

    The legend depends on nothing but whether there is a marker, so it is drawn once (a view's fast
    redraw keeps it); what the schedule and the time change is drawn by :func:`_update_breathing`."""
    if not isinstance(schedule, BreathingSchedule):
        raise ValueError(f"schedule: expected a BreathingSchedule, got {type(schedule).__name__}")
    if ax is None:
        fig, ax = new_figure(7.0, 3.3)
    else:
        fig = ax.figure
    ax.plot([], [], color=PALETTE["blue"], linestyle=LINESTYLES[0], linewidth=2, label="breathing phase",
            gid="phase")
    if time_s is not None:
        ax.axvline(0, color=PALETTE["black"], linestyle=LINESTYLES[1], linewidth=1, gid="now line")
        ax.plot([], [], linestyle="none", marker=MARKERS[0], markersize=9, color=PALETTE["vermillion"],
                markeredgecolor="black", label="now (time in the title)", gid="now")
    _update_breathing(schedule, time_s, ax)
    ax.set_xlim(0, schedule.duration_s)
    ax.set_ylim(-0.02, 1.3)
    ax.set_yticks([0, 0.5, 1], ["0 breathed out", "0.5", "1 breathed in"])
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("Breathing phase (0-1)")
    handles, labels = ax.get_legend_handles_labels()
    order = [labels.index(name) for name in ("breathing in", "breathing out", "breathing phase")] + \
        ([labels.index("now (time in the title)")] if time_s is not None else [])
    fixed_legend(ax, [handles[i] for i in order], [labels[i] for i in order], loc="upper center", ncol=4,
                  fontsize=8)
    return fig




def _update_breathing(schedule: BreathingSchedule, time_s: float | None, ax) -> None:
    """What the schedule and the time change in :func:`plot_breathing_schedule`, in place: the shaded
    phases, the curve, the marker and the title."""
    t, level = schedule.times_s, schedule.phase
    inhaling = schedule.labels == "in"
    shaded = {c.get_gid(): c for c in ax.collections}
    if "in" in shaded and "out" in shaded:
        shaded["in"].set_data(t, 0, level, where=inhaling)
        shaded["out"].set_data(t, 0, level, where=~inhaling)
    else:
        ax.fill_between(t, 0, level, where=inhaling, color=PALETTE["sky"], alpha=0.5, hatch="//",
                        edgecolor=PALETTE["blue"], linewidth=0, label="breathing in", gid="in")
        ax.fill_between(t, 0, level, where=~inhaling, color=PALETTE["orange"], alpha=0.35, hatch="\\\\",
                        edgecolor=PALETTE["vermillion"], linewidth=0, label="breathing out", gid="out")
    lines = {line.get_gid(): line for line in ax.lines}
    lines["phase"].set_data(t, level)
    title = (f"{_num(schedule.breaths_per_minute)} breaths/min ({schedule.frequency_hz:.3g} Hz): "
             f"{_num(schedule.inhale_s)} s in, {_num(schedule.exhale_s)} s out")
    if time_s is not None and "now" in lines:
        state = schedule.state_at(min(float(time_s), schedule.duration_s))
        lines["now line"].set_xdata([state.time_s, state.time_s])
        lines["now"].set_data([state.time_s], [state.phase])
        title += f"; now {_num(state.time_s)} s, breathing {state.label}"
    ax.set_title(title)


def describe_breathing_schedule(schedule: BreathingSchedule, time_s: float | None = None) -> str:
    """One-sentence description of :func:`plot_breathing_schedule`."""
    text = (f"Breathing phase over {_num(schedule.duration_s)} s at {_num(schedule.breaths_per_minute)} breaths a "
            f"minute: {_num(schedule.breaths_in_duration)} cycles of {_num(schedule.cycle_length_s)} s "
            f"({schedule.frequency_hz:.3g} Hz), each rising for {_num(schedule.inhale_s)} s and falling for "
            f"{_num(schedule.exhale_s)} s")
    if time_s is not None:
        state = schedule.state_at(min(float(time_s), schedule.duration_s))
        text += f"; the marker at {_num(state.time_s)} s is on an out-breath" if state.label == "out" else \
            f"; the marker at {_num(state.time_s)} s is on an in-breath"
    return text + "."


def _bar_html(state: BreathState) -> str:
    """A light HTML progress bar for the phase (solid blue in, striped orange out)."""
    pct = round(100 * state.phase)
    fill = (PALETTE["blue"] if state.label == "in" else
            f"repeating-linear-gradient(45deg, {PALETTE['orange']} 0 6px, #FFFFFF 6px 9px)")
    word = "breathing in" if state.label == "in" else "breathing out"
    return (f'<div style="width:min(100%,520px)">'
            f'<div role="progressbar" aria-label="Breathing phase, 0 breathed out to 100 breathed in" '
            f'aria-valuemin="0" aria-valuemax="100" aria-valuenow="{pct}" '
            f'style="height:20px;border:1px solid #000;background:#FFFFFF">'
            f'<div style="width:{pct}%;height:100%;background:{fill}"></div></div>'
            f'<small>Breathing phase {state.phase:.2f} ({word}; 0 = breathed out, 1 = breathed in)</small></div>')


class BreathingGuide(ModelView):
    """Paced-breathing guide: rate and inhale-share sliders, a Play button linked to a time slider.

    The Play widget animates in the browser (``jslink`` to "Time (s)"); a change of time
    updates only the cue text and the light progress bar while playing, and the figure's
    marker when paused. A change of rate or inhale share recomputes the schedule and redraws.
    """

    title = "Paced-breathing guide (optional: follow it only if you want to, and stop at any time)"

    def __init__(self, *, time_s: int = 0, **initial):
        # the course's labelled controls (widgets/controls.py): a named slider and a Start/Pause button
        # with words, which screen readers can announce (ipywidgets' Play has icon-only buttons)
        self.time = AccessibleIntSlider(value=0, min=0, max=60, step=1, description="Time (s)")
        self.play = AccessiblePlay(value=0, min=0, max=60, step=1, interval=1000,
                                   description="the breathing guide (one step a second)")
        self.link = ipywidgets.jslink((self.play, "value"), (self.time, "value"))
        self.cue = ipywidgets.HTML()
        self.bar = ipywidgets.HTML()
        self.state = None
        self.figure_draws = 0
        super().__init__(**initial)
        self.time.observe(self._on_time, names="value")
        self.play.observe(self._on_playing, names="playing")
        if time_s:
            self.time.value = time_s
        header = ipywidgets.HTML(f"<b>{html.escape(self.title)}</b>")
        help_text = ipywidgets.HTML(
            "<small>Keyboard: Tab to a slider and use the arrow keys; Tab to the Start button and press "
            "Enter or Space to start or pause. The animation runs in your browser, one step a second.</small>")
        self.player = ipywidgets.VBox([self.play, self.time])
        self.widget = ipywidgets.VBox([header, side_by_side(
            list(self.controls.values()) + [self.error, self.summary, help_text, self.player, self.cue, self.bar],
            [self.figure])])

    def make_controls(self) -> dict:
        return {
            "breaths_per_minute": ipywidgets.FloatSlider(
                value=6.0, min=MIN_BREATHS_PER_MINUTE, max=MAX_BREATHS_PER_MINUTE, step=0.5,
                description="Breaths per minute"),
            "inhale_fraction": ipywidgets.FloatSlider(
                value=0.4, min=0.3, max=0.6, step=0.05,
                description="Share of each breath spent breathing in"),
        }

    def compute(self, breaths_per_minute, inhale_fraction):
        return breathing_schedule(breaths_per_minute, inhale_fraction=inhale_fraction)

    def plot(self, result):
        self.figure_draws += 1
        # drawn once; the schedule and the time are redrawn in place (the axes and legend stay)
        fig = getattr(self, "_schedule_figure", None)
        if fig is None or fig.axes[0].get_xlim() != (0, result.duration_s):
            fig = self._schedule_figure = plot_breathing_schedule(result, self.time.value)
        else:
            _update_breathing(result, self.time.value, fig.axes[0])
        return fig

    def describe(self, result):
        return describe_breathing_schedule(result, self.time.value)

    def summarise(self, result) -> str:
        bpm = _num(result.breaths_per_minute)
        slow = ("yes" if result.is_slow else "no") + f" (slow breathing means fewer than {SLOW_BREATHING_BELOW:g} a minute)"
        return (f"<p><b>{bpm} breaths a minute</b>: each breath lasts 60 / {bpm} = <b>{_num(result.cycle_length_s)} s</b> "
                f"({_num(result.inhale_s)} s in, {_num(result.exhale_s)} s out), and the frequency is "
                f"{bpm} / 60 = <b>{result.frequency_hz:.3g} Hz</b>. Slow breathing? {slow}.</p>"
                f"<p>The landmark: about 6 breaths a minute = 6 / 60 = 0.1 Hz, a 10-second cycle "
                f"(1 / 0.1 Hz = 10 s).</p>"
                f"<p>Put in an answer cell: <code>breathing_schedule({result.breaths_per_minute:g}, "
                f"inhale_fraction={result.inhale_fraction:g})</code></p>")

    # --- time wiring, kept outside self.controls -------------------------------
    def update(self) -> None:
        super().update()
        self._show_time()

    def _show_time(self) -> None:
        if self.result is None:
            return
        state = self.result.state_at(self.time.value)
        self.state = state
        self.cue.value = (f'<p role="status" style="font-size:1.3em;margin:4px 0"><b>{html.escape(state.cue)}</b> '
                          f'<small>(t = {_num(state.time_s)} s, breath {state.breath_number})</small></p>')
        self.bar.value = _bar_html(state)

    def _redraw_figure(self) -> None:
        if self.result is not None:
            fig = self.plot(self.result)
            self.figure.value = figure_html(fig, self.describe(self.result), png=self.redrawer.png(fig))

    def _on_time(self, change) -> None:
        self._show_time()
        if not self.play.playing:  # stepping by hand: move the figure's marker too
            self._redraw_figure()

    def _on_playing(self, change) -> None:
        if not change["new"]:  # paused: bring the figure's marker to the current time
            self._redraw_figure()


# ==========================================================================
# 2. IMH Endorsement categories and the course's scope-of-practice examples
# ==========================================================================
#: Category keys in the order the Competency Guidelines list them (not a ladder).
CATEGORY_KEYS = ("IFA", "IFS", "IMHS", "IMHM")
_CATEGORY_COLOURS = {"IFA": PALETTE["green"], "IFS": PALETTE["blue"], "IMHS": PALETTE["orange"],
                     "IMHM": PALETTE["purple"]}
_CATEGORY_HATCHES = {"IFA": "..", "IFS": "//", "IMHS": "\\\\", "IMHM": "xx"}


@dataclass(frozen=True)
class EndorsementCategory:
    """One Endorsement category: ``key`` (IFA, IFS, IMHS, IMHM), ``name``, ``focus`` of the work,
    ``degree`` requirement as far as the course's sources say, ``supervision_hours`` (minimum
    reflective-supervision hours over one to two years, or ``None`` where the course's sources do
    not state it), ``supervision_note``, ``tracks``, ``status`` ("V") and ``citation``."""

    key: str
    name: str
    focus: str
    description: str
    degree: str
    supervision_hours: int | None
    supervision_note: str
    tracks: tuple
    status: str
    citation: str


@dataclass(frozen=True)
class ScopeExample:
    """A course-written worked example of a role and the category its work fits best."""

    key: str
    title: str
    text: str
    category: str
    reason: str


def endorsement_categories() -> tuple:
    """The four categories (packaged table ``endorsement_categories``) as :class:`EndorsementCategory`s."""
    return _endorsement_categories()


@lru_cache(maxsize=1)
def _endorsement_categories() -> tuple:  # a packaged table of frozen records: read once
    table = load_table("endorsement_categories")
    return tuple(EndorsementCategory(
        key=row["key"], name=row["category"], focus=row["focus"], description=row["description"],
        degree=row["degree"], supervision_hours=None if row["supervision_hours_min"] == "" else int(row["supervision_hours_min"]),
        supervision_note=row["supervision_note"], tracks=tuple(t.strip() for t in str(row["tracks"]).split(";") if t.strip()),
        status=row["status"], citation=row["citation"]) for row in table.rows)


def endorsement_category(key: str) -> EndorsementCategory:
    """One category by key ("IFA", "IFS", "IMHS" or "IMHM")."""
    if not isinstance(key, str):
        raise ValueError(f"key: expected a category key (str), got {type(key).__name__}")
    for category in endorsement_categories():
        if category.key == key.strip().upper():
            return category
    raise ValueError(f"key: unknown category {key!r}; known: {list(CATEGORY_KEYS)}")


def endorsement_examples() -> tuple:
    """The course's worked scope-of-practice examples (packaged table ``endorsement_examples``)."""
    return _endorsement_examples()


@lru_cache(maxsize=1)
def _endorsement_examples() -> tuple:  # a packaged table of frozen records: read once
    table = load_table("endorsement_examples")
    return tuple(ScopeExample(key=r["key"], title=r["title"], text=r["text"], category=r["category"],
                              reason=r["reason"]) for r in table.rows)


def plot_supervision_hours(categories=None, highlight: str | None = None, ax=None):
    """Bars of the minimum reflective-supervision hours (over one to two years) per category.

    Categories whose requirement the course's sources do not state get a labelled gap, not a
    zero. ``highlight`` (a category key) is drawn in colour; the others in grey.
    """
    categories = endorsement_categories() if categories is None else tuple(categories)
    if highlight is not None and highlight not in [c.key for c in categories]:
        raise ValueError(f"highlight: expected one of {[c.key for c in categories]}, got {highlight!r}")
    if ax is None:
        fig, ax = new_figure(7.0, 3.4)
    else:
        fig = ax.figure
    x = np.arange(len(categories))
    handles = []
    for i, cat in enumerate(categories):
        if cat.supervision_hours is None:
            ax.text(i, 2, "not stated in\nthe course's\nsources", ha="center", va="bottom", fontsize=8)
            continue
        label = cat.name + (" (Clinical track)" if cat.key == "IMHM" else "")
        ax.bar(i, cat.supervision_hours, 0.6, color=_CATEGORY_COLOURS[cat.key],
               hatch=_CATEGORY_HATCHES[cat.key], edgecolor="black", linewidth=0.8, label=label, gid=cat.key)
        handles.append(Patch(facecolor=_CATEGORY_COLOURS[cat.key], hatch=_CATEGORY_HATCHES[cat.key],
                             edgecolor="black", linewidth=0.8, label=label))
        ax.text(i, cat.supervision_hours + 1, f"{cat.supervision_hours}" + ("+" if cat.key == "IFS" else ""),
                ha="center", va="bottom", fontsize=9)
    ax.set_xticks(x, [textwrap.fill(c.name, 16) for c in categories], fontsize=8)
    ax.set_xlabel("Endorsement category (different kinds of work, not a ladder)")
    ax.set_ylabel("Reflective supervision (hours)")
    ax.set_xlim(-0.6, len(categories) - 0.4)
    ax.set_ylim(0, 62)
    ax.grid(axis="x", visible=False)
    # the figure's title (it never changes: drawn once, with the axes, by a view's fast redraw)
    fig.suptitle("Minimum reflective-supervision hours over one to two years (MI-AIMH, 2017)", fontsize=12)
    # the legend gives each category's colour and hatch; the bars not highlighted are grey
    fixed_legend(ax, handles, [h.get_label() for h in handles], loc="upper left", fontsize=8)
    _highlight_category(ax, highlight)
    return fig


def _highlight_category(ax, highlight: str | None) -> None:
    """Colour the bar of category ``highlight`` (all when ``None``), the others grey, in place."""
    for bar in ax.patches:
        if bar.get_gid() in _CATEGORY_COLOURS:
            on = highlight is None or bar.get_gid() == highlight
            bar.set_facecolor(_CATEGORY_COLOURS[bar.get_gid()] if on else "#DDDDDD")


def describe_supervision_hours(categories=None, highlight: str | None = None) -> str:
    """One-sentence description of :func:`plot_supervision_hours`."""
    categories = endorsement_categories() if categories is None else tuple(categories)
    parts = [f"{c.name}: {c.supervision_note}" for c in categories]
    text = "Bar chart of minimum reflective-supervision hours by Endorsement category; " + "; ".join(parts)
    if highlight is not None:
        text += f"; highlighted: {endorsement_category(highlight).name}"
    return text + "."


@dataclass(frozen=True)
class ExampleMatch:
    """A worked example and the category it fits best."""

    example: ScopeExample
    category: EndorsementCategory


def match_example(key: str) -> ExampleMatch:
    """The worked example ``key`` with its category (the course's reading of its scope)."""
    if not isinstance(key, str):
        raise ValueError(f"key: expected an example key (str), got {type(key).__name__}")
    for example in endorsement_examples():
        if example.key == key:
            return ExampleMatch(example=example, category=endorsement_category(example.category))
    raise ValueError(f"key: unknown example {key!r}; known: {[e.key for e in endorsement_examples()]}")


class EndorsementMatcher(ModelView):
    """Pick a worked example of a role; see the category its work fits, why, and the supervision hours."""

    title = "Which Endorsement category fits this work? Worked examples (course's own)"

    def make_controls(self) -> dict:
        examples = endorsement_examples()
        return {"example": ipywidgets.Dropdown(options=[(e.title, e.key) for e in examples], value=examples[0].key,
                                               description="Worked example of a role")}

    def compute(self, example):
        return match_example(example)

    def plot(self, result):
        # drawn once; an example changes which bar is in colour, in place
        fig = getattr(self, "_hours_figure", None)
        if fig is None:
            fig = self._hours_figure = plot_supervision_hours(highlight=result.category.key)
        else:
            _highlight_category(fig.axes[0], result.category.key)
        return fig

    def describe(self, result):
        return describe_supervision_hours(highlight=result.category.key)

    def summarise(self, result) -> str:
        ex, cat = result.example, result.category
        tracks = f" Tracks: {', '.join(cat.tracks)}." if cat.tracks else ""
        return (f"<p><b>{html.escape(ex.title)}.</b> {html.escape(ex.text)}</p>"
                f"<p>Best fit: <b>{html.escape(cat.name)}</b> ({cat.key}; {html.escape(cat.focus)}). "
                f"{html.escape(ex.reason)}</p>"
                f"<p>Degree: {html.escape(cat.degree)}. Reflective supervision: {html.escape(cat.supervision_note)}."
                f"{html.escape(tracks)}</p>")
