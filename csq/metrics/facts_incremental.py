"""Keeping the ticket facts (csq.metrics.facts) current after imports and rollbacks by recomputing what moved.

A ticket's facts (sql/ticket_clock.sql or ticket_clock_plain.sql, then ticket_due*.sql) read only:
- its own current row, and the rules matched on its channel, type and priority;
- its status history (pause intervals, paused_now), when pauses are counted;
- "as of", the latest ticket timestamp: a missing first response or resolution is clocked up to it, paused_now
  holds a pause interval against it, and on a business calendar a due moment is looked up in spans reaching
  400 days past it;
- on a business calendar, spans counted from the day before the first ticket (the business moments B(ts));
- the settings: SLA rules, calendars, pause statuses.
So a ticket answered and resolved, with no status change after as-of and no due moment past the spans as-of
reads, has the same facts at any later or earlier as-of: its clocks end at its own timestamps.

When every data version since the build came from an import or a rollback (each bumps the version once, so any
other write, a settings change or a purge, leaves the count unexplained) and the settings, the clock's shape and
(on business calendars) the first day are the build's, the update:
- replaces (DELETE + INSERT, in time order) the tickets whose current row came or went: every row of a batch
  imported since, and the facts of a batch rolled back since (its rows are gone, the versions it replaced current
  again);
- recomputes in place (UPDATE of the clock columns, so the table keeps its time order) the other tickets whose
  clock can move: when as-of moved, those not answered or not resolved, those with a status change after the
  earlier as-of and those due past the calendar spans it reads (_spans_end); and those whose status history
  gained or lost a batch.
Anything else rebuilds the table whole, as does an update that would put more than a quarter of the table out of
time order (rows replaced behind the newest kept one; at least a row group's worth), so that period filters
keep skipping row groups.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb

from csq.core.sqlident import ident
from csq.metrics.clock import SlaSetup
from csq.store.queries import Part

FACTS = "ticket_facts"
LINKED = "linked_tickets"
META = "ticket_facts_meta"
BATCHES = "ticket_facts_batches"   # the batch log as the facts last saw it: which batches came or were rolled back
EVENTS = "ticket_facts_events"     # (batch_id, ticket_id) of every stored event row: whom an event rollback touches
SCATTER_SHARE = 4   # rebuild whole once more than 1/SCATTER_SHARE of the rows sit out of time order,
SCATTER_FLOOR = 122_880   # and more than one DuckDB row group's worth: fewer rows cost at most a row group a read
_AHEAD = timedelta(days=400)   # how far past as-of the calendar spans reach (csq.metrics.clock._AHEAD)
# Clock columns that depend only on the ticket's row, the rules and the calendars' first day: kept by an UPDATE.
_STABLE = {"frt_limit_us", "res_limit_us", "frt_cal", "res_cal", "frt_pause", "c_us", "frt_b0", "res_b0"}
_ROWS, _CLOCK = "_csq_fx_rows", "_csq_fx_clock"

Source = Callable[[Part], tuple[str, list[object]]]   # the facts query of the tickets matching a condition (alias t)


@dataclass(frozen=True)
class Basis:
    """What the facts are computed from besides the records, as compared with the build's."""

    version: int
    as_of: datetime | None
    first_day: datetime | None   # the first ticket's moment on a business calendar (None on 24x7 alone)
    setup: str                   # fingerprint of the rules, calendars, pause statuses and the clock's shape


@dataclass(frozen=True)
class Moved:
    """The batches that came or were rolled back since the build, by what they hold."""

    mark: int                    # the newest batch the facts saw: every batch after it is new
    tickets_gone: list[int]      # ticket batches the facts saw committed, rolled back since
    events_gone: list[int]       # the same for status history
    linking: bool                # a survey, QA or call batch moved: linked_tickets is built again


