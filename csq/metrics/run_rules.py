"""The four run rules of SPEC §4b (Western Electric / Nelson), each found with the months that break it.

1. beyond_limits: a point beyond the 3-sigma limits (WE rule 1, Nelson 1).
2. run_of_8: 8 or more points in a row on one side of the centre line (WE rule 4, Nelson 2).
3. trend_of_6: 6 or more points in a row steadily rising or falling (Nelson 3).
4. two_of_three: 2 of 3 points in a row beyond two sigma on the same side (WE rule 2, Nelson 5).

A month without data breaks a run, a trend and a window of three: what happened in it is unknown.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from csq.metrics.control_limits import MonthLimits

RULES = ("beyond_limits", "run_of_8", "trend_of_6", "two_of_three")
RUN_LENGTH = 8
TREND_LENGTH = 6


@dataclass(frozen=True)
class Signal:
    """One broken rule: which, the months (indexes into the series) that make it up, and its direction."""

    rule: str
    months: tuple[int, ...]
    direction: str      # 'up' (above the centre, or rising) or 'down'


def _same(a: float, b: float) -> bool:
    """Return whether two values are equal up to float noise."""
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _side(value: float | None, center: float) -> int:
    """Return +1 above the centre line, -1 below, 0 on it or without data."""
    if value is None or _same(value, center):
        return 0
    return 1 if value > center else -1


def _beyond(values: Sequence[float | None], limits: Sequence[MonthLimits | None]) -> list[Signal]:
    """Return one signal per month beyond its 3-sigma limits."""
    out = []
    for i, (v, lim) in enumerate(zip(values, limits, strict=True)):
        if v is not None and lim is not None and (v > lim.ucl or v < lim.lcl):
            out.append(Signal("beyond_limits", (i,), "up" if v > lim.ucl else "down"))
    return out


def _stretches(keys: Sequence[int], length: int) -> list[tuple[int, int, int]]:
    """Return (first, last, key) of each stretch of ≥ `length` equal non-zero keys in a row."""
    out, start = [], 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            if keys[start] != 0 and i - start >= length:
                out.append((start, i - 1, keys[start]))
            start = i
    return out


def _runs(values: Sequence[float | None], center: float) -> list[Signal]:
    """Return one signal per stretch of 8 or more months on the same side of the centre."""
    sides = [_side(v, center) for v in values]
    return [Signal("run_of_8", tuple(range(a, b + 1)), "up" if s > 0 else "down")
            for a, b, s in _stretches(sides, RUN_LENGTH)]


def _trends(values: Sequence[float | None]) -> list[Signal]:
    """Return one signal per stretch of 6 or more months, each strictly above (or below) the one before."""
    # steps[i] is the direction from month i-1 to month i; a stretch of k equal steps spans k + 1 months.
    steps = [0] + [0 if a is None or b is None or _same(a, b) else (1 if b > a else -1)
                   for a, b in zip(values, values[1:])]
    out = []
    for a, b, s in _stretches(steps[1:], TREND_LENGTH - 1):
        out.append(Signal("trend_of_6", tuple(range(a, b + 2)), "up" if s > 0 else "down"))
    return out


def _two_of_three(values: Sequence[float | None], limits: Sequence[MonthLimits | None]) -> list[Signal]:
    """Return one signal per side and stretch where 2 of 3 months in a row lie beyond two sigma."""
    far = []
    for v, lim in zip(values, limits, strict=True):
        far.append(0 if v is None or lim is None else 1 if v > lim.upper2 else -1 if v < lim.lower2 else 0)
    out: list[Signal] = []
    for side in (1, -1):
        hit: set[int] = set()
        for i in range(len(values) - 2):
            window = [j for j in range(i, i + 3) if far[j] == side]
            # A gap inside the window leaves its three months unknown, so the window does not count.
            if len(window) >= 2 and all(values[j] is not None for j in range(i, i + 3)):
                hit.update(window)
        for group in _groups(sorted(hit)):
            out.append(Signal("two_of_three", group, "up" if side > 0 else "down"))
    return out


def _groups(months: list[int]) -> list[tuple[int, ...]]:
    """Return the months split where two flagged months lie more than two apart (separate episodes)."""
    groups: list[list[int]] = []
    for m in months:
        if groups and m - groups[-1][-1] <= 2:
            groups[-1].append(m)
        else:
            groups.append([m])
    return [tuple(g) for g in groups]


def find_signals(values: Sequence[float | None], center: float, limits: Sequence[MonthLimits | None]
                 ) -> list[Signal]:
    """Return every broken rule of a series, ordered by its last month and then by rule."""
    found = [*_beyond(values, limits), *_runs(values, center), *_trends(values), *_two_of_three(values, limits)]
    return sorted(found, key=lambda s: (s.months[-1], RULES.index(s.rule), s.months[0]))
