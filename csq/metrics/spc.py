"""Statistical process control for monthly indicator series (SPEC §4b): which chart, its limits, its baseline,
and the run rules each month broke. The arithmetic is in control_limits and run_rules; the words in spc_words."""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from csq.core.months import Month, Period, month_range
from csq.errors import InputRefused
from csq.metrics.control_limits import Limits, chart_kind, p_limits, xmr_limits
from csq.metrics.engine import compute
from csq.metrics.filters import Filter
from csq.metrics.indicators import INDICATORS
from csq.metrics.periods import store_running_month
from csq.metrics.results import Result
from csq.metrics.run_rules import RULES, find_signals
from csq.store import Store

MIN_MONTHS = 3      # fewer months with data give no meaningful centre or spread


@dataclass(frozen=True)
class Baseline:
    """The months the limits come from: every month shown (both None) or a chosen range, frozen after it."""

    start: str | None = None
    end: str | None = None

    @classmethod
    def parse(cls, text: str | None) -> Baseline:
        """Return the baseline written 'YYYY-MM:YYYY-MM' (empty = every month shown), or raise InputRefused."""
        if text is None or not text.strip():
            return cls()
        parts = text.strip().split(":")
        if len(parts) != 2:
            raise InputRefused(f"The baseline {text!r} is not FROM:TO.",
                               "Write the baseline as two months, e.g. --baseline 2025-01:2025-06.")
        first, last = (str(Month.parse(x.strip(), "baseline")) for x in parts)
        Period.parse(first, last)
        return cls(first, last)

    @property
    def chosen(self) -> bool:
        """Return whether a range was chosen (its limits are frozen for the months after it)."""
        return self.start is not None

    def text(self) -> str | None:
        """Return the canonical 'YYYY-MM:YYYY-MM' for a URL or a command line, None for every month."""
        return f"{self.start}:{self.end}" if self.start else None

    def holds(self, month: str) -> bool:
        """Return whether a month lies in the baseline (every month does when none was chosen)."""
        return self.start is None or self.start <= month <= str(self.end)


@dataclass(frozen=True)
class SpcPoint:
    """One month of a control chart: value and n, centre line, limits, and the rules it broke."""

    month: str
    value: float | None
    n: int
    center: float | None
    lcl: float | None
    ucl: float | None
    signals: tuple[str, ...]
    key: str = ""                # indicator key, so explain() can format values with their unit
    trend: str | None = None     # 'up' or 'down' when the point is part of a trend_of_6
    partial: bool = False        # the running month: drawn, in progress, never part of the limits or a signal
    in_baseline: bool = False    # the month's value is one the limits come from


@dataclass(frozen=True)
class MonthSignal:
    """One broken run rule of a chart, with the months that make it up and its direction ('up' or 'down')."""

    rule: str
    months: tuple[str, ...]
    direction: str


@dataclass(frozen=True)
class ControlChart:
    """A monthly control chart: which chart, its baseline, σz for p′, the points and the rules broken.

    `reason` says why there are no limits: 'few_months' (under 3 months with data) or 'baseline_short'.
    """

    key: str
    chart: str
    points: tuple[SpcPoint, ...]
    signals: tuple[MonthSignal, ...] = ()
    sigma_z: float | None = None
    baseline: Baseline = Baseline()
    used: tuple[str, str] | None = None      # the first and last month the limits came from
    reason: str | None = None

    @property
    def months_with_data(self) -> int:
        """Return how many whole months (the running one left out) have a value."""
        return sum(p.value is not None and not p.partial for p in self.points)


def _series(rows: Iterable[Result], key: str) -> list[tuple[str, float | None, int]]:
    """Return (month, value or None, n) per calendar month from the first to the last month in rows."""
    found: dict[str, tuple[float | None, int]] = {}
    for r in rows:
        month = r.groups.get("month")
        if not isinstance(month, str):
            continue
        fig = r.figure(key)
        found[month] = (fig.value if fig.value is not None and fig.n > 0 else None, fig.n)
    if not found:
        return []
    # compute() leaves out months without records; listing them keeps the gap visible and breaks runs.
    return [(m, *found.get(m, (None, 0))) for m in month_range(min(found), max(found))]


def _limits(kind: str, series: Sequence[tuple[str, float | None, int]], base: Sequence[bool],
            unit: str) -> Limits | None:
    """Return the limits of the chosen kind over the baseline months, None when they cannot be drawn."""
    values = [v for _, v, _ in series]
    if kind == "xmr":
        return xmr_limits(values, base, unit)
    return p_limits(values, [n for _, _, n in series], base, prime=kind == "p_prime")


