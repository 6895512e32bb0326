"""The infant mental health approach: eight principles, the continuum of care and practice vignettes.

Three pieces, each a pure model first and then a thin view:

* **Principles and vignettes.** The eight principles the course's slide deck names
  (relationship-based, multigenerational, developmental, multidisciplinary,
  prevention, systems, reflective practice, parallel process) with the course's
  working definitions, and short practice vignettes written for the course, each
  placed by the course's key under the one principle it shows most clearly.
  :func:`score_sorting` compares a learner's sorting with that key;
  :class:`VignetteSorter` wraps it in dropdowns.
* **Placing practice on the continuum.** ZERO TO THREE describes the field's work as
  "promotion, early identification, preventive intervention, treatment, and support".
  :func:`place_example` checks where a learner puts a packaged practice example;
  :class:`ContinuumPlacer` wraps it.
* **An ILLUSTRATIVE reach model.** :func:`continuum_reach` follows a community of
  families through the five levels under stated assumptions (share of families with
  elevated need, share with a need for treatment, screening coverage, the screen's
  sensitivity and specificity, uptake, continuing support). Every default is an
  assumption chosen for teaching, not data; the screen's accuracy defaults sit in the
  range published for established screens (see :data:`SCREEN_ACCURACY_SOURCES`).
  :func:`simulate_community` draws one seeded community from the same assumptions;
  :class:`ContinuumExplorer` compares the two.
"""
from __future__ import annotations

import html
import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import ipywidgets
import numpy as np
from matplotlib.ticker import MaxNLocator

from .data import load_table
from .figures import MARKERS, PALETTE, new_figure
from .view import ModelView, side_by_side

__all__ = [
    "Principle",
    "Vignette",
    "ContinuumLevel",
    "ContinuumExample",
    "ItemResult",
    "SortingScore",
    "Placement",
    "ContinuumReach",
    "CommunityComparison",
    "DEFAULT_ASSUMPTIONS",
    "SCREEN_ACCURACY_SOURCES",
    "load_principles",
    "load_vignettes",
    "load_continuum",
    "load_continuum_examples",
    "principle_keys",
    "level_keys",
    "principles_html",
    "continuum_html",
    "score_sorting",
    "place_example",
    "continuum_reach",
    "simulate_community",
    "compare_community",
    "plot_sorting",
    "describe_sorting",
    "plot_placement",
    "describe_placement",
    "plot_reach",
    "describe_reach",
    "VignetteSorter",
    "ContinuumPlacer",
    "ContinuumExplorer",
]

#: Illustrative assumptions of the reach model (fractions of families, 0-1).
#: Chosen for teaching; they are NOT estimates for any real community.
DEFAULT_ASSUMPTIONS = {
    "n_families": 1000,
    "elevated_need": 0.25,
    "clinical_need": 0.08,
    "screening_coverage": 0.70,
    "uptake": 0.60,
    "continuing_share": 0.50,
    "sensitivity": 0.80,
    "specificity": 0.85,
}

#: Where the defaults of the screen's accuracy come from (illustrative: the model's "need" is not
#: the condition any of these tools screens for). Plausible ranges: sensitivity about 0.35-0.90,
#: specificity about 0.80-0.95.
SCREEN_ACCURACY_SOURCES = (
    "EPDS at a cut-off of 11 or more: sensitivity 0.81, specificity 0.88; at 13 or more: 0.66 and 0.95 "
    "(Levis et al., 2020, individual-participant-data meta-analysis)",
    "ASQ-3: sensitivity 0.86, specificity 0.85 (Squires & Bricker, 2009, publisher's data)",
    "Screens used in routine care can do much worse than in the studies that validated them.",
)

_UNSORTED = ""


# --------------------------------------------------------------------------- data
@dataclass(frozen=True)
class Principle:
    """One principle of the approach with the course's working definition."""

    key: str
    order: int
    name: str
    deck_section: str
    working_definition: str
    grounding: str


@dataclass(frozen=True)
class Vignette:
    """A practice vignette written for the course, with the course's key and reason."""

    id: str
    role: str
    text: str
    principle: str
    explanation: str


@dataclass(frozen=True)
class ContinuumLevel:
    """One level of the continuum, in ZERO TO THREE's order (1 = promotion)."""

    key: str
    order: int
    name: str
    who_served: str
    aim: str


@dataclass(frozen=True)
class ContinuumExample:
    """A practice example with the level the course places it at."""

    id: str
    text: str
    level: str
    explanation: str


def load_principles() -> tuple[Principle, ...]:
    """The eight principles in the slide deck's order."""
    rows = sorted(load_table("imh_principles").rows, key=lambda r: r["order"])
    return tuple(Principle(key=r["key"], order=int(r["order"]), name=r["name"], deck_section=r["deck_section"],
                           working_definition=r["working_definition"], grounding=r["grounding"]) for r in rows)


