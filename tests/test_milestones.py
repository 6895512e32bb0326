"""Tests for widgets.milestones: WHO windows, placing a child, the normal approximation, CDC's rule, views."""
from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from matplotlib.figure import Figure

from widgets import milestones as ms

# The [V] window bounds from the course fact sheet (FACTS.md section 20), in months.
FACT_SHEET_WINDOWS = {
    "sitting": (3.8, 9.2),
    "standing_assisted": (4.8, 11.4),
    "crawling": (5.2, 13.5),
    "walking_assisted": (5.9, 13.7),
    "standing_alone": (6.9, 16.9),
    "walking_alone": (8.2, 17.6),
}
RESPECTFUL_WORDS_NOT_USED = ("delay", "abnormal", "disorder", "deficit", "problem", "retard", "behind")


# ---------------------------------------------------------------- data -------
def test_windows_match_the_fact_sheet_and_are_verified():
    windows = ms.milestone_windows()
    assert ms.milestone_keys() == tuple(FACT_SHEET_WINDOWS)
    for w in windows:
        assert (w.first_percentile_months, w.ninety_ninth_percentile_months) == FACT_SHEET_WINDOWS[w.key]
        assert w.window_status == "V"
    assert windows[0].milestone == "Sitting without support"
    assert windows[-1].criterion.startswith("At least 5 independent steps")


def test_window_widths_are_99th_minus_1st_percentile():
    widths = {w.key: w.width_months for w in ms.milestone_windows()}
    assert widths == {"sitting": 5.4, "standing_assisted": 6.6, "crawling": 8.3, "walking_assisted": 7.8,
                      "standing_alone": 10.0, "walking_alone": 9.4}
    assert max(ms.milestone_windows(), key=lambda w: w.width_months).milestone == "Standing alone"


def test_find_window_accepts_key_or_name_in_any_case():
    assert ms.find_window("walking_alone") == ms.find_window("  WALKING ALONE ")
    assert ms.find_window("Hands-and-knees crawling").key == "crawling"
    window = ms.find_window("sitting")
    assert ms.find_window(window) is window


@pytest.mark.parametrize("bad", ["running", "", 3, None, ["sitting"]])
def test_find_window_rejects_unknown_milestones(bad):
    with pytest.raises(ValueError, match=r"^milestone:"):
        ms.find_window(bad)


def test_study_facts_and_cdc_revision():
    study = ms.who_study()
    assert study.n_children == 816 and study.never_crawled_percent == 4.3
    assert study.countries == ("Ghana", "India", "Norway", "Oman", "USA")
    cdc = ms.cdc_revision()
    assert cdc.achievement_threshold_percent == 75.0
    assert cdc.new_checklist_ages_months == (15.0, 30.0)
    assert (cdc.fewer_milestones_percent, cdc.replaced_percent, cdc.moved_to_older_percent) == (26.4, 40.9, 67.7)
    assert cdc.few_steps_months == 15.0 and cdc.walks_without_holding_months == 18.0
    assert cdc.walking_items_status == "V-sec"
    assert "Pediatrics" in cdc.citation and "Lipkin" in cdc.citation and "10.1542/peds.2021-052138" in cdc.citation
    assert "[" not in cdc.citation  # no bracketed placeholder title
    # the two walking items straddle WHO's walking-alone 99th percentile: different skills, not one "agreement"
    edge = ms.find_window("walking_alone").ninety_ninth_percentile_months
    assert cdc.few_steps_months < edge < cdc.walks_without_holding_months


# ---------------------------------------------------------------- classify ---
@pytest.mark.parametrize("key", list(FACT_SHEET_WINDOWS))
def test_classify_age_bounds_are_inclusive(key):
    low, high = FACT_SHEET_WINDOWS[key]
    assert ms.classify_age(key, low) == "within"
    assert ms.classify_age(key, high) == "within"
    assert ms.classify_age(key, (low + high) / 2) == "within"
    assert ms.classify_age(key, low - 0.01) == "before"
    assert ms.classify_age(key, high + 0.01) == "after"


def test_classify_age_examples_by_hand():
    assert ms.classify_age("sitting", 4.5) == "within"
    assert ms.classify_age("standing_assisted", 4.5) == "before"
    assert ms.classify_age("crawling", 13.8) == "after"
    assert ms.classify_age("Standing alone", 17) == "after"
    assert ms.classify_age("walking_alone", 17.6) == "within"
    assert ms.classify_age("walking_alone", 18) == "after"  # CDC's checklist age is past the WHO window


