"""nbgrader feedback preprocessor that keeps hidden tests out of feedback HTML.

nbgrader's default feedback shows the full source of every test cell, hidden
tests included (nbgrader #917, #1363). :class:`HideHiddenTests` replaces each
hidden region with a one-line note and removes traceback frames whose code
comes from a hidden region, keeping the error's last line (the checker's hint,
which never contains the answer; see ``widgets.checks``).
"""
from __future__ import annotations

import re

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

BEGIN = "### BEGIN HIDDEN TESTS"
END = "### END HIDDEN TESTS"
NOTE = "# (hidden tests were run here; their code is not shown in feedback)"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def hidden_lines(source: str) -> list[str]:
    """The stripped, non-empty code lines inside hidden-test regions of a cell."""
    lines, inside = [], False
    for line in source.splitlines():
        if BEGIN in line:
            inside = True
        elif END in line:
            inside = False
        elif inside and line.strip():
            lines.append(line.strip())
    return lines


def strip_hidden(source: str) -> str:
    """The cell source with each hidden-test region replaced by :data:`NOTE`."""
    out, inside = [], False
    for line in source.splitlines():
        if BEGIN in line:
            inside = True
            out.append(NOTE)
        elif END in line:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


class HideHiddenTests(Preprocessor):
    """Remove hidden-test source and the traceback lines that quote it."""

    # nbgrader registers converter preprocessors without enabling them; nbconvert's default is off.
    enabled = Bool(True, help="Hide hidden tests in feedback (on unless switched off).").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or BEGIN not in cell.source:
            return cell, resources
        secret = hidden_lines(cell.source)
        cell.source = strip_hidden(cell.source)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [
                    frame for frame in output.get("traceback", [])
                    if not any(line in _ANSI.sub("", frame) for line in secret)
                ]
                if not output["traceback"]:
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources
