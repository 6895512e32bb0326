"""Collect an LMS zip of submissions into nbgrader's submitted/ layout.

nbgrader's ``zip_collect`` misreads dashed LMS timestamps (2026-11-20-14-30-05) and
drops files it cannot place. This collector reads the file names of the common
LMS exports, finds the student on the roster, writes
``submitted/<student>/<assignment>/<assignment>.ipynb`` and ``timestamp.txt``
(nbgrader's format), keeps the newest of several submissions, and lists every file
it could not place with the reason, copying it to
``downloaded/<assignment>/unplaced/`` so nothing is ever dropped.

File names understood (``NAME`` is the submitted file's own name):
- Canvas:      ``lastfirst_12345_67890_NAME`` or ``lastfirst_LATE_12345_67890_NAME``
- Blackboard:  ``Assignment Title_username_attempt_2026-11-20-14-30-05_NAME``
- Moodle:      ``Full Name_12345_assignsubmission_file_NAME``
- Plain:       ``studentid_2026-11-20-14-30-05_NAME`` or ``studentid_NAME``
"""
from __future__ import annotations

import csv
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

MAX_BYTES = 5_000_000  # a notebook above 5 MB is not placed (it is kept and listed)

_STAMP = r"(?P<stamp>\d{4}-\d{2}-\d{2}[-_ T]\d{2}[-:]\d{2}[-:]\d{2})"
PATTERNS = [
    ("blackboard", re.compile(rf"^(?P<title>.+?)_(?P<who>[^_]+)_attempt_{_STAMP}(?:_(?P<name>.+))?$")),
    ("canvas", re.compile(r"^(?P<who>[a-z0-9\-]+?)(?P<late>_late)?_(?P<lms>\d+)_(?P<sub>\d+)_(?P<name>.+)$", re.I)),
    ("moodle", re.compile(r"^(?P<who>.+?)_(?P<lms>\d+)_assignsubmission_file_(?P<name>.+)$")),
    ("plain", re.compile(rf"^(?P<who>[A-Za-z0-9.\-]+)_{_STAMP}_(?P<name>.+)$")),
    ("plain", re.compile(r"^(?P<who>[A-Za-z0-9.\-]+)_(?P<name>.+\.ipynb)$")),
]


def parse_stamp(text: str) -> datetime:
    """An LMS timestamp with dashes, colons, a space or a T between the parts, read as UTC."""
    digits = re.findall(r"\d+", text)
    year, month, day, hour, minute, second = (int(d) for d in digits[:6])
    return datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Parsed:
    """What a file name says: the LMS, who, when (if it says), and the file's own name."""

    lms: str
    who: str
    name: str
    when: datetime | None = None
    late: bool = False
    lms_id: str = ""


def parse_name(filename: str) -> Parsed | None:
    """Read an LMS file name; None when it matches no known pattern."""
    base = Path(filename).name
    for lms, pattern in PATTERNS:
        m = pattern.match(base)
        if m:
            groups = m.groupdict()
            stamp = groups.get("stamp")
            return Parsed(lms=lms, who=groups["who"], name=groups.get("name") or "",
                          when=parse_stamp(stamp) if stamp else None, late=bool(groups.get("late")),
                          lms_id=groups.get("lms") or "")
    return None


@dataclass(frozen=True)
class Student:
    id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    lms_id: str = ""

    def keys(self) -> set[str]:
        """Every spelling an LMS may use for this student (lower case, no spaces)."""
        squash = lambda s: re.sub(r"[^a-z0-9]", "", s.lower())  # noqa: E731
        out = {squash(self.id), squash(self.last_name + self.first_name), squash(self.first_name + self.last_name)}
        if self.email:
            out.add(squash(self.email.split("@")[0]))
        if self.lms_id:
            out.add(squash(self.lms_id))
        return {k for k in out if k}


def read_roster(path: Path) -> list[Student]:
    """Roster CSV with columns id, first_name, last_name, email and optionally lms_id."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or "id" not in rows[0]:
        raise ValueError(f"{path}: a roster needs a header row with at least an 'id' column")
    return [Student(**{k: (row.get(k) or "").strip() for k in ("id", "first_name", "last_name", "email", "lms_id")})
            for row in rows if (row.get("id") or "").strip()]


@dataclass
class Collection:
    """What happened to every file of the zip."""

    placed: dict = field(default_factory=dict)       # student -> (archive member, timestamp, note)
    unplaced: list = field(default_factory=list)     # (archive member, reason)
    superseded: list = field(default_factory=list)   # (archive member, newer member)


def _match_student(parsed: Parsed, roster: list[Student]) -> Student | None:
    wanted = {re.sub(r"[^a-z0-9]", "", parsed.who.lower())}
    if parsed.lms_id:
        wanted.add(parsed.lms_id)
    hits = [s for s in roster if s.keys() & wanted]
    return hits[0] if len(hits) == 1 else None


def collect(zip_path: Path, assignment: str, roster: list[Student], course: Path,
            max_bytes: int = MAX_BYTES) -> Collection:
    """Place every notebook of an LMS zip under ``course/submitted``; see the module docstring."""
    result = Collection()
    unplaced_dir = course / "downloaded" / assignment / "unplaced"
    chosen: dict[str, tuple] = {}
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            member = info.filename

            def keep(reason: str) -> None:
                unplaced_dir.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as src, open(unplaced_dir / Path(member).name, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                result.unplaced.append((member, reason))

            parsed = parse_name(member)
            if parsed is None:
                keep("file name matches no known LMS pattern")
                continue
            student = _match_student(parsed, roster)
            if student is None:
                keep(f"no single roster student matches {parsed.who!r}")
                continue
            if not parsed.name.endswith(".ipynb"):
                keep(f"not a notebook ({parsed.name!r})")
                continue
            if info.file_size > max_bytes:
                keep(f"over the size limit ({info.file_size:,} bytes > {max_bytes:,})")
                continue
            when = parsed.when or datetime(*info.date_time, tzinfo=timezone.utc)
            note = "" if re.sub(r"(-\d+)?\.ipynb$", "", parsed.name) == assignment else \
                f"renamed from {parsed.name!r}"
            previous = chosen.get(student.id)
            if previous and previous[1] >= when:
                result.superseded.append((member, previous[0]))
                continue
            if previous:
                result.superseded.append((previous[0], member))
            chosen[student.id] = (member, when, note, info)
        for student_id, (member, when, note, info) in chosen.items():
            folder = course / "submitted" / student_id / assignment
            folder.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as src, open(folder / f"{assignment}.ipynb", "wb") as dst:
                shutil.copyfileobj(src, dst)
            (folder / "timestamp.txt").write_text(when.strftime("%Y-%m-%d %H:%M:%S.%f %Z"))
            result.placed[student_id] = (member, when, note)
    return result
