"""What the Telephony page shows beside the indicators: service level and abandonment by weekday and half-hour."""
from __future__ import annotations

from dataclasses import dataclass

from csq.metrics.calls import CALL_MOMENT, thresholds
from csq.metrics.dimensions import call_dims
from csq.metrics.filters import Filter, build_where
from csq.store import Store
from csq.store.queries import SqlFiles, arrow

SQL = SqlFiles(__package__)


@dataclass(frozen=True)
class HeatCell:
    """One weekday (1 = Monday) and half-hour ('09:30'): calls offered, service level and abandon rate."""

    weekday: int
    interval: str
    offered: int
    service_level: float | None
    abandon_rate: float | None


def interval_heat(store: Store, f: Filter) -> list[HeatCell]:
    """Return the weekday × half-hour cells with calls offered under the filter, in weekday and time order."""
    t = thresholds(store)
    where = build_where(f, call_dims(), CALL_MOMENT)
    sql, params = SQL.render("interval_heat", where=where.part, ticket_source="tickets_current",
                             service_level_s=("?", [t.service_level_s]), short_abandon_s=("?", [t.short_abandon_s]))
    return [HeatCell(r["weekday"], f"{r['slot'] // 2:02d}:{30 * (r['slot'] % 2):02d}", int(r["offered"]),
                     r["service_level"], r["abandon_rate"]) for r in arrow(store, sql, params).to_pylist()]
