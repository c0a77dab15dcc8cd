"""The calls kind (SPEC §2) and the telephony indicators (SPEC §3): the real bank call center's day as exported,
a GBK copy with more Chinese columns, English headers, times of day and midnight, and the row checks. Every
expected figure is computed here from the raw file with pandas, independently of csq's SQL."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from csq.ingest.importer import import_bytes, import_file
from csq.metrics.engine import compute
from csq.metrics.filters import Filter
from csq.store import Store
from csq.store.settings import set_setting
from tests.support import REAL

BANK = REAL / "anonymous_bank_calls_1999-08-01.csv"
KEYS = ("calls_offered", "answer_rate", "abandon_rate", "service_level", "asa_s", "aht_s")


def expected(df: pd.DataFrame, short_s: float = 5, sl_s: float = 20) -> dict[str, dict[str, float | None]]:
    """Return the six indicators per month of queued_at by SPEC §3, from a frame of the export's columns."""
    queued, answered, ended = (pd.to_datetime(df[c]) for c in ("排队开始", "应答时间", "挂机时间"))
    parts = [pd.to_numeric(df[c], errors="coerce").fillna(0) if c in df else 0 for c in ("通话时长", "保持时长", "话后处理")]
    handle = parts[0] + parts[1] + parts[2]
    inbound = df["呼叫方向"].eq("呼入") if "呼叫方向" in df else pd.Series(True, index=df.index)
    is_answered = answered.notna()
    abandoned = answered.isna() & ended.notna()
    short = abandoned & ((ended - queued).dt.total_seconds() <= short_s)
    wait = (answered - queued).dt.total_seconds().clip(lower=0)
    out: dict[str, dict[str, float | None]] = {}
    for month, idx in df[inbound & ~short].groupby(queued.dt.strftime("%Y-%m")).groups.items():
        offered = len(idx)
        ans = is_answered[idx]
        out[month] = {
            "calls_offered": offered,
            "answer_rate": ans.sum() / offered,
            "abandon_rate": abandoned[idx].sum() / offered,
            "service_level": (ans & (wait[idx] <= sl_s)).sum() / offered,
            "asa_s": wait[idx][ans].mean() if ans.any() else None,
            "aht_s": handle[idx][ans].mean() if ans.any() else None,
        }
    return out


def figures(store: Store) -> dict[str, dict[str, float | None]]:
    """Return csq's six indicators per month."""
    return {r.group("month"): {k: r.value(k) for k in KEYS} for r in compute(store, Filter(), ["month"], list(KEYS))}


def assert_same(got: dict, want: dict) -> None:
    assert set(got) == set(want)
    for month in want:
        assert got[month]["calls_offered"] == want[month]["calls_offered"]  # counts exact
        for k in KEYS[1:]:
            assert got[month][k] == pytest.approx(want[month][k], abs=1e-9), (month, k)


def test_the_real_bank_day_imports_without_a_mapping_and_its_indicators_match(store: Store) -> None:
    res = import_file(store, BANK, "calls")
    assert res.status == "committed", res.as_dict()
    assert res.rows_loaded == 2238 and res.error_count == 0
    assert res.details["columns"]["queued_at"] == "排队开始" and res.details["columns"]["entered_at"] == "进线时间"
    raw = pd.read_csv(BANK, encoding="utf-8-sig", dtype=str)
    want = expected(raw)
    # The source's README: 728 callers hung up in the queue, 15 of them within 5 s; 1,510 calls were answered.
    assert want["1999-08"]["calls_offered"] == 2238 - 15
    assert_same(figures(store), want)
    row = compute(store, Filter(), [], ["asa_s", "aht_s"])[0]
    assert row.n("asa_s") == row.n("aht_s") == 1510


def _gbk_month(tmp_path: Path) -> Path:
    """Return a GBK copy of the day with hold (hh:mm:ss) and after-call work columns, over two months."""
    with BANK.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    header = [*rows[0].keys(), "保持时长", "话后处理", "班组"]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(header)
    for i, r in enumerate(rows):
        # every third call is moved to September, so there are two months; hold and wrap-up vary by row
        month = "09" if i % 3 == 0 else "08"
        moved = {k: (v.replace("1999-08-", f"1999-{month}-") if v else v) for k, v in r.items()}
        answered = bool(r["应答时间"])
        hold = f"00:0{i % 3}:{i % 60:02d}" if answered else ""
        acw = str(i % 45) if answered else ""
        w.writerow([*moved.values(), hold, acw, "一组" if i % 2 else "二组"])
    path = tmp_path / "话务明细_1999.csv"
    path.write_bytes(out.getvalue().encode("gbk"))
    return path


