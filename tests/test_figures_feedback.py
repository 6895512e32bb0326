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
