"""Ghosts and angels in the nursery: a statement sorter and an illustrative buffering model.

Two pieces, each a pure model first and a thin view after it:

* **Statements.** Short, fictional things a parent might say in a home visit
  (packaged table ``ghosts_angels_statements``), each sorted by the course into
  ``"ghost"`` (a painful past shaping the present relationship; Fraiberg, Adelson
  & Shapiro, 1975), ``"angel"`` (a remembered experience of being understood,
  accepted and cared for; Lieberman, Padron, Van Horn & Harris, 2005) or
  ``"present"`` (a present-day stressor). :func:`score_sorting` compares a
  learner's sort of the *practice* statements with the course's key, item by
  item. The graded exercise statements are sorted in notebook 05 into four piles
  (the three above and ``"resolve"``, a parent's decision to do things
  differently, which is not yet an angel); their key is made from the
  instructors' notebook and is not in this package.
* **Buffering.** A transparent, *illustrative* moderation model (not the
  estimates of Narayan et al., 2019): a parent's adversity score raises the risk
  of an outcome, and angel-memory elaboration weakens that link::

      slope(E) = adversity_effect - buffering * E        (percentage points per adversity point)
      risk(A, E) = baseline + slope(E) * A               (per cent)

  with adversity score A on 0-10 and angel elaboration E on 0-5 (both made-up
  scales). The product term ``buffering * E * A`` is the interaction.

  The defaults (baseline 5%, adversity effect 3 points per adversity point,
  buffering 0.3) are made up but chosen not to contradict the evidence:

  - at the top of the adversity scale with no angel memory the risk is 35%, so
    about two in three such parents do *not* show the outcome: a real risk, several
    times the rate without adversity, and a minority, in line with transmission of
    attachment that is real but far from complete (van IJzendoorn, 1995; Verhage
    et al., 2016);
  - the most elaborated angels (E = 5) halve the adversity slope, never remove it:
    angels weaken the link (Narayan et al., 2019, one correlational sample of
    mothers) but no study shows that they cancel severe adversity, so a parent with
    the highest adversity and the richest angels still carries more risk than a
    parent with little adversity and none.

Nothing here is random, so no function takes a seed.
"""
from __future__ import annotations

import html
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ipywidgets

from .data import load_table
from .figures import LINESTYLES, MARKERS, PALETTE, new_figure, fixed_legend
from .view import ModelView, side_by_side

__all__ = [
    "CATEGORIES",
    "CATEGORY_LABELS",
    "STATEMENT_SETS",
    "ADVERSITY_MAX",
    "ANGEL_MAX",
    "DEFAULT_BASELINE",
    "DEFAULT_ADVERSITY_EFFECT",
    "DEFAULT_BUFFERING",
    "Statement",
    "ItemFeedback",
    "SortingScore",
    "BufferingResult",
    "BufferingLines",
    "load_statements",
    "score_sorting",
    "buffering_model",
    "buffering_lines",
    "plot_sorting",
    "describe_sorting",
    "plot_buffering",
    "describe_buffering",
    "StatementSorter",
    "BufferingExplorer",
]

#: The three piles of the sort, in display order.
CATEGORIES = ("ghost", "angel", "present")
#: Human-readable names of the piles.
CATEGORY_LABELS = {"ghost": "Ghost", "angel": "Angel", "present": "Present-day stressor"}
#: Which statements a function works on.
STATEMENT_SETS = ("practice", "exercise", "all")
#: Top of the illustrative adversity scale (a made-up 0-10 score).
ADVERSITY_MAX = 10.0
#: Top of the illustrative angel-elaboration scale (a made-up 0-5 rating).
ANGEL_MAX = 5.0
#: Default settings of the illustrative buffering model (see the module docstring for why these values).
DEFAULT_BASELINE = 5.0
DEFAULT_ADVERSITY_EFFECT = 3.0
DEFAULT_BUFFERING = 0.3

_TABLE = "ghosts_angels_statements"


# --- statements ----------------------------------------------------------------
@dataclass(frozen=True)
class Statement:
    """One fictional statement and the course's sort of it."""

    id: str
    set: str
    text: str
    key: str
    reason: str


@dataclass(frozen=True)
class ItemFeedback:
    """How one statement was sorted: ``given`` is ``None`` when it was left unsorted."""

    statement_id: str
    text: str
    given: str | None
    key: str
    agrees: bool
    reason: str


