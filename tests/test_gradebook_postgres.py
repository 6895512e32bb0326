"""The course's grading on a PostgreSQL gradebook (README, "Gradebook"; deploy/hub/).

A real PostgreSQL server (Debian's, `apt-get install postgresql`) is started once per test run
with its data in a temporary folder, on loopback, and stopped at the end; each test gets a
database of its own. The tests are the grading tests that exercise the gradebook itself:
parallel workers recording into the course gradebook (scores equal to a serial nbgrader run on
SQLite), per-student extensions and late penalties, and manual scores kept across a re-grade.

:func:`temporary_postgres` is also used by tests/test_hub.py and benchmarks/bench_grading.py.
"""
from __future__ import annotations

import contextlib
import csv
import datetime
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from tests.conftest import fill, make_demo_course, require
from grading import grade

pytestmark = [pytest.mark.roundtrip, pytest.mark.xdist_group("postgres")]

A = "demo"
ITEMS = {"demo_choice_tests": 1.0, "demo_number_tests": 2.0, "demo_function_tests": 3.0}
POSTGRES_HOW = ("install Debian's PostgreSQL server and the driver: apt-get install postgresql; "
                "pip install 'psycopg[binary]' (the grading extra has it)")


def postgres_bin() -> Path | None:
    """The folder of Debian's PostgreSQL server programs (initdb, pg_ctl), newest version first."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]), reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def postgres_missing() -> str:
    """Why a PostgreSQL gradebook cannot be tested here ('' when it can)."""
    folder = postgres_bin()
    if folder is None or not (folder / "pg_ctl").is_file():
        return "no PostgreSQL server (initdb, pg_ctl) found"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "the psycopg driver is not installed"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the server as"
    return ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """A running server: ``url(database)`` for SQLAlchemy, ``create(database)``."""

    def __init__(self, folder: Path, port: int, owner: str):
        self.folder, self.port, self.owner = folder, port, owner

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{self.owner}@127.0.0.1:{self.port}/{database}"

    def create(self, database: str, owner: str | None = None) -> str:
        """A new, empty database (PostgreSQL, unlike SQLite, needs it made before nbgrader connects)."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=self.owner, dbname="postgres",
                             autocommit=True) as conn:
            if owner and owner != self.owner:
                conn.execute(f'CREATE ROLE "{owner}" LOGIN')
            conn.execute(f'CREATE DATABASE "{database}" OWNER "{owner or self.owner}"')
        return self.url(database).replace(f"//{self.owner}@", f"//{owner or self.owner}@")


