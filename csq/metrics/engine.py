"""The indicator engine: compute() of SPEC §3 indicators over the store, per record kind, with filters and groups."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa

from csq.core.kinds import SERVQUAL_DIMENSIONS
from csq.core.sqlident import ident
from csq.errors import InputRefused
from csq.metrics.asof import as_of
from csq.metrics.callbacks import run_callbacks
from csq.metrics.calls import run_calls
from csq.metrics.clock import CLOCKS
from csq.metrics.dimensions import ACTION_DIMS, TRAINING_DIMS, qa_dims, survey_dims, ticket_dims
from csq.metrics.facts import refresh, ticket_clock
from csq.metrics.filters import Filter, build_where, parse_scope, scope_pairs
from csq.metrics.grouping import group_label, grouping, ticket_join
from csq.metrics.indicators import GROUP_FIELDS, INDICATORS
from csq.metrics.qa_sample import run_qa_sample
from csq.metrics.results import Figure, Result
from csq.store import Store
from csq.store.queries import Part, Runner, SqlFiles, arrow

SQL = SqlFiles(__package__)

# ---- one query per record kind

@dataclass(frozen=True)
class _Context:
    """What every kind's query shares: the data's as-of moment, the clock durations are shown on, the keys asked,
    and what runs the SQL (DuckDB, or the engine csq.engines passes)."""

    as_of: datetime | None
    clock: str = "calendar"
    keys: tuple[str, ...] | None = None
    run: Runner = arrow


Row = dict[str, object]


def _rows(store: Store, sql: str, params: list[object], register: dict[str, pa.Table] | None = None,
          run: Runner = arrow) -> list[Row]:
    """Return a bound query's rows as dicts, run by `run` (the store's DuckDB by default)."""
    return run(store, sql, params, register).to_pylist()


_NO_USUAL_TEAM = "SELECT CAST(NULL AS VARCHAR) AS agent, CAST(NULL AS VARCHAR) AS team LIMIT 0"


def _narrowed(store: Store, f: Filter, by: Sequence[str], dims: Mapping[str, str], extra: Mapping[str, str]
              ) -> dict[str, str]:
    """Return `extra` plus the joins this filter and grouping need: ticket fields and usual teams only if used.

    Joining ten million tickets to every survey or QA row costs seconds; most views never read them.
    """
    used = " ".join([dims.get(g, "") for g in by] + [dims.get(k, "") for k in f.conditions()])
    out = dict(extra)
    out["ticket_source"] = ticket_join(store, f, dims, [dims.get(g, "") for g in by])
    if "agent_team" in out and "u." not in used:
        out["agent_team"] = _NO_USUAL_TEAM
    return out


def _simple(name: str, dims: Mapping[str, str], month_expr: str, **extra: str) -> Callable[..., list[Row]]:
    """Return a runner for a kind whose SQL file takes groups, where and group_names only."""

    def run(store: Store, f: Filter, by: Sequence[str], ctx: _Context) -> list[Row]:
        """Return the kind's aggregated rows, or none when it lacks a group field."""
        groups = grouping(by, dims, month_expr)
        if groups is None:
            return []
        where = build_where(f, dims, month_expr)
        sql, p = SQL.render(name, groups=groups[0], group_names=groups[1], where=where.part,
                        as_of=("?", [ctx.as_of]), **_narrowed(store, f, by, dims, extra))
        return _rows(store, sql, p, run=ctx.run)

    return run


# How each duration indicator is measured on either clock (SPEC §4a): calendar time, or the SLA clock of the
# ticket's rule (its calendar, less pauses) up to the event.
_DURATIONS = {
    "calendar": ("(epoch_us(t.first_response_at) - epoch_us(t.created_at))",
                 "(epoch_us(t.resolved_at) - epoch_us(t.created_at))"),
    "business": ("CASE WHEN t.first_response_at IS NOT NULL THEN t.frt_elapsed_us END",
                 "CASE WHEN t.resolved_at IS NOT NULL THEN t.res_elapsed_us END"),
}


# The ticket indicators whose values read the SLA clock's limits. On the business clock every duration, and
# what counts durations (resolution and reopen rates count resolved tickets by it), reads the clock too.
_SLA_KEYS = frozenset({"frt_sla_rate", "resolution_sla_rate"})


def needs_clock(keys: Sequence[str] | None, clock: str = "calendar") -> bool:
    """Return whether any of the indicators (None: all) reads an SLA limit, or the durations are business time."""
    return keys is None or clock == "business" or bool(_SLA_KEYS & set(keys))


