"""Learners and instructors meet the course in JupyterLab: drive a real one in Chromium.

For every student notebook: Run All, the only errors are the unanswered stubs
(NotImplementedError) and the checks that follow them; every widget renders; one
control of each widget is moved with the keyboard or mouse and the visible output
changes; no uncaught browser errors; a screenshot is saved. For the instructor: a
solved source notebook runs clean, the Validate button validates it, and the
Formgrader lists the course's assignments.
"""
from __future__ import annotations

import json
import time

import pytest

from tests.browser import (A11Y_REPORT, ARTIFACTS, CHROMIUM_HOW, NotebookPage, axe_violations, browser_context,
                           find_chromium, lab_server)
from tests.conftest import ASSIGNMENTS, require
from tools.course import is_answer, is_autograded_test, release_notebook

pytestmark = pytest.mark.browser

WIDGET_OUTPUT = ".jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output:has(> .jupyter-widgets)"


@pytest.fixture(scope="module")
def lab():
    require("a Chromium browser", "" if find_chromium() else "no Chromium or Chrome found", CHROMIUM_HOW)
    with lab_server() as (base, token, course), browser_context() as context:
        print(f"\nscreenshots: {ARTIFACTS}")
        yield base, token, course, context


def _dismiss_news(page):
    no = page.get_by_role("button", name="No", exact=True)
    if no.count():
        no.first.click()


def _cell_kinds(path) -> list[str]:
    cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    return ["answer" if is_answer(c) else "test" if is_autograded_test(c) else "other" for c in cells]


def _visible_state(output) -> str:
    """What a person sees of a widget: its text and the images it shows."""
    return output.evaluate(
        "el => el.textContent + '|' + Array.from(el.querySelectorAll('img')).map(i => i.src.length + i.src.slice(-64)).join(',')")


# the keys a keyboard user presses on each kind of control (after reaching it with Tab)
KEYBOARD = [
    (lambda tag, kind, role: kind == "range" or role == "slider", ["ArrowRight", "ArrowRight"], "slider"),
    (lambda tag, kind, role: tag == "SELECT", ["ArrowDown"], "drop-down"),
    (lambda tag, kind, role: kind == "radio", ["ArrowRight"], "choices"),
    (lambda tag, kind, role: kind == "checkbox", ["Space"], "check box"),
    (lambda tag, kind, role: tag == "BUTTON", ["Enter"], "button"),
    (lambda tag, kind, role: kind == "number", ["ArrowUp", "Enter"], "number box"),
]


def _move_one_control(page, output) -> str:
    """Change the first control of a widget with the keyboard alone: from the start of the widget's
    output, Tab to the control, then the key a keyboard user would press. Returns what was done."""
    output.evaluate("el => { el.tabIndex = -1; el.focus(); }")  # the reading position: start of the widget
    for _ in range(40):
        page.keyboard.press("Tab")
        kind = page.evaluate("""() => { const e = document.activeElement;
            return e ? (e.tagName + ':' + (e.type || '') + ':' + (e.getAttribute('role') || '')) : ''; }""")
        inside = output.evaluate("el => el.contains(document.activeElement)")
        if not inside:
            continue
        tag, kind_type, role = kind.split(":")
        for matches, keys, what in KEYBOARD:
            if matches(tag, kind_type, role):
                for key in keys:
                    page.keyboard.press(key)
                return f"{what}: Tab, {' '.join(keys)}"
    raise AssertionError("no control of this widget can be reached with Tab")


def _check_widgets(nb: NotebookPage) -> list[str]:
    page = nb.page
    text = page.locator(".jp-Notebook").text_content()
    assert "Loading widget" not in text and "Error displaying widget" not in text
    outputs = page.locator(WIDGET_OUTPUT)
    assert outputs.count() >= 1, "no widget rendered"
    done = []
    for i in range(outputs.count()):
        output = outputs.nth(i)
        output.scroll_into_view_if_needed()
        before = _visible_state(output)
        action = _move_one_control(page, output)
        deadline = time.monotonic() + 15
        while _visible_state(output) == before and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _visible_state(output) != before, f"widget {i}: {action} changed nothing visible"
        in_view = output.evaluate("""el => { const imgs = el.querySelectorAll('img'); if (!imgs.length) return null;
            const box = imgs[imgs.length - 1].getBoundingClientRect();
            return box.top < window.innerHeight && box.bottom > 0; }""")
        assert in_view is not False, f"widget {i}: its figure is out of sight while the control moves ({action})"
        nb.wait_idle(60)  # let the update finish before the next control (and the screenshot)
        done.append(action)
    return done


COURSE_CONTENT = [".jp-OutputArea-output", ".jp-RenderedMarkdown"]  # outputs, widgets, figures, the lesson's prose


