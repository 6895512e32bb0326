"""The course's grading workflow on top of nbgrader, run from the course root.

    python -m grading.grade roster students.csv            # import the roster (id, first_name, last_name, email[, lms_id])
    python -m grading.grade collect 01_what_is_imh lms.zip # LMS zip -> submitted/<student>/01_what_is_imh/
    python -m grading.grade autograde 01_what_is_imh --jobs 2
    python -m grading.grade feedback 01_what_is_imh        # feedback HTML, checked for hidden-test leaks
    python -m grading.grade export --to grades.csv         # nbgrader's CSV + a needs_manual_grading column
    python -m grading.grade items 01_what_is_imh           # item analysis report (HTML with figures)

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
import hashlib
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
from nbgrader.utils import parse_utc

from grading.keys import KEYS_DIR, item_of, keys_folder, load_keys
from grading.variants import course_secret, release_folder, source_folder
from grading.late import apply_extensions, read_extensions
from grading.nbgrader_ext import ISOLATION_META, JUDGE_META
from grading.cells import BIN, env, is_autograded_test, nbgrader_meta
from grading.sandbox import rootless, scratch_mb
from grading.submissions import missing_cells

REPORTS = "reports"


class IsolationUnavailable(SystemExit):
    """Student code would run unsandboxed and the instructor has not accepted that."""


# --- the course ---------------------------------------------------------------------------
def db_url(course: Path) -> str:
    """The gradebook URL exactly as course_config.py sets it for this course root."""
    return os.environ.get("IMH_GRADEBOOK_URL", "sqlite:///" + str(course.resolve() / "gradebook.db"))


def run_nbgrader(args: list[str], cwd: Path, timeout: float = 3600, *, course_db: bool = True,
                 scratch_cap: Path | None = None) -> subprocess.CompletedProcess:
    """``nbgrader ARGS`` in ``cwd``. ``course_db=False`` (grading workers) keeps the course's
    gradebook URL, which may hold a password, out of the environment student kernels inherit.
    ``scratch_cap``: run nbgrader in a private mount namespace where that folder (the kernels'
    scratch space) is a tmpfs of :func:`scratch_mb` MB, so no student can fill the disk; the mount
    ends with the process."""
    e = env()
    if course_db and "IMH_GRADEBOOK_URL" in os.environ:
        e["IMH_GRADEBOOK_URL"] = os.environ["IMH_GRADEBOOK_URL"]
    command = [str(BIN / "nbgrader"), *args]
    if scratch_cap is not None and not rootless():  # rootless: each kernel's scratch is a sized tmpfs instead
        mount = f'mount -t tmpfs -o size={scratch_mb()}m,mode=0711 imh-scratch "$0" && exec "$@"'
        command = ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", mount, str(scratch_cap),
                   *command]
    return subprocess.run(command, cwd=cwd, env=e, capture_output=True, text=True, timeout=timeout)


def source_nb(course: Path, assignment: str):
    return nbformat.read(source_folder(course) / assignment / f"{assignment}.ipynb", as_version=4)


# --- roster -----------------------------------------------------------------------------------
def import_roster(course: Path, roster_csv: Path) -> int:
    """Add or update every roster student in the gradebook; returns how many."""
    from grading.lms import read_roster

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
    isolation: str = ""                          # what the kernel's own probe showed (graded submissions)

    @property
    def needs_look(self) -> bool:
        return self.status != "graded" or bool(self.flags)


def _worker_config(worker: Path, course: Path, isolated: bool, keys_dir: Path | None = None,
                   per_student: bool = False) -> None:
    text = textwrap.dedent(f"""\
        c = get_config()
        load_subconfig({str(course / "course_config.py")!r})
        c.CourseDirectory.root = {str(worker)!r}
        c.CourseDirectory.db_url = {"sqlite:///" + str(worker / "gradebook.db")!r}
        c.Exchange.root = {str(worker / ".exchange")!r}
        # the judge reads the course's keys (built once by the parent; never inside a sandbox)
        c.JudgeAnswers.course_root = {str(course)!r}
        c.JudgeAnswers.keys_dir = {str(keys_dir or course / KEYS_DIR)!r}
        c.JudgeAnswers.per_student = {per_student!r}
        c.KeepGoingExecute.isolation = {"sandbox" if isolated else "none"!r}
        c.KeepGoingExecute.course_root = {str(course)!r}
        """)
    if isolated:  # every student kernel runs in a bubblewrap sandbox (grading/sandbox.py)
        runtime = worker / "kernels"
        runtime.mkdir(mode=0o711, exist_ok=True)
        os.chmod(runtime, 0o711)
        text += textwrap.dedent(f"""\
            from grading.sandbox import SandboxKernelManager
            c.Execute.kernel_manager_class = SandboxKernelManager
            c.SandboxKernelManager.runtime_root = {str(runtime)!r}
            """)
    (worker / "nbgrader_config.py").write_text(text)


def _readable(path: Path) -> str:
    """'' when ``path`` is a notebook nbgrader can read, else the reason."""
    from grading.lms import NOT_PLACED

    if not path.exists():
        note = path.parent / NOT_PLACED
        if note.is_file():  # the collector kept a file it could not place (e.g. over the size limit)
            return "notebook not placed by the collector: " + note.read_text().strip()
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


def _make_worker(worker: Path, course: Path, assignment: str, isolated: bool, keys_dir: Path | None = None,
                 per_student: bool = False) -> Path:
    """A scratch course with the assignment (the course variant's, with a secret) and a
    gradebook of its own (same due date)."""
    shutil.copytree(source_folder(course) / assignment, worker / "source" / assignment)
    _worker_config(worker, course, isolated, keys_dir, per_student)
    url = db_url(course)
    if url.startswith("sqlite:///") and Path(url[len("sqlite:///"):]).is_file():
        shutil.copy(url[len("sqlite:///"):], worker / "gradebook.db")  # nobody writes it during setup
        return worker
    made = run_nbgrader(["generate_assignment", assignment, "--force"], cwd=worker)  # e.g. PostgreSQL course
    if made.returncode != 0:
        raise RuntimeError(f"generate_assignment failed in a grading worker:\n{made.stderr[-3000:]}")
    with Gradebook(url) as gb, Gradebook("sqlite:///" + str(worker / "gradebook.db")) as wgb:
        wgb.update_or_create_assignment(assignment, duedate=gb.find_assignment(assignment).duedate)
        for sub in gb.assignment_submissions(assignment):
            if sub.extension:
                apply_extensions(wgb, assignment, {sub.student.id: sub.extension}, {sub.student.id: sub.timestamp})
    return worker


BATCH = 10                 # most submissions per nbgrader run: small, so a failure or an interrupt costs little
PER_SUBMISSION_S = 900     # wall seconds one submission may take before its nbgrader run is stopped


def repair_notebook(nb, release, raw_ids: list | None = None) -> tuple[object, list[str]]:
    """Fix what makes nbgrader reject a whole notebook when the student's intent is clear.

    - a graded cell duplicated (copy-paste in JupyterLab copies its nbgrader metadata): the copy
      the student edited is graded (the last one whose text differs from the release), the other
      copies keep their text but lose their metadata;
    - cells without ids or with repeated ids (older or hand-edited files; ``raw_ids`` are the ids
      as the file has them, since nbformat renames repeated ones while reading): new unique ids.
    Returns the repaired notebook and a note per repair (empty when nothing was wrong).
    """
    notes = []
    released = {nbgrader_meta(c).get("grade_id"): c.source for c in release.cells if nbgrader_meta(c).get("grade_id")}
    by_id: dict[str, list[int]] = {}
    for index, cell in enumerate(nb.cells):
        gid = nbgrader_meta(cell).get("grade_id")
        if gid:
            by_id.setdefault(gid, []).append(index)
    for gid, places in by_id.items():
        if len(places) < 2:
            continue
        edited = [i for i in places if nb.cells[i].source.strip() != released.get(gid, "").strip()]
        keep = edited[-1] if edited else places[-1]
        for i in places:
            if i != keep:
                nb.cells[i].metadata.pop("nbgrader", None)
        notes.append(f"graded cell {gid} appeared {len(places)} times: graded the copy the student edited")
    seen, fixed = set(), 0
    for index, cell in enumerate(nb.cells):
        cid = cell.get("id")
        if not cid or cid in seen:
            cell["id"] = f"imh-repaired-{index:04d}"
            fixed += 1
        seen.add(cell["id"])
    if raw_ids is not None:  # nbformat quietly renames repeated ids while reading: count them in the file
        fixed = max(fixed, sum(1 for i, cid in enumerate(raw_ids) if not cid or cid in raw_ids[:i]))
    if fixed:
        notes.append(f"{fixed} cell ids missing or repeated: new ids given")
    if fixed and nb.get("nbformat_minor", 5) < 5:
        nb["nbformat_minor"] = 5
    return nb, notes


def _stage(course: Path, worker: Path, assignment: str, students: list[str], release, repairs: dict) -> None:
    """Copy a batch's submissions into the worker, repairing what nbgrader would reject whole."""
    shutil.rmtree(worker / "submitted", ignore_errors=True)
    shutil.rmtree(worker / "autograded", ignore_errors=True)
    for student in students:
        target = worker / "submitted" / student / assignment
        shutil.copytree(course / "submitted" / student / assignment, target)
        path = target / f"{assignment}.ipynb"
        try:
            raw_ids = [c.get("id") for c in json.loads(path.read_text(encoding="utf-8")).get("cells", [])]
        except (ValueError, AttributeError):
            raw_ids = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbformat's DuplicateCellId: counted and reported below
            nb = nbformat.read(path, as_version=4)
        nb, notes = repair_notebook(nb, release, raw_ids)
        if notes:
            nbformat.write(nb, path)
            repairs[student] = notes


def _grade_batch(course: Path, worker: Path, assignment: str, students: list[str], log: list,
                 lock: threading.Lock, release, repairs: dict, cancelled: threading.Event,
                 progress: "Progress") -> tuple[list[str], list[str]]:
    """Grade a batch with nbgrader in the worker, then record each graded student in the course.

    The worker's own nbgrader run computes every score; recording copies those values through
    nbgrader's API under a lock (one writer at a time), one student per commit. Returns the
    students recorded and those nbgrader's log names as failed; any failure (a rejected notebook,
    a timeout, an exception) leaves the others of the batch unrecorded, for the caller to retry.
    """
    _stage(course, worker, assignment, students, release, repairs)
    try:
        capped = worker / "kernels" if (worker / "kernels").is_dir() else None  # sandboxed workers only
        result = run_nbgrader(["autograde", assignment, "--force"], cwd=worker, course_db=False, scratch_cap=capped,
                              timeout=PER_SUBMISSION_S * len(students))
        text = result.stdout + result.stderr
    except subprocess.TimeoutExpired as exc:
        text = f"nbgrader autograde stopped after {exc.timeout:.0f} s for {students}: timeout\n"
    done = [s for s in students if (worker / "autograded" / s / assignment).is_dir()]
    blamed = [s for s in students if f"error processing assignment '{assignment}' for student '{s}'" in text]
    with lock:
        log.append(text)
        if cancelled.is_set():
            return [], blamed
        recorded = []
        for student in done:
            if cancelled.is_set():
                break
            try:
                _record(course, worker, assignment, student)
            except Exception as exc:  # one student's record must not cost the others theirs
                log.append(f"recording {student} failed: {type(exc).__name__}: {exc}\n")
                continue
            progress.mark(student)
            recorded.append(student)
        return recorded, blamed


def _record(course: Path, worker: Path, assignment: str, student: str) -> None:
    """Copy one graded submission from a worker into the course: the graded notebook first
    (into place with a rename), then the gradebook rows in one commit, so an interrupt leaves
    either the old record or the new one, never half of either."""
    target = course / "autograded" / student / assignment
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.parent / f".{assignment}.incoming"
    outgoing = target.parent / f".{assignment}.outgoing"
    for leftover in (incoming, outgoing):
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.copytree(worker / "autograded" / student / assignment, incoming)
    with Gradebook("sqlite:///" + str(worker / "gradebook.db")) as wgb, Gradebook(db_url(course)) as gb:
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
        if target.exists():
            target.rename(outgoing)
        incoming.rename(target)
        gb.db.commit()
    shutil.rmtree(outgoing, ignore_errors=True)


def _forget(course: Path, assignment: str, student: str) -> None:
    """A failed (re-)grade: no old graded notebook or old score may stand in for it."""
    target = course / "autograded" / student / assignment
    shutil.rmtree(target, ignore_errors=True)
    with Gradebook(db_url(course)) as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score, grade.needs_manual_grade = None, True
        gb.db.commit()


class Progress:
    """Which submissions this assignment's grading has recorded, and of what content:
    ``reports/<assignment>/progress.json``. A re-run skips those whose submission, source
    notebook and cell timeout are unchanged (resuming an interrupted run); ``--force`` clears it."""

    def __init__(self, course: Path, assignment: str, force: bool = False):
        self.course, self.assignment = course, assignment
        self.path = course / REPORTS / assignment / "progress.json"
        config = (course / "source" / assignment / f"{assignment}.ipynb").read_bytes() + \
            os.environ.get("IMH_CELL_TIMEOUT", "").encode()
        self.config = hashlib.sha256(config).hexdigest()
        self.done = {} if force else self._read()

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        return data.get("done", {}) if data.get("config") == self.config else {}

    def fingerprint(self, student: str) -> str:
        folder = self.course / "submitted" / student / self.assignment
        digest = hashlib.sha256()
        for name in (f"{self.assignment}.ipynb", "timestamp.txt"):
            if (folder / name).is_file():
                digest.update((folder / name).read_bytes())
        return digest.hexdigest()

    def is_done(self, student: str) -> bool:
        return (self.done.get(student) == self.fingerprint(student)
                and (self.course / "autograded" / student / self.assignment).is_dir())

    def mark(self, student: str) -> None:
        self.done[student] = self.fingerprint(student)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"config": self.config, "done": self.done}, indent=1, sort_keys=True))
        tmp.replace(self.path)


