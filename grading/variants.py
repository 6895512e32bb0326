"""Course variants: a course secret turns the public notebooks into the course's own.

The course is open, so ``source/`` with every solution is public. An instructor who sets a
secret (``IMH_COURSE_SECRET`` or the never-committed file ``.course-secret`` in the course
root) releases a *variant* of every notebook: the numbers, seeds and case details the
author declared variable are drawn from the secret within the author's ranges, and the
lettered options of each exercise are shuffled. Keys are never typed: they come from
running the variant's own solutions (:func:`grading.keys.build_keys`). Without a secret
the variant is the public one, which is exactly the committed ``release/``.

How an author declares a variable value (a line in any code cell; see CONTRIBUTING)::

    born_at_weeks = 32          # vary: int 28..35
    visit_minutes = 50          # vary: int 30..60 step 5
    daily_hours = 2.5           # vary: float 1.5..4.0 step 0.5
    family_name = "Haddad"      # vary: one of ["Haddad", "Okafor", "Lindqvist"]
    visit_minutes = [50, 45]    # vary: list of 2 int 25..90
    hidden_seed = 11            # vary: seed

and writes ``{{born_at_weeks}}`` (or any expression of the declared names, such as
``{{40 - born_at_weeks}}``) where prose shows the value. A lettered list (``- **A.** ...``)
in the markdown just above an answer cell is shuffled, and the one-letter strings of that
answer's solution are relabelled to match. A list whose options seem to name each other (for
example "both A and C") is left in order; ``<!-- imh-shuffle -->`` in the cell shuffles it
anyway (when "D" is an attachment classification, not an option), ``<!-- imh-fixed-order -->``
keeps any list in order.

Values in cells nbgrader restores at grading time (test cells, locked cells, hidden tests)
are drawn per course; everything else may be drawn per student (secret + student id).
"""
from __future__ import annotations

import ast
import copy
import hashlib
import hmac
import io
import os
import re
import string
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SECRET_ENV, PER_STUDENT_ENV = "IMH_COURSE_SECRET", "IMH_PER_STUDENT_VARIANTS"
SECRET_FILE = ".course-secret"
MIN_SECRET_CHARS = 16

_VARY = re.compile(r"^(?P<indent>\s*)(?P<name>[A-Za-z_]\w*)\s*=\s*(?P<value>.+?)\s*#\s*vary:\s*(?P<spec>.+?)\s*$")
_RANGE = re.compile(r"^(?P<kind>int|float)\s+(?P<low>-?[\d.]+)\s*\.\.\s*(?P<high>-?[\d.]+)(?:\s+step\s+(?P<step>[\d.]+))?$")
_ONE_OF = re.compile(r"^one of\s+(?P<options>\[.*\])$")
_LIST_OF = re.compile(r"^list of (?P<count>\d+) (?P<spec>.+)$")
_TEMPLATE = re.compile(r"\{\{\s*(.+?)\s*\}\}")
_OPTION = re.compile(r"^- \*\*(?P<letter>[A-Z])\.\*\*\s?(?P<text>.*)$")
SOLUTION_BEGIN, SOLUTION_END = "### BEGIN SOLUTION", "### END SOLUTION"


class VariantError(ValueError):
    """A declaration or template the release cannot honour (the message says where)."""


# --- the secret ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class CourseSecret:
    """The instructor's secret and whether each student gets a variant of their own."""
    secret: str = field(repr=False)
    per_student: bool = False

    @property
    def fingerprint(self) -> str:
        """A name for the secret's key folder that does not reveal the secret."""
        return hashlib.sha256(b"imh-variant-fingerprint|" + self.secret.encode()).hexdigest()[:12]


