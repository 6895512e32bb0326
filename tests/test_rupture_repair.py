"""The rupture-and-repair model held to two-state Markov theory, hand arithmetic and its view."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from widgets import rupture_repair as rr
from widgets.rupture_repair import (
    R_MAX,
    S_MAX,
    CodingScore,
    DyadResult,
    RuptureRepairExplorer,
    StillFaceResult,
    analytic_fraction_matched,
    analytic_mean_distress,
    analytic_mean_matched_s,
    analytic_repair_latency_s,
    coding_exercise,
    describe_dyad,
    plot_dyad,
    repair_probability,
    score_coding,
    simulate_dyad,
    simulate_still_face,
)

DEFAULTS = (rr.DEFAULT_RESPONSIVENESS, rr.DEFAULT_SELF_REGULATION, rr.DEFAULT_BREAK_RATE)
Z = 4.5  # tolerance in standard errors: a false alarm about once in 150,000 runs


def direct_distress(result: DyadResult) -> np.ndarray:
    """The per-second recurrence, written out second by second (the reference)."""
    out, x = [], float(result.run_start_distress[0])
    settle, rise = math.exp(-1 / result.tau_settle_s), math.exp(-1 / result.tau_rise_s)
    for state in result.to_states().tolist():
        x = x * settle if state == 1 else 1 + (x - 1) * rise
        out.append(x)
    return np.array(out)


def completed_runs(result: DyadResult, state: int) -> np.ndarray:
    """Lengths of the runs of ``state`` that ended inside the simulation (the last run is cut off)."""
    lengths, states = result.run_lengths[:-1], result.states[:-1]
    return lengths[states == state].astype(float)


# --- theory -------------------------------------------------------------------------


def test_repair_probability_combines_both_partners_by_hand():
    # 1 - (1 - 0.5 * 0.15) * (1 - 0.3 * 0.05) = 1 - 0.925 * 0.985 = 0.088875
    assert R_MAX == 0.15 and S_MAX == 0.05
    assert repair_probability(0.5, 0.3) == pytest.approx(0.088875, abs=1e-12)
    assert repair_probability(0.0, 0.0) == 0.0
    assert repair_probability(1.0, 0.0) == pytest.approx(R_MAX)
    assert repair_probability(0.0, 1.0) == pytest.approx(S_MAX)
    assert repair_probability(1.0, 1.0) == pytest.approx(1 - 0.85 * 0.95)


def test_analytic_values_by_hand_and_defaults_near_thirty_percent():
    p = 0.088875
    assert analytic_fraction_matched(0.5, 0.3, 0.2) == pytest.approx(p / (p + 0.2), abs=1e-12)
    assert analytic_mean_matched_s(0.2) == pytest.approx(5.0)
    assert analytic_repair_latency_s(0.5, 0.3) == pytest.approx(1 / p)
    assert analytic_mean_matched_s(0.0) == math.inf
    assert analytic_repair_latency_s(0.0, 0.0) == math.inf
    # Tronick & Gold (2020): about 70% out of sync in typical healthy pairs -> defaults about 30% matched.
    assert 0.28 < analytic_fraction_matched(*DEFAULTS) < 0.33
    with pytest.raises(ValueError, match="break_rate"):
        analytic_fraction_matched(0.0, 0.0, 0.0)


@pytest.mark.parametrize(
    "responsiveness, self_regulation, break_rate, duration_s",
    [(*DEFAULTS, 2_000_000), (0.9, 0.8, 0.5, 500_000), (0.1, 0.0, 0.05, 3_000_000), (1.0, 1.0, 1.0, 200_000)],
)
def test_fraction_matched_and_dwell_times_agree_with_two_state_theory(
    responsiveness, self_regulation, break_rate, duration_s
):
    result = simulate_dyad(responsiveness, self_regulation, break_rate, duration_s, seed=11)
    b, p = break_rate, repair_probability(responsiveness, self_regulation)
    pi = p / (p + b)
    # Time average of a two-state chain: asymptotic variance pi(1-pi)(1+lam)/(1-lam), lam = 1 - b - p.
    lam = 1 - b - p
    se_fraction = math.sqrt(pi * (1 - pi) * (1 + lam) / (1 - lam) / duration_s)
    assert abs(result.fraction_matched - pi) < Z * se_fraction
    # Spells are geometric: mean 1/q, standard deviation sqrt(1-q)/q, n completed spells.
    for state, q in ((1, b), (0, p)):
        runs = completed_runs(result, state)
        se = math.sqrt(1 - q) / q / math.sqrt(runs.size) if q < 1 else 1e-12
        assert abs(runs.mean() - 1 / q) <= Z * se
    assert result.mean_matched_s == pytest.approx(completed_runs(result, 1).mean())
    assert result.repair_latency.mean_s == pytest.approx(completed_runs(result, 0).mean())


def test_spell_lengths_are_geometric_at_one_second():
    result = simulate_dyad(*DEFAULTS, 1_000_000, seed=5)
    p = repair_probability(*DEFAULTS[:2])
    runs = completed_runs(result, 0)
    share_one = np.mean(runs == 1)  # P(L = 1) = p; P(L = 2) = p(1 - p)
    assert abs(share_one - p) < Z * math.sqrt(p * (1 - p) / runs.size)
    share_two = np.mean(runs == 2)
    q2 = p * (1 - p)
    assert abs(share_two - q2) < Z * math.sqrt(q2 * (1 - q2) / runs.size)


def test_latency_statistics_match_numpy_on_the_completed_spells():
    result = simulate_dyad(*DEFAULTS, 50_000, seed=3)
    runs = completed_runs(result, 0)
    stats = result.repair_latency
    assert stats.count == runs.size == result.repairs
    assert stats.mean_s == pytest.approx(runs.mean())
    assert stats.median_s == pytest.approx(np.median(runs))
    assert stats.p90_s == pytest.approx(np.percentile(runs, 90))
    assert stats.longest_s == runs.max()


def test_timeline_is_a_valid_run_length_encoding():
    result = simulate_dyad(*DEFAULTS, 10_000, seed=2)
    assert result.run_lengths.sum() == 10_000 and result.run_lengths.min() >= 1
    assert np.all(np.diff(result.states.astype(int)) != 0)  # runs alternate
    states = result.to_states()
    assert states.size == 10_000 and set(np.unique(states)) <= {0, 1}
    assert result.fraction_matched == pytest.approx(states.mean())
    ruptures = int(np.sum((states[:-1] == 1) & (states[1:] == 0)))
    repairs = int(np.sum((states[:-1] == 0) & (states[1:] == 1)))
    assert (result.ruptures, result.repairs) == (ruptures, repairs)


def test_a_uniform_draw_of_exactly_zero_is_drawn_again():
    class Draws:  # stands in for a Generator: 0.0 first (would be an endless run), then 0.5
        values = [0.0, 0.5]

        def random(self):
            return self.values.pop(0)

    # ceil(log(0.5) / log(0.8)) = ceil(3.106...) = 4
    assert rr._one_run(Draws(), 0.2) == 4.0


def test_no_repair_means_a_mismatch_is_never_left():
    result = simulate_dyad(0.0, 0.0, 0.3, 2_000, seed=1, initial_state="matched")
    assert result.states[-1] == 0 and result.repairs == 0 and result.ruptures == 1
    assert math.isnan(result.repair_latency.mean_s)
    never_breaks = simulate_dyad(0.5, 0.3, 0.0, 2_000, seed=1, initial_state="matched")
    assert never_breaks.fraction_matched == 1.0 and never_breaks.n_runs == 1


# --- distress -----------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(
    "params, duration_s, taus",
    [
        (DEFAULTS, 20_000, {}),
        ((0.0, 0.0, 0.3), 20_000, {}),
        ((1.0, 1.0, 1.0), 100_000, {}),  # about 16,000 pairs of runs: the blocked scan recurses twice
        ((0.2, 0.1, 0.9), 20_000, {}),
        (DEFAULTS, 20_000, {"tau_rise_s": 0.05, "tau_settle_s": 0.02}),  # near-instant change: decay clipped
        (DEFAULTS, 20_000, {"tau_rise_s": 5_000.0, "tau_settle_s": 2_000.0}),  # very slow change
    ],
)
def test_distress_trace_equals_the_per_second_recurrence(params, duration_s, taus, seed):
    result = simulate_dyad(*params, duration_s, seed=seed, initial_distress=0.3, keep_trace=True, **taus)
    reference = direct_distress(result)
    assert np.max(np.abs(result.distress - reference)) < 1e-12
    assert result.mean_distress == pytest.approx(reference.mean(), abs=1e-12)
    assert result.final_distress == pytest.approx(reference[-1], abs=1e-12)
    assert result.peak_distress == pytest.approx(max(0.3, reference.max()), abs=1e-12)
    assert np.all((reference >= 0) & (reference <= 1))


def test_distress_rises_in_mismatch_and_settles_in_match():
    result = simulate_dyad(*DEFAULTS, 2_000, seed=4, initial_distress=0.5)
    trace = np.concatenate([[0.5], result.distress])
    states = result.to_states()
    step = np.diff(trace)
    assert np.all(step[states == 0] > 0) and np.all(step[states == 1] < 0)


def test_long_run_mean_distress_agrees_with_renewal_theory():
    theory = analytic_mean_distress(*DEFAULTS)
    means = np.array(
        [simulate_dyad(*DEFAULTS, 200_000, seed=s, initial_distress=theory).mean_distress for s in range(12)]
    )
    se = means.std(ddof=1) / math.sqrt(means.size)
    assert abs(means.mean() - theory) < Z * se + 1e-4


def test_long_runs_store_no_trace_but_rebuild_any_window():
    duration = rr.TRACE_LIMIT_S + 600
    lean = simulate_dyad(*DEFAULTS, duration, seed=9)
    full = simulate_dyad(*DEFAULTS, duration, seed=9, keep_trace=True)
    assert lean.distress is None and full.distress.size == duration
    assert np.array_equal(lean.distress_trace(1_000, 5_000), full.distress[1_000:5_000])
    assert lean.mean_distress == full.mean_distress
    short = simulate_dyad(*DEFAULTS, 600, seed=9, keep_trace=False)
    assert short.distress is None
    with pytest.raises(ValueError, match="start_s"):
        lean.distress_trace(5_000, 1_000)


def test_first_year_in_one_call():
    result = simulate_dyad(*DEFAULTS, rr.YEAR_ONE_S, seed=2024)
    assert result.duration_s == 15_536_000 and int(result.run_lengths.sum()) == 15_536_000
    assert result.distress is None  # 124 MB of trace is not kept by default
    b, p = DEFAULTS[2], repair_probability(*DEFAULTS[:2])
    pi, lam = p / (p + b), 1 - b - p
    assert abs(result.fraction_matched - pi) < Z * math.sqrt(pi * (1 - pi) * (1 + lam) / (1 - lam) / 15_536_000)


# --- reproducibility, immutability, validation --------------------------------------


def test_same_seed_same_result_and_different_seeds_differ():
    a = simulate_dyad(*DEFAULTS, 5_000, seed=42)
    b = simulate_dyad(*DEFAULTS, 5_000, seed=42)
    c = simulate_dyad(*DEFAULTS, 5_000, seed=43)
    assert a == b and np.array_equal(a.run_lengths, b.run_lengths) and np.array_equal(a.distress, b.distress)
    assert a != c and not np.array_equal(a.to_states(), c.to_states())
    from_generator = simulate_dyad(*DEFAULTS, 5_000, seed=np.random.default_rng(42))
    assert from_generator.seed is None and np.array_equal(from_generator.run_lengths, a.run_lengths)
    assert simulate_still_face(*DEFAULTS, seed=8) == simulate_still_face(*DEFAULTS, seed=8)
    assert simulate_still_face(*DEFAULTS, seed=8) != simulate_still_face(*DEFAULTS, seed=9)


def test_results_are_frozen():
    result = simulate_dyad(*DEFAULTS, 300, seed=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.fraction_matched = 1.0
    with pytest.raises(ValueError):
        result.run_lengths[0] = 99  # read-only array


BAD_PROBABILITIES = [-0.1, 1.5, float("nan"), float("inf"), "0.5", None, True, [0.5]]


@pytest.mark.parametrize("name", ["responsiveness", "self_regulation", "break_rate"])
@pytest.mark.parametrize("value", BAD_PROBABILITIES)
def test_bad_probabilities_raise_naming_the_parameter(name, value):
    kwargs = dict(zip(("responsiveness", "self_regulation", "break_rate"), DEFAULTS))
    kwargs[name] = value
    with pytest.raises(ValueError, match=name):
        simulate_dyad(**kwargs, duration_s=100, seed=1)
    with pytest.raises(ValueError, match=name):
        simulate_still_face(**kwargs, seed=1)
    with pytest.raises(ValueError, match=name):
        analytic_fraction_matched(**kwargs)


@pytest.mark.parametrize(
    "name, value",
    [
        ("duration_s", -5), ("duration_s", 0), ("duration_s", 1.5), ("duration_s", "100"), ("duration_s", float("nan")),
        ("duration_s", rr.MAX_DURATION_S + 1), ("seed", "abc"), ("seed", -1), ("seed", 1.5), ("seed", None),
        ("tau_rise_s", 0), ("tau_settle_s", -1), ("tau_rise_s", float("nan")), ("initial_state", "sleepy"),
        ("initial_state", 2), ("initial_state", True), ("initial_state", np.array([1])),
        ("initial_distress", 1.2), ("keep_trace", "yes"),
    ],
)
def test_other_bad_inputs_raise_naming_the_parameter(name, value):
    kwargs = dict(responsiveness=0.5, self_regulation=0.3, break_rate=0.2, duration_s=100, seed=1)
    kwargs[name] = value
    with pytest.raises(ValueError, match=name):
        simulate_dyad(**kwargs)


@pytest.mark.parametrize("name, value", [("episode_s", -120), ("episode_s", "120"), ("warmup_s", -1), ("seed", "x")])
def test_bad_still_face_inputs_raise_naming_the_parameter(name, value):
    kwargs = dict(episode_s=120, seed=1, warmup_s=60)
    kwargs[name] = value
    with pytest.raises(ValueError, match=name):
        simulate_still_face(*DEFAULTS, **kwargs)


# --- still-face ---------------------------------------------------------------------


def test_still_face_episodes_are_consistent_with_the_timeline():
    result = simulate_still_face(*DEFAULTS, episode_s=120, seed=3)
    assert isinstance(result, StillFaceResult)
    assert [e.name for e in result.episodes] == ["play", "still-face", "reunion"]
    timeline = result.timeline
    assert timeline.duration_s == 360 and int(timeline.run_lengths.sum()) == 360
    assert np.all(np.diff(timeline.states.astype(int)) != 0)
    states, trace = timeline.to_states(), direct_distress(timeline)
    assert np.max(np.abs(trace - timeline.distress)) < 1e-12
    for episode in result.episodes:
        window = slice(episode.start_s, episode.stop_s)
        assert episode.fraction_matched == pytest.approx(states[window].mean())
        assert episode.mean_distress == pytest.approx(trace[window].mean(), abs=1e-12)
    assert result.still_face.repair_probability == pytest.approx(DEFAULTS[1] * S_MAX)
    assert result.play.repair_probability == result.reunion.repair_probability == repair_probability(*DEFAULTS[:2])
    # Carry-over: reunion starts where still-face ended.
    assert result.reunion.distress_at_start == result.still_face.distress_at_end
    assert result.reunion.distress_at_start == pytest.approx(trace[239])


def test_still_face_orders_distress_play_below_reunion_below_still_face():
    # Mesman et al. (2009), Weinberg & Tronick (1996): still-face raises negative affect,
    # which partly carries over into reunion. Averaged over seeds with the defaults.
    results = [simulate_still_face(*DEFAULTS, episode_s=120, seed=s) for s in range(200)]
    play = np.mean([r.play.mean_distress for r in results])
    still = np.mean([r.still_face.mean_distress for r in results])
    reunion = np.mean([r.reunion.mean_distress for r in results])
    assert play < reunion < still
    matched = [np.mean([getattr(r, name).fraction_matched for r in results]) for name in ("play", "still_face")]
    assert matched[1] < matched[0]


# --- observation coding ---------------------------------------------------------------


def test_kappa_on_a_hand_worked_two_by_two_table():
    # 50 s: both matched 20, coder M / truth X 5, coder X / truth M 10, both mismatched 15.
    # po = 35/50 = 0.7; coder M 25, truth M 30; pe = (25*30 + 25*20) / 2500 = 0.5; kappa = 0.2/0.5 = 0.4.
    codes = "M" * 20 + "M" * 5 + "X" * 10 + "X" * 15
    truth = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    score = score_coding(codes, truth)
    assert isinstance(score, CodingScore)
    assert score.percent_agreement == pytest.approx(70.0)
    assert score.chance_agreement == pytest.approx(0.5)
    assert score.kappa == pytest.approx(0.4)
    assert score.confusion == ((20, 5), (10, 15))
    assert score_coding([int(c == "M") for c in codes], "".join("M" if t else "X" for t in truth)) == score


def test_kappa_when_chance_agreement_is_one_and_other_edges():
    all_matched = score_coding("MMMM", [1, 1, 1, 1])
    assert all_matched.percent_agreement == 100.0 and math.isnan(all_matched.kappa)
    assert score_coding("mx mx", "MXMX").kappa == pytest.approx(1.0)  # case and spaces ignored
    assert score_coding("XMXM", "MXMX").kappa == pytest.approx(-1.0)
    with pytest.raises(ValueError, match="codes"):
        score_coding("MXM", "MXMX")
    with pytest.raises(ValueError, match="codes"):
        score_coding("MXQX", "MXMX")
    with pytest.raises(ValueError, match="codes"):
        score_coding([1, 0, 2, 0], "MXMX")


def test_coding_exercise_is_seeded_and_scores_its_own_truth_perfectly():
    exercise = coding_exercise(45, seed=12)
    assert exercise == coding_exercise(45, seed=12)
    assert exercise.truth != coding_exercise(45, seed=13).truth
    assert len(exercise.truth) == len(exercise.truth_codes) == 45
    assert exercise.truth == tuple(int(v) for v in exercise.dyad.to_states())
    assert len(exercise.transcript) == exercise.dyad.n_runs and exercise.transcript[0].startswith("0")
    perfect = score_coding(exercise.truth_codes, exercise)
    assert perfect.percent_agreement == 100.0
    flipped = "".join("X" if c == "M" else "M" for c in exercise.truth_codes)
    assert score_coding(flipped, exercise).percent_agreement == 0.0
    with pytest.raises(ValueError, match="duration_s"):
        coding_exercise(5, seed=1)


# --- figure and view ------------------------------------------------------------------


def test_plot_and_description_show_the_result():
    result = simulate_dyad(*DEFAULTS, 300, seed=1)
    fig = plot_dyad(result)
    ax = fig.axes[0]
    assert "(s)" in ax.get_xlabel() and "distress" in ax.get_ylabel().lower() and ax.get_title()
    assert ax.get_legend() is not None and ax.get_xlim() == (0, 300)
    text = describe_dyad(result)
    assert f"{result.fraction_matched:.0%}" in text and f"{result.ruptures:,} ruptures" in text
    still = simulate_still_face(*DEFAULTS, seed=1)
    labels = [t.get_text() for t in plot_dyad(still).axes[0].texts]
    assert labels == ["Play", "Still-face", "Reunion"]
    assert f"{still.reunion.mean_distress:.2f}" in describe_dyad(still)
    year = simulate_dyad(*DEFAULTS, 100_000, seed=1)
    assert "first 3,600 of 100,000 s" in plot_dyad(year).axes[0].get_title()


def test_explorer_updates_result_and_summary_when_a_control_moves():
    view = RuptureRepairExplorer()
    assert isinstance(view.result, DyadResult) and view.result.duration_s == 360
    before_summary, before_figure = view.summary.value, view.figure.value
    assert "<code>responsiveness = 0.50; self_regulation = 0.30; break_rate = 0.20</code>" in before_summary
    view.controls["responsiveness"].value = 0.9
    expected = simulate_dyad(0.9, DEFAULTS[1], DEFAULTS[2], 360, 1)
    assert view.result == expected
    assert view.result.fraction_matched == expected.fraction_matched
    assert view.summary.value != before_summary and view.figure.value != before_figure
    assert f"Matched <b>{expected.fraction_matched:.0%}</b>" in view.summary.value
    assert "responsiveness = 0.90" in view.summary.value
    view.controls["still_face"].value = True
    assert isinstance(view.result, StillFaceResult) and view.result.episode_s == 120
    assert view.result == simulate_still_face(0.9, DEFAULTS[1], DEFAULTS[2], episode_s=120, seed=1)
    assert "Still-face" in view.summary.value and "Reunion" in view.summary.value


def test_still_face_episode_boundaries_follow_the_chain():
    """Every second-to-second step, episode boundaries included, is a step of the Markov chain:
    with break_rate 1 a matched second is always followed by a mismatched one."""
    pairs = 0
    for seed in range(300):
        states = simulate_still_face(0.5, 0.3, 1.0, episode_s=60, seed=seed).timeline.to_states()
        matched = states == 1
        pairs += int(np.sum(matched[:-1] & matched[1:]))
    assert pairs == 0


def test_still_face_boundary_steps_use_the_new_episode_rate():
    """Mismatched at the last play second: the first still-face second is matched only through the
    infant's own repair (self_regulation x S_MAX); with self_regulation 0 that never happens."""
    for seed in range(200):
        states = simulate_still_face(0.9, 0.0, 0.5, episode_s=30, seed=seed).timeline.to_states()
        if states[29] == 0:
            assert states[30] == 0, seed
