"""The callers' sheet of a quarter's plan as CSV or Excel (SPEC §4d, §10), masked to the role, and the admin's
explicit, audited export of the customers' contact data for the callers.

The sheet has the plan's columns and an empty column for each answer, under headers the callbacks import
recognises, so the callers' filled-in sheet is imported back as the results.
"""
from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from csq.callbacks.plan import Planned, stored_plan
from csq.callbacks.quarters import Quarter
from csq.core.exports import to_csv_bytes, xlsx_bytes
from csq.core.privacy import mask_table, sees_masked
from csq.core.roles import require
from csq.errors import InputRefused
from csq.store import Store, audit

FORMATS = ("csv", "xlsx")
# Headers of the sheet in each language: the Chinese ones are the callbacks kind's own aliases (re-importable).
HEADERS: dict[str, tuple[str, str]] = {
    "callback_id": ("回访编号", "callback_id"), "planned_for": ("计划回访日期", "planned_for"),
    "agent": ("工程师", "agent"), "team": ("班组", "team"), "customer_id": ("客户编号", "customer_id"),
    "customer_name": ("客户姓名", "customer_name"), "customer_phone": ("客户电话", "customer_phone"),
    "called_at": ("回访时间", "called_at"), "result": ("回访结果", "result"),
    "satisfied": ("对这段时间的服务是否满意", "satisfied"), "suggestion": ("有什么建议", "suggestion"),
    "attitude_ok": ("对工程师的态度是否满意", "attitude_ok"), "open_issue": ("还有什么遗留问题未解决", "open_issue"),
}
_ANSWERS = ("called_at", "result", "satisfied", "suggestion", "attitude_ok", "open_issue")


def plan_table(rows: Sequence[Planned], lang: str = "zh", unmask: bool = False) -> pa.Table:
    """Return the callers' sheet of planned callbacks: headers in `lang`, customers masked unless `unmask`."""
    cols = {c: [getattr(r, c) for r in rows] for c in ("callback_id", "planned_for", "agent", "team", "customer_id",
                                                         "customer_name", "customer_phone")}
    table = pa.table({**{c: pa.array(v, pa.date32() if c == "planned_for" else pa.string()) for c, v in cols.items()},
                      **{c: pa.nulls(len(rows), pa.string()) for c in _ANSWERS}})
    table = mask_table(table, unmask)
    return table.rename_columns([HEADERS[c][0 if lang == "zh" else 1] for c in table.column_names])


def file_bytes(table: pa.Table, fmt: str) -> bytes:
    """Return the sheet as CSV (UTF-8 with BOM) or .xlsx, formula-like text defused (csq.core.exports)."""
    if fmt not in FORMATS:
        raise InputRefused(f"Cannot write a {fmt!r} file.", "Write the plan as .csv or .xlsx.")
    return to_csv_bytes(table) if fmt == "csv" else xlsx_bytes(table, "回访计划")


def plan_export(rows: Sequence[Planned], fmt: str, lang: str, role: str | None) -> bytes:
    """Return the plan's download for `role` (None: the process role): personal data masked unless it may unmask."""
    return file_bytes(plan_table(rows, lang, unmask=not sees_masked(role)), fmt)


def caller_export(store: Store, quarter: str, fmt: str, lang: str, role: str | None,
                  user: str | None = None) -> bytes:
    """Return the quarter's sheet with the customers' contact data unmasked for the callers; audit who took it.

    Only a role that may see personal data (admin) may; NotAllowed otherwise, before anything is read.
    """
    require(role, "unmask")
    q = Quarter.parse(quarter)
    rows = stored_plan(store, q)
    data = file_bytes(plan_table(rows, lang, unmask=True), fmt)
    with store.transaction() as cur:
        audit.write(cur, "callbacks.export", f"callbacks {q.label}",
                    {"quarter": q.label, "format": fmt, "rows": len(rows), "unmasked": True}, user)
    return data
