"""Culture, equity and diversity: the Diversity-Informed Tenets and cross-site variation in motor milestones.

Two pieces, each a pure model first and then a thin view:

* **Tenets matching.** The ten titles of the Diversity-Informed Tenets (Tenets
  Initiative, 2018; titles 1-5 verified, 6-10 paraphrased and unverified) and the
  course's own short practice examples, each read by the course as mainly about one
  of tenets 1-5. :func:`match_tenets` compares a learner's matches with the course's
  reading; :class:`TenetMatcher` wraps it in dropdowns.
* **Cross-site variation as culture-specific care.** The WHO windows of achievement
  for six gross motor milestones (WHO MGRS Group, 2006) and an ILLUSTRATIVE model:
  five synthetic sites, each shifting the milestone's mean by a site effect sized so
  that a chosen share of the total variance lies between sites (the companion paper
  reports from 5% or less to nearly 15%). :func:`simulate_sites` draws seeded
  synthetic children; :func:`between_site_share` estimates the share back from any
  sample (ANOVA-style: between-site sum of squares over total sum of squares);
  :class:`SiteVariationExplorer` wraps them in sliders. The site effects are
  synthetic: they illustrate the reported variance share, not any real site's result.
"""
from __future__ import annotations

import json
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

from .data import load_table
from .figures import LINESTYLES, MARKERS, PALETTE, new_figure, fixed_legend
from .view import ModelView

__all__ = [
    "Tenet",
    "MilestoneWindow",
    "WHOStudy",
    "PracticeExample",
    "TenetMatchResult",
    "SiteSample",
    "PRACTICE_EXAMPLES",
    "SITE_LABELS",
    "load_tenets",
    "who_windows",
    "who_study",
    "find_milestone",
    "match_tenets",
    "site_effects",
    "simulate_sites",
    "between_site_share",
    "plot_who_windows",
    "describe_who_windows",
    "plot_tenet_matching",
    "describe_tenet_matching",
    "plot_site_variation",
    "describe_site_variation",
    "TenetMatcher",
    "SiteVariationExplorer",
]

#: The five synthetic sites of the illustrative model. Deliberately not named after
#: the WHO study's countries: the model's site effects are invented.
SITE_LABELS = ("Site A", "Site B", "Site C", "Site D", "Site E")

#: Standardised site offsets: mean 0, population variance exactly 1 (divisor 5).
#: Scaled by sqrt(share) x SD they give a between-site variance of share x SD^2.
_OFFSET_PATTERN = tuple(math.sqrt(2.0) * z for z in (-1.0, -0.5, 0.0, 0.5, 1.0))

#: Graded tenets (titles verified); the matcher and exercises use only these.
GRADED_TENETS = (1, 2, 3, 4, 5)


# --------------------------------------------------------------------------- data
@dataclass(frozen=True)
class Tenet:
    """One Diversity-Informed Tenet: number, title, the course's short label, status."""

    number: int
    title: str
    short_label: str
    status: str  # "V" verified title, "R" paraphrased and unverified
    wording_note: str

    @property
    def verified(self) -> bool:
        """True when the title was seen in the Tenets Initiative listing."""
        return self.status == "V"


@dataclass(frozen=True)
class MilestoneWindow:
    """A WHO window of achievement; ages in months.

    The bounds (1st and 99th percentiles) are verified; ``mean_months`` and
    ``sd_months`` are approximate (see ``mean_status`` and ``sd_status``).
    """

    milestone: str
    key: str
    first_percentile_months: float
    ninety_ninth_percentile_months: float
    window_status: str
    mean_months: float
    sd_months: float
    mean_status: str
    sd_status: str
    criterion: str | None
    criterion_status: str | None

    @property
    def width_months(self) -> float:
        """Width of the window, 99th minus 1st percentile (months)."""
        return round(self.ninety_ninth_percentile_months - self.first_percentile_months, 10)


@dataclass(frozen=True)
class WHOStudy:
    """Verified facts about the WHO Motor Development Study sample (from the packaged table)."""

    n_children: int
    countries: tuple
    common_sequence_percent: float
    never_crawled_percent: float
    site_share_low_percent: float
    site_share_high_percent: float
    citation: str
    notes: tuple


