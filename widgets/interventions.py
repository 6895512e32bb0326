"""Assessment and intervention: an intervention finder, the DC:0-5 axes, and the ABC trial's numbers.

Three pieces, each a pure model first, then figures, then a view:

* **Intervention finder** (packaged table ``interventions``: the slide deck's table of
  evidence-based interventions for children under 5, with the verified age ranges and
  formats beside the deck's): :func:`interventions`, :func:`find_interventions`,
  :func:`search_interventions`, :func:`plot_age_ranges`, :class:`InterventionFinder`.
* **ABC trial arithmetic** (packaged table ``interventions_abc_trial``; Bernard et al.,
  2012): :func:`abc_trial`, :func:`risk_difference`, :func:`number_needed_to_treat`,
  :func:`plot_trial_outcomes`.
* **DC:0-5 axes** (packaged tables ``dc05_axes`` and ``interventions_dc05_case``, a
  worked case written by the course): :func:`dc05_axes`, :func:`worked_case`,
  :func:`compare_axis_mapping`, :func:`plot_axis_mapping`, :class:`AxisMatcher`.

Ages are in completed months throughout. A range given in years, "a-b years", is read
as months 12a to 12b+11 (a child of 5 years 11 months is still 5); ranges given in
months are taken as written, both ends included.
"""
from __future__ import annotations

import html
import json
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

import ipywidgets
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from .data import load_table
from .figures import PALETTE, new_figure, fixed_legend
from .view import ModelView

__all__ = [
    "PORTS",
    "FORMATS",
    "RANGE_MODES",
    "MAX_AGE_MONTHS",
    "Intervention",
    "FinderResult",
    "interventions",
    "intervention",
    "find_interventions",
    "search_interventions",
    "plot_age_ranges",
    "describe_age_ranges",
    "InterventionFinder",
    "TrialOutcome",
    "abc_trial",
    "trial_outcome",
    "risk_difference",
    "number_needed_to_treat",
    "plot_trial_outcomes",
    "describe_trial_outcomes",
    "AXES",
    "Axis",
    "CaseFact",
    "WorkedCase",
    "AxisMappingResult",
    "dc05_axes",
    "worked_case",
    "compare_axis_mapping",
    "plot_axis_mapping",
    "describe_axis_mapping",
    "AxisMatcher",
]

#: The deck's "primary port of entry" column: key -> words.
PORTS = {
    "parent_representation": "parent's representation of the child",
    "parent_behavior": "parent's behavior",
    "child_behavior": "child's behavior",
}
#: The course's grouping of the deck's formats: key -> words.
FORMATS = {
    "dyadic": "dyadic sessions (parent and child together)",
    "child_sessions": "sessions with the child, a caregiver observing",
}
#: Which age ranges the finder uses.
RANGE_MODES = ("verified", "deck")
#: Oldest age the finder accepts (months): 21 years and 11 months, the longest listing (TF-CBT, some to 21).
MAX_AGE_MONTHS = 263


# --------------------------------------------------------------------------
# Input checks (messages name the parameter)
# --------------------------------------------------------------------------
def _proportion(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name}: expected a proportion between 0 and 1, got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        hint = f" (a percentage such as {value:g}% is {value / 100:g} as a proportion)" if 1 < value <= 100 else ""
        raise ValueError(f"{name}: expected a proportion between 0 and 1, got {value!r}{hint}")
    return value


def _age_months(value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"age_months: expected a whole number of completed months, got {type(value).__name__} {value!r}")
    if not 0 <= value <= MAX_AGE_MONTHS:
        raise ValueError(f"age_months: must be between 0 and {MAX_AGE_MONTHS} months, got {value!r}")
    return int(value)


def _choice(name: str, value, allowed, *, none_ok: bool):
    if value is None and none_ok:
        return None
    if not isinstance(value, str) or value not in allowed:
        shown = list(allowed) + ([None] if none_ok else [])
        raise ValueError(f"{name}: expected one of {shown}, got {value!r}")
    return value