def fingerprint(setup: SlaSetup, paused: bool) -> str:
    """Return a digest of the SLA setup and whether pauses are counted (the clock's shape follows from both)."""
    return hashlib.sha256(repr((setup, paused)).encode()).hexdigest()


def write_meta(cur: duckdb.DuckDBPyConnection, basis: Basis, layout: int, scattered: int) -> None:
    """Record what the facts were built from, in the caller's transaction; return nothing."""
    cur.execute(f"CREATE OR REPLACE TABLE {META} AS SELECT CAST(? AS BIGINT) AS data_version, "
                "CAST(? AS TIMESTAMP) AS as_of, CAST(? AS INTEGER) AS layout, CAST(? AS TIMESTAMP) AS first_day, "
                "CAST(? AS VARCHAR) AS setup, CAST(? AS BIGINT) AS scattered",
                [basis.version, basis.as_of, layout, basis.first_day, basis.setup, scattered])


def snapshot(cur: duckdb.DuckDBPyConnection) -> None:
    """Record the batch log and whom each event batch names, as a whole rebuild saw them; return nothing."""
    cur.execute(f"CREATE OR REPLACE TABLE {BATCHES} AS SELECT batch_id, kind, status FROM batches")
    cur.execute(f"CREATE OR REPLACE TABLE {EVENTS} AS SELECT DISTINCT _batch_id AS batch_id, ticket_id "
                "FROM ticket_events")


def _built(cur: duckdb.DuckDBPyConnection, layout: int) -> tuple[int, datetime | None, datetime | None, str, int] | None:
    """Return the build's (version, as_of, first_day, setup, scattered), None when not built in this layout."""
    # Looked up, not tried: a failed statement would abort the caller's transaction.
    have = cur.execute("SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ? "
                       "AND column_name IN ('layout', 'setup')", [META]).fetchall()[0][0]
    if have != 2:   # none built, or built before this layout
        return None
    got = cur.execute(f"SELECT data_version, as_of, first_day, setup, scattered FROM {META} WHERE layout = ?",
                      [layout]).fetchall()
    return got[0] if got else None


def moved(cur: duckdb.DuckDBPyConnection, steps: int, linking: set[str]) -> Moved | None:
    """Return the batches that moved since the build, None unless imports and rollbacks make up all `steps`."""
    rows = cur.execute(
        f"SELECT b.batch_id, b.kind, b.status, s.batch_id IS NOT NULL, s.status FROM batches b "
        f"FULL JOIN {BATCHES} s ON s.batch_id = b.batch_id "
        "WHERE b.batch_id IS NULL OR s.batch_id IS NULL OR s.status <> b.status").fetchall()
    mark = int(cur.execute(f"SELECT coalesce(max(batch_id), -1) FROM {BATCHES}").fetchall()[0][0])
    count, gone = 0, {"tickets": [], "ticket_events": []}
    moved_linking = False
    for batch_id, kind, status, seen, was in rows:
        if batch_id is None or status not in ("committed", "rolled_back"):
            return None   # a batch the facts saw has left the log, or a state this module does not know
        if not seen:
            if batch_id <= mark:
                return None   # a batch older than the newest one seen: not an import since the build
            count += 1 if status == "committed" else 2   # imported, and rolled back too
        elif was == "committed" and status == "rolled_back":
            count += 1
            gone.setdefault(kind, []).append(int(batch_id))
        else:
            return None
        moved_linking = moved_linking or kind in linking
    if count != steps:
        return None
    return Moved(mark, gone["tickets"], gone["ticket_events"], moved_linking)


def _fill(cur: duckdb.DuckDBPyConnection, table: str, parts: list[tuple[str, list[object]]]) -> int:
    """Make the temporary table of the distinct ticket ids the queries give; return how many."""
    sql = " UNION ".join(p[0] for p in parts) if parts else "SELECT CAST(NULL AS VARCHAR) AS ticket_id LIMIT 0"
    cur.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT DISTINCT ticket_id FROM ({sql}) s "
                "WHERE ticket_id IS NOT NULL", [v for p in parts for v in p[1]])
    return int(cur.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])


