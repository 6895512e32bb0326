"""Handing in answers (widgets.answers, the kernel side) and judging them (grading.judge)."""
from __future__ import annotations

import json

import numpy as np
import pytest

import widgets.answers as wa
from grading.judge import compare, judge_item, records_in
from grading.keys import describe_items
from widgets.answers import (MIME, AnswerError, as_choice, as_codes, as_count, as_exact, as_label, as_mapping,
                             as_number, as_order, as_selection, call, hand_in, part_hashes, self_paced)


@pytest.fixture
def shown(monkeypatch):
    """Records and text that hand_in displays (the cell output the judge reads)."""
    out = []
    monkeypatch.setattr(wa, "_display", lambda record, text: out.append((record, text)))
    self_paced({})
    yield out
    self_paced({})


# --- form checks say what to fix, never whether the answer is right ----------------------------
@pytest.mark.parametrize("part, problem", [
    (as_choice("q", 3, options="ABCD"), "give one letter"),
    (as_choice("q", "E", options="ABCD"), "not an option"),
    (as_number("q", "12", tol=0.1), "give a single number"),
    (as_number("q", True, tol=0.1), "give a single number"),
    (as_number("q", 1.5, tol=0.1, low=0, high=1), "outside"),
    (as_number("q", float("nan"), tol=0.1), "not a finite number"),
    (as_count("q", 3.5), "whole number"),
    (as_mapping("q", {"a": "x"}, keys=["a", "b"], values=["x"]), "missing ['b']"),
    (as_mapping("q", {"a": "y", "b": "x"}, keys=["a", "b"], values=["x"]), "not among"),
    (as_order("q", ["a", "a"], items=["a", "b"]), "exactly once"),
    (as_selection("q", "A", options="ABC"), "give a set"),
    (as_codes("q", "MXM", length=4, alphabet="MX", min_agreement=0.9), "give 4 codes"),
    (as_number("q", (x for x in range(3)), tol=1), "cannot be handed in as plain data (a generator)"),
    (as_exact("q", object()), "plain data (a object)"),
])
def test_form_problems_name_what_to_fix(part, problem):
    assert problem in part.problem
    assert part.value is None


def test_values_become_plain_data():
    assert as_number("q", np.float64(0.25), tol=0.01).value == 0.25
    assert type(as_number("q", np.float64(0.25), tol=0.01).value) is float
    assert as_count("q", np.int64(86)).value == 86 and type(as_count("q", np.int64(86)).value) is int
    assert as_count("q", 86.0).value == 86
    assert as_choice("q", " b ", options="ABCD").value == "B"
    assert as_label("q", " Within ", labels=["before", "within", "after"]).value == "within"
    assert as_selection("q", {"C", "a"}, options="ABC").value == ["a", "c"]
    assert as_mapping("q", {"a": " X "}, keys=["a"], values=["x"]).value == {"a": "x"}
    assert as_mapping("q", {"A": 3}, keys=["A"]).value == {"A": 3}
    assert as_codes("q", "mx mx", length=4, alphabet="MX", min_agreement=0.9).value == "MXMX"
    assert as_exact("q", None).value is None


def test_a_subclass_that_equals_anything_is_handed_in_as_its_plain_value():
    class Sly(str):
        def __eq__(self, other):
            return True
        __hash__ = str.__hash__

    value = as_choice("q", Sly("c"), options="ABCD").value
    assert value == "C" and type(value) is str


def test_call_confines_a_failing_or_hanging_function():
    assert call(lambda x: x * 2, 4) == 8
    assert "raised ZeroDivisionError" in as_number("q", call(lambda: 1 / 0), tol=1).problem

    def forever():
        while True:
            pass

    assert "did not return within 0.2 s" in as_number("q", call(forever, timeout_s=0.2), tol=1).problem


def test_graded_edition_says_only_that_the_form_is_right(shown):
    hand_in("item_x", as_number("a", 0.3, tol=0.01), as_count("b", 7))
    record, text = shown[-1]
    assert record == {"imh": 1, "item": "item_x", "parts": {"a": {"kind": "number", "value": 0.3, "tol": 0.01, "unit": ""},
                                                              "b": {"kind": "count", "value": 7, "unit": ""}}}
    assert "form of your answer is right" in text and "correct" not in text


def test_a_form_problem_is_handed_in_and_raised_in_one_line(shown):
    with pytest.raises(AnswerError) as raised:
        hand_in("item_x", as_number("a", "0.3", tol=0.01), as_count("b", 7))
    assert "a: give a single number" in str(raised.value) and "\n" not in str(raised.value)
    record, _ = shown[-1]
    assert record["parts"]["a"]["problem"] and record["parts"]["b"]["value"] == 7  # b still counts