def _optional_int(text):
    return None if text == "" else int(text)


# ==========================================================================
# 1. The intervention finder
# ==========================================================================
@dataclass(frozen=True)
class Intervention:
    """One row of the interventions table.

    Ranges are ``(youngest, oldest)`` in completed months, both included; ``deck_range`` is
    ``None`` for a model missing from the deck's table. ``sessions`` and ``session_minutes``
    are ``(fewest, most)`` or ``None`` where the listing gives no number.
    """

    key: str
    short: str
    model: str
    developer_deck: str
    developer_verified: str
    port_of_entry: str
    port_note: str
    format_group: str
    format_deck: str
    format_details: str
    sessions: tuple | None
    session_minutes: tuple | None
    deck_range: tuple | None
    deck_range_text: str
    verified_range: tuple
    verified_range_text: str
    range_status: str
    rating: str
    sources: str
    notes: str

    @property
    def in_deck(self) -> bool:
        """True when the deck's table has a row for this model."""
        return self.deck_range is not None

    def age_range(self, ranges: str = "verified") -> tuple | None:
        """``(youngest, oldest)`` in months for ``ranges`` "verified" or "deck" (``None``: not in the deck)."""
        ranges = _choice("ranges", ranges, RANGE_MODES, none_ok=False)
        return self.verified_range if ranges == "verified" else self.deck_range

    def covers(self, age_months: int, ranges: str = "verified") -> bool:
        """Whether a child of ``age_months`` completed months falls inside the chosen range."""
        age = _age_months(age_months)
        span = self.age_range(ranges)
        return span is not None and span[0] <= age <= span[1]


def _pair(low, high):
    low, high = _optional_int(low), _optional_int(high)
    return None if low is None else (low, high)


def interventions() -> tuple:
    """All rows of the packaged table ``interventions``, in table order, as :class:`Intervention`s."""
    rows = load_table("interventions").rows
    return tuple(Intervention(
        key=r["key"], short=r["short"], model=r["model"], developer_deck=r["developer_deck"],
        developer_verified=r["developer_verified"], port_of_entry=r["port_of_entry"], port_note=r["port_note"],
        format_group=r["format_group"], format_deck=r["format_deck"], format_details=r["format_details"],
        sessions=_pair(r["sessions_min"], r["sessions_max"]),
        session_minutes=_pair(r["session_minutes_min"], r["session_minutes_max"]),
        deck_range=_pair(r["deck_min_months"], r["deck_max_months"]), deck_range_text=r["deck_range_text"],
        verified_range=_pair(r["verified_min_months"], r["verified_max_months"]),
        verified_range_text=r["verified_range_text"], range_status=r["range_status"], rating=r["rating"],
        sources=r["sources"], notes=r["notes"],
    ) for r in rows)


def intervention(name: str) -> Intervention:
    """One intervention by key (``"tf_cbt"``) or short name (``"TF-CBT"``, any case)."""
    if not isinstance(name, str):
        raise ValueError(f"name: expected a key or short name (str), got {type(name).__name__} {name!r}")
    wanted = name.strip().casefold()
    for item in interventions():
        if wanted in (item.key, item.short.casefold()):
            return item
    raise ValueError(f"name: unknown intervention {name!r}; known: {[i.short for i in interventions()]}")


@dataclass(frozen=True)
class FinderResult:
    """A finder query and its answer.

    ``matches``: the interventions whose chosen range covers ``age_months`` and whose port
    of entry and format fit the filters (``None`` = any). ``considered``: every row, in
    table order, for the figure.
    """

    age_months: int
    port_of_entry: str | None
    format: str | None
    ranges: str
    matches: tuple
    considered: tuple

    @property
    def shorts(self) -> tuple:
        """Short names of the matches, in table order."""
        return tuple(m.short for m in self.matches)

    def passes_filters(self, item: Intervention) -> bool:
        """Whether ``item`` fits the port and format filters (ignoring age)."""
        return ((self.port_of_entry is None or item.port_of_entry == self.port_of_entry)
                and (self.format is None or item.format_group == self.format))


