"""Import batches: committing canonical rows with versioning, listing, and exact rollback."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pyarrow as pa

from csq.core.auth import SOURCE_UNKNOWN, is_verified
from csq.core.kinds import KINDS, TRANSIENT_FIELDS, Kind
from csq.core.roles import require
from csq.core.sqlident import ident
from csq.errors import CsqError, InputRefused, NotFound
from csq.store import archive, audit
from csq.store.connection import Store, bump_data_version, current_user, user_source
from csq.store.files import owner_only, tighten_file

raw_dir = archive.raw_dir  # where the original files are archived; callers know it as batches.raw_dir

StageHook = Callable[[str], None]


@dataclass(frozen=True)
class Batch:
    """One row of the batch history."""

    batch_id: int
    kind: str
    source: str
    created_at: datetime
    user_name: str
    status: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rows_collapsed: int
    rows_replaced: int
    file_hash: str | None
    raw_path: str | None
    rolled_back_at: datetime | None
    user_source: str = SOURCE_UNKNOWN
    rolled_back_by: str | None = None
    rolled_back_source: str | None = None

    @property
    def user_verified(self) -> bool:
        """Return True when the identity provider verified who imported (OIDC); False when the name is asserted."""
        return is_verified(self.user_source)

    def as_dict(self) -> dict[str, object]:
        """Return the batch as a JSON-ready dict (user_source and user_verified say where user_name comes from)."""
        d = dict(self.__dict__)
        for k in ("created_at", "rolled_back_at"):
            d[k] = d[k].isoformat(sep=" ") if d[k] else None
        d["user_verified"] = self.user_verified
        return d


@dataclass
class StagedRows:
    """Rows ready to be written as one batch, still inside DuckDB: queries on the cursor that typed them.

    `rows_sql` gives the stored columns it has (`columns`) and `_row`, with the values `params` binds;
    `keys_sql` gives the rows' key columns. When `store` is the store written to, the batch is written by
    one INSERT … SELECT on that cursor, and no row leaves DuckDB; otherwise (a private DuckDB) as Arrow.
    """

    cur: duckdb.DuckDBPyConnection
    rows_sql: str
    keys_sql: str
    columns: list[str]
    num_rows: int
    params: dict[str, object] = field(default_factory=dict)
    store: Store | None = None
    _table: pa.Table | None = None

    def on(self, store: Store) -> bool:
        """Return True when the rows are staged in this store's DuckDB, so it reads them where they are."""
        return self.store is store

    def arrow(self) -> pa.Table:
        """Return the rows as an Arrow table (built once, on the first call)."""
        if self._table is None:
            self._table = self.cur.sql(self.rows_sql, params=self.params).to_arrow_table()
        return self._table

    def keys(self) -> pa.Table:
        """Return the rows' key columns as an Arrow table."""
        return self.cur.sql(self.keys_sql).to_arrow_table()

    def close(self) -> None:
        """Free what DuckDB holds for the rows (the cursor and its temporary tables); return nothing."""
        self.cur.close()


def stored_columns(k: Kind) -> list[str]:
    """Return the record table's data columns (raw-value columns included), in table order."""
    cols: list[str] = []
    for f in k.fields:
        if f.name in TRANSIENT_FIELDS:
            continue
        cols.append(f.name)
        if f.keep_raw:
            cols.append(f"{f.name}_raw")
    return cols


def _key_join(k: Kind, left: str, right: str) -> str:
    return " AND ".join(f"{left}.{ident(c)} = {right}.{ident(c)}" for c in k.key)


def count_replacements(store: Store, k: Kind, staged: pa.Table | StagedRows) -> int:
    """Return how many current rows the staged rows would replace."""
    if isinstance(staged, StagedRows) and staged.on(store):
        return int(staged.cur.execute(
            f"SELECT count(*) FROM {k.table} t WHERE t._superseded_by IS NULL AND EXISTS "
            f"(SELECT 1 FROM ({staged.keys_sql}) s WHERE {_key_join(k, 's', 't')})").fetchall()[0][0])
    cur = store.cursor()
    cur.register("_csq_staged", staged.keys() if isinstance(staged, StagedRows) else staged)
    try:
        return int(cur.execute(
            f"SELECT count(*) FROM {k.table} t WHERE t._superseded_by IS NULL AND EXISTS "
            f"(SELECT 1 FROM _csq_staged s WHERE {_key_join(k, 's', 't')})").fetchall()[0][0])
    finally:
        cur.unregister("_csq_staged")
        cur.close()


def find_duplicate(store: Store, kind: str, file_hash: str) -> int | None:
    """Return the committed batch that already holds a file with this hash, if any."""
    found = store.scalar("SELECT min(batch_id) FROM batches WHERE kind = ? AND file_hash = ? "
                         "AND status = 'committed'", [kind, file_hash])
    return int(found) if found is not None else None


