"""The one way to change a store, and the one way for the dashboard to read it without holding its lock (SPEC §9).

A writer (a CLI import, rollback or settings import, `watch`, the Import and Settings pages, an action edit)
holds DuckDB's write lock only while it works, waiting for it up to $CSQ_LOCK_TIMEOUT when another writer has
it. On the way out, when the data version moved, it rebuilds the ticket facts, so that readers find them
current, and, once any reader has asked for one, publishes a read-only copy of the store (csq.store.published).
The dashboard reads only those copies: each rerun opens the newest, so it sees new data at its next rerun and
never a mix of before and after.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from csq.errors import StoreBusy
from csq.metrics.facts import refresh
from csq.store import Store, open_store, published
from csq.store.connection import claim_note, release_note
from csq.store.published import Snapshot

_PUBLISHING = threading.Lock()  # the sessions of one dashboard process publish one copy, not one each


@contextmanager
def writing(path: Path | str, what: str = "", *, publish: bool = False, wait: float | None = None
            ) -> Iterator[Store]:
    """Yield the store at `path` open for writing; on the way out refresh its facts and publish it if it changed.

    `what` says in another writer's busy message what holds the lock ("csq import"). The facts and the copy are
    made only when the work changed the store: a refused import leaves the file as it was. `publish` makes a
    copy even when nothing changed (a reader asking for its first one). `wait` is how long to wait for the lock
    (default $CSQ_LOCK_TIMEOUT).
    """
    store = open_store(Path(path), wait=wait)
    claim_note(store.path, what)
    before = store.data_version()
    try:
        yield store
    finally:
        try:
            moved = store.data_version() != before
            copy = publish or (published.active(store.path) and published.current(store.path) is None)
            if moved or copy:
                refresh(store)  # before the copy, so that readers of the copy find the facts current
            if copy:
                published.publish(store)
        finally:
            release_note(store.path)
            store.close()


def newest_copy(path: Path | str) -> Snapshot:
    """Return the published copy a reader should open now, publishing one first when the store moved without one.

    A store written by something that did not publish (an older csq, a crash between commit and copy) is found
    by its file's state and copied again. While another process writes it, the newest copy is used: that
    writer publishes when it is done.
    """
    db = Path(path)
    snap = published.current(db)  # every run of every session asks: the usual answer takes no lock
    if snap is not None:
        return snap
    with _PUBLISHING:
        snap = published.current(db)  # another session may have published while this one waited
        if snap is not None:
            return snap
        older = published.latest(db)
        try:  # with a copy in hand, do not wait: the process writing now publishes when it is done
            with writing(db, "csq dashboard (publishing a copy to read)", publish=True,
                         wait=0 if older is not None else None):
                pass
        except StoreBusy:
            if older is None:
                raise
            return older
        snap = published.latest(db)
    assert snap is not None  # just published under the lock
    return snap
