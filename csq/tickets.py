"""Ticket-level queries for the Monitoring page: SLA breaches, overdue tickets, compliance, masking, CSV."""
from __future__ import annotations

import io
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from csq.errors import InputRefused
from csq.fields import CHANNELS, PRIORITIES, TYPES
from csq.filters import Filter, build_where, ticket_dims
from csq.indicators import GROUP_FIELDS, INDICATORS, compute
from csq.sla import as_of, limits_sql
from csq.sql import arrow, render
from csq.store import Store

BOM = b"\xef\xbb\xbf"
BREACH_KINDS: tuple[str, ...] = ("any", "first_response", "resolution")
COMPLIANCE_GROUPS: dict[str, tuple[str, ...]] = {
    "priority": PRIORITIES, "type": TYPES, "channel": CHANNELS, "team": ()}

# ---- masking: (minimum length, characters kept at the start, characters kept at the end), longest first.
# A one-character value is fully starred: keeping it would show the whole value. Phone numbers shorter
# than a mobile number (landlines, extensions) keep less, so most of their digits stay hidden.
_PHONE_TIERS = ((11, 3, 4), (7, 2, 2), (3, 1, 1), (2, 1, 0), (0, 0, 0))
_NAME_TIERS = ((2, 1, 0), (0, 0, 0))
_ID_TIERS = ((5, 2, 2), (2, 1, 0), (0, 0, 0))
MASKED_COLUMNS: dict[str, tuple[tuple[int, int, int], ...]] = {
    "customer_phone": _PHONE_TIERS, "customer_name": _NAME_TIERS, "customer_id": _ID_TIERS}


def _mask(v: object, tiers: Sequence[tuple[int, int, int]]) -> str | None:
    """Return v with everything but the tier's head and tail characters replaced by '*'."""
    if v is None:
        return None
    s = str(v)
    for min_len, head, tail in tiers:
        if len(s) >= min_len:
            return s[:head] + "*" * (len(s) - head - tail) + (s[len(s) - tail:] if tail else "")
    return s  # unreachable: the last tier matches any length


def mask_phone(v: str | None) -> str | None:
    """Return a phone number with its middle starred ('13812345678' -> '138****5678', 'ab' -> 'a*')."""
    return _mask(v, _PHONE_TIERS)


def mask_name(v: object) -> str | None:
    """Return a name with all but its first character starred ('张三丰' -> '张**')."""
    return _mask(v, _NAME_TIERS)


def mask_id(v: object) -> str | None:
    """Return an id with its first 2 and last 2 characters kept ('C1234567' -> 'C1****67'); <= 4 chars keep 1."""
    return _mask(v, _ID_TIERS)


def _mask_array(col: pa.ChunkedArray | pa.Array, tiers: Sequence[tuple[int, int, int]]) -> pa.ChunkedArray:
    """Return the column masked like _mask, computed on whole arrays (nulls stay null)."""
    s = pc.cast(col, pa.string())
    length = pc.utf8_length(s)
    empty = pa.scalar("", pa.string())
    out = None
    for min_len, head, tail in reversed(tiers):  # shortest first, so each longer tier overrides it
        stars = pc.binary_repeat("*", pc.max_element_wise(pc.subtract(length, head + tail), 0))
        start = pc.utf8_slice_codeunits(s, 0, head) if head else pc.if_else(pc.is_null(s), s, empty)
        end = pc.utf8_slice_codeunits(s, -tail) if tail else pc.if_else(pc.is_null(s), s, empty)
        masked = pc.binary_join_element_wise(start, stars, end, "")
        out = masked if out is None else pc.if_else(pc.greater_equal(length, min_len), masked, out)
    return out if isinstance(out, pa.ChunkedArray) else pa.chunked_array([out], pa.string())


def mask_columns(t: pa.Table, names: dict[str, str], unmask: bool = False) -> pa.Table:
    """Return the table with the columns named for customer_phone/name/id in `names` masked like mask_table."""
    if unmask:
        return t
    for field, tiers in MASKED_COLUMNS.items():
        name = names.get(field)
        if name and name in t.column_names:
            i = t.column_names.index(name)
            t = t.set_column(i, pa.field(name, pa.string()), _mask_array(t.column(i), tiers))
    return t


def mask_table(t: pa.Table, unmask: bool = False) -> pa.Table:
    """Return the table with customer_phone, customer_name and customer_id masked (unchanged when unmask)."""
    if unmask:
        return t
    for name, tiers in MASKED_COLUMNS.items():
        if name in t.column_names:
            i = t.column_names.index(name)
            t = t.set_column(i, pa.field(name, pa.string()), _mask_array(t.column(i), tiers))
    return t


# ---- SLA queries

def _sla_part(store: Store, f: Filter) -> tuple[str, list[object]]:
    """Return ticket_sla.sql filled in for filter f: a bound subquery of every ticket and its overrun."""
    where, params, _ = build_where(f, ticket_dims("t"), "t.created_at")
    return render("ticket_sla", limits=limits_sql(), as_of=("?", [as_of(store)]), where=(where, params))