def _course_a11y(page) -> list[dict]:
    """Serious and critical axe-core violations in what the course renders (the gate)."""
    return [v for v in axe_violations(page, COURSE_CONTENT) if v["impact"] in ("serious", "critical")]


def _record_jupyterlab_a11y(page, assignment: str) -> None:
    """JupyterLab's own violations (its editors, toolbars, menus): listed for the run's summary, not gating."""
    course_ids = {(v["id"], t) for v in axe_violations(page, COURSE_CONTENT) for t in v["targets"]}
    page_wide = [dict(v, targets=[t for t in v["targets"] if (v["id"], t) not in course_ids])
                 for v in axe_violations(page)]
    A11Y_REPORT.mkdir(parents=True, exist_ok=True)
    (A11Y_REPORT / f"jupyterlab-{assignment}.json").write_text(json.dumps(page_wide, indent=1))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_notebook_runs_and_every_widget_responds(lab, assignment):
    base, token, course, context = lab
    nb = NotebookPage(context, base, token, f"release/{assignment}/{assignment}.ipynb")
    try:
        _dismiss_news(nb.page)
        nb.run_all()
        kinds = _cell_kinds(release_notebook(assignment))
        errors = nb.errors_by_cell()
        for index, ename, first_line in errors:
            kind = kinds[index]
            allowed = {"answer": {"NotImplementedError"}, "test": {"AnswerError", "NameError", "NotImplementedError"}}.get(kind, set())
            if kind == "test" and ename.startswith("\u2718"):  # a form check's one-line message
                continue
            assert ename in allowed, f"code cell {index} ({kind}, {first_line!r}) raised {ename}"
        # every unanswered item shows its stub: in the answer cell, or (a function stub) in its test cell
        raised = {i for i, e, _ in errors if e == "NotImplementedError"}
        missing = [i for i, kind in enumerate(kinds) if kind == "answer" and not {i, i + 1} & raised]
        assert missing == [], f"answer cells without a visible stub error: {missing}"
        before = _course_a11y(nb.page)  # after Run All
        actions = _check_widgets(nb)
        after = _course_a11y(nb.page)   # after every widget was moved
        assert before == [] and after == [], f"accessibility of what the course renders: {before or after}"
        _record_jupyterlab_a11y(nb.page, assignment)
        assert nb.page_errors == [], nb.page_errors
        shot = nb.screenshot(f"release-{assignment}")
        print(f"{assignment}: {len(actions)} widgets moved ({'; '.join(actions)}); screenshot {shot}")
    finally:
        nb.page.close()


def _prepared_self_paced(course, answers: dict) -> str:
    """A learner's copy of a self-paced notebook with some answer cells filled in (notebook 00,
    whose items the primer keeps stable)."""
    import nbformat

    from tools.course import nbgrader_meta

    assignment = "00_working_in_notebooks"
    nb = nbformat.read(course / "selfpaced" / assignment / f"{assignment}.ipynb", as_version=4)
    for cell in nb.cells:
        if nbgrader_meta(cell).get("grade_id") in answers:
            cell.source = answers[nbgrader_meta(cell)["grade_id"]]
    path = course / "my-work" / f"{assignment}.ipynb"
    path.parent.mkdir(exist_ok=True)
    nbformat.write(nb, path)
    return f"my-work/{assignment}.ipynb"


def _test_cell_output(nb: NotebookPage, grade_id_text: str) -> str:
    """The visible output of the test cell whose source starts with ``grade_id_text``."""
    cell = nb.page.locator(".jp-Notebook .jp-CodeCell", has_text=grade_id_text).last
    return cell.locator(".jp-OutputArea").text_content()


def test_a_learner_sees_one_line_not_a_traceback(lab):
    """Self-paced edition: a wrong form, a wrong answer and a right one, each as one short line."""
    base, token, course, context = lab
    path = _prepared_self_paced(course, {
        "primer_weeks_early": 'weeks_early = "eight"',                       # text, not a number
        "primer_total_visit_minutes": "total_visit_minutes = 100",          # the right form, not right
        "primer_next_step": 'next_step = visit_notes["next_step"]',         # right
    })
    nb = NotebookPage(context, base, token, path)
    try:
        _dismiss_news(nb.page)
        nb.run_all()
        form = _test_cell_output(nb, 'hand_in("primer_weeks_early"')
        wrong = _test_cell_output(nb, 'hand_in("primer_total_visit_minutes"')
        right = _test_cell_output(nb, 'hand_in("primer_next_step"')
        for text in (form, wrong):
            assert "Traceback" not in text and "File " not in text and "hand_in(" not in text, text
            assert not __import__("re").search(r"[0-9a-f]{16}", text), text  # no hash shown
        assert "Store a value under a name: answer: give a single number in weeks." in form
        assert "Add up a list: not right yet. Revisit 3. Lists and dictionaries." in wrong
        assert "\u2714 Exercise 3 (1 point): Read a value from a dictionary: correct." in right
        nb.page.locator(".jp-Notebook .jp-CodeCell", has_text='hand_in("primer_total_visit_minutes"').last \
            .scroll_into_view_if_needed()
        nb.screenshot("selfpaced-one-line-messages")
    finally:
        nb.page.close()


