"""SLA limits of SPEC §4 per ticket: the rule that sets each limit, the limits, clocks and due moments."""
from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from csq.metrics.asof import as_of
from csq.metrics.clock import SPAN_SCHEMA, SlaSetup
from csq.metrics.dimensions import ticket_dims
from csq.metrics.facts import ticket_clock
from csq.metrics.filters import Filter, build_where
from csq.store import Store
from csq.store.queries import SqlFiles, arrow
from csq.store.settings import SlaRule

SQL = SqlFiles(__package__)
_NO_SPANS = SPAN_SCHEMA.empty_table()


def limits_for(rules: Sequence[SlaRule], channel: str | None, type_: str | None,
               priority: str | None) -> tuple[float | None, float | None]:
    """Return (first-response, resolution) limits in minutes for one ticket, each from its own best rule."""

    def best(limit: str) -> float | None:
        chosen: tuple[int, int] | None = None
        value: float | None = None
        for pos, r in enumerate(rules):
            if getattr(r, limit) is None:
                continue
            if any(want is not None and want != have
                   for want, have in ((r.channel, channel), (r.type, type_), (r.priority, priority))):
                continue
            rank = (-r.specificity, pos)  # most fields matched first, then the rule listed first
            if chosen is None or rank < chosen:
                chosen, value = rank, getattr(r, limit)
        return value

    return best("first_response_min"), best("resolution_min")


def ticket_limits(store: Store, f: Filter | None = None, setup: SlaSetup | None = None) -> pa.Table:
    """Return each current ticket (optionally filtered) with its SLA limits, clocks and due moments."""
    where = build_where(f or Filter(), ticket_dims("t"), "t.created_at")
    source = ticket_clock(store, where.part, as_of(store), setup)
    clock = (f"({source.part[0]})", source.part[1])
    # The facts already hold the due moments; a live clock gets them from its calendars' spans now.
    due = clock if source.facts else SQL.render("ticket_due", clock=clock)
    register = {"_csq_cal": _NO_SPANS, **source.register}  # the 24x7 fast path registers no spans
    sql, params = SQL.render("ticket_limits", due=(f"({due[0]})", due[1]))
    return arrow(store, sql, params, register)


def ticket_states(store: Store, setup: SlaSetup | None = None, f: Filter | None = None) -> pa.Table:
    """Return ticket_id, frt_state and res_state (met, breached, inside, none) of every ticket, by ticket_id.

    `setup` defaults to the stored settings; the Settings page passes an edit to count what it would change.
    """
    where = build_where(f or Filter(), ticket_dims("t"), "t.created_at")
    source = ticket_clock(store, where.part, as_of(store), setup)
    sql, params = SQL.render("sla_states", clock=(f"({source.part[0]})", source.part[1]))
    return arrow(store, sql, params, source.register)
