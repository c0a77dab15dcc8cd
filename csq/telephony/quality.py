"""What the Telephony page shows where calls link to tickets: FCR and CSAT of those tickets by phone queue."""
from __future__ import annotations

from dataclasses import dataclass

from csq.metrics.calls import CALL_MOMENT
from csq.metrics.dimensions import call_dims
from csq.metrics.facts import linked_tickets
from csq.metrics.filters import Filter, build_where
from csq.metrics.grouping import ticket_join
from csq.store import Store
from csq.store.queries import SqlFiles, arrow

SQL = SqlFiles(__package__)
FORMULA = (
    "Per queue, over the inbound calls of the filter (month of queued_at; short abandons included) that name a ticket: FCR = resolved tickets "
    "with contacts ≤ 1 and reopen_count = 0 ÷ resolved tickets whose contacts is known; CSAT = answers with csat 4 "
    "or 5 ÷ answers with a csat, over the surveys of those tickets (any month). A ticket named from two queues "
    "counts in both.",
    "按队列，统计筛选范围内（按排队开始时间计月）关联了工单的呼入电话所对应的工单：一次解决率 = 联系次数 ≤ 1 且未重开的已解决工单数 ÷ "
    "联系次数已知的已解决工单数；满意度 = 这些工单的调查中满意度为4或5分的回复数 ÷ 有满意度评分的回复数（不限回复月份）。"
    "同一工单被两个队列的电话关联时在两个队列中各计一次。",
)


@dataclass(frozen=True)
class QueueQuality:
    """One phone queue: its inbound calls, those naming a ticket, the tickets, and their FCR and CSAT with n."""

    queue: str | None
    calls: int
    calls_linked: int
    tickets: int
    fcr_rate: float | None
    n_fcr: int
    csat_rate: float | None
    n_csat: int


def queue_quality(store: Store, f: Filter) -> list[QueueQuality]:
    """Return FCR and CSAT of the call-linked tickets per queue (queues without a name last), calls filtered by f."""
    dims = call_dims()
    where = build_where(f, dims, CALL_MOMENT)
    sql, params = SQL.render("queue_quality", where=where.part, ticket_source=ticket_join(store, f, dims),
                             tickets=linked_tickets(store))
    return [QueueQuality(r["queue"], int(r["calls"]), int(r["calls_linked"]), int(r["tickets"]), r["fcr_rate"],
                         int(r["n_fcr"]), r["csat_rate"], int(r["n_csat"]))
            for r in arrow(store, sql, params).to_pylist()]


def formula(lang: str) -> str:
    """Return how the by-queue FCR and CSAT are counted, in words."""
    return FORMULA[1 if lang == "zh" else 0]
