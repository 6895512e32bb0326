"""Course variants (issue 18): a course secret makes a course's own variant of every notebook,
whose keys come from running its solutions, so the public answers are worth little there."""
from __future__ import annotations

import copy
import fcntl
import json
import re
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbgrader.api import Gradebook

from conftest import ASSIGNMENTS, fill, items, read_source
from grading import grade
from grading.judge import compare, judge_item
from grading.keys import build_keys_batch, load_keys
from grading.variants import (CourseSecret, Declared, VariantError, course_secret, declarations, draw,
                              make_variant, student_copy, variant_of)
from tools.course import make_course, nbgrader_meta, public_variant, release_notebook, source_notebook
from tools.release import release_variant

SECRETS = [f"test-course-secret-{k:02d}-of-twenty" for k in range(20)]


def _nb(*cells):
    nb = nbformat.v4.new_notebook()
    for kind, source, meta in cells:
        cell = nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
        cell.metadata.update(meta)
        nb.cells.append(cell)
    return nb


ANSWER = {"nbgrader": {"grade": False, "solution": True, "locked": False, "grade_id": "q"}}
TEST = {"nbgrader": {"grade": True, "solution": False, "locked": True, "points": 1, "grade_id": "q_tests"}}
OPTIONS = "Which is right?\n\n- **A.** first option\n- **B.** second option,\n  over two lines\n- **C.** third option\n- **D.** fourth option\n\nStore one letter."


# --- declarations, draws, templates -------------------------------------------------------------

def test_declared_values_are_drawn_within_their_ranges_and_depend_on_the_secret():
    specs = {"int 28..35": range(28, 36), "int 30..60 step 5": range(30, 61, 5), "seed": None,
             "float 1.5..4.0 step 0.5": [1.5, 2.0, 2.5, 3.0, 3.5, 4.0], 'one of ["a", "b", "c"]': ["a", "b", "c"]}
    for spec, allowed in specs.items():
        seen = set()
        for secret in SECRETS:
            value = draw(Declared("x", 0, spec, 0, False), variant_of(secret, "07").rng("value|x", True))
            assert allowed is None or value in allowed, (spec, value)
            seen.add(value)
        assert len(seen) >= min(3, len(allowed or range(3))), spec  # different secrets, different values
    listed = draw(Declared("xs", [1, 2, 3], "list of 3 int 25..90", 0, False), np.random.default_rng(1))
    assert len(listed) == 3 and all(25 <= v <= 90 for v in listed)
    same = [draw(Declared("x", 0, "int 0..1000", 0, False), variant_of(SECRETS[0], "07").rng("value|x", True))
            for _ in range(2)]
    assert same[0] == same[1]


@pytest.mark.parametrize("line, says", [
    ("x = 3  # vary: int 5..2", "not a range"),
    ("x = 3  # vary: float 0.1..0.9", "needs a step"),
    ("x = 3  # vary: between 1 and 9", "unknown spec"),
    ("x = y + 1  # vary: int 1..9", "must be a literal"),
    ("print(3)  # vary: int 1..9", "must end a line"),
    ("x = 3  # vary: one of [1]", "at least two"),
    ("x = [1, 2]  # vary: list of 3 int 1..9", "default list of 3"),
])
def test_a_bad_declaration_says_what_is_wrong(line, says):
    with pytest.raises(VariantError, match=says):
        declarations(_nb(("code", line, {})))
    with pytest.raises(VariantError, match="twice"):
        declarations(_nb(("code", "x = 1  # vary: int 1..9", {}), ("code", "x = 2  # vary: int 1..9", {})))


def test_templates_show_the_variants_values_and_a_bad_template_names_its_cell():
    nb = _nb(("md", "Born at {{born}} weeks, {{40 - born}} weeks early.", {}),
             ("code", "born = 32  # vary: int 24..36", {}))
    public = make_variant(nb, variant_of(None, "x")).notebook
    assert public.cells[0].source == "Born at 32 weeks, 8 weeks early." and public.cells[1].source == "born = 32"
    for secret in SECRETS[:5]:
        made = make_variant(nb, variant_of(secret, "x"))
        born = made.values["born"]
        assert made.notebook.cells[0].source == f"Born at {born} weeks, {40 - born} weeks early."
        assert made.notebook.cells[1].source == f"born = {born}"
    with pytest.raises(VariantError, match="markdown cell 0.*nothing"):
        make_variant(_nb(("md", "{{nothing}}", {})), variant_of(None, "x"))


