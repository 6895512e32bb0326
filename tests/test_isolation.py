"""Untrusted student code is graded in isolation (tools/sandbox.py).

Each hostile submission below tries one thing a student should not be able to do
while being graded. It prints what happened, then answers the item correctly, so
the test can show that the attempt failed, that grading finished, and that its own
and everyone else's grades are exactly what they should be.
"""
from __future__ import annotations

import ast
import csv
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from tests.conftest import SANDBOX_HOW, require, fill, make_demo_course, replace_answer
from grading import grade
from tools.course import nbgrader, nbgrader_meta

pytestmark = [pytest.mark.roundtrip, pytest.mark.xdist_group("isolation")]

A = "demo"
FULL = {"demo_choice_tests": 1.0, "demo_number_tests": 2.0, "demo_function_tests": 3.0}


def _one_submission_course(tmp_path) -> Path:
    course = make_demo_course(tmp_path)
    source = nbformat.read(course / "source" / A / f"{A}.ipynb", as_version=4)
    release = nbformat.read(course / "release" / A / f"{A}.ipynb", as_version=4)
    folder = course / "submitted" / "s1" / A
    folder.mkdir(parents=True)
    nbformat.write(fill(release, source, {"demo_choice", "demo_number", "demo_function"}), folder / f"{A}.ipynb")
    return course


def _attack(code: str) -> str:
    """An answer cell that runs ``code`` (printing its outcome) and then answers correctly."""
    return code.rstrip() + '\nchoice = "B"\n'


def _hostile(course: Path, port: int) -> dict[str, str]:
    c = str(course)
    return {
        "identity": _attack("import os\nprint('UID', os.getuid(), 'GID', os.getgid())"),
        "read_solutions": _attack(
            "import glob\nfound = glob.glob('/tmp/grade-*/worker*/source/*/*.ipynb') + glob.glob(%r)\n"
            "try:\n    open(%r).read(); print('READ SOLUTIONS')\nexcept OSError as e:\n    print('BLOCKED', type(e).__name__, len(found))"
            % (c + "/source/*/*.ipynb", c + "/source/demo/demo.ipynb")),
        "other_students": _attack(
            "import os\ntry:\n    print('SEEN', os.listdir(%r))\nexcept OSError as e:\n    print('BLOCKED', type(e).__name__)"
            % (c + "/submitted")),
        "gradebook": _attack(
            "import glob\nhits = glob.glob('/tmp/grade-*/worker*/gradebook.db') + glob.glob(%r)\n"
            "try:\n    open(%r, 'wb').write(b'wiped'); print('WIPED')\nexcept OSError as e:\n    print('BLOCKED', type(e).__name__, hits)"
            % (c + "/gradebook.db", c + "/gradebook.db")),
        "home": _attack(
            "import os\nprint('HOME', sorted(os.listdir('/root')))\n"
            "try:\n    open('/root/.bash_history').read(); print('READ HOME')\nexcept OSError as e:\n    print('BLOCKED', type(e).__name__)"),
        "write_outside": _attack(
            "import os, sys, widgets\nblocked = []\n"
            "for target in [os.path.dirname(widgets.__file__) + '/evil.py', sys.prefix + '/evil.txt', %r, '/etc/evil']:\n"
            "    try:\n        open(target, 'w').write('x'); print('WROTE', target)\n"
            "    except OSError:\n        blocked.append(target)\n"
            "open('scratch-ok.txt', 'w').write('fine')\nprint('BLOCKED', len(blocked), 'SCRATCH', os.getcwd())"
            % (c + "/evil.txt")),
        "network": _attack(
            "import socket\ntry:\n    socket.create_connection(('127.0.0.1', %d), timeout=3); print('CONNECTED')\n"
            "except OSError as e:\n    print('BLOCKED', type(e).__name__)" % port),
        "memory": _attack(
            "import numpy as np\ntry:\n    big = np.ones(6_000_000_000 // 8); print('ALLOCATED', big.nbytes)\n"
            "except MemoryError:\n    print('BLOCKED MemoryError')"),
        "fork_loop": _attack(
            "import os, time\nchildren = 0\ntry:\n    while children < 100_000:\n        if os.fork() == 0:\n"
            "            time.sleep(60)\n            os._exit(0)\n        children += 1\n"
            "except OSError as e:\n    print('BLOCKED after', children, type(e).__name__)"),
        "user_namespace": _attack(
            "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
            "print('USERNS', 'ALLOWED' if libc.unshare(0x10000000) == 0 else 'BLOCKED')"),
        "big_file": _attack(
            "try:\n    open('big.bin', 'wb').write(b'x' * (300 * 1024 * 1024)); print('BIG FILE WRITTEN')\n"
            "except OSError as e:\n    print('BLOCKED', e.strerror)"),
        "etc": _attack("import os\nprint('ETC', sorted(os.listdir('/etc')))"),
        "private_tmp": _attack(
            "import tempfile, os\nwith tempfile.NamedTemporaryFile(dir='/tmp') as f:\n    f.write(b'ok')\n"
            "    print('TMP WRITABLE', os.path.dirname(f.name))"),
        "fill_disk": _attack(
            "written = 0\ntry:\n    for k in range(4):\n        open(f'fill{k}.bin', 'wb').write(b'x' * (200 * 1024 * 1024))\n"
            "        written += 200\n    print('DISK FILLED', written)\n"
            "except OSError as e:\n    print('BLOCKED', e.strerror, 'after', written, 'MB')"),
        "environment": _attack(
            "import os\nprint('ENV', sorted(k for k in os.environ if 'IMH' in k or 'GRADEBOOK' in k or 'SECRET' in k))"),
        "timeout": "while True:\n    pass\n",
    }


