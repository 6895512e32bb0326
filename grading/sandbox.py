"""Run each student's kernel in a bubblewrap sandbox while nbgrader grades it.

Why bubblewrap (Debian's ``bubblewrap``): it needs no daemon (unlike Docker), runs on
an ordinary Linux machine, starts in milliseconds, and gives every kernel its own
mount, PID, network, IPC and UTS namespaces. A dedicated Unix user with file
permissions alone would still see every world-readable file of the course and the
network; containers need an engine this course cannot assume.

What a sandboxed kernel gets:
- a real unprivileged identity (a uid of its own, 200000 + the grader's process id, that
  no user on the machine has; ``setpriv`` drops every capability) - not root, not the
  instructor;
- read-only: the system (``/usr``, ``/etc``), the Python installation and the course
  environment (the venv and the ``widgets`` package); nothing else of the course:
  no ``source/``, no gradebook, no other student, no home directory;
- a fresh, empty, writable scratch folder as its working directory (files a student
  added to the submission are not there, so they cannot shadow ``widgets``), a private
  ``/tmp``, and a clean environment (no instructor variables, no ``JPY_PARENT_PID``);
- no network (its own empty network namespace);
- limits: address space (``--as``) and process count (``--nproc``) via ``prlimit``, so a
  6 GB allocation raises MemoryError and a fork loop fails, in that kernel only;
- the kernel talks to nbgrader over IPC sockets in a folder bound into the sandbox
  (TCP loopback is unreachable from its network namespace).
"""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer, Unicode

NOBODY = 65534
FIRST_UID = 200_000  # sandbox uids: 200000 + the grader process id; no such user exists on the machine


def sandbox_uid() -> int:
    """A uid of its own for each grading process, so one student's process limit never
    counts another student's processes (RLIMIT_NPROC is counted per uid)."""
    return FIRST_UID + os.getpid() % 100_000
ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str | None:
    override = os.environ.get(f"IMH_{name.upper()}")  # e.g. IMH_BWRAP=/path (tests simulate a missing sandbox)
    if override is not None:
        return override if os.access(override, os.X_OK) else None
    for folder in ("/usr/bin", "/bin", "/usr/sbin"):
        if os.access(f"{folder}/{name}", os.X_OK):
            return f"{folder}/{name}"
    return shutil.which(name)


