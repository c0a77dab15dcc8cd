"""The cost of SLA clocks (SPEC §4a) on a benchmark store: 24x7 against business calendars and pauses.

Each figure is the wall time of the two SLA rates over every ticket, measured in one run beside a full
scan of the tickets' timestamps, so the ratios hold on a busy machine.
"""
from __future__ import annotations

from csq.bench.timing import best, scan_tickets
from csq.metrics.engine import compute
from csq.metrics.filters import Filter
from csq.store import Store
from csq.store.batches import commit_records
from csq.store.queries import arrow
from csq.store.settings import sla_rules
from csq.store.settings_file import apply_settings

_SLA = ["frt_sla_rate", "resolution_sla_rate"]
# Every ticket gets a status history: opened, then a third of them wait on the customer for a while.
_EVENTS_SQL = """
SELECT ticket_id, created_at + INTERVAL 5 MINUTE AS event_at, 'open' AS status, 'open' AS status_raw
FROM tickets_current
UNION ALL
SELECT ticket_id, created_at + INTERVAL 2 HOUR, 'pending', 'pending' FROM tickets_current
WHERE hash(ticket_id) % 3 = 0
UNION ALL
SELECT ticket_id, created_at + INTERVAL 26 HOUR, 'open', 'open' FROM tickets_current
WHERE hash(ticket_id) % 3 = 0
"""


def clock_costs(store: Store) -> dict[str, object]:
    """Return the SLA rates' time on 24x7, on workdays_9_18, and with pauses, against a scan (seconds, ratios).

    The store's rules are switched to workdays_9_18 and a status history is added: use a throwaway store.
    """
    scan = best(lambda: scan_tickets(store))
    plain = best(lambda: compute(store, Filter(), indicators=_SLA))
    rules = [{"channel": r.channel, "type": r.type, "priority": r.priority, "first_response_min": r.first_response_min,
              "resolution_h": None if r.resolution_min is None else r.resolution_min / 60,
              "calendar": "workdays_9_18", "pause_first_response": False} for r in sla_rules(store)]
    apply_settings(store, {"sla_rules": rules}, "bench", "bench", role="admin")
    business = best(lambda: compute(store, Filter(), indicators=_SLA))
    events = arrow(store, _EVENTS_SQL, [])
    commit_records(store, "ticket_events", events, source="bench events", user="bench")
    paused = best(lambda: compute(store, Filter(), indicators=_SLA))
    return {
        "scan_tickets_s": round(scan, 3),
        "sla_24x7_s": round(plain, 3),
        "sla_business_s": round(business, 3),
        "sla_business_paused_s": round(paused, 3),
        "events": events.num_rows,
        "sla_24x7_vs_scan": round(plain / scan, 1) if scan else None,
        "sla_business_vs_24x7": round(business / plain, 1) if plain else None,
        "sla_business_paused_vs_24x7": round(paused / plain, 1) if plain else None,
    }
