"""The instructor's report pages: one readable, accessible style for every page grading writes.

Plain HTML with a little CSS and one small script: tables whose columns sort when their heading
button is pressed (mouse or keyboard; ``aria-sort`` says the order), numbers right-aligned, and
no colour that carries meaning on its own. Pages open from disk with no network.
"""
from __future__ import annotations

import html

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;line-height:1.45;margin:2rem auto;max-width:72rem;
     padding:0 1rem;color:#1a1a1a}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:1rem 0;width:100%}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border-bottom:1px solid #c8c8c8;padding:.35rem .6rem;text-align:left;vertical-align:top}
th{background:#f0f0f0;position:sticky;top:0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;color:inherit;text-align:inherit}
th button:focus-visible{outline:2px solid #0072B2;outline-offset:2px}
tr.look td:first-child::before{content:"\\26A0  ";}
.bar{display:inline-block;height:.8em;background:#0072B2;vertical-align:middle;margin-right:.3em}
.dist{white-space:nowrap}
figure{margin:1rem 0}figure img{max-width:100%;height:auto}
"""

_SORT_SCRIPT = """
document.querySelectorAll("table.sortable").forEach((table) => {
  table.querySelectorAll("th button").forEach((button, column) => {
    button.addEventListener("click", () => {
      const th = button.closest("th");
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach((h) => h.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const body = table.tBodies[0];
      const key = (row) => row.cells[column].dataset.sort ?? row.cells[column].textContent.trim();
      const rows = Array.from(body.rows).sort((a, b) => {
        const x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
        const order = !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y);
        return ascending ? order : -order;
      });
      body.append(...rows);
    });
  });
});
"""


def esc(value) -> str:
    return html.escape(str(value), quote=True)


def table(caption: str, headers: list[str], rows: list[list], *, numeric: set[int] = frozenset(),
          row_classes: list[str] | None = None, sort_keys: list[list] | None = None) -> str:
    """A sortable table; cells are escaped unless given as ``Markup``; ``numeric`` column indexes align right."""
    head = "".join(f'<th scope="col"{" class=num" if i in numeric else ""}><button type="button">{esc(h)}</button></th>'
                   for i, h in enumerate(headers))
    body = []
    for r, row in enumerate(rows):
        cells = []
        for i, cell in enumerate(row):
            text = cell if isinstance(cell, Markup) else esc(cell)
            key = "" if sort_keys is None or sort_keys[r][i] is None else f' data-sort="{esc(sort_keys[r][i])}"'
            cells.append(f'<td{" class=num" if i in numeric else ""}{key}>{text}</td>')
        cls = f' class="{row_classes[r]}"' if row_classes and row_classes[r] else ""
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return (f'<table class="sortable"><caption>{esc(caption)} <small>(press a column heading to sort)</small></caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


class Markup(str):
    """HTML that :func:`table` inserts as it is (already escaped by its maker)."""


def distribution(counts: dict) -> Markup:
    """'score: students' as words with a small bar each (the bar repeats the number; it is not the only carrier)."""
    total = max(sum(counts.values()), 1)
    parts = [f'<span class="dist"><span class="bar" style="width:{3 * n / total:.2f}em" aria-hidden="true"></span>'
             f"{esc(score)} pt: {n}</span>" for score, n in sorted(counts.items(), key=lambda kv: float(kv[0]))]
    return Markup("<br>".join(parts))


def page(title: str, *sections: str) -> str:
    """A whole page: title, the sections (HTML), the style and the sorting script."""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width, initial-scale=1"><title>{esc(title)}</title><style>{_CSS}</style></head>'
            f"<body><main><h1>{esc(title)}</h1>{''.join(sections)}</main><script>{_SORT_SCRIPT}</script></body></html>")