def isolation_mode(allow_unisolated: bool) -> str:
    """'sandbox' when bubblewrap works here; 'none' only if the instructor accepted it; else refuse."""
    from grading.sandbox import unavailable_reason

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


def _student_keys(course: Path, assignment: str, students: list[str], jobs: int) -> None:
    """Build (or check) every student's own keys, ``jobs`` notebooks at a time."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:  # each build runs its own kernel process
        list(pool.map(lambda s: load_keys(course, assignment, assignment, student=s), students))


def autograde(course: Path, assignment: str, jobs: int = 1, batch: int | None = None,
              isolation: str = "sandbox", force: bool = False) -> list[Outcome]:
    """Grade every submission of ``assignment`` with ``jobs`` parallel nbgrader processes.

    ``isolation`` is ``"sandbox"`` (each kernel in bubblewrap, see grading/sandbox.py) or
    ``"none"`` (only when :func:`isolation_mode` allowed it). Submissions go in small batches;
    when nbgrader fails on a batch, its students are graded again one by one, so one bad
    notebook costs nobody else a grade. A failed (re-)grade replaces any earlier score with
    "needs a person". An interrupt (Ctrl-C) leaves only complete records and a report of what
    was graded; the same command then resumes, skipping unchanged submissions already graded
    (``force`` grades everything again).
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
    late_by_lms = {s for s in submitted if (course / "submitted" / s / assignment / "lms_late.txt").is_file()}
    for student in submitted:
        reason = _readable(course / "submitted" / student / assignment / f"{assignment}.ipynb")
        if reason:
            outcomes[student] = Outcome(student, "unreadable", flags=[reason])
        else:
            gradable.append(student)

    grants = read_extensions(course, assignment)  # extensions.csv: into the gradebook before anyone is graded
    if grants:
        timestamps = {}
        for student in grants:
            stamp = course / "submitted" / student / assignment / "timestamp.txt"
            timestamps[student] = parse_utc(stamp.read_text().strip()) if stamp.is_file() else None
        with Gradebook(db_url(course)) as gb:
            apply_extensions(gb, assignment, {s: g for s, g in grants.items() if s in gradable}, timestamps)
    # build or refresh the keys once, before any worker (per student: each student's variant)
    secret = course_secret(course)
    per_student = bool(secret and secret.per_student)
    keys_dir, _variant = keys_folder(course, assignment)
    if per_student:
        _student_keys(course, assignment, gradable, jobs)
    else:
        load_keys(course, assignment, assignment)
    progress = Progress(course, assignment, force=force)
    resumed, todo = [], list(gradable)
    log, lock, repairs = [], threading.Lock(), {}
    cancelled = threading.Event()
    failed: dict[str, str] = {}
    try:  # from here on an interrupt, wherever it lands, still leaves a report
        (course / REPORTS / assignment).mkdir(parents=True, exist_ok=True)  # the sign that grading started
        with Gradebook(db_url(course)) as gb:  # resume only what the gradebook really holds
            in_gradebook = {sub.student.id for sub in gb.assignment_submissions(assignment)}
        resumed = [s for s in gradable if progress.is_done(s) and s in in_gradebook]
        todo = [s for s in gradable if s not in resumed]
        release = nbformat.read(release_folder(course) / assignment / f"{assignment}.ipynb", as_version=4)
        with tempfile.TemporaryDirectory(prefix=f"grade-{assignment}-") as tmp:
            tmp = Path(tmp)
            jobs = max(1, min(jobs, len(todo) or 1))
            workers = [_make_worker(tmp / f"worker{k}", course, assignment, isolation == "sandbox", keys_dir, per_student)
                       for k in range(jobs)] if todo else []
            # balanced: every worker gets the same number of nbgrader runs, none waits on a straggler
            rounds = max(1, math.ceil(len(todo) / (jobs * BATCH)))
            size = batch or max(1, math.ceil(len(todo) / (jobs * rounds)))
            free = list(workers)

            def run(students):
                if cancelled.is_set():
                    return students, [], []
                with lock:
                    worker = free.pop()
                try:
                    return (students, *_grade_batch(course, worker, assignment, students, log, lock, release,
                                                    repairs, cancelled, progress))
                except Exception as exc:  # a worker's own failure costs this batch a retry, nothing more
                    with lock:
                        log.append(f"batch {students} failed: {type(exc).__name__}: {exc}\n")
                    return students, [], []
                finally:
                    with lock:
                        free.append(worker)

            def regroup(results) -> list[list[str]]:
                """What to grade again: nbgrader stops a run at the notebook it rejects, so the
                others go again together, and each student it blamed (or every student of a
                run that failed without naming anyone) goes again alone."""
                again = []
                results = list(results)
                if cancelled.is_set():
                    return []
                for students, recorded, blamed in results:
                    missed = [s for s in students if s not in recorded]
                    if len(students) == 1:
                        failed.update({s: "" for s in missed})
                        continue
                    innocent = [s for s in missed if s not in blamed]
                    if blamed and innocent:
                        again.append(innocent)
                        again += [[s] for s in missed if s in blamed]
                    else:
                        again += [[s] for s in missed]
                return again

            batches = [todo[i:i + size] for i in range(0, len(todo), size)]
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                try:
                    while batches:
                        batches = regroup(pool.map(run, batches))
                except BaseException:
                    cancelled.set()  # no new batch starts and nothing more is recorded
                    raise
    except BaseException:
        cancelled.set()  # interrupted before or between batches: the report below is still written
        raise
    finally:
        graded_now = [s for s in todo if s not in failed and progress.done.get(s) == progress.fingerprint(s)]
        not_reached = [s for s in todo if s not in failed and s not in graded_now]
        text = "\n".join(log)
        for student in failed:
            _forget(course, assignment, student)
            outcomes[student] = Outcome(student, "grading failed", flags=[_failure_reason(text, student, assignment)])
        for student in not_reached:  # interrupted before this student was graded
            outcomes[student] = Outcome(student, "not graded yet", flags=["grading was interrupted: run the same command again"])
        (course / REPORTS / assignment).mkdir(parents=True, exist_ok=True)
        with open(course / REPORTS / assignment / "autograde.log", "a") as handle:
            handle.write(text)
        done = resumed + graded_now
        _inspect(course, assignment, source, done, outcomes)
        for student, notes in repairs.items():
            if student in done:
                outcomes[student].flags += [f"repaired: {note}" for note in notes]
        for student in late_by_lms:
            outcomes[student].flags.append("the LMS marked this submission late")
        for student in resumed:
            outcomes[student].flags.append("unchanged since it was graded: not graded again (use --force)")
        if cancelled.is_set():
            write_outcomes(course, assignment, [outcomes[s] for s in sorted(outcomes)],
                           isolation=isolation_label(isolation))
    return [outcomes[s] for s in sorted(outcomes)]


