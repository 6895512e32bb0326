"""The whole slide deck is taught: every section heading maps to the notebook that teaches it.

The mapping is data (curriculum/deck_map.csv): heading, notebook, a phrase the notebook's
prose must contain, and a note. Rows with notebook "-" are lines of the deck that are not
section headings (a caption, a line break inside a graphic, the presenter's contact).
"""
import csv
import re
from pathlib import Path

import nbformat
import pytest

from tests.conftest import ASSIGNMENTS
from tools.course import ROOT, source_notebook

DECK = ROOT / "curriculum" / "seed-deck.txt"  # the slide deck the course grew from, kept in the repository
MAP = ROOT / "curriculum" / "deck_map.csv"
NOTEBOOKS = [f"{n:02d}_" for n in range(1, 13)]


def _norm(text: str) -> str:
    text = text.replace("**", "").replace("’", "'").strip()
    text = re.sub(r"^\((.*)\)$", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def deck_headings() -> list[str]:
    """Short lines of the deck that are not bullets, sentences, links or e-mail addresses."""
    lines = []
    for raw in DECK.read_text(encoding="utf-8").splitlines():
        line = _norm(raw)
        if not line or raw.lstrip().startswith(("-", "*")) or "@" in line or line.startswith(("<", "http")):
            continue
        if line.endswith((".", "…")) or len(line.split()) > 7:
            if line.startswith("Evidenced-Based Interventions"):
                lines.append(line)
            continue
        if "\t" in raw:  # table rows
            continue
        lines.append(line)
    # the approach slide lists its five principles as bullets: they are headings of notebook 03
    for raw in DECK.read_text(encoding="utf-8").splitlines():
        if raw.strip().startswith("- ") and raw.strip()[2:] in {
                "Relationship-Based Framework", "Multigenerational Perspective", "Developmental Orientation",
                "Multidisciplinary Approach", "Prevention Emphasis"}:
            lines.append(raw.strip()[2:])
    return lines


def mapping() -> list[dict]:
    with open(MAP, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _prose(assignment: str) -> str:
    nb = nbformat.read(source_notebook(assignment), as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return _norm(text).lower().replace("’", "'")


def test_deck_is_available():
    assert DECK.is_file(), f"{DECK} missing: the slide deck belongs in curriculum/"


def test_every_deck_heading_is_mapped():
    mapped = {_norm(row["heading"]) for row in mapping()}
    missing = [h for h in deck_headings() if h not in mapped]
    assert missing == [], f"deck headings with no row in {MAP.name}: {missing}"


def test_every_mapped_heading_is_in_the_deck():
    deck = {_norm(line) for line in DECK.read_text(encoding="utf-8").splitlines()} | set(deck_headings())
    stale = [row["heading"] for row in mapping() if _norm(row["heading"]) not in deck]
    assert stale == []


def test_every_notebook_of_the_syllabus_teaches_part_of_the_deck():
    used = {row["notebook"] for row in mapping() if row["notebook"] != "-"}
    assert sorted(n[:3] for n in used) == sorted(set(n[:3] for n in used))
    assert sorted({n[:3] for n in used}) == NOTEBOOKS
    for notebook in used:
        assert notebook in ASSIGNMENTS, f"{notebook} is mapped but not in source/"


@pytest.mark.parametrize("row", [r for r in mapping() if r["notebook"] != "-"], ids=lambda r: r["heading"][:40])
def test_heading_is_taught_in_its_notebook(row):
    assert row["notebook"] in ASSIGNMENTS, f"{row['notebook']} (for {row['heading']!r}) is not written yet"
    phrase = _norm(row["taught_as"]).lower()
    assert phrase in _prose(row["notebook"]), f"{row['notebook']} does not mention {phrase!r} ({row['heading']})"
