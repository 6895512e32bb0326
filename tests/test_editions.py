"""The two student editions: release/ (graded: form checks only, no keys) and selfpaced/
(teaching feedback from salted hashes), both made from source/ by `make release`."""
from __future__ import annotations

import json
import re

import nbformat
import pytest

from tests.conftest import ASSIGNMENTS
from tools.course import ROOT, release_notebook
from tools.release import SELFPACED, self_paced_edition
from widgets.answers import Part, _self_check

HEX = re.compile(r"\b[0-9a-f]{16,64}\b")


@pytest.fixture(scope="module")
def keys(source_runs):
    return source_runs


def _keys(get, assignment):
    return get(assignment)[1]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_self_paced_edition_is_what_make_release_makes_now(assignment, keys):
    release = nbformat.read(release_notebook(assignment), as_version=4)
    made = self_paced_edition(release, _keys(keys, assignment))
    committed = json.loads((SELFPACED / assignment / f"{assignment}.ipynb").read_text(encoding="utf-8"))
    assert json.loads(nbformat.writes(made)) == committed, f"selfpaced/{assignment} is stale: run `make release`"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_self_paced_feedback_accepts_every_key_and_shows_none(assignment, keys):
    key = _keys(keys, assignment)
    selfpaced = nbformat.read(SELFPACED / assignment / f"{assignment}.ipynb", as_version=4)
    cell = next(c for c in selfpaced.cells if c.get("id") == "self-paced-feedback")
    table = json.loads(re.search(r"self_paced\((\{.*\})\)", cell.source).group(1))
    assert set(table) == set(key["items"])
    for item, info in key["items"].items():
        for name, part in info["parts"].items():
            stored = table[item]["parts"][name]
            verdict = _self_check(item, Part(name, part["kind"], part["value"]), stored)
            assert verdict is True or verdict == 1.0, (item, name)
            if part["kind"] in ("mapping", "order", "selection"):  # a structured key never appears whole
                assert json.dumps(part["value"], sort_keys=True, separators=(",", ":")) not in json.dumps(table)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_holds_no_key_and_no_hash(assignment):
    text = release_notebook(assignment).read_text(encoding="utf-8")
    text = re.sub(r'"checksum": "[0-9a-f]{32}"', "", text)  # nbgrader's checksums of its own cells
    text = re.sub(r"\b10\.\d{4,9}/[^\s\"<>]+", "", text)        # DOIs of the references (digits, not hashes)
    assert not HEX.findall(text), "a hash in the graded edition can be searched for the key"
    assert "self_paced(" not in text and "_KEY" not in text and "check_" not in text.replace("check_form", "")


def test_keys_live_outside_the_package_and_release():
    assert not list((ROOT / "widgets").rglob("*.json")) or all(
        "key" not in p.name for p in (ROOT / "widgets").rglob("*.json"))
    assert not (ROOT / "release" / ".grading").exists() and not (ROOT / "widgets" / ".grading").exists()


def test_make_lab_copies_the_self_paced_edition_and_never_overwrites_work(tmp_path):
    from tools.workspace import sync_workspace

    first = sync_workspace(tmp_path)
    assert sorted(p.relative_to(tmp_path) for p in first) == sorted(
        p.relative_to(SELFPACED) for p in SELFPACED.glob("*/*.ipynb"))
    copy = nbformat.read(first[0], as_version=4)
    assert any(c.get("id") == "self-paced-feedback" for c in copy.cells)
    first[0].write_text("my own work")
    assert sync_workspace(tmp_path) == [] and first[0].read_text() == "my own work"
