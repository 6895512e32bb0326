"""Temperament: packaged dimensions, the course's classification rule, goodness of fit, population, view."""
import math
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from widgets import temperament as T
from widgets.data import load_table

STEPS = T.SCALE_STEPS
ratings = st.floats(min_value=1.0, max_value=3.0, allow_nan=False)
step_ratings = st.sampled_from(STEPS)


def profiles(values=ratings, **fixed):
    """Hypothesis strategy: Profiles with some dimensions drawn from given strategies."""
    return st.fixed_dictionaries({name: fixed.get(name, values) for name in T.DIMENSIONS}).map(
        lambda r: T.make_profile(**r))


# --------------------------------------------------------------------------- packaged data
def test_packaged_table_lists_the_nine_dimensions_with_their_citation():
    table = load_table("temperament_dimensions")
    assert tuple(table.column("key")) == T.DIMENSIONS
    assert "PMC4514481" in table.citation and "Chess & Thomas (1996)" in table.citation
    rows = {row["key"]: row for row in table.rows}
    assert rows["approach"]["dimension"] == "Approach/Withdrawal"
    assert rows["threshold"]["dimension"] == "Threshold of responsiveness"
    for row in table.rows:
        assert row["suggestion_if_child_higher"].strip() and row["suggestion_if_child_lower"].strip(), row["key"]
        assert row["suggestion_if_child_higher"] != row["suggestion_if_child_lower"], row["key"]


# Fragments of Chess & Thomas's (1996) definitions, which notebook 10, Exercise 1 asks the learner to match.
GRADED_DEFINITIONS = (
    "the motor component of functioning",
    "regularity, predictability of functions",
    "nature of the initial response to a new stimulus",
    "ease with which responses to new or altered situations",
    "energy level of a response",
    "pleasant, joyful, friendly vs unpleasant",
    "how effectively environmental stimuli interfere",
    "continuing an activity in the face of obstacles",
    "intensity of stimulation needed to evoke a response",
)


def test_the_graded_definitions_are_not_packaged():
    # Exercise 1 of notebook 10 is graded on these definitions: no packaged table or module may hold them.
    table = load_table("temperament_dimensions")
    assert "definition" not in table.columns and all("definition" not in row for row in table.rows)
    assert "definition" not in {f.name for f in fields(T.DimensionInfo)}
    assert not hasattr(T.dimension_info()["rhythmicity"], "definition")
    package = Path(T.__file__).parent
    files = sorted((package / "data").iterdir()) + sorted(package.glob("*.py"))
    assert any(p.name == "temperament_dimensions.csv" for p in files)
    for path in files:
        text = path.read_text(encoding="utf-8").casefold()
        for fragment in GRADED_DEFINITIONS:
            assert fragment.casefold() not in text, (path.name, fragment)


def test_dimension_info_matches_the_table_and_gives_the_scale_in_words():
    info = T.dimension_info()
    assert tuple(info) == T.DIMENSIONS
    assert info["approach"].scale_text() == "1 withdraws - 3 approaches"
    assert info["mood"].scale_text() == "1 negative - 3 positive"
    assert info["rhythmicity"].scale_text() == "1 irregular - 3 regular"


# --------------------------------------------------------------------------- profiles
def test_make_profile_keeps_ratings_and_fills_a_default():
    profile = T.make_profile(default=2, mood=1.5, activity=np.float64(3), approach=np.int64(1))
    assert profile.as_dict() == {**dict.fromkeys(T.DIMENSIONS, 2.0), "mood": 1.5, "activity": 3.0, "approach": 1.0}
    assert profile.as_array().tolist() == [3.0, 2.0, 1.0, 2.0, 2.0, 1.5, 2.0, 2.0, 2.0]
    assert type(profile.activity) is float
    assert profile.with_ratings(mood=3).mood == 3.0 and profile.mood == 1.5


