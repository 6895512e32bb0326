"""The course's assessment standard (curriculum/ASSESSMENT.md), checked on every notebook.

- each notebook's autograded points: at least 60% application, at most 25% computation;
- choice items across the course: the keyed option the longest in at most 40%, no letter keyed
  in more than 40%;
- no key readable in what a student sees (release prose and code, outputs of running the
  notebook) or in the package (widgets/);
- reflections show their criteria; no reference placeholders; every notebook states its
  prerequisites; no exercise title twice; one person per name (curriculum/cast.csv).
Each check is also run on made-up cases that must fail, so none of them can pass vacuously.
"""
from __future__ import annotations

import ast
import re

import nbformat
import pytest

from grading.keys import execute
from tests.conftest import ASSIGNMENTS, read_source, replace_answer
from tools import assessment as A
from tools.course import ROOT, is_answer, is_autograded_test, nbgrader_meta, release_notebook, source_notebook

pytestmark = pytest.mark.xdist_group("assessment")
CAST = ROOT / "curriculum" / "cast.csv"
# The notebooks held to the standard so far (curriculum/ASSESSMENT.md, "Where the course stands"): a
# ratchet. A notebook joins when its items are rebuilt; none ever leaves. The checks of the course
# as a whole (choice cues, exercises asked twice, the cast) run over these notebooks.
HELD = [a for a in ASSIGNMENTS if a[:2] in
        {line.split()[0] for line in (ROOT / "curriculum" / "assessed.txt").read_text().splitlines()
         if line.strip() and not line.startswith("#")}]


@pytest.fixture(scope="module")
def executed(source_runs):
    """Each source notebook run once (instructor side), with the keys it makes."""
    return source_runs


def test_every_new_notebook_is_held_to_the_standard():
    """Notebooks written after the standard (00, 13, 14, ...) are held to it from the start."""
    assert set(HELD) >= {a for a in ASSIGNMENTS if a[:2] in {"00", "13", "14"}}, HELD


@pytest.mark.parametrize("assignment", HELD)
def test_points_go_to_applying_ideas_not_arithmetic(assignment):
    totals = A.points_by_kind(read_source(assignment))
    if assignment.startswith("00_"):  # the Python primer: every item practises Python, on the course's material
        assert set(totals) == {"computation"}, totals
        return
    assert A.share_problems(totals) == [], totals


def test_choice_items_carry_no_cue_across_the_course(executed):
    items = []
    for assignment in HELD:
        items += A.choice_items(assignment, read_source(assignment), executed(assignment)[1])
    assert A.choice_problems(items) == []


@pytest.mark.parametrize("assignment", HELD)
def test_no_key_is_readable_by_students(assignment, executed):
    nb, keys = executed(assignment)
    release = nbformat.read(release_notebook(assignment), as_version=4)
    assert A.key_leaks(keys, A.visible_text(release, nb)) == [], "keys readable in the student notebook"
    assert A.key_leaks(keys, A.package_text(ROOT / "widgets")) == [], "keys readable in widgets/"


@pytest.mark.parametrize("assignment", HELD)
def test_reflections_show_criteria_and_references_are_complete(assignment):
    nb = read_source(assignment)
    assert A.reflection_problems(nb) == []
    assert A.placeholder_lines(nb) == []
    assert re.search(r"^\**Prerequisites:?\**:?", A.prose(nb), re.M | re.I), "no 'Prerequisites:' line"


def test_no_exercise_is_asked_twice():
    seen = {}
    for assignment in HELD:
        for title in A.exercise_titles(read_source(assignment)):
            assert title not in seen, f"{title!r} in {assignment} and {seen[title]}"
            seen[title] = assignment


def test_one_person_per_name_through_the_course():
    cast = A.read_cast(CAST)
    assert len(cast) >= 20
    prose = {a: A.prose(read_source(a)) for a in HELD}
    assert A.cast_problems(cast, prose) == []
    for row in cast:  # everyone in the cast is met where the cast says
        for notebook in row["notebooks"].split(";"):
            match = [a for a in HELD if a.startswith(notebook.strip())]
            if match:
                assert row["name"].split()[0] in prose[match[0]], f"{row['name']} not in {match[0]}"


def _wrong_type_answers(source_nb) -> dict[str, str]:
    """For each answer cell: code that sets every name its solution defines to a string,
    as a learner who typed words where a number, a letter list or a function belongs."""
    wrong = {}
    for cell in source_nb.cells:
        if not is_answer(cell):
            continue
        names = set()
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.FunctionDef):
                names.add(node.name)
            elif isinstance(node, ast.Assign):
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        wrong[nbgrader_meta(cell)["grade_id"]] = "\n".join(f"{n} = 'eight'" for n in sorted(names)) or "pass"
    return wrong


