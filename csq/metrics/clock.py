"""SLA clocks of SPEC §4a as one SQL source: every ticket with its limits and business time less pauses.

Queries that judge SLA (indicators, breach lists, Pareto, effect check, overview) read
`FROM (<clock source>) t` instead of tickets_current, so they all agree on met, breached and inside. The
source is kept as the ticket facts table (csq.metrics.facts) between data versions.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pyarrow as pa

from csq.metrics.opening_hours import business_sql, days_table, spans_per_day, spans_table
from csq.store import Store
from csq.store.calendars import ALWAYS, MAX_SPANS, ClockSettings
from csq.store.queries import Part, SqlFiles
from csq.store.settings import SlaRule, clock_settings, sla_rules

SQL = SqlFiles(__package__)

CLOCKS = ("calendar", "business")  # how duration indicators are shown: wall clock, or each rule's SLA clock

_RULE_SCHEMA = pa.schema([("position", pa.int32()), ("channel", pa.string()), ("type", pa.string()),
                          ("priority", pa.string()), ("first_response_min", pa.float64()),
                          ("resolution_min", pa.float64()), ("calendar", pa.string()),
                          ("pause_first_response", pa.bool_())])
SPAN_SCHEMA = pa.schema([("cal", pa.string()), ("start_us", pa.int64()), ("end_us", pa.int64()),
                          ("cum_us", pa.int64())])
DAY_SCHEMA = pa.schema([("cal", pa.string()), ("day", pa.int64()), ("cum_us", pa.int64()),
                        *[(f"{c}{i}", pa.int64()) for i in range(1, MAX_SPANS + 1) for c in ("s", "e")]])
# The business moments the clock reads, each from the day row its join names (see ticket_clock.sql).
_MOMENTS = {"frt_b0": ("tk.frt_cal", "tk.c_us", "d1"), "frt_b1": ("tk.frt_cal", "tk.fe_us", "d2"),
            "res_b0": ("tk.res_cal", "tk.c_us", "d3"), "res_b1": ("tk.res_cal", "tk.re_us", "d4"),
            "pause_a": ("s.cal", "s.a", "da"), "pause_b": ("s.cal", "s.b", "db")}
# The calendar spans reach this far past the as-of moment, so that due moments in the future resolve.
_AHEAD = timedelta(days=400)


@dataclass(frozen=True)
class SlaSetup:
    """Everything an SLA clock reads besides the tickets: the rules in order, the calendars, pause statuses."""

    rules: tuple[SlaRule, ...]
    clock: ClockSettings

    @property
    def business(self) -> bool:
        """Return True when some rule counts on a business calendar rather than 24x7."""
        return any(r.calendar != ALWAYS for r in self.rules)


@dataclass(frozen=True)
class ClockSource:
    """A subquery of the tickets in a filter with their clock columns, and the Arrow tables it reads."""

    part: tuple[str, list[object]]
    register: dict[str, pa.Table] = field(default_factory=dict)
    facts: bool = False   # read from the ticket facts table, which already holds the due moments


def sla_setup(store: Store) -> SlaSetup:
    """Return the stored SLA rules, business calendars and pause statuses."""
    return SlaSetup(tuple(sla_rules(store)), clock_settings(store))


def rules_table(rules: Sequence[SlaRule]) -> pa.Table:
    """Return the rules as the Arrow table _csq_rules that sla_limits.sql matches tickets against."""
    rows = [{"position": i + 1, "channel": r.channel, "type": r.type, "priority": r.priority,
             "first_response_min": r.first_response_min, "resolution_min": r.resolution_min,
             "calendar": r.calendar, "pause_first_response": r.pause_first_response} for i, r in enumerate(rules)]
    return pa.Table.from_pylist(rows, schema=_RULE_SCHEMA)


def has_events(store: Store) -> bool:
    """Return True when any ticket has a stored status history."""
    return bool(store.scalar("SELECT count(*) FROM (SELECT 1 FROM ticket_events_current LIMIT 1) e"))


def _first_day(store: Store) -> date | None:
    """Return the day of the earliest current ticket (None when there are none)."""
    value = store.scalar("SELECT min(created_at) FROM tickets_current")
    return value.date() if isinstance(value, datetime) else None


def calendar_tables(store: Store, setup: SlaSetup, as_of: datetime | None) -> dict[str, pa.Table]:
    """Return the open spans (_csq_cal) and days (_csq_days) of every business calendar a rule names, from
    the day before the first ticket to well past as-of."""
    first = _first_day(store)
    names = sorted({r.calendar for r in setup.rules if r.calendar != ALWAYS})
    if first is None or as_of is None or not names:
        return {"_csq_cal": SPAN_SCHEMA.empty_table(), "_csq_days": DAY_SCHEMA.empty_table()}
    lo, hi = first - timedelta(days=1), as_of.date() + _AHEAD
    cals = [setup.clock.calendars[n] for n in names]
    return {"_csq_cal": pa.concat_tables([spans_table(c, lo, hi) for c in cals]).cast(SPAN_SCHEMA),
            "_csq_days": pa.concat_tables([days_table(c, lo, hi) for c in cals]).cast(DAY_SCHEMA)}


def _pause_list(statuses: Sequence[str]) -> tuple[str, list[object]]:
    """Return the bound IN list of the pause statuses (NULL, which matches nothing, when there are none)."""
    return (", ".join("?" for _ in statuses), list(statuses)) if statuses else ("NULL", [])


def live_clock(store: Store, where: Part, as_of: datetime | None, setup: SlaSetup | None = None) -> ClockSource:
    """Return the clock source of the tickets matching `where` (alias t), as of a moment, computed now.

    `setup` defaults to the stored settings; the Settings preview passes unsaved ones. With every rule on
    24x7 and no status history, the clocks are wall-clock time and the query needs no join. Readers go
    through csq.metrics.facts.ticket_clock, which reads the stored ticket facts instead when they are current.
    """
    setup = setup or sla_setup(store)
    register = {"_csq_rules": rules_table(setup.rules)}
    paused = bool(setup.clock.pause_statuses) and has_events(store)
    if not setup.business and not paused:
        return ClockSource(SQL.render("ticket_clock_plain", limits=SQL.load("sla_limits"), as_of=("?", [as_of]),
                                      where=where), register)
    register.update(calendar_tables(store, setup, as_of))
    widest = max((spans_per_day(setup.clock.calendars[r.calendar]) for r in setup.rules if r.calendar != ALWAYS),
                 default=1)
    moments = {k: business_sql(*v, widest) for k, v in _MOMENTS.items()}
    # Without pauses to count, the status history is not read at all.
    events = "ticket_events_current" if paused else "(SELECT * FROM ticket_events_current LIMIT 0)"
    part = SQL.render("ticket_clock", limits=SQL.load("sla_limits"), as_of=("?", [as_of]), where=where,
                      pause=_pause_list(setup.clock.pause_statuses), events=events, **moments)
    return ClockSource(part, register)
