"""Pipeline figures: install time, test-suite time, generate_assignment per notebook,
autograde seconds per submission. Measures; asserts nothing.

    .venv/bin/python benchmarks/bench_pipeline.py [--skip-install] [--skip-suite] [--json PATH]
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from tests.conftest import fill  # noqa: E402
from tools.course import BIN, assignments, make_course, nbgrader, read_source_notebook  # noqa: E402


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def install_time() -> float:
    """Seconds to create a venv and `pip install -e .[test]` (packages come from pip's cache if warm)."""
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        def install():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "-e", f"{ROOT}[test]"], check=True,
                           capture_output=True)
        return timed(install)[0]


def suite_time() -> float:
    return timed(lambda: subprocess.run([str(BIN / "python"), "-m", "pytest", "-q", "-n", "auto"], cwd=ROOT,
                                        capture_output=True))[0]


def pipeline_times(n_submissions: int = 4) -> dict:
    """generate_assignment seconds per notebook; autograde seconds per submission (solved notebooks)."""
    out = {"generate_assignment_s": {}, "autograde_s_per_submission": {}}
    for assignment in assignments():
        with tempfile.TemporaryDirectory() as tmp:
            course = make_course(Path(tmp), [assignment])
            seconds, result = timed(lambda: nbgrader("generate_assignment", assignment, cwd=course))
            out["generate_assignment_s"][assignment] = round(seconds, 2)
            release = nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", as_version=4)
            source = read_source_notebook(assignment)
            solved = fill(release, source, {c.metadata["nbgrader"]["grade_id"] for c in source.cells
                                            if c.metadata.get("nbgrader", {}).get("solution")})
            for i in range(n_submissions):
                folder = course / "submitted" / f"s{i}" / assignment
                folder.mkdir(parents=True)
                nbformat.write(solved, folder / f"{assignment}.ipynb")
                nbgrader("db", "student", "add", f"s{i}", cwd=course)
            seconds, _ = timed(lambda: nbgrader("autograde", assignment, cwd=course))
            out["autograde_s_per_submission"][assignment] = round(seconds / n_submissions, 2)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-install", action="store_true")
    parser.add_argument("--skip-suite", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args()
    figures = {}
    if not args.skip_install:
        figures["install_s"] = round(install_time(), 1)
    if not args.skip_suite:
        figures["test_suite_s"] = round(suite_time(), 1)
    figures.update(pipeline_times())
    print(json.dumps(figures, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
