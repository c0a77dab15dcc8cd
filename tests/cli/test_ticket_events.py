"""The ticket_events kind (SPEC §2): the ServiceNow event log with its preset, Chinese headers in GBK, canonical
statuses in their own vocabulary, unknown statuses kept as open, and rollback and retention of the kind."""
from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest

from csq.core.i18n import value_label
from csq.core.kinds import ACTIONS, TICKET_EVENTS
from csq.core.values import canonical_value
from csq.ingest import history
from csq.ingest import inspection as preview
from csq.ingest.importer import import_file
from csq.store import Store, open_store, retention
from csq.store.batches import rollback
from tests.support import REAL, cli_json

SERVICENOW = REAL / "servicenow_incident_events.csv"
STATES = {"New": "new", "Active": "open", "Awaiting User Info": "pending", "Awaiting Vendor": "on_hold",
          "Awaiting Problem": "on_hold", "Awaiting Evidence": "on_hold", "Resolved": "solved", "Closed": "closed"}


def _last_rows() -> tuple[int, dict[tuple[str, datetime], dict[str, str]]]:
    """Return the file's data rows and, per (number, sys_updated_at), its later row: counted without csq."""
    rows = 0
    last: dict[tuple[str, datetime], dict[str, str]] = {}
    with SERVICENOW.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            rows += 1
            last[(row["number"], datetime.strptime(row["sys_updated_at"], "%d/%m/%Y %H:%M"))] = row
    return rows, last


def _none(v: str) -> str | None:
    return None if v == "?" else v


def test_the_servicenow_event_log_loads_one_event_per_incident_and_moment(tmp_path: Path) -> None:
    db = tmp_path / "csq.duckdb"
    out = cli_json("import", str(SERVICENOW), "--kind", "ticket_events", "--preset", "servicenow_events", db=db)[0]
    rows, last = _last_rows()
    assert out["status"] == "committed"
    assert (out["rows_read"], out["rows_loaded"], out["rows_collapsed"]) == (rows, len(last), rows - len(last))
    # Both "-100" rows are unknown statuses, counted in the report before the collapse.
    assert out["unknown_values"] == {"status": {"-100": 2}} and out["rows_rejected"] == 0
    want = {(n, at, STATES.get(r["incident_state"], "open"), r["incident_state"], _none(r["assigned_to"]),
             _none(r["assignment_group"])) for (n, at), r in last.items()}
    store = open_store(db, read_only=True)
    try:
        got = set(store.rows("SELECT ticket_id, event_at, status, status_raw, agent, team FROM ticket_events_current"))
        assert got == want
        # INC0028089 was at -100 at 12:02 and 12:03; the Resolved row at 12:03 comes later in the file and wins.
        assert store.rows("SELECT event_at, status, status_raw FROM ticket_events_current WHERE ticket_id = "
                          "'INC0028089' AND event_at BETWEEN ? AND ? ORDER BY 1",
                          [datetime(2016, 6, 16, 12, 2), datetime(2016, 6, 16, 12, 3)]) == [
            (datetime(2016, 6, 16, 12, 2), "open", "-100"), (datetime(2016, 6, 16, 12, 3), "solved", "Resolved")]
    finally:
        store.close()


GBK_ROWS = [
    ("工单编号", "状态时间", "状态", "处理人", "班组"),
    ("GD001", "2025/03/01 09:00", "新建", "张三", "一组"),
    ("GD001", "2025/03/01 09:30", "处理中", "张三", "一组"),
    ("GD001", "2025/03/02 10:00", "待客户回复", "张三", "一组"),
    ("GD001", "2025/03/03 11:00", "挂起", "张三", "一组"),
    ("GD001", "2025/03/04 12:00", "办结", "张三", "一组"),
    ("GD001", "2025/03/05 12:00", "结单", "", "一组"),
    ("GD002", "2025/03/02 08:00", "已受理", "李四", "二组"),
    ("GD002", "2025/03/02 08:00", "等待第三方", "李四", "二组"),  # same moment: this later row wins
    ("GD002", "2025/03/03 08:00", "转交中", "李四", "二组"),  # unknown: open, raw kept
]


