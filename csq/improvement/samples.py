"""The per-record values the effect check reads (SPEC §4c), read once per record kind for every action.

Each action needs its indicator's per-record values over up to four cells: its scope and the rest of the center,
before and after. One query per record kind reads every record's moment (g_at), the values of the indicators the
actions target, and for each action scope whether the record matches it, the condition bound by the filters'
own build_where over the kind's own dimensions. A cell is then the slice of the records, sorted by moment, that
falls in its window, in the scope or outside it (SPEC §4c: NULL fields count as outside, as in
build_where_outside). The values are the engine's: its SQL grouped per record, or for tickets, the biggest
kind, ticket_records.sql, which gives the same values without grouping a million tickets one by one.

Rates and counts are tested on a cell's n and how many of its values are 1 alone (a rate's p and n, a count's
n), so a kind whose checked keys are all rates and counts has the same query tallied in DuckDB per day and
scope matches (Tallies), and only those sums leave it instead of every record. A kind with a median, P90 or
mean among its keys is read record by record, all its keys together (one query), as is a key found to hold
a value other than 0 or 1.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from csq.core.sqlident import ident
from csq.errors import InputRefused
from csq.metrics.callbacks import CALLBACK_DIMS, CALLBACK_MOMENT, callback_flags
from csq.metrics.calls import CALL_MOMENT, thresholds
from csq.metrics.dimensions import ACTION_DIMS, TRAINING_DIMS, call_dims, qa_dims, survey_dims, ticket_dims
from csq.metrics.engine import (
    SURVEY_ANSWERED,
    SURVEY_MOMENT,
    SURVEY_SENT,
    scope_table,
    servqual_parts,
    ticket_flags,
    ticket_source,
)
from csq.metrics.facts import linked_tickets
from csq.metrics.filters import Filter, build_where
from csq.metrics.indicators import INDICATORS
from csq.metrics.qa_sample import SAMPLE_MOMENT, sample_dims
from csq.store import Store
from csq.store.queries import SqlFiles, arrow

SQL = SqlFiles(__package__)
METRICS_SQL = SqlFiles("csq.metrics")

_EPOCH = date(1970, 1, 1)
_TALLIED = ("rate", "count")   # units whose tests read only a cell's n and how many of its values are 1


def moment_us(day: date) -> int:
    """Return the microseconds since 1970 of a day's midnight (a window bound)."""
    return (day - _EPOCH).days * 86_400_000_000


def scoped(scope: str | None) -> bool:
    """Return True when an action's scope is part of the center (it sets a field); raise InputRefused if unreadable."""
    return bool(Filter.from_scope(scope).conditions())


def _readable_scoped(scope: str | None) -> bool:
    """Return True for a readable scope that sets a field; an unreadable one is read for no window at all."""
    try:
        return scoped(scope)
    except InputRefused:
        return False  # check() reports the bad scope and reads no window


@dataclass(frozen=True)
class Want:
    """What one effect check reads: an indicator, a scope, and the days its windows cover, [first, end)."""

    key: str | None
    scope: str | None
    first: date | None
    end: date | None


@dataclass(frozen=True, eq=False)
class Records:
    """One record kind read once: moments (µs, sorted), each key's values and whether set, each scope's matches.

    A record without a value (NULL) is left out of every cell; a NaN value, which DuckDB's 0.0 / 0.0 gives, is
    kept, as the per-window reader kept it. Only records dated in [first, end) were read.
    """

    first: date
    end: date
    at_us: np.ndarray
    values: Mapping[str, np.ndarray]
    has_value: Mapping[str, np.ndarray]
    inside: Mapping[str, np.ndarray]

    def cell(self, key: str, scope: str | None, start: date, end: date, outside: bool = False) -> np.ndarray:
        """Return the values of `key` of the records dated in [start, end) in the scope (or outside it)."""
        if start < self.first or end > self.end:
            raise ValueError(f"the window {start} to {end} is outside the records read ({self.first} to {self.end})")
        lo, hi = np.searchsorted(self.at_us, [moment_us(start), moment_us(end)], side="left")
        values = self.values[key][lo:hi]
        keep = self.has_value[key][lo:hi]
        if not scoped(scope):  # the whole center: every record is in it, and nothing is outside
            return values[:0] if outside else values[keep]
        match = self.inside[str(scope)][lo:hi]
        return values[keep & (~match if outside else match)]