def load_vignettes() -> tuple[Vignette, ...]:
    """The packaged practice vignettes (for the sorter), in id order."""
    rows = load_table("practice_vignettes").rows
    return tuple(Vignette(id=r["id"], role=r["role"], text=r["vignette"], principle=r["principle"],
                          explanation=r["explanation"]) for r in rows)


def load_continuum() -> tuple[ContinuumLevel, ...]:
    """The five levels of the continuum in ZERO TO THREE's order."""
    rows = sorted(load_table("continuum_levels").rows, key=lambda r: r["order"])
    return tuple(ContinuumLevel(key=r["key"], order=int(r["order"]), name=r["name"], who_served=r["who_served"],
                                aim=r["aim"]) for r in rows)


def load_continuum_examples() -> tuple[ContinuumExample, ...]:
    """The packaged practice examples with the course's placement on the continuum."""
    rows = load_table("continuum_examples").rows
    return tuple(ContinuumExample(id=r["id"], text=r["example"], level=r["level"], explanation=r["explanation"])
                 for r in rows)


def principle_keys() -> tuple[str, ...]:
    """Keys of the eight principles, in the deck's order (the values a sorting answer may use)."""
    return tuple(p.key for p in load_principles())


def level_keys() -> tuple[str, ...]:
    """Keys of the five continuum levels, in ZERO TO THREE's order."""
    return tuple(level.key for level in load_continuum())


