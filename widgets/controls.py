"""Sliders that every learner can use: a native range input with a real label.

ipywidgets' sliders draw a ``div`` handle that screen readers cannot name (axe-core:
"ARIA input fields must have an accessible name", serious, even with a ``description``).
:class:`AccessibleSlider` is the same control as an HTML ``<input type="range">`` tied to a
``<label>`` and an ``<output>`` readout, built with anywidget (no build step, no download):
keyboard (arrows, Page Up/Down, Home/End), screen readers and touch work as the browser made
them. It keeps the ipywidgets slider's Python interface (``value``, ``min``, ``max``, ``step``,
``description``, ``observe``), so views and tests do not change; :class:`widgets.view.ModelView`
swaps every ipywidgets slider of a view for one of these.
"""
from __future__ import annotations

import anywidget
import ipywidgets
import traitlets

__all__ = ["AccessibleSlider", "AccessibleIntSlider", "AccessibleDropdown", "AccessibleChoices", "accessible"]

_CHOICES_ESM = """
function render({ model, el }) {
  const name = "imh-choices-" + Math.random().toString(36).slice(2, 10);
  const box = document.createElement("fieldset");
  box.style.cssText = "border:0;margin:2px 0;padding:0;display:flex;flex-wrap:wrap;gap:0.25em 1em;max-width:640px";
  const legend = document.createElement("legend");
  legend.style.cssText = "padding:0;margin-bottom:0.25em";
  box.append(legend);
  const show = () => {
    legend.textContent = model.get("description");
    const multiple = model.get("multiple");
    const chosen = new Set(model.get("chosen"));
    const labels = model.get("labels");
    box.querySelectorAll("label").forEach((l) => l.remove());
    labels.forEach((text, i) => {
      const label = document.createElement("label");
      label.style.cssText = "display:inline-flex;align-items:center;gap:0.3em";
      const input = document.createElement("input");
      input.type = multiple ? "checkbox" : "radio";
      input.name = name;
      input.value = String(i);
      input.checked = chosen.has(i);
      input.disabled = model.get("disabled");
      // arrows and Space belong to the choices, not to JupyterLab's notebook shortcuts
      input.addEventListener("keydown", (event) => event.stopPropagation());
      input.addEventListener("change", () => {
        const picked = Array.from(box.querySelectorAll("input")).filter((x) => x.checked).map((x) => Number(x.value));
        model.set("chosen", picked);
        model.save_changes();
      });
      label.append(input, document.createTextNode(text));
      box.append(label);
    });
  };
  model.on("change", show);
  show();
  el.append(box);
  return () => model.off("change", show);
}
export default { render };
"""

_LABELLED_ROW = """
function labelledRow(model, prefix) {
  // a row: a <label> tied (for=) to the control that the caller appends; the label's text and width follow the model
  const id = prefix + Math.random().toString(36).slice(2, 10);
  const row = document.createElement("div");
  row.style.cssText = "display:flex;align-items:center;gap:0.75em;flex-wrap:wrap;margin:2px 0;max-width:640px";
  const label = document.createElement("label");
  label.htmlFor = id;
  const refresh = () => {
    label.textContent = model.get("description");
    const width = model.get("description_width");
    label.style.flex = width && width !== "initial" ? "0 0 " + width : "0 1 auto";
  };
  row.append(label);
  return { id, row, refresh };
}
"""

_SELECT_ESM = """
function render({ model, el }) {
  const { id, row, refresh } = labelledRow(model, "imh-select-");
  const select = document.createElement("select");
  select.id = id;
  select.style.cssText = "flex:1 1 14em;min-width:10em;max-width:100%";
  const show = () => {
    refresh();
    const labels = model.get("labels");
    if (select.options.length !== labels.length || labels.some((t, i) => select.options[i].text !== t)) {
      select.replaceChildren(...labels.map((t, i) => new Option(t, String(i))));
    }
    select.value = String(model.get("index"));
    select.disabled = model.get("disabled");
  };
  // arrows and type-ahead belong to the list, not to JupyterLab's notebook shortcuts
  select.addEventListener("keydown", (event) => event.stopPropagation());
  select.addEventListener("change", () => { model.set("index", Number(select.value)); model.save_changes(); });
  model.on("change", show);
  show();
  row.append(select);
  el.append(row);
  return () => model.off("change", show);
}
export default { render };
"""