@pytest.mark.parametrize("dimension, value", [
    ("mood", 0), ("mood", 3.5), ("activity", 0.999), ("threshold", float("nan")), ("persistence", float("inf")),
    ("intensity", "3"), ("rhythmicity", None), ("approach", True), ("adaptability", [2]),
])
def test_invalid_rating_raises_naming_the_dimension(dimension, value):
    with pytest.raises(ValueError, match=f"^{dimension}: "):
        T.make_profile(default=2, **{dimension: value})


def test_missing_and_unknown_dimensions_raise_naming_them():
    full = dict.fromkeys(T.DIMENSIONS, 2)
    del full["distractibility"]
    with pytest.raises(ValueError, match="^distractibility: missing"):
        T.make_profile(**full)
    with pytest.raises(ValueError, match="^moood: unknown dimension"):
        T.make_profile(default=2, moood=1)
    with pytest.raises(ValueError, match="^default: "):
        T.make_profile(default=4)
    with pytest.raises(ValueError, match="^mood: "):
        T.make_profile(default=2).with_ratings(mood=-1)


def test_profile_constructor_validates_too():
    with pytest.raises(ValueError, match="^threshold: "):
        T.Profile(*([2.0] * 8), float("nan"))


# --------------------------------------------------------------------------- classification
# The verified profile descriptions (FACTS §21), each word at the pole it names; all other
# dimensions are free. Every such profile must classify as its own type.
EASY = dict(rhythmicity=st.sampled_from([2.5, 3.0]), approach=st.sampled_from([2.5, 3.0]),
            adaptability=st.sampled_from([2.5, 3.0]), intensity=st.sampled_from([1.0, 1.5, 2.0]),
            mood=st.sampled_from([2.5, 3.0]))
DIFFICULT = dict(rhythmicity=st.sampled_from([1.0, 1.5]), approach=st.sampled_from([1.0, 1.5]),
                 adaptability=st.sampled_from([1.0, 1.5]), intensity=st.sampled_from([2.5, 3.0]),
                 mood=st.sampled_from([1.0, 1.5]))
SLOW = dict(approach=st.sampled_from([1.0, 1.5]), adaptability=st.sampled_from([1.0, 1.5]),
            mood=st.sampled_from([1.0, 1.5, 2.0]), activity=st.sampled_from([1.0, 1.5]),
            intensity=st.sampled_from([1.0, 1.5]))


@pytest.mark.parametrize("label, description", [("easy", EASY), ("difficult", DIFFICULT), ("slow-to-warm-up", SLOW)])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_each_verified_profile_description_classifies_as_its_own_type(label, description, data):
    profile = data.draw(profiles(**description))
    result = T.classify(profile)
    assert result.label == label
    assert result.criteria_met[label] == 5
    assert result.reasons[0].startswith(f"{label}: all 5 criteria met")
    for criterion in T.CRITERIA[label]:
        assert criterion.dimension in result.reasons[0]


def test_textbook_profiles_and_their_reasons():
    easy = T.make_profile(default=2, rhythmicity=3, approach=3, adaptability=3, intensity=2, mood=3)
    difficult = T.make_profile(default=2, rhythmicity=1, approach=1, adaptability=1, intensity=3, mood=1)
    slow = T.make_profile(default=2, approach=1, adaptability=1, mood=1.5, activity=1, intensity=1)
    assert [T.classify(p).label for p in (easy, difficult, slow)] == ["easy", "difficult", "slow-to-warm-up"]
    assert "rhythmicity 3 is regular (rule: >= 2.5)" in T.classify(easy).reasons[0]
    assert T.classify(difficult).reasons[1].startswith("not easy (0 of 5 criteria met)")


def test_a_profile_one_criterion_short_is_intermediate_and_says_which_criterion_failed():
    nearly_easy = T.make_profile(default=2, rhythmicity=2, approach=3, adaptability=3, intensity=2, mood=3)
    result = T.classify(nearly_easy)
    assert result.label == "intermediate"
    assert result.criteria_met == {"easy": 4, "difficult": 0, "slow-to-warm-up": 0}
    assert result.closest == "easy"
    assert result.reasons[0] == "not easy (4 of 5 criteria met): rhythmicity 2 is not regular (rule: >= 2.5)"
    failed = [c for c in result.checks if c.profile_type == "easy" and not c.met]
    assert [(c.criterion.dimension, c.rating) for c in failed] == [("rhythmicity", 2.0)]