@dataclass(frozen=True)
class _HtmlTable:
    """A small table that renders as HTML in a notebook and as plain text elsewhere."""

    caption: str
    header: tuple
    rows: tuple

    def _repr_html_(self) -> str:
        head = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in self.header)
        body = "".join("<tr>" + "".join(f"<td style='text-align:left'>{html.escape(str(c))}</td>" for c in row)
                       + "</tr>" for row in self.rows)
        return (f"<table><caption style='text-align:left'><b>{html.escape(self.caption)}</b></caption>"
                f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")

    def __repr__(self) -> str:
        lines = [self.caption]
        lines += [" | ".join(str(c) for c in row) for row in self.rows]
        return "\n".join(lines)


def principles_html() -> _HtmlTable:
    """The eight principles with their keys and working definitions, as a displayable table."""
    return _HtmlTable(
        caption="The eight principles: key, name and the course's working definition",
        header=("key", "principle", "working definition"),
        rows=tuple((p.key, p.name, p.working_definition) for p in load_principles()),
    )


def continuum_html() -> _HtmlTable:
    """The five continuum levels with whom they serve and their aim, as a displayable table."""
    return _HtmlTable(
        caption="The continuum (ZERO TO THREE's order); who is served and aims are the course's descriptions",
        header=("order", "key", "level", "who is served", "aim"),
        rows=tuple((lv.order, lv.key, lv.name, lv.who_served, lv.aim) for lv in load_continuum()),
    )


# --------------------------------------------------------------------------- sorting
@dataclass(frozen=True)
class ItemResult:
    """One vignette: the learner's choice (None if unsorted), the course's key, agreement."""

    vignette_id: str
    chosen: str | None
    key: str
    agrees: bool
    explanation: str


@dataclass(frozen=True)
class SortingScore:
    """How a learner's sorting of the vignettes compares with the course's key."""

    items: tuple[ItemResult, ...]

    @property
    def n_items(self) -> int:
        """Number of vignettes."""
        return len(self.items)

    @property
    def n_answered(self) -> int:
        """Vignettes the learner has sorted."""
        return sum(item.chosen is not None for item in self.items)

    @property
    def n_agree(self) -> int:
        """Vignettes where the learner's principle is the course's key."""
        return sum(item.agrees for item in self.items)

    def placed_under(self, principle: str) -> int:
        """How many vignettes the learner put under ``principle``."""
        return sum(item.chosen == principle for item in self.items)

    def agreeing_under(self, principle: str) -> int:
        """How many vignettes the learner put under ``principle`` that agree with the key."""
        return sum(item.chosen == principle and item.agrees for item in self.items)


def score_sorting(answers: Mapping) -> SortingScore:
    """Compare ``answers`` ({vignette id: principle key}) with the course's key.

    Vignettes missing from ``answers`` (or given ``""``/``None``) count as not yet
    sorted. Keys are matched case-insensitively; an unknown vignette id or principle
    raises ``ValueError`` naming ``answers``.
    """
    if not isinstance(answers, Mapping):
        raise ValueError(f"answers: give a dict {{vignette id: principle key}}, not a {type(answers).__name__}")
    vignettes = load_vignettes()
    ids = {v.id for v in vignettes}
    keys = set(principle_keys())
    given = {}
    for vid, choice in answers.items():
        if not isinstance(vid, str) or vid.strip().lower() not in ids:
            raise ValueError(f"answers: {vid!r} is not a vignette id; ids are {sorted(ids)}")
        if choice is None or choice == _UNSORTED:
            continue
        if not isinstance(choice, str) or choice.strip().lower() not in keys:
            raise ValueError(f"answers: {choice!r} (for {vid}) is not a principle key; keys are {sorted(keys)}")
        given[vid.strip().lower()] = choice.strip().lower()
    items = tuple(
        ItemResult(vignette_id=v.id, chosen=given.get(v.id), key=v.principle,
                   agrees=given.get(v.id) == v.principle, explanation=v.explanation)
        for v in vignettes
    )
    return SortingScore(items=items)


# --------------------------------------------------------------------------- placement
@dataclass(frozen=True)
class Placement:
    """Where a learner placed a practice example, and the course's placement."""

    example_id: str
    text: str
    chosen: str
    course_level: str
    agrees: bool
    explanation: str
    reveal: bool


def place_example(example_id: str, level: str, *, reveal: bool = False) -> Placement:
    """Check the learner's ``level`` for packaged example ``example_id``.

    ``reveal`` records whether the course's placement should be shown to the learner
    (figure and description honour it). Unknown ids or levels raise ``ValueError``.
    """
    examples = {e.id: e for e in load_continuum_examples()}
    if not isinstance(example_id, str) or example_id not in examples:
        raise ValueError(f"example_id: {example_id!r} is not an example id; ids are {sorted(examples)}")
    if not isinstance(level, str) or level not in level_keys():
        raise ValueError(f"level: {level!r} is not a continuum level; levels are {list(level_keys())}")
    if not isinstance(reveal, bool):
        raise ValueError(f"reveal: give True or False, not a {type(reveal).__name__}")
    example = examples[example_id]
    return Placement(example_id=example_id, text=example.text, chosen=level, course_level=example.level,
                     agrees=level == example.level, explanation=example.explanation, reveal=reveal)


# --------------------------------------------------------------------------- reach model
@dataclass(frozen=True)
class ContinuumReach:
    """Families reached at each level of the continuum (expected, or one simulated community).

    ``reached`` is in the order of ``levels`` (counts of families). ``families_with_need``
    is the number with elevated need (including those needing treatment);
    ``unreached_need`` is how many of them receive neither preventive intervention nor
    treatment. The screen's results among screened families: ``true_positives`` (a need,
    flagged), ``false_negatives`` (a need the screen misses) and ``false_positives``
    (flagged without a need). Expected values may be fractional; simulated ones are whole
    numbers (all counts in families).
    """

    n_families: int
    elevated_need: float
    clinical_need: float
    screening_coverage: float
    uptake: float
    continuing_share: float
    levels: tuple[str, ...]
    reached: tuple[float, ...]
    families_with_need: float
    unreached_need: float
    sensitivity: float = 1.0
    specificity: float = 1.0
    true_positives: float = 0.0
    false_negatives: float = 0.0
    false_positives: float = 0.0
    need_not_screened: float = 0.0
    seed: int | None = None

    def reached_by(self, level: str) -> float:
        """Families reached by ``level`` (a key from :func:`level_keys`)."""
        if level not in self.levels:
            raise ValueError(f"level: {level!r} is not one of {list(self.levels)}")
        return self.reached[self.levels.index(level)]

    @property
    def targeted(self) -> float:
        """Families receiving preventive intervention or treatment (count)."""
        return self.reached_by("preventive_intervention") + self.reached_by("treatment")

    @property
    def flagged(self) -> float:
        """Families the screen flags, with or without a need (count)."""
        return self.true_positives + self.false_positives

    @property
    def flagged_declining(self) -> float:
        """Families with a need, flagged, who do not take up the offer (count)."""
        return self.true_positives - self.targeted

    @property
    def percent_need_unreached(self) -> float:
        """Percentage of families with elevated need reached by neither targeted level (%)."""
        if self.families_with_need == 0:
            return 0.0
        return 100.0 * self.unreached_need / self.families_with_need


@dataclass(frozen=True)
class CommunityComparison:
    """The expected reach and one seeded simulated community under the same assumptions."""

    expected: ContinuumReach
    simulated: ContinuumReach


def _check_count(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name}: give a whole number of families, not a {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name}: must be at least 1 family, got {value}")
    return int(value)


def _check_fraction(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name}: give a fraction between 0 and 1, not a {type(value).__name__}")
    if not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"{name}: must lie between 0 and 1 (a fraction of families), got {value}")
    return float(value)


