"""Answer-safe checks: tell a learner whether an answer is right without printing it.

Every check compares a salted SHA-256 hash of the learner's answer, put in a
canonical form, with the hash stored in the notebook. The right answer never
appears in the student notebook, in a failing assertion, or in a traceback, so
the same calls serve three people:

* a self-paced learner runs the visible check and learns "right" or "not yet",
  with a hint about the *form* of the answer (type, options, units);
* nbgrader's hidden tests call the same functions, so a failing hidden test in
  feedback shows only a hash, never the key (nbgrader #917, #1363);
* an instructor makes the hashes with :func:`answer_hash` (or
  ``python -m widgets.checks``) from the solution.

Why not nbgrader's ``### HASHED AUTOTEST``? It needs an ``autotests.yml`` of
templates, starts a kernel while generating the release, writes generated code
into the student's cell, and reports only pass/fail. It also leaves the source
notebook's tests as comments, so ``nbgrader validate`` on source checks nothing.
These functions are plain Python that runs the same in source and release.

The hash is salted with the question id, so two questions with the same answer
("B") have different hashes. A hash of a short answer can be guessed by trying
every option; that is acceptable for a course: it guards against *seeing* an
answer, not against a determined search.
"""
from __future__ import annotations

import hashlib
import json
import math
import numbers
import sys
from collections.abc import Iterable, Mapping, Sequence

__all__ = [
    "AnswerError",
    "answer_hash",
    "mapping_hashes",
    "check_choice",
    "check_number",
    "check_label",
    "check_mapping",
    "check_order",
    "check_set",
    "check_true",
]

_SALT = "imh-course-v1"


class AnswerError(AssertionError):
    """A check failed. The message helps without giving the answer away.

    Subclasses ``AssertionError`` so nbgrader counts the test cell as failed.
    """


def _canonical(value) -> str:
    """A stable text form of a value (str, number, bool, list, dict)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _digest(question_id: str, canonical: str) -> str:
    text = f"{_SALT}:{question_id}:{canonical}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def _round_text(value: float, decimals: int) -> str:
    rounded = round(float(value), decimals)
    if rounded == 0:
        rounded = 0.0  # -0.0 and 0.0 hash alike
    return f"{rounded:.{decimals}f}"


def answer_hash(question_id: str, value, *, decimals: int | None = None) -> str:
    """The hash a check compares against.

    ``decimals`` is for numbers: the value is rounded to that many decimal places
    first. Strings are compared case-insensitively with outer spaces removed.
    """
    if decimals is not None:
        return _digest(question_id, _round_text(value, decimals))
    return _digest(question_id, _canonical(_normalise(value)))


def mapping_hashes(question_id: str, answers: Mapping) -> dict:
    """Per-key hashes for :func:`check_mapping` (so feedback can say which keys are off)."""
    return {key: answer_hash(f"{question_id}[{key}]", value) for key, value in answers.items()}


def _normalise(value):
    if isinstance(value, str):
        return value.strip().casefold()
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, Mapping):
        return {str(_normalise(k)): _normalise(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normalise(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_normalise(v) for v in value), key=_canonical)
    return value


def _type_name(value) -> str:
    return type(value).__name__


def _passed(question_id: str, message: str = "") -> None:
    text = f"\u2714 {question_id}: correct."
    if message:
        text += " " + message
    print(text)


def _show(value) -> str:
    """A short repr of the learner's own answer (safe: it is theirs)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_choice(question_id: str, answer, expected: str, *, options: str | Sequence[str]) -> None:
    """Multiple choice: ``answer`` is one option letter such as ``"B"``."""
    allowed = [str(o).upper() for o in options]
    if not isinstance(answer, str):
        raise AnswerError(
            f"{question_id}: give one letter as a string, one of {', '.join(allowed)} "
            f"(for example \"{allowed[0]}\"); you gave a {_type_name(answer)}: {_show(answer)}."
        )
    letter = answer.strip().upper()
    if letter not in allowed:
        raise AnswerError(f"{question_id}: {_show(answer)} is not an option; choose one of {', '.join(allowed)}.")
    if answer_hash(question_id, letter) != expected:
        raise AnswerError(f"{question_id}: {letter} is not the best answer. Re-read the section and try again.")
    _passed(question_id)


def check_label(question_id: str, answer, expected: str, *, labels: Sequence[str]) -> None:
    """A word from a fixed vocabulary, such as a temperament type or ``"within"``."""
    allowed = [str(label).casefold() for label in labels]
    if not isinstance(answer, str):
        raise AnswerError(
            f"{question_id}: give a string, one of {', '.join(repr(l) for l in labels)}; "
            f"you gave a {_type_name(answer)}: {_show(answer)}."
        )
    if answer.strip().casefold() not in allowed:
        raise AnswerError(f"{question_id}: {_show(answer)} is not one of {', '.join(repr(l) for l in labels)}.")
    if answer_hash(question_id, answer) != expected:
        raise AnswerError(f"{question_id}: {_show(answer)} is not right yet. Check your reasoning and try again.")
    _passed(question_id)


