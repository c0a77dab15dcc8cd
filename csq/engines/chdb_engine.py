"""The indicator queries on chDB (in-process ClickHouse) over the store's Parquet snapshot: `kpi --engine chdb`.

compute() is csq.metrics.engine.compute with a runner that sends each kind's indicator statement to chDB
instead of DuckDB: the same SQL, translated by csq.engines.dialect, reading the snapshot's Parquet files
(csq.engines.snapshot). What decides the statements (the as-of moment, the settings and thresholds, the
action scopes parsed in Python, whether the ticket facts are current) is still read from the store.

Tickets are read from the stored ticket facts (csq.metrics.facts) in the snapshot, so the SLA limits and the
business-time clocks are the ones DuckDB computed for this data version, on either clock: chDB adds them up
but does not compute calendars. A store whose facts are not current (a write whose rebuild has not run yet)
is refused rather than computed live, since the live clock's SQL is not translated.

ClickHouse settings that give DuckDB's semantics: join_use_nulls (an outer join's missing side is NULL, not
0 or ''), aggregate_functions_null_for_empty (avg of no rows is NULL, not nan), and UTC as the session time
zone (store timestamps are naive; the snapshot and the bound values are read as UTC, so nothing shifts).
"""
from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import chdb  # the optional engine (requirements-engine.txt): imported only when --engine chdb is asked
import pyarrow as pa
import pyarrow.parquet as pq

from csq.engines.dialect import read_tables, translate
from csq.engines.snapshot import Snapshot
from csq.errors import CsqError, InputRefused
from csq.metrics import engine
from csq.metrics.facts import refresh
from csq.metrics.filters import Filter
from csq.metrics.results import Result
from csq.store import Store
from csq.store.files import owner_only

_SETTINGS = ("SET join_use_nulls = 1", "SET aggregate_functions_null_for_empty = 1",
             "SET session_timezone = 'UTC'", "SET prefer_column_name_to_alias = 1")


def _as_duckdb_types(table: pa.Table) -> pa.Table:
    """Return the result with ClickHouse's types made DuckDB's: UTC timestamps naive, dates as timestamps.

    ClickHouse cuts a DateTime64 to a month or week as a Date and reads Parquet timestamps as UTC; DuckDB's
    date_trunc gives a naive TIMESTAMP, which is what the engine writes as YYYY-MM (group_label).
    """
    columns = []
    for col in table.columns:
        kind = col.type
        if pa.types.is_timestamp(kind) and kind.tz is not None:
            col = col.cast(pa.timestamp(kind.unit, "UTC")).cast(pa.timestamp("us"))
        elif pa.types.is_date(kind):
            col = col.cast(pa.timestamp("us"))
        columns.append(col)
    return pa.Table.from_arrays(columns, names=table.column_names)


class ChdbRunner:
    """A csq.store.queries.Runner on one chDB connection: each statement translated, run, returned as Arrow."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.statements: list[str] = []   # the ClickHouse SQL run, in order (tests check every kind went here)
        self.conn = chdb.connect(":memory:")
        for setting in _SETTINGS:
            self.conn.query(setting)

    def __call__(self, store: Store, sql: str, params: list[object], register: dict[str, pa.Table] | None
                 ) -> pa.Table:
        """Return one bound DuckDB statement's result, run on chDB over the snapshot and tables registered."""
        register = register or {}
        with tempfile.TemporaryDirectory(prefix="csq-chdb-") as folder, owner_only():
            tables: dict[str, str] = {}
            for name in read_tables(sql):
                if name in register:
                    # A table the engine made in Python (the action scopes) is written beside the snapshot's.
                    tables[name] = str(Path(folder) / f"{len(tables)}.parquet")
                    pq.write_table(register[name], tables[name])
                elif name in self.snapshot.tables:
                    tables[name] = self.snapshot.path(name)
            statement = translate(sql, params, tables)
            self.statements.append(statement.sql)
            try:
                result = self.conn.query(statement.sql, "ArrowTable", params=statement.params)
            except (chdb.ChdbError, RuntimeError) as exc:
                # A query csq made that ClickHouse cannot run: csq's fault, exit 1. A connection's query raises
                # chdb._exceptions.ChdbError, a RuntimeError and not the chdb.ChdbError class chdb exports.
                raise CsqError(f"chDB could not run an indicator query: {str(exc).splitlines()[0][:300]}",
                               "Run the command without --engine chdb, and report this with the command.") from exc
        return _as_duckdb_types(result)

    def close(self) -> None:
        """Close the chDB connection; return nothing."""
        self.conn.close()


def compute(store: Store, f: Filter, by: Sequence[str] = (), indicators: Sequence[str] | None = None,
            clock: str = "calendar", runner: ChdbRunner | None = None) -> list[Result]:
    """Return csq.metrics.engine.compute's Results, every indicator query run on chDB over the store's snapshot.

    Raises InputRefused (exit 2) when the store's ticket facts are not current for its data version (a writable
    store builds them first, as csq.metrics.facts.refresh does for DuckDB's readers).
    """
    if not refresh(store):
        raise InputRefused("The chdb engine reads the ticket facts, and this store's are not current for its data "
                           "(a write has not rebuilt them yet).",
                           "Run any write (an import, or open the dashboard once), or run without --engine chdb.")
    own = runner is None
    run = runner or ChdbRunner(Snapshot(store))
    try:
        return engine.compute(store, f, by, indicators, clock, run=run)
    finally:
        if own:
            run.close()
