"""The embedded DuckDB store: one connection, a cursor per query, transactions and the data version."""
from __future__ import annotations

import getpass
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from csq.core import auth
from csq.errors import CsqError, StoreBusy
from csq.store.files import DEFAULT_FOLDER, owner_only, tighten_file

DEFAULT_DB = DEFAULT_FOLDER / "csq.duckdb"
_LOCK_PID = re.compile(r"PID (\d+)")


def default_db_path() -> Path:
    """Return the store path: $CSQ_DB, else data/csq.duckdb."""
    return Path(os.environ.get("CSQ_DB") or DEFAULT_DB)


def current_user() -> str:
    """Return the name recorded in the audit log for this process ($CSQ_USER or the OS user)."""
    return os.environ.get("CSQ_USER") or getpass.getuser()


def _os_user() -> str | None:
    """Return the OS login name of this process, or None when the OS cannot name it."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def user_source(user: str | None = None) -> str:
    """Return where a recorded name comes from: 'oidc', 'env', 'os' or 'given' (see csq.core.auth).

    `user` None means the process's own name (current_user). Only a name the identity provider signed in
    (a VerifiedName, or the name signed in in this context) is 'oidc'; a name equal to $CSQ_USER is 'env',
    to the OS login 'os'; any other name a caller passed is 'given'. All but 'oidc' are asserted, not verified.
    """
    name = user or current_user()
    if auth.provider_verified(name):
        return auth.SOURCE_OIDC
    if name == os.environ.get("CSQ_USER"):
        return auth.SOURCE_ENV
    if name == _os_user():
        return auth.SOURCE_OS
    return auth.SOURCE_GIVEN


@dataclass
class QueryClock:
    """The time this process spent waiting on DuckDB queries (summed over threads) and how many it ran."""

    seconds: float = 0.0
    queries: int = 0

    def add(self, started: float) -> None:
        """Count one query that began at perf_counter() `started`; return nothing."""
        with _CLOCK_LOCK:
            self.seconds += time.perf_counter() - started
            self.queries += 1


_CLOCK_LOCK = threading.Lock()
# Read by the page profile of the benchmark (csq.dashboard.profile): what of a page's time is DuckDB's.
QUERIES = QueryClock()


@dataclass
class Store:
    """One open DuckDB store; every query runs on its own cursor, so threads never share one."""

    path: Path
    con: duckdb.DuckDBPyConnection
    read_only: bool = False
    origin: Path | None = None  # for a published copy (csq.store.published): the store it is a copy of

    @property
    def home(self) -> Path:
        """Return the path of the store itself: this file, or the store a published copy was made from."""
        return self.origin or self.path

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """Return a fresh cursor on the shared connection."""
        return self.con.cursor()

    def arrow(self, sql: str, params: object = None) -> pa.Table:
        """Return the result of a bound query as an Arrow table."""
        cur, started = self.cursor(), time.perf_counter()
        try:
            return cur.sql(sql, params=params).to_arrow_table()
        finally:
            cur.close()
            QUERIES.add(started)

    def rows(self, sql: str, params: object = None) -> list[tuple]:
        """Return the result of a bound query as a list of tuples."""
        cur, started = self.cursor(), time.perf_counter()
        try:
            return cur.execute(sql, params).fetchall()  # type: ignore[arg-type]
        finally:
            cur.close()
            QUERIES.add(started)

    def scalar(self, sql: str, params: object = None) -> object:
        """Return the first column of the first row of a bound query (None when empty)."""
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Yield a cursor inside one transaction: committed on success, rolled back on any error."""
        if self.read_only:
            raise CsqError("The store is open read-only.", "Open it for writing to change data.")
        with owner_only():  # DuckDB writes a new .wal at a commit after a checkpoint: owner-only from the start
            cur = self.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
                cur.execute("COMMIT")
            except BaseException:
                _rollback_quietly(cur)
                raise
            finally:
                cur.close()
        tighten_file(self.path.with_name(self.path.name + ".wal"))

    def data_version(self) -> int:
        """Return the counter every import, rollback and settings change bumps (cache key)."""
        value = self.scalar("SELECT value FROM settings WHERE key = 'data_version'")
        return int(str(value)) if value is not None else 0

    def close(self) -> None:
        """Close the connection and release the file lock."""
        self.con.close()


