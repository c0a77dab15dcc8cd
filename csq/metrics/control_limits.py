"""Control limits of a monthly series (SPEC §4b): Laney's p′ and the classic p-chart for rates, XmR for the rest.

Pure arithmetic on (value, n) per month, so a test can hold it against a reference package line by line.
Limits come from the baseline months only and are then applied to every month, which freezes them for months
after a chosen baseline (as qicharts2's `freeze` does). A moving range never spans a month without data: the
gap is not short-term variation (qicharts2 and Minitab skip those ranges the same way).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

D2 = 1.128          # d2 for moving ranges of two points (Laney 2002: σz = MR̄ of the z-scores ÷ 1.128)
XMR_FACTOR = 2.66   # SPEC §4b and Wheeler: x̄ ± 2.66·MR̄ (3 ÷ 1.128, rounded as the literature prints it)
CHARTS = ("p_prime", "p", "xmr")
CHART_CHOICES = ("auto", *CHARTS)   # what --chart and the pages offer
_NON_NEGATIVE = frozenset({"count", "min", "h", "s"})   # durations and volumes cannot fall below zero


@dataclass(frozen=True)
class MonthLimits:
    """One month's limits: the 3-sigma pair and the 2-sigma pair the 2-of-3 rule reads."""

    lcl: float
    ucl: float
    lower2: float
    upper2: float


@dataclass(frozen=True)
class Limits:
    """A chart's centre, its per-month limits (None where a month has no data) and Laney's σz for p′."""

    center: float
    months: tuple[MonthLimits | None, ...]
    sigma_z: float | None = None


def _moving_ranges(values: Sequence[float | None]) -> list[float]:
    """Return |xᵢ − xᵢ₋₁| for consecutive months that both have a value."""
    return [abs(b - a) for a, b in zip(values, values[1:]) if a is not None and b is not None]


def _clamp(x: float, lo: float | None, hi: float | None) -> float:
    """Return x kept inside [lo, hi] (either bound may be open)."""
    if lo is not None and x < lo:
        return lo
    if hi is not None and x > hi:
        return hi
    return x


def p_limits(values: Sequence[float | None], ns: Sequence[int], base: Sequence[bool], prime: bool) -> Limits:
    """Return the p-chart (prime=False) or Laney p′ limits; `base` marks the months the limits come from.

    p̄ = Σx ÷ Σn over the baseline; σᵢ = √(p̄(1 − p̄) ÷ nᵢ); for p′ σz = mean |zᵢ − zᵢ₋₁| ÷ 1.128 over the
    baseline's z-scores zᵢ = (pᵢ − p̄) ÷ σᵢ, and every σᵢ is multiplied by σz. Limits are clamped to [0, 1].
    """
    picked = [(v, n) for v, n, b in zip(values, ns, base, strict=True) if b and v is not None and n > 0]
    center = sum(v * n for v, n in picked) / sum(n for _, n in picked)
    spread = max(center * (1 - center), 0.0)
    sigma_z: float | None = None
    if prime:
        z = [(v - center) / math.sqrt(spread / n) if v is not None and n > 0 and spread > 0 and b else None
             for v, n, b in zip(values, ns, base, strict=True)]
        ranges = _moving_ranges(z)
        sigma_z = sum(ranges) / len(ranges) / D2 if ranges else None
    factor = sigma_z if sigma_z is not None else 1.0
    months: list[MonthLimits | None] = []
    for v, n in zip(values, ns, strict=True):
        if v is None or n <= 0:
            months.append(None)
            continue
        s = math.sqrt(spread / n) * factor
        months.append(MonthLimits(_clamp(center - 3 * s, 0.0, 1.0), _clamp(center + 3 * s, 0.0, 1.0),
                                  _clamp(center - 2 * s, 0.0, 1.0), _clamp(center + 2 * s, 0.0, 1.0)))
    return Limits(center, tuple(months), sigma_z)


def xmr_limits(values: Sequence[float | None], base: Sequence[bool], unit: str) -> Limits | None:
    """Return the individuals (XmR) limits x̄ ± 2.66·MR̄ over the baseline, None without a moving range there.

    Durations and counts keep their lower limit at zero, and NPS stays in [−100, 100]: a limit outside the
    possible values says nothing a manager can act on.
    """
    picked = [v for v, b in zip(values, base, strict=True) if b and v is not None]
    center = sum(picked) / len(picked)
    ranges = _moving_ranges([v if b else None for v, b in zip(values, base, strict=True)])
    if not ranges:
        return None
    width = XMR_FACTOR * sum(ranges) / len(ranges)
    lo, hi = (0.0, None) if unit in _NON_NEGATIVE else (-100.0, 100.0) if unit == "points" else (None, None)
    month = MonthLimits(_clamp(center - width, lo, hi), _clamp(center + width, lo, hi),
                        _clamp(center - width * 2 / 3, lo, hi), _clamp(center + width * 2 / 3, lo, hi))
    return Limits(center, tuple(None if v is None else month for v in values))


def chart_kind(unit: str, requested: str) -> str:
    """Return the chart a request means for a unit: auto is p′ for rates and XmR for the rest.

    Raises ValueError for a p or p′ chart of something that is not a rate (it has no binomial n).
    """
    if requested == "auto":
        return "p_prime" if unit == "rate" else "xmr"
    if requested not in CHARTS:
        raise ValueError(f"unknown chart {requested!r}")
    if requested != "xmr" and unit != "rate":
        raise ValueError(f"a {requested} chart needs a rate")
    return requested
