"""The quarter's callback plan (SPEC §4d): who is drawn for which engineer, stored as planned callbacks in one batch.

The plan is an import batch (source "plan <quarter> seed <n>"): the audit log records it and `rollback` undoes it
exactly, as for any import. Planning a quarter again with the same seed over the same data draws the same plan
and writes nothing; a different draw is refused unless `replace`, which withdraws the quarter's callbacks not yet
made (a new version of each, marked withdrawn) and draws the rest, the callbacks already made staying in the plan.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from csq.callbacks import records
from csq.callbacks.draw import REPEAT, SHARED, TIER_NAMES, Pick, draw, spread
from csq.callbacks.quarters import Quarter
from csq.core.roles import require
from csq.errors import InputRefused
from csq.metrics.asof import as_of
from csq.metrics.opening_hours import day_spans
from csq.store import Store
from csq.store.calendars import WORKDAYS_9_18
from csq.store.queries import SqlFiles
from csq.store.settings import ROUTINE_COUNTS, clock_settings, setting_int

SQL = SqlFiles(__package__)
PER_AGENT = 5          # SPEC §4d default; the callbacks_per_agent setting
PLAN_CALENDAR = "workdays_9_18"   # planned_for days are this calendar's working days (holidays and 调休 kept)


@dataclass(frozen=True)
class Planned:
    """One planned callback of a quarter: its id, engineer, customer, planned day and how it came into the plan."""

    callback_id: str
    agent: str
    team: str | None
    customer_id: str
    customer_name: str | None
    customer_phone: str | None
    planned_for: date | None
    called: bool = False
    drawn_as: str = "stored"   # fresh, shared or repeat for a new draw; kept or stored for rows already there

    def as_json(self) -> dict[str, object]:
        """Return the `callbacks plan --json` object of SPEC §6."""
        return {"callback_id": self.callback_id, "agent": self.agent, "customer_id": self.customer_id,
                "planned_for": self.planned_for.isoformat() if self.planned_for else None}


@dataclass(frozen=True)
class Plan:
    """A quarter's plan after `make_plan`: what it holds, whether anything was written, and who fell short."""

    quarter: str
    seed: int
    per_agent: int
    status: str                 # planned (new), replaced, or unchanged (nothing written)
    rows: tuple[Planned, ...]
    batch_id: int | None = None
    withdrawn: int = 0
    kept: int = 0
    short: dict[str, int] = field(default_factory=dict)   # engineer -> how many fewer than per_agent were found


def _window(q: Quarter) -> dict[str, tuple[str, list[object]]]:
    """Return the SQL parts of the twelve months before the quarter (the customers a plan draws from)."""
    return {"window_start": ("?", [datetime.combine(q.year_ago(), datetime.min.time())]),
            "window_end": ("?", [datetime.combine(q.start, datetime.min.time())])}


def _quarter_parts(q: Quarter) -> dict[str, tuple[str, list[object]]]:
    """Return the SQL parts of the quarter's first and last day and its year."""
    return {"quarter_start": ("?", [q.start]), "quarter_end": ("?", [q.end]), "year": ("?", [q.year])}


def engineers(store: Store, q: Quarter) -> dict[str, str | None]:
    """Return the engineers a plan of quarter `q` draws for, with their team (plan_engineers.sql)."""
    sql, params = SQL.render("plan_engineers", **_window(q))
    return {str(a): t for a, t in store.rows(sql, params)}


def pools(store: Store, q: Quarter) -> tuple[dict[str, list[str]], dict[str, tuple[object, object]]]:
    """Return (each engineer's customers in the twelve months before `q`, each customer's name and phone)."""
    sql, params = SQL.render("plan_pool", **_window(q))
    pool: dict[str, list[str]] = {}
    contact: dict[str, tuple[object, object]] = {}
    for agent, customer, name, phone in store.rows(sql, params):
        pool.setdefault(str(agent), []).append(str(customer))
        contact[str(customer)] = (name, phone)
    return pool, contact