@dataclass(frozen=True, eq=False)
class Tallies:
    """The keys of one kind whose every value is 0 or 1 (rates, counts), tallied in SQL per day and scope matches.

    Their tests read only how many records a cell holds and how many are 1 (a rate's p and n, a count's n), so
    the records never leave DuckDB: one row per (day, matches) with each key's n and ones. A window is whole days.
    """

    first: date
    end: date
    day: np.ndarray                   # days since 1970 of each row
    inside: Mapping[str, np.ndarray]  # each scope's match of each row
    n: Mapping[str, np.ndarray]       # records with a value, per key and row
    ones: Mapping[str, np.ndarray]    # of which are 1

    def cell(self, key: str, scope: str | None, start: date, end: date, outside: bool = False) -> np.ndarray:
        """Return the cell's values as a Records cell gives them, ordered ones first: only their n and sum count."""
        if start < self.first or end > self.end:
            raise ValueError(f"the window {start} to {end} is outside the records read ({self.first} to {self.end})")
        rows = (self.day >= (start - _EPOCH).days) & (self.day < (end - _EPOCH).days)
        if scoped(scope):
            match = self.inside[str(scope)]
            rows &= ~match if outside else match
        elif outside:  # the whole center: nothing is outside it
            rows[:] = False
        ones, n = int(self.ones[key][rows].sum()), int(self.n[key][rows].sum())
        return np.concatenate([np.ones(ones), np.zeros(n - ones)])


@dataclass(frozen=True, eq=False)
class Book:
    """The Records of every kind the actions need, keyed by record kind, and the tallied keys' Tallies."""

    kinds: Mapping[str, Records]
    tallies: Mapping[str, Tallies] = field(default_factory=dict)

    def cell(self, key: str, scope: str | None, start: date, end: date, outside: bool = False) -> np.ndarray:
        """Return one cell's per-record values: indicator `key`, the scope (or the rest), dated in [start, end)."""
        kind = INDICATORS[key].kind
        if kind in self.tallies and key in self.tallies[kind].n:
            return self.tallies[kind].cell(key, scope, start, end, outside)
        return self.kinds[kind].cell(key, scope, start, end, outside)


# ---- one query per kind

def _matches(scopes: Sequence[str], dims: Mapping[str, str], month_expr: str) -> tuple[str, list[object]]:
    """Return the select list of the scopes' matches (s_0, s_1, …) and their bound values, in order.

    A match is build_where's condition made TRUE or FALSE: a record with a NULL field is outside (SPEC §4c).
    """
    sql, params = [], []
    for i, scope in enumerate(scopes):
        where = build_where(Filter.from_scope(scope), dims, month_expr)
        sql.append(f"coalesce(({where.sql}), false) AS {ident(f's_{i}')}, ")
        params.extend(where.params)
    return "".join(sql), params


def _names(scopes: Sequence[str]) -> str:
    """Return the group-name list of the scope matches, each followed by a comma."""
    return "".join(f"{ident(f's_{i}')}, " for i in range(len(scopes)))


def _columns(keys: Sequence[str], scopes: Sequence[str]) -> str:
    """Return the columns read back: the moment, the scope matches, and each key as DOUBLE (keys are allow-listed)."""
    cols = ["g_at"] + [ident(f"s_{i}") for i in range(len(scopes))]
    return ", ".join(cols + [f"CAST({ident(k)} AS DOUBLE) AS {ident(k)}" for k in keys])


@dataclass(frozen=True)
class Query:
    """A reader's query: one row per record dated in the span (g_at, s_0…, each key as DOUBLE), and its tables."""

    sql: str
    params: list[object]
    register: dict[str, pa.Table] | None = None


# A reader returns the query of the records dated in the span (a Filter of moments); read_book runs it.
_Reader = Callable[[Store, Sequence[str], Sequence[str], Filter, datetime | None], Query]


def _tickets(store: Store, keys: Sequence[str], scopes: Sequence[str], span: Filter,
             as_of: datetime | None) -> Query:
    """Return each ticket's creation moment, scope matches and values, over the SLA clock only when read."""
    dims = ticket_dims("t")
    where = build_where(span, dims, "t.created_at")
    clock, register = ticket_source(store, where.part, as_of, keys)
    matches = _matches(scopes, dims, "t.created_at")
    flags = ticket_flags((f"t.created_at AS g_at, {matches[0]}", matches[1]), as_of, clock)
    sql, p = SQL.render("ticket_records", flags=flags, group_names="g_at, " + _names(scopes),
                        columns=_columns(keys, scopes))
    return Query(sql, p, register)


def _surveys(store: Store, keys: Sequence[str], scopes: Sequence[str], span: Filter,
             as_of: datetime | None) -> Query:
    """Return one row per answer (by response moment) and one per invitation (by send moment)."""
    dims = survey_dims()
    matches = _matches(scopes, dims, SURVEY_MOMENT)  # a scope names no period: the same in either half
    sql, p = METRICS_SQL.render(
        "surveys", groups=(f"s.survey_id AS g_id, {SURVEY_MOMENT} AS g_at, {matches[0]}", matches[1]),
        where_answers=build_where(span, dims, SURVEY_ANSWERED).part,
        where_invitations=build_where(span, dims, SURVEY_SENT).part, group_names="g_id, g_at, " + _names(scopes),
        ticket_source=linked_tickets(store))
    return Query(f"SELECT {_columns(keys, scopes)} FROM ({sql}) r", p)


