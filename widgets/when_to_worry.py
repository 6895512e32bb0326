"""Notebook 14 (when to worry): chronological and corrected age, and which screens fall due.

Pure model functions take dates and numbers and return frozen dataclasses; the view
:class:`CorrectedAgeCalculator` (built like :class:`widgets.primer.WindowExplorer`) only wires
controls to them.

- :func:`corrected_age`: age from the birth date (chronological) and from the due date (corrected).
  Corrected age = chronological age - (40 weeks - gestational age at birth). The American Academy of
  Pediatrics' age terminology (Committee on Fetus and Newborn, 2004) uses the term for children born
  preterm (before 37 weeks), up to 3 years of age.
- :func:`screens_due`: the screening age and the screens scheduled within a month of it. The age used
  follows the Ages & Stages rule (publisher's guidance): adjust for prematurity when a child was born
  3 or more weeks early, until 2 years of chronological age. The ASQ authors count 39 weeks as full
  term; this calculator counts 40 weeks throughout, which the publisher accepts if used consistently.
  The schedule: the ASQ:SE-2 intervals (Squires, Bricker & Twombly, 2015: 2, 6, 12, 18, 24, 30, 36,
  48 and 60 months), general developmental screening at the 9-, 18- and 30-month visits and autism
  screening with the M-CHAT-R/F at the 18- and 24-month visits (American Academy of Pediatrics;
  Hyman et al., 2020). "Within a month" is this calculator's convention for "due around now", not a
  published rule; every screen flags a child for a closer look, none of them diagnoses.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ipywidgets

from .figures import PALETTE, new_figure
from .view import ModelView

__all__ = ["FULL_TERM_WEEKS", "PRETERM_BEFORE_WEEKS", "SCREEN_SCHEDULE", "CorrectedAge", "corrected_age",
           "ScreensDue", "screens_due", "plot_screening_timeline", "describe_screening_timeline",
           "CorrectedAgeCalculator", "explore_corrected_age"]

FULL_TERM_WEEKS = 40          # weeks of pregnancy counted as full term (the due date)
PRETERM_BEFORE_WEEKS = 37     # born before 37 completed weeks: preterm
ASQ_ADJUST_FROM_WEEKS_EARLY = 3
ASQ_ADJUST_UNTIL_MONTHS = 24  # chronological age
AAP_CORRECTED_UNTIL_MONTHS = 36
DAYS_PER_MONTH = 365.25 / 12

#: (screen, age in months) in the order of age.
SCREEN_SCHEDULE = tuple(sorted(
    [("ASQ:SE-2 social-emotional questionnaire", m) for m in (2, 6, 12, 18, 24, 30, 36, 48, 60)]
    + [("general developmental screen (well-child visit)", m) for m in (9, 18, 30)]
    + [("M-CHAT-R/F autism screen", m) for m in (18, 24)],
    key=lambda pair: (pair[1], pair[0])))


@dataclass(frozen=True)
class CorrectedAge:
    """A child's age counted from the birth date and from the due date."""

    birth_date: dt.date
    today: dt.date
    gestation_weeks: float
    chronological_days: int
    weeks_early: float            # 40 - gestation at birth (0 or less: born at or after term)
    corrected_days: float         # may be negative: before the due date
    preterm: bool                 # born before 37 weeks
    use_corrected: bool           # AAP terminology: preterm and under 3 years old

    @property
    def chronological_weeks(self) -> float:
        return self.chronological_days / 7

    @property
    def chronological_months(self) -> float:
        return self.chronological_days / DAYS_PER_MONTH

    @property
    def corrected_weeks(self) -> float:
        return self.corrected_days / 7

    @property
    def corrected_months(self) -> float:
        return self.corrected_days / DAYS_PER_MONTH


def corrected_age(birth_date: dt.date, gestation_weeks: float, today: dt.date) -> CorrectedAge:
    """Chronological age (from ``birth_date`` to ``today``) and corrected age (from the due date).

    ``gestation_weeks``: completed weeks of pregnancy at birth (22 to 42)."""
    if not isinstance(birth_date, dt.date) or not isinstance(today, dt.date):
        raise ValueError("birth_date and today: dates, e.g. datetime.date(2026, 3, 2)")
    if not 22 <= gestation_weeks <= 42:
        raise ValueError("gestation_weeks: weeks of pregnancy at birth, from 22 to 42")
    days = (today - birth_date).days
    if days < 0:
        raise ValueError("today is before the birth date")
    weeks_early = FULL_TERM_WEEKS - gestation_weeks
    corrected = days - 7 * max(weeks_early, 0)
    preterm = gestation_weeks < PRETERM_BEFORE_WEEKS
    use = preterm and days / DAYS_PER_MONTH < AAP_CORRECTED_UNTIL_MONTHS
    return CorrectedAge(birth_date, today, float(gestation_weeks), days, float(weeks_early), float(corrected),
                        preterm, use)


@dataclass(frozen=True)
class ScreensDue:
    """The age screens are chosen by, and the scheduled screens within ``window_months`` of it."""

    age: CorrectedAge
    adjusted: bool                 # the screening age is the corrected age (ASQ rule)
    screening_months: float
    due: tuple                     # (screen, scheduled age in months) within the window
    next_up: tuple                 # the first scheduled (screen, months) after the window, or ()
    window_months: float


