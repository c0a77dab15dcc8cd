"""The ticket facts: every current ticket on its SLA clock, kept as a table between data versions.

A page's ticket queries (indicators, breach lists, backlog, Pareto, effect check) all read each ticket's
limits, business-time clocks, pauses and due moments. Computing them means matching rules and joining the
calendars and the status history: several scans for every query. The facts table holds that result for the
whole store, so a query is one narrow scan of the columns it reads.

Surveys, QA evaluations and calls join their tickets for the ticket's fields. The facts build keeps, beside the
ticket facts, `linked_tickets`: the facts of only the tickets some such record names. A join to it gives the
same rows as a join to every ticket (no other ticket could match) at the cost of the records, not of ten
million tickets.

Exactness: the tables is rebuilt whole, in one transaction, for one data version, and records that version.
Every import, rollback, purge and settings change (SLA rules, calendars, pause statuses) bumps the data
version, and "as of" is the latest ticket timestamp, so it moves only with the data. A store whose version
differs from the table's is never read through it: ticket_clock then computes the clock live. Writers call
refresh() after they commit (the command line on its way out, the dashboard on its next read), so readers,
read-only ones included, find it current.
"""
from __future__ import annotations

import threading
from datetime import datetime

import duckdb

from csq.core.kinds import KINDS
from csq.metrics.asof import as_of, store_key
from csq.metrics.clock import SPAN_SCHEMA, ClockSource, SlaSetup, live_clock
from csq.store import Store
from csq.store.queries import Part, SqlFiles

SQL = SqlFiles(__package__)

FACTS = "ticket_facts"
LINKED = "linked_tickets"
_META = "ticket_facts_meta"
# What the tables hold and how: a store whose facts were built by a csq with another layout builds them again.
LAYOUT = 3
_FRESH: set[tuple[str, int, int]] = set()   # (store, data version) pairs whose facts were found current
_FRESH_KEEP = 256
_BUILDING = threading.Lock()   # dashboard sessions share one connection: one builds, the others wait and reuse


class _Moved(Exception):
    """The data version moved while the facts were being built: the build is rolled back, not recorded."""


def built_version(store: Store) -> int | None:
    """Return the data version the stored facts were built for (None when none were built in this layout)."""
    try:
        value = store.scalar(f"SELECT max(data_version) FROM {_META} WHERE layout = ?", [LAYOUT])
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
    """Rebuild the facts table and its version record in one transaction; return nothing."""
    version, moment = store_key(store)[2], as_of(store)
    source = live_clock(store, "TRUE", moment)
    sql, params = SQL.render("ticket_due", clock=(f"({source.part[0]})", source.part[1]))
    try:
        with store.transaction() as cur:
            # The version is read again inside the transaction: the facts and their record share its snapshot.
            now = cur.execute("SELECT value FROM settings WHERE key = 'data_version'").fetchall()
            if int(str(now[0][0]) if now else 0) != version:
                raise _Moved
            for name, table in {"_csq_cal": SPAN_SCHEMA.empty_table(), **source.register}.items():
                cur.register(name, table)
            # In time order: a period filter then skips whole row groups (their min/max of created_at), and the
            # effect check reads its records already sorted by moment.
            cur.execute(f"CREATE OR REPLACE TABLE {FACTS} AS SELECT * FROM ({sql}) ORDER BY created_at, ticket_id",
                        params)
            cur.execute(f"CREATE OR REPLACE TABLE {LINKED} AS SELECT t.* FROM {FACTS} t "
                        f"WHERE t.ticket_id IN ({_linking_ids()})")
            cur.execute(f"CREATE OR REPLACE TABLE {_META} AS SELECT CAST(? AS BIGINT) AS data_version, "
                        "CAST(? AS TIMESTAMP) AS as_of, CAST(? AS INTEGER) AS layout", [version, moment, LAYOUT])
    except _Moved:
        return  # the next read finds them stale and builds them for the newer version


def _linking_ids() -> str:
    """Return a query of the ticket ids that records of the kinds linking to a ticket (surveys, QA, calls) name."""
    kinds = [k for k in KINDS.values() if "ticket_id" in k.names and k.name not in ("tickets", "ticket_events")]
    return " UNION ".join(f"SELECT ticket_id FROM {k.current} WHERE ticket_id IS NOT NULL" for k in kinds)


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
