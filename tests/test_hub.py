"""The course on JupyterHub, end to end on loopback (deploy/hub/).

A real PostgreSQL server (the gradebook), JupyterHub with configurable-http-proxy (npm), and four
real Unix users (an instructor and three students) made inside a private mount namespace (a
private copy of /etc is mounted over /etc there, so the host's user list is never touched). Every
step goes through the hub's REST API with that user's own token:

- the instructor generates and releases notebook 01 through nbgrader's exchange (Formgrader API);
- each student fetches it (nbgrader's assignment list API), answers it (the contents API: one
  with the source's solutions, one with some of them, one blank) and submits;
- the instructor collects, grades with the course's grading command in a kernel of their server
  (`python -m grading.grade autograde ...`: every student kernel in the bubblewrap sandbox),
  generates the feedback and releases it; each student fetches their own feedback page;
- the gradebook (PostgreSQL) holds exactly the points the keys give: all, the partial answer's
  own points, 0.

Privacy, with the deployment's exchange (deploy/hub/imh_exchange.py): one student, knowing the
exact paths, cannot list the submissions, read, rename, replace or write into another student's
submission, slip in a submission under another's name, or read another's feedback page.

The scenario runs as a script under ``unshare --mount`` (``python tests/test_hub.py WORKDIR``);
the test starts it and checks what it recorded. Needs root, PostgreSQL, Node.js with
configurable-http-proxy and bubblewrap; where one is missing the test is reported as not run
(under CI it fails).
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COURSE_ID = "infant-mental-health"
A = "01_what_is_imh"
INSTRUCTOR = "imhteacher"
STUDENTS = {"imhfull": "all", "imhpart": "some", "imhblank": "none"}
FIRST_UID = 61200
try:  # (the scenario half of this file runs as a plain script, without pytest)
    import pytest

    pytestmark = [pytest.mark.roundtrip, pytest.mark.xdist_group("hub")]
except ImportError:
    pass
CHP_LOCAL = ROOT / ".artifacts" / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
HUB_HOW = ("run as root on Linux with util-linux (unshare), Debian's postgresql, nodejs and "
           "configurable-http-proxy (.ci/run installs them: apt-get install postgresql nodejs npm; "
           "npm install --prefix .artifacts/node configurable-http-proxy) and bubblewrap")


def chp_path() -> str:
    return os.environ.get("IMH_CHP") or shutil.which("configurable-http-proxy") or str(CHP_LOCAL)


def hub_missing() -> str:
    """Why the hub test cannot run here ('' when it can)."""
    from tests.test_gradebook_postgres import postgres_missing
    from grading.sandbox import unavailable_reason

    if sys.platform != "linux" or os.geteuid() != 0:
        return "root on Linux (real users in a private mount namespace)"
    for tool in ("unshare", "setpriv", "node"):
        if not shutil.which(tool):
            return f"the '{tool}' command"
    if not os.access(chp_path(), os.X_OK):
        return f"configurable-http-proxy (npm), not found at {chp_path()}"
    reason = postgres_missing() or unavailable_reason()
    if reason:
        return reason
    python = Path(sys.executable).resolve()
    for folder in [*python.parents, ROOT, *ROOT.parents]:  # the Python, the course and its .venv
        if not folder.stat().st_mode & stat.S_IXOTH:
            return (f"a Python and a course other users can reach: {python} or {ROOT} is under {folder}, which "
                    "they cannot enter (let them pass through it: chmod o+x, as .ci/run does as root; or build .venv "
                    "on the system's python3 in a folder they can reach)")
    return ""


# ----------------------------------------------------------------------------------- the test
def test_a_class_on_jupyterhub_with_a_postgres_gradebook_and_a_private_exchange(tmp_path):
    from tests.conftest import require
    from tests.test_gradebook_postgres import temporary_postgres

    require("JupyterHub", hub_missing(), HUB_HOW)
    work = Path(tempfile.mkdtemp(prefix="imh-hub-", dir="/tmp"))
    os.chmod(work, 0o711)
    try:
        with temporary_postgres() as pg:
            url = pg.create("hub_gradebook", owner=INSTRUCTOR)
            started = time.perf_counter()
            run = subprocess.run(["unshare", "--mount", "--propagation", "private", "--fork", "--",
                                  sys.executable, __file__, str(work), url],
                                 capture_output=True, text=True, timeout=1200, cwd=ROOT)
            seconds = time.perf_counter() - started
        results_file = work / "results.json"
        assert results_file.is_file(), f"the scenario stopped:\n{run.stdout[-4000:]}\n{run.stderr[-8000:]}"
        results = json.loads(results_file.read_text())
        assert run.returncode == 0, f"{results}\n{run.stdout[-3000:]}\n{run.stderr[-6000:]}"
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nhub round trip: {seconds:.1f} s in all (hub and 4 servers up: {results['seconds']['servers_up']:.1f} s; "
          f"release to feedback fetched: {results['seconds']['round_trip']:.1f} s; grading: "
          f"{results['seconds']['grading']:.1f} s)")
    assert results["gradebook_dialect"] == "postgresql"
    assert results["courses_seen_by"]["imhfull"] == [COURSE_ID]
    # Scores: exactly what the keys give each student.
    assert results["expected"]["imhfull"] == results["possible"] > results["expected"]["imhpart"] > 0
    assert results["expected"]["imhblank"] == 0
    assert results["scores"] == results["expected"]
    assert all("sandbox, verified" in results["isolation"][s] for s in STUDENTS), results["isolation"]
    # Feedback: each student fetched one page, their own (it shows their own score).
    for student in STUDENTS:
        fetched = results["feedback"][student]
        assert fetched["pages"] == [f"{A}.html"], fetched
        assert fetched["own_page"], (student, fetched)
    # Privacy: every attempt by one student on another's files was refused.
    attempts = results["privacy"]
    assert len(attempts) >= 8
    assert {k: v for k, v in attempts.items() if v != "refused"} == {}
    assert results["forged_submission_collected"] is False and results["collected_is_the_victims_own"]
    assert results["instructor_hub_checks"]["formgrader_status"] is True


# -------------------------------------------------------------------------- the scenario (root)
def _free_ports(n: int) -> list[int]:
    sockets, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
        ports.append(s.getsockname()[1])
    for s in sockets:
        s.close()
    return ports


def _private_etc(work: Path, users: list[str]) -> dict[str, int]:
    """A copy of /etc mounted over /etc (this mount namespace only) with the course's users added."""
    etc = work / "etc"
    subprocess.run(["cp", "-a", "/etc", str(etc)], check=True)
    uids = {}
    used = {int(line.split(":")[2]) for line in (etc / "passwd").read_text().splitlines() if line.count(":") >= 6}
    uid = FIRST_UID
    with open(etc / "passwd", "a") as passwd, open(etc / "group", "a") as group, \
            open(etc / "shadow", "a") as shadow:
        for user in users:
            while uid in used:
                uid += 1
            uids[user] = uid
            home = work / "home" / user
            passwd.write(f"{user}:x:{uid}:{uid}:{user}:{home}:/bin/bash\n")
            group.write(f"{user}:x:{uid}:\n")
            shadow.write(f"{user}:!:20000:0:99999:7:::\n")
            uid += 1
    (etc / "jupyter").mkdir(exist_ok=True)
    target = etc / "jupyter" / "nbgrader_config.py"
    if target.exists() or target.is_symlink():
        target.unlink()
    target.symlink_to(ROOT / "deploy" / "hub" / "nbgrader_config.py")
    subprocess.run(["mount", "--bind", str(etc), "/etc"], check=True)
    return uids


