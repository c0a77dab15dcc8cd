"""Dimensions per record kind: filter field -> SQL expression on that kind's query (the allow-list of identifiers)."""
from __future__ import annotations

from csq.core.kinds import TICKETS
from csq.metrics.filters import FILTER_FIELDS, RAW_FIELDS


def ticket_dims(alias: str) -> dict[str, str]:
    """Return every ticket filter field (and raw labels) as an expression on table alias `alias`."""
    dims = {n: f"{alias}.{n}" for n in FILTER_FIELDS}
    dims.update({f"{n}_raw": f"{alias}.{n}_raw" for n in RAW_FIELDS})
    return dims


_TEXT_FIELDS = tuple(n for n in FILTER_FIELDS if TICKETS.field(n).type in ("text", "enum"))


def survey_dims() -> dict[str, str]:
    """Return the survey dimensions: own channel/team/agent else the linked ticket's; the rest from the ticket."""
    dims = ticket_dims("t")
    dims.update(ticket_id="s.ticket_id", channel="coalesce(s.channel, t.channel)",
                channel_raw="CASE WHEN s.channel IS NOT NULL THEN s.channel_raw ELSE t.channel_raw END",
                team="coalesce(s.team, t.team)", agent="coalesce(s.agent, t.agent)")
    return dims


def qa_dims() -> dict[str, str]:
    """Return the QA dimensions: the evaluation's agent, its team by fallback, the rest from the linked ticket."""
    dims = ticket_dims("t")
    dims.update(ticket_id="e.ticket_id", agent="e.agent", team="coalesce(t.team, a.team, u.team)")
    return dims


TRAINING_DIMS = {"agent": "r.agent", "team": "coalesce(r.team, a.team, u.team)"}
ACTION_DIMS = {n: f"sc.{n}" for n in _TEXT_FIELDS} | {f"{n}_raw": f"sc.{n}_raw" for n in RAW_FIELDS}



def call_dims() -> dict[str, str]:
    """Return the call dimensions: its queue, agent and team (else the roster's), phone as channel, ticket fields by link."""
    dims = ticket_dims("t")
    dims.update(ticket_id="c.ticket_id", channel="CAST('phone' AS VARCHAR)", agent="c.agent", team="coalesce(c.team, a.team)", queue="c.queue")
    return dims
