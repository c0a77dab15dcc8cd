"""Filters shared by every indicator: a period, field conditions, and their bound SQL."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from csq.core.kinds import CALLS, TICKETS, TRANSIENT_FIELDS
from csq.core.months import Month, Period
from csq.core.privacy import check_filter_fields
from csq.core.values import bool_value, canonical_value
from csq.errors import InputRefused

# SPEC §6: a --where field is any ticket field of SPEC §2.
FILTER_FIELDS: tuple[str, ...] = tuple(n for n in TICKETS.names if n not in TRANSIENT_FIELDS)
# Fields of calls only (SPEC §2 calls), filterable beside the ticket fields. Every other kind lacks them, so its
# indicators show no data under such a filter (build_where makes the condition FALSE) instead of ignoring it.
CALL_ONLY_FIELDS: tuple[str, ...] = ("queue",)
WHERE_FIELDS: tuple[str, ...] = FILTER_FIELDS + CALL_ONLY_FIELDS
# Fields whose raw label is kept beside the canonical value; a filter matches either.
RAW_FIELDS: frozenset[str] = frozenset(f.name for f in TICKETS.fields if f.keep_raw)

# Field names people write in action scopes and filters (SPEC §2 headers), beside the canonical names.
FIELD_NAMES_ZH: dict[str, str] = {
    "渠道": "channel", "班组": "team", "所属班组": "team", "业务类型": "type", "类型": "type",
    "问题分类": "category", "紧急程度": "priority", "优先级": "priority", "坐席": "agent", "队列": "queue",
    "技能组": "queue",
}

_SCOPE_SPLIT = re.compile(r"[;,&；，、]|\s+and\s+|\s*＆\s*", re.IGNORECASE)
_EQUALS = re.compile(r"[=＝]")


def field_name(name: str) -> str:
    """Return the canonical ticket field a filter or scope field name means, or raise InputRefused."""
    key = name.strip()
    if key.lower() in WHERE_FIELDS:
        return key.lower()
    if key in FIELD_NAMES_ZH:
        return FIELD_NAMES_ZH[key]
    raise InputRefused(f"Unknown filter field {name!r}.",
                       f"Use one of: {', '.join(WHERE_FIELDS)} (or 渠道, 班组, 业务类型, 问题分类, 紧急程度, 坐席, 队列).")


def _field_type(fld: str) -> str:
    """Return the type of a filter field: the ticket field's, or for a calls-only field the call field's."""
    return (CALLS if fld in CALL_ONLY_FIELDS else TICKETS).field(fld).type


def _check_value(fld: str, value: str) -> None:
    """Return nothing; raise InputRefused when a yes/no field gets a value that is neither."""
    if _field_type(fld) == "bool" and bool_value(value) is None:
        raise InputRefused(f"{fld}={value!r}: {fld} is yes/no.", f"Write {fld}=true or {fld}=false.")


@dataclass(frozen=True)
class Filter:
    """A period (inclusive 'YYYY-MM' bounds) and field conditions: same field = OR, different fields = AND.

    `start` and `end` narrow the period to a window of moments (end exclusive): today so far, this week.
    """

    period_from: str | None = None
    period_to: str | None = None
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()
    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def from_pairs(cls, period_from: str | None, period_to: str | None, pairs: Sequence[str]) -> Filter:
        """Return a Filter from 'field=value' strings; raise InputRefused for a bad month, pair or field."""
        for text, what in ((period_from, "from"), (period_to, "to")):
            if text:
                Month.parse(text, what)
        if period_from and period_to:
            Period.parse(period_from, period_to)
        merged: dict[str, list[str]] = {}
        for pair in pairs:
            parts = _EQUALS.split(pair, maxsplit=1)
            if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
                raise InputRefused(f"The filter {pair!r} is not FIELD=VALUE.",
                                   f"Write e.g. channel=phone; fields: {', '.join(FILTER_FIELDS)}.")
            fld, value = field_name(parts[0]), parts[1].strip()
            _check_value(fld, value)
            if value not in merged.setdefault(fld, []):
                merged[fld].append(value)
        return cls(period_from or None, period_to or None, tuple((k, tuple(v)) for k, v in merged.items()))

    def for_role(self, role: str | None, by: Sequence[str] = ()) -> Filter:
        """Return the filter itself; raise NotAllowed when it or grouping `by` uses a personal field `role` sees masked.

        The rule is csq.core.privacy.check_filter_fields; role None is the process role ($CSQ_ROLE).
        """
        check_filter_fields(role, [*self.conditions(), *by])
        return self

    @classmethod
    def from_scope(cls, scope: str | None, period_from: str | None = None, period_to: str | None = None) -> Filter:
        """Return the Filter an action's scope text stands for, over the given period."""
        return cls(period_from, period_to, tuple((k, tuple(v)) for k, v in parse_scope(scope).items()))

    @property
    def period(self) -> Period | None:
        """Return the filter's period, or None unless both bounds are set."""
        if not self.period_from or not self.period_to:
            return None
        return Period(Month.parse(self.period_from, "from"), Month.parse(self.period_to, "to"))

    def over(self, period: Period) -> Filter:
        """Return the same field conditions over another period (any window dropped)."""
        return Filter(str(period.first), str(period.last), self.where)

    def window(self, start: datetime, end: datetime) -> Filter:
        """Return the same field conditions over the moments from `start` up to `end` (exclusive), any month."""
        return Filter(None, None, self.where, start, end)

    def previous(self, first_data_month: str | None = None) -> Filter | None:
        """Return the same conditions over the period of the same length just before, or None.

        None without both bounds, and when `first_data_month` is given and the previous period would start
        before it: a comparison against a period the data covers only in part would mislead.
        """
        period = self.period
        if period is None:
            return None
        before = period.previous()
        if first_data_month is not None and before.first < Month.parse(first_data_month):
            return None
        return self.over(before)

    def only(self, fld: str, value: str) -> Filter:
        """Return the filter with one field narrowed to a single value (replacing that field's condition)."""
        return replace(self, where=tuple((k, v) for k, v in self.where if k != fld) + ((fld, (value,)),))

    def values(self, fld: str) -> tuple[str, ...]:
        """Return every value the filter allows for one field (empty when it sets none)."""
        return self.conditions().get(fld, ())

    def conditions(self) -> dict[str, tuple[str, ...]]:
        """Return the field conditions merged per field, in first-mention order, empty value lists dropped."""
        merged: dict[str, list[str]] = {}
        for fld, vals in self.where:
            for v in ((vals,) if isinstance(vals, str) else vals):  # a lone string is one value, not characters
                if v not in merged.setdefault(fld, []):
                    merged[fld].append(v)
        return {k: tuple(v) for k, v in merged.items() if v}

    def describe(self) -> str:
        """Return the filter in words, e.g. '2025-01 to 2025-06 · channel = phone, chat'."""
        if self.period_from and self.period_to:
            period = self.period_from if self.period_from == self.period_to else f"{self.period_from} to {self.period_to}"
        elif self.period_from:
            period = f"from {self.period_from}"
        elif self.period_to:
            period = f"up to {self.period_to}"
        else:
            period = "all months"
        if self.start or self.end:
            span = " to ".join(x.strftime("%Y-%m-%d %H:%M") for x in (self.start, self.end) if x)
            period = span if period == "all months" else f"{period} · {span}"
        return " · ".join([period] + [f"{k} = {', '.join(v)}" for k, v in self.conditions().items()])


