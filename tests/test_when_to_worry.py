"""Notebook 14's model: chronological and corrected age from dates, and which screens fall due.

Expected values are worked out by hand from calendar dates (noted beside each case)."""
import datetime as dt
import math

import pytest

from widgets.when_to_worry import (CALCULATOR_TODAY, SCREEN_SCHEDULE, CorrectedAgeCalculator, add_months,
                                   corrected_age, months_and_days, screens_due)

TODAY = dt.date(2026, 3, 2)
ASQ, GENERAL, MCHAT = ("ASQ:SE-2 social-emotional questionnaire", "general developmental screen (well-child visit)",
                       "M-CHAT-R/F autism screen")


def test_calendar_months_end_on_the_last_day_of_a_shorter_month():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)      # leap year
    assert add_months(dt.date(2025, 11, 15), 3) == dt.date(2026, 2, 15)     # across a new year
    assert months_and_days(dt.date(2025, 10, 13), TODAY) == (4, 17)         # 13 Feb + 17 days (28-day February)
    with pytest.raises(ValueError, match="end"):
        months_and_days(TODAY, dt.date(2026, 3, 1))


def test_corrected_age_counts_from_the_due_date():
    # born at 32 weeks on 1 September 2025: 8 weeks early, due 27 October 2025; 182 days (26 weeks) old today
    age = corrected_age(dt.date(2025, 9, 1), 32, TODAY)
    assert age.weeks_early == 8 and age.due_date == dt.date(2025, 10, 27)
    assert age.chronological_days == 182 and age.corrected_days == 182 - 56 and age.corrected_weeks == 18
    assert age.chronological == (6, 1)          # 1 March 2026 + 1 day
    assert age.corrected == (4, 3)              # 27 February 2026 + 3 days
    assert age.preterm and age.use_corrected


def test_fractional_months_use_the_length_of_the_month_in_progress():
    age = corrected_age(dt.date(2025, 9, 1), 32, TODAY)
    # the corrected month in progress runs from 27 February to 27 March 2026: 28 days
    assert age.corrected_months == pytest.approx(4 + 3 / 28)
    # the chronological month in progress runs from 1 March to 1 April 2026: 31 days
    assert age.chronological_months == pytest.approx(6 + 1 / 31)


def test_born_at_forty_weeks_or_later_there_is_nothing_to_correct():
    term = corrected_age(dt.date(2025, 3, 2), 40, TODAY)
    assert term.weeks_early == 0 and term.due_date == term.birth_date
    assert term.corrected_days == term.chronological_days == 365 and term.corrected == term.chronological == (12, 0)
    assert not term.preterm and not term.use_corrected and not screens_due(term).adjusted
    late = corrected_age(dt.date(2025, 3, 2), 42, TODAY)           # late babies are not made older
    assert late.weeks_early == -2 and late.due_date == late.birth_date and late.corrected_days == 365


def test_three_weeks_early_is_adjusted_for_screening_but_is_not_preterm():
    near_term = corrected_age(dt.date(2025, 3, 2), 37, TODAY)
    assert near_term.corrected_days == 365 - 21 and not near_term.preterm and not near_term.use_corrected
    assert screens_due(near_term).adjusted
    assert not screens_due(corrected_age(dt.date(2025, 3, 2), 38, TODAY)).adjusted   # 2 weeks early


def test_the_aap_term_stops_at_three_years_from_birth():
    born = dt.date(2023, 3, 2)
    assert corrected_age(born, 30, dt.date(2026, 3, 1)).use_corrected          # 35 months 27 days
    assert not corrected_age(born, 30, dt.date(2026, 3, 2)).use_corrected      # 36 months exactly


def test_the_screening_age_stops_being_corrected_at_two_years_from_birth():
    born = dt.date(2024, 3, 2)                                   # 30 weeks: 10 weeks early, due 11 May 2024
    before = screens_due(corrected_age(born, 30, dt.date(2026, 3, 1)))
    assert before.adjusted and before.counted_from == dt.date(2024, 5, 11) and before.screening_age == (21, 18)
    at_two = screens_due(corrected_age(born, 30, dt.date(2026, 3, 2)))
    assert not at_two.adjusted and at_two.counted_from == born and at_two.screening_age == (24, 0)
    assert at_two.due == ((ASQ, 24), (MCHAT, 24))


@pytest.mark.parametrize("birth, today, inside", [
    (dt.date(2024, 11, 2), dt.date(2026, 3, 2), True),    # 16 months 0 days
    (dt.date(2024, 11, 2), dt.date(2026, 3, 1), False),   # 15 months 27 days
    (dt.date(2023, 9, 2), dt.date(2026, 3, 2), True),     # 30 months 0 days
    (dt.date(2023, 9, 2), dt.date(2026, 3, 3), False),    # 30 months 1 day
])
def test_the_mchat_range_runs_from_16_to_30_months(birth, today, inside):
    assert screens_due(corrected_age(birth, 40, today)).in_mchat_range is inside


def test_a_child_born_early_enters_the_mchat_range_by_corrected_age():
    born = dt.date(2024, 8, 25)                                  # 30 weeks: due 3 November 2024
    day_before = screens_due(corrected_age(born, 30, dt.date(2026, 3, 2)))
    assert day_before.age.chronological == (18, 5) and day_before.screening_age == (15, 27)
    assert not day_before.in_mchat_range
    assert screens_due(corrected_age(born, 30, dt.date(2026, 3, 3))).in_mchat_range   # 16 months corrected