def _check_assumptions(n_families, elevated_need, clinical_need, screening_coverage, uptake, continuing_share,
                       sensitivity, specificity):
    n = _check_count("n_families", n_families)
    e = _check_fraction("elevated_need", elevated_need)
    c = _check_fraction("clinical_need", clinical_need)
    if c > e:
        raise ValueError(f"clinical_need: families needing treatment ({c}) are part of those with elevated need "
                         f"({e}), so clinical_need cannot exceed elevated_need")
    return (n, e, c, _check_fraction("screening_coverage", screening_coverage), _check_fraction("uptake", uptake),
            _check_fraction("continuing_share", continuing_share), _check_fraction("sensitivity", sensitivity),
            _check_fraction("specificity", specificity))


def continuum_reach(n_families: int = 1000, elevated_need: float = 0.25, clinical_need: float = 0.08,
                    screening_coverage: float = 0.70, uptake: float = 0.60,
                    continuing_share: float = 0.50, sensitivity: float = 0.80,
                    specificity: float = 0.85) -> ContinuumReach:
    """Expected families reached at each level in an illustrative community (no randomness).

    Assumptions (fractions 0-1, all illustrative): ``elevated_need`` of families face
    raised risk, of whom ``clinical_need`` (as a share of ALL families) need treatment;
    promotion reaches every family; screening reaches ``screening_coverage`` of
    families; the screen flags a screened family with a need with probability
    ``sensitivity`` (the same for elevated and clinical need) and, wrongly, a screened
    family without one with probability ``1 - specificity``; flagged families with a need
    take up the offered service with probability ``uptake`` (preventive intervention for
    elevated need, treatment for clinical need); ``continuing_share`` of served families
    go on to ongoing support. Falsely flagged families are counted (``false_positives``)
    but not as served: in practice a follow-up assessment would release most of them.
    Defaults of ``sensitivity`` and ``specificity`` are illustrative, in the range of
    :data:`SCREEN_ACCURACY_SOURCES`. Counts are in families.

    With the defaults: 1000 x 0.25 = 250 with need; 250 x 0.7 = 175 screened; 175 x 0.8 = 140
    flagged (true positives), 35 missed (false negatives); 750 x 0.7 x 0.15 = 78.75 false
    positives; 140 x 0.6 = 84 served; 250 - 84 = 166 with need not reached.
    """
    n, e, c, cov, up, cont, sens, spec = _check_assumptions(n_families, elevated_need, clinical_need,
                                                            screening_coverage, uptake, continuing_share,
                                                            sensitivity, specificity)
    promotion = float(n)
    identification = n * cov
    preventive = n * (e - c) * cov * sens * up
    treatment = n * c * cov * sens * up
    support = (preventive + treatment) * cont
    need = n * e
    return ContinuumReach(n_families=n, elevated_need=e, clinical_need=c, screening_coverage=cov, uptake=up,
                          continuing_share=cont, levels=level_keys(),
                          reached=(promotion, identification, preventive, treatment, support),
                          families_with_need=need,
                          unreached_need=max(0.0, need - preventive - treatment),  # no -1e-14 from rounding
                          sensitivity=sens, specificity=spec, true_positives=need * cov * sens,
                          false_negatives=need * cov * (1.0 - sens), false_positives=(n - need) * cov * (1.0 - spec),
                          need_not_screened=need * (1.0 - cov))


def _generator(seed) -> tuple[np.random.Generator, int | None]:
    if isinstance(seed, np.random.Generator):
        return seed, None
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed: give a non-negative whole number or a numpy Generator, not {seed!r}")
    return np.random.default_rng(int(seed)), int(seed)


