"""Shared fixtures, built once per test session (per xdist worker) and copied where a test writes.

- `template_db`: one migrated, seeded, empty store; `store` and `empty_db` are copies of it.
- `demo_db`: the small demo center ending 2025-12-15 (24 months at scale 0.05) that the page tests read;
  `demo_copy` gives a test its own writable copy.

An AppTest keeps the store it served open (read-write) in the test process, so an in-process CLI run
(tests.support.run_cli) must use a store of its own (`demo_copy`, `new_db`), never a shared one.
"""
from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from csq.demo import generate as demo
from csq.store import Store, open_store
from csq.store.batches import commit_records


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a migrated, seeded, empty store built once; tests copy it instead of migrating their own."""
    db = tmp_path_factory.mktemp("template") / "template.duckdb"
    open_store(db).close()
    return db


@pytest.fixture
def new_db(tmp_path: Path, template_db: Path) -> Callable[[str], Path]:
    """Return a function that makes a new empty store file (a copy of the template) named in tmp_path."""

    def make(name: str = "t.duckdb") -> Path:
        db = tmp_path / name
        shutil.copyfile(template_db, db)
        return db

    return make


@pytest.fixture
def store(new_db: Callable[[str], Path]) -> Iterator[Store]:
    """Return an empty, migrated store in the test's temporary folder."""
    s = open_store(new_db("t.duckdb"))
    yield s
    s.close()


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory: pytest.TempPathFactory, template_db: Path) -> Path:
    """Return an empty, migrated store shared by read-only tests."""
    db = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    shutil.copyfile(template_db, db)
    return db


def make_demo(folder: Path, template_db: Path, months: int, end: date, scale: float = 0.05) -> Path:
    """Return a demo store in `folder` (a copy of the template, then the demo center), closed for the app."""
    db = folder / "demo.duckdb"
    shutil.copyfile(template_db, db)
    s = open_store(db)
    demo.generate(s, months=months, scale=scale, end=end)
    s.close()
    return db


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory, template_db: Path) -> Path:
    """Return the shared demo store ending 2025-12-15 (24 months at scale 0.05), closed for the app to open."""
    return make_demo(tmp_path_factory.mktemp("demo"), template_db, months=24, end=date(2025, 12, 15))


@pytest.fixture
def demo_copy(tmp_path: Path, demo_db: Path) -> Path:
    """Return this test's own writable copy of the shared demo store."""
    db = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db, db)
    return db


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
