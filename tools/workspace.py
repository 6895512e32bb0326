"""Copy the self-paced notebooks into a learner's own folder (``make lab``).

selfpaced/ (the self-paced edition) stays untouched (generated and committed); a learner works on
copies in my-work/. Existing copies are never overwritten, so ``make lab`` can
be run again at any time without losing work; notebooks added to the course
later are copied in on the next run.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from tools.course import ROOT
from tools.release import SELFPACED


def sync_workspace(dest: Path) -> list[Path]:
    """Copy each self-paced notebook that ``dest`` does not have yet; return the new copies."""
    copied = []
    for notebook in sorted(SELFPACED.glob("*/*.ipynb")):
        target = dest / notebook.relative_to(SELFPACED)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(notebook, target)
            copied.append(target)
    return copied


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "my-work"
    new = sync_workspace(folder.resolve())
    print(f"Your notebooks are in {folder}/ ({len(new)} new copies; existing work is never overwritten).")
