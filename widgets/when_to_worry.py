"""Notebook 14 (when to worry): chronological and corrected age from dates, and which screens fall due.

Pure model functions take dates and numbers and return frozen dataclasses; the view
:class:`CorrectedAgeCalculator` only wires date pickers and a number box to them.

- :func:`corrected_age`: age from the birth date (chronological) and from the due date (corrected), in
  completed calendar months and days. Corrected age = chronological age - (40 weeks - gestational age at
  birth), that is, the age counted from the due date. The American Academy of Pediatrics' age terminology
  (Committee on Fetus and Newborn, 2004) uses the term for children born preterm (before 37 weeks), up to
  3 years of age. A child born at 40 weeks or later has nothing to correct.
- :func:`screens_due`: the screening age and the screens that fall due around it. The age used follows the
  Ages & Stages rule (publisher's guidance): adjust for prematurity when a child was born 3 or more weeks
  early, until 2 years of chronological age. The ASQ authors count 39 weeks as full term; this calculator
  counts 40 weeks throughout, which the publisher accepts if used consistently. The schedule: the ASQ:SE-2
  intervals (Squires, Bricker & Twombly, 2015: 2, 6, 12, 18, 24, 30, 36, 48 and 60 months), general
  developmental screening at the 9-, 18- and 30-month visits and autism screening with the M-CHAT-R/F at the
  18- and 24-month visits (American Academy of Pediatrics; Hyman et al., 2020); the M-CHAT-R/F is meant for
  toddlers of 16 to 30 months (Robins et al., 2014). Conventions of this calculator, not published rules:
  "due" means within a month (calendar months) of the scheduled age, the M-CHAT-R/F range runs from the
  day the screening age reaches 16 months to the day it reaches 30 months, and the Ages & Stages choice of
  age is used for every screen. Every screen flags a child for a closer look; none of them diagnoses.
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
import numbers
from dataclasses import dataclass

import ipywidgets

from .figures import PALETTE, new_figure, fixed_legend
from .view import ModelView

__all__ = ["FULL_TERM_WEEKS", "PRETERM_BEFORE_WEEKS", "SCREEN_SCHEDULE", "MCHAT_FROM_MONTHS", "MCHAT_TO_MONTHS",
           "add_months", "months_and_days", "CorrectedAge", "corrected_age", "ScreensDue", "screens_due",
           "plot_screening_timeline", "describe_screening_timeline", "CorrectedAgeCalculator",
           "explore_corrected_age"]

FULL_TERM_WEEKS = 40          # weeks of pregnancy counted as full term (the due date)
PRETERM_BEFORE_WEEKS = 37     # born before 37 completed weeks: preterm
GESTATION_RANGE = (22, 42)    # weeks of pregnancy at birth the calculator accepts
ASQ_ADJUST_FROM_WEEKS_EARLY = 3
ASQ_ADJUST_UNTIL_MONTHS = 24  # chronological age
AAP_CORRECTED_UNTIL_MONTHS = 36
MCHAT_FROM_MONTHS, MCHAT_TO_MONTHS = 16, 30
MCHAT = "M-CHAT-R/F autism screen"
ASQ_SE2 = "ASQ:SE-2 social-emotional questionnaire"
GENERAL = "general developmental screen (well-child visit)"

#: (screen, age in months) in the order of age.
SCREEN_SCHEDULE = tuple(sorted(
    [(ASQ_SE2, m) for m in (2, 6, 12, 18, 24, 30, 36, 48, 60)]
    + [(GENERAL, m) for m in (9, 18, 30)]
    + [(MCHAT, m) for m in (18, 24)],
    key=lambda pair: (pair[1], pair[0])))


# --- calendar arithmetic ---------------------------------------------------------------------------

def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` calendar months later (the month's last day when it is shorter:
    31 January + 1 month = 28 or 29 February)."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_and_days(start: dt.date, end: dt.date) -> tuple[int, int]:
    """Completed calendar months from ``start`` to ``end`` (not before ``start``) and the days left over."""
    if end < start:
        raise ValueError("end: on or after start")
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return months, (end - add_months(start, months)).days


def _fractional_months(start: dt.date, end: dt.date) -> float:
    """Calendar months from ``start`` to ``end`` as a number (negative when ``end`` is earlier)."""
    if end < start:
        return -_fractional_months(end, start)
    months, days = months_and_days(start, end)
    length = (add_months(start, months + 1) - add_months(start, months)).days
    return months + days / length


# --- model -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CorrectedAge:
    """A child's age counted from the birth date (chronological) and from the due date (corrected)."""

    birth_date: dt.date
    today: dt.date
    gestation_weeks: float
    weeks_early: float            # 40 - weeks of pregnancy at birth (0 or less: born at or after term)
    due_date: dt.date             # the birth date moved on by the weeks born early (the birth date if none)
    chronological_days: int
    corrected_days: int           # negative before the due date
    chronological: tuple          # (completed months, days) since birth
    corrected: tuple | None       # (completed months, days) since the due date; None before it
    chronological_months: float
    corrected_months: float       # negative before the due date
    preterm: bool                 # born before 37 weeks
    use_corrected: bool           # AAP terminology: preterm and under 3 years old

    @property
    def chronological_weeks(self) -> float:
        return self.chronological_days / 7

    @property
    def corrected_weeks(self) -> float:
        return self.corrected_days / 7