@pytest.mark.parametrize("assignment", HELD)
def test_a_wrong_type_gets_one_line_in_every_item(assignment):
    """Text where a number, letters or a function belong: every check says so in one line
    (an AnswerError), never a Python traceback from inside the test cell."""
    selfpaced = ROOT / "selfpaced" / assignment / f"{assignment}.ipynb"
    nb = nbformat.read(selfpaced, as_version=4)
    for grade_id, code in _wrong_type_answers(read_source(assignment)).items():
        nb = replace_answer(nb, grade_id, code)
    execute(nb, selfpaced.parent, timeout=120)
    tracebacks = {nbgrader_meta(cell)["grade_id"]: [f"{o.ename}: {o.evalue}"[:200] for o in cell.outputs
                                                    if o.output_type == "error" and o.ename != "AnswerError"]
                  for cell in nb.cells if is_autograded_test(cell)}
    assert {k: v for k, v in tracebacks.items() if v} == {}
    assert all(any(o.output_type == "error" for o in cell.outputs) for cell in nb.cells if is_autograded_test(cell))


# --- the checks can fail ------------------------------------------------------------------------

def test_the_share_check_fails_arithmetic_heavy_notebooks():
    assert A.share_problems({"application": 5, "computation": 5}) != []
    assert A.share_problems({"application": 6, "recall": 2, "computation": 2}) == []
    assert A.share_problems({"application": 8, None: 1}) != []


def test_the_cue_check_fails_longest_and_one_letter():
    long_b = [A.ChoiceItem("x", f"i{k}", {"A": "short", "B": "a much longer keyed option", "C": "short too"}, "B")
              for k in range(5)]
    problems = A.choice_problems(long_b)
    assert any("longest" in p for p in problems) and any("'B' is keyed" in p for p in problems)
    equal = [A.ChoiceItem("x", f"i{k}", {"A": "one option", "B": "two option", "C": "six option"}, "ABC"[k % 3])
             for k in range(6)]
    assert A.choice_problems(equal) == []  # options of equal length give nothing away
    mixed = [A.ChoiceItem("x", f"i{k}", {"A": "option one!", "B": "option 2", "C": "option three"}, "ABC"[k % 3])
             for k in range(6)]
    assert A.choice_problems(mixed) == []


def test_the_options_are_read_from_the_prompt():
    text = "Which?\n\n- **A.** first\n- **B.** second, which\n  runs on\n- **C.** third\n\nStore one letter."
    assert A.options_in(text) == {"A": "first", "B": "second, which runs on", "C": "third"}


def test_the_leak_checks_find_keys_in_text():
    assert A.number_leaks(11.82, 0.01, "that is 11.82 hours a day") == ["11.82"]
    assert A.number_leaks(11.82, 0.01, "111.82 or 11.825") == []
    assert A.number_leaks(3.0, 0.1, "3 things") == []                      # small whole numbers are everywhere
    assert A.mapping_leaks({"a": "IFS", "b": "IMHM"}, '{"a": "IFS", "b": "IMHM"}') == ["a: IFS", "b: IMHM"]
    assert A.selection_leaks(["A", "C", "D"], "ABCDEF", "B, E and F are common misreadings") == ["B, E, F"]
    assert A.selection_leaks(["A", "C"], "ABCD", "Options A and B") == []
    keys = {"items": {"x": {"parts": {"n": {"kind": "number", "value": 0.81, "tol": 0.005}}}}}
    assert A.key_leaks(keys, "the answer is 0.81") == ["x/n: 0.81"]


def test_the_cast_check_finds_a_name_used_for_two_people():
    cast = [{"name": "Rosa Diaz", "notebooks": "01"}, {"name": "Rosa Lee", "notebooks": "12"}]
    assert any("both" in p for p in A.cast_problems(cast, {}))
    cast = [{"name": "Maya Torres", "notebooks": "03"}]
    assert A.cast_problems(cast, {"08_x": "> Maya, a toddler, ...\n## References\nMaya, A. (2001)"}) != []
    assert A.cast_problems(cast, {"08_x": "## References\nMaya, A. (2001)"}) == []


def test_the_placeholder_check_finds_unfinished_references():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "## References\n- Narayan, A. (2019). (Full title, volume and pages to be added.)")])
    assert A.placeholder_lines(nb) != []
