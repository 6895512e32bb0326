"""Every source notebook has the course's anatomy; grade ids are unique across the course."""
import re

import pytest

from tests.conftest import ASSIGNMENTS, read_source
from tools.course import (is_autograded_test, is_manual, lint, nbgrader_meta, prose_words, release_notebook,
                          judged_cell_problems)

MIN_WORDS, MAX_WORDS = 1500, 3600


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_notebook_anatomy(assignment):
    nb = read_source(assignment)
    assert lint(nb) == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_lesson_length_and_estimated_time(assignment):
    nb = read_source(assignment)
    words = prose_words(nb)
    assert MIN_WORDS <= words <= MAX_WORDS, f"{words} words of prose"
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    minutes = int(re.search(r"estimated time\W+(\d+)", text, re.I).group(1))
    low, high = (30, 45) if assignment.startswith("00_") else (45, 75)  # 00 is the short Python primer
    assert low <= minutes <= high


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_written_reflection_has_a_mark_scheme_hidden_from_students(assignment):
    nb = read_source(assignment)
    manual = [c for c in nb.cells if is_manual(c)]
    assert manual and all("mark scheme" in c.source.lower() and "### BEGIN SOLUTION" in c.source for c in manual)
    released = release_notebook(assignment).read_text(encoding="utf-8")
    assert "mark scheme" not in released.lower()


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_hidden_tests_test_something_new(assignment):
    """Hidden tests exist only where they add something: a function called on inputs the
    visible part never uses. Values are judged against the key outside the kernel."""
    nb = read_source(assignment)
    for cell in filter(is_autograded_test, nb.cells):
        assert judged_cell_problems(nbgrader_meta(cell)["grade_id"], cell.source) == []


@pytest.mark.parametrize("text, problem", [
    ('hand_in("x", as_number("a", f(1), tol=1))\n### BEGIN HIDDEN TESTS\nhand_in("x", as_number("b", f(1), tol=1))\n'
     "### END HIDDEN TESTS", "repeats a visible one"),
    ('hand_in("x", as_number("a", call(f, 1), tol=1))\n### BEGIN HIDDEN TESTS\nhand_in("x", as_number("b", call(f, 1), tol=1))\n'
     "### END HIDDEN TESTS", "repeats a visible one"),
    ('hand_in("x", as_number("a", call(f, 1), tol=1))', "needs hidden inputs"),
    ('hand_in("x", as_number("a", v, tol=1))\n### BEGIN HIDDEN TESTS\nhand_in("x", as_number("b", w, tol=1))\n'
     "### END HIDDEN TESTS", "is a value"),
    ('check_number("x", v, "abc", decimals=2)', "old in-kernel checks"),
    ('hand_in("y", as_number("a", v, tol=1))', "not 'x'"),
    ("print(v)", "hands in nothing"),
])
def test_the_structure_check_catches_what_it_should(text, problem):
    assert any(problem in p for p in judged_cell_problems("x_tests", text)), judged_cell_problems("x_tests", text)


def test_grade_ids_are_unique_across_the_course():
    seen = {}
    for assignment in ASSIGNMENTS:
        for cell in read_source(assignment).cells:
            grade_id = nbgrader_meta(cell).get("grade_id")
            if grade_id:
                assert grade_id not in seen, f"{grade_id} in {assignment} and {seen[grade_id]}"
                seen[grade_id] = assignment


def test_releases_hold_no_solutions():
    for assignment in ASSIGNMENTS:
        text = release_notebook(assignment).read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, assignment