def _day(date: dt.date) -> str:
    """A date as people write it: 2 March 2026."""
    return f"{date.day} {date:%B %Y}"


_LABELS = {"birth_date": "date of birth", "today": "today's date"}


def _check_date(value, name: str) -> dt.date:
    if value is None:
        raise ValueError(f"{name} ({_LABELS[name]}): no date given; choose one")
    if isinstance(value, dt.datetime):
        return value.date()
    if not isinstance(value, dt.date):
        raise ValueError(f"{name} ({_LABELS[name]}): a date such as datetime.date(2025, 9, 1), not {value!r}")
    return value


def corrected_age(birth_date: dt.date, gestation_weeks: float, today: dt.date) -> CorrectedAge:
    """Chronological age (from ``birth_date`` to ``today``) and corrected age (from the due date).

    ``gestation_weeks``: completed weeks of pregnancy at birth, 22 to 42. ``today`` is always passed in
    (nothing here reads the computer's clock), so the same inputs always give the same ages."""
    birth_date = _check_date(birth_date, "birth_date")
    today = _check_date(today, "today")
    low, high = GESTATION_RANGE
    if (isinstance(gestation_weeks, bool) or not isinstance(gestation_weeks, numbers.Real)
            or not math.isfinite(gestation_weeks) or not low <= gestation_weeks <= high):
        raise ValueError(f"gestation_weeks (weeks of pregnancy at birth): a number from {low} to {high}, "
                         f"not {gestation_weeks!r}")
    if birth_date > today:
        raise ValueError(f"birth_date (date of birth): {_day(birth_date)} is after today's date, {_day(today)}; "
                         "a child cannot be born after today")
    weeks_early = FULL_TERM_WEEKS - float(gestation_weeks)
    due = birth_date + dt.timedelta(days=round(7 * max(weeks_early, 0.0)))
    chronological_days = (today - birth_date).days
    corrected_days = (today - due).days
    preterm = gestation_weeks < PRETERM_BEFORE_WEEKS
    use = preterm and today < add_months(birth_date, AAP_CORRECTED_UNTIL_MONTHS)
    return CorrectedAge(birth_date, today, float(gestation_weeks), weeks_early, due, chronological_days,
                        corrected_days, months_and_days(birth_date, today),
                        months_and_days(due, today) if today >= due else None,
                        _fractional_months(birth_date, today), _fractional_months(due, today), preterm, use)


@dataclass(frozen=True)
class ScreensDue:
    """The age screens are chosen by, the scheduled screens around it, and the M-CHAT-R/F age range."""

    age: CorrectedAge
    adjusted: bool                 # the screening age is the corrected age (Ages & Stages rule)
    counted_from: dt.date          # the date the screening age counts from (due date or birth date)
    screening_age: tuple | None    # (completed months, days); None before the due date
    screening_months: float
    due: tuple                     # (screen, scheduled age in months) within window_months of the screening age
    asq_se2_interval: int | None   # the ASQ:SE-2 interval among them, if any
    in_mchat_range: bool           # screening age from 16 to 30 months
    next_up: tuple                 # the first scheduled (screen, months) after the window, or ()
    window_months: int