def search_interventions(age_months: int, port_of_entry: str | None = None, format: str | None = None,
                         ranges: str = "verified") -> FinderResult:
    """Interventions for a child of ``age_months`` completed months, with the query, as a :class:`FinderResult`.

    ``port_of_entry``: a key of :data:`PORTS` or ``None`` (any); ``format``: a key of
    :data:`FORMATS` or ``None``; ``ranges``: ``"verified"`` (the listings) or ``"deck"``
    (the deck's table; models missing from it never match).
    """
    age = _age_months(age_months)
    port = _choice("port_of_entry", port_of_entry, PORTS, none_ok=True)
    fmt = _choice("format", format, FORMATS, none_ok=True)
    mode = _choice("ranges", ranges, RANGE_MODES, none_ok=False)
    rows = interventions()
    probe = FinderResult(age, port, fmt, mode, (), rows)
    matches = tuple(r for r in rows if probe.passes_filters(r) and r.covers(age, mode))
    return FinderResult(age, port, fmt, mode, matches, rows)


def find_interventions(age_months: int, port_of_entry: str | None = None, format: str | None = None,
                       ranges: str = "verified") -> tuple:
    """The matching :class:`Intervention`s (table order) for a child of ``age_months`` completed months.

    Same arguments as :func:`search_interventions`; returns only the matches.
    """
    return search_interventions(age_months, port_of_entry, format, ranges).matches


_AXIS_END = 100  # months shown on the age-range chart; longer ranges are drawn to the edge with an arrow


_DECK_STYLE = {"facecolor": "white", "edgecolor": PALETTE["orange"], "hatch": "//", "linestyle": "--",
               "linewidth": 1.4}
_V_STYLE = {"facecolor": PALETTE["blue"], "edgecolor": "black", "hatch": "", "linestyle": "-", "linewidth": 1.0}
_VSEC_STYLE = {"facecolor": PALETTE["sky"], "edgecolor": "black", "hatch": "..", "linestyle": ":", "linewidth": 1.0}
_MATCH_STYLE = {"marker": "*", "markersize": 13, "color": PALETTE["vermillion"], "markeredgecolor": "black",
                "linestyle": "none"}


def plot_age_ranges(result: FinderResult, ax=None):
    """Horizontal bars of each model's age range (months): the deck's range and the verified range.

    Deck ranges are hatched with a dashed outline, verified ranges solid (V) or dotted (V-sec);
    a dashed vertical line marks the child's age, a star on it each match; the deck table's span
    (birth to 60 months) is shaded. The axes, tick labels and legend depend only on the table, so a
    view redraws only what :func:`_age_range_data` draws.
    """
    if not isinstance(result, FinderResult):
        raise ValueError(f"result: expected a FinderResult, got {type(result).__name__}")
    rows = result.considered
    if ax is None:
        fig, ax = new_figure(7.6, 1.6 + 0.62 * len(rows))
    else:
        fig = ax.figure
    _age_range_data(result, ax)
    ys = list(range(len(rows)))[::-1]
    ax.set_yticks(ys, [r.short for r in rows], fontsize=9)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(0, _AXIS_END + 2)
    ax.set_xlabel("Child's age (completed months)")
    ax.set_ylabel("Intervention")
    ax.grid(axis="y", visible=False)
    handles = [Patch(color="#EEEEEE", label="deck table's span (birth-60 months)"),
               Patch(label="deck's range", **_DECK_STYLE), Patch(label="verified range [V]", **_V_STYLE),
               Patch(label="verified range [V-sec]", **_VSEC_STYLE),
               Line2D([], [], color="black", linestyle="--", linewidth=1.6, label="child's age"),
               Line2D([], [], label="match", **_MATCH_STYLE)]
    fixed_legend(ax, handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=7)
    return fig




