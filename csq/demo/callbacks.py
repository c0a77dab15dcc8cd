"""The demo center's callback programme (issue 19): a year of quarterly plans and what the callers heard.

The last four quarters up to the end date are planned by the real draw (csq.callbacks.plan, seed of the demo), so
the plans obey SPEC §4d. Of the callbacks planned up to the end date, ~92 % were made within two days of their
planned day; ~80 % of those reached the customer, ~14 % did not, ~6 % were refused. A reached customer was
satisfied with the service ~88 % of the time and with the engineer's attitude ~93 %, left a suggestion ~15 %,
and named an issue still open ~9 %. A callback that needs a second one got it ~90 % of the time, ~85 % of those
within the three days.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np

from csq.callbacks import records
from csq.callbacks.plan import make_plan, stored_plan
from csq.callbacks.quarters import Quarter
from csq.store import Store

SUGGESTIONS = ("希望上门时间能提前通知", "电话等待时间太长", "希望能提供微信预约", "工程师讲解很清楚，继续保持",
               "希望周末也能上门", "配件到货太慢")
OPEN_ISSUES = ("配件还没到", "发票还没开", "设备偶尔还会报错", "退款还没到账", "维修报告还没收到")


def _time(rng: np.random.Generator, day: date, end: date, late_days: int) -> datetime | None:
    """Return a call on `day` or up to `late_days` after, in working hours, or None when that is after `end`."""
    moment = datetime.combine(day, datetime.min.time()) + timedelta(
        days=int(rng.integers(0, late_days + 1)), hours=int(rng.integers(9, 18)), minutes=int(rng.integers(0, 60)))
    return moment if moment.date() <= end else None


def _answers(rng: np.random.Generator) -> dict[str, object]:
    """Return a call's result and, when reached, the four answers."""
    result = str(rng.choice(["reached", "not_reached", "refused"], p=[0.80, 0.14, 0.06]))
    if result != "reached":
        return {"result": result}
    return {"result": result, "satisfied": None if rng.random() < 0.03 else bool(rng.random() < 0.88),
            "attitude_ok": bool(rng.random() < 0.93),
            "suggestion": str(rng.choice(SUGGESTIONS)) if rng.random() < 0.15 else None,
            "open_issue": str(rng.choice(OPEN_ISSUES)) if rng.random() < 0.09 else None}


def _needs_second(row: dict[str, object]) -> bool:
    """Return whether a made callback needs a second one (SPEC §3)."""
    return (row["result"] != "reached" or row.get("satisfied") is False or row.get("attitude_ok") is False
            or bool(row.get("open_issue")))


def add_callbacks(store: Store, rng: np.random.Generator, end: date, seed: int, source: str,
                  user: str | None = None, role: str | None = None) -> int:
    """Plan the four quarters up to `end` and write the callers' results up to it; return the callbacks written.

    `role` (None = the process role) plans as the demo imports: it must be allowed to import.
    """
    last = Quarter.of(end)
    quarters = [last.previous().previous().previous(), last.previous().previous(), last.previous(), last]
    rows: list[dict[str, object]] = []
    for q in quarters:
        make_plan(store, q.label, seed=seed, role=role, user=user, first_day=q.start)
        for p in stored_plan(store, q):
            if p.planned_for is None or p.planned_for > end or rng.random() >= 0.92:
                continue
            called = _time(rng, p.planned_for, end, 2)
            if called is None:
                continue
            first = {**records.in_force(store, [p.callback_id])[p.callback_id], "called_at": called, **_answers(rng)}
            rows.append(first)
            if not _needs_second(first) or rng.random() >= 0.90:
                continue
            # within the limit: 2 to 60 hours later; late: four to six days later
            hours = int(rng.integers(2, 61)) if rng.random() < 0.85 else int(rng.integers(96, 145))
            again = called + timedelta(hours=hours)
            if again.date() <= end:
                rows.append({**{k: first[k] for k in ("customer_id", "customer_name", "customer_phone", "agent",
                                                      "team")}, "callback_id": f"{p.callback_id}-0001",
                             "follow_up_of": p.callback_id, "called_at": again, **_answers(rng)})
    if rows:
        records.commit(store, rows, source, {"demo": "callback results"}, user)
    return len(rows)
