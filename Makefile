# The README's targets. Every target creates .venv and installs the course when needed.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed
# nbgrader shells out to `alembic` (from the venv): keep the venv's bin first on PATH.
export PATH := $(BIN):$(PATH)
JOBS ?= auto
PORT ?= 8888
# JupyterLab refuses to run as root unless told; on a personal machine this is empty.
ROOTFLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab instructor test test-fast release bench clean-work

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[lab,grading,test]"
	@touch $(STAMP)

## lab: set up and open the student notebooks in JupyterLab (your own copies in my-work/)
lab: $(STAMP)
	$(BIN)/python -m tools.workspace my-work
	$(BIN)/jupyter lab --notebook-dir=my-work --port=$(PORT) $(ROOTFLAG)

## instructor: open the whole course (source/, release/, formgrader) in JupyterLab
instructor: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=. --port=$(PORT) $(ROOTFLAG)

## test: set up and run the whole test suite
# The package, pipeline, grading and browser tests run in parallel; the source notebooks run
# under nbval in one process (nbval runs a notebook's cells as ordered items in one kernel).
test: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadgroup --durations=12 tests
	$(BIN)/python -m pytest -p no:xdist source

## release: regenerate release/ from source/ with nbgrader
release: $(STAMP)
	$(BIN)/python -m tools.release

## bench: speed and memory measurements (see benchmarks/)
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py
