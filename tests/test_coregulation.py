"""Tests for widgets.coregulation: the 4 S's and 6 R's data and matching, the co-regulation model, views."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from matplotlib.figure import Figure

from widgets import coregulation as co
from widgets.data import load_table


# ------------------------------------------------------------ frameworks data -----
def test_four_s_in_the_decks_order_with_its_wording_and_a_hedged_citation():
    items = co.framework_items("four_s")
    assert [i.name for i in items] == ["Seen", "Safe", "Soothed", "Secure"]
    assert items[1].deck_text == "avoiding actions and responses that frighten or hurt a child"
    table = load_table("four_s")
    assert "Siegel" in table.citation and "2020" in table.citation and "V-sec" in table.citation
    assert "not from empirical research" in table.notes


def test_six_r_in_the_decks_order_with_its_glosses_and_the_evidence_caveat():
    items = co.framework_items("six_r")
    assert [i.key for i in items] == ["relational", "relevant", "repetitive", "rewarding", "rhythmic", "respectful"]
    assert items[1].deck_text == "developmentally matched to child"
    assert items[5].deck_text == "of child, family, and culture"
    table = load_table("six_r")
    assert "Perry" in table.citation and "V-sec" in table.citation
    assert "evidence base is limited" in table.notes and "Regulate, Relate, Reason" in table.notes


def test_packaged_examples_cover_every_s_and_every_r_with_valid_keys():
    for framework in co.FRAMEWORKS:
        keys = {i.key for i in co.framework_items(framework)}
        examples = co.behaviour_examples(framework)
        assert {e.course_match for e in examples} == keys
        assert len({e.key for e in examples}) == len(examples)
        assert all(e.reason and e.behaviour and e.framework == framework for e in examples)
    assert len(co.behaviour_examples("four_s")) == 8 and len(co.behaviour_examples("six_r")) == 6


@pytest.mark.parametrize("bad", ["four_r", "", None, 4])
def test_unknown_framework_is_named(bad):
    with pytest.raises(ValueError, match=r"^framework:"):
        co.framework_items(bad)
    with pytest.raises(ValueError, match=r"^framework:"):
        co.behaviour_examples(bad)


def test_match_behaviours_scores_against_the_course_key():
    examples = co.behaviour_examples("six_r")
    right = {e.key: e.course_match for e in examples}
    result = co.match_behaviours(right, "six_r")
    assert result.n_agree == result.n_items == 6 and result.n_answered == 6
    assert all(a is True for a in result.agree)
    half = {e.key: ("" if i < 3 else "rhythmic") for i, e in enumerate(examples)}
    result = co.match_behaviours(half, "six_r")
    assert result.n_answered == 3
    assert result.agree[:3] == (None, None, None)
    assert result.n_agree == sum(e.course_match == "rhythmic" for e in examples[3:]) == 1
    wrong = [fb for fb, a in zip(result.feedback, result.agree) if a is False]
    assert wrong and all(fb.startswith("You chose Rhythmic; the course reads this mainly as") for fb in wrong)
    # case and outer spaces do not matter
    assert co.match_behaviours({k: f" {v.upper()} " for k, v in right.items()}, "six_r").n_agree == 6


def test_match_behaviours_rejects_bad_choices():
    keys = [e.key for e in co.behaviour_examples("four_s")]
    with pytest.raises(ValueError, match=r"^choices:"):
        co.match_behaviours(["seen"], "four_s")
    with pytest.raises(ValueError, match=r"^choices:.*missing"):
        co.match_behaviours({keys[0]: "seen"}, "four_s")
    with pytest.raises(ValueError, match=r"^choices:"):
        co.match_behaviours({k: "rhythmic" for k in keys}, "four_s")
    with pytest.raises(ValueError, match=r"^choices:"):
        co.match_behaviours({k: 1 for k in keys}, "four_s")


def test_behaviour_matching_figure_and_description():
    examples = co.behaviour_examples("four_s")
    choices = {e.key: "" for e in examples}
    empty = co.match_behaviours(choices, "four_s")
    assert "no example has been matched yet" in co.describe_behaviour_matching(empty)
    choices[examples[0].key] = examples[0].course_match
    choices[examples[2].key] = "secure" if examples[2].course_match != "secure" else "seen"
    result = co.match_behaviours(choices, "four_s")
    fig = co.plot_behaviour_matching(result)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Seen", "Safe", "Soothed", "Secure"]
    mine, course = ax.lines[0], ax.lines[1]
    assert len(mine.get_xdata()) == 2 and len(course.get_xdata()) == 2
    assert ax.get_title().startswith("Matching the 4 S's: 1 of 8 agree")
    text = co.describe_behaviour_matching(result)
    assert "of 2 matched, 1 agree" in text and "1 differs" in text and examples[2].key in text


def test_behaviour_matcher_headless():
    view = co.BehaviourMatcher("six_r")
    assert view.result.n_answered == 0
    assert "0 of 0 answered" in view.summary.value
    first = view.examples[0]
    view.controls[first.key].value = first.course_match
    assert view.result.n_agree == 1
    assert "1 of 1 answered examples agree" in view.summary.value
    assert "Agrees with the course&#x27;s reading" in view.summary.value
    other = next(i.key for i in co.framework_items("six_r") if i.key != view.examples[1].course_match)
    view.controls[view.examples[1].key].value = other
    assert view.result.n_answered == 2 and view.result.n_agree == 1
    assert "You chose" in view.summary.value
    with pytest.raises(ValueError, match=r"^framework:"):
        co.BehaviourMatcher("three_r")


# ------------------------------------------------------------- model: theory ------
def _closed_form_steps(rate, gap0, band, settle_gap=0.0):
    """Smallest whole t with d* + (d0 - d*)(1 - r)^t <= band (hand theory, not the module's)."""
    if gap0 <= band:
        return 0
    return math.ceil(math.log((band - settle_gap) / (gap0 - settle_gap)) / math.log(1 - rate) - 1e-9)


def test_fully_calm_caregiver_matches_the_worked_arithmetic():
    res = co.simulate_coregulation(1.0)
    # r = 0.01 + 0.04 x 1 + 0.005 = 0.055; log(0.2 / 6) / log(0.945) = 60.12 -> 61 whole seconds
    assert res.rate_per_s == pytest.approx(0.055)
    assert res.caregiver_arousal == pytest.approx(2.0) and res.settle_level == pytest.approx(2.0)
    assert math.log(0.2 / 6) / math.log(1 - 0.055) == pytest.approx(60.12, abs=0.01)
    assert res.recovery_time_s == 61.0 and res.recovered
    assert res.peak == pytest.approx(8.0)
    assert res.arousal[0] == pytest.approx(8.0)
    assert res.arousal[1] == pytest.approx(2.0 + 6.0 * 0.945)
    assert abs(res.arousal[60] - 2.0) > 0.2 >= abs(res.arousal[61] - 2.0)


def test_child_alone_recovers_by_self_regulation_only():
    res = co.simulate_coregulation(0.0, caregiver_present=False)
    assert math.isnan(res.caregiver_arousal)
    assert res.rate_per_s == pytest.approx(0.01) and res.settle_level == pytest.approx(2.0)
    assert res.recovery_time_s == 339.0 == _closed_form_steps(0.01, 6.0, 0.2)
    # calm does not matter when nobody is there
    assert np.array_equal(res.arousal, co.simulate_coregulation(1.0, caregiver_present=False).arousal)


def test_somewhat_stressed_caregiver_settling_gap_and_recovery_by_hand():
    res = co.simulate_coregulation(0.8)
    # C = 2 + 0.2 x 8 = 3.6; r = 0.01 + 0.032 + 0.005 = 0.047; d* = 0.005 x 1.6 / 0.047
    assert res.caregiver_arousal == pytest.approx(3.6)
    assert res.rate_per_s == pytest.approx(0.047)
    d_star = 0.005 * 1.6 / 0.047
    assert res.settle_level == pytest.approx(2.0 + d_star)
    assert res.recovery_time_s == 110.0 == _closed_form_steps(0.047, 6.0, 0.2, d_star)


def test_stressed_caregiver_holds_arousal_above_the_band():
    res = co.simulate_coregulation(0.3, duration_s=3000)
    # C = 7.6; r = 0.027; d* = 0.005 x 5.6 / 0.027 = 1.037 > 0.2: never back within the band
    assert res.settle_level == pytest.approx(2.0 + 0.005 * 5.6 / 0.027)
    assert not res.recovered and math.isnan(res.recovery_time_s)
    assert res.arousal[-1] == pytest.approx(res.settle_level, abs=1e-6)


def test_a_very_stressed_caregiver_can_add_arousal_after_a_small_stressor():
    res = co.simulate_coregulation(0.0, stressor=1.0, duration_s=2000)
    assert res.settle_level == pytest.approx(2.0 + 0.005 * 8 / 0.015)  # 4.67, above the start of 3.0
    assert res.arousal[0] == pytest.approx(3.0)
    assert np.all(np.diff(res.arousal) > 0)
    assert res.peak == pytest.approx(res.arousal[-1])


@settings(max_examples=60, deadline=None)
@given(calm=st.floats(0.0, 1.0), k_self=st.floats(0.001, 0.2), k_co=st.floats(0.0, 0.3),
       k_con=st.floats(0.0, 0.05), rise=st.floats(0.5, 7.0), present=st.booleans())
def test_noise_free_trace_follows_the_closed_form(calm, k_self, k_co, k_con, rise, present):
    res = co.simulate_coregulation(calm, self_regulation=k_self, co_regulation=k_co, contagion=k_con,
                                   stressor=rise, caregiver_present=present, duration_s=400)
    r = k_self + (k_co * calm + k_con if present else 0.0)
    c = 2.0 + (1 - calm) * 8.0
    d_star = k_con * (c - 2.0) / r if present else 0.0
    t = np.arange(401)
    expected = 2.0 + d_star + (rise - d_star) * (1 - r) ** t
    assert np.allclose(res.arousal, expected, atol=1e-9)
    assert res.settle_level == pytest.approx(2.0 + d_star)
    if d_star < 0.2 - 1e-6:
        steps = _closed_form_steps(r, rise, 0.2, d_star)
        if steps <= 400:
            # away from a boundary the ceiling of the closed form is the simulated time
            exact = math.log((0.2 - d_star) / (rise - d_star)) / math.log(1 - r) if rise > 0.2 else 0.0
            if abs(exact - round(exact)) > 1e-6:
                assert res.recovery_time_s == steps
    elif d_star > 0.2 + 1e-6:
        assert not res.recovered


def test_area_above_baseline_is_a_geometric_sum():
    res = co.simulate_coregulation(1.0, duration_s=300)
    # sum_{t=0}^{299} 6 x 0.945^t = 6 (1 - 0.945^300) / 0.055
    assert res.area_above_baseline == pytest.approx(6 * (1 - 0.945 ** 300) / 0.055)
    alone = co.simulate_coregulation(caregiver_present=False, duration_s=300)
    assert alone.area_above_baseline == pytest.approx(6 * (1 - 0.99 ** 300) / 0.01)


def test_calmer_caregiver_means_faster_recovery_and_less_area():
    times, areas = [], []
    for calm in (1.0, 0.9, 0.8):
        res = co.simulate_coregulation(calm)
        times.append(res.recovery_time_s)
        areas.append(res.area_above_baseline)
    assert times == sorted(times) and len(set(times)) == 3
    assert areas == sorted(areas)


def test_recovery_band_and_baseline_change_the_threshold():
    wide = co.simulate_coregulation(1.0, recovery_band=0.5)  # within 1.0 point
    assert wide.band == pytest.approx(1.0)
    assert wide.recovery_time_s == _closed_form_steps(0.055, 6.0, 1.0)
    high = co.simulate_coregulation(1.0, baseline=4.0, stressor=4.0)
    assert high.recovery_time_s == _closed_form_steps(0.055, 4.0, 0.4)
    big = co.simulate_coregulation(1.0, baseline=5.0, stressor=9.0)
    assert big.peak == pytest.approx(10.0)  # capped at the top of the scale
    none = co.simulate_coregulation(1.0, stressor=0.0)
    assert none.recovery_time_s == 0.0 and none.area_above_baseline == 0.0


# ------------------------------------------------------------ model: noise --------
def test_same_seed_same_trace_different_seed_differs():
    a = co.simulate_coregulation(0.6, noise_sd=0.1, seed=4)
    b = co.simulate_coregulation(0.6, noise_sd=0.1, seed=4)
    c = co.simulate_coregulation(0.6, noise_sd=0.1, seed=5)
    assert np.array_equal(a.arousal, b.arousal) and a.area_above_baseline == b.area_above_baseline
    assert not np.array_equal(a.arousal, c.arousal)
    gen = np.random.default_rng(4)
    via_gen = co.simulate_coregulation(0.6, noise_sd=0.1, seed=gen)
    assert np.array_equal(via_gen.arousal, a.arousal) and via_gen.seed is None
    # without noise the seed does not matter
    assert np.array_equal(co.simulate_coregulation(0.6, seed=1).arousal, co.simulate_coregulation(0.6, seed=2).arousal)


def test_noise_stays_on_the_scale_and_averages_to_the_theory():
    res = co.simulate_coregulation(0.0, caregiver_present=False, noise_sd=2.0, stressor=8.0, seed=0)
    assert res.arousal.min() >= 0.0 and res.arousal.max() <= 10.0
    runs = [co.simulate_coregulation(0.5, noise_sd=0.05, duration_s=300, seed=s).arousal for s in range(200)]
    clean = co.simulate_coregulation(0.5, duration_s=300).arousal
    assert np.allclose(np.mean(runs, axis=0), clean, atol=0.07)  # about 5 standard errors


def test_results_are_frozen():
    res = co.simulate_coregulation()
    with pytest.raises(Exception):
        res.peak = 1.0
    with pytest.raises(ValueError):
        res.arousal[0] = 1.0


# ------------------------------------------------------------ model: validation ---
@pytest.mark.parametrize("name, bad", [
    ("caregiver_calm", 1.5), ("caregiver_calm", -0.1), ("caregiver_calm", "calm"), ("caregiver_calm", True),
    ("self_regulation", 1.0), ("self_regulation", -0.01), ("stressor", 11.0), ("stressor", None),
    ("caregiver_present", 1), ("baseline", 0.0), ("baseline", 10.0), ("co_regulation", 1.2),
    ("contagion", -0.1), ("duration_s", 0), ("duration_s", 10.5), ("recovery_band", 0.0),
    ("noise_sd", -1.0), ("noise_sd", float("nan")), ("seed", -1), ("seed", 1.5),
])
def test_bad_input_names_the_parameter(name, bad):
    kwargs = {"caregiver_calm": 1.0, name: bad}
    with pytest.raises(ValueError, match=rf"^{name}:"):
        co.simulate_coregulation(**kwargs)


def test_total_rate_must_stay_below_one():
    with pytest.raises(ValueError, match=r"^self_regulation, co_regulation, contagion:"):
        co.simulate_coregulation(1.0, self_regulation=0.5, co_regulation=0.5, contagion=0.1)
    # the same rates are fine without a caregiver
    assert co.simulate_coregulation(1.0, self_regulation=0.5, co_regulation=0.5, contagion=0.1,
                                    caregiver_present=False).recovered


# ------------------------------------------------------------ comparison, figure ---
def test_compare_caregivers_shares_settings_and_seed():
    comp = co.compare_caregivers((1.0, 0.3), noise_sd=0.05, seed=7, stressor=5.0)
    assert [r.label for r in comp.runs] == ["caregiver calm 1.00", "caregiver calm 0.30",
                                            "child alone (self-regulation only)"]
    assert all(r.seed == 7 and r.stressor == 5.0 for r in comp.runs)
    assert np.array_equal(comp.run("caregiver calm 0.30").arousal,
                          co.simulate_coregulation(0.3, noise_sd=0.05, seed=7, stressor=5.0).arousal)
    assert len(co.compare_caregivers((0.5,), include_alone=False).runs) == 1
    with pytest.raises(KeyError):
        comp.run("grandparent")


@pytest.mark.parametrize("kwargs, name", [
    ({"calm_levels": "1.0"}, "calm_levels"), ({"calm_levels": (1.0, 1.0)}, "calm_levels"),
    ({"calm_levels": (1.2,)}, "calm_levels"), ({"calm_levels": (), "include_alone": False}, "calm_levels"),
    ({"calm_levels": (0.1, 0.2, 0.3, 0.4, 0.5)}, "calm_levels"), ({"caregiver_calm": 0.5}, "caregiver_calm"),
    ({"include_alone": "yes"}, "include_alone"), ({"seed": np.random.default_rng(1)}, "seed"),
])
def test_compare_caregivers_rejects_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name}:"):
        co.compare_caregivers(**kwargs)


