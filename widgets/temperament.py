"""Temperament and goodness of fit: nine dimensions, the course's classification rule, a fit score.

The New York Longitudinal Study (NYLS; Thomas, Chess, Birch, Hertzig and
colleagues, from 1956) rated nine categories of temperament as high, medium or
low, as secondary sources report. The dimension names, the course's rating poles
and its caregiving suggestions are packaged with their citation
(``widgets.data.load_table("temperament_dimensions")``); the definitions (Chess &
Thomas, 1996) are quoted in notebook 10, where they are taught and graded, and are
not packaged. This module codes the three-point scale as numbers and builds on it:

* :func:`make_profile` - a child's (or a setting's) ratings, one per dimension;
* :func:`classify` - easy / difficult / slow-to-warm-up / intermediate by the
  course's own transparent rule, with the reasons;
* :func:`goodness_of_fit` - how well a setting's demands and expectations can
  accommodate a child's temperament: only a difference beyond what the setting
  can stretch to counts as strain; where the strain is greatest, and what the
  setting could change;
* :func:`generate_population` and :func:`expected_counts` - synthetic children
  in the NYLS proportions, for exercises on expected counts;
* :func:`plot_fit` / :func:`describe_fit`, :func:`plot_population` /
  :func:`describe_population` and the :class:`TemperamentMatcher` view.

Rating scale (scale points)
    1 = low, 2 = medium, 3 = high, as in the NYLS three-point scale; half points
    (1.5, 2.5) are allowed for a child or setting between two categories, and
    any real number from 1 to 3 is accepted. "Low" and "high" always mean low or
    high on the dimension as named: rhythmicity 1 = irregular, 3 = regular;
    approach 1 = withdraws, 3 = approaches; adaptability 1 = slow to adapt,
    3 = adapts quickly; intensity 1 = mild, 3 = intense; mood 1 = negative,
    3 = positive; distractibility 1 = hard to distract, 3 = easily distracted;
    persistence 1 = gives up quickly, 3 = persists; threshold 1 = reacts to faint
    stimuli, 3 = needs strong stimuli. For a setting, the rating is what that
    setting expects of a child on the dimension (the centre of what it is built
    around), and its *flex* (scale points, 0 to 2) is how far either side of that
    expectation it can comfortably stretch. A setting that can accommodate any
    rhythm is described by a wide flex, not by a low rating.
"""
from __future__ import annotations

import html
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from types import MappingProxyType

import ipywidgets
import numpy as np

from .data import load_table
from .figures import PALETTE, new_figure
from .view import ModelView, side_by_side

__all__ = [
    "DIMENSIONS",
    "TYPES",
    "NYLS_PROPORTIONS",
    "SCALE_MIN",
    "SCALE_MAX",
    "SCALE_STEPS",
    "LOW_BAND",
    "HIGH_BAND",
    "DEFAULT_FLEX",
    "CRITERIA",
    "Criterion",
    "CriterionCheck",
    "DimensionInfo",
    "Profile",
    "Classification",
    "FitResult",
    "Population",
    "dimension_info",
    "make_profile",
    "classify",
    "goodness_of_fit",
    "generate_population",
    "expected_counts",
    "plot_fit",
    "describe_fit",
    "plot_population",
    "describe_population",
    "TemperamentMatcher",
]

#: The nine NYLS dimensions, in the order of the packaged table.
DIMENSIONS = (
    "activity",
    "rhythmicity",
    "approach",
    "adaptability",
    "intensity",
    "mood",
    "distractibility",
    "persistence",
    "threshold",
)
#: The four labels :func:`classify` returns ("intermediate" = the NYLS's "not classifiable").
TYPES = ("easy", "difficult", "slow-to-warm-up", "intermediate")
#: Approximate NYLS proportions (Thomas, Chess & Birch, 1970), read through secondary sources.
NYLS_PROPORTIONS = MappingProxyType({"easy": 0.40, "difficult": 0.10, "slow-to-warm-up": 0.15, "intermediate": 0.35})

#: The rating scale, in scale points.
SCALE_MIN, SCALE_MAX = 1.0, 3.0
#: The ratings the course's sliders and the population generator use.
SCALE_STEPS = (1.0, 1.5, 2.0, 2.5, 3.0)
#: A rating at or below LOW_BAND counts as "low"; at or above HIGH_BAND as "high".
LOW_BAND, HIGH_BAND = 1.5, 2.5
#: How far (scale points) either side of its expectation a setting can stretch unless told otherwise:
#: half a category, so a half-point difference is never strain.
DEFAULT_FLEX = 0.5


