"""Retention (SPEC §8): an admin purges records older than a date, or one batch's archived raw file.

A purge destroys data for good, so it is the one write that removes rows instead of versioning them.
It states exactly what it removed, in its result and in the audit log, and runs in one transaction.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from csq.core.roles import require
from csq.core.sqlident import ident
from csq.errors import InputRefused, NotFound
from csq.store import audit
from csq.store.connection import Store, bump_data_version

# Record table → the date that places a record in time (identifiers from this allow-list only).
DATED: dict[str, str] = {
    "tickets": "created_at",
    "surveys": "coalesce(responded_at, sent_at)",
    "servqual": "responded_at",
    "qa": "evaluated_at",
    "training": "assessed_at",
    "actions": "coalesce(completed_at, due_date, start_date)",
    "ticket_events": "event_at",
    "callbacks": "coalesce(called_at, CAST(planned_for AS TIMESTAMP))",   # personal data: purged with the rest
    "qa_samples": "created_at",   # a sampled ticket goes with its ticket; the draw's own record stays
}


def _check(role: str) -> None:
    """Raise NotAllowed unless the role may purge (admin)."""
    require(role, "purge")


def purge_preview(store: Store, before: date) -> dict[str, int]:
    """Return how many stored rows (every version) of each kind are dated before `before`."""
    cutoff = datetime.combine(before, datetime.min.time())
    return {kind: int(store.scalar(f"SELECT count(*) FROM {ident(kind)} WHERE {expr} < ?", [cutoff]) or 0)
            for kind, expr in DATED.items()}


def purge_before(store: Store, before: date, role: str, user: str | None = None) -> dict[str, int]:
    """Delete every version of every record dated before `before`; return the rows removed per kind."""
    _check(role)
    if before > date.today():
        raise InputRefused(f"The purge date {before} is in the future.", "Choose a date on or before today.")
    cutoff = datetime.combine(before, datetime.min.time())
    removed: dict[str, int] = {}
    with store.transaction() as cur:
        for kind, expr in DATED.items():
            removed[kind] = int(cur.execute(f"DELETE FROM {ident(kind)} WHERE {expr} < ?", [cutoff]).fetchall()[0][0])
        audit.write(cur, "purge_records", f"before {before.isoformat()}", {"removed": removed}, user=user)
        bump_data_version(cur)
    return removed


def purge_raw_file(store: Store, batch_id: int, role: str, user: str | None = None) -> dict[str, object]:
    """Delete one batch's archived raw file; return its path and size. The batch's records stay."""
    _check(role)
    row = store.rows("SELECT raw_path FROM batches WHERE batch_id = ?", [batch_id])
    if not row:
        raise NotFound(f"There is no batch {batch_id}.", "Pick a batch from the import history.")
    raw = row[0][0]
    if not raw:
        raise NotFound(f"Batch {batch_id} has no archived raw file (already purged, or imported without one).",
                       "Nothing to purge.")
    path = Path(raw)
    size = path.stat().st_size if path.exists() else 0
    with store.transaction() as cur:
        cur.execute("UPDATE batches SET raw_path = NULL WHERE batch_id = ?", [batch_id])
        audit.write(cur, "purge_raw_file", f"batch {batch_id}", {"path": str(path), "bytes": size}, user=user)
        # Unlinked inside the transaction: if it fails, the batch keeps pointing at the file still there.
        path.unlink(missing_ok=True)
    return {"batch_id": batch_id, "path": str(path), "bytes": size}