def test_self_paced_feedback_teaches_without_the_key(shown):
    key = {"a": {"kind": "number", "value": 0.42, "tol": 0.001}, "m": {"kind": "mapping", "value": {"x": "yes", "y": "no"}}}
    self_paced({"item_x": {"title": "Exercise 4", "section": "3. A model", "parts": {n: part_hashes("item_x", n, k) for n, k in key.items()}}})
    hand_in("item_x", as_number("a", 0.4205, tol=0.001), as_mapping("m", {"x": "yes", "y": "no"}, keys="xy", values=["yes", "no"]))
    assert shown[-1][1] == "\u2714 Exercise 4: correct."
    with pytest.raises(AnswerError) as raised:
        hand_in("item_x", as_number("a", 0.43, tol=0.001), as_mapping("m", {"x": "no", "y": "no"}, keys="xy", values=["yes", "no"]))
    message = str(raised.value)
    assert "0 of 2 parts right" in message and "Revisit 3. A model" in message
    assert "not yet: a, m." in message and "x" not in message.split("not yet:")[1]  # parts, never mapping keys
    table = json.dumps(self_paced.__globals__["_SELF_PACED"])
    assert "0.42" not in table and "yes" not in table  # hashes only


def test_self_paced_codes_report_agreement(shown):
    key = {"kind": "codes", "value": "MMXX" * 10, "min_agreement": 0.9}
    self_paced({"c": {"title": "Ex 8", "section": "", "parts": {"codes": part_hashes("c", "codes", key)}}})
    hand_in("c", as_codes("codes", "MMXX" * 9 + "MMXM", length=40, alphabet="MX", min_agreement=0.9))
    assert "98% agreement" in shown[-1][1]
    with pytest.raises(AnswerError):
        hand_in("c", as_codes("codes", "M" * 40, length=40, alphabet="MX", min_agreement=0.9))


# --- the judge ------------------------------------------------------------------------------------
@pytest.mark.parametrize("key, value, right", [
    ({"kind": "number", "value": 0.42, "tol": 0.001}, 0.4209, True),
    ({"kind": "number", "value": 0.42, "tol": 0.001}, 0.4211, False),
    ({"kind": "number", "value": 0.42, "tol": 0.001}, True, False),
    ({"kind": "number", "value": None, "tol": 0.001}, None, True),
    ({"kind": "number", "value": 0.5, "tol": 0.001}, None, False),
    ({"kind": "count", "value": 86}, 86, True),
    ({"kind": "count", "value": 86}, 87, False),   # counts are exact: no off-by-one
    ({"kind": "count", "value": 86}, 85.6, False),
    ({"kind": "choice", "value": "C"}, "c", True),
    ({"kind": "choice", "value": "C"}, "B", False),
    ({"kind": "mapping", "value": {"a": "x", "b": "y"}}, {"a": "X", "b": "y"}, True),
    ({"kind": "mapping", "value": {"a": "x", "b": "y"}}, {"a": "x", "b": "x"}, False),
    ({"kind": "mapping", "value": {"A": 3}}, {"A": 3}, True),
    ({"kind": "mapping", "value": {"A": 3}}, {"A": "3"}, False),
    ({"kind": "order", "value": ["a", "b"]}, ["a", "b"], True),
    ({"kind": "order", "value": ["a", "b"]}, ["b", "a"], False),
    ({"kind": "selection", "value": ["a", "c"]}, ["c", "a"], True),
    ({"kind": "selection", "value": ["a", "c"]}, ["a"], False),
    ({"kind": "codes", "value": "M" * 10, "min_agreement": 0.9}, "M" * 9 + "X", True),
    ({"kind": "codes", "value": "M" * 10, "min_agreement": 0.9}, "M" * 8 + "XX", False),
    ({"kind": "exact", "value": True}, True, True),
    ({"kind": "exact", "value": True}, 1, False),
])
def test_compare(key, value, right):
    assert compare(key, value)[0] is right


def _record(item, **parts):
    return {"imh": 1, "item": item, "parts": {n: {"kind": "number", "value": v} for n, v in parts.items()}}


KEY = {"a": {"kind": "number", "value": 1.0, "tol": 0.01}, "b": {"kind": "number", "value": 2.0, "tol": 0.01}}


def test_judge_scores_the_share_of_parts_right():
    assert judge_item("x", KEY, [_record("x", a=1.0, b=2.0)], 2).score == 2
    result = judge_item("x", KEY, [_record("x", a=1.0, b=5.0)], 3)
    assert result.score == 1.5 and result.missed == ["b"] and result.flags == ()
    assert judge_item("x", KEY, [], 2).score == 0


