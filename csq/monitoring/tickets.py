"""Ticket-level queries for the Monitoring page: SLA breaches, overdue tickets, compliance, masking, CSV."""
from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from csq.core.exports import localised_csv_bytes, relabel, to_csv_bytes
from csq.core.i18n import fmt_duration, t, value_label
from csq.core.kinds import CHANNELS, PRIORITIES, TYPES
from csq.core.privacy import mask_table
from csq.errors import InputRefused
from csq.metrics.asof import as_of
from csq.metrics.dimensions import ticket_dims
from csq.metrics.display import format_value
from csq.metrics.engine import compute
from csq.metrics.facts import ticket_clock
from csq.metrics.filters import Filter, build_where
from csq.metrics.indicators import GROUP_FIELDS, INDICATORS
from csq.store import Store
from csq.store.queries import SqlFiles, arrow

SQL = SqlFiles(__package__)

BREACH_KINDS: tuple[str, ...] = ("any", "first_response", "resolution")
LIST_LIMIT = 5000  # rows of a breached or overdue list on screen and in its CSV; ticket_export has them all
COMPLIANCE_GROUPS: dict[str, tuple[str, ...]] = {
    "priority": PRIORITIES, "type": TYPES, "channel": CHANNELS, "team": ()}

# ---- SLA queries

def _sla_part(store: Store, f: Filter) -> tuple[tuple[str, list[object]], dict[str, pa.Table]]:
    """Return ticket_sla.sql filled in for filter f (a bound subquery of every ticket and its overrun on its
    SLA clock), and the Arrow tables the clock reads."""
    where = build_where(f, ticket_dims("t"), "t.created_at")
    source = ticket_clock(store, where.part, as_of(store))
    part = SQL.render("ticket_sla", clock=(f"({source.part[0]})", source.part[1]))
    return part, source.register


# Allow-lists of (row condition, overrun expression) per list; overrun is in microseconds.
_LISTS: dict[str, tuple[str, str]] = {
    "any": ("(frt_over_us > 0 OR res_over_us > 0)",
            "greatest(CASE WHEN frt_over_us > 0 THEN frt_over_us END, CASE WHEN res_over_us > 0 THEN res_over_us END)"),
    "first_response": ("frt_over_us > 0", "frt_over_us"),
    "resolution": ("res_over_us > 0", "res_over_us"),
    "overdue": ("resolved_at IS NULL AND res_over_us > 0", "res_over_us"),
}


def _ticket_list(store: Store, f: Filter, which: str, limit: int | None) -> pa.Table:
    """Return one of the _LISTS as an Arrow table, worst overrun first (limit None: every row, LIMIT NULL)."""
    if limit is not None and (not isinstance(limit, int) or limit < 0):
        raise InputRefused(f"The row limit {limit!r} is not a whole number >= 0.", "Pass e.g. limit=5000.")
    condition, overdue = _LISTS[which]
    sla, register = _sla_part(store, f)
    sql, params = SQL.render("ticket_list", sla=sla, overdue=overdue, condition=condition)
    return arrow(store, sql, [*params, limit], register)


def sla_breaches(store: Store, f: Filter, kind: str = "any", limit: int = 5000) -> pa.Table:
    """Return the tickets that breached their first-response and/or resolution SLA, unmasked, worst first."""
    if kind not in BREACH_KINDS:
        raise InputRefused(f"Unknown breach kind {kind!r}.", f"Use one of: {', '.join(BREACH_KINDS)}.")
    return _ticket_list(store, f, kind, limit)


def overdue_open(store: Store, f: Filter, limit: int = 5000) -> pa.Table:
    """Return the unresolved tickets past their resolution limit as of the latest data, unmasked, worst first."""
    return _ticket_list(store, f, "overdue", limit)


def sla_compliance(store: Store, f: Filter, by: str) -> pa.Table:
    """Return per group (canonical order) the first-response and resolution SLA met, breached and rate."""
    if by not in COMPLIANCE_GROUPS:
        raise InputRefused(f"Cannot show SLA compliance by {by!r}.", f"Use one of: {', '.join(COMPLIANCE_GROUPS)}.")
    sla, register = _sla_part(store, f)
    sql, params = SQL.render("ticket_compliance", sla=sla, group=f"s.{by}",
                             order=("CAST(? AS VARCHAR[])", [list(COMPLIANCE_GROUPS[by])]))
    return arrow(store, sql, params, register)


