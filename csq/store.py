"""The embedded DuckDB store: opening it, migrating it, and the per-query cursor."""
from __future__ import annotations

import getpass
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa

from csq.errors import CsqError, StoreBusy

DEFAULT_DB = Path("data/csq.duckdb")
_LOCK_PID = re.compile(r"PID (\d+)")


def default_db_path() -> Path:
    """Return the store path: $CSQ_DB, else data/csq.duckdb."""
    return Path(os.environ.get("CSQ_DB") or DEFAULT_DB)


def current_user() -> str:
    """Return the name recorded in the audit log for this process ($CSQ_USER or the OS user)."""
    return os.environ.get("CSQ_USER") or getpass.getuser()


def _migrations() -> list[tuple[int, str, str]]:
    """Return (version, name, sql) for every migration file, in order."""
    out = []
    for entry in resources.files("csq.migrations").iterdir():
        m = re.match(r"^(\d{4})_(.+)\.sql$", entry.name)
        if m:
            out.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    return sorted(out)


@dataclass
class Store:
    """One open DuckDB store; every query runs on its own cursor, so threads never share one."""

    path: Path
    con: duckdb.DuckDBPyConnection
    read_only: bool = False

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """Return a fresh cursor on the shared connection."""
        return self.con.cursor()

    def arrow(self, sql: str, params: object = None) -> pa.Table:
        """Return the result of a bound query as an Arrow table."""
        cur = self.cursor()
        try:
            return cur.sql(sql, params=params).to_arrow_table()
        finally:
            cur.close()

    def rows(self, sql: str, params: object = None) -> list[tuple]:
        """Return the result of a bound query as a list of tuples."""
        cur = self.cursor()
        try:
            return cur.execute(sql, params).fetchall()  # type: ignore[arg-type]
        finally:
            cur.close()

    def scalar(self, sql: str, params: object = None) -> object:
        """Return the first column of the first row of a bound query (None when empty)."""
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Yield a cursor inside one transaction: committed on success, rolled back on any error."""
        if self.read_only:
            raise CsqError("The store is open read-only.", "Open it for writing to change data.")
        cur = self.cursor()
        cur.execute("BEGIN TRANSACTION")
        try:
            yield cur
        except BaseException:
            cur.execute("ROLLBACK")
            cur.close()
            raise
        cur.execute("COMMIT")
        cur.close()

    def data_version(self) -> int:
        """Return the counter every import, rollback and settings change bumps (cache key)."""
        value = self.scalar("SELECT value FROM settings WHERE key = 'data_version'")
        return int(str(value)) if value is not None else 0

    def close(self) -> None:
        """Close the connection and release the file lock."""
        self.con.close()


def bump_data_version(cur: duckdb.DuckDBPyConnection) -> None:
    """Increase the data version inside the caller's transaction."""
    cur.execute(
        "INSERT INTO settings VALUES ('data_version', '1') ON CONFLICT (key) DO UPDATE "
        "SET value = CAST(CAST(settings.value AS BIGINT) + 1 AS VARCHAR)")


def audit(cur: duckdb.DuckDBPyConnection, action: str, target: str | None,
          details: dict[str, object] | None = None, user: str | None = None) -> None:
    """Append one entry to the audit log inside the caller's transaction."""
    cur.execute(
        "INSERT INTO audit_log (logged_at, user_name, action, target, details) VALUES (?, ?, ?, ?, ?)",
        [datetime.now().replace(microsecond=0), user or current_user(), action, target,
         json.dumps(details or {}, ensure_ascii=False, default=str)])


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            pid = _LOCK_PID.search(text)
            who = f" (process {pid.group(1)})" if pid else ""
            raise StoreBusy(
                f"The store {path} is in use by another process{who}; nothing was written.",
                "Close the other csq process (for example the dashboard, or import from its Import page) "
                "and try again.") from None
        raise CsqError(f"Cannot open the store {path}: {text}",
                       "Check that the path is a csq DuckDB file and is readable.") from None


def open_store(path: Path | str | None = None, read_only: bool = False) -> Store:
    """Return an open, migrated Store; a read-only open of a missing or outdated store opens it for writing first."""
    db = Path(path) if path is not None else default_db_path()
    if read_only and (not db.exists() or _needs_migration(db)):
        open_store(db, read_only=False).close()
    if not read_only:
        db.parent.mkdir(parents=True, exist_ok=True)
    con = _connect(db, read_only)
    store = Store(db, con, read_only)
    if not read_only:
        migrate(store)
    return store


def _needs_migration(db: Path) -> bool:
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
    return current != _migrations()[-1][0]


def migrate(store: Store) -> list[int]:
    """Apply pending migrations in order, each in its own transaction; return the versions applied."""
    cur = store.cursor()
    cur.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                "name VARCHAR, applied_at TIMESTAMP)")
    done = {r[0] for r in cur.execute("SELECT version FROM schema_version").fetchall()}
    applied = []
    for version, name, sql in _migrations():
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
    if applied:
        from csq.settings import seed_defaults  # settings imports store; seeded after tables exist
        seed_defaults(store)
    return applied
