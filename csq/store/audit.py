"""The audit log (SPEC §5, §8): reading it with filters, exporting it, and recording sign-ins. Append-only."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import duckdb
import pyarrow as pa

from csq.store.connection import Store, current_user


def write(cur: duckdb.DuckDBPyConnection, action: str, target: str | None,
          details: dict[str, object] | None = None, user: str | None = None) -> None:
    """Append one entry to the audit log inside the caller's transaction."""
    cur.execute(
        "INSERT INTO audit_log (logged_at, user_name, action, target, details) VALUES (?, ?, ?, ?, ?)",
        [datetime.now().replace(microsecond=0), user or current_user(), action, target,
         json.dumps(details or {}, ensure_ascii=False, default=str)])


def record_sign_in(store: Store, user: str, role: str) -> None:
    """Append a sign-in entry for `user` with the role they were given."""
    with store.transaction() as cur:
        write(cur, "sign_in", user, {"role": role}, user=user)


def entries(store: Store, since: date | None = None, until: date | None = None, user: str | None = None,
            action: str | None = None, limit: int = 5000) -> pa.Table:
    """Return audit entries, newest first, filtered by day range (inclusive), user and action."""
    where, params = ["TRUE"], []
    if since is not None:
        where.append("logged_at >= ?")
        params.append(datetime.combine(since, datetime.min.time()))
    if until is not None:
        where.append("logged_at < ?")
        params.append(datetime.combine(until + timedelta(days=1), datetime.min.time()))
    if user:
        where.append("user_name = ?")
        params.append(user)
    if action:
        where.append("action = ?")
        params.append(action)
    params.append(int(limit))
    return store.arrow(
        "SELECT id, logged_at, user_name, action, target, details FROM audit_log "
        f"WHERE {' AND '.join(where)} ORDER BY logged_at DESC, id DESC LIMIT ?", params)


def choices(store: Store) -> tuple[list[str], list[str]]:
    """Return the distinct users and actions in the log, for the filters."""
    users = [r[0] for r in store.rows("SELECT DISTINCT user_name FROM audit_log ORDER BY 1")]
    actions = [r[0] for r in store.rows("SELECT DISTINCT action FROM audit_log ORDER BY 1")]
    return users, actions
