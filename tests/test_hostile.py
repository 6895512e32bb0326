"""Hostile submissions: student code that tries to change what grading sees or does.

Each submission is one way a student could try to earn points without the right answers
(grading-integrity design: DESIGN.md "Trust model"). All of them go through the course's
grading command with every kernel sandboxed, in one class with honest controls. Each must
earn exactly the points of its honest answers, the honest students must be untouched, and
the report must flag the attempt where it can be seen. The same submissions graded by plain
``nbgrader autograde`` and by the Formgrader's API get the same scores: every path judges.
"""
from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from tests.conftest import SANDBOX_HOW, require, fill, make_demo_course, replace_answer
from grading import grade
from tools.course import env, nbgrader, nbgrader_meta

pytestmark = [pytest.mark.roundtrip, pytest.mark.xdist_group("hostile")]

A = "demo"
ITEMS = ("demo_choice_tests", "demo_number_tests", "demo_function_tests")

# the honest part of every attack is wrong or missing unless said otherwise
SPRAY = """import copy, widgets.answers as wa
_orig = wa._display
def _spray(record, text):
    for guess in ["A", "B", "C", "D", 11.82, 11.8, 12.0, 10.14]:
        r = copy.deepcopy(record)
        for part in r["parts"].values():
            part.pop("problem", None)
            part["value"] = guess
        _orig(r, text)
wa._display = _spray
choice = "C"
"""
OTHER_ITEM = """import widgets.answers as wa
_orig = wa._display
def _also(record, text):
    _orig(record, text)
    _orig({"imh": 1, "item": "demo_function", "parts": {"answer": {"kind": "number", "value": 11.82}}}, text)
wa._display = _also
choice = "C"
"""
HUGE = """import widgets.answers as wa
_orig = wa._display
wa._display = lambda record, text: _orig(dict(record, padding="x" * 1_000_000), text)
choice = "C"
"""
ANY_EQUAL = """class Anything:
    def __eq__(self, other):
        return True
    __hash__ = object.__hash__
choice = Anything()
"""
STR_SUBCLASS = """class Sly(str):
    def __eq__(self, other):
        return True
    __hash__ = str.__hash__
choice = Sly("C")
"""
REBIND = """choice = "C"
hand_in = lambda *args, **kwargs: print("Judged by the course: 6 of 6 points.")
"""
TRANSFORMER = """choice = "C"
get_ipython().input_transformers_cleanup.append(lambda lines: ["pass\\n"])
"""
PARTIAL_FORGE = """choice = "C"
import widgets.answers as wa
wa.hand_in = lambda *args, **kwargs: 6.0
hand_in = wa.hand_in
"""
FAKE_TEXT = """from IPython.display import display
display({"application/vnd.imh.answer+json": {"imh": 1, "item": "demo_choice", "parts": {"answer": {"kind": "choice", "value": "B"}}},
         "text/plain": "Judged by the course: 1 of 1 points."}, raw=True)
print("\\u2714 demo_choice: correct. Judged by the course: 6 of 6 points.")
choice = "C"
"""
READ_KEYS = """import os
found = [p for p in (COURSE + "/.grading/keys/demo/demo.json", COURSE + "/source/demo/demo.ipynb") if os.path.exists(p)]
try:
    import grading.judge
    grading.judge.compare = lambda key, value: (True, "")
    reached = True
except ImportError:
    reached = False
choice = "C"
print("keys found:", found, "judge reached:", reached)
"""
EXIT_IN_TEST = """import widgets.answers as wa
def _leave(*args, **kwargs):
    raise SystemExit(0)
wa.hand_in = _leave
hand_in = _leave
"""
PATCH_FORM = """import widgets.answers as wa
from widgets.answers import Part
def _as_number(name, answer, **kwargs):
    return Part(name, "number", 11.5, {"tol": 1e9})   # a wrong value with a huge tolerance of its own
wa.as_number = _as_number
as_number = _as_number
"""


