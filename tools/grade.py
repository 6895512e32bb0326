"""The course's grading workflow on top of nbgrader, run from the course root.

    python -m tools.grade roster students.csv            # import the roster (id, first_name, last_name, email[, lms_id])
    python -m tools.grade collect 01_what_is_imh lms.zip # LMS zip -> submitted/<student>/01_what_is_imh/
    python -m tools.grade autograde 01_what_is_imh --jobs 2
    python -m tools.grade feedback 01_what_is_imh        # feedback HTML, checked for hidden-test leaks
    python -m tools.grade export --to grades.csv         # nbgrader's CSV + a needs_manual_grading column
    python -m tools.grade items 01_what_is_imh           # item analysis report (HTML with figures)

Everything is stored in nbgrader's own gradebook and folders, so the Formgrader and
every nbgrader command keep working. ``autograde --jobs N`` runs N nbgrader processes,
each in its own scratch course with its own gradebook (nbgrader's FAQ: never two
writers on one SQLite file). Each worker runs plain ``nbgrader autograde``, so every
score is computed by nbgrader itself; the parent alone then copies the results into the
course gradebook through nbgrader's API, one batch at a time.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from grading.keys import KEYS_DIR, load_keys
from grading.nbgrader_ext import JUDGE_META
from tools.course import BIN, env, is_autograded_test, nbgrader_meta
from tools.submissions import missing_cells

REPORTS = "reports"
TOOLS_ROOT = Path(__file__).resolve().parent.parent


class IsolationUnavailable(SystemExit):
    """Student code would run unsandboxed and the instructor has not accepted that."""


# --- the course ---------------------------------------------------------------------------
def db_url(course: Path) -> str:
    """The gradebook URL exactly as course_config.py sets it for this course root."""
    return os.environ.get("IMH_GRADEBOOK_URL", "sqlite:///" + str(course.resolve() / "gradebook.db"))


def run_nbgrader(args: list[str], cwd: Path, timeout: float = 3600, *, course_db: bool = True) -> subprocess.CompletedProcess:
    """``nbgrader ARGS`` in ``cwd``. ``course_db=False`` (grading workers) keeps the course's
    gradebook URL, which may hold a password, out of the environment student kernels inherit."""
    e = env()
    if course_db and "IMH_GRADEBOOK_URL" in os.environ:
        e["IMH_GRADEBOOK_URL"] = os.environ["IMH_GRADEBOOK_URL"]
    return subprocess.run([str(BIN / "nbgrader"), *args], cwd=cwd, env=e, capture_output=True, text=True,
                          timeout=timeout)


def source_nb(course: Path, assignment: str):
    return nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", as_version=4)


# --- roster -----------------------------------------------------------------------------------
def import_roster(course: Path, roster_csv: Path) -> int:
    """Add or update every roster student in the gradebook; returns how many."""
    from tools.lms import read_roster

    students = read_roster(roster_csv)
    with Gradebook(db_url(course)) as gb:
        for s in students:
            gb.update_or_create_student(s.id, first_name=s.first_name, last_name=s.last_name, email=s.email or None)
    return len(students)


# --- autograde --------------------------------------------------------------------------------
@dataclass
class Outcome:
    """What grading did with one student's submission."""

    student: str
    status: str                      # graded | no submission | unreadable | grading failed
    score: float | None = None
    max_score: float | None = None
    flags: list = field(default_factory=list)   # human-readable reasons to look at it

    @property
    def needs_look(self) -> bool:
        return self.status != "graded" or bool(self.flags)


def _worker_config(worker: Path, course: Path, isolated: bool) -> None:
    text = textwrap.dedent(f"""\
        c = get_config()
        load_subconfig({str(course / "course_config.py")!r})
        c.CourseDirectory.root = {str(worker)!r}
        c.CourseDirectory.db_url = {"sqlite:///" + str(worker / "gradebook.db")!r}
        c.Exchange.root = {str(worker / ".exchange")!r}
        # the judge reads the course's keys (built once by the parent; never inside a sandbox)
        c.JudgeAnswers.course_root = {str(course)!r}
        c.JudgeAnswers.keys_dir = {str(course / KEYS_DIR)!r}
        """)
    if isolated:  # every student kernel runs in a bubblewrap sandbox (tools/sandbox.py)
        runtime = worker / "kernels"
        runtime.mkdir(mode=0o711, exist_ok=True)
        os.chmod(runtime, 0o711)
        text += textwrap.dedent(f"""\
            import sys
            sys.path.insert(0, {str(TOOLS_ROOT)!r})
            from tools.sandbox import SandboxKernelManager
            c.Execute.kernel_manager_class = SandboxKernelManager
            c.SandboxKernelManager.runtime_root = {str(runtime)!r}
            """)
    (worker / "nbgrader_config.py").write_text(text)


