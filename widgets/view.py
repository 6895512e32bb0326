"""The one pattern every interactive view follows: controls -> model -> figure + text.

A subclass names its controls and says how to compute, plot, describe and
summarise; this base class does the wiring, so views stay thin and alike:

    class DyadExplorer(ModelView):
        def make_controls(self):
            return {"responsiveness": ipywidgets.FloatSlider(value=0.5, min=0, max=1,
                                                             description="Caregiver responsiveness")}
        def compute(self, responsiveness):
            return simulate(responsiveness=responsiveness, seed=1)
        def plot(self, result):
            return plot_dyad(result)
        def describe(self, result):
            return describe_dyad(result)
        def summarise(self, result):
            return f"Matched {result.fraction_matched:.0%} of the time."

Tests (and the browser) change ``view.controls[name].value`` and read
``view.result``, ``view.summary.value`` and ``view.figure.value``.
"""
from __future__ import annotations

import html

import ipywidgets

from .controls import accessible
from .figures import Redrawer, figure_html

__all__ = ["ModelView", "side_by_side"]


def side_by_side(left: list, right: list) -> ipywidgets.HBox:
    """Controls and text on the left, the figure on the right where the notebook is wide enough (one
    above the other where it is not), so the figure stays in sight while a control moves."""
    figure_column = ipywidgets.VBox([_STICKY] + list(right), layout=ipywidgets.Layout(flex="2 1 400px", min_width="300px"))
    figure_column.add_class("imh-sticky")  # stays in sight while a long list of controls scrolls past
    return ipywidgets.HBox(
        [ipywidgets.VBox(left, layout=ipywidgets.Layout(flex="1 1 300px", min_width="260px", max_width="560px")),
         figure_column],
        layout=ipywidgets.Layout(flex_flow="row wrap", align_items="flex-start", width="100%"))


_STICKY = ipywidgets.HTML("<style>.imh-sticky{position:sticky;top:0;align-self:flex-start}</style>")


class ModelView:
    """Base class: subclasses implement make_controls, compute, plot, describe, summarise."""

    #: Text shown above the controls (what to do with the view).
    title = ""

    def __init__(self, **initial):
        # every slider as a labelled native range input (widgets/controls.py: screen readers can name it)
        self.controls: dict = {name: accessible(control) for name, control in self.make_controls().items()}
        for name, value in initial.items():
            if name not in self.controls:
                raise ValueError(f"{name}: not a control of {type(self).__name__}; controls: {list(self.controls)}")
            self.controls[name].value = value
        for control in self.controls.values():
            control.style = {"description_width": "initial"}
            if hasattr(control, "readout") or isinstance(control, ipywidgets.Dropdown):
                # sliders and drop-downs: wide enough to read, narrow enough for a laptop
                if not control.layout.width:
                    control.layout.width = "min(100%, 520px)"
            if isinstance(control, ipywidgets.Checkbox):  # show the whole label, not a truncated one
                control.indent = False
                control.layout.width = "auto"
        self.figure = ipywidgets.HTML(layout=ipywidgets.Layout(min_height="200px"))
        self.summary = ipywidgets.HTML()
        self.error = ipywidgets.HTML()
        self.result = None
        self.updates = 0
        self.redrawer = Redrawer()  # keeps the layout and the unchanging parts of the figure between updates
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        header = [ipywidgets.HTML(f"<b>{html.escape(self.title)}</b>")] if self.title else []
        self.widget = ipywidgets.VBox(header + [side_by_side(list(self.controls.values()) + [self.error, self.summary],
                                                             [self.figure])])
        self.update()

    # --- to implement -------------------------------------------------------
    def make_controls(self) -> dict:
        raise NotImplementedError

    def compute(self, **values):
        raise NotImplementedError

    def plot(self, result):
        raise NotImplementedError

    def describe(self, result) -> str:
        raise NotImplementedError

    def summarise(self, result) -> str:
        raise NotImplementedError

    # --- wiring ---------------------------------------------------------------
    @property
    def values(self) -> dict:
        """Current control values by name."""
        return {name: control.value for name, control in self.controls.items()}

    def update(self) -> None:
        """Recompute with the current control values and redraw everything."""
        try:
            result = self.compute(**self.values)
        except ValueError as exc:  # a model's message about a bad combination of values
            self.error.value = f'<span role="alert" style="color:#D55E00"><b>Cannot compute:</b> {html.escape(str(exc))}</span>'
            return
        self.error.value = ""
        self.result = result
        self.summary.value = self.summarise(result)
        fig = self.plot(result)
        self.figure.value = figure_html(fig, self.describe(result), png=self.redrawer.png(fig))
        self.updates += 1

    def _on_change(self, change) -> None:
        self.update()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
