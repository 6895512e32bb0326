"""The mechanical part of the course's assessment standard (curriculum/ASSESSMENT.md).

Pure functions over notebooks and keys, so that tests/test_assessment.py can check the whole
course and, on made-up cases, that each check can fail.
"""
from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

from grading.cells import is_answer, is_autograded_test, is_manual, nbgrader_meta
from grading.keys import item_of

KINDS = ("application", "recall", "computation")
MIN_APPLICATION, MAX_COMPUTATION = 0.60, 0.25
MAX_LONGEST_KEYED, MAX_ONE_LETTER = 0.40, 0.40
OPTION = re.compile(r"^\s*[-*]\s+\*\*([A-H])\.\*\*\s+(.*?)\s*$")
PLACEHOLDERS = re.compile(r"to be added|not (?:yet )?(?:been )?checked|not (?:yet )?verified|details not|"
                          r"\[details|\bTODO\b|\bTBD\b|\bFIXME\b", re.I)


@dataclass(frozen=True)
class ChoiceItem:
    notebook: str
    item: str
    options: dict          # letter -> option text
    key: str

    @property
    def keyed_is_longest(self) -> bool:
        """The keyed option is longer than every other option (a test-wise cue; a tie is no cue)."""
        others = [len(text) for letter, text in self.options.items() if letter != self.key]
        return len(self.options[self.key]) > max(others)


def kind_of(cell) -> str | None:
    return cell.metadata.get("imh", {}).get("assesses")


def points_by_kind(nb) -> dict[str, float]:
    """Autograded points of a source notebook, by what each item assesses (None: undeclared)."""
    totals: dict = {}
    for cell in filter(is_autograded_test, nb.cells):
        kind = kind_of(cell)
        totals[kind] = totals.get(kind, 0.0) + float(nbgrader_meta(cell)["points"])
    return totals


def share_problems(totals: dict[str, float]) -> list[str]:
    """What breaks the shares of ASSESSMENT.md: undeclared kinds, too little application, too much computation."""
    problems = [f"{points:g} points with no or an unknown imh.assesses kind" for kind, points in totals.items()
                if kind not in KINDS]
    total = sum(totals.values())
    if total:
        if totals.get("application", 0) / total < MIN_APPLICATION:
            problems.append(f"application {totals.get('application', 0):g} of {total:g} points (< 60%)")
        if totals.get("computation", 0) / total > MAX_COMPUTATION:
            problems.append(f"computation {totals.get('computation', 0):g} of {total:g} points (> 25%)")
    return problems


def options_in(markdown: str) -> dict[str, str]:
    """The ``- **A.** text`` options of a prompt (continuation lines joined)."""
    options, current = {}, None
    for line in markdown.splitlines():
        match = OPTION.match(line)
        if match:
            current = match.group(1)
            options[current] = match.group(2)
        elif current and line.startswith("  ") and line.strip():
            options[current] += " " + line.strip()
        else:
            current = None
    return options


def choice_items(notebook: str, nb, keys: dict) -> list[ChoiceItem]:
    """Single-answer choice items: the options from the markdown just above the answer cell."""
    found = []
    for index, cell in enumerate(nb.cells):
        if not is_autograded_test(cell):
            continue
        item = item_of(nbgrader_meta(cell)["grade_id"])
        parts = keys["items"].get(item, {}).get("parts", {})
        choices = [p for p in parts.values() if p.get("kind") == "choice"]
        if len(choices) != 1 or len(parts) != 1:
            continue
        prompt = next((c.source for c in reversed(nb.cells[:index]) if c.cell_type == "markdown"), "")
        found.append(ChoiceItem(notebook, item, options_in(prompt), str(choices[0]["value"])))
    return found


def choice_problems(items: list[ChoiceItem]) -> list[str]:
    """Course-wide cues: the keyed option too often the longest, one letter keyed too often."""
    problems = [f"{i.notebook}/{i.item}: options not found or key {i.key!r} not among {sorted(i.options)}"
                for i in items if i.key not in i.options or len(i.options) < 3]
    usable = [i for i in items if i.key in i.options and len(i.options) >= 3]
    if not usable:
        return problems
    longest = [i.item for i in usable if i.keyed_is_longest]
    if len(longest) / len(usable) > MAX_LONGEST_KEYED:
        problems.append(f"the keyed option is the longest in {len(longest)} of {len(usable)} items: {longest}")
    for letter in sorted({i.key for i in usable}):
        count = sum(i.key == letter for i in usable)
        if count / len(usable) > MAX_ONE_LETTER:
            problems.append(f"{letter!r} is keyed in {count} of {len(usable)} items")
    return problems


