"""Open JupyterLab the way the course means it (``make lab`` for learners, ``make instructor``).

Learner mode takes its configuration from the course's own files (``lab/learner``, see
lab/README.md), never from the learner's home: no news pop-up, no instructor tools, the
Validate button kept, and the first notebook (00 when it exists, else 01) opened.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from tools.course import ROOT

LEARNER_CONFIG = ROOT / "lab" / "learner"


def first_notebook(work: Path) -> str | None:
    """The notebook a learner starts with, relative to ``work`` (00 when the course has it)."""
    notebooks = sorted(p.relative_to(work).as_posix() for p in work.glob("[0-9][0-9]_*/*.ipynb"))
    return notebooks[0] if notebooks else None


def learner_command(work: Path, port: int, extra: list[str] = ()) -> tuple[list[str], dict]:
    """The argv and environment of a learner's JupyterLab serving ``work``."""
    work = Path(work).resolve()
    own = work / ".jupyter"
    argv = [str(Path(sys.executable).parent / "jupyter"), "lab", f"--ServerApp.root_dir={work}",
            f"--port={port}", f"--LabApp.user_settings_dir={own / 'user-settings'}",
            f"--LabApp.workspaces_dir={own / 'workspaces'}", *extra]
    start = first_notebook(work)
    if start:
        argv.append(f"--LabApp.default_url=/lab/tree/{start}")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(LEARNER_CONFIG))
    return argv, env


def main(argv: list[str]) -> int:
    work = Path(argv[0]) if argv else ROOT / "my-work"
    port = int(os.environ.get("PORT", "8888"))
    extra = ["--allow-root"] if os.geteuid() == 0 else []
    command, env = learner_command(work, port, extra)
    os.execve(command[0], command, env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