def scope_pairs(text: str | None) -> list[tuple[str, str]]:
    """Return an action scope such as '所属班组=售后组; 渠道=电话' as (canonical field, value as written) pairs."""
    out: list[tuple[str, str]] = []
    fld = ""
    for cond in _SCOPE_SPLIT.split(str(text or "")):
        if not cond.strip():
            continue
        parts = _EQUALS.split(cond, maxsplit=1)
        if len(parts) == 1 and fld:
            # "渠道=电话、在线客服": a bare value after a condition is one more value of that field.
            out.append((fld, cond.strip()))
            continue
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise InputRefused(f"The scope condition {cond.strip()!r} is not FIELD=VALUE.",
                               "Write the scope like team=售后组 or 渠道=电话; separate conditions with ';'.")
        fld = field_name(parts[0])
        out.append((fld, parts[1].strip()))
    return out


def parse_scope(text: str | None) -> dict[str, list[str]]:
    """Return an action scope such as '所属班组=售后组; 渠道=电话' as {field: [canonical values]}."""
    out: dict[str, list[str]] = {}
    for fld, raw in scope_pairs(text):
        value = raw
        if fld in RAW_FIELDS:
            value = canonical_value(TICKETS.field(fld), raw) or raw
        if value not in out.setdefault(fld, []):
            out[fld].append(value)
    return out