def load_tenets() -> tuple[Tenet, ...]:
    """The ten tenet titles from the packaged table, in order (6-10 unverified wording)."""
    table = load_table("diversity_tenets")
    return tuple(Tenet(int(r["number"]), r["title"], r["short_label"], r["status"], r["wording_note"])
                 for r in table.rows)


def who_windows() -> tuple[MilestoneWindow, ...]:
    """The six WHO windows of achievement, in the table's order (months)."""
    table = load_table("who_motor_windows")
    return tuple(
        MilestoneWindow(
            milestone=r["milestone"], key=r["key"],
            first_percentile_months=float(r["first_percentile_months"]),
            ninety_ninth_percentile_months=float(r["ninety_ninth_percentile_months"]),
            window_status=r["window_status"],
            mean_months=float(r["mean_months"]), sd_months=float(r["sd_months"]),
            mean_status=r["mean_status"], sd_status=r["sd_status"],
            criterion=r["criterion"] or None, criterion_status=r["criterion_status"] or None,
        )
        for r in table.rows
    )


def who_study() -> WHOStudy:
    """The verified study facts stored beside the WHO table (sample size, sites, 4.3% ...)."""
    meta_file = resources.files("widgets") / "data" / "who_motor_windows.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    s = meta["study"]
    return WHOStudy(
        n_children=int(s["n_children"]), countries=tuple(s["countries"]),
        common_sequence_percent=float(s["common_sequence_percent"]),
        never_crawled_percent=float(s["never_crawled_percent"]),
        site_share_low_percent=float(s["site_share_low_percent"]),
        site_share_high_percent=float(s["site_share_high_percent"]),
        citation=meta["citation"],
        notes=(s["common_sequence_note"], s["never_crawled_note"], s["site_share_note"], s["sex_differences_note"]),
    )


def find_milestone(milestone: str) -> MilestoneWindow:
    """The window for ``milestone``, given by its WHO name or its key (case-insensitive)."""
    if not isinstance(milestone, str):
        raise ValueError(f"milestone: give a milestone name or key as a string; got {type(milestone).__name__}")
    wanted = milestone.strip().casefold()
    for window in who_windows():
        if wanted in (window.milestone.casefold(), window.key.casefold()):
            return window
    names = [w.milestone for w in who_windows()]
    raise ValueError(f"milestone: {milestone!r} is not one of {names}")


# ------------------------------------------------------------- tenets matching model
@dataclass(frozen=True)
class PracticeExample:
    """One of the course's short practice examples and the tenet (1-5) it is mainly about."""

    key: str
    text: str
    tenet: int
    rationale: str


#: Practice examples for the matcher (the course's own; graded examples live in the notebook).
PRACTICE_EXAMPLES = (
    PracticeExample(
        "P1",
        "Before a first home visit, a practitioner notices that she feels uneasy because the family eats "
        "their meals sitting on the floor. She takes the reaction to reflective supervision to understand "
        "where it comes from before it can shape her advice.",
        1,
        "The practitioner examines her own reaction and where it comes from, so that it does not "
        "quietly steer her work with the family.",
    ),
    PracticeExample(
        "P2",
        "A practitioner writes a 10-month-old's own signals (turning away from loud voices, reaching for "
        "her grandmother) into the assessment report, so that the baby's experience is represented in the "
        "decisions adults make about her, and supports her agency's work for every infant's right to care "
        "wherever they live.",
        2,
        "The baby is treated as a person with rights of her own, whose experience must count in "
        "decisions, and the agency works for those rights beyond its own doors.",
    ),
    PracticeExample(
        "P3",
        "A team notices that its referral letters call parents 'non-compliant' far more often when the "
        "parents belong to minority groups. It sets up a review of its own wording and decisions and "
        "changes the template.",
        3,
        "The team looks for unequal treatment built into its own routines and acts to stop it.",
    ),
    PracticeExample(
        "P4",
        "A practitioner asks a grandmother how babies in her family have been soothed and helped to sleep "
        "for generations, and builds the plan with the family on those practices instead of replacing them "
        "with the clinic's standard routine.",
        4,
        "Knowledge held by the family and its community is treated as real knowledge about infant care, "
        "not as a habit to be corrected.",
    ),
    PracticeExample(
        "P5",
        "An intake form that asked only for 'mother' and 'father' is rewritten to ask 'Who cares for this "
        "child?', with room for grandparents, two mothers or two fathers, foster carers and the aunt who "
        "shares care.",
        5,
        "The form stops assuming one family shape and makes room for the people who actually raise "
        "the child.",
    ),
)