def ticket_source(store: Store, where: Part, moment: datetime | None, keys: Sequence[str] | None = None,
                  clock: str = "calendar") -> tuple[Part, dict[str, pa.Table]]:
    """Return (the FROM part, tables to register) of the tickets in `where`: over the SLA clock when read.

    The stored ticket facts serve every question when current (csq.metrics.facts); otherwise the clock is
    computed live only when an asked indicator reads it.
    """
    if needs_clock(keys, clock) or (moment == as_of(store) and refresh(store)):
        source = ticket_clock(store, where, moment)
        return (f"({source.part[0]})", source.part[1]), source.register
    sql, p = SQL.render("ticket_unclocked", where=where)
    return (f"({sql})", p), {}


def ticket_query(store: Store, where: Part, groups: str, group_names: str, moment: datetime | None,
                 clock: str = "calendar", keys: Sequence[str] | None = None
                 ) -> tuple[str, list[object], dict[str, pa.Table]]:
    """Return (sql, params, tables to register) of tickets.sql over the SLA clock source, grouped as given.

    The Pareto of breaches and the effect check group it per ticket, so their flags are the engine's own.
    When none of `keys` reads the clock (needs_clock), the source is the tickets with its columns NULL.
    """
    part, register = ticket_source(store, where, moment, keys, clock)
    sql, p = SQL.render("tickets", flags=ticket_flags(groups, moment, part, clock), group_names=group_names)
    return sql, p, register


def ticket_flags(groups: Part, moment: datetime | None, source: Part, clock: str = "calendar") -> Part:
    """Return the `base` and `flags` steps (ticket_flags.sql): each ticket's durations and SLA flags.

    The engine's tickets.sql groups them; the effect check's ticket_records.sql reads them ticket by ticket.
    """
    frt_us, art_us = _DURATIONS[clock]
    return SQL.render("ticket_flags", groups=groups, as_of=("?", [moment]), clock=source, frt_us=frt_us,
                      art_us=art_us)


def _run_tickets(store: Store, f: Filter, by: Sequence[str], ctx: _Context) -> list[Row]:
    """Return the ticket rows over the SLA clock source, durations on the context's clock."""
    dims = ticket_dims("t")
    groups = grouping(by, dims, "t.created_at")
    if groups is None:
        return []
    sql, p, register = ticket_query(store, build_where(f, dims, "t.created_at").part, groups[0], groups[1],
                                    ctx.as_of, ctx.clock, ctx.keys)
    if ctx.keys is not None:
        # Only the asked indicators are read out, so DuckDB drops the aggregates (medians above all) of the rest.
        wanted = [k for k in ctx.keys if INDICATORS[k].kind == "tickets"]
        sql = f"SELECT {groups[1]}{', '.join(f'{k}, n_{k}' for k in wanted)} FROM ({sql})"
    return _rows(store, sql, p, register, ctx.run)


# The moment a survey counts at in each half of surveys.sql: an answer when given (without a response time, by
# its send time rather than dropped), an invitation when sent.
SURVEY_ANSWERED, SURVEY_SENT = "coalesce(s.responded_at, s.sent_at)", "s.sent_at"
SURVEY_MOMENT = f"CASE WHEN h.half = 'a' THEN {SURVEY_ANSWERED} ELSE {SURVEY_SENT} END"


def _run_surveys(store: Store, f: Filter, by: Sequence[str], ctx: _Context) -> list[Row]:
    """Return the survey rows: answers by response month and invitations by send month, one query."""
    dims = survey_dims()
    groups = grouping(by, dims, SURVEY_MOMENT)
    if groups is None:
        return []
    sql, p = SQL.render("surveys", groups=groups[0], where_answers=build_where(f, dims, SURVEY_ANSWERED).part,
                        where_invitations=build_where(f, dims, SURVEY_SENT).part, group_names=groups[1],
                        **_narrowed(store, f, by, dims, {}))
    return _rows(store, sql, p, run=ctx.run)