@dataclass(frozen=True)
class SortingScore:
    """A learner's sort compared with the course's key, statement by statement."""

    items: tuple
    n_statements: int
    n_sorted: int
    n_agree: int

    @property
    def fraction_agree(self) -> float:
        """Share of *sorted* statements that agree with the key (0.0 when none are sorted)."""
        return self.n_agree / self.n_sorted if self.n_sorted else 0.0

    def counts(self, which: str = "given") -> dict:
        """Statements per category: ``which="given"`` (the learner's sort) or ``"key"``."""
        if which not in ("given", "key"):
            raise ValueError(f"which: must be 'given' or 'key', not {which!r}")
        values = [getattr(item, which) for item in self.items]
        return {category: values.count(category) for category in CATEGORIES}


def _check_set(statement_set) -> str:
    if not isinstance(statement_set, str) or statement_set not in STATEMENT_SETS:
        raise ValueError(f"statement_set: must be one of {list(STATEMENT_SETS)}, not {statement_set!r}")
    return statement_set


def load_statements(statement_set: str = "all") -> tuple:
    """The packaged statements (``"practice"``, ``"exercise"`` or ``"all"``) as :class:`Statement` tuples."""
    statement_set = _check_set(statement_set)
    table = load_table(_TABLE)
    statements = tuple(
        Statement(id=row["id"], set=row["set"], text=row["statement"], key=row["key"], reason=row["reason"])
        for row in table.rows
    )
    if statement_set == "all":
        return statements
    return tuple(s for s in statements if s.set == statement_set)


def score_sorting(answers: Mapping, statement_set: str = "practice") -> SortingScore:
    """Compare ``answers`` (statement id -> ``"ghost"``/``"angel"``/``"present"``) with the course's key.

    Statements of the chosen set that are missing from ``answers``, or mapped to
    ``None`` or ``""``, count as unsorted. Category names ignore case and outer spaces.
    """
    if statement_set in ("exercise", "all"):
        raise ValueError("statement_set: only the 'practice' statements have a packaged key; the graded "
                         "exercise statements are judged outside the notebook; their key is not in the package")
    statements = load_statements(statement_set)
    if not isinstance(answers, Mapping):
        raise ValueError(f"answers: give a dict from statement id to category, not a {type(answers).__name__}")
    known = {s.id for s in statements}
    unknown = [k for k in answers if k not in known]
    if unknown:
        raise ValueError(f"answers: unknown statement ids {unknown} for statement_set={statement_set!r}")
    items = []
    for s in statements:
        given = answers.get(s.id)
        if given is not None and not isinstance(given, str):
            raise ValueError(f"answers: the category for {s.id} must be a string, not a {type(given).__name__}")
        if given is not None:
            given = given.strip().casefold() or None
        if given is not None and given not in CATEGORIES:
            raise ValueError(f"answers: {given!r} for {s.id} is not one of {list(CATEGORIES)}")
        items.append(ItemFeedback(statement_id=s.id, text=s.text, given=given, key=s.key,
                                  agrees=given == s.key, reason=s.reason))
    return SortingScore(items=tuple(items), n_statements=len(items),
                        n_sorted=sum(item.given is not None for item in items),
                        n_agree=sum(item.agrees for item in items))


# --- the illustrative buffering model -------------------------------------------------
@dataclass(frozen=True)
class BufferingResult:
    """The illustrative model at one (adversity, angel elaboration) point.

    ``slope`` is in percentage points of risk per adversity point; ``risk`` in per cent.
    """

    adversity: float
    angel_elaboration: float
    baseline: float
    adversity_effect: float
    buffering: float
    slope: float
    risk: float


@dataclass(frozen=True)
class BufferingLines:
    """Risk (per cent) over the adversity scale for several angel-elaboration levels.

    ``risks[i][j]`` is the risk at ``angel_levels[i]`` and ``adversity[j]``;
    ``slopes[i]`` is the slope of line ``i`` (percentage points per adversity point).
    """

    adversity: tuple
    angel_levels: tuple
    risks: tuple
    slopes: tuple
    baseline: float
    adversity_effect: float
    buffering: float

    @property
    def gap_at_max(self) -> float:
        """Highest minus lowest risk at the top of the adversity scale (percentage points)."""
        last = [line[-1] for line in self.risks]
        return max(last) - min(last)


def _number(name: str, value, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name}: must be a number, not a {type(value).__name__}")
    value = float(value)
    if not (low <= value <= high):  # also rejects NaN
        raise ValueError(f"{name}: must lie between {low:g} and {high:g}; got {value:g}")
    return value


