"""Shared fixtures: a fresh store per test and a helper that writes canonical rows into it."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from csq.batches import commit_records
from csq.store import Store, open_store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """Return an empty, migrated store in the test's temporary folder."""
    s = open_store(tmp_path / "t.duckdb")
    yield s
    s.close()


# Columns that are NOT NULL in the schema; the importer fills these defaults, so fixtures do too.
_DEFAULTS: dict[str, dict[str, object]] = {
    "tickets": {"channel": "other", "type": "other", "priority": "normal", "reopen_count": 0},
    "qa": {"critical": False},
    "actions": {"pdca_stage": "plan", "status": "planned"},
}


@pytest.fixture
def put(store: Store) -> Callable[[str, list[dict[str, object]]], int]:
    """Return a function committing canonical rows of one kind as a batch; it returns the batch id."""

    def write(kind: str, rows: list[dict[str, object]]) -> int:
        rows = [{**_DEFAULTS.get(kind, {}), **r} for r in rows]
        names = list(dict.fromkeys(k for r in rows for k in r))
        table = pa.Table.from_pylist([{k: r.get(k) for k in names} for r in rows])
        return commit_records(store, kind, table, source="fixture")[0]

    return write