def isolation_label(isolation: str) -> str:
    return "sandbox" if isolation == "sandbox" else "NONE (accepted by instructor)"


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
    release = nbformat.read(release_folder(course) / assignment / f"{assignment}.ipynb", as_version=4)
    released_tests = {nbgrader_meta(c)["grade_id"]: c.source for c in release.cells if is_autograded_test(c)}
    with Gradebook(db_url(course)) as gb:
        for student, outcome in outcomes.items():
            if outcome.status == "not graded yet":
                continue  # interrupted before it: the next run grades it
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
            if submission.total_seconds_late > 0:
                extra = f", with an extension of {submission.extension.total_seconds() / 3600:g} h" if submission.extension else ""
                outcome.flags.append(f"late by {submission.total_seconds_late / 3600:.1f} h after its due date{extra}: "
                                     f"penalty {submission.late_submission_penalty or 0:g} points")
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
            outcome.isolation = _isolation_text(graded.metadata.get(ISOLATION_META, {}))
            isolation = graded.metadata.get(ISOLATION_META, {})
            if isolation.get("mode") == "sandbox" and not isolation.get("verified"):
                outcome.flags.append("the sandbox was asked for but the kernel's probe could not verify it")
            outcome.flags += [f"judge: {flag}" for flag in graded.metadata.get(JUDGE_META, {}).get("flags", [])]
            for cell in graded.cells:
                gid = nbgrader_meta(cell).get("grade_id")
                # the judge replaced test cells' outputs; the errors they had are in its verdict
                names = [o.get("ename", "") for o in cell.get("outputs", []) if o.get("output_type") == "error"
                         and gid not in test_ids]
                if gid in test_ids:
                    names = verdicts.get(item_of(gid), {}).get("errors", [])
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
                           and verdicts.get(item_of(nbgrader_meta(c)["grade_id"]), {}).get("ran") is False]
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


