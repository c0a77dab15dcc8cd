"""Statistical process control for monthly indicator series: p-charts, XmR charts and run rules."""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from csq.core.months import month_range
from csq.metrics.display import format_value
from csq.metrics.engine import compute
from csq.metrics.filters import Filter
from csq.metrics.indicators import INDICATORS
from csq.metrics.periods import store_running_month
from csq.metrics.results import Result
from csq.store import Store

MIN_MONTHS = 3      # fewer months with data give no meaningful centre or spread
RUN_LENGTH = 8      # Western Electric rule 4 / Nelson rule 2
TREND_LENGTH = 6    # Nelson rule 3
D2 = 1.128          # d2 constant for moving ranges of two points


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
    trend: str | None = None     # 'up' or 'down' when the point ends a trend_of_6
    partial: bool = False        # the running month: drawn, in progress, never part of the limits or a signal


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


def _p_limits(series: Sequence[tuple[str, float | None, int]]) -> tuple[float, list[tuple[float, float] | None]]:
    """Return the p-chart centre p̄ (weighted by n) and each month's (lcl, ucl), clipped to [0, 1]."""
    data = [(v, n) for _, v, n in series if v is not None]
    center = sum(v * n for v, n in data) / sum(n for _, n in data)
    limits: list[tuple[float, float] | None] = []
    for _, v, n in series:
        if v is None:
            limits.append(None)
            continue
        spread = 3 * math.sqrt(max(center * (1 - center), 0.0) / n)
        limits.append((max(0.0, center - spread), min(1.0, center + spread)))
    return center, limits


def _xmr_limits(series: Sequence[tuple[str, float | None, int]], unit: str
                ) -> tuple[float, list[tuple[float, float] | None]]:
    """Return the individuals-chart centre (mean) and limits centre ± 3·MR̄/d2, the same for every month."""
    values = [v for _, v, _ in series if v is not None]
    center = sum(values) / len(values)
    # A moving range never spans a month without data (as Minitab does): that gap is not short-term variation.
    ranges = [abs(b[1] - a[1]) for a, b in zip(series, series[1:])
              if a[1] is not None and b[1] is not None]
    if not ranges:
        return center, [None] * len(series)
    sigma = sum(ranges) / len(ranges) / D2
    lcl, ucl = center - 3 * sigma, center + 3 * sigma
    if unit == "count":
        lcl = max(0.0, lcl)
    return center, [None if v is None else (lcl, ucl) for _, v, _ in series]


def _side(value: float | None, center: float) -> int:
    """Return +1 above the centre line, -1 below, 0 on it or without data."""
    if value is None or math.isclose(value, center, rel_tol=1e-9, abs_tol=1e-12):
        return 0
    return 1 if value > center else -1


def control_chart(rows: Sequence[Result], key: str, unit: str, partial: str | None = None) -> list[SpcPoint]:
    """Return one SpcPoint per month (gaps included) with centre, limits and broken rules.

    `partial` names the running month (csq.metrics.periods): its point is kept, marked, and left out of the
    centre, the limits and every rule, since a month of one day is not comparable with whole months.
    """
    series = _series(rows, key)
    tail = [p for p in series if p[0] == partial]
    series = [p for p in series if p[0] != partial]
    marked = [SpcPoint(m, v, n, None, None, None, (), key, None, True) for m, v, n in tail]
    if sum(v is not None for _, v, _ in series) < MIN_MONTHS:
        return [SpcPoint(m, v, n, None, None, None, (), key) for m, v, n in series] + marked
    center, limits = _p_limits(series) if unit == "rate" else _xmr_limits(series, unit)
    out: list[SpcPoint] = []
    run = side = up = down = 0
    prev: float | None = None
    for (month, value, n), lim in zip(series, limits, strict=True):
        signals: list[str] = []
        if value is not None and lim is not None and (value > lim[1] or value < lim[0]):
            signals.append("beyond_limits")
        s = _side(value, center)
        run = run + 1 if s != 0 and s == side else (1 if s != 0 else 0)
        side = s
        if run >= RUN_LENGTH:
            signals.append("run_of_8")
        if value is None:
            up = down = 0
        elif prev is None or math.isclose(value, prev, rel_tol=1e-9, abs_tol=1e-12):
            up = down = 1
        elif value > prev:
            up, down = up + 1, 1
        else:
            up, down = 1, down + 1
        trend = "up" if up >= TREND_LENGTH else "down" if down >= TREND_LENGTH else None
        if trend:
            signals.append("trend_of_6")
        prev = value
        out.append(SpcPoint(month, value, n, center, lim[0] if lim else None, lim[1] if lim else None,
                            tuple(signals), key, trend))
    return out + [replace(p, center=center) for p in marked]


