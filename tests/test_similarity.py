"""Similar submissions: planted near-copies are paired, independent solutions and shared right answers are not."""
import nbformat

from grading.similarity import compare, similar_submissions, write_report

ORIGINAL = '''
def expected_count(children, prevalence_percent):
    """How many of `children` we expect to show the pattern at a given prevalence."""
    if children < 0 or not 0 <= prevalence_percent <= 100:
        raise ValueError("children must be 0 or more and prevalence between 0 and 100")
    share = prevalence_percent / 100
    expected = children * share
    return round(expected, 1)

ages = [3, 7, 12, 18, 24]
labels = {age: "infant" if age < 12 else "toddler" for age in ages}
'''
# the same code with names, comments and spacing changed: what a copier does
DISGUISED = '''
def expected_count(kids, pct):
    # number we expect
    if kids < 0 or not 0 <= pct <= 100:
        raise ValueError("bad input")
    s = pct / 100
    e = kids * s
    return round(e, 1)

months = [3, 7, 12, 18, 24]
names = {m: "infant" if m < 12 else "toddler" for m in months}
'''
INDEPENDENT = '''
import math

def expected_count(n, p):
    total = 0.0
    for _ in range(n):
        total += p / 100.0
    return math.floor(total * 10 + 0.5) / 10

groups = {}
for month in (3, 7, 12, 18, 24):
    groups.setdefault("toddler" if month >= 12 else "infant", []).append(month)
'''


def test_a_disguised_copy_is_paired_and_an_independent_solution_is_not():
    pairs = compare({"ana": ORIGINAL, "ben": DISGUISED, "cai": INDEPENDENT}, "", "code")
    assert [(p.first, p.second) for p in pairs] == [("ana", "ben")]
    assert pairs[0].similarity > 0.5 and "expected_count" in pairs[0].first_html


def test_the_same_right_letters_and_the_release_stubs_are_not_similarity():
    stub = "# YOUR CODE HERE\nraise NotImplementedError()\n" * 3
    answers = {s: f'choice = "C"\nnumber = 4.3\n{stub}' for s in ("ana", "ben", "cai")}
    assert compare(answers, stub, "code") == []


def test_copied_reflections_are_found_in_prose(tmp_path):
    text = ("Leo's father notices his own fear when Leo cries at night and wonders whether his own father's anger "
            "is in the room with them; the home visitor slows down, names the feeling without judging it, and asks "
            "what helped him feel safe as a child, looking for an angel as well as a ghost.")
    other = ("The visitor could help Daniel think about what his son's crying means to him now, and which "
             "memories of being comforted he can draw on, before suggesting any routine for the evenings.")
    pairs = compare({"ana": text, "ben": text.replace("slows down", "takes her time"), "cai": other}, "", "written")
    assert [(p.first, p.second) for p in pairs] == [("ana", "ben")]
    page = write_report(pairs, tmp_path / "similarity.html", "demo")
    assert "ana and ben: written answers" in page.read_text() and "No grade is changed" in page.read_text()


def test_the_course_command_reads_submitted_notebooks(tmp_path):
    course = tmp_path / "course"
    release = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("# YOUR CODE HERE")])
    release.cells[0].metadata["nbgrader"] = {"grade_id": "fn", "solution": True, "grade": False, "locked": False}
    (course / "release" / "a").mkdir(parents=True)
    nbformat.write(release, course / "release" / "a" / "a.ipynb")
    for student, code in (("ana", ORIGINAL), ("ben", DISGUISED), ("cai", INDEPENDENT)):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
        nb.cells[0].metadata = release.cells[0].metadata
        (course / "submitted" / student / "a").mkdir(parents=True)
        nbformat.write(nb, course / "submitted" / student / "a" / "a.ipynb")
    pairs = similar_submissions(course, "a")
    assert [(p.kind, p.first, p.second) for p in pairs] == [("code", "ana", "ben")]
