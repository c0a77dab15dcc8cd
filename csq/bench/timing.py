"""What every benchmark shares: the best of a few runs, and the one scan of the tickets figures are held against."""
from __future__ import annotations

import time
from collections.abc import Callable

from csq.store import Store
from csq.store.queries import arrow


def best(fn: Callable[[], object], runs: int = 3) -> float:
    """Return the best wall time of `runs` calls, in seconds (the least disturbed by other work)."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def scan_tickets(store: Store) -> None:
    """Read every ticket's timestamps once: the floor any per-ticket query pays."""
    arrow(store, "SELECT count(*), max(epoch_us(created_at)), max(epoch_us(first_response_at)), "
                 "max(epoch_us(resolved_at)) FROM tickets_current", [])


def aggregate_tickets(store: Store) -> None:
    """Aggregate every ticket by month once (count, a mean duration, a flag count): the one full-scan aggregate
    a query of the indicators is held against, as an analyst would write it by hand in DuckDB."""
    arrow(store, "SELECT date_trunc('month', created_at) AS m, count(*), "
                 "avg(epoch_us(resolved_at) - epoch_us(created_at)), count_if(escalated) "
                 "FROM tickets_current GROUP BY 1", [])