def _age_range_data(result: FinderResult, ax) -> None:
    """What a query changes in :func:`plot_age_ranges`: the bars (faded where the filters rule a model
    out), the age line, the stars of the matches and the title."""
    rows = result.considered
    ax.axvspan(0, 60, color="#EEEEEE", zorder=0)
    ys = list(range(len(rows)))[::-1]
    for y, item in zip(ys, rows):
        faded = 1.0 if result.passes_filters(item) else 0.35
        if item.deck_range is not None:
            low, high = item.deck_range
            ax.barh(y + 0.19, high - low + 1, left=low, height=0.34, alpha=faded, gid=item.key, **_DECK_STYLE)
        else:
            ax.text(1, y + 0.19, "not in the deck's table", va="center", fontsize=7, alpha=faded, gid=item.key)
        low, high = item.verified_range
        style = _V_STYLE if item.range_status == "V" else _VSEC_STYLE
        ax.barh(y - 0.19, min(high, _AXIS_END) - low + 1, left=low, height=0.34, alpha=faded, gid=item.key, **style)
        if high > _AXIS_END:
            ax.annotate(f"to {high} months", xy=(_AXIS_END + 1, y - 0.19), xytext=(_AXIS_END - 22, y - 0.19),
                        va="center", fontsize=7, color="white",
                        arrowprops={"arrowstyle": "->", "color": "white"})
    ax.axvline(result.age_months, color="black", linestyle="--", linewidth=1.6, gid="age")
    ax.plot([], [], zorder=3, gid="matches", **_MATCH_STYLE)
    _age_range_update(result, ax)


def _age_range_update(result: FinderResult, ax) -> None:
    """Bring what :func:`_age_range_data` drew to another query of the same table, in place."""
    rows = result.considered
    ys = list(range(len(rows)))[::-1]
    faded = {item.key: 1.0 if result.passes_filters(item) else 0.35 for item in rows}
    for artist in [*ax.patches, *ax.texts]:
        if artist.get_gid() in faded:
            artist.set_alpha(faded[artist.get_gid()])
    match_keys = {m.key for m in result.matches}
    matched = [y for y, item in zip(ys, rows) if item.key in match_keys]
    for line in ax.lines:
        if line.get_gid() == "age":
            line.set_xdata([result.age_months, result.age_months])
        elif line.get_gid() == "matches":
            line.set_data([result.age_months] * len(matched), matched)
    mode = "verified ranges" if result.ranges == "verified" else "the deck's ranges"
    ax.set_title(f"Age ranges: a child of {result.age_months} months, "
                 f"{len(result.matches)} match{'es' if len(result.matches) != 1 else ''} ({mode})", pad=36)


def describe_age_ranges(result: FinderResult) -> str:
    """One-sentence description of :func:`plot_age_ranges`."""
    if not isinstance(result, FinderResult):
        raise ValueError(f"result: expected a FinderResult, got {type(result).__name__}")
    filters = []
    if result.port_of_entry:
        filters.append(f"port of entry '{PORTS[result.port_of_entry]}'")
    if result.format:
        filters.append(f"format '{FORMATS[result.format]}'")
    filter_text = " and ".join(filters) if filters else "any port of entry or format"
    found = ", ".join(result.shorts) if result.matches else "none"
    mode = "verified ranges" if result.ranges == "verified" else "the deck's ranges"
    return (f"Horizontal bars of each intervention's age range in months, the deck's range hatched above the "
            f"verified range, with a dashed line at {result.age_months} months; using {mode} and {filter_text}, "
            f"the matches are: {found}.")



