"""`python -m csq callbacks plan|due` and the callback indicators through `kpi` (issue 19, SPEC §6): the JSON
objects, the same seed on two stores, the refusal that writes nothing, --out masked to the role, and due."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path

import fastexcel
import pytest

from tests.support import cli_json, run_cli


def _tickets(folder: Path) -> Path:
    """Write 2025's tickets of engineers 王工 (8 customers) and 李工 (2), as of 2026-03-31 12:00; return the file."""
    path = folder / "tickets.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["工单编号", "受理时间", "渠道", "业务类型", "坐席", "班组", "客户编号", "客户姓名", "客户电话"])
        for agent, n in (("王工", 8), ("李工", 2)):
            for i in range(n):
                for month in (3, 9):
                    w.writerow([f"T{agent}{i}{month}", f"2025-{month:02d}-10 09:00", "电话", "咨询", agent, "一组",
                                f"K{agent}{i}", f"客户{i}号", f"1390000{i:04d}"])
        w.writerow(["T-last", "2026-03-31 12:00", "电话", "咨询", "王工", "一组", "", "", ""])
    return path


@pytest.fixture
def db(new_db, tmp_path: Path) -> Path:
    path = new_db("cb.duckdb")
    assert run_cli("import", str(_tickets(tmp_path)), "--kind", "tickets", db=path).returncode == 0
    return path


def test_plan_json_is_the_spec_objects_and_the_same_seed_draws_the_same_on_another_store(db: Path, new_db,
                                                                                         tmp_path: Path) -> None:
    rows = cli_json("callbacks", "plan", "--quarter", "2026Q1", "--seed", "9", db=db)
    assert all(set(r) == {"callback_id", "agent", "customer_id", "planned_for"} for r in rows)
    # 5 of 王工's 8 customers and both of 李工's (fewer than 5 exist); each customer once.
    assert sorted(r["agent"] for r in rows).count("王工") == 5 and [r["agent"] for r in rows].count("李工") == 2
    assert len({r["customer_id"] for r in rows}) == 7
    assert all("2026-01-01" <= r["planned_for"] <= "2026-03-31" for r in rows)
    other = new_db("other.duckdb")
    run_cli("import", str(_tickets(tmp_path)), "--kind", "tickets", db=other)
    assert cli_json("callbacks", "plan", "--quarter", "2026Q1", "--seed", "9", db=other) == rows
    assert cli_json("callbacks", "plan", "--quarter", "2026Q1", "--seed", "9", db=db) == rows  # again: unchanged


def test_a_different_draw_of_a_planned_quarter_is_refused_and_writes_nothing(db: Path) -> None:
    run_cli("callbacks", "plan", "--quarter", "2026Q1", db=db)
    before = db.read_bytes()
    proc = run_cli("callbacks", "plan", "--quarter", "2026Q1", "--seed", "2", "--json", db=db)
    assert proc.returncode == 2 and "--replace" in json.loads(proc.stdout)["fix"]
    assert db.read_bytes() == before
    assert run_cli("callbacks", "plan", "--quarter", "2026Q5", db=db).returncode == 2
    assert run_cli("callbacks", "plan", "--quarter", "2026Q2", "--per-agent", "0", db=db).returncode == 2
    assert db.read_bytes() == before
    replaced = cli_json("callbacks", "plan", "--quarter", "2026Q1", "--seed", "2", "--replace", db=db)
    assert len(replaced) == 7


def test_out_is_masked_for_an_analyst_and_unmasked_and_audited_for_the_admin(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.csv"
    rows = cli_json("callbacks", "plan", "--quarter", "2026Q1", "--out", str(out), db=db)   # local role: admin
    text = out.read_text(encoding="utf-8-sig")
    assert rows[0]["customer_id"] in text and "1390000" in text
    proc = run_cli("callbacks", "plan", "--quarter", "2026Q1", "--out", str(tmp_path / "plan.xlsx"), "--json",
                   db=db, env={"CSQ_ROLE": "analyst"})
    assert proc.returncode == 0
    masked = json.loads(proc.stdout)
    assert [r["callback_id"] for r in masked] == [r["callback_id"] for r in rows]
    assert all("*" in r["customer_id"] for r in masked)
    sheet = fastexcel.read_excel(str(tmp_path / "plan.xlsx")).load_sheet(0).to_arrow()
    phones = sheet.column("客户电话").to_pylist()
    assert len(phones) == len(rows) and all("****" in p for p in phones)
    proc = run_cli("callbacks", "plan", "--quarter", "2026Q2", db=db, env={"CSQ_ROLE": "viewer"})
    assert proc.returncode == 2 and "may not import" in proc.stderr
    from csq.store import open_store

    store = open_store(db, read_only=True)
    try:
        assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'callbacks.export'") == 1   # the admin's
    finally:
        store.close()


def test_results_imported_give_due_and_the_kpi_figures_by_engineer(db: Path, tmp_path: Path) -> None:
    plan = cli_json("callbacks", "plan", "--quarter", "2026Q1", db=db)
    wang = [r for r in plan if r["agent"] == "王工"]
    # 王工: the first two reached and satisfied, the third not reached (a second one 2 days later), the fourth
    # reached but unhappy with the attitude and never called again; the fifth not made.
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["回访编号", "客户编号", "工程师", "计划回访日期", "回访时间", "回访结果", "对这段时间的服务是否满意",
                "对工程师的态度是否满意", "还有什么遗留问题未解决", "原回访编号"])
    day = datetime(2026, 2, 1, 10)
    answers = [("已接通", "是", "是", "无"), ("已接通", "是", "是", ""), ("未接通", "", "", ""), ("已接通", "否", "否", "")]
    for r, (result, sat, att, issue) in zip(wang, answers):
        w.writerow([r["callback_id"], r["customer_id"], "王工", r["planned_for"], f"{day:%Y-%m-%d %H:%M}", result, sat,
                    att, issue, ""])
    w.writerow([f"{wang[2]['callback_id']}-2", wang[2]["customer_id"], "王工", "",
                f"{day + timedelta(days=2):%Y-%m-%d %H:%M}", "已接通", "是", "是", "", wang[2]["callback_id"]])
    path = tmp_path / "回访结果.csv"
    path.write_text(buf.getvalue(), encoding="gbk")
    assert cli_json("import", str(path), "--kind", "callbacks", db=db)[0]["status"] == "committed"
    due = cli_json("callbacks", "due", db=db)
    assert [(d["callback_id"], d["status"], d["reasons"]) for d in due] == [
        (wang[3]["callback_id"], "overdue", ["not_satisfied", "attitude"])]
    rows = {r["agent"]: r for r in cli_json("kpi", "--by", "agent", "--from", "2026-01", "--to", "2026-03",
                                            "--indicators", "callback_completion_rate,callback_satisfaction_rate,"
                                            "callback_followup_on_time_rate", db=db)}
    wang_due = sum(r["planned_for"] < "2026-03-31" for r in wang)    # planned days before the as-of day
    made = sum(r["planned_for"] < "2026-03-31" for r in wang[:4])
    assert rows["王工"]["callback_completion_rate"] == round(made / wang_due, 9)
    # reached with an answer: 3 firsts (yes, yes, no) and the second (yes): 3 of 4. Needing one, limit passed: the
    # third (on time) and the fourth (none): 1 of 2.
    assert rows["王工"]["callback_satisfaction_rate"] == 0.75 and rows["王工"]["n"]["callback_satisfaction_rate"] == 4
    assert rows["王工"]["callback_followup_on_time_rate"] == 0.5
    assert rows["李工"]["callback_satisfaction_rate"] is None   # nothing reached: no data, not 0
