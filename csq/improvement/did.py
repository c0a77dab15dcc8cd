"""Difference in differences (SPEC §4c): the change in an action's scope less the change in the rest of the center.

The four cells are scope before, scope after, comparison before and comparison after, each a list of per-record
values of the indicator over one window. Every cell becomes a level and the variance of that level on the
scale the test is made on:

- rates (per-record 0/1): level p, variance p(1 − p) ÷ n, in percentage points (pp);
- scores and points: level the mean, variance s² ÷ n with s the sample standard deviation (ddof = 1);
- durations (min and h): per-record ln(1 + minutes), hours turned into minutes first, then as scores;
- counts: SPEC §4c is silent; the level is the per-day rate r = count ÷ days and its variance count ÷ days²
  (the count taken as Poisson, so its variance is the count itself).

d = (after − before) in scope − (after − before) in the comparison, SE = √(Σ variance) over the four cells and
p = 2·(1 − Φ(|d| ÷ SE)). The module knows nothing of stores or actions: effect.py reads the cells.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

# The scale of d per indicator unit: percentage points, points, ln(1 + minutes), records per day.
SCALES: dict[str, str] = {"rate": "pp", "score": "points", "points": "points", "min": "ln1p_min", "h": "ln1p_min",
                          "s": "ln1p_min",
                          "count": "per_day"}
UNIT_WORDS: dict[str, str] = {"pp": "pp", "points": "points", "ln1p_min": "ln(1+min)", "per_day": "per day"}


@dataclass(frozen=True)
class Cell:
    """One of the four cells on the test's scale: its level, the variance of that level, and its n."""

    level: float
    variance: float
    n: int


@dataclass(frozen=True)
class NetEffect:
    """The difference in differences of one action: four cells, both changes, d, its SE, z and the p-value."""

    scale: str
    scope_before: Cell
    scope_after: Cell
    comparison_before: Cell
    comparison_after: Cell

    @property
    def scope_change(self) -> float:
        """Return (after − before) in the scope, on the scale."""
        return self.scope_after.level - self.scope_before.level

    @property
    def comparison_change(self) -> float:
        """Return (after − before) in the comparison group, on the scale."""
        return self.comparison_after.level - self.comparison_before.level

    @property
    def d(self) -> float:
        """Return the net effect d: the scope's change less the comparison group's change."""
        return self.scope_change - self.comparison_change

    @property
    def se(self) -> float:
        """Return the standard error of d: √ of the four cells' variances summed."""
        return math.sqrt(sum(c.variance for c in self.cells))

    @property
    def z(self) -> float:
        """Return d ÷ SE (±inf when SE is 0 and d is not, 0 when both are, NaN when a cell has no variance)."""
        if math.isnan(self.se) or math.isnan(self.d):
            return math.nan
        if self.se > 0:
            return self.d / self.se
        return 0.0 if self.d == 0 else math.copysign(math.inf, self.d)

    @property
    def p_value(self) -> float:
        """Return the two-sided p-value 2·(1 − Φ(|d| ÷ SE)): 1 when nothing varies and d = 0, 0 when only d is not."""
        return float(2 * stats.norm.sf(abs(self.z)))  # sf = 1 − Φ, without 1 − Φ's loss of tiny p-values to 0

    @property
    def relative(self) -> float | None:
        """Return exp(d) − 1, the relative net change for durations (on ln(1 + min)); None on other scales."""
        return math.expm1(self.d) if self.scale == "ln1p_min" else None

    def describe(self) -> str:
        """Return the net effect in words, e.g. 'net +6.417 pp (scope +10.676, comparison +4.259)'."""
        unit = UNIT_WORDS[self.scale]
        text = f"net {self.d:+.3f} {unit} (scope {self.scope_change:+.3f}, comparison {self.comparison_change:+.3f})"
        return text if self.relative is None else f"{text}, exp(d) - 1 = {self.relative * 100:+.1f}%"

    @property
    def cells(self) -> tuple[Cell, Cell, Cell, Cell]:
        """Return the four cells: scope before, scope after, comparison before, comparison after."""
        return self.scope_before, self.scope_after, self.comparison_before, self.comparison_after


def transformed(unit: str, values: Sequence[float]) -> np.ndarray:
    """Return per-record values on the test's scale: ln(1 + minutes) for durations, unchanged otherwise."""
    x = np.asarray(values, dtype=float)
    if unit == "h":
        x = x * 60.0
    if unit == "s":
        x = x / 60.0   # seconds (asa_s, aht_s) are tested as minutes too
    if unit in ("min", "h", "s"):
        return np.log1p(np.maximum(x, 0.0))  # a duration below 0 cannot be imported; the guard keeps log defined
    return x


def cell(unit: str, values: Sequence[float], days: int) -> Cell:
    """Return one window's Cell from its per-record values (`days` is the window's length, used for counts)."""
    n = len(values)
    if unit == "count":
        days = max(days, 1)
        return Cell(n / days, n / days**2, n)  # Poisson: a count's variance is the count
    x = transformed(unit, values)
    if unit == "rate":
        p = float(x.mean()) if n else math.nan
        return Cell(100 * p, 100**2 * p * (1 - p) / n if n else math.nan, n)
    mean = float(x.mean()) if n else math.nan
    var = float(x.var(ddof=1)) / n if n > 1 else math.nan
    return Cell(mean, var, n)


def net_effect(unit: str, scope: tuple[Sequence[float], Sequence[float]],
               comparison: tuple[Sequence[float], Sequence[float]], days: tuple[int, int]) -> NetEffect:
    """Return the NetEffect of (before, after) values in the scope and in the comparison, windows `days` long."""
    return NetEffect(SCALES[unit], cell(unit, scope[0], days[0]), cell(unit, scope[1], days[1]),
                     cell(unit, comparison[0], days[0]), cell(unit, comparison[1], days[1]))