# --------------------------------------------------------------------------- the rule
@dataclass(frozen=True)
class Criterion:
    """One condition of the course's rule: ``rating <relation> bound`` on one dimension (scale points)."""

    dimension: str
    relation: str  # "<=" or ">="
    bound: float
    meaning: str  # the profile description it encodes, e.g. "regular"

    def met(self, rating: float) -> bool:
        """Whether a rating (scale points) satisfies the condition."""
        # ratings may come from arithmetic (2.2 + 0.3): compare with a tolerance far below a half point
        return rating <= self.bound + _EPS if self.relation == "<=" else rating >= self.bound - _EPS

    def rule(self) -> str:
        """The condition as text, e.g. ``"rhythmicity >= 2.5"``."""
        return f"{self.dimension} {self.relation} {self.bound:g}"


#: The course's classification rule: a profile type is assigned when ALL its criteria are met.
#: Each criterion encodes one word of the profile descriptions reported for the NYLS
#: (Thomas, Chess & Birch, 1970, via secondary sources). The three types are mutually
#: exclusive by construction: easy needs approach >= 2.5 where the others need <= 1.5, and
#: difficult needs intensity >= 2.5 where slow-to-warm-up needs <= 1.5.
CRITERIA = MappingProxyType({
    "easy": (
        Criterion("rhythmicity", ">=", HIGH_BAND, "regular"),
        Criterion("approach", ">=", HIGH_BAND, "approaching"),
        Criterion("adaptability", ">=", HIGH_BAND, "adaptable"),
        Criterion("intensity", "<=", 2.0, "mild to moderate in intensity"),
        Criterion("mood", ">=", HIGH_BAND, "positive in mood"),
    ),
    "difficult": (
        Criterion("rhythmicity", "<=", LOW_BAND, "irregular"),
        Criterion("approach", "<=", LOW_BAND, "withdrawing"),
        Criterion("adaptability", "<=", LOW_BAND, "slow to adapt"),
        Criterion("intensity", ">=", HIGH_BAND, "intense"),
        Criterion("mood", "<=", LOW_BAND, "negative in mood"),
    ),
    "slow-to-warm-up": (
        Criterion("approach", "<=", LOW_BAND, "withdrawing"),
        Criterion("adaptability", "<=", LOW_BAND, "slow to adapt"),
        Criterion("mood", "<=", 2.0, "somewhat negative in mood (not positive)"),
        Criterion("activity", "<=", LOW_BAND, "low in activity"),
        Criterion("intensity", "<=", LOW_BAND, "mild in intensity"),
    ),
})


# --------------------------------------------------------------------------- packaged text
@dataclass(frozen=True)
class DimensionInfo:
    """One row of the packaged table: names, poles and suggestions (text)."""

    key: str
    dimension: str
    low_label: str
    high_label: str
    axis_label: str
    low_pole: str
    high_pole: str
    suggestion_if_child_higher: str
    suggestion_if_child_lower: str

    def scale_text(self) -> str:
        """The scale in words, e.g. ``"1 irregular - 3 regular"``."""
        return f"1 {self.low_label} - 3 {self.high_label}"


@cache
def _dimension_table() -> tuple[DimensionInfo, ...]:
    table = load_table("temperament_dimensions")
    names = [f.name for f in fields(DimensionInfo)]
    rows = tuple(DimensionInfo(**{name: str(row[name]) for name in names}) for row in table.rows)
    if tuple(row.key for row in rows) != DIMENSIONS:  # the package is broken, not the caller's input
        raise RuntimeError("temperament_dimensions.csv does not list DIMENSIONS in order")
    return rows


def dimension_info() -> dict[str, DimensionInfo]:
    """The packaged names, scale poles and suggestions, keyed by dimension (a new dict each call)."""
    return {row.key: row for row in _dimension_table()}


# --------------------------------------------------------------------------- profiles
def _check_rating(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name}: rating must be a number from 1 to 3 (scale points), "
                         f"got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value) or not SCALE_MIN <= value <= SCALE_MAX:
        raise ValueError(f"{name}: rating must be from 1 (low) to 3 (high) scale points, got {value!r}")
    return value


_EPS = 1e-9  # scale points: float rounding, never a real difference between ratings