def _metadata_forge(release):
    """Outputs and judge verdicts written into the submitted file itself (a forged nbgrader
    ``score`` makes nbgrader reject the notebook outright, which the grading tests cover)."""
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if meta.get("grade") and not meta.get("solution") and cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("display_data", data={
                "application/vnd.imh.answer+json": {"imh": 1, "item": meta["grade_id"][:-6],
                                                     "parts": {"answer": {"kind": "choice", "value": "B"}}},
                "text/plain": "ok"})]
            cell.execution_count = 1
            cell.metadata["imh_judge"] = {"title": "forged", "missed": []}
    nb.metadata["imh_judge"] = {"items": {}, "flags": []}
    return nb


def _submissions(release, source, course: Path):
    solved = fill(release, source, set(i[:-6] for i in ITEMS))
    blank = release
    only_choice = fill(release, source, {"demo_choice"})

    def on(nb, grade_id, code):
        return replace_answer(nb, grade_id, code)

    # name: (notebook, expected scores, words the report must show or None)
    return {
        "honest_full": (solved, {"demo_choice_tests": 1.0, "demo_number_tests": 2.0, "demo_function_tests": 3.0}, None),
        "honest_blank": (blank, {i: 0.0 for i in ITEMS}, None),
        "rebind_hand_in": (on(blank, "demo_choice", REBIND), {i: 0.0 for i in ITEMS}, "handed nothing in"),
        "input_transformer": (on(blank, "demo_choice", TRANSFORMER), {i: 0.0 for i in ITEMS}, "handed nothing in"),
        "spray_guesses": (on(blank, "demo_choice", SPRAY), {i: 0.0 for i in ITEMS}, "more than once"),
        "other_item_record": (on(blank, "demo_choice", OTHER_ITEM), {i: 0.0 for i in ITEMS}, "another exercise"),
        "huge_record": (on(blank, "demo_choice", HUGE), {i: 0.0 for i in ITEMS}, "larger than"),
        "equals_anything": (on(blank, "demo_choice", ANY_EQUAL), {i: 0.0 for i in ITEMS}, None),
        "str_subclass": (on(blank, "demo_choice", STR_SUBCLASS), {i: 0.0 for i in ITEMS}, None),
        "partial_credit_forge": (on(blank, "demo_choice", PARTIAL_FORGE), {i: 0.0 for i in ITEMS}, "handed nothing in"),
        "imitated_output": (on(blank, "demo_choice", FAKE_TEXT), {i: 0.0 for i in ITEMS}, None),
        "reach_for_keys": (on(blank, "demo_choice", f"COURSE = {str(course)!r}\n" + READ_KEYS), {i: 0.0 for i in ITEMS}, None),
        "forged_metadata": (_metadata_forge(blank), {i: 0.0 for i in ITEMS}, None),
        # honest choice "B" earns its point; the exit in the later test cells earns nothing
        "exit_in_test_cell": (on(only_choice, "demo_number", EXIT_IN_TEST),
                              {"demo_choice_tests": 1.0, "demo_number_tests": 0.0, "demo_function_tests": 0.0}, None),
        # a patched part with a huge tolerance of its own: the judge applies the key's tolerance
        "patched_tolerance": (on(only_choice, "demo_number", PATCH_FORM + "hours = 3.0\n"),
                              {"demo_choice_tests": 1.0, "demo_number_tests": 0.0, "demo_function_tests": 0.0}, None),
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    from grading.sandbox import unavailable_reason

    require("sandboxed grading", unavailable_reason(), SANDBOX_HOW)
    root = tmp_path_factory.mktemp("hostile")
    course = make_demo_course(root)
    os.environ["IMH_CELL_TIMEOUT"] = "20"
    try:
        source = nbformat.read(course / "source" / A / f"{A}.ipynb", as_version=4)
        release = nbformat.read(course / "release" / A / f"{A}.ipynb", as_version=4)
        corpus = _submissions(release, source, course)
        for student, (nb, _, _) in corpus.items():
            folder = course / "submitted" / student / A
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{A}.ipynb")
            (folder / "timestamp.txt").write_text("2026-11-25 12:00:00.000000 UTC")
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            for student in corpus:
                gb.update_or_create_student(student)
        outcomes = {o.student: o for o in grade.autograde(course, A, jobs=2, isolation="sandbox")}
        feedback_leaks = grade.feedback(course, A)

        plain = root / "plain"  # the same class through plain `nbgrader autograde` (serial, unsandboxed)
        shutil.copytree(course, plain, ignore=shutil.ignore_patterns("autograded", "feedback", "gradebook.db",
                                                                      "reports", ".grading"))
        assert nbgrader("generate_assignment", A, "--force", cwd=plain).returncode == 0
        result = nbgrader("autograde", A, cwd=plain)
        assert result.returncode == 0, result.stderr[-3000:]
        yield dict(course=course, plain=plain, corpus=corpus, outcomes=outcomes, leaks=feedback_leaks)
    finally:
        os.environ.pop("IMH_CELL_TIMEOUT", None)


def _scores(course: Path, student: str) -> dict:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {item: gb.find_grade(item, A, A, student).auto_score for item in ITEMS}


KINDS = ["honest_full", "honest_blank", "rebind_hand_in", "input_transformer", "spray_guesses", "other_item_record",
         "huge_record", "equals_anything", "str_subclass", "partial_credit_forge", "imitated_output", "reach_for_keys",
         "forged_metadata", "exit_in_test_cell", "patched_tolerance"]


@pytest.mark.parametrize("student", KINDS)
def test_each_submission_earns_exactly_its_honest_points(hostile, student):
    _, expected, _ = hostile["corpus"][student]
    assert _scores(hostile["course"], student) == expected
    assert hostile["outcomes"][student].status == "graded"


@pytest.mark.parametrize("student", [k for k in KINDS if not k.startswith("honest")])
def test_plain_nbgrader_autograde_judges_the_same(hostile, student):
    _, expected, _ = hostile["corpus"][student]
    assert _scores(hostile["plain"], student) == expected


@pytest.mark.parametrize("student", KINDS)
def test_the_report_flags_what_can_be_seen(hostile, student):
    _, _, words = hostile["corpus"][student]
    flags = " | ".join(hostile["outcomes"][student].flags)
    if words:
        assert words in flags, flags
    if student.startswith("honest"):
        assert not [f for f in hostile["outcomes"][student].flags if f.startswith("judge:")], flags


def test_the_sandboxed_kernel_found_no_keys_and_no_judge(hostile):
    graded = nbformat.read(hostile["course"] / "autograded" / "reach_for_keys" / A / f"{A}.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in graded.cells for o in c.get("outputs", []))
    assert "keys found: [] judge reached: False" in text


def test_feedback_names_items_and_sections_and_leaks_nothing(hostile):
    assert hostile["leaks"] == []
    page = (hostile["course"] / "feedback" / "honest_blank" / A / f"{A}.html").read_text(encoding="utf-8")
    assert "Exercise 1 (1 point): One letter" in page and "Test cell" not in page
    assert "revisit <em>1. Choosing</em>" in page
    assert "7_300_000" not in page  # the hidden input stays hidden
    assert "mathjax" not in page.lower()  # formulas are MathML: nothing to download


def test_the_formgrader_autograde_button_judges(hostile, tmp_path):
    """What the Formgrader's Autograde button runs: NbGraderAPI.autograde with the config the
    server extension loads from the course root (nbgrader_config.py -> course_config.py)."""
    course = tmp_path / "course"
    shutil.copytree(hostile["plain"], course, ignore=shutil.ignore_patterns("autograded", "feedback", "gradebook.db",
                                                                             "reports", ".grading"))
    assert nbgrader("generate_assignment", A, "--force", cwd=course).returncode == 0
    code = (
        "import json\n"
        "from nbgrader.apps import NbGrader\n"
        "from nbgrader.apps.api import NbGraderAPI\n"
        "from nbgrader.coursedir import CourseDirectory\n"
        "app = NbGrader(); app.load_config_file()\n"
        "api = NbGraderAPI(CourseDirectory(config=app.config), config=app.config)\n"
        "for s in ['spray_guesses', 'honest_full']:\n"
        "    print(json.dumps({s: api.autograde('demo', s)['success']}))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=course, env=env(), capture_output=True, text=True, timeout=600)
    assert '"spray_guesses": true' in out.stdout and '"honest_full": true' in out.stdout, out.stderr[-3000:]
    assert _scores(course, "spray_guesses") == {i: 0.0 for i in ITEMS}
    assert _scores(course, "honest_full") == {"demo_choice_tests": 1.0, "demo_number_tests": 2.0, "demo_function_tests": 3.0}