def _condition(fld: str, expr: str, raw_expr: str | None, values: tuple[str, ...],
               params: list[object]) -> str:
    """Return one field's SQL condition, appending its bound values to params."""
    ftype = _field_type(fld)
    if ftype == "bool":
        flags = [b for b in (bool_value(v) for v in values) if b is not None]
        if not flags:
            return "FALSE"
        params.extend(flags)
        return f"({expr}) IN ({', '.join('?' for _ in flags)})"
    marks = ", ".join("?" for _ in values)
    if ftype in ("timestamp", "date"):
        # created_at=2025-03-07 means that day: match the value's text by prefix.
        params.extend(values)
        return "(" + " OR ".join(f"starts_with(CAST({expr} AS VARCHAR), ?)" for _ in values) + ")"
    if ftype in ("int", "float"):
        params.extend(values)
        return f"CAST({expr} AS VARCHAR) IN ({marks})"
    params.extend(values)
    if raw_expr is None:
        return f"({expr}) IN ({marks})"
    params.extend(values)
    return f"(({expr}) IN ({marks}) OR ({raw_expr}) IN ({marks}))"


@dataclass(frozen=True)
class Where:
    """A filter bound for one record kind: the SQL condition, its parameters in order, and the filter in words."""

    sql: str
    params: tuple[object, ...]
    description: str

    @property
    def part(self) -> tuple[str, list[object]]:
        """Return (sql, params) as a query template's bound fragment."""
        return self.sql, list(self.params)


def _period_parts(f: Filter, month_expr: str, params: list[object]) -> list[str]:
    """Return the SQL conditions of a filter's period and window, appending their bound values to params."""
    parts: list[str] = [f"({month_expr}) IS NOT NULL"]
    if f.period_from:
        parts.append(f"({month_expr}) >= ?")
        params.append(Month.parse(f.period_from, "from").start)
    if f.period_to:
        parts.append(f"({month_expr}) < ?")
        params.append(Month.parse(f.period_to, "to").end)
    for bound, op in ((f.start, ">="), (f.end, "<")):
        if bound is not None:
            parts.append(f"({month_expr}) {op} ?")
            params.append(bound)
    return parts


def _field_parts(f: Filter, dims: Mapping[str, str], params: list[object]) -> list[str]:
    """Return the SQL conditions of a filter's fields, appending their bound values to params."""
    parts: list[str] = []
    for fld, values in f.conditions().items():
        if fld not in WHERE_FIELDS:
            raise InputRefused(f"Unknown filter field {fld!r}.", f"Use one of: {', '.join(WHERE_FIELDS)}.")
        if fld not in dims:
            parts.append("FALSE")
            continue
        parts.append(_condition(fld, dims[fld], dims.get(f"{fld}_raw"), values, params))
    return parts


def build_where(f: Filter, dims: Mapping[str, str], month_expr: str) -> Where:
    """Return the Where of a filter for one record kind.

    `dims` maps filter fields to SQL expressions of that kind (an allow-list); `<field>_raw` keys give the
    raw-label expression. A field the kind lacks makes the condition FALSE, so the figure shows no data
    instead of silently ignoring the filter. `month_expr` is the SQL timestamp or date that puts a record
    in its month; the record is left out when it is NULL.
    """
    params: list[object] = []
    parts = _period_parts(f, month_expr, params) + _field_parts(f, dims, params)
    return Where(" AND ".join(parts), tuple(params), f.describe())


def build_where_outside(f: Filter, dims: Mapping[str, str], month_expr: str) -> Where:
    """Return the Where of the records in the filter's period that do NOT match its field conditions.

    The complement of an action's scope, its comparison group (SPEC §4c): the fields' condition is negated
    as `NOT coalesce((...), false)`, so a record whose scope field is NULL counts as not matching, and a field
    the kind lacks (FALSE in build_where) lets every record of the period in. A filter without field
    conditions matches everything, so its complement is empty (FALSE). Values are bound as in build_where.
    """
    params: list[object] = []
    parts = _period_parts(f, month_expr, params)
    fields = _field_parts(f, dims, params)
    parts.append(f"NOT coalesce(({' AND '.join(fields)}), false)" if fields else "FALSE")
    scope = " · ".join(f"{k} = {', '.join(v)}" for k, v in f.conditions().items())
    period = Filter(f.period_from, f.period_to, (), f.start, f.end).describe()
    return Where(" AND ".join(parts), tuple(params), f"{period} · not ({scope})" if scope else f"{period} · nothing")