@pytest.fixture
def gbk_file(tmp_path: Path) -> Path:
    path = tmp_path / "流转记录_2025-03.csv"
    with path.open("w", encoding="gbk", newline="") as fh:
        csv.writer(fh).writerows(GBK_ROWS)
    return path


def test_a_gbk_file_with_chinese_headers_imports_as_ticket_events(store: Store, gbk_file: Path) -> None:
    data = gbk_file.read_bytes()
    assert preview.detect_kind(data, gbk_file.name) == "ticket_events"
    insp = preview.inspect(store, data, gbk_file.name, "ticket_events")
    assert preview.unknown_rows(insp) == [{"field": "status", "value": "转交中", "rows": 1, "becomes": "open"}]
    res = import_file(store, gbk_file, "ticket_events")
    assert res.status == "committed", res.message
    assert (res.rows_read, res.rows_loaded, res.rows_collapsed) == (9, 8, 1)
    assert res.unknown_values == {"status": {"转交中": 1}}
    assert res.details["columns"] == {"ticket_id": "工单编号", "event_at": "状态时间", "status": "状态",
                                      "agent": "处理人", "team": "班组"}
    assert store.rows("SELECT ticket_id, event_at, status, status_raw, agent FROM ticket_events_current "
                      "ORDER BY 1, 2") == [
        ("GD001", datetime(2025, 3, 1, 9), "new", "新建", "张三"),
        ("GD001", datetime(2025, 3, 1, 9, 30), "open", "处理中", "张三"),
        ("GD001", datetime(2025, 3, 2, 10), "pending", "待客户回复", "张三"),
        ("GD001", datetime(2025, 3, 3, 11), "on_hold", "挂起", "张三"),
        ("GD001", datetime(2025, 3, 4, 12), "solved", "办结", "张三"),
        ("GD001", datetime(2025, 3, 5, 12), "closed", "结单", None),
        ("GD002", datetime(2025, 3, 2, 8), "on_hold", "等待第三方", "李四"),
        ("GD002", datetime(2025, 3, 3, 8), "open", "转交中", "李四"),
    ]


def test_rollback_and_retention_handle_ticket_events(store: Store, gbk_file: Path) -> None:
    batch = int(import_file(store, gbk_file, "ticket_events").batch_id)  # type: ignore[arg-type]
    plan = history.rollback_plan(store, batch)
    assert (plan.kind, plan.rows_removed, plan.possible) == ("ticket_events", 8, True)
    assert retention.purge_preview(store, date(2025, 3, 3))["ticket_events"] == 4
    assert rollback(store, batch, role="admin") == {"batch_id": batch, "rows_removed": 8, "rows_restored": 0}
    assert store.scalar("SELECT count(*) FROM ticket_events") == 0


def test_event_statuses_have_their_own_vocabulary_beside_the_actions_status() -> None:
    events, actions = TICKET_EVENTS.field("status"), ACTIONS.field("status")
    assert [canonical_value(events, x) for x in ("open", "已关闭", "Awaiting User Info", "on hold", "-100")] == [
        "open", "closed", "pending", "on_hold", None]
    assert [canonical_value(actions, x) for x in ("open", "已关闭")] == ["planned", "verified"]
    assert value_label(events.values_key, "pending", "zh") == "待客户回复"
    assert value_label("status", "pending", "zh") == "pending"  # no column called status gets event labels


def test_the_preset_is_offered_for_ticket_events_only(store: Store) -> None:
    assert preview.presets_for(store, "ticket_events")["servicenow_events"].kind == "ticket_events"
    assert "servicenow_events" not in preview.presets_for(store, "tickets")
    m = preview.presets_for(store)["servicenow_events"]
    assert preview.preset_title("servicenow_events", m, "zh") == "ServiceNow 事件单状态流转"
    assert preview.preset_title("servicenow_events", m, "en") == "ServiceNow incident state history"