@dataclass(frozen=True)
class TenetMatchResult:
    """A learner's matches compared with the course's reading; 0 means not answered yet."""

    keys: tuple
    choices: tuple
    course_tenets: tuple
    agree: tuple  # True / False, or None when not answered
    feedback: tuple
    n_answered: int
    n_agree: int

    @property
    def n_items(self) -> int:
        """Number of examples."""
        return len(self.keys)


def _tenet_titles() -> dict:
    return {t.number: t.title for t in load_tenets()}


def match_tenets(choices: Mapping, examples: Sequence[PracticeExample] = PRACTICE_EXAMPLES) -> TenetMatchResult:
    """Compare ``choices`` ({example key: tenet 1-5, or 0 for not yet}) with the course's reading.

    Every example must have a choice; a tenet outside 1-5 (or a non-integer) is an error.
    """
    if not isinstance(choices, Mapping):
        raise ValueError(f"choices: give a dict {{example key: tenet number}}; got {type(choices).__name__}")
    examples = tuple(examples)
    if not examples or not all(isinstance(e, PracticeExample) for e in examples):
        raise ValueError("examples: give a non-empty sequence of PracticeExample")
    keys = tuple(e.key for e in examples)
    missing = [k for k in keys if k not in choices]
    extra = [k for k in choices if k not in keys]
    if missing or extra:
        raise ValueError(f"choices: keys must be exactly {list(keys)} (missing {missing}, unexpected {extra})")
    titles = _tenet_titles()
    picked, agree, feedback = [], [], []
    for example in examples:
        value = choices[example.key]
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= int(value) <= 5:
            raise ValueError(f"choices: {example.key} must be a tenet number 1-5 (or 0 for not answered); got {value!r}")
        value = int(value)
        picked.append(value)
        course = f"tenet {example.tenet} ({titles[example.tenet]})"
        if value == 0:
            agree.append(None)
            feedback.append("Not answered yet: choose the tenet this example is mainly about.")
        elif value == example.tenet:
            agree.append(True)
            feedback.append(f"Agrees with the course's reading, {course}: {example.rationale}")
        else:
            agree.append(False)
            feedback.append(
                f"You chose tenet {value} ({titles[value]}); the course reads this mainly as {course}: "
                f"{example.rationale} Real practice often touches several tenets; ask what the example is mainly about."
            )
    answered = sum(a is not None for a in agree)
    return TenetMatchResult(keys=keys, choices=tuple(picked), course_tenets=tuple(e.tenet for e in examples),
                            agree=tuple(agree), feedback=tuple(feedback), n_answered=answered,
                            n_agree=sum(a is True for a in agree))


# ------------------------------------------------------- cross-site variation model
def _check_share(between_site_share: float) -> float:
    if isinstance(between_site_share, bool) or not isinstance(between_site_share, numbers.Real):
        raise ValueError(f"between_site_share: give a fraction between 0 and 1 (e.g. 0.10 for 10%); "
                         f"got {type(between_site_share).__name__}")
    share = float(between_site_share)
    if not (math.isfinite(share) and 0.0 <= share < 1.0):
        raise ValueError(f"between_site_share: must be a fraction in [0, 1) (0.10 means 10%); got {between_site_share!r}")
    return share


def site_effects(between_site_share: float, sd_months: float) -> tuple[float, ...]:
    """Offsets of the five synthetic sites from the milestone mean (months).

    Their population variance (divisor 5) is exactly ``between_site_share * sd_months**2``;
    they sum to zero, so the overall mean is unchanged.
    """
    share = _check_share(between_site_share)
    if isinstance(sd_months, bool) or not isinstance(sd_months, numbers.Real) or not float(sd_months) > 0:
        raise ValueError(f"sd_months: must be a positive number of months; got {sd_months!r}")
    scale = math.sqrt(share) * float(sd_months)
    return tuple(scale * z for z in _OFFSET_PATTERN)


