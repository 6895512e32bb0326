"""Regenerate release/ from source/ with nbgrader (``make release``).

Runs ``nbgrader generate_assignment`` for every assignment in a temporary copy
of the course (so no gradebook.db is left behind) and replaces release/ with the
result. release/ is committed and never edited by hand; the test suite fails
when it differs from what this script makes.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from tools.course import RELEASE, assignments, generate, make_course


def build_release(dest: Path, wanted: list[str] | None = None) -> Path:
    """Generate the student versions of ``wanted`` (default: all) into ``dest/release``."""
    wanted = wanted or assignments()
    course = make_course(dest, wanted)
    for assignment in wanted:
        result = generate(course, assignment)
        if result.returncode != 0:
            raise RuntimeError(f"generate_assignment {assignment} failed:\n{result.stdout}\n{result.stderr}")
    return course / "release"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        built = build_release(Path(tmp))
        shutil.rmtree(RELEASE, ignore_errors=True)
        shutil.copytree(built, RELEASE)
    for path in sorted(RELEASE.rglob("*.ipynb")):
        print("released", path.relative_to(RELEASE.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
