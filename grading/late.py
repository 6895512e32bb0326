"""Late work: the course's penalty policy (an nbgrader LateSubmissionPlugin) and per-student extensions.

Policy (``course_config.py``; change the numbers there): a grace period, then a share of the
score per started day late, and the whole score after a number of days. nbgrader applies it in
``AssignLatePenalties`` while it autogrades, against the due date plus the student's extension.

Extensions live in ``extensions.csv`` in the course root, one row per grant::

    assignment,student_id,hours,reason
    01_what_is_imh,s123,48,medical

The grading command writes them into the gradebook (nbgrader's own ``extension`` of a submission)
before it grades, so the Formgrader, plain nbgrader and the export all see the same due date.
"""
from __future__ import annotations

import csv
import datetime
import math
from pathlib import Path

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float

EXTENSIONS = "extensions.csv"


class CoursePenalty(LateSubmissionPlugin):
    """No penalty within ``grace_minutes``; then ``percent_per_day`` of the score per started day late;
    the whole score after ``zero_after_days``."""

    grace_minutes = Float(15.0, help="Minutes after the due date that still count as on time").tag(config=True)
    percent_per_day = Float(10.0, help="Share of the score lost per started day late (%)").tag(config=True)
    zero_after_days = Float(7.0, help="Days late after which the whole score is lost").tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float):
        return penalty(score, total_seconds_late, self.grace_minutes, self.percent_per_day, self.zero_after_days)


def penalty(score: float, seconds_late: float, grace_minutes: float = 15.0, percent_per_day: float = 10.0,
            zero_after_days: float = 7.0) -> float:
    """Points taken off ``score`` for work ``seconds_late`` past its (extended) due date."""
    if seconds_late <= grace_minutes * 60:
        return 0.0
    days = seconds_late / 86400
    if days > zero_after_days:
        return float(score)
    return round(min(1.0, math.ceil(days) * percent_per_day / 100) * score, 2)


def read_extensions(course: Path, assignment: str) -> dict[str, datetime.timedelta]:
    """This assignment's extensions from ``extensions.csv`` (student id -> extra time)."""
    path = Path(course) / EXTENSIONS
    if not path.is_file():
        return {}
    grants = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            if (row.get("assignment") or "").strip() != assignment:
                continue
            student = (row.get("student_id") or "").strip()
            try:
                hours = float(row.get("hours") or "")
            except ValueError:
                raise ValueError(f"{path}, line {line}: hours must be a number, not {row.get('hours')!r}") from None
            if not student or hours < 0:
                raise ValueError(f"{path}, line {line}: needs a student_id and hours of 0 or more")
            grants[student] = datetime.timedelta(hours=hours)
    return grants


def apply_extensions(gb, assignment: str, grants: dict, timestamps: dict) -> None:
    """Write ``grants`` into a gradebook (creating the submission row with its timestamp if needed)."""
    for student, extra in grants.items():
        try:
            gb.find_student(student)
        except Exception:
            gb.update_or_create_student(student)
        submission = gb.update_or_create_submission(assignment, student, **(
            {"timestamp": timestamps[student]} if timestamps.get(student) else {}))
        submission.extension = extra if extra.total_seconds() > 0 else None
    gb.db.commit()