def _shadow_package(folder: Path) -> None:
    """Files a student adds next to the notebook: a fake widgets.answers whose hand_in hands in nothing."""
    fake = folder / "widgets"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "answers.py").write_text(
        "def _ok(*args, **kwargs):\n    print('fake check passed')\n"
        "hand_in = call = check_form = as_choice = as_number = as_count = as_mapping = as_order = _ok\n")


@pytest.fixture(scope="module")
def isolated_class(tmp_path_factory):
    from grading.sandbox import unavailable_reason

    require("sandboxed grading", unavailable_reason(), SANDBOX_HOW)
    course = make_demo_course(tmp_path_factory.mktemp("isolated"))
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    accepted = []
    threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()
    os.environ["IMH_CELL_TIMEOUT"] = "8"
    try:
        source = nbformat.read(course / "source" / A / f"{A}.ipynb", as_version=4)
        release = nbformat.read(course / "release" / A / f"{A}.ipynb", as_version=4)
        solved = fill(release, source, {"demo_choice", "demo_number", "demo_function"})
        hostile = _hostile(course, server.getsockname()[1])
        submissions = {"control": solved, "control_partial": fill(release, source, {"demo_number"})}
        for student, code in hostile.items():
            target = "demo_function" if student == "timeout" else "demo_choice"
            submissions[student] = replace_answer(solved, target, code)
        submissions["shadow"] = replace_answer(solved, "demo_choice", 'choice = "D"')
        for student, nb in submissions.items():
            folder = course / "submitted" / student / A
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{A}.ipynb")
        _shadow_package(course / "submitted" / "shadow" / A)

        # control grades first, alone, to compare with after the hostile run
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            for student in submissions:
                gb.update_or_create_student(student)
        # for this run only: each worker's kernels may write 300 MB in all, and the instructor's
        # settings (the gradebook URL, a secret) are in the grader's environment, never a kernel's
        os.environ.update(IMH_SCRATCH_MB="300", IMH_GRADEBOOK_URL=f"sqlite:///{course / 'gradebook.db'}",
                          IMH_SECRET_TOKEN="hunter2")
        try:
            outcomes = {o.student: o for o in grade.autograde(course, A, jobs=2, isolation="sandbox")}
        finally:
            for name in ("IMH_SCRATCH_MB", "IMH_GRADEBOOK_URL", "IMH_SECRET_TOKEN"):
                os.environ.pop(name, None)
        yield dict(course=course, outcomes=outcomes, accepted=accepted, submissions=submissions)
    finally:
        os.environ.pop("IMH_CELL_TIMEOUT", None)
        server.close()


def _output(course: Path, student: str, grade_id: str = "demo_choice") -> str:
    nb = nbformat.read(course / "autograded" / student / A / f"{A}.ipynb", as_version=4)
    cell = next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == grade_id)
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def _scores(course: Path, student: str) -> dict:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {item: gb.find_grade(item, A, A, student).auto_score for item in FULL}


