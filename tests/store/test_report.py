"""The quarterly report (issue 18): figures against the previous quarter, findings, a partial quarter, the sections
of every record kind with data, and the HTML and Excel files (no personal data, one sheet per table)."""
from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import fastexcel
import pytest

from csq.core.months import Period
from csq.errors import InputRefused
from csq.overview import report, report_figures
from csq.overview.report_model import Table
from csq.store import Store
from tests.support import run_cli

PHONE = "13812345678"


def _tickets(put) -> None:
    # Q1 2025: 4 phone tickets answered in 1 min (met); Q4 2024 (from October, so the pages compare with it): 2 tickets,
    # 1 answered late (5 min > 2 min).
    rows = [{"ticket_id": f"q1-{i}", "created_at": datetime(2025, 2, 3, 9), "channel": "phone",
             "first_response_at": datetime(2025, 2, 3, 9, 1), "customer_phone": PHONE} for i in range(4)]
    rows += [{"ticket_id": "q4-a", "created_at": datetime(2024, 10, 3, 9), "channel": "phone",
              "first_response_at": datetime(2024, 10, 3, 9, 1)},
             {"ticket_id": "q4-b", "created_at": datetime(2024, 10, 3, 9), "channel": "phone",
              "first_response_at": datetime(2024, 10, 3, 9, 5)}]
    put("tickets", rows)


def _phone(tid: str, at: datetime, wait_min: int, **extra: object) -> dict[str, object]:
    """A phone ticket answered after `wait_min` minutes and resolved at the same moment."""
    done = datetime(at.year, at.month, at.day, at.hour, at.minute + wait_min)
    return {"ticket_id": tid, "created_at": at, "channel": "phone", "first_response_at": done, "resolved_at": done,
            "customer_phone": PHONE, **extra}


def _quarter(put) -> None:
    """Q1 2025 by month (phone first-response limit 2 min, SPEC §4 rule 1): Jan 1 of 2 met, Feb 3 of 4, Mar 1 of 1.

    The March ticket is a complaint and stamped 31 March, so the quarter is complete (no running month). Q4 2024
    holds 2 late answers: frt_sla_rate 0 %.
    """
    rows = [_phone("j1", datetime(2025, 1, 10, 9), 1), _phone("j2", datetime(2025, 1, 10, 10), 5)]
    rows += [_phone(f"f{i}", datetime(2025, 2, 10, 9 + i), 1) for i in range(3)]
    rows += [_phone("f3", datetime(2025, 2, 10, 14), 5), _phone("m1", datetime(2025, 3, 31, 9), 1, type="complaint")]
    rows += [_phone("o1", datetime(2024, 10, 5, 9), 5), _phone("o2", datetime(2024, 10, 5, 10), 5)]
    put("tickets", rows)
    common = {"pdca_stage": "do", "status": "in_progress", "owner": "王经理"}
    put("actions", [
        {**common, "action_id": "IMP-001", "title": "电话接起提速", "indicator": "frt_sla_rate", "scope": "channel=phone",
         "start_date": date(2025, 1, 5), "due_date": date(2025, 4, 30)},
        # Cancelled, and closed before the quarter: neither addresses anything in Q1.
        {**common, "action_id": "IMP-002", "title": "cancelled", "indicator": "frt_sla_rate", "status": "cancelled",
         "start_date": date(2025, 1, 5), "due_date": date(2025, 4, 30)},
        {**common, "action_id": "IMP-003", "title": "old", "indicator": "frt_sla_rate", "status": "done",
         "pdca_stage": "check", "start_date": date(2024, 3, 1), "due_date": date(2024, 5, 1),
         "completed_at": date(2024, 5, 1)},
    ])


def _rows(table: Table) -> dict[str, dict[str, object]]:
    """Return a table's rows keyed by their first cell."""
    return {str(r[table.columns[0]]): r for r in table.as_dicts()}


