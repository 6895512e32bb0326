"""Tests for widgets.what_is_imh: capacity sorter and brain size versus the "80% by 2" claim."""
from __future__ import annotations

import csv
import dataclasses
import html
import json
import math
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from widgets import what_is_imh as w
from widgets.data import load_table

KEY_DOMAINS = {c.key: c.domain for c in w.capacities()}
#: A complete age placement for tests. Not the deck's columns (those are not packaged and the
#: sorter never compares with them): alternating down the alphabetical list, starting at birth
#: (7 at birth, 6 by age five).
SAMPLE_AGES = {c.key: ("birth", "five")[k % 2] for k, c in enumerate(w.capacities())}
ALPHABETICAL_WORDING = [
    "Be emotionally literate", "Be empathetic", 'Develop "emergent" emotional literacy', "Develop relationships",
    "Explore with security", "Express emotions", "Feel confidence/competence", "Follow directions",
    "Form relationships", "Make friends", "Manage emotions", "Persist", "Self-regulate"]


# --- packaged data -------------------------------------------------------------------
def test_capacities_are_the_decks_thirteen_with_a_domain_and_a_reason():
    rows = w.capacities()
    assert len(rows) == 13 and len({c.key for c in rows}) == 13
    assert {c.domain for c in rows} == set(w.DOMAINS)
    assert KEY_DOMAINS["make_friends"] == "relationships" and KEY_DOMAINS["persist"] == "explore and learn"
    assert all(c.rationale for c in rows)


def test_capacities_come_in_alphabetical_order():
    rows = w.capacities()
    assert [c.wording for c in rows] == ALPHABETICAL_WORDING
    assert [c.wording for c in rows] == sorted((c.wording for c in rows), key=lambda t: t.lstrip('"').casefold())
    # the packaged table itself is in that order too, so reading the CSV gives nothing away either
    assert load_table("capacities").column("wording") == ALPHABETICAL_WORDING


