"""The store: the DuckDB file, its schema, settings, import batches, the audit log and retention.

`open_store` is the one way in: it opens (and creates) the file, brings its schema up to date and seeds the
SPEC §4 defaults into a new or newly migrated store. A read-write open also makes the store's files
owner-only (csq.store.files) and settles the raw archive (csq.store.archive.tidy).
"""
from __future__ import annotations

from pathlib import Path

from csq.store.archive import tidy
from csq.store.connection import Store, connect, default_db_path
from csq.store.files import make_store_folder, tighten_store
from csq.store.migrations import migrate, needs_migration
from csq.store.settings import seed_defaults

__all__ = ["Store", "default_db_path", "open_store"]


def open_store(path: Path | str | None = None, read_only: bool = False, wait: float | None = None) -> Store:
    """Return an open, migrated Store; a read-only open of a missing or outdated store opens it for writing first.

    `wait` is how long to wait while another process holds the file (default $CSQ_LOCK_TIMEOUT).
    """
    db = Path(path) if path is not None else default_db_path()
    if read_only and (not db.exists() or needs_migration(db)):
        open_store(db, read_only=False, wait=wait).close()
    created_folder = make_store_folder(db) if not read_only else False
    store = Store(db, connect(db, read_only, wait), read_only)
    if read_only:
        return store
    try:
        tighten_store(db, created_folder)
        if migrate(store):
            seed_defaults(store)
        tidy(store)
    except BaseException:
        store.close()
        raise
    return store