@dataclass(frozen=True, eq=False)
class SiteSample:
    """Seeded synthetic children at five sites for one milestone (ages in months).

    ``ages_months[i]`` is child i's age at achieving the milestone; ``child_sites[i]``
    is that child's site label. Arrays are read-only.
    """

    milestone: str
    requested_share: float
    n_per_site: int
    seed: int | None
    mean_months: float
    sd_months: float
    window_low_months: float
    window_high_months: float
    site_labels: tuple
    site_effects_months: tuple  # by site label order
    ages_months: np.ndarray
    child_sites: np.ndarray
    site_means_months: tuple
    within_window_fraction: tuple  # by site label order
    estimated_share: float

    @property
    def n_children(self) -> int:
        """Total number of synthetic children."""
        return int(self.ages_months.size)

    @property
    def overall_within_window_fraction(self) -> float:
        """Fraction of all synthetic children whose age lies inside the WHO window."""
        inside = (self.ages_months >= self.window_low_months) & (self.ages_months <= self.window_high_months)
        return float(inside.mean())


def _rng(seed) -> tuple[np.random.Generator, int | None]:
    if isinstance(seed, np.random.Generator):
        return seed, None
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or int(seed) < 0:
        raise ValueError(f"seed: give a non-negative integer or a numpy.random.Generator; got {seed!r}")
    return np.random.default_rng(int(seed)), int(seed)


def simulate_sites(milestone: str, between_site_share: float, n_per_site: int, seed) -> SiteSample:
    """Draw ``n_per_site`` synthetic children at each of five sites (ages in months).

    Model (an illustration, not WHO's data): age = mean + site effect + within-site
    noise, normal, with the milestone's approximate mean and SD from the WHO table.
    The five site effects (see :func:`site_effects`) carry ``between_site_share`` of
    the total variance; the noise carries the rest. Which site gets which effect is
    shuffled by the seed. ``between_site_share`` is a fraction (0.10 = 10%).
    """
    window = find_milestone(milestone)
    share = _check_share(between_site_share)
    if isinstance(n_per_site, bool) or not isinstance(n_per_site, numbers.Integral):
        raise ValueError(f"n_per_site: give a whole number of children per site; got {type(n_per_site).__name__}")
    if not 2 <= int(n_per_site) <= 100_000:
        raise ValueError(f"n_per_site: must be between 2 and 100000; got {n_per_site}")
    n = int(n_per_site)
    rng, seed_value = _rng(seed)
    effects = np.array(site_effects(share, window.sd_months))[rng.permutation(len(SITE_LABELS))]
    within_sd = math.sqrt(1.0 - share) * window.sd_months
    site_index = np.repeat(np.arange(len(SITE_LABELS)), n)
    ages = window.mean_months + effects[site_index] + rng.normal(0.0, within_sd, size=site_index.size)
    labels = np.array(SITE_LABELS)[site_index]
    ages.setflags(write=False)
    labels.setflags(write=False)
    inside = (ages >= window.first_percentile_months) & (ages <= window.ninety_ninth_percentile_months)
    return SiteSample(
        milestone=window.milestone, requested_share=share, n_per_site=n, seed=seed_value,
        mean_months=window.mean_months, sd_months=window.sd_months,
        window_low_months=window.first_percentile_months,
        window_high_months=window.ninety_ninth_percentile_months,
        site_labels=SITE_LABELS, site_effects_months=tuple(float(e) for e in effects),
        ages_months=ages, child_sites=labels,
        site_means_months=tuple(float(ages[site_index == i].mean()) for i in range(len(SITE_LABELS))),
        within_window_fraction=tuple(float(inside[site_index == i].mean()) for i in range(len(SITE_LABELS))),
        estimated_share=_estimate_share(ages, labels),  # the parameter shadows the public name
    )


def between_site_share(values, site_labels) -> float:
    """Share of the total variance that lies between sites (a fraction, 0 to 1).

    ANOVA-style: sum over sites of n_site x (site mean - grand mean)^2, divided by the
    sum over all children of (value - grand mean)^2. In a finite sample chance
    differences between site means make it a little above the population share.
    """
    try:
        x = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("values: give a sequence of numbers (ages in months)") from None
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"values: give a one-dimensional sequence of at least 2 numbers; got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("values: all values must be finite numbers")
    if isinstance(site_labels, (str, bytes)):
        raise ValueError("site_labels: give one label per value, not a single string")
    labels = np.asarray(site_labels)
    if labels.ndim != 1 or labels.size != x.size:
        raise ValueError(f"site_labels: need one label per value ({x.size}); got {labels.size}")
    sites, index = np.unique(labels, return_inverse=True)
    if sites.size < 2:
        raise ValueError("site_labels: need at least two different sites")
    grand = x.mean()
    total = float(np.sum((x - grand) ** 2))
    if total == 0.0:
        raise ValueError("values: all values are equal, so there is no variance to share out")
    counts = np.bincount(index)
    means = np.bincount(index, weights=x) / counts
    between = float(np.sum(counts * (means - grand) ** 2))
    return min(1.0, max(0.0, between / total))


