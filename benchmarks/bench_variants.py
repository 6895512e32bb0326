"""What course variants cost (issue 18): release time with a secret against without, and grading
time per submission with per-student variants against one course variant.

    .venv/bin/python benchmarks/bench_variants.py [--students 40] [--assignment 00_working_in_notebooks]
                                                  [--skip-release] [--jobs 2]

Release: every notebook, in temporary course roots: the public release (``nbgrader
generate_assignment`` + the self-paced edition's keys, as ``make release``) against the course
variant (generate on the variant + keys by running the variant). Grading: ``--students`` solved
submissions of one notebook, ``python -m grading.grade autograde --jobs 2`` sandboxed, once with
one course variant and once with a variant per student (their keys built at release time, which
is timed separately).
"""
from __future__ import annotations

import argparse
import copy
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

SECRET = "benchmark-course-secret-0123456789"


def _course(root: Path, wanted: list[str], per_student: bool) -> Path:
    from tools.course import SOURCE, make_course

    course = make_course(root, wanted)
    for a in wanted:  # the real source (make_course writes the public variant)
        shutil.copytree(SOURCE / a, course / "source" / a, dirs_exist_ok=True)
    (course / ".course-secret").write_text(SECRET + ("\nper_student = yes\n" if per_student else "\n"))
    return course


def time_release(wanted: list[str], jobs: int) -> dict:
    from grading.variants import course_secret
    from tools.release import build_release, build_self_paced, release_variant

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        release = build_release(Path(tmp) / "public", wanted)
        build_self_paced(release, Path(tmp) / "selfpaced", wanted, jobs=jobs)
        out["public_s"] = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        course = _course(Path(tmp) / "course", wanted, per_student=False)
        start = time.perf_counter()
        release_variant(course, wanted, course_secret(course), jobs=jobs)
        out["variant_s"] = time.perf_counter() - start
    return out


def time_grading(assignment: str, students: int, jobs: int) -> dict:
    import nbformat
    from nbgrader.api import Gradebook

    from conftest import fill, items
    from grading import grade
    from grading.variants import course_secret, make_variant, variant_of
    from tools.course import read_source_notebook
    from tools.release import release_variant

    ids = [f"s{k:03d}" for k in range(students)]
    source = read_source_notebook(assignment)
    answer_ids = {a for a, _, _ in items(source)}
    out = {}
    for mode in ("course", "student"):
        with tempfile.TemporaryDirectory() as tmp:
            course = _course(Path(tmp) / "course", [assignment], per_student=mode == "student")
            secret = course_secret(course)
            start = time.perf_counter()
            release_variant(course, [assignment], secret, ids if mode == "student" else [], jobs=jobs)
            out[f"{mode}_release_s"] = time.perf_counter() - start
            release = nbformat.read(course / "variant-release" / assignment / f"{assignment}.ipynb", as_version=4)
            with Gradebook(grade.db_url(course)) as gb:
                for sid in ids:
                    gb.update_or_create_student(sid)
            for sid in ids:
                if mode == "student":
                    mine = nbformat.read(course / "variant-release" / "students" / sid / assignment
                                         / f"{assignment}.ipynb", as_version=4)
                    solved = fill(mine, make_variant(source, variant_of(secret, assignment, sid)).notebook, answer_ids)
                else:
                    solved = fill(release, make_variant(source, variant_of(secret, assignment)).notebook, answer_ids)
                folder = course / "submitted" / sid / assignment
                folder.mkdir(parents=True)
                nbformat.write(copy.deepcopy(solved), folder / f"{assignment}.ipynb")
                (folder / "timestamp.txt").write_text("2026-12-01 12:00:00.000000 UTC")
            start = time.perf_counter()
            outcomes = grade.autograde(course, assignment, jobs=jobs)
            elapsed = time.perf_counter() - start
            total = sum(p for _, _, p in items(source))
            with Gradebook(grade.db_url(course)) as gb:
                full = sum(abs(s.score - total) < 1e-6 for s in gb.assignment_submissions(assignment))
            out[f"{mode}_grade_s"] = elapsed
            out[f"{mode}_per_submission_s"] = elapsed / students
            out[f"{mode}_full_marks"] = f"{full}/{students} ({sum(o.status == 'graded' for o in outcomes)} graded)"
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--assignment", default="00_working_in_notebooks")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-release", action="store_true")
    args = parser.parse_args(argv)
    from tools.course import assignments

    if not args.skip_release:
        r = time_release(assignments(), args.jobs)
        print(f"release of all {len(assignments())} notebooks: public {r['public_s']:.1f} s, "
              f"course variant {r['variant_s']:.1f} s ({r['variant_s'] / r['public_s']:.2f}x)")
    g = time_grading(args.assignment, args.students, args.jobs)
    print(f"{args.assignment}, {args.students} solved submissions, --jobs {args.jobs}, sandboxed:")
    for mode in ("course", "student"):
        print(f"  {mode:>7} variant(s): release {g[f'{mode}_release_s']:.1f} s; grading {g[f'{mode}_grade_s']:.1f} s "
              f"= {g[f'{mode}_per_submission_s']:.2f} s per submission; full marks {g[f'{mode}_full_marks']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