def heatmap(store: Store, f: Filter, key: str, row: str = "team") -> pa.Table:
    """Return indicator `key` by `row` × month as a long table: <row>, month, value, n."""
    if key not in INDICATORS:
        raise InputRefused(f"Unknown indicator {key!r}.", f"Use any of: {', '.join(INDICATORS)}.")
    if row not in GROUP_FIELDS or row == "month":
        raise InputRefused(f"Cannot build a heat-map by {row!r}.",
                           f"Use one of: {', '.join(g for g in GROUP_FIELDS if g != 'month')}.")
    rows = compute(store, f, by=[row, "month"], indicators=[key])
    return pa.table({
        row: pa.array([r.group(row) for r in rows], pa.string()),
        "month": pa.array([r.group("month") for r in rows], pa.string()),
        "value": pa.array([r.value(key) for r in rows], pa.float64()),
        "n": pa.array([r.n(key) for r in rows], pa.int64()),
    })


def sla_rows(store: Store, f: Filter, by: str, lang: str) -> list[dict[str, object]]:
    """Return SLA compliance by `by` as display rows: translated group, both rates formatted, and their n."""
    rows = sla_compliance(store, f, by).to_pylist()
    return [{t(by, lang): value_label(by, r["group"], lang),
             t("first_response", lang): format_value("frt_sla_rate", r["frt_rate"], lang),
             f"n ({t('first_response', lang)})": f"{r['frt_met'] + r['frt_breached']:,}",
             t("resolution", lang): format_value("resolution_sla_rate", r["res_rate"], lang),
             f"n ({t('resolution', lang)})": f"{r['res_met'] + r['res_breached']:,}"} for r in rows]


def ticket_list(store: Store, f: Filter, which: str, unmask: bool) -> pa.Table:
    """Return the first LIST_LIMIT breached or overdue tickets, masked unless `unmask` (a cache-key argument)."""
    table = sla_breaches(store, f, limit=LIST_LIMIT) if which == "breached" else overdue_open(store, f, LIST_LIMIT)
    return mask_table(table, unmask=unmask)


def ticket_total(store: Store, f: Filter, which: str) -> int:
    """Return how many tickets the breached or overdue list holds in all, past the LIST_LIMIT rows shown."""
    sla, register = _sla_part(store, f)
    sql, params = SQL.render("ticket_count", sla=sla, condition=_LISTS[_kind(which)][0])
    return int(arrow(store, sql, params, register).column("n")[0].as_py())


def ticket_export(store: Store, f: Filter, which: str, unmask: bool, lang: str | None = None) -> bytes:
    """Return the whole breached or overdue list (no row limit) as CSV, masked exactly as ticket_list masks it.

    With `lang`, the CSV is the localised export (csq.core.exports.localised_csv_bytes); without, raw codes.
    """
    table = mask_table(_ticket_list(store, f, _kind(which), None), unmask=unmask)
    return to_csv_bytes(table) if lang is None else localised_csv_bytes(table, lang)


def _kind(which: str) -> str:
    """Return the _LISTS key of a page list (breached: any breach; overdue), or raise InputRefused."""
    if which not in ("breached", "overdue"):
        raise InputRefused(f"Unknown ticket list {which!r}.", "Use breached or overdue.")
    return "any" if which == "breached" else "overdue"


# Columns of minutes or hours, shown in the unit their size calls for (fmt_duration takes minutes).
_DURATIONS: dict[str, float] = {"frt_limit_min": 1.0, "res_limit_min": 1.0, "frt_minutes": 1.0, "res_hours": 60.0,
                                "overdue_by_h": 60.0}


def _display_column(name: str, col: pa.ChunkedArray, lang: str) -> pa.Array | pa.ChunkedArray:
    """Return one column as shown: labels for canonical values and breach kinds, durations with their unit."""
    if name in ("channel", "type", "priority", "breach"):
        return relabel(col, lambda v: t(f"breach_{v}", lang) if name == "breach" else value_label(name, v, lang))
    if name in _DURATIONS:
        return relabel(col, lambda v: fmt_duration(v * _DURATIONS[name], lang))
    return pc.round(col, 1) if pa.types.is_floating(col.type) else col


@dataclass(frozen=True)
class TicketList:
    """A breached or overdue list as read (masked) and as shown (labels, sized durations, translated headers)."""

    table: pa.Table
    shown: pa.Table


def listed(store: Store, f: Filter, which: str, unmask: bool, lang: str) -> TicketList:
    """Return the ticket list read and as shown: one cacheable step, so a rerun relabels nothing."""
    table = ticket_list(store, f, which, unmask)
    return TicketList(table, display_table(table, lang))


def display_table(table: pa.Table, lang: str) -> pa.Table:
    """Return a ticket Arrow table with translated headers, canonical values, breach kinds and sized durations."""
    return pa.table([_display_column(n, c, lang) for n, c in zip(table.column_names, table.columns)],
                    names=[t(n, lang) for n in table.column_names])


def detail_rows(record: dict[str, object], lang: str) -> list[dict[str, object]]:
    """Return one displayed ticket as (field, value) rows for the drill-down; empty values stay empty."""
    return [{t("field", lang): k, t("value", lang): "" if val is None else str(val)} for k, val in record.items()]
