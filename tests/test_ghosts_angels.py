"""Tests for widgets.ghosts_angels: statements, sorting score, the illustrative buffering model, views."""
import math

import pytest
from matplotlib.figure import Figure

from widgets.data import load_table
from widgets.ghosts_angels import (
    ADVERSITY_MAX,
    ANGEL_MAX,
    CATEGORIES,
    DEFAULT_ADVERSITY_EFFECT,
    DEFAULT_BASELINE,
    DEFAULT_BUFFERING,
    BufferingExplorer,
    StatementSorter,
    buffering_lines,
    buffering_model,
    describe_buffering,
    describe_sorting,
    load_statements,
    plot_buffering,
    plot_sorting,
    score_sorting,
)


# --- statements ---------------------------------------------------------------------------------
def test_packaged_table_has_citation_and_documented_columns():
    table = load_table("ghosts_angels_statements")
    assert "Written for this course" in table.citation
    assert set(table.columns) == {"id", "set", "statement", "key", "reason"}
    assert len(table.rows) == 15


def test_statement_sets_are_balanced_and_disjoint():
    practice, exercise, everything = (load_statements(s) for s in ("practice", "exercise", "all"))
    assert [s.id for s in practice] == ["P1", "P2", "P3", "P4", "P5", "P6"]
    assert len(exercise) == 9 and all(s.id.startswith("E") for s in exercise)
    assert len(everything) == len(practice) + len(exercise)
    assert {s.id for s in practice}.isdisjoint({s.id for s in exercise})
    keys = [s.key for s in practice]
    assert {c: keys.count(c) for c in CATEGORIES} == {c: 2 for c in CATEGORIES}
    assert all(s.text and s.reason for s in practice)
    # the graded statements' key is never in the package (only hashed, in the notebook)
    assert all(s.text and not s.key and not s.reason for s in exercise)


@pytest.mark.parametrize("bad", ["practise", "", 3, None])
def test_unknown_statement_set_names_the_parameter(bad):
    with pytest.raises(ValueError, match="statement_set"):
        load_statements(bad)


# --- scoring ------------------------------------------------------------------------------------
def test_exercise_statements_cannot_be_scored_from_the_package():
    with pytest.raises(ValueError, match="statement_set"):
        score_sorting({"E1": "ghost"}, "exercise")


def test_the_key_itself_agrees_everywhere():
    key = {s.id: s.key for s in load_statements("practice")}
    score = score_sorting(key, "practice")
    assert (score.n_statements, score.n_sorted, score.n_agree) == (6, 6, 6)
    assert score.fraction_agree == 1.0
    assert all(item.agrees for item in score.items)


def test_all_ghost_agrees_only_on_the_ghosts():
    answers = {s.id: "ghost" for s in load_statements("practice")}
    score = score_sorting(answers, "practice")
    assert score.n_agree == 2  # P1 and P4
    assert [i.statement_id for i in score.items if i.agrees] == ["P1", "P4"]
    assert score.counts("given") == {"ghost": 6, "angel": 0, "present": 0}
    assert score.counts("key") == {"ghost": 2, "angel": 2, "present": 2}
    assert score.fraction_agree == pytest.approx(2 / 6)


def test_unsorted_items_count_as_unsorted_and_case_is_ignored():
    score = score_sorting({"P1": " Ghost ", "P2": "", "P3": None, "P5": "present"}, "practice")
    assert score.n_sorted == 2 and score.n_agree == 1
    given = {i.statement_id: i.given for i in score.items}
    assert given == {"P1": "ghost", "P2": None, "P3": None, "P4": None, "P5": "present", "P6": None}
    wrong = next(i for i in score.items if i.statement_id == "P5")
    assert (wrong.key, wrong.agrees) == ("angel", False)


def test_empty_sort_has_zero_agreement_not_nan():
    score = score_sorting({}, "practice")
    assert (score.n_sorted, score.n_agree, score.fraction_agree) == (0, 0, 0.0)


@pytest.mark.parametrize(
    "answers, statement_set",
    [(["P1", "ghost"], "practice"), ({"E1": "angel"}, "practice"), ({"P1": "demon"}, "practice"),
     ({"P1": 1}, "practice"), ({"X9": "ghost"}, "practice")],
)
def test_bad_answers_name_the_parameter(answers, statement_set):
    with pytest.raises(ValueError, match="answers"):
        score_sorting(answers, statement_set)


def test_counts_rejects_unknown_column():
    with pytest.raises(ValueError, match="which"):
        score_sorting({}, "practice").counts("mine")


