# Loads the course's nbgrader configuration (course_config.py): nbgrader ignores --config.
c = get_config()  # noqa: F821
load_subconfig("course_config.py")  # noqa: F821
