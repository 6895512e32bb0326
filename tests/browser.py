"""A real JupyterLab in a real browser (Debian's Chromium driven by Playwright) for the tests.

`lab_server` starts JupyterLab on a free loopback port with a token, against a
temporary copy of the course, and always stops it. `NotebookPage` drives one
open notebook the way a person does: run cells, read outputs, move controls.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tools.course import ROOT



def find_chromium() -> str | None:
    """Chromium or Chrome where the platform puts it: ``IMH_CHROMIUM``, Debian's package, a
    Playwright-installed browser (``playwright install chromium``), macOS Chrome or Chromium."""
    candidates = [os.environ.get("IMH_CHROMIUM", ""), "/usr/bin/chromium", "/usr/bin/chromium-browser",
                  "/usr/bin/google-chrome", "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
                  "/Applications/Chromium.app/Contents/MacOS/Chromium"]
    for path in filter(None, candidates):
        # Ubuntu's /usr/bin/chromium-browser is a shim that installs a snap: not a browser
        if os.access(path, os.X_OK) and "snap" not in Path(path).read_bytes()[:4096].decode("latin-1"):
            return path
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            path = pw.chromium.executable_path
        return path if os.access(path, os.X_OK) else None
    except Exception:  # no Playwright browser downloaded: fine, we said where we looked
        return None


CHROMIUM_HOW = ("install a Chromium: Debian `apt-get install chromium`; elsewhere "
                "`.venv/bin/playwright install chromium`, Google Chrome on macOS, or set IMH_CHROMIUM=/path")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]
ARTIFACTS = ROOT / ".artifacts" / "browser"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(argv: list[str], env: dict, cwd: Path, log_path: Path):
    """Run a JupyterLab command and yield its base URL once it answers; always stop it."""
    port = next(int(a.split("=", 1)[1]) for a in argv if a.startswith("--port="))
    token = next(a.split("=", 1)[1] for a in argv if a.startswith("--IdentityProvider.token="))
    log = open(log_path, "w")
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise RuntimeError("JupyterLab did not start:\n" + log_path.read_text()[-3000:])
                time.sleep(0.5)
        yield base
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        log.close()


def _private_env(tmp: Path) -> dict:
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
               JUPYTER_CONFIG_DIR=str(tmp / "jupyter-config"), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               IPYTHONDIR=str(tmp / "ipython"))
    env.pop("IMH_GRADEBOOK_URL", None)
    return env


@contextmanager
def lab_server():
    """Yield (base_url, token, course_dir) of a JupyterLab serving a copy of the course."""
    tmp = Path(tempfile.mkdtemp(prefix="imh-lab-"))
    course = tmp / "course"
    course.mkdir()
    for name in ("source", "release", "selfpaced"):
        shutil.copytree(ROOT / name, course / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for name in ("course_config.py", "nbgrader_config.py"):
        shutil.copy(ROOT / name, course / name)
    port, token = free_port(), os.urandom(12).hex()
    env = _private_env(tmp)
    settings = tmp / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
    # Render every cell (no windowing), so the test reads what a person scrolling would see.
    notebook_settings = tmp / "user-settings" / "@jupyterlab" / "notebook-extension"
    notebook_settings.mkdir(parents=True)
    (notebook_settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    argv = [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={course}", "--ServerApp.allow_root=True",
            "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            f"--LabApp.workspaces_dir={tmp / 'workspaces'}", f"--LabApp.user_settings_dir={tmp / 'user-settings'}"]
    try:
        with serve(argv, env, course, tmp / "lab.log") as base:
            yield base, token, course
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def learner_lab():
    """Yield (base_url, token, work_dir) of JupyterLab exactly as `make lab` opens it for a learner."""
    from tools.lab import learner_command
    from tools.workspace import sync_workspace

    tmp = Path(tempfile.mkdtemp(prefix="imh-learner-"))
    work = tmp / "my-work"
    sync_workspace(work)
    port, token = free_port(), os.urandom(12).hex()
    argv, env = learner_command(work, port, ["--no-browser", "--ip=127.0.0.1", f"--IdentityProvider.token={token}",
                                             "--ServerApp.allow_root=True"])
    env = dict(_private_env(tmp), JUPYTER_CONFIG_DIR=env["JUPYTER_CONFIG_DIR"])
    try:
        with serve(argv, env, work, tmp / "lab.log") as base:
            yield base, token, work
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def browser_context():
    """A Playwright Chromium context with a fresh user-data dir."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="imh-chromium-")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=find_chromium(), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 800})
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


