# The README's targets. Every target creates .venv and installs the course when needed.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed
# nbgrader shells out to `alembic` (from the venv): keep the venv's bin first on PATH.
export PATH := $(BIN):$(PATH)
JOBS ?= auto
# slowest tests listed after a run (DURATIONS=0 lists every one)
DURATIONS ?= 12
PORT ?= 8888
# JupyterLab refuses to run as root unless told; on a personal machine this is empty.
ROOTFLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab instructor test test-nonroot release bench lock clean-work

# Setup: check the Python first (one line saying what to install), never leave a .venv that
# blocks the next try, and install the versions in requirements.lock (see `make lock`).
$(STAMP): pyproject.toml requirements.lock
	@test -n "$(PYTHON)" || { echo "No python3 found: install Python 3.11 or newer (python.org, Homebrew, or apt install python3.11 python3.11-venv)"; exit 1; }
	@$(PYTHON) tools/check_python.py
	@$(BIN)/python -m pip --version >/dev/null 2>&1 || { rm -rf $(VENV); $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "Could not create $(VENV) with $(PYTHON): see the message above (Debian/Ubuntu: apt install python3-venv)"; exit 1; }; }
	@$(BIN)/python -m pip --version >/dev/null 2>&1 || { rm -rf $(VENV); \
	  echo "$(VENV) has no pip: install your Python's venv and ensurepip (Debian/Ubuntu: apt install python3-venv)"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[lab,grading,test]"
	@touch $(STAMP)

## lock: refresh requirements.lock (the tested versions) from pyproject.toml with pip-tools
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet "pip-tools>=7.4,<8"
	$(BIN)/pip-compile --quiet --upgrade --extra=lab --extra=grading --extra=test --strip-extras \
	  --no-emit-index-url --no-emit-find-links --output-file=requirements.lock pyproject.toml

## lab: set up and open the student notebooks in JupyterLab (your own copies in my-work/)
lab: $(STAMP)
	$(BIN)/python -m tools.workspace my-work
	PORT=$(PORT) $(BIN)/python -m tools.lab my-work

## instructor: open the whole course (source/, release/, formgrader) in JupyterLab
instructor: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=. --port=$(PORT) $(ROOTFLAG)

## test: set up and run the whole test suite
# The package, pipeline, grading and browser tests run in parallel; the source notebooks run
# under nbval in one process (nbval runs a notebook's cells as ordered items in one kernel).
# Tests that need what this machine lacks (a browser, the sandbox) are reported as not run,
# with how to enable them, and the last line says so; under CI=true they fail instead.
test: $(STAMP)
	@rm -f .artifacts/not-run.txt
	$(BIN)/python -m pytest -n $(JOBS) --dist loadgroup --durations=$(DURATIONS) tests
	$(BIN)/python -m pytest -p no:xdist source
	@if [ -s .artifacts/not-run.txt ]; then echo "NOT RUN on this machine (reasons above):"; cat .artifacts/not-run.txt; \
	  else echo "Every test ran."; fi

## test-nonroot: what .ci/run also runs as an ordinary user with another Python: the rootless
# sandbox (every isolation test), the course's controls, answers and packaging, and one model module
test-nonroot: $(STAMP)
	@rm -f .artifacts/not-run.txt
	$(BIN)/python -m pytest -n $(JOBS) --dist loadgroup tests/test_isolation.py tests/test_controls.py \
	  tests/test_answers.py tests/test_packaging.py tests/test_rupture_repair.py
	@if [ -s .artifacts/not-run.txt ]; then echo "NOT RUN on this machine (reasons above):"; cat .artifacts/not-run.txt; \
	  else echo "Every test ran."; fi

## release: regenerate release/ from source/ with nbgrader
release: $(STAMP)
	$(BIN)/python -m tools.release

## bench: speed and memory measurements (see benchmarks/)
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py
