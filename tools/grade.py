"""The course's grading commands, run from the course root (on top of nbgrader).

    python -m tools.grade integrity ASSIGNMENT   # submissions with deleted or stripped graded cells
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from tools.submissions import missing_cells


def integrity(course: Path, assignment: str) -> list[tuple[str, str]]:
    """(student, problem) for every submission whose graded cells are missing or unreadable."""
    source = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    problems = []
    for folder in sorted((course / "submitted").glob(f"*/{assignment}")):
        student = folder.parent.name
        report = missing_cells(source, folder / f"{assignment}.ipynb")
        if report.unreadable:
            problems.append((student, report.unreadable))
        elif report.missing:
            problems.append((student, "graded cells missing or without nbgrader metadata: " + ", ".join(report.missing)))
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.grade", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("integrity", help="list submissions whose graded cells were deleted or stripped")
    check.add_argument("assignment")
    args = parser.parse_args(argv)
    problems = integrity(Path.cwd(), args.assignment)
    for student, problem in problems:
        print(f"{student}: {problem}")
    print(f"{len(problems)} submission(s) need a look." if problems else "Every submission has all its graded cells.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