_estimate_share = between_site_share


# --------------------------------------------------------------------------- figures
def plot_who_windows(windows: Sequence[MilestoneWindow] | None = None, ax=None):
    """Horizontal bars from the 1st to the 99th percentile for each milestone, approximate means marked."""
    windows = tuple(windows) if windows is not None else who_windows()
    if ax is None:
        fig, ax = new_figure(7.0, 4.0)
    else:
        fig = ax.figure
    ys = np.arange(len(windows))[::-1]
    for y, w in zip(ys, windows):
        ax.barh(y, w.width_months, left=w.first_percentile_months, height=0.5, color=PALETTE["sky"],
                edgecolor=PALETTE["blue"], hatch="//", label="WHO window (1st-99th percentile)" if y == ys[0] else None)
    ax.plot([w.mean_months for w in windows], ys, linestyle="none", marker="D", color=PALETTE["vermillion"],
            label="approximate mean")
    ax.set_yticks(ys, [w.milestone for w in windows])
    ax.set_xlim(0, 21)
    ax.set_xlabel("Age (months)")
    ax.set_title("WHO windows of achievement for six motor milestones")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, fontsize=8)
    return fig


def describe_who_windows(windows: Sequence[MilestoneWindow] | None = None) -> str:
    """One sentence describing :func:`plot_who_windows`."""
    windows = tuple(windows) if windows is not None else who_windows()
    parts = "; ".join(f"{w.milestone.lower()} {w.first_percentile_months:g} to {w.ninety_ninth_percentile_months:g}"
                      for w in windows)
    return (f"Horizontal bars show the WHO windows of achievement in months ({parts}), each several months wide, "
            "with diamonds marking approximate mean ages.")


def plot_tenet_matching(result: TenetMatchResult, ax=None):
    """Dot plot: the learner's tenet (circle) and, once answered, the course's reading (square) per example."""
    if ax is None:
        fig, ax = new_figure(6.5, 3.0)
    else:
        fig = ax.figure
    ys = np.arange(result.n_items)[::-1]
    ax.plot([], [], linestyle="none", marker=MARKERS[0], markersize=9, color=PALETTE["blue"], label="your match")
    ax.plot([], [], linestyle="none", marker=MARKERS[1], markersize=15, markerfacecolor="none", markeredgewidth=2,
            color=PALETTE["orange"], label="course's reading")
    _update_tenet_matching(result, ax)
    ax.set_yticks(ys, list(result.keys))
    ax.set_xticks(GRADED_TENETS, [f"Tenet {n}" for n in GRADED_TENETS])
    ax.set_xlim(0.5, 5.5)
    ax.set_ylim(-0.7, result.n_items - 0.3)
    ax.set_xlabel("Tenet (number, 2018 edition)")
    ax.set_ylabel("Practice example")
    handles, labels = ax.get_legend_handles_labels()
    fixed_legend(ax, handles, labels, fontsize=8, side="right")
    return fig


def _update_tenet_matching(result: TenetMatchResult, ax) -> None:
    """The points and the title of a :func:`plot_tenet_matching` figure, for ``result``, in place."""
    ys = np.arange(result.n_items)[::-1]
    mine = [(c, y) for c, y in zip(result.choices, ys) if c]
    course = [(t, y) for t, y, c in zip(result.course_tenets, ys, result.choices) if c]
    for line, points in zip(ax.lines[:2], (mine, course)):
        line.set_data([m[0] for m in points], [m[1] for m in points])
    ax.set_title(f"Tenet matching: {result.n_agree} of {result.n_items} agree with the course's reading")