def commit_records(store: Store, kind: str, staged: pa.Table | StagedRows, *, source: str,
                   file_hash: str | None = None, raw_bytes: bytes | None = None,
                   mapping: dict[str, object] | None = None, rows_read: int | None = None,
                   rows_rejected: int = 0, rows_collapsed: int = 0, user: str | None = None,
                   on_stage: StageHook | None = None, raw_file: tuple[str, int, int] | None = None
                   ) -> tuple[int, int]:
    """Write canonical rows as one batch in one transaction; return (batch_id, rows_replaced).

    `staged` holds stored columns of the kind (missing ones are NULL) and may hold `_row`, the source
    row number. Current rows with the same key are marked superseded, not deleted. The original file
    (`raw_bytes`, or `raw_file`: the path, size and mtime_ns of a file copied without reading it into
    memory, refused if it changed) is archived in place
    before the commit and named by the batch row in the same transaction; a failed transaction removes it
    (csq.store.archive).
    """
    k = KINDS[kind]
    cols = stored_columns(k)
    if isinstance(staged, StagedRows) and not staged.on(store):
        staged = staged.arrow()
    if isinstance(staged, pa.Table):
        staged = _complete(staged, cols)
    user = user or current_user()
    hook = on_stage or (lambda _stage: None)
    with archive.pending(store) as raw:
        def place(batch_id: int) -> str | None:
            """Return the archived file's path (None without a file), placed before the commit."""
            if raw_bytes is not None:
                return str(raw.place(batch_id, source, raw_bytes))
            return str(raw.place_file(batch_id, source, *raw_file)) if raw_file is not None else None

        batch_id, replaced = _write_batch(
            store, k, staged, cols, source=source, file_hash=file_hash, place=place, mapping=mapping,
            rows_read=rows_read, rows_rejected=rows_rejected, rows_collapsed=rows_collapsed, user=user, hook=hook)
    return batch_id, replaced


def _complete(staged: pa.Table, cols: list[str]) -> pa.Table:
    """Return the Arrow rows with every stored column (NULL where missing) and `_row` (from 2 where missing)."""
    for c in cols:
        if c not in staged.column_names:
            staged = staged.append_column(c, pa.nulls(staged.num_rows, pa.string()))
    if "_row" not in staged.column_names:
        staged = staged.append_column("_row", pa.array(range(2, staged.num_rows + 2), pa.int64()))
    return staged