def _spans_end(cur: duckdb.DuckDBPyConnection, calendars: list[str], since: datetime) -> datetime | None:
    """Return the earliest last span start, over the calendars, of the spans the earlier as-of reads (to its day
    plus 400); None when a calendar has no span there.

    A due moment is looked up in the spans (ASOF on their cumulative open time). The spans of the later as-of
    begin as those of the earlier one; they differ only past its last span, so a due moment can differ only
    when its target lies past that span's open time, where both place it after that span's start.
    """
    if not calendars:
        return None
    until = datetime.combine(since.date() + _AHEAD + timedelta(days=1), datetime.min.time())
    got = cur.execute("SELECT count(*), min(last) FROM (SELECT cal, max(start_us) AS last FROM _csq_cal "
                      "WHERE list_contains(?, cal) AND start_us < epoch_us(CAST(? AS TIMESTAMP)) GROUP BY cal) s",
                      [calendars, until]).fetchall()[0]
    if int(got[0]) != len(calendars):
        return None
    return datetime(1970, 1, 1) + timedelta(microseconds=int(got[1]))


def update(cur: duckdb.DuckDBPyConnection, basis: Basis, layout: int, setup: SlaSetup, paused: bool,
           linking: set[str], linking_ids: str, source: Source) -> int | None:
    """Bring the facts up to `basis` by recomputing what moved; return the rows now out of time order.

    None: the facts cannot be updated (not built in this layout, another kind of write, other settings, or too
    much would sit out of order), and the caller rebuilds them whole in the same transaction.
    """
    built = _built(cur, layout)
    if built is None or basis.as_of is None or built[1] is None:
        return None
    version, old_as_of, first_day, fp, scattered = built
    if fp != basis.setup or first_day != basis.first_day or version > basis.version:
        return None
    batches = moved(cur, basis.version - version, linking)
    if batches is None:
        return None
    since = min(old_as_of, basis.as_of)
    sets = _moving(cur, batches, old_as_of != basis.as_of, since, setup, paused)
    if sets is None:
        return None
    rows, clock = sets
    _fill(cur, _ROWS, rows)
    _fill(cur, _CLOCK, [(f"SELECT ticket_id FROM ({' UNION '.join(c[0] for c in clock)}) c "
                         f"WHERE ticket_id NOT IN (SELECT ticket_id FROM {_ROWS})", [v for c in clock for v in c[1]])]
          if clock else [])
    cur.execute(f"DELETE FROM {FACTS} WHERE ticket_id IN (SELECT ticket_id FROM {_ROWS})")
    newest, kept = cur.execute(f"SELECT max(created_at), count(*) FROM {FACTS}").fetchall()[0]
    # Without a rollback the current rows to insert are exactly those of the new batches (a later version of a
    # ticket comes from a later batch): a filter on the batch skips the older row groups instead of a join.
    incoming_rows: Part = (f"t.ticket_id IN (SELECT ticket_id FROM {_ROWS})", []) if batches.tickets_gone \
        else ("t._batch_id > ?", [batches.mark])
    incoming, behind = cur.execute(
        f"SELECT count(*), count(*) FILTER (WHERE created_at <= ?) FROM tickets_current t WHERE {incoming_rows[0]}",
        [newest, *incoming_rows[1]]).fetchall()[0]
    if scattered + behind > max(SCATTER_FLOOR, (kept + incoming) // SCATTER_SHARE):
        return None
    sql, params = source(incoming_rows)
    cur.execute(f"INSERT INTO {FACTS} SELECT * FROM ({sql}) ORDER BY created_at, ticket_id", params)
    _recompute_clocks(cur, source)
    _linked(cur, batches.linking, linking_ids)
    cur.execute(f"DELETE FROM {EVENTS} WHERE list_contains(?, batch_id)", [batches.events_gone])
    cur.execute(f"INSERT INTO {EVENTS} SELECT DISTINCT _batch_id, ticket_id FROM ticket_events WHERE _batch_id > ?",
                [batches.mark])
    cur.execute(f"CREATE OR REPLACE TABLE {BATCHES} AS SELECT batch_id, kind, status FROM batches")
    for table in (_ROWS, _CLOCK):
        cur.execute(f"DROP TABLE {table}")
    return int(scattered + behind)


def _moving(cur: duckdb.DuckDBPyConnection, batches: Moved, as_of_moved: bool, since: datetime, setup: SlaSetup,
            paused: bool) -> tuple[list[tuple[str, list[object]]], list[tuple[str, list[object]]]] | None:
    """Return the queries of the tickets whose rows and whose clocks must be recomputed; None to rebuild whole."""
    calendars = sorted({r.calendar for r in setup.rules if r.calendar != "24x7"})
    spans_end = _spans_end(cur, calendars, since) if as_of_moved else None
    if calendars and as_of_moved and spans_end is None:
        return None
    rows: list[tuple[str, list[object]]] = [("SELECT ticket_id FROM tickets WHERE _batch_id > ?", [batches.mark])]
    if batches.tickets_gone:
        rows.append((f"SELECT ticket_id FROM {FACTS} WHERE list_contains(?, _batch_id)", [batches.tickets_gone]))
    clock: list[tuple[str, list[object]]] = []
    if paused:
        clock.append(("SELECT ticket_id FROM ticket_events WHERE _batch_id > ?", [batches.mark]))
        if batches.events_gone:
            clock.append((f"SELECT ticket_id FROM {EVENTS} WHERE list_contains(?, batch_id)", [batches.events_gone]))
    if as_of_moved:
        clock.append((f"SELECT ticket_id FROM {FACTS} WHERE first_response_at IS NULL OR resolved_at IS NULL", []))
        if paused:
            clock.append(("SELECT ticket_id FROM ticket_events_current WHERE event_at > ?", [since]))
        if calendars:
            clock.append((f"SELECT ticket_id FROM {FACTS} WHERE frt_due_at >= ? OR res_due_at >= ?",
                          [spans_end, spans_end]))
    return rows, clock


def _recompute_clocks(cur: duckdb.DuckDBPyConnection, source: Source) -> None:
    """Overwrite the clock columns of the tickets in the clock set with their values now; return nothing."""
    ticket_cols = {r[0] for r in cur.execute("DESCRIBE tickets_current").fetchall()}
    cols = [r[0] for r in cur.execute(f"DESCRIBE {FACTS}").fetchall()
            if r[0] not in ticket_cols and r[0] not in _STABLE]
    sql, params = source(f"t.ticket_id IN (SELECT ticket_id FROM {_CLOCK})")
    sets = ", ".join(f"{ident(c)} = u.{ident(c)}" for c in cols)   # names from the table's own columns
    cur.execute(f"UPDATE {FACTS} f SET {sets} FROM ({sql}) u WHERE f.ticket_id = u.ticket_id", params)


def _linked(cur: duckdb.DuckDBPyConnection, whole: bool, linking_ids: str) -> None:
    """Bring linked_tickets up to the facts: whole when linking records moved, else the recomputed tickets."""
    if whole:
        cur.execute(f"CREATE OR REPLACE TABLE {LINKED} AS SELECT t.* FROM {FACTS} t "
                    f"WHERE t.ticket_id IN ({linking_ids})")
        return
    redo = f"SELECT ticket_id FROM {_ROWS} UNION ALL SELECT ticket_id FROM {_CLOCK}"
    cur.execute(f"DELETE FROM {LINKED} WHERE ticket_id IN ({redo})")
    cur.execute(f"INSERT INTO {LINKED} SELECT t.* FROM {FACTS} t WHERE t.ticket_id IN ({redo}) "
                f"AND t.ticket_id IN ({linking_ids})")
