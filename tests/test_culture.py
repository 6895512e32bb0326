"""Tests for widgets.culture: tenets, WHO windows, the synthetic-sites model, figures and views."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from widgets import culture
from widgets.culture import (
    PRACTICE_EXAMPLES,
    SITE_LABELS,
    SiteVariationExplorer,
    TenetMatcher,
    between_site_share,
    describe_site_variation,
    describe_tenet_matching,
    describe_who_windows,
    find_milestone,
    load_tenets,
    match_tenets,
    plot_site_variation,
    plot_tenet_matching,
    plot_who_windows,
    simulate_sites,
    site_effects,
    who_study,
    who_windows,
)
from widgets.data import load_table

K = len(SITE_LABELS)


# ------------------------------------------------------------------------- data
def test_tenets_table_titles_and_status():
    tenets = load_tenets()
    assert [t.number for t in tenets] == list(range(1, 11))
    assert tenets[0].title == "Self-Awareness Leads to Better Services for Families"
    assert tenets[3].title == "Recognize and Respect Non-Dominant Bodies of Knowledge"
    assert tenets[4].title == "Honor Diverse Family Structures"
    assert [t.verified for t in tenets] == [True] * 5 + [False] * 5
    assert all("diversityinformedtenets.org" in t.wording_note for t in tenets[5:])
    assert "Irving Harris Foundation" in load_table("diversity_tenets").citation


def test_who_windows_match_fact_sheet():
    windows = who_windows()
    bounds = [(w.first_percentile_months, w.ninety_ninth_percentile_months) for w in windows]
    assert bounds == [(3.8, 9.2), (4.8, 11.4), (5.2, 13.5), (5.9, 13.7), (6.9, 16.9), (8.2, 17.6)]
    assert [w.width_months for w in windows] == [5.4, 6.6, 8.3, 7.8, 10.0, 9.4]
    assert all(w.window_status == "V" for w in windows)
    assert [w.mean_status for w in windows] == ["V-sec"] * 6
    assert [w.sd_status for w in windows] == ["V-sec"] * 3 + ["R"] * 3
    assert windows[0].criterion.startswith("Head erect") and windows[1].criterion is None
    for w in windows:  # approximate means lie inside their windows
        assert w.first_percentile_months < w.mean_months < w.ninety_ninth_percentile_months
    assert "450:86-95" in load_table("who_motor_windows").citation


def test_who_study_facts():
    study = who_study()
    assert study.n_children == 816
    assert study.countries == ("Ghana", "India", "Norway", "Oman", "USA")
    assert study.never_crawled_percent == 4.3
    assert study.common_sequence_percent == 90
    assert (study.site_share_low_percent, study.site_share_high_percent) == (5, 15)


def test_find_milestone_by_name_or_key():
    assert find_milestone("walking_alone").milestone == "Walking alone"
    assert find_milestone("  hands-and-knees CRAWLING ").key == "crawling"
    with pytest.raises(ValueError, match="milestone"):
        find_milestone("running")
    with pytest.raises(ValueError, match="milestone"):
        find_milestone(3)


# ------------------------------------------------------------- tenet matching
def test_match_tenets_all_agree():
    result = match_tenets({e.key: e.tenet for e in PRACTICE_EXAMPLES})
    assert result.n_agree == result.n_answered == result.n_items == 5
    assert all(result.agree)
    assert all(fb.startswith("Agrees") for fb in result.feedback)


def test_match_tenets_mixed_and_unanswered():
    choices = {"P1": 1, "P2": 3, "P3": 0, "P4": 4, "P5": 1}
    result = match_tenets(choices)
    assert result.agree == (True, False, None, True, False)
    assert (result.n_answered, result.n_agree) == (4, 2)
    assert "tenet 2" in result.feedback[1] and "You chose tenet 3" in result.feedback[1]
    assert result.feedback[2].startswith("Not answered")
    assert result.choices == (1, 3, 0, 4, 1)


@pytest.mark.parametrize("choices, word", [
    ([1, 2, 3, 4, 5], "choices"),
    ({"P1": 1}, "choices"),
    ({"P1": 6, "P2": 2, "P3": 3, "P4": 4, "P5": 5}, "choices"),
    ({"P1": "1", "P2": 2, "P3": 3, "P4": 4, "P5": 5}, "choices"),
    ({"P1": True, "P2": 2, "P3": 3, "P4": 4, "P5": 5}, "choices"),
])
def test_match_tenets_rejects_bad_choices(choices, word):
    with pytest.raises(ValueError, match=word):
        match_tenets(choices)


def test_practice_examples_cover_tenets_one_to_five_once():
    assert sorted(e.tenet for e in PRACTICE_EXAMPLES) == [1, 2, 3, 4, 5]


# --------------------------------------------------------- synthetic sites model
@pytest.mark.parametrize("share", [0.0, 0.05, 0.15, 0.4])
def test_site_effects_carry_exactly_the_requested_share(share):
    sd = 1.7
    effects = np.array(site_effects(share, sd))
    assert effects.sum() == pytest.approx(0.0, abs=1e-12)
    assert np.mean(effects ** 2) == pytest.approx(share * sd ** 2, rel=1e-12, abs=1e-15)


def test_site_effects_reject_bad_input():
    with pytest.raises(ValueError, match="between_site_share"):
        site_effects(1.0, 1.0)
    with pytest.raises(ValueError, match="sd_months"):
        site_effects(0.1, 0)


def test_simulate_sites_same_seed_same_result_and_different_seeds_differ():
    a = simulate_sites("crawling", 0.1, 50, seed=7)
    b = simulate_sites("crawling", 0.1, 50, seed=7)
    c = simulate_sites("crawling", 0.1, 50, seed=8)
    assert np.array_equal(a.ages_months, b.ages_months)
    assert a.site_effects_months == b.site_effects_months
    assert not np.array_equal(a.ages_months, c.ages_months)


def test_simulate_sites_structure():
    s = simulate_sites("Sitting without support", 0.12, 30, seed=1)
    assert s.n_children == 5 * 30 and s.ages_months.shape == s.child_sites.shape == (150,)
    assert [int(np.sum(s.child_sites == label)) for label in SITE_LABELS] == [30] * 5
    assert (s.window_low_months, s.window_high_months) == (3.8, 9.2)
    assert (s.mean_months, s.sd_months, s.requested_share, s.seed) == (6.0, 1.1, 0.12, 1)
    assert sorted(s.site_effects_months) == pytest.approx(sorted(site_effects(0.12, 1.1)))
    for i, label in enumerate(SITE_LABELS):  # summaries agree with the raw sample
        ages = s.ages_months[s.child_sites == label]
        assert s.site_means_months[i] == pytest.approx(ages.mean())
        inside = np.mean((ages >= 3.8) & (ages <= 9.2))
        assert s.within_window_fraction[i] == pytest.approx(inside)
    assert s.estimated_share == pytest.approx(between_site_share(s.ages_months, s.child_sites))
    with pytest.raises(ValueError):
        s.ages_months[0] = 1.0  # read-only


def test_simulate_sites_accepts_a_generator():
    s1 = simulate_sites("crawling", 0.1, 40, seed=np.random.default_rng(3))
    s2 = simulate_sites("crawling", 0.1, 40, seed=np.random.default_rng(3))
    assert s1.seed is None and np.array_equal(s1.ages_months, s2.ages_months)


def _tolerance(share: float, n_total: int, z: float = 5.0) -> float:
    """Tolerance for the ANOVA share estimate of a normal sample (large-sample approximation).

    With total variance 1, site effects a_j (mean of squares = share) and site-mean errors
    e_j ~ N(0, (1-share)/n): SS_between/N = share + (2/k) sum a_j e_j + [chance spread of e_j],
    so the estimate has bias (k-1)(1-share)/N, a linear term with variance 4 share (1-share)/N, a
    chi-square term with SD sqrt(2(k-1)) (1-share)/N, and the denominator's noise adds about
    2 share^2/N. Bias plus z standard deviations (covariances ignored: conservative).
    """
    bias = (K - 1) * (1 - share) / n_total
    var = (4 * share * (1 - share) + 2 * share ** 2) / n_total + 2 * (K - 1) * (1 - share) ** 2 / n_total ** 2
    return bias + z * math.sqrt(var)


@pytest.mark.parametrize("milestone, share, seed", [
    ("sitting", 0.0, 11), ("crawling", 0.05, 12), ("walking_alone", 0.10, 13), ("standing_alone", 0.15, 14),
])
def test_estimated_share_of_a_large_sample_is_near_the_requested_share(milestone, share, seed):
    n_per_site = 10_000
    sample = simulate_sites(milestone, share, n_per_site, seed=seed)
    tol = _tolerance(share, K * n_per_site)
    assert tol < 0.02  # the check is meaningful: far tighter than the 0-15% range
    assert abs(sample.estimated_share - share) <= tol


def test_overall_mean_and_sd_follow_the_milestone():
    s = simulate_sites("walking_alone", 0.15, 4000, seed=5)
    n = s.n_children
    assert abs(s.ages_months.mean() - 12.1) < 5 * 1.8 / math.sqrt(n)
    assert s.ages_months.std() == pytest.approx(1.8, rel=0.03)


def test_most_synthetic_children_stay_inside_the_who_window():
    for window in who_windows():
        s = simulate_sites(window.key, 0.15, 2000, seed=21)
        assert s.overall_within_window_fraction > 0.9


@pytest.mark.parametrize("kwargs, name", [
    (dict(milestone="running"), "milestone"),
    (dict(between_site_share=15), "between_site_share"),
    (dict(between_site_share=-0.1), "between_site_share"),
    (dict(between_site_share="0.1"), "between_site_share"),
    (dict(between_site_share=True), "between_site_share"),
    (dict(n_per_site=1), "n_per_site"),
    (dict(n_per_site=10.5), "n_per_site"),
    (dict(seed=-1), "seed"),
    (dict(seed=1.5), "seed"),
])
def test_simulate_sites_rejects_bad_input(kwargs, name):
    args = dict(milestone="crawling", between_site_share=0.1, n_per_site=20, seed=1)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        simulate_sites(**args)


# ------------------------------------------------------------ between_site_share
def test_between_site_share_hand_arithmetic():
    # site means 6 and 9, grand mean 7.5: SS_between = 3*1.5^2*2 = 13.5; SS_total = 17.5
    assert between_site_share([5, 6, 7, 8, 9, 10], ["a"] * 3 + ["b"] * 3) == pytest.approx(13.5 / 17.5)


def test_between_site_share_weights_sites_by_size():
    values = [1, 3, 2, 4, 6, 8]
    labels = ["x", "x", "y", "y", "y", "y"]
    # grand mean 4; means 2 (n=2) and 5 (n=4): SS_b = 2*4 + 4*1 = 12; SS_t = 9+1+4+0+4+16 = 34
    assert between_site_share(values, labels) == pytest.approx(12 / 34)


def test_between_site_share_is_zero_when_site_means_are_equal():
    assert between_site_share([1, 3, 2, 2, 0, 4], ["a", "a", "b", "b", "c", "c"]) == pytest.approx(0.0)


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.floats(-50, 50, allow_nan=False), min_size=4, max_size=30),
    scale=st.floats(0.1, 10),
    shift=st.floats(-100, 100),
)
def test_between_site_share_is_a_fraction_invariant_to_units(values, scale, shift):
    labels = [["s1", "s2", "s3"][i % 3] for i in range(len(values))]
    x = np.array(values)
    if np.ptp(x) < 1e-3:
        return
    share = between_site_share(x, labels)
    assert 0.0 <= share <= 1.0
    assert between_site_share(scale * x + shift, labels) == pytest.approx(share, abs=1e-6)
    assert between_site_share(x, [label.upper() for label in labels]) == pytest.approx(share)


@pytest.mark.parametrize("values, labels, name", [
    ([1.0], ["a"], "values"),
    ([1.0, float("nan")], ["a", "b"], "values"),
    (["x", "y"], ["a", "b"], "values"),
    ([2.0, 2.0, 2.0], ["a", "b", "b"], "values"),
    ([1.0, 2.0, 3.0], ["a", "b"], "site_labels"),
    ([1.0, 2.0, 3.0], ["a", "a", "a"], "site_labels"),
    ([1.0, 2.0], "ab", "site_labels"),
])
def test_between_site_share_rejects_bad_input(values, labels, name):
    with pytest.raises(ValueError, match=name):
        between_site_share(values, labels)


# ---------------------------------------------------------------------- figures
def test_figures_are_labelled_and_described():
    fig = plot_who_windows()
    ax = fig.axes[0]
    assert isinstance(fig, Figure) and ax.get_title() and "months" in ax.get_xlabel()
    assert ax.get_legend() is not None
    assert "3.8 to 9.2" in describe_who_windows()

    sample = simulate_sites("crawling", 0.1, 40, seed=2)
    fig = plot_site_variation(sample)
    ax = fig.axes[0]
    assert "months" in ax.get_xlabel() and "synthetic" in ax.get_title()
    # the legend never changes: the figure holds it (a view's fast redraw keeps it in the background)
    legend = [t.get_text() for lg in fig.artists for t in lg.get_texts()]
    assert "Site A (synthetic)" in legend and "site mean" in legend and legend[0].startswith("WHO window")
    assert "5.2 to 13.5 months" in ax.get_title()
    text = describe_site_variation(sample)
    assert f"{min(sample.site_means_months):.1f}" in text and "5.2 to 13.5" in text

    result = match_tenets({"P1": 1, "P2": 3, "P3": 0, "P4": 0, "P5": 0})
    fig = plot_tenet_matching(result)
    assert [t.get_text() for lg in fig.artists for t in lg.get_texts()] == ["your match", "course's reading"]
    assert "1 agree" in describe_tenet_matching(result) and "(P2)" in describe_tenet_matching(result)
    # the course's reading is plotted only for answered items
    course_line = fig.axes[0].get_lines()[1]
    assert list(course_line.get_xdata()) == [1, 2]


# ------------------------------------------------------------------------ views
def test_tenet_matcher_headless():
    view = TenetMatcher()
    assert view.result.n_answered == 0
    assert "0 of 0" in view.summary.value and "Example" in view.controls["P1"].description
    view.controls["P4"].value = 4
    assert view.result.n_agree == 1 and view.result.agree[3] is True
    assert "1 of 1 answered" in view.summary.value and "Agrees with the course" in view.summary.value
    view.controls["P1"].value = 5
    assert view.result.agree[0] is False
    assert "the course reads this mainly as tenet 1" in view.summary.value
    assert "<img" in view.figure.value


def test_site_variation_explorer_headless():
    view = SiteVariationExplorer()
    first = view.result
    assert first.requested_share == pytest.approx(0.10)
    assert "synthetic" in view.summary.value
    view.controls["share_percent"].value = 2.5
    assert view.result.requested_share == pytest.approx(0.025)
    assert "2.5%" in view.summary.value
    assert f"{view.result.estimated_share:.1%}" in view.summary.value
    view.controls["milestone"].value = "Walking alone"
    assert view.result.milestone == "Walking alone" and "8.2 to 17.6" in view.summary.value
    before = view.result
    view.controls["seed"].value = -3  # bad seed: error shown, last good result kept
    assert view.result is before and "seed" in view.error.value
    view.controls["seed"].value = 4
    assert view.error.value == "" and view.result.seed == 4


def test_module_does_no_work_at_import():
    # the model is only computed on request: no cached samples or figures at module level
    assert not any(isinstance(v, (Figure, culture.SiteSample)) for v in vars(culture).values())