def _parameters(baseline, adversity_effect, buffering) -> tuple:
    baseline = _number("baseline", baseline, 0.0, 100.0)
    adversity_effect = _number("adversity_effect", adversity_effect, 0.0, 100.0)
    buffering = _number("buffering", buffering, 0.0, 100.0)
    if baseline + adversity_effect * ADVERSITY_MAX > 100.0:
        raise ValueError(
            f"adversity_effect: baseline + adversity_effect x {ADVERSITY_MAX:g} must not exceed 100 per cent "
            f"(got {baseline:g} + {adversity_effect:g} x {ADVERSITY_MAX:g})"
        )
    if buffering * ANGEL_MAX > adversity_effect + 1e-12:
        raise ValueError(
            f"buffering: buffering x {ANGEL_MAX:g} must not exceed adversity_effect ({adversity_effect:g}); "
            "in this model angel memories can weaken the adversity link but not reverse it"
        )
    return baseline, adversity_effect, buffering


def buffering_model(adversity, angel_elaboration, *, baseline=DEFAULT_BASELINE,
                    adversity_effect=DEFAULT_ADVERSITY_EFFECT, buffering=DEFAULT_BUFFERING) -> BufferingResult:
    """The course's ILLUSTRATIVE moderation model at one point (not Narayan et al.'s estimates).

    adversity: parent's childhood adversity score, 0-10 (made-up scale).
    angel_elaboration: how elaborated the parent's angel memories are, 0-5 (made-up rating).
    baseline: risk (per cent) with no adversity (default 5).
    adversity_effect: percentage points of risk per adversity point when angel elaboration is 0 (default 3,
        so the risk at the top of the scale with no angels is 35 per cent).
    buffering: how much each angel point lowers that slope, in percentage points per adversity point
        (default 0.3, so the richest angels halve the slope but never remove it).
    Returns slope = adversity_effect - buffering * angel_elaboration and
    risk = baseline + slope * adversity.
    """
    adversity = _number("adversity", adversity, 0.0, ADVERSITY_MAX)
    angel_elaboration = _number("angel_elaboration", angel_elaboration, 0.0, ANGEL_MAX)
    baseline, adversity_effect, buffering = _parameters(baseline, adversity_effect, buffering)
    slope = adversity_effect - buffering * angel_elaboration
    return BufferingResult(adversity=adversity, angel_elaboration=angel_elaboration, baseline=baseline,
                           adversity_effect=adversity_effect, buffering=buffering, slope=slope,
                           risk=baseline + slope * adversity)


def buffering_lines(angel_levels: Sequence = (0.0, 4.0), *, baseline=DEFAULT_BASELINE,
                    adversity_effect=DEFAULT_ADVERSITY_EFFECT, buffering=DEFAULT_BUFFERING,
                    n_points: int = 11) -> BufferingLines:
    """Risk over the whole adversity scale (0-10, ``n_points`` evenly spaced) for each angel level (0-5)."""
    if isinstance(angel_levels, (str, bytes)) or not isinstance(angel_levels, Sequence):
        raise ValueError(f"angel_levels: give a list of angel-elaboration levels, not a {type(angel_levels).__name__}")
    if not 1 <= len(angel_levels) <= len(LINESTYLES):
        raise ValueError(f"angel_levels: give between 1 and {len(LINESTYLES)} levels; got {len(angel_levels)}")
    if isinstance(n_points, bool) or not isinstance(n_points, numbers.Integral) or n_points < 2:
        raise ValueError(f"n_points: must be an integer of at least 2; got {n_points!r}")
    baseline, adversity_effect, buffering = _parameters(baseline, adversity_effect, buffering)
    grid = tuple(ADVERSITY_MAX * j / (n_points - 1) for j in range(n_points))
    levels, risks, slopes = [], [], []
    for level in angel_levels:
        points = [buffering_model(a, level, baseline=baseline, adversity_effect=adversity_effect,
                                  buffering=buffering) for a in grid]
        levels.append(points[0].angel_elaboration)
        slopes.append(points[0].slope)
        risks.append(tuple(p.risk for p in points))
    return BufferingLines(adversity=grid, angel_levels=tuple(levels), risks=tuple(risks), slopes=tuple(slopes),
                          baseline=baseline, adversity_effect=adversity_effect, buffering=buffering)


