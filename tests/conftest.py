"""Shared helpers for the notebook and nbgrader tests."""
from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path

import nbformat
import pytest

from tools.course import ROOT, assignments, is_answer, is_autograded_test, is_manual, nbgrader_meta, source_notebook

ASSIGNMENTS = assignments()


def read_source(assignment: str):
    return nbformat.read(source_notebook(assignment), as_version=4)


def solutions_by_id(source_nb) -> dict[str, str]:
    """Answer and written cells of the source, by grade_id."""
    return {nbgrader_meta(c)["grade_id"]: c.source for c in source_nb.cells if is_answer(c) or is_manual(c)}


def items(source_nb) -> list[tuple[str, str, float]]:
    """(answer grade_id, test grade_id, points) for each autograded item, in order."""
    out = []
    for i, cell in enumerate(source_nb.cells[:-1]):
        nxt = source_nb.cells[i + 1]
        if is_answer(cell) and is_autograded_test(nxt):
            out.append((nbgrader_meta(cell)["grade_id"], nbgrader_meta(nxt)["grade_id"], float(nbgrader_meta(nxt)["points"])))
    return out


def fill(release_nb, source_nb, answer_ids, *, written_text="A thoughtful reflection on the vignette."):
    """A student notebook from the release with the given answer cells solved (written cells always filled)."""
    nb = copy.deepcopy(release_nb)
    solutions = solutions_by_id(source_nb)
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if is_answer(cell) and meta["grade_id"] in answer_ids:
            cell.source = solutions[meta["grade_id"]]
        elif is_manual(cell):
            cell.source = written_text
    return nb


def replace_answer(nb, grade_id, new_source):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if nbgrader_meta(cell).get("grade_id") == grade_id:
            cell.source = new_source
    return nb


def delete_cell(nb, grade_id):
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if nbgrader_meta(c).get("grade_id") != grade_id]
    return nb


DEMO_FIXTURE = Path(__file__).parent / "fixtures" / "demo_course"


def make_demo_course(root: Path) -> Path:
    """A copy of the small demo course (three autograded items) with the course's configuration,
    its release generated: the grading tests' class room."""
    from tools.course import ROOT, nbgrader

    course = root / "course"
    shutil.copytree(DEMO_FIXTURE, course)
    for name in ("course_config.py", "nbgrader_config.py"):
        shutil.copy(ROOT / name, course / name)
    result = nbgrader("generate_assignment", "demo", cwd=course)
    assert result.returncode == 0, result.stderr[-3000:]
    return course


SANDBOX_HOW = ("install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap) and allow unprivileged user "
               "namespaces, or run as root; see the README, 'Grading untrusted code in isolation'")
NOT_RUN_PREFIX = "NOT RUN: needs "
NOT_RUN_FILE = ROOT / ".artifacts" / "not-run.txt"


def require(what: str, missing_reason: str, how: str) -> None:
    """Tests that need something of the machine (a browser, the sandbox). Where it is missing they
    are reported as not run, with the reason and how to enable it; under CI (CI=true) they are
    mandatory and fail instead."""
    if not missing_reason:
        return
    message = f"{NOT_RUN_PREFIX}{what}: {missing_reason}. To run them: {how}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true, so this is required: {message}")
    pytest.skip(message)


def pytest_terminal_summary(terminalreporter):
    """Where the browser tests left their screenshots; what was not run on this machine, and why
    (also written to .artifacts/not-run.txt, which `make test` repeats as its last line)."""
    from tests.browser import ARTIFACTS

    shots = sorted(ARTIFACTS.glob("*.png")) if ARTIFACTS.is_dir() else []
    if shots:
        terminalreporter.write_line(f"browser screenshots ({len(shots)} PNG): {ARTIFACTS}")
    from tests.browser import A11Y_REPORT

    import json as _json

    lab_issues: dict[str, int] = {}
    for report_file in sorted(A11Y_REPORT.glob("jupyterlab-*.json")) if A11Y_REPORT.is_dir() else []:
        for violation in _json.loads(report_file.read_text()):
            key = f"{violation['id']} ({violation['impact']})"
            lab_issues[key] = lab_issues.get(key, 0) + violation["count"]
    if lab_issues:
        terminalreporter.write_line("accessibility of JupyterLab itself (not the course's content; not gating): "
                                    + ", ".join(f"{k} x{n}" for k, n in sorted(lab_issues.items()))
                                    + f"; details in {A11Y_REPORT}")
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        text = str(report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr)
        if NOT_RUN_PREFIX in text:
            reason = text[text.index(NOT_RUN_PREFIX):]
            reasons[reason] = reasons.get(reason, 0) + 1
    if reasons:
        NOT_RUN_FILE.parent.mkdir(parents=True, exist_ok=True)
        with open(NOT_RUN_FILE, "a", encoding="utf-8") as handle:
            for reason, count in reasons.items():
                handle.write(f"{count} test(s) {reason}\n")
                terminalreporter.write_line(f"{count} test(s) {reason}", yellow=True)


def pytest_sessionstart(session):
    """A fresh accessibility summary per run (the controller clears it; xdist workers only add to it)."""
    if not hasattr(session.config, "workerinput"):
        from tests.browser import A11Y_REPORT

        shutil.rmtree(A11Y_REPORT, ignore_errors=True)


# --- each source notebook run once per test run --------------------------------------------------
# Building keys and checking what a student sees both need a source notebook run to the end; the run
# takes seconds, so it happens once per test run, shared by every xdist worker through a folder all
# workers see (the xdist-recommended pattern: a file lock, the first worker builds, the rest read).

@pytest.fixture(scope="session")
def source_runs(tmp_path_factory, request):
    """``get(assignment) -> (executed source notebook, keys)``, computed once per test run."""
    import fcntl
    import json

    from grading.keys import build_keys, execute

    under_xdist = hasattr(request.config, "workerinput")  # (also without the xdist plugin: -p no:xdist)
    shared = tmp_path_factory.getbasetemp().parent if under_xdist else tmp_path_factory.getbasetemp()
    folder = shared / "source-runs"
    folder.mkdir(exist_ok=True)
    memory: dict = {}

    def get(assignment: str):
        if assignment not in memory:
            executed_path, keys_path = folder / f"{assignment}.ipynb", folder / f"{assignment}.keys.json"
            with open(folder / f"{assignment}.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if not keys_path.is_file():
                    nb = execute(read_source(assignment), source_notebook(assignment).parent)
                    keys = build_keys(source_notebook(assignment), executed=copy.deepcopy(nb))
                    nbformat.write(nb, executed_path)
                    keys_path.write_text(json.dumps(keys))
            memory[assignment] = (nbformat.read(executed_path, as_version=4), json.loads(keys_path.read_text()))
        nb, keys = memory[assignment]
        return copy.deepcopy(nb), copy.deepcopy(keys)
    return get
