"""Principles of Infant Mental Health: the course's models, figures, checks and widgets.

One module per topic: a pure model (plain values and an explicit seed in,
frozen dataclasses out) and then a thin ipywidgets view. Shared pieces:
``widgets.figures`` (style and alt text), ``widgets.answers`` (handing in answers; form checks only),
``widgets.data`` (the course's packaged data with citations).

Importing the package does no work: submodules are imported when used.
"""
__version__ = "0.1.0"
