"""Grading that never loses, mixes up or misreports a grade.

- one notebook that nbgrader rejects whole costs nobody else their grade (its batch is retried
  one by one); a duplicated graded cell is repaired and flagged;
- a re-grade that fails replaces the old score with "needs a person", never the stale score;
- Ctrl-C (a real SIGINT to the grading command's process group) at several moments leaves only
  complete records and a report; the same command then resumes and ends with exact scores.
"""
from __future__ import annotations

import copy
import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook, MissingEntry

from tests.conftest import fill, make_demo_course, replace_answer
from grading import grade
from tools.course import ROOT, env, nbgrader_meta

pytestmark = [pytest.mark.roundtrip, pytest.mark.xdist_group("robust")]

A = "demo"
ITEMS = {"demo_choice_tests": 1.0, "demo_number_tests": 2.0, "demo_function_tests": 3.0}


def _course(root: Path) -> Path:
    return make_demo_course(root)


def _notebooks(course: Path):
    source = nbformat.read(course / "source" / A / f"{A}.ipynb", as_version=4)
    release = nbformat.read(course / "release" / A / f"{A}.ipynb", as_version=4)
    return source, release


def _submit(course: Path, student: str, nb, stamp: str = "2026-11-25 12:00:00.000000 UTC") -> None:
    folder = course / "submitted" / student / A
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{A}.ipynb")
    (folder / "timestamp.txt").write_text(stamp)


def _scores(course: Path, student: str) -> dict | None:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        try:
            gb.find_submission(A, student)
        except MissingEntry:
            return None
        return {item: gb.find_grade(item, A, A, student).auto_score for item in ITEMS}


def _duplicated_answer(nb, grade_id: str, edited_source: str):
    """What copy-paste in JupyterLab makes: a second cell with the same nbgrader metadata."""
    nb = copy.deepcopy(nb)
    index = next(i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("grade_id") == grade_id)
    twin = copy.deepcopy(nb.cells[index])
    twin["id"] = "pasted-copy"
    twin.source = edited_source
    nb.cells.insert(index + 1, twin)
    return nb


