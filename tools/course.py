"""Facts about the course's notebooks, and the nbgrader steps the tests and tools share.

``python -m tools.course check NN_topic`` lints one source notebook, runs nbgrader
validate on it, generates its student version in a temporary course and checks
that the blank student version earns nothing. Authors run it before handing in.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from grading.cells import BIN, env, is_answer, is_autograded_test, is_manual, nbgrader, nbgrader_meta  # noqa: F401
from grading.keys import item_of

ROOT = Path(__file__).resolve().parent.parent
SOURCE, RELEASE = ROOT / "source", ROOT / "release"
COURSE_FILES = ("course_config.py", "nbgrader_config.py")


def assignments() -> list[str]:
    """Assignment names (folders of source/), in course order."""
    return sorted(p.name for p in SOURCE.iterdir() if p.is_dir() and re.match(r"\d\d_", p.name))


def source_notebook(assignment: str) -> Path:
    return SOURCE / assignment / f"{assignment}.ipynb"


def read_source_notebook(assignment: str):
    return nbformat.read(source_notebook(assignment), as_version=4)


def release_notebook(assignment: str) -> Path:
    return RELEASE / assignment / f"{assignment}.ipynb"










def prose_words(nb) -> int:
    """Words of prose in markdown cells that are not answer cells."""
    text = " ".join(c.source for c in nb.cells if c.cell_type == "markdown" and not is_manual(c))
    text = re.sub(r"`[^`]*`|https?://\S+|[#*_>|-]", " ", text)
    return len(re.findall(r"[A-Za-z][A-Za-z'’-]*", text))


def lint(nb, *, min_autograded: int = 6) -> list[str]:
    """Problems with a source notebook's anatomy (empty list = fine)."""
    problems = []
    cells = nb.cells
    md_text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    for heading in ("Learning objectives", "References", "Summary"):
        if not re.search(rf"^#+\s*{heading}", md_text, re.M | re.I):
            problems.append(f"no '{heading}' heading")
    if not re.search(r"estimated time", md_text, re.I):
        problems.append("no estimated time")
    for i, cell in enumerate(cells):
        if cell.cell_type == "code" and cell.get("outputs"):
            problems.append(f"cell {i} is stored with outputs")
        if is_answer(cell):
            nxt = cells[i + 1] if i + 1 < len(cells) else None
            if nxt is None or not is_autograded_test(nxt):
                problems.append(f"answer cell {nbgrader_meta(cell)['grade_id']} is not followed directly by its test cell")
        if (is_answer(cell) or is_autograded_test(cell)) and "raises-exception" not in cell.get("metadata", {}).get("tags", []):
            problems.append(f"cell {nbgrader_meta(cell)['grade_id']} lacks the raises-exception tag (Run All must carry on)")
        if is_autograded_test(cell):
            problems += judged_cell_problems(nbgrader_meta(cell)["grade_id"], cell.source)
            if i == 0 or not is_answer(cells[i - 1]):
                problems.append(f"test cell {nbgrader_meta(cell)['grade_id']} does not follow an answer cell")
    ids = [nbgrader_meta(c)["grade_id"] for c in cells if nbgrader_meta(c).get("grade_id")]
    dupes = sorted({g for g in ids if ids.count(g) > 1})
    if dupes:
        problems.append(f"duplicate grade ids {dupes}")
    n_auto = sum(is_autograded_test(c) for c in cells)
    if n_auto < min_autograded:
        problems.append(f"{n_auto} autograded items, need at least {min_autograded}")
    if not any(is_manual(c) for c in cells):
        problems.append("no manually graded written reflection")
    if not any(c.cell_type == "code" and re.search(r"\b[A-Z]\w*(Explorer|Matcher|View|Sorter|Guide|Finder|Widget)\b|\bexplore_\w+\(", c.source)
               for c in cells):
        problems.append("no widget exploration cell")
    return problems


HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def handed_in_parts(text: str) -> list[tuple[str, str, str, bool]]:
    """(item, part name, AST dump of the value expression, is a ``call(...)``) for every
    part of every ``hand_in(...)`` in ``text``."""
    import ast

    out = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "hand_in" and node.args:
            item = node.args[0].value if isinstance(node.args[0], ast.Constant) else "?"
            for part in node.args[1:]:
                if isinstance(part, ast.Call) and len(part.args) >= 2 and isinstance(part.args[0], ast.Constant):
                    value = part.args[1]
                    is_call = isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "call"
                    out.append((item, part.args[0].value, ast.dump(value), is_call))
    return out