@contextmanager
def _transaction(store: Store, staged: pa.Table | StagedRows) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a cursor inside one transaction, as Store.transaction does: on the staging cursor for staged rows.

    Staged rows live in temporary tables, which only the cursor that made them sees.
    """
    if not isinstance(staged, StagedRows):
        with store.transaction() as cur:
            yield cur
        return
    if store.read_only:
        raise CsqError("The store is open read-only.", "Open it for writing to change data.")
    cur = staged.cur
    with owner_only():  # DuckDB writes a new .wal at a commit after a checkpoint: owner-only from the start
        cur.execute("BEGIN TRANSACTION")
        try:
            yield cur
            cur.execute("COMMIT")
        except BaseException:
            try:
                cur.execute("ROLLBACK")
            except duckdb.Error:
                pass  # a failed COMMIT has ended the transaction already
            raise
    tighten_file(store.path.with_name(store.path.name + ".wal"))


def _write_rows(cur: duckdb.DuckDBPyConnection, k: Kind, staged: pa.Table | StagedRows, cols: list[str],
                batch_id: int, hook: StageHook) -> int:
    """Supersede the current rows the staged rows replace and insert them; return how many were replaced."""
    col_list = ", ".join(ident(c) for c in cols)
    if isinstance(staged, StagedRows):
        # One INSERT … SELECT types the rows from the staged source table straight into the store.
        hook("staged")
        replaced = int(cur.execute(
            f"UPDATE {k.table} t SET _superseded_by = $_batch FROM ({staged.keys_sql}) s "
            f"WHERE t._superseded_by IS NULL AND {_key_join(k, 's', 't')}", {"_batch": batch_id}).fetchall()[0][0])
        values = ", ".join(ident(c) if c in staged.columns else "NULL" for c in cols)
        params = {**{n: v for n, v in staged.params.items() if f"${n}" in staged.rows_sql}, "_batch": batch_id}
        cur.execute(f"INSERT INTO {k.table} ({col_list}, _batch_id, _row) "
                    f"SELECT {values}, $_batch, _row FROM ({staged.rows_sql})", params)
        return replaced
    cur.register("_csq_staged", staged)
    hook("staged")
    replaced = int(cur.execute(
        f"UPDATE {k.table} t SET _superseded_by = ? FROM _csq_staged s "
        f"WHERE t._superseded_by IS NULL AND {_key_join(k, 's', 't')}", [batch_id]).fetchall()[0][0])
    # Casting through the table's own types keeps Arrow's looser types (e.g. strings) honest.
    cur.execute(f"INSERT INTO {k.table} ({col_list}, _batch_id, _row) "
                f"SELECT {col_list}, ?, _row FROM _csq_staged", [batch_id])
    cur.unregister("_csq_staged")
    return replaced


def _write_batch(store: Store, k: Kind, staged: pa.Table | StagedRows, cols: list[str], *, source: str,
                 file_hash: str | None, place: Callable[[int], str | None],
                 mapping: dict[str, object] | None, rows_read: int | None, rows_rejected: int,
                 rows_collapsed: int, user: str, hook: StageHook) -> tuple[int, int]:
    """Write the rows, the archived file and the batch row in one transaction; return (batch_id, rows_replaced)."""
    kind = k.name
    loaded = staged.num_rows
    with _transaction(store, staged) as cur:
        batch_id = int(cur.execute("SELECT nextval('batch_seq')").fetchall()[0][0])
        replaced = _write_rows(cur, k, staged, cols, batch_id, hook)
        hook("inserted")
        raw_path = place(batch_id)
        hook("archived")
        cur.execute(
            "INSERT INTO batches (batch_id, kind, source, file_hash, raw_path, mapping_json, created_at, "
            "user_name, user_source, rows_read, rows_loaded, rows_rejected, rows_collapsed, rows_replaced) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [batch_id, kind, source, file_hash, raw_path,
             json.dumps(mapping, ensure_ascii=False) if mapping is not None else None,
             datetime.now().replace(microsecond=0), user, user_source(user),
             rows_read if rows_read is not None else loaded + rows_rejected + rows_collapsed,
             loaded, rows_rejected, rows_collapsed, replaced])
        audit.write(cur, "import", f"batch {batch_id}",
              {"kind": kind, "source": source, "rows_loaded": loaded, "rows_replaced": replaced,
               "rows_rejected": rows_rejected, "rows_collapsed": rows_collapsed}, user)
        bump_data_version(cur)
        hook("before_commit")
    return batch_id, replaced


def list_batches(store: Store) -> list[Batch]:
    """Return every batch, newest first."""
    rows = store.rows(
        "SELECT batch_id, kind, source, created_at, user_name, status, rows_read, rows_loaded, "
        "rows_rejected, rows_collapsed, rows_replaced, file_hash, raw_path, rolled_back_at, "
        f"coalesce(user_source, '{SOURCE_UNKNOWN}'), rolled_back_by, rolled_back_source "
        "FROM batches ORDER BY batch_id DESC")
    return [Batch(*r) for r in rows]


def get_batch(store: Store, batch_id: int) -> Batch:
    """Return one batch, or raise NotFound."""
    for b in list_batches(store):
        if b.batch_id == batch_id:
            return b
    raise NotFound(f"There is no batch {batch_id}.", "Run `python -m csq batches` to list the batches.")


def rollback_preview(store: Store, batch_id: int) -> dict[str, int]:
    """Return what a rollback would do: rows it removes and earlier versions it restores."""
    b = get_batch(store, batch_id)
    table = KINDS[b.kind].table
    removed = int(store.scalar(f"SELECT count(*) FROM {table} WHERE _batch_id = ?", [batch_id]) or 0)
    restored = int(store.scalar(f"SELECT count(*) FROM {table} WHERE _superseded_by = ?", [batch_id]) or 0)
    return {"rows_removed": removed, "rows_restored": restored}


def rollback(store: Store, batch_id: int, user: str | None = None, *, role: str | None = None) -> dict[str, int]:
    """Undo one batch exactly: delete its rows and make the versions it replaced current again.

    `role` (None = the process role) must be allowed to roll back; NotAllowed otherwise, before anything is read.
    """
    require(role, "rollback")
    b = get_batch(store, batch_id)
    if b.status != "committed":
        raise InputRefused(f"Batch {batch_id} is already rolled back.", "Nothing to do.")
    k = KINDS[b.kind]
    later = store.rows(
        f"SELECT DISTINCT _superseded_by FROM {k.table} WHERE _batch_id = ? AND _superseded_by IS NOT NULL "
        "ORDER BY 1", [batch_id])
    if later:
        ids = ", ".join(str(r[0]) for r in later)
        raise InputRefused(
            f"Batch {batch_id} cannot be rolled back on its own: later batch(es) {ids} replaced some of its rows.",
            f"Roll back batch(es) {ids} first, newest first, then batch {batch_id}.")
    with store.transaction() as cur:
        removed = int(cur.execute(f"DELETE FROM {k.table} WHERE _batch_id = ?", [batch_id]).fetchall()[0][0])
        restored = int(cur.execute(f"UPDATE {k.table} SET _superseded_by = NULL WHERE _superseded_by = ?",
                                   [batch_id]).fetchall()[0][0])
        who = user or current_user()
        cur.execute("UPDATE batches SET status = 'rolled_back', rolled_back_at = ?, rolled_back_by = ?, "
                    "rolled_back_source = ? WHERE batch_id = ?",
                    [datetime.now().replace(microsecond=0), who, user_source(who), batch_id])
        audit.write(cur, "rollback", f"batch {batch_id}",
              {"kind": b.kind, "rows_removed": removed, "rows_restored": restored}, user)
        bump_data_version(cur)
    return {"batch_id": batch_id, "rows_removed": removed, "rows_restored": restored}


def record_counts(store: Store) -> dict[str, int]:
    """Return the number of current rows of every record kind."""
    return {name: int(store.scalar(f"SELECT count(*) FROM {k.current}") or 0) for name, k in KINDS.items()}
