"""The quarterly report: the quarter's figures against the previous quarter, in HTML and Excel, no personal data."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import fastexcel
import pytest

from csq.core.months import Period
from csq.errors import InputRefused
from csq.overview import report
from csq.store import Store
from tests.support import run_cli


def _tickets(put) -> None:
    # Q1 2025: 4 phone tickets answered in 1 min (met); Q4 2024: 2 tickets, 1 answered late (5 min > 2 min).
    rows = [{"ticket_id": f"q1-{i}", "created_at": datetime(2025, 2, 3, 9), "channel": "phone",
             "first_response_at": datetime(2025, 2, 3, 9, 1), "customer_phone": "13812345678"} for i in range(4)]
    rows += [{"ticket_id": "q4-a", "created_at": datetime(2024, 11, 3, 9), "channel": "phone",
              "first_response_at": datetime(2024, 11, 3, 9, 1)},
             {"ticket_id": "q4-b", "created_at": datetime(2024, 11, 3, 9), "channel": "phone",
              "first_response_at": datetime(2024, 11, 3, 9, 5)}]
    put("tickets", rows)


def test_quarter_against_the_previous_quarter(store: Store, put) -> None:
    _tickets(put)
    rep = report.build(store, "2025q1", "en")
    assert rep.quarter == "2025Q1" and rep.months == ("2025-01", "2025-03") and rep.previous == ("2024-10", "2024-12")
    row = {i["key"]: i for i in rep.indicators}
    assert row["tickets"]["value"] == "4" and row["tickets"]["previous"] == "2" and row["tickets"]["change"] == "+2"
    assert row["frt_sla_rate"]["value"] == "100.0%" and row["frt_sla_rate"]["previous"] == "50.0%"
    assert row["frt_sla_rate"]["change"] == "+50.0 pp"
    assert row["csat_rate"]["value"] == "no data"  # no surveys: not 0 %
    assert [m["month"] for m in rep.monthly] == ["Feb 2025"]


@pytest.mark.parametrize("suffix", [".html", ".xlsx"])
def test_report_files_hold_the_figures_and_no_phone_number(store: Store, put, tmp_path: Path, suffix: str) -> None:
    _tickets(put)
    out = report.write(report.build(store, "2025Q1", "zh"), tmp_path / f"r{suffix}")
    if suffix == ".html":
        text = out.read_text(encoding="utf-8")
        assert "服务质量季度报告 · 2025Q1" in text and "100.0%" in text and "50.0%" in text
    else:
        book = fastexcel.read_excel(out)
        assert book.sheet_names[0] == "核心指标"
        text = str(book.load_sheet(0).to_arrow().to_pylist())
        assert "100.0%" in text
    assert "13812345678" not in text


def test_bad_quarter_and_bad_output_are_refused_before_the_store_is_read(tmp_path: Path) -> None:
    with pytest.raises(InputRefused, match="not a quarter"):
        Period.quarter("2025Q5")
    db = tmp_path / "none.duckdb"
    proc = run_cli("report", "--quarter", "2025Q1", "--out", str(tmp_path / "r.pdf"), db=db)
    assert proc.returncode == 2 and "FILE.html or FILE.xlsx" in proc.stderr
    assert not db.exists()


def test_overview_offers_the_quarter_of_the_period_for_download(store: Store, put) -> None:
    from tests.apptest import assert_no_exception, run_app

    _tickets(put)
    store.close()
    at = run_app(store.path, None, {"lang": "en", "from": "2024-11", "to": "2025-02"})
    assert_no_exception(at)
    assert at.selectbox(key="report_quarter").options == ["2024Q4", "2025Q1"]
    assert at.selectbox(key="report_quarter").value == "2025Q1"
    assert report.quarters(["2024-12", "2025-01", "2025-04"]) == ["2024Q4", "2025Q1", "2025Q2"]
