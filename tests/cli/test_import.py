"""Importing the shared samples and real exports: counts, upserts, duplicates, refusals and rollback."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from csq.ingest.importer import import_file
from csq.ingest.mapping import get_preset, load_mapping_file
from csq.store import Store, open_store
from csq.store.batches import list_batches, rollback
from tests.support import MAPPINGS, REAL, SAMPLES, cli_json, run_cli, snapshot


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "csq.duckdb"


def _count(db: Path, sql: str = "SELECT count(*) FROM tickets_current", params: list | None = None) -> object:
    store = open_store(db, read_only=True)
    try:
        return store.scalar(sql, params)
    finally:
        store.close()


def test_gbk_tickets_commit_with_canonical_values(db: Path) -> None:
    out = cli_json("import", str(SAMPLES / "tickets_2025-03_gbk.csv"), "--kind", "tickets", db=db)
    assert out[0]["status"] == "committed"
    assert out[0]["rows_loaded"] == 3000 and out[0]["rows_rejected"] == 0
    store = open_store(db, read_only=True)
    by_channel = dict(store.rows("SELECT channel, count(*) FROM tickets_current GROUP BY 1"))
    by_type = dict(store.rows("SELECT type, count(*) FROM tickets_current GROUP BY 1"))
    by_priority = dict(store.rows("SELECT priority, count(*) FROM tickets_current GROUP BY 1"))
    store.close()
    # Counts of the raw labels in the file: 电话 1329, 在线客服 929, 微信 311, 邮件 277, 上门服务 154.
    assert by_channel == {"phone": 1329, "chat": 929, "social": 311, "email": 277, "onsite": 154}
    assert by_type == {"inquiry": 1427, "after_sales": 711, "tech_support": 431, "complaint": 288, "suggestion": 143}
    assert by_priority == {"normal": 1690, "high": 587, "low": 582, "urgent": 141}


def test_april_xlsx_replaces_120_march_tickets_and_rollback_restores_march(db: Path) -> None:
    cli_json("import", str(SAMPLES / "tickets_2025-03_gbk.csv"), "--kind", "tickets", db=db)
    store = open_store(db)
    march = snapshot(store)
    before = store.scalar("SELECT resolved_at FROM tickets_current WHERE ticket_id = 'GD20250300120'")
    store.close()
    out = cli_json("import", str(SAMPLES / "tickets_2025-04.xlsx"), "--kind", "tickets", db=db)[0]
    assert out["status"] == "committed"
    assert (out["rows_loaded"], out["rows_replaced"]) == (2920, 120)
    assert _count(db) == 5800
    after = _count(db, "SELECT resolved_at FROM tickets_current WHERE ticket_id = 'GD20250300120'")
    assert before is None and after == datetime(2025, 4, 1, 16, 0)
    assert run_cli("rollback", str(out["batch_id"]), db=db).returncode == 0
    store = open_store(db)
    restored = snapshot(store)
    store.close()
    # Only the bookkeeping tables differ: the batch is marked rolled back (in the log the facts keep of it too)
    # and the audit log grew, and the ticket facts were brought up to the new data version: their content is
    # March's again, row for row.
    changed = {t for t in march if march[t] != restored[t]}
    assert changed <= {"batches", "audit_log", "settings", "ticket_facts_meta", "ticket_facts_batches"}
    assert march["ticket_facts"] and march["ticket_facts"] == restored["ticket_facts"]
    assert _count(db) == 3000


def test_other_sample_kinds_import(db: Path) -> None:
    expected = {"surveys_2025-03.csv": ("surveys", 2270), "servqual_2025Q1.csv": ("servqual", 240),
                "qa_2025-03.csv": ("qa", 2400), "training_2025Q1.csv": ("training", 60),
                "actions.csv": ("actions", 4)}
    for name, (kind, rows) in expected.items():
        out = cli_json("import", str(SAMPLES / name), "--kind", kind, db=db)[0]
        assert out["status"] == "committed", out
        assert out["rows_loaded"] == rows
    store = open_store(db, read_only=True)
    assert store.scalar("SELECT count(*) FROM qa_current WHERE critical") == 800
    assert store.rows("SELECT scope, indicator, cause_category, pdca_stage, status FROM actions_current "
                      "WHERE action_id = 'IMP-001'") == [("所属班组=售后组", "art_median_h", "process", "check", "done")]
    assert store.scalar("SELECT count(*) FROM servqual_current WHERE w_tangibles IS NOT NULL") > 0
    store.close()


@pytest.mark.parametrize("name", ["empty.csv", "header_only.csv", "missing_created_column.csv", "not_a_table.csv",
                                  "resolved_before_created.csv"])
def test_bad_files_exit_2_and_leave_store_unchanged(db: Path, name: str) -> None:
    cli_json("import", str(SAMPLES / "tickets_2025-03_gbk.csv"), "--kind", "tickets", db=db)
    store = open_store(db)
    before = snapshot(store)
    store.close()
    # A real child process: the exit status a script sees, and no traceback on the way out.
    proc = run_cli("import", str(SAMPLES / "bad" / name), "--kind", "tickets", db=db, process=True)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert name in proc.stdout and "What to do" in proc.stdout
    if name == "resolved_before_created.csv":
        assert "row 2, column 办结时间: resolved before created" in proc.stdout
    store = open_store(db)
    assert snapshot(store) == before
    store.close()


def test_skip_bad_rows_loads_the_good_rows(db: Path) -> None:
    out = run_cli("import", str(SAMPLES / "bad" / "resolved_before_created.csv"), "--kind", "tickets",
                  "--skip-bad-rows", "--json", db=db)
    assert out.returncode == 0
    assert _count(db, "SELECT list(ticket_id) FROM tickets_current") == ["GD2"]


def test_same_file_twice_is_a_duplicate_and_changes_nothing(db: Path) -> None:
    cli_json("import", str(SAMPLES / "surveys_2025-03.csv"), "--kind", "surveys", db=db)
    store = open_store(db)
    before = snapshot(store)
    store.close()
    out = cli_json("import", str(SAMPLES / "surveys_2025-03.csv"), "--kind", "surveys", db=db)[0]
    assert out["status"] == "duplicate" and out["rows_loaded"] == 0
    store = open_store(db)
    assert snapshot(store) == before
    store.close()


def test_dry_run_writes_nothing(db: Path) -> None:
    store = open_store(db)
    before = snapshot(store)
    store.close()
    out = cli_json("import", str(SAMPLES / "qa_2025-03.csv"), "--kind", "qa", "--dry-run", db=db)[0]
    assert out["status"] == "dry_run"
    store = open_store(db)
    assert snapshot(store) == before
    store.close()


def test_servicenow_preset_one_ticket_per_incident_in_last_state(db: Path) -> None:
    out = cli_json("import", str(REAL / "servicenow_incident_events.csv"), "--kind", "tickets",
                   "--preset", "servicenow", db=db)[0]
    assert out["status"] == "committed"
    assert (out["rows_read"], out["rows_loaded"], out["rows_collapsed"]) == (119998, 20769, 119998 - 20769)
    store = open_store(db, read_only=True)
    # INC0000045: opened 29/2/2016 01:16 (day first), '?' agent is empty, '3 - Moderate' is normal.
    row = store.rows("SELECT created_at, agent, priority, priority_raw, channel FROM tickets_current "
                     "WHERE ticket_id = 'INC0000045'")
    assert row == [(datetime(2016, 2, 29, 1, 16), None, "normal", "3 - Moderate", "phone")]
    assert store.scalar("SELECT count(*) FROM tickets_current WHERE resolved_at IS NULL") == 1418
    assert store.scalar("SELECT count(*) FROM tickets_current WHERE agent = '?' OR team = '?'") == 0
    store.close()


def test_servicenow_last_state_follows_sys_mod_count_not_file_order(tmp_path: Path) -> None:
    head = ("number,opened_at,contact_type,priority,sys_mod_count,resolved_at,closed_at,category,assigned_to,"
            "assignment_group,caller_id,reopen_count,location\n")
    text = (head + "INC1,1/3/2016 10:00,Phone,2 - High,3,2/3/2016 10:00,?,C1,?,G1,U1,0,L1\n"
            "INC1,1/3/2016 10:00,Phone,2 - High,1,?,?,C1,?,G1,U1,0,L1\n")
    f = tmp_path / "sn.csv"
    f.write_text(text)
    store = open_store(tmp_path / "s.duckdb")
    res = import_file(store, f, "tickets", get_preset(store, "servicenow"))
    assert res.status == "committed" and res.rows_collapsed == 1
    assert store.rows("SELECT resolved_at, priority FROM tickets_current") == [(datetime(2016, 3, 2, 10), "high")]
    store.close()


def test_cfpb_complaints_with_mapping_file(db: Path) -> None:
    out = cli_json("import", str(REAL / "cfpb_complaints_2014.csv"), "--kind", "tickets",
                   "--mapping", str(MAPPINGS / "cfpb_complaints.json"), db=db)[0]
    assert out["status"] == "committed" and out["rows_loaded"] == 8340
    store = open_store(db, read_only=True)
    assert store.rows("SELECT DISTINCT type FROM tickets_current") == [("complaint",)]
    assert store.rows("SELECT min(created_at), max(created_at) FROM tickets_current") == [
        (datetime(2014, 10, 10), datetime(2014, 11, 13))]
    # The last line lacks its trailing empty field; it is padded, not lost.
    assert store.scalar("SELECT team FROM tickets_current WHERE ticket_id = '1066397'") == "Experian"
    store.close()


def test_olist_reviews_as_surveys_with_mapping_file(db: Path) -> None:
    out = cli_json("import", str(REAL / "olist_order_reviews.csv"), "--kind", "surveys",
                   "--mapping", str(MAPPINGS / "olist_reviews.json"), db=db)[0]
    assert out["status"] == "committed" and out["rows_loaded"] == 4988
    store = open_store(db, read_only=True)
    # First data line: 1,00125cb6…,5,4/8/2017 0:00,4/13/2017 16:42 (month first).
    assert store.rows("SELECT sent_at, responded_at, csat FROM surveys_current WHERE survey_id = '1'") == [
        (datetime(2017, 4, 8), datetime(2017, 4, 13, 16, 42), 5)]
    store.close()


def test_mapping_file_errors_are_clear(tmp_path: Path, db: Path) -> None:
    bad = tmp_path / "m.json"
    bad.write_text('{"columns": {"created": "x"}}')
    proc = run_cli("import", str(SAMPLES / "tickets_2025-03_gbk.csv"), "--kind", "tickets", "--mapping", str(bad),
                   db=db)
    assert proc.returncode == 2
    assert "unknown field(s) created" in proc.stderr
    with pytest.raises(Exception):
        load_mapping_file(tmp_path / "missing.json")


def test_rollback_refuses_when_a_later_batch_replaced_its_rows(db: Path) -> None:
    store = open_store(db)
    first = import_file(store, SAMPLES / "tickets_2025-03_gbk.csv", "tickets")
    second = import_file(store, SAMPLES / "tickets_2025-04.xlsx", "tickets")
    with pytest.raises(Exception) as info:
        rollback(store, first.batch_id)
    assert f"Roll back batch(es) {second.batch_id} first" in str(info.value)
    rollback(store, second.batch_id)
    rollback(store, first.batch_id)
    assert store.scalar("SELECT count(*) FROM tickets_current") == 0
    assert [b.status for b in list_batches(store)] == ["rolled_back", "rolled_back"]
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'rollback'") == 2
    store.close()


def test_raw_file_is_archived_with_batch_id(db: Path) -> None:
    store: Store = open_store(db)
    res = import_file(store, SAMPLES / "training_2025Q1.csv", "training")
    raw = Path(store.scalar("SELECT raw_path FROM batches WHERE batch_id = ?", [res.batch_id]))
    store.close()
    assert raw.parent == db.parent / "raw"
    assert raw.name.startswith(f"{res.batch_id:06d}_")
    assert raw.read_bytes() == (SAMPLES / "training_2025Q1.csv").read_bytes()
    assert raw.stat().st_mode & 0o077 == 0


def test_kpi_after_rolling_back_april_equals_kpi_before_april(db: Path) -> None:
    cli_json("import", str(SAMPLES / "tickets_2025-03_gbk.csv"), "--kind", "tickets", db=db)
    march = cli_json("kpi", "--by", "month", "channel", db=db)
    april = cli_json("import", str(SAMPLES / "tickets_2025-04.xlsx"), "--kind", "tickets", db=db)[0]
    changed = cli_json("kpi", "--by", "month", "channel", db=db)
    assert changed != march
    assert run_cli("rollback", str(april["batch_id"]), db=db).returncode == 0
    assert cli_json("kpi", "--by", "month", "channel", db=db) == march
