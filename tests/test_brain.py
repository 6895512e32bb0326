"""Tests of widgets.brain: schematic synaptic density, the serve-and-return model, rate estimates, views."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from widgets import brain
from widgets.brain import (
    ServeReturnExplorer,
    SynapseExplorer,
    density_anchors,
    density_curve,
    describe_rate_estimates,
    describe_serve_and_return,
    describe_synaptic_density,
    expected_chain_length,
    plot_rate_estimates,
    plot_serve_and_return,
    plot_synaptic_density,
    rate_estimates,
    simulate_serve_and_return,
    synaptic_density,
)
from widgets.data import load_table

ADULT = 11.05e8  # Huttenlocher (1979), adult mean 16-72 years, synapses per mm^3
AGED = 9.56e8    # Huttenlocher (1979), ages 74-90


# --- synaptic density -----------------------------------------------------------

def test_packaged_anchors_carry_huttenlocher_numbers():
    table = load_table("synaptic_density")
    assert "SCHEMATIC" in table.title
    adult = [r for r in table.where(region="frontal") if r["anchor"].startswith("adult")]
    assert {r["density_1e8_per_mm3"] for r in adult} == {11.05}
    assert {r["sem_1e8_per_mm3"] for r in adult} == {0.41}
    assert brain.adult_density_per_mm3() == pytest.approx(ADULT)


@pytest.mark.parametrize("age, relative, phase", [
    (0.0, 1.0, "rising to the peak"),        # neonatal already in the adult range
    (1.5, 1.5, "peak"),                      # peak at 1-2 years about 50% above adult
    (16.0, 1.0, "adult plateau"),
    (50.0, 1.0, "adult plateau"),
    (82.0, AGED / ADULT, "aged plateau"),
    (90.0, AGED / ADULT, "aged plateau"),
])
def test_frontal_schematic_passes_through_reported_anchors(age, relative, phase):
    reading = synaptic_density(age, "frontal")
    assert reading.relative == pytest.approx(relative)
    assert reading.density_per_mm3 == pytest.approx(relative * ADULT)
    assert reading.phase == phase
    assert reading.schematic is True
    assert reading.source == "Huttenlocher (1979)"


def test_peak_density_is_one_and_a_half_times_adult():
    assert synaptic_density(1.5).density_per_mm3 == pytest.approx(1.5 * 11.05e8)
    assert synaptic_density(1.5).percent_of_adult == pytest.approx(150.0)


def test_half_cosine_step_is_halfway_at_the_midpoint_between_anchors():
    # Between the birth anchor (1.0) and the peak (1.5 at 1 year) the midpoint is exactly 1.25.
    assert synaptic_density(0.5).relative == pytest.approx(1.25)
    # Between the end of the peak (2 y) and the adult level (16 y): midpoint 9 years.
    assert synaptic_density(9.0).relative == pytest.approx(1.25)


def test_frontal_density_declines_between_two_and_sixteen():
    values = [synaptic_density(a).relative for a in np.linspace(2.0, 16.0, 30)]
    assert all(later < earlier for earlier, later in zip(values[1:-1], values[2:]))
    assert values[0] == pytest.approx(1.5) and values[-1] == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(age=st.floats(min_value=0.0, max_value=20.0), region=st.sampled_from(brain.REGIONS))
def test_schematic_never_overshoots_its_anchors(age, region):
    anchors = density_anchors(region)
    value = synaptic_density(age, region).relative
    assert min(a.relative for a in anchors) - 1e-12 <= value <= max(a.relative for a in anchors) + 1e-12


def test_regional_timing_auditory_before_prefrontal():
    auditory, prefrontal = density_curve("auditory"), density_curve("prefrontal")
    assert auditory.peak_age_years == pytest.approx(0.25)      # near 3 months
    assert prefrontal.peak_age_years > 15 / 12                 # after 15 months
    assert synaptic_density(12, "auditory").relative == pytest.approx(1.0)   # elimination over by ~12 y
    assert synaptic_density(12, "prefrontal").relative > 1.0                 # still pruning into adolescence
    assert synaptic_density(0.25, "auditory").relative > synaptic_density(0.25, "prefrontal").relative


def test_regional_series_have_no_absolute_density():
    reading = synaptic_density(1.0, "auditory")
    assert reading.density_per_mm3 is None
    assert reading.source == "Huttenlocher & Dabholkar (1997)"


def test_density_curve_covers_span_and_is_consistent_with_readings():
    curve = density_curve("frontal", n_points=200)
    assert len(curve.ages_years) == len(curve.relative) == 200
    assert curve.ages_years[0] == 0.0 and curve.ages_years[-1] == 90.0
    assert curve.peak_relative == pytest.approx(1.5) and curve.peak_age_years == pytest.approx(1.0)
    i = 57
    assert curve.relative[i] == pytest.approx(synaptic_density(curve.ages_years[i]).relative)


@pytest.mark.parametrize("kwargs, name", [
    ({"age_years": -1}, "age_years"),
    ({"age_years": "two"}, "age_years"),
    ({"age_years": True}, "age_years"),
    ({"age_years": float("nan")}, "age_years"),
    ({"age_years": 91}, "age_years"),
    ({"age_years": 30, "region": "auditory"}, "age_years"),
    ({"age_years": 1, "region": "visual"}, "region"),
    ({"age_years": 1, "region": 3}, "region"),
])
def test_synaptic_density_rejects_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        synaptic_density(**kwargs)


def test_density_curve_rejects_bad_input():
    with pytest.raises(ValueError, match="n_points"):
        density_curve("frontal", n_points=3)
    with pytest.raises(ValueError, match="region"):
        density_curve("occipital")


# --- serve and return -------------------------------------------------------------

def test_same_seed_same_session_different_seeds_differ():
    a = simulate_serve_and_return(seed=11)
    b = simulate_serve_and_return(seed=11)
    c = simulate_serve_and_return(seed=12)
    assert a == b
    assert (a.serve_times_s, a.return_times_s) != (c.serve_times_s, c.return_times_s)
    assert a.seed == 11


@given(seed=st.integers(0, 10_000), r=st.floats(0, 1), wait=st.integers(0, 10))
@settings(max_examples=40, deadline=None)
def test_counts_add_up(seed, r, wait):
    res = simulate_serve_and_return(duration_s=240, return_probability=r, wait_s=wait, seed=seed)
    assert res.serves == res.completed_turns + res.unanswered_serves
    assert sum(res.chains) == res.completed_turns
    assert all(n >= 1 for n in res.chains)
    assert res.longest_chain == max(res.chains, default=0)
    assert list(res.serve_times_s) == sorted(res.serve_times_s)
    assert all(0 < t < 240 for t in res.serve_times_s)
    assert res.moved_on <= len(res.chains)


def test_no_returns_means_no_turns():
    res = simulate_serve_and_return(return_probability=0.0, seed=3)
    assert res.serves > 0
    assert res.completed_turns == 0 and res.longest_chain == 0 and res.chains == ()
    assert res.unanswered_serves == res.serves and res.share_returned == 0.0


def test_no_waiting_means_no_back_and_forth():
    res = simulate_serve_and_return(return_probability=1.0, wait_s=0, seed=3)
    assert res.completed_turns == res.serves > 0
    assert res.longest_chain == 1
    assert res.moved_on == res.completed_turns


def test_always_returning_and_waiting_makes_one_long_chain():
    # The child always replies after 1 s (mean 1 s) and the caregiver waits 1 s: nothing breaks the chain.
    res = simulate_serve_and_return(duration_s=100, return_probability=1.0, wait_s=1, child_reply_mean_s=1.0, seed=4)
    assert len(res.chains) == 1
    assert res.unanswered_serves == 0 and res.moved_on == 0
    first = res.serve_times_s[0]
    assert res.completed_turns == math.ceil((100 - first) / 2)   # a serve every 2 s: return 1 s, reply 1 s


def test_long_run_matches_theory():
    res = simulate_serve_and_return(duration_s=36_000, return_probability=0.7, wait_s=3,
                                    child_reply_mean_s=3.0, seed=2024)
    assert res.share_returned == pytest.approx(0.7, abs=0.03)
    assert res.mean_chain == pytest.approx(expected_chain_length(0.7, 3, 3.0), rel=0.06)


def test_theory_by_hand():
    assert brain.reply_within_wait_probability(3, 3.0) == pytest.approx(19 / 27)
    assert brain.reply_within_wait_probability(0, 3.0) == 0.0
    assert expected_chain_length(0.5, 1, 2.0) == pytest.approx(4 / 3)   # c = 0.5, 1 / (1 - 0.25)
    assert expected_chain_length(0.0, 5, 2.0) == 0.0
    assert math.isinf(expected_chain_length(1.0, 2, 1.0))


def test_longer_waiting_gives_longer_chains():
    short = simulate_serve_and_return(duration_s=6000, return_probability=0.9, wait_s=1, seed=8)
    long = simulate_serve_and_return(duration_s=6000, return_probability=0.9, wait_s=6, seed=8)
    assert long.mean_chain > short.mean_chain
    assert long.longest_chain > short.longest_chain


def test_generator_accepted_and_seed_not_recorded():
    res = simulate_serve_and_return(seed=np.random.default_rng(5))
    assert res.seed is None
    again = simulate_serve_and_return(seed=np.random.default_rng(5))
    assert res == again


@pytest.mark.parametrize("kwargs, name", [
    ({"return_probability": 1.5}, "return_probability"),
    ({"return_probability": "0.5"}, "return_probability"),
    ({"return_probability": True}, "return_probability"),
    ({"wait_s": -1}, "wait_s"),
    ({"wait_s": 2.5}, "wait_s"),
    ({"duration_s": 5}, "duration_s"),
    ({"duration_s": 100.0}, "duration_s"),
    ({"serve_probability": 0.0}, "serve_probability"),
    ({"child_reply_mean_s": 0.5}, "child_reply_mean_s"),
    ({"seed": -1}, "seed"),
    ({"seed": "a"}, "seed"),
    ({"seed": 1.5}, "seed"),
])
def test_serve_and_return_rejects_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        simulate_serve_and_return(**kwargs)


def test_expected_chain_length_rejects_bad_input():
    with pytest.raises(ValueError, match="return_probability"):
        expected_chain_length(-0.1, 3)
    with pytest.raises(ValueError, match="wait_s"):
        expected_chain_length(0.5, "3")


# --- published rates ------------------------------------------------------------------

def test_rate_estimates_converted_to_per_second():
    estimates = rate_estimates()
    per_second = [e.per_second for e in estimates]
    assert per_second == sorted(per_second)
    assert per_second[0] == 700 and per_second[-1] == 1.8e6
    # A figure stated per minute is divided by 60 (checked on a table of our own below).
    assert all(e.per_second == e.count for e in estimates if e.per == "second")


def test_rate_estimates_say_what_kind_of_source_not_verified(monkeypatch):
    estimates = rate_estimates()
    kinds = {e.wording: e.kind for e in estimates}
    # A popular book is labelled as one, never as "verified" evidence.
    assert kinds["1.8 million new synapses per second"] == "popular book"
    assert {e.kind for e in estimates} == {"organisation brief", "popular book"}
    assert not hasattr(estimates[0], "status")

    class _Rows:
        rows = [{"source": "s", "wording": "w", "count": "600", "per": "minute", "kind": "research review"}]

    monkeypatch.setattr(brain, "load_table", lambda name: _Rows())
    (one,) = brain.rate_estimates()
    assert one.per_second == pytest.approx(10.0) and one.kind == "research review"
    _Rows.rows[0]["per"] = "hour"
    with pytest.raises(ValueError, match="unknown time unit"):
        brain.rate_estimates()


# --- figures ----------------------------------------------------------------------------

def test_density_figure_is_labelled_schematic():
    reading = synaptic_density(0.25, "auditory")
    fig = plot_synaptic_density(reading)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert "SCHEMATIC" in ax.get_title()
    assert "years" in ax.get_xlabel() and "adult" in ax.get_ylabel()
    labels = [t.get_text() for lg in fig.artists for t in lg.get_texts()]  # a fixed legend, held by the figure
    assert any("Auditory" in t for t in labels) and any("assumed" in t for t in labels)
    text = describe_synaptic_density(reading)
    assert "0.25 years" in text and "auditory" in text and "1.50" in text


def test_serve_and_return_figure_and_description():
    res = simulate_serve_and_return(seed=1, return_probability=0.9, wait_s=5)
    fig = plot_serve_and_return(res)
    top, bottom = fig.axes[:2]
    assert str(res.completed_turns) in top.get_title()
    assert "seconds" in top.get_xlabel() and "Chain length" in bottom.get_xlabel()
    # the bars are shares of the chains (%), so that a view's axes stay the same; the title gives how many
    assert sum(p.get_height() for p in bottom.patches) == pytest.approx(100.0)
    assert f"in {len(res.chains)} chains" in top.get_title() and "%" in bottom.get_ylabel()
    assert [round(p.get_height() * len(res.chains) / 100) for p in bottom.patches] == \
        [res.chains.count(n) for n in range(1, res.longest_chain + 1)]
    text = describe_serve_and_return(res)
    assert f"served {res.serves} times" in text and f"at most {res.longest_chain} turns" in text


def test_rate_figure_and_description():
    estimates = rate_estimates()
    fig = plot_rate_estimates(estimates, 1.06e6)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and "per second" in ax.get_xlabel()
    assert len(ax.patches) == len(estimates)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "popular book" in legend and "organisation brief" in legend
    assert not any("[V" in t or "verified" in t.lower() for t in legend)
    assert "Order-of-magnitude check: about 1,060,000 per second" in legend
    text = describe_rate_estimates(estimates, 1.06e6)
    assert "700" in text and "1,800,000" in text and "1,060,000" in text
    with pytest.raises(ValueError, match="own_estimate_per_second"):
        plot_rate_estimates(estimates, -5)


# --- views (headless) -------------------------------------------------------------------

def test_synapse_explorer_follows_its_controls():
    view = SynapseExplorer()
    assert view.result == synaptic_density(1.5, "frontal")
    assert "1.50" in view.summary.value and "16.6" in view.summary.value
    view.controls["age_years"].value = 16.0
    assert view.result.relative == pytest.approx(1.0)
    assert "1.00" in view.summary.value and "adult plateau" in view.summary.value
    assert "<img" in view.figure.value
    view.controls["region"].value = "auditory"
    assert view.result.region == "auditory"
    assert "relative units only" in view.summary.value
    view.controls["age_years"].value = 50.0           # beyond the auditory series
    assert "Cannot compute" in view.error.value and "age_years" in view.error.value
    assert view.result.age_years == 16.0              # last good result kept
    view.controls["region"].value = "frontal"
    assert view.error.value == "" and view.result.age_years == 50.0


def test_serve_return_explorer_follows_its_controls():
    view = ServeReturnExplorer()
    assert view.result == simulate_serve_and_return(duration_s=300, return_probability=0.7, wait_s=3,
                                                    child_reply_mean_s=3.0, seed=1)
    view.controls["return_probability"].value = 0.0
    assert view.result.completed_turns == 0
    assert "completed back-and-forth turns: <b>0</b>" in view.summary.value
    view.controls["return_probability"].value = 1.0
    view.controls["wait_s"].value = 0
    assert view.result.longest_chain == 1
    assert "longest chain: <b>1</b>" in view.summary.value
    before = view.result
    view.controls["seed"].value = 99
    assert view.result.seed == 99 and view.result != before
    assert view.result == simulate_serve_and_return(duration_s=300, return_probability=1.0, wait_s=0,
                                                    child_reply_mean_s=3.0, seed=99)