class InterventionFinder(ModelView):
    """Child's age, port of entry, format and which ranges to use; see the matches and the range chart."""

    title = "Intervention finder: the deck's table with verified age ranges"

    def make_controls(self) -> dict:
        return {
            "age_months": ipywidgets.IntSlider(value=30, min=0, max=95, step=1,
                                               description="Child's age (completed months)"),
            "port_of_entry": ipywidgets.Dropdown(
                options=[("Any port of entry", None)] + [(words.capitalize(), key) for key, words in PORTS.items()],
                value=None, description="Primary port of entry"),
            "format": ipywidgets.Dropdown(
                options=[("Any format", None)] + [(words.capitalize(), key) for key, words in FORMATS.items()],
                value=None, description="Format"),
            "ranges": ipywidgets.ToggleButtons(
                options=[("Verified ranges", "verified"), ("Deck's ranges", "deck")], value="verified",
                description="Age ranges to use"),
        }

    def compute(self, age_months, port_of_entry, format, ranges):
        return search_interventions(age_months, port_of_entry, format, ranges)

    def plot(self, result):
        # drawn once; later queries redraw the bars, the line, the stars and the title in place
        fig = getattr(self, "_ranges_figure", None)
        if fig is None:
            fig = self._ranges_figure = plot_age_ranges(result)
        else:
            _age_range_update(result, fig.axes[0])
        return fig

    def describe(self, result):
        return describe_age_ranges(result)

    def summarise(self, result) -> str:
        mode = "verified ranges" if result.ranges == "verified" else "the deck's ranges"
        years, months = divmod(result.age_months, 12)
        head = (f"<p>A child of <b>{result.age_months} months</b> ({years} y {months} m), using {mode}: "
                f"<b>{len(result.matches)}</b> match{'es' if len(result.matches) != 1 else ''}"
                f"{': ' + ', '.join(result.shorts) if result.matches else ''}.</p>")
        if not result.matches:
            return head + "<p>No model in the table fits; try another port of entry, format or range.</p>"
        rows = []
        for m in result.matches:
            deck = html.escape(m.deck_range_text)
            rows.append(
                f"<tr><td><b>{html.escape(m.short)}</b> {html.escape(m.model)}</td>"
                f"<td>{html.escape(m.developer_verified)}</td><td>{html.escape(PORTS[m.port_of_entry])}</td>"
                f"<td>{html.escape(m.format_details)}</td><td>{deck}</td>"
                f"<td>{html.escape(m.verified_range_text)} [{html.escape(m.range_status)}]</td></tr>")
        notes = "".join(f"<li><b>{html.escape(m.short)}</b>: {html.escape(m.notes)} "
                        f"<small>(Sources: {html.escape(m.sources)})</small></li>" for m in result.matches)
        return (head + "<table><tr><th>Model</th><th>Developer(s)</th><th>Port of entry</th><th>Format</th>"
                "<th>Deck's range</th><th>Verified range [status]</th></tr>" + "".join(rows) + "</table>"
                f"<ul>{notes}</ul>"
                f"<p>In code: <code>find_interventions({result.age_months}, "
                f"port_of_entry={result.port_of_entry!r}, format={result.format!r}, ranges={result.ranges!r})</code></p>")


# ==========================================================================
# 2. The ABC trial: risk difference and number needed to treat
# ==========================================================================
@dataclass(frozen=True)
class TrialOutcome:
    """One outcome of the ABC trial: shares (%) in the ABC and control groups."""

    outcome: str
    label: str
    abc_pct: float
    control_pct: float
    higher_is_better: bool
    status: str
    citation: str


def abc_trial() -> tuple:
    """The outcomes of Bernard et al. (2012) (packaged table ``interventions_abc_trial``)."""
    return tuple(TrialOutcome(outcome=r["outcome"], label=r["label"], abc_pct=float(r["abc_pct"]),
                              control_pct=float(r["control_pct"]), higher_is_better=r["higher_is_better"] == "yes",
                              status=r["status"], citation=r["citation"])
                 for r in load_table("interventions_abc_trial").rows)


def trial_outcome(outcome: str) -> TrialOutcome:
    """One outcome of the ABC trial by name: ``"disorganized"`` or ``"secure"``."""
    rows = abc_trial()
    for row in rows:
        if row.outcome == outcome:
            return row
    raise ValueError(f"outcome: expected one of {[r.outcome for r in rows]}, got {outcome!r}")


