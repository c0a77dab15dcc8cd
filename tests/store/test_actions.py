"""The action register: role checks, versioned writes with audit and rollback, PDCA moves, overdue, workload."""
from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from csq.errors import InputRefused, NotAllowed, NotFound
from csq.improvement import actions
from csq.metrics.filters import Filter
from csq.store.batches import list_batches, rollback
from tests.support import kpi_rows

AS_OF = datetime(2025, 6, 30, 18)


@pytest.fixture
def db(store, put):
    """A store whose data is 'as of' 2025-06-30 18:00 (its latest ticket)."""
    put("tickets", [{"ticket_id": "T1", "created_at": datetime(2025, 6, 1), "resolved_at": AS_OF}])
    return store


NEW = {"title": "投诉处理超时", "cause_category": "process", "indicator": "complaint_rate",
       "scope": "team=售后组; category=物流", "owner": "王经理", "start_date": date(2025, 5, 10)}


def _audit(store) -> list[tuple]:
    return store.rows("SELECT action, target, details FROM audit_log ORDER BY id")


def test_roles_that_may_not_change_actions_are_refused(db):
    with pytest.raises(NotAllowed):
        actions.create(db, NEW, role="viewer")
    for role in ("analyst", "manager", "admin"):
        assert actions.create(db, {**NEW, "title": role}, role=role)["title"] == role
    a = actions.list_actions(db)[0]
    with pytest.raises(NotAllowed):
        actions.move(db, a["action_id"], "do", role="viewer")
    with pytest.raises(NotAllowed):
        actions.cancel(db, a["action_id"], role="viewer")


def test_create_writes_one_audited_batch_and_bumps_the_version(db):
    version = db.data_version()
    a = actions.create(db, NEW, role="manager", user="王经理")
    assert a["action_id"] == "IMP-001"
    assert (a["pdca_stage"], a["status"]) == ("plan", "planned")
    assert a["due_date"] == date(2025, 7, 10)  # SPEC §4: closed within 2 months of the start
    assert db.data_version() == version + 1
    batch = list_batches(db)[0]
    assert (batch.kind, batch.source, batch.rows_loaded, batch.user_name) == ("actions", "app:create IMP-001", 1, "王经理")
    action, target, details = _audit(db)[-1]
    assert (action, target) == ("import", f"batch {batch.batch_id}")
    assert json.loads(details)["source"] == "app:create IMP-001"
    assert actions.create(db, {**NEW, "title": "second"}, role="manager")["action_id"] == "IMP-002"


def test_bad_values_are_refused_and_nothing_is_written(db):
    for bad in ({"indicator": "nope"}, {"cause_category": "weather"}, {"scope": "colour=red"},
                {"due_date": date(2025, 5, 1)}, {"title": " "}, {"before_months": 0}, {"bogus": 1}):
        with pytest.raises(InputRefused):
            actions.create(db, {**NEW, **bad}, role="admin")
    assert actions.list_actions(db) == []


def test_edit_writes_a_new_version_that_rollback_undoes(db):
    a = actions.create(db, NEW, role="admin")
    same = actions.update(db, a["action_id"], {"owner": "王经理"}, role="admin")
    assert same == a and len(list_batches(db)) == 2  # nothing changed: nothing written
    b = actions.update(db, a["action_id"], {"owner": "李主管", "after_months": 6}, role="admin")
    assert (b["owner"], b["after_months"]) == ("李主管", 6)
    versions = db.rows("SELECT owner, _superseded_by IS NULL FROM actions ORDER BY _batch_id")
    assert versions == [("王经理", False), ("李主管", True)]
    edit = list_batches(db)[0]
    assert edit.source == f"app:edit {a['action_id']}"
    rollback(db, edit.batch_id)
    assert actions.get_action(db, a["action_id"])["owner"] == "王经理"
    with pytest.raises(NotFound):
        actions.update(db, "IMP-999", {"owner": "x"}, role="admin")


def test_moving_through_pdca(db):
    a = actions.create(db, {**NEW, "start_date": None}, role="admin")
    assert a["due_date"] is None
    a = actions.move(db, a["action_id"], "do", role="admin")
    assert (a["pdca_stage"], a["status"], a["start_date"]) == ("do", "in_progress", date(2025, 6, 30))
    a = actions.move(db, a["action_id"], "check", role="admin")
    # Completion defaults to the data's as-of day, not the wall clock.
    assert (a["pdca_stage"], a["status"], a["completed_at"]) == ("check", "done", date(2025, 6, 30))
    a = actions.move(db, a["action_id"], "plan", role="admin", note="效果不明显，重新计划")
    assert (a["pdca_stage"], a["status"], a["completed_at"]) == ("plan", "planned", None)
    assert a["notes"] == "效果不明显，重新计划"
    a = actions.cancel(db, a["action_id"], role="admin", reason="预算取消")
    assert a["status"] == "cancelled" and a["notes"].endswith("预算取消")
    with pytest.raises(InputRefused):
        actions.move(db, a["action_id"], "do", role="admin")
    sources = [b.source.split()[0] for b in reversed(list_batches(db)) if b.kind == "actions"]
    assert sources == ["app:create", "app:move:do", "app:move:check", "app:move:plan", "app:cancel"]


def test_overdue_and_workload_as_of_the_data(db):
    actions.create(db, {**NEW, "owner": "甲", "due_date": date(2025, 6, 29)}, role="admin")   # overdue
    actions.create(db, {**NEW, "owner": "甲", "due_date": date(2025, 6, 30)}, role="admin")   # due today
    done = actions.create(db, {**NEW, "owner": "乙", "due_date": date(2025, 6, 1)}, role="admin")
    actions.move(db, done["action_id"], "check", role="admin", completed_at=date(2025, 6, 2))
    gone = actions.create(db, {**NEW, "owner": "乙", "due_date": date(2025, 6, 1)}, role="admin")
    actions.cancel(db, gone["action_id"], role="admin")
    listed = {a["action_id"]: a["overdue"] for a in actions.list_actions(db)}
    assert listed == {"IMP-001": True, "IMP-002": False, "IMP-003": False, "IMP-004": False}
    assert actions.workload(actions.list_actions(db)) == [
        {"owner": "甲", "open": 2, "overdue": 1, "total": 2},
        {"owner": "乙", "open": 0, "overdue": 0, "total": 1}]
    # action_on_time_rate: IMP-001 overdue (counts, late), IMP-003 completed a day late; IMP-002 not yet due.
    row = kpi_rows(db, Filter(), indicators=["action_on_time_rate"])[0]
    assert (row["action_on_time_rate"], row["n"]["action_on_time_rate"]) == (0.0, 2)


def test_by_cause_lists_all_six_categories(db):
    actions.create(db, NEW, role="admin")
    actions.create(db, {**NEW, "cause_category": None}, role="admin")
    grouped = actions.by_cause(actions.list_actions(db))
    assert list(grouped)[:6] == ["people", "process", "equipment", "management", "environment", "measurement"]
    assert [a["action_id"] for a in grouped["process"]] == ["IMP-001"]
    assert [a["action_id"] for a in grouped[""]] == ["IMP-002"]


def test_next_id_follows_imported_ids(db, put):
    put("actions", [{"action_id": "IMP-0042", "title": "x"}, {"action_id": "OTHER-7", "title": "y"}])
    assert actions.next_id(db) == "IMP-0043"
