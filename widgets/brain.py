"""The developing brain (notebook 02): schematic synaptic density, serve and return, rate estimates.

Three pieces, each a pure model first and then figures and a view:

* **Synaptic density over age.** :func:`synaptic_density` and :func:`density_curve` draw a
  SCHEMATIC curve through the anchor points that Huttenlocher (1979) and Huttenlocher &
  Dabholkar (1997) reported (packaged as ``widgets/data/synaptic_density.csv``). The curve is
  the course's drawing, not raw data: between two anchors it follows a half-cosine step, so it
  is flat at every anchor and never overshoots one. :class:`SynapseExplorer` is the view.
* **Serve and return.** :func:`simulate_serve_and_return` is the course's own illustration of
  turn taking (not a published model): a child "serves", a caregiver returns the serve with
  some probability, then waits a number of seconds for the child's reply before moving on.
  :class:`ServeReturnExplorer` is the view.
* **Published synapse-formation rates.** :func:`rate_estimates` converts the packaged
  estimates (``widgets/data/synapse_rate_estimates.csv``) to connections per second. Each
  carries the KIND of source that published it (an organisation brief, a popular book), not a
  mark of trust: none of them is a measured rate.
"""
from __future__ import annotations

import html
import math
import numbers
from dataclasses import dataclass
from functools import lru_cache

import ipywidgets
import numpy as np
from matplotlib.patches import Patch

from .data import load_table
from .figures import LINESTYLES, MARKERS, PALETTE, new_figure, fixed_legend
from .view import ModelView
from .validate import real as _real
from .validate import integer as _integer

__all__ = [
    "REGIONS",
    "DensityAnchor",
    "DensityReading",
    "DensityCurve",
    "density_anchors",
    "adult_density_per_mm3",
    "synaptic_density",
    "density_curve",
    "plot_synaptic_density",
    "describe_synaptic_density",
    "SynapseExplorer",
    "ServeReturnResult",
    "simulate_serve_and_return",
    "reply_within_wait_probability",
    "expected_chain_length",
    "plot_serve_and_return",
    "describe_serve_and_return",
    "ServeReturnExplorer",
    "RateEstimate",
    "rate_estimates",
    "plot_rate_estimates",
    "describe_rate_estimates",
]

DENSITY_TABLE = "synaptic_density"
RATE_TABLE = "synapse_rate_estimates"

#: The schematic series, in the order figures draw them.
REGIONS = ("frontal", "auditory", "prefrontal")
REGION_LABELS = {
    "frontal": "Frontal cortex (Huttenlocher 1979)",
    "auditory": "Auditory cortex (Huttenlocher & Dabholkar 1997)",
    "prefrontal": "Prefrontal cortex (Huttenlocher & Dabholkar 1997)",
}
_REGION_STYLE = {  # colour, line style, marker: told apart without colour too
    "frontal": (PALETTE["blue"], LINESTYLES[0], MARKERS[0]),
    "auditory": (PALETTE["orange"], LINESTYLES[1], MARKERS[1]),
    "prefrontal": (PALETTE["green"], LINESTYLES[2], MARKERS[2]),
}


# --- input checks -------------------------------------------------------------

def _region(region) -> str:
    if not isinstance(region, str):
        raise ValueError(f"region: expected one of {list(REGIONS)}, got {type(region).__name__} {region!r}")
    key = region.strip().lower()
    if key not in REGIONS:
        raise ValueError(f"region: expected one of {list(REGIONS)}, got {region!r}")
    return key


# --- synaptic density: the schematic model ------------------------------------

@dataclass(frozen=True)
class DensityAnchor:
    """One point the schematic passes through (from ``synaptic_density.csv``)."""

    region: str
    source: str               #: the study the anchor comes from
    anchor: str
    age_years: float          #: age after birth (years)
    relative: float           #: density as a multiple of the region's adult level (1.0 = adult)
    density_per_mm3: float | None  #: reported density (synapses per mm^3), None where not reported
    sem_per_mm3: float | None      #: reported standard error (synapses per mm^3), None where not reported
    status: str               #: "reported", "reported (approximate)", "assumption", or a mix
    phase_after: str          #: the phase drawn from this anchor to the next
    basis: str                #: what the source says and what the schematic assumes

    @property
    def reported(self) -> bool:
        """True when the anchor's value (not only its timing) is a reported number."""
        return self.status.startswith("reported")


