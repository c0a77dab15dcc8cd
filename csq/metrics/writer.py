"""The one way to change a store: open it for writing for one unit of work, then bring what readers use up to date.

SPEC §9: a writer (a CLI import, rollback or settings import, `watch`, the Import and Settings pages, an
action edit) holds DuckDB's write lock only while it writes. On the way out, when the data version moved, the
writer rebuilds the ticket facts, so that readers (read-only commands, the dashboard) find them current.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from csq.metrics.facts import refresh
from csq.store import Store, open_store


@contextmanager
def writing(path: Path | str) -> Iterator[Store]:
    """Yield the store at `path` open for writing; on the way out, refresh its facts if its data changed, and close it.

    Only when the work changed the data (its version moved): a refused import leaves the file as it was.
    """
    store = open_store(Path(path))
    before = store.data_version()
    try:
        yield store
    finally:
        try:
            if store.data_version() != before:
                refresh(store)
        finally:
            store.close()