def test_the_other_four_dimensions_never_change_the_label():
    base = T.make_profile(default=2, approach=1, adaptability=1, mood=2, activity=1.5, intensity=1.5)
    for dims in ([1] * 4, [3] * 4, [1, 3, 1, 3]):
        changed = base.with_ratings(**dict(zip(["rhythmicity", "distractibility", "persistence", "threshold"], dims)))
        assert T.classify(changed).label == "slow-to-warm-up"


@settings(max_examples=200, deadline=None)
@given(profile=profiles(step_ratings))
def test_types_are_mutually_exclusive_and_the_array_rule_agrees(profile):
    result = T.classify(profile)
    complete = [kind for kind, n in result.criteria_met.items() if n == 5]
    assert len(complete) <= 1
    assert result.label == (complete[0] if complete else "intermediate")
    assert T.TYPES[T._classify_array(profile.as_array()[None, :])[0]] == result.label


def test_classify_accepts_a_mapping_and_rejects_other_types():
    assert T.classify(dict.fromkeys(T.DIMENSIONS, 2)).label == "intermediate"
    with pytest.raises(ValueError, match="^profile: expected a Profile"):
        T.classify([2] * 9)
    with pytest.raises(ValueError, match="^profile: mood: "):
        T.classify({**dict.fromkeys(T.DIMENSIONS, 2), "mood": float("nan")})


# --------------------------------------------------------------------------- goodness of fit
def test_fit_by_hand_arithmetic():
    """Strain = the part of |child - setting| beyond the setting's flex (scale points); mismatch = strain / 2."""
    child = T.make_profile(default=2)
    setting = child.with_ratings(activity=3, mood=1, threshold=2.5, approach=3.5 - 0.5)
    result = T.goodness_of_fit(child, setting, flex=0.5)
    assert result.gaps["activity"] == -1 and result.gaps["mood"] == 1 and result.gaps["threshold"] == -0.5
    assert result.strain["activity"] == 0.5 and result.strain["threshold"] == 0.0  # within the flex: no strain
    assert result.mismatch["activity"] == 0.25 and result.mismatch["approach"] == 0.25
    assert result.score == pytest.approx(1 - (0.25 + 0.25 + 0.25) / 9)
    assert result.flex == dict.fromkeys(T.DIMENSIONS, 0.5)
    assert result.poorest == ()  # no strain reaches a full scale point
    wide = T.goodness_of_fit(child, setting, threshold=0.5)
    assert wide.poorest == ("activity", "approach", "mood")  # equal strains keep the table's order
    info = T.dimension_info()
    assert wide.suggestions == {"activity": info["activity"].suggestion_if_child_lower,
                                "approach": info["approach"].suggestion_if_child_lower,
                                "mood": info["mood"].suggestion_if_child_higher}
    assert result.classification.label == "intermediate"


def test_a_difference_the_setting_can_stretch_to_is_not_misfit():
    """The review's case: a very regular baby (3) with a household that follows cues. A household
    that can accommodate any rhythm is a wide flex; it then accommodates this baby perfectly."""
    baby = T.make_profile(default=2, rhythmicity=3)
    cue_home = baby.with_ratings(rhythmicity=2)
    assert T.goodness_of_fit(baby, cue_home, flex={"rhythmicity": 1}).score == 1.0
    assert T.goodness_of_fit(baby, cue_home, flex={"rhythmicity": 1}).poorest == ()
    # with no flex at all the old symmetric gap returns: the flex is what makes the difference
    assert T.goodness_of_fit(baby, cue_home, flex=0).score == pytest.approx(1 - 0.5 / 9)
    # a demand beyond the stretch is strain, and the suggestion adapts the setting
    clock_home = baby.with_ratings(rhythmicity=3)
    irregular = baby.with_ratings(rhythmicity=1)
    result = T.goodness_of_fit(irregular, clock_home)
    assert result.strain["rhythmicity"] == 1.5 and result.poorest == ("rhythmicity",)
    assert result.score == pytest.approx(1 - 0.75 / 9)
    assert result.suggestions["rhythmicity"] == T.dimension_info()["rhythmicity"].suggestion_if_child_lower


