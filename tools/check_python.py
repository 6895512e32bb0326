"""Run by `make` with the system Python before anything else: one line saying what to install.

Kept to the standard library and to syntax old Pythons parse, so that a Python 3.6 on a
fresh machine still prints the message instead of a traceback.
"""
import sys

NEED = (3, 11)

if sys.version_info < NEED:
    sys.exit("Python %d.%d or newer is needed; this is %s (%s). Install it (python.org, Homebrew "
             "'brew install python@3.11', Debian/Ubuntu 'apt install python3.11 python3.11-venv'), then "
             "run: make PYTHON=/path/to/python3.11 ..." % (NEED + (sys.version.split()[0], sys.executable)))
try:
    import ensurepip  # noqa: F401
    import venv  # noqa: F401
except ImportError:
    sys.exit("%s has no venv/ensurepip module. Debian/Ubuntu: apt install python3-venv "
             "(or python%d.%d-venv); then run make again." % ((sys.executable,) + sys.version_info[:2]))