def _rejected(nb):
    """A notebook nbgrader refuses as a whole (invalid nbgrader metadata in a graded cell)."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if nbgrader_meta(cell).get("grade_id") == "demo_choice":
            cell.metadata["nbgrader"]["score"] = 1
    return nb


def _class(course: Path, n: int = 10) -> dict:
    """n students: alternating full and partial answers; returns the expected scores."""
    source, release = _notebooks(course)
    full = fill(release, source, {"demo_choice", "demo_number", "demo_function"})
    partial = fill(release, source, {"demo_choice", "demo_function"})
    expected = {}
    for k in range(n):
        student = f"s{k:02d}"
        _submit(course, student, full if k % 2 == 0 else partial)
        expected[student] = dict(ITEMS) if k % 2 == 0 else dict(ITEMS, demo_number_tests=0.0)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in expected:
            gb.update_or_create_student(student)
    return expected


def _isolation() -> str:
    from grading.sandbox import unavailable_reason

    return "none" if unavailable_reason() else "sandbox"


def test_one_rejected_notebook_costs_nobody_else_and_a_duplicate_is_repaired(tmp_path):
    course = _course(tmp_path)
    expected = _class(course, 9)
    source, release = _notebooks(course)
    solved = fill(release, source, {"demo_choice", "demo_number", "demo_function"})
    _submit(course, "s00bad", _rejected(solved))       # sorts early: shares a batch with others
    _submit(course, "s03dup", _duplicated_answer(replace_answer(solved, "demo_choice", 'choice = "A"'),
                                                 "demo_choice", 'choice = "B"'))
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.update_or_create_student("s00bad")
        gb.update_or_create_student("s03dup")
    outcomes = {o.student: o for o in grade.autograde(course, A, jobs=2, batch=5, isolation=_isolation())}
    for student, wanted in expected.items():
        assert outcomes[student].status == "graded", (student, outcomes[student])
        assert _scores(course, student) == wanted, student
    assert outcomes["s00bad"].status == "grading failed" and outcomes["s00bad"].needs_look
    assert outcomes["s03dup"].status == "graded" and _scores(course, "s03dup") == dict(ITEMS)
    assert any("appeared 2 times" in f for f in outcomes["s03dup"].flags)


def test_a_failed_regrade_never_reports_the_old_score(tmp_path):
    course = _course(tmp_path)
    source, release = _notebooks(course)
    solved = fill(release, source, {"demo_choice", "demo_number", "demo_function"})
    _submit(course, "stale", solved)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.update_or_create_student("stale")
    first = {o.student: o for o in grade.autograde(course, A, jobs=1, isolation=_isolation())}
    assert first["stale"].status == "graded" and _scores(course, "stale") == dict(ITEMS)
    _submit(course, "stale", _rejected(solved), stamp="2026-11-26 12:00:00.000000 UTC")  # a resubmission nbgrader rejects
    again = {o.student: o for o in grade.autograde(course, A, jobs=1, isolation=_isolation())}
    assert again["stale"].status == "grading failed"
    assert _scores(course, "stale") == {item: None for item in ITEMS}
    assert not (course / "autograded" / "stale" / A).exists()
    grade.export(course, tmp_path / "grades.csv")
    row = next(r for r in csv.DictReader(open(tmp_path / "grades.csv")) if r["student_id"] == "stale")
    assert float(row["raw_score"]) == 0 and int(row["needs_manual_grading"]) == len(ITEMS) + 1


def _run_cli(course: Path, *extra: str) -> subprocess.Popen:
    args = [sys.executable, "-m", "grading.grade", "autograde", A, "--jobs", "2", *extra]
    if _isolation() == "none":
        args.append("--accept-unisolated-grading")
    e = env()
    e["PYTHONPATH"] = str(ROOT)
    return subprocess.Popen(args, cwd=course, env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _consistent(course: Path, expected: dict) -> list[str]:
    """Students whose record is complete and right; fails on any half-written record."""
    recorded = []
    for student, wanted in expected.items():
        got = _scores(course, student)
        graded_nb = course / "autograded" / student / A / f"{A}.ipynb"
        if got is None:
            assert not graded_nb.exists(), f"{student}: graded notebook without a gradebook record"
            continue
        if graded_nb.exists():
            assert got == wanted, f"{student}: {got} != {wanted}"
            recorded.append(student)
        else:  # a record without a graded notebook may only say "not graded", never a score
            assert all(v in (None, 0.0) for v in got.values()), f"{student}: score without a graded notebook"
    return recorded


def _recorded_so_far(course: Path) -> int:
    try:
        return len(json.loads((course / "reports" / A / "progress.json").read_text())["done"])
    except (OSError, ValueError, KeyError):
        return 0


# moments: grading has started (nothing recorded yet), the first student is recorded, half the class is
@pytest.mark.parametrize("moment", ["started", "first_recorded", "half_recorded"])
def test_ctrl_c_at_any_moment_loses_nothing_and_the_same_command_resumes(tmp_path, moment):
    course = _course(tmp_path)
    expected = _class(course, 6)  # three batches of two per worker: time to interrupt between them
    proc = _run_cli(course, "--batch", "2")
    reached = {"started": lambda: (course / "reports" / A).is_dir(),
               "first_recorded": lambda: _recorded_so_far(course) >= 1,
               "half_recorded": lambda: _recorded_so_far(course) >= 3}[moment]
    deadline = time.monotonic() + 300
    while not reached() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, f"the run ended before the moment {moment!r}"
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err[-3000:]
    assert "Run the same command again to resume" in err
    recorded = _consistent(course, expected)
    report = course / "reports" / A / "grading-report.csv"
    assert report.exists(), "no report after the interrupt"
    rows = {r["student_id"]: r for r in csv.DictReader(open(report))}
    assert {s for s, r in rows.items() if r["status"] == "graded"} == set(recorded)
    assert all(r["status"] in ("graded", "not graded yet") for r in rows.values()), rows
    if moment != "started":
        assert recorded, "nothing recorded at the interrupt: the resume below would prove nothing"
    again = _run_cli(course)
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err[-3000:]
    assert _consistent(course, expected) == sorted(expected)
    assert out.count("not graded again") == len(recorded)  # resumed: what was recorded is not graded twice


@pytest.mark.parametrize("where", ["_make_worker", "_grade_batch"])
def test_an_interrupt_before_any_batch_still_leaves_a_complete_report(tmp_path, monkeypatch, where):
    """The window CI once hit: Ctrl-C while the workers are being set up (or as the first batch
    starts) must still write the report, with every student 'not graded yet'."""
    course = _course(tmp_path)
    expected = _class(course, 4)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(grade, where, interrupted)
    with pytest.raises(KeyboardInterrupt):
        grade.autograde(course, A, jobs=2, isolation=_isolation())
    rows = {r["student_id"]: r for r in csv.DictReader(open(course / "reports" / A / "grading-report.csv"))}
    assert {s: r["status"] for s, r in rows.items()} == {s: "not graded yet" for s in expected}
    assert all(_scores(course, s) is None for s in expected)
    assert main_says_interrupted(course, monkeypatch) == 130


def main_says_interrupted(course: Path, monkeypatch) -> int:
    """The command's own handling of the same interrupt: exit 130 and a pointer to the report."""
    monkeypatch.chdir(course)
    return grade.main(["autograde", A, "--jobs", "1", "--accept-unisolated-grading"])