def test_instructor_notebook_runs_clean_and_validates(lab):
    base, token, course, context = lab
    assignment = ASSIGNMENTS[0]
    nb = NotebookPage(context, base, token, f"source/{assignment}/{assignment}.ipynb")
    try:
        _dismiss_news(nb.page)
        nb.run_all()
        assert nb.errors_by_cell() == []
        _check_widgets(nb)
        nb.page.get_by_role("button", name="Validate").first.click()
        dialog = nb.page.locator(".jp-Dialog")
        dialog.wait_for(timeout=120_000)
        dialog.get_by_text("Success! Your notebook passes all the tests.").wait_for(timeout=120_000)
        nb.screenshot("instructor-validate")
        assert nb.page_errors == [], nb.page_errors
    finally:
        nb.page.close()


def test_formgrader_lists_the_course_assignments(lab):
    base, token, course, context = lab
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{base}/lab?token={token}&reset", wait_until="domcontentloaded")
        page.get_by_role("menuitem", name="Nbgrader", exact=True).click(timeout=90_000)
        page.get_by_role("menuitem", name="Formgrader", exact=True).click()
        frame = page.frame_locator("iframe").first
        for assignment in ASSIGNMENTS:
            frame.get_by_text(assignment, exact=True).first.wait_for(timeout=60_000)
        shot = ARTIFACTS / "formgrader.png"
        page.screenshot(path=str(shot))
        assert errors == [], errors
    finally:
        page.close()


def test_make_lab_opens_a_learner_lab_without_instructor_tools(lab):
    """`make lab`'s JupyterLab (tools.lab, configured by lab/learner): the first notebook open, the
    Validate button there, no news pop-up, no Formgrader or Create Assignment, nothing from $HOME."""
    import urllib.error
    import urllib.request

    from tests.browser import learner_lab

    context = lab[3]  # the module's browser (one Playwright per process); a learner's server of its own
    with learner_lab() as (base, token, work):
        for path, wanted in (("formgrader", 404), ("api/status", 200)):
            try:
                status = urllib.request.urlopen(f"{base}/{path}?token={token}", timeout=10).status
            except urllib.error.HTTPError as error:
                status = error.code
            assert status == wanted, f"/{path}: HTTP {status}"
        page = context.new_page()
        page.goto(f"{base}/?token={token}")
        first = sorted(work.glob("[0-9][0-9]_*/*.ipynb"))[0].name
        page.locator(f".lm-TabBar-tab:has-text('{first}')").first.wait_for(timeout=60_000)  # opened by itself
        page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
        page.get_by_role("button", name="Validate").first.wait_for(timeout=30_000)
        page.wait_for_timeout(3000)  # give a news prompt or an extension's menu time to appear
        menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
        assert "Nbgrader" not in menus and "Formgrader" not in page.content(), menus
        assert "Create Assignment" not in page.content()
        assert "Jupyter news" not in page.locator("body").inner_text()
        page.screenshot(path=str(ARTIFACTS / "learner-mode.png"))
        page.close()


def test_instructor_report_pages_pass_the_audit_and_sort_from_the_keyboard(lab, tmp_path):
    """The grading report and item analysis pages: no serious or critical axe violation anywhere on them;
    a column sorts when its heading button is pressed with Enter."""
    from grading.grade import Outcome, write_outcomes_page
    from grading.pages import distribution, page, table

    outcomes = [Outcome("ana", "graded", 10, 13), Outcome("ben", "grading failed", flags=["could not read it"]),
                Outcome("cai", "graded", 12, 13)]
    report = write_outcomes_page(tmp_path / "grading-report.html", "demo", outcomes, "sandbox")
    items = tmp_path / "item-analysis.html"
    items.write_text(page("Item analysis: demo", table("Per item", ["item", "points", "score: students"],
                                                       [["demo_choice", 1, distribution({"0": 2, "1": 5})]],
                                                       numeric={1})))
    browser_page = lab[3].new_page()
    try:
        for path in (report, items):
            browser_page.goto(path.as_uri())
            serious = [v for v in axe_violations(browser_page) if v["impact"] in ("serious", "critical")]
            assert serious == [], (path.name, serious)
        browser_page.goto(report.as_uri())
        browser_page.keyboard.press("Tab")  # the first heading button: "student"
        browser_page.keyboard.press("Enter")
        first = browser_page.locator("tbody tr td").first.inner_text()
        assert first.endswith("ana") and browser_page.locator("th[aria-sort=ascending]").count() == 1
    finally:
        browser_page.close()