def describe_tenet_matching(result: TenetMatchResult) -> str:
    """One sentence describing :func:`plot_tenet_matching`."""
    if result.n_answered == 0:
        return f"An empty grid of {result.n_items} practice examples by tenets 1 to 5: no example has been matched yet."
    agreed = [k for k, a in zip(result.keys, result.agree) if a is True]
    differ = [k for k, a in zip(result.keys, result.agree) if a is False]
    return (f"A grid of {result.n_items} practice examples by tenets 1 to 5: of {result.n_answered} matched, "
            f"{result.n_agree} agree with the course's reading ({', '.join(agreed) or 'none'}) and "
            f"{len(differ)} {'differs' if len(differ) == 1 else 'differ'} ({', '.join(differ) or 'none'}).")


def _site_axis_limits() -> tuple[float, float]:
    """Ages (months) the site figure shows: every milestone's WHO window and mean ± 4 SD, so the
    axes stay the same from one milestone to the next."""
    windows = who_windows()
    low = min(min(w.first_percentile_months, w.mean_months - 4.0 * w.sd_months) for w in windows)
    high = max(max(w.ninety_ninth_percentile_months, w.mean_months + 4.0 * w.sd_months) for w in windows)
    return low - 0.5, high + 0.5


def plot_site_variation(sample: SiteSample, ax=None):
    """Jittered ages of the synthetic children at each site, site means, and the WHO window."""
    if ax is None:
        fig, ax = new_figure(7.0, 3.8)
    else:
        fig = ax.figure
    ax.axvline(0, color=PALETTE["black"], linestyle=LINESTYLES[1], linewidth=1, gid="window low")
    ax.axvline(0, color=PALETTE["black"], linestyle=LINESTYLES[1], linewidth=1, gid="window high")
    colours = [PALETTE[c] for c in ("blue", "orange", "green", "vermillion", "purple")]
    markers = ["o", "s", "^", "D", "v"]
    for i, label in enumerate(sample.site_labels):
        ax.plot([], [], linestyle="none", marker=markers[i], markersize=3, alpha=0.45,
                color=colours[i], label=f"{label} (synthetic)", gid=f"children {i}")
        ax.plot([], [], color=PALETTE["black"], linewidth=2.5,
                linestyle=LINESTYLES[0], label="site mean" if i == 0 else None, gid=f"mean {i}")
    n_sites = len(sample.site_labels)
    ax.set_yticks(range(n_sites), list(sample.site_labels)[::-1])
    ax.set_ylim(-0.5, n_sites - 0.5)
    ax.set_xlim(*_site_axis_limits())
    ax.set_xlabel("Age at milestone (months)")
    ax.set_ylabel("Synthetic site")
    _update_site_variation(sample, ax)
    handles, labels = ax.get_legend_handles_labels()
    fixed_legend(ax, [ax.patches[0]] + handles, ["WHO window (1st to 99th percentile)"] + labels, fontsize=7, side="right")
    return fig




def _update_site_variation(sample: SiteSample, ax) -> None:
    """What a sample changes in :func:`plot_site_variation` (the children, the site means, the
    window, the title), in place."""
    lo, hi = sample.window_low_months, sample.window_high_months
    for patch in list(ax.patches):
        patch.remove()
    ax.axvspan(lo, hi, facecolor="none", edgecolor=PALETTE["black"], hatch="..", alpha=0.25, linewidth=0)
    jitter = np.random.default_rng(0).uniform(-0.25, 0.25, size=sample.n_children)  # display only, fixed
    n_sites = len(sample.site_labels)
    lines = {line.get_gid(): line for line in ax.lines}
    lines["window low"].set_xdata([lo, lo])
    lines["window high"].set_xdata([hi, hi])
    for i, label in enumerate(sample.site_labels):
        y = n_sites - 1 - i
        ages = sample.ages_months[sample.child_sites == label]
        lines[f"children {i}"].set_data(ages, y + jitter[: ages.size])
        lines[f"mean {i}"].set_data([sample.site_means_months[i]] * 2, [y - 0.38, y + 0.38])
    ax.set_title(f"{sample.milestone} at five synthetic sites (WHO window {lo:g} to {hi:g} months)\n"
                 f"({sample.requested_share:.1%} of variance between sites, illustrative)", fontsize=10)


