"""Build nbgrader cells for the course's notebooks without hand-writing JSON.

Used while authoring (``source/`` notebooks are the truth once written):

    from tools.nbauthor import md, code, answer, tests, written, write
    cells = [md("# Title"), code("from widgets.answers import as_number, hand_in"),
             answer("brain_size_at_two", "brain_size_at_two = 0.8"),
             tests("brain_size_at_two", 1, 'hand_in("brain_size_at_two", as_number("answer", brain_size_at_two, tol=0.01))'),
             written("reflection_definition", 3, "Prompt...", "### BEGIN SOLUTION\\nMark scheme...\\n### END SOLUTION")]
    write("source/01_x/01_x.ipynb", cells)
"""
from __future__ import annotations

from pathlib import Path

import nbformat

_KERNEL = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python", "version": "3.11"},
}


def _meta(grade_id, *, grade, solution, locked, points=None, task=False):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": task}
    if grade or task:
        meta["points"] = points
    return {"nbgrader": meta}


def md(text: str, grade_id: str | None = None):
    """A markdown cell; with ``grade_id`` it is read-only (locked) for students."""
    cell = nbformat.v4.new_markdown_cell(text.strip("\n"))
    if grade_id:
        cell.metadata.update(_meta(grade_id, grade=False, solution=False, locked=True))
    return cell


def code(text: str, tags: tuple[str, ...] = (), grade_id: str | None = None):
    """A plain code cell (setup, exploration). ``grade_id`` makes it read-only."""
    cell = nbformat.v4.new_code_cell(text.strip("\n"))
    if tags:
        cell.metadata["tags"] = list(tags)
    if grade_id:
        cell.metadata.update(_meta(grade_id, grade=False, solution=False, locked=True))
    return cell


# "raises-exception": JupyterLab's Run All carries on past these cells when they raise
# (an unanswered stub, a failing check), so every exploration further down still runs.
RUN_ON = ["raises-exception"]


def answer(grade_id: str, text: str):
    """An autograded answer cell: the solution between BEGIN/END SOLUTION markers."""
    cell = nbformat.v4.new_code_cell(text.strip("\n"))
    cell.metadata.update(_meta(grade_id, grade=False, solution=True, locked=False))
    cell.metadata["tags"] = list(RUN_ON)
    return cell


def tests(grade_id: str, points: float, text: str):
    """The test cell that follows its answer cell: form checks and ``hand_in``; hidden inputs for
    function exercises between BEGIN/END HIDDEN TESTS."""
    cell = nbformat.v4.new_code_cell(text.strip("\n"))
    cell.metadata.update(_meta(f"{grade_id}_tests", grade=True, solution=False, locked=True, points=points))
    cell.metadata["tags"] = list(RUN_ON)
    return cell


def written(grade_id: str, points: float, text: str):
    """A manually graded markdown answer cell; put the mark scheme between
    ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (students see "YOUR ANSWER HERE")."""
    cell = nbformat.v4.new_markdown_cell(text.strip("\n"))
    cell.metadata.update(_meta(grade_id, grade=True, solution=True, locked=False, points=points))
    return cell


def write(path: str | Path, cells) -> Path:
    """Write a notebook (nbformat 4.5, stable cell ids, no outputs)."""
    nb = nbformat.v4.new_notebook(cells=list(cells), metadata=dict(_KERNEL))
    for number, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{number:03d}"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return path