def test_coregulation_figure_draws_each_run_with_its_own_style():
    comp = co.compare_caregivers((1.0, 0.3))
    fig = co.plot_coregulation(comp)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    traces = [line for line in ax.lines if len(line.get_xdata()) == 601]
    assert len(traces) == 3
    assert len({line.get_linestyle() for line in traces}) == 3
    assert len({line.get_color() for line in traces}) == 3
    assert np.allclose(traces[1].get_ydata(), comp.runs[1].arousal)
    markers = [line for line in ax.lines if len(line.get_xdata()) == 1]
    assert sorted(float(m.get_xdata()[0]) for m in markers) == [61.0, 339.0]  # the stressed run never recovers
    assert "(s)" in ax.get_xlabel() and "0-10" in ax.get_ylabel() and "illustration" in ax.get_title()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("not back within 10% of baseline in 600 s" in t for t in labels)
    text = co.describe_coregulation(comp)
    assert "after 61 s" in text and "after 339 s" in text and "levelling off near 3.0" in text
    with pytest.raises(ValueError, match=r"^comparison:"):
        co.plot_coregulation(comp.runs[0])


# ------------------------------------------------------------ explorer view -------
def test_coregulation_explorer_headless():
    view = co.CoRegulationExplorer()
    assert [r.label for r in view.result.runs] == ["caregiver calm 1.00", "caregiver calm 0.30",
                                                   "child alone (self-regulation only)"]
    assert "<td>caregiver calm 0.30</td><td>7.6</td>" in view.summary.value
    assert "not within 600 s" in view.summary.value
    assert "simulate_coregulation(0.3, self_regulation=0.01, stressor=6" in view.summary.value
    before = view.figure.value
    view.controls["caregiver_calm"].value = 0.8
    assert view.result.runs[1].recovery_time_s == 110.0
    assert "<td>110 s</td>" in view.summary.value
    assert view.figure.value != before
    view.controls["caregiver_calm"].value = 1.0  # only the calm caregiver and the child alone
    assert [r.label for r in view.result.runs] == ["caregiver calm 1.00", "child alone (self-regulation only)"]
    assert view.error.value == ""
    view.controls["self_regulation"].value = 0.02
    assert view.result.runs[-1].recovery_time_s == _closed_form_steps(0.02, 6.0, 0.2)
    view.controls["stressor"].value = 3.0
    assert view.result.runs[0].peak == pytest.approx(5.0)
    assert "stressor 3 points" in view.figure.value or "by 3 points" in view.figure.value
    view.controls["noise_sd"].value = 0.1
    noisy = view.result.runs[0].arousal.copy()
    view.controls["seed"].value = 2
    assert not np.array_equal(view.result.runs[0].arousal, noisy)