def number_spellings(value: float, tol: float) -> list[str]:
    """How a numeric key would be written (decimals down to the tolerance), for keys worth searching:
    at least two significant digits and not a small whole number (those occur everywhere)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        return []
    if float(value).is_integer() and abs(value) < 100:
        return []
    decimals = max(0, min(4, -math.floor(math.log10(tol)) if tol and tol > 0 else 3))
    spellings = set()
    for d in range(0, decimals + 1):
        text = f"{value:.{d}f}"
        digits = text.lstrip("-").replace(".", "").lstrip("0")
        if len(digits) >= 2 and abs(float(text) - value) <= max(tol, 0):
            spellings.add(text)
    return sorted(spellings)


def number_leaks(value: float, tol: float, text: str) -> list[str]:
    """Spellings of a numeric key that occur in ``text`` as a number on their own."""
    return [s for s in number_spellings(value, tol)
            if re.search(rf"(?<![\d.]){re.escape(s)}(?![\d])", text)]


def mapping_leaks(mapping: dict, text: str) -> list[str]:
    """Pairs of a mapping key written as a pair (``"k": "v"``, ``k,v`` or ``k = v``) in ``text``."""
    leaked = []
    for k, v in mapping.items():
        if re.search(rf"['\"]?{re.escape(str(k))}['\"]?\s*(?::|,|=|->|→)\s*['\"]?{re.escape(str(v))}\b", text):
            leaked.append(f"{k}: {v}")
    return leaked


def selection_leaks(selected, options: str, text: str) -> list[str]:
    """A selection (or its complement) spelled out as letters: "A, C and D", "B, E, F"."""
    chosen = sorted(str(s) for s in selected)
    rest = sorted(set(options) - set(chosen))
    leaks = []
    for group in (chosen, rest):
        if len(group) < 2 or len(group) == len(set(options)):  # all options: the prompt lists them anyway
            continue
        spelled = r"\W{1,8}(?:and\W{1,4}|or\W{1,4})?".join(rf"\**{g}\**" for g in group)
        if re.search(rf"(?<![A-Za-z]){spelled}(?![A-Za-z])", text):
            leaks.append(", ".join(group))
    return leaks


def key_leaks(keys: dict, visible: str) -> list[str]:
    """Keys of a notebook that can be read in the student-visible ``visible`` text."""
    problems = []
    for item, info in keys["items"].items():
        for name, part in info.get("parts", {}).items():
            kind, value = part.get("kind"), part.get("value")
            if kind == "number":
                found = number_leaks(value, float(part.get("tol") or 0), visible)
            elif kind == "mapping" and isinstance(value, dict) and len(value) >= 2:
                found = mapping_leaks(value, visible)
                found = found if len(found) * 2 >= len(value) else []
            elif kind == "selection" and isinstance(value, list):
                found = selection_leaks(value, "".join(part.get("options") or ""), visible)
            else:
                found = []
            problems += [f"{item}/{name}: {leak}" for leak in found]
    return problems


def visible_text(release_nb, executed_source=None) -> str:
    """What a student can read: the release's markdown and code, and the outputs of the cells that
    are neither answers nor tests when the notebook runs (printed numbers, figure descriptions)."""
    parts = [c.source for c in release_nb.cells]
    if executed_source is not None:
        for cell in executed_source.cells:
            if cell.cell_type != "code" or is_answer(cell) or is_autograded_test(cell):
                continue
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream":
                    parts.append(out.get("text", ""))
                elif out.get("output_type") in ("execute_result", "display_data"):
                    data = out.get("data", {})
                    parts.append(str(data.get("text/plain", "")) + str(data.get("text/markdown", "")))
    return "\n".join(parts)


def package_text(widgets_dir: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(widgets_dir.rglob("*"))
                     if p.is_file() and p.suffix in (".py", ".csv", ".json", ".txt", ".md"))


def reflection_problems(nb) -> list[str]:
    """A written reflection shows its criteria to students in the prompt just above it."""
    problems = []
    for index, cell in enumerate(nb.cells):
        if is_manual(cell):
            prompt = next((c.source for c in reversed(nb.cells[:index]) if c.cell_type == "markdown"
                           and not is_manual(c)), "")
            if not re.search(r"\*\*Criteria\b|^#+\s*Criteria\b|^Criteria\b", prompt, re.M):
                problems.append(f"{nbgrader_meta(cell)['grade_id']}: no Criteria list in its prompt")
    return problems


def prose(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown" and not is_manual(c))


def placeholder_lines(nb) -> list[str]:
    return [line.strip() for line in prose(nb).splitlines() if PLACEHOLDERS.search(line)]


def exercise_titles(nb) -> list[str]:
    """The titles of a notebook's exercises ("### Exercise 3 (2 points): Title" gives "title")."""
    return [m.group(1).strip().lower() for m in re.finditer(r"^#+\s*Exercise\s+\d+[^:]*:\s*(.+)$", prose(nb), re.M)]


def read_cast(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def cast_problems(cast: list[dict], prose_by_notebook: dict[str, str]) -> list[str]:
    """One person per name: first names unique in the cast; a person appears only in the
    notebooks listed for them (their first name as a word, outside the References)."""
    problems = []
    firsts: dict = {}
    for row in cast:
        first = row["name"].split()[0]
        if first in firsts:
            problems.append(f"{first} is both {firsts[first]} and {row['name']}")
        firsts[first] = row["name"]
    for row in cast:
        first = row["name"].split()[0]
        allowed = {n.strip() for n in row["notebooks"].split(";") if n.strip()}
        for notebook, text in prose_by_notebook.items():
            body = re.split(r"^#+\s*References\b", text, flags=re.M)[0]
            if notebook[:2] not in allowed and re.search(rf"\b{re.escape(first)}\b", body):
                problems.append(f"{row['name']} appears in {notebook}, which cast.csv does not list for them")
    return problems
