"""Keys, made by running the instructor's notebook: computed, never typed.

Running ``source/<a>/<a>.ipynb`` (solutions included, hidden tests included) makes every
test cell hand in the solution's answers; those records, with each exercise's title,
section and points, are the key file. It lives in ``.grading/keys/`` of the course root
(never committed, never visible to a sandboxed kernel) and is rebuilt when the source
notebook changes.

    python -m grading.keys 07_rupture_repair     # build (or check) one assignment's keys
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import nbformat

from grading.cells import is_autograded_test as is_test_cell, nbgrader_meta
from grading.judge import records_in

KEYS_DIR = Path(".grading") / "keys"


class KeyError_(RuntimeError):
    """The source notebook cannot produce a key (the message names the item)."""


def item_of(grade_id: str) -> str:
    """The exercise id of a test cell: its grade id without ``_tests``."""
    return grade_id[:-len("_tests")] if grade_id.endswith("_tests") else grade_id


def _headings(text: str) -> list[tuple[int, str]]:
    return [(len(m.group(1)), m.group(2).strip()) for m in re.finditer(r"^(#{2,3})\s+(.+)$", text, re.M)
            if "BEGIN SOLUTION" not in m.group(2) and "END SOLUTION" not in m.group(2)]


def describe_items(nb) -> dict:
    """For each test cell: its title (the exercise heading above it) and the lesson section
    to revisit (the ``##`` heading it sits under), in notebook order."""
    title, section, out = "", "", {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for level, text in _headings(cell.source):
                if level == 2:
                    section, title = text, ""
                elif text.lower().startswith("exercise"):
                    title = text
        elif is_test_cell(cell):
            gid = nbgrader_meta(cell)["grade_id"]
            out[item_of(gid)] = {"grade_id": gid, "points": float(nbgrader_meta(cell).get("points", 0)),
                                 "title": title or item_of(gid), "section": section}
    return out


def source_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def execute(nb, cwd: Path, timeout: int = 600):
    """Run a trusted (instructor's) notebook in a fresh kernel; errors are kept as outputs."""
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


def build_keys(source_path: Path, executed=None) -> dict:
    """The key file's content for one source notebook (runs it unless ``executed`` is given)."""
    source_path = Path(source_path)
    nb = executed or execute(nbformat.read(source_path, as_version=4), source_path.parent)
    items = describe_items(nb)
    for cell in nb.cells:
        if not is_test_cell(cell):
            continue
        item = item_of(nbgrader_meta(cell)["grade_id"])
        records, problems = records_in(cell.get("outputs", []))
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            raise KeyError_(f"{source_path.name}: the solution fails its own test cell for {item}: "
                            f"{errors[0].get('ename')}: {errors[0].get('evalue', '')[:300]}")
        parts = {}
        for record in records:
            if record["item"] != item:
                raise KeyError_(f"{source_path.name}: the test cell of {item} hands in answers for {record['item']}")
            for name, entry in record["parts"].items():
                if name in parts:
                    raise KeyError_(f"{source_path.name}: {item} hands in the part {name!r} twice")
                if entry.get("problem"):
                    raise KeyError_(f"{source_path.name}: the solution's answer to {item}/{name} has a problem: {entry['problem']}")
                parts[name] = entry
        if problems or not parts:
            raise KeyError_(f"{source_path.name}: the solution hands in nothing for {item} {problems or ''}")
        items[item]["parts"] = parts
    return {"notebook": source_path.stem, "source_sha256": source_digest(source_path), "items": items}


def key_path(keys_dir: Path, assignment: str, notebook: str) -> Path:
    return Path(keys_dir) / assignment / f"{notebook}.json"


def load_keys(course: Path, assignment: str, notebook: str, keys_dir: Path | None = None,
              build: bool = True) -> dict:
    """The keys of one notebook, rebuilt from ``source/`` when missing or out of date."""
    course = Path(course)
    keys_dir = Path(keys_dir) if keys_dir else course / KEYS_DIR
    source = course / "source" / assignment / f"{notebook}.ipynb"
    path = key_path(keys_dir, assignment, notebook)
    if path.is_file():
        keys = json.loads(path.read_text())
        if not source.is_file() or keys.get("source_sha256") == source_digest(source):
            return keys
    if not build or not source.is_file():
        raise KeyError_(f"no keys for {assignment}/{notebook}: {source} is missing, so the answers cannot be judged")
    keys = build_keys(source)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(keys, indent=1, sort_keys=True))
    tmp.replace(path)
    return keys


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    for assignment in argv:
        keys = load_keys(Path.cwd(), assignment, assignment)
        parts = sum(len(i["parts"]) for i in keys["items"].values())
        print(f"{assignment}: {len(keys['items'])} exercises, {parts} key parts -> "
              f"{key_path(Path.cwd() / KEYS_DIR, assignment, assignment)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