def _readable(path: Path) -> str:
    """'' when ``path`` is a notebook nbgrader can read, else the reason."""
    if not path.exists():
        return "notebook missing from the submission"
    if path.stat().st_size == 0:
        return "empty file"
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # any parse failure is the student's file, not ours
        return f"not a readable notebook ({type(exc).__name__})"
    if not isinstance(nb.get("cells"), list):
        return "not a notebook (no cells)"
    return ""


def _make_worker(worker: Path, course: Path, assignment: str, isolated: bool) -> Path:
    """A scratch course with the assignment and a gradebook of its own (same due date)."""
    shutil.copytree(course / "source" / assignment, worker / "source" / assignment)
    _worker_config(worker, course, isolated)
    url = db_url(course)
    if url.startswith("sqlite:///") and Path(url[len("sqlite:///"):]).is_file():
        shutil.copy(url[len("sqlite:///"):], worker / "gradebook.db")  # nobody writes it during setup
        return worker
    made = run_nbgrader(["generate_assignment", assignment, "--force"], cwd=worker)  # e.g. PostgreSQL course
    if made.returncode != 0:
        raise RuntimeError(f"generate_assignment failed in a grading worker:\n{made.stderr[-3000:]}")
    with Gradebook(url) as gb, Gradebook("sqlite:///" + str(worker / "gradebook.db")) as wgb:
        wgb.update_or_create_assignment(assignment, duedate=gb.find_assignment(assignment).duedate)
    return worker


def _grade_batch(course: Path, worker: Path, assignment: str, students: list[str], log: list,
                 lock: threading.Lock) -> None:
    """Execute a batch with nbgrader in the worker, then record it in the course gradebook.

    The worker's own nbgrader run computes every score (Execute, SaveAutoGrades, late
    penalties); recording copies those values through nbgrader's API under a lock, so the
    course gradebook has exactly one writer at a time.
    """
    shutil.rmtree(worker / "submitted", ignore_errors=True)
    shutil.rmtree(worker / "autograded", ignore_errors=True)
    for student in students:
        shutil.copytree(course / "submitted" / student / assignment, worker / "submitted" / student / assignment)
    result = run_nbgrader(["autograde", assignment, "--force"], cwd=worker, course_db=False)
    done = [s for s in students if (worker / "autograded" / s / assignment).is_dir()]
    with lock:
        log.append(result.stdout + result.stderr)
        _record(course, worker, assignment, done)


def _record(course: Path, worker: Path, assignment: str, students: list[str]) -> None:
    """Copy graded submissions from a worker's gradebook and folders into the course's."""
    with Gradebook("sqlite:///" + str(worker / "gradebook.db")) as wgb, Gradebook(db_url(course)) as gb:
        for student in students:
            done = wgb.find_submission(assignment, student)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # SQLAlchemy autoflush chatter inside nbgrader
                gb.update_or_create_submission(assignment, student, timestamp=done.timestamp)
            for wnb in done.notebooks:
                nb = gb.find_submission_notebook(wnb.name, assignment, student)
                nb.late_submission_penalty = wnb.late_submission_penalty
                for wgrade in wnb.grades:
                    grade = gb.find_grade(wgrade.name, wnb.name, assignment, student)
                    grade.auto_score, grade.needs_manual_grade = wgrade.auto_score, wgrade.needs_manual_grade
                for wcomment in wnb.comments:
                    gb.find_comment(wcomment.name, wnb.name, assignment, student).auto_comment = wcomment.auto_comment
            gb.db.commit()
            target = course / "autograded" / student / assignment
            shutil.rmtree(target, ignore_errors=True)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(worker / "autograded" / student / assignment), target)


