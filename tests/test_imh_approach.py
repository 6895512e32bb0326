"""Tests for widgets.imh_approach: principles, vignettes, continuum placement, the illustrative reach model, views."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from widgets.data import load_table
from widgets.imh_approach import (
    DEFAULT_ASSUMPTIONS,
    CommunityComparison,
    ContinuumExplorer,
    ContinuumPlacer,
    VignetteSorter,
    compare_community,
    continuum_html,
    continuum_reach,
    describe_placement,
    describe_reach,
    describe_sorting,
    level_keys,
    load_continuum,
    load_continuum_examples,
    load_principles,
    load_vignettes,
    place_example,
    plot_placement,
    plot_reach,
    plot_sorting,
    principle_keys,
    principles_html,
    score_sorting,
    simulate_community,
)

DECK_SECTIONS = ["Relationship-Based Framework", "Multigenerational Perspective", "Developmental Orientation",
                 "Multidisciplinary Approach", "Prevention Emphasis", "Systems Perspective", "Reflective Practice",
                 "Parallel Process"]


# --- packaged data ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["imh_principles", "practice_vignettes", "continuum_levels", "continuum_examples"])
def test_tables_have_citation_and_every_column_documented(name):
    table = load_table(name)
    assert table.citation and table.title
    assert set(table.rows[0]) == set(table.columns)


def test_principles_follow_the_deck_sections_in_order():
    principles = load_principles()
    assert [p.deck_section for p in principles] == DECK_SECTIONS
    assert principle_keys() == ("relationship", "multigenerational", "developmental", "multidisciplinary",
                                "prevention", "systems", "reflective", "parallel")
    assert all(p.working_definition.endswith(".") and len(p.working_definition) > 80 for p in principles)
    parallel = principles[-1]
    # the idea's origin as FACTS-2 and notebook 03 give it (not Pawl & St. John, as it once said)
    assert "Searles, 1955" in parallel.grounding and "Ekstein & Wallerstein, 1958" in parallel.grounding
    assert "Pawl" not in parallel.grounding


def test_continuum_levels_are_zero_to_three_wording_in_order():
    assert [lv.name for lv in load_continuum()] == ["promotion", "early identification", "preventive intervention",
                                                     "treatment", "support"]
    assert level_keys()[0] == "promotion" and level_keys()[-1] == "support"
    assert "ZERO TO THREE" in load_table("continuum_levels").citation


def test_one_vignette_per_principle_and_two_examples_per_level():
    vignettes = load_vignettes()
    assert sorted(v.principle for v in vignettes) == sorted(principle_keys())
    assert len({v.id for v in vignettes}) == len(vignettes) == 8
    levels = [e.level for e in load_continuum_examples()]
    assert {k: levels.count(k) for k in level_keys()} == {k: 2 for k in level_keys()}


def test_tables_render_as_html_and_text():
    html_text = principles_html()._repr_html_()
    assert "<table>" in html_text and "Parallel process" in html_text
    assert "preventive intervention" in repr(continuum_html())


# --- sorting ------------------------------------------------------------------------------------
def test_the_key_itself_agrees_everywhere():
    score = score_sorting({v.id: v.principle for v in load_vignettes()})
    assert (score.n_items, score.n_answered, score.n_agree) == (8, 8, 8)
    assert all(item.agrees for item in score.items)


def test_everything_under_one_principle_agrees_once_and_counts_are_per_principle():
    score = score_sorting({v.id: "systems" for v in load_vignettes()})
    assert score.n_agree == 1 and score.n_answered == 8
    assert score.placed_under("systems") == 8 and score.agreeing_under("systems") == 1
    assert score.placed_under("parallel") == 0


def test_unsorted_and_case_insensitive_answers():
    score = score_sorting({"v1": " Relationship ", "v2": "", "V8": None})
    assert score.n_answered == 1 and score.n_agree == 1
    assert score.items[1].chosen is None and not score.items[1].agrees


@pytest.mark.parametrize("bad", [["v1"], "v1", None, 3])
def test_sorting_needs_a_dict(bad):
    with pytest.raises(ValueError, match="answers"):
        score_sorting(bad)


@pytest.mark.parametrize("bad", [{"v9": "systems"}, {"v1": "kindness"}, {"v1": 3}, {1: "systems"}])
def test_sorting_rejects_unknown_ids_and_principles(bad):
    with pytest.raises(ValueError, match="answers"):
        score_sorting(bad)


# --- placement ----------------------------------------------------------------------------------
def test_placement_agrees_only_at_the_course_level():
    for example in load_continuum_examples():
        verdicts = [place_example(example.id, level).agrees for level in level_keys()]
        assert verdicts.count(True) == 1
        assert level_keys()[verdicts.index(True)] == example.level


@pytest.mark.parametrize("kwargs, name", [({"example_id": "x1", "level": "promotion"}, "example_id"),
                                          ({"example_id": "p1", "level": "cure"}, "level"),
                                          ({"example_id": "p1", "level": 1}, "level"),
                                          ({"example_id": "p1", "level": "promotion", "reveal": "yes"}, "reveal")])
def test_placement_rejects_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        place_example(**kwargs)


# --- reach model --------------------------------------------------------------------------------
def test_defaults_match_hand_arithmetic():
    r = continuum_reach()
    # 1000 families; 0.25 elevated of whom 0.08 (of all) need treatment; coverage 0.7; sensitivity 0.8;
    # specificity 0.85; uptake 0.6
    assert r.reached == pytest.approx((1000, 700, 170 * 0.7 * 0.8 * 0.6, 80 * 0.7 * 0.8 * 0.6,
                                       (57.12 + 26.88) * 0.5))
    assert r.families_with_need == 250
    assert r.true_positives == pytest.approx(140.0)      # 250 x 0.7 x 0.8
    assert r.false_negatives == pytest.approx(35.0)      # 250 x 0.7 x 0.2
    assert r.false_positives == pytest.approx(78.75)     # 750 x 0.7 x 0.15
    assert r.flagged == pytest.approx(218.75)
    assert r.need_not_screened == pytest.approx(75.0)    # 250 x 0.3
    assert r.flagged_declining == pytest.approx(56.0)    # 140 x 0.4
    assert r.targeted == pytest.approx(84.0)             # 140 x 0.6
    assert r.unreached_need == pytest.approx(166.0)      # 75 + 35 + 56
    assert r.percent_need_unreached == pytest.approx(66.4)
    assert DEFAULT_ASSUMPTIONS["n_families"] == r.n_families
    assert (r.sensitivity, r.specificity) == (DEFAULT_ASSUMPTIONS["sensitivity"], DEFAULT_ASSUMPTIONS["specificity"])


def test_a_perfect_screen_gives_the_old_upper_limit():
    r = continuum_reach(sensitivity=1.0, specificity=1.0)
    assert r.targeted == pytest.approx(105.0)            # 250 x 0.7 x 0.6
    assert r.unreached_need == pytest.approx(145.0) and r.percent_need_unreached == pytest.approx(58.0)
    assert r.false_negatives == 0 and r.false_positives == 0
    # every family with a need is not screened, missed, declining or served
    imperfect = continuum_reach(sensitivity=0.5, specificity=0.9)
    assert imperfect.false_negatives == pytest.approx(87.5) and imperfect.false_positives == pytest.approx(52.5)
    assert imperfect.targeted == pytest.approx(52.5)     # 250 x 0.7 x 0.5 x 0.6


def test_notebook_town_numbers():
    town = continuum_reach(2400, 0.20, 0.05, 0.80, 0.50)
    assert town.targeted == pytest.approx(153.6)         # 480 x 0.8 x 0.8 x 0.5
    assert town.percent_need_unreached == pytest.approx(68.0)
    assert town.false_negatives == pytest.approx(76.8)   # 480 x 0.8 x 0.2
    assert town.false_positives == pytest.approx(230.4)  # 1920 x 0.8 x 0.15


def test_no_screening_means_every_need_is_missed():
    r = continuum_reach(screening_coverage=0.0)
    assert r.targeted == 0 and r.reached_by("support") == 0
    assert r.percent_need_unreached == 100.0


def test_no_need_gives_zero_percent_unreached():
    r = continuum_reach(elevated_need=0.0, clinical_need=0.0)
    assert r.families_with_need == 0 and r.percent_need_unreached == 0.0


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 5000), e=st.floats(0, 1), frac=st.floats(0, 1), cov=st.floats(0, 1), up=st.floats(0, 1),
       cont=st.floats(0, 1), sens=st.floats(0, 1), spec=st.floats(0, 1))
def test_reach_is_a_funnel_and_need_is_conserved(n, e, frac, cov, up, cont, sens, spec):
    r = continuum_reach(n, e, e * frac, cov, up, cont, sens, spec)
    assert r.need_not_screened + r.false_negatives + r.true_positives == pytest.approx(r.families_with_need)
    assert r.false_positives <= n - r.families_with_need + 1e-9
    promotion, identification, preventive, treatment, support = r.reached
    assert promotion == n
    assert identification <= promotion + 1e-9
    assert preventive + treatment <= identification + 1e-9
    assert support <= preventive + treatment + 1e-9
    assert r.unreached_need + r.targeted == pytest.approx(r.families_with_need)
    assert 0 <= r.percent_need_unreached <= 100 + 1e-9


def test_simulation_same_seed_same_result_and_different_seeds_differ():
    a, b, c = (simulate_community(seed=s) for s in (7, 7, 8))
    assert a == b
    assert a.reached != c.reached
    assert all(float(v).is_integer() for v in a.reached)
    assert a.unreached_need + a.targeted == a.families_with_need
    assert a.need_not_screened + a.false_negatives + a.true_positives == a.families_with_need
    assert a.false_positives > 0 and a.false_negatives > 0
    perfect = simulate_community(sensitivity=1.0, specificity=1.0, seed=7)
    assert perfect.false_positives == perfect.false_negatives == 0
    assert perfect.targeted >= a.targeted  # same draws; a perfect screen misses nobody it screens


def test_simulation_accepts_a_generator():
    r1 = simulate_community(seed=np.random.default_rng(3))
    r2 = simulate_community(seed=np.random.default_rng(3))
    assert r1.reached == r2.reached and r1.seed is None


def test_simulation_averages_near_the_expected_values():
    expected = continuum_reach(n_families=200_000)
    sim = simulate_community(n_families=200_000, seed=11)
    for e_value, s_value in zip(expected.reached, sim.reached):
        assert s_value == pytest.approx(e_value, rel=0.05)
    for name in ("true_positives", "false_negatives", "false_positives", "need_not_screened"):
        assert getattr(sim, name) == pytest.approx(getattr(expected, name), rel=0.05), name


def test_compare_community_pairs_the_two():
    result = compare_community(seed=2)
    assert isinstance(result, CommunityComparison)
    assert result.expected == continuum_reach()
    assert result.simulated == simulate_community(seed=2)


@pytest.mark.parametrize("kwargs, name", [
    ({"n_families": 0}, "n_families"),
    ({"n_families": 10.5}, "n_families"),
    ({"n_families": True}, "n_families"),
    ({"elevated_need": 1.2}, "elevated_need"),
    ({"elevated_need": "0.2"}, "elevated_need"),
    ({"clinical_need": -0.1}, "clinical_need"),
    ({"clinical_need": 0.3, "elevated_need": 0.2}, "clinical_need"),
    ({"screening_coverage": 2}, "screening_coverage"),
    ({"uptake": None}, "uptake"),
    ({"continuing_share": 1.5}, "continuing_share"),
    ({"sensitivity": 1.2}, "sensitivity"),
    ({"sensitivity": "0.8"}, "sensitivity"),
    ({"specificity": -0.1}, "specificity"),
    ({"specificity": True}, "specificity"),
])
def test_bad_assumptions_name_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        continuum_reach(**kwargs)
    with pytest.raises(ValueError, match=name):
        simulate_community(**kwargs, seed=1)


@pytest.mark.parametrize("bad", [-1, 1.5, "1", True, None])
def test_bad_seed_names_the_parameter(bad):
    with pytest.raises(ValueError, match="seed"):
        simulate_community(seed=bad)


def test_reached_by_rejects_unknown_level():
    with pytest.raises(ValueError, match="level"):
        continuum_reach().reached_by("cure")


# --- figures ------------------------------------------------------------------------------------
def test_reach_figure_shows_expected_and_simulated_bars():
    result = compare_community(seed=1)
    fig = plot_reach(result)
    ax = fig.axes[0]
    widths = [p.get_width() for p in ax.patches]
    assert len(widths) == 16  # 8 categories (5 levels, false positives, false negatives, not reached) x 2 series
    e = result.expected  # 1000 families, so a count of families is ten times its percentage
    assert widths[:8] == pytest.approx([100, 70, 5.712, 2.688, 4.2, 7.875, 3.5, 16.6])
    assert widths[8:] == pytest.approx([100 * v / 1000 for v in list(result.simulated.reached) + [
        result.simulated.false_positives, result.simulated.false_negatives, result.simulated.unreached_need]])
    assert ax.get_xlim() == (0, 100) and ax.get_xlabel() == "Families (% of the community)"
    assert len(ax.get_legend().get_texts()) == 2
    assert "simulated community (seed 1)" in describe_reach(result)
    single = plot_reach(continuum_reach())
    assert len(single.axes[0].patches) == 8
    text = describe_reach(e)
    assert "79 families the screen flags without a need" in text and "35 screened families" in text
    assert "166 families with elevated need" in text


def test_sorting_figure_counts_bars():
    score = score_sorting({"v1": "relationship", "v2": "relationship"})
    fig = plot_sorting(score)
    widths = [p.get_width() for p in fig.axes[0].patches]
    assert widths[:8] == [2, 0, 0, 0, 0, 0, 0, 0] and widths[8:] == [1, 0, 0, 0, 0, 0, 0, 0]
    assert "Relationship-based 2" in describe_sorting(score)
    assert "1 in total" in describe_sorting(score)


def test_placement_figure_hides_the_course_placement_until_revealed():
    hidden = place_example("i1", "treatment")
    shown = place_example("i1", "treatment", reveal=True)
    hidden_lines, shown_lines = plot_placement(hidden).axes[0].lines, plot_placement(shown).axes[0].lines
    assert len(hidden_lines) == len(shown_lines) == 2  # same legend, so the same layout
    assert np.isnan(hidden_lines[1].get_xdata()[0])   # the course's marker is not drawn
    assert list(shown_lines[1].get_xdata()) == [3]    # preventive intervention, level 3
    assert "hidden" in describe_placement(hidden)
    assert "course's placement marked at preventive intervention" in describe_placement(shown)
    assert isinstance(plot_placement(shown), Figure)


# --- views (headless) ---------------------------------------------------------------------------
def test_vignette_sorter_counts_agreement_as_controls_change():
    view = VignetteSorter()
    assert view.result.n_answered == 0 and "0 of 8</b> agree" in view.summary.value
    view.controls["v8"].value = "parallel"
    assert view.result.n_agree == 1 and "1 of 8</b> agree" in view.summary.value
    view.controls["v7"].value = "parallel"
    assert view.result.n_agree == 1 and view.result.n_answered == 2
    assert "does not agree yet" in view.summary.value
    assert "course's key: <b>Reflective practice" not in view.summary.value
    view.controls["show_key"].value = True
    assert "course's key: <b>Reflective practice" in view.summary.value
    assert "Parallel process 2" in view.figure.value  # the figure's description
    bars = view._figure.axes[0].patches  # the same figure, its bars changed in place
    assert [b.get_width() for b in bars[:8]] == [0, 0, 0, 0, 0, 0, 0, 2]  # both placed under parallel process
    assert [b.get_width() for b in bars[8:]] == [0, 0, 0, 0, 0, 0, 0, 1]
    assert view._figure.axes[0].get_title() == "Your sorting: 1 of 8 agree with the course's key"


def test_vignette_sorter_shows_every_vignette_text():
    view = VignetteSorter(v1="relationship")
    assert view.result.n_agree == 1
    def descendants(widget):
        for child in getattr(widget, "children", ()):
            yield child
            yield from descendants(child)

    texts = " ".join(child.value for child in descendants(view.widget) if isinstance(getattr(child, "value", None), str))
    assert all(v.text[:40] in texts.replace("&#x27;", "'") for v in load_vignettes())


def test_continuum_placer_reveals_on_request():
    view = ContinuumPlacer(example_id="t1", level="support")
    assert not view.result.agrees and "not the course's placement yet" in view.summary.value
    assert "The course places it at" not in view.summary.value
    figure = view._figure
    assert np.isnan(figure.axes[0].lines[1].get_xdata()[0])
    view.controls["reveal"].value = True
    assert "The course places it at <b>treatment</b>" in view.summary.value
    assert view._figure is figure and list(figure.axes[0].lines[1].get_xdata()) == [4]  # treatment, level 4
    view.controls["level"].value = "treatment"
    assert view.result.agrees and "agrees with the course's placement" in view.summary.value


def test_continuum_explorer_recomputes_when_coverage_changes():
    view = ContinuumExplorer()
    assert view.result.expected == continuum_reach()
    assert "<b>84.0</b> families" in view.summary.value
    view.controls["screening_coverage"].value = 0.9
    assert view.result.expected.targeted == pytest.approx(108.0)  # 250 x 0.9 x 0.8 x 0.6
    assert "<b>108.0</b> families" in view.summary.value
    view.controls["seed"].value = 5
    assert view.result.simulated == simulate_community(screening_coverage=0.9, seed=5)
    assert "seed 5" in view.figure.value
    view.controls["sensitivity"].value = 0.5
    assert "<b>112.5</b> were screened but missed by the screen" in view.summary.value  # 250 x 0.9 x 0.5
    view.controls["specificity"].value = 1.0
    assert "flags <b>0.0</b> families without a need" in view.summary.value
    bars = view._figure.axes[0].patches  # the same figure, its bars changed in place
    assert bars[5].get_width() == 0 and bars[6].get_width() == pytest.approx(11.25)


def test_continuum_explorer_reports_impossible_assumptions():
    view = ContinuumExplorer()
    before = view.result
    view.controls["clinical_need"].value = 0.3
    view.controls["elevated_need"].value = 0.1
    assert "clinical_need" in view.error.value
    assert view.result is before  # the last good result stays
    view.controls["clinical_need"].value = 0.05
    assert view.error.value == ""
    assert view.result.expected == continuum_reach(elevated_need=0.1, clinical_need=0.05)
