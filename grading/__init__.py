"""The course's grading system, run on the instructor's side only (never in a student kernel).

- :mod:`grading.keys`: keys made by running the instructor's notebooks in ``source/``.
- :mod:`grading.judge`: compares the answers a kernel handed over with those keys.
- :mod:`grading.nbgrader_ext`: nbgrader preprocessors (the judge inside ``nbgrader autograde``,
  feedback without hidden tests and with offline formulas).

Keys live in ``.grading/keys/`` of the course root (never committed); a sandboxed kernel cannot
see that folder (``grading/sandbox.py``).
"""
