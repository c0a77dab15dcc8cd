"""What `notify` has sent, per channel (table `notifications`, migration 0009): so no alert goes out twice."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from csq.operations.alerts import Alert
from csq.store import Store
from csq.store.connection import current_user


def sent_keys(store: Store, channel: str) -> set[tuple[str, str, str]]:
    """Return the (indicator, month, kind) keys already sent on `channel`."""
    return {(r[0], r[1], r[2]) for r in store.rows(
        "SELECT indicator, month, kind FROM notifications WHERE channel = ?", [channel])}


def record(store: Store, channel: str, alerts: Sequence[Alert], user: str | None = None) -> None:
    """Record in one transaction that `alerts` went out on `channel` (after the send succeeded); return nothing.

    A report sent again on request (--quarter) keeps one row, with the newer time.
    """
    now = datetime.now().replace(microsecond=0)
    with store.transaction() as cur:
        for a in alerts:
            cur.execute("INSERT INTO notifications VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
                        "(indicator, month, kind, channel) DO UPDATE SET sent_at = excluded.sent_at, "
                        "user_name = excluded.user_name, detail = excluded.detail",
                        [a.indicator, a.month, a.kind, channel, now, user or current_user(), a.text])
