"""What kind of nbgrader cell a notebook cell is, and how to run nbgrader from Python.

Shared by the grading system and the authoring tools (``tools/course.py`` imports these).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_answer(cell) -> bool:
    m = nbgrader_meta(cell)
    return bool(m.get("solution")) and not m.get("grade") and cell["cell_type"] == "code"


def is_autograded_test(cell) -> bool:
    m = nbgrader_meta(cell)
    return bool(m.get("grade")) and not m.get("solution") and cell["cell_type"] == "code"


def is_manual(cell) -> bool:
    m = nbgrader_meta(cell)
    return bool(m.get("grade")) and bool(m.get("solution")) and cell["cell_type"] == "markdown"


def env() -> dict:
    """Environment for nbgrader subprocesses: the venv's bin first (nbgrader runs `alembic`),
    and no course gradebook URL (it may hold a password; callers that need it add it back) nor
    course secret (grading/variants.py)."""
    e = dict(os.environ)
    e["PATH"] = f"{BIN}{os.pathsep}{e.get('PATH', '')}"
    e.pop("IMH_GRADEBOOK_URL", None)
    e.pop("IMH_COURSE_SECRET", None)  # the parent builds variant keys; no kernel may read the secret
    return e


def nbgrader(*args: str, cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    """Run one nbgrader command in course root ``cwd``; output captured as text."""
    return subprocess.run([str(BIN / "nbgrader"), *args], cwd=cwd, env=env(), capture_output=True,
                          text=True, timeout=timeout)
