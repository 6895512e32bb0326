"""The course's figure style and the figure-with-description helper.

Every figure in the course is a matplotlib ``Figure`` made with
:func:`new_figure` (no pyplot, so nothing is drawn twice and no global state
changes), styled with the colour-blind-safe Okabe-Ito palette, and shown with
:func:`show`, which puts a one-sentence text description (alt text) beside it.
"""
from __future__ import annotations

import base64
import html
import io
import os
from contextlib import contextmanager
from dataclasses import dataclass

import matplotlib
from matplotlib.figure import Figure

__all__ = ["PALETTE", "LINESTYLES", "MARKERS", "course_style", "new_figure", "figure_html", "show", "FigureWithDescription",
           "Redrawer"]

#: Okabe & Ito (2008) colour-blind-safe palette, in the order series use it.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
#: Series differ by line style as well as colour (readable in greyscale).
LINESTYLES = ["-", "--", ":", "-."]
MARKERS = ["o", "s", "^", "D"]

_RC = {
    "axes.prop_cycle": matplotlib.cycler(color=list(PALETTE.values())[:6]),
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,     # grid under the data, so a redrawn view looks the same as a fresh one
    "grid.alpha": 0.3,
    "font.size": 10,
    "legend.frameon": False,
    "figure.dpi": 80,
    "savefig.dpi": 80,
}


@contextmanager
def course_style():
    """Apply the course style inside a ``with`` block only (rcParams restored after)."""
    with matplotlib.rc_context(_RC):
        yield


def new_figure(width: float = 7.0, height: float = 3.6, nrows: int = 1, ncols: int = 1, **subplot_kw):
    """A styled ``(Figure, Axes)`` pair that is not registered with pyplot.

    Width and height are in inches. With more than one subplot, the second item
    is the array of Axes.
    """
    with course_style():
        fig = Figure(figsize=(width, height), layout="constrained")
        axes = fig.subplots(nrows, ncols, subplot_kw=subplot_kw or None)
    # Set on the Axes themselves so the style holds for what is drawn after this call.
    for ax in fig.axes:
        if ax.name == "rectilinear":
            ax.spines[["top", "right"]].set_visible(False)
            ax.grid(True, alpha=0.3)
            ax.set_axisbelow(True)
    return fig, axes


# Runs that only build keys (grading/keys.py) show nobody a picture: with IMH_NO_PIXELS=1 in the
# kernel's environment every rendering is a 1x1 placeholder, which saves a third of such a run.
PIXELS = os.environ.get("IMH_NO_PIXELS") != "1"
_PLACEHOLDER_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4//8/AwAI/AL+hc2rNAAAAABJRU5ErkJggg==")


def figure_png(fig: Figure) -> bytes:
    """The figure as PNG bytes (small: 80 dpi)."""
    if not PIXELS:
        return _PLACEHOLDER_PNG
    buffer = io.BytesIO()
    with course_style():
        fig.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})  # fast to encode
    return buffer.getvalue()


def figure_html(fig: Figure, description: str, png: bytes | None = None) -> str:
    """HTML for the figure with real alt text and a visible caption (``png``: already rendered)."""
    data = base64.b64encode(png if png is not None else figure_png(fig)).decode("ascii")
    text = html.escape(description, quote=True)
    return (
        '<figure style="margin:0">'
        f'<img src="data:image/png;base64,{data}" alt="{text}" style="max-width:100%"/>'
        f'<figcaption><b>Figure description:</b> {text}</figcaption></figure>'
    )


def _layout_key(fig: Figure) -> tuple:
    """What a figure's layout and its unchanging drawing depend on: its size, its axes and their
    places, limits, scales, axis labels, ticks and tick labels, the figure's texts and legends. The
    axes' titles and legends count only by their number of lines: they are redrawn every time, since
    they often carry the numbers a control changes. Figures with the same key differ only in what
    :func:`_data_artists` draws."""
    def texts(items):
        return tuple(t.get_text() for t in items)

    def lines(text):  # a title or an axes' legend changes the layout only by its height
        return text.count("\n") + 1 if text else 0

    def of_axes(ax):
        spec = ax.get_subplotspec()
        legend = ax.get_legend()
        return (type(ax).__name__, spec.get_geometry() if spec else tuple(ax.get_position().bounds),
                ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale(), ax.get_xlabel(), ax.get_ylabel(),
                tuple(lines(ax.get_title(where)) for where in ("center", "left", "right")), ax.get_visible(),
                ax.axison, tuple(ax.get_xticks()), tuple(ax.get_yticks()), texts(ax.get_xticklabels()),
                texts(ax.get_yticklabels()),
                tuple(lines(t.get_text()) for t in legend.get_texts()) if legend else None)
    return (tuple(fig.get_size_inches()), fig.dpi, texts(fig.texts),
            tuple(texts(lg.get_texts()) for lg in fig.legends),  # outside the axes: the layout makes room
            tuple(of_axes(ax) for ax in fig.axes))


def _data_artists(fig: Figure) -> list:
    """What a view's controls change: everything inside the axes (lines, bars, points, images,
    texts) and the axes' titles. Drawn over the saved rest of the figure, in z-order."""
    found = []
    for ax in fig.axes:
        titles = [t for t in _titles(ax) if t.get_text()]
        found += [a for a in (*ax.lines, *ax.patches, *ax.collections, *ax.images, *ax.texts, *ax.artists, *titles)
                  if a.get_visible() and not getattr(a, "_imh_still", False)]
    return sorted(found, key=lambda a: a.get_zorder())


def keep_still(*artists) -> None:
    """Mark artists inside the axes that no control changes (a fixed curve, reference bars and their
    labels), in a figure a view updates in place: :class:`Redrawer` then keeps them in its saved
    background instead of drawing them on every change. They are drawn below what changes."""
    for artist in artists:
        artist._imh_still = True