def simulate_community(n_families: int = 1000, elevated_need: float = 0.25, clinical_need: float = 0.08,
                       screening_coverage: float = 0.70, uptake: float = 0.60, continuing_share: float = 0.50,
                       sensitivity: float = 0.80, specificity: float = 0.85, *, seed) -> ContinuumReach:
    """One simulated community of ``n_families`` under the same assumptions as :func:`continuum_reach`.

    Each family independently gets a need group (none, elevated, needing treatment),
    is screened or not, is flagged by the screen or not, takes up an offer or not, and
    continues to support or not. ``seed`` is a non-negative int or a
    ``numpy.random.Generator``. Counts are whole families.
    """
    n, e, c, cov, up, cont, sens, spec = _check_assumptions(n_families, elevated_need, clinical_need,
                                                            screening_coverage, uptake, continuing_share,
                                                            sensitivity, specificity)
    rng, seed_value = _generator(seed)
    group = rng.choice(3, size=n, p=[1.0 - e, e - c, c])  # 0 none, 1 elevated, 2 needs treatment
    screened = rng.random(n) < cov
    takes_up = rng.random(n) < up
    continues = rng.random(n) < cont
    u_flag = rng.random(n)  # drawn last: a perfect screen gives the same community as before
    has_need = group > 0
    flagged = screened & np.where(has_need, u_flag < sens, u_flag < 1.0 - spec)
    preventive_mask = (group == 1) & flagged & takes_up
    treatment_mask = (group == 2) & flagged & takes_up
    served = preventive_mask | treatment_mask
    need = int(np.count_nonzero(has_need))
    reached = (float(n), float(np.count_nonzero(screened)), float(np.count_nonzero(preventive_mask)),
               float(np.count_nonzero(treatment_mask)), float(np.count_nonzero(served & continues)))
    return ContinuumReach(n_families=n, elevated_need=e, clinical_need=c, screening_coverage=cov, uptake=up,
                          continuing_share=cont, levels=level_keys(), reached=reached,
                          families_with_need=float(need),
                          unreached_need=float(need - np.count_nonzero(served)), sensitivity=sens, specificity=spec,
                          true_positives=float(np.count_nonzero(flagged & has_need)),
                          false_negatives=float(np.count_nonzero(screened & has_need & ~flagged)),
                          false_positives=float(np.count_nonzero(flagged & ~has_need)),
                          need_not_screened=float(np.count_nonzero(has_need & ~screened)), seed=seed_value)


def compare_community(n_families: int = 1000, elevated_need: float = 0.25, clinical_need: float = 0.08,
                      screening_coverage: float = 0.70, uptake: float = 0.60, continuing_share: float = 0.50,
                      sensitivity: float = 0.80, specificity: float = 0.85, *, seed) -> CommunityComparison:
    """Expected reach and one seeded simulated community, same assumptions (see :func:`continuum_reach`)."""
    args = (n_families, elevated_need, clinical_need, screening_coverage, uptake, continuing_share, sensitivity,
            specificity)
    return CommunityComparison(expected=continuum_reach(*args), simulated=simulate_community(*args, seed=seed))


# --------------------------------------------------------------------------- figures
def _names() -> dict:
    return {p.key: p.name for p in load_principles()}


def plot_sorting(result: SortingScore, ax=None):
    """Bars per principle: vignettes the learner placed there, and how many of those agree with the key."""
    if ax is None:
        fig, ax = new_figure(7.0, 3.8)
    else:
        fig = ax.figure
    names = _names()
    keys = list(names)
    y = np.arange(len(keys))
    placed = [result.placed_under(k) for k in keys]
    agree = [result.agreeing_under(k) for k in keys]
    ax.barh(y - 0.2, placed, height=0.4, color=PALETTE["sky"], hatch="//", edgecolor=PALETTE["black"],
            label="vignettes you placed here")
    ax.barh(y + 0.2, agree, height=0.4, color=PALETTE["green"], edgecolor=PALETTE["black"],
            label="of those, agreeing with the course's key")
    ax.set_yticks(y, [names[k] for k in keys])
    ax.invert_yaxis()
    ax.set_xlim(0, result.n_items)  # fixed: a principle holds at most every vignette
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Vignettes (count)")
    ax.set_ylabel("Principle")
    ax.set_title(f"Your sorting: {result.n_agree} of {result.n_items} agree with the course's key")
    ax.legend(loc="lower right")
    return fig


def _update_sorting(fig, result: SortingScore) -> bool:
    """Change a figure made by :func:`plot_sorting` in place for another score (bar widths, title)."""
    ax = fig.axes[0]
    keys = list(_names())
    widths = [result.placed_under(k) for k in keys] + [result.agreeing_under(k) for k in keys]
    if len(ax.patches) != len(widths):
        return False
    for bar, width in zip(ax.patches, widths):
        bar.set_width(width)
    ax.set_title(f"Your sorting: {result.n_agree} of {result.n_items} agree with the course's key")
    return True


def describe_sorting(result: SortingScore) -> str:
    """One-sentence description of :func:`plot_sorting`."""
    names = _names()
    used = [f"{names[k]} {result.placed_under(k)}" for k in names if result.placed_under(k)]
    where = "; ".join(used) if used else "none yet"
    return (f"Horizontal bars for the eight principles show how many of the {result.n_items} vignettes you placed "
            f"under each ({where}) and how many of those agree with the course's key ({result.n_agree} in total).")