# --- figures -------------------------------------------------------------------------
def plot_sorting(score: SortingScore, ax=None):
    """Bar chart: statements per category in the course's key, in the learner's sort, and agreeing.

    The count axis runs to the number of statements (what a sort can reach) and the legend never
    changes, so a view redraws only the bars and the title (:func:`_update_sorting`)."""
    if ax is None:
        fig, ax = new_figure(width=7.5, height=3.2)
    else:
        fig = ax.figure
    series = [("Course key", PALETTE["blue"], ""), ("Your sort", PALETTE["orange"], "//"),
              ("Agreeing with the key", PALETTE["green"], "..")]
    width = 0.26
    for k, (label, colour, hatch) in enumerate(series):
        xs = [i + (k - 1) * width for i in range(len(CATEGORIES))]
        ax.bar(xs, [0] * len(CATEGORIES), width=width, color=colour, hatch=hatch,
               edgecolor="black", linewidth=0.6, label=label, gid=f"series {k}")
    ax.set_xticks(range(len(CATEGORIES)), [CATEGORY_LABELS[c] for c in CATEGORIES])
    ax.set_ylabel("Statements (count)")
    ax.set_xlabel("Category")
    ax.set_ylim(0, score.n_statements + 1)
    ax.yaxis.get_major_locator().set_params(integer=True)
    _update_sorting(score, ax)
    handles, labels = ax.get_legend_handles_labels()
    fixed_legend(ax, handles, labels, fontsize=8, side="right")
    return fig


def _update_sorting(score: SortingScore, ax) -> None:
    """The bars' heights and the title of a :func:`plot_sorting` figure, for ``score``, in place."""
    key, given = score.counts("key"), score.counts("given")
    agree = {c: sum(1 for i in score.items if i.agrees and i.key == c) for c in CATEGORIES}
    for k, counts in enumerate((key, given, agree)):
        bars = [p for p in ax.patches if p.get_gid() == f"series {k}"]
        for bar, c in zip(bars, CATEGORIES):
            bar.set_height(counts[c])
    ax.set_title(f"Your sort and the course's key ({score.n_agree} of {score.n_statements} agree)")




def describe_sorting(score: SortingScore) -> str:
    """One-sentence description of :func:`plot_sorting`."""
    key, given = score.counts("key"), score.counts("given")
    parts = ", ".join(f"{CATEGORY_LABELS[c].lower()} {given[c]} (key {key[c]})" for c in CATEGORIES)
    return (f"Bar chart of statements per category in your sort against the course's key: {parts}; "
            f"{score.n_sorted} of {score.n_statements} sorted and {score.n_agree} agree with the key.")


def plot_buffering(lines: BufferingLines, ax=None):
    """Lines of illustrative risk (per cent) against adversity score, one per angel-elaboration level."""
    if ax is None:
        fig, ax = new_figure(width=6.5, height=3.6)
    else:
        fig = ax.figure
    colours = [PALETTE["vermillion"], PALETTE["blue"], PALETTE["green"], PALETTE["purple"]]
    for i, (level, risks, slope) in enumerate(zip(lines.angel_levels, lines.risks, lines.slopes)):
        ax.plot(lines.adversity, risks, color=colours[i], linestyle=LINESTYLES[i], marker=MARKERS[i],
                markersize=4, label=_buffering_label(level, slope))
    ax.set_xlim(0, ADVERSITY_MAX)
    ax.set_ylim(0, 100)
    ax.set_xlabel("Parent's adversity score (0-10, made-up scale)")
    ax.set_ylabel("Illustrative outcome risk (%)")
    ax.set_title("Illustrative buffering model (not Narayan et al.'s estimates)")
    ax.legend(loc="upper left", fontsize=8)
    return fig


def _buffering_label(level, slope) -> str:
    return f"Angel elaboration {level:g} (slope {slope:.2f})"


def _update_buffering(lines: BufferingLines, ax) -> None:
    """Move the lines of a :func:`plot_buffering` figure with as many levels to ``lines``, in place."""
    texts = ax.get_legend().get_texts()
    for line, text, level, risks, slope in zip(ax.lines, texts, lines.angel_levels, lines.risks, lines.slopes):
        line.set_data(lines.adversity, risks)
        line.set_label(_buffering_label(level, slope))
        text.set_text(line.get_label())


def describe_buffering(lines: BufferingLines) -> str:
    """One-sentence description of :func:`plot_buffering`."""
    parts = "; ".join(
        f"at angel elaboration {level:g} risk rises from {risks[0]:.1f}% to {risks[-1]:.1f}% "
        f"(slope {slope:.2f} percentage points per adversity point)"
        for level, risks, slope in zip(lines.angel_levels, lines.risks, lines.slopes)
    )
    return (f"Illustrative model, not study data: risk plotted against adversity score from 0 to "
            f"{ADVERSITY_MAX:g}; {parts}.")


# --- views ---------------------------------------------------------------------------
_UNSORTED = ""