def history(store: Store, q: Quarter) -> tuple[dict[str, int], dict[str, int]]:
    """Return (draws per customer in the year's quarters before `q`, draws in every other quarter of its year)."""
    sql, params = SQL.render("plan_history", **_quarter_parts(q))
    earlier, other = {}, {}
    for customer, draws, before in store.rows(sql, params):
        other[str(customer)] = int(draws)
        if before:
            earlier[str(customer)] = int(before)
    return earlier, other


def stored_plan(store: Store, q: Quarter) -> list[Planned]:
    """Return the quarter's plan in force (its first callbacks planned for a day of the quarter), by day."""
    sql, params = SQL.render("plan_rows", **_quarter_parts(q))
    return [Planned(str(r["callback_id"]), str(r["agent"] or ""), r["team"], str(r["customer_id"]),
                    r["customer_name"], r["customer_phone"], r["planned_for"], r["called_at"] is not None)
            for r in store.arrow(sql, params).to_pylist()]


def plan_days(store: Store, q: Quarter, first_day: date | None = None) -> list[date]:
    """Return the days a new plan of `q` spreads over: the quarter's working days, after the as-of day if under way.

    `first_day` starts them there instead (within the quarter): the demo plans each quarter as at its start.

    Working days are those of the stored workdays_9_18 calendar (statutory holidays, 调休 and the center's own
    days); a quarter without one (a calendar that closes every day) falls back to its Mondays to Fridays.
    """
    cal = clock_settings(store).calendars.get(PLAN_CALENDAR, WORKDAYS_9_18)
    first = q.start
    moment = as_of(store)
    if first_day is not None:
        first = min(max(first_day, q.start), q.end)
    elif moment is not None and q.start <= moment.date() < q.end:
        first = moment.date() + timedelta(days=1)
    days = [first + timedelta(days=i) for i in range((q.end - first).days + 1)]
    open_days = [d for d in days if day_spans(cal, d)]
    return open_days or [d for d in days if d.weekday() < 5] or days


def per_agent_count(store: Store, per_agent: int | None) -> int:
    """Return the number of customers per engineer: `per_agent`, else the callbacks_per_agent setting (1–100)."""
    n = setting_int(store, "callbacks_per_agent", PER_AGENT) if per_agent is None else per_agent
    low, high = ROUTINE_COUNTS["callbacks_per_agent"]
    if isinstance(n, bool) or not isinstance(n, int) or not low <= n <= high:
        raise InputRefused(f"--per-agent {n!r} is not a whole number from {low} to {high}.",
                           f"Pass --per-agent from {low} to {high}, or set callbacks_per_agent on the Settings page.")
    return n


def _new_rows(picks: Mapping[str, list[Pick]], teams: Mapping[str, str | None],
              contact: Mapping[str, tuple[object, object]], days: Sequence[date], ids: Sequence[str]) -> list[Planned]:
    """Return the picks as planned callbacks: place by place across engineers, so each spreads over the quarter."""
    ordered = sorted((p for ps in picks.values() for p in ps), key=lambda p: (p.place, p.agent))
    out = []
    for p, day, cid in zip(ordered, spread(len(ordered), days), ids):
        name, phone = contact.get(p.customer_id, (None, None))
        out.append(Planned(cid, p.agent, teams.get(p.agent), p.customer_id, name, phone, day,  # type: ignore[arg-type]
                           drawn_as=TIER_NAMES[p.tier]))
    return sorted(out, key=lambda r: (r.planned_for or date.min, r.agent, r.callback_id))


def _as_record(p: Planned) -> dict[str, object]:
    """Return a planned callback as a stored row."""
    return {"callback_id": p.callback_id, "customer_id": p.customer_id, "customer_name": p.customer_name,
            "customer_phone": p.customer_phone, "agent": p.agent, "team": p.team, "planned_for": p.planned_for}