_ESM = """
function decimals(step) {
  const text = String(step);
  return text.includes(".") ? text.split(".")[1].length : 0;
}
function render({ model, el }) {
  const { id, row, refresh } = labelledRow(model, "imh-slider-");
  row.className = "imh-slider";
  const input = document.createElement("input");
  input.type = "range";
  input.id = id;
  input.style.cssText = "flex:1 1 14em;min-width:10em;accent-color:#0072B2";
  const output = document.createElement("output");
  output.htmlFor = id;
  output.style.cssText = "min-width:4em;font-variant-numeric:tabular-nums";
  const show = () => {
    refresh();
    input.min = model.get("min");
    input.max = model.get("max");
    input.step = model.get("step");
    input.value = model.get("value");
    input.disabled = model.get("disabled");
    const shown = Number(model.get("value")).toFixed(decimals(model.get("step")));
    output.textContent = shown + (model.get("unit") ? " " + model.get("unit") : "");
    input.setAttribute("aria-valuetext", output.textContent);
  };
  input.addEventListener("input", () => {
    const shown = Number(input.value).toFixed(decimals(model.get("step")));
    output.textContent = shown + (model.get("unit") ? " " + model.get("unit") : "");
  });
  // keep arrow keys, Page Up/Down, Home and End for the slider (not JupyterLab's cell navigation)
  input.addEventListener("keydown", (event) => event.stopPropagation());
  input.addEventListener("change", () => {
    model.set("value", Number(input.value));
    model.save_changes();
  });
  model.on("change", show);
  show();
  row.append(input, output);
  el.append(row);
  return () => model.off("change", show);
}
export default { render };
"""


class _Style:
    """The one style setting a slider's label takes: ``description_width``."""

    def __init__(self, slider):
        object.__setattr__(self, "_slider", slider)

    @property
    def description_width(self):
        return self._slider.description_width

    @description_width.setter
    def description_width(self, value):
        self._slider.description_width = value or ""


class AccessibleSlider(anywidget.AnyWidget):
    """A labelled range input with a float ``value`` (like ``ipywidgets.FloatSlider``)."""

    _esm = _LABELLED_ROW + _ESM
    value = traitlets.Float(0.0).tag(sync=True)
    min = traitlets.Float(0.0).tag(sync=True)
    max = traitlets.Float(100.0).tag(sync=True)
    step = traitlets.Float(0.1).tag(sync=True)
    description = traitlets.Unicode("").tag(sync=True)
    unit = traitlets.Unicode("").tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    description_width = traitlets.Unicode("").tag(sync=True)

    @property
    def style(self):
        """ipywidgets' ``control.style.description_width = ...`` and ``control.style = {...}`` work here too."""
        return _Style(self)

    @style.setter
    def style(self, value):
        width = value.get("description_width", "") if isinstance(value, dict) else getattr(value, "description_width", "")
        self.description_width = width or ""

    @traitlets.validate("value")
    def _within_range(self, proposal):
        return min(max(proposal["value"], self.min), self.max)  # as ipywidgets sliders clamp


class AccessibleIntSlider(AccessibleSlider):
    """The same with an int ``value`` (like ``ipywidgets.IntSlider``)."""

    value = traitlets.Int(0).tag(sync=True)
    min = traitlets.Int(0).tag(sync=True)
    max = traitlets.Int(100).tag(sync=True)
    step = traitlets.Int(1).tag(sync=True)


class AccessibleDropdown(anywidget.AnyWidget):
    """A labelled native ``<select>`` with ipywidgets' Dropdown interface (``options``, ``value``, ``label``)."""

    _esm = _LABELLED_ROW + _SELECT_ESM
    labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    index = traitlets.Int(0).tag(sync=True)
    description = traitlets.Unicode("").tag(sync=True)
    description_width = traitlets.Unicode("").tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    value = traitlets.Any()

    def __init__(self, options=(), value=None, **kwargs):
        options = list(options.items()) if isinstance(options, dict) else list(options)
        pairs = [o if isinstance(o, tuple) else (str(o), o) for o in options]
        self._values = [v for _, v in pairs]
        super().__init__(labels=[str(label) for label, _ in pairs], **kwargs)
        self.value = self._values[0] if value is None and self._values else value

    @property
    def options(self):
        return tuple(zip(self.labels, self._values))

    @property
    def label(self):
        return self.labels[self.index] if self.labels else None

    @traitlets.validate("value")
    def _known(self, proposal):
        if proposal["value"] not in self._values:
            raise traitlets.TraitError(f"{proposal['value']!r} is not one of the options {self._values}")
        return proposal["value"]

    @traitlets.observe("value")
    def _value_to_index(self, change):
        self.index = self._values.index(change["new"])

    @traitlets.observe("index")
    def _index_to_value(self, change):
        if self._values and self.value != self._values[change["new"]]:
            self.value = self._values[change["new"]]

    style = AccessibleSlider.style


