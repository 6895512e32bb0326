"""Handing in answers: form checks in the learner's kernel, judging outside it.

A graded exercise's test cell checks the *form* of each answer (a letter, a number
in range, the keys of a dict) and hands the answer over as plain data::

    hand_in("rupture_repair_seeded_run",
            as_number("fraction", fraction_matched_2024, tol=0.001, low=0, high=1),
            as_count("ruptures", ruptures_2024))

The ``as_...`` names say what kind of answer each part is; the prefix keeps them apart
from a learner's own variables (a learner's ``count = 3`` must not break a test cell).

``hand_in`` shows one line and attaches a record (MIME type :data:`MIME`) to the cell's
output. Nothing here knows a key. Whether an answer is right is decided by the course's
judge (``grading.judge``), outside this kernel, against keys made from the instructor's
notebooks (trust model: DESIGN.md). Student code can change what it hands over, and
nothing else.

The self-paced edition (``make lab``) registers salted hashes of the keys with
:func:`self_paced`; then ``hand_in`` also says "correct" or what to revisit, without
showing the key. A hash of a short answer can be searched; the self-paced edition is for
learners checking themselves, never for grades.

A form error shows one line, not a traceback (see :func:`_one_line_errors`).
"""
from __future__ import annotations

import hashlib
import json
import math
import numbers
import signal
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = [
    "MIME", "AnswerError", "check_form", "hand_in", "self_paced", "call",
    "as_choice", "as_label", "as_number", "as_count", "as_exact", "as_mapping", "as_order", "as_selection",
    "as_codes",
    "canonical", "part_hashes",
]

MIME = "application/vnd.imh.answer+json"
RECORD_VERSION = 1
_SALT = "imh-selfpaced-v2"
_MAX_TEXT = 400          # characters of one handed-in string
_MAX_ITEMS = 200         # elements of one handed-in list or dict


class AnswerError(AssertionError):
    """The form of an answer is not right yet; the message says what to fix (one line)."""


# --- plain data ------------------------------------------------------------------------------
class _NotPlain(ValueError):
    pass