def isolation_mode(allow_unisolated: bool) -> str:
    """'sandbox' when bubblewrap works here; 'none' only if the instructor accepted it; else refuse."""
    from tools.sandbox import unavailable_reason

    reason = unavailable_reason()
    if not reason:
        return "sandbox"
    if allow_unisolated:
        return "none"
    raise IsolationUnavailable(
        f"Refusing to run student code without isolation: {reason}.\n"
        "Student notebooks would run with your permissions and could read solutions or overwrite the gradebook.\n"
        "Install bubblewrap and run as root, or pass --accept-unisolated-grading to accept the risk "
        "(the report then records every run as unisolated).")


def autograde(course: Path, assignment: str, jobs: int = 1, batch: int | None = None,
              isolation: str = "sandbox") -> list[Outcome]:
    """Grade every submission of ``assignment`` with ``jobs`` parallel nbgrader processes.

    ``isolation`` is ``"sandbox"`` (each kernel in bubblewrap, see tools/sandbox.py) or
    ``"none"`` (only when :func:`isolation_mode` allowed it).
    """
    if isolation not in ("sandbox", "none"):
        raise ValueError(f"isolation: 'sandbox' or 'none', not {isolation!r}")
    course = course.resolve()
    source = source_nb(course, assignment)
    with Gradebook(db_url(course)) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            raise SystemExit(f"{assignment} is not in the gradebook: run `nbgrader generate_assignment {assignment}` first")
        roster = [s.id for s in gb.students]
    submitted = sorted(p.parent.name for p in (course / "submitted").glob(f"*/{assignment}") if p.is_dir())
    outcomes = {s: Outcome(s, "no submission") for s in sorted(set(roster) | set(submitted))}
    with Gradebook(db_url(course)) as gb:
        for student in submitted:  # a student who is not on the roster yet still gets a record
            if student not in roster:
                gb.update_or_create_student(student)
    gradable = []
    for student in submitted:
        reason = _readable(course / "submitted" / student / assignment / f"{assignment}.ipynb")
        if reason:
            outcomes[student] = Outcome(student, "unreadable", flags=[reason])
        else:
            gradable.append(student)

    load_keys(course, assignment, assignment)  # build or refresh the keys once, before any worker
    with tempfile.TemporaryDirectory(prefix=f"grade-{assignment}-") as tmp:
        tmp = Path(tmp)
        jobs = max(1, min(jobs, len(gradable) or 1))
        workers = [_make_worker(tmp / f"worker{k}", course, assignment, isolation == "sandbox") for k in range(jobs)]
        size = batch or max(1, math.ceil(len(gradable) / jobs))  # one nbgrader start-up per worker
        batches = [gradable[i:i + size] for i in range(0, len(gradable), size)]
        log, lock = [], threading.Lock()
        free = list(workers)

        def run(students):
            with lock:
                worker = free.pop()
            try:
                _grade_batch(course, worker, assignment, students, log, lock)
            finally:
                with lock:
                    free.append(worker)

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(run, batches))
        for student in gradable:
            if not (course / "autograded" / student / assignment).is_dir():
                outcomes[student] = Outcome(student, "grading failed", flags=[_failure_reason("\n".join(log), student, assignment)])
        (course / REPORTS / assignment).mkdir(parents=True, exist_ok=True)
        (course / REPORTS / assignment / "autograde.log").write_text("\n".join(log))

    _inspect(course, assignment, source, gradable, outcomes)
    return [outcomes[s] for s in sorted(outcomes)]


def _failure_reason(log: str, student: str, assignment: str) -> str:
    """Why nbgrader gave up on a student's notebook, read from its log."""
    lines = log.splitlines()
    marker = f"for student '{student}'"
    for end, line in enumerate(lines):
        if marker in line and "error processing assignment" in line:
            window = "\n".join(lines[max(0, end - 80):end])
            start = window.rfind(f"/submitted/{student}/{assignment}")
            window = window[max(0, start - 2000):] if start >= 0 else window
            if "Kernel died" in window or "DeadKernelError" in window:
                return ("the kernel died while running this notebook (the code ended or killed Python, or ran out "
                        "of memory); no automatic score: grade it by hand")
            if "Timeout" in window:
                return "a cell timed out and the kernel did not recover; no automatic score: grade it by hand"
            return "nbgrader could not grade it (see reports/<assignment>/autograde.log); grade it by hand"
    return "nbgrader produced no graded notebook (see reports/<assignment>/autograde.log); grade it by hand"