def test_fit_extremes_and_the_threshold():
    assert T.goodness_of_fit(T.make_profile(default=1), T.make_profile(default=3), flex=0).score == 0.0
    assert T.goodness_of_fit(T.make_profile(default=1), T.make_profile(default=3)).score == pytest.approx(0.25)
    assert T.goodness_of_fit(T.make_profile(default=1), T.make_profile(default=3), flex=2).score == 1.0
    child = T.make_profile(default=2, approach=1)
    setting = T.make_profile(default=2, approach=3, mood=3)
    assert T.goodness_of_fit(child, setting).poorest == ("approach",)
    assert T.goodness_of_fit(child, setting, threshold=0.5).poorest == ("approach", "mood")
    assert T.goodness_of_fit(child, setting, threshold=1.5).poorest == ("approach",)
    assert T.goodness_of_fit(child, setting, threshold=2).poorest == ()
    assert T.goodness_of_fit(child, setting, threshold=2, flex=0).poorest == ("approach",)


@settings(max_examples=100, deadline=None)
@given(profile=profiles(), flex=st.floats(0, 2))
def test_fit_is_one_for_identical_profiles(profile, flex):
    result = T.goodness_of_fit(profile, profile, flex=flex)
    assert result.score == 1.0
    assert set(result.mismatch.values()) == {0.0} and set(result.strain.values()) == {0.0}
    assert result.poorest == () and result.suggestions == {}


@settings(max_examples=150, deadline=None)
@given(child=profiles(), setting=profiles(), dimension=st.sampled_from(T.DIMENSIONS),
       near=st.floats(0, 1), far=st.floats(0, 1), flex=st.floats(0, 1))
def test_fit_falls_only_once_a_gap_passes_the_flex(child, setting, dimension, near, far, flex):
    near, far = sorted((near, far))
    c = getattr(child, dimension)
    room = max(3.0 - c, c - 1.0)  # move the setting away from the child on the side with room
    direction = 1.0 if 3.0 - c >= c - 1.0 else -1.0
    closer = setting.with_ratings(**{dimension: c + direction * near * room})
    further = setting.with_ratings(**{dimension: c + direction * far * room})
    s_near = T.goodness_of_fit(child, closer, flex=flex).score
    s_far = T.goodness_of_fit(child, further, flex=flex).score
    assert 0.0 <= s_far <= s_near <= 1.0
    if far * room - max(near * room, flex) > 1e-6:
        assert s_far < s_near  # past the flex, a wider gap always strains more
    if far * room <= flex:
        result = T.goodness_of_fit(child, further, flex=flex)
        assert result.strain[dimension] == 0.0  # within the flex: no strain on this dimension
    assert T.goodness_of_fit(further, child, flex=flex).score == pytest.approx(s_far)  # strain counts either way
    assert T.goodness_of_fit(child, further, flex=flex).score >= T.goodness_of_fit(child, further, flex=0).score


@settings(max_examples=100, deadline=None)
@given(child=profiles(step_ratings), setting=profiles(step_ratings))
def test_poorest_are_sorted_by_strain_and_each_has_a_suggestion(child, setting):
    result = T.goodness_of_fit(child, setting)
    strains = [result.strain[name] for name in result.poorest]
    assert strains == sorted(strains, reverse=True) and all(x >= 1 for x in strains)
    assert set(result.poorest) == {n for n in T.DIMENSIONS if abs(result.gaps[n]) - T.DEFAULT_FLEX >= 1}
    assert list(result.suggestions) == list(result.poorest)


