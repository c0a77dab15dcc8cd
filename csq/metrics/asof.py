"""The data's "as of" moment of SPEC §3: the latest timestamp in the tickets, which decides breaches."""
from __future__ import annotations

import os
from datetime import datetime

from csq.store import Store

_AS_OF: dict[tuple[str, int, int], datetime | None] = {}
_AS_OF_KEEP = 64


def store_key(store: Store) -> tuple[str, int, int]:
    """Return (path, inode, data version): what names one state of one store across this process's caches."""
    try:
        inode = os.stat(store.path).st_ino   # a store made again at the same path starts its version again
    except OSError:
        inode = -1
    return str(store.path), inode, store.data_version()


def as_of(store: Store) -> datetime | None:
    """Return the latest timestamp in the current tickets (None when there are none).

    Kept per (store, data version): every import, rollback, purge and settings change bumps the version, and a
    page asks many times per run; at ten million tickets each answer is a scan of four columns.
    """
    key = store_key(store)
    if key in _AS_OF:
        return _AS_OF[key]
    value = store.scalar(
        "SELECT max(greatest(created_at, first_response_at, resolved_at, closed_at)) FROM tickets_current")
    moment = value if isinstance(value, datetime) else None
    if len(_AS_OF) >= _AS_OF_KEEP:
        _AS_OF.clear()
    _AS_OF[key] = moment
    return moment
