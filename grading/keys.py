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
import os
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
    client.execute(env={**os.environ, "IMH_NO_PIXELS": "1"})  # keys need no pictures (widgets.figures)
    return nb


def build_keys(source_path: Path, executed=None, variant=None) -> dict:
    """The key file's content for one source notebook (runs it unless ``executed`` is given).

    ``variant`` (:class:`grading.variants.Variant`): run that variant of the notebook instead,
    so every key of every variant comes from the solutions themselves."""
    source_path = Path(source_path)
    variant_id = "public" if variant is None else variant.id
    if executed is None:
        nb = nbformat.read(source_path, as_version=4)
        if variant is not None and not variant.is_public:
            from grading.variants import make_variant

            nb = make_variant(nb, variant).notebook
        executed = execute(nb, source_path.parent)
    nb = executed
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
    return {"notebook": source_path.stem, "source_sha256": source_digest(source_path), "variant": variant_id,
            "items": items}


def build_keys_batch(jobs: list) -> list[dict]:
    """Keys of several (source path, variant) pairs from ONE kernel: the notebooks run one after
    another, each after ``%reset -f`` and a change to its own folder, so a batch pays one kernel
    start instead of one per notebook (per-student releases, the variant tests). Each part's
    outputs are then read exactly as :func:`build_keys` reads a notebook run on its own."""
    from grading.variants import make_variant

    big, spans = nbformat.v4.new_notebook(), []
    for source_path, variant in jobs:
        source_path = Path(source_path)
        nb = nbformat.read(source_path, as_version=4)
        if variant is not None and not variant.is_public:
            nb = make_variant(nb, variant).notebook
        big.cells.append(nbformat.v4.new_code_cell(
            f"%reset -f\nimport os as _os\n_os.chdir({str(source_path.parent)!r})\ndel _os"))
        start = len(big.cells)
        big.cells += nb.cells
        spans.append((start, len(big.cells), nb))
    if not jobs:
        return []
    execute(big, Path(jobs[0][0]).parent, timeout=600)
    out = []
    for (source_path, variant), (start, end, nb) in zip(jobs, spans):
        part = nbformat.v4.new_notebook(metadata=nb.metadata)
        part.cells = big.cells[start:end]
        out.append(build_keys(Path(source_path), executed=part, variant=variant))
    return out


def key_path(keys_dir: Path, assignment: str, notebook: str) -> Path:
    return Path(keys_dir) / assignment / f"{notebook}.json"


def keys_folder(course: Path, assignment: str, student: str | None = None):
    """(folder of the key files, variant) this course grades ``assignment`` with: the public
    keys without a course secret, else the course's (or, per student, the student's) variant."""
    from grading.variants import variant_for

    variant = variant_for(Path(course), assignment, student)
    return Path(course) / KEYS_DIR / variant.folder, variant


def write_keys(path: Path, keys: dict) -> None:
    """Write a key file where only the instructor can read it (folders mode 0700)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for folder in [path.parent, *path.parent.parents][:4]:  # <assignment>, students/<id>, variant-<fp>
        if folder.name in KEYS_DIR.parts or folder == folder.parent:
            break
        folder.chmod(0o700)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(keys, indent=1, sort_keys=True))
    tmp.replace(path)


def load_keys(course: Path, assignment: str, notebook: str, keys_dir: Path | None = None,
              build: bool = True, student: str | None = None) -> dict:
    """The keys of one notebook, rebuilt from ``source/`` when missing or out of date.

    Without ``keys_dir`` the course's secret decides the variant (public, course or
    ``student``'s own). With ``keys_dir`` (a grading worker, which never sees the secret) the
    keys are read from that variant folder as the parent built them, from
    ``students/<student>/`` when ``student`` is given."""
    course = Path(course)
    source = course / "source" / assignment / f"{notebook}.ipynb"
    if keys_dir is not None:
        folder, variant = Path(keys_dir) / (f"students/{student}" if student else ""), None
    else:
        folder, variant = keys_folder(course, assignment, student)
    path = key_path(folder, assignment, notebook)
    if path.is_file():
        keys = json.loads(path.read_text())
        fresh = not source.is_file() or keys.get("source_sha256") == source_digest(source)
        if fresh and (variant is None or keys.get("variant", "public") == variant.id):
            return keys
    if not build or variant is None or not source.is_file():
        raise KeyError_(f"no keys for {assignment}/{notebook}" + (f" of student {student}" if student else "")
                        + f": {source} is missing or changed, so the answers cannot be judged"
                        + ("" if source.is_file() else "") + f" (looked in {path})")
    keys = build_keys(source, variant=variant)
    write_keys(path, keys)
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
