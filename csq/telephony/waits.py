"""The distribution of waiting times on the Telephony page (SPEC §7), with the service-level threshold as a bin edge."""
from __future__ import annotations

from dataclasses import dataclass

from csq.metrics.calls import CALL_MOMENT, thresholds
from csq.metrics.dimensions import call_dims
from csq.metrics.filters import Filter, build_where
from csq.store import Store
from csq.store.queries import SqlFiles, arrow

SQL = SqlFiles(__package__)
# Top edges (seconds, inclusive) of the bins before the open last one; the thresholds are added as edges too.
EDGES: tuple[int, ...] = (0, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300)


@dataclass(frozen=True)
class WaitBin:
    """One bin of waiting seconds (low exclusive, high inclusive; high None is open): answered and abandoned calls."""

    low: float | None
    high: float | None
    answered: int
    abandoned: int


@dataclass(frozen=True)
class WaitDistribution:
    """The bins of the calls offered under a filter, and the thresholds the page marks."""

    bins: list[WaitBin]
    service_level_s: float
    short_abandon_s: float

    @property
    def offered(self) -> int:
        """Return the calls offered that the bins hold."""
        return sum(b.answered + b.abandoned for b in self.bins)


def wait_distribution(store: Store, f: Filter) -> WaitDistribution:
    """Return the waiting times of the inbound calls offered under the filter, binned, with the thresholds."""
    limits = thresholds(store)
    edges = sorted({*EDGES, int(limits.service_level_s)} if float(limits.service_level_s).is_integer()
                   else {*EDGES, limits.service_level_s})
    # Edges are ours (constants and a validated setting), bound as values: bin k holds waits in (edge[k-1], edge[k]].
    cases = " ".join("WHEN wait_s <= ? THEN " + str(k) for k in range(len(edges)))
    where = build_where(f, call_dims(), CALL_MOMENT)
    sql, params = SQL.render("wait_bins", where=where.part, ticket_source="tickets_current",
                             bin=(f"CASE {cases} ELSE {len(edges)} END", list(edges)),
                             short_abandon_s=("?", [limits.short_abandon_s]))
    counts = {int(r["bin"]): r for r in arrow(store, sql, params).to_pylist()}
    lows: list[float | None] = [None, *edges]
    highs: list[float | None] = [*edges, None]
    bins = [WaitBin(lows[k], highs[k], int(counts.get(k, {}).get("answered") or 0),
                    int(counts.get(k, {}).get("abandoned") or 0)) for k in range(len(edges) + 1)]
    return WaitDistribution(bins, float(limits.service_level_s), float(limits.short_abandon_s))