def plot_placement(result: Placement, ax=None):
    """A strip of the five levels with the learner's placement (and the course's, if revealed)."""
    if ax is None:
        fig, ax = new_figure(7.0, 2.8)
    else:
        fig = ax.figure
    levels = load_continuum()
    x = np.arange(1, len(levels) + 1)
    ax.bar(x, np.ones_like(x), width=0.9, color="white", edgecolor=PALETTE["blue"], hatch="..", label="levels")
    chosen = next(lv.order for lv in levels if lv.key == result.chosen)
    ax.plot([chosen], [0.65], linestyle="none", marker=MARKERS[2], markersize=14, color=PALETTE["orange"],
            markeredgecolor=PALETTE["black"], label="your placement")
    # always in the legend (the layout stays the same); drawn only once revealed
    course = next(lv.order for lv in levels if lv.key == result.course_level) if result.reveal else np.nan
    ax.plot([course], [0.35], linestyle="none", marker=MARKERS[0], markersize=14, color=PALETTE["green"],
            markeredgecolor=PALETTE["black"],
            label="the course's placement" if result.reveal else "the course's placement (tick the box)")
    ax.set_xticks(x, [lv.name.replace(" ", "\n") for lv in levels])
    ax.set_yticks([])
    ax.set_ylim(0, 1.25)
    ax.set_xlabel("Level of the continuum (ZERO TO THREE's order, level 1 to 5)")
    ax.set_ylabel("(no vertical scale)")
    ax.set_title("Where does this practice example sit on the continuum?")
    ax.legend(loc="upper center", ncols=3)
    return fig


def _update_placement(fig, result: Placement) -> bool:
    """Change a figure made by :func:`plot_placement` in place for another placement (markers, legend)."""
    ax = fig.axes[0]
    if len(ax.lines) != 2:
        return False
    order = {lv.key: lv.order for lv in load_continuum()}
    ax.lines[0].set_xdata([order[result.chosen]])
    ax.lines[1].set_xdata([order[result.course_level] if result.reveal else np.nan])
    ax.get_legend().get_texts()[2].set_text("the course's placement" if result.reveal
                                            else "the course's placement (tick the box)")
    return True


def describe_placement(result: Placement) -> str:
    """One-sentence description of :func:`plot_placement`."""
    names = {lv.key: lv.name for lv in load_continuum()}
    text = (f"A strip of the five continuum levels from promotion to support, with your placement marked at "
            f"{names[result.chosen]}")
    if result.reveal:
        return text + f" and the course's placement marked at {names[result.course_level]}."
    return text + "; the course's placement is hidden until you ask to see it."


_REACH_EXTRA = ("flagged without a need\n(false positives)", "need missed by the screen\n(false negatives)",
                "need not reached\n(any reason)")


def _reach_values(r: ContinuumReach) -> list:
    """Counts drawn by :func:`plot_reach`, in its order (families)."""
    return list(r.reached) + [r.false_positives, r.false_negatives, r.unreached_need]


def plot_reach(result, ax=None):
    """Families reached by each level and the screen's errors, as a share of the community (%, fixed 0-100 axis)
    with the counts written at the bars (expected; plus one simulated community for a comparison)."""
    if ax is None:
        fig, ax = new_figure(7.0, 4.4)
    else:
        fig = ax.figure
    expected = result.expected if isinstance(result, CommunityComparison) else result
    simulated = result.simulated if isinstance(result, CommunityComparison) else None
    names = {lv.key: lv.name for lv in load_continuum()}
    labels = [names[k] for k in expected.levels] + list(_REACH_EXTRA)
    y = np.arange(len(labels))
    series = [(expected, "expected (model average)", PALETTE["blue"], "//")]
    if simulated is not None:
        series.append((simulated, f"one simulated community (seed {simulated.seed})", PALETTE["orange"], ""))
    height = 0.8 / len(series)
    for i, (r, label, colour, hatch) in enumerate(series):
        counts = np.array(_reach_values(r))
        percent = 100.0 * counts / r.n_families
        offset = (i - (len(series) - 1) / 2) * height
        ax.barh(y + offset, percent, height=height, color=colour, hatch=hatch, edgecolor=PALETTE["black"],
                label=label)
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)  # fixed: a share of the community never exceeds 100%
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax.set_xlabel("Families (% of the community)")
    ax.set_ylabel("Level of the continuum, or screen result")
    ax.set_title(_reach_title(expected))
    ax.legend(loc="lower right", fontsize=8)
    return fig


def _reach_title(r: ContinuumReach) -> str:
    return f"Illustrative reach of {r.n_families} families (assumptions, not data)"


def _update_reach(fig, result: CommunityComparison) -> bool:
    """Redraw a figure made by :func:`plot_reach` for another comparison in place (bar widths, title,
    legend text); False when the figure does not have that comparison's shape."""
    ax = fig.axes[0]
    values = [_reach_values(result.expected), _reach_values(result.simulated)]
    if len(ax.patches) != sum(len(v) for v in values):
        return False
    bars = iter(ax.patches)
    for r, counts in zip((result.expected, result.simulated), values):
        for count in counts:
            next(bars).set_width(100.0 * count / r.n_families)
    ax.set_title(_reach_title(result.expected))
    ax.get_legend().get_texts()[1].set_text(f"one simulated community (seed {result.simulated.seed})")
    return True