def _as_user(user: str, code: str) -> subprocess.CompletedProcess:
    """Python ``code`` run as ``user`` (their uid, groups and home), outside the hub."""
    import pwd

    entry = pwd.getpwnam(user)
    return subprocess.run(["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups",
                           "--reset-env", "--", sys.executable, "-c", code],
                          capture_output=True, text=True, cwd=entry.pw_dir, timeout=120)


class Hub:
    """The hub's REST API and each user's server through the proxy, with each user's token."""

    def __init__(self, base: str, service_token: str):
        self.base, self.service_token, self.tokens = base, service_token, {}

    def call(self, method: str, path: str, token: str, body=None, form: dict | None = None, timeout=600):
        import urllib.error
        import urllib.parse
        import urllib.request

        headers = {"Authorization": f"token {token}"}
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                text = response.read().decode()
                return response.status, (json.loads(text) if text.strip()[:1] in ("{", "[") else text)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def admin(self, method, path, body=None):
        return self.call(method, "/hub/api" + path, self.service_token, body=body)

    def user(self, name, method, path, body=None, form=None, timeout=600):
        return self.call(method, f"/user/{name}{path}", self.tokens[name], body=body, form=form, timeout=timeout)

    def token_for(self, name: str) -> str:
        status, reply = self.admin("POST", f"/users/{name}/tokens", {"note": "imh hub test", "expires_in": 3600})
        assert status in (200, 201), (status, reply)
        self.tokens[name] = reply["token"]
        return reply["token"]

    def spawn(self, name: str) -> None:
        status, reply = self.admin("POST", f"/users/{name}/server")
        assert status in (201, 202), (name, status, reply)

    def wait_ready(self, names: list[str], timeout: float = 300) -> None:
        deadline = time.time() + timeout
        waiting = set(names)
        while waiting and time.time() < deadline:
            for name in sorted(waiting):
                status, reply = self.admin("GET", f"/users/{name}")
                if status == 200 and reply.get("servers", {}).get("", {}).get("ready"):
                    waiting.discard(name)
            time.sleep(1)
        assert not waiting, f"servers not ready after {timeout} s: {sorted(waiting)}"

    def run_in_kernel(self, name: str, code: str, timeout: float = 900) -> str:
        """Run ``code`` in a new kernel of ``name``'s server (kernels and websocket API); its output."""
        import websocket

        status, kernel = self.user(name, "POST", "/api/kernels", body={"name": "python3"})
        assert status == 201, (status, kernel)
        ws_url = self.base.replace("http://", "ws://") + f"/user/{name}/api/kernels/{kernel['id']}/channels"
        conn = websocket.create_connection(ws_url, header=[f"Authorization: token {self.tokens[name]}"],
                                           timeout=timeout)
        msg_id = os.urandom(8).hex()
        conn.send(json.dumps({
            "header": {"msg_id": msg_id, "username": name, "session": os.urandom(8).hex(),
                       "msg_type": "execute_request", "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        out, reply = [], None
        while reply is None:
            message = json.loads(conn.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = message["msg_type"]
            if kind == "stream":
                out.append(message["content"]["text"])
            elif kind == "error":
                out.append("\n".join(message["content"]["traceback"]))
            elif kind == "execute_reply":
                reply = message["content"]
        conn.close()
        self.user(name, "DELETE", f"/api/kernels/{kernel['id']}")
        assert reply["status"] == "ok", "".join(out)[-6000:]
        return "".join(out)


def _answers(source_nb, release_nb) -> tuple[dict, dict, float]:
    """Each student's notebook and the points the keys give it (autograded items only)."""
    from grading.keys import item_of  # noqa: F401  (the judge's own notion of an item)
    from tests.conftest import fill, items

    graded = items(source_nb)
    ids = [answer for answer, _, _ in graded]
    chosen = {"all": set(ids), "some": set(ids[::2]), "none": set()}
    notebooks, expected = {}, {}
    for student, kind in STUDENTS.items():
        notebooks[student] = fill(release_nb, source_nb, chosen[kind]) if kind != "none" else release_nb
        expected[student] = float(sum(points for answer, _, points in graded if answer in chosen[kind]))
    return notebooks, expected, float(sum(points for _, _, points in graded))


def scenario(work: Path, gradebook_url: str, results: dict) -> dict:
    import pwd

    import nbformat
    from nbgrader.api import Gradebook

    from tools.course import make_course

    results.update({"seconds": {}, "privacy": {}})
    t0 = time.perf_counter()
    users = [INSTRUCTOR, *STUDENTS]
    uids = _private_etc(work, users)
    exchange = work / "exchange"
    exchange.mkdir()
    os.chmod(exchange, 0o1777)
    for user in users:
        home = work / "home" / user
        if user == INSTRUCTOR:  # the instructor's server runs in the course root (course_config.py uses it)
            make_course(home, [A])
            (home / ".exchange").symlink_to(exchange)  # course_config.py's exchange is <course>/.exchange
        else:
            home.mkdir(parents=True)
        subprocess.run(["chown", "-R", f"{uids[user]}:{uids[user]}", str(home)], check=True)
        os.chmod(home, 0o700)
    state = work / "hub"
    state.mkdir()
    hub_port, internal_port, proxy_port = _free_ports(3)
    service_token = os.urandom(24).hex()
    env = dict(os.environ, IMH_COURSE_ID=COURSE_ID, IMH_INSTRUCTORS=INSTRUCTOR, IMH_STUDENTS=",".join(STUDENTS),
               IMH_HUB_STATE=str(state), IMH_HUB_VENV=sys.prefix, IMH_HUB_URL=f"http://127.0.0.1:{hub_port}",
               IMH_HUB_INTERNAL_URL=f"http://127.0.0.1:{internal_port}",
               IMH_PROXY_API_URL=f"http://127.0.0.1:{proxy_port}", IMH_CHP=chp_path(),
               IMH_HUB_SERVICE_TOKEN=service_token, IMH_EXCHANGE_ROOT=str(exchange),
               IMH_GRADEBOOK_URL=gradebook_url, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    log = open(state / "hub.log", "w")
    hub_process = subprocess.Popen([str(Path(sys.executable).parent / "jupyterhub"), "-f",
                                    str(ROOT / "deploy" / "hub" / "jupyterhub_config.py")],
                                   cwd=state, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        hub = Hub(f"http://127.0.0.1:{hub_port}", service_token)
        deadline = time.time() + 120
        while True:
            try:
                if hub.admin("GET", "/")[0] == 200:
                    break
            except OSError:
                pass
            assert hub_process.poll() is None and time.time() < deadline, (state / "hub.log").read_text()[-5000:]
            time.sleep(0.5)
        for user in users:
            hub.token_for(user)
            hub.spawn(user)
        hub.wait_ready(users)
        results["seconds"]["servers_up"] = time.perf_counter() - t0
        t1 = time.perf_counter()

        status, reply = hub.user(INSTRUCTOR, "GET", "/formgrader/api/status")
        results["instructor_hub_checks"] = {"formgrader_status": status == 200 and reply.get("status") is True}
        # 1. The instructor generates and releases notebook 01 through the exchange.
        for action in ("assign", "release"):
            status, reply = hub.user(INSTRUCTOR, "POST", f"/formgrader/api/assignment/{A}/{action}")
            assert status == 200 and reply.get("success"), (action, status, reply)
        # 2. Students fetch, answer and submit.
        source_nb = nbformat.read(work / "home" / INSTRUCTOR / "source" / A / f"{A}.ipynb", as_version=4)
        release_nb = nbformat.read(work / "home" / INSTRUCTOR / "release" / A / f"{A}.ipynb", as_version=4)
        notebooks, expected, possible = _answers(source_nb, release_nb)
        results["expected"], results["possible"] = expected, possible
        results["courses_seen_by"] = {}
        for student in STUDENTS:
            status, courses = hub.user(student, "GET", "/courses")
            results["courses_seen_by"][student] = courses.get("value") if isinstance(courses, dict) else courses
            status, reply = hub.user(student, "POST", "/assignments/fetch",
                                     form={"course_id": COURSE_ID, "assignment_id": A})
            assert status == 200 and reply.get("success"), (student, status, reply)
            path = f"{COURSE_ID}/{A}/{A}.ipynb"
            status, current = hub.user(student, "GET", f"/api/contents/{path}?content=0")
            assert status == 200, (student, "fetched notebook not found", status, current)
            status, reply = hub.user(student, "PUT", f"/api/contents/{path}",
                                     body={"type": "notebook", "format": "json", "content": notebooks[student]})
            assert status in (200, 201), (student, status, reply)
            status, reply = hub.user(student, "POST", "/assignments/submit",
                                     form={"course_id": COURSE_ID, "assignment_id": A})
            assert status == 200 and reply.get("success"), (student, status, reply)

        # 3. Privacy, before the instructor collects: another student knows the paths and tries.
        inbound = exchange / COURSE_ID / "inbound"
        victim = "imhfull"
        victim_dir = next(p for p in inbound.iterdir() if p.name.startswith(f"{victim}+{A}+"))
        probe = f"""
import json, os, shutil
inbound, victim = {str(inbound)!r}, {str(victim_dir)!r}
out = {{}}
def attempt(name, action):
    try:
        action(); out[name] = "allowed"
    except OSError as exc:
        out[name] = "refused"
attempt("list inbound", lambda: os.listdir(inbound))
attempt("list submission", lambda: os.listdir(victim))
attempt("read submission", lambda: open(os.path.join(victim, {f"{A}.ipynb"!r})).read())
attempt("read submission secret", lambda: open(os.path.join(victim, "submission_secret.txt")).read())
attempt("rename submission", lambda: os.rename(victim, victim + "-moved"))
attempt("delete submission", lambda: shutil.rmtree(victim))
attempt("write into submission", lambda: open(os.path.join(victim, "extra.ipynb"), "w").write("{{}}"))
attempt("replace submission notebook", lambda: os.replace(os.path.join(victim, "timestamp.txt"),
                                                          os.path.join(victim, {f"{A}.ipynb"!r})))
forged = os.path.join(inbound, os.path.basename(victim).rsplit("+", 2)[0] + "+2099-01-01 00:00:00.000000 UTC+forged")
try:
    os.mkdir(forged); open(os.path.join(forged, {f"{A}.ipynb"!r}), "w").write("{{}}")
    open(os.path.join(forged, "timestamp.txt"), "w").write("2099-01-01 00:00:00.000000 UTC")
    os.chmod(forged, 0o777)
except OSError:
    pass
print(json.dumps(out))
"""
        attacker = "imhblank"
        done = _as_user(attacker, probe)
        assert done.returncode == 0, done.stderr
        results["privacy"].update({f"submission: {k}": v for k, v in json.loads(done.stdout).items()})

        # 4. The instructor collects (Formgrader API) and grades with the course's command in a kernel.
        status, reply = hub.user(INSTRUCTOR, "POST", f"/formgrader/api/assignment/{A}/collect")
        results["collect_log"] = reply.get("log", "") if isinstance(reply, dict) else str(reply)
        assert status == 200 and reply.get("success"), (status, reply)
        course = work / "home" / INSTRUCTOR
        try:
            collected = nbformat.read(course / "submitted" / victim / A / f"{A}.ipynb", as_version=4)
        except Exception:  # the forged "{}" was collected
            collected = nbformat.v4.new_notebook()
        results["forged_submission_collected"] = "2099" in (course / "submitted" / victim / A / "timestamp.txt").read_text()
        results["collected_is_the_victims_own"] = collected.cells == notebooks[victim].cells
        t2 = time.perf_counter()
        output = hub.run_in_kernel(INSTRUCTOR, f"""
import subprocess, sys
for args in (["autograde", {A!r}, "--jobs", "2"], ["feedback", {A!r}]):
    done = subprocess.run([sys.executable, "-m", "grading.grade", *args], cwd={str(course)!r},
                          capture_output=True, text=True)
    print(done.stdout[-3000:], done.stderr[-3000:])
    assert done.returncode == 0, args
""")
        results["seconds"]["grading"] = time.perf_counter() - t2
        status, reply = hub.user(INSTRUCTOR, "POST", f"/formgrader/api/assignment/{A}/release_feedback")
        assert status == 200 and reply.get("success"), (status, reply)
        report = list(__import__("csv").DictReader(open(course / "reports" / A / "grading-report.csv")))
        results["isolation"] = {row["student_id"]: row["isolation"] for row in report}

        # 5. Each student fetches their feedback; one tries to read another's page by its path.
        results["feedback"] = {}
        with Gradebook(gradebook_url) as gb:
            results["gradebook_dialect"] = gb.db.get_bind().dialect.name
            results["scores"] = {s: float(sum(g.auto_score or 0 for nb in gb.find_submission(A, s).notebooks
                                              for g in nb.grades if g.cell.cell_type == "code"))
                                 for s in STUDENTS}
        for student in STUDENTS:
            status, reply = hub.user(student, "POST", "/assignments/fetch_feedback",
                                     form={"course_id": COURSE_ID, "assignment_id": A})
            assert status == 200 and reply.get("success"), (student, status, reply)
            status, listing = hub.user(student, "GET", f"/api/contents/{COURSE_ID}/{A}/feedback")
            assert status == 200, (student, status, listing)
            stamps = [item["name"] for item in listing["content"]]
            stamp = urllib.parse.quote(stamps[-1])
            status, folder = hub.user(student, "GET", f"/api/contents/{COURSE_ID}/{A}/feedback/{stamp}")
            pages = sorted(item["name"] for item in folder["content"])
            status, page = hub.user(student, "GET", f"/api/contents/{COURSE_ID}/{A}/feedback/{stamp}/{A}.html")
            text = page["content"] if isinstance(page, dict) else ""
            own = (course / "feedback" / student / A / f"{A}.html").read_text()
            results["feedback"][student] = {"pages": pages, "own_page": bool(text) and text == own}
        outbound = exchange / COURSE_ID / "feedback"
        pages = sorted(str(p) for p in outbound.glob("*.html"))
        probe = f"""
import json, os
out = {{}}
try:
    os.listdir({str(outbound)!r}); out["list feedback"] = "allowed"
except OSError:
    out["list feedback"] = "refused"
readable = 0
for page in {pages!r}:
    try:
        open(page).read(); readable += 1
    except OSError:
        pass
out["read others' feedback"] = "refused" if readable == 1 else f"{{readable}} pages readable"
print(json.dumps(out))
"""
        done = _as_user(attacker, probe)
        assert done.returncode == 0, done.stderr
        results["privacy"].update({f"feedback: {k}": v for k, v in json.loads(done.stdout).items()})
        results["seconds"]["round_trip"] = time.perf_counter() - t1
        results["grading_output"] = output[-2000:]
    except BaseException:
        results["hub_log_tail"] = (state / "hub.log").read_text()[-3000:]
        raise
    finally:
        for user in users:
            try:
                hub.admin("DELETE", f"/users/{user}/server")
            except Exception:
                pass
        os.killpg(hub_process.pid, 15)
        try:
            hub_process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(hub_process.pid, 9)
    return results


if __name__ == "__main__":
    work_dir, url = Path(sys.argv[1]), sys.argv[2]
    outcome: dict = {}
    try:
        scenario(work_dir, url, outcome)
    finally:
        (work_dir / "results.json").write_text(json.dumps(outcome, indent=1, default=str))
