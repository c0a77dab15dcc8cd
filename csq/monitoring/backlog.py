"""The daily backlog for the Monitoring page: open tickets at the end of each day by status (SPEC §2, §4a).

A ticket counts on day D when, at the last moment of D (just before D + 1 00:00), it has been created and is
in a backlog status: the status of its latest event with event_at before D + 1 (the later row on equal times),
open before its first event. A ticket without a status history is open from created_at until it is resolved
or closed, whichever comes first. Solved and closed tickets are out of the backlog. The days are those of the
filter's period up to the data's as-of day (without a period: from the first ticket's day), every backlog status
on every day (zeros included). The field filters pick the tickets, the period only the days: a ticket opened
before the period and still open counts on its first days.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa

from csq.core.kinds import EVENT_STATUSES
from csq.core.months import Month
from csq.metrics.asof import as_of
from csq.metrics.dimensions import ticket_dims
from csq.metrics.filters import Filter, build_where
from csq.store import Store
from csq.store.queries import SqlFiles, arrow

SQL = SqlFiles(__package__)

# The statuses that keep a ticket in the backlog, in the order the chart stacks them.
BACKLOG_STATUSES: tuple[str, ...] = tuple(s for s in EVENT_STATUSES if s not in ("solved", "closed"))


def _statuses() -> tuple[str, list[object]]:
    """Return the backlog statuses as a bound VALUES list of (status, position)."""
    rows = ", ".join("(CAST(? AS VARCHAR), CAST(? AS INTEGER))" for _ in BACKLOG_STATUSES)
    return f"VALUES {rows}", [x for i, s in enumerate(BACKLOG_STATUSES) for x in (s, i)]


def _day_grid(store: Store, f: Filter) -> pa.Table:
    """Return the days the backlog covers (column day DATE): the period's from the first ticket's day on, up to
    the as-of day (none when no ticket matches the field filters)."""
    last_moment = as_of(store)
    if last_moment is None:
        return pa.table({"day": pa.array([], pa.date32())})
    where = build_where(Filter(where=f.where), ticket_dims("t"), "t.created_at")
    sql, params = SQL.render("backlog_first_day", where=where.part)
    first = arrow(store, sql, params).column("first_day")[0].as_py()
    if first is None:  # no ticket matches the field filters
        return pa.table({"day": pa.array([], pa.date32())})
    if f.period_from:
        first = max(first, Month.parse(f.period_from, "from").start.date())
    last = last_moment.date()
    if f.period_to:
        last = min(last, Month.parse(f.period_to, "to").end.date() - timedelta(days=1))
    return pa.table({"day": pa.array([first + timedelta(days=i) for i in range(max(0, (last - first).days + 1))],
                                     pa.date32())})


def backlog(store: Store, f: Filter) -> pa.Table:
    """Return the open tickets at the end of each day by status: day DATE, status VARCHAR, tickets BIGINT."""
    grid = _day_grid(store, f)
    if grid.num_rows == 0:
        return pa.table({"day": pa.array([], pa.date32()), "status": pa.array([], pa.string()),
                         "tickets": pa.array([], pa.int64())})
    where = build_where(Filter(where=f.where), ticket_dims("t"), "t.created_at")
    first, end = grid.column("day")[0].as_py(), grid.column("day")[-1].as_py() + timedelta(days=1)
    sql, params = SQL.render("backlog", where=where.part, until=("?", [datetime(end.year, end.month, end.day)]),
                             since=("?", [datetime(first.year, first.month, first.day)]), statuses=_statuses())
    return arrow(store, sql, params, {"_csq_day_grid": grid})


def history_coverage(store: Store, f: Filter) -> tuple[int, int]:
    """Return (tickets in the filter with a status history, tickets in the filter)."""
    where = build_where(f, ticket_dims("t"), "t.created_at")
    sql, params = SQL.render("backlog_history", where=where.part)
    row = arrow(store, sql, params).to_pylist()[0]
    return int(row["with_history"]), int(row["tickets"])