class NotebookPage:
    """One notebook open in JupyterLab."""

    def __init__(self, context, base: str, token: str, path: str):
        self.path = path
        self.page = context.new_page()
        self.page_errors: list[str] = []
        self.console_errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        self.page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        self.page.goto(f"{base}/lab/tree/{path}?token={token}&reset", wait_until="domcontentloaded")
        self.notebook = self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").first
        self.notebook.wait_for(timeout=90_000)
        self.page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(timeout=90_000)

    _ALL_RAN = """() => { const prompts = Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt'));
                          return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent)); }"""
    _STARTED = """() => Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt'))
                          .some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"""

    # dialogs JupyterLab may open on a loaded machine, and the button a person would press
    _EXPECTED_DIALOGS = {"Select Kernel": "Select", "news": "No"}

    def answer_dialog(self) -> None:
        """Answer a dialog a person would expect (kernel choice, a restart notice, the news prompt); any other
        dialog fails the test with its text, so a real error is never clicked away."""
        dialog = self.page.locator(".jp-Dialog")
        if not dialog.count():
            return
        text = dialog.first.inner_text()
        for marker, button in self._EXPECTED_DIALOGS.items():
            if marker in text:
                dialog.first.get_by_role("button", name=button).first.click()
                return
        raise AssertionError(f"an unexpected JupyterLab dialog: {text[:500]!r}")

    def run_all(self, timeout_s: float = 300) -> None:
        """Run > Run All Cells, then wait until every code cell has run and the kernel is idle.

        On a loaded machine the kernel may still be starting when the menu is used, and the
        command then does nothing: try again until cells start running.
        """
        for attempt in range(4):
            self.answer_dialog()
            self.page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
            self.page.get_by_role("menuitem", name="Run", exact=True).click()
            self.page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
            try:
                self.page.wait_for_function(self._STARTED, timeout=30_000)
                break
            except Exception:
                self.page.keyboard.press("Escape")
                if attempt == 3:
                    raise
        self._wait_all_ran(timeout_s)
        self.wait_idle(timeout_s)

    _NOT_RUN = """() => Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt'))
                          .map((p, i) => [i, p.textContent.trim()]).filter(([i, t]) => !/\\[\\d+\\]/.test(t))"""

    def _wait_all_ran(self, timeout_s: float) -> None:
        """Wait until every code cell shows an execution count, answering the dialogs JupyterLab may
        open meanwhile (a kernel chooser after a restart). On time-out the failure names the cells
        that never ran and any dialog left open, and keeps a screenshot."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.page.evaluate(self._ALL_RAN):
                return
            dialog = self.page.locator(".jp-Dialog")
            if dialog.count() and any(marker in dialog.first.inner_text() for marker in self._EXPECTED_DIALOGS):
                self.answer_dialog()
            time.sleep(1)
        not_run = self.page.evaluate(self._NOT_RUN)
        dialog = self.page.locator(".jp-Dialog")
        open_dialog = dialog.first.inner_text()[:300] if dialog.count() else None
        shot = self.screenshot(f"run-all-timeout-{Path(self.path).stem}")
        raise AssertionError(f"Run All did not finish in {timeout_s:g} s; code cells not run (index, prompt): "
                             f"{not_run[:20]}; dialog open: {open_dialog!r}; screenshot {shot}")

    def wait_idle(self, timeout_s: float = 120) -> None:
        deadline = time.monotonic() + timeout_s
        time.sleep(0.5)
        while time.monotonic() < deadline:
            busy = self.page.locator(".jp-InputArea-prompt", has_text="[*]").count()
            idle = self.page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count()
            if busy == 0 and idle:
                time.sleep(0.3)
                if self.page.locator(".jp-InputArea-prompt", has_text="[*]").count() == 0:
                    return
            time.sleep(0.3)
        raise TimeoutError("notebook still busy")

    def code_cells(self):
        return self.page.locator(".jp-Notebook .jp-CodeCell")

    def errors_by_cell(self) -> list[tuple[int, str, str]]:
        """(cell index among code cells, error name, first source line) of each cell showing an error."""
        return self.page.evaluate(
            """() => Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell')).flatMap((cell, i) => {
                   const err = cell.querySelector('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]');
                   if (!err) return [];
                   const text = err.textContent || '';
                   const m = text.match(/^\\s*([A-Za-z_][A-Za-z0-9_.]*(Error|Exception|Interrupt))\\b/m)
                             || text.match(/([A-Za-z_][A-Za-z0-9_]*(Error|Exception))\\s*(:|Traceback)/);
                   const src = (cell.querySelector('.jp-InputArea-editor .cm-content') || {}).textContent || '';
                   return [[i, m ? m[1] : text.slice(0, 80), src.slice(0, 80)]];
               })""")

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path


AXE_SCRIPT = None
A11Y_REPORT = ROOT / ".artifacts" / "a11y"


def axe_violations(page, include: list[str] | None = None) -> list[dict]:
    """axe-core (shipped by axe-playwright-python; no download) on the page or on ``include`` selectors:
    WCAG 2.0/2.1 A and AA rules. Returns [{id, impact, help, targets}]."""
    global AXE_SCRIPT
    if AXE_SCRIPT is None:
        import axe_playwright_python

        AXE_SCRIPT = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_SCRIPT)
    context = {"include": [[s] for s in include]} if include else "document"
    return page.evaluate(
        """async ([context]) => {
             const exists = context === "document" || context.include.some(s => document.querySelector(s[0]));
             if (!exists) return [];
             const result = await axe.run(context === "document" ? document : context,
               {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, resultTypes: ["violations"]});
             return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
               targets: v.nodes.map(n => n.target.join(" ")).slice(0, 5), count: v.nodes.length}));
           }""", [context])
