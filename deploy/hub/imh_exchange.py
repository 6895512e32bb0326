"""nbgrader's file-system exchange with private submissions and feedback (loaded by nbgrader_config.py).

nbgrader 0.9.6's default exchange leaves each submission folder mode 777 inside an inbound folder
without the sticky bit, and releases feedback world-readable: a student who knows (or guesses) a
path can read, rename or replace another student's submission, and read their feedback; collect
even takes a folder another student made under your name, with only a warning (nbgrader
discussion #1862, #1225). Measured in the course's research notes, and tested in tests/test_hub.py.

What these subclasses change, and nothing else:
- release: ``inbound/`` gets the sticky bit (mode 3733: students create, nobody but the owner and
  the instructor renames or deletes an entry) and ``feedback/`` stays 0711 (no listing);
- submit: the submission folder is 0750, its group the inbound folder's (the instructors' group,
  by setgid), so only the student and the graders can enter it (its files are 0644 behind it: a
  student cannot give a file a group they are not in);
- collect: a submission folder is taken only when its owner is the student its name says; others
  are logged and left for an instructor to look at;
- release feedback: each feedback page is 0640 with a POSIX ACL granting read to that student
  only (the file system must support ACLs: ext4, xfs, btrfs and tmpfs do).
"""
from __future__ import annotations

import fnmatch
import glob
import os
import pwd
import re
import struct

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.exchange.default.release_assignment import ExchangeReleaseAssignment
from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback
from nbgrader.exchange.default.submit import ExchangeSubmit
from nbgrader.utils import notebook_hash

INBOUND_MODE = 0o3733      # setgid + sticky, -wx for students
SUBMISSION_DIR_MODE = 0o750   # group = inbound's (setgid): the graders; nobody else can enter
SUBMISSION_FILE_MODE = 0o644  # behind that folder; a student cannot give files the graders' group
FEEDBACK_FILE_MODE = 0o640

# POSIX ACL in its extended-attribute form (linux/posix_acl_xattr.h): version 2, then
# (tag, permissions, id) entries sorted by tag.
_ACL_VERSION, _USER_OBJ, _USER, _GROUP_OBJ, _MASK, _OTHER = 2, 0x01, 0x02, 0x04, 0x10, 0x20
_UNDEFINED_ID = 0xFFFFFFFF


def grant_read_to(path: str, uid: int) -> None:
    """Owner rw, owning group r, user ``uid`` r, others nothing (``setfacl -m u:uid:r``)."""
    entries = [(_USER_OBJ, 6, _UNDEFINED_ID), (_USER, 4, uid), (_GROUP_OBJ, 4, _UNDEFINED_ID),
               (_MASK, 4, _UNDEFINED_ID), (_OTHER, 0, _UNDEFINED_ID)]
    blob = struct.pack("<I", _ACL_VERSION) + b"".join(struct.pack("<HHI", *e) for e in entries)
    os.setxattr(path, "system.posix_acl_access", blob)


def _owned_by_me(path: str) -> bool:
    try:
        return os.stat(path).st_uid == os.geteuid()
    except OSError:
        return False


class PrivateReleaseAssignment(ExchangeReleaseAssignment):
    def init_dest(self):
        super().init_dest()
        if _owned_by_me(self.inbound_path):
            os.chmod(self.inbound_path, INBOUND_MODE)


class PrivateSubmit(ExchangeSubmit):
    def copy_files(self):
        super().copy_files()
        dest = os.path.join(self.inbound_path, self.assignment_filename)
        for folder, dirs, files in os.walk(dest):
            for name in files:
                os.chmod(os.path.join(folder, name), SUBMISSION_FILE_MODE)
            os.chmod(folder, SUBMISSION_DIR_MODE)


class PrivateCollect(ExchangeCollect):
    def init_src(self):
        super().init_src()
        kept = []
        for record in self.src_records:
            path = os.path.join(self.inbound_path, record["filename"])
            try:
                owner = pwd.getpwuid(os.stat(path).st_uid).pw_name
            except (KeyError, OSError):
                owner = "unknown"
            if owner == record["username"]:
                kept.append(record)
            else:
                self.log.error("Not collected: %s claims to be %s's submission but belongs to %s",
                               path, record["username"], owner)
        if len(kept) != len(self.src_records):
            # The newest genuine submission of those students, if any, is still theirs to collect.
            genuine = {}
            pattern = re.compile(r"^(?P<user>[^+]+)\+" + re.escape(self.coursedir.assignment_id) + r"\+")
            for name in os.listdir(self.inbound_path):
                match = pattern.match(name)
                if not match:
                    continue
                path = os.path.join(self.inbound_path, name)
                try:
                    if pwd.getpwuid(os.stat(path).st_uid).pw_name != match["user"]:
                        continue
                except (KeyError, OSError):
                    continue
                record = self._path_to_record(path)
                if not fnmatch.fnmatchcase(record["username"], self.coursedir.student_id or "*"):
                    continue
                best = genuine.get(record["username"])
                if best is None or record["timestamp"] > best["timestamp"]:
                    genuine[record["username"]] = record
            kept = list(genuine.values())
        self.src_records = kept


class PrivateReleaseFeedback(ExchangeReleaseFeedback):
    def copy_files(self):
        super().copy_files()
        # Find each released page's student again (the same name nbgrader computed) and restrict it.
        pattern = os.path.join(self.coursedir.format_path(self.coursedir.feedback_directory, "*",
                                                          self.coursedir.assignment_id), "*.html")
        for html_file in glob.glob(pattern):
            feedback_dir = os.path.dirname(html_file)
            student_id = os.path.basename(os.path.dirname(feedback_dir))
            notebook_id = os.path.splitext(os.path.basename(html_file))[0]
            secret_file = os.path.join(feedback_dir, "submission_secret.txt")
            if not os.path.isfile(secret_file):
                continue
            with open(secret_file) as handle:
                checksum = notebook_hash(secret=handle.read(), notebook_id=notebook_id)
            released = os.path.join(self.dest_path, f"{checksum}.html")
            if not os.path.isfile(released):
                continue
            try:
                uid = pwd.getpwnam(student_id).pw_uid
            except KeyError:
                os.chmod(released, 0o600)
                self.log.error("Feedback for %s kept private: no such user", student_id)
                continue
            os.chmod(released, FEEDBACK_FILE_MODE)
            grant_read_to(released, uid)


__all__ = ["PrivateReleaseAssignment", "PrivateSubmit", "PrivateCollect", "PrivateReleaseFeedback"]