def make_plan(store: Store, quarter: str, per_agent: int | None = None, seed: int = 1, replace: bool = False,
              role: str | None = None, user: str | None = None, first_day: date | None = None) -> Plan:
    """Draw and store the quarter's plan; return it (status planned, replaced or unchanged).

    The new callbacks spread over the quarter's working days (plan_days; from `first_day` when given).
    Refused (InputRefused, nothing written) when the quarter already holds a different plan and not `replace`.
    `role` None is the process role; it must be allowed to import.
    """
    require(role, "import")
    q = Quarter.parse(quarter)
    n = per_agent_count(store, per_agent)
    existing = stored_plan(store, q)
    teams = engineers(store, q)
    pool, contact = pools(store, q)
    earlier, other = history(store, q)
    called = [p for p in existing if p.called] if replace else []
    kept: dict[str, list[str]] = {}
    for p in called:
        kept.setdefault(p.agent, []).append(p.customer_id)
    wanted = {a: n - len(kept.get(a, ())) for a in teams}
    picks = draw({a: pool.get(a, []) for a in teams}, wanted, seed, q.label, earlier=earlier, other=other, kept=kept)
    short = {a: n - len(kept.get(a, ())) - len(picks[a]) for a in teams if n - len(kept.get(a, ())) > len(picks[a])}
    drawn = {(p.agent, p.customer_id) for ps in picks.values() for p in ps}
    uncalled = [p for p in existing if not p.called] if replace else existing
    base = Plan(q.label, seed, n, "unchanged", tuple(existing), kept=len(called), short=short)
    if {(p.agent, p.customer_id) for p in uncalled} == drawn and (existing or not drawn):
        return base   # the same draw over the same data: nothing to write (as importing the same file twice)
    if existing and not replace:
        batches = sorted({str(b) for b in _plan_batches(store, q)})
        raise InputRefused(
            f"The quarter {q.label} already has a plan of {len(existing)} callbacks (batch {', '.join(batches)}), "
            f"{sum(p.called for p in existing)} of them made; this draw (seed {seed}, {n} per engineer) differs.",
            f"Run again with --replace to withdraw its {sum(not p.called for p in existing)} callbacks not yet made "
            "and draw those again (the ones made stay), or roll the plan's batch back (`python -m csq rollback "
            "BATCH_ID`).")
    new = _new_rows(picks, teams, contact, plan_days(store, q, first_day), records.next_numbers(store, f"CB-{q.label}-",
                                                                                      len(drawn)))
    rows = [{**records.in_force(store, [p.callback_id])[p.callback_id], "withdrawn": True} for p in uncalled]
    rows += [_as_record(p) for p in new]
    batch_id = records.commit(store, rows, f"plan {q.label} seed {seed}",
                              {"plan": q.label, "seed": seed, "per_agent": n, "replace": replace,
                               "withdrawn": len(uncalled), "kept": len(called), "drawn": len(new),
                               "repeats": sum(p.drawn_as == TIER_NAMES[REPEAT] for p in new),
                               "shared": sum(p.drawn_as == TIER_NAMES[SHARED] for p in new), "short": short}, user)
    kept_rows = [Planned(p.callback_id, p.agent, p.team, p.customer_id, p.customer_name, p.customer_phone,
                         p.planned_for, True, "kept") for p in called]
    rows_out = sorted([*kept_rows, *new], key=lambda r: (r.planned_for or date.min, r.agent, r.callback_id))
    return Plan(q.label, seed, n, "replaced" if uncalled else "planned", tuple(rows_out), batch_id,
                len(uncalled), len(called), short)


def _plan_batches(store: Store, q: Quarter) -> list[int]:
    """Return the batches that wrote the quarter's plan in force."""
    sql, params = SQL.render("plan_rows", **_quarter_parts(q))
    return [int(r[0]) for r in store.rows(f"SELECT DISTINCT batch_id FROM ({sql})", params)]
