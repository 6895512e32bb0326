"""The install: pyproject and environment.yml agree, the package imports cleanly, data carries citations."""
import importlib
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

from widgets.data import load_table, table_names

ROOT = Path(__file__).resolve().parent.parent


def _split(spec: str) -> tuple[str, str]:
    name, version = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", spec).groups()
    return name.lower().replace("_", "-"), version.replace(" ", "")


def test_environment_yml_pins_match_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_specs = project["dependencies"] + [s for extra in project["optional-dependencies"].values() for s in extra]
    pinned = dict(_split(s) for s in pip_specs)
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    conda_specs = dict(_split(s) for s in conda if isinstance(s, str) and not s.startswith(("python", "pip")))
    assert conda_specs == pinned
    assert "python=3.11" in conda
    pip_section = next(d["pip"] for d in conda if isinstance(d, dict))
    assert "-e ." in pip_section


def test_required_course_packages_are_pinned():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_split(s)[0]: _split(s)[1] for s in project["dependencies"]
             + [s for extra in project["optional-dependencies"].values() for s in extra]}
    assert names["nbgrader"] == "==0.9.6"
    assert names["jupyterlab"].endswith(",<5") and names["ipywidgets"].endswith(",<9")
    for needed in ("matplotlib", "numpy", "nbval", "pytest", "pytest-xdist"):
        assert needed in names


def test_students_install_only_what_the_lessons_need():
    """The kernel's package needs numpy, matplotlib, ipywidgets and anywidget (the accessible sliders);
    nbgrader and JupyterLab are extras."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert {_split(s)[0] for s in project["dependencies"]} == {"anywidget", "ipywidgets", "matplotlib", "numpy"}
    assert {"lab", "grading", "test"} <= set(project["optional-dependencies"])
    grading_names = {_split(s)[0] for s in project["optional-dependencies"]["grading"]}
    assert "nbgrader" in grading_names
    widgets_imports = " ".join(p.read_text() for p in (ROOT / "widgets").glob("*.py"))
    assert not re.search(r"^\s*(from|import) (nbgrader|grading|jupyterlab)\b", widgets_imports, re.M)


def test_importing_the_package_does_no_work_and_changes_no_global_state():
    code = ("import sys, matplotlib; import widgets, widgets.answers, widgets.figures, widgets.data, widgets.view; "
            "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'; "
            "snap = lambda: {k: dict.__getitem__(matplotlib.rcParams, k) for k in dict.keys(matplotlib.rcParams)}; "
            "before = snap(); fig, ax = widgets.figures.new_figure(); widgets.figures.figure_png(fig); "
            "assert snap() == before, 'rcParams changed'; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr


def test_every_topic_module_imports():
    for path in sorted((ROOT / "widgets").glob("*.py")):
        importlib.import_module(f"widgets.{path.stem}")


def test_every_packaged_table_has_title_citation_and_documented_columns():
    names = table_names()
    assert names, "no packaged data"
    for name in names:
        table = load_table(name)
        assert table.title and len(table.citation) > 20, name
        assert table.rows, name
        assert set(table.rows[0]) == set(table.columns), f"{name}: columns in CSV and JSON differ"
        assert all(str(meaning).strip() for meaning in table.columns.values()), name


def test_unknown_table_lists_the_known_ones():
    try:
        load_table("no_such_table")
    except KeyError as error:
        assert "available" in str(error)
    else:
        raise AssertionError("expected KeyError")


def test_the_repository_is_self_contained():
    """A clone from the course's public home has nothing beside it: no file the project runs,
    tests or links may point outside the repository (the deck and fact sheets are in curriculum/)."""
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    offenders = []
    for name in tracked:
        path = ROOT / name
        if path.suffix not in (".py", ".md", ".toml", ".yml", ".cfg", ".txt", ".csv", ".json", "") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        if re.search(r"\.\./shared\b|ROOT\.parent\b|parent\.parent\.parent", text):
            offenders.append(name)
    assert offenders == [], f"files that reach outside the repository: {offenders}"
    for needed in ("curriculum/seed-deck.txt", "curriculum/FACTS.md", "curriculum/FACTS-2.md", "DESIGN.md"):
        assert needed in tracked, needed


def _lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", line)
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def test_the_lock_pins_every_declared_dependency_within_its_bounds():
    """requirements.lock (pip-tools, `make lock`) is what make and CI install: it must satisfy pyproject."""
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = list(project["dependencies"]) + [r for extra in project["optional-dependencies"].values() for r in extra]
    pins = _lock()
    assert len(pins) > 50
    for text in declared:
        req = Requirement(text)
        name = req.name.lower().replace("_", "-")
        assert name in pins, f"{name} is declared in pyproject.toml but not locked: run `make lock`"
        assert req.specifier.contains(pins[name], prereleases=True), f"{name}=={pins[name]} outside {req.specifier}"


def test_make_checks_the_python_before_anything_else(tmp_path):
    """An old Python gets one line saying what to install, not a pip traceback."""
    old = tmp_path / "python"
    old.write_text("#!/bin/sh\n" f'exec {sys.executable} -c "import sys; sys.version_info = (3, 9, 1); '
                   f"exec(open('{ROOT / 'tools' / 'check_python.py'}').read())\"\n")
    old.chmod(0o755)
    result = subprocess.run([str(old)], capture_output=True, text=True)
    assert result.returncode != 0 and "Python 3.11 or newer is needed" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
