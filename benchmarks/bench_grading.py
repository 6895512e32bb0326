"""Grading throughput: plain serial `nbgrader autograde` vs `grading.grade autograde --jobs 2`,
with and without the bubblewrap sandbox, on N synthetic submissions, in one run.

    .venv/bin/python benchmarks/bench_grading.py [--n 40] [--assignment demo|NN_topic] [--json PATH]
    .venv/bin/python benchmarks/bench_grading.py --judge --assignment 07_rupture_repair --n 40

``--robust`` measures what confining failures costs (a clean class against the same class
with one notebook nbgrader rejects whole, whose batch is then graded again one by one) and
how long resuming takes after Ctrl-C at half the class (against grading it all).

``--judge`` measures what judging outside the kernel costs: the same class graded with
``--jobs 2`` in the sandbox with the judge (the course's configuration) and with the judge
switched off (the test cells' in-kernel checks decide, as before the judge), plus the
judge's own time per submission (JudgeAnswers on the graded notebooks) and the one-off
time to build the keys from source/.

``--postgres`` compares the gradebooks: the same class graded with ``--jobs 2`` (sandboxed where
bubblewrap works) with the course gradebook in SQLite and in PostgreSQL (a server started for the
run, data in a temporary folder; tests/test_gradebook_postgres.py), one run each.

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
from grading import grade  # noqa: E402
from tools.course import make_course, nbgrader  # noqa: E402
from grading.sandbox import unavailable_reason  # noqa: E402

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


JUDGE_OFF = """
# benchmark only: the judge switched off, so the test cells' in-kernel checks decide
c.Autograde.autograde_preprocessors = [p for p in c.Autograde.autograde_preprocessors
                                        if p.__name__ != "JudgeAnswers"]