def _isolation_text(meta: dict) -> str:
    """The isolation a graded notebook's kernel probe showed, in words for the report."""
    probe = meta.get("probe", {})
    if meta.get("mode") == "sandbox" and meta.get("verified"):
        return f"sandbox, verified (kernel uid {probe.get('uid')}, course not visible)"
    if meta.get("mode") == "sandbox":
        return f"sandbox NOT verified ({probe})"
    if meta.get("mode") == "none":
        return f"NONE (accepted by instructor; kernel uid {probe.get('uid')})"
    return "unknown (no probe recorded)"


def _cell_text(nb, grade_id: str) -> str:
    return "\n".join(c.source for c in nb.cells if nbgrader_meta(c).get("grade_id") == grade_id)


def write_outcomes_page(path: Path, assignment: str, outcomes: list[Outcome], isolation: str = "") -> Path:
    """The grading report as a page: what needs a look first, then everyone; sortable by any column."""
    from grading.pages import Markup, esc, page, table

    ordered = sorted(outcomes, key=lambda o: (not o.needs_look, o.student))
    look = sum(o.needs_look for o in outcomes)
    rows = [[o.student, o.status, "" if o.score is None else f"{o.score:g}", "" if o.max_score is None else f"{o.max_score:g}",
             "needs a look" if o.needs_look else "no", Markup("<br>".join(esc(f) for f in o.flags)),
             o.isolation or isolation] for o in ordered]
    path.write_text(page(f"Grading report: {assignment}",
                         f"<p>{len(outcomes)} students; <strong>{look} need a look</strong> (listed first, marked "
                         "with a warning sign and the words 'needs a look').</p>",
                         table("Every submission", ["student", "status", "score", "of", "needs a look", "reasons",
                                                    "isolation"], rows, numeric={2, 3},
                               row_classes=["look" if o.needs_look else "" for o in ordered])), encoding="utf-8")
    return path