@dataclass(frozen=True)
class Profile:
    """Ratings on the nine dimensions, each from 1 (low) to 3 (high) scale points.

    Build one with :func:`make_profile`. The same type describes a child (how the
    child tends to respond) and a setting (what the caregiver or setting expects
    of a child, or can accommodate).
    """

    activity: float
    rhythmicity: float
    approach: float
    adaptability: float
    intensity: float
    mood: float
    distractibility: float
    persistence: float
    threshold: float

    def __post_init__(self):
        for name in DIMENSIONS:
            object.__setattr__(self, name, _check_rating(name, getattr(self, name)))

    def as_dict(self) -> dict[str, float]:
        """Ratings by dimension (scale points), in DIMENSIONS order."""
        return {name: getattr(self, name) for name in DIMENSIONS}

    def as_array(self) -> np.ndarray:
        """Ratings as a float array of length 9 (scale points), in DIMENSIONS order."""
        return np.array([getattr(self, name) for name in DIMENSIONS], dtype=float)

    def with_ratings(self, **ratings) -> "Profile":
        """A copy with some ratings changed (scale points); unknown dimensions raise ValueError."""
        return make_profile(**{**self.as_dict(), **ratings})


def make_profile(default: float | None = None, **ratings) -> Profile:
    """A :class:`Profile` from ratings given by dimension name, each 1-3 scale points.

    All nine dimensions (see ``DIMENSIONS``) must be given, unless ``default``
    (scale points) is set: then missing dimensions get that rating. Raises
    ``ValueError`` naming the dimension for a missing, unknown, non-numeric,
    NaN or out-of-range rating.
    """
    unknown = [name for name in ratings if name not in DIMENSIONS]
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown dimension; the dimensions are {', '.join(DIMENSIONS)}")
    if default is not None:
        default = _check_rating("default", default)
    values = {}
    for name in DIMENSIONS:
        if name in ratings:
            values[name] = _check_rating(name, ratings[name])
        elif default is not None:
            values[name] = default
        else:
            raise ValueError(f"{name}: missing rating; give all nine dimensions ({', '.join(DIMENSIONS)}) or a default")
    return Profile(**values)


def _as_profile(value, parameter: str) -> Profile:
    """A Profile from a Profile or a mapping of ratings; errors name the parameter and the dimension."""
    if isinstance(value, Profile):
        return value
    if isinstance(value, Mapping):
        try:
            return make_profile(**{str(k): v for k, v in value.items()})
        except ValueError as exc:
            raise ValueError(f"{parameter}: {exc}") from None
    raise ValueError(f"{parameter}: expected a Profile (see make_profile) or a mapping of ratings, "
                     f"got {type(value).__name__}")


# --------------------------------------------------------------------------- classification
@dataclass(frozen=True)
class CriterionCheck:
    """One criterion of the rule applied to one profile: the rating (scale points) and whether it was met."""

    profile_type: str
    criterion: Criterion
    rating: float
    met: bool

    def text(self) -> str:
        """The check in words, e.g. ``"rhythmicity 3 is regular (rule: >= 2.5)"``."""
        c = self.criterion
        verb = "is" if self.met else "is not"
        return f"{c.dimension} {self.rating:g} {verb} {c.meaning} (rule: {c.relation} {c.bound:g})"


@dataclass(frozen=True)
class Classification:
    """The label the course's rule gives a profile, with the reasons.

    ``label`` is one of TYPES. ``reasons`` are sentences: the criteria that made
    the label (or, for "intermediate", why each type did not fit), then what each
    other type lacked. ``checks`` holds every criterion of every type with the
    rating and whether it was met; ``criteria_met`` counts met criteria per type
    (out of 5).
    """

    label: str
    reasons: tuple[str, ...]
    checks: tuple[CriterionCheck, ...]
    criteria_met: dict[str, int] = field(default_factory=dict)

    @property
    def closest(self) -> str:
        """The profile type with the most criteria met (ties go to the earlier type in TYPES)."""
        return max(CRITERIA, key=lambda t: self.criteria_met[t])