"""


def judge_cost(args) -> dict:
    from grading.keys import load_keys
    from grading.nbgrader_ext import JudgeAnswers

    results = {}
    isolation = "none" if unavailable_reason() else "sandbox"
    with tempfile.TemporaryDirectory() as tmp:
        base = build_course(Path(tmp) / "base", args.assignment, args.n)
        start = time.perf_counter()
        load_keys(base, args.assignment, args.assignment)
        results["keys_build_s_once_per_assignment"] = round(time.perf_counter() - start, 2)
        for label, off in (("--jobs 2, judge outside the kernel", False), ("--jobs 2, in-kernel checks only", True)):
            course = Path(tmp) / ("off" if off else "on")
            shutil.copytree(base, course)
            if off:
                with open(course / "course_config.py", "a") as handle:
                    handle.write(JUDGE_OFF)
            start = time.perf_counter()
            grade.autograde(course, args.assignment, jobs=2, isolation=isolation)
            seconds = time.perf_counter() - start
            results[label] = {"seconds": round(seconds, 1), "per_submission_s": round(seconds / args.n, 3),
                              "isolation": isolation}
        graded = sorted((Path(tmp) / "off" / "autograded").glob(f"*/{args.assignment}/{args.assignment}.ipynb"))
        judge = JudgeAnswers(course_root=str(base))
        notebooks = [nbformat.read(p, as_version=4) for p in graded]
        start = time.perf_counter()
        for nb in notebooks:
            judge.preprocess(nb, {"nbgrader": {"assignment": args.assignment, "notebook": args.assignment}})
        results["judge_alone_ms_per_submission"] = round((time.perf_counter() - start) * 1000 / len(notebooks), 2)
    on = results["--jobs 2, judge outside the kernel"]["per_submission_s"]
    off = results["--jobs 2, in-kernel checks only"]["per_submission_s"]
    results["judge_cost_s_per_submission"] = round(on - off, 3)
    return results


def gradebook_cost(args) -> dict:
    import os

    from tests.test_gradebook_postgres import temporary_postgres

    results = {}
    isolation = "none" if unavailable_reason() else "sandbox"
    with tempfile.TemporaryDirectory() as tmp, temporary_postgres() as server:
        base = build_course(Path(tmp) / "base", args.assignment, args.n)
        reference = None
        for label in ("SQLite", "PostgreSQL"):
            course = Path(tmp) / label
            shutil.copytree(base, course)
            if label == "PostgreSQL":
                (course / "gradebook.db").unlink()
                url = server.create("bench")
                os.environ["IMH_GRADEBOOK_URL"] = url
                made = grade.run_nbgrader(["generate_assignment", args.assignment, "--force"], cwd=course)
                assert made.returncode == 0, made.stderr[-2000:]
            else:
                url = f"sqlite:///{course / 'gradebook.db'}"
                os.environ.pop("IMH_GRADEBOOK_URL", None)
            try:
                start = time.perf_counter()
                grade.autograde(course, args.assignment, jobs=2, isolation=isolation)
                seconds = time.perf_counter() - start
            finally:
                os.environ.pop("IMH_GRADEBOOK_URL", None)
            with Gradebook(url) as gb:
                got = {(g.student.id, g.name): g.score for sub in gb.assignment_submissions(args.assignment)
                       for nb in sub.notebooks for g in nb.grades}
            reference = reference or got
            results[f"--jobs 2, {label} gradebook"] = {
                "seconds": round(seconds, 1), "per_submission_s": round(seconds / args.n, 3),
                "isolation": isolation, "scores_match_sqlite": got == reference}
    sqlite = results["--jobs 2, SQLite gradebook"]["per_submission_s"]
    results["postgres_minus_sqlite_s_per_submission"] = round(
        results["--jobs 2, PostgreSQL gradebook"]["per_submission_s"] - sqlite, 3)
    return results


def _rejected_copy(course: Path, assignment: str, student: str) -> None:
    path = course / "submitted" / student / assignment / f"{assignment}.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.metadata["nbgrader"]["score"] = 1  # invalid metadata: nbgrader rejects the notebook
            break
    nbformat.write(nb, path)


def robust_cost(args) -> dict:
    import os
    import signal
    import subprocess

    results = {}
    isolation = "none" if unavailable_reason() else "sandbox"
    with tempfile.TemporaryDirectory() as tmp:
        base = build_course(Path(tmp) / "base", args.assignment, args.n)
        for label, bad in (("clean class", False), ("one rejected notebook", True)):
            course = Path(tmp) / label.replace(" ", "_")
            shutil.copytree(base, course)
            if bad:
                _rejected_copy(course, args.assignment, "student001")
            start = time.perf_counter()
            grade.autograde(course, args.assignment, jobs=2, isolation=isolation)
            results[label] = {"seconds": round(time.perf_counter() - start, 1)}
        results["confinement_cost_s"] = round(results["one rejected notebook"]["seconds"]
                                              - results["clean class"]["seconds"], 1)
        course = Path(tmp) / "interrupted"
        shutil.copytree(base, course)
        cmd = [sys.executable, "-m", "grading.grade", "autograde", args.assignment, "--jobs", "2"]
        if isolation == "none":
            cmd.append("--accept-unisolated-grading")
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        proc = subprocess.Popen(cmd, cwd=course, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        progress = course / "reports" / args.assignment / "progress.json"
        while proc.poll() is None:
            try:
                if len(json.loads(progress.read_text())["done"]) >= args.n // 2:
                    break
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.1)
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait()
        recorded = len(json.loads(progress.read_text())["done"])
        start = time.perf_counter()
        subprocess.run(cmd, cwd=course, env=env, capture_output=True)
        results["resume after Ctrl-C"] = {"recorded_before": recorded, "seconds": round(time.perf_counter() - start, 1)}
        start = time.perf_counter()
        subprocess.run(cmd, cwd=course, env=env, capture_output=True)
        results["re-run with nothing left to grade"] = {"seconds": round(time.perf_counter() - start, 1)}
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--assignment", default="demo")
    parser.add_argument("--json")
    parser.add_argument("--judge", action="store_true", help="measure the cost of judging outside the kernel")
    parser.add_argument("--robust", action="store_true", help="measure confinement of failures and resume")
    parser.add_argument("--postgres", action="store_true", help="the course gradebook in PostgreSQL against SQLite")
    args, _ = parser.parse_known_args()
    special = {"robust": (robust_cost, "Confining failures and resuming"),
               "judge": (judge_cost, "Judging cost (goal: under 0.5 s per submission)"),
               "postgres": (gradebook_cost, "Gradebook in PostgreSQL against SQLite, --jobs 2")}
    for name, (measure, title) in special.items():
        if getattr(args, name):
            results = measure(args)
            print(f"{title}, {args.n} synthetic submissions of {args.assignment}")
            print(json.dumps(results, indent=2))
            if args.json:
                Path(args.json).write_text(json.dumps(results, indent=2))
            return 0
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