def _rollback_quietly(cur: duckdb.DuckDBPyConnection) -> None:
    """Roll back the cursor's transaction; a failed COMMIT has already ended it, so its error is ignored."""
    try:
        cur.execute("ROLLBACK")
    except duckdb.Error:
        pass


def bump_data_version(cur: duckdb.DuckDBPyConnection) -> None:
    """Increase the data version inside the caller's transaction."""
    cur.execute(
        "INSERT INTO settings VALUES ('data_version', '1') ON CONFLICT (key) DO UPDATE "
        "SET value = CAST(CAST(settings.value AS BIGINT) + 1 AS VARCHAR)")


def lock_timeout() -> float:
    """Return how long a command waits for a store another process is writing ($CSQ_LOCK_TIMEOUT, default 30 s)."""
    try:
        return max(0.0, float(os.environ.get("CSQ_LOCK_TIMEOUT", "30")))
    except ValueError:
        return 30.0


def connect(path: Path, read_only: bool, wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """Return a DuckDB connection to the file, waiting up to `wait` seconds (lock_timeout()) while another writes.

    Raise StoreBusy naming the process that still holds the lock when the wait is over.
    """
    deadline = time.monotonic() + (lock_timeout() if wait is None else wait)
    pause = 0.05
    while True:
        try:
            return _connect_once(path, read_only)
        except _Locked as locked:
            if time.monotonic() >= deadline:
                raise _busy(path, read_only, locked.text, (lock_timeout() if wait is None else wait)) from None
            time.sleep(pause)
            pause = min(pause * 2, 0.5)


class _Locked(Exception):
    """DuckDB refused the file because another process holds its lock."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _connect_once(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Return a DuckDB connection to the file, or raise _Locked when another process holds it."""
    try:
        if read_only:
            return duckdb.connect(str(path), read_only=True)
        with owner_only():  # a new store file (and its first .wal) is owner-only from its first byte
            return duckdb.connect(str(path), read_only=False)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise _Locked(text) from None
        raise CsqError(f"Cannot open the store {path}: {text}",
                       "Check that the path is a csq DuckDB file and is readable.") from None


def _busy(path: Path, read_only: bool, text: str, waited: float) -> StoreBusy:
    """Return the StoreBusy of a lock still held after `waited` seconds, naming who holds it."""
    pid = _LOCK_PID.search(text)
    who = f" (process {pid.group(1)}{holder_text(path, int(pid.group(1)))})" if pid else ""
    after = f" for {waited:g} s" if waited else ""
    if read_only:  # a command that only reads: it wrote nothing because it never meant to
        return StoreBusy(
            f"The store {path} is in use by another process{who}; it cannot be read now (waited{after or ' 0 s'}).",
            "Try again when that process has finished (a csq import or settings change holds it only while it "
            "writes), set CSQ_LOCK_TIMEOUT to wait longer, or stop a program that keeps it open.")
    return StoreBusy(
        f"The store {path} is in use by another process{who}; nothing was written (waited{after or ' 0 s'}).",
        "Try again when that process has finished (a csq import or settings change holds it only while it "
        "writes), set CSQ_LOCK_TIMEOUT to wait longer, or stop a program that keeps it open.")


def holder_note(path: Path) -> Path:
    """Return the file where the process writing the store says who it is (csq.metrics.writer writes it)."""
    return path.with_name(path.name + ".writer")


def holder_text(path: Path, pid: int) -> str:
    """Return ', csq import by alice since 18:02:11' from the writer's note when it is that process's; else ''."""
    try:
        note = holder_note(path).read_text(encoding="utf-8").split("\t")
    except OSError:
        return ""
    if len(note) != 4 or note[0] != str(pid):
        return ""
    return f", {note[2]} by {note[1]} since {note[3]}"


def claim_note(path: Path, what: str) -> None:
    """Write who now holds the store's write lock (pid, user, what, since) beside it; return nothing."""
    line = "\t".join((str(os.getpid()), current_user(), what.replace("\t", " ") or "csq",
                      time.strftime("%Y-%m-%d %H:%M:%S")))
    try:
        with owner_only():
            holder_note(path).write_text(line, encoding="utf-8")
    except OSError:
        pass  # the note only improves a busy message; a read-only folder must not stop a write


def release_note(path: Path) -> None:
    """Remove this process's note of holding the store's write lock; return nothing."""
    note = holder_note(path)
    try:
        if note.read_text(encoding="utf-8").split("\t", 1)[0] == str(os.getpid()):
            note.unlink()
    except OSError:
        pass
