"""The judge: decides outside the student's kernel whether handed-in answers are right.

A test cell's output holds records (``widgets.answers.MIME``) of what the kernel handed
over: plain data only. The judge reads the *values* from those records and everything
else (kind, tolerance, options) from the key, which the kernel never saw. So student code
can change only the values it hands over: forging a value is the same as answering.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

from widgets.answers import MIME, RECORD_VERSION, canonical

MAX_RECORD_CHARS = 50_000   # a record larger than this is not an answer


@dataclass(frozen=True)
class PartResult:
    name: str
    correct: bool
    reason: str            # why not (never the key); '' when right
    credit: float | None = None  # share of the part earned (0-1); None: 1 when correct, else 0

    @property
    def share(self) -> float:
        return float(self.correct) if self.credit is None else self.credit


@dataclass(frozen=True)
class ItemResult:
    item: str
    points: float
    score: float
    parts: tuple[PartResult, ...]
    flags: tuple[str, ...]  # signs of tampering or trouble, for a person to look at

    @property
    def missed(self) -> list[str]:
        return [p.name for p in self.parts if not p.correct]


def records_in(outputs) -> tuple[list[dict], list[str]]:
    """The answer records in one cell's outputs, and problems with malformed ones."""
    records, problems = [], []
    for output in outputs or []:
        data = output.get("data") if isinstance(output, dict) else None
        if not isinstance(data, dict) or MIME not in data:
            continue
        record = data[MIME]
        if isinstance(record, str):  # some writers store JSON as text
            try:
                record = json.loads(record)
            except ValueError:
                problems.append("an answer record that is not JSON")
                continue
        if len(canonical(record)) > MAX_RECORD_CHARS:
            problems.append("an answer record larger than 50,000 characters")
            continue
        if (not isinstance(record, dict) or record.get("imh") != RECORD_VERSION
                or not isinstance(record.get("item"), str) or not isinstance(record.get("parts"), dict)):
            problems.append("a malformed answer record")
            continue
        records.append(record)
    return records, problems


def _text(value) -> str | None:
    return value.strip().casefold() if isinstance(value, str) else None


def _same(a, b) -> bool:
    """Texts compared without case or outer spaces; anything else as plain data."""
    if isinstance(a, str) and isinstance(b, str):
        return _text(a) == _text(b)
    return not isinstance(a, str) and not isinstance(b, str) and canonical(a) == canonical(b)


def compare(key: dict, value) -> tuple[bool, str]:
    """Is ``value`` (plain data from the kernel) right for this key part? And if not, why."""
    kind, expected = key["kind"], key["value"]
    if kind == "number":
        if expected is None or value is None:
            ok = expected is None and value is None
            return ok, "" if ok else "not right"
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return False, "not a number"
        ok = abs(value - expected) <= key["tol"] + 1e-9 * max(1.0, abs(expected))
        return ok, "" if ok else f"not within {key['tol']:g} of the right value"
    if kind == "count":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or float(value) != int(value):
            return False, "not a whole number"
        ok = int(value) == expected
        return ok, "" if ok else "not the right count"
    if kind in ("choice", "label"):
        ok = _text(value) is not None and _text(value) == _text(expected)
        return ok, "" if ok else "not the best answer"
    if kind == "mapping":
        matched = _matched_items(expected, value)
        if matched is None:
            return False, "not a dict with the given keys"
        ok = matched == len(expected)
        return ok, "" if ok else f"{matched} of {len(expected)} items matched"
    if kind == "order":
        ok = isinstance(value, list) and [_text(v) for v in value] == [_text(v) for v in expected]
        return ok, "" if ok else "not the right order"
    if kind == "selection":
        ok = isinstance(value, list) and {_text(v) for v in value} == {_text(v) for v in expected}
        return ok, "" if ok else "not the right selection"
    if kind == "codes":
        if not isinstance(value, str) or len(value) != len(expected):
            return False, f"not {len(expected)} codes"
        agreement = sum(a == b for a, b in zip(value.upper(), expected.upper())) / len(expected)
        ok = agreement >= key["min_agreement"] - 1e-12
        return ok, "" if ok else f"agreement below {key['min_agreement']:.0%}"
    if kind == "exact":
        ok = canonical(value) == canonical(expected)
        return ok, "" if ok else "not right"
    raise ValueError(f"unknown kind of answer {kind!r} in the key")


def _matched_items(expected: dict, value) -> int | None:
    """How many items of a matching ``value`` agree with the key; None if it has other keys."""
    if not isinstance(value, dict) or set(value) != set(expected):
        return None
    return sum(_same(value[k], v) for k, v in expected.items())


def credit(key: dict, value, ok: bool) -> float:
    """The share of one part earned (0-1). A matching earns credit for the items it matched,
    corrected for guessing: (right - wrong / (v - 1)) / n with v possible values, floored at 0, so a
    student who swaps two of eight keeps most of the points while one value given for every item
    (or a random guess) earns about nothing. Any other part is right or not."""
    expected = key["value"]
    right = None if ok or key["kind"] != "mapping" else _matched_items(expected, value)
    if right is None:
        return float(ok)
    wrong = len(expected) - right
    options = len(key.get("values") or []) or len({canonical(v) for v in expected.values()})
    if options < 2:
        return 0.0
    return round(max(0.0, (right - wrong / (options - 1)) / len(expected)), 4)


def judge_item(item: str, key_parts: dict, records: list[dict], points: float,
               problems: list[str] = ()) -> ItemResult:
    """Score one exercise: ``points`` times the share of its key parts earned (a matching part
    can earn part of its share, see :func:`credit`).

    Only records for ``item`` count. A part handed in twice (student code trying several
    values), records for other items, unknown parts and malformed records are flagged.
    """
    flags = list(problems)
    values: dict[str, object] = {}
    twice: set[str] = set()
    for record in records:
        if record["item"] != item:
            flags.append(f"a record for another exercise ({record['item'][:60]!r}) appeared in this test cell")
            continue
        for name, entry in record["parts"].items():
            if name not in key_parts:
                flags.append(f"an unexpected part {name[:60]!r} was handed in")
                continue
            if name in values or name in twice:
                twice.add(name)
                values.pop(name, None)
                continue
            values[name] = entry
    if twice:
        flags.append("handed in more than once: " + ", ".join(sorted(twice)) + " (scored 0)")
    results = []
    for name, key in key_parts.items():
        entry = values.get(name)
        if name in twice:
            results.append(PartResult(name, False, "handed in more than once"))
        elif not isinstance(entry, dict) or "value" not in entry:
            results.append(PartResult(name, False, "not handed in (the cell stopped before it, or the answer is missing)"))
        elif entry.get("problem"):
            results.append(PartResult(name, False, str(entry["problem"])[:200]))
        else:
            ok, why = compare(key, entry["value"])
            results.append(PartResult(name, ok, why, credit(key, entry["value"], ok)))
    earned = sum(p.share for p in results)
    score = round(points * earned / len(results), 4) if results else 0.0
    return ItemResult(item, float(points), score, tuple(results), tuple(flags))
