"""The instructor's grading workflow on a class with every kind of bad submission.

One LMS zip (Blackboard names, dashed timestamps) holds a corpus of submissions;
it goes through roster import, collect, parallel autograde, report, feedback,
export and item analysis exactly as the README says. Each kind of submission is
one test: the run finished, its outcome is stated, the gradebook has a record,
and everyone else's grade is what it should be. A serial plain `nbgrader
autograde` of the same submissions gives identical scores.
"""
from __future__ import annotations

import copy
import csv
import json
import os
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from tests.conftest import delete_cell, fill, replace_answer
from grading import grade
from tools.course import nbgrader, nbgrader_meta
from grading.lms import collect, parse_name, parse_stamp, read_roster

pytestmark = [pytest.mark.roundtrip, pytest.mark.xdist_group("grading")]

FIXTURE = Path(__file__).parent / "fixtures" / "demo_course"
A = "demo"
ITEMS = {"demo_choice_tests": 1.0, "demo_number_tests": 2.0, "demo_function_tests": 3.0}
FULL = dict(ITEMS)


def _with(**scores):
    return dict(FULL, **{f"demo_{k}_tests": v for k, v in scores.items()})


def _strip_metadata(nb):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    return nb


def _submissions(release, source):
    solved = fill(release, source, {"demo_choice", "demo_number", "demo_function"})
    solved_text = nbformat.writes(solved)
    return {
        # student: (file name in the zip, content, expected autograded scores or None, words in the report)
        "correct": (f"{A}.ipynb", solved_text, FULL, None),
        "blank": (f"{A}.ipynb", nbformat.writes(release), {k: 0.0 for k in ITEMS}, None),
        "partial": (f"{A}.ipynb", nbformat.writes(fill(release, source, {"demo_choice", "demo_function"})), _with(number=0.0), None),
        "syntax": (f"{A}.ipynb", nbformat.writes(replace_answer(solved, "demo_choice", "choice = (\"B\"")), _with(choice=0.0), None),
        "importfail": (f"{A}.ipynb", nbformat.writes(replace_answer(solved, "demo_number", "import no_such_module_here\nhours = 11.82")), _with(number=0.0), None),
        "loop": (f"{A}.ipynb", nbformat.writes(replace_answer(solved, "demo_function", "while True:\n    pass")), _with(function=0.0), "timed out"),
        "chatty": (f"{A}.ipynb", nbformat.writes(replace_answer(solved, "demo_choice", "for i in range(200_000):\n    print(i)\nchoice = 'B'")), FULL, None),
        "exits": (f"{A}.ipynb", nbformat.writes(replace_answer(solved, "demo_choice", "import sys\nsys.exit()")), _with(choice=0.0), None),
        # the kernel dies in the second answer: the first item keeps its point, the rest wait for a person
        "killer": (f"{A}.ipynb", nbformat.writes(replace_answer(solved, "demo_number", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")), _with(number=0.0, function=0.0), "kernel died"),
        "nocell": (f"{A}.ipynb", nbformat.writes(delete_cell(solved, "demo_number")), _with(number=0.0), "deleted"),
        "notest": (f"{A}.ipynb", nbformat.writes(delete_cell(solved, "demo_function_tests")), None, "deleted"),
        "stripped": (f"{A}.ipynb", nbformat.writes(_strip_metadata(solved)), None, "deleted or stripped"),
        "tamper": (f"{A}.ipynb", nbformat.writes(replace_answer(replace_answer(solved, "demo_choice", "choice = 'C'"), "demo_choice_tests", "print('all good')")), _with(choice=0.0), "edited"),
        "renamed": ("My Notebook (1).ipynb", solved_text, FULL, None),
        "nonotebook": ("answers.txt", "I wrote my answers here instead.", "none", None),
        "notjson": (f"{A}.ipynb", "this is not a notebook", "unreadable", "not a readable notebook"),
        "empty": (f"{A}.ipynb", "", "unreadable", "empty file"),
        "huge": (f"{A}.ipynb", solved_text[:-2] + ', "padding": "' + "x" * 5_200_000 + '"}', "unreadable", "over the size limit"),
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    course = root / "course"
    shutil.copytree(FIXTURE, course)
    for name in ("course_config.py", "nbgrader_config.py"):
        shutil.copy(Path(__file__).parent.parent / name, course / name)
    os.environ["IMH_CELL_TIMEOUT"] = "8"  # the hung cell costs one timeout; keep the suite quick
    try:
        assert nbgrader("generate_assignment", A, cwd=course).returncode == 0
        source = nbformat.read(course / "source" / A / f"{A}.ipynb", as_version=4)
        release = nbformat.read(course / "release" / A / f"{A}.ipynb", as_version=4)
        corpus = _submissions(release, source)
        roster = root / "roster.csv"
        with open(roster, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "first_name", "last_name", "email"])
            for student in corpus:
                writer.writerow([student, "Test", student.title(), f"{student}@example.edu"])
            writer.writerow(["absent", "Ada", "Absent", "absent@example.edu"])
        assert grade.import_roster(course, roster) == len(corpus) + 1
        archive = root / "lms.zip"
        with zipfile.ZipFile(archive, "w") as z:
            for i, (student, (name, content, _, _)) in enumerate(corpus.items()):
                z.writestr(f"Principles IMH Demo_{student}_attempt_2026-11-20-14-{i:02d}-05_{name}", content)
            # an older attempt of 'correct' that must be superseded by the newer one
            z.writestr(f"Principles IMH Demo_correct_attempt_2026-11-19-09-00-00_{A}.ipynb", nbformat.writes(release))
            z.writestr("readme_from_the_lms.txt", "export notes")
        collection = collect(archive, A, read_roster(roster), course)
        outcomes = {o.student: o for o in grade.autograde(course, A, jobs=2)}
        report = grade.write_outcomes(course, A, list(outcomes.values()))
        leaks = grade.feedback(course, A)
        exported = course / "grades.csv"
        grade.export(course, exported)
        items_page = grade.item_report(course, A)

        # the reference: plain serial nbgrader on the same submissions, in a copy of the course
        serial = root / "serial"
        shutil.copytree(course, serial, ignore=shutil.ignore_patterns("autograded", "feedback", "gradebook.db", "reports"))
        assert nbgrader("generate_assignment", A, "--force", cwd=serial).returncode == 0
        nbgrader("autograde", A, cwd=serial)
        yield dict(course=course, corpus=corpus, collection=collection, outcomes=outcomes, report=report,
                   leaks=leaks, exported=exported, items_page=items_page, serial=serial, source=source)
    finally:
        os.environ.pop("IMH_CELL_TIMEOUT", None)


def _scores(course: Path, student: str) -> dict:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {item: gb.find_grade(item, A, A, student).auto_score for item in ITEMS}


KINDS = ["correct", "blank", "partial", "syntax", "importfail", "loop", "chatty", "exits", "killer", "nocell",
         "notest", "stripped", "tamper", "renamed", "nonotebook", "notjson", "empty", "huge"]


def test_corpus_has_at_least_fifteen_kinds(graded):
    assert set(graded["corpus"]) == set(KINDS) and len(KINDS) >= 15


@pytest.mark.parametrize("student", KINDS)
def test_each_kind_of_submission(graded, student):
    course, outcome = graded["course"], graded["outcomes"][student]
    _, _, expected, words = graded["corpus"][student]
    # the report states an outcome for this student
    rows = {r["student_id"]: r for r in csv.DictReader(open(graded["report"]))}
    assert student in rows and rows[student]["status"]
    # the gradebook holds a record
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.find_submission(A, student)
    if isinstance(expected, dict):
        assert outcome.status == "graded"
        assert _scores(course, student) == expected
    elif expected == "unreadable":
        assert outcome.status == "unreadable" and rows[student]["needs_look"] == "yes"
        export = {r["student_id"]: r for r in csv.DictReader(open(graded["exported"]))}
        assert int(export[student]["needs_manual_grading"]) >= 1  # never a silent 0
    elif expected == "none":
        assert outcome.status == "no submission"
        assert any(student in member for member, _ in graded["collection"].unplaced)
    if words:
        assert words in rows[student]["reasons"], rows[student]
        assert rows[student]["needs_look"] == "yes"
    if expected is None:  # never silently scored: the report says look, and the export counts pending scores
        assert rows[student]["needs_look"] == "yes"
        export = {r["student_id"]: r for r in csv.DictReader(open(graded["exported"]))}
        assert int(export[student]["needs_manual_grading"]) >= 1


def test_a_dead_kernel_costs_only_the_items_after_it(graded):
    with Gradebook(f"sqlite:///{graded['course'] / 'gradebook.db'}") as gb:
        flags = {item: gb.find_grade(item, A, A, "killer").needs_manual_grade for item in ITEMS}
    assert flags == {"demo_choice_tests": False, "demo_number_tests": True, "demo_function_tests": True}
    assert "cells never ran" in " ".join(graded["outcomes"]["killer"].flags)


def test_everyone_else_is_unaffected_and_matches_serial_nbgrader(graded):
    course, serial = graded["course"], graded["serial"]
    for student, (_, _, expected, _) in graded["corpus"].items():
        if (course / "submitted" / student / A / f"{A}.ipynb").exists() and isinstance(expected, dict):
            assert _scores(course, student) == _scores(serial, student), student


def test_collector_reads_dashed_timestamps_and_keeps_the_newest(graded):
    course = graded["course"]
    stamp = (course / "submitted" / "correct" / A / "timestamp.txt").read_text()
    assert stamp.startswith("2026-11-20 14:00:05")
    assert any("2026-11-19-09-00-00" in old for old, _ in graded["collection"].superseded)
    placed = graded["collection"].placed
    assert "renamed from" in placed["renamed"][2]
    reasons = dict(graded["collection"].unplaced)
    assert any("over the size limit" in r for r in reasons.values())
    assert any("matches no known LMS pattern" in r for r in reasons.values())
    assert (course / "downloaded" / A / "unplaced" / "readme_from_the_lms.txt").exists()


def test_roster_student_without_submission_has_a_record_and_zero(graded):
    assert graded["outcomes"]["absent"].status == "no submission"
    assert _scores(graded["course"], "absent") == {k: 0 for k in ITEMS}


def test_feedback_for_everyone_and_no_hidden_test_leaks(graded):
    course = graded["course"]
    assert graded["leaks"] == []
    pages = list((course / "feedback").glob(f"*/{A}/{A}.html"))
    graded_students = [s for s, o in graded["outcomes"].items() if o.status == "graded"]
    assert len(pages) == len(graded_students)
    text = (course / "feedback" / "partial" / A / f"{A}.html").read_text()
    assert "demo_number_hidden" not in text and "hidden tests were run here" in text


def test_export_lists_every_roster_student_with_manual_column(graded):
    rows = {r["student_id"]: r for r in csv.DictReader(open(graded["exported"]))}
    assert set(rows) == set(KINDS) | {"absent"}
    assert float(rows["correct"]["raw_score"]) == 6.0
    assert int(rows["correct"]["needs_manual_grading"]) == 1  # the written reflection
    assert int(rows["blank"]["needs_manual_grading"]) == 0     # unchanged stub: nbgrader scores it 0


def test_lms_upload_from_the_gradebook_leaves_pending_scores_empty_until_a_person_grades(graded, tmp_path):
    """`lms-export`: while the reflection is ungraded nobody's score is uploaded (no silent partial total);
    once a person scores it, the final score goes in; LMS students without a submission keep their row."""
    from grading.lms_export import gradebook_scores, write_upload

    db = tmp_path / "gradebook.db"
    shutil.copy(graded["course"] / "gradebook.db", db)
    roster = [{"Student": s, "ID": str(i), "SIS User ID": "", "SIS Login ID": s, "Section": "A"}
              for i, s in enumerate(["correct", "absent", "lms_only"])]
    scores, pending, points = gradebook_scores(f"sqlite:///{db}", A)
    assert "correct" in pending and scores["absent"] is None
    done = write_upload(tmp_path / "u.csv", "canvas", roster, scores, A, points, pending=pending)
    assert done.needs_person == ["correct"] and done.no_score == ["absent", "lms_only"]
    with Gradebook(f"sqlite:///{db}") as gb:
        for nb in gb.find_submission(A, "correct").notebooks:
            for g in nb.grades:
                if g.needs_manual_grade:  # what the Formgrader does when a person enters a score
                    g.manual_score, g.needs_manual_grade = 2.0, False
        gb.db.commit()
    scores, pending, points = gradebook_scores(f"sqlite:///{db}", A)
    done = write_upload(tmp_path / "u.csv", "canvas", roster, scores, A, points, pending=pending)
    rows = list(csv.reader(open(tmp_path / "u.csv")))
    assert rows[2][-1] == "8" and rows[3][-1] == "" and rows[4][-1] == ""   # 6 autograded + 2 by hand


def test_item_analysis_report(graded):
    page = graded["items_page"].read_text()
    data = json.loads(graded["items_page"].with_suffix(".json").read_text())
    stats = {s["item"]: s for s in data["items"]}
    totals = data["totals"]
    scores = {s: _scores(graded["course"], s) for s in totals}
    for item, points in ITEMS.items():
        expected = sum((scores[s][item] or 0) for s in totals) / len(totals) / points
        assert stats[item]["difficulty"] == pytest.approx(expected)
    assert "alt=" in page and "Figure description" in page and "Per student" in page


def test_lms_name_parsing():
    assert parse_stamp("2026-11-20-14-30-05").isoformat() == "2026-11-20T14:30:05+00:00"
    p = parse_name("Demo Title_s001_attempt_2026-11-20-14-30-05_demo.ipynb")
    assert (p.lms, p.who, p.name, p.when.minute) == ("blackboard", "s001", "demo.ipynb", 30)
    p = parse_name("leeana_LATE_1234_5678_demo-1.ipynb")
    assert (p.lms, p.who, p.late, p.name) == ("canvas", "leeana", True, "demo-1.ipynb")
    p = parse_name("Ana Lee_991_assignsubmission_file_demo.ipynb")
    assert (p.lms, p.who, p.name) == ("moodle", "Ana Lee", "demo.ipynb")
    assert parse_name("random.ipynb") is None


def _zip(path: Path, members: dict, when=(2026, 11, 20, 9, 0, 0)) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, content in members.items():
            info = zipfile.ZipInfo(name, date_time=when)
            z.writestr(info, content)
    return path


def test_collector_keeps_same_named_files_apart_and_records_late_work(tmp_path):
    from grading.lms import Student, time_zone

    course = tmp_path / "course"
    roster = [Student("s001", "Ana", "Lee", "ana@example.edu"), Student("s002", "Bo", "Kim", "bo@example.edu")]
    archive = _zip(tmp_path / "lms.zip", {
        "section1/notes.txt": "first file", "section2/notes.txt": "second file",
        f"leeana_LATE_1234_5678_{A}.ipynb": "{}",
        f"Principles IMH Demo_s002_attempt_2026-11-20-14-30-05_{A}.ipynb": "{}",
    })
    result = collect(archive, A, roster, course, zone=time_zone("America/Chicago"))
    kept = sorted(p.read_text() for p in (course / "downloaded" / A / "unplaced").iterdir())
    assert kept == ["first file", "second file"]
    assert "the LMS marked it late" in result.placed["s001"][2]
    assert (course / "submitted" / "s001" / A / "lms_late.txt").is_file()
    # Chicago is UTC-6 in November: 14:30:05 local is 20:30:05 UTC; the zip's own time too
    assert (course / "submitted" / "s002" / A / "timestamp.txt").read_text().startswith("2026-11-20 20:30:05")
    assert (course / "submitted" / "s001" / A / "timestamp.txt").read_text().startswith("2026-11-20 15:00:00")
    assert result.zone == "America/Chicago"
    with pytest.raises(ValueError, match="unknown time zone"):
        time_zone("Mars/Olympus")


def test_recollect_never_replaces_newer_work_and_oversize_needs_a_person(tmp_path):
    from grading.lms import NOT_PLACED, Student

    course = tmp_path / "course"
    roster = [Student("s001", "Ana", "Lee"), Student("s002", "Bo", "Kim")]
    newer = _zip(tmp_path / "new.zip", {f"s001_2026-11-21-10-00-00_{A}.ipynb": '{"newer": 1}'})
    older = _zip(tmp_path / "old.zip", {f"s001_2026-11-20-10-00-00_{A}.ipynb": '{"older": 1}',
                                       f"s002_2026-11-20-10-00-00_{A}.ipynb": "x" * 2000})
    collect(newer, A, roster, course)
    again = collect(older, A, roster, course, max_bytes=1000)
    assert json.loads((course / "submitted" / "s001" / A / f"{A}.ipynb").read_text()) == {"newer": 1}
    assert any("newer" in kept for _, kept in again.superseded)
    note = (course / "submitted" / "s002" / A / NOT_PLACED).read_text()
    assert "over the size limit" in note and "Grade it by hand" in note
    assert "over the size limit" in grade._readable(course / "submitted" / "s002" / A / f"{A}.ipynb")
