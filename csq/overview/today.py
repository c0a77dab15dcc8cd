"""The floor manager's first look: today, yesterday and this week against a week earlier, the open backlog by
age and priority, and what is breaching now. Everything is read "as of" the data (SPEC §3), not the clock.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pyarrow as pa

from csq.core.kinds import PRIORITIES
from csq.metrics.dimensions import ticket_dims
from csq.metrics.engine import compute
from csq.metrics.facts import ticket_clock
from csq.metrics.filters import Filter, build_where
from csq.metrics.results import Result
from csq.store import Store
from csq.store.queries import SqlFiles, arrow

SQL = SqlFiles(__package__)

STRIP: tuple[str, ...] = ("tickets", "frt_median_min", "frt_sla_rate", "csat_rate")
WINDOWS: tuple[str, ...] = ("today", "yesterday", "this_week")
# Age bands of the open backlog: (key, upper bound in hours, exclusive); the last band is open-ended.
AGE_BANDS: tuple[tuple[str, float | None], ...] = (
    ("age_lt_4h", 4), ("age_4_24h", 24), ("age_1_3d", 72), ("age_3_7d", 168), ("age_gt_7d", None))
WEEK = timedelta(days=7)
_TICK = timedelta(microseconds=1)  # windows end just after the as-of moment, so its own ticket counts


@dataclass(frozen=True)
class Window:
    """One window of the strip and the same window a week earlier, each a Result of the STRIP indicators."""

    name: str          # today, yesterday or this_week
    start: datetime
    end: datetime      # exclusive
    now: Result
    week_before: Result


def windows(moment: datetime) -> list[tuple[str, datetime, datetime]]:
    """Return (name, start, exclusive end) of today so far, yesterday and this ISO week so far, as of `moment`."""
    day = datetime(moment.year, moment.month, moment.day)
    monday = day - timedelta(days=day.weekday())
    return [("today", day, moment + _TICK), ("yesterday", day - timedelta(days=1), day),
            ("this_week", monday, moment + _TICK)]


def strip(store: Store, f: Filter, moment: datetime) -> list[Window]:
    """Return today, yesterday and this week against the same window a week earlier, under f's field filters.

    "Today" is midnight to the as-of moment, and a week earlier is the same weekday up to the same time:
    half a day against a whole one would read as a fall every morning.
    """
    out = []
    for name, start, end in windows(moment):
        now = compute(store, f.window(start, end), (), STRIP)[0]
        before = compute(store, f.window(start - WEEK, end - WEEK), (), STRIP)[0]
        out.append(Window(name, start, end, now, before))
    return out


def _open_part(store: Store, f: Filter, moment: datetime) -> tuple[tuple[str, list[object]], dict[str, pa.Table]]:
    """Return open_tickets.sql filled in (the open tickets under f's field filters as of `moment`, on their
    SLA clocks), and the Arrow tables the clock reads."""
    where = build_where(Filter(None, None, f.where), ticket_dims("t"), "t.created_at")
    source = ticket_clock(store, where.part, moment)
    part = SQL.render("open_tickets", clock=(f"({source.part[0]})", source.part[1]), as_of=("?", [moment]))
    return part, source.register


def _band_sql() -> str:
    """Return the CASE expression that puts an open ticket's age (minutes) in its AGE_BANDS key."""
    cases = " ".join(f"WHEN age_min < {float(hi) * 60} THEN '{key}'" for key, hi in AGE_BANDS if hi is not None)
    return f"CASE {cases} ELSE '{AGE_BANDS[-1][0]}' END"


@dataclass(frozen=True)
class Backlog:
    """Open tickets by age band and priority, and how many of them are past an SLA limit now."""

    open: dict[tuple[str, str], int]
    breaching: dict[tuple[str, str], int]

    @property
    def total(self) -> int:
        """Return the number of open tickets."""
        return sum(self.open.values())

    @property
    def total_breaching(self) -> int:
        """Return the number of open tickets past an SLA limit."""
        return sum(self.breaching.values())

    def count(self, band: str | None = None, priority: str | None = None, breaching: bool = False) -> int:
        """Return the open (or breaching) tickets of one band and/or priority (None = all)."""
        cells = self.breaching if breaching else self.open
        return sum(n for (b, p), n in cells.items() if band in (None, b) and priority in (None, p))

    def priorities(self) -> list[str]:
        """Return the priorities with open tickets, canonical ones first in their order."""
        seen = {p for _, p in self.open}
        return [p for p in PRIORITIES if p in seen] + sorted(seen - set(PRIORITIES))


def backlog(store: Store, f: Filter, moment: datetime) -> Backlog:
    """Return the open backlog as of `moment` by age band and priority (f's field filters; its period ignored)."""
    part, register = _open_part(store, f, moment)
    sql, params = SQL.render("backlog", band=_band_sql(), open=part)
    rows = arrow(store, sql, params, register).to_pylist()
    return Backlog({(r["band"], r["priority"]): int(r["open"]) for r in rows},
                   {(r["band"], r["priority"]): int(r["breaching"]) for r in rows if r["breaching"]})


def breaching_now(store: Store, f: Filter, moment: datetime, limit: int = 20) -> list[dict[str, object]]:
    """Return the open tickets past an SLA limit as of `moment`, furthest past first (at most `limit`).

    Each row: ticket_id, created_at, channel, type, priority, team, agent, breach (first_response or
    resolution), limit_min and over_min. No customer field is read, so nothing here needs masking.
    """
    part, register = _open_part(store, f, moment)
    sql, params = SQL.render("breaching", open=part)
    return arrow(store, sql, [*params, int(limit)], register).to_pylist()

