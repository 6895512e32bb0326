"""Every source notebook has the course's anatomy; grade ids are unique across the course."""
import re

import pytest

from tests.conftest import ASSIGNMENTS, read_source
from tools.course import is_autograded_test, is_manual, lint, nbgrader_meta, prose_words, release_notebook

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
    assert 45 <= minutes <= 75


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_written_reflection_has_a_mark_scheme_hidden_from_students(assignment):
    nb = read_source(assignment)
    manual = [c for c in nb.cells if is_manual(c)]
    assert manual and all("mark scheme" in c.source.lower() and "### BEGIN SOLUTION" in c.source for c in manual)
    released = release_notebook(assignment).read_text(encoding="utf-8")
    assert "mark scheme" not in released.lower()


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_hidden_tests_add_something_and_reveal_nothing(assignment):
    nb = read_source(assignment)
    for cell in filter(is_autograded_test, nb.cells):
        visible, hidden = cell.source.split("### BEGIN HIDDEN TESTS")
        hidden = hidden.split("### END HIDDEN TESTS")[0]
        lines = [l.strip() for l in hidden.splitlines() if l.strip() and not l.strip().startswith("#")]
        assert lines, f"{nbgrader_meta(cell)['grade_id']}: empty hidden region"
        assert any(l not in visible for l in lines), f"{nbgrader_meta(cell)['grade_id']}: hidden tests repeat the visible ones"
        for line in lines:  # a failing line in feedback must show a hash or a call, never a literal key
            assert not re.match(r"assert\b", line), f"{nbgrader_meta(cell)['grade_id']}: bare assert in hidden tests: {line}"


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