@contextlib.contextmanager
def temporary_postgres():
    """Debian's PostgreSQL server with its data in a new temporary folder, listening on 127.0.0.1
    only (trust authentication: a loopback test server), stopped and deleted on exit. As root the
    server runs as the 'postgres' user (PostgreSQL refuses root)."""
    reason = postgres_missing()
    if reason:
        raise RuntimeError(reason)
    bin_ = postgres_bin()
    folder = Path(tempfile.mkdtemp(prefix="imh-pg-", dir="/tmp"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(folder, entry.pw_uid, entry.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    owner = "postgres" if as_user else pwd.getpwuid(os.geteuid()).pw_name
    data, port = folder / "data", _free_port()
    run = dict(check=True, capture_output=True, text=True, cwd="/tmp")
    try:
        subprocess.run([*as_user, str(bin_ / "initdb"), "-D", str(data), "-A", "trust", "-U", owner,
                        "-E", "UTF8", "--no-sync"], **run)
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        subprocess.run([*as_user, str(bin_ / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"),
                        "-o", options, "-w", "-t", "60", "start"], **run)
        yield Postgres(folder, port, owner)
    except subprocess.CalledProcessError as exc:
        log = (folder / "server.log").read_text() if (folder / "server.log").is_file() else ""
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr}\n{log[-2000:]}") from exc
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run([*as_user, str(bin_ / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                           capture_output=True, cwd="/tmp")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres():
    require("PostgreSQL", postgres_missing(), POSTGRES_HOW)
    with temporary_postgres() as server:
        yield server


@pytest.fixture
def pg_course(postgres, tmp_path, monkeypatch, request):
    """The demo course with its gradebook in a new PostgreSQL database (IMH_GRADEBOOK_URL, as the
    README says), its release generated into that gradebook."""
    name = "t_" + "".join(ch if ch.isalnum() else "_" for ch in request.node.name.lower())[:50]
    url = postgres.create(name)
    monkeypatch.setenv("IMH_GRADEBOOK_URL", url)
    course = make_demo_course(tmp_path)  # (its nbgrader run never sees the URL: it made a SQLite gradebook)
    (course / "gradebook.db").unlink()
    made = grade.run_nbgrader(["generate_assignment", A, "--force"], cwd=course)
    assert made.returncode == 0, made.stderr[-3000:]
    assert not (course / "gradebook.db").exists(), "nbgrader ignored IMH_GRADEBOOK_URL (nbgrader #1661)"
    return course, url


def _submit(course: Path, student: str, nb, stamp: str = "2026-11-25 11:00:00.000000 UTC") -> None:
    folder = course / "submitted" / student / A
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{A}.ipynb")
    (folder / "timestamp.txt").write_text(stamp)


def _isolation() -> str:
    from grading.sandbox import unavailable_reason

    return "none" if unavailable_reason() else "sandbox"


def _auto_scores(url: str) -> dict:
    with Gradebook(url) as gb:
        return {(sub.student.id, g.name): g.auto_score for sub in gb.assignment_submissions(A)
                for nb in sub.notebooks for g in nb.grades if g.name in ITEMS}


def test_the_gradebook_really_is_postgres(pg_course):
    import sqlalchemy

    course, url = pg_course
    with Gradebook(url) as gb:
        assert gb.db.get_bind().dialect.name == "postgresql"
        assert gb.find_assignment(A).name == A
        tables = set(sqlalchemy.inspect(gb.db.get_bind()).get_table_names())
    assert {"assignment", "student", "grade", "submitted_assignment", "alembic_version"} <= tables


def test_parallel_workers_record_exact_scores_into_postgres(pg_course):
    """Six students, two workers, batches of two: every score is the one its answers earn."""
    course, url = pg_course
    source = nbformat.read(course / "source" / A / f"{A}.ipynb", as_version=4)
    release = nbformat.read(course / "release" / A / f"{A}.ipynb", as_version=4)
    answers = [{"demo_choice", "demo_number", "demo_function"}, {"demo_choice", "demo_function"}, set()]
    expected = {}
    with Gradebook(url) as gb:
        for k in range(6):
            student, chosen = f"s{k:02d}", answers[k % 3]
            gb.update_or_create_student(student)
            _submit(course, student, fill(release, source, chosen))
            for item, points in ITEMS.items():
                expected[(student, item)] = points if item[:-len("_tests")] in chosen else 0.0
    outcomes = grade.autograde(course, A, jobs=2, batch=2, isolation=_isolation())
    assert {o.student: o.status for o in outcomes} == {f"s{k:02d}": "graded" for k in range(6)}
    assert _auto_scores(url) == expected
    assert not (course / "gradebook.db").exists()


def test_extensions_penalties_and_manual_scores_survive_a_parallel_regrade(pg_course, tmp_path):
    """Due 2026-11-25 12:00 UTC: 'extended' submits 2 days late with a 72 h extension (no penalty),
    'late' 2 days 1 h late (30% off); a person's manual score and comment stay through a forced
    re-grade with two workers (flagged for review, as nbgrader does), and the export counts them."""
    course, url = pg_course
    source = nbformat.read(course / "source" / A / f"{A}.ipynb", as_version=4)
    release = nbformat.read(course / "release" / A / f"{A}.ipynb", as_version=4)
    solved = fill(release, source, {"demo_choice", "demo_number", "demo_function"})
    stamps = {"ontime": "2026-11-25 11:00:00.000000 UTC", "extended": "2026-11-27 12:00:00.000000 UTC",
              "late": "2026-11-27 13:00:00.000000 UTC"}
    with Gradebook(url) as gb:
        gb.update_or_create_assignment(A, duedate=datetime.datetime(2026, 11, 25, 12, 0))
        for student in stamps:
            gb.update_or_create_student(student)
    for student, stamp in stamps.items():
        _submit(course, student, solved, stamp=stamp)
    (course / "extensions.csv").write_text("assignment,student_id,hours,reason\ndemo,extended,72,illness\n")
    grade.autograde(course, A, jobs=2, batch=1, isolation=_isolation())
    full = sum(ITEMS.values())
    written = "demo_reflection"  # the demo's written item (2 points, graded by a person)
    with Gradebook(url) as gb:
        grade_row = gb.find_grade(written, A, A, "ontime")
        grade_row.manual_score, grade_row.needs_manual_grade = 1.5, False  # what the Formgrader's save does
        gb.find_comment(written, A, A, "ontime").manual_comment = "Clear and kind."
        gb.db.commit()
    grade.autograde(course, A, jobs=2, batch=1, isolation=_isolation(), force=True)
    with Gradebook(url) as gb:
        penalties = {s: gb.find_submission(A, s).late_submission_penalty for s in stamps}
        assert gb.find_submission(A, "extended").extension == datetime.timedelta(hours=72)
        kept = gb.find_grade(written, A, A, "ontime")
        # kept, and (as plain nbgrader does after any re-autograde) marked for a person to review
        assert (kept.manual_score, kept.needs_manual_grade) == (1.5, True)
        assert gb.find_comment(written, A, A, "ontime").manual_comment == "Clear and kind."
    assert penalties == pytest.approx({"ontime": 0, "extended": 0, "late": 0.3 * full})
    grade.export(course, tmp_path / "grades.csv")
    rows = {r["student_id"]: r for r in csv.DictReader(open(tmp_path / "grades.csv"))}
    assert float(rows["ontime"]["score"]) == full + 1.5
    assert float(rows["extended"]["score"]) == full
    assert float(rows["late"]["score"]) == pytest.approx(0.7 * full)
