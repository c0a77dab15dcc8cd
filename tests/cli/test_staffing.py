"""`python -m csq staffing` (SPEC §4e, §6): a synthetic 8-week calls file gives Monday 10:00 the reference answer."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from tests.support import cli_json, run_cli

FIRST_MONDAY = date(2025, 3, 3)


def _eight_mondays(path: Path) -> Path:
    """Write 100 answered calls of 180 s talk every Monday 10:00–10:30 for 8 weeks, by 12 agents; return the file."""
    lines = ["呼叫编号,排队开始,应答时间,挂机时间,坐席,队列,通话时长,呼叫方向"]
    for week in range(8):
        day = datetime.combine(FIRST_MONDAY + timedelta(weeks=week), datetime.min.time()) + timedelta(hours=10)
        for i in range(100):
            queued = day + timedelta(seconds=18 * i)   # 100 calls spread over the half-hour
            answered = queued + timedelta(seconds=i % 7)
            ended = answered + timedelta(seconds=180)
            lines.append(f"w{week}-{i},{queued:%Y-%m-%d %H:%M:%S},{answered:%Y-%m-%d %H:%M:%S},"
                         f"{ended:%Y-%m-%d %H:%M:%S},agent{i % 12},sales,180,呼入")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_monday_ten_gets_the_reference_answer(tmp_path: Path, new_db) -> None:
    db = new_db()
    out = cli_json("import", str(_eight_mondays(tmp_path / "calls.csv")), "--kind", "calls", db=db)
    assert out[0]["status"] == "committed" and out[0]["rows_loaded"] == 800
    rows = cli_json("staffing", "--from", "2025-03", "--to", "2025-04", db=db)
    assert len(rows) == 1
    r = rows[0]
    assert (r["weekday"], r["interval"], r["calls"], r["aht_s"]) == (1, "10:00", 100, 180)
    # SPEC §4e: 100 calls in 30 min, AHT 180 s -> A = 10; 14 agents give SL(20 s) 0.888, ASA ≈ 7.8 s,
    # occupancy 0.714, and 14 ÷ (1 − 0.3) = 20 heads.
    assert r["agents"] == 14 and r["headcount"] == 20
    assert round(r["service_level"], 3) == 0.888 and round(r["asa_s"], 1) == 7.8 and round(r["occupancy"], 3) == 0.714
    assert r["answered_by"] == 12 and r["gap"] == -2   # 12 distinct agents answered each Monday


def test_the_what_if_and_the_weeks(tmp_path: Path, new_db) -> None:
    db = new_db()
    cli_json("import", str(_eight_mondays(tmp_path / "calls.csv")), "--kind", "calls", db=db)
    # +10 % volume: 110 calls, A = 11; the AHT override of 180 s changes nothing else
    r = cli_json("staffing", "--volume", "10", "--aht", "180", db=db)[0]
    assert r["calls"] == pytest.approx(110) and r["agents"] > 14
    # four weeks: the same mean of 100 a Monday
    assert cli_json("staffing", "--weeks", "4", db=db)[0]["calls"] == 100
    # a target of 100 % is never met under Erlang C: refused, exit 2
    assert run_cli("staffing", "--target", "1", db=db).returncode == 2
