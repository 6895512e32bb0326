"""Pairs of submissions whose answers are suspiciously alike, side by side for a person to look at.

Uses copydetect (winnowing fingerprints, the method of MOSS; runs offline) on two texts per
student: the code of their answer cells and the prose of their written answers. What the
release notebook already contains (stubs, starter code, prompts) is boilerplate and never counts.
The report (``reports/<assignment>/similarity.html``) is a prompt to look, never a verdict: it
changes no grade. Short answers (a letter, a number) are below copydetect's noise threshold, so
many students choosing the same right option is not flagged.
"""
from __future__ import annotations

import html
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grading.cells import is_answer, is_manual, nbgrader_meta

THRESHOLD = 0.5   # share of one text's fingerprints found in the other
MIN_SHARED_TOKENS = 30  # fewer shared tokens than this is too little text to call alike


def _words(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "\n".join(" ".join(words[i:i + 12]) for i in range(0, len(words), 12))


@dataclass(frozen=True)
class Pair:
    kind: str            # "code" or "written"
    first: str
    second: str
    similarity: float    # the larger of the two shares (0-1)
    first_html: str      # the text with the shared passages highlighted (copydetect's markup)
    second_html: str


def answer_texts(nb) -> tuple[str, str]:
    """(code of the answer cells, text of the written answers) of one notebook, in cell order."""
    code, written = [], []
    for cell in nb.cells:
        if is_answer(cell) and cell.cell_type == "code":
            code.append(f"# {nbgrader_meta(cell).get('grade_id')}\n{cell.source}")
        elif is_manual(cell):
            written.append(cell.source)
    return "\n\n".join(code), "\n\n".join(written)


def compare(texts: dict[str, str], boilerplate: str, kind: str, threshold: float = THRESHOLD) -> list[Pair]:
    """Every pair of ``texts`` (student -> text) more alike than ``threshold``, most alike first."""
    from copydetect import CopyDetector

    suffix = "py"
    given = {line.strip() for line in (boilerplate or "").splitlines() if line.strip()}
    texts = {s: "\n".join(line for line in (t or "").splitlines() if line.strip() and line.strip() not in given)
             for s, t in texts.items()}  # only what the student wrote: lines the release gave are dropped
    if kind == "written":  # words as tokens: lower-case, punctuation dropped (copydetect's text lexer
        # would see one token per text); names are kept, since in prose the words are the content
        texts = {s: _words(t) for s, t in texts.items()}
        boilerplate = _words(boilerplate)
    with tempfile.TemporaryDirectory(prefix="imh-similar-") as tmp:
        folder, boiler = Path(tmp) / "answers", Path(tmp) / "boilerplate"
        folder.mkdir()
        boiler.mkdir()
        (boiler / f"release.{suffix}").write_text(boilerplate or "\n", encoding="utf-8")
        for student, text in texts.items():
            (folder / f"{student}.{suffix}").write_text(text or "\n", encoding="utf-8")
        detector = CopyDetector(test_dirs=[str(folder)], ref_dirs=[str(folder)], boilerplate_dirs=[str(boiler)],
                                extensions=[suffix], display_t=threshold, autoopen=False, silent=True,
                                disable_filtering=kind == "written",
                                out_file=str(Path(tmp) / "unused.html"))
        detector.run()
        pairs, seen = [], set()
        for entry in detector.get_copied_code_list():
            test_sim, ref_sim, test_path, ref_path, test_html, ref_html = entry[:6]
            a, b = Path(test_path).stem, Path(ref_path).stem
            shared_tokens = entry[6] if len(entry) > 6 else MIN_SHARED_TOKENS
            if a == b or frozenset((a, b)) in seen or shared_tokens < MIN_SHARED_TOKENS:
                continue  # the same short right answers (a letter, a number) are not similarity
            seen.add(frozenset((a, b)))
            first, second = sorted((a, b))
            htmls = (test_html, ref_html) if first == a else (ref_html, test_html)
            pairs.append(Pair(kind, first, second, float(max(test_sim, ref_sim)), *htmls))
    return sorted(pairs, key=lambda p: -p.similarity)


def similar_submissions(course: Path, assignment: str, threshold: float = THRESHOLD) -> list[Pair]:
    """Compare every submission of ``assignment`` (code and written answers separately)."""
    release = nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    boiler_code, boiler_written = answer_texts(release)
    code, written = {}, {}
    for path in sorted((course / "submitted").glob(f"*/{assignment}/{assignment}.ipynb")):
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # an unreadable notebook is reported by autograde, not here
            continue
        student = path.parent.parent.name
        code[student], written[student] = answer_texts(nb)
    return compare(code, boiler_code, "code", threshold) + compare(written, boiler_written, "written", threshold)


def write_report(pairs: list[Pair], dest: Path, assignment: str) -> Path:
    """A page with each pair's answers side by side, shared passages highlighted."""
    rows = []
    for pair in pairs:
        rows.append(
            f"<section><h2>{html.escape(pair.first)} and {html.escape(pair.second)}: {pair.kind} answers, "
            f"{pair.similarity:.0%} alike</h2><div class='pair'>"
            f"<div><h3>{html.escape(pair.first)}</h3><pre>{pair.first_html}</pre></div>"
            f"<div><h3>{html.escape(pair.second)}</h3><pre>{pair.second_html}</pre></div></div></section>")
    body = "\n".join(rows) or "<p>No pair of submissions is more alike than the threshold.</p>"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Similar submissions: {html.escape(assignment)}</title><style>"
        "body{font-family:system-ui,sans-serif;margin:2rem;max-width:90rem}"
        ".pair{display:grid;grid-template-columns:1fr 1fr;gap:1rem}"
        "pre{white-space:pre-wrap;background:#f6f6f6;padding:.5rem;border:1px solid #ccc}"
        "span[class*=highlight]{background:#ffe9a8;outline:1px solid #b58900}</style></head><body>"
        f"<h1>Similar submissions: {html.escape(assignment)}</h1>"
        "<p>Pairs whose answers share more than half of their fingerprints (copydetect), with the shared "
        "passages highlighted. This is a prompt for a person to look, not evidence of misconduct: students "
        "may have worked together as allowed, or followed the same worked example. No grade is changed.</p>"
        f"{body}</body></html>", encoding="utf-8")
    return dest