def chart_for(store: Store, f: Filter, key: str) -> list[SpcPoint]:
    """Return the control chart of indicator `key` by month under filter f, the running month marked partial."""
    rows = compute(store, f, by=["month"], indicators=[key])
    return control_chart(rows, key, INDICATORS[key].unit, store_running_month(store))


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


_WORDS = {
    "en": {
        "above": "{v} is above the upper control limit {x}",
        "below": "{v} is below the lower control limit {x}",
        "run_above": "{v} is above the centre line {x} for the 8th month or more in a row",
        "run_below": "{v} is below the centre line {x} for the 8th month or more in a row",
        "trend_up": "{v} is the 6th or later month of a steady rise",
        "trend_down": "{v} is the 6th or later month of a steady fall",
        "trend": "{v} is the 6th or later month of a steady rise or fall",
        "within": "{v} is within the control limits",
        "nodata": "no data",
        "partial": "{v} so far: the month is in progress, so it is not judged against the limits",
        "line": "{m}: {text} (n={n})", "sep": "; ",
    },
    "zh": {
        "above": "{v} 高于控制上限 {x}",
        "below": "{v} 低于控制下限 {x}",
        "run_above": "{v} 高于中心线 {x}，已连续 8 个月及以上",
        "run_below": "{v} 低于中心线 {x}，已连续 8 个月及以上",
        "trend_up": "{v}，已连续 6 个月及以上持续上升",
        "trend_down": "{v}，已连续 6 个月及以上持续下降",
        "trend": "{v}，已连续 6 个月及以上持续同向变化",
        "within": "{v} 在控制限之内",
        "nodata": "无数据",
        "partial": "目前为 {v}：本月尚未结束，不与控制限比较",
        "line": "{m}：{text}（n={n}）", "sep": "；",
    },
}


def explain(point: SpcPoint, lang: str = "en") -> str:
    """Return a plain-words sentence for one month, naming each rule it broke (or that it is within limits)."""
    w = _WORDS.get(lang, _WORDS["en"])
    if point.value is None:
        return f"{point.month}{'：' if lang == 'zh' else ': '}{w['nodata']}"

    def fmt(x: float | None) -> str:
        return format_value(point.key, x, lang)

    v = fmt(point.value)
    if point.partial:
        return w["line"].format(m=point.month, text=w["partial"].format(v=v), n=f"{point.n:,}")
    parts: list[str] = []
    if "beyond_limits" in point.signals:
        high = point.ucl is not None and point.value > point.ucl
        parts.append(w["above" if high else "below"].format(v=v, x=fmt(point.ucl if high else point.lcl)))
    if "run_of_8" in point.signals and point.center is not None:
        side = "run_above" if point.value > point.center else "run_below"
        parts.append(w[side].format(v=v, x=fmt(point.center)))
    if "trend_of_6" in point.signals:
        parts.append(w[f"trend_{point.trend}" if point.trend else "trend"].format(v=v))
    if not parts:
        parts.append(w["within"].format(v=v) if point.lcl is not None or point.ucl is not None else v)
    # The value is named once; later clauses drop their leading value to avoid repeating it.
    text = parts[0] + "".join(w["sep"] + p.removeprefix(v).lstrip(" ，") for p in parts[1:])
    return w["line"].format(m=point.month, text=text, n=f"{point.n:,}")


def spc_json(points: Iterable[SpcPoint]) -> list[dict]:
    """Return SPEC §6 `spc --json`: one object per month with value, n, center, lcl, ucl and signals."""
    return [{"month": p.month, "value": p.value, "n": p.n, "center": p.center, "lcl": p.lcl, "ucl": p.ucl,
             "signals": list(p.signals), "in_progress": p.partial} for p in points]
