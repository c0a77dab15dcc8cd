"""Schema migrations: the numbered SQL files in csq/store/schema, applied in order, each in one transaction."""
from __future__ import annotations

import re
from datetime import datetime
from importlib import resources
from pathlib import Path

import duckdb

from csq.store.connection import Store
from csq.store.files import owner_only, tighten_store_files

_FILE = re.compile(r"^(\d{4})_(.+)\.sql$")


def migration_files() -> list[tuple[int, str, str]]:
    """Return (version, name, sql) for every migration file, in order."""
    out = []
    for entry in resources.files(__package__).joinpath("schema").iterdir():
        m = _FILE.match(entry.name)
        if m:
            out.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    return sorted(out)


def latest_version() -> int:
    """Return the version of the newest migration file."""
    return migration_files()[-1][0]


def needs_migration(db: Path) -> bool:
    """Return True when the store file exists but is behind the newest migration (False while a writer holds it)."""
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.IOException:
        return False  # locked by a writer: the read-only open reports it
    try:
        current = con.execute("SELECT max(version) FROM schema_version").fetchall()[0][0]
    except duckdb.CatalogException:
        current = None
    finally:
        con.close()
    return current != latest_version()


def migrate(store: Store) -> list[int]:
    """Apply pending migrations in order, each in its own transaction; return the versions applied."""
    with owner_only():  # a migration's commit may write a new .wal: owner-only from the start
        applied = _apply_pending(store)
    tighten_store_files(store.path)
    return applied


def _apply_pending(store: Store) -> list[int]:
    """Apply every migration the store lacks, each in its own transaction; return the versions applied."""
    cur = store.cursor()
    cur.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                "name VARCHAR, applied_at TIMESTAMP)")
    done = {r[0] for r in cur.execute("SELECT version FROM schema_version").fetchall()}
    applied = []
    for version, name, sql in migration_files():
        if version in done:
            continue
        cur.execute("BEGIN TRANSACTION")
        try:
            cur.execute(sql)
            cur.execute("INSERT INTO schema_version VALUES (?, ?, ?)", [version, name, datetime.now()])
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        cur.execute("COMMIT")
        applied.append(version)
    cur.close()
    return applied
