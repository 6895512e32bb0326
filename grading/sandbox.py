"""Run each student's kernel in a bubblewrap sandbox while nbgrader grades it.

Why bubblewrap (Debian's ``bubblewrap``): it needs no daemon (unlike Docker), runs on
an ordinary Linux machine, starts in milliseconds, and gives every kernel its own
mount, PID, network, IPC and UTS namespaces. A dedicated Unix user with file
permissions alone would still see every world-readable file of the course and the
network; containers need an engine this course cannot assume.

Two ways to get there, with the same guarantees for the student's code:
- as root: the kernel runs under a uid of its own, 200000 + the grader's process id, that no
  user on the machine has (``setpriv`` switches to it and drops every capability);
- as an ordinary user (no root needed; most current Linux allows unprivileged user
  namespaces): bwrap makes a user namespace in which the kernel is that same uid with no
  capabilities; outside, its processes and files are the instructor's, but it sees only what
  is bound below. The process cap then counts the instructor's processes too, so it is set
  to what they run now plus the kernel's allowance.

What a sandboxed kernel gets:
- an unprivileged identity, not root, not the instructor's uid inside the sandbox;
- read-only: the system (``/usr`` and the few files of ``/etc`` that Python, fonts and TLS
  need: :data:`ETC_NEEDED`), the Python installation and the course
  environment (the venv and the ``widgets`` package); nothing else of the course:
  no ``source/``, no gradebook, no other student, no home directory;
- a fresh, empty, writable scratch folder as its working directory (files a student
  added to the submission are not there, so they cannot shadow ``widgets``), a private
  ``/tmp``, and a clean environment (no instructor variables, no ``JPY_PARENT_PID``);
- no network (its own empty network namespace), and no user namespaces of its own (a seccomp
  filter refuses them: they are the way into most kernel privilege escalations);
- limits: address space (``--as``), process count (``--nproc``) and file size (``--fsize``,
  256 MB) via ``prlimit``, so a 6 GB allocation raises MemoryError, a fork loop fails and a
  runaway write stops, in that kernel only;
- the kernel talks to nbgrader over IPC sockets in a folder bound into the sandbox
  (TCP loopback is unreachable from its network namespace).
"""
from __future__ import annotations

import os
import shlex
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
            return f"{name} is not installed (Debian/Ubuntu: apt-get install bubblewrap util-linux)"
    probe = subprocess.run(sandbox_argv(Path(tempfile.gettempdir()), Path(tempfile.mkdtemp()), ["/bin/true"]),
                           capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        hint = ("" if not rootless() else
                " (as an ordinary user the sandbox needs unprivileged user namespaces: on Ubuntu 24.04 and later "
                "AppArmor restricts them, see the README's grading section; or grade as root)")
        return f"bubblewrap cannot create a sandbox here: {probe.stderr.strip()[:300]}{hint}"
    return ""


def scratch_mb() -> int:
    """Disk space (MB) the kernels of one grading worker may write (as root; as an ordinary user,
    each kernel): ``IMH_SCRATCH_MB``, default 1024."""
    return int(os.environ.get("IMH_SCRATCH_MB", "1024"))


def rootless() -> bool:
    """Grading as an ordinary user: the sandbox then makes its own user namespace."""
    return os.geteuid() != 0


def processes_of(uid: int) -> int:
    """How many processes ``uid`` runs now (RLIMIT_NPROC counts them all)."""
    count = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            for line in status.read_text().splitlines():
                if line.startswith("Uid:"):
                    count += int(line.split()[1]) == uid
                    break
        except (OSError, ValueError, IndexError):
            continue
    return count


def _python_roots() -> list[Path]:
    """The Python installation and the course environment the kernel must read."""
    roots = {Path(sys.base_prefix).resolve(), Path(sys.prefix)}
    roots.add(Path(__import__("widgets").__file__).resolve().parent)  # editable install points here
    return sorted(roots)


ETC_NEEDED = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/ssl",
              "/etc/ca-certificates", "/etc/fonts", "/etc/mime.types", "/etc/nsswitch.conf",
              "/etc/alternatives", "/etc/matplotlibrc")


# --- no user namespaces inside: a seccomp filter (classic BPF, as bwrap --seccomp expects) ----------
_ARCH = {"x86_64": (0xC000003E, 272, 56, 435), "aarch64": (0xC00000B7, 97, 220, 435)}  # audit arch, unshare, clone, clone3
CLONE_NEWUSER = 0x10000000


def no_userns_filter() -> bytes | None:
    """A seccomp program that refuses unshare/clone with CLONE_NEWUSER (EPERM) and clone3
    (ENOSYS, so the C library falls back to clone, whose flags the filter can read); every
    other call is allowed. None on an architecture this table does not know."""
    import platform
    import struct

    arch = _ARCH.get(platform.machine())
    if arch is None:
        return None
    audit, unshare, clone, clone3 = arch
    ld, jeq, jset, ret = 0x20, 0x15, 0x45, 0x06
    allow, eperm, enosys = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38
    program = [
        (ld, 0, 0, 4),            # 0: architecture
        (jeq, 0, 8, audit),       # 1: another architecture: allow (10)
        (ld, 0, 0, 0),            # 2: system call number
        (jeq, 3, 0, unshare),     # 3: -> 7
        (jeq, 2, 0, clone),       # 4: -> 7
        (jeq, 5, 0, clone3),      # 5: -> 11
        (ret, 0, 0, allow),       # 6
        (ld, 0, 0, 16),           # 7: low word of the first argument (the flags)
        (jset, 0, 1, CLONE_NEWUSER),  # 8: new user namespace? -> 9 else 10
        (ret, 0, 0, eperm),       # 9
        (ret, 0, 0, allow),       # 10
        (ret, 0, 0, enosys),      # 11
    ]
    return b"".join(struct.pack("<HBBI", *instruction) for instruction in program)


