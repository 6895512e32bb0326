"""Input checks shared by the models: a clear ValueError that names the parameter.

Every model validates its inputs with these, so a learner who passes a string, a
bool, NaN or an out-of-range value is told which parameter is wrong and why.
"""
from __future__ import annotations

import math
import numbers

__all__ = ["real", "integer"]


def real(name: str, value, *, low: float | None = None, high: float | None = None,
         low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a finite float within the bounds, or ValueError naming ``name``.

    Bools and non-numbers are refused (``True`` is not a probability).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name}: expected a number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name}: expected a finite number, got {value!r}")
    if low is not None and (value <= low if low_open else value < low):
        raise ValueError(f"{name}: must be {'>' if low_open else '>='} {low:g}, got {value:g}")
    if high is not None and (value >= high if high_open else value > high):
        raise ValueError(f"{name}: must be {'<' if high_open else '<='} {high:g}, got {value:g}")
    return value


def integer(name: str, value, *, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an int within the bounds, or ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name}: expected a whole number, got {type(value).__name__} {value!r}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            raise ValueError(f"{name}: must be between {low} and {high}, got {value}")
        raise ValueError(f"{name}: must be {'>= ' + str(low) if low is not None else '<= ' + str(high)}, got {value}")
    return value
