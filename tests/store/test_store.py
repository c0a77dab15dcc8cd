"""Store durability and locking: killed imports, busy stores, in-place migrations."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb

from csq.ingest.importer import import_file
from csq.store import open_store
from csq.store.migrations import migration_files
from tests.support import ROOT, SAMPLES, run_cli, snapshot

_KILLABLE = textwrap.dedent("""
    import sys, time
    from csq.store import open_store
    from csq.ingest.importer import import_file

    def hook(stage):
        if stage == sys.argv[3]:
            print("INSIDE", flush=True)
            time.sleep(120)

    store = open_store(sys.argv[1])
    import_file(store, sys.argv[2], "tickets", on_stage=hook)
""")


def _kill_during(db: Path, file: Path, stage: str) -> None:
    proc = subprocess.Popen([sys.executable, "-c", _KILLABLE, str(db), str(file), stage], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "INSIDE", proc.stderr.read()
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)


def test_killed_import_leaves_store_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "csq.duckdb"
    store = open_store(db)
    import_file(store, SAMPLES / "tickets_2025-03_gbk.csv", "tickets")
    before = snapshot(store)
    store.close()
    # Killed after the April rows were inserted and the March versions marked replaced, before COMMIT.
    _kill_during(db, SAMPLES / "tickets_2025-04.xlsx", "before_commit")
    store = open_store(db)
    assert snapshot(store) == before
    assert store.scalar("SELECT count(*) FROM tickets_current") == 3000
    store.close()
    assert not [p for p in (tmp_path / "raw").iterdir() if p.name.endswith("tickets_2025-04.xlsx")]
    # The interrupted import can simply be run again.
    store = open_store(db)
    assert import_file(store, SAMPLES / "tickets_2025-04.xlsx", "tickets").status == "committed"
    assert store.scalar("SELECT count(*) FROM tickets_current") == 5800
    assert not list((tmp_path / "raw").glob("*.partial"))
    store.close()


def test_import_while_another_process_holds_the_store_exits_3(tmp_path: Path) -> None:
    db = tmp_path / "csq.duckdb"
    open_store(db).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time, duckdb; c = duckdb.connect(sys.argv[1]); "
                               "print('HELD', flush=True); time.sleep(120)", str(db)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "HELD"
        quick = {"CSQ_LOCK_TIMEOUT": "0.5"}
        proc = run_cli("import", str(SAMPLES / "training_2025Q1.csv"), "--kind", "training", db=db, process=True,
                       env=quick)
        assert proc.returncode == 3
        assert "in use by another process" in proc.stderr and "Traceback" not in proc.stderr
        assert run_cli("kpi", db=db, process=True, env=quick).returncode == 3
    finally:
        holder.kill()
        holder.wait()
    store = open_store(db)
    assert store.scalar("SELECT count(*) FROM batches") == 0
    store.close()


def test_old_store_is_migrated_in_place(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    first = migration_files()[0]
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)")
    con.execute(first[2])
    con.execute("INSERT INTO schema_version VALUES (?, ?, now())", [first[0], first[1]])
    con.execute("INSERT INTO tickets (ticket_id, created_at, channel, type, priority, _batch_id) "
                "VALUES ('OLD1', TIMESTAMP '2025-01-01 08:00', 'phone', 'inquiry', 'normal', 1)")
    con.close()
    store = open_store(db)
    assert store.scalar("SELECT max(version) FROM schema_version") == migration_files()[-1][0]
    assert store.rows("SELECT ticket_id FROM tickets_current") == [("OLD1",)]
    assert store.scalar("SELECT count(*) FROM sla_rules") == 6
    store.close()


def test_read_only_open_of_a_new_path_creates_the_store(tmp_path: Path) -> None:
    store = open_store(tmp_path / "new.duckdb", read_only=True)
    assert store.scalar("SELECT count(*) FROM tickets_current") == 0
    store.close()
