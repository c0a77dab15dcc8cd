"""What the Telephony page shows beside the indicators: service level and abandonment by weekday and half-hour."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from csq.core.i18n import t
from csq.metrics.calls import CALL_MOMENT, thresholds
from csq.metrics.dimensions import call_dims
from csq.metrics.filters import Filter, build_where
from csq.store import Store
from csq.store.queries import SqlFiles, arrow

SQL = SqlFiles(__package__)
# The fields an abandoned call has: its queue, and phone as its channel. Agent and team come from the agent who
# answered, and ticket fields from the ticket an agent linked, so an abandoned call usually has neither.
_ABANDONED_HAVE = frozenset({"queue", "channel"})


def answered_only(f: Filter, by: Sequence[str] = ()) -> list[str]:
    """Return the fields of the filter or grouping that abandoned calls usually lack (team, agent, ticket fields).

    Under such a filter the abandoned calls drop out, so the answer rate reads high and the abandon rate low;
    grouped by such a field they gather in the group without a value. The pages say so beside the figures.
    """
    return [x for x in dict.fromkeys([*f.conditions(), *by]) if x not in _ABANDONED_HAVE and x not in
            ("month", "week", "day")]


def answered_only_note(f: Filter, lang: str) -> str | None:
    """Return the warning that the filter leaves abandoned calls out (naming its fields), or None when it does not."""
    fields = answered_only(f)
    if not fields:
        return None
    names = "、".join(t(x, lang) for x in fields) if lang == "zh" else ", ".join(t(x, lang).lower() for x in fields)
    return t("tel_answered_only", lang, fields=names)


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
