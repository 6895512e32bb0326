"""Figure helpers (style, alt text) and the feedback preprocessor that hides hidden tests."""
import matplotlib
import nbformat
import pytest

from grading.nbgrader_ext import NOTE, HideHiddenTests, hidden_lines, strip_hidden
from widgets.figures import PALETTE, course_style, figure_html, new_figure, show


def test_new_figure_does_not_touch_global_style():
    before = dict(matplotlib.rcParams)
    fig, ax = new_figure()
    ax.plot([0, 1], [0, 1])
    assert dict(matplotlib.rcParams) == before
    with course_style():
        assert matplotlib.rcParams["axes.spines.top"] is False
    assert matplotlib.rcParams["axes.spines.top"] == before["axes.spines.top"]


def test_palette_is_okabe_ito():
    assert PALETTE["blue"] == "#0072B2" and PALETTE["vermillion"] == "#D55E00"


def test_figure_html_carries_alt_text_and_caption():
    fig, ax = new_figure()
    ax.plot([0, 1], [1, 0])
    page = figure_html(fig, 'Line falls from 1 to 0 "fast"')
    assert 'alt="Line falls from 1 to 0 &quot;fast&quot;"' in page
    assert "<figcaption><b>Figure description:</b>" in page
    assert page.count("data:image/png;base64,") == 1


def test_show_requires_a_description():
    fig, _ = new_figure()
    assert "Figure description: a thing" == repr(show(fig, " a thing "))
    with pytest.raises(ValueError, match="description"):
        show(fig, "  ")


CELL = """check_number("x", x, "abc", decimals=2)
### BEGIN HIDDEN TESTS
check_number("x_other", f(3), "deadbeef", decimals=2)
### END HIDDEN TESTS"""


def test_strip_hidden_replaces_region_with_note():
    assert hidden_lines(CELL) == ['check_number("x_other", f(3), "deadbeef", decimals=2)']
    assert strip_hidden(CELL) == 'check_number("x", x, "abc", decimals=2)\n' + NOTE


def test_preprocessor_drops_hidden_source_and_traceback_frames():
    cell = nbformat.v4.new_code_cell(CELL)
    cell.outputs = [nbformat.v4.new_output(
        "error", ename="AnswerError", evalue="x_other: 4.00 is not right yet",
        traceback=["\x1b[0;31m----> 3\x1b[0m check_number(\"x_other\", f(3), \"deadbeef\", decimals=2)",
                   "File checks.py:170, in check_number\n raise AnswerError(...)",
                   "AnswerError: x_other: 4.00 is not right yet"])]
    nb = nbformat.v4.new_notebook(cells=[cell])
    nb, _ = HideHiddenTests().preprocess(nb, {})
    out = nb.cells[0]
    assert "deadbeef" not in out.source
    joined = "\n".join(out.outputs[0]["traceback"])
    assert "deadbeef" not in joined and "f(3)" not in joined
    assert "AnswerError: x_other: 4.00 is not right yet" in joined


def _pixels(png: bytes):
    import io

    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _all_views():
    import importlib.util
    import sys
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("bench_widgets", Path(__file__).parent.parent / "benchmarks" / "bench_widgets.py")
    bench = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_widgets", bench)
    spec.loader.exec_module(bench)
    return bench


@pytest.mark.parametrize("view_name", [cls.__name__ for cls in _all_views().views()])
def test_a_redrawn_view_looks_like_a_fresh_drawing(view_name):
    """The fast redraw (kept layout, only the data drawn over the saved rest) gives the picture a
    full drawing of the same figure gives: at most 1% of pixels differ visibly (z-order of data and
    axis lines). Every change is drawn once, one way or the other."""
    import numpy as np

    bench = _all_views()
    cls = next(c for c in bench.views() if c.__name__ == view_name)
    view = cls()
    differing = []
    render = view.redrawer.png

    def checked(fig):
        fast = render(fig)
        full = __import__("widgets.figures", fromlist=["figure_png"]).figure_png(fig)
        a, b = _pixels(fast), _pixels(full)
        assert a.shape == b.shape
        differing.append(float((np.abs(a - b).max(axis=2) > 32).mean()))
        return fast
    view.redrawer.png = checked
    draws_before = view.redrawer.full_draws + view.redrawer.partial_draws
    controls = list(view.controls.values())
    for step in range(4):
        control = controls[step % len(controls)]
        control.value = bench.next_value(control, step)
    assert differing and max(differing) < 0.01, differing
    assert view.redrawer.full_draws + view.redrawer.partial_draws - draws_before == len(differing)