def risk_difference(p_control: float, p_treatment: float, *, higher_is_better: bool = False) -> float:
    """Risk difference as a proportion, signed so that a positive value favours the treatment.

    For an outcome the treatment aims to prevent (``higher_is_better=False``):
    ``p_control - p_treatment``. For one it aims to promote (``higher_is_better=True``):
    ``p_treatment - p_control``. Both shares are proportions from 0 to 1 (multiply by 100 for
    percentage points).
    """
    pc = _proportion("p_control", p_control)
    pt = _proportion("p_treatment", p_treatment)
    if not isinstance(higher_is_better, bool):
        raise ValueError(f"higher_is_better: expected True or False, got {higher_is_better!r}")
    return pt - pc if higher_is_better else pc - pt


def number_needed_to_treat(p_control: float, p_treatment: float, *, higher_is_better: bool = False) -> float:
    """Number needed to treat: 1 / risk difference (children or families treated per one extra good outcome).

    Not rounded (by convention an NNT is reported rounded up to a whole number). A negative
    value means the treatment group fared worse; its size is then a number needed to harm.
    Raises ``ValueError`` when the risk difference is 0, where the NNT is undefined.
    """
    rd = risk_difference(p_control, p_treatment, higher_is_better=higher_is_better)
    if abs(rd) < 1e-12:
        raise ValueError(f"p_treatment: equals p_control ({float(p_control):g}), so the risk difference is 0 "
                         "and the number needed to treat is undefined")
    return 1.0 / rd


def plot_trial_outcomes(outcomes=None, ax=None):
    """Grouped bars of the share (%) with each outcome in the ABC and control groups, risk differences marked."""
    outcomes = abc_trial() if outcomes is None else tuple(outcomes)
    if not outcomes or not all(isinstance(o, TrialOutcome) for o in outcomes):
        raise ValueError("outcomes: expected a non-empty sequence of TrialOutcome")
    if ax is None:
        fig, ax = new_figure(6.4, 3.6)
    else:
        fig = ax.figure
    xs = list(range(len(outcomes)))
    width = 0.36
    ax.bar([x - width / 2 for x in xs], [o.control_pct for o in outcomes], width, color=PALETTE["orange"],
           hatch="//", edgecolor="black", linewidth=0.6, label="control group")
    ax.bar([x + width / 2 for x in xs], [o.abc_pct for o in outcomes], width, color=PALETTE["blue"],
           edgecolor="black", linewidth=0.6, label="ABC group")
    for x, o in zip(xs, outcomes):
        ax.text(x - width / 2, o.control_pct + 1.5, f"{o.control_pct:g}%", ha="center", fontsize=9)
        ax.text(x + width / 2, o.abc_pct + 1.5, f"{o.abc_pct:g}%", ha="center", fontsize=9)
        diff = abs(o.control_pct - o.abc_pct)
        ax.text(x, max(o.control_pct, o.abc_pct) + 9, f"difference {diff:g} percentage points", ha="center", fontsize=8)
    ax.set_xticks(xs, [o.label for o in outcomes])
    ax.set_ylim(0, 80)
    ax.set_xlabel("Attachment outcome")
    ax.set_ylabel("Share of children in the group (%)")
    ax.set_title("ABC trial (Bernard et al., 2012): outcomes by group")
    ax.legend(loc="upper right", fontsize=8)
    return fig


def describe_trial_outcomes(outcomes=None) -> str:
    """One-sentence description of :func:`plot_trial_outcomes`."""
    outcomes = abc_trial() if outcomes is None else tuple(outcomes)
    parts = [f"{o.label.lower()}: {o.control_pct:g}% of the control group and {o.abc_pct:g}% of the ABC group"
             for o in outcomes]
    return "Grouped bar chart of the ABC trial's outcomes; " + "; ".join(parts) + "."


# ==========================================================================
# 3. DC:0-5: five axes, and a worked case
# ==========================================================================
AXES = ("I", "II", "III", "IV", "V")


@dataclass(frozen=True)
class Axis:
    """One DC:0-5 axis: Roman numeral, number, verified name, the course's plain-language gloss."""

    axis: str
    number: int
    name: str
    course_gloss: str
    status: str


