"""Notebook 00's helper: the figure description says what the bars show, from the same numbers."""
from widgets.data import load_table
from widgets.primer import describe_windows_figure


def test_the_description_names_the_first_and_last_window_and_their_widths():
    text = describe_windows_figure(load_table("who_motor_windows"))
    assert text.startswith("Horizontal bars for 6 motor milestones")
    assert "sitting without support (3.8 to 9.2 months)" in text
    assert "walking alone (8.2 to 17.6 months)" in text
    assert "each window overlaps the next, and each is 5.4 to 10.0 months wide" in text


def test_the_description_follows_the_table_not_fixed_text():
    class Small:
        rows = ({"milestone": "B", "first_percentile_months": 5.0, "ninety_ninth_percentile_months": 6.0},
                {"milestone": "A", "first_percentile_months": 1.0, "ninety_ninth_percentile_months": 4.0})
    assert describe_windows_figure(Small()) == (
        "Horizontal bars for 2 motor milestones, each spanning the ages in months by which 1% and 99% of children "
        "in the WHO study had reached it, from a (1 to 4 months) to b (5 to 6 months); some windows do not overlap "
        "the next, and each is 1.0 to 3.0 months wide.")


def test_an_age_is_placed_before_inside_or_past_each_window():
    from widgets.primer import age_among_windows

    at_nine = age_among_windows(9)
    assert at_nine.inside == ("Sitting without support", "Standing with assistance", "Hands-and-knees crawling",
                              "Walking with assistance", "Standing alone", "Walking alone")
    at_ten = age_among_windows(10)
    assert at_ten.past == ("Sitting without support",) and at_ten.before == ()
    assert age_among_windows(2).before == at_nine.inside and age_among_windows(20).past == at_nine.inside


def test_the_explorer_updates_its_sentence_when_the_slider_moves():
    from widgets.primer import WindowExplorer

    view = WindowExplorer()
    view.controls["age_months"].value = 3
    assert "inside the window</b>: none" in view.summary.value and "dashed line at 3 months" in view.figure.value
    view.controls["age_months"].value = 18
    assert "window closed</b>: sitting without support" in view.summary.value
    assert "past 6" in view.figure.value