def test_quarter_against_the_previous_quarter(store: Store, put) -> None:
    _tickets(put)
    rep = report.build(store, "2025q1", "en")
    assert rep.quarter == "2025Q1" and rep.months == ("2025-01", "2025-03") and rep.previous == ("2024-10", "2024-12")
    row = _rows(rep.headline)
    assert row["Tickets"]["Value"] == "4" and row["Tickets"]["Previous quarter"] == "2"
    assert row["Tickets"]["vs previous"] == "+2" and row["Tickets"]["n"] == 4
    fr = row["First response within SLA"]
    assert (fr["Value"], fr["Previous quarter"], fr["vs previous"]) == ("100.0%", "50.0%", "+50.0 pp")
    assert fr["Status"] == "● on target" and fr["Target"] == "Target ≥ 90.0%"
    assert row["CSAT"]["Value"] == "no data" and row["CSAT"]["n"] == 0  # no surveys: not 0 %
    # The charts run over the previous quarter and this one; only October and February hold tickets.
    chart = next(s for s in rep.charts if s.key == "tickets")
    assert chart.months == ("2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03")
    assert chart.values == (2.0, None, None, None, 4.0, None) and chart.running == "2025-02"


def test_findings_give_size_trend_previous_quarter_and_the_actions(store: Store, put) -> None:
    _quarter(put)
    rep = report.build(store, "2025Q1", "en")
    assert not rep.coverage.partial and rep.coverage.running is None
    found = {f.key: f for f in rep.findings}
    # Red before amber, then by relative shortfall: complaints 1 of 7 = 14.3 % against ≤ 5 % is (14.3-5)/5 = 1.86 of
    # its target off, frt_sla_rate 5 of 7 = 71.4 % against ≥ 90 % is 0.21 off.
    assert [f.key for f in rep.findings] == ["complaint_rate", "frt_sla_rate"]
    fr = found["frt_sla_rate"]
    assert (fr.value, fr.target, fr.gap, fr.status) == ("71.4%", "Target ≥ 90.0%", "-18.6 pp", "red")
    assert "short by 18.6 pp (n = 7)" in fr.text
    assert fr.trend == "By whole month: Jan 2025 50.0% → Feb 2025 75.0% → Mar 2025 100.0%, improving (+50.0 pp)."
    assert fr.previous == "Previous quarter 0.0% (+71.4 pp, better)."
    # IMP-001 targets it; the cancelled IMP-002 and IMP-003, done in 2024, do not count.
    assert [a.action_id for a in fr.actions] == ["IMP-001"]
    assert fr.actions[0].scope == "Channel = Phone" and fr.actions[0].verdict == "Pending"
    assert "Actions on it: IMP-001 “电话接起提速” (scope Channel = Phone, In progress, verdict: Pending" in fr.text
    cr = found["complaint_rate"]
    assert cr.gap == "+9.3 pp" and "9.3 pp over" in cr.text and cr.text.endswith("No action addresses it.")
    assert cr.trend.endswith("→ Mar 2025 100.0%, worsening (+100.0 pp).")
    assert [r["ID"] for r in rep.actions[0].as_dicts()] == ["IMP-001"]
    # Targets without data this quarter are named (no surveys, no QA, no training in the fixture).
    assert "CSAT" in rep.without_data and "First response within SLA" not in rep.without_data
    zh = report.build(store, "2025Q1", "zh").findings[1]
    assert zh.text.startswith("首次响应及时率：71.4%（目标 ≥ 90.0%，未达标），低于目标 18.6 个百分点（n = 7）。")
    assert "针对该指标的措施：IMP-001「电话接起提速」" in zh.text


@pytest.mark.parametrize(("action", "counts"), [
    ({"status": "in_progress", "start_date": date(2024, 11, 1)}, True),         # open since before the quarter
    ({"status": "planned", "start_date": date(2025, 3, 31)}, True),             # begun on its last day
    ({"status": "planned", "start_date": date(2025, 4, 1)}, False),             # begun after it
    ({"status": "done", "start_date": date(2024, 11, 1), "completed_at": datetime(2025, 1, 1, 8)}, True),
    ({"status": "done", "start_date": date(2024, 11, 1), "completed_at": datetime(2024, 12, 31, 23)}, False),
    ({"status": "verified", "due_date": date(2024, 12, 31)}, False),            # closed, no completion: its due date
    ({"status": "cancelled", "start_date": date(2025, 2, 1)}, False),
    ({"status": "in_progress"}, True),                                          # no dates: counts while open
])
def test_which_actions_were_in_play_in_the_quarter(action: dict, counts: bool) -> None:
    assert report_figures.in_quarter(action, date(2025, 1, 1), date(2025, 3, 31)) is counts


