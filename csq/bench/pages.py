"""Each page's cost, cold and warm, against one full scan of the same store's tickets (`python -m csq bench`).

The store is the demo center grown to the asked number of tickets: every page then has surveys, QA,
training and actions to show, not only tickets. Past DEMO_MAX tickets (the demo generator holds its rows in
Python), the demo's tickets are repeated under new ids until the count is reached, which keeps their
distribution over months, teams and types. Each page runs in its own process (csq.dashboard.profile), so its
cold run is a first visit after a server start.
"""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from csq.bench.timing import aggregate_tickets, best, scan_tickets
from csq.demo import generate as demo
from csq.metrics.facts import refresh
from csq.store import open_store
from csq.store.connection import bump_data_version

DEMO_TICKETS = 231_423   # tickets of the demo center at scale 1 (24 months)
DEMO_MAX = 1_000_000
PAGES = ("/", "/monitoring", "/evaluation", "/improvement", "/satisfaction", "/telephony", "/callbacks", "/import",
         "/settings", "/audit")


@dataclass(frozen=True)
class PageCost:
    """One page's cold and warm runs: server seconds, DuckDB seconds (summed over threads), queries, and the cold
    DuckDB seconds against the cold full-scan aggregate of the tickets."""

    page: str
    cold_server_s: float
    cold_query_s: float
    cold_queries: int
    warm_server_s: float
    warm_query_s: float
    cold_query_vs_aggregate: float | None
    error: str | None


def page_store(db: Path, tickets: int) -> int:
    """Write the demo center with about `tickets` tickets into a new store at db; return the ticket count."""
    store = open_store(db)
    try:
        demo.generate(store, months=24, scale=min(tickets, DEMO_MAX) / DEMO_TICKETS)
        have = int(store.scalar("SELECT count(*) FROM tickets_current"))  # type: ignore[call-overload]
        copies = round(tickets / have) - 1  # whole repeats that bring the count nearest the asked one
        if copies > 0:
            with store.transaction() as cur:
                cur.execute("INSERT INTO tickets SELECT t.* REPLACE (t.ticket_id || '~' || CAST(k AS VARCHAR) AS ticket_id) "
                            "FROM tickets t, range(1, ? + 1) r(k) WHERE t._superseded_by IS NULL", [copies])
                bump_data_version(cur)
        refresh(store)   # the writer keeps the ticket facts current, as an import does
        return int(store.scalar("SELECT count(*) FROM tickets_current"))  # type: ignore[call-overload]
    finally:
        store.close()


def _profile(db: Path, page: str) -> dict[str, object]:
    """Return csq.dashboard.profile's JSON for one page, run in a new process."""
    out = subprocess.run([sys.executable, "-m", "csq.dashboard.profile", "--db", str(db), page],
                         capture_output=True, text=True, timeout=3600)
    if not out.stdout.strip():
        raise RuntimeError(f"profiling {page} failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


@dataclass(frozen=True)
class Floors:
    """What a page's queries are held against: one scan of the tickets' timestamps and one full-scan aggregate
    (best of three, warm), and the same aggregate as the first query of a new process (cold, as a page's first
    visit reads the store's columns from the file)."""

    scan_s: float
    aggregate_s: float
    aggregate_cold_s: float


_COLD_AGGREGATE = ("import sys, time; from csq.bench.timing import aggregate_tickets; from csq.store import open_store; "
                   "s = open_store(sys.argv[1], read_only=True); t = time.perf_counter(); aggregate_tickets(s); "
                   "print(time.perf_counter() - t)")


def cold_aggregate(db: Path) -> float:
    """Return the seconds of the full-scan aggregate run first thing in a new process."""
    out = subprocess.run([sys.executable, "-c", _COLD_AGGREGATE, str(db)], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def page_costs(db: Path, pages: tuple[str, ...] = PAGES) -> tuple[Floors, list[PageCost]]:
    """Return (the floors, each page's cost) on the store at db."""
    store = open_store(db, read_only=True)
    try:
        scan, aggregate = best(lambda: scan_tickets(store)), best(lambda: aggregate_tickets(store))
    finally:
        store.close()   # the page processes open the store for writing, as the dashboard does
    floors = Floors(scan, aggregate, cold_aggregate(db))
    costs = []
    for page in pages:
        got = _profile(db, page)
        cold, warm = got["cold"], got["warm"]  # type: ignore[index]
        costs.append(PageCost(page, cold["server_s"], cold["query_s"], cold["queries"], warm["server_s"],
                              warm["query_s"],
                              round(cold["query_s"] / floors.aggregate_cold_s, 1) if floors.aggregate_cold_s else None,
                              cold["error"] or warm["error"]))
    return floors, costs
