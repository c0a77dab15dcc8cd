"""The audit log (SPEC §5, §8): reading it with filters, exporting it, and recording sign-ins. Append-only.

Entries are written with the server's local wall-clock time (naive); the read side shows them in the center's
timezone (the `timezone` setting) with action names and details in words (`readable`).
"""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa

from csq.core.auth import SOURCE_UNKNOWN, is_verified
from csq.core.exports import header_label
from csq.core.i18n import t, value_label
from csq.store.connection import Store, current_user, user_source


def write(cur: duckdb.DuckDBPyConnection, action: str, target: str | None,
          details: dict[str, object] | None = None, user: str | None = None) -> None:
    """Append one entry to the audit log inside the caller's transaction, with where the user's name comes from."""
    who = user or current_user()
    cur.execute(
        "INSERT INTO audit_log (logged_at, user_name, user_source, action, target, details) VALUES (?, ?, ?, ?, ?, ?)",
        [datetime.now().replace(microsecond=0), who, user_source(who), action, target,
         json.dumps(details or {}, ensure_ascii=False, default=str)])


def record_sign_in(store: Store, user: str, role: str) -> None:
    """Append a sign-in entry for `user` with the role they were given."""
    with store.transaction() as cur:
        write(cur, "sign_in", user, {"role": role}, user=user)


def to_center_time(logged: datetime, tz: str) -> datetime:
    """Return a stored (server-local, naive) time as the center's wall-clock time in `tz`, naive."""
    return logged.astimezone(ZoneInfo(tz)).replace(tzinfo=None)


def server_day_start(day: date, tz: str | None) -> datetime:
    """Return the server-local naive moment at which `day` starts in `tz` (the server's own day when None)."""
    start = datetime.combine(day, time.min)
    return start if tz is None else start.replace(tzinfo=ZoneInfo(tz)).astimezone().replace(tzinfo=None)


def entries(store: Store, since: date | None = None, until: date | None = None, user: str | None = None,
            action: str | None = None, limit: int = 5000, tz: str | None = None, sources: bool = False) -> pa.Table:
    """Return audit entries, newest first, filtered by day range (inclusive; days of `tz` when given), user, action.

    With `sources`, a last column `user_source` says where each name comes from ('unknown' for old entries).
    """
    where, params = ["TRUE"], []
    if since is not None:
        where.append("logged_at >= ?")
        params.append(server_day_start(since, tz))
    if until is not None:
        where.append("logged_at < ?")
        params.append(server_day_start(until + timedelta(days=1), tz))
    if user:
        where.append("user_name = ?")
        params.append(user)
    if action:
        where.append("action = ?")
        params.append(action)
    params.append(int(limit))
    source = f", coalesce(user_source, '{SOURCE_UNKNOWN}') AS user_source" if sources else ""
    return store.arrow(
        f"SELECT id, logged_at, user_name, action, target, details{source} FROM audit_log "
        f"WHERE {' AND '.join(where)} ORDER BY logged_at DESC, id DESC LIMIT ?", params)


def choices(store: Store) -> tuple[list[str], list[str]]:
    """Return the distinct users and actions in the log, for the filters."""
    users = [r[0] for r in store.rows("SELECT DISTINCT user_name FROM audit_log ORDER BY 1")]
    actions = [r[0] for r in store.rows("SELECT DISTINCT action FROM audit_log ORDER BY 1")]
    return users, actions


# Fields that name a row of a list-valued setting, so a before/after pair is compared row by row.
_ROW_KEYS = (("indicator",), ("channel", "type", "priority"))
_MAX_TEXT = 600  # a details text longer than this is cut (the raw export keeps the JSON whole)


def action_label(action: str, lang: str) -> str:
    """Return an audit action in words (import → 导入 / Import); an action csq does not know as it is."""
    key = "audit_a_" + action.replace(".", "_")
    label = t(key, lang)
    return action if label == key else label


def key_label(key: str, lang: str) -> str:
    """Return a details key or setting name in words: its audit text, else its column header, else the key."""
    for text_key in (f"audit_k_{key}", f"import_kind_{key}"):
        label = t(text_key, lang)
        if label != text_key:
            return label
    return header_label(key, lang)


def target_label(target: str | None, lang: str) -> str:
    """Return an entry's target in words: 'batch 7' → 批次 #7, a setting name → its label, else as written."""
    if not target:
        return ""
    head, _, rest = target.partition(" ")
    if head == "batch" and rest.isdigit():
        return t("audit_t_batch", lang, n=rest)
    if head == "before" and rest:
        return t("audit_t_before", lang, day=rest)
    return key_label(target, lang) if " " not in target else target


def _number(v: float) -> str:
    """Return a number briefly: 0.92, 15, 1,234.5 (no float noise such as 0.9200000001)."""
    if float(v).is_integer():
        return f"{int(v):,}"
    return f"{v:,.4f}".rstrip("0").rstrip(".")


