"""A quarter's callback programme at a glance: progress per engineer and the quarters that hold a plan."""
from __future__ import annotations

from dataclasses import dataclass

from csq.callbacks.quarters import Quarter
from csq.metrics.callbacks import callback_flags
from csq.store import Store
from csq.store.queries import SqlFiles

SQL = SqlFiles(__package__)


@dataclass(frozen=True)
class Progress:
    """One engineer's quarter: callbacks planned, due as of the data, made, reached, satisfied, and second ones."""

    agent: str
    team: str | None
    planned: int
    due: int
    made: int
    reached: int
    satisfied: int
    needs_second: int
    seconds_made: int
    seconds_overdue: int


def progress(store: Store, quarter: str) -> list[Progress]:
    """Return the quarter's plan per engineer (progress.sql), engineers in name order."""
    q = Quarter.parse(quarter)
    sql, params = SQL.render("progress", flags=callback_flags(store), quarter_start=("?", [q.start]),
                             quarter_end=("?", [q.end]))
    return [Progress(str(r[0] or ""), r[1], *(int(x) for x in r[2:])) for r in store.rows(sql, params)]


def planned_quarters(store: Store) -> list[str]:
    """Return the quarters that hold planned callbacks, newest first."""
    rows = store.rows("SELECT DISTINCT year(planned_for), quarter(planned_for) FROM callbacks_current "
                      "WHERE planned_for IS NOT NULL AND follow_up_of IS NULL AND NOT coalesce(withdrawn, false)")
    return [Quarter(int(y), int(q)).label for y, q in sorted(rows, reverse=True)]
