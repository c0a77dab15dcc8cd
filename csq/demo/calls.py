"""The demo center's telephony detail (SPEC §2 calls): every phone ticket began as an answered call, and about
one and a half times as many calls more came in without a ticket, some of them abandoned.

A call's wait grows with the day's load (longer in 双11 and 618 weeks, so the service level dips there), a caller
hangs up after a patience of about a minute, talk is lognormal around 3½ minutes, a third of the calls are put
on hold, and every answered call has some after-call work. A few of the extra calls are outbound (呼出).
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from csq.demo.base import Calendar

# The phone queue (队列) a call waits in, by the type of the ticket it led to.
QUEUES = {"complaint": "投诉热线", "after_sales": "售后热线", "tech_support": "技术热线"}
GENERAL_QUEUE = "客服热线"
EXTRA_CALLS = 1.5          # calls without a ticket per phone ticket
BASE_WAIT_S = 9.0          # mean wait on an ordinary day; it grows with the cube of the day's load
PATIENCE_S = 70.0          # mean time a caller waits before hanging up
OUTBOUND_SHARE = 0.03


def calls_table(rng: np.random.Generator, cal: Calendar, tickets: pa.Table) -> pa.Table:
    """Return the demo calls as a table of the calls kind's stored columns (canonical direction and its raw label)."""
    phone = tickets.filter(pc.equal(tickets["channel"], "phone"))
    created = phone["created_at"].cast(pa.int64()).to_numpy()
    n_t = len(created)
    types = phone["type"].to_pylist()
    agents, teams = phone["agent"].to_pylist(), phone["team"].to_pylist()
    # Extra calls follow the phone tickets' days and hours: each is placed near a random phone ticket.
    n_x = int(round(EXTRA_CALLS * n_t))
    near = rng.integers(0, max(n_t, 1), n_x) if n_t else np.zeros(0, dtype=np.int64)
    extra_at = np.minimum(created[near] + rng.integers(-1800, 1800, n_x), cal.end_ts - 600) if n_t else near
    at = np.concatenate([created, extra_at])
    n = len(at)
    day = np.clip(at // 86_400 - cal.first_day, 0, len(cal.load) - 1)
    mean_wait = BASE_WAIT_S * cal.load[day] ** 3
    wait = rng.exponential(mean_wait)
    patience = rng.exponential(PATIENCE_S, n)
    has_ticket = np.arange(n) < n_t
    # A call that led to a ticket was answered; an extra call was abandoned when its patience ran out first.
    answered = has_ticket | (wait <= patience)
    outbound = ~has_ticket & (rng.random(n) < OUTBOUND_SHARE)
    answered |= outbound
    wait = np.where(outbound, 0.0, wait)
    # A ticket's created_at is when its call was answered; an extra call is queued at its moment.
    queued = np.where(has_ticket, at - np.round(wait), at).astype(np.int64)
    answer_at = np.where(has_ticket, at, queued + np.round(wait)).astype(np.int64)
    talk = np.round(rng.lognormal(np.log(200.0), 0.55, n))
    hold = np.where(rng.random(n) < 0.33, np.round(rng.exponential(40.0, n)), 0.0)
    acw = np.round(8 + rng.exponential(20.0, n))
    ended = np.where(answered, answer_at + talk + hold, queued + np.round(np.minimum(patience, wait)))
    source = np.concatenate([np.arange(n_t), near])
    queue = [QUEUES.get(types[i], GENERAL_QUEUE) if n_t else GENERAL_QUEUE for i in source]
    ids = phone["ticket_id"].to_pylist()

    def ts(values: np.ndarray, keep: np.ndarray | None = None) -> pa.Array:
        """Return seconds since 1970 as a timestamp column, null where `keep` is False."""
        arr = pa.array(values.astype(np.int64), pa.int64()).cast(pa.timestamp("s"))
        return arr if keep is None else pc.if_else(pa.array(keep), arr, pa.scalar(None, pa.timestamp("s")))

    def seconds(values: np.ndarray, keep: np.ndarray) -> pa.Array:
        """Return a duration column, null where the call was not answered."""
        return pa.array(np.where(keep, values, np.nan), pa.float64(), from_pandas=True)

    return pa.table({
        "call_id": pa.array([f"C{i + 1:08d}" for i in range(n)], pa.string()),
        "entered_at": ts(queued - rng.integers(5, 40, n)),
        "queued_at": ts(queued),
        "answered_at": ts(answer_at, answered),
        "ended_at": ts(ended),
        "direction": pa.array(np.where(outbound, "outbound", "inbound"), pa.string()),
        "direction_raw": pa.array(np.where(outbound, "呼出", "呼入"), pa.string()),
        "queue": pa.array(queue, pa.string()),
        "agent": pa.array([agents[i] if answered[k] else None for k, i in enumerate(source)], pa.string()),
        "team": pa.array([teams[i] if answered[k] else None for k, i in enumerate(source)], pa.string()),
        "talk_s": seconds(talk, answered),
        "hold_s": seconds(hold, answered),
        "acw_s": seconds(acw, answered),
        "ticket_id": pa.array([ids[i] if k < n_t else None for k, i in enumerate(source)], pa.string()),
    })