def test_the_decks_birth_five_columns_are_not_packaged():
    # Notebook 01, Exercise 3 is graded on them: no packaged table may hold an age for the capacities.
    assert "age" not in {f.name for f in dataclasses.fields(w.Capacity)}
    assert not hasattr(w.capacities()[0], "age")
    assert "n_age_agree" not in {f.name for f in dataclasses.fields(w.SortScore)}
    capacity_keys = set(KEY_DOMAINS)
    data = Path(w.__file__).parent / "data"
    checked = 0
    for path in sorted(data.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            header = reader.fieldnames or []
        if capacity_keys & {value for row in rows for value in row.values()}:
            checked += 1
            assert not {"age", "column", "deck_column"} & set(header), path.name
            assert not any(value in w.AGES for row in rows for value in row.values()), path.name
            meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
            assert "age" not in meta["columns"], path.name
    assert checked >= 1  # the capacities table was found and checked
    meta = json.loads((data / "capacities.json").read_text(encoding="utf-8"))
    assert "not packaged" in meta["notes"] and "deck's slide" not in meta["notes"]


def test_capacity_domains_are_labelled_as_the_courses_own_classification():
    table = load_table("capacities")
    assert "course's own teaching classification" in table.citation
    assert "teaching classification" in table.columns["domain"]


def test_brain_size_rows_are_verified_or_marked_secondary():
    measures = w.brain_measures()
    assert {m.evidence for m in measures.values()} == {"V", "V-sec"}
    assert [name for name, m in measures.items() if m.evidence == "V-sec"] == ["cerebral_volume_fraction_age_6"]
    assert measures["total_volume_growth_year_1"].value == 101
    assert measures["total_volume_growth_year_2"].value == 15
    assert measures["weight_multiple_age_3"].value == 4
    assert measures["newborn_volume_fraction"].value == pytest.approx(1 / 3, abs=0.001)


# --- size curve ------------------------------------------------------------------------
@pytest.mark.parametrize("age, fraction", [(0, 0.333), (0.25, 0.5), (2, 0.8), (6, 0.95), (19, 1.0), (25, 1.0)])
def test_size_curve_passes_through_the_reported_points(age, fraction):
    assert w.brain_size_fraction(age) == pytest.approx(fraction)


def test_size_curve_is_a_straight_line_between_points():
    # halfway between 3 months (0.5) and 2 years (0.8): 0.65
    assert w.brain_size_fraction((0.25 + 2) / 2) == pytest.approx(0.65)
    # a quarter of the way from 2 (0.8) to 6 (0.95): 0.8375
    assert w.brain_size_fraction(3) == pytest.approx(0.8375)


@given(st.floats(min_value=0, max_value=w.MAX_AGE_YEARS), st.floats(min_value=0, max_value=w.MAX_AGE_YEARS))
def test_size_curve_never_shrinks_and_stays_between_a_third_and_adult(a, b):
    low, high = sorted((a, b))
    assert w.brain_size_fraction(low) <= w.brain_size_fraction(high) + 1e-12
    assert 0.333 <= w.brain_size_fraction(low) <= 1.0


def test_only_the_adult_end_point_is_an_assumption():
    anchors = w.size_anchors()
    assert [a.age_years for a in anchors] == [0, 0.25, 2, 6, 19]
    assert [a.assumption for a in anchors] == [False, False, False, False, True]
    assert anchors[-1].source == "Dekaban (1978)"


@pytest.mark.parametrize("bad", [-0.5, 30.5, "2", True, None, math.nan, math.inf])
def test_size_curve_rejects_bad_age(bad):
    with pytest.raises(ValueError, match="age_years"):
        w.brain_size_fraction(bad)


# --- growth arithmetic -------------------------------------------------------------------
def test_knickmeyer_growth_gives_2_31_times_birth_and_about_77_percent_at_two():
    projection = w.knickmeyer_projection()
    assert projection.ages == (0.0, 1.0, 2.0)
    assert projection.multiple == pytest.approx(2.01 * 1.15)
    assert projection.fractions[1] == pytest.approx(0.333 * 2.01)
    assert projection.fractions[-1] == pytest.approx(0.333 * 2.3115)
    assert round(100 * projection.fractions[-1]) == 77


def test_project_growth_on_other_numbers():
    projection = w.project_growth(0.25, [100, 20, -10])
    assert projection.fractions == pytest.approx((0.25, 0.5, 0.6, 0.54))
    assert w.project_growth(0.4, []).fractions == (0.4,)


@pytest.mark.parametrize("newborn", [0, 1.2, "0.3", None])
def test_project_growth_rejects_bad_newborn_fraction(newborn):
    with pytest.raises(ValueError, match="newborn_fraction"):
        w.project_growth(newborn, [10])


@pytest.mark.parametrize("growth", ["101", 101, [101, "15"], [-100], {"year1": 101}])
def test_project_growth_rejects_bad_growth(growth):
    with pytest.raises(ValueError, match="yearly_growth_percent"):
        w.project_growth(0.3, growth)


# --- reading the curve ---------------------------------------------------------------------
def test_reading_between_points_names_both_points():
    reading = w.read_brain_size(1.0)
    assert (reading.lower.age_years, reading.upper.age_years) == (0.25, 2)
    assert not reading.on_anchor
    assert reading.percent == pytest.approx(100 * (0.5 + 0.3 * 0.75 / 1.75))


def test_reading_on_a_point_and_past_the_last_point():
    assert w.read_brain_size(2).on_anchor
    past = w.read_brain_size(24)
    assert past.on_anchor and past.lower.age_years == 19 and past.fraction == 1.0


def test_processes_under_way_depend_on_age():
    names = lambda age: {p.short_label for p in w.read_brain_size(age).ongoing}  # noqa: E731
    assert "Size growth to ~95%" in names(1)
    assert "Frontal synaptic pruning" not in names(1)
    assert {"Frontal synaptic pruning", "Myelination"} <= names(10)
    assert "Size growth to ~95%" not in names(10)
    assert names(22) == {"Myelination", "Prefrontal maturation"}


def test_read_brain_size_validates_its_inputs():
    with pytest.raises(ValueError, match="age_years"):
        w.read_brain_size(-1)
    with pytest.raises(ValueError, match="show_processes"):
        w.read_brain_size(2, show_processes="yes")


# --- capacity sort -----------------------------------------------------------------------
def test_a_complete_sort_records_every_age_and_scores_domains():
    score = w.score_capacity_sort(SAMPLE_AGES, KEY_DOMAINS)
    assert (score.n_items, score.n_age_placed, score.n_age_birth, score.n_age_five) == (13, 13, 7, 6)
    assert (score.n_domain_placed, score.n_domain_agree) == (13, 13)
    assert score.ages_complete and score.age_placements() == SAMPLE_AGES
    assert [k for k, _ in score.ages] == [c.key for c in w.capacities()]


def test_ages_are_recorded_not_scored():
    # Flipping every age changes the split between the columns and nothing else.
    flipped = {k: "five" if v == "birth" else "birth" for k, v in SAMPLE_AGES.items()}
    a, b = w.score_capacity_sort(SAMPLE_AGES, {}), w.score_capacity_sort(flipped, {})
    assert (b.n_age_birth, b.n_age_five) == (a.n_age_five, a.n_age_birth) == (6, 7)
    assert a.n_age_placed == b.n_age_placed == 13 and b.age_placements() == flipped


def test_one_wrong_and_missing_placements_are_counted():
    ages = {k: v for k, v in SAMPLE_AGES.items() if k not in ("make_friends", "persist")}
    domains = dict({k: v for k, v in KEY_DOMAINS.items() if k != "persist"}, make_friends="emotions")
    score = w.score_capacity_sort(ages, domains)
    assert (score.n_age_placed, score.n_age_birth, score.n_age_five) == (11, 7, 4)
    assert not score.ages_complete and score.age_placements()["persist"] == ""
    assert (score.n_domain_placed, score.n_domain_agree) == (12, 11)


def test_placements_are_read_case_insensitively():
    score = w.score_capacity_sort({"make_friends": " Five "}, {"make_friends": "Relationships"})
    assert (score.n_age_five, score.n_domain_agree, score.n_age_placed) == (1, 1, 1)
    assert score.age_placements()["make_friends"] == "five"


@pytest.mark.parametrize("ages, domains, name", [
    ({"make_freinds": "five"}, {}, "ages"),
    ({"make_friends": "toddler"}, {}, "ages"),
    ({"make_friends": 5}, {}, "ages"),
    ({}, {"make_friends": "play"}, "domains"),
    (["five"], {}, "ages"),
])
def test_score_capacity_sort_rejects_bad_placements(ages, domains, name):
    with pytest.raises(ValueError, match=name):
        w.score_capacity_sort(ages, domains)


# --- figures -----------------------------------------------------------------------------------
def _texts(fig):
    axes = fig.axes
    return [(ax.get_title(), ax.get_xlabel(), ax.get_ylabel(), ax.get_legend() is not None) for ax in axes]


def test_brain_explorer_figure_has_two_labelled_panels_or_one():
    fig = w.plot_brain_explorer(w.read_brain_size(1.5))
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    for title, xlabel, ylabel, has_legend in _texts(fig):
        assert title and "years" in xlabel and ylabel and has_legend
    assert len(w.plot_brain_explorer(w.read_brain_size(1.5, show_processes=False)).axes) == 1


def test_brain_size_figure_marks_the_chosen_age():
    fig = w.plot_brain_size(w.read_brain_size(3))
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert any(label.startswith("your age: 3 y, about 84%") for label in labels)


def test_descriptions_state_the_reading():
    reading = w.read_brain_size(10)
    text = w.describe_brain_explorer(reading)
    assert "10 years" in text and "97%" in text and "frontal synaptic pruning" in text
    assert "size growth" not in w.describe_brain_processes(reading).split("under way are:")[1]


def test_capacity_sort_figure_bars_add_up_to_all_capacities():
    ages = {k: v for k, v in SAMPLE_AGES.items() if k != "persist"}
    score = w.score_capacity_sort(ages, {"make_friends": "relationships", "persist": "emotions"})
    fig = w.plot_capacity_sort(score)
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel().startswith("Number of capacities") and ax.get_ylabel()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Age (your placements)", "Domain (course's classification)"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["at birth", "by age five", "not placed yet", "agree with the course's classification",
                      "placed differently"]
    assert not any("deck" in label or "key" in label for label in legend)
    bars = ax.patches
    assert [b.get_width() for b in bars] == [7, 5, 1, 1, 1, 11]
    assert sum(b.get_width() for b in bars[:3]) == sum(b.get_width() for b in bars[3:]) == 13
    # colour and hatching both tell the segments apart
    assert len({b.get_hatch() for b in bars[:3]}) == 3 and len({b.get_hatch() for b in bars[3:]}) == 3
    palette = {to_hex(c) for c in w.PALETTE.values()}
    assert {to_hex(b.get_facecolor()) for b in bars} <= palette
    text = w.describe_capacity_sort(score)
    assert text == ("Stacked bar chart of 13 capacities: for age, 7 are placed at birth, 5 by age five and 1 are not "
                    "placed yet; for domain, 1 agree with the course's classification, 1 are placed differently and "
                    "11 are not placed yet.")


# --- views (headless) ----------------------------------------------------------------------------
def test_brain_size_explorer_updates_when_the_slider_moves():
    view = w.BrainSizeExplorer()
    assert view.result.age_years == 2.0
    assert "80% of adult brain size" in view.summary.value and "level with" in view.summary.value
    before_figure, before_updates = view.figure.value, view.updates
    view.controls["age_years"].value = 1.5
    assert view.result.age_years == 1.5
    assert view.result.fraction == pytest.approx(w.brain_size_fraction(1.5))
    assert "about <b>71% of adult brain size</b>" in view.summary.value
    assert "9 percentage points below" in view.summary.value
    assert view.updates == before_updates + 1 and view.figure.value != before_figure


def test_brain_size_explorer_lists_processes_and_hides_the_panel():
    view = w.BrainSizeExplorer(age_years=20.0)
    assert "Myelination" in view.summary.value and "Frontal synaptic pruning" not in view.summary.value
    assert "past the last point" in view.summary.value
    view.controls["show_processes"].value = False
    assert view.result.show_processes is False
    assert "Below it" not in view.figure.value


def test_capacity_sorter_counts_placements_as_dropdowns_change():
    view = w.CapacitySorter()
    assert view.result.n_age_placed == 0
    assert "<b>Age:</b> 0 of 13 placed (0 at birth, 0 by age five, 13 not placed yet)" in view.summary.value
    assert "agree with the deck" not in view.summary.value
    before_figure, before_updates = view.figure.value, view.updates
    view.controls["age__make_friends"].value = "five"
    view.controls["domain__make_friends"].value = "relationships"
    view.controls["age__persist"].value = "birth"
    view.controls["domain__persist"].value = "emotions"
    assert (view.result.n_age_placed, view.result.n_age_birth, view.result.n_age_five) == (2, 1, 1)
    assert (view.result.n_domain_placed, view.result.n_domain_agree) == (2, 1)
    assert view.updates == before_updates + 4 and view.figure.value != before_figure
    summary = view.summary.value
    assert "<b>Age:</b> 2 of 13 placed (1 at birth, 1 by age five, 11 not placed yet)" in summary
    assert "the sorter does not check ages." in summary and "Exercise" not in summary
    assert "<b>Domain:</b> 1 of 13 agree with the course's own classification (2 placed)" in summary
    assert "Make friends" in summary and "Persist" in summary  # shown in the learner's grid
    assert "capacity_ages =" not in summary
    caption = html.unescape(view.figure.value)
    assert "for age, 1 are placed at birth, 1 by age five and 11 are not placed yet" in caption
    assert "for domain, 1 agree with the course's classification, 1 are placed differently" in caption


def test_capacity_sorter_counts_a_complete_sort_but_prints_no_pasteable_answer():
    view = w.CapacitySorter(**{f"age__{k}": v for k, v in SAMPLE_AGES.items()})
    assert view.result.ages_complete and (view.result.n_age_birth, view.result.n_age_five) == (7, 6)
    summary = html.unescape(view.summary.value)
    assert "Every capacity has an age" in summary
    # a view explores; it never prints a dict a learner could paste into an answer cell
    assert "capacity_ages" not in summary and "paste" not in summary.lower()
    assert not re.search(r'"\w+":\s*"(birth|five)"', summary)
    assert view.result.age_placements() == SAMPLE_AGES
    view.controls["age__empathetic"].value = "birth"
    assert "13 of 13 placed (8 at birth, 5 by age five, 0 not placed yet)" in view.summary.value
    view.controls["age__persist"].value = ""
    assert "Every capacity has an age" not in view.summary.value and "12 of 13 placed" in view.summary.value


def test_capacity_sorter_controls_have_descriptive_labels():
    view = w.CapacitySorter()
    assert view.controls["age__make_friends"].description == "Make friends: age"
    assert len(view.controls) == 26
    assert view.controls_box in view.widget.children[1].children[0].children  # beside the figure (side_by_side)
