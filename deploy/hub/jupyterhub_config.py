"""JupyterHub for a class taking "Principles of Infant Mental Health" (see deploy/hub/README.md).

    jupyterhub -f /srv/imh-course/deploy/hub/jupyterhub_config.py      # as root, from /srv/jupyterhub

Real Unix users (one per student and instructor, PAM log-in), each server started as that user
(LocalProcessSpawner), configurable-http-proxy (npm) started by the hub, the nbgrader groups
`nbgrader-<course>` (students) and `formgrade-<course>` (graders). Every value a site changes is
read from an environment variable with a production default; tests/test_hub.py sets them to run
the same file on loopback.
"""
import os
import sys

c = get_config()  # noqa: F821

COURSE = os.environ.get("IMH_COURSE_ID", "infant-mental-health")  # course_config.py's course id
INSTRUCTORS = [u for u in os.environ.get("IMH_INSTRUCTORS", "instructor").split(",") if u]
STUDENTS = [u for u in os.environ.get("IMH_STUDENTS", "").split(",") if u]   # or manage the group in the admin page
STATE = os.environ.get("IMH_HUB_STATE", "/srv/jupyterhub")                  # the hub's own database, cookie secret
VENV = os.environ.get("IMH_HUB_VENV", sys.prefix)                          # the course's Python environment

# --- network: the public proxy, the hub behind it, the proxy's API (all loopback but the first) ---
c.JupyterHub.bind_url = os.environ.get("IMH_HUB_URL", "http://:8000")       # put TLS (nginx, caddy) in front
c.JupyterHub.hub_bind_url = os.environ.get("IMH_HUB_INTERNAL_URL", "http://127.0.0.1:8081")
c.ConfigurableHTTPProxy.api_url = os.environ.get("IMH_PROXY_API_URL", "http://127.0.0.1:8001")
c.ConfigurableHTTPProxy.command = [os.environ.get("IMH_CHP", "configurable-http-proxy")]
c.ConfigurableHTTPProxy.should_start = True
c.JupyterHub.db_url = "sqlite:///" + os.path.join(STATE, "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(STATE, "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = os.path.join(STATE, "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True

# --- who: real Unix users, PAM passwords; only the course's people ---
c.JupyterHub.authenticator_class = os.environ.get("IMH_HUB_AUTHENTICATOR", "pam")
c.Authenticator.allowed_users = set(INSTRUCTORS + STUDENTS)
c.Authenticator.admin_users = set(INSTRUCTORS)
c.JupyterHub.load_groups = {
    f"nbgrader-{COURSE}": {"users": STUDENTS},
    f"formgrade-{COURSE}": {"users": INSTRUCTORS},
}
# (JupyterHub 6's default server token can read its user's groups: enough for JupyterHubAuthPlugin.)
c.JupyterHub.load_roles = []
# A token for scripts (roster sync, tests): IMH_HUB_SERVICE_TOKEN, never committed.
if os.environ.get("IMH_HUB_SERVICE_TOKEN"):
    c.JupyterHub.services = [{"name": "imh-admin", "api_token": os.environ["IMH_HUB_SERVICE_TOKEN"]}]
    c.JupyterHub.load_roles.append({
        "name": "imh-admin", "services": ["imh-admin"],
        "scopes": ["admin:users", "admin:servers", "tokens", "access:servers", "admin:groups", "list:users"],
    })

# --- each user's server, as that user, in the course's environment ---
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [os.path.join(VENV, "bin", "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.Spawner.environment = {
    "PATH": os.path.join(VENV, "bin") + ":/usr/local/bin:/usr/bin:/bin",   # nbgrader runs `alembic` from PATH
    "IMH_EXCHANGE_ROOT": os.environ.get("IMH_EXCHANGE_ROOT", "/srv/nbgrader/exchange"),
    # The gradebook reaches instructors' servers only (students never need it, and it may name a host).
    "IMH_GRADEBOOK_URL": lambda spawner: (os.environ.get("IMH_GRADEBOOK_URL", "")
                                          if spawner.user.name in INSTRUCTORS else ""),
}
if os.environ.get("IMH_HUB_SPAWNER_DEBUG"):
    c.Spawner.debug = True