@settings(max_examples=150, deadline=None)
@given(key=st.sampled_from(list(FACT_SHEET_WINDOWS)), age=st.floats(min_value=0, max_value=60))
def test_classify_age_agrees_with_the_definition(key, age):
    low, high = FACT_SHEET_WINDOWS[key]
    expected = "before" if age < low else "after" if age > high else "within"
    assert ms.classify_age(key, age) == expected


@pytest.mark.parametrize("bad", [-0.5, 60.5, math.nan, math.inf, "7", True, None])
def test_classify_age_rejects_bad_ages(bad):
    with pytest.raises(ValueError, match=r"^age_months:"):
        ms.classify_age("sitting", bad)


# ---------------------------------------------------------------- place_child
def test_place_child_categories_offsets_and_order():
    child = ms.place_child({"walking_alone": 18.0, "sitting": 3.5, "crawling": 9.0, "standing_assisted": 4.8})
    assert [p.key for p in child.placements] == ["sitting", "standing_assisted", "crawling", "walking_alone"]
    assert child.categories == {"sitting": "before", "standing_assisted": "within", "crawling": "within",
                                "walking_alone": "after"}
    assert child.counts == {"before": 1, "within": 2, "after": 1, "not yet": 0}
    assert child.placement("sitting").months_outside == pytest.approx(-0.3)
    assert child.placement("walking alone").months_outside == pytest.approx(0.4)
    assert child.placement("crawling").months_outside == 0.0
    assert child.current_age_months is None


def test_not_yet_depends_on_the_current_age():
    open_window = ms.place_child({"walking_alone": None}, current_age_months=14)
    p = open_window.placement("walking_alone")
    assert p.category == "not yet" and not p.reached and p.months_outside == 0.0
    assert "17.6" in p.message and "normal variation" in p.message
    assert "within or before its window, or its window is still open" in open_window.summary
    assert "early" not in open_window.summary
    assert "early is usually not a concern" in ms.place_child({"sitting": 3.0}).summary
    not_open = ms.place_child({"walking_alone": None}, current_age_months=7)
    assert not_open.placement("walking_alone").category == "not yet"
    assert "only opens at 8.2" in not_open.placement("walking_alone").message
    past = ms.place_child({"walking_alone": None}, current_age_months=19)
    assert past.placement("walking_alone").category == "after"
    assert past.placement("walking_alone").months_outside == pytest.approx(1.4)
    assert "health professional" in past.summary and "not a diagnosis" in past.summary


def test_messages_follow_the_course_reading_and_stay_respectful():
    child = ms.place_child({"sitting": 3.0, "standing_assisted": 8.0, "walking_assisted": 15.0, "crawling": None,
                            "walking_alone": None}, current_age_months=16)
    by_key = {p.key: p.message for p in child.placements}
    assert "usually not a concern" in by_key["sitting"]
    assert "within the window" in by_key["standing_assisted"]
    assert "health professional" in by_key["walking_assisted"] and "family's observations" in by_key["walking_assisted"]
    assert "4.3%" in by_key["crawling"]
    assert "pattern across domains" in child.summary and "lost" in child.summary
    for text in [*by_key.values(), child.summary]:
        assert not any(word in text.lower() for word in RESPECTFUL_WORDS_NOT_USED), text


def test_crawling_alone_past_the_window_is_read_with_the_never_crawled_share():
    child = ms.place_child({"crawling": None, "walking_alone": 13.0}, current_age_months=14)
    assert child.placement("crawling").category == "after"
    assert "The only milestone past its window is hands-and-knees crawling" in child.summary
    assert "4.3%" in child.summary
    both = ms.place_child({"crawling": None, "walking_alone": None}, current_age_months=19)
    assert "After the window: hands-and-knees crawling, walking alone" in both.summary