def test_a_screen_is_due_within_a_calendar_month_either_side_of_its_age():
    born = dt.date(2025, 7, 2)                                   # born at term
    assert screens_due(corrected_age(born, 40, dt.date(2026, 3, 2))).due == ((GENERAL, 9),)     # 8 months 0 days
    early = screens_due(corrected_age(born, 40, dt.date(2026, 3, 1)))                          # 7 months 27 days
    assert early.due == () and early.next_up == (GENERAL, 9)
    assert screens_due(corrected_age(born, 40, dt.date(2026, 5, 2))).due == ((GENERAL, 9),)     # 10 months 0 days
    assert screens_due(corrected_age(born, 40, dt.date(2026, 5, 3))).due == ()                  # 10 months 1 day
    wide = screens_due(corrected_age(born, 40, dt.date(2026, 5, 3)), window_months=2)
    assert wide.due == ((GENERAL, 9), (ASQ, 12)) and wide.asq_se2_interval == 12


def test_at_eighteen_months_three_screens_fall_due():
    result = screens_due(corrected_age(dt.date(2024, 9, 2), 38, TODAY))   # 18 months 0 days, 2 weeks early
    assert not result.adjusted and result.screening_age == (18, 0)
    assert result.due == ((ASQ, 18), (MCHAT, 18), (GENERAL, 18)) and result.asq_se2_interval == 18
    assert result.in_mchat_range and result.next_up == (ASQ, 24)


def test_before_the_due_date_nothing_is_due_yet():
    age = corrected_age(TODAY - dt.timedelta(weeks=4), 28, TODAY)   # 12 weeks early, 4 weeks old
    assert age.corrected_weeks == -8 and age.corrected is None and age.corrected_months < 0
    result = screens_due(age)
    assert result.adjusted and result.screening_age is None and result.due == ()
    assert not result.in_mchat_range and result.next_up == (ASQ, 2)


@pytest.mark.parametrize("birth, weeks, today, name", [
    (TODAY, 21, TODAY, "gestation_weeks"), (TODAY, 43, TODAY, "gestation_weeks"),
    (TODAY, True, TODAY, "gestation_weeks"), (TODAY, math.nan, TODAY, "gestation_weeks"),
    (TODAY, "36", TODAY, "gestation_weeks"),
    (TODAY + dt.timedelta(days=1), 38, TODAY, "birth_date"), (None, 38, TODAY, "birth_date"),
    ("2026-01-01", 38, TODAY, "birth_date"), (TODAY, 38, None, "today")])
def test_impossible_inputs_are_refused_naming_the_parameter(birth, weeks, today, name):
    with pytest.raises(ValueError, match=name):
        corrected_age(birth, weeks, today)


def test_bad_screening_arguments_are_refused():
    age = corrected_age(dt.date(2025, 3, 2), 40, TODAY)
    for window in (0, 4, 1.5, True):
        with pytest.raises(ValueError, match="window_months"):
            screens_due(age, window_months=window)
    with pytest.raises(ValueError, match="age"):
        screens_due((dt.date(2025, 3, 2), 40, TODAY))


def test_the_schedule_is_in_order_of_age():
    months = [m for _, m in SCREEN_SCHEDULE]
    assert months == sorted(months) and months[0] == 2 and months[-1] == 60 and len(SCREEN_SCHEDULE) == 14


def test_the_calculator_starts_on_fixed_dates_and_follows_its_date_pickers():
    view = CorrectedAgeCalculator()
    assert view.controls["today"].value == CALCULATOR_TODAY == TODAY        # never the computer's clock
    first = view.summary.value
    assert first == CorrectedAgeCalculator().summary.value
    assert "4 weeks before the due date of 10 November 2025" in first
    assert "age from birth</b> 4 months 17 days" in first and "age from the due date</b> 3 months 20 days" in first
    assert "age from the due date (born 3 or more" in first and "16 to 30 months): not yet" in first

    view.controls["today"].value = dt.date(2027, 6, 2)
    expected = screens_due(corrected_age(view.controls["birth_date"].value, 36, dt.date(2027, 6, 2)))
    assert view.result == expected and view.result.in_mchat_range
    assert view.summary.value != first and "age from the due date</b> 18 months 23 days" in view.summary.value
    assert "M-CHAT-R/F autism screen (18 months)" in view.summary.value and "30 months): inside it" in view.summary.value
    assert "dashed line at the corrected age of 18.7 months" in view.figure.value

    view.controls["gestation_weeks"].value = 40
    assert "nothing to correct" in view.summary.value and "chosen by the age from birth" in view.summary.value

    view.controls["birth_date"].value = dt.date(2027, 7, 1)
    assert "birth_date (date of birth): 1 July 2027 is after today" in view.error.value
    assert "Correct the entry" in view.summary.value
    assert view.result.age.gestation_weeks == 40 and view.result.age.birth_date == dt.date(2025, 10, 13)  # last good one
    view.controls["birth_date"].value = None
    assert "no date given" in view.error.value
    view.controls["birth_date"].value = dt.date(2025, 10, 13)
    view.controls["gestation_weeks"].value = 45
    assert "gestation_weeks (weeks of pregnancy at birth): a number from 22 to 42" in view.error.value
    view.controls["gestation_weeks"].value = 36
    assert view.error.value == "" and "18 months 23 days" in view.summary.value and view.updates >= 4


def test_the_calculator_gives_no_corrected_age_in_weeks_for_exercise_7():
    # Mele Fifita (exercise 7): born at 30 weeks, 34 weeks since birth; the key is a number of weeks
    view = CorrectedAgeCalculator(birth_date=TODAY - dt.timedelta(weeks=34), gestation_weeks=30)
    assert view.result.age.corrected_weeks == 24
    assert "24 weeks" not in view.summary.value and "24 weeks" not in view.figure.value
    assert "age from the due date</b> 5 months 15 days" in view.summary.value   # 15 Sep 2025 -> 2 Mar 2026