def test_every_student_graded_and_controls_intact(isolated_class):
    course = isolated_class["course"]
    assert _scores(course, "control") == FULL
    assert _scores(course, "control_partial") == {"demo_choice_tests": 0.0, "demo_number_tests": 2.0,
                                                  "demo_function_tests": 0.0}
    for student in isolated_class["submissions"]:
        assert isolated_class["outcomes"][student].status == "graded", student


def test_kernel_runs_as_an_unprivileged_identity(isolated_class):
    out = _output(isolated_class["course"], "identity")
    uid = int(out.split("UID")[1].split()[0])
    assert uid not in (0, os.getuid()) and uid >= 200_000
    assert _scores(isolated_class["course"], "identity") == FULL


@pytest.mark.parametrize("student", ["read_solutions", "other_students", "home"])
def test_cannot_see_the_rest_of_the_course(isolated_class, student):
    out = _output(isolated_class["course"], student)
    assert "BLOCKED" in out and "READ" not in out and "SEEN" not in out, out
    if student == "read_solutions":
        assert "BLOCKED FileNotFoundError 0" in out  # no source notebook anywhere in its view
    if student == "home":
        assert "HOME ['.pyenv']" in out or "HOME []" in out  # at most the Python installation
    assert _scores(isolated_class["course"], student) == FULL


def test_cannot_touch_the_gradebook(isolated_class):
    course = isolated_class["course"]
    out = _output(course, "gradebook")
    assert "WIPED" not in out and "BLOCKED" in out and "[]" in out  # it cannot even find one
    assert (course / "gradebook.db").read_bytes()[:16] == b"SQLite format 3\x00"
    assert _scores(course, "gradebook") == FULL and _scores(course, "control") == FULL


def test_writes_only_in_its_own_scratch(isolated_class):
    course = isolated_class["course"]
    out = _output(course, "write_outside")
    assert "WROTE" not in out and "BLOCKED 4 SCRATCH /scratch" in out
    assert not (course / "evil.txt").exists()
    import widgets
    assert not (Path(widgets.__file__).parent / "evil.py").exists()
    assert not list((course / "autograded").rglob("scratch-ok.txt"))


def test_no_network(isolated_class):
    out = _output(isolated_class["course"], "network")
    assert "CONNECTED" not in out and "BLOCKED" in out
    assert isolated_class["accepted"] == []


def test_memory_and_process_limits_end_only_that_attempt(isolated_class):
    course = isolated_class["course"]
    assert "BLOCKED MemoryError" in _output(course, "memory")
    assert "BLOCKED after" in _output(course, "fork_loop")
    assert _scores(course, "memory") == FULL and _scores(course, "fork_loop") == FULL


def test_cell_timeout_still_applies(isolated_class):
    course = isolated_class["course"]
    assert _scores(course, "timeout") == dict(FULL, demo_function_tests=0.0)
    assert any("timed out" in flag for flag in isolated_class["outcomes"]["timeout"].flags)


def test_added_files_cannot_change_the_grading_code(isolated_class):
    course = isolated_class["course"]
    assert "fake check passed" not in _output(course, "shadow", "demo_choice_tests")
    assert _scores(course, "shadow") == dict(FULL, demo_choice_tests=0.0)


def test_grading_refuses_without_isolation_unless_accepted(tmp_path, monkeypatch):
    monkeypatch.setenv("IMH_BWRAP", str(tmp_path / "no-bwrap-here"))
    with pytest.raises(grade.IsolationUnavailable, match="accept-unisolated-grading"):
        grade.isolation_mode(allow_unisolated=False)
    assert grade.isolation_mode(allow_unisolated=True) == "none"