def screens_due(age: CorrectedAge, window_months: int = 1) -> ScreensDue:
    """Which scheduled screens fall within ``window_months`` calendar months of the screening age, and
    whether the screening age is inside the M-CHAT-R/F range (16 to 30 months).

    The screening age is the corrected age when the child was born 3 or more weeks early and is under 2 years
    of chronological age (the Ages & Stages rule); otherwise it is the chronological age."""
    if not isinstance(age, CorrectedAge):
        raise ValueError("age: the result of corrected_age(birth_date, gestation_weeks, today)")
    if isinstance(window_months, bool) or not isinstance(window_months, int) or not 1 <= window_months <= 3:
        raise ValueError("window_months: a whole number of months from 1 to 3")
    today = age.today
    adjusted = (age.weeks_early >= ASQ_ADJUST_FROM_WEEKS_EARLY
                and today < add_months(age.birth_date, ASQ_ADJUST_UNTIL_MONTHS))
    start = age.due_date if adjusted else age.birth_date
    reached = today >= start
    due = tuple(pair for pair in SCREEN_SCHEDULE if reached
                and add_months(start, pair[1] - window_months) <= today <= add_months(start, pair[1] + window_months))
    later = [pair for pair in SCREEN_SCHEDULE if today < add_months(start, pair[1] - window_months)]
    asq = [months for name, months in due if name == ASQ_SE2]
    in_mchat = add_months(start, MCHAT_FROM_MONTHS) <= today <= add_months(start, MCHAT_TO_MONTHS)
    return ScreensDue(age, adjusted, start, months_and_days(start, today) if reached else None,
                      _fractional_months(start, today), due, asq[0] if asq else None, in_mchat,
                      later[0] if later else (), window_months)


# --- figure ----------------------------------------------------------------------------------------

AXIS_MONTHS = 64   # the axis runs past the last scheduled screen (60 months)


def plot_screening_timeline(result: ScreensDue):
    """Scheduled screens as dots by age, the M-CHAT-R/F age range as a hatched band, and the child's two ages as
    lines (solid: from birth; dashed: from the due date)."""
    fig, ax = new_figure(width=7, height=3.2)
    rows = [ASQ_SE2, GENERAL, MCHAT]
    labels = ["ASQ:SE-2", "general screen", "M-CHAT-R/F\n(band: 16-30 months)"]
    ax.barh(rows.index(MCHAT), MCHAT_TO_MONTHS - MCHAT_FROM_MONTHS, left=MCHAT_FROM_MONTHS, height=0.5,
            color=PALETTE["sky"], alpha=0.35, hatch="//", edgecolor=PALETTE["blue"], linewidth=0)
    for position, name in enumerate(rows):
        ages = [m for n, m in SCREEN_SCHEDULE if n == name]
        ax.plot(ages, [position] * len(ages), linestyle="none", marker="o", markersize=7, color=PALETTE["blue"])
    ax.axvline(0, color=PALETTE["black"], linestyle="-", linewidth=2, label="age from birth (chronological)",
               gid="chronological")
    ax.axvline(0, color=PALETTE["vermillion"], linestyle="--", linewidth=2, label="age from the due date (corrected)",
               gid="corrected")
    _update_timeline(result, ax)
    ax.set_yticks(range(len(rows)), labels)
    ax.set_xlim(0, AXIS_MONTHS)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlabel("Age (months)")
    ax.set_title("Scheduled screens (dots) and the child's two ages (lines)")
    handles = [line for line in ax.lines if line.get_gid() in ("chronological", "corrected")]
    fixed_legend(ax, handles, loc="upper center", bbox_to_anchor=(0.5, -0.25), fontsize=8, ncol=2)
    return fig


def _update_timeline(result: ScreensDue, ax) -> None:
    """Move the two age lines of a :func:`plot_screening_timeline` figure to ``result``'s ages, in place."""
    lines = {line.get_gid(): line for line in ax.lines}
    age = result.age
    lines["chronological"].set_xdata([age.chronological_months] * 2)
    lines["corrected"].set_xdata([max(age.corrected_months, 0)] * 2)


