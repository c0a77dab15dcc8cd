"""Import history for the Import page: every batch, what rolling one back would restore, and the rollback."""
from __future__ import annotations

from dataclasses import dataclass

from csq.core.kinds import KINDS
from csq.store import Store, batches


@dataclass(frozen=True)
class RollbackPlan:
    """What rolling back one batch does: rows removed, earlier versions restored (by batch), or what blocks it."""

    batch_id: int
    kind: str
    source: str
    status: str
    rows_removed: int
    rows_restored: int
    restored_from: dict[int, int]
    blocked_by: tuple[int, ...]

    @property
    def possible(self) -> bool:
        """Return True when the batch is committed and no later batch replaced its rows."""
        return self.status == "committed" and not self.blocked_by


def history_rows(store: Store) -> list[dict[str, object]]:
    """Return every batch, newest first, with time, user, file, kind, status and counts."""
    return [{"batch_id": b.batch_id, "created_at": b.created_at, "user": b.user_name, "file": b.source,
             "kind": b.kind, "status": b.status, "rows_read": b.rows_read, "rows_loaded": b.rows_loaded,
             "rows_replaced": b.rows_replaced, "rows_collapsed": b.rows_collapsed,
             "rows_rejected": b.rows_rejected, "rolled_back_at": b.rolled_back_at}
            for b in batches.list_batches(store)]


def rollback_plan(store: Store, batch_id: int) -> RollbackPlan:
    """Return what a rollback of the batch would remove and restore, and any later batch that blocks it."""
    b = batches.get_batch(store, batch_id)
    table = KINDS[b.kind].table  # identifier from the allow-list of kinds
    counts = batches.rollback_preview(store, batch_id)
    restored = {int(r[0]): int(r[1]) for r in store.rows(
        f"SELECT _batch_id, count(*) FROM {table} WHERE _superseded_by = ? GROUP BY 1 ORDER BY 1", [batch_id])}
    blocked = tuple(int(r[0]) for r in store.rows(
        f"SELECT DISTINCT _superseded_by FROM {table} WHERE _batch_id = ? AND _superseded_by IS NOT NULL "
        "ORDER BY 1", [batch_id]))
    return RollbackPlan(batch_id, b.kind, b.source, b.status, counts["rows_removed"], counts["rows_restored"],
                        restored, blocked)


def rollback(store: Store, batch_id: int, *, role: str, user: str | None = None) -> dict[str, int]:
    """Roll back one batch exactly (role checked in csq.batches, audited); return rows removed and restored."""
    return batches.rollback(store, batch_id, user=user, role=role)
