"""Regenerate both student editions from source/ (``make release``).

- ``release/``: the graded edition, made by ``nbgrader generate_assignment`` in a temporary
  copy of the course (so no gradebook.db is left behind). Its checks say only whether the
  *form* of an answer is right; no key, hash of a key or hidden input is in it.
- ``selfpaced/``: the self-paced edition that ``make lab`` copies into ``my-work/``: the
  release notebook plus one cell that switches on teaching feedback (salted hashes of the
  keys, made by running the source notebook; see ``widgets.answers.self_paced``).

Both are committed and never edited by hand; the tests fail when either differs from
what this script makes.

With a course secret (``IMH_COURSE_SECRET`` or ``.course-secret``; see grading/variants.py),
``python -m tools.release --secret [--students roster.csv] [NN_topic ...]`` releases the
course's own variant instead, into ``variant-release/`` (never committed): nbgrader generates
it from the variant's source in the course's gradebook, and the keys are built by running the
variant's solutions. ``--students`` also writes each student's own copy
(``variant-release/students/<id>/``) and keys, when the secret asks for per-student variants.
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


def _variant_keys(chunk) -> list:
    """Build and write the keys of several variants in one kernel (a process of its own)."""
    from grading.keys import build_keys_batch, key_path, write_keys
    from grading.variants import variant_of

    jobs, paths = [], []
    for course, assignment, secret, student, keys_dir in chunk:
        jobs.append((Path(course) / "source" / assignment / f"{assignment}.ipynb", variant_of(secret, assignment, student)))
        paths.append(key_path(Path(keys_dir) / (f"students/{student}" if student else ""), assignment, assignment))
    for path, keys in zip(paths, build_keys_batch(jobs)):
        write_keys(path, keys)
    return paths


def release_variant(course: Path, wanted: list[str], secret, students: list[str] = (), jobs: int = 2) -> list[Path]:
    """Release the course's variant of ``wanted`` in the course root ``course`` (see the module
    docstring); returns the notebooks written. A solution that cannot produce its key on the
    variant stops the release with a message naming the item (grading.keys.KeyError_)."""
    from dataclasses import replace

    from grading.grade import run_nbgrader
    from grading.keys import KEYS_DIR
    from grading.variants import VARIANT_RELEASE, VARIANT_SOURCE, make_variant, student_copy, variant_of

    course = Path(course).resolve()
    course_secret = replace(secret, per_student=False)
    keys_dir = course / KEYS_DIR / variant_of(course_secret, wanted[0]).folder
    if students and not secret.per_student:
        raise SystemExit("--students needs per-student variants: add a line 'per_student = yes' to .course-secret "
                         "(or set IMH_PER_STUDENT_VARIANTS=1)")
    written = []
    for assignment in wanted:
        made = make_variant(nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", as_version=4),
                            variant_of(course_secret, assignment))
        folder = course / VARIANT_SOURCE / assignment
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(course / "source" / assignment, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        nbformat.write(made.notebook, folder / f"{assignment}.ipynb")
        result = run_nbgrader(["generate_assignment", assignment, "--force",
                               f"--CourseDirectory.source_directory={course / VARIANT_SOURCE}",
                               f"--CourseDirectory.release_directory={course / VARIANT_RELEASE}"], cwd=course)
        if result.returncode != 0:
            raise RuntimeError(f"generate_assignment {assignment} (course variant) failed:\n{result.stderr[-3000:]}")
        written.append(course / VARIANT_RELEASE / assignment / f"{assignment}.ipynb")
    jobs_list = [(str(course), a, course_secret, None, str(keys_dir)) for a in wanted]
    jobs_list += [(str(course), a, secret, s, str(keys_dir)) for a in wanted for s in students]
    size = max(1, min(8, -(-len(jobs_list) // max(1, jobs))))  # a kernel per chunk, `jobs` kernels at once
    chunks = [jobs_list[i:i + size] for i in range(0, len(jobs_list), size)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(_variant_keys, chunks))
    for assignment in wanted:
        course_release = course / VARIANT_RELEASE / assignment
        release_nb = nbformat.read(course_release / f"{assignment}.ipynb", as_version=4)
        source_nb = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
        for student in students:
            mine = make_variant(source_nb, variant_of(secret, assignment, student)).notebook
            folder = course / VARIANT_RELEASE / "students" / student / assignment
            shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(course_release, folder)
            nbformat.write(student_copy(release_nb, mine), folder / f"{assignment}.ipynb")
            written.append(folder / f"{assignment}.ipynb")
    return written


def read_roster(path: Path) -> list[str]:
    """Student ids from an nbgrader roster CSV (column ``id``)."""
    import csv

    with open(path, newline="") as handle:
        ids = [row["id"].strip() for row in csv.DictReader(handle) if row.get("id", "").strip()]
    if not ids:
        raise SystemExit(f"{path}: no student ids (an 'id' column, one student per row)")
    return ids


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.release [NN_topic ...]``: regenerate release/ and selfpaced/ for the
    named assignments (default: all), leaving the others as they are."""
    named = list(sys.argv[1:] if argv is None else argv)
    if "--secret" in named:
        return main_variant([a for a in named if a != "--secret"])
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


def main_variant(args: list[str]) -> int:
    """``--secret [--students roster.csv] [--course PATH] [NN_topic ...]``."""
    import time

    from grading.variants import course_secret

    course, students = ROOT, []
    if "--course" in args:
        i = args.index("--course")
        course, args = Path(args[i + 1]), args[:i] + args[i + 2:]
    if "--students" in args:
        i = args.index("--students")
        students, args = read_roster(Path(args[i + 1])), args[:i] + args[i + 2:]
    secret = course_secret(course)
    if secret is None:
        print("no course secret: set IMH_COURSE_SECRET or write one into .course-secret in the course root\n"
              "(python -c 'import secrets; print(secrets.token_hex(16))' > .course-secret)", file=sys.stderr)
        return 2
    unknown = [a for a in args if not (Path(course) / "source" / a).is_dir()]
    if unknown:
        print(f"no such assignment in source/: {', '.join(unknown)}", file=sys.stderr)
        return 2
    wanted = args or sorted(p.name for p in (Path(course) / "source").iterdir() if p.is_dir() and p.name[:2].isdigit())
    start = time.perf_counter()
    written = release_variant(Path(course), wanted, secret, students)
    for path in written:
        print("released", path)
    print(f"course variant of {len(wanted)} notebook(s)" + (f" and {len(students)} students' copies" if students else "")
          + f" in {time.perf_counter() - start:.1f} s; keys in .grading/keys/ (never share them)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