def classify(profile) -> Classification:
    """Classify a child's profile as easy, difficult, slow-to-warm-up or intermediate.

    THE COURSE'S TEACHING RULE, NOT THE NYLS SCORING PROCEDURE. The NYLS's own
    classification rules could not be verified; the Carey & McDevitt (1978)
    clusters are the common operational rule in practice. This rule encodes the
    profile descriptions reported for the NYLS (Thomas, Chess & Birch, 1970),
    with "low" = rating <= 1.5 and "high" = rating >= 2.5 scale points:

    * easy: regular (rhythmicity >= 2.5), approaching (approach >= 2.5),
      adaptable (adaptability >= 2.5), mild to moderate intensity
      (intensity <= 2), positive mood (mood >= 2.5);
    * difficult: irregular (rhythmicity <= 1.5), withdrawing (approach <= 1.5),
      slow to adapt (adaptability <= 1.5), intense (intensity >= 2.5),
      negative mood (mood <= 1.5);
    * slow-to-warm-up: withdrawing (approach <= 1.5), slow to adapt
      (adaptability <= 1.5), somewhat negative mood (mood <= 2), low activity
      (activity <= 1.5), mild intensity (intensity <= 1.5);
    * intermediate (the NYLS's "not classifiable"): every other profile.

    A type is given only when all five of its criteria are met; the types cannot
    overlap. The other four dimensions never change the label. ``profile`` is a
    :class:`Profile` or a mapping of the nine ratings (1-3 scale points).
    """
    profile = _as_profile(profile, "profile")
    ratings = profile.as_dict()
    checks = tuple(
        CriterionCheck(kind, criterion, ratings[criterion.dimension], criterion.met(ratings[criterion.dimension]))
        for kind, criteria in CRITERIA.items()
        for criterion in criteria
    )
    met = {kind: sum(c.met for c in checks if c.profile_type == kind) for kind in CRITERIA}
    matched = [kind for kind, criteria in CRITERIA.items() if met[kind] == len(criteria)]
    label = matched[0] if matched else "intermediate"
    reasons = []
    if label != "intermediate":
        reasons.append(f"{label}: all {met[label]} criteria met: "
                       + "; ".join(c.text() for c in checks if c.profile_type == label))
    for kind, criteria in CRITERIA.items():
        if kind == label:
            continue
        failed = "; ".join(c.text() for c in checks if c.profile_type == kind and not c.met)
        reasons.append(f"not {kind} ({met[kind]} of {len(criteria)} criteria met): {failed}")
    return Classification(label=label, reasons=tuple(reasons), checks=checks, criteria_met=met)


def _classify_array(ratings: np.ndarray) -> np.ndarray:
    """Labels (indices into TYPES) for an (n, 9) array of ratings, by the same rule as :func:`classify`."""
    labels = np.full(ratings.shape[0], TYPES.index("intermediate"), dtype=int)
    for kind, criteria in CRITERIA.items():
        ok = np.ones(ratings.shape[0], dtype=bool)
        for c in criteria:
            column = ratings[:, DIMENSIONS.index(c.dimension)]
            ok &= column <= c.bound if c.relation == "<=" else column >= c.bound
        labels[ok] = TYPES.index(kind)
    return labels


# --------------------------------------------------------------------------- goodness of fit
@dataclass(frozen=True)
class FitResult:
    """Goodness of fit between a child and a setting (the course's teaching model).

    ``gaps`` are child minus setting expectation, in scale points (-2 to 2;
    positive = the child rates higher than the setting expects). ``flex`` is how
    far (scale points, 0 to 2) the setting can stretch either side of its
    expectation on each dimension. ``strain`` is the part of each gap the setting
    cannot stretch to: max(0, |gap| - flex), in scale points (0 to 2); a
    difference within the flex is no strain at all. ``mismatch`` is strain / 2, the
    strain as a fraction of the scale's range (0 to 1). ``score`` is 1 - the mean
    of ``mismatch`` (0 to 1; 1 = no strain on any dimension, 0 only when the flex is
    0 and every dimension sits at opposite ends). ``poorest`` lists the dimensions
    whose strain is at least ``threshold`` scale points, greatest strain first;
    ``suggestions`` gives for each a change to the setting or caregiving (packaged
    text). ``classification`` is the child's profile type by the course rule.
    """

    child: Profile
    setting: Profile
    score: float
    gaps: dict[str, float]
    flex: dict[str, float]
    strain: dict[str, float]
    mismatch: dict[str, float]
    poorest: tuple[str, ...]
    suggestions: dict[str, str]
    threshold: float
    classification: Classification


def _check_scale_points(name: str, value, low: float, high: float, low_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name}: must be a number of scale points, got {type(value).__name__} {value!r}")
    value = float(value)
    below = value <= low if low_open else value < low
    if not math.isfinite(value) or below or value > high:
        bound = "more than" if low_open else "at least"
        raise ValueError(f"{name}: must be {bound} {low:g} and at most {high:g} scale points, got {value!r}")
    return value


def _check_flex(flex) -> dict[str, float]:
    """Flex per dimension (scale points) from one number or a mapping {dimension: number} (others DEFAULT_FLEX)."""
    width = SCALE_MAX - SCALE_MIN
    if isinstance(flex, Mapping):
        unknown = [str(name) for name in flex if name not in DIMENSIONS]
        if unknown:
            raise ValueError(f"flex: {unknown[0]}: unknown dimension; the dimensions are {', '.join(DIMENSIONS)}")
        return {name: _check_scale_points(f"flex: {name}", flex.get(name, DEFAULT_FLEX), 0.0, width)
                for name in DIMENSIONS}
    value = _check_scale_points("flex", flex, 0.0, width)
    return dict.fromkeys(DIMENSIONS, value)


