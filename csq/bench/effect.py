"""The cost of `actions --verify` (SPEC §4c) on a benchmark store: every action's effect check against a scan.

The benchmark store holds generated tickets and no actions, so a handful of realistic ones are added through the
action register (csq.improvement.actions.create), as the Improvement page adds them: scoped to a team, a channel
and the whole center, on rates and durations, each started and completed in the middle of the data with one-month
windows. Each figure is the best of three, measured beside one full scan of the tickets in the same run, so the
ratio holds on a busy machine.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from csq.bench.timing import best, scan_tickets
from csq.improvement.actions import create
from csq.improvement.effect import check_all
from csq.metrics.engine import compute
from csq.metrics.filters import Filter
from csq.store import Store

# (indicator, scope): a team, a channel and the whole center; rates and durations; over 24x7 and SLA clocks.
BENCH_ACTIONS: tuple[tuple[str, str | None], ...] = (
    ("art_median_h", "班组=售后组"),
    ("frt_sla_rate", "渠道=电话"),
    ("resolution_rate", "班组=投诉组"),
    ("escalation_rate", None),
    ("frt_p90_min", None),
)


def add_bench_actions(store: Store) -> int:
    """Add BENCH_ACTIONS, completed in the middle of the tickets' time span, when the store has no action yet;
    return how many actions the store then holds."""
    if store.scalar("SELECT count(*) FROM actions_current"):
        return int(store.scalar("SELECT count(*) FROM actions_current"))  # type: ignore[arg-type]
    first, last = store.rows("SELECT min(created_at), max(created_at) FROM tickets_current")[0]
    if not isinstance(first, datetime) or not isinstance(last, datetime):
        return 0
    middle = (first + (last - first) / 2).date()
    for key, scope in BENCH_ACTIONS:
        create(store, {"title": f"bench {key} {scope or 'center'}", "indicator": key, "scope": scope,
                       "start_date": middle, "due_date": middle + timedelta(days=30), "completed_at": middle,
                       "pdca_stage": "check", "status": "done", "before_months": 1, "after_months": 1},
               role="admin", user="bench")
    return len(BENCH_ACTIONS)


def effect_costs(store: Store) -> dict[str, object]:
    """Return the time of check_all (seconds, best of 3) against one full scan of the tickets, and their ratio.

    `effect_check_s` is `actions --verify` as run (the after windows of the bench actions are still open, as of
    the data); `effect_check_judged_s` checks them as of a day past every after window, so each test runs on
    full cells. `effect_kpi_s`, the engine's one query of the same indicators over every ticket, is the floor a
    check that reads each ticket's values cannot go below. Actions are added when the store has none: use a
    throwaway store.
    """
    actions = add_bench_actions(store)
    scan = best(lambda: scan_tickets(store))
    kpi = best(lambda: compute(store, Filter(), indicators=sorted({k for k, _ in BENCH_ACTIONS})))
    as_run = best(lambda: check_all(store))
    last = store.scalar("SELECT max(created_at) FROM tickets_current")
    later = (last if isinstance(last, datetime) else datetime(2000, 1, 1)) + timedelta(days=800)  # past every window
    judged = best(lambda: check_all(store, now=later))
    verdicts = sorted({c.verdict for c in check_all(store, now=later)})
    return {
        "effect_actions": actions,
        "effect_scan_s": round(scan, 3),
        "effect_check_s": round(as_run, 3),
        "effect_check_judged_s": round(judged, 3),
        "effect_kpi_s": round(kpi, 3),
        "effect_check_vs_scan": round(as_run / scan, 1) if scan else None,
        "effect_check_judged_vs_scan": round(judged / scan, 1) if scan else None,
        "effect_check_vs_kpi": round(as_run / kpi, 1) if kpi else None,
        "effect_judged_verdicts": verdicts,
    }