def _inspect(course: Path, assignment: str, source, gradable: list[str], outcomes: dict) -> None:
    """Look at each graded notebook for what nbgrader leaves silent; flag it in the gradebook too."""
    test_ids = [nbgrader_meta(c)["grade_id"] for c in source.cells if is_autograded_test(c)]
    release = nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    released_tests = {nbgrader_meta(c)["grade_id"]: c.source for c in release.cells if is_autograded_test(c)}
    with Gradebook(db_url(course)) as gb:
        for student, outcome in outcomes.items():
            try:
                gb.find_submission(assignment, student)
            except MissingEntry:  # a record for every roster student, whatever happened
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # SQLAlchemy autoflush chatter inside nbgrader
                    submission = gb.update_or_create_submission(assignment, student)
                for notebook in submission.notebooks:
                    for grade in notebook.grades:  # no submission: 0, as nbgrader does; unreadable: a person looks
                        grade.needs_manual_grade = outcome.status != "no submission"
                        grade.auto_score = 0 if outcome.status == "no submission" else None
                gb.db.commit()
        for student in gradable:
            outcome = outcomes[student]
            if outcome.status == "grading failed":
                continue
            submission = gb.find_submission(assignment, student)
            outcome.status, outcome.score, outcome.max_score = "graded", submission.score, submission.max_score
            flagged = set()
            report = missing_cells(source, course / "submitted" / student / assignment / f"{assignment}.ipynb")
            if report.missing:
                outcome.flags.append("graded cells deleted or stripped of metadata: " + ", ".join(report.missing))
                cells = list(source.cells)
                for i, cell in enumerate(cells):
                    gid = nbgrader_meta(cell).get("grade_id")
                    if gid in report.missing:  # a deleted answer cell leaves its test failing: flag the test
                        nxt = nbgrader_meta(cells[i + 1]).get("grade_id") if i + 1 < len(cells) else None
                        flagged.update({gid, nxt} & set(test_ids))
            submitted = nbformat.read(course / "submitted" / student / assignment / f"{assignment}.ipynb", as_version=4)
            edited = sorted(gid for gid in (nbgrader_meta(c).get("grade_id") for c in submitted.cells)
                            if gid in released_tests and _cell_text(submitted, gid).strip() != released_tests[gid].strip())
            if edited:
                outcome.flags.append("test cells edited by the student (graded with the original tests): " + ", ".join(edited))
            graded = nbformat.read(course / "autograded" / student / assignment / f"{assignment}.ipynb", as_version=4)
            verdicts = graded.metadata.get(JUDGE_META, {}).get("items", {})
            outcome.flags += [f"judge: {flag}" for flag in graded.metadata.get(JUDGE_META, {}).get("flags", [])]
            for cell in graded.cells:
                gid = nbgrader_meta(cell).get("grade_id")
                # the judge replaced test cells' outputs; the errors they had are in its verdict
                names = [o.get("ename", "") for o in cell.get("outputs", []) if o.get("output_type") == "error"
                         and gid not in test_ids]
                if gid in test_ids:
                    names = verdicts.get(gid[:-len("_tests")] if gid.endswith("_tests") else gid, {}).get("errors", [])
                for ename in names:
                    if "Timeout" in ename:
                        outcome.flags.append(f"cell {gid or '(ungraded)'} timed out")
                        if gid in test_ids:
                            flagged.add(gid)
                    elif ename == "DeadKernelError":
                        outcome.flags.append(f"the kernel died in cell {gid or '(ungraded)'}")
                        if gid in test_ids:
                            flagged.add(gid)
            kernel_died = [c for c in graded.cells if nbgrader_meta(c).get("grade_id") in test_ids
                           and verdicts.get(nbgrader_meta(c)["grade_id"][:-len("_tests")], {}).get("ran") is False]
            if kernel_died:
                outcome.flags.append("cells never ran (the kernel stopped): "
                                     + ", ".join(nbgrader_meta(c)["grade_id"] for c in kernel_died))
                flagged.update(nbgrader_meta(c)["grade_id"] for c in kernel_died)
            for gid in flagged:
                try:
                    grade = gb.find_grade(gid, assignment, assignment, student)
                except MissingEntry:
                    continue
                grade.needs_manual_grade = True
            gb.db.commit()