@pytest.mark.parametrize("ages, current, pattern", [
    ([("sitting", 6)], None, r"^ages:"),
    ({}, None, r"^ages:"),
    ({"flying": 6}, None, r"^ages:"),
    ({"sitting": 6, "Sitting without support": 6.5}, None, r"^ages:"),
    ({"sitting": "six"}, None, r"^ages\['sitting'\]:"),
    ({"sitting": -1}, None, r"^ages\['sitting'\]:"),
    ({"walking_alone": None}, None, r"^current_age_months:"),
    ({"walking_alone": 13}, 12, r"^ages:"),
    ({"sitting": 6}, 70, r"^current_age_months:"),
    ({"sitting": 6}, "1 year", r"^current_age_months:"),
])
def test_place_child_rejects_bad_input(ages, current, pattern):
    with pytest.raises(ValueError, match=pattern):
        ms.place_child(ages, current_age_months=current)


# ---------------------------------------------------------------- approximation
def test_approximation_only_for_the_three_milestones_with_secondary_sds():
    assert ms.approximation_milestones() == ("sitting", "standing_assisted", "crawling")
    for key in ("walking_assisted", "standing_alone", "walking_alone"):
        with pytest.raises(ValueError, match=r"^milestone:.*" + ms.find_window(key).milestone):
            ms.share_achieved(key, 12)
        with pytest.raises(ValueError, match=r"^milestone:"):
            ms.age_for_share(key, 0.75)
        with pytest.raises(ValueError, match=r"^milestone:"):
            ms.milestone_curve(key, 12)


def test_share_achieved_is_the_normal_cdf_with_the_tabled_mean_and_sd():
    assert ms.share_achieved("sitting", 6.0) == pytest.approx(0.5)
    assert ms.share_achieved("sitting", 7.1) == pytest.approx(0.841345, abs=1e-6)  # one SD above the mean
    assert ms.share_achieved("crawling", 10.0) == pytest.approx(NormalDist(8.5, 1.7).cdf(10.0))
    assert ms.share_achieved("standing_assisted", 0) < 1e-6


def test_age_for_share_gives_the_average_and_the_75_percent_point():
    z75 = 0.6744897501960817
    assert ms.age_for_share("crawling", 0.5) == pytest.approx(8.5)
    assert ms.age_for_share("crawling", 0.75) == pytest.approx(8.5 + z75 * 1.7)
    assert ms.age_for_share("sitting", 0.75) == pytest.approx(6.0 + z75 * 1.1)
    assert ms.age_for_share("standing_assisted", 0.25) == pytest.approx(7.6 - z75 * 1.4)


@settings(max_examples=80, deadline=None)
@given(key=st.sampled_from(["sitting", "standing_assisted", "crawling"]), share=st.floats(min_value=0.001, max_value=0.999))
def test_age_for_share_inverts_share_achieved(key, share):
    assert ms.share_achieved(key, ms.age_for_share(key, share)) == pytest.approx(share, abs=1e-9)


@pytest.mark.parametrize("bad", [0, 1, 75, -0.2, math.nan, "0.75", True, None])
def test_age_for_share_rejects_bad_shares(bad):
    with pytest.raises(ValueError, match=r"^share:"):
        ms.age_for_share("sitting", bad)


def test_milestone_curve_summarises_the_approximation():
    curve = ms.milestone_curve("crawling", 10.0)
    assert curve.share_at_age == pytest.approx(NormalDist(8.5, 1.7).cdf(10.0))
    assert curve.age_50 == pytest.approx(8.5)
    assert curve.age_75 == pytest.approx(ms.age_for_share("crawling", 0.75))
    assert curve.age_99_approx == pytest.approx(8.5 + 2.3263478740408408 * 1.7)
    assert curve.age_99_approx < curve.window_high == 13.5  # the approximation's late tail is shorter than WHO's
    assert curve.share_at_window_high == pytest.approx(NormalDist(8.5, 1.7).cdf(13.5))
    assert curve.status == "V-sec"
    assert np.all(np.diff(curve.shares) >= 0) and curve.shares[0] < 0.001 and curve.shares[-1] > 0.999
    with pytest.raises(ValueError):
        curve.shares[0] = 1.0  # read-only
    with pytest.raises(ValueError, match=r"^age_months:"):
        ms.milestone_curve("crawling", -3)


# ---------------------------------------------------------------- figures ----
def _text_of(fig):
    ax = fig.axes[0]
    return ax.get_title(), ax.get_xlabel(), [t.get_text() for t in ax.get_legend().get_texts()]


