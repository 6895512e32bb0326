"""Notebook 14's model: chronological and corrected age from dates, and which screens fall due."""
import datetime as dt

import pytest

from widgets.when_to_worry import CorrectedAgeCalculator, SCREEN_SCHEDULE, corrected_age, screens_due

TODAY = dt.date(2026, 3, 2)


def test_corrected_age_subtracts_the_weeks_born_early():
    age = corrected_age(TODAY - dt.timedelta(weeks=26), 32, TODAY)   # born at 32 weeks, 26 weeks ago
    assert age.chronological_days == 182 and age.chronological_weeks == 26
    assert age.weeks_early == 8 and age.corrected_weeks == 18
    assert age.corrected_months == pytest.approx(126 / (365.25 / 12))   # about 4.1 months
    assert age.preterm and age.use_corrected


def test_a_baby_born_at_term_has_nothing_to_correct_and_late_babies_are_not_made_older():
    term = corrected_age(dt.date(2025, 3, 2), 40, TODAY)
    assert term.chronological_days == 365 and term.corrected_days == 365 and not term.preterm
    late = corrected_age(dt.date(2025, 3, 2), 42, TODAY)
    assert late.weeks_early == -2 and late.corrected_days == 365
    near_term = corrected_age(dt.date(2025, 3, 2), 37, TODAY)   # 3 weeks early, but not preterm
    assert near_term.corrected_days == 365 - 21 and not near_term.use_corrected


def test_the_correction_is_used_for_the_first_three_years_only():
    assert corrected_age(dt.date(2023, 4, 2), 30, TODAY).use_corrected          # about 35 months
    assert not corrected_age(dt.date(2023, 2, 1), 30, TODAY).use_corrected      # past 36 months


def test_a_baby_before_the_due_date_has_a_negative_corrected_age():
    age = corrected_age(TODAY - dt.timedelta(weeks=4), 28, TODAY)
    assert age.corrected_weeks == -8


@pytest.mark.parametrize("birth, weeks, today", [
    (TODAY, 20, TODAY), (TODAY, 43, TODAY), (TODAY + dt.timedelta(days=1), 38, TODAY), ("2026-01-01", 38, TODAY)])
def test_impossible_inputs_are_refused(birth, weeks, today):
    with pytest.raises(ValueError):
        corrected_age(birth, weeks, today)


def test_screens_are_chosen_by_corrected_age_until_two_years_for_babies_three_or_more_weeks_early():
    # born at 30 weeks, 42 weeks ago (about 9.7 months): corrected about 7.4 months -> no 9-month screen yet
    age = corrected_age(TODAY - dt.timedelta(weeks=42), 30, TODAY)
    result = screens_due(age)
    assert result.adjusted and result.screening_months == pytest.approx(age.corrected_months)
    assert result.due == () and result.next_up == ("general developmental screen (well-child visit)", 9)
    # the same age from birth, born at term: the 9-month visit screen is due
    term = screens_due(corrected_age(TODAY - dt.timedelta(weeks=42), 40, TODAY))
    assert not term.adjusted and term.due == (("general developmental screen (well-child visit)", 9),)


def test_at_eighteen_months_three_screens_fall_due_and_two_weeks_early_is_not_adjusted():
    result = screens_due(corrected_age(TODAY - dt.timedelta(days=548), 38, TODAY))  # 18.0 months, 2 weeks early
    assert not result.adjusted
    assert [name for name, _ in result.due] == ["ASQ:SE-2 social-emotional questionnaire",
                                                "M-CHAT-R/F autism screen",
                                                "general developmental screen (well-child visit)"]
    assert result.next_up[1] == 24


def test_after_two_years_the_screening_age_is_the_age_from_birth_again():
    age = corrected_age(TODAY - dt.timedelta(days=913), 30, TODAY)   # 30 months from birth, born 10 weeks early
    result = screens_due(age)
    assert not result.adjusted and result.screening_months == pytest.approx(age.chronological_months)
    assert {months for _, months in result.due} == {30}
    with pytest.raises(ValueError):
        screens_due(age, window_months=0)


def test_the_schedule_is_in_order_of_age():
    months = [m for _, m in SCREEN_SCHEDULE]
    assert months == sorted(months) and months[0] == 2 and months[-1] == 60 and len(SCREEN_SCHEDULE) == 14


def test_the_calculator_summary_changes_when_a_control_moves():
    view = CorrectedAgeCalculator()
    first = view.summary.value
    assert "born 4 weeks before the due date" in first and "age from birth</b> 4.6 months" in first
    assert "age from the due date</b> 3.7 months" in first and "corrected age (born 3 or more" in first
    view.controls["gestation_weeks"].value = 40
    assert view.summary.value != first and "nothing to correct" in view.summary.value
    assert "Screens are chosen by the age from birth" in view.summary.value
    view.controls["weeks_since_birth"].value = 78
    assert "M-CHAT-R/F autism screen (18 months)" in view.summary.value
    assert "dashed line at the corrected age of 17.9 months" in view.figure.value
    view.controls["gestation_weeks"].value = 26
    view.controls["weeks_since_birth"].value = 6
    assert "not yet reached the due date" in view.summary.value and view.updates >= 5