def test_unisolated_runs_are_recorded_in_the_report(tmp_path, monkeypatch):
    course = _one_submission_course(tmp_path)
    monkeypatch.setenv("IMH_BWRAP", str(tmp_path / "no-bwrap-here"))
    monkeypatch.chdir(course)
    refused = subprocess.run([sys.executable, "-m", "grading.grade", "autograde", A, "--jobs", "1"], cwd=course,
                             capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(Path(__file__).parent.parent)))
    assert refused.returncode != 0 and "Refusing to run student code without isolation" in refused.stderr
    assert not (course / "autograded").exists()
    accepted = subprocess.run([sys.executable, "-m", "grading.grade", "autograde", A, "--jobs", "1",
                               "--accept-unisolated-grading"], cwd=course, capture_output=True, text=True,
                              env=dict(os.environ, PYTHONPATH=str(Path(__file__).parent.parent)))
    assert accepted.returncode == 0, accepted.stderr[-2000:]
    rows = list(csv.DictReader(open(course / "reports" / A / "grading-report.csv")))
    assert rows[0]["student_id"] == "s1" and rows[0]["isolation"].startswith("NONE (accepted by instructor")
    assert float(rows[0]["score"]) == 6.0


def test_plain_nbgrader_autograde_runs_the_kernel_sandboxed_and_says_it_was_verified(tmp_path):
    """The Formgrader's button and plain `nbgrader autograde` use the course configuration: the
    kernel runs in the sandbox, and its own probe (run before any student code) proves it."""
    from grading.sandbox import unavailable_reason

    require("sandboxed grading", unavailable_reason(), SANDBOX_HOW)
    course = _one_submission_course(tmp_path)
    result = nbgrader("autograde", A, cwd=course)
    assert result.returncode == 0, result.stderr[-3000:]
    graded = nbformat.read(course / "autograded" / "s1" / A / f"{A}.ipynb", as_version=4)
    isolation = graded.metadata["imh_isolation"]
    assert isolation["mode"] == "sandbox" and isolation["verified"] is True, isolation
    assert isolation["probe"]["uid"] != os.getuid() and isolation["probe"]["sees_course"] is False
    assert isolation["probe"]["cwd"] == "/scratch"


def test_plain_nbgrader_autograde_refuses_without_a_sandbox_unless_accepted(tmp_path):
    course = _one_submission_course(tmp_path)
    no_sandbox = dict(os.environ, IMH_BWRAP=str(tmp_path / "no-bwrap-here"))
    no_sandbox.pop("IMH_ACCEPT_UNISOLATED_GRADING", None)
    run = lambda e: subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde", A], cwd=course,  # noqa: E731
                                   capture_output=True, text=True, env=e)
    refused = run(no_sandbox)
    assert "Refusing to run student code without isolation" in refused.stderr
    assert not (course / "autograded" / "s1" / A / f"{A}.ipynb").exists()
    accepted = run(dict(no_sandbox, IMH_ACCEPT_UNISOLATED_GRADING="1"))
    assert accepted.returncode == 0, accepted.stderr[-3000:]
    graded = nbformat.read(course / "autograded" / "s1" / A / f"{A}.ipynb", as_version=4)
    assert graded.metadata["imh_isolation"]["mode"] == "none" and graded.metadata["imh_isolation"]["verified"] is False


def test_no_user_namespaces_inside(isolated_class):
    assert "USERNS BLOCKED" in _output(isolated_class["course"], "user_namespace")
    assert _scores(isolated_class["course"], "user_namespace") == FULL


def test_a_runaway_write_is_capped(isolated_class):
    assert "BLOCKED File too large" in _output(isolated_class["course"], "big_file")
    assert _scores(isolated_class["course"], "big_file") == FULL


def test_only_a_minimal_etc_and_a_private_writable_tmp(isolated_class):
    out = _output(isolated_class["course"], "etc")
    listed = ast.literal_eval(out.split("ETC", 1)[1].strip().splitlines()[0])
    assert not {"passwd", "shadow", "hostname", "hosts", "group"} & set(listed), listed
    assert "TMP WRITABLE /tmp" in _output(isolated_class["course"], "private_tmp")


def test_a_kernel_cannot_fill_the_disk(isolated_class):
    out = _output(isolated_class["course"], "fill_disk")
    assert "DISK FILLED" not in out and "BLOCKED No space left on device after 200 MB" in out, out
    assert _scores(isolated_class["course"], "fill_disk") == FULL


def test_no_instructor_setting_reaches_the_kernel(isolated_class):
    out = _output(isolated_class["course"], "environment")
    assert "ENV []" in out, out
    assert "hunter2" not in (isolated_class["course"] / "autograded" / "environment" / A / f"{A}.ipynb").read_text()
