"""nbgrader configuration of the course "Principles of Infant Mental Health".

Loaded by nbgrader_config.py (nbgrader ignores `--config`, nbgrader issue #1370),
so every plain `nbgrader ...` command run from the repository root uses it.
Run nbgrader from the course root: relative paths below are resolved there.
"""
import os

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, IgnorePattern, LimitOutput,
                                    SaveAutoGrades)
from nbgrader.preprocessors import GetGrades

from grading.nbgrader_ext import (FEEDBACK_TEMPLATES, HideHiddenTests, JudgeAnswers, KeepGoingExecute,
                                  MathToMathML)

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

# --- The course ---------------------------------------------------------------
c.CourseDirectory.course_id = "infant-mental-health"
c.CourseDirectory.root = os.getcwd()
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
# Notebooks only: data the lessons use ships inside the `widgets` package.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
c.CourseDirectory.max_file_size = 2_000  # kB; a larger file in a submission is not copied

# Gradebook: SQLite in the course root by default. For a large course set
# IMH_GRADEBOOK_URL to any SQLAlchemy URL, e.g.
#   export IMH_GRADEBOOK_URL=postgresql+psycopg://grader@localhost/imh_gradebook   (psycopg 3, in the grading extra)
c.CourseDirectory.db_url = os.environ.get(
    "IMH_GRADEBOOK_URL",
    "sqlite:///" + os.path.join(os.getcwd(), "gradebook.db"),
)

# The LMS workflow (zip_collect) needs no exchange; a course-local one lets the
# Formgrader's release/collect buttons work on a single machine (never committed).
c.Exchange.root = os.path.join(os.getcwd(), ".exchange")

# --- Executing notebooks (validate and autograde) -----------------------------
# Per cell, in seconds. A hung cell costs exactly one timeout, then the kernel is
# interrupted and grading carries on with the next cell.
c.Execute.timeout = int(os.environ.get("IMH_CELL_TIMEOUT", "60"))
c.Execute.interrupt_on_timeout = True
# Endless output is cut, so one student's print loop cannot bloat the gradebook.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 50

# --- Judging (every path that autogrades: grading.grade, plain nbgrader, the Formgrader) ---
# The student's kernel only hands over its answers as plain data; JudgeAnswers compares
# them with keys made from source/ (in .grading/keys/, never in release/ or the kernel) and
# sets each test cell's outputs so SaveAutoGrades records exactly the judge's score.
# nbgrader 0.9.6's default list, with the judge between LimitOutput and SaveAutoGrades, and
# an Execute that keeps the items graded before a kernel dies (KeepGoingExecute).
c.Autograde.autograde_preprocessors = [
    KeepGoingExecute,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    JudgeAnswers,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]
c.JudgeAnswers.course_root = os.getcwd()
# Late work (grading/late.py): the due date is the assignment's (nbgrader generate_assignment --duedate)
# plus the student's extension (extensions.csv); after a grace period each started day late costs a
# share of the autograded score, and after zero_after_days all of it. Change the numbers here.
from grading.late import CoursePenalty  # noqa: E402

c.AssignLatePenalties.plugin_class = CoursePenalty
c.CoursePenalty.grace_minutes = 15
c.CoursePenalty.percent_per_day = 10
c.CoursePenalty.zero_after_days = 7
# Student kernels run sandboxed on every path that autogrades (grading/sandbox.py): where
# bubblewrap cannot run, plain `nbgrader autograde` and the Formgrader refuse unless
# IMH_ACCEPT_UNISOLATED_GRADING=1. `python -m grading.grade autograde` sets this per run.
c.KeepGoingExecute.isolation = "auto"
c.KeepGoingExecute.course_root = os.getcwd()

# --- Student version ----------------------------------------------------------
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.GenerateAssignment.create_assignment = True

# --- Feedback -----------------------------------------------------------------
# The default feedback shows hidden tests (nbgrader #917, #1363). Remove their
# source, and remove the traceback lines that point into them.
c.GenerateFeedback.preprocessors = [
    GetGrades,
    HideHiddenTests,
    MathToMathML,
    CSSHTMLHeaderPreprocessor,
]
# Exercise titles, sections to revisit, no MathJax download: the course's template is also
# called "feedback" and its folder comes first (grading/templates/feedback), so
# generate_feedback picks it while the Formgrader keeps its own "formgrade" template.
c.HTMLExporter.extra_template_basedirs = [
    FEEDBACK_TEMPLATES,
    os.path.join(os.path.dirname(__import__("nbgrader").__file__), "server_extensions", "formgrader", "templates"),
]