def goodness_of_fit(child, setting, *, flex=DEFAULT_FLEX, threshold: float = 1.0) -> FitResult:
    """Goodness of fit: can the setting's demands and expectations accommodate this child?

    ``child`` and ``setting`` are Profiles (or mappings of the nine ratings, 1-3
    scale points); the setting's rating on a dimension is what it expects of a
    child. ``flex`` (scale points, 0 to 2; default DEFAULT_FLEX = 0.5) is how far
    either side of that expectation the setting can comfortably stretch: one
    number for every dimension, or a mapping {dimension: scale points} (missing
    dimensions get DEFAULT_FLEX).

    The rule: a difference between child and setting is not misfit in itself.
    On each dimension the **strain** is the part of the gap beyond the flex,
    max(0, |child - setting| - flex) scale points; the mismatch is strain / 2
    (0 to 1); the score is 1 minus the mean mismatch (0 to 1, 1 = no strain).
    Dimensions whose strain is at least ``threshold`` scale points (0 <
    threshold <= 2; default 1, a full category beyond the stretch) are the
    poorest fitting, each with a practical suggestion that adapts the setting,
    never the child. This operationalises goodness of fit as Thomas and Chess
    described it (demands and expectations set against the child's capacities
    and style; Thomas & Chess, 1977) for teaching; it is not a published
    instrument, and weighting the nine dimensions equally is an assumption.
    """
    child = _as_profile(child, "child")
    setting = _as_profile(setting, "setting")
    threshold = _check_scale_points("threshold", threshold, 0.0, SCALE_MAX - SCALE_MIN, low_open=True)
    flexes = _check_flex(flex)
    c, s = child.as_dict(), setting.as_dict()
    gaps = {name: c[name] - s[name] for name in DIMENSIONS}
    strain = {name: max(0.0, abs(gaps[name]) - flexes[name]) for name in DIMENSIONS}
    strain = {name: 0.0 if value < _EPS else value for name, value in strain.items()}  # float dust is no strain
    mismatch = {name: value / (SCALE_MAX - SCALE_MIN) for name, value in strain.items()}
    score = 1.0 - sum(mismatch.values()) / len(DIMENSIONS)
    poor = [name for name in DIMENSIONS if strain[name] >= threshold - _EPS]  # 2.3 - 1.3 is 0.99999...
    poorest = tuple(sorted(poor, key=lambda name: -strain[name]))  # stable: ties keep DIMENSIONS order
    info = dimension_info()
    suggestions = {
        name: info[name].suggestion_if_child_higher if gaps[name] > 0 else info[name].suggestion_if_child_lower
        for name in poorest
    }
    return FitResult(child=child, setting=setting, score=score, gaps=gaps, flex=flexes, strain=strain,
                     mismatch=mismatch, poorest=poorest, suggestions=suggestions, threshold=threshold,
                     classification=classify(child))


# --------------------------------------------------------------------------- synthetic population
@dataclass(frozen=True, eq=False)
class Population:
    """Synthetic children: ``ratings`` (n x 9 array, scale points, read-only, DIMENSIONS order),
    ``drawn`` (the type each child was drawn as) and ``labels`` (what :func:`classify` says;
    equal to ``drawn`` by construction), and the ``proportions`` used."""

    ratings: np.ndarray
    drawn: tuple[str, ...]
    labels: tuple[str, ...]
    proportions: dict[str, float]

    @property
    def n(self) -> int:
        """Number of children."""
        return len(self.labels)

    def counts(self) -> dict[str, int]:
        """Number of children per label (all four TYPES, zeros included)."""
        return {kind: self.labels.count(kind) for kind in TYPES}

    def observed_proportions(self) -> dict[str, float]:
        """Fraction of children per label (0 to 1)."""
        return {kind: count / self.n for kind, count in self.counts().items()}

    def profile(self, index: int) -> Profile:
        """The Profile of child ``index`` (0-based)."""
        return make_profile(**dict(zip(DIMENSIONS, self.ratings[index].tolist())))

    @property
    def profiles(self) -> tuple[Profile, ...]:
        """All children as Profiles (built on demand)."""
        return tuple(self.profile(i) for i in range(self.n))