def write_outcomes(course: Path, assignment: str, outcomes: list[Outcome], isolation: str = "") -> Path:
    """The grading report: every submission, and what needs a look first."""
    folder = course / REPORTS / assignment
    folder.mkdir(parents=True, exist_ok=True)
    write_outcomes_page(folder / "grading-report.html", assignment, outcomes, isolation)
    path = folder / "grading-report.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "status", "score", "max_score", "needs_look", "reasons", "isolation"])
        for o in outcomes:
            writer.writerow([o.student, o.status, "" if o.score is None else o.score,
                             "" if o.max_score is None else o.max_score, "yes" if o.needs_look else "no",
                             " | ".join(o.flags), o.isolation or isolation])
    return path


# --- feedback ---------------------------------------------------------------------------------
def feedback(course: Path, assignment: str) -> list[str]:
    """nbgrader generate_feedback, then prove no page quotes a hidden test; returns leaking pages."""
    from grading.feedback_check import leaked_hidden_lines

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


def item_figure(assignment: str, stats: list[dict], graded: int):
    """Difficulty bars and discrimination diamonds per item; the legend below the axes, never over the data."""
    import numpy as np

    from widgets.figures import PALETTE, new_figure

    fig, ax = new_figure(width=8, height=0.4 * len(stats) + 2.0)
    y = np.arange(len(stats))
    ax.barh(y, [s["difficulty"] for s in stats], color=PALETTE["blue"], hatch="//", edgecolor="black",
            label="difficulty (mean proportion of points)")
    ax.plot([s["discrimination"] for s in stats], y, "D", color=PALETTE["vermillion"], label="discrimination (item-rest r)")
    ax.set_yticks(y, [s["item"] for s in stats])
    ax.invert_yaxis()
    ax.set_xlim(-1, 1)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("proportion of points (bars) / correlation (diamonds), no unit")
    ax.set_title(f"Item difficulty and discrimination\n{assignment}, {graded} graded submissions")
    fig.legend(loc="outside lower center", ncols=2)
    return fig