def course_secret(course: Path | None = None) -> CourseSecret | None:
    """The course's secret from ``IMH_COURSE_SECRET`` or ``<course>/.course-secret``, else None.

    The file holds the secret on its first line; a line ``per_student = yes`` (or the
    variable ``IMH_PER_STUDENT_VARIANTS=1``) gives every student a variant of their own.
    """
    text, per_student = os.environ.get(SECRET_ENV, ""), os.environ.get(PER_STUDENT_ENV, "") in ("1", "yes", "true")
    path = Path(course or ".") / SECRET_FILE
    if not text and path.is_file():
        lines = [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
        text = lines[0] if lines else ""
        per_student = per_student or any(re.fullmatch(r"per_student\s*=\s*(yes|true|1)", line, re.I) for line in lines[1:])
    if not text:
        return None
    if len(text) < MIN_SECRET_CHARS:
        raise VariantError(f"the course secret is {len(text)} characters; use at least {MIN_SECRET_CHARS} "
                           "(for example: python -c 'import secrets; print(secrets.token_hex(16))')")
    return CourseSecret(text, per_student)


@dataclass(frozen=True)
class Variant:
    """Which version of one assignment: the public one, the course's, or one student's."""
    assignment: str
    course_seed: bytes | None = field(default=None, repr=False)
    student_seed: bytes | None = field(default=None, repr=False)
    folder: str = ""          # where its keys live under .grading/keys ('' = public)
    label: str = "public"

    @property
    def is_public(self) -> bool:
        return self.course_seed is None

    @property
    def id(self) -> str:
        """Identifies the variant in its key file (checked when keys are loaded)."""
        if self.is_public:
            return "public"
        return hashlib.sha256(self.course_seed + (self.student_seed or b"")).hexdigest()[:16]

    def rng(self, context: str, per_course: bool) -> np.random.Generator:
        """A generator for one declared value or list: the same context, the same draw."""
        seed = self.course_seed if per_course or self.student_seed is None else self.student_seed
        digest = hmac.new(seed, context.encode(), hashlib.sha256).digest()
        return np.random.default_rng(int.from_bytes(digest[:16], "big"))


def variant_of(secret: CourseSecret | str | None, assignment: str, student: str | None = None) -> Variant:
    """The variant of ``assignment`` for this secret (and student, when variants are per student)."""
    if secret is None:
        return Variant(assignment)
    if isinstance(secret, str):
        secret = CourseSecret(secret, per_student=student is not None)
    key = secret.secret.encode()
    course_seed = hmac.new(key, f"course|{assignment}".encode(), hashlib.sha256).digest()
    folder = f"variant-{secret.fingerprint}"
    if secret.per_student and student is not None:
        student_seed = hmac.new(key, f"student|{student}|{assignment}".encode(), hashlib.sha256).digest()
        return Variant(assignment, course_seed, student_seed, f"{folder}/students/{student}", f"student {student}")
    return Variant(assignment, course_seed, None, folder, "course")


def variant_for(course: Path, assignment: str, student: str | None = None) -> Variant:
    """The variant a course root grades: from its secret, or the public one without a secret."""
    return variant_of(course_secret(course), assignment, student)


# --- declarations -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Declared:
    """One value an author declared variable."""
    name: str
    default: object
    spec: str
    cell: int
    per_course: bool     # in a cell nbgrader restores at grading: the same for the whole course


def _owned_by_nbgrader(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("locked") or (meta.get("grade") and not meta.get("solution")))


def declarations(nb) -> list[Declared]:
    """Every ``# vary:`` line of the notebook, checked (a bad spec raises VariantError)."""
    found, names = [], set()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "# vary:" not in cell.source:
            continue
        for line in cell.source.splitlines():
            match = _VARY.match(line)
            if "# vary:" in line and not match:
                raise VariantError(f"cell {index}: '# vary:' must end a line 'name = value  # vary: spec': {line.strip()!r}")
            if not match:
                continue
            name = match["name"]
            if name in names:
                raise VariantError(f"cell {index}: {name} is declared variable twice")
            names.add(name)
            try:
                default = ast.literal_eval(match["value"])
            except (ValueError, SyntaxError):
                raise VariantError(f"cell {index}: the value of {name} must be a literal, not {match['value']!r}") from None
            declared = Declared(name, default, match["spec"], index, _owned_by_nbgrader(cell))
            draw(declared, np.random.default_rng(0))  # checks the spec
            found.append(declared)
    return found


def draw(declared: Declared, rng: np.random.Generator):
    """A value for ``declared`` within its spec."""
    spec = declared.spec
    match = _LIST_OF.match(spec)
    if match:
        count = int(match["count"])
        if not isinstance(declared.default, list) or len(declared.default) != count:
            raise VariantError(f"{declared.name}: 'list of {count}' needs a default list of {count} values")
        one = Declared(declared.name, declared.default[0], match["spec"], declared.cell, declared.per_course)
        return [draw(one, rng) for _ in range(count)]
    if spec == "seed":
        return int(rng.integers(0, 2**31 - 1))
    match = _RANGE.match(spec)
    if match:
        kind, step = match["kind"], match["step"]
        low, high = float(match["low"]), float(match["high"])
        step_value = float(step) if step else 1.0
        if kind == "float" and not step:
            raise VariantError(f"{declared.name}: a float range needs a step (for example 'float 0.1..0.9 step 0.05')")
        count = int(round((high - low) / step_value)) + 1
        if high < low or count < 2 or abs(low + (count - 1) * step_value - high) > 1e-9 * max(1, abs(high)):
            raise VariantError(f"{declared.name}: {spec!r} is not a range of at least two values on its step")
        value = low + step_value * int(rng.integers(0, count))
        if kind == "int":
            return int(round(value))
        decimals = len(step.split(".")[1]) if "." in step else 0
        return round(value, decimals)
    match = _ONE_OF.match(spec)
    if match:
        try:
            options = ast.literal_eval(match["options"])
        except (ValueError, SyntaxError):
            raise VariantError(f"{declared.name}: the options of {spec!r} must be a list of literals") from None
        if len(options) < 2:
            raise VariantError(f"{declared.name}: 'one of' needs at least two options")
        return options[int(rng.integers(0, len(options)))]
    raise VariantError(f"{declared.name}: unknown spec {spec!r} (int LOW..HIGH [step S], float LOW..HIGH step S, "
                       "one of [...], list of N <spec>, seed)")


# --- making a variant ---------------------------------------------------------------------------

@dataclass
class Made:
    """A variant notebook and what was drawn for it (values by name, letters moved by item)."""
    notebook: object
    values: dict
    relabelled: dict        # answer grade_id -> {old letter: new letter}


def _render(text: str, values: dict, where: str) -> str:
    def evaluate(match):
        expression = match.group(1)
        try:
            result = eval(compile(expression, where, "eval"),  # noqa: S307: the author's template
                          {"__builtins__": {}, "round": round, "abs": abs, "min": min, "max": max}, dict(values))
        except Exception as exc:
            raise VariantError(f"{where}: the template {{{{{expression}}}}} cannot be filled: {exc}") from None
        return f"{result:g}" if isinstance(result, float) else str(result)

    return _TEMPLATE.sub(evaluate, text)


def _option_block(text: str) -> tuple[int, int, list[tuple[str, str]]] | None:
    """(first line, last line + 1, [(letter, text)]) of the lettered list in ``text``, letters
    A, B, ... in order; an option may go on over indented lines."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if _OPTION.match(line)), None)
    if start is None:
        return None
    end, entries = start, []
    while end < len(lines):
        match = _OPTION.match(lines[end])
        if match:
            entries.append((match["letter"], match["text"]))
        elif lines[end].startswith((" ", "\t")) and lines[end].strip():
            entries[-1] = (entries[-1][0], entries[-1][1] + "\n" + lines[end])
        else:
            break
        end += 1
    if [letter for letter, _ in entries] != list(string.ascii_uppercase[:len(entries)]) or len(entries) < 2:
        return None
    return start, end, entries


def _names_other_options(entries) -> bool:
    """Whether an option refers to options by letter ("both A and C"): then order matters."""
    letters = {letter for letter, _ in entries}
    for _, text in entries:
        for token in re.findall(r"(?<![\w*])([A-Z])(?![\w*'’])", text):
            if token in letters and not (token == "A" and re.search(r"(?<![\w*])A\s+[a-z]", text)):
                return True
    return False


def _relabel_solution(source: str, mapping: dict) -> str:
    """The cell with every one-letter string literal of its solution region relabelled."""
    lines = source.split("\n")
    try:
        begin = next(i for i, line in enumerate(lines) if SOLUTION_BEGIN in line)
        end = next(i for i, line in enumerate(lines) if SOLUTION_END in line and i > begin)
    except StopIteration:
        return source
    region = "\n".join(lines[begin + 1:end]) + "\n"
    out, changed = [], False
    for token in tokenize.generate_tokens(io.StringIO(region).readline):
        if token.type == tokenize.STRING:
            try:
                value = ast.literal_eval(token.string)
            except (ValueError, SyntaxError):
                value = None
            if isinstance(value, str) and value in mapping:
                quote = token.string[-1]
                token = token._replace(string=f"{quote}{mapping[value]}{quote}")
                changed = True
        out.append(token)
    if not changed:
        return source
    new_region = tokenize.untokenize(out).rstrip("\n")
    return "\n".join(lines[:begin + 1] + new_region.split("\n") + lines[end:])


def _solution_value(source: str):
    """The literal values assigned in a solution region (for telling whether a relabelling changed them)."""
    lines = source.split("\n")
    try:
        begin = next(i for i, line in enumerate(lines) if SOLUTION_BEGIN in line)
        end = next(i for i, line in enumerate(lines) if SOLUTION_END in line and i > begin)
    except StopIteration:
        return None
    try:
        tree = ast.parse("\n".join(lines[begin + 1:end]))
    except SyntaxError:
        return None
    values = []
    for node in tree.body:
        if isinstance(node, ast.Assign):
            try:
                values.append(ast.literal_eval(node.value))
            except (ValueError, SyntaxError):
                values.append(ast.dump(node.value))
        else:
            values.append(ast.dump(node))
    return values


def _shuffle_options(nb, variant: Variant, relabelled: dict) -> None:
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("solution") or meta.get("grade"):
            continue
        grade_id = meta.get("grade_id", f"cell{index}")
        above = index - 1
        while above >= 0 and nb.cells[above].cell_type == "markdown":
            block = _option_block(nb.cells[above].source)
            if block:
                break
            above -= 1
        else:
            continue
        if above < 0 or nb.cells[above].cell_type != "markdown" or not block:
            continue
        start, end, entries = block
        text = nb.cells[above].source
        if "imh-fixed-order" in text or (_names_other_options(entries) and "imh-shuffle" not in text):
            continue
        rng = variant.rng(f"options|{grade_id}", per_course=_owned_by_nbgrader(nb.cells[above]))
        letters = [letter for letter, _ in entries]
        before = _solution_value(cell.source)
        for _attempt in range(64):  # a new order that changes the answer (copying the public letters earns nothing)
            order = list(rng.permutation(len(entries)))
            mapping = {letters[old]: letters[new] for new, old in enumerate(order)}
            after = _relabel_solution(cell.source, mapping)
            if _solution_value(after) != before:
                break
        lines = nb.cells[above].source.split("\n")
        listed = [f"- **{letters[new]}.** {entries[old][1]}" for new, old in enumerate(order)]
        nb.cells[above].source = "\n".join(lines[:start] + listed + lines[end:])
        cell.source = after
        relabelled[grade_id] = mapping


def make_variant(nb, variant: Variant) -> Made:
    """``nb`` (a source notebook) as ``variant``: declared values drawn, templates filled,
    options shuffled, ``# vary:`` specs removed. The public variant keeps every default and
    every order, and differs from the source only where templates and specs are written."""
    nb = copy.deepcopy(nb)
    declared = declarations(nb)
    values = {d.name: (d.default if variant.is_public else draw(d, variant.rng(f"value|{d.name}", d.per_course)))
              for d in declared}
    for d in declared:
        cell = nb.cells[d.cell]
        lines = []
        for line in cell.source.split("\n"):
            match = _VARY.match(line)
            if match and match["name"] == d.name:  # the author's own spelling for the default
                written = match["value"] if values[d.name] == d.default else repr(values[d.name])
                line = f"{match['indent']}{d.name} = {written}"
            lines.append(line)
        cell.source = "\n".join(lines)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and "{{" in cell.source:
            cell.source = _render(cell.source, values, f"markdown cell {index}")
    relabelled: dict = {}
    if not variant.is_public:
        _shuffle_options(nb, variant, relabelled)
    nb.metadata.setdefault("imh", {})
    if not variant.is_public:
        nb.metadata["imh"]["variant"] = variant.id
    return Made(nb, values, relabelled)


def student_copy(course_release_nb, student_variant_nb):
    """A student's own notebook: the course release with the cells nbgrader does not own
    (prose, plain code) taken from the student's variant. Cells nbgrader restores at
    grading (tests, locked cells) stay the course's, so the gradebook fits every student."""
    nb = copy.deepcopy(course_release_nb)
    if len(nb.cells) != len(student_variant_nb.cells):
        raise VariantError("the student's variant does not have the release's cells")
    for mine, theirs in zip(nb.cells, student_variant_nb.cells):
        meta = mine.get("metadata", {}).get("nbgrader", {})
        if not meta.get("grade_id") and not meta.get("locked"):
            mine.source = theirs.source
    nb.metadata.setdefault("imh", {})["variant"] = student_variant_nb.metadata.get("imh", {}).get("variant")
    return nb


# --- where a course with a secret keeps its variant ----------------------------------------------

VARIANT_SOURCE = Path(".grading") / "variant-source"   # the variant's instructor notebooks (never committed)
VARIANT_RELEASE = Path("variant-release")              # what students get (never committed)


def source_folder(course: Path) -> Path:
    """The source/ nbgrader generates from: the course variant's when the course has a secret."""
    return Path(course) / (VARIANT_SOURCE if course_secret(course) else "source")


def release_folder(course: Path) -> Path:
    """The release/ students got: the course variant's when the course has a secret."""
    return Path(course) / (VARIANT_RELEASE if course_secret(course) else "release")
