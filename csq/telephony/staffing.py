"""Staffing by Erlang C (SPEC §4e): each weekday and half-hour's forecast from the last N weeks of calls, the agents
and headcount it needs, and the agents who actually answered there, with what-if changes to volume, AHT, target
and shrinkage."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from csq.errors import InputRefused
from csq.metrics.calls import thresholds
from csq.metrics.filters import Filter
from csq.store import Store
from csq.store.queries import SqlFiles, arrow
from csq.telephony.erlang import check_inputs, offered_load, required

SQL = SqlFiles(__package__)
INTERVAL_S = 1800   # half-hours, SPEC §4e


@dataclass(frozen=True)
class WhatIf:
    """The staffing assumptions: target service level within `within_s`, shrinkage, volume change, AHT override."""

    target: float = 0.8
    within_s: float | None = None        # None: the service-level threshold setting (20 s)
    shrinkage: float = 0.3
    volume_change: float = 0.0           # +0.1 = 10 % more calls than the forecast
    aht_s: float | None = None           # None: each interval's own forecast AHT


@dataclass(frozen=True)
class Interval:
    """One weekday (1 = Monday) and half-hour: forecast calls and AHT, Erlang C's answer, and who answered.

    `gap` is answered_by − agents: below 0 the interval had fewer answering agents than Erlang C asks for.
    """

    weekday: int
    interval: str
    calls: float
    aht_s: float | None
    agents: int | None
    service_level: float | None
    asa_s: float | None
    occupancy: float | None
    headcount: float | None
    answered_by: float
    gap: float | None

    def as_json(self) -> dict[str, object]:
        """Return the object of SPEC §6 `staffing --json` (and the gap)."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class StaffingTable:
    """The staffing of every weekday and half-hour with calls, the window its forecast read, and its assumptions."""

    start: date | None
    end: date | None
    weeks: int
    what_if: WhatIf
    within_s: float
    intervals: list[Interval] = field(default_factory=list)

    @property
    def short_intervals(self) -> list[Interval]:
        """Return the intervals whose answering agents fell short of the agents Erlang C requires."""
        return [i for i in self.intervals if i.gap is not None and i.gap < 0]


def _window(store: Store, f: Filter, weeks: int) -> tuple[date, date] | None:
    """Return [first day, day after the last) of the last `weeks` weeks of inbound calls in the filter's period."""
    params: list[object] = []
    cond = "direction = 'inbound'"
    if f.period_from:
        cond += " AND queued_at >= ?"
        params.append(f.period.start if f.period else datetime.fromisoformat(f"{f.period_from}-01"))
    if f.period_to:
        cond += " AND queued_at < ?"
        params.append(f.period.end if f.period else _month_end(f.period_to))
    first, last = arrow(store, f"SELECT min(queued_at) AS a, max(queued_at) AS b FROM calls_current WHERE {cond}",
                        params).to_pylist()[0].values()
    if last is None:
        return None
    end = last.date() + timedelta(days=1)
    return max(end - timedelta(weeks=weeks), first.date()), end


def _month_end(month: str) -> datetime:
    """Return midnight after the month 'YYYY-MM'."""
    from csq.core.months import Month

    return Month.parse(month, "to").end


def _weekday_counts(start: date, end: date) -> dict[int, int]:
    """Return how many times each ISO weekday (1 = Monday) occurs in [start, end)."""
    counts = dict.fromkeys(range(1, 8), 0)
    day = start
    while day < end:
        counts[day.isoweekday()] += 1
        day += timedelta(days=1)
    return counts


def staffing(store: Store, f: Filter | None = None, weeks: int = 8, what_if: WhatIf | None = None) -> StaffingTable:
    """Return the staffing table: per weekday and half-hour, the mean over the last `weeks` weeks of the period.

    The forecast volume is the mean calls offered per occurrence of that weekday in the window (a day without
    calls counts as 0), the forecast AHT the mean handle time of the interval's answered calls (the window's
    when it has none), and answered_by the mean distinct answering agents per occurrence.
    """
    f = f or Filter()
    w = what_if or WhatIf()
    limits = thresholds(store)
    within = limits.service_level_s if w.within_s is None else w.within_s
    check_inputs(w.target, within, w.shrinkage)
    if weeks < 1:
        raise InputRefused(f"--weeks {weeks}: the forecast needs at least one week.", "Give --weeks 1 or more.")
    if w.volume_change <= -1 or (w.aht_s is not None and w.aht_s <= 0):
        raise InputRefused("The what-if volume must stay above −100 % and the AHT above 0 s.", "Correct the what-if.")
    span = _window(store, f, weeks)
    if span is None:
        return StaffingTable(None, None, weeks, w, within)
    start, end = span
    sql, params = SQL.render("interval_load", start=("?", [datetime.combine(start, datetime.min.time())]),
                             end=("?", [datetime.combine(end, datetime.min.time())]),
                             short_abandon_s=("?", [limits.short_abandon_s]))
    rows = arrow(store, sql, params).to_pylist()
    handled = sum(r["answered"] for r in rows)
    overall = sum(r["handle_sum"] or 0 for r in rows) / handled if handled else None
    days = _weekday_counts(start, end)
    out = []
    for r in rows:
        n = days[r["weekday"]] or 1
        calls = r["calls"] / n * (1 + w.volume_change)
        aht = w.aht_s if w.aht_s is not None else (r["handle_sum"] / r["answered"] if r["answered"] else overall)
        answered_by = r["agent_days"] / n
        slot = r["slot"]
        label = f"{slot // 2:02d}:{30 * (slot % 2):02d}"
        if aht is None or aht <= 0:
            out.append(Interval(r["weekday"], label, calls, aht, None, None, None, None, None, answered_by, None))
            continue
        s = required(offered_load(calls, aht, INTERVAL_S), aht, w.target, within, w.shrinkage)
        out.append(Interval(r["weekday"], label, calls, aht, s.agents, s.service_level, s.asa_s, s.occupancy,
                            s.headcount, answered_by, answered_by - s.agents))
    return StaffingTable(start, end, weeks, w, within, out)