@dataclass(frozen=True)
class CaseFact:
    """One fact of the worked case with the axis the course places it on, and why."""

    key: str
    text: str
    course_axis: str
    reason: str


@dataclass(frozen=True)
class WorkedCase:
    """The course's worked DC:0-5 case: who, how old (months), an introduction and the facts."""

    name: str
    age_months: int
    intro: str
    facts: tuple


@dataclass(frozen=True)
class AxisMappingResult:
    """A learner's placement of the worked case's facts compared with the course's reading.

    ``chosen`` maps each fact key to an axis or ``None`` (not yet placed); ``agrees`` maps it to
    True/False (``None`` while unplaced); ``profile`` maps each axis to the fact keys placed there.
    """

    case: WorkedCase
    chosen: dict
    agrees: dict
    profile: dict

    @property
    def n_placed(self) -> int:
        return sum(v is not None for v in self.chosen.values())

    @property
    def n_agree(self) -> int:
        return sum(bool(v) for v in self.agrees.values())


def dc05_axes() -> tuple:
    """The five DC:0-5 axes (packaged table ``dc05_axes``) as :class:`Axis` records."""
    return tuple(Axis(axis=r["axis"], number=int(r["number"]), name=r["name"], course_gloss=r["course_gloss"],
                      status=r["status"]) for r in load_table("dc05_axes").rows)


def worked_case() -> WorkedCase:
    """The course's worked case (packaged table ``interventions_dc05_case``)."""
    table = load_table("interventions_dc05_case")
    meta_file = resources.files("widgets") / "data" / "interventions_dc05_case.json"
    case = json.loads(meta_file.read_text(encoding="utf-8"))["case"]
    facts = tuple(CaseFact(key=r["fact_key"], text=r["fact"], course_axis=r["course_axis"], reason=r["reason"])
                  for r in table.rows)
    return WorkedCase(name=case["name"], age_months=int(case["age_months"]), intro=case["intro"], facts=facts)


def compare_axis_mapping(mapping: Mapping) -> AxisMappingResult:
    """Compare a placement of the worked case's facts (fact key -> "I".."V", or ``None``/"" for not yet)."""
    if not isinstance(mapping, Mapping):
        raise ValueError(f"mapping: expected a dict from fact key to axis, got {type(mapping).__name__}")
    case = worked_case()
    keys = [f.key for f in case.facts]
    unknown = [k for k in mapping if k not in keys]
    if unknown:
        raise ValueError(f"mapping: unknown fact keys {unknown}; the facts are {keys}")
    chosen, agrees = {}, {}
    for fact in case.facts:
        value = mapping.get(fact.key)
        if value in (None, ""):
            chosen[fact.key], agrees[fact.key] = None, None
            continue
        if not isinstance(value, str) or value.strip().upper() not in AXES:
            raise ValueError(f"mapping: the axis for {fact.key!r} must be one of {list(AXES)}, got {value!r}")
        chosen[fact.key] = value.strip().upper()
        agrees[fact.key] = chosen[fact.key] == fact.course_axis
    profile = {axis: tuple(k for k in keys if chosen[k] == axis) for axis in AXES}
    return AxisMappingResult(case=case, chosen=chosen, agrees=agrees, profile=profile)


def plot_axis_mapping(result: AxisMappingResult, ax=None):
    """Facts per DC:0-5 axis (count): the learner's placement beside the course's reading.

    The count axis runs to the number of facts (what a placement can reach), so a view's axes stay
    the same; what a placement changes is the learner's bars and the title."""
    if not isinstance(result, AxisMappingResult):
        raise ValueError(f"result: expected an AxisMappingResult, got {type(result).__name__}")
    if ax is None:
        fig, ax = new_figure(7.0, 3.4)
    else:
        fig = ax.figure
    names = {a.axis: a.name for a in dc05_axes()}
    course_counts = [sum(f.course_axis == axis for f in result.case.facts) for axis in AXES]
    xs = list(range(len(AXES)))
    width = 0.38
    ax.bar([x - width / 2 for x in xs], [0] * len(xs), width, color=PALETTE["vermillion"], hatch="//",
           edgecolor="black", linewidth=0.6, label="your placement", gid="yours")
    ax.bar([x + width / 2 for x in xs], course_counts, width, color=PALETTE["green"], edgecolor="black",
           linewidth=0.6, label="course's reading")
    ax.set_xticks(xs, [f"{axis}\n{names[axis].split(' ')[0]}" for axis in AXES])
    ax.set_ylim(0, len(result.case.facts) + 0.5)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("DC:0-5 axis")
    ax.set_ylabel("Number of case facts")
    ax.legend(loc="upper right", fontsize=8)
    _axis_mapping_update(result, ax)
    return fig


