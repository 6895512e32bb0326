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
from contextlib import contextmanager
from dataclasses import dataclass

import matplotlib
from matplotlib.figure import Figure

__all__ = ["PALETTE", "LINESTYLES", "MARKERS", "course_style", "new_figure", "figure_html", "show", "FigureWithDescription"]

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
    return fig, axes


def figure_png(fig: Figure) -> bytes:
    """The figure as PNG bytes (small: 80 dpi)."""
    buffer = io.BytesIO()
    with course_style():
        fig.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})  # fast to encode
    return buffer.getvalue()


def figure_html(fig: Figure, description: str) -> str:
    """HTML for the figure with real alt text and a visible caption."""
    data = base64.b64encode(figure_png(fig)).decode("ascii")
    text = html.escape(description, quote=True)
    return (
        '<figure style="margin:0">'
        f'<img src="data:image/png;base64,{data}" alt="{text}" style="max-width:100%"/>'
        f'<figcaption><b>Figure description:</b> {text}</figcaption></figure>'
    )


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
