"""The instructor's report pages: figures whose titles and legends fit, tables that read and sort."""
from grading.grade import Outcome, item_figure, write_outcomes_page
from grading.pages import distribution, page, table

STATS = [{"item": f"assessment_item_with_a_long_name_{k}", "max_points": 2, "difficulty": d, "discrimination": r,
          "distribution": {"0": 3, "1": 5, "2": 12}} for k, (d, r) in enumerate([(0.9, 0.3), (0.4, 0.6), (0.7, -0.1)])]


def test_the_item_figure_title_and_legend_fit_and_the_legend_is_off_the_data():
    fig = item_figure("11_assessment_intervention", STATS, graded=314)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)  # as savefig draws it for the page
    canvas.draw()
    renderer = canvas.get_renderer()
    box = fig.bbox
    ax = fig.axes[0]
    title = ax.title.get_window_extent(renderer)
    legend = fig.legends[0].get_window_extent(renderer)
    assert box.x0 <= title.x0 and title.x1 <= box.x1 and title.y1 <= box.y1, "title clipped"
    assert box.x0 <= legend.x0 and legend.x1 <= box.x1 and legend.y0 >= box.y0, "legend clipped"
    assert not legend.overlaps(ax.get_window_extent(renderer)), "legend over the data"
    assert "314 graded submissions" in ax.title.get_text()


def test_tables_escape_align_numbers_and_carry_sort_buttons():
    html = table("Per item", ["item", "points"], [["<b>x</b>", 2]], numeric={1})
    assert "&lt;b&gt;x&lt;/b&gt;" in html and '<td class=num>2</td>' in html
    assert html.count('<button type="button">') == 2 and "press a column heading to sort" in html
    dist = distribution({"0": 1, "2": 3})
    assert "0 pt: 1" in dist and "2 pt: 3" in dist and 'aria-hidden="true"' in dist  # words carry it; bars repeat it


def test_the_grading_report_page_lists_who_needs_a_look_first(tmp_path):
    outcomes = [Outcome("ana", "graded", 10, 13), Outcome("ben", "grading failed", flags=["nbgrader could not read it"]),
                Outcome("cai", "graded", 13, 13, flags=["late by 49.0 h after its due date: penalty 1.8 points"])]
    text = write_outcomes_page(tmp_path / "r.html", "01_what_is_imh", outcomes, "sandbox").read_text()
    assert text.index(">ben<") < text.index(">cai<") < text.index(">ana<")
    assert "2 need a look" in text and text.count("needs a look</td>") == 2 and '<html lang="en">' in text
