"""Does a feedback page show hidden-test code? (Used by the tests and the grading report.)"""
from __future__ import annotations

import html
import re

from grading.cells import is_autograded_test
from grading.nbgrader_ext import hidden_lines

_TAG = re.compile(r"<[^>]+>")


def page_text(page: str) -> str:
    """The visible text of an HTML page (tags removed, entities decoded)."""
    return html.unescape(_TAG.sub("", page))


def leaked_hidden_lines(source_nb, page: str) -> list[str]:
    """Hidden-test lines of the source that appear in a feedback page.

    Lines that also stand in the visible part of their cell are not secret and are skipped.
    """
    text = page_text(page)
    leaks = []
    for cell in source_nb.cells:
        if not is_autograded_test(cell):
            continue
        visible = cell.source.split("### BEGIN HIDDEN TESTS")[0]
        for line in hidden_lines(cell.source):
            if line not in visible and not line.startswith("#") and line in text:
                leaks.append(line)
    return leaks