def _cell_text(nb, grade_id: str) -> str:
    return "\n".join(c.source for c in nb.cells if nbgrader_meta(c).get("grade_id") == grade_id)


def write_outcomes(course: Path, assignment: str, outcomes: list[Outcome], isolation: str = "") -> Path:
    """The grading report: every submission, and what needs a look first."""
    folder = course / REPORTS / assignment
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "grading-report.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "status", "score", "max_score", "needs_look", "reasons", "isolation"])
        for o in outcomes:
            writer.writerow([o.student, o.status, "" if o.score is None else o.score,
                             "" if o.max_score is None else o.max_score, "yes" if o.needs_look else "no",
                             " | ".join(o.flags), isolation])
    return path


# --- feedback ---------------------------------------------------------------------------------
def feedback(course: Path, assignment: str) -> list[str]:
    """nbgrader generate_feedback, then prove no page quotes a hidden test; returns leaking pages."""
    from tools.feedback_check import leaked_hidden_lines

    result = run_nbgrader(["generate_feedback", assignment, "--force"], cwd=course)
    if result.returncode != 0:
        print(result.stderr[-3000:], file=sys.stderr)
    source = source_nb(course, assignment)
    return [str(page) for page in sorted((course / "feedback").glob(f"*/{assignment}/*.html"))
            if leaked_hidden_lines(source, page.read_text(encoding="utf-8"))]


# --- export -----------------------------------------------------------------------------------
def export(course: Path, dest: Path) -> int:
    """nbgrader's grade CSV columns plus needs_manual_grading (how many scores still need a person)."""
    keys = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
            "raw_score", "late_submission_penalty", "score", "max_score", "needs_manual_grading"]
    rows = 0
    with Gradebook(db_url(course)) as gb, open(dest, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=keys)
        writer.writeheader()
        for assignment in gb.assignments:
            for student in gb.students:
                row = {"assignment": assignment.name, "duedate": assignment.duedate, "student_id": student.id,
                       "last_name": student.last_name, "first_name": student.first_name,
                       "email": student.email, "max_score": assignment.max_score}
                try:
                    sub = gb.find_submission(assignment.name, student.id)
                except MissingEntry:
                    row.update(timestamp="", raw_score=0.0, late_submission_penalty=0.0, score=0.0,
                               needs_manual_grading=0)
                else:
                    pending = sum(1 for nb in sub.notebooks for g in nb.grades if g.needs_manual_grade)
                    row.update(timestamp=sub.timestamp, raw_score=sub.score,
                               late_submission_penalty=sub.late_submission_penalty or 0.0,
                               score=sub.score - (sub.late_submission_penalty or 0.0), needs_manual_grading=pending)
                writer.writerow(row)
                rows += 1
    return rows


# --- item analysis ----------------------------------------------------------------------------
def item_scores(course: Path, assignment: str) -> tuple[list[str], dict[str, float], dict[str, dict[str, float]]]:
    """(item ids, max points per item, scores[student][item]) for the autograded items of graded submissions."""
    source = source_nb(course, assignment)
    items = [nbgrader_meta(c)["grade_id"] for c in source.cells if is_autograded_test(c)]
    maxima, scores = {}, {}
    with Gradebook(db_url(course)) as gb:
        for student in gb.students:
            try:
                sub = gb.find_submission(assignment, student.id)
            except MissingEntry:
                continue
            row = {}
            for item in items:
                grade = gb.find_grade(item, assignment, assignment, student.id)
                maxima[item] = grade.max_score
                row[item] = grade.score
            if any(gb.find_grade(i, assignment, assignment, student.id).auto_score is not None for i in items):
                scores[student.id] = row
    return items, maxima, scores


