"""nbgrader preprocessors of the course (configured in course_config.py).

- :class:`JudgeAnswers` (autograde): scores every test cell with :mod:`grading.judge`
  against keys the kernel never saw, so plain ``nbgrader autograde``, the Formgrader's
  button and ``python -m grading.grade autograde`` all grade the same way.
- :class:`HideHiddenTests` (feedback): nbgrader's default feedback shows hidden tests
  (nbgrader #917, #1363); this replaces each hidden region with a one-line note and
  removes traceback frames that quote it.
- :class:`MathToMathML` (feedback): formulas that render without a network.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import nbformat
from nbclient.exceptions import DeadKernelError
from nbconvert.preprocessors import Preprocessor
from nbgrader.preprocessors import Execute
from traitlets import Bool, Unicode

from grading.judge import judge_item, records_in
from grading.keys import is_test_cell, item_of, load_keys, nbgrader_meta

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


# --- the judge inside nbgrader autograde ------------------------------------------------------

JUDGE_META = "imh_judge"


def judged_outputs(result, execution_count=None) -> list:
    """The outputs a judged test cell gets: nbgrader reads its score from them exactly
    (no error = full points, an execute_result number = partial credit, an error = 0)."""
    marks = "; ".join(("\u2714 " if p.correct else "\u2718 ") + p.name + ("" if p.correct else f" ({p.reason})")
                      for p in result.parts)
    summary = f"Judged by the course: {result.score:g} of {result.points:g} points. {marks}."
    if result.score >= result.points:
        return [nbformat.v4.new_output("stream", name="stdout", text=summary + "\n")]
    if result.score > 0:
        return [nbformat.v4.new_output("stream", name="stdout", text=summary + "\n"),
                nbformat.v4.new_output("execute_result", data={"text/plain": repr(result.score)},
                                       execution_count=execution_count)]
    return [nbformat.v4.new_output("error", ename="NotRight", evalue=summary, traceback=[summary])]


class JudgeAnswers(Preprocessor):
    """Score every autograded test cell with the judge, after Execute and before SaveAutoGrades.

    The cell's outputs are replaced by the judge's verdict, so nothing the student's code
    printed, raised or returned in that cell changes its score; the verdict, per-part
    reasons and flags are kept in the notebook's metadata for the grading report.
    """

    enabled = Bool(True, help="Judge answers outside the kernel (refuse to grade without keys).").tag(config=True)
    keys_dir = Unicode("", help="Folder of key files (default: .grading/keys in the course root).").tag(config=True)
    course_root = Unicode("", help="Course root holding source/ (default: the working folder).").tag(config=True)
    per_student = Bool(False, help="With keys_dir: each student's keys are in keys_dir/students/<id>/ "
                                   "(per-student variants, grading/variants.py).").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        assignment, notebook, student = info.get("assignment"), info.get("notebook"), info.get("student")
        course = Path(self.course_root or os.getcwd())
        if self.keys_dir:  # a grading worker: the parent built the keys of the right variant
            keys = load_keys(course, assignment, notebook, Path(self.keys_dir), build=False,
                             student=student if self.per_student else None)
        else:  # plain nbgrader: the course's secret (if any) says which variant
            keys = load_keys(course, assignment, notebook, student=student)
        verdicts, flags = {}, []
        seen = set()
        for cell in nb.cells:
            if not is_test_cell(cell):
                continue
            item = item_of(nbgrader_meta(cell)["grade_id"])
            seen.add(item)
            errors = [f"{o.get('ename')}" for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            key = keys["items"].get(item)
            points = float(nbgrader_meta(cell).get("points", 0))
            if key is None:
                raise RuntimeError(f"no key for {item} in {assignment}/{notebook}: rebuild the keys "
                                   f"(python -m grading.keys {assignment})")
            records, problems = records_in(cell.get("outputs", []))
            if cell.get("execution_count") is not None and not errors and not records:
                # an honest test cell either hands in a record or raises: its code was changed
                problems.append("the test cell ran without error but handed nothing in "
                                "(student code may have changed what the cell does)")
            result = judge_item(item, key["parts"], records, points, problems)
            cell.outputs = judged_outputs(result, cell.get("execution_count"))
            verdicts[item] = {"score": result.score, "points": result.points, "title": key["title"],
                              "ran": cell.get("execution_count") is not None,
                              "section": key["section"], "errors": errors, "flags": list(result.flags),
                              "parts": {p.name: {"correct": p.correct, "reason": p.reason} for p in result.parts}}
            cell.metadata[JUDGE_META] = {"title": key["title"], "section": key["section"], "missed": result.missed}
            flags += [f"{item}: {f}" for f in result.flags]
        nb.metadata[JUDGE_META] = {"items": verdicts, "flags": flags}
        return nb, resources


class MathToMathML(Preprocessor):
    """Turn $...$ and $$...$$ in markdown cells into MathML, which browsers show without a
    network (nbgrader's feedback page loads MathJax from a CDN)."""

    enabled = Bool(True).tag(config=True)
    _MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$", re.S)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "markdown" or "$" not in cell.source:
            return cell, resources
        from latex2mathml.converter import convert

        def to_mathml(match):
            display = match.group(1) is not None
            tex = match.group(1) if display else match.group(2)
            try:
                return convert(tex.strip(), display="block" if display else "inline")
            except Exception:  # leave what cannot be converted as it was written
                return match.group(0)

        cell.source = self._MATH.sub(to_mathml, cell.source)
        return cell, resources


FEEDBACK_TEMPLATES = str(Path(__file__).resolve().parent / "templates")


# --- a kernel that dies costs only what comes after it ----------------------------------------

KERNEL_DIED = "DeadKernelError"


ISOLATION_META = "imh_isolation"
_PROBE = ("import json as _j, os as _o\n"
          "print(_j.dumps({'uid': _o.getuid(), 'sees_course': _o.path.exists(%r), 'cwd': _o.getcwd()}))")


class KeepGoingExecute(Execute):
    """nbgrader's Execute for autograde, with two additions.

    - **Isolation on every path.** ``isolation`` is ``sandbox`` (each kernel in bubblewrap,
      :mod:`grading.sandbox`), ``none`` (only when the instructor accepted it) or ``auto``
      (the default, used by plain ``nbgrader autograde`` and the Formgrader: the sandbox where
      it works, otherwise refuse unless ``IMH_ACCEPT_UNISOLATED_GRADING=1``). Before any student
      code runs, a probe in the kernel reports its uid and whether it can see the course; the
      notebook's metadata records that verified isolation for the grading report.
    - **A dead kernel costs only what comes after it.** When the kernel dies (os._exit,
      SIGKILL, out of memory) the cells before keep their outputs (so their items keep their
      scores), the cell where it died gets an error, and the cells after are left unrun for the
      judge and the report to flag for a person.
    """

    isolation = Unicode("auto", help="sandbox, none, or auto (sandbox where available, else refuse)").tag(config=True)
    course_root = Unicode("", help="The course root the probe checks the kernel cannot see (default: cwd)").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._died_at, self._probe = None, None
        mode = self.isolation
        if mode == "auto":
            from grading.sandbox import unavailable_reason

            if getattr(self, "_sandbox_reason", None) is None:  # one bwrap probe per nbgrader run
                self._sandbox_reason = unavailable_reason()
            reason = self._sandbox_reason
            if not reason:
                mode = "sandbox"
            elif os.environ.get("IMH_ACCEPT_UNISOLATED_GRADING") == "1":
                mode = "none"
            else:
                raise RuntimeError(
                    f"Refusing to run student code without isolation: {reason}. Student notebooks would run with "
                    "your permissions. Install bubblewrap and grade as root, or set IMH_ACCEPT_UNISOLATED_GRADING=1 "
                    "to accept the risk.")
        if mode == "sandbox" and km is None:
            from grading.sandbox import SandboxKernelManager

            self.kernel_manager_class = SandboxKernelManager
        self._mode = mode
        try:
            return super().preprocess(nb, resources, km)
        finally:
            nb.metadata[ISOLATION_META] = self._verdict()

    def _verdict(self) -> dict:
        probe = self._probe or {}
        verified = bool(probe) and probe.get("uid") not in (None, os.getuid()) and not probe.get("sees_course", True)
        return {"mode": self._mode, "kernel_manager": getattr(self.kernel_manager_class, "__name__", ""),
                "probe": probe, "verified": verified}

    def _run_probe(self, index):
        probe = nbformat.v4.new_code_cell(_PROBE % str(Path(self.course_root or os.getcwd()).resolve()))
        try:
            self.execute_cell(probe, index, store_history=False)
            text = "".join(o.get("text", "") for o in probe.outputs if o.get("output_type") == "stream")
            self._probe = json.loads(text.strip().splitlines()[-1])
        except Exception as exc:  # no verdict is "not verified", never a crash of the grading run
            self._probe = {"error": f"{type(exc).__name__}: {exc}"[:200]}

    def preprocess_cell(self, cell, resources, index):
        # (nbclient's sync execute_cell does not call an overridden async_execute_cell: hook here)
        if getattr(self, "_died_at", None) is not None:
            return cell, resources  # not run: the kernel had died
        if getattr(self, "_probe", None) is None:
            self._run_probe(index)
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._died_at = index
            message = ("The kernel died while running this cell (the code ended or killed Python, or ran out "
                       "of memory); the cells after it were not run.")
            cell.outputs.append(nbformat.v4.new_output("error", ename=KERNEL_DIED, evalue=message,
                                                       traceback=[message]))
            return cell, resources