def item_report(course: Path, assignment: str) -> Path:
    """HTML item analysis with figures (course figure style, descriptions beside each figure)."""
    import html as html_mod

    import numpy as np

    from widgets.figures import PALETTE, figure_html, new_figure

    from grading.pages import distribution, page, table

    items, maxima, scores = item_scores(course, assignment)
    stats = item_statistics(items, maxima, scores)
    totals = {s: sum(row.values()) for s, row in scores.items()}

    fig = item_figure(assignment, stats, len(scores))
    hardest = min(stats, key=lambda s: s["difficulty"]) if stats else None
    desc1 = (f"Horizontal bars show the mean proportion of points on each of {len(stats)} items; the hardest item is "
             f"{hardest['item']} at {hardest['difficulty']:.0%}." if hardest and not math.isnan(hardest["difficulty"])
             else "No graded submissions yet.")

    fig2, ax2 = new_figure(width=7, height=3.4)
    values = list(totals.values())
    ax2.hist(values, bins=min(10, max(1, len(set(values)))), color=PALETTE["green"], hatch="..", edgecolor="black")
    ax2.set_xlabel("total autograded score (points)")
    ax2.set_ylabel("students (count)")
    ax2.set_title(f"Total autograded scores\n{assignment}")
    desc2 = (f"Histogram of {len(values)} students' total autograded scores, from {min(values):g} to {max(values):g} points."
             if values else "No scores yet.")

    item_rows = [[s["item"], s["max_points"], f"{s['difficulty']:.2f}", f"{s['discrimination']:.2f}",
                  distribution(s["distribution"])] for s in stats]
    student_rows = [[student, f"{total:g}"] for student, total in sorted(totals.items())]
    html_page = page(
        f"Item analysis: {assignment}",
        "<p>Difficulty is the mean proportion of an item's points earned (higher = easier). Discrimination is the "
        "correlation between the item score and the rest of the autograded score (near 0 or negative: look at "
        "the item).</p>",
        figure_html(fig, desc1),
        table("Per item", ["item", "points", "difficulty", "discrimination", "score: students"], item_rows,
              numeric={1, 2, 3}),
        figure_html(fig2, desc2),
        table("Per student", ["student", "total autograded points"], student_rows, numeric={1}))
    path = course / REPORTS / assignment / "item-analysis.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html_page, encoding="utf-8")
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
    parser = argparse.ArgumentParser(prog="python -m grading.grade", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("roster", help="import a roster CSV into the gradebook")
    p.add_argument("csv", type=Path)
    p = sub.add_parser("collect", help="place an LMS zip of submissions into submitted/")
    p.add_argument("assignment")
    p.add_argument("zip", type=Path)
    p.add_argument("--roster", type=Path, help="roster CSV (default: the students in the gradebook)")
    p.add_argument("--zone", default="UTC", help="the LMS's time zone for times in file names and the zip "
                                                 "(IANA name such as America/Chicago; default UTC)")
    p = sub.add_parser("autograde", help="autograde in parallel and report what needs a look")
    p.add_argument("assignment")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--accept-unisolated-grading", action="store_true",
                   help="grade without the sandbox where it is unavailable (recorded in the report)")
    p.add_argument("--batch", type=int, default=None,
                   help=f"submissions per nbgrader run (default: up to {BATCH}; smaller loses less to an interrupt)")
    p.add_argument("--force", action="store_true",
                   help="grade every submission again (by default unchanged, already graded ones are skipped)")
    p = sub.add_parser("integrity", help="list submissions whose graded cells were deleted or stripped")
    p.add_argument("assignment")
    p = sub.add_parser("feedback", help="generate feedback HTML and check it for hidden-test leaks")
    p.add_argument("assignment")
    p = sub.add_parser("export", help="grades CSV with a needs_manual_grading column")
    p.add_argument("--to", type=Path, default=Path("grades.csv"))
    p = sub.add_parser("lms-export", help="one assignment's grades in the file Canvas, Moodle or Blackboard imports")
    p.add_argument("assignment")
    p.add_argument("--lms", required=True, choices=["canvas", "moodle", "blackboard"])
    p.add_argument("--roster", type=Path, required=True,
                   help="the LMS's own gradebook or user-list download (CSV): it carries the LMS's ids")
    p.add_argument("--to", type=Path, required=True)
    p.add_argument("--column-id", default="", help="Canvas assignment id or Blackboard column id (updates that column)")
    p.add_argument("--match", default="", help="roster column holding the gradebook's student id (default: Canvas "
                                                "'SIS Login ID', Moodle 'Email address', Blackboard 'Username')")
    p = sub.add_parser("similar", help="pairs of submissions with suspiciously alike answers, side by side (HTML)")
    p.add_argument("assignment")
    p = sub.add_parser("items", help="item analysis report (HTML)")
    p.add_argument("assignment")
    args = parser.parse_args(argv)
    course = Path.cwd()

    if args.command == "roster":
        print(f"{import_roster(course, args.csv)} students in the gradebook.")
    elif args.command == "collect":
        from grading.lms import Student, collect, read_roster

        if args.roster:
            roster = read_roster(args.roster)
        else:
            with Gradebook(db_url(course)) as gb:
                roster = [Student(s.id, s.first_name or "", s.last_name or "", s.email or "") for s in gb.students]
        from grading.lms import time_zone

        result = collect(args.zip, args.assignment, roster, course, zone=time_zone(args.zone))
        print(f"Times read as {result.zone} (the LMS's zone; --zone changes it) and stored in UTC.")
        for student, (member, when, note) in sorted(result.placed.items()):
            print(f"placed   {student:<16} {when:%Y-%m-%d %H:%M:%S} UTC  {member}{'  (' + note + ')' if note else ''}")
        for member, newer in result.superseded:
            print(f"older    {member} (kept {newer})")
        for member, reason in result.unplaced:
            print(f"UNPLACED {member}: {reason} (kept in downloaded/{args.assignment}/unplaced/)")
        print(f"{len(result.placed)} placed, {len(result.unplaced)} not placed, {len(result.superseded)} older versions skipped.")
    elif args.command == "autograde":
        mode = isolation_mode(args.accept_unisolated_grading)
        try:
            outcomes = autograde(course, args.assignment, jobs=args.jobs, batch=args.batch, isolation=mode,
                                 force=args.force)
        except KeyboardInterrupt:
            report = course / REPORTS / args.assignment / "grading-report.csv"
            where = (f"the report of what was graded is in {report.relative_to(course)}" if report.exists()
                     else "nothing was graded yet")
            print(f"Interrupted. Every recorded grade is complete; {where}. Run the same command again to resume.",
                  file=sys.stderr)
            return 130
        path = write_outcomes(course, args.assignment, outcomes, isolation=isolation_label(mode))
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
    elif args.command == "similar":
        from grading.similarity import similar_submissions, write_report

        pairs = similar_submissions(course, args.assignment)
        page = write_report(pairs, course / REPORTS / args.assignment / "similarity.html", args.assignment)
        for pair in pairs:
            print(f"{pair.first} and {pair.second}: {pair.kind} answers {pair.similarity:.0%} alike")
        print(f"{len(pairs)} pair(s) to look at (no grade was changed). Report: {page}")
    elif args.command == "lms-export":
        from grading.lms_export import gradebook_scores, read_roster, write_upload

        scores, pending, points = gradebook_scores(db_url(course), args.assignment)
        done = write_upload(args.to, args.lms, read_roster(args.roster, args.lms), scores, args.assignment, points,
                            column_id=args.column_id, match=args.match, pending=pending)
        print(f"{done.rows} students written to {args.to} for {args.lms}.")
        for label, names in (("no graded submission (left empty)", done.no_score),
                             ("a score still needs a person (left empty)", done.needs_person),
                             ("in the gradebook but not on the LMS roster (not uploaded)", done.not_in_lms)):
            if names:
                print(f"{len(names)} {label}: {', '.join(names)}")
    elif args.command == "export":
        print(f"{export(course, args.to)} rows written to {args.to}")
    elif args.command == "items":
        print(f"Item analysis: {item_report(course, args.assignment)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