def _plain(value, depth: int = 0):
    """``value`` as JSON-ready plain data (numbers, strings, lists, dicts), or _NotPlain."""
    if depth > 4:
        raise _NotPlain("nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        if isinstance(value, str) and len(value) > _MAX_TEXT:
            raise _NotPlain(f"a text of {len(value)} characters (at most {_MAX_TEXT})")
        return str(value) if isinstance(value, str) else value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number_ = float(value)
        if not math.isfinite(number_):
            raise _NotPlain(f"{number_} is not a finite number")
        return number_
    type_name = type(value).__module__ + "." + type(value).__name__
    if type_name.startswith("numpy.") and hasattr(value, "ndim") and getattr(value, "ndim") == 0:
        return _plain(value.item(), depth)
    if isinstance(value, Mapping):
        if len(value) > _MAX_ITEMS:
            raise _NotPlain(f"a dict of {len(value)} entries")
        return {str(_plain(k, depth + 1)): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if len(value) > _MAX_ITEMS:
            raise _NotPlain(f"a list of {len(value)} elements")
        return [_plain(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        if len(value) > _MAX_ITEMS:
            raise _NotPlain(f"a set of {len(value)} elements")
        return sorted((_plain(v, depth + 1) for v in value), key=canonical)
    raise _NotPlain(f"a {type(value).__name__}")


def canonical(value) -> str:
    """A stable text form of plain data (the same in the kernel and in the judge)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _norm_text(text: str) -> str:
    return text.strip().casefold()


# --- parts -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Part:
    """One answer handed over: its name, its kind, its value as plain data, and the visible
    form rules. ``problem`` says why the value is not usable ('' when it is)."""

    name: str
    kind: str
    value: object = None
    spec: dict = field(default_factory=dict)
    problem: str = ""

    def record(self) -> dict:
        entry = {"kind": self.kind, "value": self.value, **self.spec}
        if self.problem:
            entry["problem"] = self.problem
        return entry


@dataclass(frozen=True)
class _Failed:
    """What :func:`call` returns when the learner's function raised or ran too long."""

    reason: str


def call(function, *args, timeout_s: float = 10.0, **kwargs):
    """``function(*args, **kwargs)``, or a failure note if it raises or runs over ``timeout_s``
    seconds, so one bad input costs only its own part of an exercise."""
    if not callable(function):
        return _Failed(f"{function!r} is not a function")
    use_alarm = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if use_alarm:
        def _too_long(signum, frame):
            raise TimeoutError
        previous = signal.signal(signal.SIGALRM, _too_long)
        signal.setitimer(signal.ITIMER_REAL, timeout_s)
    try:
        return function(*args, **kwargs)
    except TimeoutError:
        return _Failed(f"did not return within {timeout_s:g} s")
    except Exception as exc:  # the learner's function: any error costs this part only
        return _Failed(f"raised {type(exc).__name__}: {str(exc)[:120]}")
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def _make(name: str, kind: str, answer, spec: dict, form) -> Part:
    """A Part; ``form(value)`` returns '' or the one-line reason the form is wrong."""
    if isinstance(answer, _Failed):
        return Part(name, kind, None, spec, f"your function {answer.reason}")
    try:
        value = _plain(answer)
    except _NotPlain as exc:
        return Part(name, kind, None, spec, f"cannot be handed in as plain data ({exc})")
    problem = form(value)
    return Part(name, kind, value if not problem else None, spec, problem)


def _letters(options) -> list[str]:
    return [str(o).strip().upper() for o in options]


def as_choice(name: str, answer, *, options) -> Part:
    """One option letter, such as ``"B"``."""
    allowed = _letters(options)

    def form(value):
        if not isinstance(value, str):
            return f"give one letter as a string, one of {', '.join(allowed)}"
        if value.strip().upper() not in allowed:
            return f"{value!r} is not an option; choose one of {', '.join(allowed)}"
        return ""
    part = _make(name, "choice", answer, {"options": allowed}, form)
    return part if part.problem else Part(name, "choice", part.value.strip().upper(), part.spec)


def as_label(name: str, answer, *, labels) -> Part:
    """One word from a fixed vocabulary (compared without case or outer spaces)."""
    allowed = [str(x) for x in labels]

    def form(value):
        if not isinstance(value, str) or _norm_text(value) not in {_norm_text(x) for x in allowed}:
            return f"give one of {', '.join(repr(x) for x in allowed)}"
        return ""
    part = _make(name, "label", answer, {"labels": allowed}, form)
    return part if part.problem else Part(name, "label", _norm_text(part.value), part.spec)


def as_number(name: str, answer, *, tol: float, unit: str = "", low: float | None = None,
           high: float | None = None, allow_none: bool = False) -> Part:
    """A number, judged right within ``tol`` (absolute, in ``unit``) of the key.
    ``low``/``high`` are the openly stated range of sensible answers."""
    unit_text = f" in {unit}" if unit else ""

    def form(value):
        if value is None and allow_none:
            return ""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"give a single number{unit_text}"
        if low is not None and value < low or high is not None and value > high:
            return f"{value:g} lies outside {low if low is not None else '-inf'} to {high if high is not None else 'inf'}{unit_text}"
        return ""
    return _make(name, "number", answer, {"tol": float(tol), "unit": unit}, form)


def as_count(name: str, answer, *, unit: str = "", low: int = 0, high: int | None = None) -> Part:
    """A whole number, judged exactly (a count has no rounding)."""
    def form(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or float(value) != int(value):
            return f"give a whole number{(' of ' + unit) if unit else ''}"
        if value < low or high is not None and value > high:
            return f"{value:g} lies outside {low} to {high if high is not None else 'inf'}"
        return ""
    part = _make(name, "count", answer, {"unit": unit}, form)
    return part if part.problem else Part(name, "count", int(part.value), part.spec)


def as_exact(name: str, answer) -> Part:
    """Any plain value (None, a number, a list...), judged by exact equality."""
    return _make(name, "exact", answer, {}, lambda value: "")


def as_mapping(name: str, answer, *, keys, values=None) -> Part:
    """A dict from each given key to one of ``values`` (texts), or to any plain value
    (``values=None``, e.g. tenet numbers)."""
    keys = [str(k) for k in keys]
    allowed = [str(v) for v in values] if values is not None else None

    def form(value):
        if not isinstance(value, dict):
            return "give a dict such as {'item': 'match', ...} with the keys as given"
        missing = [k for k in keys if k not in value]
        extra = [k for k in value if k not in keys]
        if missing or extra:
            return "keep the keys as given" + (f"; missing {missing}" if missing else "") + (f"; unexpected {extra}" if extra else "")
        if allowed is not None:
            bad = [k for k, v in value.items() if not isinstance(v, str) or _norm_text(v) not in {_norm_text(a) for a in allowed}]
            if bad:
                return f"the values for {bad} are not among {allowed}"
        return ""
    part = _make(name, "mapping", answer, {"keys": keys, "values": allowed}, form)
    if part.problem:
        return part
    return Part(name, "mapping", {k: _norm_text(v) if isinstance(v, str) else v for k, v in part.value.items()}, part.spec)


def as_order(name: str, answer, *, items) -> Part:
    """A list holding each of ``items`` once, in an order."""
    items = [str(i) for i in items]

    def form(value):
        if not isinstance(value, list) or sorted(map(_norm_text, map(str, value))) != sorted(map(_norm_text, items)):
            return f"give a list holding each of {items} exactly once"
        return ""
    part = _make(name, "order", answer, {"items": items}, form)
    return part if part.problem else Part(name, "order", [_norm_text(str(v)) for v in part.value], part.spec)


def as_selection(name: str, answer, *, options) -> Part:
    """Select all that apply: a set (or list) of options, order ignored."""
    options = [str(o) for o in options]
    allowed = {_norm_text(o) for o in options}

    def form(value):
        if not isinstance(value, list):
            return "give a set such as {'A', 'C'}"
        unknown = [v for v in value if not isinstance(v, str) or _norm_text(v) not in allowed]
        if unknown:
            return f"{unknown} are not options; choose from {options}"
        return ""
    part = _make(name, "selection", answer, {"options": options}, form)
    return part if part.problem else Part(name, "selection", sorted({_norm_text(v) for v in part.value}), part.spec)


def as_codes(name: str, answer, *, length: int, alphabet: str, min_agreement: float) -> Part:
    """A string of one-letter codes (spaces ignored), judged by the share of positions that
    agree with the key (at least ``min_agreement``, 0-1)."""
    def form(value):
        if not isinstance(value, str):
            return f"give a string of {length} codes"
        text = value.replace(" ", "").upper()
        if len(text) != length or set(text) - set(alphabet):
            return f"give {length} codes, each one of {', '.join(alphabet)} (you gave {len(text)})"
        return ""
    part = _make(name, "codes", answer, {"length": length, "alphabet": alphabet, "min_agreement": min_agreement}, form)
    return part if part.problem else Part(name, "codes", part.value.replace(" ", "").upper(), part.spec)


# --- handing in ------------------------------------------------------------------------------
_SELF_PACED: dict = {}


def self_paced(feedback: Mapping) -> None:
    """Switch on teaching feedback (the self-paced edition): ``feedback`` maps each item to
    its section and the salted hashes of its key parts (made by ``grading.keys``)."""
    _SELF_PACED.clear()
    _SELF_PACED.update(feedback)


def _digest(item: str, part: str, text: str) -> str:
    return hashlib.sha256(f"{_SALT}:{item}:{part}:{text}".encode()).hexdigest()[:16]


def _number_cells(value: float, tol: float) -> list[str]:
    """The tolerance-sized cells around a number: its own in the middle, one either side."""
    if tol <= 0:
        return [repr(float(value))] * 3
    centre = round(value / tol)
    return [str(centre + k) for k in (-1, 0, 1)]


def part_hashes(item: str, name: str, key: dict) -> dict:
    """The self-paced form of one key part: salted hashes, never the key itself.
    A number accepts about ±1.5 tolerances here (the judge applies exactly ±tol)."""
    kind, value = key["kind"], key["value"]
    if kind == "number" and value is not None:
        return {"kind": kind, "hash": _digest(item, name, _number_cells(value, key["tol"])[1]), "tol": key["tol"]}
    if kind == "codes":
        return {"kind": kind, "hashes": [_digest(item, f"{name}[{i}]", c) for i, c in enumerate(value)],
                "min_agreement": key["min_agreement"]}
    return {"kind": kind, "hash": _digest(item, name, canonical(value))}


def _self_check(item: str, part: Part, stored: dict) -> bool | float:
    if stored["kind"] == "number" and part.value is not None and "tol" in stored:
        return any(_digest(item, part.name, cell) == stored["hash"]
                   for cell in _number_cells(part.value, stored["tol"]))
    if stored["kind"] == "codes":
        hits = sum(_digest(item, f"{part.name}[{i}]", c) == h for i, (c, h) in enumerate(zip(part.value, stored["hashes"])))
        return hits / len(stored["hashes"])
    return _digest(item, part.name, canonical(part.value)) == stored["hash"]


def _display(record: dict, text: str) -> None:
    try:
        from IPython.display import display

        display({MIME: record, "text/plain": text}, raw=True)
    except ImportError:  # plain Python: just say it
        print(text)


def hand_in(item: str, *parts: Part) -> None:
    """Hand over the answers of one exercise and say whether their form is right.

    The record goes to the cell's output for the judge. A form problem raises
    :class:`AnswerError` (one line) after the record is made, so the other parts still count.
    """
    record = {"imh": RECORD_VERSION, "item": str(item), "parts": {}}
    for part in parts:
        if not isinstance(part, Part):
            raise AnswerError(f"{item}: hand_in takes answer parts such as as_number(...) or as_choice(...)")
        record["parts"][part.name] = part.record()
    problems = [f"{p.name}: {p.problem}" for p in parts if p.problem]
    title = _SELF_PACED.get(item, {}).get("title", item)
    if problems:  # the record still goes to the judge; the message is the error's one line
        _display(record, "")
        raise AnswerError(f"{title}: " + "; ".join(problems) + ".")
    stored = _SELF_PACED.get(item)
    if not stored:
        _display(record, f"\u2714 {title}: the form of your answer is right. It is graded when you hand in the notebook.")
        return
    missed, notes = [], []
    for part in parts:
        if part.name not in stored["parts"]:
            continue
        verdict = _self_check(item, part, stored["parts"][part.name])
        if isinstance(verdict, float):
            needed = stored["parts"][part.name]["min_agreement"]
            notes.append(f"{part.name}: {verdict:.0%} agreement (aim for {needed:.0%})")
            if verdict < needed:
                missed.append(part.name)
        elif not verdict:
            missed.append(part.name)
    if not missed:
        _display(record, f"\u2714 {title}: correct." + (" " + "; ".join(notes) + "." if notes else ""))
        return
    right = len(parts) - len(missed)
    where = f" Revisit {stored['section']}." if stored.get("section") else ""
    head = f"{right} of {len(parts)} parts right; not yet: {', '.join(missed)}." if len(parts) > 1 else "not right yet."
    _display(record, "")
    raise AnswerError(f"{title}: {head}{where}")


def check_form(condition, hint: str) -> None:
    """A property of an answer that can be said openly (its type, range, length)."""
    if not condition:
        raise AnswerError(hint)


# --- one line instead of a traceback ------------------------------------------------------------
def _one_line_errors() -> None:
    """In IPython, show an AnswerError as its message alone: a learner needs what to fix,
    not the checker's code. The cell still fails (nbgrader and Run All see an error)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return

    def handler(shell, etype, evalue, tb, tb_offset=None):
        shell._showtraceback(etype, evalue, [f"\u2718 {evalue}"])

    shell.set_custom_exc((AnswerError,), handler)


_one_line_errors()