@lru_cache(maxsize=None)
def _anchors_cached(region: str) -> tuple[DensityAnchor, ...]:
    table = load_table(DENSITY_TABLE)
    rows = table.where(region=region)
    adult = [r["density_1e8_per_mm3"] for r in rows if r["relative_to_adult"] == "" and r["anchor"].startswith("adult")]
    adult_density = float(adult[0]) if adult else None
    anchors = []
    for r in rows:
        density = None if r["density_1e8_per_mm3"] == "" else float(r["density_1e8_per_mm3"]) * 1e8
        sem = None if r["sem_1e8_per_mm3"] == "" else float(r["sem_1e8_per_mm3"]) * 1e8
        if r["relative_to_adult"] == "":
            relative = float(r["density_1e8_per_mm3"]) / adult_density
        else:
            relative = float(r["relative_to_adult"])
        anchors.append(DensityAnchor(region=region, source=r["source"], anchor=r["anchor"], age_years=float(r["age_years"]),
                                     relative=relative, density_per_mm3=density, sem_per_mm3=sem,
                                     status=r["status"], phase_after=r["phase_after"], basis=r["basis"]))
    return tuple(sorted(anchors, key=lambda a: a.age_years))


def density_anchors(region: str = "frontal") -> tuple[DensityAnchor, ...]:
    """The anchors of one region's schematic, youngest first."""
    return _anchors_cached(_region(region))


def adult_density_per_mm3() -> float:
    """Huttenlocher's (1979) adult mean, ages 16-72 (synapses per mm^3)."""
    return next(a.density_per_mm3 for a in density_anchors("frontal") if a.anchor.startswith("adult"))


def _schematic(anchors: tuple[DensityAnchor, ...], ages: np.ndarray) -> np.ndarray:
    """Half-cosine steps between anchors: flat at each anchor, monotone in between."""
    knots = np.array([a.age_years for a in anchors])
    values = np.array([a.relative for a in anchors])
    index = np.clip(np.searchsorted(knots, ages, side="right") - 1, 0, len(knots) - 2)
    t = (ages - knots[index]) / (knots[index + 1] - knots[index])
    weight = (1.0 - np.cos(np.pi * t)) / 2.0
    return values[index] + (values[index + 1] - values[index]) * weight


@dataclass(frozen=True)
class DensityReading:
    """The schematic's value at one age in one region."""

    age_years: float                 #: age after birth (years)
    region: str                      #: "frontal", "auditory" or "prefrontal"
    relative: float                  #: density as a multiple of the region's adult level
    density_per_mm3: float | None    #: synapses per mm^3 (frontal only: the other series have no reported density)
    phase: str                       #: the phase of development the schematic shows at this age
    source: str                      #: the study the anchors come from
    schematic: bool = True           #: always True: a drawing through reported anchors, not data

    @property
    def percent_of_adult(self) -> float:
        """Density as a percentage of the region's adult level (%)."""
        return 100.0 * self.relative


def _span(region: str) -> tuple[float, float]:
    anchors = density_anchors(region)
    return anchors[0].age_years, anchors[-1].age_years


def synaptic_density(age_years, region: str = "frontal") -> DensityReading:
    """SCHEMATIC synaptic density at ``age_years`` (years after birth) in ``region``.

    Frontal: Huttenlocher (1979) anchors, 0-90 years, with a density in synapses per mm^3.
    Auditory and prefrontal: Huttenlocher & Dabholkar (1997) timing, 0-20 years, relative units only.
    """
    region = _region(region)
    age = _real("age_years", age_years, low=0.0)
    start, end = _span(region)
    if age > end:
        raise ValueError(f"age_years: the {region} schematic covers {start:g} to {end:g} years "
                         f"(the source's summary ends there); got {age:g}. "
                         "Choose a younger age, or the frontal series, which runs to 90.")
    anchors = density_anchors(region)
    relative = float(_schematic(anchors, np.array([age]))[0])
    phase = anchors[-2].phase_after
    for here, nxt in zip(anchors, anchors[1:]):
        if here.age_years <= age < nxt.age_years:
            phase = here.phase_after
            break
    density = relative * adult_density_per_mm3() if region == "frontal" else None
    return DensityReading(age_years=age, region=region, relative=relative, density_per_mm3=density,
                          phase=phase, source=anchors[0].source)