def describe_reach(result) -> str:
    """One-sentence description of :func:`plot_reach`."""
    expected = result.expected if isinstance(result, CommunityComparison) else result
    parts = ", ".join(f"{k.replace('_', ' ')} {v:.0f}" for k, v in zip(expected.levels, expected.reached))
    text = (f"Horizontal bars of the expected share of families reached at each level in an illustrative "
            f"community of {expected.n_families} ({parts} families), with a screen of sensitivity "
            f"{expected.sensitivity:.2f} and specificity {expected.specificity:.2f}: the {expected.false_positives:.0f} families "
            f"the screen flags without a need, the {expected.false_negatives:.0f} screened families whose need it "
            f"misses, and {expected.unreached_need:.0f} families with elevated need reached by neither preventive "
            f"intervention nor treatment")
    if isinstance(result, CommunityComparison):
        text += f", beside the same counts for one simulated community (seed {result.simulated.seed})"
    return text + "."


# --------------------------------------------------------------------------- views
class VignetteSorter(ModelView):
    """Sort the practice vignettes by principle with dropdowns; see how many agree with the course's key."""

    title = "Sort each vignette under the principle it shows most clearly"

    def __init__(self, **initial):
        self.vignettes = load_vignettes()
        super().__init__(**initial)
        rows = []
        for v in self.vignettes:  # each vignette's text sits above its dropdown
            rows.append(ipywidgets.HTML(f"<p style='margin:6px 0 0 0'><b>{v.id}</b> ({html.escape(v.role)}): "
                                        f"{html.escape(v.text)}</p>"))
            rows.append(self.controls[v.id])
        rows.append(self.controls["show_key"])
        header = [ipywidgets.HTML(f"<b>{html.escape(self.title)}</b>")]
        self.widget = ipywidgets.VBox(header + [side_by_side(rows + [self.error, self.summary], [self.figure])])

    def make_controls(self) -> dict:
        options = [("(not sorted yet)", _UNSORTED)] + [(p.name, p.key) for p in load_principles()]
        controls = {v.id: ipywidgets.Dropdown(options=options, value=_UNSORTED,
                                              description=f"Vignette {v.id} best shows")
                    for v in load_vignettes()}
        controls["show_key"] = ipywidgets.Checkbox(value=False, description="Show the course's key and reasons")
        return controls

    def compute(self, show_key=False, **choices):
        return score_sorting(choices)

    def plot(self, result):
        fig = getattr(self, "_figure", None)  # one figure, changed in place (fixed axes)
        if fig is None or not _update_sorting(fig, result):
            fig = self._figure = plot_sorting(result)
        return fig

    def describe(self, result) -> str:
        return describe_sorting(result)

    def summarise(self, result) -> str:
        names = _names()
        show = self.controls["show_key"].value
        rows = []
        for item in result.items:
            if item.chosen is None:
                verdict = "not sorted yet"
            elif item.agrees:
                verdict = f"<b>{names[item.chosen]}</b> agrees with the course's key. {html.escape(item.explanation)}"
            else:
                verdict = (f"<b>{names[item.chosen]}</b> does not agree yet: re-read that principle's working "
                           "definition and ask what the vignette is mainly about")
            if show and not item.agrees:
                verdict += (f" (course's key: <b>{names[item.key]}</b>. {html.escape(item.explanation)})")
            rows.append(f"<li><b>{item.vignette_id}</b>: {verdict}</li>")
        head = (f"<p>{result.n_answered} of {result.n_items} vignettes sorted; <b>{result.n_agree} of "
                f"{result.n_items}</b> agree with the course's key.</p>")
        return head + "<ul>" + "".join(rows) + "</ul>"


