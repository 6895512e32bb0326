"""Grading throughput: plain serial `nbgrader autograde` vs `tools.grade autograde --jobs 2`,
with and without the bubblewrap sandbox, on N synthetic submissions, in one run.

    .venv/bin/python benchmarks/bench_grading.py [--n 40] [--assignment demo|NN_topic] [--json PATH]

Reports wall seconds, seconds per submission, the speed-up over serial, whether every
score matches serial nbgrader, and the cost of isolation per submission. Asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402
from nbgrader.api import Gradebook  # noqa: E402

from tests.conftest import fill, items  # noqa: E402
from tools import grade  # noqa: E402
from tools.course import make_course, nbgrader  # noqa: E402
from tools.sandbox import unavailable_reason  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "demo_course"


def build_course(dest: Path, assignment: str, n: int) -> Path:
    if assignment == "demo":
        shutil.copytree(FIXTURE, dest)
        for name in ("course_config.py", "nbgrader_config.py"):
            shutil.copy(ROOT / name, dest / name)
    else:
        make_course(dest, [assignment])
    assert nbgrader("generate_assignment", assignment, "--force", cwd=dest).returncode == 0
    source = nbformat.read(dest / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    release = nbformat.read(dest / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    answer_ids = [a for a, _, _ in items(source)]
    rng = random.Random(7)
    for k in range(n):
        chosen = {a for a in answer_ids if rng.random() < 0.7}
        folder = dest / "submitted" / f"student{k:03d}" / assignment
        folder.mkdir(parents=True)
        nbformat.write(fill(release, source, chosen), folder / f"{assignment}.ipynb")
    return dest


def scores(course: Path, assignment: str) -> dict:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {(g.student.id, g.name): g.score for sub in gb.assignment_submissions(assignment)
                for nb in sub.notebooks for g in nb.grades}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--assignment", default="demo")
    parser.add_argument("--json")
    args, _ = parser.parse_known_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = build_course(Path(tmp) / "base", args.assignment, args.n)
        runs = [("serial nbgrader", None), ("--jobs 2, no sandbox", "none")]
        if not unavailable_reason():
            runs.append(("--jobs 2, sandboxed", "sandbox"))
        reference = None
        for label, isolation in runs:
            course = Path(tmp) / label.replace(" ", "_").replace(",", "")
            shutil.copytree(base, course)
            start = time.perf_counter()
            if isolation is None:
                nbgrader("autograde", args.assignment, cwd=course, timeout=7200)
            else:
                grade.autograde(course, args.assignment, jobs=2, isolation=isolation)
            seconds = time.perf_counter() - start
            got = scores(course, args.assignment)
            reference = reference or got
            results[label] = {"seconds": round(seconds, 1), "per_submission_s": round(seconds / args.n, 2),
                              "scores_match_serial": got == reference}
    serial = results["serial nbgrader"]["seconds"]
    for r in results.values():
        r["speedup"] = round(serial / r["seconds"], 2)
    if "--jobs 2, sandboxed" in results:
        cost = (results["--jobs 2, sandboxed"]["seconds"] - results["--jobs 2, no sandbox"]["seconds"]) * 2 / args.n
        results["isolation_cost_s_per_submission_per_core"] = round(cost, 2)
    print(f"Grading {args.n} synthetic submissions of {args.assignment} (target: --jobs 2 at least 1.7x serial)")
    print(json.dumps(results, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