def item_statistics(items, maxima, scores) -> list[dict]:
    """Difficulty (mean proportion of points) and discrimination (item vs rest-of-test correlation)."""
    import numpy as np

    students = sorted(scores)
    matrix = np.array([[scores[s][i] for i in items] for s in students], dtype=float) if students else np.zeros((0, len(items)))
    totals = matrix.sum(axis=1)
    out = []
    for k, item in enumerate(items):
        column = matrix[:, k]
        rest = totals - column
        if len(students) > 2 and column.std() > 0 and rest.std() > 0:
            discrimination = float(np.corrcoef(column, rest)[0, 1])
        else:
            discrimination = float("nan")
        out.append({"item": item, "max_points": maxima.get(item, 0.0),
                    "difficulty": float(column.mean() / maxima[item]) if len(students) and maxima.get(item) else float("nan"),
                    "discrimination": discrimination,
                    "distribution": {str(v): int((column == v).sum()) for v in sorted(set(column.tolist()))}})
    return out


def item_report(course: Path, assignment: str) -> Path:
    """HTML item analysis with figures (course figure style, descriptions beside each figure)."""
    import html as html_mod

    import numpy as np

    from widgets.figures import PALETTE, figure_html, new_figure

    items, maxima, scores = item_scores(course, assignment)
    stats = item_statistics(items, maxima, scores)
    totals = {s: sum(row.values()) for s, row in scores.items()}

    fig, ax = new_figure(width=8, height=0.4 * len(items) + 1.5)
    y = np.arange(len(stats))
    ax.barh(y, [s["difficulty"] for s in stats], color=PALETTE["blue"], hatch="//", edgecolor="black",
            label="difficulty (mean proportion of points)")
    ax.plot([s["discrimination"] for s in stats], y, "D", color=PALETTE["vermillion"], label="discrimination (item-rest r)")
    ax.set_yticks(y, [s["item"] for s in stats])
    ax.invert_yaxis()
    ax.set_xlim(-1, 1)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("proportion of points (bars) / correlation (diamonds), no unit")
    ax.set_title(f"{assignment}: item difficulty and discrimination ({len(scores)} graded submissions)")
    ax.legend(loc="lower left")
    hardest = min(stats, key=lambda s: s["difficulty"]) if stats else None
    desc1 = (f"Horizontal bars show the mean proportion of points on each of {len(stats)} items; the hardest item is "
             f"{hardest['item']} at {hardest['difficulty']:.0%}." if hardest and not math.isnan(hardest["difficulty"])
             else "No graded submissions yet.")

    fig2, ax2 = new_figure(width=7, height=3.2)
    values = list(totals.values())
    ax2.hist(values, bins=min(10, max(1, len(set(values)))), color=PALETTE["green"], hatch="..", edgecolor="black")
    ax2.set_xlabel("total autograded score (points)")
    ax2.set_ylabel("students (count)")
    ax2.set_title(f"{assignment}: distribution of total autograded scores")
    desc2 = (f"Histogram of {len(values)} students' total autograded scores, from {min(values):g} to {max(values):g} points."
             if values else "No scores yet.")

    rows = "".join(
        f"<tr><td>{html_mod.escape(s['item'])}</td><td>{s['max_points']:g}</td><td>{s['difficulty']:.2f}</td>"
        f"<td>{s['discrimination']:.2f}</td><td>{html_mod.escape(json.dumps(s['distribution']))}</td></tr>" for s in stats)
    students = "".join(f"<tr><td>{html_mod.escape(s)}</td><td>{t:g}</td></tr>" for s, t in sorted(totals.items()))
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Item analysis: {assignment}</title></head>
<body><h1>Item analysis: {assignment}</h1>
<p>Difficulty is the mean proportion of an item's points earned (higher = easier). Discrimination is the
correlation between the item score and the rest of the autograded score (near 0 or negative: look at the item).</p>
{figure_html(fig, desc1)}
<table border="1"><caption>Per item</caption><tr><th>item</th><th>points</th><th>difficulty</th><th>discrimination</th><th>score distribution (score: students)</th></tr>{rows}</table>
{figure_html(fig2, desc2)}
<table border="1"><caption>Per student</caption><tr><th>student</th><th>total autograded points</th></tr>{students}</table>
</body></html>"""
    path = course / REPORTS / assignment / "item-analysis.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    (path.parent / "item-analysis.json").write_text(json.dumps({"items": stats, "totals": totals}, indent=2))
    return path


# --- command line -----------------------------------------------------------------------------
def integrity(course: Path, assignment: str) -> list[tuple[str, str]]:
    """(student, problem) for every submission whose graded cells are missing or unreadable."""
    source = source_nb(course, assignment)
    problems = []
    for folder in sorted((course / "submitted").glob(f"*/{assignment}")):
        report = missing_cells(source, folder / f"{assignment}.ipynb")
        if report.unreadable:
            problems.append((folder.parent.name, report.unreadable))
        elif report.missing:
            problems.append((folder.parent.name, "graded cells missing or without nbgrader metadata: " + ", ".join(report.missing)))
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.grade", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("roster", help="import a roster CSV into the gradebook")
    p.add_argument("csv", type=Path)
    p = sub.add_parser("collect", help="place an LMS zip of submissions into submitted/")
    p.add_argument("assignment")
    p.add_argument("zip", type=Path)
    p.add_argument("--roster", type=Path, help="roster CSV (default: the students in the gradebook)")
    p = sub.add_parser("autograde", help="autograde in parallel and report what needs a look")
    p.add_argument("assignment")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--accept-unisolated-grading", action="store_true",
                   help="grade without the sandbox where it is unavailable (recorded in the report)")
    p = sub.add_parser("integrity", help="list submissions whose graded cells were deleted or stripped")
    p.add_argument("assignment")
    p = sub.add_parser("feedback", help="generate feedback HTML and check it for hidden-test leaks")
    p.add_argument("assignment")
    p = sub.add_parser("export", help="grades CSV with a needs_manual_grading column")
    p.add_argument("--to", type=Path, default=Path("grades.csv"))
    p = sub.add_parser("items", help="item analysis report (HTML)")
    p.add_argument("assignment")
    args = parser.parse_args(argv)
    course = Path.cwd()

    if args.command == "roster":
        print(f"{import_roster(course, args.csv)} students in the gradebook.")
    elif args.command == "collect":
        from tools.lms import Student, collect, read_roster

        if args.roster:
            roster = read_roster(args.roster)
        else:
            with Gradebook(db_url(course)) as gb:
                roster = [Student(s.id, s.first_name or "", s.last_name or "", s.email or "") for s in gb.students]
        result = collect(args.zip, args.assignment, roster, course)
        for student, (member, when, note) in sorted(result.placed.items()):
            print(f"placed   {student:<16} {when:%Y-%m-%d %H:%M:%S} UTC  {member}{'  (' + note + ')' if note else ''}")
        for member, newer in result.superseded:
            print(f"older    {member} (kept {newer})")
        for member, reason in result.unplaced:
            print(f"UNPLACED {member}: {reason} (kept in downloaded/{args.assignment}/unplaced/)")
        print(f"{len(result.placed)} placed, {len(result.unplaced)} not placed, {len(result.superseded)} older versions skipped.")
    elif args.command == "autograde":
        mode = isolation_mode(args.accept_unisolated_grading)
        outcomes = autograde(course, args.assignment, jobs=args.jobs, isolation=mode)
        path = write_outcomes(course, args.assignment, outcomes,
                              isolation="sandbox" if mode == "sandbox" else "NONE (accepted by instructor)")
        print(f"Isolation: {'each kernel sandboxed (bubblewrap)' if mode == 'sandbox' else 'NONE: student code ran with your permissions'}")
        look = [o for o in outcomes if o.needs_look]
        for o in outcomes:
            score = "" if o.score is None else f"{o.score:g}/{o.max_score:g}"
            print(f"{o.student:<16} {o.status:<14} {score:<10} {'; '.join(o.flags)}")
        print(f"{len(outcomes)} students; {len(look)} need a look. Report: {path}")
    elif args.command == "integrity":
        problems = integrity(course, args.assignment)
        for student, problem in problems:
            print(f"{student}: {problem}")
        print(f"{len(problems)} submission(s) need a look." if problems else "Every submission has all its graded cells.")
    elif args.command == "feedback":
        leaks = feedback(course, args.assignment)
        print("Feedback written to feedback/; no page shows hidden tests." if not leaks else f"LEAKS in {leaks}")
        return 1 if leaks else 0
    elif args.command == "export":
        print(f"{export(course, args.to)} rows written to {args.to}")
    elif args.command == "items":
        print(f"Item analysis: {item_report(course, args.assignment)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