def test_options_are_shuffled_and_the_solution_relabelled_to_match():
    nb = _nb(("md", OPTIONS, {}), ("code", "# answer = ...\n### BEGIN SOLUTION\nanswer = \"B\"\n### END SOLUTION", ANSWER),
             ("code", "hand_in('q', as_choice('answer', answer, options='ABCD'))", TEST))
    moved = set()
    for secret in SECRETS:
        made = make_variant(nb, variant_of(secret, "x"))
        letter = re.search(r'answer = "([A-D])"', made.notebook.cells[1].source).group(1)
        keyed = re.search(rf"- \*\*{letter}\.\*\* (.*)", made.notebook.cells[0].source).group(1)
        assert keyed == "second option,"  # the same option is keyed, under its new letter
        assert "  over two lines" in made.notebook.cells[0].source
        assert letter != "B"  # never at its public letter: the public answer is wrong here
        assert made.notebook.cells[2].source == nb.cells[2].source  # test cells untouched
        moved.add(letter)
    assert moved == {"A", "C", "D"}
    naming = copy.deepcopy(nb)
    naming.cells[0].source = OPTIONS.replace("fourth option", "both A and C")
    assert make_variant(naming, variant_of(SECRETS[0], "x")).relabelled == {}
    naming.cells[0].source += "\n<!-- imh-shuffle -->"
    assert make_variant(naming, variant_of(SECRETS[0], "x")).relabelled
    nb.cells[0].source += "\n<!-- imh-fixed-order -->"
    assert make_variant(nb, variant_of(SECRETS[0], "x")).relabelled == {}


def test_course_values_stay_the_same_for_every_student_and_free_values_differ():
    nb = read_source("00_working_in_notebooks")
    per_student = CourseSecret(SECRETS[0], per_student=True)
    made = {s: make_variant(nb, variant_of(per_student, "00_working_in_notebooks", s)) for s in ("ana", "ben", "chi")}
    hidden = {m.values["hidden_count"] for m in made.values()}  # declared in a test cell nbgrader restores
    assert len(hidden) == 1
    assert len({m.values["born_at_weeks"] * 1000 + m.values["cutoff_months"] for m in made.values()}) == 3
    course = make_variant(nb, variant_of(SECRETS[0], "00_working_in_notebooks"))
    assert course.values["hidden_count"] == hidden.pop()


def test_the_secret_comes_from_the_environment_or_a_file(tmp_path, monkeypatch):
    monkeypatch.delenv("IMH_COURSE_SECRET", raising=False)
    monkeypatch.delenv("IMH_PER_STUDENT_VARIANTS", raising=False)
    assert course_secret(tmp_path) is None
    (tmp_path / ".course-secret").write_text("# our course\n" + SECRETS[3] + "\nper_student = yes\n")
    secret = course_secret(tmp_path)
    assert secret.secret == SECRETS[3] and secret.per_student and SECRETS[3] not in repr(secret)
    monkeypatch.setenv("IMH_COURSE_SECRET", "short")
    with pytest.raises(VariantError, match="at least 16"):
        course_secret(tmp_path)
    assert ".course-secret" in (Path(__file__).parent.parent / ".gitignore").read_text().split()


def test_the_public_variant_of_every_notebook_is_its_source_with_defaults():
    for assignment in ASSIGNMENTS:
        source = read_source(assignment)
        public = public_variant(source)
        assert len(public.cells) == len(source.cells)
        for before, after in zip(source.cells, public.cells):
            assert "{{" not in after.source and "# vary:" not in after.source, assignment
            if "{{" not in before.source and "# vary:" not in before.source:
                assert after.source == before.source
        again = make_variant(source, variant_of(SECRETS[0], assignment)).notebook
        assert nbformat.writes(again) == nbformat.writes(make_variant(source, variant_of(SECRETS[0], assignment)).notebook)


# --- twenty secrets, every notebook: keys from running the variants ------------------------------