def _axis_mapping_update(result: AxisMappingResult, ax) -> None:
    """The learner's bars and the title of a :func:`plot_axis_mapping` figure, for ``result``, in place."""
    yours = [p for p in ax.patches if p.get_gid() == "yours"]
    for bar, axis in zip(yours, AXES):
        bar.set_height(len(result.profile[axis]))
    ax.set_title(f"{result.case.name}'s case facts by axis: {result.n_placed} of {len(result.case.facts)} placed, "
                 f"{result.n_agree} as the course reads them")


def describe_axis_mapping(result: AxisMappingResult) -> str:
    """One-sentence description of :func:`plot_axis_mapping`."""
    yours = ", ".join(f"Axis {a} {len(result.profile[a])}" for a in AXES)
    course = ", ".join(f"Axis {a} {sum(f.course_axis == a for f in result.case.facts)}" for a in AXES)
    return (f"Bar chart of how many of {result.case.name}'s {len(result.case.facts)} case facts sit on each DC:0-5 "
            f"axis, your placement ({yours}) beside the course's reading ({course}); "
            f"{result.n_agree} of your {result.n_placed} placements agree with the course's.")


class AxisMatcher(ModelView):
    """Place each fact of the worked case on a DC:0-5 axis; see where it agrees with the course's reading."""

    title = "DC:0-5 axes: a worked case (course's own vignette)"

    def make_controls(self) -> dict:
        axes = dc05_axes()
        options = [("(choose an axis)", "")] + [(f"{a.axis} {a.name}", a.axis) for a in axes]
        controls = {}
        for number, fact in enumerate(worked_case().facts, start=1):
            controls[fact.key] = ipywidgets.Dropdown(options=options, value="",
                                                     description=f"Axis for fact {number} (see the list below)")
        return controls

    def compute(self, **values):
        return compare_axis_mapping(values)

    def plot(self, result):
        # drawn once; a placement changes the heights of the learner's bars and the title, in place
        fig = getattr(self, "_mapping_figure", None)
        if fig is None:
            fig = self._mapping_figure = plot_axis_mapping(result)
        else:
            _axis_mapping_update(result, fig.axes[0])
        return fig

    def describe(self, result):
        return describe_axis_mapping(result)

    def summarise(self, result) -> str:
        case = result.case
        years, months = divmod(case.age_months, 12)
        items = []
        for number, fact in enumerate(case.facts, start=1):
            chosen = result.chosen[fact.key]
            if chosen is None:
                verdict = "<i>not placed yet</i>"
            elif result.agrees[fact.key]:
                verdict = f"Axis {chosen}: agrees with the course's reading. {html.escape(fact.reason)}"
            else:
                verdict = (f"Axis {chosen}: the course reads this as Axis {fact.course_axis}. "
                           f"{html.escape(fact.reason)}")
            items.append(f"<li><b>Fact {number}.</b> {html.escape(fact.text)}<br/>{verdict}</li>")
        return (f"<p><b>{html.escape(case.name)}, {case.age_months} months ({years} y {months} m).</b> "
                f"{html.escape(case.intro)}</p><ol style='list-style:none;padding-left:0'>{''.join(items)}</ol>"
                f"<p>{result.n_placed} of {len(case.facts)} placed; {result.n_agree} agree with the course's "
                "reading.</p>")