def value_text(key: str, v: object, lang: str) -> str:
    """Return one details value in words: numbers brief, yes/no, canonical codes labelled, lists and objects inline."""
    if v is None or v == "":
        return "—"
    if isinstance(v, bool):
        return t("export_yes" if v else "export_no", lang)
    if isinstance(v, (int, float)):
        return _number(v)
    if isinstance(v, list):
        return "、".join(value_text(key, x, lang) for x in v) if lang == "zh" else ", ".join(
            value_text(key, x, lang) for x in v)
    if isinstance(v, dict):
        return "{" + ", ".join(f"{key_label(str(k), lang)}: {value_text(str(k), x, lang)}" for k, x in v.items()) + "}"
    text = str(v)
    if key in ("kind",):
        label = t(f"import_kind_{text}", lang)
        return text if label == f"import_kind_{text}" else label
    coded = t(f"audit_v_{key}_{text}", lang)
    return coded if coded != f"audit_v_{key}_{text}" else value_label(key, text, lang)


def _row_id(row: dict[str, object], lang: str) -> tuple[tuple[object, ...], str]:
    """Return a list row's identity and its name (the indicator, or 'channel=… · priority=…' of an SLA rule)."""
    for keys in _ROW_KEYS:
        if all(k in row for k in keys):
            ident = tuple(row[k] for k in keys)
            if keys == ("indicator",):
                return ident, str(row["indicator"])
            named = [f"{key_label(k, lang)}={value_text(k, row[k], lang)}" for k in keys if row[k] is not None]
            return ident, " · ".join(named) or t("audit_any_ticket", lang)
    return (json.dumps(row, sort_keys=True, default=str),), value_text("", row, lang)


def _changes(old: dict[str, object], new: dict[str, object], lang: str) -> str:
    """Return what differs between two objects: 'target 0.9 → 0.92; warning 0.05 → 0.03'."""
    keys = [k for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k)]
    return "; ".join(f"{key_label(k, lang)} {value_text(k, old.get(k), lang)} → {value_text(k, new.get(k), lang)}"
                     for k in keys)


def _list_changes(before: list[object], after: list[object], lang: str) -> list[str]:
    """Return one line per added, removed or changed row of a list-valued setting (targets, SLA rules)."""
    rows_b = {(i := _row_id(r, lang))[0]: (i[1], r) for r in before if isinstance(r, dict)}
    rows_a = {(i := _row_id(r, lang))[0]: (i[1], r) for r in after if isinstance(r, dict)}
    lines = []
    for ident, (name, row) in rows_a.items():
        if ident not in rows_b:
            lines.append(f"+ {name}")
        elif row != rows_b[ident][1]:
            lines.append(f"{name}: {_changes(rows_b[ident][1], row, lang)}")
    lines.extend(f"− {name}" for ident, (name, _) in rows_b.items() if ident not in rows_a)
    return lines


def describe(details: str | None, lang: str) -> str:
    """Return an entry's details JSON in words: 'csat_rate: target 0.9 → 0.92', or 'key: value · key: value'."""
    try:
        data = json.loads(details) if details else {}
    except json.JSONDecodeError:
        return str(details)
    if not isinstance(data, dict):
        return value_text("", data, lang)
    parts: list[str] = []
    if "before" in data and "after" in data:
        before, after = data["before"], data["after"]
        if isinstance(before, list) and isinstance(after, list):
            parts.extend(_list_changes(before, after, lang) or [t("audit_no_change", lang)])
        elif isinstance(before, dict) and isinstance(after, dict):
            parts.append(_changes(before, after, lang) or t("audit_no_change", lang))
        else:
            parts.append(f"{value_text('', before, lang)} → {value_text('', after, lang)}")
    rest = {k: v for k, v in data.items() if k not in ("before", "after") and v not in (None, [], {}, "")}
    parts.extend(f"{key_label(k, lang)}: {value_text(k, v, lang)}" for k, v in rest.items())
    text = " · ".join(parts)
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT - 1] + "…"


def user_label(name: str, source: str | None, lang: str) -> str:
    """Return a recorded name as shown: as it is when the provider verified it, else marked 'alice (unverified)'."""
    return name if is_verified(source) else t("audit_unverified", lang, user=name)


def any_unverified(log: pa.Table) -> bool:
    """Return True when some entry's name was asserted rather than verified (entries without sources count so)."""
    if "user_source" not in log.column_names:
        return log.num_rows > 0
    return not all(is_verified(s) for s in log.column("user_source").to_pylist())


def time_header(lang: str, tz: str) -> str:
    """Return the time column's header naming the zone: 时间（Asia/Shanghai） / Time (Asia/Shanghai)."""
    return t("audit_col_time", lang, tz=tz)


def readable(log: pa.Table, lang: str, tz: str) -> pa.Table:
    """Return entries as people read them: headers in `lang`, center-time times, actions and details in words.

    A name the identity provider did not verify is marked unverified (needs the `user_source` column; without
    it every name counts as unverified).
    """
    rows = log.to_pylist()
    return pa.table({
        t("audit_col_id", lang): pa.array([r["id"] for r in rows], pa.int64()),
        time_header(lang, tz): pa.array([to_center_time(r["logged_at"], tz) for r in rows], pa.timestamp("s")),
        t("audit_col_user", lang): pa.array([user_label(r["user_name"], r.get("user_source"), lang) for r in rows],
                                            pa.string()),
        t("audit_col_action", lang): pa.array([action_label(r["action"], lang) for r in rows], pa.string()),
        t("audit_col_target", lang): pa.array([target_label(r["target"], lang) for r in rows], pa.string()),
        t("audit_col_details", lang): pa.array([describe(r["details"], lang) for r in rows], pa.string()),
    })
