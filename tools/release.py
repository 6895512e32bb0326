"""Regenerate both student editions from source/ (``make release``).

- ``release/``: the graded edition, made by ``nbgrader generate_assignment`` in a temporary
  copy of the course (so no gradebook.db is left behind). Its checks say only whether the
  *form* of an answer is right; no key, hash of a key or hidden input is in it.
- ``selfpaced/``: the self-paced edition that ``make lab`` copies into ``my-work/``: the
  release notebook plus one cell that switches on teaching feedback (salted hashes of the
  keys, made by running the source notebook; see ``widgets.answers.self_paced``).

Both are committed and never edited by hand; the tests fail when either differs from
what this script makes.
"""
from __future__ import annotations

import copy
import json
import shutil
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat

from tools.course import RELEASE, ROOT, assignments, generate, make_course

SELFPACED = ROOT / "selfpaced"
FEEDBACK_CELL_ID = "self-paced-feedback"


def build_release(dest: Path, wanted: list[str] | None = None) -> Path:
    """Generate the student versions of ``wanted`` (default: all) into ``dest/release``."""
    wanted = wanted or assignments()
    course = make_course(dest, wanted)
    for assignment in wanted:
        result = generate(course, assignment)
        if result.returncode != 0:
            raise RuntimeError(f"generate_assignment {assignment} failed:\n{result.stdout}\n{result.stderr}")
    return course / "release"


def feedback_table(keys: dict) -> dict:
    """What the self-paced edition may know of the keys: titles, sections, salted hashes."""
    from widgets.answers import part_hashes

    return {item: {"title": info["title"], "section": info["section"],
                   "parts": {name: part_hashes(item, name, key) for name, key in info["parts"].items()}}
            for item, info in keys["items"].items()}


def self_paced_edition(release_nb, keys: dict):
    """The release notebook with feedback switched on, in a cell right after the setup imports."""
    nb = copy.deepcopy(release_nb)
    table = json.dumps(feedback_table(keys), sort_keys=True, separators=(",", ":"))
    cell = nbformat.v4.new_code_cell(
        "# Self-paced edition: your checks say whether an answer is right and what to revisit,\n"
        "# without showing the answer (salted hashes). Run this cell before the exercises.\n"
        f"from widgets.answers import self_paced\nself_paced({table})")
    cell["id"] = FEEDBACK_CELL_ID
    cell.metadata.update({"jupyter": {"source_hidden": True}, "editable": False, "deletable": False})
    setup = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "widgets.answers" in c.source)
    nb.cells.insert(setup + 1, cell)
    nb.metadata["imh_edition"] = "self-paced"
    return nb


def _keys(assignment: str) -> dict:
    from grading.keys import build_keys

    return build_keys(ROOT / "source" / assignment / f"{assignment}.ipynb")


def build_self_paced(release_dir: Path, dest: Path, wanted: list[str], jobs: int = 2) -> Path:
    """Write ``dest/<a>/<a>.ipynb`` for each assignment from its release notebook and keys."""
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        all_keys = dict(zip(wanted, pool.map(_keys, wanted)))
    for assignment in wanted:
        release_nb = nbformat.read(release_dir / assignment / f"{assignment}.ipynb", as_version=4)
        out = dest / assignment / f"{assignment}.ipynb"
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(self_paced_edition(release_nb, all_keys[assignment]), out)
    return dest


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.release [NN_topic ...]``: regenerate release/ and selfpaced/ for the
    named assignments (default: all), leaving the others as they are."""
    named = list(sys.argv[1:] if argv is None else argv)
    unknown = [a for a in named if a not in assignments()]
    if unknown:
        print(f"no such assignment in source/: {', '.join(unknown)}", file=sys.stderr)
        return 2
    wanted = named or assignments()
    if not named:  # a full release also drops editions of notebooks no longer in source/
        for edition in (RELEASE, SELFPACED):
            for stale in edition.glob("*"):
                if stale.is_dir() and stale.name not in wanted:
                    shutil.rmtree(stale)
    with tempfile.TemporaryDirectory() as tmp:
        built = build_release(Path(tmp), wanted)
        for assignment in wanted:
            shutil.rmtree(RELEASE / assignment, ignore_errors=True)
            shutil.copytree(built / assignment, RELEASE / assignment)
    with tempfile.TemporaryDirectory() as tmp:
        made = build_self_paced(RELEASE, Path(tmp) / "selfpaced", wanted)
        for assignment in wanted:
            shutil.rmtree(SELFPACED / assignment, ignore_errors=True)
            shutil.copytree(made / assignment, SELFPACED / assignment)
    for assignment in wanted:
        for path in sorted((RELEASE / assignment).rglob("*.ipynb")) + sorted((SELFPACED / assignment).rglob("*.ipynb")):
            print("released", path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