def test_a_partial_quarter_says_which_months_hold_data(store: Store, put) -> None:
    # The data ends on 3 February 2025: February is still in progress, March has no data yet.
    put("tickets", [_phone("j1", datetime(2025, 1, 10, 9), 5), _phone("j2", datetime(2025, 1, 11, 9), 1),
                    _phone("f1", datetime(2025, 2, 3, 9), 1)])
    rep = report.build(store, "2025Q1", "en")
    cov = rep.coverage
    assert cov.partial and cov.with_data == ("2025-01", "2025-02") and cov.running == "2025-02"
    assert cov.complete_months == ("2025-01",)
    assert rep.coverage_table.note == ("The quarter is incomplete. Months with data: Jan 2025, Feb 2025; no data for "
                                       "Mar 2025. Feb 2025 is still in progress; its figures are the month so far.")
    assert rep.coverage_table.columns == ("Record kind", "Jan 2025", "Feb 2025 (in progress)", "Mar 2025")
    fr = next(f for f in rep.findings if f.key == "frt_sla_rate")  # 2 of 3 met = 66.7 %
    assert fr.trend == "Fewer than two whole months, so no trend (Jan 2025 50.0%). Feb 2025 so far: 100.0%."
    # The data starts in this quarter: no previous quarter to compare with, as on the pages.
    assert rep.previous is None and fr.previous == "No previous quarter to compare with."
    page = report.to_html(rep)
    assert '<p class="warn">The quarter is incomplete.' in page
    assert "The data starts after the previous quarter began" in page


def test_a_quarter_without_data_is_a_report_that_says_so(store: Store, put) -> None:
    _tickets(put)
    rep = report.build(store, "2023Q2", "zh")
    assert rep.coverage.with_data == () and rep.coverage_table.note == "本季度没有任何数据。"
    assert rep.findings == [] and rep.kinds == [] and rep.previous is None
    assert '<p class="warn">本季度没有任何数据。</p>' in report.to_html(rep)


def test_each_kind_with_data_gets_its_section_with_telephony_thresholds(store: Store, put) -> None:
    _tickets(put)
    at = datetime(2025, 2, 4)
    put("calls", [  # SPEC §3: the 3 s abandon is short (≤ 5 s) and not offered; SL is answered within ≤ 20 s.
        {"call_id": "c1", "queued_at": at.replace(hour=9), "answered_at": at.replace(hour=9, second=10),
         "ended_at": at.replace(hour=9, minute=2), "talk_s": 100.0, "direction": "inbound"},
        {"call_id": "c2", "queued_at": at.replace(hour=10), "answered_at": at.replace(hour=10, second=30),
         "ended_at": at.replace(hour=10, minute=4), "talk_s": 200.0, "direction": "inbound"},
        {"call_id": "c3", "queued_at": at.replace(hour=11), "ended_at": at.replace(hour=11, second=3),
         "direction": "inbound"},
        {"call_id": "c4", "queued_at": at.replace(hour=12), "ended_at": at.replace(hour=12, minute=1),
         "direction": "inbound"}])
    put("callbacks", [  # both due by the data's as-of; one made and reached, satisfied
        {"callback_id": "cb1", "customer_id": "C-1", "customer_phone": PHONE, "planned_for": date(2025, 2, 1),
         "called_at": datetime(2025, 2, 2, 10), "result": "reached", "satisfied": True, "attitude_ok": True},
        {"callback_id": "cb2", "customer_id": "C-2", "customer_phone": PHONE, "planned_for": date(2025, 2, 1)}])
    rep = report.build(store, "2025Q1", "en")
    assert [k.kind for k in rep.kinds] == ["tickets", "callbacks", "calls"]  # catalogue order, kinds with data only
    calls = _rows(next(k for k in rep.kinds if k.kind == "calls").table)
    # offered: c1, c2, c4 = 3; answered 2 → 66.7 %; abandoned after 5 s: c4 → 33.3 %; within 20 s: c1 → 33.3 %;
    # ASA (10 + 30) / 2 = 20.0 s; AHT (100 + 200) / 2 = 150.0 s.
    assert [calls[n]["Value"] for n in ("Calls offered", "Answer rate", "Abandon rate", "Service level",
                                        "Average speed of answer", "Average handle time")] == \
        ["3", "66.7%", "33.3%", "33.3%", "20.0 s", "150.0 s"]
    assert calls["Service level"]["Threshold"] == "answered within 20 s"
    assert next(k for k in rep.kinds if k.kind == "calls").note == \
        "short abandons ≤ 5 s (not offered) · service level: answered within 20 s"
    callbacks = _rows(next(k for k in rep.kinds if k.kind == "callbacks").table)
    assert callbacks["Callback completion"]["Value"] == "50.0%" and callbacks["Callback completion"]["n"] == 2
    assert callbacks["Callback satisfaction"]["Value"] == "100.0%"
    assert rep.coverage.by_kind == {"tickets": ("2025-02",), "callbacks": ("2025-02",), "calls": ("2025-02",)}
    names = [n for n, _ in rep.formulas]
    assert "Service level" in names and "Callback completion" in names  # each shown indicator's formula
    page = report.to_html(rep)
    assert "Telephony (inbound calls)" in page and "Callbacks" in page and PHONE not in page