def test_plot_windows_and_description():
    fig = ms.plot_windows(cdc=ms.cdc_revision())
    title, xlabel, legend = _text_of(fig)
    assert isinstance(fig, Figure) and "WHO" in title and "months" in xlabel
    assert any("CDC" in t for t in legend)
    assert not any("wide" in t.get_text() for t in fig.axes[0].texts)
    assert any("9.4 months wide" in t.get_text() for t in ms.plot_windows(show_widths=True).axes[0].texts)
    text = ms.describe_windows(cdc=ms.cdc_revision())
    assert "walking alone 8.2 to 17.6" in text and "wide" not in text
    assert "15-month item" in text and "18-month item" in text and "75% or more" in text
    assert sum("CDC" in t for t in legend) == 2 and any("few steps" in t for t in legend)


def test_plot_placement_marks_each_age_by_category():
    child = ms.place_child({"sitting": 3.5, "crawling": 9.0, "walking_alone": None}, current_age_months=19)
    fig = ms.plot_placement(child)
    title, xlabel, legend = _text_of(fig)
    assert "months" in xlabel and title
    assert {"before the window", "within the window", "child's current age"} <= set(legend)
    assert any("past the window" in t for t in legend)
    xs = sorted(float(line.get_xdata()[0]) for line in fig.axes[0].lines if line.get_linestyle() == "None")
    assert xs == [3.5, 9.0, 19.0]
    text = ms.describe_placement(child)
    assert "sitting without support 3.5 months (before" in text and "walking alone not yet at 19 months (after" in text


def test_plot_curve_labels_the_approximation():
    curve = ms.milestone_curve("sitting", 7.0)
    fig = ms.plot_curve(curve)
    title, xlabel, legend = _text_of(fig)
    assert "APPROXIMATION" in title and "V-sec" in title and "months" in xlabel
    assert any(t.startswith("50% (average child): 6.0") for t in legend)
    assert any(t.startswith("75% (CDC's rule): 6.7") for t in legend)
    assert any("99th percentile: 9.2" in t for t in legend)
    assert "normal approximation" in ms.describe_curve(curve) and "82% by 7 months" in ms.describe_curve(curve)


# ---------------------------------------------------------------- views ------
def test_placer_view_recomputes_when_a_slider_moves():
    view = ms.MilestonePlacer()
    assert view.result.counts["after"] == 0 and view.updates == 1
    assert "within or before its window" in view.summary.value
    assert "Walking alone: age reached (months)" == view.controls["walking_alone"].description
    view.controls["walking_alone"].value = 18.5
    assert view.result.placement("walking_alone").category == "after"
    assert "after the window" in view.summary.value and "health professional" in view.summary.value
    assert "data:image/png;base64" in view.figure.value and "walking alone 18.5 months (after" in view.figure.value


def test_placer_view_not_yet_and_current_age():
    view = ms.MilestonePlacer()
    view.controls["current_age"].value = 12.0  # the default walking-alone age (13) is now in the future
    assert "Cannot compute" in view.error.value and view.result.current_age_months == 24.0
    view.controls["not_yet"].value = ("walking_alone",)
    assert view.error.value == "" and view.result.current_age_months == 12.0
    p = view.result.placement("walking_alone")
    assert p.category == "not yet" and p.age_months is None
    assert "not yet at 12 months" in view.summary.value
    view.controls["current_age"].value = 20.0
    assert view.result.placement("walking_alone").category == "after"
    assert "After the window: walking alone" in view.summary.value


def test_placer_view_shows_the_models_error_and_keeps_the_last_result():
    view = ms.MilestonePlacer()
    before = view.result
    view.controls["current_age"].value = 5.0
    assert "Cannot compute" in view.error.value and "current age" in view.error.value
    assert view.result is before


def test_curve_view_follows_milestone_and_age():
    view = ms.MilestoneCurveExplorer()
    options = [value for _, value in view.controls["milestone"].options]
    assert options == ["sitting", "standing_assisted", "crawling"]
    assert view.result.key == "sitting" and "Approximation" in view.summary.value
    view.controls["milestone"].value = "crawling"
    view.controls["age_months"].value = 10.0
    assert view.result.key == "crawling" and view.result.share_at_age == pytest.approx(NormalDist(8.5, 1.7).cdf(10))
    assert "81.1%" in view.summary.value and "9.65 months" in view.summary.value
    assert "13.5" in view.figure.value