def test_missing_and_repeated_cell_ids_are_repaired_and_flagged(tmp_path):
    course = _course(tmp_path)
    source, release = _notebooks(course)
    solved = fill(release, source, {"demo_choice", "demo_number", "demo_function"})
    no_ids = copy.deepcopy(solved)
    no_ids["nbformat_minor"] = 4
    for cell in no_ids.cells:
        cell.pop("id", None)
    repeated = copy.deepcopy(solved)
    for cell in repeated.cells[1:4]:
        cell["id"] = "same-id"
    folder = course / "submitted" / "noids" / A
    folder.mkdir(parents=True)
    (folder / f"{A}.ipynb").write_text(json.dumps(no_ids))  # as an old editor saved it: no ids at all
    (folder / "timestamp.txt").write_text("2026-11-25 12:00:00.000000 UTC")
    folder = course / "submitted" / "repeated" / A
    folder.mkdir(parents=True)
    (folder / f"{A}.ipynb").write_text(json.dumps(repeated))
    (folder / "timestamp.txt").write_text("2026-11-25 12:00:00.000000 UTC")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.update_or_create_student("noids")
        gb.update_or_create_student("repeated")
    outcomes = {o.student: o for o in grade.autograde(course, A, jobs=1, isolation=_isolation())}
    for student in ("noids", "repeated"):
        assert outcomes[student].status == "graded" and _scores(course, student) == dict(ITEMS), outcomes[student]
        assert any("cell ids missing or repeated" in f for f in outcomes[student].flags), outcomes[student].flags


def test_late_work_on_time_within_extension_and_penalised(tmp_path):
    """Due 2026-11-25 12:00 UTC; policy 10% of the score per started day after 15 minutes' grace.
    ontime: 11:00; grace: 12:10; extended: 2 days late with a 72 h extension; late: 2 days 1 h late."""
    import datetime

    from grading.late import penalty

    course = _course(tmp_path)
    source, release = _notebooks(course)
    solved = fill(release, source, {"demo_choice", "demo_number", "demo_function"})
    stamps = {"ontime": "2026-11-25 11:00:00.000000 UTC", "grace": "2026-11-25 12:10:00.000000 UTC",
              "extended": "2026-11-27 12:00:00.000000 UTC", "late": "2026-11-27 13:00:00.000000 UTC"}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.update_or_create_assignment(A, duedate=datetime.datetime(2026, 11, 25, 12, 0))
        for student in stamps:
            gb.update_or_create_student(student)
    for student, stamp in stamps.items():
        _submit(course, student, solved, stamp=stamp)
    (course / "extensions.csv").write_text("assignment,student_id,hours,reason\ndemo,extended,72,illness\n"
                                           "other,late,500,another assignment's extension\n")
    outcomes = {o.student: o for o in grade.autograde(course, A, jobs=1, isolation=_isolation())}
    full = sum(ITEMS.values())
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        penalties = {s: gb.find_submission(A, s).late_submission_penalty for s in stamps}
        extension = gb.find_submission(A, "extended").extension
    assert penalties == pytest.approx({"ontime": 0, "grace": 0, "extended": 0, "late": 0.3 * full}), penalties
    assert extension == datetime.timedelta(hours=72)
    assert not any("late by" in f for f in outcomes["ontime"].flags + outcomes["extended"].flags)
    assert any("late by 0.2 h" in f and "penalty 0 points" in f for f in outcomes["grace"].flags)
    assert any("late by 49.0 h" in f and f"penalty {0.3 * full:g} points" in f for f in outcomes["late"].flags)
    grade.export(course, tmp_path / "grades.csv")
    rows = {r["student_id"]: r for r in csv.DictReader(open(tmp_path / "grades.csv"))}
    assert float(rows["late"]["score"]) == pytest.approx(0.7 * full) and float(rows["extended"]["score"]) == full
    assert penalty(10, 8 * 86400) == 10 and penalty(10, 60) == 0 and penalty(10, 86400 + 1) == 2.0