def check_number(question_id: str, answer, expected: str, *, decimals: int, unit: str = "") -> None:
    """A number, compared after rounding to ``decimals`` places (about one unit of slack either side).

    The slack (±1 in the last kept place) absorbs rounding at a boundary, so
    11.8249999 and 11.825 both pass a key of 11.82 or 11.83 rounded to 2 places,
    while 11.85 fails it.
    """
    unit_text = f" (in {unit})" if unit else ""
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        try:  # numpy scalars and 0-d arrays are numbers too
            import numpy as np

            if isinstance(answer, np.ndarray) and answer.ndim == 0:
                answer = answer.item()
        except ImportError:  # pragma: no cover - numpy is a course dependency
            pass
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise AnswerError(
            f"{question_id}: give a single number{unit_text}; you gave a {_type_name(answer)}: {_show(answer)}."
        )
    if not math.isfinite(float(answer)):
        raise AnswerError(f"{question_id}: {_show(answer)} is not a finite number.")
    step = 10.0 ** (-decimals)
    # Half-step offsets make the check immune to binary rounding at an exact half
    # (16.575 may round either way); the accepted band is about ±1 step.
    for offset in (0.0, -0.5, 0.5, -1.0, 1.0):
        if answer_hash(question_id, answer + offset * step, decimals=decimals) == expected:
            _passed(question_id)
            return
    raise AnswerError(
        f"{question_id}: {_round_text(answer, decimals)}{unit_text} is not right yet "
        f"(compared to {decimals} decimal places). Check the units and each step of the arithmetic."
    )


def check_true(question_id: str, condition: bool, hint: str) -> None:
    """A property of the answer (its type, length, range) that can be shown openly.

    Use this for checks that reveal nothing, e.g. "the fraction lies in [0, 1]".
    """
    if not condition:
        raise AnswerError(f"{question_id}: {hint}")


def check_mapping(question_id: str, answer, expected: Mapping[str, str], *, values: Sequence[str] | None = None) -> None:
    """Matching: a dict from each item to its match; says how many are right and which are not.

    ``expected`` comes from :func:`mapping_hashes`. ``values`` is the allowed set of
    matches, so a typo gets its own message instead of counting as wrong.
    """
    if not isinstance(answer, Mapping):
        raise AnswerError(f"{question_id}: give a dict such as {{'item': 'match', ...}}; you gave a {_type_name(answer)}.")
    missing = [key for key in expected if key not in answer]
    extra = [key for key in answer if key not in expected]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing keys {missing}")
        if extra:
            parts.append(f"unexpected keys {extra}")
        raise AnswerError(f"{question_id}: keep the keys as given ({'; '.join(parts)}).")
    if values is not None:
        allowed = {str(v).casefold() for v in values}
        bad = {k: v for k, v in answer.items() if not isinstance(v, str) or v.strip().casefold() not in allowed}
        if bad:
            raise AnswerError(f"{question_id}: these values are not among the options {list(values)}: {bad}.")
    wrong = [key for key, digest in expected.items() if answer_hash(f"{question_id}[{key}]", answer[key]) != digest]
    if wrong:
        right = len(expected) - len(wrong)
        raise AnswerError(f"{question_id}: {right} of {len(expected)} right. Look again at: {', '.join(map(str, wrong))}.")
    _passed(question_id, f"All {len(expected)} matched.")


def check_order(question_id: str, answer, expected: str, *, items: Iterable) -> None:
    """Ordering: a list holding each of ``items`` exactly once, in the right order."""
    items = list(items)
    if not isinstance(answer, (list, tuple)):
        raise AnswerError(f"{question_id}: give a list that holds each item once; you gave a {_type_name(answer)}.")
    norm = [_normalise(a) for a in answer]
    wanted = sorted((_normalise(i) for i in items), key=_canonical)
    if sorted(norm, key=_canonical) != wanted:
        raise AnswerError(f"{question_id}: the list must hold each of these exactly once: {items}.")
    if answer_hash(question_id, list(answer)) != expected:
        raise AnswerError(f"{question_id}: the items are right but the order is not yet.")
    _passed(question_id)


def check_set(question_id: str, answer, expected: str, *, options: Iterable) -> None:
    """Select all that apply: a set (or list) of options, order ignored."""
    options = list(options)
    if not isinstance(answer, (set, frozenset, list, tuple)):
        raise AnswerError(f"{question_id}: give a set such as {{'A', 'C'}}; you gave a {_type_name(answer)}.")
    allowed = {_normalise(o) for o in options}
    chosen = {_normalise(a) for a in answer}
    unknown = chosen - allowed
    if unknown:
        raise AnswerError(f"{question_id}: {sorted(map(str, unknown))} are not options; choose from {options}.")
    if answer_hash(question_id, set(chosen)) != expected:
        raise AnswerError(f"{question_id}: not the right selection yet ({len(chosen)} chosen).")
    _passed(question_id)


def _main(argv: list[str]) -> int:
    """``python -m widgets.checks QUESTION_ID VALUE [DECIMALS]``: print a hash for a notebook."""
    if len(argv) not in (2, 3):
        print(__doc__.splitlines()[0])
        print("usage: python -m widgets.checks QUESTION_ID VALUE_AS_JSON [DECIMALS]")
        return 2
    value = json.loads(argv[1])
    if isinstance(value, list) and argv[1].lstrip().startswith("{"):
        value = set(value)
    decimals = int(argv[2]) if len(argv) == 3 else None
    print(answer_hash(argv[0], value, decimals=decimals))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(_main(sys.argv[1:]))
