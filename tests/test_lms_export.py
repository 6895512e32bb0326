"""Grades back into the LMS: byte-exact golden files for Canvas, Moodle and Blackboard, and nobody dropped."""
import csv
from pathlib import Path

import pytest

from grading.lms_export import read_roster, write_upload

LMS = Path(__file__).parent / "fixtures" / "lms"
A, POINTS = "01_what_is_imh", 13.0


@pytest.mark.parametrize("lms, ids, column_id", [
    ("canvas", ("cabara", "lberg", "acosta"), "9001"),
    ("moodle", ("cabara@uni.example", "lberg@uni.example", "acosta@uni.example"), ""),
    ("blackboard", ("cabara", "lberg", "acosta"), "4471"),
])
def test_the_upload_file_is_exactly_what_the_lms_imports(tmp_path, lms, ids, column_id):
    graded, absent, pending = ids
    scores = {graded: 12.5, absent: None, pending: 7.0, "dkim": 9.0}   # dkim: graded, not on the LMS roster
    roster = read_roster(LMS / f"{lms}_roster.csv", lms)
    done = write_upload(tmp_path / "upload.csv", lms, roster, scores, A, POINTS, column_id=column_id,
                        pending={pending})
    assert (tmp_path / "upload.csv").read_bytes() == (LMS / f"{lms}_expected.csv").read_bytes()
    assert done.rows == 3 and done.no_score == [absent] and done.needs_person == [pending]
    assert done.not_in_lms == ["dkim"]


def test_canvas_skips_its_points_row_and_test_student_and_a_wrong_file_is_refused(tmp_path):
    students = read_roster(LMS / "canvas_roster.csv", "canvas")
    assert [s["SIS Login ID"] for s in students] == ["cabara", "lberg", "acosta"]
    with pytest.raises(ValueError, match="not a canvas roster"):
        read_roster(LMS / "moodle_roster.csv", "canvas")


def test_a_full_score_of_zero_is_written_not_left_empty(tmp_path):
    roster = read_roster(LMS / "moodle_roster.csv", "moodle")
    write_upload(tmp_path / "u.csv", "moodle", roster, {"cabara@uni.example": 0.0}, A, POINTS)
    rows = list(csv.reader(open(tmp_path / "u.csv")))
    assert rows[1][-1] == "0" and rows[2][-1] == ""