# --- buffering model ----------------------------------------------------------------------------
def test_buffering_model_matches_hand_arithmetic():
    assert (DEFAULT_BASELINE, DEFAULT_ADVERSITY_EFFECT, DEFAULT_BUFFERING) == (5.0, 3.0, 0.3)
    r = buffering_model(8, 3)  # slope 3 - 0.3 x 3 = 2.1; risk 5 + 2.1 x 8 = 21.8
    assert r.slope == pytest.approx(2.1) and r.risk == pytest.approx(21.8)
    r = buffering_model(5, 2.5, baseline=4, adversity_effect=8, buffering=0.8)  # slope 8 - 2 = 6; 4 + 30
    assert r.slope == pytest.approx(6.0) and r.risk == pytest.approx(34.0)


def test_no_adversity_means_angels_change_nothing():
    assert {buffering_model(0, e).risk for e in (0, 1.5, 5)} == {5.0}


def test_zero_buffering_means_no_moderation():
    slopes = {buffering_model(6, e, buffering=0).slope for e in (0, 2, 5)}
    assert slopes == {3.0}


def test_more_angel_elaboration_weakens_the_adversity_link():
    slopes = [buffering_model(10, e).slope for e in (0, 1, 2, 3, 4, 5)]
    assert slopes == pytest.approx([3.0, 2.7, 2.4, 2.1, 1.8, 1.5])


def test_defaults_do_not_overstate_transmission():
    """Most parents even at the top of the adversity scale do not show the outcome (a real risk, not a
    sentence: notebook 05), and the outcome also occurs without adversity."""
    worst = buffering_model(ADVERSITY_MAX, 0)
    assert worst.risk == pytest.approx(35.0) and worst.risk < 50
    assert buffering_model(0, 0).risk == pytest.approx(5.0)
    assert 5 <= worst.risk / buffering_model(0, 0).risk <= 8  # several times the rate without adversity


def test_angels_weaken_but_never_cancel_severe_adversity():
    richest = buffering_model(ADVERSITY_MAX, ANGEL_MAX)
    assert richest.slope == pytest.approx(DEFAULT_ADVERSITY_EFFECT / 2)  # halved, not removed
    assert richest.risk == pytest.approx(20.0)
    # the review's case: highest adversity with the richest angels is NOT below little adversity and no angels
    assert richest.risk > buffering_model(2, 0).risk
    for e in (0, 2.5, 5):  # at any angel level, more adversity still means more risk
        assert buffering_model(10, e).risk > buffering_model(5, e).risk > buffering_model(0, e).risk


def test_risk_is_linear_in_adversity_with_the_reported_slope():
    for e in (0.0, 2.0, 4.5):
        r0, r1 = buffering_model(3, e), buffering_model(7, e)
        assert (r1.risk - r0.risk) / 4 == pytest.approx(r0.slope)


@pytest.mark.parametrize(
    "kwargs, name",
    [({"adversity": -1, "angel_elaboration": 1}, "adversity"),
     ({"adversity": 11, "angel_elaboration": 1}, "adversity"),
     ({"adversity": "high", "angel_elaboration": 1}, "adversity"),
     ({"adversity": True, "angel_elaboration": 1}, "adversity"),
     ({"adversity": 2, "angel_elaboration": 6}, "angel_elaboration"),
     ({"adversity": 2, "angel_elaboration": math.nan}, "angel_elaboration"),
     ({"adversity": 2, "angel_elaboration": 1, "baseline": -5}, "baseline"),
     ({"adversity": 2, "angel_elaboration": 1, "adversity_effect": 10}, "adversity_effect"),
     ({"adversity": 2, "angel_elaboration": 1, "buffering": 2}, "buffering"),
     ({"adversity": 2, "angel_elaboration": 1, "buffering": "1"}, "buffering")],
)
def test_buffering_model_rejects_bad_input_by_name(kwargs, name):
    with pytest.raises(ValueError, match=name):
        buffering_model(**kwargs)


def test_buffering_lines_span_the_scale():
    lines = buffering_lines((0, 4))
    assert lines.adversity[0] == 0 and lines.adversity[-1] == ADVERSITY_MAX and len(lines.adversity) == 11
    assert lines.slopes == pytest.approx((3.0, 1.8))
    assert lines.risks[0][-1] == pytest.approx(35.0) and lines.risks[1][-1] == pytest.approx(23.0)
    assert lines.gap_at_max == pytest.approx(12.0)
    assert lines.risks[1][5] == buffering_model(5, 4).risk


