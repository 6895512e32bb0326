"""Grades back into the LMS: files Canvas, Moodle and Blackboard import as they are.

The instructor downloads the LMS's own gradebook (or user list) as CSV; that file is the roster:
it carries the LMS's identifiers (Canvas ID, SIS ids and section; Moodle ID number and email;
Blackboard username). :func:`write_upload` fills one assignment column into it and writes the
layout each LMS imports:

- **Canvas**: ``Student,ID,SIS User ID,SIS Login ID,Section,<Assignment> (<assignment id>)``, then
  the ``Points Possible`` row (name indented by four spaces), then one row per student.
  Without an assignment id Canvas creates a new assignment named by the column.
- **Moodle**: ``First name,Last name,ID number,Email address,<Assignment>``; at import map
  "Email address" (or "ID number") to the user and the last column to the grade item.
- **Blackboard**: every value quoted, ``"Last Name","First Name","Username","Student ID",
  "<Assignment> [Total Pts: <points> Score] |<column id>"``; the column id (from a Grade Center
  download) makes the upload update that column instead of creating a text column.

Nobody is dropped: LMS students without a graded submission keep their row with an empty score
(the LMS leaves an empty cell unchanged) and are listed; gradebook students the LMS roster does
not have are listed too. A score that still needs a person (manual grading) is left empty and
listed, never uploaded as a silent 0.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

FORMATS = {
    "canvas": {"columns": ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"], "match": "SIS Login ID"},
    "moodle": {"columns": ["First name", "Last name", "ID number", "Email address"], "match": "Email address"},
    "blackboard": {"columns": ["Last Name", "First Name", "Username", "Student ID"], "match": "Username"},
}


@dataclass
class Upload:
    """What :func:`write_upload` wrote and what a person should look at."""

    path: Path
    rows: int
    no_score: list = field(default_factory=list)        # LMS students with no (final) score: left empty
    needs_person: list = field(default_factory=list)    # graded, but a score still needs manual grading
    not_in_lms: list = field(default_factory=list)      # in the gradebook, not on the LMS roster


def read_roster(path: Path, lms: str) -> list[dict]:
    """The students of an LMS gradebook/user-list CSV (Canvas's Points Possible row and test student skipped)."""
    wanted = FORMATS[lms]["columns"]
    text = Path(path).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows:
        return []
    missing = [c for c in wanted if c not in rows[0]]
    if missing:
        raise ValueError(f"{path} is not a {lms} roster: columns {missing} missing (found {list(rows[0])})")
    students = []
    for row in rows:
        name = (row.get("Student") or "").strip()
        if lms == "canvas" and (name in ("Points Possible", "Student, Test") or not row.get("ID")):
            continue
        students.append({c: (row.get(c) or "").strip() for c in wanted})
    return students


def column_title(lms: str, assignment: str, points: float, column_id: str = "") -> str:
    points_text = f"{points:g}"
    if lms == "canvas":
        return f"{assignment} ({column_id})" if column_id else assignment
    if lms == "blackboard":
        title = f"{assignment} [Total Pts: {points_text} Score]"
        return f"{title} |{column_id}" if column_id else title
    return assignment


def write_upload(dest: Path, lms: str, roster: list[dict], scores: dict, assignment: str, points: float,
                 *, column_id: str = "", match: str = "", pending: set | None = None) -> Upload:
    """Write the LMS's import file for one assignment.

    ``scores``: gradebook student id -> final score (None: no graded submission). ``match``: the
    roster column that holds the gradebook's student id (default: Canvas SIS Login ID, Moodle
    email, Blackboard username). ``pending``: students whose score still needs a person.
    """
    if lms not in FORMATS:
        raise ValueError(f"unknown LMS {lms!r}: one of {', '.join(FORMATS)}")
    match = match or FORMATS[lms]["match"]
    pending = pending or set()
    columns = FORMATS[lms]["columns"]
    title = column_title(lms, assignment, points, column_id)
    report = Upload(Path(dest), 0)
    on_roster = set()
    lines = []
    for student in roster:
        key = student.get(match, "")
        on_roster.add(key)
        score = scores.get(key)
        if key in pending:
            report.needs_person.append(key)
            value = ""
        elif score is None:
            report.no_score.append(key or student.get(columns[0], "?"))
            value = ""
        else:
            value = f"{round(float(score), 2):g}"
        lines.append([student.get(c, "") for c in columns] + [value])
    report.not_in_lms = sorted(s for s in scores if s not in on_roster)
    with open(dest, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL if lms == "blackboard" else csv.QUOTE_MINIMAL,
                            lineterminator="\r\n")
        writer.writerow(columns + [title])
        if lms == "canvas":
            writer.writerow(["    Points Possible"] + [""] * (len(columns) - 1) + [f"{points:g}"])
        writer.writerows(lines)
    report.rows = len(lines)
    return report


def gradebook_scores(db_url: str, assignment: str) -> tuple[dict, set, float]:
    """(student id -> final score or None, students with scores pending a person, max points)."""
    from nbgrader.api import Gradebook, MissingEntry

    scores, pending = {}, set()
    with Gradebook(db_url) as gb:
        points = gb.find_assignment(assignment).max_score
        for student in gb.students:
            try:
                sub = gb.find_submission(assignment, student.id)
            except MissingEntry:
                sub = None
            if sub is None or sub.timestamp is None:  # no submission (the record autograde makes for everyone)
                scores[student.id] = None
                continue
            if any(g.needs_manual_grade for nb in sub.notebooks for g in nb.grades):
                pending.add(student.id)
            scores[student.id] = sub.score - (sub.late_submission_penalty or 0.0)
    return scores, pending, points