def control_chart(rows: Sequence[Result], key: str, unit: str, partial: str | None = None, chart: str = "auto",
                  baseline: Baseline = Baseline(), shown: tuple[str | None, str | None] = (None, None)
                  ) -> ControlChart:
    """Return the control chart of `key` by month: limits from the baseline, every run rule, gaps kept.

    `partial` names the running month (csq.metrics.periods): its point is kept, marked, and left out of the
    centre, the limits and every rule, since a month of one day is not comparable with whole months. `shown`
    trims the points to the period on screen after the limits and rules are found, so a baseline may lie
    before it. Raises InputRefused for a p or p′ chart of something that is not a rate.
    """
    try:
        kind = chart_kind(unit, chart)
    except ValueError:
        raise InputRefused(f"{key} is not a rate, so it has no {chart} chart.",
                           "Use --chart xmr (or auto) for means, medians, percentiles, counts and NPS.") from None
    series = _series(rows, key)
    tail = [p for p in series if p[0] == partial]
    series = [p for p in series if p[0] != partial]
    base = [baseline.holds(m) for m, _, _ in series]
    in_base = [m for (m, v, _), b in zip(series, base) if b and v is not None]
    limits = None
    reason = "few_months" if sum(v is not None for _, v, _ in series) < MIN_MONTHS else None
    if reason is None and len(in_base) < MIN_MONTHS:
        reason = "baseline_short"
    if reason is None:
        limits = _limits(kind, series, base, unit)
        reason = None if limits is not None else "few_months"
    lo, hi = shown

    def visible(month: str) -> bool:
        return (lo is None or month >= lo) and (hi is None or month <= hi)

    if limits is None:
        points = [SpcPoint(m, v, n, None, None, None, (), key) for m, v, n in series]
        marked = [SpcPoint(m, v, n, None, None, None, (), key, None, True) for m, v, n in tail]
        return ControlChart(key, kind, tuple(p for p in points + marked if visible(p.month)),
                            baseline=baseline, reason=reason)
    values = [v for _, v, _ in series]
    found = find_signals(values, limits.center, limits.months)
    rules: list[set[str]] = [set() for _ in series]
    trend: list[str | None] = [None] * len(series)
    for s in found:
        for i in s.months:
            rules[i].add(s.rule)
            if s.rule == "trend_of_6":
                trend[i] = s.direction
    points = []
    for i, (month, value, n) in enumerate(series):
        lim = limits.months[i]
        points.append(SpcPoint(month, value, n, limits.center, lim.lcl if lim else None, lim.ucl if lim else None,
                               tuple(r for r in RULES if r in rules[i]), key, trend[i], False,
                               base[i] and value is not None))
    marked = [SpcPoint(m, v, n, limits.center, None, None, (), key, None, True) for m, v, n in tail]
    signals = tuple(MonthSignal(s.rule, tuple(series[i][0] for i in s.months if visible(series[i][0])),
                                s.direction) for s in found)
    return ControlChart(key, kind, tuple(p for p in points + marked if visible(p.month)),
                        tuple(s for s in signals if s.months), limits.sigma_z, baseline,
                        (in_base[0], in_base[-1]), None)


def widened(f: Filter, baseline: Baseline) -> Filter:
    """Return the filter with its period stretched to hold the baseline, so its months can be computed."""
    if not baseline.chosen or f.period_from is None:
        return f
    first = min(f.period_from, str(baseline.start))
    last = max(f.period_to, str(baseline.end)) if f.period_to else None
    return replace(f, period_from=first, period_to=last)


def chart_for(store: Store, f: Filter, key: str, chart: str = "auto", baseline: Baseline = Baseline(),
              clock: str = "calendar") -> ControlChart:
    """Return the control chart of indicator `key` by month under filter f, the running month marked partial."""
    rows = compute(store, widened(f, baseline), by=["month"], indicators=[key], clock=clock)
    return control_chart(rows, key, INDICATORS[key].unit, store_running_month(store), chart, baseline,
                         (f.period_from, f.period_to))


@dataclass(frozen=True)
class GroupPoint:
    """One group of a comparison chart: value and n against the overall centre, with limits that follow n."""

    group: str | None
    value: float | None
    n: int
    center: float | None
    lcl: float | None
    ucl: float | None
    signal: str | None    # 'above' or 'below' the group's limits, else None


def group_chart(rows: Iterable[Result], field: str, key: str, unit: str,
                sigma: float | None = None) -> list[GroupPoint]:
    """Return one GroupPoint per group: centre = n-weighted mean, limits centre ± 3·σ/√n (analysis of means).

    For a rate σ = √(p̄(1 − p̄)), as in a p-chart; for a mean pass `sigma`, the pooled within-group
    standard deviation of single answers (without it there are no limits). Limits of a rate stay in [0, 1].
    """
    data: list[tuple[str | None, float | None, int]] = []
    for r in rows:
        fig = r.figure(key)
        data.append((r.groups.get(field), fig.value if fig.value is not None and fig.n > 0 else None, fig.n))
    known = [(v, n) for _, v, n in data if v is not None]
    if len(known) < 2:
        return [GroupPoint(g, v, n, None, None, None, None) for g, v, n in data]
    center = sum(v * n for v, n in known) / sum(n for _, n in known)
    spread = math.sqrt(max(center * (1 - center), 0.0)) if unit == "rate" else sigma
    out = []
    for g, v, n in data:
        if v is None or spread is None:
            out.append(GroupPoint(g, v, n, center, None, None, None))
            continue
        lcl, ucl = center - 3 * spread / math.sqrt(n), center + 3 * spread / math.sqrt(n)
        if unit == "rate":
            lcl, ucl = max(0.0, lcl), min(1.0, ucl)
        signal = "above" if v > ucl else "below" if v < lcl else None
        out.append(GroupPoint(g, v, n, center, lcl, ucl, signal))
    return out