def judged_cell_problems(grade_id: str, source: str) -> list[str]:
    """What is wrong with a test cell under the judging design (empty list = fine).

    Visible: form checks and ``hand_in`` of the item's answers (the judge compares them with
    the key). Hidden (only for function exercises): ``hand_in`` of the function on inputs that
    appear nowhere in the visible part, so passing the visible example proves nothing hidden.
    """
    item = item_of(grade_id)
    visible, _, rest = source.partition(HIDDEN_BEGIN)
    hidden = rest.partition(HIDDEN_END)[0]
    problems = []
    if "check_" in source.replace("check_form", ""):
        problems.append(f"test cell {grade_id} uses old in-kernel checks (check_...): hand in answers instead")
    try:
        seen, secret = handed_in_parts(visible), handed_in_parts(hidden)
    except SyntaxError as exc:
        return [f"test cell {grade_id} is not valid Python: {exc}"]
    if not seen:
        problems.append(f"test cell {grade_id} hands in nothing visibly (hand_in({item!r}, ...))")
    for got_item, *_ in seen + secret:
        if got_item != item:
            problems.append(f"test cell {grade_id} hands in answers for {got_item!r}, not {item!r}")
    visible_values = {dump for _, _, dump, _ in seen}
    for _, name, dump, is_call in secret:
        if dump in visible_values:
            problems.append(f"test cell {grade_id}: hidden part {name!r} repeats a visible one")
        if not is_call:
            problems.append(f"test cell {grade_id}: hidden part {name!r} is a value, not a function on a hidden "
                            "input (values are judged against the key: hand them in visibly)")
    if any(is_call for *_, is_call in seen) and not secret:
        problems.append(f"test cell {grade_id}: a function exercise needs hidden inputs (BEGIN HIDDEN TESTS)")
    names = [name for _, name, _, _ in seen + secret]
    if len(names) != len(set(names)):
        problems.append(f"test cell {grade_id}: a part name is used twice")
    return problems






def public_variant(nb):
    """The public variant of a source notebook: declared values at their defaults, templates
    filled, ``# vary:`` specs gone (grading/variants.py). What release/ is generated from."""
    from grading.variants import make_variant, variant_of

    return make_variant(nb, variant_of(None, "")).notebook


def make_course(dest: Path, assignments_wanted=None) -> Path:
    """A throwaway course root at ``dest``: config files plus the chosen source folders, each
    notebook as its public variant (what students of the open course get)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in COURSE_FILES:
        shutil.copy(ROOT / name, dest / name)
    for a in assignments_wanted or assignments():
        shutil.copytree(SOURCE / a, dest / "source" / a, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        for path in (dest / "source" / a).glob("*.ipynb"):
            nbformat.write(public_variant(nbformat.read(path, as_version=4)), path)
    return dest


def generate(course: Path, assignment: str) -> subprocess.CompletedProcess:
    return nbgrader("generate_assignment", assignment, "--force", cwd=course)


def check(assignment: str) -> int:
    """Lint, validate, generate the release in a temporary course, validate --invert."""
    nb = nbformat.read(source_notebook(assignment), as_version=4)
    ok = True
    problems = lint(nb)
    print(f"prose words (markdown, excluding answers): {prose_words(nb)}")
    for p in problems:
        print("LINT:", p)
        ok = False
    result = nbgrader("validate", str(source_notebook(assignment)), cwd=ROOT)
    print("validate source:", "OK" if "Success!" in result.stdout else result.stdout[-3000:] + result.stderr[-2000:])
    ok &= "Success!" in result.stdout
    with tempfile.TemporaryDirectory() as tmp:
        course = make_course(Path(tmp), [assignment])
        gen = generate(course, assignment)
        if gen.returncode != 0:
            print("generate_assignment failed:\n", gen.stdout[-2000:], gen.stderr[-4000:])
            return 1
        released = course / "release" / assignment / f"{assignment}.ipynb"
        inv = nbgrader("validate", "--invert", str(released), cwd=course)
        inverted_ok = "Success!" in inv.stdout
        print("validate --invert release:", "OK" if inverted_ok else inv.stdout[-3000:])
        ok &= inverted_ok
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "check":
        print("usage: python -m tools.course check NN_topic")
        sys.exit(2)
    sys.exit(check(sys.argv[2]))
