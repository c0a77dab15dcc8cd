"""The ticket facts: every current ticket on its SLA clock, kept as a table between data versions.

A page's ticket queries (indicators, breach lists, backlog, Pareto, effect check) all read each ticket's
limits, business-time clocks, pauses and due moments. Computing them means matching rules and joining the
calendars and the status history: several scans for every query. The facts table holds that result for the
whole store, so a query is one narrow scan of the columns it reads.

Surveys, QA evaluations and calls join their tickets for the ticket's fields. The facts build keeps, beside the
ticket facts, `linked_tickets`: the facts of only the tickets some such record names. A join to it gives the
same rows as a join to every ticket (no other ticket could match) at the cost of the records, not of ten
million tickets.

Exactness: the tables are brought up to one data version in one transaction, and record that version. Every
import, rollback, purge and settings change (SLA rules, calendars, pause statuses) bumps the data version, and
"as of" is the latest ticket timestamp, so it moves only with the data. After imports and rollbacks only the
tickets whose row, status history or as-of-bound clock moved are recomputed (csq.metrics.facts_incremental, which
says why the others cannot move); anything else rebuilds them whole; both give a whole rebuild's rows. A store
whose version differs from the table's is never read through it: ticket_clock then computes the clock live.
Writers call refresh() after they commit (the command line on its way out, the dashboard on its next read), so
readers, read-only ones included, find it current.
"""
from __future__ import annotations

import threading
from datetime import datetime, time

import duckdb

from csq.core.kinds import KINDS
from csq.metrics.asof import as_of, store_key
from csq.metrics.clock import SPAN_SCHEMA, ClockSource, SlaSetup, has_events, live_clock, sla_setup
from csq.metrics.facts_incremental import FACTS, LINKED, META, Basis, Source, fingerprint, snapshot, update, write_meta
from csq.store import Store
from csq.store.queries import Part, SqlFiles

SQL = SqlFiles(__package__)

# What the tables hold and how: a store whose facts were built by a csq with another layout builds them again.
LAYOUT = 4   # 4: the record of what they were built from (first day, settings) and the batch log they saw
_FRESH: set[tuple[str, int, int]] = set()   # (store, data version) pairs whose facts were found current
_FRESH_KEEP = 256
_BUILDING = threading.Lock()   # dashboard sessions share one connection: one builds, the others wait and reuse


class _Moved(Exception):
    """The data version moved while the facts were being built: the build is rolled back, not recorded."""


def built_version(store: Store) -> int | None:
    """Return the data version the stored facts were built for (None when none were built in this layout)."""
    try:
        value = store.scalar(f"SELECT max(data_version) FROM {META} WHERE layout = ?", [LAYOUT])
    except (duckdb.CatalogException, duckdb.BinderException):   # none built, or built before layouts
        return None
    return int(value) if value is not None else None  # type: ignore[call-overload]


def fresh(store: Store) -> bool:
    """Return True when the stored facts were built for the store's current data version."""
    key = store_key(store)
    if key in _FRESH:
        return True
    if built_version(store) != key[2]:
        return False
    if len(_FRESH) >= _FRESH_KEEP:
        _FRESH.clear()
    _FRESH.add(key)
    return True


def refresh(store: Store) -> bool:
    """Return True when the facts are current after the call: rebuilt first when stale and the store is writable."""
    if fresh(store):
        return True
    if store.read_only:
        return False
    with _BUILDING:
        if not fresh(store):
            _build(store)
    return fresh(store)


def _build(store: Store) -> None:
    """Bring the facts, linked_tickets and their records up to the store's data version in one transaction.

    After imports and rollbacks only the tickets that moved are recomputed (csq.metrics.facts_incremental);
    anything else, or a first build, rebuilds every table whole. Either way the rows are a whole rebuild's.
    """
    version, moment = store_key(store)[2], as_of(store)
    setup = sla_setup(store)
    paused = bool(setup.clock.pause_statuses) and has_events(store)
    first = store.scalar("SELECT min(created_at) FROM tickets_current") if setup.business else None
    basis = Basis(version, moment, datetime.combine(first.date(), time()) if isinstance(first, datetime) else None,
                  fingerprint(setup, paused))
    source = live_clock(store, "TRUE", moment, setup)

    def facts_of(where: Part) -> tuple[str, list[object]]:
        """Return the facts query of the tickets matching `where` (alias t), on the registered tables."""
        part = live_clock(store, where, moment, setup).part
        # On 24x7 alone no due moment needs the calendar spans; their ASOF joins cost two sorts of every ticket.
        return SQL.render("ticket_due" if setup.business else "ticket_due_plain", clock=(f"({part[0]})", part[1]))

    try:
        with store.transaction() as cur:
            # The version is read again inside the transaction: the facts and their record share its snapshot.
            now = cur.execute("SELECT value FROM settings WHERE key = 'data_version'").fetchall()
            if int(str(now[0][0]) if now else 0) != version:
                raise _Moved
            for name, table in {"_csq_cal": SPAN_SCHEMA.empty_table(), **source.register}.items():
                cur.register(name, table)
            scattered = update(cur, basis, LAYOUT, setup, paused, _linking_kinds(), _linking_ids(), facts_of)
            if scattered is None:
                _rebuild(cur, facts_of)
                scattered = 0
            write_meta(cur, basis, LAYOUT, scattered)
    except _Moved:
        return  # the next read finds them stale and builds them for the newer version


def _rebuild(cur: duckdb.DuckDBPyConnection, facts_of: Source) -> None:
    """Build the facts and linked_tickets whole, and the batch records an update starts from; return nothing."""
    sql, params = facts_of("TRUE")
    # In time order: a period filter then skips whole row groups (their min/max of created_at), and the effect
    # check reads its records already sorted by moment.
    cur.execute(f"CREATE OR REPLACE TABLE {FACTS} AS SELECT * FROM ({sql}) ORDER BY created_at, ticket_id", params)
    cur.execute(f"CREATE OR REPLACE TABLE {LINKED} AS SELECT t.* FROM {FACTS} t "
                f"WHERE t.ticket_id IN ({_linking_ids()})")
    snapshot(cur)


def _linking_kinds() -> set[str]:
    """Return the kinds whose records name a ticket for its fields (surveys, QA, calls)."""
    return {k.name for k in KINDS.values() if "ticket_id" in k.names and k.name not in ("tickets", "ticket_events")}


def _linking_ids() -> str:
    """Return a query of the ticket ids that records of the kinds linking to a ticket (surveys, QA, calls) name."""
    kinds = sorted(_linking_kinds())
    return " UNION ".join(f"SELECT ticket_id FROM {KINDS[k].current} WHERE ticket_id IS NOT NULL" for k in kinds)


def linked_tickets(store: Store) -> str:
    """Return the ticket source a survey, QA or call query joins: the linked ticket facts when current."""
    return LINKED if refresh(store) else "tickets_current"


def ticket_clock(store: Store, where: Part, moment: datetime | None, setup: SlaSetup | None = None) -> ClockSource:
    """Return the clock source of the tickets matching `where` (alias t): the stored facts when they are current.

    The facts hold the stored settings as of the data's own moment; an unsaved setup (the Settings preview) or
    another moment is computed live.
    """
    if setup is None and moment == as_of(store) and refresh(store):
        return ClockSource(SQL.render("facts_read", where=where), {}, facts=True)
    return live_clock(store, where, moment, setup)