def test_fit_rejects_bad_input_naming_the_parameter():
    profile = T.make_profile(default=2)
    with pytest.raises(ValueError, match="^child: expected a Profile"):
        T.goodness_of_fit("easy", profile)
    with pytest.raises(ValueError, match="^setting: mood: "):
        T.goodness_of_fit(profile, {**dict.fromkeys(T.DIMENSIONS, 2), "mood": 7})
    with pytest.raises(ValueError, match="^setting: rhythmicity: missing"):
        T.goodness_of_fit(profile, {"activity": 2})
    for bad in (0, -1, 2.5, float("nan"), "1", True):
        with pytest.raises(ValueError, match="^threshold: "):
            T.goodness_of_fit(profile, profile, threshold=bad)
    for bad in (-0.5, 2.5, float("nan"), "1", True, None):
        with pytest.raises(ValueError, match="^flex: "):
            T.goodness_of_fit(profile, profile, flex=bad)
    with pytest.raises(ValueError, match="^flex: moood: unknown dimension"):
        T.goodness_of_fit(profile, profile, flex={"moood": 1})
    with pytest.raises(ValueError, match="^flex: mood: "):
        T.goodness_of_fit(profile, profile, flex={"mood": 3})


# --------------------------------------------------------------------------- population
def test_expected_counts_are_n_times_the_nyls_proportions():
    assert T.expected_counts(200) == pytest.approx({"easy": 80, "difficult": 20, "slow-to-warm-up": 30,
                                                    "intermediate": 70})
    assert sum(T.expected_counts(137).values()) == pytest.approx(137)
    assert T.expected_counts(0) == dict.fromkeys(T.TYPES, 0.0)
    for bad in (-1, 2.5, "10", True):
        with pytest.raises(ValueError, match="^n: "):
            T.expected_counts(bad)


def test_same_seed_same_population_different_seeds_differ():
    a, b, c = T.generate_population(500, 7), T.generate_population(500, 7), T.generate_population(500, 8)
    assert np.array_equal(a.ratings, b.ratings) and a.labels == b.labels
    assert not np.array_equal(a.ratings, c.ratings)
    d = T.generate_population(500, np.random.default_rng(7))
    assert np.array_equal(a.ratings, d.ratings)


def test_population_profiles_classify_as_drawn_by_the_scalar_rule():
    population = T.generate_population(400, 3)
    assert population.labels == population.drawn
    assert [T.classify(p).label for p in population.profiles] == list(population.labels)
    assert set(np.unique(population.ratings)) <= set(STEPS)
    assert not population.ratings.flags.writeable
    assert sum(population.counts().values()) == population.n == 400


def test_population_proportions_are_within_four_standard_errors_of_the_nyls_proportions():
    n = 20_000
    population = T.generate_population(n, 2024)
    observed = population.observed_proportions()
    for kind, p in T.NYLS_PROPORTIONS.items():
        standard_error = math.sqrt(p * (1 - p) / n)
        assert abs(observed[kind] - p) < 4 * standard_error, kind


def test_custom_proportions_and_bad_population_input():
    only_easy = T.generate_population(50, 1, proportions={"easy": 1, "difficult": 0, "slow-to-warm-up": 0,
                                                           "intermediate": 0})
    assert only_easy.counts() == {"easy": 50, "difficult": 0, "slow-to-warm-up": 0, "intermediate": 0}
    with pytest.raises(ValueError, match="^proportions: must add up to 1"):
        T.generate_population(10, 1, proportions={"easy": 0.5, "difficult": 0, "slow-to-warm-up": 0,
                                                  "intermediate": 0})
    with pytest.raises(ValueError, match="^proportions: "):
        T.generate_population(10, 1, proportions={"easy": 1})
    for bad in (0, -5, 1.5, None):
        with pytest.raises(ValueError, match="^n: "):
            T.generate_population(bad, 1)
    for bad in (-1, 1.5, "seed", None, True):
        with pytest.raises(ValueError, match="^seed: "):
            T.generate_population(10, bad)


