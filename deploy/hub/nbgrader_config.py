"""System-wide nbgrader configuration of the course's JupyterHub (every user's server reads it).

Install it as a symbolic link, so the exchange module next to it is found:
    ln -s /srv/imh-course/deploy/hub/nbgrader_config.py /etc/jupyter/nbgrader_config.py
The instructor's course root also has the course's own nbgrader_config.py (course_config.py):
it sets the course id, the gradebook (IMH_GRADEBOOK_URL) and grading; see deploy/hub/README.md.
"""
import os
import sys

c = get_config()  # noqa: F821

# One exchange for every course on this hub, each course in a folder of its own.
c.Exchange.root = os.environ.get("IMH_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
c.Exchange.path_includes_course = True
# Who is a student or a grader of which course: the hub's groups nbgrader-<course> and
# formgrade-<course> (nbgrader's JupyterHubAuthPlugin asks the hub with the server's own token).
from nbgrader.auth import JupyterHubAuthPlugin  # noqa: E402

c.Authenticator.plugin_class = JupyterHubAuthPlugin

# Private submissions and feedback (deploy/hub/imh_exchange.py): nbgrader's default exchange
# lets a student read, rename or replace another's submission and read their feedback by name.
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from imh_exchange import (PrivateCollect, PrivateReleaseAssignment, PrivateReleaseFeedback,  # noqa: E402
                          PrivateSubmit)

c.ExchangeFactory.release_assignment = PrivateReleaseAssignment
c.ExchangeFactory.submit = PrivateSubmit
c.ExchangeFactory.collect = PrivateCollect
c.ExchangeFactory.release_feedback = PrivateReleaseFeedback
