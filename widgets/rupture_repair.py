"""Rupture and repair: a caregiver-infant dyad moving between matched and mismatched states.

Tronick and Cohn (1989) describe face-to-face interaction as movement between
coordinated and miscoordinated states, and Tronick and Gold (2020, p. 37; seen
through a secondary source) write that in typical healthy parent-infant pairs
about 70% of interactions are out of sync (FACTS.md section 15). Mismatch is the
ordinary texture of a healthy interaction; what Tronick (1989) links to healthy
development is frequent repair. This module turns that description into a model a
learner can run and check against theory. It is a teaching model: its distress
index is not a clinical measure.

The model (one step = one second)
---------------------------------
Each second the dyad is *matched* (state 1) or *mismatched* (state 0): a
two-state Markov chain.

* A matched second is followed by a mismatch (a **rupture**) with probability
  ``break_rate`` (per second).
* A mismatched second is followed by a match (a **repair**) with probability
  ``p_repair = 1 - (1 - responsiveness * R_MAX) * (1 - self_regulation * S_MAX)``
  (per second): the caregiver repairs with probability ``responsiveness * R_MAX``,
  the infant's own regulation restores coordination with probability
  ``self_regulation * S_MAX``, independently, and either is enough.

Theory the tests hold the simulation to: the long-run fraction of time matched is
``p_repair / (p_repair + break_rate)``; matched spells last ``1 / break_rate``
seconds on average and mismatched spells (the **repair latency**) ``1 / p_repair``
seconds, both geometrically distributed.

Infant distress is an index from 0 (calm) to 1 (the most distress the scale
allows). During a mismatched second it moves toward 1 with time constant
``tau_rise_s``; during a matched second it settles toward 0 with time constant
``tau_settle_s``: ``d_t = target + (d_{t-1} - target) * exp(-1 s / tau)``. The value
for a second is the level at the end of that second.

Assumptions (unverified figures; explore the plausible ranges)
--------------------------------------------------------------
The 70/30 split is the only figure here that comes from the literature, and it is
an average over pairs, not a norm for any one pair. Repair latency is unverified
(the "within 2 seconds" line attributed to Tronick and Gianino, 1986, could not be
confirmed), so ``R_MAX`` and ``S_MAX`` are assumptions: with them the mean repair
latency runs from about 5 s (fully responsive caregiver, fully self-regulated
infant) upward; about 5-30 s is the range to explore. The distress time
constants are assumptions too (plausible ranges to explore: rise 20-120 s, settle 2-30 s).
The default settings give about 31% of time matched, a mean matched spell of 5 s
and a mean repair latency of about 11 s.

Speed
-----
A simulation draws whole runs (spells) at once, never seconds: geometric run
lengths by inversion, ``ceil(log(U) / log(1 - p))`` with ``U`` uniform on (0, 1),
for both states in one vectorised block (one uniform number per run, where
``numpy.random.Generator.geometric`` would need one call per state and is slower).
Distress is carried from run to run with a blocked linear scan, so the deck's
whole first year (15,536,000 seconds, about 1.9 million runs at the defaults)
takes about as long as drawing 15,536,000 uniform random numbers. Results keep the
timeline run-length encoded; a per-second distress trace is stored only for runs
up to ``TRACE_LIMIT_S`` seconds (or on request) and can always be rebuilt for any
window with :meth:`DyadResult.distress_trace`.
"""
from __future__ import annotations

import html
import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
from matplotlib.ticker import MaxNLocator

from .figures import PALETTE, course_style, new_figure
from .view import ModelView

__all__ = [
    "R_MAX",
    "S_MAX",
    "TAU_RISE_S",
    "TAU_SETTLE_S",
    "DEFAULT_RESPONSIVENESS",
    "DEFAULT_SELF_REGULATION",
    "DEFAULT_BREAK_RATE",
    "DEFAULT_EPISODE_S",
    "YEAR_ONE_S",
    "TRACE_LIMIT_S",
    "MAX_DURATION_S",
    "LatencyStats",
    "Episode",
    "DyadResult",
    "EpisodeSummary",
    "StillFaceResult",
    "CodingExercise",
    "CodingScore",
    "repair_probability",
    "analytic_fraction_matched",
    "analytic_mean_matched_s",
    "analytic_repair_latency_s",
    "analytic_mean_distress",
    "simulate_dyad",
    "simulate_still_face",
    "coding_exercise",
    "score_coding",
    "plot_dyad",
    "describe_dyad",
    "RuptureRepairExplorer",
]

#: Assumption: the largest per-second probability that the caregiver repairs a
#: mismatch (responsiveness = 1). Unverified; see the module docstring.
R_MAX = 0.15
#: Assumption: the largest per-second probability that the infant's own
#: regulation restores coordination (self_regulation = 1). Unverified.
S_MAX = 0.05
#: Assumption: time constant (s) of distress rising during a mismatch (plausible 20-120 s).
TAU_RISE_S = 60.0
#: Assumption: time constant (s) of distress settling during a match (plausible 2-30 s).
TAU_SETTLE_S = 8.0
#: Default caregiver responsiveness (0-1, no unit).
DEFAULT_RESPONSIVENESS = 0.5
#: Default infant self-regulation (0-1, no unit).
DEFAULT_SELF_REGULATION = 0.3
#: Default probability per second that a matched moment breaks (mean matched spell 5 s).
DEFAULT_BREAK_RATE = 0.2
#: Default length (s) of each still-face episode (play, still-face, reunion).
DEFAULT_EPISODE_S = 120
#: The deck's "second-by-second exchanges in year 1" (source not found; FACTS.md section 15):
#: 11.8 awake hours a day, every day, so an illustrative upper bound.
YEAR_ONE_S = 15_536_000
#: Runs up to this many seconds keep a per-second distress trace by default (8 bytes a second).
TRACE_LIMIT_S = 86_400
#: Longest duration (s) a simulation accepts (about 3.2 years of continuous seconds).
MAX_DURATION_S = 100_000_000

_MATCHED, _MISMATCHED = 1, 0
_CLIP = 40.0  # per-run log-decay floor in the distress scan: exp(-40) < 5e-18
_FLOOR = math.exp(-_CLIP)
_BLOCK = 16  # steps per block in the distress scan (_FLOOR ** 16 > 1e-278: no underflow)


# --- validation -----------------------------------------------------------------


def _number(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name}: expected a number, got {value!r} ({type(value).__name__})")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name}: expected a finite number, got {value!r}")
    return number


def _probability(name: str, value) -> float:
    number = _number(name, value)
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"{name}: must be between 0 and 1, got {value!r}")
    return number


def _positive(name: str, value) -> float:
    number = _number(name, value)
    if number <= 0:
        raise ValueError(f"{name}: must be greater than 0 (seconds), got {value!r}")
    return number