def test_a_gbk_export_with_hold_and_wrap_up_imports_and_matches(store: Store, tmp_path: Path) -> None:
    path = _gbk_month(tmp_path)
    res = import_file(store, path, "calls")
    assert res.status == "committed" and res.details["encoding"] in ("gbk", "gb18030"), res.as_dict()
    assert {"hold_s": "保持时长", "acw_s": "话后处理", "team": "班组"}.items() <= res.details["columns"].items()
    raw = pd.read_csv(path, encoding="gbk", dtype=str)
    raw["保持时长"] = pd.to_timedelta(raw["保持时长"]).dt.total_seconds()
    assert_same(figures(store), expected(raw))


def test_the_thresholds_are_settings(store: Store) -> None:
    import_file(store, BANK, "calls")
    set_setting(store, "short_abandon_s", 10)
    set_setting(store, "service_level_s", 30)
    raw = pd.read_csv(BANK, encoding="utf-8-sig", dtype=str)
    assert_same(figures(store), expected(raw, short_s=10, sl_s=30))


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_english_headers_times_of_day_and_midnight(store: Store) -> None:
    data = _csv("Call ID,Date,Queue Start,Answer Time,End Time,Agent,Queue,Talk Time,Hold Time,ACW,Direction",
                "c1,2025-03-07,23:59:50,00:00:05,00:03:05,amy,sales,00:03:00,10,20,Inbound",  # answered after midnight
                "c2,2025-03-07,23:58:00,,00:01:00,,sales,,,,Inbound",                        # abandoned after 3 min
                "c3,2025-03-07,10:00:00,09:59:57,10:01:57,bob,sales,2:00,,,Inbound",         # answered 3 s early
                "c4,2025-03-07,10:00:00,10:00:30,10:02:30,bob,sales,120,,,Outbound")        # not inbound
    res = import_bytes(store, data, "calls.csv", "calls")
    assert res.status == "committed", res.as_dict()
    rows = dict(store.rows("SELECT call_id, answered_at - queued_at FROM calls_current"))
    assert rows["c1"].total_seconds() == 15
    ended = dict(store.rows("SELECT call_id, CAST(ended_at AS VARCHAR) FROM calls_current"))
    assert ended["c1"] == "2025-03-08 00:03:05" and ended["c2"] == "2025-03-08 00:01:00"
    r = compute(store, Filter(), [], list(KEYS))[0]
    # c1, c2, c3 offered; c1 waits 15 s and c3 0 s (3 s early is clock skew), c2 abandoned after 180 s
    assert r.value("calls_offered") == 3
    assert r.value("answer_rate") == pytest.approx(2 / 3) and r.value("abandon_rate") == pytest.approx(1 / 3)
    assert r.value("service_level") == pytest.approx(2 / 3)
    assert r.value("asa_s") == pytest.approx(7.5)
    assert r.value("aht_s") == pytest.approx(((180 + 10 + 20) + 120) / 2)


def test_row_checks(store: Store) -> None:
    data = _csv("呼叫编号,排队开始,应答时间,挂机时间,通话时长,是否放弃",
                "a,2025-03-07 10:00:00,2025-03-07 09:59:50,2025-03-07 10:02:00,120,否",   # answered 10 s before queued
                "b,2025-03-07 10:00:00,2025-03-07 10:00:10,2025-03-07 10:02:00,-5,否",    # negative duration
                "c,2025-03-07 10:00:00,2025-03-07 10:00:10,2025-03-07 10:02:00,110,是",   # answered and abandoned
                "d,2025-03-07 10:00:00,2025-03-07 10:00:10,2025-03-07 10:02:00,abc,否",   # not a duration
                "e,2025-03-07 10:00:00,,2025-03-07 10:00:03,,是",                         # a short abandon: fine
                "f,10:00:00,,10:00:03,,是")                                               # time of day, no date
    res = import_bytes(store, data, "calls.csv", "calls")
    assert res.status == "refused"
    by_row = {}
    for e in res.errors:
        by_row.setdefault(e.row, []).append(e.message)
    assert set(by_row) == {2, 3, 4, 5, 7}
    assert any("more than 5 s before it was queued" in m for m in by_row[2])
    assert any("negative duration" in m for m in by_row[3])
    assert any("answered" in m and "abandoned at once" in m for m in by_row[4])
    assert any("is not a duration" in m for m in by_row[5])
    assert any("time of day without a date" in m for m in by_row[7])


def test_no_calls_is_no_data(store: Store) -> None:
    r = compute(store, Filter(), [], list(KEYS))[0]
    assert r.value("calls_offered") in (0, None) and r.value("answer_rate") is None and r.value("asa_s") is None
