"""Issue 14 / SPEC §10: personal fields are not filters or groupings for a role that sees them masked.

A viewer sees customers' phones, names and ids masked, so `kpi --where customer_phone=… --by agent` must not
tell them who served that customer. Viewer, analyst and manager are refused with exit 2 and a message naming
the field and why; admin (who sees them unmasked) gets the figures. The rule is csq.core.privacy.
check_filter_fields, reached from every command with --where or --by and from the action register's scopes.
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from csq.core.privacy import PERSONAL_FIELDS, check_filter_fields
from csq.errors import NotAllowed
from csq.improvement import actions
from csq.metrics.filters import Filter
from csq.store import Store, open_store
from tests.support import run_cli, snapshot

PHONE = "18774287324"
MASKED_ROLES = ("viewer", "analyst", "manager")


@pytest.fixture
def db(store: Store, put) -> Path:
    """A store where one customer (PHONE, 王小明, C9001) was served by agent 秘密坐席 only, and others by 一组-李娜."""
    put("tickets", [
        {"ticket_id": "P1", "created_at": datetime(2025, 3, 3, 9), "channel": "phone", "agent": "秘密坐席",
         "team": "一组", "customer_phone": PHONE, "customer_name": "王小明", "customer_id": "C9001",
         "first_response_at": datetime(2025, 3, 3, 9, 1)},
        *({"ticket_id": f"O{i}", "created_at": datetime(2025, 3, 4, 9), "channel": "chat", "agent": "一组-李娜",
           "team": "一组", "customer_phone": f"1390000{i:04d}", "first_response_at": datetime(2025, 3, 4, 9, 2)}
          for i in range(4))])
    path = store.path
    store.close()
    return path


REFUSED = [
    ("kpi", "--where", f"customer_phone={PHONE}", "--by", "agent"),
    ("kpi", "--where", "customer_name=王小明"),
    ("kpi", "--where", "CUSTOMER_ID=C9001", "--by", "agent"),
    ("kpi", "--by", "customer_phone"),
    ("kpi", "--by", "agent,customer_name"),
    ("spc", "--indicator", "frt_sla_rate", "--where", f"customer_phone={PHONE}"),
    ("servqual", "--where", "customer_id=C9001"),
]


@pytest.mark.parametrize("role", MASKED_ROLES)
@pytest.mark.parametrize("argv", REFUSED, ids=lambda a: " ".join(a))
def test_a_masked_role_is_refused_with_exit_2_naming_the_field_and_why(db: Path, role: str,
                                                                        argv: tuple[str, ...]) -> None:
    proc = run_cli(*argv, db=db, env={"CSQ_ROLE": role})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    field = next(f for f in PERSONAL_FIELDS if f in " ".join(argv).lower())
    assert field in proc.stderr and f"«{role}»" in proc.stderr
    assert "masked" in proc.stderr and "What to do:" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "秘密坐席" not in proc.stdout + proc.stderr  # nothing was computed: who served them stays unknown


def test_the_refusal_is_a_json_error_object_with_json(db: Path) -> None:
    proc = run_cli("kpi", "--where", f"customer_phone={PHONE}", "--by", "agent", "--json", db=db,
                   env={"CSQ_ROLE": "viewer"})
    assert proc.returncode == 2
    out = json.loads(proc.stdout)
    assert out["status"] == "error" and out["exit_code"] == 2 and "customer_phone" in out["message"]


def test_the_real_process_exits_2_as_a_viewer(db: Path) -> None:
    proc = run_cli("kpi", "--where", f"customer_phone={PHONE}", "--by", "agent", db=db,
                   env={"CSQ_ROLE": "viewer"}, process=True)
    assert proc.returncode == 2 and "customer_phone" in proc.stderr and "秘密坐席" not in proc.stdout


@pytest.mark.parametrize("env", [{"CSQ_ROLE": "admin"}, {}], ids=["admin", "default role"])
def test_admin_may_filter_by_a_personal_field(db: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    monkeypatch.delenv("CSQ_ROLE", raising=False)  # without it, local mode is admin (SPEC §8)
    proc = run_cli("kpi", "--where", f"customer_phone={PHONE}", "--by", "agent", "--json", db=db, env=env)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [(r["agent"], r["tickets"]) for r in rows] == [("秘密坐席", 1)]
    proc = run_cli("spc", "--indicator", "frt_sla_rate", "--where", "customer_id=C9001", db=db, env=env)
    assert proc.returncode == 0, proc.stderr


def test_admin_still_cannot_group_by_a_field_that_is_no_grouping(db: Path) -> None:
    proc = run_cli("kpi", "--by", "customer_phone", db=db, env={"CSQ_ROLE": "admin"})
    assert proc.returncode == 2 and "Cannot group by customer_phone" in proc.stderr


@pytest.mark.parametrize("role", MASKED_ROLES)
def test_other_filters_still_work_for_a_masked_role(db: Path, role: str) -> None:
    proc = run_cli("kpi", "--where", "channel=phone", "--by", "agent", "--json", db=db, env={"CSQ_ROLE": role})
    assert proc.returncode == 0, proc.stderr
    assert [r["agent"] for r in json.loads(proc.stdout)] == ["秘密坐席"]


def test_the_rule_in_one_place() -> None:
    assert PERSONAL_FIELDS == ("customer_phone", "customer_name", "customer_id")
    for role in MASKED_ROLES:
        with pytest.raises(NotAllowed, match="customer_phone"):
            check_filter_fields(role, ["team", "customer_phone"])
        with pytest.raises(NotAllowed, match="customer_name"):
            Filter(where=(("customer_name", ("王小明",)),)).for_role(role)
        with pytest.raises(NotAllowed, match="customer_id"):
            Filter().for_role(role, by=["customer_id"])
        check_filter_fields(role, ["team", "agent", "channel"])  # no personal field: allowed
    check_filter_fields("admin", PERSONAL_FIELDS)
    assert Filter(where=(("customer_phone", (PHONE,)),)).for_role("admin").values("customer_phone") == (PHONE,)


@pytest.mark.parametrize("role", ["analyst", "manager"])
def test_an_action_scope_on_a_personal_field_is_refused_for_a_masked_role(db: Path, role: str) -> None:
    store = open_store(db)
    try:
        before = snapshot(store)
        with pytest.raises(NotAllowed, match="customer_phone"):
            actions.create(store, {"title": "回访", "indicator": "frt_sla_rate", "scope": f"customer_phone={PHONE}"},
                           role)
        made = actions.create(store, {"title": "回访", "indicator": "frt_sla_rate", "scope": "team=一组"}, role)
        after_create = snapshot(store)
        with pytest.raises(NotAllowed, match="customer_name"):
            actions.update(store, str(made["action_id"]), {"scope": "customer_name=王小明"}, role)
        assert snapshot(store) == after_create != before
        admin = actions.create(store, {"title": "回访", "indicator": "frt_sla_rate",
                                       "scope": f"customer_phone={PHONE}"}, "admin")
        assert admin["scope"] == f"customer_phone={PHONE}"
    finally:
        store.close()
