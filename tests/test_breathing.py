"""Caring for the caregiver: the paced-breathing schedule, its guide, and the Endorsement tables."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from widgets import breathing as br
from widgets.data import load_table


# ------------------------------------------------------------ schedule model -----
def test_six_breaths_a_minute_is_a_ten_second_cycle_at_point_one_hertz():
    s = br.breathing_schedule(6)
    assert s.cycle_length_s == pytest.approx(10.0)
    assert s.frequency_hz == pytest.approx(0.1)
    assert s.inhale_s == pytest.approx(4.0) and s.exhale_s == pytest.approx(6.0)
    assert s.breaths_in_duration == pytest.approx(6.0)
    assert s.times_s.shape == s.phase.shape == s.labels.shape == (601,)
    assert s.times_s[-1] == pytest.approx(60.0)
    assert s.is_slow


def test_ma_2017_rate_and_zaccaro_threshold():
    ma = br.breathing_schedule(4)  # about 4 breaths/min in Ma et al. (2017)
    assert ma.cycle_length_s == pytest.approx(15.0)
    assert ma.frequency_hz == pytest.approx(4 / 60)
    assert br.breathing_schedule(9.5).is_slow
    assert not br.breathing_schedule(10).is_slow  # slow = fewer than 10 a minute


def test_phase_rises_on_the_in_breath_and_falls_on_the_out_breath():
    s = br.breathing_schedule(6, inhale_fraction=0.4, step_s=0.5)
    t = s.times_s
    assert s.phase[t == 0.0][0] == pytest.approx(0.0)
    assert s.phase[t == 4.0][0] == pytest.approx(1.0)
    assert s.phase[t == 7.0][0] == pytest.approx(0.5)  # halfway through a 6 s out-breath
    assert s.phase[t == 10.0][0] == pytest.approx(0.0)
    first_in = (t < 4.0)
    assert np.all(np.diff(s.phase[first_in]) > 0)
    first_out = (t >= 4.0) & (t < 10.0)
    assert np.all(np.diff(s.phase[first_out]) < 0)
    assert list(s.labels[(t >= 0) & (t <= 10.0)]) == ["in"] * 8 + ["out"] * 12 + ["in"]
    assert np.all((s.phase >= 0) & (s.phase <= 1))


def test_labels_and_cues_at_hand_computed_times():
    s = br.breathing_schedule(6)
    assert s.state_at(2).cue == "Breathe in... 2 of 4 s"
    assert s.state_at(5).cue == "Breathe out... 1 of 6 s"
    boundary = s.state_at(4)  # at a boundary the new phase has begun
    assert boundary.label == "out" and boundary.elapsed_s == 0.0 and boundary.remaining_s == pytest.approx(6.0)
    second = s.state_at(10)
    assert second.label == "in" and second.breath_number == 2 and second.phase == pytest.approx(0.0)
    five = br.breathing_schedule(5, inhale_fraction=0.4)  # 12 s cycle: 4.8 s in, 7.2 s out
    assert five.label_at(28) == "in"   # 28 - 24 = 4 s into the breath
    assert five.label_at(29) == "out"  # 5 s into the breath, past 4.8 s
    assert five.state_at(29).cue == "Breathe out... 0.2 of 7.2 s"
    assert br.breath_state(5, 29, inhale_fraction=0.4) == five.state_at(29)


def test_labels_match_the_exact_state_at_every_sample():
    s = br.breathing_schedule(7.5, inhale_fraction=0.35, step_s=0.2)
    for t, label, level in zip(s.times_s[::7], s.labels[::7], s.phase[::7]):
        state = s.state_at(float(t))
        assert state.label == label
        assert state.phase == pytest.approx(level)


def test_step_and_duration_set_the_samples():
    s = br.breathing_schedule(6, duration_s=30, step_s=0.25)
    assert len(s.times_s) == 121 and s.times_s[-1] == pytest.approx(30.0)
    assert br.breathing_schedule(6, duration_s=10, step_s=3).times_s.tolist() == [0.0, 3.0, 6.0, 9.0]


def test_schedule_arrays_are_read_only():
    s = br.breathing_schedule(6)
    with pytest.raises(ValueError):
        s.phase[0] = 0.5
    with pytest.raises(ValueError):
        s.labels[0] = "out"


@pytest.mark.parametrize("kwargs, name", [
    ({"breaths_per_minute": 2.9}, "breaths_per_minute"),
    ({"breaths_per_minute": 12.5}, "breaths_per_minute"),
    ({"breaths_per_minute": "6"}, "breaths_per_minute"),
    ({"breaths_per_minute": True}, "breaths_per_minute"),
    ({"breaths_per_minute": float("nan")}, "breaths_per_minute"),
    ({"breaths_per_minute": 6, "inhale_fraction": 0.1}, "inhale_fraction"),
    ({"breaths_per_minute": 6, "inhale_fraction": 0.9}, "inhale_fraction"),
    ({"breaths_per_minute": 6, "inhale_fraction": None}, "inhale_fraction"),
    ({"breaths_per_minute": 6, "duration_s": 0}, "duration_s"),
    ({"breaths_per_minute": 6, "duration_s": -5}, "duration_s"),
    ({"breaths_per_minute": 6, "step_s": 0}, "step_s"),
    ({"breaths_per_minute": 6, "duration_s": 5, "step_s": 6}, "step_s"),
    ({"breaths_per_minute": 6, "duration_s": 3600, "step_s": 0.001}, "step_s"),
])
def test_schedule_rejects_bad_input_naming_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name}:"):
        br.breathing_schedule(**kwargs)


@pytest.mark.parametrize("bad", [-1, "3", None, float("inf")])
def test_breath_state_rejects_bad_time(bad):
    with pytest.raises(ValueError, match=r"^time_s:"):
        br.breath_state(6, bad)


@settings(max_examples=60, deadline=None)
@given(bpm=st.floats(3, 12), share=st.floats(0.2, 0.8), t=st.floats(0, 600))
def test_rate_frequency_and_cycle_arithmetic_properties(bpm, share, t):
    s = br.breathing_schedule(bpm, inhale_fraction=share, duration_s=20, step_s=0.5)
    assert s.breaths_per_minute == pytest.approx(60 * s.frequency_hz)
    assert s.cycle_length_s == pytest.approx(1 / s.frequency_hz)
    assert s.inhale_s + s.exhale_s == pytest.approx(s.cycle_length_s)
    state = s.state_at(t)
    assert state.label in br.PHASES
    assert 0.0 <= state.elapsed_s <= state.phase_length_s + 1e-9
    assert 0.0 <= state.phase <= 1.0
    assert state.breath_number == math.floor(t / s.cycle_length_s + 1e-9) + 1


def test_breathing_figure_and_description():
    s = br.breathing_schedule(5)
    fig = br.plot_breathing_schedule(s, 17)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    curve = [line for line in ax.lines if line.get_label() == "breathing phase"][0]
    assert np.allclose(curve.get_ydata(), s.phase)
    marker = [line for line in ax.lines if line.get_label().startswith("now")][0]
    assert marker.get_xdata()[0] == 17 and marker.get_ydata()[0] == pytest.approx(s.state_at(17).phase)
    assert ax.get_xlabel() == "Time (s)" and "0-1" in ax.get_ylabel()
    # a fixed legend, held by the figure (a view's fast redraw keeps it); the time is in the title
    legend = [t.get_text() for lg in fig.artists for t in lg.get_texts()]
    assert legend == ["breathing in", "breathing out", "breathing phase", "now (time in the title)"]
    assert "5 breaths/min" in ax.get_title() and "now 17 s, breathing out" in ax.get_title()
    text = br.describe_breathing_schedule(s, 17)
    assert "5 cycles of 12 s" in text and "out-breath" in text
    with pytest.raises(ValueError, match=r"^schedule:"):
        br.plot_breathing_schedule("six")


# ------------------------------------------------------------------ guide view -----
def test_breathing_guide_headless_time_changes_the_cue():
    view = br.BreathingGuide()
    assert view.result.breaths_per_minute == 6.0 and view.result.cycle_length_s == 10.0
    assert "Breathe in... 0 of 4 s" in view.cue.value
    assert "60 / 6 = <b>10 s</b>" in view.summary.value and "0.1 Hz" in view.summary.value
    assert "time" not in view.controls  # time is observed separately, not through ModelView.update
    updates = view.updates
    view.time.value = 2
    assert "Breathe in... 2 of 4 s" in view.cue.value and view.state.label == "in"
    view.time.value = 5
    assert "Breathe out... 1 of 6 s" in view.cue.value and view.state.label == "out"
    assert 'aria-valuenow="' in view.bar.value and "breathing out" in view.bar.value
    assert view.updates == updates  # a time step does not recompute the schedule


def test_breathing_guide_redraws_the_figure_only_when_paused_or_the_rate_changes():
    view = br.BreathingGuide()
    draws, figure = view.figure_draws, view.figure.value
    view.time.value = 7  # paused: the marker moves, so the figure is redrawn
    assert view.figure_draws == draws + 1 and view.figure.value != figure
    view.play.playing = True
    draws, figure = view.figure_draws, view.figure.value
    view.time.value = 8
    view.time.value = 9
    assert "Breathe out... 5 of 6 s" in view.cue.value
    assert view.figure_draws == draws and view.figure.value == figure  # playing: cue and bar only
    view.play.playing = False
    assert view.figure_draws == draws + 1  # paused: marker caught up


def test_breathing_guide_rate_and_inhale_share_controls():
    view = br.BreathingGuide(time_s=29)
    assert view.time.value == 29 and "Breathe out... 5 of 6 s" in view.cue.value
    view.controls["breaths_per_minute"].value = 5
    assert view.result.cycle_length_s == pytest.approx(12.0)
    assert "60 / 5 = <b>12 s</b>" in view.summary.value and "0.0833 Hz" in view.summary.value
    assert "Breathe out... 0.2 of 7.2 s" in view.cue.value  # same time, new schedule
    view.controls["inhale_fraction"].value = 0.5
    assert view.result.inhale_s == pytest.approx(6.0)
    assert "Breathe in... 5 of 6 s" in view.cue.value
    view.controls["breaths_per_minute"].value = 11
    assert "Slow breathing? no" in view.summary.value


def test_breathing_guide_play_widget_is_linked_in_the_browser():
    view = br.BreathingGuide(breaths_per_minute=4.5)
    assert view.result.breaths_per_minute == 4.5
    assert view.link.source == (view.play, "value") and view.link.target == (view.time, "value")
    assert view.play.interval == 1000 and view.play.max == view.time.max == 60
    left = view.widget.children[1].children[0].children  # controls, text and player beside the figure
    assert view.player in left and view.play in view.player.children and view.cue in left
    with pytest.raises(ValueError, match=r"^speed:"):
        br.BreathingGuide(speed=2)


# ---------------------------------------------------------------- endorsement -----
def test_endorsement_categories_carry_the_verified_facts():
    cats = br.endorsement_categories()
    assert tuple(c.key for c in cats) == br.CATEGORY_KEYS
    by_key = {c.key: c for c in cats}
    assert by_key["IFA"].focus == "promotion" and by_key["IFA"].supervision_hours is None
    assert by_key["IFS"].supervision_hours == 24 and "prevention" in by_key["IFS"].focus
    assert by_key["IMHS"].supervision_hours == 50 and "master's or doctorate" in by_key["IMHS"].degree
    assert by_key["IMHM"].tracks == ("Clinical", "Policy", "Research/Faculty")
    assert all(c.status == "V" and "MI-AIMH (2017)" in c.citation for c in cats)
    table = load_table("endorsement_categories")
    assert "non-hierarchical" in table.notes and "3 to under 6" in table.notes
    assert "Alliance for the Advancement of Infant Mental Health" in table.citation


def test_worked_examples_cover_every_category_and_the_matcher_shows_them():
    examples = br.endorsement_examples()
    assert {e.category for e in examples} == set(br.CATEGORY_KEYS)
    view = br.EndorsementMatcher()
    assert view.result.example.key == examples[0].key
    assert "Infant Family Associate" in view.summary.value
    view.controls["example"].value = "dyadic_therapy"
    assert view.result.category.key == "IMHS"
    assert "master&#x27;s or doctorate" in view.summary.value and "50 hours" in view.summary.value


def test_endorsement_lookups_reject_unknown_keys():
    with pytest.raises(ValueError, match=r"^key:"):
        br.endorsement_category("IMHX")
    with pytest.raises(ValueError, match=r"^key:"):
        br.endorsement_category(3)
    with pytest.raises(ValueError, match=r"^key:"):
        br.match_example("astronaut")
    with pytest.raises(ValueError, match=r"^highlight:"):
        br.plot_supervision_hours(highlight="XYZ")


def test_supervision_hours_figure_leaves_a_gap_where_hours_are_not_stated():
    fig = br.plot_supervision_hours(highlight="IFS")
    ax = fig.axes[0]
    assert [p.get_height() for p in ax.patches] == [24, 50, 50]
    assert {p.get_hatch() for p in ax.patches} == {"//", "\\\\", "xx"}
    assert ax.get_ylabel() == "Reflective supervision (hours)"
    legend = [t.get_text() for lg in fig.artists for t in lg.get_texts()]  # fixed: held by the figure
    assert legend == ["Infant Family Specialist", "Infant Mental Health Specialist",
                      "Infant Mental Health Mentor (Clinical track)"]
    from matplotlib.colors import to_rgba

    assert [p.get_facecolor() == to_rgba("#DDDDDD") for p in ax.patches] == [False, True, True]  # only IFS in colour
    assert any("not stated" in t.get_text() for t in ax.texts)
    text = br.describe_supervision_hours(highlight="IFS")
    assert "24 or more" in text and "highlighted: Infant Family Specialist" in text