class StatementSorter(ModelView):
    """Sort the practice statements with dropdowns and get per-item feedback against the course's key."""

    title = "Sort each practice statement: ghost, angel or present-day stressor"

    def __init__(self, statement_set: str = "practice", **initial):
        self.statements = load_statements(statement_set)
        self.statement_set = statement_set
        super().__init__(**initial)
        rows = []
        for s in self.statements:  # each statement's text sits above its dropdown
            rows.append(ipywidgets.HTML(f"<p style='margin:6px 0 0 0'><b>{s.id}.</b> "
                                        f"&ldquo;{html.escape(s.text)}&rdquo;</p>"))
            rows.append(self.controls[s.id])
        header = [ipywidgets.HTML(f"<b>{html.escape(self.title)}</b>")]
        self.widget = ipywidgets.VBox(header + [side_by_side(rows + [self.error, self.summary], [self.figure])])

    def make_controls(self) -> dict:
        options = [("(not sorted yet)", _UNSORTED)] + [(CATEGORY_LABELS[c], c) for c in CATEGORIES]
        return {s.id: ipywidgets.Dropdown(options=options, value=_UNSORTED,
                                          description=f"Statement {s.id} is a")
                for s in self.statements}

    def compute(self, **values):
        answers = {sid: value for sid, value in values.items() if value != _UNSORTED}
        return score_sorting(answers, self.statement_set)

    def plot(self, result):
        # drawn once; a sort changes the bars' heights and the title, in place
        fig = getattr(self, "_sorting_figure", None)
        if fig is None:
            fig = self._sorting_figure = plot_sorting(result)
        else:
            _update_sorting(result, fig.axes[0])
        return fig

    def describe(self, result) -> str:
        return describe_sorting(result)

    def summarise(self, result) -> str:
        rows = []
        for item in result.items:
            if item.given is None:
                verdict, why = "not sorted yet", ""
            elif item.agrees:
                verdict, why = "agrees with the course's key", html.escape(item.reason)
            else:
                verdict = (f"the course sorts this as <b>{CATEGORY_LABELS[item.key].lower()}</b>, "
                           f"not {CATEGORY_LABELS[item.given].lower()}")
                why = html.escape(item.reason)
            rows.append(f"<li><b>{item.statement_id}</b>: {verdict}. {why}</li>")
        head = (f"<p>{result.n_sorted} of {result.n_statements} statements sorted; "
                f"{result.n_agree} agree with the course's key.</p>")
        return head + "<ul>" + "".join(rows) + "</ul>"


class BufferingExplorer(ModelView):
    """Compare the slope of the adversity-risk line at two angel-elaboration levels (illustrative model)."""

    title = "Illustrative buffering model (made-up numbers, not Narayan et al.'s estimates)"

    def make_controls(self) -> dict:
        return {
            "low_angel": ipywidgets.FloatSlider(value=0.0, min=0.0, max=ANGEL_MAX, step=0.5,
                                                description="Angel elaboration, line 1 (0-5)"),
            "high_angel": ipywidgets.FloatSlider(value=4.0, min=0.0, max=ANGEL_MAX, step=0.5,
                                                 description="Angel elaboration, line 2 (0-5)"),
            "adversity_effect": ipywidgets.FloatSlider(
                value=DEFAULT_ADVERSITY_EFFECT, min=2.0, max=4.0, step=0.25,
                description="Adversity effect with no angels (points of risk per adversity point)"),
            "buffering": ipywidgets.FloatSlider(
                value=DEFAULT_BUFFERING, min=0.0, max=0.4, step=0.05,
                description="Buffering (slope reduction per angel point)"),
            "baseline": ipywidgets.FloatSlider(value=DEFAULT_BASELINE, min=0.0, max=10.0, step=1.0,
                                               description="Baseline risk with no adversity (%)"),
        }

    def compute(self, low_angel, high_angel, adversity_effect, buffering, baseline):
        return buffering_lines((low_angel, high_angel), baseline=baseline,
                               adversity_effect=adversity_effect, buffering=buffering)

    def plot(self, result):
        # drawn once; the lines and the legend's numbers move in place
        fig = getattr(self, "_buffering_figure", None)
        if fig is None:
            fig = self._buffering_figure = plot_buffering(result)
        else:
            _update_buffering(result, fig.axes[0])
        return fig

    def describe(self, result) -> str:
        return describe_buffering(result)

    def summarise(self, result) -> str:
        (a, b), (sa, sb) = result.angel_levels, result.slopes
        return (f"<p>Slope of risk on adversity at angel elaboration {a:g}: <b>{sa:.2f}</b> percentage points "
                f"per adversity point; at angel elaboration {b:g}: <b>{sb:.2f}</b>. At adversity "
                f"{ADVERSITY_MAX:g} the two lines are {result.gap_at_max:.1f} percentage points apart. "
                "<i>Illustrative model only.</i></p>")