def scope_table(store: Store) -> pa.Table:
    """Return each action's dimensions parsed from its scope text (the first value of each field)."""
    cols: dict[str, list[object]] = {c: [] for c in ["action_id", *ACTION_DIMS]}
    for action_id, scope in store.rows("SELECT action_id, scope FROM actions_current WHERE status <> 'cancelled'"):
        try:
            pairs, canonical = scope_pairs(scope), parse_scope(scope)
        except InputRefused:
            pairs, canonical = [], {}  # an unreadable scope matches no dimension filter, yet counts overall
        raw: dict[str, str] = {}
        for fld, value in pairs:
            raw.setdefault(f"{fld}_raw", value)
        cols["action_id"].append(action_id)
        for c in ACTION_DIMS:
            cols[c].append(raw.get(c) if c.endswith("_raw") else (canonical.get(c) or [None])[0])
    # DuckDB zips the bound lists into rows: pa.array() of a Python list would import pandas (0.2 s a command).
    select = ", ".join(f"unnest(CAST(? AS VARCHAR[])) AS {ident(c)}" for c in cols)
    table = store.arrow(f"SELECT {select}", list(cols.values()))
    return table if table.num_rows else pa.schema([(c, pa.string()) for c in cols]).empty_table()


def _run_actions(store: Store, f: Filter, by: Sequence[str], ctx: _Context) -> list[Row]:
    """Return the action rows, the scopes parsed in Python and joined in as a registered table."""
    groups = grouping(by, ACTION_DIMS, "a.due_date")
    if groups is None:
        return []
    where = build_where(f, ACTION_DIMS, "a.due_date")
    sql, p = SQL.render("actions", groups=groups[0], group_names=groups[1], where=where.part,
                    as_of=("?", [ctx.as_of]))
    return _rows(store, sql, p, {"_csq_scope": scope_table(store)}, ctx.run)


def _run_calls(store: Store, f: Filter, by: Sequence[str], ctx: _Context) -> list[Row]:
    """Return the calls query's rows (csq.metrics.calls), run by the context's runner."""
    return run_calls(store, f, by, ctx.run)


def _run_qa_sample(store: Store, f: Filter, by: Sequence[str], ctx: _Context) -> list[Row]:
    """Return the QA sample coverage query's rows (csq.metrics.qa_sample), run by the context's runner."""
    return run_qa_sample(store, f, by, ctx.run)


def _run_callbacks(store: Store, f: Filter, by: Sequence[str], ctx: _Context) -> list[Row]:
    """Return the callbacks query's rows (csq.metrics.callbacks), run by the context's runner."""
    return run_callbacks(store, f, by, ctx.run)


def servqual_parts() -> dict[str, str]:
    """Return the SQL fragments of servqual.sql built from the item allow-list of csq.fields."""
    gaps = [f"list_avg([{', '.join(f's.p_{i} - s.e_{i}' for i in items)}]) AS gap_{d}"
            for d, items in SERVQUAL_DIMENSIONS.items()]
    dims = list(SERVQUAL_DIMENSIONS)
    return {
        "dimension_gaps": ", ".join(gaps),
        "weight_columns": ", ".join(f"CAST(s.w_{d} AS DOUBLE) AS w_{d}" for d in dims),
        "weights_valid": "(" + " AND ".join(f"w_{d} IS NOT NULL" for d in dims)
                         + f" AND abs({' + '.join(f'w_{d}' for d in dims)} - 100) <= 0.5)",
        "weighted_sum": f"list_sum([{', '.join(f'w_{d} * gap_{d}' for d in dims)}])",
        "weight_answered": f"list_sum([{', '.join(f'CASE WHEN gap_{d} IS NOT NULL THEN w_{d} END' for d in dims)}])",
        "equal_mean": f"list_avg([{', '.join(f'gap_{d}' for d in dims)}])",
    }


_SOURCES: dict[str, Callable[[Store, Filter, Sequence[str], _Context], list[Row]]] = {
    "tickets": _run_tickets,
    "surveys": _run_surveys,
    "qa": _simple("qa", qa_dims(), "e.evaluated_at", agent_team=SQL.load("agent_team")),
    "training": _simple("training", TRAINING_DIMS, "r.assessed_at", agent_team=SQL.load("agent_team")),
    "actions": _run_actions,
    "servqual": _simple("servqual", {}, "s.responded_at", **servqual_parts()),
    "calls": _run_calls,
    "qa_sample": _run_qa_sample,
    "callbacks": _run_callbacks,
}