def _filter_file() -> Path | None:
    program = no_userns_filter()
    if program is None:
        return None
    path = Path(tempfile.gettempdir()) / f"imh-no-userns-{os.getuid()}.bpf"
    if not path.exists() or path.read_bytes() != program:
        tmp = path.with_suffix(f".{os.getpid()}")
        tmp.write_bytes(program)
        tmp.replace(path)
    return path


def sandbox_argv(runtime: Path, scratch: Path, command: list[str], *, memory_mb: int = 4096,
                 max_processes: int = 256, max_file_mb: int = 256, uid: int = NOBODY) -> list[str]:
    """The bwrap + setpriv + prlimit command line that runs ``command`` sandboxed."""
    argv = [_tool("bwrap") or "bwrap", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--clearenv"]
    if rootless():  # an own user namespace: the kernel is ``uid`` inside, with no capabilities
        argv += ["--unshare-user", "--uid", str(uid), "--gid", str(uid), "--cap-drop", "ALL"]
    seccomp = _filter_file()
    if seccomp is not None:  # bwrap reads the filter from fd 3, which a shell opens for it
        argv = ["/bin/sh", "-c", f'exec "$0" "$@" 3< {shlex.quote(str(seccomp))}', *argv, "--seccomp", "3"]
    argv += ["--ro-bind", "/usr", "/usr", "--perms", "0755", "--dir", "/etc"]
    for path in ETC_NEEDED:  # a minimal /etc: what Python, fonts and TLS need, nothing else
        if os.path.exists(path):
            argv += ["--ro-bind", path, path]
    for link in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / link
        if path.is_symlink():
            argv += ["--symlink", os.readlink(path), f"/{link}"]
        elif path.is_dir():
            argv += ["--ro-bind", str(path), str(path)]
    # a private, writable /tmp (mode 1777, like a real one); before the binds below: /tmp may hold them
    argv += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
    made = set()
    for root in (*_python_roots(), runtime):
        for parent in reversed(root.parents):  # traversable parents (bwrap would make them 0700)
            if parent != Path("/") and parent not in made:
                argv += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
    for root in _python_roots():
        argv += ["--ro-bind", str(root), str(root)]
    if rootless():  # no mount namespace of the grader's to cap the scratch folder: a sized tmpfs per kernel
        argv += ["--bind", str(runtime), str(runtime), "--size", str(scratch_mb() * 1024 * 1024), "--tmpfs", "/scratch"]
    else:
        argv += ["--bind", str(runtime), str(runtime), "--bind", str(scratch), "/scratch"]
    argv += ["--remount-ro", "/",  # the sandbox's own root (its /etc, the folders above the binds) read-only
             "--chdir", "/scratch",
             "--setenv", "HOME", "/scratch", "--setenv", "PATH", f"{Path(sys.prefix) / 'bin'}:/usr/bin:/bin",
             "--setenv", "MPLCONFIGDIR", "/scratch/.matplotlib", "--setenv", "IPYTHONDIR", "/scratch/.ipython",
             "--setenv", "MPLBACKEND", "module://matplotlib_inline.backend_inline",
             "--setenv", "NBGRADER_EXECUTION", os.environ.get("NBGRADER_EXECUTION", "autograde"),
             "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--setenv", "OPENBLAS_NUM_THREADS", "1",
             "--"]
    if rootless():  # bwrap already dropped every capability and set no_new_privs
        argv += [_tool("setpriv") or "setpriv", "--no-new-privs"]
        max_processes += processes_of(os.getuid())  # the cap counts the instructor's own processes too
    else:
        argv += [_tool("setpriv") or "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                 "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]
    argv += [_tool("prlimit") or "prlimit", f"--as={memory_mb * 1024 * 1024}", f"--nproc={max_processes}",
             f"--fsize={max_file_mb * 1024 * 1024}", "--", *command]
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
    max_file_mb = Integer(256, help="Largest file a sandboxed kernel may write (MB)").tag(config=True)
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
            if not rootless():  # rootless: the sandbox's uid is the instructor's outside, who owns these
                os.chown(folder, self._uid, self._uid)
            os.chmod(folder, stat.S_IRWXU)
        os.chmod(self._runtime, 0o711)  # the grader and the sandbox uid can reach the sockets
        self.transport = "ipc"
        self.ip = str(self._runtime / f"kernel-{uuid.uuid4().hex[:8]}")
        self.connection_file = str(self._runtime / "connection.json")

    def write_connection_file(self, **kwargs):
        result = super().write_connection_file(**kwargs)
        if not rootless():
            os.chown(self.connection_file, self._uid, self._uid)  # readable by the sandboxed kernel only (and root)
        return result

    def format_kernel_cmd(self, extra_arguments=None):
        command = super().format_kernel_cmd(extra_arguments)
        return sandbox_argv(self._runtime, self._scratch, command, memory_mb=self.memory_mb,
                            max_processes=self.max_processes, max_file_mb=self.max_file_mb, uid=self._uid)

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
