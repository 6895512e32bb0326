"""Collect an LMS zip of submissions into nbgrader's submitted/ layout.

nbgrader's ``zip_collect`` misreads dashed LMS timestamps (2026-11-20-14-30-05) and
drops files it cannot place. This collector reads the file names of the common
LMS exports, finds the student on the roster, writes
``submitted/<student>/<assignment>/<assignment>.ipynb`` and ``timestamp.txt``
(nbgrader's format), keeps the newest of several submissions, and lists every file
it could not place with the reason, copying it to
``downloaded/<assignment>/unplaced/`` (under its full path in the zip, so two files of
the same name stay apart) so nothing is ever dropped.

Times: a time in a file name, or a zip entry's own time, is the LMS's local time; say
which zone that is (``zone``, default UTC) and it is converted and stated in UTC.
Canvas marks late work ``_LATE_``: that is kept (``lms_late.txt`` beside the
submission and in the placement note). A re-collect never replaces a submission that
is newer than the one in the zip. A roster student's notebook that is over the size
limit gets a submission folder without a notebook and a ``NOT_PLACED.txt`` saying why,
so grading reports it as needing a person instead of scoring it 0.

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
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

MAX_BYTES = 5_000_000  # a notebook above 5 MB is not placed (it is kept and listed)

_STAMP = r"(?P<stamp>\d{4}-\d{2}-\d{2}[-_ T]\d{2}[-:]\d{2}[-:]\d{2})"
PATTERNS = [
    ("blackboard", re.compile(rf"^(?P<title>.+?)_(?P<who>[^_]+)_attempt_{_STAMP}(?:_(?P<name>.+))?$")),
    ("canvas", re.compile(r"^(?P<who>[a-z0-9\-]+?)(?P<late>_late)?_(?P<lms>\d+)_(?P<sub>\d+)_(?P<name>.+)$", re.I)),
    ("moodle", re.compile(r"^(?P<who>.+?)_(?P<lms>\d+)_assignsubmission_file_(?P<name>.+)$")),
    ("plain", re.compile(rf"^(?P<who>[A-Za-z0-9.\-]+)_{_STAMP}_(?P<name>.+)$")),
    ("plain", re.compile(r"^(?P<who>[A-Za-z0-9.\-]+)_(?P<name>.+\.ipynb)$")),
]


NOT_PLACED = "NOT_PLACED.txt"


def parse_stamp(text: str, zone: tzinfo = timezone.utc) -> datetime:
    """An LMS timestamp with dashes, colons, a space or a T between the parts, in ``zone``
    (the LMS's local time), returned in UTC."""
    digits = re.findall(r"\d+", text)
    year, month, day, hour, minute, second = (int(d) for d in digits[:6])
    return datetime(year, month, day, hour, minute, second, tzinfo=zone).astimezone(timezone.utc)


def time_zone(name: str) -> tzinfo:
    """A zone by IANA name ('Europe/London'), or UTC; a clear error for a name that is not one."""
    if name.upper() == "UTC":
        return timezone.utc
    try:
        return ZoneInfo(name)
    except Exception as exc:
        raise ValueError(f"unknown time zone {name!r}: use an IANA name such as 'America/New_York' or 'UTC'") from exc


def _read_stamp(path: Path) -> datetime | None:
    """The time in an existing ``timestamp.txt`` (nbgrader's format), or None."""
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    try:
        return parse_stamp(text.replace(" UTC", ""))
    except (ValueError, TypeError):
        return None


@dataclass(frozen=True)
class Parsed:
    """What a file name says: the LMS, who, when (if it says), and the file's own name."""

    lms: str
    who: str
    name: str
    when: datetime | None = None
    late: bool = False
    lms_id: str = ""


def parse_name(filename: str, zone: tzinfo = timezone.utc) -> Parsed | None:
    """Read an LMS file name (times in ``zone``); None when it matches no known pattern."""
    base = Path(filename).name
    for lms, pattern in PATTERNS:
        m = pattern.match(base)
        if m:
            groups = m.groupdict()
            stamp = groups.get("stamp")
            return Parsed(lms=lms, who=groups["who"], name=groups.get("name") or "",
                          when=parse_stamp(stamp, zone) if stamp else None, late=bool(groups.get("late")),
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
    superseded: list = field(default_factory=list)   # (archive member, newer member or existing submission)
    zone: str = "UTC"                                # the LMS time zone the times were read in


def _match_student(parsed: Parsed, roster: list[Student]) -> Student | None:
    wanted = {re.sub(r"[^a-z0-9]", "", parsed.who.lower())}
    if parsed.lms_id:
        wanted.add(parsed.lms_id)
    hits = [s for s in roster if s.keys() & wanted]
    return hits[0] if len(hits) == 1 else None


def _unplaced_path(folder: Path, member: str) -> Path:
    """Where an unplaced member is kept: its full zip path flattened, never overwriting."""
    flat = re.sub(r"[\\/]+", "__", member.strip("/")) or "unnamed"
    path, n = folder / flat, 2
    while path.exists():
        path = folder / f"{Path(flat).stem}-{n}{Path(flat).suffix}"
        n += 1
    return path


def collect(zip_path: Path, assignment: str, roster: list[Student], course: Path,
            max_bytes: int = MAX_BYTES, zone: tzinfo = timezone.utc) -> Collection:
    """Place every notebook of an LMS zip under ``course/submitted``; see the module docstring."""
    result = Collection(zone=str(zone))
    unplaced_dir = course / "downloaded" / assignment / "unplaced"
    chosen: dict[str, tuple] = {}
    oversized: dict[str, tuple] = {}
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            member = info.filename

            def keep(reason: str) -> Path:
                unplaced_dir.mkdir(parents=True, exist_ok=True)
                target = _unplaced_path(unplaced_dir, member)
                with archive.open(info) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                result.unplaced.append((member, reason))
                return target

            parsed = parse_name(member, zone)
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
            when = parsed.when or datetime(*info.date_time, tzinfo=zone).astimezone(timezone.utc)
            if info.file_size > max_bytes:
                reason = f"over the size limit ({info.file_size:,} bytes > {max_bytes:,})"
                kept = keep(reason)
                oversized[student.id] = (member, when, reason, kept)
                continue
            note = "" if re.sub(r"(-\d+)?\.ipynb$", "", parsed.name) == assignment else \
                f"renamed from {parsed.name!r}"
            if parsed.late:
                note = "; ".join(filter(None, [note, "the LMS marked it late"]))
            previous = chosen.get(student.id)
            if previous and previous[1] >= when:
                result.superseded.append((member, previous[0]))
                continue
            if previous:
                result.superseded.append((previous[0], member))
            chosen[student.id] = (member, when, note, info, parsed.late)
        for student_id, (member, when, note, info, late) in chosen.items():
            folder = course / "submitted" / student_id / assignment
            existing = _read_stamp(folder / "timestamp.txt")
            if existing and existing > when and (folder / f"{assignment}.ipynb").exists():
                result.superseded.append((member, f"submitted/{student_id}/{assignment} (newer, {existing:%Y-%m-%d %H:%M:%S} UTC)"))
                continue
            folder.mkdir(parents=True, exist_ok=True)
            (folder / NOT_PLACED).unlink(missing_ok=True)
            with archive.open(info) as src, open(folder / f"{assignment}.ipynb", "wb") as dst:
                shutil.copyfileobj(src, dst)
            (folder / "timestamp.txt").write_text(when.strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
            if late:
                (folder / "lms_late.txt").write_text(f"The LMS marked this submission late ({member}).\n")
            else:
                (folder / "lms_late.txt").unlink(missing_ok=True)
            result.placed[student_id] = (member, when, note)
        for student_id, (member, when, reason, kept) in oversized.items():
            if student_id in result.placed:
                continue  # a notebook of the right size was placed for this student
            folder = course / "submitted" / student_id / assignment
            if (folder / f"{assignment}.ipynb").exists():
                continue  # keep an earlier, readable submission; the large file is listed as unplaced
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "timestamp.txt").write_text(when.strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
            (folder / NOT_PLACED).write_text(
                f"{member}: {reason}; kept as {kept.relative_to(course)}. Grade it by hand.\n")
    return result