def _check(by: Sequence[str], indicators: Sequence[str] | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return (group fields, indicator keys) without repeats, or raise InputRefused naming the valid ones."""
    bad = [g for g in by if g not in GROUP_FIELDS]
    if bad:
        raise InputRefused(f"Cannot group by {', '.join(bad)}.", f"Group by any of: {', '.join(GROUP_FIELDS)}.")
    keys = tuple(INDICATORS) if indicators is None else tuple(indicators)
    unknown = [k for k in keys if k not in INDICATORS]
    if unknown:
        raise InputRefused(f"Unknown indicator(s): {', '.join(unknown)}.",
                           f"Use any of: {', '.join(INDICATORS)}.")
    return tuple(dict.fromkeys(by)), tuple(dict.fromkeys(keys))


def _sort_key(by: Sequence[str]) -> Callable[[Result], tuple]:
    """Return a sort key over the group fields that puts unknown (None) values last."""
    return lambda r: tuple((r.groups[g] is None, "" if r.groups[g] is None else str(r.groups[g])) for g in by)


def _figure(key: str, entry: Mapping[str, object]) -> Figure:
    """Return one indicator's Figure from a group's merged query columns (a count is 0, not "no data")."""
    n = int(entry.get(f"n_{key}", 0) or 0)  # type: ignore[call-overload]
    if key == "tickets":
        return Figure(key, float(n), n)
    value = entry.get(key)
    return Figure(key, None if value is None else float(value), n)  # type: ignore[arg-type]


def compute(store: Store, f: Filter, by: Sequence[str] = (), indicators: Sequence[str] | None = None,
            clock: str = "calendar", run: Runner = arrow) -> list[Result]:
    """Return one Result per group, sorted by the group fields: the group's values and a Figure per indicator.

    Only the record kinds the asked indicators need are queried, one query per kind. `clock` is the
    clock the duration indicators (frt_*, art_*) are shown on: "calendar" or "business" (SPEC §4a). `run` runs
    each kind's indicator query: the store's DuckDB, or another engine's runner (csq.engines.chdb_engine).
    """
    by, keys = _check(by, indicators)
    if clock not in CLOCKS:
        raise InputRefused(f"Unknown clock {clock!r}.", f"Use one of: {', '.join(CLOCKS)}.")
    kinds = list(dict.fromkeys(INDICATORS[k].kind for k in keys))
    ctx = _Context(as_of(store) if {"tickets", "actions"} & set(kinds) else None, clock, tuple(keys), run)
    found: dict[tuple, dict[str, object]] = {} if by else {(): {}}
    for kind in kinds:
        for row in _SOURCES[kind](store, f, by, ctx):
            entry = found.setdefault(tuple(group_label(g, row[f"g_{g}"]) for g in by), {})
            for k in keys:
                if INDICATORS[k].kind != kind:
                    continue
                if row.get(k) is not None:
                    entry[k] = row[k]
                if row.get(f"n_{k}"):
                    entry[f"n_{k}"] = row[f"n_{k}"]
    out = [Result(dict(zip(by, group)), {k: _figure(k, entry) for k in keys}) for group, entry in found.items()]
    return sorted(out, key=_sort_key(by))


def servqual_summary(store: Store, f: Filter) -> dict[str, object]:
    """Return the SERVQUAL summary of SPEC §6 `servqual --json`: per-dimension E, P, gap and n, and the totals."""
    where = build_where(f, {}, "s.responded_at")
    means = []
    for d, items in SERVQUAL_DIMENSIONS.items():
        for i in items:
            means.append(f"avg(CASE WHEN s.p_{i} IS NOT NULL THEN s.e_{i} END) AS e_{i}")
            means.append(f"avg(CASE WHEN s.e_{i} IS NOT NULL THEN s.p_{i} END) AS p_{i}")
        means.append("count_if(" + " OR ".join(f"(s.e_{i} IS NOT NULL AND s.p_{i} IS NOT NULL)" for i in items)
                     + f") AS n_{d}")
    sql, p = SQL.render("servqual_items", item_means=", ".join(means), where=where.part)
    row = _rows(store, sql, p)[0]
    dimensions = []
    for d, items in SERVQUAL_DIMENSIONS.items():
        pairs = [(row[f"e_{i}"], row[f"p_{i}"]) for i in items if row[f"e_{i}"] is not None]
        e = sum(x for x, _ in pairs) / len(pairs) if pairs else None
        pv = sum(y for _, y in pairs) / len(pairs) if pairs else None
        gap = sum(y - x for x, y in pairs) / len(pairs) if pairs else None
        dimensions.append({"dimension": d, "expectation": e, "perception": pv, "gap": gap, "n": int(row[f"n_{d}"] or 0)})
    gaps = [x["gap"] for x in dimensions if x["gap"] is not None]
    total = compute(store, f, (), ["servqual_gap"])[0].figure("servqual_gap")
    return {"dimensions": dimensions,
            "unweighted_gap": sum(gaps) / len(gaps) if gaps else None,  # type: ignore[arg-type]
            "weighted_gap": total.value,
            "respondents": total.n}