def unavailable_reason() -> str:
    """'' when sandboxed grading works on this machine, else why not."""
    if sys.platform != "linux":
        return f"bubblewrap needs Linux (this is {sys.platform})"
    for name in ("bwrap", "setpriv", "prlimit"):
        if not _tool(name):
            return f"{name} is not installed (Debian: apt-get install bubblewrap util-linux)"
    if os.geteuid() != 0:
        return "sandboxed grading runs as root (it drops to an unprivileged user for each kernel)"
    probe = subprocess.run(sandbox_argv(Path(tempfile.gettempdir()), Path(tempfile.mkdtemp()), ["/bin/true"]),
                           capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        return f"bubblewrap cannot create a sandbox here: {probe.stderr.strip()[:300]}"
    return ""


def _python_roots() -> list[Path]:
    """The Python installation and the course environment the kernel must read."""
    roots = {Path(sys.base_prefix).resolve(), Path(sys.prefix)}
    roots.add(Path(__import__("widgets").__file__).resolve().parent)  # editable install points here
    return sorted(roots)


def sandbox_argv(runtime: Path, scratch: Path, command: list[str], *, memory_mb: int = 4096,
                 max_processes: int = 256, uid: int = NOBODY) -> list[str]:
    """The bwrap + setpriv + prlimit command line that runs ``command`` sandboxed."""
    argv = [_tool("bwrap") or "bwrap", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--clearenv"]
    for top in ("usr", "etc"):
        argv += ["--ro-bind", f"/{top}", f"/{top}"]
    for link in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / link
        if path.is_symlink():
            argv += ["--symlink", os.readlink(path), f"/{link}"]
        elif path.is_dir():
            argv += ["--ro-bind", str(path), str(path)]
    argv += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]  # before the binds below: /tmp may hold them
    made = set()
    for root in (*_python_roots(), runtime):
        for parent in reversed(root.parents):  # traversable parents (bwrap would make them 0700)
            if parent != Path("/") and parent not in made:
                argv += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
    for root in _python_roots():
        argv += ["--ro-bind", str(root), str(root)]
    argv += ["--bind", str(runtime), str(runtime), "--bind", str(scratch), "/scratch", "--chdir", "/scratch",
             "--setenv", "HOME", "/scratch", "--setenv", "PATH", f"{Path(sys.prefix) / 'bin'}:/usr/bin:/bin",
             "--setenv", "MPLCONFIGDIR", "/scratch/.matplotlib", "--setenv", "IPYTHONDIR", "/scratch/.ipython",
             "--setenv", "MPLBACKEND", "module://matplotlib_inline.backend_inline",
             "--setenv", "NBGRADER_EXECUTION", os.environ.get("NBGRADER_EXECUTION", "autograde"),
             "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--setenv", "OPENBLAS_NUM_THREADS", "1",
             "--", _tool("setpriv") or "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
             "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
             _tool("prlimit") or "prlimit", f"--as={memory_mb * 1024 * 1024}", f"--nproc={max_processes}", "--",
             *command]
    return argv


def _seed_matplotlib_cache(folder: Path) -> None:
    """Give a fresh kernel the grader's matplotlib font list, so it does not rebuild it
    (about 0.3 s per submission); the fonts it names are visible read-only in the sandbox."""
    try:
        import matplotlib

        cached = list(Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))
    except Exception:  # no cache yet: the kernel builds its own, as before
        return
    folder.mkdir(parents=True, exist_ok=True)
    for path in cached:
        shutil.copy(path, folder / path.name)


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run in :func:`sandbox_argv` and talk over IPC."""

    memory_mb = Integer(4096, help="Address-space limit of a sandboxed kernel (MB)").tag(config=True)
    max_processes = Integer(256, help="Process limit of the sandbox user").tag(config=True)
    runtime_root = Unicode("", help="Folder for IPC sockets and connection files (bound into the sandbox)").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        root = Path(self.runtime_root or tempfile.gettempdir())
        self._runtime = Path(tempfile.mkdtemp(prefix="imh-kernel-", dir=root))
        self._scratch = self._runtime / "scratch"
        self._scratch.mkdir()
        self._uid = sandbox_uid()
        _seed_matplotlib_cache(self._scratch / ".matplotlib")
        for folder in (self._runtime, self._scratch, *self._scratch.rglob("*")):
            os.chown(folder, self._uid, self._uid)
            os.chmod(folder, stat.S_IRWXU)
        os.chmod(self._runtime, 0o711)  # the grader (root) and the sandbox uid can reach the sockets
        self.transport = "ipc"
        self.ip = str(self._runtime / f"kernel-{uuid.uuid4().hex[:8]}")
        self.connection_file = str(self._runtime / "connection.json")

    def write_connection_file(self, **kwargs):
        result = super().write_connection_file(**kwargs)
        os.chown(self.connection_file, self._uid, self._uid)  # readable by the sandboxed kernel only (and root)
        return result

    def format_kernel_cmd(self, extra_arguments=None):
        command = super().format_kernel_cmd(extra_arguments)
        return sandbox_argv(self._runtime, self._scratch, command, memory_mb=self.memory_mb,
                            max_processes=self.max_processes, uid=self._uid)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._runtime, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources

    async def _async_interrupt_kernel(self) -> None:
        """Interrupt by message: a signal to bwrap would not reach the kernel in its PID namespace."""
        if self.has_kernel:
            self._connect_control_socket()
            self.session.send(self._control_socket, self.session.msg("interrupt_request", content={}))

    interrupt_kernel = _async_interrupt_kernel