def _seconds(name: str, value, minimum: int = 1, maximum: int = MAX_DURATION_S) -> int:
    number = _number(name, value)
    if number != int(number):
        raise ValueError(f"{name}: must be a whole number of seconds, got {value!r}")
    if not minimum <= number <= maximum:
        raise ValueError(f"{name}: must be between {minimum:,} and {maximum:,} seconds, got {value!r}")
    return int(number)


def _generator(seed) -> tuple[np.random.Generator, int | None]:
    if isinstance(seed, np.random.Generator):
        return seed, None
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(
            f"seed: expected a whole number >= 0 or a numpy.random.Generator, got {seed!r} ({type(seed).__name__})"
        )
    if seed < 0:
        raise ValueError(f"seed: must be >= 0, got {seed!r}")
    return np.random.default_rng(int(seed)), int(seed)


def _initial_state(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value in ("matched", "mismatched"):
        return _MATCHED if value == "matched" else _MISMATCHED
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value in (0, 1):
        return int(value)
    raise ValueError(f"initial_state: expected None, 'matched', 'mismatched', 1 or 0, got {value!r}")


# --- theory ---------------------------------------------------------------------


def repair_probability(responsiveness: float, self_regulation: float) -> float:
    """Probability per second that a mismatch is repaired (0-1).

    ``1 - (1 - responsiveness * R_MAX) * (1 - self_regulation * S_MAX)``: the
    caregiver and the infant each contribute, independently, and either is enough.
    Both inputs are on a 0-1 scale (no unit); ``R_MAX`` and ``S_MAX`` are assumptions.
    """
    r = _probability("responsiveness", responsiveness)
    s = _probability("self_regulation", self_regulation)
    return 1.0 - (1.0 - r * R_MAX) * (1.0 - s * S_MAX)


def _rates(responsiveness, self_regulation, break_rate) -> tuple[float, float]:
    p = repair_probability(responsiveness, self_regulation)
    b = _probability("break_rate", break_rate)
    return b, p


def analytic_fraction_matched(responsiveness: float, self_regulation: float, break_rate: float) -> float:
    """Long-run fraction of seconds matched (0-1): ``p_repair / (p_repair + break_rate)``.

    ``break_rate`` is a probability per second. Raises ``ValueError`` when both
    rates are 0 (the chain never moves, so the answer depends on where it starts).
    """
    b, p = _rates(responsiveness, self_regulation, break_rate)
    if b + p == 0:
        raise ValueError("break_rate: with break_rate 0 and no repair the dyad never changes state")
    return p / (p + b)


def analytic_mean_matched_s(break_rate: float) -> float:
    """Mean length (s) of a matched spell: ``1 / break_rate`` (``inf`` when it is 0)."""
    b = _probability("break_rate", break_rate)
    return math.inf if b == 0 else 1.0 / b


def analytic_repair_latency_s(responsiveness: float, self_regulation: float) -> float:
    """Mean repair latency (s), the mean mismatched spell: ``1 / p_repair`` (``inf`` when 0)."""
    p = repair_probability(responsiveness, self_regulation)
    return math.inf if p == 0 else 1.0 / p


def _geometric_pgf(p: float, a: float) -> float:
    """E[a**L] for L geometric on 1, 2, ... with success probability p."""
    return p * a / (1.0 - (1.0 - p) * a)


def analytic_mean_distress(
    responsiveness: float,
    self_regulation: float,
    break_rate: float,
    *,
    tau_rise_s: float = TAU_RISE_S,
    tau_settle_s: float = TAU_SETTLE_S,
) -> float:
    """Long-run mean distress (0-1 index) of the model, exactly (renewal-reward).

    Needs ``break_rate > 0`` and a repair probability above 0. Time constants in seconds.
    """
    b, p = _rates(responsiveness, self_regulation, break_rate)
    if b == 0 or p == 0:
        raise ValueError("break_rate: the long-run mean distress needs break_rate > 0 and some repair")
    s = math.exp(-1.0 / _positive("tau_settle_s", tau_settle_s))
    r = math.exp(-1.0 / _positive("tau_rise_s", tau_rise_s))
    g_m, g_x = _geometric_pgf(b, s), _geometric_pgf(p, r)
    u = (1.0 - g_x) / (1.0 - g_m * g_x)  # mean distress when a matched spell starts
    v = u * g_m  # ... when a mismatched spell starts
    matched_sum = u * s * (1.0 - g_m) / (1.0 - s)
    mismatched_sum = 1.0 / p + (v - 1.0) * r * (1.0 - g_x) / (1.0 - r)
    return (matched_sum + mismatched_sum) / (1.0 / b + 1.0 / p)


# --- results --------------------------------------------------------------------


def _frozen_array(values, dtype) -> np.ndarray:
    array = np.ascontiguousarray(values, dtype=dtype)
    array.flags.writeable = False
    return array


def _fields_equal(a, b) -> bool:
    if type(a) is not type(b):
        return NotImplemented
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            if x is None or y is None or not np.array_equal(x, y, equal_nan=True):
                return False
        elif isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
            continue
        elif x != y:
            return False
    return True


@dataclass(frozen=True)
class LatencyStats:
    """Repair latencies: lengths (s) of the mismatched spells that ended in a repair.

    ``median_s`` and ``p90_s`` use numpy's default (linear) percentile. With no
    completed repair, ``count`` is 0 and the times are ``nan``.
    """

    count: int
    mean_s: float
    median_s: float
    p90_s: float
    longest_s: float

    __eq__ = _fields_equal


@dataclass(frozen=True)
class Episode:
    """A named stretch of a timeline, from ``start_s`` (inclusive) to ``stop_s`` (exclusive)."""

    name: str
    start_s: int
    stop_s: int


@dataclass(frozen=True, eq=False)
class DyadResult:
    """One simulated timeline, run-length encoded, with its statistics.

    Timeline: ``states[i]`` (1 matched, 0 mismatched) lasted ``run_lengths[i]``
    seconds; consecutive runs alternate; ``run_start_distress[i]`` is the distress
    just before run ``i``; :meth:`to_states` expands it to one state per second.
    The last run is cut off by the end of the simulation, so it is left out of the
    latency and spell statistics.

    Statistics: ``fraction_matched`` (0-1, share of seconds matched); ``ruptures``
    (matched-to-mismatched changes) and ``repairs`` (mismatched-to-matched changes),
    counts; ``repair_latency`` (s, see :class:`LatencyStats`); ``mean_matched_s``
    (s, over ``completed_matched_runs`` spells); ``mean_distress``,
    ``peak_distress`` and ``final_distress`` on the 0-1 distress index;
    ``repair_probability`` (per second). ``seed`` is ``None`` when a Generator
    was passed. ``episodes`` marks named stretches (still-face), else ``()``.

    ``distress`` is the per-second distress trace (0-1) when the run is at most
    ``TRACE_LIMIT_S`` seconds or ``keep_trace=True`` was asked for, otherwise
    ``None`` (a year of it would take 124 MB); :meth:`distress_trace` rebuilds any
    window exactly.
    """

    responsiveness: float
    self_regulation: float
    break_rate: float
    repair_probability: float
    duration_s: int
    seed: int | None
    tau_rise_s: float
    tau_settle_s: float
    states: np.ndarray
    run_lengths: np.ndarray
    run_start_distress: np.ndarray
    fraction_matched: float
    ruptures: int
    repairs: int
    repair_latency: LatencyStats
    mean_matched_s: float
    completed_matched_runs: int
    mean_distress: float
    peak_distress: float
    final_distress: float
    distress: np.ndarray | None
    episodes: tuple = ()

    __eq__ = _fields_equal

    @property
    def n_runs(self) -> int:
        """Number of runs (spells) in the timeline."""
        return int(self.run_lengths.size)

    def to_states(self) -> np.ndarray:
        """Per-second states (1 matched, 0 mismatched) as an int8 array of ``duration_s`` values."""
        return np.repeat(self.states, self.run_lengths)

    def distress_trace(self, start_s: int = 0, stop_s: int | None = None) -> np.ndarray:
        """Distress (0-1) for each second from ``start_s`` to ``stop_s`` (s, stop exclusive).

        Computed from the run-length timeline, so it costs memory only for the
        window asked for (8 bytes a second).
        """
        stop = self.duration_s if stop_s is None else _seconds("stop_s", stop_s, 1, self.duration_s)
        start = _seconds("start_s", start_s, 0, self.duration_s)
        if start >= stop:
            raise ValueError(f"start_s: must be before stop_s ({stop}), got {start_s!r}")
        return _expand_distress(
            self.states, self.run_lengths, self.run_start_distress, self.tau_rise_s, self.tau_settle_s, start, stop
        )


@dataclass(frozen=True)
class EpisodeSummary:
    """One episode of the still-face procedure: fractions 0-1, distress on the 0-1 index, times in s."""

    name: str
    start_s: int
    stop_s: int
    repair_probability: float
    fraction_matched: float
    mean_distress: float
    distress_at_start: float
    distress_at_end: float
    ruptures: int
    repairs: int


@dataclass(frozen=True, eq=False)
class StillFaceResult:
    """Play, still-face and reunion, each ``episode_s`` seconds, as one timeline.

    ``episodes`` holds the per-episode statistics in that order; ``timeline`` the
    whole procedure as a :class:`DyadResult` (its ``episodes`` mark the three
    stretches). During still-face the caregiver does not repair (responsiveness 0).
    """

    responsiveness: float
    self_regulation: float
    break_rate: float
    episode_s: int
    warmup_s: int
    seed: int | None
    episodes: tuple
    timeline: DyadResult

    __eq__ = _fields_equal

    def episode(self, name: str) -> EpisodeSummary:
        """The summary of ``"play"``, ``"still-face"`` or ``"reunion"``."""
        for summary in self.episodes:
            if summary.name == name:
                return summary
        raise ValueError(f"name: expected one of {[e.name for e in self.episodes]}, got {name!r}")

    @property
    def play(self) -> EpisodeSummary:
        return self.episodes[0]

    @property
    def still_face(self) -> EpisodeSummary:
        return self.episodes[1]

    @property
    def reunion(self) -> EpisodeSummary:
        return self.episodes[2]


# --- simulation core ------------------------------------------------------------


def _affine_scan(c: np.ndarray, e: np.ndarray, x0: float) -> np.ndarray:
    """Solve ``x[k+1] = c[k] * x[k] + e[k]`` from ``x[0] = x0``; return ``x[1:]``.

    Works in place: ``c`` and ``e`` are overwritten and the result is ``e``.
    Needs ``_FLOOR <= c <= 1`` and ``e >= 0`` (every term is non-negative, so sums
    lose no precision). Blocks of ``_BLOCK`` steps are solved with running products
    and sums rebased at each block start (``_FLOOR ** _BLOCK`` stays far from
    underflow); the block-to-block recurrence, ``_BLOCK`` times shorter, is solved
    the same way. Column-by-column updates are much faster in numpy than
    ``cumsum(axis=1)`` on short rows.
    """
    n = c.size
    nb = n // _BLOCK if n > 4 * _BLOCK else 0
    main = nb * _BLOCK
    x = float(x0)
    if nb:
        prod = c[:main].reshape(nb, _BLOCK)
        for i in range(1, _BLOCK):  # running product of c within each block
            prod[:, i] *= prod[:, i - 1]
        acc = e[:main].reshape(nb, _BLOCK)
        acc /= prod
        for i in range(1, _BLOCK):  # running sum of e_j / prod_j within each block
            acc[:, i] += acc[:, i - 1]
        block_c = np.maximum(prod[:, -1], _FLOOR)
        block_e = prod[:, -1] * acc[:, -1]
        block_end = _affine_scan(block_c, block_e, x)
        block_start = np.empty(nb)
        block_start[0] = x
        block_start[1:] = block_end[:-1]
        acc += block_start[:, None]
        acc *= prod  # the value after each step: prod * (x_block_start + running sum)
        x = float(block_end[-1])
    for i in range(main, n):
        x = float(c[i]) * x + float(e[i])
        e[i] = x
    return e


def _draw_runs(rng: np.random.Generator, probabilities: tuple[float, float], n_pairs: int) -> np.ndarray:
    """``(n_pairs, 2)`` geometric run lengths (float, whole seconds >= 1), one column per state.

    Inversion: ``ceil(log(U) / log(1 - p))`` with ``U`` uniform, which has
    ``P(L <= k) = 1 - (1 - p) ** k``; ``p = 0`` gives an endless run. ``U = 0``
    (chance 2**-53 a draw) gives an endless run too; :func:`_segment` redraws it
    if it is ever used.
    """
    lengths = rng.random((n_pairs, 2))
    with np.errstate(divide="ignore"):
        np.log(lengths, out=lengths)
    lengths *= np.array([1.0 / math.log1p(-p) if 0 < p < 1 else 1.0 for p in probabilities])
    np.ceil(lengths, out=lengths)
    for column, p in enumerate(probabilities):
        if p == 0:
            lengths[:, column] = np.inf
        elif p == 1:
            lengths[:, column] = 1.0
    return lengths


def _one_run(rng: np.random.Generator, p: float) -> float:
    """One geometric run length (s) with ``0 < p < 1``, drawing again if ``U`` is exactly 0."""
    u = 0.0
    while u == 0.0:
        u = rng.random()
    return float(math.ceil(math.log(u) / math.log1p(-p)))


def _cut(lengths: np.ndarray, duration: int) -> tuple[int, float] | None:
    """Number of runs needed to reach ``duration`` and the length of the last one (cut off).

    ``lengths`` is flat with a size divisible by ``_BLOCK``; ``None`` if it falls short.
    """
    blocks = lengths.reshape(-1, _BLOCK)
    totals = blocks[:, 0].copy()
    for i in range(1, _BLOCK):
        totals += blocks[:, i]
    ends = np.cumsum(totals)
    if not ends[-1] >= duration:
        return None
    j = int(np.searchsorted(ends, duration, side="left"))
    before = float(ends[j - 1]) if j else 0.0
    within = before + np.cumsum(blocks[j])
    i = int(np.searchsorted(within, duration, side="left"))
    start_of_last = float(within[i - 1]) if i else before
    return j * _BLOCK + i + 1, duration - start_of_last


@dataclass(frozen=True)
class _Segment:
    first_state: int
    lengths: np.ndarray  # float64, whole seconds, sums to the duration
    start_distress: np.ndarray
    end_distress: float
    distress_sum: float
    peak_distress: float


def _segment(
    rng: np.random.Generator,
    break_rate: float,
    p_repair: float,
    duration: int,
    first_state: int | None,
    x0: float,
    tau_rise: float,
    tau_settle: float,
) -> _Segment:
    """Simulate ``duration`` seconds with constant rates, run by run (no per-second work)."""
    b, p = break_rate, p_repair
    if first_state is None:  # stationary start
        if b + p == 0:
            raise ValueError("break_rate: with break_rate 0 and no repair, give initial_state")
        first_state = _MATCHED if rng.random() < p / (p + b) else _MISMATCHED
    matched_first = first_state == _MATCHED
    probabilities = (b, p) if matched_first else (p, b)
    # Enough (first, second) pairs of runs to cover the duration with overwhelming probability.
    if b > 0 and p > 0:
        cycle = 1.0 / b + 1.0 / p
        variance = (1.0 - b) / b**2 + (1.0 - p) / p**2
        cycles = duration / cycle
        n_pairs = int(cycles + 6.0 * math.sqrt(cycles * variance) / cycle + 8)
    else:
        n_pairs = 2
    n_pairs = min(n_pairs, duration // 2 + 1)
    n_pairs += -n_pairs % (_BLOCK // 2)
    pairs = _draw_runs(rng, probabilities, n_pairs)
    extra = max(n_pairs // 8, _BLOCK)
    extra += -extra % (_BLOCK // 2)
    while True:
        flat = pairs.reshape(-1)
        cut = _cut(flat, duration)
        if cut is None:  # rare: draw another block
            pairs = np.concatenate([pairs, _draw_runs(rng, probabilities, extra)])
            continue
        n, last = cut
        p_last = probabilities[(n - 1) % 2]
        if math.isinf(flat[n - 1]) and p_last > 0:  # U was exactly 0: draw that run again
            flat[n - 1] = _one_run(rng, p_last)
            continue
        break
    k = -(-n // 2)  # pairs in use; with n odd the last pair's second run is a dummy of length 0
    pairs = pairs[:k]
    flat = pairs.reshape(-1)
    flat[n - 1] = last
    if n % 2:
        flat[n] = 0.0  # a run of 0 s changes nothing
    # Distress: a run of L s moves x to target + (x - target) * a**L; c = a**L.
    settle, rise = -1.0 / tau_settle, -1.0 / tau_rise
    m, x = (0, 1) if matched_first else (1, 0)  # columns of matched and mismatched runs
    c = pairs * np.array([settle, rise] if matched_first else [rise, settle])
    np.exp(c, out=c)  # may underflow to 0 for long runs: harmless here; the pair maps are floored below
    # Each pair of runs is one affine map x -> C x + E.
    big_c = c[:, 0] * c[:, 1]
    np.maximum(big_c, _FLOOR, out=big_c)
    big_e = np.subtract(1.0, c[:, 1] if matched_first else c[:, 0])
    if not matched_first:
        big_e *= c[:, 1]
    ends = _affine_scan(big_c, big_e, x0)  # overwrites big_c; ends is big_e
    del big_c
    starts = np.empty((k, 2))
    starts[0, 0] = x0
    starts[1:, 0] = ends[:-1]
    if matched_first:
        np.multiply(starts[:, 0], c[:, 0], out=starts[:, 1])
    else:  # 1 - (1 - x) * c
        np.subtract(starts[:, 0], 1.0, out=starts[:, 1])
        starts[:, 1] *= c[:, 0]
        starts[:, 1] += 1.0
    end = float(ends[-1])
    peak = max(float(starts.max()), end)
    del ends
    # Sum over a run's seconds of target + (x - target) * a**i, i = 1..L:
    # L * target + (x - target) * (1 - a**L) * a / (1 - a). (The dummy run adds 0.)
    a_s, a_r = math.exp(settle), math.exp(rise)
    matched_sum = (float(starts[:, m].sum()) - float(np.dot(starts[:, m], c[:, m]))) * a_s / (1.0 - a_s)
    x_dot_c, x_sum, c_sum = float(np.dot(starts[:, x], c[:, x])), float(starts[:, x].sum()), float(c[:, x].sum())
    mismatched_sum = float(pairs[:, x].sum()) + (x_sum - x_dot_c - k + c_sum) * a_r / (1.0 - a_r)
    return _Segment(first_state, flat[:n], starts.reshape(-1)[:n], end, matched_sum + mismatched_sum, peak)


def _expand_distress(states, lengths, start_distress, tau_rise, tau_settle, start, stop) -> np.ndarray:
    """Per-second distress for seconds start..stop-1 from a run-length timeline."""
    ends = np.cumsum(lengths, dtype=np.int64)
    first = int(np.searchsorted(ends, start, side="right"))
    last = int(np.searchsorted(ends, stop - 1, side="right"))
    run_ends = ends[first : last + 1]
    run_starts = run_ends - lengths[first : last + 1]
    seconds = np.arange(start, stop)
    run = np.searchsorted(run_ends, seconds, side="right")
    offset = seconds - run_starts[run] + 1
    matched = states[first : last + 1][run] == _MATCHED
    tau = np.where(matched, tau_settle, tau_rise)
    target = np.where(matched, 0.0, 1.0)
    x = start_distress[first : last + 1][run]
    return target + (x - target) * np.exp(-offset / tau)


def _quantile_from_counts(counts: np.ndarray, q: float) -> float:
    """numpy's default (linear) percentile of integers 0, 1, ... given their counts."""
    cum = np.cumsum(counts)
    n = int(cum[-1])
    h = (n - 1) * q
    lo = math.floor(h)
    v_lo = int(np.searchsorted(cum, lo, side="right"))
    v_hi = int(np.searchsorted(cum, min(lo + 1, n - 1), side="right"))
    return v_lo + (h - lo) * (v_hi - v_lo)


def _latency_stats(lengths: np.ndarray) -> LatencyStats:
    count = int(lengths.size)
    if count == 0:
        return LatencyStats(0, math.nan, math.nan, math.nan, math.nan)
    longest = float(lengths.max())
    mean = float(lengths.sum()) / count
    if longest <= 4 * count + 1024:  # small integers: exact quantiles from a histogram, O(n)
        counts = np.bincount(lengths.astype(np.int64))
        median, p90 = _quantile_from_counts(counts, 0.5), _quantile_from_counts(counts, 0.9)
    else:
        median, p90 = (float(v) for v in np.percentile(lengths, [50, 90]))
    return LatencyStats(count, mean, float(median), float(p90), longest)


def _merge(segments: list[_Segment]) -> tuple[int, np.ndarray, np.ndarray]:
    """Join segments into one alternating run-length timeline (a run crossing a boundary is one run)."""
    states = np.concatenate([(np.arange(seg.lengths.size) + seg.first_state) % 2 for seg in segments])
    lengths = np.concatenate([seg.lengths for seg in segments])
    starts = np.concatenate([seg.start_distress for seg in segments])
    first = np.flatnonzero(np.concatenate([[True], states[1:] != states[:-1]]))
    return _MATCHED if states[0] == 1 else _MISMATCHED, np.add.reduceat(lengths, first), starts[first]


def _result(
    *,
    responsiveness,
    self_regulation,
    break_rate,
    p_repair,
    duration,
    seed,
    tau_rise,
    tau_settle,
    first_state,
    lengths,
    starts,
    distress_sum,
    peak,
    final,
    keep_trace,
    episodes=(),
) -> DyadResult:
    n = lengths.size
    m0, x0i = (0, 1) if first_state == _MATCHED else (1, 0)
    matched_total = float(lengths[m0::2].sum())
    completed_x = lengths[x0i : n - 1 : 2]  # the last run is cut off by the end of the simulation
    completed_m = lengths[m0 : n - 1 : 2]
    n_mismatched = (n - x0i + 1) // 2
    states = np.empty(n, dtype=np.int8)
    states[m0::2], states[x0i::2] = _MATCHED, _MISMATCHED
    run_lengths = lengths.astype(np.int32 if duration < 2**31 else np.int64)
    if keep_trace is None:
        keep_trace = duration <= TRACE_LIMIT_S
    trace = None
    if keep_trace:
        trace = _frozen_array(_expand_distress(states, run_lengths, starts, tau_rise, tau_settle, 0, duration), float)
    return DyadResult(
        responsiveness=responsiveness,
        self_regulation=self_regulation,
        break_rate=break_rate,
        repair_probability=p_repair,
        duration_s=duration,
        seed=seed,
        tau_rise_s=tau_rise,
        tau_settle_s=tau_settle,
        states=_frozen_array(states, np.int8),
        run_lengths=_frozen_array(run_lengths, run_lengths.dtype),
        run_start_distress=_frozen_array(starts, float),
        fraction_matched=matched_total / duration,
        ruptures=n_mismatched - (1 if x0i == 0 else 0),
        repairs=int(completed_x.size),
        repair_latency=_latency_stats(completed_x),
        mean_matched_s=float(completed_m.mean()) if completed_m.size else math.nan,
        completed_matched_runs=int(completed_m.size),
        mean_distress=distress_sum / duration,
        peak_distress=peak,
        final_distress=final,
        distress=trace,
        episodes=tuple(episodes),
    )


def simulate_dyad(
    responsiveness: float,
    self_regulation: float,
    break_rate: float,
    duration_s: int,
    seed,
    *,
    tau_rise_s: float = TAU_RISE_S,
    tau_settle_s: float = TAU_SETTLE_S,
    initial_state=None,
    initial_distress: float = 0.0,
    keep_trace: bool | None = None,
) -> DyadResult:
    """Simulate ``duration_s`` seconds of a dyad with constant parameters.

    Parameters
    ----------
    responsiveness : caregiver responsiveness, 0-1 (no unit): the caregiver repairs a
        mismatch with probability ``responsiveness * R_MAX`` per second.
    self_regulation : infant self-regulation, 0-1 (no unit): the infant's own
        contribution to repair, ``self_regulation * S_MAX`` per second.
    break_rate : probability per second (0-1) that a matched moment breaks.
    duration_s : whole seconds, 1 to ``MAX_DURATION_S``.
    seed : a whole number >= 0 or a ``numpy.random.Generator`` (no global random state).
    tau_rise_s, tau_settle_s : distress time constants (s) during mismatch and match.
    initial_state : ``None`` (drawn from the long-run split), ``"matched"`` or ``"mismatched"``.
    initial_distress : distress just before the first second (0-1; default calm).
    keep_trace : store the per-second distress trace; default only up to ``TRACE_LIMIT_S`` s.
    """
    b, p = _rates(responsiveness, self_regulation, break_rate)
    duration = _seconds("duration_s", duration_s)
    rng, seed_value = _generator(seed)
    tau_rise, tau_settle = _positive("tau_rise_s", tau_rise_s), _positive("tau_settle_s", tau_settle_s)
    state = _initial_state(initial_state)
    x0 = _probability("initial_distress", initial_distress)
    if keep_trace is not None and not isinstance(keep_trace, bool):
        raise ValueError(f"keep_trace: expected True, False or None, got {keep_trace!r}")
    seg = _segment(rng, b, p, duration, state, x0, tau_rise, tau_settle)
    return _result(
        responsiveness=float(responsiveness),
        self_regulation=float(self_regulation),
        break_rate=b,
        p_repair=p,
        duration=duration,
        seed=seed_value,
        tau_rise=tau_rise,
        tau_settle=tau_settle,
        first_state=seg.first_state,
        lengths=seg.lengths,
        starts=seg.start_distress,
        distress_sum=seg.distress_sum,
        peak=seg.peak_distress,
        final=seg.end_distress,
        keep_trace=keep_trace,
    )


_EPISODE_NAMES = ("play", "still-face", "reunion")


def simulate_still_face(
    responsiveness: float,
    self_regulation: float,
    break_rate: float,
    episode_s: int = DEFAULT_EPISODE_S,
    *,
    seed,
    warmup_s: int = 60,
    tau_rise_s: float = TAU_RISE_S,
    tau_settle_s: float = TAU_SETTLE_S,
) -> StillFaceResult:
    """The still-face procedure (Tronick et al., 1978): play, still-face, reunion, each ``episode_s`` seconds.

    Play and reunion use the given parameters. In the still-face episode the
    caregiver stays unresponsive, so only the infant's own self-regulation can
    repair (``p_repair = self_regulation * S_MAX`` per second); the break rate is
    unchanged (a simplification). State and distress carry over from one episode to
    the next: reunion starts from the distress reached at the end of still-face and
    settles with the same time constant. Before play the dyad interacts unrecorded
    for ``warmup_s`` seconds (from calm, state drawn from the long-run split), so
    play shows ordinary interaction rather than a start from perfect calm.
    Rates are per second, times in seconds, distress on the 0-1 index.

    On average over seeds the model puts reunion distress between play and
    still-face, a partial carry-over of the kind Mesman et al. (2009) and Weinberg
    and Tronick (1996) report; in the model it comes only from the slow settling of
    distress, not from any lasting change in the dyad. Single runs vary a lot.
    """
    b, p = _rates(responsiveness, self_regulation, break_rate)
    p_still = repair_probability(0.0, self_regulation)
    episode = _seconds("episode_s", episode_s, 1, MAX_DURATION_S // 3)
    warmup = _seconds("warmup_s", warmup_s, 0, MAX_DURATION_S)
    rng, seed_value = _generator(seed)
    tau_rise, tau_settle = _positive("tau_rise_s", tau_rise_s), _positive("tau_settle_s", tau_settle_s)
    if b + p == 0:
        raise ValueError("break_rate: with break_rate 0 and no repair the dyad never changes state")
    state, x = None, 0.0
    if warmup:
        pre = _segment(rng, b, p, warmup, None, 0.0, tau_rise, tau_settle)
        state = pre.first_state if pre.lengths.size % 2 else 1 - pre.first_state
        x = pre.end_distress
    segments, summaries = [], []
    for index, (name, p_episode) in enumerate(zip(_EPISODE_NAMES, (p, p_still, p))):
        if state is None and b + p_episode == 0:
            state = _MISMATCHED
        elif state is not None:  # the chain's step from the last second before into the first second here
            if rng.random() < (b if state == _MATCHED else p_episode):
                state = 1 - state
        seg = _segment(rng, b, p_episode, episode, state, x, tau_rise, tau_settle)
        n = seg.lengths.size
        m0, x0i = (0, 1) if seg.first_state == _MATCHED else (1, 0)
        summaries.append(
            EpisodeSummary(
                name=name,
                start_s=index * episode,
                stop_s=(index + 1) * episode,
                repair_probability=p_episode,
                fraction_matched=float(seg.lengths[m0::2].sum()) / episode,
                mean_distress=seg.distress_sum / episode,
                distress_at_start=float(x),
                distress_at_end=seg.end_distress,
                ruptures=(n - x0i + 1) // 2 - (1 if x0i == 0 else 0),
                repairs=int(seg.lengths[x0i : n - 1 : 2].size),
            )
        )
        segments.append(seg)
        state = seg.first_state if n % 2 else 1 - seg.first_state
        x = seg.end_distress
    first_state, lengths, starts = _merge(segments)
    timeline = _result(
        responsiveness=float(responsiveness),
        self_regulation=float(self_regulation),
        break_rate=b,
        p_repair=p,
        duration=3 * episode,
        seed=seed_value,
        tau_rise=tau_rise,
        tau_settle=tau_settle,
        first_state=first_state,
        lengths=lengths,
        starts=starts,
        distress_sum=sum(seg.distress_sum for seg in segments),
        peak=max(seg.peak_distress for seg in segments),
        final=segments[-1].end_distress,
        keep_trace=None,
        episodes=[Episode(s.name, s.start_s, s.stop_s) for s in summaries],
    )
    return StillFaceResult(
        responsiveness=float(responsiveness),
        self_regulation=float(self_regulation),
        break_rate=b,
        episode_s=episode,
        warmup_s=warmup,
        seed=seed_value,
        episodes=tuple(summaries),
        timeline=timeline,
    )


# --- observation coding -----------------------------------------------------------

_CUES = {
    _MATCHED: (
        "infant and caregiver look at each other and both smile",
        "infant coos and the caregiver answers in the same sing-song rhythm",
        "infant quiets and the caregiver slows down to match, holding a shared gaze",
        "infant reaches out and the caregiver leans in and touches the infant's hand",
    ),
    _MISMATCHED: (
        "infant looks away while the caregiver keeps talking at the same pace",
        "caregiver's voice grows livelier while the infant's face goes still",
        "infant fusses while the caregiver is briefly busy with something else",
        "caregiver offers a toy while the infant is watching the ceiling light",
    ),
}


@dataclass(frozen=True)
class CodingExercise:
    """A short seeded timeline to code second by second.

    ``transcript`` describes each spell in observable behaviour (illustrative
    wording, one line per spell with its seconds); ``truth`` is the model's state
    for each second (1 matched, 0 mismatched) and ``truth_codes`` the same as a
    string of ``"M"`` (matched) and ``"X"`` (mismatched).
    """

    duration_s: int
    seed: int | None
    transcript: tuple
    truth: tuple
    truth_codes: str
    dyad: DyadResult


def coding_exercise(
    duration_s: int,
    seed,
    *,
    responsiveness: float = DEFAULT_RESPONSIVENESS,
    self_regulation: float = DEFAULT_SELF_REGULATION,
    break_rate: float = DEFAULT_BREAK_RATE,
) -> CodingExercise:
    """A seeded timeline of ``duration_s`` seconds (10-600) to practise observational coding.

    Rates as in :func:`simulate_dyad` (per second); the behaviour line for each spell
    is drawn with the same seeded generator.
    """
    duration = _seconds("duration_s", duration_s, 10, 600)
    rng, seed_value = _generator(seed)
    dyad = simulate_dyad(responsiveness, self_regulation, break_rate, duration, rng)
    dyad = _replace_seed(dyad, seed_value)
    lines, t = [], 0
    for state, length in zip(dyad.states.tolist(), dyad.run_lengths.tolist()):
        cue = _CUES[state][int(rng.integers(len(_CUES[state])))]
        span = f"{t} s" if length == 1 else f"{t}-{t + length - 1} s"
        lines.append(f"{span}: {cue}")
        t += length
    truth = tuple(int(v) for v in dyad.to_states())
    return CodingExercise(
        duration_s=duration,
        seed=seed_value,
        transcript=tuple(lines),
        truth=truth,
        truth_codes="".join("M" if v else "X" for v in truth),
        dyad=dyad,
    )


def _replace_seed(result: DyadResult, seed: int | None) -> DyadResult:
    values = {f.name: getattr(result, f.name) for f in fields(result)}
    values["seed"] = seed
    return DyadResult(**values)


@dataclass(frozen=True)
class CodingScore:
    """Agreement between a learner's codes and the model's truth.

    ``confusion[i][j]`` counts seconds the coder called ``i`` and the truth was
    ``j``, in the order (matched, mismatched). ``percent_agreement`` is 0-100;
    ``kappa`` is Cohen's kappa, ``(po - pe) / (1 - pe)``, and is ``nan`` when the
    chance agreement ``pe`` is 1 (both used one and the same code throughout, so
    kappa is undefined).
    """

    n_seconds: int
    agreements: int
    percent_agreement: float
    observed_agreement: float
    chance_agreement: float
    kappa: float
    confusion: tuple


def _codes(name: str, values) -> tuple:
    if isinstance(values, CodingExercise):
        return values.truth
    if isinstance(values, DyadResult):
        return tuple(int(v) for v in values.to_states())
    if isinstance(values, str):
        text = "".join(values.split()).upper()
        bad = sorted(set(text) - {"M", "X"})
        if bad:
            raise ValueError(f"{name}: use only 'M' (matched) and 'X' (mismatched); found {bad}")
        return tuple(1 if ch == "M" else 0 for ch in text)
    if isinstance(values, np.ndarray):
        values = values.tolist()
    if not isinstance(values, Sequence):
        raise ValueError(f"{name}: expected a string of 'M'/'X' or a list of 0/1, got {type(values).__name__}")
    out = []
    for value in values:
        if isinstance(value, (bool, np.bool_)) or (isinstance(value, numbers.Integral) and value in (0, 1)):
            out.append(int(value))
        else:
            raise ValueError(f"{name}: every code must be 0 (mismatched) or 1 (matched), found {value!r}")
    return tuple(out)


def score_coding(codes, truth) -> CodingScore:
    """Score second-by-second codes against the truth: percent agreement and Cohen's kappa.

    ``codes``: a string of ``"M"``/``"X"`` (spaces ignored, any case) or a list of
    1 (matched) / 0 (mismatched). ``truth``: the same forms, a
    :class:`CodingExercise` or a :class:`DyadResult`. Both must cover the same seconds.
    """
    coder, reference = _codes("codes", codes), _codes("truth", truth)
    n = len(reference)
    if n == 0:
        raise ValueError("truth: no seconds to score")
    if len(coder) != n:
        raise ValueError(f"codes: expected one code for each of the {n} seconds, got {len(coder)}")
    both_m = sum(1 for c, t in zip(coder, reference) if c == 1 and t == 1)
    m_x = sum(1 for c, t in zip(coder, reference) if c == 1 and t == 0)
    x_m = sum(1 for c, t in zip(coder, reference) if c == 0 and t == 1)
    both_x = n - both_m - m_x - x_m
    agreements = both_m + both_x
    coder_m, truth_m = both_m + m_x, both_m + x_m
    chance_numerator = coder_m * truth_m + (n - coder_m) * (n - truth_m)  # exact integers
    po, pe = agreements / n, chance_numerator / n**2
    kappa = math.nan if chance_numerator == n**2 else (po - pe) / (1.0 - pe)
    return CodingScore(
        n_seconds=n,
        agreements=agreements,
        percent_agreement=100.0 * po,
        observed_agreement=po,
        chance_agreement=pe,
        kappa=kappa,
        confusion=((both_m, m_x), (x_m, both_x)),
    )


# --- figure -----------------------------------------------------------------------

_LANES = {_MISMATCHED: 1.08, _MATCHED: 1.2}  # bottom of each state's lane above the distress axis (lane height 0.08)
_LANE_H = 0.08
_PLOT_LIMIT_S = 3600


def _timeline(result) -> DyadResult:
    if isinstance(result, StillFaceResult):
        return result.timeline
    if isinstance(result, DyadResult):
        return result
    raise ValueError(f"result: expected a DyadResult or StillFaceResult, got {type(result).__name__}")


def plot_dyad(result, ax=None, *, max_seconds: int = _PLOT_LIMIT_S):
    """Timeline of matched and mismatched spells (two lanes) above the infant's distress (line).

    Time in seconds on the x axis; distress on the 0-1 index. The state reads from
    the lane (upper: matched, lower: mismatched) as well as the colour. Shows at most
    the first ``max_seconds`` seconds (longer runs are too dense to read). For a
    still-face result the three episodes are labelled and the still-face episode
    shaded. Returns the Figure.
    """
    timeline = _timeline(result)
    window = min(timeline.duration_s, _seconds("max_seconds", max_seconds))
    return _draw_dyad(timeline, window, ax)[0]


_COLOURS = {_MATCHED: PALETTE["blue"], _MISMATCHED: PALETTE["orange"]}
_LABELS = {_MATCHED: "Matched", _MISMATCHED: "Mismatched"}


def _lanes(ax, timeline: DyadResult, window: int) -> list:
    """The two lanes of spells (one collection per state) for the first ``window`` seconds."""
    ends = np.cumsum(timeline.run_lengths, dtype=np.int64)
    last = int(np.searchsorted(ends, window - 1, side="right")) + 1
    starts = ends[:last] - timeline.run_lengths[:last]
    widths = np.minimum(timeline.run_lengths[:last], window - starts)
    states = timeline.states[:last]
    lanes = []
    for state in (_MATCHED, _MISMATCHED):
        chosen = states == state
        spans = list(zip(starts[chosen].tolist(), widths[chosen].tolist()))
        bars = ax.broken_barh(spans, (_LANES[state], _LANE_H), facecolors=_COLOURS[state], linewidth=0)
        bars.set_label(_LABELS[state])
        lanes.append(bars)
    return lanes


def _distress_points(timeline: DyadResult, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Times 0, 1, ..., window (s) and the distress level at each."""
    trace = timeline.distress[:window] if timeline.distress is not None else timeline.distress_trace(0, window)
    return np.arange(window + 1), np.concatenate([[timeline.run_start_distress[0]], trace])


def _title(timeline: DyadResult, window: int) -> str:
    shown = "" if window == timeline.duration_s else f" (first {window:,} of {timeline.duration_s:,} s)"
    if timeline.episodes:
        length = timeline.episodes[0].stop_s - timeline.episodes[0].start_s
        return f"Still-face procedure, {length} s episodes{shown}"
    return f"Dyad matched {timeline.fraction_matched:.0%} of {timeline.duration_s:,} s{shown}"


def _draw_dyad(timeline: DyadResult, window: int, ax) -> tuple:
    """Draw the figure; returns ``(figure, lanes, distress line)`` (the view updates the last two)."""
    with course_style():  # artists made here take the course style, not the global rcParams
        if ax is None:
            fig, ax = new_figure(width=7.0, height=3.8)
        else:
            fig = ax.figure
        lanes = _lanes(ax, timeline, window)
        (line,) = ax.plot(*_distress_points(timeline, window), color=PALETTE["black"], linestyle="-",
                          linewidth=1.6, label="Distress")
        handles = [*lanes, line]
        for episode in timeline.episodes:
            if episode.start_s >= window:
                continue
            stop = min(episode.stop_s, window)
            if episode.start_s > 0:
                ax.axvline(episode.start_s, color="black", linestyle="--", linewidth=1.0)
            if episode.name == "still-face":
                span = ax.axvspan(episode.start_s, stop, ymin=0, ymax=0.78, facecolor="#999999", alpha=0.25,
                                  linewidth=0, label="Still-face")
                handles.append(span)
            ax.text((episode.start_s + stop) / 2, 1.31, episode.name.capitalize(), ha="center", va="bottom",
                    fontsize=9)
        ax.set_xlim(0, window)
        ax.set_ylim(-0.03, 1.42 if timeline.episodes else 1.31)
        ax.set_yticks([0, 0.5, 1.0] + [_LANES[s] + _LANE_H / 2 for s in (_MISMATCHED, _MATCHED)])
        ax.set_yticklabels(["0", "0.5", "1", "Mismatched", "Matched"])
        ax.set_xlabel("Time (s)")
        ax.set_ylabel("Infant distress (0 = calm, 1 = maximal)")
        ax.set_title(_title(timeline, window))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=len(handles), fontsize=8)
    return fig, lanes, line


def describe_dyad(result) -> str:
    """One-sentence description of :func:`plot_dyad`'s figure (alt text)."""
    if isinstance(result, StillFaceResult):
        play, still, reunion = result.episodes
        return (
            f"Across play, still-face and reunion ({result.episode_s} s each) the simulated dyad was matched "
            f"{play.fraction_matched:.0%}, {still.fraction_matched:.0%} and {reunion.fraction_matched:.0%} "
            f"of the time and the infant's mean distress was {play.mean_distress:.2f}, {still.mean_distress:.2f} "
            f"and {reunion.mean_distress:.2f} on a 0-1 scale, reunion starting from the {still.distress_at_end:.2f} "
            f"reached at the end of still-face."
        )
    timeline = _timeline(result)
    latency = timeline.repair_latency
    repairs = (
        f"repairs took a median of {latency.median_s:.0f} s (longest {latency.longest_s:.0f} s)"
        if latency.count
        else "no mismatch was repaired"
    )
    return (
        f"Over {timeline.duration_s:,} s the simulated dyad was matched {timeline.fraction_matched:.0%} of the time "
        f"with {timeline.ruptures:,} ruptures, {repairs}, and the infant's distress averaged "
        f"{timeline.mean_distress:.2f} on a 0-1 scale."
    )


# --- view -------------------------------------------------------------------------


class RuptureRepairExplorer(ModelView):
    """Sliders for the dyad's parameters, a still-face toggle, the timeline figure and a summary."""

    title = "Rupture and repair: move the sliders and watch how often the dyad is matched"

    def make_controls(self) -> dict:
        import ipywidgets

        return {
            "responsiveness": ipywidgets.FloatSlider(
                value=DEFAULT_RESPONSIVENESS, min=0.0, max=1.0, step=0.01,
                description="Caregiver responsiveness (0-1)",
            ),
            "self_regulation": ipywidgets.FloatSlider(
                value=DEFAULT_SELF_REGULATION, min=0.0, max=1.0, step=0.01,
                description="Infant self-regulation (0-1)",
            ),
            "break_rate": ipywidgets.FloatSlider(
                value=DEFAULT_BREAK_RATE, min=0.01, max=1.0, step=0.01,
                description="Break rate of matched moments (per second)",
            ),
            "duration_s": ipywidgets.IntSlider(
                value=3 * DEFAULT_EPISODE_S, min=30, max=3600, step=30, description="Duration (s)",
            ),
            "seed": ipywidgets.IntSlider(value=1, min=0, max=999, description="Random seed"),
            "still_face": ipywidgets.Checkbox(
                value=False, indent=False,
                description="Still-face procedure (play, still-face, reunion: duration split into three)",
            ),
        }

    def compute(self, responsiveness, self_regulation, break_rate, duration_s, seed, still_face):
        if still_face:
            return simulate_still_face(
                responsiveness, self_regulation, break_rate, episode_s=max(duration_s // 3, 1), seed=seed
            )
        return simulate_dyad(responsiveness, self_regulation, break_rate, duration_s, seed)

    def plot(self, result):
        # While the procedure and duration stay the same, only the spells, the distress
        # line and the title change: update those in the figure already drawn (axes,
        # ticks, labels, legend and episode marks are reused), which keeps a slider move
        # fast. A new procedure or duration gets a freshly drawn figure.
        timeline = _timeline(result)
        window = min(timeline.duration_s, _PLOT_LIMIT_S)
        key = (bool(timeline.episodes), timeline.duration_s)
        canvas = getattr(self, "_canvas", None)
        if canvas is not None and canvas["key"] == key:
            fig, ax = canvas["figure"], canvas["figure"].axes[0]
            with course_style():
                for bars in canvas["lanes"]:
                    bars.remove()
                canvas["lanes"] = _lanes(ax, timeline, window)
                canvas["line"].set_data(*_distress_points(timeline, window))
                ax.set_title(_title(timeline, window))
            return fig
        fig, lanes, line = _draw_dyad(timeline, window, None)
        self._canvas = {"key": key, "figure": fig, "lanes": lanes, "line": line}
        return fig

    def describe(self, result) -> str:
        return describe_dyad(result)

    def summarise(self, result) -> str:
        timeline = _timeline(result)
        paste = (
            f"responsiveness = {timeline.responsiveness:.2f}; self_regulation = {timeline.self_regulation:.2f}; "
            f"break_rate = {timeline.break_rate:.2f}"
        )
        latency = timeline.repair_latency
        theory = analytic_fraction_matched(timeline.responsiveness, timeline.self_regulation, timeline.break_rate)
        outside = " outside the still-face" if timeline.episodes else ""
        if latency.count:
            long_run = (
                f" (long-run mean{outside}: {1 / timeline.repair_probability:.1f} s)" if timeline.repair_probability else ""
            )
            repairs = (
                f"Repair latency: mean {latency.mean_s:.1f} s, median {latency.median_s:.1f} s, "
                f"90th percentile {latency.p90_s:.1f} s, longest {latency.longest_s:.0f} s{long_run}."
            )
        else:
            repairs = "No mismatch was repaired in this run."
        parts = [
            f"<p>Matched <b>{timeline.fraction_matched:.0%}</b> of {timeline.duration_s:,} s "
            f"(long-run value for these settings{outside}: {theory:.0%}). "
            f"Ruptures: <b>{timeline.ruptures}</b>; repairs: <b>{timeline.repairs}</b>. {repairs} "
            f"Mean distress <b>{timeline.mean_distress:.2f}</b> on the 0-1 scale.</p>"
        ]
        if isinstance(result, StillFaceResult):
            rows = "".join(
                f"<tr><td>{html.escape(e.name.capitalize())}</td><td>{e.fraction_matched:.0%}</td>"
                f"<td>{e.mean_distress:.2f}</td><td>{e.ruptures}</td></tr>"
                for e in result.episodes
            )
            parts.append(
                "<table><caption>Still-face procedure, by episode</caption>"
                '<tr><th scope="col">Episode</th><th scope="col">Time matched</th>'
                '<th scope="col">Mean distress (0-1)</th><th scope="col">Ruptures</th></tr>'
                f"{rows}</table>"
            )
        parts.append(f"<p>Paste into your answer cell: <code>{html.escape(paste)}</code></p>")
        return "".join(parts)