MATCH = {"answer": {"kind": "mapping", "value": {k: v for k, v in zip("ABCDEFGH", "abcdefgh")},
                    "keys": list("ABCDEFGH"), "values": list("abcdefgh")}}


def _matching(answer: dict):
    return {"imh": 1, "item": "m", "parts": {"answer": {"kind": "mapping", "value": answer}}}


def test_a_matching_earns_its_items_corrected_for_guessing():
    right = dict(zip("ABCDEFGH", "abcdefgh"))
    assert judge_item("m", MATCH, [_matching(right)], 3).score == 3
    swapped = {**right, "A": "b", "B": "a"}  # two of eight swapped: (6 - 2/7) / 8 of the points
    result = judge_item("m", MATCH, [_matching(swapped)], 3)
    assert result.score == pytest.approx(3 * (6 - 2 / 7) / 8, abs=1e-3)
    assert result.missed == ["answer"] and result.parts[0].reason == "6 of 8 items matched"
    assert judge_item("m", MATCH, [_matching({k: "a" for k in right})], 3).score == 0  # one value for all
    assert judge_item("m", MATCH, [_matching({"A": "a"})], 3).score == 0               # keys missing


def test_a_two_valued_matching_gives_nothing_for_a_constant_answer():
    key = {"answer": {"kind": "mapping", "value": {"p": "yes", "q": "no", "r": "yes", "s": "no"},
                      "keys": list("pqrs"), "values": ["yes", "no"]}}
    assert judge_item("m", key, [_matching({k: "yes" for k in "pqrs"})], 2).score == 0
    assert judge_item("m", key, [_matching({"p": "yes", "q": "no", "r": "yes", "s": "yes"})], 2).score == 1


def test_judge_takes_spec_from_the_key_never_from_the_record():
    forged = {"imh": 1, "item": "x", "parts": {"a": {"kind": "exact", "value": 9.0, "tol": 1e9}, "b": {"kind": "number", "value": 2.0}}}
    assert judge_item("x", KEY, [forged], 2).score == 1


def test_judge_flags_and_zeroes_tampering():
    twice = judge_item("x", KEY, [_record("x", a=1.0, b=2.0), _record("x", a=5.0)], 2)
    assert twice.score == 1 and "more than once: a" in twice.flags[0]
    other = judge_item("x", KEY, [_record("x", a=1.0, b=2.0), _record("y", a=1.0)], 2)
    assert other.score == 2 and "another exercise" in other.flags[0]
    extra = judge_item("x", KEY, [_record("x", a=1.0, b=2.0, zzz=1)], 2)
    assert extra.score == 2 and "unexpected part" in extra.flags[0]


def test_records_in_reads_only_well_formed_records():
    outputs = [
        {"output_type": "stream", "text": '{"imh": 1, "item": "x", "parts": {}}'},
        {"output_type": "display_data", "data": {MIME: _record("x", a=1.0), "text/plain": ""}},
        {"output_type": "display_data", "data": {MIME: json.dumps(_record("x", b=2.0))}},
        {"output_type": "display_data", "data": {MIME: {"item": 3}}},
        {"output_type": "display_data", "data": {MIME: dict(_record("x"), pad="x" * 60_000)}},
        {"output_type": "display_data", "data": {MIME: "not json"}},
    ]
    records, problems = records_in(outputs)
    assert [list(r["parts"]) for r in records] == [["a"], ["b"]]
    assert sorted(problems) == sorted(["a malformed answer record", "an answer record larger than 50,000 characters",
                                       "an answer record that is not JSON"])


def test_titles_and_sections_come_from_the_headings():
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("## 3. A model of a dyad\n### Exercise 4 (2 points): Statistics"),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("hand_in('m_x', as_number('a', x, tol=1))",
                                  metadata={"nbgrader": {"grade": True, "solution": False, "grade_id": "m_x_tests", "points": 2}}),
    ])
    assert describe_items(nb) == {"m_x": {"grade_id": "m_x_tests", "points": 2.0, "title": "Exercise 4 (2 points): Statistics",
                                          "section": "3. A model of a dyad"}}


def test_one_line_errors_in_a_real_kernel():
    """In IPython an AnswerError shows as its message alone, and the cell still fails."""
    from IPython.testing.globalipapp import get_ipython

    shell = get_ipython()
    wa._one_line_errors()  # registers on the running shell
    captured = []
    original = shell._showtraceback
    shell._showtraceback = lambda etype, evalue, stb: captured.append(stb)
    try:
        result = shell.run_cell("from widgets.answers import as_number, hand_in\nhand_in('q', as_number('a', 'x', tol=1))")
    finally:
        shell._showtraceback = original
    assert not result.success
    assert captured and captured[-1] == ["\u2718 q: a: give a single number."]