class ContinuumPlacer(ModelView):
    """Choose a practice example and a level of the continuum; see whether the course agrees."""

    title = "Place a practice example on the continuum"

    def make_controls(self) -> dict:
        examples = load_continuum_examples()
        return {
            "example_id": ipywidgets.Dropdown(
                options=[(f"{e.id}: {e.text[:70]}...", e.id) for e in examples], value=examples[0].id,
                description="Practice example"),
            "level": ipywidgets.Dropdown(options=[(lv.name, lv.key) for lv in load_continuum()],
                                         value="promotion", description="I would place it at"),
            "reveal": ipywidgets.Checkbox(value=False, description="Show the course's placement"),
        }

    def compute(self, example_id, level, reveal):
        return place_example(example_id, level, reveal=reveal)

    def plot(self, result):
        fig = getattr(self, "_figure", None)  # one figure, changed in place (fixed axes)
        if fig is None or not _update_placement(fig, result):
            fig = self._figure = plot_placement(result)
        return fig

    def describe(self, result) -> str:
        return describe_placement(result)

    def summarise(self, result) -> str:
        names = {lv.key: lv.name for lv in load_continuum()}
        text = f"<p><b>{result.example_id}</b>: {html.escape(result.text)}</p>"
        if result.agrees:
            text += (f"<p>You placed it at <b>{names[result.chosen]}</b>: this agrees with the course's placement. "
                     f"{html.escape(result.explanation)}</p>")
        else:
            text += (f"<p>You placed it at <b>{names[result.chosen]}</b>: not the course's placement yet. Ask whom "
                     "the work is offered to, and whether a need has already been identified.</p>")
            if result.reveal:
                text += (f"<p>The course places it at <b>{names[result.course_level]}</b>. "
                         f"{html.escape(result.explanation)}</p>")
        return text


class ContinuumExplorer(ModelView):
    """Change the illustrative assumptions and see how many families each level of the continuum reaches."""

    title = "Illustrative reach model (every number is an assumption, not data)"

    def make_controls(self) -> dict:
        d = DEFAULT_ASSUMPTIONS
        return {
            "n_families": ipywidgets.IntSlider(value=d["n_families"], min=100, max=5000, step=100,
                                               description="Families in the community (count)"),
            "elevated_need": ipywidgets.FloatSlider(value=d["elevated_need"], min=0.0, max=0.6, step=0.01,
                                                    description="Share of families with elevated need (0-1)"),
            "clinical_need": ipywidgets.FloatSlider(value=d["clinical_need"], min=0.0, max=0.3, step=0.01,
                                                    description="Share of families needing treatment (0-1)"),
            "screening_coverage": ipywidgets.FloatSlider(value=d["screening_coverage"], min=0.0, max=1.0, step=0.05,
                                                         description="Share of families screened (0-1)"),
            "uptake": ipywidgets.FloatSlider(value=d["uptake"], min=0.0, max=1.0, step=0.05,
                                             description="Share of identified families taking up the offer (0-1)"),
            "continuing_share": ipywidgets.FloatSlider(value=d["continuing_share"], min=0.0, max=1.0, step=0.05,
                                                       description="Share of served families continuing to support (0-1)"),
            "sensitivity": ipywidgets.FloatSlider(value=d["sensitivity"], min=0.3, max=1.0, step=0.01,
                                                  description="Screen sensitivity: share of needs it flags (0-1)"),
            "specificity": ipywidgets.FloatSlider(value=d["specificity"], min=0.5, max=1.0, step=0.01,
                                                  description="Screen specificity: share without need it passes (0-1)"),
            "seed": ipywidgets.IntText(value=1, description="Seed of the simulated community"),
        }

    def compute(self, n_families, elevated_need, clinical_need, screening_coverage, uptake, continuing_share,
                sensitivity, specificity, seed):
        return compare_community(n_families, elevated_need, clinical_need, screening_coverage, uptake,
                                 continuing_share, sensitivity, specificity, seed=seed)

    def plot(self, result):
        # one figure for the view's life, its bars changed in place (fixed axes: the Redrawer redraws only them)
        fig = getattr(self, "_figure", None)
        if fig is None or not _update_reach(fig, result):
            fig = self._figure = plot_reach(result)
        return fig

    def describe(self, result) -> str:
        return describe_reach(result)

    def summarise(self, result) -> str:
        e, s = result.expected, result.simulated
        return (f"<p>Expected (model average): <b>{e.targeted:.1f}</b> families receive preventive intervention or "
                f"treatment, {e.reached_by('support'):.1f} go on to ongoing support, and "
                f"<b>{e.unreached_need:.1f}</b> of the {e.families_with_need:.1f} families with elevated need "
                f"({e.percent_need_unreached:.1f}%) are reached by neither targeted level: "
                f"{e.need_not_screened:.1f} were not screened, <b>{e.false_negatives:.1f}</b> were screened but "
                f"missed by the screen (false negatives) and {e.flagged_declining:.1f} were flagged but did not take "
                f"up the offer. The screen also flags <b>{e.false_positives:.1f}</b> families without a need "
                f"(false positives) beside the {e.true_positives:.1f} with one.</p>"
                f"<p>One simulated community (seed {s.seed}): {s.targeted:.0f} families served, "
                f"{s.unreached_need:.0f} of {s.families_with_need:.0f} with elevated need not reached "
                f"({s.percent_need_unreached:.1f}%), {s.false_negatives:.0f} missed by the screen, "
                f"{s.false_positives:.0f} flagged without a need. <i>Illustrative assumptions, not data.</i></p>")
