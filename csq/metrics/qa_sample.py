"""qa_coverage_rate of SPEC §3: how much of the weekly QA sample (SPEC §4d) has been evaluated."""
from __future__ import annotations

from collections.abc import Sequence

from csq.metrics.dimensions import ticket_dims
from csq.metrics.filters import Filter, build_where
from csq.metrics.grouping import NO_TICKETS, grouping
from csq.store import Store
from csq.store.queries import Runner, SqlFiles, arrow

SQL = SqlFiles(__package__)
# A sampled ticket counts in the week or month of its created_at (SPEC §3), as stored with the draw.
SAMPLE_MOMENT = "s.created_at"


def sample_dims() -> dict[str, str]:
    """Return the sample's dimensions: the agent and team it was drawn for, every other field from its ticket."""
    dims = ticket_dims("t")
    dims.update(ticket_id="s.ticket_id", agent="s.agent", team="s.team")
    return dims


def run_qa_sample(store: Store, f: Filter, by: Sequence[str], run: Runner = arrow) -> list[dict[str, object]]:
    """Return the coverage query's rows, run by `run`: one per group, qa_coverage_rate and its n (sampled tickets)."""
    dims = sample_dims()
    groups = grouping(by, dims, SAMPLE_MOMENT)
    if groups is None:
        return []
    used = " ".join([dims.get(g, "") for g in by] + [dims.get(k, "") + dims.get(f"{k}_raw", "")
                                                     for k in f.conditions()])
    # The sampled tickets are not among the linked ticket facts (only surveys, QA and calls link there), so
    # the join is to the tickets themselves, and only when a filter or group reads a ticket field.
    sql, params = SQL.render("qa_coverage", groups=groups[0], group_names=groups[1],
                             where=build_where(f, dims, SAMPLE_MOMENT).part,
                             ticket_source="tickets_current" if "t." in used else NO_TICKETS)
    return run(store, sql, params, None).to_pylist()