@dataclass(frozen=True)
class DensityCurve:
    """A region's whole schematic curve, for plotting."""

    region: str
    ages_years: tuple[float, ...]            #: ages after birth (years)
    relative: tuple[float, ...]              #: multiple of the adult level at each age
    anchors: tuple[DensityAnchor, ...]
    peak_age_years: float                    #: first age at which the schematic reaches its maximum (years)
    peak_relative: float                     #: the maximum, as a multiple of the adult level
    schematic: bool = True


def density_curve(region: str = "frontal", n_points: int = 400) -> DensityCurve:
    """The schematic over the region's whole span, at ``n_points`` ages (dense in early life)."""
    region = _region(region)
    n_points = _integer("n_points", n_points, low=10, high=10_000)
    start, end = _span(region)
    # Half the points in the first two years, where the curve changes fastest.
    early = np.linspace(start, min(2.0, end), n_points // 2, endpoint=False)
    late = np.linspace(min(2.0, end), end, n_points - n_points // 2)
    ages = np.concatenate([early, late])
    anchors = density_anchors(region)
    values = _schematic(anchors, ages)
    peak = max(anchors, key=lambda a: (a.relative, -a.age_years))
    return DensityCurve(region=region, ages_years=tuple(float(a) for a in ages),
                        relative=tuple(float(v) for v in values), anchors=anchors,
                        peak_age_years=peak.age_years, peak_relative=peak.relative)


def plot_synaptic_density(reading: DensityReading | None = None, ax=None):
    """All three schematic curves (relative units), anchors marked, and ``reading`` highlighted."""
    if ax is None:
        fig, ax = new_figure(7.4, 5.0)
    else:
        fig = ax.figure
    for region in REGIONS:
        curve = density_curve(region)
        colour, style, marker = _REGION_STYLE[region]
        chosen = reading is not None and reading.region == region
        ax.plot(curve.ages_years, curve.relative, color=colour, linestyle=style,
                linewidth=2.6 if chosen else 1.4, alpha=1.0 if chosen or reading is None else 0.6,
                label=f"{REGION_LABELS[region]}: schematic", gid=f"curve {region}")
        reported = [a for a in curve.anchors if a.reported]
        assumed = [a for a in curve.anchors if not a.reported]
        ax.plot([a.age_years for a in reported], [a.relative for a in reported], linestyle="none",
                marker=marker, color=colour, markersize=6)
        ax.plot([a.age_years for a in assumed], [a.relative for a in assumed], linestyle="none",
                marker=marker, markerfacecolor="white", color=colour, markersize=6)
    adult = adult_density_per_mm3()
    sem = next(a.sem_per_mm3 for a in density_anchors("frontal") if a.anchor.startswith("adult"))
    ax.errorbar([44.0], [1.0], yerr=[sem / adult], color=PALETTE["black"], capsize=4, linestyle="none",
                marker="_", label="Frontal adult mean ± SEM (reported)")
    ax.plot([], [], linestyle="none", marker="o", color=PALETTE["black"], label="filled marker: reported anchor")
    ax.plot([], [], linestyle="none", marker="o", markerfacecolor="white", color=PALETTE["black"],
            label="open marker: placement assumed for the schematic")
    if reading is not None:
        # the age goes in the title, not the legend: a fixed legend keeps the view's layout (fast redraws)
        ax.axvline(reading.age_years, color=PALETTE["vermillion"], linestyle="-.", linewidth=1.2, gid="selected age")
        ax.plot([reading.age_years], [reading.relative], marker="*", markersize=15, linestyle="none",
                color=PALETTE["vermillion"], label="Selected age and region", gid="selected point")
    # log(age + 3 months): smooth, spreads out infancy, and still reaches 90 years.
    ax.set_xscale("function", functions=(lambda x: np.log10(np.maximum(x, 0.0) + 0.25),
                                         lambda y: 10.0 ** y - 0.25))
    ax.set_xlim(0, 90)
    ax.set_xticks([0, 0.25, 0.5, 1, 2, 5, 12, 16, 30, 72])
    ax.set_xticklabels(["0", "0.25", "0.5", "1", "2", "5", "12", "16", "30", "72"])
    ax.set_ylim(0.8, 1.6)
    ax.set_xlabel("Age after birth (years; logarithmic scale of age + 3 months)")
    ax.set_ylabel("Synaptic density (multiple of adult level)")
    secondary = ax.secondary_yaxis("right", functions=(lambda r: r * adult / 1e8, lambda d: d * 1e8 / adult))
    secondary.set_ylabel("Frontal only: 10^8 synapses per mm^3")
    ax.set_title(_density_title(reading))
    # the legend does not change with the reading (the chosen curve is drawn thicker, the star and the
    # title say which): drawn once, below the axes
    from matplotlib.lines import Line2D

    handles, labels = ax.get_legend_handles_labels()
    handles = [Line2D([], [], color=h.get_color(), linestyle=h.get_linestyle(), linewidth=2.0)
               if isinstance(h, Line2D) and (h.get_gid() or "").startswith("curve ") else h for h in handles]
    fixed_legend(fig.axes[0], handles, labels, side="lower", ncols=2, fontsize=7)
    return fig




def _density_title(reading: DensityReading | None) -> str:
    if reading is None:
        return "SCHEMATIC synaptic density, drawn through reported anchors (not raw data)"
    return f"SCHEMATIC synaptic density through reported anchors (not raw data); star: {reading.age_years:g} years"


def _update_synaptic_density(fig, reading: DensityReading) -> None:
    """Move a :func:`plot_synaptic_density` figure drawn with a reading to another reading, in place
    (the curves, axes and legend stay; what the reading changes is redrawn): what a fresh drawing of
    ``plot_synaptic_density(reading)`` shows."""
    ax = fig.axes[0]
    for line in ax.lines:
        gid = line.get_gid() or ""
        if gid.startswith("curve "):
            chosen = gid == f"curve {reading.region}"
            line.set_linewidth(2.6 if chosen else 1.4)
            line.set_alpha(1.0 if chosen else 0.6)
        elif gid == "selected age":
            line.set_xdata([reading.age_years, reading.age_years])
        elif gid == "selected point":
            line.set_data([reading.age_years], [reading.relative])
    ax.set_title(_density_title(reading))


def describe_synaptic_density(reading: DensityReading | None = None) -> str:
    """One sentence describing :func:`plot_synaptic_density`."""
    text = ("Schematic curves of synaptic density against age, relative to the adult level: the auditory curve "
            "peaks near 3 months and is back at the adult level by 12 years, the frontal curve peaks at 1-2 years "
            "about 1.5 times the adult level, is back by 16 years and falls lower in the aged group, and the "
            "prefrontal curve peaks later (placed at 2 years) and is back by 16 years")
    if reading is not None:
        text += (f"; the star marks {reading.age_years:g} years in the {reading.region} series at "
                 f"{reading.relative:.2f} times the adult level, in the phase '{reading.phase}'")
    return text + "."


class SynapseExplorer(ModelView):
    """Age slider and region choice over the schematic synaptic-density curves."""

    title = "Synaptic density over age: a SCHEMATIC through reported anchors (Huttenlocher 1979; Huttenlocher & Dabholkar 1997)"

    def make_controls(self):

        return {
            "age_years": ipywidgets.FloatSlider(value=1.5, min=0.0, max=90.0, step=0.25,
                                                description="Age after birth (years)", readout_format=".2f"),
            "region": ipywidgets.Dropdown(options=[(REGION_LABELS[r], r) for r in REGIONS], value="frontal",
                                          description="Cortical region (schematic series)"),
        }

    def compute(self, age_years, region):
        return synaptic_density(age_years, region)

    def plot(self, result):
        # drawn once; later changes move the star, the line and the chosen curve in place
        if getattr(self, "_density_figure", None) is None:
            self._density_figure = plot_synaptic_density(result)
        else:
            _update_synaptic_density(self._density_figure, result)
        return self._density_figure

    def describe(self, result):
        return describe_synaptic_density(result)

    def summarise(self, result):
        text = (f"<b>{html.escape(REGION_LABELS[result.region])}</b>, age {result.age_years:g} years: "
                f"the schematic is at <b>{result.relative:.2f}</b> times the adult level "
                f"({result.percent_of_adult:.0f}% of adult); phase: {html.escape(result.phase)}.")
        if result.density_per_mm3 is not None:
            text += f" That is about {result.density_per_mm3 / 1e8:.1f} &times; 10<sup>8</sup> synapses per mm<sup>3</sup>."
        else:
            text += " This series is in relative units only: the course has no regional densities."
        return text + " <i>Schematic: drawn through reported anchors, not measured at this age.</i>"


# --- serve and return: the course's own turn-taking model ----------------------

@dataclass(frozen=True)
class ServeReturnResult:
    """What one seeded serve-and-return session produced (times in whole seconds)."""

    duration_s: int                  #: length of the session (s)
    return_probability: float        #: chance the caregiver returns any one serve
    wait_s: int                      #: how long the caregiver waits for the child's reply before moving on (s)
    serve_probability: float         #: chance per idle second that the child starts a new serve
    child_reply_mean_s: float        #: the child's mean time to reply to a return (s)
    seed: int | None                 #: the seed, or None when a Generator was passed
    serves: int                      #: all serves the child made
    completed_turns: int             #: serves the caregiver returned (one back-and-forth turn each)
    unanswered_serves: int           #: serves the caregiver did not return
    moved_on: int                    #: chains that ended because the caregiver stopped waiting first
    chains: tuple[int, ...]          #: completed turns in each chain that had at least one
    serve_times_s: tuple[int, ...]   #: when each serve happened (s)
    return_times_s: tuple[int, ...]  #: when each return happened (s)
    missed_times_s: tuple[int, ...]  #: when each unanswered serve happened (s)

    @property
    def longest_chain(self) -> int:
        """Most back-and-forth turns in a row (0 when no serve was returned)."""
        return max(self.chains, default=0)

    @property
    def share_returned(self) -> float:
        """Completed turns as a share of serves (0-1; 0 when there were no serves)."""
        return self.completed_turns / self.serves if self.serves else 0.0

    @property
    def mean_chain(self) -> float:
        """Mean turns per chain, over chains with at least one turn (0 when none)."""
        return sum(self.chains) / len(self.chains) if self.chains else 0.0


def _rng(seed) -> tuple[np.random.Generator, int | None]:
    if isinstance(seed, np.random.Generator):
        return seed, None
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed: expected a non-negative whole number or a numpy Generator, got "
                         f"{type(seed).__name__} {seed!r}")
    return np.random.default_rng(int(seed)), int(seed)


def simulate_serve_and_return(*, duration_s=300, return_probability=0.7, wait_s=3, serve_probability=0.1,
                              child_reply_mean_s=3.0, seed=0) -> ServeReturnResult:
    """One seeded session of the course's serve-and-return illustration.

    Each idle second the child starts a serve with ``serve_probability``. The caregiver
    returns a serve with ``return_probability`` (the return takes 1 s); unreturned serves end
    the chain. After a return the child replies after a random number of whole seconds
    (geometric, mean ``child_reply_mean_s``); if that takes longer than ``wait_s`` the
    caregiver has moved on and the chain ends, otherwise the reply is the next serve.
    """
    duration_s = _integer("duration_s", duration_s, low=10, high=36_000)
    return_probability = _real("return_probability", return_probability, low=0.0, high=1.0)
    wait_s = _integer("wait_s", wait_s, low=0, high=120)
    serve_probability = _real("serve_probability", serve_probability, low=0.0, high=1.0, low_open=True)
    child_reply_mean_s = _real("child_reply_mean_s", child_reply_mean_s, low=1.0, high=600.0)
    rng, seed_value = _rng(seed)
    reply_probability = 1.0 / child_reply_mean_s

    serve_times, return_times, missed_times, chains = [], [], [], []
    moved_on = 0
    t = 0
    while True:
        t += int(rng.geometric(serve_probability))  # idle seconds until the child's next serve
        if t >= duration_s:
            break
        chain = 0
        while t < duration_s:  # one chain: serve, return, wait for the reply, ...
            serve_times.append(t)
            if rng.random() >= return_probability:
                missed_times.append(t)
                break
            t += 1
            return_times.append(t)
            chain += 1
            latency = int(rng.geometric(reply_probability))
            if latency > wait_s:
                moved_on += 1
                t += wait_s  # the caregiver waited this long, then turned to something else
                break
            t += latency
        if chain:
            chains.append(chain)
    return ServeReturnResult(
        duration_s=duration_s, return_probability=return_probability, wait_s=wait_s,
        serve_probability=serve_probability, child_reply_mean_s=child_reply_mean_s, seed=seed_value,
        serves=len(serve_times), completed_turns=len(return_times), unanswered_serves=len(missed_times),
        moved_on=moved_on, chains=tuple(chains), serve_times_s=tuple(serve_times),
        return_times_s=tuple(return_times), missed_times_s=tuple(missed_times),
    )


def reply_within_wait_probability(wait_s, child_reply_mean_s) -> float:
    """Chance the child replies within ``wait_s`` seconds: 1 - (1 - 1/mean)^wait (0-1)."""
    wait_s = _integer("wait_s", wait_s, low=0, high=120)
    child_reply_mean_s = _real("child_reply_mean_s", child_reply_mean_s, low=1.0, high=600.0)
    return 1.0 - (1.0 - 1.0 / child_reply_mean_s) ** wait_s


def expected_chain_length(return_probability, wait_s, child_reply_mean_s=3.0) -> float:
    """Long-run mean turns per chain (chains with at least one turn), by theory: 1 / (1 - r c).

    A chain goes on after each turn with chance ``r c``: ``r`` is the return probability and
    ``c`` the chance the child replies within the wait (:func:`reply_within_wait_probability`),
    so its length is geometric. 0.0 when r = 0 (no chains form); ``math.inf`` when r = c = 1.
    """
    r = _real("return_probability", return_probability, low=0.0, high=1.0)
    c = reply_within_wait_probability(wait_s, child_reply_mean_s)
    if r == 0.0:
        return 0.0
    if r * c >= 1.0:
        return math.inf
    return 1.0 / (1.0 - r * c)


def plot_serve_and_return(result: ServeReturnResult, ax=None, *, longest_session_s: int | None = None):
    """Timeline of serves and returns (top) and how long the chains were (bottom).

    ``longest_session_s``: draw the timeline from 0 to this many seconds (a view's longest session,
    so that its axes stay the same while a control moves), the session's end marked; by default the
    timeline ends where the session does."""
    if ax is None:
        fig, (top, bottom) = new_figure(7.4, 4.4, nrows=2)
    else:  # one Axes given: draw the timeline only
        fig, top, bottom = ax.figure, ax, None
    _serve_and_return_data(result, top, bottom, longest_session_s)
    top.set_yticks([0, 1])
    top.set_yticklabels(["caregiver", "child"])
    top.set_ylim(-0.6, 1.6)
    top.set_xlim(0, max(result.duration_s, longest_session_s or 0))
    top.set_xlabel("Time in the session (seconds); the course's own illustration, not a published model")
    top.set_ylabel("Who acts")
    if bottom is None:
        top.legend(loc="upper center", ncols=3, fontsize=7, bbox_to_anchor=(0.5, 1.55))
    else:  # what the markers mean never changes: a fixed legend above the panels
        handles, labels = top.get_legend_handles_labels()
        handles, labels = handles[:3], labels[:3]
        if longest_session_s is not None:
            handles.append(Patch(color=_AFTER_SESSION, label="after the session's end"))
            labels.append(handles[-1].get_label())
        fixed_legend(fig.axes[0], handles, labels, side="upper", ncols=min(len(labels), 4), fontsize=7)
    if bottom is not None:
        bottom.set_xlabel("Chain length (back-and-forth turns in a row)")
        bottom.set_ylabel("Share of chains (%)")
        _chain_axes_limits(bottom, result)
        bottom.legend(loc="upper right", fontsize=7)
    return fig


_AFTER_SESSION = "#DDDDDD"


def _chain_length_level(result: ServeReturnResult) -> int:
    """The chain-length axis's end: the first of 15, 50, 150, 500, ... that holds the longest chain,
    so that most sessions share one pair of axes."""
    level = 15
    while level < result.longest_chain:
        level = level * 10 // 3 if str(level)[0] == "1" else level * 3
    return level


def _chain_axes_limits(bottom, result: ServeReturnResult) -> None:
    from matplotlib.ticker import MaxNLocator

    bottom.set_xlim(0.4, _chain_length_level(result) + 0.6)
    bottom.set_ylim(0, 105)
    bottom.set_yticks([0, 25, 50, 75, 100])
    bottom.xaxis.set_major_locator(MaxNLocator(nbins=10, integer=True, min_n_ticks=1))


def _serve_and_return_data(result: ServeReturnResult, top, bottom, longest_session_s: int | None) -> None:
    """What one session draws (points, bars, the title): a view redraws only these."""
    answered = sorted(set(result.serve_times_s) - set(result.missed_times_s))
    top.plot(answered, [1] * len(answered), linestyle="none", marker="o", color=PALETTE["blue"],
             label="Child serve, returned")
    top.plot(result.missed_times_s, [1] * len(result.missed_times_s), linestyle="none", marker="x",
             color=PALETTE["vermillion"], label="Child serve, not returned")
    top.plot(result.return_times_s, [0] * len(result.return_times_s), linestyle="none", marker="s",
             color=PALETTE["green"], label="Caregiver return")
    if longest_session_s is not None and result.duration_s < longest_session_s:
        top.axvspan(result.duration_s, longest_session_s, color=_AFTER_SESSION, zorder=0.5)
        if bottom is None:  # the timeline alone has no legend entry for the grey: say it in place
            top.text(result.duration_s, 0.5, " session over", va="center", fontsize=7)
    top.set_title(f"Serve and return: {result.completed_turns} turns in {len(result.chains)} chains, "
                  f"longest {result.longest_chain}")
    if bottom is not None:
        lengths = np.arange(1, max(result.longest_chain, 1) + 1)
        counts = np.array([result.chains.count(int(n)) for n in lengths])
        bottom.bar(lengths, 100 * counts / max(len(result.chains), 1), color=PALETTE["sky"],
                   edgecolor=PALETTE["black"], hatch="//", label="Chains of this length")


def describe_serve_and_return(result: ServeReturnResult) -> str:
    """One sentence describing :func:`plot_serve_and_return`."""
    return (f"In a simulated {result.duration_s}-second session the child served {result.serves} times, "
            f"the caregiver returned {result.completed_turns} of them ({result.share_returned:.0%}), "
            f"and the {len(result.chains)} back-and-forth chains were at most {result.longest_chain} turns long.")


class ServeReturnExplorer(ModelView):
    """Controls for the caregiver's return probability and waiting time in the turn-taking model."""

    title = "Serve and return: the course's own turn-taking illustration (not a published model)"

    def make_controls(self):

        return {
            "return_probability": ipywidgets.FloatSlider(value=0.7, min=0.0, max=1.0, step=0.05,
                                                         description="Chance the caregiver returns a serve"),
            "wait_s": ipywidgets.IntSlider(value=3, min=0, max=10, step=1,
                                           description="Caregiver waits for a reply (seconds)"),
            "child_reply_mean_s": ipywidgets.FloatSlider(value=3.0, min=1.0, max=8.0, step=0.5,
                                                         description="Child's mean time to reply (seconds, assumption)"),
            "duration_s": ipywidgets.IntSlider(value=300, min=60, max=900, step=60,
                                               description="Session length (seconds)"),
            "seed": ipywidgets.BoundedIntText(value=1, min=0, max=1_000_000, description="Random seed"),
        }

    def compute(self, return_probability, wait_s, child_reply_mean_s, duration_s, seed):
        return simulate_serve_and_return(duration_s=duration_s, return_probability=return_probability,
                                         wait_s=wait_s, child_reply_mean_s=child_reply_mean_s, seed=seed)

    def plot(self, result):
        longest = self.controls["duration_s"].max
        fig = getattr(self, "_session_figure", None)
        if fig is None or _chain_length_level(result) != _chain_length_level(self._drawn):
            fig = plot_serve_and_return(result, longest_session_s=longest)
        else:  # same axes: replace what the session drew, in place
            top, bottom = fig.axes[:2]
            for artist in [*top.lines, *top.patches, *top.texts, *bottom.patches]:
                artist.remove()
            _serve_and_return_data(result, top, bottom, longest)
        self._session_figure, self._drawn = fig, result
        return fig

    def describe(self, result):
        return describe_serve_and_return(result)

    def summarise(self, result):
        theory = expected_chain_length(result.return_probability, result.wait_s, result.child_reply_mean_s)
        theory_text = "unbounded" if math.isinf(theory) else f"{theory:.2f}"
        return (f"Serves: <b>{result.serves}</b>; completed back-and-forth turns: <b>{result.completed_turns}</b> "
                f"({result.share_returned:.0%} of serves); longest chain: <b>{result.longest_chain}</b> turns; "
                f"chains that ended because the caregiver moved on before the child replied: {result.moved_on}. "
                f"Mean turns per chain in this session: {result.mean_chain:.2f}; in the long run (theory): {theory_text}.")


# --- published synapse-formation rates ----------------------------------------

@dataclass(frozen=True)
class RateEstimate:
    """One published figure for the rate of new synapses, converted to per second."""

    source: str
    wording: str
    count: float          #: connections in the stated figure
    per: str              #: "second" or "minute"
    per_second: float     #: the figure in connections per second
    kind: str             #: what kind of source published it: "organisation brief" or "popular book"


def rate_estimates() -> tuple[RateEstimate, ...]:
    """The packaged estimates, each converted to connections per second (smallest first)."""
    seconds = {"second": 1.0, "minute": 60.0}
    out = []
    for row in load_table(RATE_TABLE).rows:
        if row["per"] not in seconds:
            raise ValueError(f"per: unknown time unit {row['per']!r} in {RATE_TABLE}")
        out.append(RateEstimate(source=row["source"], wording=row["wording"], count=float(row["count"]),
                                per=row["per"], per_second=float(row["count"]) / seconds[row["per"]],
                                kind=row["kind"]))
    return tuple(sorted(out, key=lambda e: e.per_second))


def plot_rate_estimates(estimates: tuple[RateEstimate, ...], own_estimate_per_second: float | None = None, ax=None):
    """The estimates as bars on a logarithmic axis, with an order-of-magnitude check as a line."""
    if own_estimate_per_second is not None:
        own_estimate_per_second = _real("own_estimate_per_second", own_estimate_per_second, low=0.0, low_open=True)
    if ax is None:
        fig, ax = new_figure(7.4, 3.4)
    else:
        fig = ax.figure
    styles = {"organisation brief": (PALETTE["blue"], ""), "popular book": (PALETTE["orange"], "//")}
    for i, est in enumerate(estimates):
        colour, hatch = styles.get(est.kind, (PALETTE["sky"], ".."))
        ax.barh(i, est.per_second, color=colour, hatch=hatch, edgecolor=PALETTE["black"])
    handles = [Patch(facecolor=styles[k][0], hatch=styles[k][1], edgecolor=PALETTE["black"], label=k)
               for k in styles if any(e.kind == k for e in estimates)]
    if own_estimate_per_second is not None:
        handles.append(ax.axvline(own_estimate_per_second, color=PALETTE["black"], linestyle="--",
                                  label=f"Order-of-magnitude check: about {own_estimate_per_second:,.0f} per second"))
    ax.set_yticks(range(len(estimates)))
    ax.set_yticklabels([e.wording for e in estimates], fontsize=7)
    ax.set_xscale("log")
    ax.set_xlim(100, 1e7)
    ax.set_xlabel("New connections per second (logarithmic scale)")
    ax.set_ylabel("Published figure")
    ax.set_title("Published synapse-formation rates, per second")
    ax.legend(handles=handles, loc="lower right", fontsize=7)
    return fig


def describe_rate_estimates(estimates: tuple[RateEstimate, ...], own_estimate_per_second: float | None = None) -> str:
    """One sentence describing :func:`plot_rate_estimates`."""
    low, high = estimates[0], estimates[-1]
    text = (f"{len(estimates)} published figures for new connections per second on a logarithmic axis, from "
            f"{low.per_second:,.0f} ({low.wording}) to {high.per_second:,.0f} ({high.wording})")
    if own_estimate_per_second is not None:
        text += f", with the order-of-magnitude check at about {own_estimate_per_second:,.0f} per second"
    return text + "."
