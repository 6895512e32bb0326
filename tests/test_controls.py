"""The course's accessible controls keep the ipywidgets interface views and tests rely on."""
import ipywidgets
import pytest
import traitlets

from widgets.controls import (AccessibleChoices, AccessibleDropdown, AccessibleIntSlider, AccessiblePlay,
                              AccessibleSlider, accessible)
from widgets.view import ModelView


def test_sliders_keep_type_range_and_description_and_clamp_like_ipywidgets():
    s = accessible(ipywidgets.IntSlider(value=3, min=0, max=10, step=2, description="Children per site"))
    assert isinstance(s, AccessibleIntSlider) and s.value == 3 and isinstance(s.value, int)
    assert (s.min, s.max, s.step, s.description) == (0, 10, 2, "Children per site")
    s.value = 25
    assert s.value == 10
    f = accessible(ipywidgets.FloatSlider(value=0.25, min=0, max=1, step=0.05, description="Caregiver calm"))
    assert isinstance(f, AccessibleSlider) and f.value == 0.25 and f.step == 0.05


def test_a_dropdown_keeps_labels_values_and_refuses_an_unknown_value():
    d = accessible(ipywidgets.Dropdown(options=[("At birth", "birth"), ("By five", "five")], value="five",
                                       description="When"))
    assert isinstance(d, AccessibleDropdown) and d.value == "five" and d.label == "By five" and d.index == 1
    d.index = 0  # what the browser sends when a learner picks the first option
    assert d.value == "birth"
    with pytest.raises(traitlets.TraitError):
        d.value = "never"


def test_choices_are_radios_for_one_and_check_boxes_for_several():
    one = accessible(ipywidgets.ToggleButtons(options=[("Stacked", "stacked"), ("Grouped", "grouped")],
                                              value="grouped", description="Bar layout"))
    several = accessible(ipywidgets.SelectMultiple(options=[("A", "a"), ("B", "b"), ("C", "c")], value=("a",),
                                                   description="Samples"))
    assert isinstance(one, AccessibleChoices) and not one.multiple and one.value == "grouped"
    assert several.multiple and several.value == ("a",)
    several.chosen = [0, 2]
    assert several.value == ("a", "c")
    one.chosen = [0]
    assert one.value == "stacked"


def test_other_controls_are_left_as_they_are():
    box = ipywidgets.Checkbox(value=True, description="Show the key")
    assert accessible(box) is box


def test_a_view_recomputes_when_an_accessible_control_changes():
    class Doubler(ModelView):
        def make_controls(self):
            return {"x": ipywidgets.FloatSlider(value=1, min=0, max=5, description="x (units)"),
                    "how": ipywidgets.Dropdown(options=[("times two", 2), ("times three", 3)], description="How")}

        def compute(self, x, how):
            return x * how

        def plot(self, result):
            from widgets.figures import new_figure
            return new_figure()[0]

        def describe(self, result):
            return f"result {result}"

        def summarise(self, result):
            return f"<p>{result}</p>"

    view = Doubler()
    assert all(type(c).__module__ == "widgets.controls" for c in view.controls.values())
    view.controls["x"].value = 2.5
    view.controls["how"].index = 1
    assert view.result == 7.5 and "7.5" in view.summary.value


def test_the_play_button_steps_within_its_range():
    play = AccessiblePlay(max=60, description="breathing guide")
    assert (play.value, play.min, play.max, play.interval) == (0, 0, 60, 1000)