def test_no_global_random_state_and_no_work_at_import():
    before = np.random.get_state()[1].copy()
    T.generate_population(100, 5)
    assert np.array_equal(np.random.get_state()[1], before)
    code = ("import sys, widgets.temperament as t; "
            "assert 'matplotlib.pyplot' not in sys.modules; "
            "assert t._dimension_table.cache_info().currsize == 0; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr


# --------------------------------------------------------------------------- figures
def test_plot_fit_draws_the_ratings_and_marks_the_poorest():
    child = T.make_profile(default=2, approach=1, activity=1)
    setting = T.make_profile(default=2, approach=3, mood=3)
    result = T.goodness_of_fit(child, setting)
    fig = T.plot_fit(result)
    ax = fig.axes[0]
    widths = [bar.get_width() for bar in ax.patches]
    assert widths[:9] == child.as_array().tolist() and widths[9:18] == setting.as_array().tolist()
    assert f"{result.score:.2f}" in ax.get_title()
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_legend() is not None
    assert [t.get_text() for t in ax.get_yticklabels()][2] == "Approach (withdraws-approaches)"


def test_plot_fit_marks_every_poor_dimension():
    result = T.goodness_of_fit(T.make_profile(default=2, approach=1, activity=1),
                               T.make_profile(default=2, approach=3, mood=3), flex=0)
    assert result.poorest == ("approach", "activity", "mood")
    marks = [t.get_text() for t in T.plot_fit(result).axes[0].texts]
    assert marks == ["strain 1\n(1 apart)", "", "strain 2\n(2 apart)", "", "", "strain 1\n(1 apart)", "", "", ""]
    flexed = T.goodness_of_fit(result.child, result.setting)  # half a point of stretch: only approach strains
    marks = [t.get_text() for t in T.plot_fit(flexed).axes[0].texts]
    assert marks == ["", "", "strain 1.5\n(2 apart)", "", "", "", "", "", ""]


def test_describe_fit_names_the_poorest_dimensions_the_score_and_the_label():
    result = T.goodness_of_fit(T.make_profile(default=2, approach=1, mood=1),
                               T.make_profile(default=2, approach=3), flex=0)
    text = T.describe_fit(result)
    assert "approach/withdrawal (child 1, setting 3, strain 2) and mood (child 1, setting 2, strain 1)" in text
    assert f"{result.score:.2f} out of 1" in text and "intermediate" in text
    same = T.goodness_of_fit(T.make_profile(default=2), T.make_profile(default=2))
    assert "no dimension strains the setting by 1 scale point or more" in T.describe_fit(same)
    with pytest.raises(ValueError, match="^result: "):
        T.describe_fit(0.5)


def test_plot_fit_into_given_axes():
    from widgets.figures import new_figure
    fig, axes = new_figure(nrows=1, ncols=2)
    result = T.goodness_of_fit(T.make_profile(default=2), T.make_profile(default=3))
    assert T.plot_fit(result, ax=axes[1]) is fig
    assert len(axes[1].patches) == 18 and len(axes[0].patches) == 0


def test_plot_population_shows_observed_and_expected_counts():
    population = T.generate_population(300, 11)
    ax = T.plot_population(population).axes[0]
    heights = [bar.get_height() for bar in ax.patches]
    counts, expected = population.counts(), T.expected_counts(300)
    assert heights[:4] == [counts[k] for k in T.TYPES]
    assert heights[4:] == pytest.approx([expected[k] for k in T.TYPES])
    text = T.describe_population(population)
    assert f"easy {counts['easy']} observed vs 120 expected" in text


# --------------------------------------------------------------------------- view
def test_matcher_starts_at_a_perfect_fit_and_follows_a_slider():
    view = T.TemperamentMatcher()
    assert view.result.score == 1.0 and view.result.poorest == ()
    assert "Goodness of fit: 1.00" in view.summary.value
    figure_before = view.figure.value
    view.controls["child_approach"].value = 1.0
    view.controls["setting_approach"].value = 3.0
    expected = T.goodness_of_fit(T.make_profile(default=2, approach=1), T.make_profile(default=2, approach=3))
    assert view.result.score == pytest.approx(expected.score)
    assert view.result.poorest == ("approach",)
    assert f"Goodness of fit: {expected.score:.2f}" in view.summary.value
    suggestion = T.dimension_info()["approach"].suggestion_if_child_lower
    assert suggestion.split(";")[0] in view.summary.value
    assert "approach/withdrawal (child 1, setting 3, strain 1.5)" in view.figure.value  # alt text and caption
    assert view.figure.value != figure_before
    figure_object = view._fit_figure.figure
    view.controls["flex"].value = 1.0  # a setting that stretches further: less strain, the same Figure redrawn
    assert view.result.strain["approach"] == 1.0 and view.result.score > expected.score
    assert view._fit_figure.figure is figure_object
    view.controls["setting_approach"].value = 2.0
    assert view.result.score == 1.0 and "none; no dimension strains the setting" in view.summary.value


def test_matcher_shows_the_classification_with_reasons():
    slow = T.make_profile(default=2, approach=1, adaptability=1, mood=1.5, activity=1, intensity=1)
    view = T.TemperamentMatcher(child=slow, setting=slow)
    assert view.result.classification.label == "slow-to-warm-up"
    assert "course's teaching rule:</b> slow-to-warm-up" in view.summary.value
    view.controls["child_intensity"].value = 3.0
    assert view.result.classification.label == "intermediate"
    assert "not slow-to-warm-up (4 of 5 criteria met): intensity 3 is not mild in intensity" in view.summary.value


def test_matcher_layout_labels_and_bad_initial_values():
    view = T.TemperamentMatcher()
    assert view.controls["child_activity"].description == "Child: activity level (1 low - 3 high)"
    assert view.controls["setting_mood"].description == "Setting expects: mood (1 negative - 3 positive)"
    left, right = view.widget.children[1].children  # sliders and text beside the figure (side_by_side)
    columns = left.children[:2]
    assert view.figure in right.children
    assert [c.description for c in columns[0].children[1:]] == [f"Child: {T.dimension_info()[d].dimension.lower()} "
                                                              f"({T.dimension_info()[d].scale_text()})"
                                                              for d in T.DIMENSIONS]
    assert all(c.description.startswith("Setting expects") for c in columns[1].children[1:-1])
    assert columns[1].children[-1] is view.controls["flex"] and view.controls["flex"].value == T.DEFAULT_FLEX
    assert view.summary in left.children
    with pytest.raises(ValueError, match="no_such_control"):
        T.TemperamentMatcher(no_such_control=1)
    with pytest.raises(ValueError, match="^child: "):
        T.TemperamentMatcher(child="easy")


def test_a_one_point_gap_from_float_arithmetic_still_counts():
    """2.3 - 1.3 is 0.9999999999999998 in floating point: still a full scale point apart."""
    child = dict.fromkeys(T.DIMENSIONS, 2.0) | {"approach": 2.3}
    setting = dict.fromkeys(T.DIMENSIONS, 2.0) | {"approach": 1.3}
    result = T.goodness_of_fit(child, setting, flex=0)
    assert tuple(result.poorest) == ("approach",)
    assert "no dimension strains" not in T.describe_fit(result)
    # 2.8 - 1.3 - 0.5 is 0.9999999999999998 too: a full point of strain beyond the flex
    result = T.goodness_of_fit(child | {"approach": 2.8}, setting)
    assert tuple(result.poorest) == ("approach",)


def test_criteria_hold_for_ratings_made_by_arithmetic():
    for criteria in T.CRITERIA.values():
        for criterion in criteria:
            off = -1e-12 if criterion.relation == ">=" else 1e-12  # a hair on the wrong side of the bound
            assert criterion.met(criterion.bound + off), criterion.rule()
