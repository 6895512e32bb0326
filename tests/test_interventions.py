"""Tests for widgets.interventions: the finder, the ABC trial arithmetic, the DC:0-5 axes, the views."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st
from matplotlib.figure import Figure

from widgets import interventions as iv
from widgets.data import load_table


# ------------------------------------------------------------- the table -------
def test_table_holds_the_deck_rows_and_the_verified_ranges():
    rows = {i.key: i for i in iv.interventions()}
    assert list(rows) == ["cpp", "pcit", "tf_cbt", "ppt", "abc_infant", "abc_toddler"]
    # the deck's ranges (months), as the slide's table gives them
    assert rows["cpp"].deck_range == (0, 60) and "Pregnancy" in rows["cpp"].deck_range_text
    assert rows["pcit"].deck_range == (24, 60)
    assert rows["tf_cbt"].deck_range == (36, 60)
    assert rows["abc_infant"].deck_range == (6, 24)
    assert rows["abc_toddler"].deck_range == (25, 60)
    assert rows["ppt"].deck_range is None and not rows["ppt"].in_deck
    # verified ranges: "a-b years" read as months 12a to 12b+11
    assert rows["cpp"].verified_range == (0, 5 * 12 + 11)
    assert rows["pcit"].verified_range == (24, 7 * 12 + 11)
    assert rows["tf_cbt"].verified_range == (36, 18 * 12 + 11)
    assert rows["ppt"].verified_range == (36, 6 * 12 + 11)
    assert rows["abc_infant"].verified_range == (6, 24)
    assert rows["abc_toddler"].verified_range == (24, 48)
    assert {k: r.range_status for k, r in rows.items()} == {
        "cpp": "V", "pcit": "V-sec", "tf_cbt": "V", "ppt": "V", "abc_infant": "V", "abc_toddler": "V"}


def test_table_carries_formats_sessions_ports_and_sources():
    rows = {i.key: i for i in iv.interventions()}
    assert rows["cpp"].sessions == (20, 32) and rows["cpp"].session_minutes == (60, 90)
    assert "weekly" in rows["cpp"].format_details
    assert rows["tf_cbt"].sessions == (8, 25)
    assert rows["ppt"].sessions == (12, 12) and "caregiver observes" in rows["ppt"].format_details
    assert rows["abc_infant"].sessions == (10, 10) and rows["abc_toddler"].sessions == (10, 10)
    assert rows["pcit"].sessions is None
    assert rows["cpp"].port_of_entry == "parent_representation"
    assert rows["pcit"].port_of_entry == rows["abc_infant"].port_of_entry == "parent_behavior"
    assert rows["tf_cbt"].port_of_entry == "child_behavior"
    assert "Scheeringa" in rows["tf_cbt"].developer_deck and rows["ppt"].developer_verified == "Scheeringa"
    assert "Scheeringa et al. (2011)" in rows["ppt"].sources
    # Scheeringa et al. (2011) is a trial of preschool TF-CBT with Cohen as co-author: the deck's TF-CBT row
    # describes that protocol, and no note calls PPT an unrelated model (FACTS-2 10.3).
    assert "Scheeringa et al. (2011)" in rows["tf_cbt"].sources and "Cohen" in rows["tf_cbt"].notes
    assert not any("separate model" in r.notes for r in rows.values())
    # CPP is given both clearinghouse listings, as the fact sheet records them (FACTS 23).
    assert "CEBC" in rows["cpp"].rating and "promising" in rows["cpp"].rating
    assert {r.format_group for r in rows.values()} == set(iv.FORMATS)
    assert {k for k, r in rows.items() if r.format_group == "child_sessions"} == {"tf_cbt", "ppt"}
    table = load_table("interventions")
    assert "60 months" in table.notes and "Moner" in table.notes


def test_intervention_lookup_by_key_or_short_name():
    assert iv.intervention("tf_cbt").short == "TF-CBT"
    assert iv.intervention(" abc-toddler ").key == "abc_toddler"
    with pytest.raises(ValueError, match=r"^name:"):
        iv.intervention("DBT")
    with pytest.raises(ValueError, match=r"^name:"):
        iv.intervention(3)


# ------------------------------------------------------------- the finder ------
@pytest.mark.parametrize("age, ranges, expected", [
    (18, "verified", ("CPP", "ABC-Infant")),
    (30, "verified", ("CPP", "PCIT", "ABC-Toddler")),
    (50, "verified", ("CPP", "PCIT", "TF-CBT", "PPT")),
    (50, "deck", ("CPP", "PCIT", "TF-CBT", "ABC-Toddler")),
    (65, "verified", ("CPP", "PCIT", "TF-CBT", "PPT")),
    (65, "deck", ()),
    (0, "verified", ("CPP",)),
    (100, "verified", ("TF-CBT",)),
])
def test_finder_by_age(age, ranges, expected):
    assert tuple(m.short for m in iv.find_interventions(age, ranges=ranges)) == expected


def test_finder_boundaries_are_inclusive_in_completed_months():
    shorts = lambda age, r="verified": {m.short for m in iv.find_interventions(age, ranges=r)}
    assert {"ABC-Infant", "ABC-Toddler"} <= shorts(24)           # both listings include 24 months
    assert "ABC-Toddler" not in shorts(24, "deck")               # the deck starts the toddler version at 25
    assert "ABC-Toddler" in shorts(48) and "ABC-Toddler" not in shorts(49)
    assert "CPP" in shorts(71) and "CPP" not in shorts(72)       # birth through 5 years
    assert "CPP" in shorts(60, "deck") and "CPP" not in shorts(61, "deck")
    assert "TF-CBT" not in shorts(35) and "TF-CBT" in shorts(36)


def test_finder_filters_by_port_and_format():
    assert tuple(m.short for m in iv.find_interventions(50, port_of_entry="child_behavior")) == ("TF-CBT", "PPT")
    assert tuple(m.short for m in iv.find_interventions(50, port_of_entry="child_behavior", ranges="deck")) == ("TF-CBT",)
    assert tuple(m.short for m in iv.find_interventions(12, port_of_entry="parent_representation")) == ("CPP",)
    assert tuple(m.short for m in iv.find_interventions(30, format="dyadic")) == ("CPP", "PCIT", "ABC-Toddler")
    assert iv.find_interventions(30, format="child_sessions") == ()
    result = iv.search_interventions(50, port_of_entry="parent_behavior", format="dyadic")
    assert result.shorts == ("PCIT",)
    assert len(result.considered) == 6


@given(age=st.integers(0, iv.MAX_AGE_MONTHS), port=st.sampled_from([None, *iv.PORTS]),
       fmt=st.sampled_from([None, *iv.FORMATS]), ranges=st.sampled_from(iv.RANGE_MODES))
@settings(max_examples=60, deadline=None)
def test_finder_matches_are_exactly_the_rows_that_fit(age, port, fmt, ranges):
    found = iv.find_interventions(age, port, fmt, ranges)
    for item in iv.interventions():
        span = item.age_range(ranges)
        fits = (span is not None and span[0] <= age <= span[1]
                and port in (None, item.port_of_entry) and fmt in (None, item.format_group))
        assert (item in found) == fits
    if ranges == "deck":
        assert all(m.short != "PPT" for m in found)


@pytest.mark.parametrize("kwargs, name", [
    ({"age_months": -1}, "age_months"),
    ({"age_months": 264}, "age_months"),
    ({"age_months": 30.5}, "age_months"),
    ({"age_months": True}, "age_months"),
    ({"age_months": "30"}, "age_months"),
    ({"age_months": 30, "port_of_entry": "parent"}, "port_of_entry"),
    ({"age_months": 30, "port_of_entry": 1}, "port_of_entry"),
    ({"age_months": 30, "format": "group"}, "format"),
    ({"age_months": 30, "ranges": "both"}, "ranges"),
])
def test_finder_rejects_bad_input_naming_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name}:"):
        iv.find_interventions(**kwargs)


def test_age_range_figure_draws_both_ranges_and_the_age_line():
    result = iv.search_interventions(50)
    fig = iv.plot_age_ranges(result)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    bars = [p for p in ax.patches if p.get_height() == pytest.approx(0.34)]
    assert len(bars) == 5 + 6  # five deck rows (PPT is not in the deck), six verified rows
    assert {p.get_hatch() for p in bars} == {"//", "", ".."}
    age_lines = [l for l in ax.get_lines() if list(l.get_xdata()) == [50, 50]]
    assert len(age_lines) == 1 and age_lines[0].get_linestyle() == "--"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "CPP" and "ABC-Infant" in labels
    # the matches are starred on the age line (tick labels and legend stay the same from query to query)
    stars = [l for l in ax.get_lines() if l.get_marker() == "*"]
    assert len(stars) == 1 and list(stars[0].get_xdata()) == [50] * 4
    assert sorted(stars[0].get_ydata()) == sorted(len(labels) - 1 - labels.index(s) for s in ("CPP", "PCIT", "TF-CBT", "PPT"))
    assert ax.get_xlabel() == "Child's age (completed months)" and "50 months" in ax.get_title()
    legend = [t.get_text() for lg in fig.artists for t in lg.get_texts()]
    assert "deck's range" in legend and "verified range [V-sec]" in legend and "child's age" in legend
    assert "match" in legend
    text = iv.describe_age_ranges(result)
    assert "50 months" in text and "CPP, PCIT, TF-CBT, PPT" in text
    deck_text = iv.describe_age_ranges(iv.search_interventions(50, port_of_entry="child_behavior", ranges="deck"))
    assert "the deck's ranges" in deck_text and "child's behavior" in deck_text and "TF-CBT." in deck_text
    with pytest.raises(ValueError, match=r"^result:"):
        iv.plot_age_ranges("not a result")


def test_intervention_finder_view_headless():
    view = iv.InterventionFinder()
    assert view.result.shorts == ("CPP", "PCIT", "ABC-Toddler")
    assert "<b>30 months</b>" in view.summary.value
    view.controls["age_months"].value = 50
    assert view.result.shorts == ("CPP", "PCIT", "TF-CBT", "PPT")
    assert "Preschool PTSD Treatment" in view.summary.value
    before = view.figure.value
    view.controls["ranges"].value = "deck"
    assert view.result.shorts == ("CPP", "PCIT", "TF-CBT", "ABC-Toddler")
    assert "between 49 and 60 months the deck offers ABC-Toddler" in view.summary.value
    assert "the deck&#x27;s ranges" in view.summary.value or "the deck's ranges" in view.summary.value
    assert view.figure.value != before
    view.controls["port_of_entry"].value = "child_behavior"
    assert view.result.shorts == ("TF-CBT",)
    view.controls["age_months"].value = 10
    assert view.result.shorts == ()
    assert "No model in the table fits" in view.summary.value
    view.controls["format"].value = "dyadic"
    assert view.result.format == "dyadic"


# ------------------------------------------------------- the ABC trial ---------
def test_abc_trial_table():
    dis, sec = iv.trial_outcome("disorganized"), iv.trial_outcome("secure")
    assert (dis.abc_pct, dis.control_pct, dis.higher_is_better) == (32.0, 57.0, False)
    assert (sec.abc_pct, sec.control_pct, sec.higher_is_better) == (52.0, 33.0, True)
    assert dis.status == sec.status == "V" and "Bernard" in dis.citation
    assert "120" in load_table("interventions_abc_trial").notes
    with pytest.raises(ValueError, match=r"^outcome:"):
        iv.trial_outcome("avoidant")


def test_risk_difference_and_nnt_by_hand():
    assert iv.risk_difference(0.57, 0.32) == pytest.approx(0.25)
    assert iv.risk_difference(0.33, 0.52, higher_is_better=True) == pytest.approx(0.19)
    assert iv.risk_difference(0.33, 0.52) == pytest.approx(-0.19)
    assert iv.number_needed_to_treat(0.57, 0.32) == pytest.approx(4.0)
    assert iv.number_needed_to_treat(0.33, 0.52, higher_is_better=True) == pytest.approx(1 / 0.19)
    assert iv.number_needed_to_treat(0.4, 0.3) == pytest.approx(10.0)
    assert iv.number_needed_to_treat(0.2, 0.3) == pytest.approx(-10.0)  # worse: a number needed to harm
    assert iv.risk_difference(0, 1) == -1.0 and iv.number_needed_to_treat(1, 0) == 1.0


@given(pc=st.floats(0, 1), pt=st.floats(0, 1))
@settings(max_examples=80, deadline=None)
def test_nnt_is_the_reciprocal_of_the_risk_difference(pc, pt):
    rd = iv.risk_difference(pc, pt)
    assert rd == pytest.approx(pc - pt)
    assert iv.risk_difference(pc, pt, higher_is_better=True) == pytest.approx(-rd)
    if abs(rd) > 1e-9:
        assert iv.number_needed_to_treat(pc, pt) * rd == pytest.approx(1.0)


@pytest.mark.parametrize("args, name", [
    ((57, 32), "p_control"),
    ((0.57, 32), "p_treatment"),
    ((-0.1, 0.3), "p_control"),
    ((0.5, float("nan")), "p_treatment"),
    (("0.5", 0.3), "p_control"),
    ((True, 0.3), "p_control"),
    ((0.5, None), "p_treatment"),
])
def test_trial_arithmetic_rejects_bad_input_naming_the_parameter(args, name):
    with pytest.raises(ValueError, match=rf"^{name}:"):
        iv.risk_difference(*args)
    with pytest.raises(ValueError, match=rf"^{name}:"):
        iv.number_needed_to_treat(*args)


def test_percentages_get_a_hint_and_equal_shares_make_nnt_undefined():
    with pytest.raises(ValueError, match=r"57% is 0.57"):
        iv.risk_difference(57, 0.32)
    with pytest.raises(ValueError, match=r"^p_treatment: .*undefined"):
        iv.number_needed_to_treat(0.4, 0.4)
    with pytest.raises(ValueError, match=r"^higher_is_better:"):
        iv.risk_difference(0.4, 0.3, higher_is_better="yes")


def test_trial_figure():
    fig = iv.plot_trial_outcomes()
    ax = fig.axes[0]
    heights = sorted(p.get_height() for p in ax.patches)
    assert heights == [32, 33, 52, 57]
    assert {p.get_hatch() for p in ax.patches} == {"//", None}  # control hatched, ABC solid
    texts = [t.get_text() for t in ax.texts]
    assert "difference 25 percentage points" in texts and "difference 19 percentage points" in texts
    assert ax.get_ylabel() == "Share of children in the group (%)"
    assert "57% of the control group and 32% of the ABC group" in iv.describe_trial_outcomes()
    with pytest.raises(ValueError, match=r"^outcomes:"):
        iv.plot_trial_outcomes([])


# ------------------------------------------------------------- DC:0-5 ----------
def test_dc05_axes_have_the_verified_names():
    axes = iv.dc05_axes()
    assert [a.axis for a in axes] == list(iv.AXES)
    assert [a.name for a in axes] == ["Clinical Disorders", "Relational Context",
                                      "Physical Health Conditions and Considerations", "Psychosocial Stressors",
                                      "Developmental Competence"]
    assert [a.number for a in axes] == [1, 2, 3, 4, 5]
    notes = load_table("dc05_axes").notes
    assert "DC:0-3 (1994)" in notes and "DC:0-3R (2005)" in notes and "DSM-5" in notes and "ICD-10" in notes


def test_worked_case_and_mapping_comparison():
    case = iv.worked_case()
    assert case.name == "Idris" and case.age_months == 20 and len(case.facts) == 5
    assert sorted(f.course_axis for f in case.facts) == sorted(iv.AXES)
    right = {f.key: f.course_axis for f in case.facts}
    result = iv.compare_axis_mapping(right)
    assert result.n_agree == result.n_placed == 5
    assert all(len(result.profile[a]) == 1 for a in iv.AXES)
    partial = iv.compare_axis_mapping({"night_waking": "i", "father_bond": "IV", "skills": ""})
    assert partial.chosen["night_waking"] == "I" and partial.agrees["night_waking"] is True
    assert partial.agrees["father_bond"] is False and partial.agrees["skills"] is None
    assert partial.n_placed == 2 and partial.n_agree == 1
    assert partial.profile["IV"] == ("father_bond",)


@pytest.mark.parametrize("mapping", [["I"], {"no_such_fact": "I"}, {"skills": "VI"}, {"skills": 5}])
def test_mapping_rejects_bad_input(mapping):
    with pytest.raises(ValueError, match=r"^mapping:"):
        iv.compare_axis_mapping(mapping)


def test_axis_mapping_figure():
    result = iv.compare_axis_mapping({"night_waking": "I", "father_bond": "I"})
    fig = iv.plot_axis_mapping(result)
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches]
    assert heights[:5] == [2, 0, 0, 0, 0] and heights[5:] == [1, 1, 1, 1, 1]
    text = iv.describe_axis_mapping(result)
    assert "Axis I 2" in text and "1 of your 2 placements agree" in text


def test_axis_matcher_view_headless():
    view = iv.AxisMatcher()
    assert view.result.n_placed == 0
    assert "0 of 5 placed" in view.summary.value
    assert view.summary.value.count("20 months") == 1 and "Idris lives with his father" in view.summary.value
    view.controls["housing_moves"].value = "IV"
    assert view.result.agrees["housing_moves"] is True
    assert "agrees with the course" in view.summary.value
    view.controls["skills"].value = "II"
    assert view.result.agrees["skills"] is False
    assert "the course reads this as Axis V" in view.summary.value
    assert "2 of 5 placed; 1 agree" in view.summary.value