def _grouped(name: str, dims: Mapping[str, str], month_expr: str, id_expr: str,
             register: Callable[[Store], dict[str, pa.Table]] | None = None, **extra: str) -> _Reader:
    """Return a reader of one engine SQL file grouped per record (g_id), with its moment (g_at) and matches."""

    def read(store: Store, keys: Sequence[str], scopes: Sequence[str], span: Filter,
             as_of: datetime | None) -> Query:
        matches = _matches(scopes, dims, month_expr)
        groups = (f"{id_expr} AS g_id, {month_expr} AS g_at, {matches[0]}", matches[1])
        sql, p = METRICS_SQL.render(name, groups=groups, group_names="g_id, g_at, " + _names(scopes),
                                    where=build_where(span, dims, month_expr).part, as_of=("?", [as_of]),
                                    ticket_source=linked_tickets(store), **extra)
        return Query(f"SELECT {_columns(keys, scopes)} FROM ({sql}) r", p, register(store) if register else None)

    return read


def _calls(store: Store, keys: Sequence[str], scopes: Sequence[str], span: Filter,
           as_of: datetime | None) -> Query:
    """Return one row per call (by queue moment) with its scope matches and values, on the stored thresholds."""
    limits = thresholds(store)
    read = _grouped("calls", call_dims(), CALL_MOMENT, "c.call_id", short_abandon_s=("?", [limits.short_abandon_s]),
                    service_level_s=("?", [limits.service_level_s]))  # type: ignore[arg-type]
    return read(store, keys, scopes, span, as_of)


def _qa_sample(store: Store, keys: Sequence[str], scopes: Sequence[str], span: Filter,
               as_of: datetime | None) -> Query:
    """Return one row per sampled ticket in force (by its created_at): its scope matches and coverage, 1 or 0.

    The sampled tickets are not among the linked ticket facts, so a scope on a ticket field reads the tickets.
    """
    dims = sample_dims()
    matches = _matches(scopes, dims, SAMPLE_MOMENT)
    sql, p = METRICS_SQL.render("qa_coverage", groups=(f"s.ticket_id AS g_id, {SAMPLE_MOMENT} AS g_at, {matches[0]}",
                                                       matches[1]),
                                group_names="g_id, g_at, " + _names(scopes),
                                where=build_where(span, dims, SAMPLE_MOMENT).part, ticket_source="tickets_current")
    return Query(f"SELECT {_columns(keys, scopes)} FROM ({sql}) r", p)


def _callbacks(store: Store, keys: Sequence[str], scopes: Sequence[str], span: Filter,
               as_of: datetime | None) -> Query:
    """Return one row per callback (by its planned day, else its call's) with its scope matches and values."""
    read = _grouped("callbacks", CALLBACK_DIMS, CALLBACK_MOMENT, "c.callback_id",
                    flags=callback_flags(store, as_of))  # type: ignore[arg-type]
    return read(store, keys, scopes, span, as_of)


_READERS: dict[str, _Reader] = {
    "tickets": _tickets,
    "surveys": _surveys,
    "qa": _grouped("qa", qa_dims(), "e.evaluated_at", "e.evaluation_id", agent_team=METRICS_SQL.load("agent_team")),
    # Assessments have no key of their own; each filtered row is one record.
    "training": _grouped("training", TRAINING_DIMS, "r.assessed_at", "row_number() OVER ()",
                         agent_team=METRICS_SQL.load("agent_team")),
    "servqual": _grouped("servqual", {}, "s.responded_at", "s.respondent_id", **servqual_parts()),
    "actions": _grouped("actions", ACTION_DIMS, "a.due_date", "a.action_id",
                        register=lambda store: {"_csq_scope": scope_table(store)}),
    "calls": _calls,
    "qa_sample": _qa_sample,
    "callbacks": _callbacks,
}


def _records(table: pa.Table, keys: Sequence[str], scopes: Sequence[str], first: date, end: date) -> Records:
    """Return the Records of one kind's rows: numpy columns, sorted by moment so a window is one slice."""
    at = table.column("g_at").cast(pa.timestamp("us")).to_numpy().astype("datetime64[us]").view(np.int64)
    order = None if bool(np.all(at[1:] >= at[:-1])) else np.argsort(at, kind="stable")

    def col(values: pa.ChunkedArray, dtype: type) -> np.ndarray:
        x = np.asarray(values.to_numpy(), dtype=dtype)
        return x if order is None else x[order]

    return Records(first, end, at if order is None else at[order],
                   {k: col(table.column(k), np.float64) for k in keys},
                   {k: col(pc.is_valid(table.column(k)), np.bool_) for k in keys},
                   {s: col(table.column(f"s_{i}"), np.bool_) for i, s in enumerate(scopes)})