def _titles(ax) -> tuple:
    return ax.title, ax._left_title, ax._right_title


def _legends(fig: Figure) -> list:
    """Drawn after the data, as a full drawing does: legends, and the axes' spines (a bar that
    reaches the axis line must not cover it)."""
    spines = [spine for ax in fig.axes for spine in ax.spines.values() if spine.get_visible()]
    return spines + [lg for lg in [ax.get_legend() for ax in fig.axes] + list(fig.legends)
                     if lg is not None and lg.get_visible()]


def fixed_legend(ax, handles, labels=None, *, side: str | None = None, **kwargs):
    """A legend no control changes, held by the figure rather than the axes, so a view's fast redraw
    (:class:`Redrawer`) keeps it in the saved background instead of drawing its texts on every change.

    ``side``: ``"right"`` (right of ``ax``), ``"upper"`` or ``"lower"`` (along that edge of the
    figure): constrained layout then leaves the legend its room. ``None``: placed by ``kwargs``
    (``loc``, ``bbox_to_anchor``) clear of the data. ``labels`` default to the handles' labels."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.legend import Legend

    fig = ax.figure
    labels = [h.get_label() for h in handles] if labels is None else labels
    if side == "right":
        legend = Legend(ax, handles, labels, loc="upper left", bbox_to_anchor=(1.0, 1.0), **kwargs)
    elif side in ("upper", "lower"):
        legend = Legend(fig, handles, labels, loc=f"{side} center",
                        bbox_to_anchor=(0.5, 1.0 if side == "upper" else 0.0), **kwargs)
    elif side is None:
        legend = Legend(ax, handles, labels, **kwargs)
    else:
        raise ValueError(f"side: 'right', 'upper', 'lower' or None, not {side!r}")
    fig.add_artist(legend)
    engine = fig.get_layout_engine()
    if side is not None and engine is not None and hasattr(engine, "set"):  # leave the legend its room
        extent = legend.get_window_extent(FigureCanvasAgg(fig).get_renderer())
        if side == "right":
            engine.set(rect=(0, 0, 1 - extent.width / fig.bbox.width - 0.01, 1))
        else:
            height = extent.height / fig.bbox.height + 0.01
            engine.set(rect=(0, 0, 1, 1 - height) if side == "upper" else (0, height, 1, 1 - height))
    return legend


class Redrawer:
    """Renders the successive figures of one view as PNG, fast.

    A view redraws the same kind of figure with other data, and drawing every label, tick and
    title again (and laying them out: constrained layout draws once more just to measure texts)
    is most of the cost. So the layout is kept per :func:`_layout_key`, and while the key stays the
    same only what is inside the axes is drawn, over a saved picture of the rest (Agg blitting).
    Legends are drawn last, over the data, as in a full drawing."""

    def __init__(self):
        self._positions: dict = {}      # layout key -> axes positions made by constrained layout
        self._background = None         # (layout key, Agg buffer region without data and legends)
        self.full_draws = self.partial_draws = 0

    def png(self, fig: Figure) -> bytes:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        if not PIXELS:
            return _PLACEHOLDER_PNG
        engine = fig.get_layout_engine()
        if engine is not None and engine.__class__.__name__.startswith("Constrained"):
            key = _layout_key(fig)
            if key not in self._positions:
                with course_style():
                    fig.draw_without_rendering()
                self._positions[key] = [ax.get_position(original=False).frozen() for ax in fig.axes]
            fig.set_layout_engine("none")
            for ax, position in zip(fig.axes, self._positions[key]):
                ax.set_position(position)
        key = _layout_key(fig)  # after layout: a figure laid out by hand (engine none) works too
        canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        dynamic, legends = _data_artists(fig), _legends(fig)
        with course_style():
            if self._background is None or self._background[0] != key:
                for artist in dynamic + legends:
                    artist.set_visible(False)
                try:
                    canvas.draw()
                finally:
                    for artist in dynamic + legends:
                        artist.set_visible(True)
                # Place the titles clear of the top ticks (as Axes.draw does for visible titles): the
                # same places for every figure of the same key
                renderer = canvas.get_renderer()
                for ax in fig.axes:
                    ax._update_title_position(renderer)
                titles = [t.get_position() for ax in fig.axes for t in _titles(ax)]
                self._background = (key, canvas.copy_from_bbox(fig.bbox), titles)
                self.full_draws += 1
            else:
                self.partial_draws += 1
                canvas.get_renderer()
                canvas.restore_region(self._background[1])
                for title, position in zip((t for ax in fig.axes for t in _titles(ax)), self._background[2]):
                    title.set_position(position)
            for ax in fig.axes:
                ax.apply_aspect()
            for artist in dynamic + legends:
                (artist.axes or fig).draw_artist(artist)
        return _rgba_png(canvas)


def _rgba_png(canvas) -> bytes:
    """The canvas's pixels as PNG bytes (fast compression, like :func:`figure_png`)."""
    from PIL import Image

    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), bytes(canvas.buffer_rgba()), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


@dataclass(frozen=True)
class FigureWithDescription:
    """What :func:`show` returns: renders as image plus description, or as text."""

    figure: Figure
    description: str

    def _repr_html_(self) -> str:
        return figure_html(self.figure, self.description)

    def __repr__(self) -> str:
        return f"Figure description: {self.description}"


def show(fig: Figure, description: str) -> FigureWithDescription:
    """Show a figure with its one-sentence description (make it a cell's last line)."""
    if not description or not description.strip():
        raise ValueError("description: every figure needs a one-sentence text description")
    return FigureWithDescription(fig, description.strip())