@pytest.fixture(scope="session")
def variant_runs(tmp_path_factory, request):
    """``get(secret or None) -> {assignment: keys}`` from running every notebook's variant in one
    kernel (grading.keys.build_keys_batch), once per test run, shared by every xdist worker."""
    under_xdist = hasattr(request.config, "workerinput")
    shared = tmp_path_factory.getbasetemp().parent if under_xdist else tmp_path_factory.getbasetemp()
    folder = shared / "variant-runs"
    folder.mkdir(exist_ok=True)

    def get(secret):
        name = "public" if secret is None else secret
        path = folder / f"{name}.json"
        with open(folder / f"{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not path.is_file():
                jobs = [(source_notebook(a), variant_of(secret, a)) for a in ASSIGNMENTS]
                path.write_text(json.dumps(dict(zip(ASSIGNMENTS, build_keys_batch(jobs)))))
        return json.loads(path.read_text())
    return get


def _judge_values(submitted_keys: dict, keys: dict) -> tuple[float, float]:
    """(points earned, points possible) when the key values of ``submitted_keys`` are handed in
    as answers to the exercises of ``keys``."""
    earned = possible = 0.0
    for item, info in keys["items"].items():
        given = submitted_keys["items"].get(item, {}).get("parts", {})
        record = {"item": item, "parts": {name: {"value": part["value"]} for name, part in given.items()}}
        result = judge_item(item, info["parts"], [record], info["points"])
        earned, possible = earned + result.score, possible + result.points
    return earned, possible


def test_one_kernel_for_many_notebooks_gives_the_keys_of_separate_runs(variant_runs, source_runs):
    batch = variant_runs(None)
    for assignment in ASSIGNMENTS:
        assert batch[assignment]["items"] == source_runs(assignment)[1]["items"], assignment


@pytest.mark.parametrize("secret", SECRETS)
def test_every_variant_has_keys_the_solution_earns_and_the_blank_does_not(secret, variant_runs):
    keys = variant_runs(secret)  # building raises (naming the item) when a solution cannot make its key
    for assignment in ASSIGNMENTS:
        info = keys[assignment]
        assert info["variant"] == variant_of(secret, assignment).id
        earned, possible = _judge_values(info, info)
        assert earned == possible > 0, assignment
        blank = sum(judge_item(item, k["parts"], [], k["points"]).score for item, k in info["items"].items())
        assert blank == 0
        for item in info["items"].values():
            for part in item["parts"].values():
                assert compare(part, json.loads(json.dumps(part["value"])))[0]  # survives the trip as JSON


def test_computational_items_change_and_public_answers_earn_little(variant_runs):
    public = variant_runs(None)
    runs = [variant_runs(secret) for secret in SECRETS]
    computation = [(a, gid[:-len("_tests")]) for a in ASSIGNMENTS for c in read_source(a).cells
                   if c.metadata.get("imh", {}).get("assesses") == "computation"
                   for gid in [nbgrader_meta(c)["grade_id"]]]
    changed = {}
    for assignment, item in computation:
        before = public[assignment]["items"][item]["parts"]
        changed[(assignment, item)] = sum(
            any(run[assignment]["items"][item]["parts"][p]["value"] != before[p]["value"] for p in before)
            for run in runs)
    often = [k for k, n in changed.items() if n >= 19]
    print("computational items changed in at least 19 of 20 variants:", len(often), "of", len(changed))
    print("not often enough:", {f"{a}/{i}": n for (a, i), n in changed.items() if n < 19})
    assert len(often) >= 0.8 * len(changed)
    shares = []
    for run in runs:
        earned = possible = 0.0
        for assignment in ASSIGNMENTS:
            e, p = _judge_values(public[assignment], run[assignment])
            earned, possible = earned + e, possible + p
        shares.append(earned / possible)
    print("share of autograded points the public answers earn on each secret variant:",
          ", ".join(f"{s:.1%}" for s in shares))
    assert max(shares) <= 0.20


# --- the real path: release, keys, nbgrader, the sandbox ------------------------------------------

def _submit(course: Path, assignment: str, student: str, nb) -> None:
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{assignment}.ipynb")
    (folder / "timestamp.txt").write_text("2026-12-01 12:00:00.000000 UTC")


def _scores(course: Path, assignment: str) -> dict[str, float]:
    with Gradebook(grade.db_url(course)) as gb:
        return {s.student.id: s.score for s in gb.assignment_submissions(assignment)}


@pytest.mark.roundtrip
def test_a_course_variant_is_released_graded_and_the_public_answers_fail(tmp_path, monkeypatch, source_runs):
    assignment = "07_rupture_repair"
    monkeypatch.delenv("IMH_COURSE_SECRET", raising=False)
    course = make_course(tmp_path / "course", [assignment])
    shutil.copytree(source_notebook(assignment).parent, course / "source" / assignment, dirs_exist_ok=True)
    (course / ".course-secret").write_text(SECRETS[7] + "\n")
    secret = course_secret(course)
    release_variant(course, [assignment], secret)
    released = course / "variant-release" / assignment / f"{assignment}.ipynb"
    first = released.read_bytes()
    release_variant(course, [assignment], secret)  # the same secret, the same release
    assert released.read_bytes() == first
    variant_source = make_variant(read_source(assignment), variant_of(secret, assignment)).notebook
    public_source = read_source(assignment)
    release = nbformat.read(released, as_version=4)
    graded = items(public_source)
    total = sum(p for _, _, p in graded)
    ids = {a for a, _, _ in graded}
    public_release = nbformat.read(release_notebook(assignment), as_version=4)
    # "copied": the public notebook solved with the public solutions (what is on the internet), handed
    # in as is: its case values and letters are the public ones
    submissions = {"honest": fill(release, variant_source, ids), "blank": release,
                   "copied": fill(public_release, public_source, ids)}
    with Gradebook(grade.db_url(course)) as gb:
        for student in submissions:
            gb.update_or_create_student(student)
    for student, nb in submissions.items():
        _submit(course, assignment, student, nb)
    outcomes = {o.student: o for o in grade.autograde(course, assignment, jobs=2)}
    assert {o.status for o in outcomes.values()} == {"graded"}, outcomes
    scores = _scores(course, assignment)
    assert scores["honest"] == pytest.approx(total)
    assert scores["blank"] == 0
    variant_keys = load_keys(course, assignment, assignment)
    predicted, _ = _judge_values(source_runs(assignment)[1], variant_keys)  # what public answers earn, by the judge
    assert scores["copied"] == pytest.approx(predicted), scores  # the real pipeline agrees exactly
    assert scores["copied"] <= 0.5 * total, scores
    folder = course / ".grading" / "keys" / f"variant-{secret.fingerprint}"
    assert (folder / assignment / f"{assignment}.json").is_file()
    assert (folder.stat().st_mode & 0o777) == 0o700  # only the instructor reads keys
    text = released.read_text()
    assert "# vary:" not in text and "{{" not in text and "BEGIN SOLUTION" not in text


@pytest.mark.roundtrip
def test_three_students_three_variants_graded_in_one_run(tmp_path, monkeypatch):
    assignment = "00_working_in_notebooks"
    monkeypatch.delenv("IMH_COURSE_SECRET", raising=False)
    course = make_course(tmp_path / "course", [assignment])
    shutil.copytree(source_notebook(assignment).parent, course / "source" / assignment, dirs_exist_ok=True)
    (course / ".course-secret").write_text(SECRETS[11] + "\nper_student = yes\n")
    secret = course_secret(course)
    students = ["ana", "ben", "chi"]
    students_all = students + ["dan"]
    release_variant(course, [assignment], secret, students_all)
    source = read_source(assignment)
    graded = items(source)
    total = sum(p for _, _, p in graded)
    ids = {a for a, _, _ in graded}
    copies, own_sources = {}, {}
    for student in students_all:
        copies[student] = nbformat.read(course / "variant-release" / "students" / student / assignment
                                        / f"{assignment}.ipynb", as_version=4)
        own_sources[student] = make_variant(source, variant_of(secret, assignment, student)).notebook
    shown = {s: re.search(r"born at (\d+) weeks", "".join(c.source for c in copies[s].cells)).group(1)
             for s in students_all}
    assert len(set(shown.values())) >= 3, shown  # each student reads their own case
    submissions = {s: fill(copies[s], own_sources[s], ids) for s in students}
    submissions["dan"] = copy.deepcopy(submissions["ana"])  # dan hands in ana's notebook as his own
    with Gradebook(grade.db_url(course)) as gb:
        for student in students_all:
            gb.update_or_create_student(student)
    for student, nb in submissions.items():
        _submit(course, assignment, student, nb)
    outcomes = {o.student: o for o in grade.autograde(course, assignment, jobs=2)}
    assert {o.status for o in outcomes.values()} == {"graded"}, outcomes
    scores = _scores(course, assignment)
    for student in students:
        assert scores[student] == pytest.approx(total), (student, scores)
    assert scores["dan"] < total, scores
    if shown["dan"] != shown["ana"]:  # ana's case is not dan's: her answer to it earns dan nothing
        with Gradebook(grade.db_url(course)) as gb:
            assert gb.find_grade("primer_weeks_early_tests", assignment, assignment, "dan").auto_score == 0
    for student in students_all:  # each judged against their own keys
        keys = load_keys(course, assignment, assignment, student=student)
        assert keys["variant"] == variant_of(secret, assignment, student).id
    monkeypatch.setenv("IMH_COURSE_SECRET", SECRETS[12])  # a different secret: the keys no longer fit
    assert load_keys(course, assignment, assignment, student="ana")["variant"] != keys["variant"]
