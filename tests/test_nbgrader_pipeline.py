"""The nbgrader pipeline end to end, for every assignment, on a clean checkout.

- release/ is exactly what generate_assignment makes from source/ now;
- a round trip in a temporary course: every item earns its points when answered and 0 when not
  (what `nbgrader validate` of the source and `validate --invert` of the release check, through the
  same autograding an instructor runs; `tools.course check` runs both while authoring),
  a partial submission = exactly the points of the items it answers, bad submissions
  (syntax error, exception, deleted answer cell) still get a grade record and a
  clear message; feedback contains no hidden-test source; the export lists everyone.
"""
from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from tests.conftest import ASSIGNMENTS, delete_cell, fill, items, read_source, replace_answer
from tools.course import make_course, nbgrader, release_notebook, source_notebook
from grading.feedback_check import leaked_hidden_lines
from grading.keys import KEYS_DIR, key_path
from grading.submissions import missing_cells

pytestmark = pytest.mark.roundtrip


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_course_has_assignments():
    assert ASSIGNMENTS, "no assignments in source/"
    for a in ASSIGNMENTS:
        assert source_notebook(a).is_file() and release_notebook(a).is_file(), a


def _release_is_what_nbgrader_generates(assignment: str, course: Path) -> None:
    """The committed release/ is exactly what nbgrader generates from source/ now (checked in the
    round trip, which generates it anyway)."""
    generated = course / "release" / assignment / f"{assignment}.ipynb"
    assert _json(release_notebook(assignment)) == _json(generated), (
        f"release/{assignment} is stale: run `make release` and commit the result")
    committed_files = sorted(p.relative_to(release_notebook(assignment).parent)
                             for p in release_notebook(assignment).parent.rglob("*") if p.is_file())
    generated_files = sorted(p.relative_to(generated.parent) for p in generated.parent.rglob("*") if p.is_file())
    assert committed_files == generated_files


def _submit(course: Path, assignment: str, student: str, nb) -> None:
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{assignment}.ipynb")
    (folder / "timestamp.txt").write_text("2026-11-25 12:00:00.000000 UTC")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_round_trip(assignment, tmp_path, source_runs):
    course = make_course(tmp_path, [assignment])
    keys = key_path(course / KEYS_DIR, assignment, assignment)  # made from source/ once per test run
    keys.parent.mkdir(parents=True)
    keys.write_text(json.dumps(source_runs(assignment)[1]))
    made = nbgrader("generate_assignment", assignment, cwd=course)
    assert made.returncode == 0, made.stderr[-4000:]
    _release_is_what_nbgrader_generates(assignment, course)
    source = read_source(assignment)
    release = nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    graded = items(source)
    answer_ids = [a for a, _, _ in graded]
    total = sum(p for _, _, p in graded)
    first_half, second_half = set(answer_ids[::2]), set(answer_ids[1::2])
    # Two complementary halves prove what solution-and-blank would (every item earns its points when
    # answered and nothing when not) in one notebook run fewer; the first notebook also runs the
    # whole solution, the blank release and the bad inputs.
    expected = {
        "half_a": {t: (p if a in first_half else 0.0) for a, t, p in graded},
        "half_b": {t: (p if a in second_half else 0.0) for a, t, p in graded},
    }
    submissions = {"half_a": fill(release, source, first_half), "half_b": fill(release, source, second_half)}
    first, first_test, first_points = graded[0]
    if assignment == ASSIGNMENTS[0]:  # bad input, once: each costs a full notebook run
        solved = fill(release, source, set(answer_ids))
        submissions.update(solution=solved, blank=release)
        expected.update(solution={t: p for _, t, p in graded}, blank={t: 0.0 for _, t, _ in graded})
        submissions["syntax"] = replace_answer(solved, first, "def broken(:\n    pass")
        submissions["exception"] = replace_answer(solved, first, "raise RuntimeError('student code failed')")
        submissions["deleted"] = delete_cell(solved, first)
        for bad in ("syntax", "exception", "deleted"):
            expected[bad] = dict(expected["solution"], **{first_test: 0.0})
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:  # the roster (as `nbgrader db student add`)
        for student in submissions:
            gb.update_or_create_student(student, last_name=student.title())
    for student, nb in submissions.items():
        _submit(course, assignment, student, nb)

    result = nbgrader("autograde", assignment, cwd=course)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student, wanted in expected.items():
            got = {t: gb.find_grade(t, assignment, assignment, student).auto_score for t in wanted}
            assert got == wanted, f"{student}: {got}"
        halves = gb.find_submission(assignment, "half_a").score + gb.find_submission(assignment, "half_b").score
        assert halves == pytest.approx(total)
        if "solution" in expected:
            assert gb.find_submission(assignment, "solution").score == pytest.approx(total)
            assert gb.find_submission(assignment, "blank").score == 0

    if "deleted" in expected:  # the clear message a silent 0 would hide (nbgrader #1682)
        report = missing_cells(source, course / "submitted" / "deleted" / assignment / f"{assignment}.ipynb")
        assert report.missing == (first,)
        autograded = nbformat.read(course / "autograded" / "syntax" / assignment / f"{assignment}.ipynb", as_version=4)
        errors = [o for c in autograded.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert any(o["ename"] == "SyntaxError" for o in errors)

    result = nbgrader("generate_feedback", assignment, cwd=course)
    assert result.returncode == 0, result.stderr[-4000:]
    for student in submissions:
        page = (course / "feedback" / student / assignment / f"{assignment}.html").read_text(encoding="utf-8")
        assert leaked_hidden_lines(source, page) == [], student
        assert "Test cell</a>" not in page and "(Score:" in page  # items named by their exercise titles
        if any("$$" in c.source for c in source.cells if c.cell_type == "markdown"):
            assert "<math" in page and "mathjax" not in page.lower()  # formulas need no download

    if assignment != ASSIGNMENTS[0]:  # the export does not depend on the notebook: once is enough
        return
    result = nbgrader("export", "--to", str(tmp_path / "grades.csv"), cwd=course)
    assert result.returncode == 0, result.stderr[-3000:]
    with open(tmp_path / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(submissions)
    assert float(rows["half_a"]["raw_score"]) + float(rows["half_b"]["raw_score"]) == pytest.approx(total)