def describe_site_variation(sample: SiteSample) -> str:
    """One sentence describing :func:`plot_site_variation`."""
    means = sample.site_means_months
    return (f"Dot strips of {sample.n_per_site} synthetic children at each of five sites for "
            f"{sample.milestone.lower()}: site means run from {min(means):.1f} to {max(means):.1f} months, "
            f"and {min(sample.within_window_fraction):.0%} to {max(sample.within_window_fraction):.0%} of each "
            f"site's children fall inside the WHO window of {sample.window_low_months:g} to "
            f"{sample.window_high_months:g} months.")


# ----------------------------------------------------------------------------- views
class TenetMatcher(ModelView):
    """Dropdowns: match each practice example to tenet 1-5; per-item feedback on agreement."""

    title = "Match each practice example to the tenet (1-5) it is mainly about"

    def __init__(self, examples: Sequence[PracticeExample] = PRACTICE_EXAMPLES, **initial):
        self.examples = tuple(examples)
        super().__init__(**initial)

    def make_controls(self) -> dict:
        import ipywidgets

        tenets = {t.number: t for t in load_tenets()}
        options = [("(choose a tenet)", 0)] + [(f"{n}. {tenets[n].title}", n) for n in GRADED_TENETS]
        return {e.key: ipywidgets.Dropdown(options=options, value=0, description=f"Example {e.key}")
                for e in self.examples}

    def compute(self, **choices):
        return match_tenets(choices, self.examples)

    def plot(self, result):
        # drawn once; the points and the title move in place
        fig = getattr(self, "_matching_figure", None)
        if fig is None:
            fig = self._matching_figure = plot_tenet_matching(result)
        else:
            _update_tenet_matching(result, fig.axes[0])
        return fig

    def describe(self, result) -> str:
        return describe_tenet_matching(result)

    def summarise(self, result) -> str:
        import html

        items = "".join(
            f"<li><b>{html.escape(e.key)}</b>: {html.escape(e.text)}<br/><i>{html.escape(fb)}</i></li>"
            for e, fb in zip(self.examples, result.feedback)
        )
        head = (f"<p>{result.n_agree} of {result.n_answered} answered examples agree with the course's reading "
                f"({result.n_items} examples in all).</p>")
        return head + f"<ol style='list-style:none;padding-left:0'>{items}</ol>"


class SiteVariationExplorer(ModelView):
    """Sliders: milestone, share of variance between sites (0-15%), children per site, seed."""

    title = "Synthetic sites (illustrative): culture-specific care shifting a milestone's timing"

    def make_controls(self) -> dict:
        import ipywidgets

        names = [w.milestone for w in who_windows()]
        return {
            "milestone": ipywidgets.Dropdown(options=names, value="Hands-and-knees crawling", description="Milestone"),
            "share_percent": ipywidgets.FloatSlider(value=10.0, min=0.0, max=15.0, step=0.5,
                                                    description="Share of variance between sites (%)"),
            "n_per_site": ipywidgets.IntSlider(value=150, min=20, max=400, step=10,
                                               description="Synthetic children per site"),
            "seed": ipywidgets.IntText(value=2006, description="Random seed"),
        }

    def compute(self, milestone, share_percent, n_per_site, seed):
        return simulate_sites(milestone, share_percent / 100.0, n_per_site, seed)

    def plot(self, result):
        # drawn once on fixed axes; a new sample moves the points, means, window and title in place
        fig = getattr(self, "_sites_figure", None)
        if fig is None:
            fig = self._sites_figure = plot_site_variation(result)
        else:
            _update_site_variation(result, fig.axes[0])
        return fig

    def describe(self, result) -> str:
        return describe_site_variation(result)

    def summarise(self, result) -> str:
        means = result.site_means_months
        return (
            f"<p>Requested share of variance between sites: <b>{result.requested_share:.1%}</b>; "
            f"estimated from this synthetic sample (between-site sum of squares / total): "
            f"<b>{result.estimated_share:.1%}</b>. Site means run from {min(means):.2f} to {max(means):.2f} months; "
            f"{min(result.within_window_fraction):.0%} to {max(result.within_window_fraction):.0%} of each site's "
            f"children fall inside the WHO window ({result.window_low_months:g} to {result.window_high_months:g} months).</p>"
            "<p><i>The site effects are synthetic. They illustrate the share of variance the WHO companion paper "
            "reports, not the results of any real site.</i></p>"
        )
