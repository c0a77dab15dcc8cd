"""The Parquet snapshot of a store that another engine reads: one file per table, one folder per data version.

A table is exported the first time a query reads it, streamed from DuckDB in record batches, written beside
its final name and renamed into place, so a reader never sees half a file. The folder is named for the store
(its path and inode), its data version, the ticket facts' layout and the tables' columns: every import,
rollback, purge and settings change bumps the data version, so a snapshot is never read for data it does
not hold, and folders of older versions of the same store are removed when a newer one is made.

The files hold the store's personal fields (customer name and phone), so folder and files are owner-only,
as the store is. The root is $CSQ_SNAPSHOTS, else `csq-snapshots` in the system's temporary folder.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

from csq.core.sqlident import ident
from csq.metrics.asof import store_key
from csq.metrics.facts import LAYOUT
from csq.store import Store
from csq.store.files import owner_only

_VERSION = re.compile(r"^v(\d+)-")
_BATCH_ROWS = 256_000


def snapshot_root() -> Path:
    """Return the folder that holds every store's snapshots ($CSQ_SNAPSHOTS, else the temporary folder's)."""
    return Path(os.environ.get("CSQ_SNAPSHOTS") or Path(tempfile.gettempdir()) / "csq-snapshots")


class Snapshot:
    """The Parquet files of one store at its current data version; `path(name)` exports a table when first asked."""

    def __init__(self, store: Store, root: Path | None = None) -> None:
        self.store = store
        path, inode, version = store_key(store)
        columns = store.rows("SELECT table_name, column_name, data_type FROM information_schema.columns "
                             "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position")
        self.tables = frozenset(str(r[0]) for r in columns)
        shape = hashlib.sha256(repr(columns).encode()).hexdigest()[:12]
        self.store_folder = (root or snapshot_root()) / hashlib.sha256(f"{path}\0{inode}".encode()).hexdigest()[:16]
        self.version = version
        self.folder = self.store_folder / f"v{version}-layout{LAYOUT}-{shape}"

    def path(self, name: str) -> str:
        """Return the Parquet file of table or view `name` at this data version, exported first if missing."""
        if name not in self.tables:
            raise KeyError(name)
        file = self.folder / f"{name}.parquet"
        if not file.exists():
            self._export(name, file)
        return str(file)

    def _export(self, name: str, file: Path) -> None:
        """Write one table to its Parquet file (streamed, then renamed into place); return nothing."""
        with owner_only():
            if not self.folder.exists():
                self.folder.mkdir(parents=True, exist_ok=True)
                self._drop_older()
            cur = self.store.cursor()
            part = file.with_name(f".{file.name}.{os.getpid()}")
            try:
                reader = cur.sql(f"SELECT * FROM {ident(name)}").to_arrow_reader(_BATCH_ROWS)
                with pq.ParquetWriter(part, reader.schema) as writer:
                    for batch in reader:
                        writer.write_batch(batch)
                os.replace(part, file)
            finally:
                cur.close()
                part.unlink(missing_ok=True)

    def _drop_older(self) -> None:
        """Remove this store's snapshot folders of older data versions; return nothing."""
        for sibling in self.store_folder.iterdir():
            m = _VERSION.match(sibling.name)
            if sibling.is_dir() and m and int(m.group(1)) < self.version:
                shutil.rmtree(sibling, ignore_errors=True)