def describe_screening_timeline(result: ScreensDue) -> str:
    """One sentence describing :func:`plot_screening_timeline`."""
    age = result.age
    count = len(result.due)
    return (f"Dots at the ages (months) of the scheduled ASQ:SE-2, general developmental and M-CHAT-R/F screens, a "
            f"band over the M-CHAT-R/F range of 16 to 30 months, a solid line at the chronological age of "
            f"{age.chronological_months:.1f} months and a dashed line at the corrected age of "
            f"{max(age.corrected_months, 0):.1f} months; {count} screen{'' if count == 1 else 's'} due within "
            f"{result.window_months} month{'' if result.window_months == 1 else 's'} of the screening age.")


# --- the view --------------------------------------------------------------------------------------

#: the calculator's starting "today" and child (Lina Haddad, born 4 weeks early, 20 weeks old): fixed dates,
#: so that the calculator starts the same way on every computer and every day
CALCULATOR_TODAY = dt.date(2026, 3, 2)
CALCULATOR_BIRTH = dt.date(2025, 10, 13)
DATE_RANGE = (dt.date(2015, 1, 1), dt.date(2035, 12, 31))


def _months_days(pair) -> str:
    months, days = pair
    return f"{months} month{'' if months == 1 else 's'} {days} day{'' if days == 1 else 's'}"


class CorrectedAgeCalculator(ModelView):
    title = "A child's age from birth and from the due date, and the screens around that age"

    def make_controls(self):
        low, high = DATE_RANGE
        return {
            "birth_date": ipywidgets.DatePicker(value=CALCULATOR_BIRTH, min=low, max=high,
                                                description="Child's date of birth"),
            "gestation_weeks": ipywidgets.IntText(value=36, description="Weeks of pregnancy at birth (22 to 42)"),
            "today": ipywidgets.DatePicker(value=CALCULATOR_TODAY, min=low, max=high,
                                           description="Today's date (the day ages are counted to)"),
        }

    def compute(self, birth_date, gestation_weeks, today):
        return screens_due(corrected_age(birth_date, gestation_weeks, today))

    def update(self) -> None:
        super().update()
        if self.error.value:  # a bad entry: say what to fix instead of leaving an older answer in view
            self.summary.value = "<p>Correct the entry above to see the ages and the screens.</p>"

    def plot(self, result):
        # drawn once; the two age lines move in place
        fig = getattr(self, "_timeline_figure", None)
        if fig is None:
            fig = self._timeline_figure = plot_screening_timeline(result)
        else:
            _update_timeline(result, fig.axes[0])
        return fig

    def describe(self, result):
        return describe_screening_timeline(result)

    def summarise(self, result):
        age = result.age
        if age.weeks_early <= 0:
            early = "at or after the due date, so there is nothing to correct"
        else:
            early = f"{age.weeks_early:g} weeks before the due date of {_day(age.due_date)}"
        corrected = (_months_days(age.corrected) if age.corrected is not None
                     else f"not yet reached: the due date is {-age.corrected_days} days away")
        basis = ("the age from the due date (born 3 or more weeks early and under 2 years from birth)"
                 if result.adjusted else "the age from birth")
        screens = "; ".join(f"{name} ({months} months)" for name, months in result.due) or "none scheduled"
        upcoming = (f" Next: {result.next_up[0]} at {result.next_up[1]} months."
                    if result.next_up else "")
        mchat = ("inside it" if result.in_mchat_range
                 else "not yet" if result.screening_months < MCHAT_FROM_MONTHS else "past it")
        return "".join([
            f"<p>Born {_day(age.birth_date)} at {age.gestation_weeks:g} weeks of pregnancy, {early}. ",
            f"On {_day(age.today)}: <b>age from birth</b> {_months_days(age.chronological)}; ",
            f"<b>age from the due date</b> {corrected}. Screens are chosen by {basis}. ",
            f"<b>Due around now</b> (within a month): {screens}.{upcoming} ",
            f"<b>M-CHAT-R/F age range</b> (16 to 30 months): {mchat}. ",
            "A screen flags a child for a closer look; it never makes a diagnosis.</p>"])


def explore_corrected_age(**initial) -> CorrectedAgeCalculator:
    """The notebook's exploration cell: a :class:`CorrectedAgeCalculator` (controls may be set by name:
    ``birth_date``, ``gestation_weeks``, ``today``)."""
    return CorrectedAgeCalculator(**initial)
