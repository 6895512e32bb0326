"""Tests for widgets.attachment: Strange Situation data, the secure-base model, attunement coding, views."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from matplotlib.figure import Figure

from widgets import attachment as att
from widgets.data import load_table


# ---------------------------------------------------------------- data -------
def test_strange_situation_table_has_the_fact_sheet_rows_and_status():
    table = att.strange_situation()
    assert att.sample_keys() == (
        "ainsworth_1978_pooled", "ainsworth_baltimore", "vanijzendoorn_kroonenberg_1988",
        "vanijzendoorn_1999_middle_class", "madigan_2023", "preschool_97_samples",
    )
    assert set(table.column("status")) == {"V", "V-sec"}
    assert table.citation and "Madigan" in table.citation
    madigan = att.sample_distribution("madigan_2023")
    assert madigan.n == 20720 and madigan.status == "V"
    assert madigan.percent == {"A": 14.7, "B": 51.6, "C": 10.2, "D": 23.5}
    preschool = att.sample_distribution("preschool_97_samples")
    assert preschool.percent == {"A": 14.0, "B": 53.5, "C": 11.0, "D": 21.5}
    assert att.sample_distribution("vanijzendoorn_1999_middle_class").percent["D"] == 15.0
    ainsworth = att.sample_distribution("ainsworth_1978_pooled")
    assert ainsworth.status == "V-sec" and ainsworth.percent["B"] == 66.0 and ainsworth.percent["D"] is None


def test_complete_rows_add_to_100_percent():
    for key in att.sample_keys():
        dist = att.sample_distribution(key)
        if len(dist.reported) >= 3:
            assert sum(dist.percent[c] for c in dist.reported) == pytest.approx(100.0, abs=0.05), key
            assert dist.unreported_percent == pytest.approx(0.0, abs=0.05)
    assert att.sample_distribution("vanijzendoorn_1999_middle_class").unreported_percent == pytest.approx(85.0)


def test_only_verified_rows_carry_a_D_category_with_a_full_split():
    for key in att.sample_keys():
        dist = att.sample_distribution(key)
        if dist.status == "V-sec":
            assert dist.percent["D"] is None, key


def test_expected_counts_are_n_times_percent_over_100():
    counts = att.expected_counts("madigan_2023", 250).counts
    assert counts["B"] == pytest.approx(129.0)
    assert counts["D"] == pytest.approx(58.75)
    assert sum(counts.values()) == pytest.approx(250.0)
    partial = att.expected_counts("vanijzendoorn_1999_middle_class", 200).counts
    assert partial["D"] == pytest.approx(30.0) and partial["B"] is None


@pytest.mark.parametrize("bad", [0, -5, 2.5, True, "100", None])
def test_expected_counts_rejects_bad_n(bad):
    with pytest.raises(ValueError, match=r"^n:"):
        att.expected_counts("madigan_2023", bad)


@pytest.mark.parametrize("bad", ["bowlby_1969", 3, None])
def test_unknown_sample_is_named(bad):
    with pytest.raises(ValueError, match=r"^sample:"):
        att.sample_distribution(bad)


def test_compare_samples_validates_the_selection():
    with pytest.raises(ValueError, match=r"^samples:"):
        att.compare_samples(())
    with pytest.raises(ValueError, match=r"^samples:"):
        att.compare_samples("madigan_2023")
    with pytest.raises(ValueError, match=r"^samples:"):
        att.compare_samples(["madigan_2023", "madigan_2023"])
    comp = att.compare_samples(["ainsworth_1978_pooled", "madigan_2023"], n=1000)
    assert [e.counts["B"] for e in comp.expected] == pytest.approx([660.0, 516.0])


def test_strange_situation_figures_draw_every_reported_value():
    comp = att.compare_samples(list(att.sample_keys()))
    fig = att.plot_strange_situation(comp, "stacked")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    reported = sum(len(d.reported) for d in comp.distributions)
    unreported = sum(1 for d in comp.distributions if d.unreported_percent > 0.05)
    assert len(ax.patches) == reported + unreported
    assert {p.get_hatch() for p in ax.patches} >= {"//", "\\\\", "xx", ".."}
    assert ax.get_xlabel() and ax.get_title()
    grouped = att.plot_strange_situation(comp, "grouped")
    assert len(grouped.axes[0].patches) == 4 * len(comp.distributions)
    with pytest.raises(ValueError, match=r"^mode:"):
        att.plot_strange_situation(comp, "pie")
    text = att.describe_strange_situation(comp)
    assert "B 51.6%" in text and "B 66%" in text and "not reported" in text


def test_strange_situation_explorer_headless():
    view = att.StrangeSituationExplorer()
    assert [d.key for d in view.result.distributions] == ["ainsworth_1978_pooled", "madigan_2023"]
    assert "66% &rarr; 66.0" in view.summary.value
    view.controls["n"].value = 250
    assert view.result.n == 250
    assert "51.6% &rarr; 129.0" in view.summary.value
    before = view.figure.value
    view.controls["mode"].value = "grouped"
    assert view.figure.value != before
    view.controls["samples"].value = ("preschool_97_samples",)
    assert [d.key for d in view.result.distributions] == ["preschool_97_samples"]
    assert "53.5% &rarr; 133.8" in view.summary.value
    view.controls["samples"].value = ()
    assert "choose at least one sample" in view.error.value
    assert [d.key for d in view.result.distributions] == ["preschool_97_samples"]  # last good result kept


# ------------------------------------------------------- secure base model -----
def test_secure_base_same_seed_same_result_different_seed_differs():
    a = att.simulate_secure_base(0.6, seed=4)
    b = att.simulate_secure_base(0.6, seed=4)
    c = att.simulate_secure_base(0.6, seed=5)
    assert np.array_equal(a.distance_m, b.distance_m) and a.fraction_exploring == b.fraction_exploring
    assert not np.array_equal(a.distance_m, c.distance_m)
    gen = np.random.default_rng(4)
    assert np.array_equal(att.simulate_secure_base(0.6, seed=gen).distance_m, a.distance_m)


def test_secure_base_without_drain_or_startles_roams_to_the_comfort_radius_and_stays():
    res = att.simulate_secure_base(0.5, startle_per_min=0.0, drain_per_s=0.0, duration_s=60, seed=0)
    # security stays at 0.8, so the infant walks out at 0.3 m/s to 0.8 x 5 m = 4 m
    assert res.fraction_exploring == 1.0 and res.n_returns == 0
    assert res.distance_m[0] == pytest.approx(0.3)
    assert res.distance_m[12] == pytest.approx(3.9)
    assert res.distance_m[13] == pytest.approx(4.0)
    assert np.allclose(res.distance_m[13:], 4.0)
    assert np.allclose(res.security, 0.8)


def test_secure_base_without_comfort_or_self_soothing_stays_at_base():
    res = att.simulate_secure_base(0.0, self_soothe_per_s=0.0, startle_per_min=0.0, duration_s=900, seed=2)
    assert res.n_returns == 1
    assert res.mode[-1] == att.MODES.index("at base")
    first_base = int(np.argmax(res.mode == att.MODES.index("at base")))
    assert np.all(res.mode[first_base:] == att.MODES.index("at base"))
    assert math.isnan(res.mean_base_visit_s)  # the stay never ends


def test_secure_base_full_comfort_refuels_in_hand_computed_seconds():
    res = att.simulate_secure_base(1.0, startle_per_min=0.0, duration_s=400, seed=0)
    base = att.MODES.index("at base")
    # security arrives at base just under 0.3 and gains 0.1 per second until >= 0.8
    arrival = int(np.argmax(res.mode == base))
    s_arrive = res.security[arrival - 1]
    assert 0.2 < s_arrive < 0.3
    expected_stay = math.ceil((0.8 - s_arrive) / 0.1 - 1e-9)
    assert res.mean_base_visit_s == pytest.approx(expected_stay)
    assert np.all(res.comforted[res.mode == base])


def test_secure_base_invariants_and_summaries_match_the_arrays():
    res = att.simulate_secure_base(0.4, startle_per_min=1.0, seed=9)
    assert res.time_s.shape == res.distance_m.shape == res.security.shape == (600,)
    assert np.all((res.security >= 0) & (res.security <= 1))
    assert np.all((res.distance_m >= 0) & (res.distance_m <= 5.0))
    assert np.all(res.distance_m[res.mode == 2] == 0.0)
    assert res.fraction_exploring == pytest.approx(np.mean(res.mode == 0))
    assert res.mean_distance_m == pytest.approx(res.distance_m.mean())
    starts = np.sum((res.mode[1:] == 1) & (res.mode[:-1] != 1)) + (res.mode[0] == 1)
    assert res.n_returns == starts
    assert not res.comforted[res.mode != 2].any()
    with pytest.raises(ValueError):
        res.distance_m[0] = 1.0  # arrays are read-only


def test_more_responsive_caregiver_means_more_exploration_on_average():
    seeds = range(8)
    low = np.mean([att.simulate_secure_base(0.1, seed=s).fraction_exploring for s in seeds])
    high = np.mean([att.simulate_secure_base(0.9, seed=s).fraction_exploring for s in seeds])
    assert high > low + 0.1
    low_stay = np.nanmean([att.simulate_secure_base(0.1, seed=s).mean_base_visit_s for s in seeds])
    high_stay = np.nanmean([att.simulate_secure_base(0.9, seed=s).mean_base_visit_s for s in seeds])
    assert high_stay < low_stay


@pytest.mark.parametrize("kwargs, name", [
    ({"responsiveness": 1.5}, "responsiveness"),
    ({"responsiveness": -0.1}, "responsiveness"),
    ({"responsiveness": "0.5"}, "responsiveness"),
    ({"responsiveness": True}, "responsiveness"),
    ({"startle_per_min": -1}, "startle_per_min"),
    ({"duration_s": 0}, "duration_s"),
    ({"duration_s": 10.5}, "duration_s"),
    ({"seed": "a"}, "seed"),
    ({"seed": -1}, "seed"),
    ({"max_range_m": 0}, "max_range_m"),
    ({"speed_m_per_s": float("nan")}, "speed_m_per_s"),
    ({"return_below": 0.9}, "return_below"),
])
def test_secure_base_rejects_bad_input_naming_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name}"):
        att.simulate_secure_base(**kwargs)


def test_secure_base_figure_and_description():
    res = att.simulate_secure_base(0.7, seed=1)
    fig = att.plot_secure_base(res)
    top, bottom = fig.axes
    assert np.allclose(top.lines[0].get_ydata(), res.distance_m)
    assert bottom.get_xlabel() == "Time (min)" and "m" in top.get_ylabel()
    assert top.get_legend() is not None and bottom.get_legend() is not None
    text = att.describe_secure_base(res)
    assert f"{res.fraction_exploring:.0%}" in text and f"{res.n_returns} times" in text


def test_secure_base_explorer_headless():
    view = att.SecureBaseExplorer()
    first = view.result
    assert first.responsiveness == 0.7 and first.seed == 1
    assert f"{first.fraction_exploring:.1%}" in view.summary.value
    view.controls["responsiveness"].value = 0.1
    expected = att.simulate_secure_base(0.1, startle_per_min=0.5, seed=1)
    assert view.result.responsiveness == 0.1
    assert view.result.fraction_exploring == expected.fraction_exploring
    assert f"{expected.fraction_exploring:.1%}" in view.summary.value
    view.controls["seed"].value = 2
    assert view.result.seed == 2 and "seed=2" in view.summary.value


# ------------------------------------------------------------ attunement -----
def test_course_rule_reproduces_every_worked_example_label():
    examples = att.attunement_examples()
    assert len(examples) == len(load_table("attunement_examples").rows) >= 6
    assert {e.course_label for e in examples} == set(att.LABELS)
    for example in examples:
        assert att.assess_example(example.key).assessment.label == example.course_label, example.key


def test_attunement_rule_dimensions():
    infant = att.Expression("movement", "burst", 0.8, 0.0, 2.0)
    attuned = att.assess_attunement(infant, att.Expression("voice", "burst", 0.7, 0.5, 2.0))
    assert attuned.label == "attuned" and attuned.cross_modal
    copy = att.assess_attunement(infant, att.Expression("movement", "burst", 0.8, 0.5, 2.0), copies_behaviour=True)
    assert copy.label == "imitation"
    too_loud = att.assess_attunement(infant, att.Expression("voice", "burst", 0.5, 0.5, 2.0))
    assert too_loud.label == "misattuned" and not too_loud.intensity_matched
    too_late = att.assess_attunement(infant, att.Expression("voice", "burst", 0.8, 3.0, 2.0))
    assert too_late.label == "misattuned" and not too_late.timing_matched and too_late.onset_lag_s == 3.0
    too_long = att.assess_attunement(infant, att.Expression("voice", "burst", 0.8, 0.2, 4.0))
    assert not too_long.timing_matched and too_long.duration_ratio == 2.0
    other_shape = att.assess_attunement(infant, att.Expression("voice", "steady", 0.8, 0.2, 2.0))
    assert other_shape.label == "misattuned" and not other_shape.shape_matched
    edge = att.assess_attunement(infant, att.Expression("voice", "burst", 0.6, 1.5, 3.0))
    assert edge.label == "attuned"  # exactly at each tolerance


def test_attunement_rejects_bad_input():
    with pytest.raises(ValueError, match=r"^shape:"):
        att.Expression("voice", "zigzag", 0.5, 0.0, 1.0)
    with pytest.raises(ValueError, match=r"^modality:"):
        att.Expression("smell", "burst", 0.5, 0.0, 1.0)
    with pytest.raises(ValueError, match=r"^peak:"):
        att.Expression("voice", "burst", 1.5, 0.0, 1.0)
    with pytest.raises(ValueError, match=r"^duration_s:"):
        att.Expression("voice", "burst", 0.5, 0.0, 0.0)
    infant = att.Expression("movement", "burst", 0.8, 0.0, 2.0)
    with pytest.raises(ValueError, match=r"^copies_behaviour:"):
        att.assess_attunement(infant, att.Expression("voice", "burst", 0.8, 0.0, 2.0), copies_behaviour=True)
    with pytest.raises(ValueError, match=r"^copies_behaviour:"):
        att.assess_attunement(infant, infant, copies_behaviour="yes")
    with pytest.raises(ValueError, match=r"^response:"):
        att.assess_attunement(infant, "loud")
    with pytest.raises(ValueError, match=r"^key:"):
        att.assess_example("no_such_example")


def test_expression_contour_shapes():
    t = np.linspace(0, 5, 501)
    burst = att.expression_contour(att.Expression("voice", "burst", 0.8, 1.0, 2.0), t)
    assert burst.max() == pytest.approx(0.8)
    assert t[np.argmax(burst)] == pytest.approx(1.4)  # 20% into a 2 s burst starting at 1 s
    assert np.all(burst[(t < 1.0) | (t > 3.0)] == 0.0)
    swell = att.expression_contour(att.Expression("voice", "swell", 0.5, 0.0, 4.0), t)
    assert t[np.argmax(swell)] == pytest.approx(3.0)
    steady = att.expression_contour(att.Expression("touch", "steady", 0.4, 0.0, 4.0), t)
    assert np.allclose(steady[(t >= 0.4) & (t <= 3.6)], 0.4)


def test_attunement_figure_of_a_worked_example():
    result = att.assess_example("too_big")
    fig = att.plot_attunement(result)
    ax = fig.axes[0]
    assert len(ax.lines) == 2 and max(ax.lines[1].get_ydata()) == pytest.approx(1.0, abs=0.01)
    assert "misattuned" in att.describe_attunement(result)


@pytest.mark.parametrize("dimension", att.DIMENSIONS)
def test_matching_puzzle_has_exactly_one_match_in_another_modality(dimension):
    letters = set()
    for seed in range(150):
        puzzle = att.matching_puzzle(dimension, seed=seed)
        matches = [letter for letter, option in zip(att.OPTION_LETTERS, puzzle.options)
                   if att.check_match(puzzle, letter).matched[dimension]]
        assert matches == [puzzle.answer], seed
        assert all(option.modality != puzzle.infant.modality for option in puzzle.options)  # cross-modal
        assert all(option.onset_s + option.duration_s <= 11.0 for option in puzzle.options)  # inside the axes
        letters.add(puzzle.answer)
    assert letters == set(att.OPTION_LETTERS)


def test_matching_puzzle_seeds():
    assert att.matching_puzzle("shape", seed=4) == att.matching_puzzle("shape", seed=4)
    assert att.matching_puzzle("shape", seed=4) != att.matching_puzzle("shape", seed=5)
    assert att.matching_puzzle("shape", seed=4).infant != att.matching_puzzle("timing", seed=4).infant
    from_generator = att.matching_puzzle("timing", seed=np.random.default_rng(9))
    assert from_generator == att.matching_puzzle("timing", seed=np.random.default_rng(9))
    assert from_generator.seed is None


def _hand_puzzle(dimension):
    infant = att.Expression("movement", "burst", 0.8, 0.0, 2.0)
    options = (att.Expression("voice", "burst", 0.75, 0.5, 2.0),   # matches all three
               att.Expression("face", "swell", 0.3, 0.4, 2.0),     # too soft, another shape, timing fine
               att.Expression("touch", "burst", 0.8, 3.0, 2.0))    # same strength and shape, 3 s late
    answer = {"intensity": "A", "timing": "A", "shape": "A"}[dimension]
    return att.MatchPuzzle(dimension=dimension, infant=infant, options=options, answer=answer, seed=None)


def test_check_match_says_whether_and_why():
    puzzle = _hand_puzzle("intensity")
    assert att.check_match(puzzle, "").correct is None
    right = att.check_match(puzzle, "A")
    assert right.correct and right.message.startswith("Yes: response A matches the infant's intensity")
    assert "gap of 0.05" in right.message and "in voice, not the infant's movement" in right.message
    soft = att.check_match(puzzle, "B")
    assert soft.correct is False and "gap of 0.50" in soft.message  # |0.3 - 0.8|
    assert soft.matched == {"intensity": False, "timing": True, "shape": False}
    late = att.check_match(_hand_puzzle("timing"), "C")
    assert late.correct is False
    assert "starts 3.0 s after the infant and lasts 1.00 times as long" in late.message
    assert "It does match the intensity and the shape" in late.message  # a near miss, said so
    shape = att.check_match(_hand_puzzle("shape"), "B")
    assert "it is a swell against the infant's burst" in shape.message and "Compare where each contour" in shape.message


@pytest.mark.parametrize("call, name", [
    (lambda: att.matching_puzzle("colour", seed=1), "dimension"),
    (lambda: att.matching_puzzle("shape", seed=-1), "seed"),
    (lambda: att.matching_puzzle("shape", seed=1.5), "seed"),
    (lambda: att.check_match(att.matching_puzzle("shape", seed=1), "D"), "choice"),
    (lambda: att.check_match("A puzzle", "A"), "puzzle"),
    (lambda: att.matching_puzzle("shape", seed=1).option("Z"), "letter"),
])
def test_matching_rejects_bad_input(call, name):
    with pytest.raises(ValueError, match=rf"^{name}:"):
        call()


def test_attunement_sorter_headless():
    view = att.AttunementSorter()
    puzzle = view.result.puzzle
    assert puzzle == att.matching_puzzle("intensity", seed=1)
    assert "Pick A, B or C" in view.summary.value
    figure = view._figure
    wrong = next(letter for letter in att.OPTION_LETTERS if letter != puzzle.answer)
    view.controls["choice"].value = wrong
    assert view.result.correct is False
    assert f"Not this one: response {wrong} does not match the infant&#x27;s intensity" in view.summary.value
    view.controls["choice"].value = puzzle.answer
    assert view.result.correct
    assert f"Yes: response {puzzle.answer} matches the infant&#x27;s intensity" in view.summary.value
    assert view._figure is figure  # the same figure, changed in place
    assert any(ax.get_title() == f"{puzzle.answer} ({puzzle.option(puzzle.answer).modality}): your pick, a match"
               for ax in figure.axes)
    view.controls["dimension"].value = "shape"
    assert view.result.puzzle == att.matching_puzzle("shape", seed=1)
    view.new_example.click()  # a new example clears the pick
    assert view.controls["example"].value == 2 and view.controls["choice"].value == ""
    assert view.result.puzzle == att.matching_puzzle("shape", seed=2) and view.result.choice is None
    assert "Pick A, B or C" in view.summary.value
    for moment in ("bounce_drum", "bubble_echo", "shy_smile_cheer", "pull_up_pressure", "peekaboo_flat"):
        assert moment not in view.summary.value + view.figure.value  # Exercise 6's moments never appear


@settings(max_examples=40, deadline=None)
@given(responsiveness=st.floats(0, 1), startle=st.floats(0, 3), seed=st.integers(0, 10_000),
       n=st.integers(1, 5000))
def test_secure_base_and_expected_counts_properties(responsiveness, startle, seed, n):
    res = att.simulate_secure_base(responsiveness, startle_per_min=startle, duration_s=120, seed=seed)
    assert 0.0 <= res.fraction_exploring <= 1.0
    assert np.all((res.security >= 0) & (res.security <= 1))
    assert np.all(res.distance_m[res.mode == 2] == 0.0)
    assert not res.comforted[res.mode != 2].any()
    counts = att.expected_counts("madigan_2023", n).counts
    assert sum(counts.values()) == pytest.approx(n)
