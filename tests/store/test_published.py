"""SPEC §9: readers open a published copy, so no reader holds the store's lock; writers wait for one another."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from csq.ingest.importer import import_file
from csq.metrics import writer
from csq.store import open_store, published
from tests.support import ROOT, SAMPLES, run_cli

MARCH, APRIL = SAMPLES / "tickets_2025-03_gbk.csv", SAMPLES / "tickets_2025-04.xlsx"


def _tickets(snap: published.Snapshot, origin: Path) -> int:
    store = published.open_snapshot(snap, origin)
    try:
        return int(store.scalar("SELECT count(*) FROM tickets_current"))  # type: ignore[arg-type]
    finally:
        store.close()


def test_no_copy_is_made_until_a_reader_asks_for_one(tmp_path: Path) -> None:
    db = tmp_path / "csq.duckdb"
    assert run_cli("import", str(MARCH), "--kind", "tickets", db=db).returncode == 0
    assert not published.folder(db).exists()  # a CLI-only center pays nothing for the dashboard's copies


def test_each_write_publishes_a_new_copy_and_an_open_copy_keeps_its_data(tmp_path: Path) -> None:
    db = tmp_path / "csq.duckdb"
    assert run_cli("import", str(MARCH), "--kind", "tickets", db=db).returncode == 0
    first = writer.newest_copy(db)
    assert _tickets(first, db) == 3000
    reading = published.open_snapshot(first, db)  # a page run that began before the import
    try:
        assert run_cli("import", str(APRIL), "--kind", "tickets", db=db).returncode == 0
        second = writer.newest_copy(db)
        assert second.path != first.path and second.version == first.version + 1
        # March's 3,000 tickets and April's 2,800 new ones, as tests/store/test_store.py counts them.
        assert _tickets(second, db) == 5800
        # The run that began before the import reads March only to its end: never a mix of before and after.
        assert reading.scalar("SELECT count(*) FROM tickets_current") == 3000
        assert reading.data_version() == first.version
    finally:
        reading.close()
    store = open_store(db, read_only=True)
    assert store.data_version() == second.version
    store.close()


def test_a_write_that_did_not_publish_is_found_and_copied_again(tmp_path: Path) -> None:
    db = tmp_path / "csq.duckdb"
    assert run_cli("import", str(MARCH), "--kind", "tickets", db=db).returncode == 0
    first = writer.newest_copy(db)
    store = open_store(db)  # a writer that does not publish (an older csq, a crash before the copy)
    import_file(store, APRIL, "tickets")
    store.close()
    assert published.current(db) is None
    again = writer.newest_copy(db)
    assert again.version == first.version + 1 and _tickets(again, db) == 5800


def test_a_refused_import_changes_neither_the_store_nor_the_copies(tmp_path: Path) -> None:
    db = tmp_path / "csq.duckdb"
    assert run_cli("import", str(MARCH), "--kind", "tickets", db=db).returncode == 0
    snap = writer.newest_copy(db)
    before = {p.name: p.read_bytes() for p in [db, *published.folder(db).iterdir()]}
    bad = SAMPLES / "bad" / "missing_created_column.csv"
    assert run_cli("import", str(bad), "--kind", "tickets", db=db).returncode == 2
    assert {p.name: p.read_bytes() for p in [db, *published.folder(db).iterdir()]} == before
    assert published.current(db) == snap


def test_copies_are_owner_only_and_only_the_newest_few_are_kept(tmp_path: Path) -> None:
    db = tmp_path / "csq.duckdb"
    open_store(db).close()
    writer.newest_copy(db)
    for args in (("import", str(MARCH), "--kind", "tickets"), ("import", str(APRIL), "--kind", "tickets"),
                 ("rollback", "2"), ("rollback", "1")):  # four writes, each publishing a copy
        assert run_cli(*args, db=db).returncode == 0, args
    copies = published.snapshots(db)
    assert 1 < len(copies) <= published.KEEP
    assert stat.S_IMODE(published.folder(db).stat().st_mode) == 0o700
    assert all(stat.S_IMODE(c.path.stat().st_mode) == 0o600 for c in copies)
    assert not list(published.folder(db).glob("*.partial"))


def _hold(db: Path, seconds: float, what: str) -> subprocess.Popen[str]:
    """Start a csq writer that holds the store's lock for `seconds`; return it once it holds it."""
    code = ("import sys, time; from csq.metrics.writer import writing\n"
            "with writing(sys.argv[1], sys.argv[3]):\n"
            "    print('HELD', flush=True); time.sleep(float(sys.argv[2]))\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(db), str(seconds), what], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True, env={**os.environ, "CSQ_USER": "alice"})
    assert proc.stdout is not None and proc.stdout.readline().strip() == "HELD"
    return proc


def test_a_writer_waits_for_the_lock_and_then_commits(tmp_path: Path) -> None:
    db = tmp_path / "csq.duckdb"
    open_store(db).close()
    holder = _hold(db, 1.0, "csq import nightly.csv")
    try:
        proc = run_cli("import", str(MARCH), "--kind", "tickets", db=db, process=True, env={"CSQ_LOCK_TIMEOUT": "60"})
    finally:
        holder.wait(timeout=60)
    assert proc.returncode == 0, proc.stderr
    store = open_store(db, read_only=True)
    assert store.scalar("SELECT count(*) FROM tickets_current") == 3000
    store.close()


def test_a_writer_that_waited_too_long_names_the_csq_process_holding_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "csq.duckdb"
    open_store(db).close()
    before = db.read_bytes()
    holder = _hold(db, 30, "csq import nightly.csv")
    try:
        proc = run_cli("import", str(MARCH), "--kind", "tickets", db=db, process=True, env={"CSQ_LOCK_TIMEOUT": "0.5"})
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 3
    assert f"(process {holder.pid}, csq import nightly.csv by alice since " in proc.stderr
    assert "nothing was written (waited for 0.5 s)" in proc.stderr and "Traceback" not in proc.stderr
    assert db.read_bytes() == before
