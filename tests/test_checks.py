"""The answer-safe checks: right answers pass, wrong ones fail with a hint, and no message leaks the key."""
import numpy as np
import pytest

from widgets.checks import (AnswerError, _main, answer_hash, check_choice, check_label, check_mapping,
                            check_number, check_order, check_set, check_true, mapping_hashes)


def test_choice_accepts_right_letter_in_any_case(capsys):
    key = answer_hash("q_demo", "B")
    check_choice("q_demo", " b ", key, options="ABCD")
    assert "q_demo: correct" in capsys.readouterr().out


def test_choice_wrong_letter_says_not_best_without_the_key():
    key = answer_hash("q_demo", "B")
    with pytest.raises(AnswerError) as info:
        check_choice("q_demo", "C", key, options="ABCD")
    assert "C is not the best answer" in str(info.value)
    assert "B" not in str(info.value).replace("Re-read", "")


@pytest.mark.parametrize("bad, words", [(2, "you gave a int"), (["B"], "you gave a list"), ("E", "not an option")])
def test_choice_wrong_type_or_option_gets_a_clear_message(bad, words):
    with pytest.raises(AnswerError, match=words):
        check_choice("q_demo", bad, answer_hash("q_demo", "B"), options="ABCD")


def test_hash_is_salted_by_question():
    assert answer_hash("q1", "B") != answer_hash("q2", "B")


def test_number_rounding_and_one_step_of_slack():
    key = answer_hash("rate", 11.82, decimals=2)
    for good in (11.82, 11.8249, 11.815, np.float64(11.83), np.array(11.82)):
        check_number("rate", good, key, decimals=2)
    for bad in (11.85, 11.79, 1182):
        with pytest.raises(AnswerError, match="not right yet"):
            check_number("rate", bad, key, decimals=2)


@pytest.mark.parametrize("bad", ["11.82", None, True, [11.82], float("nan"), float("inf")])
def test_number_rejects_non_numbers(bad):
    with pytest.raises(AnswerError, match="number"):
        check_number("rate", bad, answer_hash("rate", 11.82, decimals=2), decimals=2, unit="hours")


def test_label_is_case_insensitive_and_checks_vocabulary():
    key = answer_hash("kind", "easy")
    check_label("kind", "Easy ", key, labels=["easy", "difficult"])
    with pytest.raises(AnswerError, match="not one of"):
        check_label("kind", "eazy", key, labels=["easy", "difficult"])
    with pytest.raises(AnswerError, match="not right yet"):
        check_label("kind", "difficult", key, labels=["easy", "difficult"])


def test_mapping_counts_right_items_and_names_wrong_keys_only():
    truth = {"a": "birth", "b": "five", "c": "five"}
    hashes = mapping_hashes("sort", truth)
    check_mapping("sort", dict(truth), hashes, values=["birth", "five"])
    with pytest.raises(AnswerError) as info:
        check_mapping("sort", {"a": "birth", "b": "birth", "c": "five"}, hashes, values=["birth", "five"])
    assert "2 of 3 right" in str(info.value) and "b" in str(info.value)
    with pytest.raises(AnswerError, match="missing keys"):
        check_mapping("sort", {"a": "birth"}, hashes)
    with pytest.raises(AnswerError, match="not among the options"):
        check_mapping("sort", {"a": "brith", "b": "five", "c": "five"}, hashes, values=["birth", "five"])


def test_order_requires_each_item_once_then_the_order():
    items = ["notice", "return", "name", "wait", "end"]
    key = answer_hash("steps", items)
    check_order("steps", list(items), key, items=items)
    with pytest.raises(AnswerError, match="order is not yet"):
        check_order("steps", items[::-1], key, items=items)
    with pytest.raises(AnswerError, match="exactly once"):
        check_order("steps", items[:-1], key, items=items)


def test_set_ignores_order_and_flags_unknown_options():
    key = answer_hash("pick", {"A", "C"})
    check_set("pick", ["c", "a"], key, options="ABCD")
    with pytest.raises(AnswerError, match="not the right selection"):
        check_set("pick", {"A"}, key, options="ABCD")
    with pytest.raises(AnswerError, match="not options"):
        check_set("pick", {"A", "Z"}, key, options="ABCD")


def test_check_true_shows_hint():
    check_true("frac", True, "unused")
    with pytest.raises(AnswerError, match="between 0 and 1"):
        check_true("frac", False, "the fraction must be between 0 and 1")


def test_command_line_prints_the_hash(capsys):
    assert _main(["rate", "11.82", "2"]) == 0
    assert capsys.readouterr().out.strip() == answer_hash("rate", 11.82, decimals=2)
    assert _main([]) == 2


def test_number_at_an_exact_half_passes_either_way():
    key = answer_hash("peak", 1.5 * 11.05, decimals=2)  # 16.575000000000003
    check_number("peak", 16.575, key, decimals=2)
    check_number("peak", 16.58, key, decimals=2)
    with pytest.raises(AnswerError):
        check_number("peak", 16.60, key, decimals=2)