@pytest.mark.parametrize(
    "kwargs, name",
    [({"angel_levels": 2}, "angel_levels"), ({"angel_levels": "04"}, "angel_levels"),
     ({"angel_levels": ()}, "angel_levels"), ({"angel_levels": (0, 1, 2, 3, 4)}, "angel_levels"),
     ({"angel_levels": (0, 9)}, "angel_elaboration"), ({"n_points": 1}, "n_points"),
     ({"n_points": 2.5}, "n_points")],
)
def test_buffering_lines_rejects_bad_input_by_name(kwargs, name):
    with pytest.raises(ValueError, match=name):
        buffering_lines(**kwargs)


def test_results_are_frozen():
    with pytest.raises(AttributeError):
        buffering_model(1, 1).risk = 0
    with pytest.raises(AttributeError):
        score_sorting({}, "practice").n_agree = 3


# --- figures ------------------------------------------------------------------------------------
def test_plot_buffering_draws_the_model_lines():
    lines = buffering_lines((0, 2.5, 5))
    fig = plot_buffering(lines)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    drawn = ax.get_lines()
    assert len(drawn) == 3
    assert list(drawn[2].get_ydata()) == list(lines.risks[2])
    assert len({line.get_linestyle() for line in drawn}) == 3
    assert ax.get_xlabel() and ax.get_ylabel() and "not Narayan" in ax.get_title()
    text = describe_buffering(lines)
    assert "slope 3.00" in text and "slope 1.50" in text and "not study data" in text


def test_plot_sorting_bars_match_counts():
    score = score_sorting({"P1": "ghost", "P2": "present", "P3": "present"}, "practice")
    fig = plot_sorting(score)
    heights = [patch.get_height() for patch in fig.axes[0].patches]
    # key (2, 2, 2), your sort (1, 0, 2), agreeing (1, 0, 1)
    assert heights == [2, 2, 2, 1, 0, 2, 1, 0, 1]
    assert "3 of 6 sorted and 2 agree" in describe_sorting(score)


# --- views --------------------------------------------------------------------------------------
def test_statement_sorter_gives_per_item_feedback_headless():
    view = StatementSorter()
    assert set(view.controls) == {"P1", "P2", "P3", "P4", "P5", "P6"}
    assert view.result.n_sorted == 0 and "0 of 6 statements sorted" in view.summary.value
    view.controls["P1"].value = "ghost"
    assert view.result.n_agree == 1 and "<b>P1</b>: agrees with the course" in view.summary.value
    view.controls["P2"].value = "present"
    assert view.result.n_sorted == 2 and view.result.n_agree == 1
    assert "the course sorts this as <b>angel</b>" in view.summary.value
    view.controls["P2"].value = ""
    assert view.result.n_sorted == 1
    assert "<img" in view.figure.value and "Figure description" in view.figure.value


def test_statement_sorter_shows_each_statement_text():
    view = StatementSorter()
    left = view.widget.children[1].children[0].children  # the statements and controls beside the figure
    shown = " ".join(getattr(child, "value", "") for child in left
                     if not hasattr(child, "options") and isinstance(getattr(child, "value", ""), str))
    for s in load_statements("practice"):
        assert s.id in shown


def test_buffering_explorer_updates_slopes_headless():
    view = BufferingExplorer()
    assert view.result.slopes == pytest.approx((3.0, 1.8))
    assert "<b>3.00</b>" in view.summary.value and "<b>1.80</b>" in view.summary.value
    view.controls["buffering"].value = 0.2
    assert view.result.slopes == pytest.approx((3.0, 2.2))
    assert "<b>2.20</b>" in view.summary.value and "8.0 percentage points apart" in view.summary.value
    view.controls["low_angel"].value = ANGEL_MAX
    assert view.result.slopes[0] == pytest.approx(3.0 - 0.2 * ANGEL_MAX)


def test_buffering_explorer_slider_ranges_never_break_the_model():
    view = BufferingExplorer()
    c = view.controls
    for name in ("adversity_effect", "buffering", "baseline", "low_angel", "high_angel"):
        for value in (c[name].min, c[name].max):
            c[name].value = value
            assert view.error.value == ""
    c["adversity_effect"].value, c["buffering"].value = c["adversity_effect"].min, c["buffering"].max
    c["high_angel"].value = ANGEL_MAX
    assert view.error.value == "" and view.result.slopes[1] >= 0


def test_views_reject_unknown_initial_controls():
    with pytest.raises(ValueError, match="not a control"):
        BufferingExplorer(seed=1)