def _tallies(store: Store, query: Query, keys: Sequence[str], scopes: Sequence[tuple[int, str]], first: date,
             end: date) -> tuple[Tallies, list[str]]:
    """Return the Tallies of the keys whose every value is 0 or 1, and the keys that hold another value.

    `scopes` are the (position in the query, scope) the keys are asked in.
    """
    names = [ident(f"s_{i}") for i, _ in scopes]
    counts = [f"count({ident(k)}) AS {ident(f'n_{j}')}, count(*) FILTER (WHERE {ident(k)} = 1) AS {ident(f'o_{j}')}, "
              f"count(*) FILTER (WHERE {ident(k)} <> 0 AND {ident(k)} <> 1) AS {ident(f'x_{j}')}"
              for j, k in enumerate(keys)]   # NaN is neither 0 nor 1: such a key is read record by record
    # g_at on its day: a window is whole days, [start, end) from midnight, as Records.cell slices it.
    table = arrow(store, f"SELECT CAST(g_at AS DATE) - DATE '1970-01-01' AS day, {''.join(n + ', ' for n in names)}"
                         f"{', '.join(counts)} FROM ({query.sql}) r WHERE g_at IS NOT NULL GROUP BY ALL",
                  query.params, query.register)

    def col(name: str, dtype: type) -> np.ndarray:
        return np.asarray(table.column(name).to_numpy(), dtype=dtype)

    odd = [k for j, k in enumerate(keys) if int(col(f"x_{j}", np.int64).sum())]
    kept = [(j, k) for j, k in enumerate(keys) if k not in odd]
    return Tallies(first, end, col("day", np.int64), {s: col(f"s_{i}", np.bool_) for i, s in scopes},
                   {k: col(f"n_{j}", np.int64) for j, k in kept}, {k: col(f"o_{j}", np.int64) for j, k in kept}), odd


def read_book(store: Store, wants: Iterable[Want], as_of: datetime | None) -> Book:
    """Return the Book of what the checks read: one query per record kind, only the keys, scopes and days asked.

    Unknown indicators, unreadable scopes and checks without a window are left out (the effect check reads no
    window for them); `as_of` is the data's moment the SLA clocks and complaint deadlines are judged at.
    """
    keys: dict[str, dict[str, None]] = {}
    scopes: dict[str, dict[str, None]] = {}
    asked: dict[str, set[str]] = {}   # each key's scopes: a tally or a record read holds only its keys' scopes
    days: dict[str, list[date]] = {}
    for want in wants:
        if want.key not in INDICATORS or want.first is None or want.end is None:
            continue
        kind = INDICATORS[want.key].kind
        keys.setdefault(kind, {})[want.key] = None
        scopes.setdefault(kind, {})
        asked.setdefault(want.key, set())
        days.setdefault(kind, []).extend((want.first, want.end))
        if _readable_scoped(want.scope):
            scopes[kind][str(want.scope)] = None
            asked[want.key].add(str(want.scope))
    kinds, tallies = {}, {}
    for kind, ks in keys.items():
        k, s, first, end = list(ks), list(scopes[kind]), min(days[kind]), max(days[kind])
        # Only the records of the days some window covers: a store holds years, the windows a few months.
        span = Filter(start=datetime.combine(first, datetime.min.time()), end=datetime.combine(end, datetime.min.time()))
        query = _READERS[kind](store, k, s, span, as_of)

        def of(some: list[str], _s: list[str] = s) -> list[int]:
            """Return the positions (in the query's s_0, s_1, …) of the scopes some of the keys are asked in."""
            return [i for i, scope in enumerate(_s) if any(scope in asked[key] for key in some)]

        # A kind whose keys are all rates and counts leaves DuckDB as per-day tallies. When some key's test reads
        # every value the records are read anyway, and tallying the others too would run the query twice.
        tally = k if all(INDICATORS[key].unit in _TALLIED for key in k) else []
        raw = [key for key in k if key not in tally]
        if tally:
            tallies[kind], odd = _tallies(store, query, tally, [(i, s[i]) for i in of(tally)], first, end)
            raw += odd
        if raw or not tally:
            at = of(raw)
            cols = ", ".join(["g_at", *(f"{ident(f's_{i}')} AS {ident(f's_{j}')}" for j, i in enumerate(at)),
                              *(ident(key) for key in raw)])
            kinds[kind] = _records(arrow(store, f"SELECT {cols} FROM ({query.sql}) r", query.params, query.register),
                                   raw, [s[i] for i in at], first, end)
    return Book(kinds, tallies)
