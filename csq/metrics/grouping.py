"""What every kind's indicator query shares: its group columns, how a period is written, and the ticket join."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from csq.metrics.facts import linked_tickets
from csq.metrics.filters import Filter
from csq.store import Store

# ISO 8601 weeks: %G is the ISO year, so 2021-01-03 falls in 2020-W53. A period is grouped on the moment cut
# to its start (date_trunc: a week starts on Monday, as an ISO week does) and written as text only per group
# (group_label): formatting every timestamp made a count by month three times as slow as cutting them.
TIME_FORMATS = {"month": "%Y-%m", "week": "%G-W%V", "day": "%Y-%m-%d"}
NO_TICKETS = "(SELECT * FROM tickets_current LIMIT 0)"


def group_label(g: str, value: object) -> object:
    """Return a group value as the CLI and pages show it: a period's start written as YYYY-MM, YYYY-Www or a day."""
    return value.strftime(TIME_FORMATS[g]) if g in TIME_FORMATS and isinstance(value, datetime) else value


def grouping(by: Sequence[str], dims: Mapping[str, str], moment: str) -> tuple[str, str] | None:
    """Return (select list, name list) of the group columns, or None when the kind lacks one of them."""
    select, names = [], []
    for g in by:
        if g in TIME_FORMATS:
            expr = f"date_trunc('{g}', {moment})"
        elif g in dims:
            expr = dims[g]
        else:
            return None
        select.append(f"{expr} AS g_{g}, ")
        names.append(f"g_{g}, ")
    return "".join(select), "".join(names)


def ticket_join(store: Store, f: Filter, dims: Mapping[str, str], exprs: Sequence[str] = ()) -> str:
    """Return what a survey, QA or call query joins as its tickets (alias t): the linked tickets when the filter's
    fields or `exprs` read a ticket column, else an empty source (the join of millions of tickets is skipped)."""
    used = " ".join([*exprs] + [dims.get(k, "") + dims.get(f"{k}_raw", "") for k in f.conditions()])
    return linked_tickets(store) if "t." in used else NO_TICKETS
