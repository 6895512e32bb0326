"""What a submitted notebook holds compared with the assignment's graded cells.

``missing_cells`` answers the question nbgrader leaves silent (nbgrader #1682):
which graded cells of the source are gone from a student's notebook, or have
lost their nbgrader metadata. The grading report lists these submissions so an
instructor looks at them instead of trusting a silent 0.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grading.cells import is_answer, is_autograded_test, is_manual, nbgrader_meta


@dataclass(frozen=True)
class Integrity:
    """Graded cells of the source missing from a submission (by grade_id), or why it could not be read."""

    notebook: str
    missing: tuple[str, ...] = ()
    unreadable: str = ""

    @property
    def ok(self) -> bool:
        return not self.missing and not self.unreadable


def graded_ids(nb) -> list[str]:
    """grade_ids of answer, test and written cells, in notebook order."""
    return [nbgrader_meta(c)["grade_id"] for c in nb.cells if is_answer(c) or is_autograded_test(c) or is_manual(c)]


def missing_cells(source_nb, submitted_path: Path) -> Integrity:
    """Compare a submitted notebook with its source notebook."""
    try:
        submitted = nbformat.read(submitted_path, as_version=4)
    except FileNotFoundError:
        return Integrity(submitted_path.name, unreadable="notebook missing from the submission")
    except (json.JSONDecodeError, nbformat.reader.NotJSONError, UnicodeDecodeError) as exc:
        return Integrity(submitted_path.name, unreadable=f"not a readable notebook ({type(exc).__name__})")
    present = {nbgrader_meta(c).get("grade_id") for c in submitted.cells}
    return Integrity(submitted_path.name, missing=tuple(g for g in graded_ids(source_nb) if g not in present))