def test_report_files_hold_the_figures_and_no_phone_number(store: Store, put, tmp_path: Path) -> None:
    _tickets(put)
    rep = report.build(store, "2025Q1", "zh")
    html_out = report.write(rep, tmp_path / "r.html")
    text = html_out.read_text(encoding="utf-8")
    assert "服务质量季度报告 · 2025Q1" in text and "100.0%" in text and "50.0%" in text and PHONE not in text
    assert "<script" not in text and not re.search(r"(src|href)=", text)  # self-contained: nothing fetched
    assert "@page { size: A4" in text and '"Noto Sans CJK SC"' in text
    book = fastexcel.read_excel(report.write(rep, tmp_path / "r.xlsx"))
    # One sheet per table, in the report's order, named by the table's title.
    assert book.sheet_names == [tab.title for tab in rep.tables()]
    assert book.sheet_names[:3] == ["本季度的数据覆盖", "核心指标", "发现与建议关注"]
    headline = book.load_sheet("核心指标").to_arrow().to_pylist()
    assert headline[2]["指标"] == "首次响应及时率" and headline[2]["数值"] == "100.0%"
    assert headline[0]["n"] == 4  # counts are numbers, not text
    raw = zipfile.ZipFile(io.BytesIO((tmp_path / "r.xlsx").read_bytes()))
    assert not any(PHONE.encode() in raw.read(n) for n in raw.namelist())


def test_public_bytes_for_a_download_or_a_mail(store: Store, put) -> None:
    _tickets(put)
    assert report.html_bytes(store, "2025Q1", "en").startswith(b"<!doctype html>")
    assert report.xlsx_bytes(store, "2025Q1", "en")[:2] == b"PK"


def test_bad_quarter_and_bad_output_are_refused_before_the_store_is_read(tmp_path: Path) -> None:
    with pytest.raises(InputRefused, match="not a quarter"):
        Period.quarter("2025Q5")
    db = tmp_path / "none.duckdb"
    proc = run_cli("report", "--quarter", "2025Q1", "--out", str(tmp_path / "r.pdf"), db=db)
    assert proc.returncode == 2 and "FILE.html or FILE.xlsx" in proc.stderr
    assert not db.exists()


def test_the_command_says_when_the_quarter_is_incomplete(store: Store, put, tmp_path: Path) -> None:
    put("tickets", [_phone("j1", datetime(2025, 1, 10, 9), 1)])  # as of 10 January: January is in progress
    store.close()
    out = tmp_path / "q.xlsx"
    proc = run_cli("report", "--quarter", "2025Q1", "--out", str(out), "--json", db=store.path)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert (got["complete"], got["months_with_data"], got["running"]) == (False, ["2025-01"], "2025-01")
    assert got["bytes"] == out.stat().st_size
    proc = run_cli("report", "--quarter", "2025Q1", "--out", str(tmp_path / "q.html"), db=store.path)
    assert "The quarter is incomplete: months with data: 2025-01; 2025-01 is still in progress." in proc.stdout


def test_overview_offers_the_quarter_of_the_period_for_download(store: Store, put) -> None:
    from tests.apptest import assert_no_exception, run_app

    _tickets(put)
    store.close()
    at = run_app(store.path, None, {"lang": "en", "from": "2024-11", "to": "2025-02"})
    assert_no_exception(at)
    assert at.selectbox(key="report_quarter").options == ["2024Q4", "2025Q1"]
    assert at.selectbox(key="report_quarter").value == "2025Q1"
    assert report.quarters(["2024-12", "2025-01", "2025-04"]) == ["2024Q4", "2025Q1", "2025Q2"]
