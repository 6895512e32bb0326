"""Notebook 13's screening model: the 2x2 table, PPV and NPV from Levis et al. (2020), and the explorer."""
import math

import numpy as np
import pytest

from widgets.perinatal import ScreeningExplorer, epds_accuracy, ppv_curve, screening_table


def test_the_packaged_accuracy_is_levis_2020_interview_studies():
    assert epds_accuracy() == {10: (0.85, 0.84), 11: (0.81, 0.88), 13: (0.66, 0.95)}


def test_the_two_by_two_table_at_cutoff_11_and_prevalence_10_percent():
    t = screening_table(0.10, cutoff=11, parents=1000)
    assert (t.true_positive, t.false_negative) == pytest.approx((81, 19))
    assert (t.false_positive, t.true_negative) == pytest.approx((108, 792))
    assert t.positives == pytest.approx(189) and t.negatives == pytest.approx(811)
    assert t.ppv == pytest.approx(81 / 189) and t.npv == pytest.approx(792 / 811)
    assert t.true_positive + t.false_negative + t.false_positive + t.true_negative == pytest.approx(1000)


def test_given_sensitivity_and_specificity_override_the_cutoff():
    t = screening_table(0.2, sensitivity=0.9, specificity=0.7, parents=500)
    assert t.cutoff is None
    assert t.ppv == pytest.approx(90 / (90 + 120)) and t.npv == pytest.approx(280 / 290)


def test_ppv_rises_with_prevalence_and_npv_falls():
    low, high = screening_table(0.02, cutoff=13), screening_table(0.30, cutoff=13)
    assert low.ppv < high.ppv and low.npv > high.npv
    # a higher cut-off buys PPV (fewer false alarms) with missed cases
    assert screening_table(0.1, cutoff=13).ppv > screening_table(0.1, cutoff=10).ppv
    assert screening_table(0.1, cutoff=13).false_negative > screening_table(0.1, cutoff=10).false_negative


def test_the_curve_matches_the_table():
    p, ppv = ppv_curve(0.81, 0.88, [0.05, 0.25])
    assert ppv == pytest.approx([screening_table(0.05).ppv, screening_table(0.25).ppv])
    p, ppv = ppv_curve(0.81, 0.88)
    assert len(p) == 99 and np.all(np.diff(ppv) > 0)


def test_nobody_positive_gives_nan_not_an_error():
    assert math.isnan(screening_table(0.0, sensitivity=0.8, specificity=1.0).ppv)


@pytest.mark.parametrize("kwargs", [dict(prevalence=1.2), dict(prevalence=0.1, cutoff=12),
                                    dict(prevalence=0.1, parents=0)])
def test_bad_values_are_refused(kwargs):
    with pytest.raises(ValueError):
        screening_table(**kwargs)


def test_the_explorer_updates_table_and_sentence_when_controls_move():
    view = ScreeningExplorer()
    before_summary, before_figure = view.summary.value, view.figure.value
    view.controls["prevalence_percent"].value = 30
    assert view.summary.value != before_summary and "prevalence of 30%" in view.figure.value
    assert "about 300 have" in view.summary.value
    view.controls["cutoff"].value = 13
    assert "cut-off 13 or more" in view.summary.value and view.result.cutoff == 13
    assert view.updates == 3