def _generator(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed: must be a non-negative integer or a numpy.random.Generator, got {seed!r}")
    return np.random.default_rng(int(seed))


def _check_proportions(proportions) -> dict[str, float]:
    if proportions is None:
        return dict(NYLS_PROPORTIONS)
    if not isinstance(proportions, Mapping) or set(proportions) != set(TYPES):
        raise ValueError(f"proportions: must be a mapping with exactly the keys {list(TYPES)}")
    checked = {}
    for kind in TYPES:
        value = proportions[kind]
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= float(value) <= 1:
            raise ValueError(f"proportions: {kind} must be a number from 0 to 1, got {value!r}")
        checked[kind] = float(value)
    if not math.isclose(sum(checked.values()), 1.0, abs_tol=1e-9):
        raise ValueError(f"proportions: must add up to 1, got {sum(checked.values())!r}")
    return checked


def _check_count(n, name: str = "n", minimum: int = 0) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < minimum:
        raise ValueError(f"{name}: must be an integer >= {minimum} (number of children), got {n!r}")
    return int(n)


def expected_counts(n: int, proportions=None) -> dict[str, float]:
    """Expected number of children of each type among ``n`` children (counts, not rounded).

    Uses the approximate NYLS proportions (easy 0.40, difficult 0.10,
    slow-to-warm-up 0.15, intermediate/not classifiable 0.35) unless
    ``proportions`` (a mapping over TYPES adding up to 1) is given.
    """
    n = _check_count(n)
    return {kind: n * p for kind, p in _check_proportions(proportions).items()}


def generate_population(n: int, seed, *, proportions=None) -> Population:
    """``n`` synthetic children whose course-rule labels follow the NYLS proportions in expectation.

    Each child's type is drawn first (probabilities ``proportions``, default the
    approximate NYLS ones); then each rating is drawn uniformly from the half-point
    steps 1, 1.5, ..., 3 that the type's criteria allow (all five steps for
    dimensions the type does not constrain). "Intermediate" children are drawn from
    all steps and redrawn until they fit no type. ``seed`` is a non-negative integer
    or a ``numpy.random.Generator``; the same seed gives the same population.
    """
    n = _check_count(n, minimum=1)
    probabilities = _check_proportions(proportions)
    rng = _generator(seed)
    steps = np.array(SCALE_STEPS)
    types = rng.choice(len(TYPES), size=n, p=[probabilities[kind] for kind in TYPES])
    ratings = np.empty((n, len(DIMENSIONS)))
    for index, kind in enumerate(TYPES[:-1]):
        rows = np.flatnonzero(types == index)
        for column, name in enumerate(DIMENSIONS):
            allowed = [x for x in steps if all(c.met(x) for c in CRITERIA[kind] if c.dimension == name)]
            ratings[rows, column] = rng.choice(allowed, size=rows.size)
    rows = np.flatnonzero(types == TYPES.index("intermediate"))
    filled = 0
    while filled < rows.size:
        candidates = rng.choice(steps, size=(2 * (rows.size - filled) + 8, len(DIMENSIONS)))
        keep = candidates[_classify_array(candidates) == TYPES.index("intermediate")][: rows.size - filled]
        ratings[rows[filled: filled + len(keep)]] = keep
        filled += len(keep)
    labels = _classify_array(ratings)
    if not np.array_equal(labels, types):  # a broken rule, not bad input
        raise RuntimeError("generated profiles do not classify as the types they were drawn as")
    ratings.setflags(write=False)
    drawn = tuple(TYPES[i] for i in types)
    return Population(ratings=ratings, drawn=drawn, labels=tuple(TYPES[i] for i in labels), proportions=probabilities)


# --------------------------------------------------------------------------- figures
_CHILD_STYLE = dict(color=PALETTE["blue"], hatch="//", edgecolor=PALETTE["black"], linewidth=0.6)
_SETTING_STYLE = dict(color=PALETTE["orange"], hatch="..", edgecolor=PALETTE["black"], linewidth=0.6)


def _check_fit_result(result) -> FitResult:
    if not isinstance(result, FitResult):
        raise ValueError(f"result: expected a FitResult from goodness_of_fit, got {type(result).__name__}")
    return result


class _FitFigure:
    """The fit figure's artists, so a view can redraw a new result in place (bar widths and texts only)."""

    def __init__(self, result: FitResult, ax=None):
        _check_fit_result(result)
        if ax is None:
            self.figure, self.ax = new_figure(width=7.0, height=4.6)
        else:
            self.figure, self.ax = ax.get_figure(), ax
        ax = self.ax
        info = dimension_info()
        y = np.arange(len(DIMENSIONS))
        self.child_bars = ax.barh(y - 0.2, result.child.as_array(), height=0.38, label="Child", **_CHILD_STYLE)
        self.setting_bars = ax.barh(y + 0.2, result.setting.as_array(), height=0.38, label="Setting expects",
                                    **_SETTING_STYLE)
        ax.set_yticks(y, [info[name].axis_label for name in DIMENSIONS])
        self.marks = [ax.text(3.06, row, "", va="center", fontsize=8, fontweight="bold") for row in y]
        ax.invert_yaxis()
        ax.set_xlim(0, 3.7)
        ax.set_xticks([1, 2, 3], ["1 low", "2 medium", "3 high"])
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("Rating (scale points)")
        ax.set_ylabel("Dimension (low-high)")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
        self.update(result)

    def update(self, result: FitResult):
        """Show ``result`` (a FitResult) in the same axes; returns the Figure."""
        _check_fit_result(result)
        for bars, profile in ((self.child_bars, result.child), (self.setting_bars, result.setting)):
            for bar, rating in zip(bars, profile.as_array()):
                bar.set_width(rating)
        for mark, name in zip(self.marks, DIMENSIONS):
            mark.set_text(f"strain {result.strain[name]:g}\n({abs(result.gaps[name]):g} apart)"
                          if name in result.poorest else "")
        self.ax.set_title(f"Child and setting: goodness of fit {result.score:.2f}")
        return self.figure


def plot_fit(result: FitResult, ax=None):
    """Paired horizontal bars: the child's rating and the setting's expectation per dimension (1-3 scale points).

    The poorest-fitting dimensions are marked, in bold at the right, with their
    strain (the gap beyond the setting's flex) and how far apart the two ratings
    are (scale points). Returns the Figure.
    """
    return _FitFigure(result, ax).figure


def _join(words: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def describe_fit(result: FitResult) -> str:
    """One-sentence description of :func:`plot_fit` (alt text)."""
    _check_fit_result(result)
    info, child, setting = dimension_info(), result.child.as_dict(), result.setting.as_dict()
    if result.poorest:
        poor = "the poorest fit is on " + _join([
            f"{info[name].dimension.lower()} (child {child[name]:g}, setting {setting[name]:g}, "
            f"strain {result.strain[name]:g})"
            for name in result.poorest])
    else:
        poor = (f"no dimension strains the setting by {result.threshold:g} scale "
                f"point{'' if result.threshold == 1 else 's'} or more beyond what it can stretch to")
    return (f"Paired horizontal bars compare the child's ratings (blue, striped) with what the setting expects "
            f"(orange, dotted) on nine temperament dimensions rated 1 (low) to 3 (high); strain is the part of a "
            f"difference beyond what the setting can stretch to; the goodness of fit is "
            f"{result.score:.2f} out of 1, {poor}, and the course's teaching rule classifies the child as "
            f"{result.classification.label}.")


def plot_population(population: Population, ax=None):
    """Bars of observed and expected numbers of children per type (counts). Returns the Figure."""
    if not isinstance(population, Population):
        raise ValueError(f"population: expected a Population from generate_population, got {type(population).__name__}")
    if ax is None:
        fig, ax = new_figure()
    else:
        fig = ax.get_figure()
    observed = population.counts()
    expected = expected_counts(population.n, population.proportions)
    x = np.arange(len(TYPES))
    ax.bar(x - 0.2, [observed[k] for k in TYPES], width=0.38, label="Observed (simulated)", **_CHILD_STYLE)
    ax.bar(x + 0.2, [expected[k] for k in TYPES], width=0.38, label="Expected (n x proportion)", **_SETTING_STYLE)
    ax.set_xticks(x, list(TYPES))
    ax.grid(axis="x", visible=False)
    ax.set_xlabel("Temperament group (course rule)")
    ax.set_ylabel("Number of children")
    ax.set_title(f"{population.n} simulated children: observed and expected counts")
    ax.set_ylim(0, 1.25 * max(max(observed.values()), max(expected.values())))
    ax.legend(loc="upper center", ncols=2)
    return fig


def describe_population(population: Population) -> str:
    """One-sentence description of :func:`plot_population` (alt text)."""
    if not isinstance(population, Population):
        raise ValueError(f"population: expected a Population from generate_population, got {type(population).__name__}")
    observed = population.counts()
    expected = expected_counts(population.n, population.proportions)
    parts = "; ".join(f"{kind} {observed[kind]} observed vs {expected[kind]:g} expected" for kind in TYPES)
    return (f"Paired bars (observed striped blue, expected dotted orange) give the number of children in each "
            f"temperament group among {population.n} simulated children: {parts}.")


# --------------------------------------------------------------------------- view
class TemperamentMatcher(ModelView):
    """Child's ratings (left column) against the setting's expectations (right column), with the fit.

    Controls are named ``child_<dimension>``, ``setting_<dimension>`` and ``flex``
    (how far, in scale points, the setting can stretch either side of its
    expectations; one value for all nine dimensions, default DEFAULT_FLEX);
    ``child`` and ``setting`` (Profiles or mappings) set the starting positions.
    ``result`` is the last :class:`FitResult`.
    """

    title = ("Temperament matcher: rate the child (left) and what the setting expects (right), from 1 (low) to "
             "3 (high), and how far the setting can stretch.")

    def __init__(self, child=None, setting=None, **initial):
        values = {}
        for prefix, profile in (("child", child), ("setting", setting)):
            if profile is not None:
                values.update({f"{prefix}_{name}": v for name, v in _as_profile(profile, prefix).as_dict().items()})
        values.update(initial)
        self._fit_figure = None
        super().__init__(**values)
        columns = []
        for prefix, heading in (("child", "The child"), ("setting", "The setting's expectations")):
            controls = [self.controls[f"{prefix}_{name}"] for name in DIMENSIONS]
            if prefix == "setting":
                controls.append(self.controls["flex"])
            for control in controls:
                control.layout.width = "100%"
                control.style.description_width = "65%"  # long, descriptive labels stay readable
            columns.append(ipywidgets.VBox([ipywidgets.HTML(f"<b>{heading}</b>")] + controls))
        header = list(self.widget.children[:1]) if self.title else []
        # the chart beside the sliders, and kept in sight while they scroll (widgets.view.side_by_side)
        self.widget = ipywidgets.VBox(header + [side_by_side(columns + [self.error, self.summary], [self.figure])])

    def make_controls(self) -> dict:
        info = dimension_info()
        controls = {}
        for prefix, who in (("child", "Child"), ("setting", "Setting expects")):
            for name in DIMENSIONS:
                row = info[name]
                controls[f"{prefix}_{name}"] = ipywidgets.FloatSlider(
                    value=2.0, min=SCALE_MIN, max=SCALE_MAX, step=0.5, readout_format=".1f", continuous_update=False,
                    description=f"{who}: {row.dimension.lower()} ({row.scale_text()})")
        controls["flex"] = ipywidgets.FloatSlider(
            value=DEFAULT_FLEX, min=0.0, max=1.0, step=0.25, readout_format=".2f", continuous_update=False,
            description="Setting can stretch (scale points either way)")
        return controls

    def compute(self, **values) -> FitResult:
        child = make_profile(**{name: values[f"child_{name}"] for name in DIMENSIONS})
        setting = make_profile(**{name: values[f"setting_{name}"] for name in DIMENSIONS})
        return goodness_of_fit(child, setting, flex=values["flex"])

    def plot(self, result: FitResult):
        # One Figure for the view's lifetime: later results only change bar widths and
        # texts, and the layout of the first render is kept (the labels never change).
        if self._fit_figure is None:
            self._fit_figure = _FitFigure(result)
            return self._fit_figure.figure
        self._fit_figure.figure.set_layout_engine("none")
        return self._fit_figure.update(result)

    def describe(self, result: FitResult) -> str:
        return describe_fit(result)

    def summarise(self, result: FitResult) -> str:
        info = dimension_info()
        e = html.escape
        parts = [f"<p><b>Goodness of fit: {result.score:.2f}</b> (1 = no strain: every difference is within what "
                 f"the setting can stretch to, {result.flex[DIMENSIONS[0]]:g} scale points either way)</p>"]
        if result.poorest:
            items = "".join(
                f"<li><b>{e(info[name].dimension)}</b> (child {result.child.as_dict()[name]:g}, setting "
                f"{result.setting.as_dict()[name]:g}, strain {result.strain[name]:g}): "
                f"{e(result.suggestions[name])}</li>" for name in result.poorest)
            parts.append(f"<p><b>Poorest fit</b> (strain of at least {result.threshold:g} scale point beyond the "
                         f"stretch) and what the setting could change:</p><ul>{items}</ul>")
        else:
            parts.append(f"<p><b>Poorest fit:</b> none; no dimension strains the setting by {result.threshold:g} "
                         f"scale point or more beyond its stretch.</p>")
        reasons = "".join(f"<li>{e(reason)}</li>" for reason in result.classification.reasons)
        parts.append(f"<p><b>Child's profile by the course's teaching rule:</b> {e(result.classification.label)}"
                     f"</p><ul>{reasons}</ul>")
        return "".join(parts)