def screens_due(age: CorrectedAge, window_months: float = 1.0) -> ScreensDue:
    """Which scheduled screens fall within ``window_months`` of the screening age.

    The screening age is the corrected age when the child was born 3 or more weeks early and is
    under 2 years of chronological age (the Ages & Stages rule); otherwise it is the chronological age."""
    if not 0 < window_months <= 3:
        raise ValueError("window_months: from 0 to 3 months")
    adjusted = age.weeks_early >= ASQ_ADJUST_FROM_WEEKS_EARLY and age.chronological_months < ASQ_ADJUST_UNTIL_MONTHS
    months = age.corrected_months if adjusted else age.chronological_months
    due = tuple(pair for pair in SCREEN_SCHEDULE if abs(pair[1] - months) <= window_months)
    later = [pair for pair in SCREEN_SCHEDULE if pair[1] > months + window_months]
    return ScreensDue(age, adjusted, months, due, later[0] if later else (), float(window_months))


# --- the view ----------------------------------------------------------------------------------

#: the calculator's "today" (fixed, so that the same settings always give the same dates)
CALCULATOR_TODAY = dt.date(2026, 3, 2)


def plot_screening_timeline(result: ScreensDue):
    fig, ax = new_figure(width=7, height=2.8)
    rows = sorted({name for name, _ in SCREEN_SCHEDULE})
    for position, name in enumerate(rows):
        ages = [m for n, m in SCREEN_SCHEDULE if n == name]
        ax.plot(ages, [position] * len(ages), linestyle="none", marker="o", markersize=7, color=PALETTE["blue"])
    age = result.age
    ax.axvline(age.chronological_months, color=PALETTE["black"], linestyle="-", linewidth=2,
               label="age from birth (chronological)")
    ax.axvline(max(age.corrected_months, 0), color=PALETTE["vermillion"], linestyle="--", linewidth=2,
               label="age from due date (corrected)")
    ax.set_yticks(range(len(rows)), [r.split(" (")[0] for r in rows])
    ax.set_xlim(0, 40)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlabel("Age (months)")
    ax.set_title("Scheduled screens (dots) and the child's two ages (lines)")
    ax.legend(loc="lower right", fontsize=8)
    return fig


def describe_screening_timeline(result: ScreensDue) -> str:
    age = result.age
    return (f"Dots at the ages (months) of the scheduled ASQ:SE-2, general developmental and M-CHAT-R/F screens, "
            f"with a solid line at the chronological age of {age.chronological_months:.1f} months and a dashed line "
            f"at the corrected age of {max(age.corrected_months, 0):.1f} months; {len(result.due)} screen"
            f"{'' if len(result.due) == 1 else 's'} within {result.window_months:g} month of the screening age.")


class CorrectedAgeCalculator(ModelView):
    title = "A child's age from birth and from the due date, and the screens around that age"

    def make_controls(self):
        return {
            "gestation_weeks": ipywidgets.IntSlider(value=36, min=23, max=42, step=1,
                                                    description="Weeks of pregnancy at birth"),
            "weeks_since_birth": ipywidgets.IntSlider(value=20, min=0, max=156, step=1,
                                                      description="Weeks since birth"),
        }

    def compute(self, gestation_weeks, weeks_since_birth):
        birth = CALCULATOR_TODAY - dt.timedelta(weeks=weeks_since_birth)
        return screens_due(corrected_age(birth, gestation_weeks, CALCULATOR_TODAY))

    def plot(self, result):
        return plot_screening_timeline(result)

    def describe(self, result):
        return describe_screening_timeline(result)

    def summarise(self, result):
        age = result.age
        if age.weeks_early <= 0:
            early = "born at or after the due date, so there is nothing to correct"
        else:
            early = f"born {age.weeks_early:g} weeks before the due date"
        if age.corrected_days < 0:
            corrected = "not yet reached the due date"
        else:
            corrected = f"{age.corrected_months:.1f} months"
        screens = "; ".join(f"{name} ({months} months)" for name, months in result.due) or "none scheduled"
        basis = ("the corrected age (born 3 or more weeks early and under 2 years old)" if result.adjusted
                 else "the age from birth")
        upcoming = (f" Next after that: {result.next_up[0]} at {result.next_up[1]} months."
                    if result.next_up else "")
        return (f"<p>Born {age.birth_date:%d %B %Y}, {early}. On {age.today:%d %B %Y}: "
                f"<b>age from birth</b> {age.chronological_months:.1f} months; <b>age from the due date</b> "
                f"{corrected}. Screens are chosen by {basis}. <b>Around now</b>: {screens}.{upcoming} "
                "A screen flags a child for a closer look; it never makes a diagnosis.</p>")


def explore_corrected_age(**initial) -> CorrectedAgeCalculator:
    """The notebook's exploration cell: a :class:`CorrectedAgeCalculator` (controls may be set by name)."""
    return CorrectedAgeCalculator(**initial)