class AccessibleChoices(anywidget.AnyWidget):
    """Radio buttons (one value, like ``ToggleButtons``) or check boxes (``multiple=True``: a tuple of
    values, like ``SelectMultiple``), grouped in a fieldset whose legend is the description."""

    _esm = _CHOICES_ESM
    labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    chosen = traitlets.List(traitlets.Int()).tag(sync=True)
    multiple = traitlets.Bool(False).tag(sync=True)
    description = traitlets.Unicode("").tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    value = traitlets.Any()

    def __init__(self, options=(), value=None, multiple=False, **kwargs):
        options = list(options.items()) if isinstance(options, dict) else list(options)
        pairs = [o if isinstance(o, tuple) else (str(o), o) for o in options]
        self._values = [v for _, v in pairs]
        super().__init__(labels=[str(label) for label, _ in pairs], multiple=multiple, **kwargs)
        if value is None:
            value = () if multiple else (self._values[0] if self._values else None)
        self.value = tuple(value) if multiple else value

    @property
    def options(self):
        return tuple(zip(self.labels, self._values))

    @traitlets.validate("value")
    def _known(self, proposal):
        values = proposal["value"] if self.multiple else (proposal["value"],)
        unknown = [v for v in values if v not in self._values]
        if unknown:
            raise traitlets.TraitError(f"{unknown} not among the options {self._values}")
        return tuple(proposal["value"]) if self.multiple else proposal["value"]

    @traitlets.observe("value")
    def _value_to_chosen(self, change):
        values = change["new"] if self.multiple else (change["new"],)
        self.chosen = [self._values.index(v) for v in values]

    @traitlets.observe("chosen")
    def _chosen_to_value(self, change):
        picked = tuple(self._values[i] for i in change["new"])
        new = picked if self.multiple else (picked[0] if picked else self.value)
        if new != self.value:
            self.value = new

    style = AccessibleSlider.style


def accessible(control):
    """An accessible slider in place of an ipywidgets ``FloatSlider``/``IntSlider``; other controls
    (drop-downs, check boxes, text boxes: already labelled) are returned unchanged."""
    if type(control) in (ipywidgets.ToggleButtons, ipywidgets.RadioButtons, ipywidgets.SelectMultiple):
        multiple = type(control) is ipywidgets.SelectMultiple
        labels = control._options_labels
        return AccessibleChoices(options=list(zip(labels, control._options_values)), value=control.value,
                                 multiple=multiple, description=control.description, disabled=control.disabled)
    if type(control) is ipywidgets.Dropdown:
        return AccessibleDropdown(options=control.options, value=control.value, description=control.description,
                                  disabled=control.disabled)
    kinds = {ipywidgets.IntSlider: AccessibleIntSlider, ipywidgets.FloatSlider: AccessibleSlider}
    kind = kinds.get(type(control))
    if kind is None:
        return control
    slider = kind(min=control.min, max=control.max, step=control.step or 1, description=control.description,
                  disabled=control.disabled)
    slider.value = control.value
    return slider


_PLAY_ESM = """
function render({ model, el }) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "jupyter-button";
  let timer = null;
  const playing = (on) => { model.set("playing", on); model.save_changes(); };
  const stop = () => { if (timer) { clearInterval(timer); timer = null; } playing(false); show(); };
  const tick = () => {
    let next = model.get("value") + model.get("step");
    if (next > model.get("max")) next = model.get("min");
    model.set("value", next);
    model.save_changes();
  };
  const show = () => {
    button.textContent = (timer ? "Pause " : "Start ") + model.get("description");
    button.setAttribute("aria-pressed", timer ? "true" : "false");
  };
  button.addEventListener("keydown", (event) => event.stopPropagation());
  button.addEventListener("click", () => {
    if (timer) { stop(); return; }
    timer = setInterval(tick, model.get("interval"));
    playing(true);
    show();
  });
  model.on("change:description", show);
  show();
  el.append(button);
  return () => { if (timer) clearInterval(timer); };
}
export default { render };
"""


class AccessiblePlay(anywidget.AnyWidget):
    """A Start/Pause button with words (ipywidgets' ``Play`` has icon-only buttons that screen readers
    cannot name) that steps ``value`` from ``min`` to ``max`` every ``interval`` ms, then starts again."""

    _esm = _PLAY_ESM
    value = traitlets.Int(0).tag(sync=True)
    min = traitlets.Int(0).tag(sync=True)
    max = traitlets.Int(100).tag(sync=True)
    step = traitlets.Int(1).tag(sync=True)
    interval = traitlets.Int(1000).tag(sync=True)
    description = traitlets.Unicode("").tag(sync=True)
    playing = traitlets.Bool(False).tag(sync=True)


__all__ += ["AccessiblePlay"]