# Allow-lists of (row condition, overrun expression) per list; overrun is in microseconds.
_LISTS: dict[str, tuple[str, str]] = {
    "any": ("(frt_over_us > 0 OR res_over_us > 0)",
            "greatest(CASE WHEN frt_over_us > 0 THEN frt_over_us END, CASE WHEN res_over_us > 0 THEN res_over_us END)"),
    "first_response": ("frt_over_us > 0", "frt_over_us"),
    "resolution": ("res_over_us > 0", "res_over_us"),
    "overdue": ("resolved_at IS NULL AND res_over_us > 0", "res_over_us"),
}


def _ticket_list(store: Store, f: Filter, which: str, limit: int) -> pa.Table:
    """Return one of the _LISTS as an Arrow table, worst overrun first."""
    if not isinstance(limit, int) or limit < 0:
        raise InputRefused(f"The row limit {limit!r} is not a whole number >= 0.", "Pass e.g. limit=5000.")
    condition, overdue = _LISTS[which]
    sql, params = render("ticket_list", sla=_sla_part(store, f), overdue=overdue, condition=condition)
    return arrow(store, sql, [*params, limit])


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
    sql, params = render("ticket_compliance", sla=_sla_part(store, f), group=f"s.{by}",
                         order=("CAST(? AS VARCHAR[])", [list(COMPLIANCE_GROUPS[by])]))
    return arrow(store, sql, params)


def heatmap(store: Store, f: Filter, key: str, row: str = "team") -> pa.Table:
    """Return indicator `key` by `row` × month as a long table: <row>, month, value, n."""
    if key not in INDICATORS:
        raise InputRefused(f"Unknown indicator {key!r}.", f"Use any of: {', '.join(INDICATORS)}.")
    if row not in GROUP_FIELDS or row == "month":
        raise InputRefused(f"Cannot build a heat-map by {row!r}.",
                           f"Use one of: {', '.join(g for g in GROUP_FIELDS if g != 'month')}.")
    rows = compute(store, f, by=[row, "month"], indicators=[key])
    return pa.table({
        row: pa.array([r[row] for r in rows], pa.string()),
        "month": pa.array([r["month"] for r in rows], pa.string()),
        "value": pa.array([None if r[key] is None else float(r[key]) for r in rows], pa.float64()),
        "n": pa.array([r["n"][key] for r in rows], pa.int64()),
    })


def to_csv_bytes(t: pa.Table) -> bytes:
    """Return the table as UTF-8 CSV with a BOM (so Excel reads Chinese), timestamps as 'YYYY-MM-DD HH:MM:SS'."""
    for i, fld in enumerate(t.schema):
        if pa.types.is_timestamp(fld.type):
            # Arrow would write microseconds, which Excel shows as text; whole seconds read as dates.
            secs = pc.cast(t.column(i), pa.timestamp("s"), safe=False)
            t = t.set_column(i, pa.field(fld.name, pa.string()), pc.strftime(secs, "%Y-%m-%d %H:%M:%S"))
    buf = io.BytesIO()
    pacsv.write_csv(t, buf)
    return BOM + buf.getvalue()


def sla_rows(store: Store, f: Filter, by: str, lang: str) -> list[dict[str, object]]:
    """Return SLA compliance by `by` as display rows: translated group, both rates formatted, and their n."""
    from csq.format import format_value
    from csq.i18n import t, value_label

    rows = sla_compliance(store, f, by).to_pylist()
    return [{t(by, lang): value_label(by, r["group"], lang),
             t("first_response", lang): format_value("frt_sla_rate", r["frt_rate"], lang),
             f"n ({t('first_response', lang)})": f"{r['frt_met'] + r['frt_breached']:,}",
             t("resolution", lang): format_value("resolution_sla_rate", r["res_rate"], lang),
             f"n ({t('resolution', lang)})": f"{r['res_met'] + r['res_breached']:,}"} for r in rows]


def ticket_list(store: Store, f: Filter, which: str, unmask: bool) -> pa.Table:
    """Return the breached or overdue tickets, masked unless `unmask` (a cache-key argument, so roles never mix)."""
    table = sla_breaches(store, f) if which == "breached" else overdue_open(store, f)
    return mask_table(table, unmask=unmask)


def display_table(table: pa.Table, lang: str) -> pa.Table:
    """Return a ticket Arrow table with translated headers, canonical values and breach kinds, for display."""
    from csq.i18n import t, value_label

    cols, names = [], []
    for name, col in zip(table.column_names, table.columns):
        if name in ("channel", "type", "priority", "breach"):
            labels = [None if v is None else (t(f"breach_{v}", lang) if name == "breach" else value_label(name, v, lang))
                      for v in col.to_pylist()]
            col = pa.array(labels, pa.string())
        elif pa.types.is_floating(col.type):
            col = pc.round(col, 1)
        cols.append(col)
        names.append(t(name, lang))
    return pa.table(cols, names=names)
