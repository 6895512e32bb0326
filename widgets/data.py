"""The course's packaged data, each table with its citation, loaded by one function.

Tables live in ``widgets/data/NAME.csv`` with a sidecar ``NAME.json`` holding
``{"title", "citation", "columns": {column: "meaning and unit"}, "notes"}``.
Notebooks never retype these numbers; they call :func:`load_table`.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from importlib import resources

__all__ = ["Table", "load_table", "table_names"]


@dataclass(frozen=True)
class Table:
    """Rows of a packaged table (a tuple of dicts) and where they come from."""

    name: str
    title: str
    citation: str
    columns: dict
    rows: tuple
    notes: str = ""

    def column(self, name: str) -> list:
        """All values of one column, in row order."""
        if name not in self.columns:
            raise KeyError(f"{self.name} has no column {name!r}; columns: {list(self.columns)}")
        return [row[name] for row in self.rows]

    def where(self, **conditions) -> list[dict]:
        """Rows whose columns equal the given values."""
        return [row for row in self.rows if all(row[k] == v for k, v in conditions.items())]


def _convert(text: str):
    """CSV cell to int, float or str (empty string stays empty)."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def table_names() -> list[str]:
    """Names of all packaged tables."""
    folder = resources.files("widgets") / "data"
    return sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".csv"))


def load_table(name: str) -> Table:
    """Load packaged table ``name`` with its metadata; unknown names list the known ones."""
    folder = resources.files("widgets") / "data"
    csv_file, meta_file = folder / f"{name}.csv", folder / f"{name}.json"
    if not csv_file.is_file():
        raise KeyError(f"no packaged table {name!r}; available: {table_names()}")
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    with csv_file.open(encoding="utf-8", newline="") as handle:
        rows = tuple({k: _convert(v) for k, v in row.items()} for row in csv.DictReader(handle))
    return Table(name=name, title=meta["title"], citation=meta["citation"], columns=meta["columns"],
                 rows=rows, notes=meta.get("notes", ""))
