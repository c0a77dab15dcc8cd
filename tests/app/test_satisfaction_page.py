"""Satisfaction page in AppTest: both languages, agreement with `csq spc`, no surveys, warnings, masking, search."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from csq.cli.numbers import spc_objects
from csq.metrics.display import format_value
from csq.metrics.filters import Filter
from csq.metrics.spc import chart_for
from csq.metrics.spc_words import spc_json
from csq.satisfaction.analysis import KEYS
from csq.store import open_store
from csq.store.batches import commit_records
from tests.apptest import assert_no_exception, page_text, run_app
from tests.support import cli_json, kpi_rows

PAGE = "app_pages/satisfaction.py"
T = datetime


def _commit(db: Path, kind: str, rows: list[dict]) -> None:
    store = open_store(db)
    try:
        names = list(dict.fromkeys(k for r in rows for k in r))
        commit_records(store, kind, pa.Table.from_pylist([{k: r.get(k) for k in names} for r in rows]),
                       source="fixture")
    finally:
        store.close()


def _ticket(i: int, **extra: object) -> dict:
    created = T(2025, 3, 3, 9) + timedelta(hours=i)
    return {"ticket_id": f"t{i}", "created_at": created, "first_response_at": created + timedelta(minutes=3),
            "resolved_at": created + timedelta(hours=5), "channel": "phone", "type": "inquiry",
            "priority": "normal", "reopen_count": 0, "team": "一组", **extra}


@pytest.fixture(scope="module")
def tickets_only_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tickets but no surveys."""
    db = tmp_path_factory.mktemp("sat_nosurvey") / "t.duckdb"
    _commit(db, "tickets", [_ticket(i) for i in range(20)])
    return db


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten invitations in March 2025, four answered (a 40 % response rate), with personal data in a comment."""
    db = tmp_path_factory.mktemp("sat_small") / "s.duckdb"
    _commit(db, "tickets", [_ticket(i, customer_name="张三丰", customer_phone="13900001111") for i in range(10)])
    _commit(db, "surveys", [
        {"survey_id": f"s{i}", "ticket_id": f"t{i}", "sent_at": T(2025, 3, 5, 9),
         "responded_at": T(2025, 3, 6, 9) if i < 4 else None, "csat": [5, 4, 2, 1][i] if i < 4 else None,
         "comment": {0: "张三丰说很满意，回电13812345678", 2: "Too slow", 3: "态度不好"}.get(i)}
        for i in range(10)])
    return db


def _table(at, column: str):
    """Return the first dataframe on the page that has `column` (display tables carry no key in AppTest)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _charts(at) -> dict[str, dict]:
    """Return the page's plotly figures by their widget key."""
    return {e.proto.id.rsplit("-", 1)[-1]: json.loads(e.proto.spec) for e in at.get("plotly_chart")}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_renders_on_the_demo_store_and_agrees_with_the_cli(demo_db: Path, lang: str) -> None:
    at = run_app(demo_db, PAGE, {"lang": lang, "from": "2025-01", "to": "2025-12"})
    assert_no_exception(at)
    text = page_text(at)
    for zh, en in (("满意度趋势", "Satisfaction"), ("月度趋势与控制限", "Monthly trends with control limits"),
                   ("分组对比", "Breakdown"), ("评分分布", "Score distribution"), ("同比", "Year on year"),
                   ("满意度驱动因素", "What drives satisfaction"), ("客户评价", "Comments")):
        assert (zh if lang == "zh" else en) in text
    f = Filter("2025-01", "2025-12")
    store = open_store(demo_db)   # the app in this process holds the file; share its configuration
    try:
        total = kpi_rows(store, f, (), KEYS)[0]
        charts = {k: chart_for(store, f, k) for k in KEYS}
    finally:
        store.close()
    assert [m.value for m in at.metric] == [format_value(k, total[k], lang) for k in KEYS]
    figures = _charts(at)
    # The app in this process holds the store, so the CLI reads a copy, as a colleague would.
    copy = demo_db.with_name(f"cli_copy_{lang}.duckdb")
    copy.write_bytes(demo_db.read_bytes())
    for key in KEYS:
        cli = cli_json("spc", "--indicator", key, "--from", "2025-01", "--to", "2025-12", db=copy)
        assert cli == spc_objects(spc_json(charts[key]), key)  # the chart's figures, rounded for JSON
        scale = 100 if key != "csat_mean" and key != "nps" else 1
        traces = {tr["name"]: tr for tr in figures[f"sat_trend_{key}"]["data"]}
        values = next(tr["y"] for tr in figures[f"sat_trend_{key}"]["data"] if tr["mode"] == "lines+markers")
        assert len(values) == len(cli) == 12
        for month, y in zip(cli, values):   # the page's points are the CLI's, month by month
            assert y == (None if month["value"] is None else pytest.approx(month["value"] * scale, abs=1e-4 * scale))
        ucl = traces["控制上限" if lang == "zh" else "Upper control limit"]["y"]
        assert ucl == [None if m["ucl"] is None else pytest.approx(m["ucl"] * scale, abs=1e-4 * scale) for m in cli]
        # Every month the CLI flags is explained in words on the page.
        for m in cli:
            if m["signals"]:
                assert m["month"] in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_store_with_tickets_but_no_surveys(tickets_only_db: Path, lang: str) -> None:
    at = run_app(tickets_only_db, PAGE, {"lang": lang})
    assert_no_exception(at)
    text = page_text(at)
    assert ("没有满意度调查数据" if lang == "zh" else "No survey data matches these filters") in text
    assert at.metric.len == 0 and at.get("plotly_chart") == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_low_response_rate_is_a_warning(small_db: Path, lang: str) -> None:
    at = run_app(small_db, PAGE, {"lang": lang})
    assert_no_exception(at)
    warning = " ".join(str(w.value) for w in at.warning)
    # 4 of 10 invitations answered: 40.0 % against the 80 % target.
    assert ("调查回收率只有 40.0%（目标 80.0%，邀请数 n = 10）" if lang == "zh"
            else "The survey response rate is only 40.0% (target 80.0%, invitations n = 10)") in warning
    # One month with data: no limits, said in words.
    assert ("月份少于 3 个" if lang == "zh" else "Fewer than 3 months") in page_text(at)


def test_viewer_sees_comments_masked_and_no_unmask_toggle(small_db: Path) -> None:
    at = run_app(small_db, PAGE, {"lang": "zh"}, role="viewer")
    assert_no_exception(at)
    assert "sat_unmask" not in [t.key for t in at.toggle]
    table = _table(at, "评价内容")
    comments = list(table["评价内容"])
    assert "张**说很满意，回电138****5678" in comments
    assert "13812345678" not in " ".join(comments) and "张三丰" not in " ".join(comments)
    assert set(table["客户电话"]) == {"139****1111"} and set(table["客户姓名"]) == {"张**"}


def test_admin_may_unmask_and_search_finds_chinese_and_english(small_db: Path) -> None:
    at = run_app(small_db, PAGE, {"lang": "en"}, role="admin")
    assert_no_exception(at)
    assert set(_table(at, "Comment")["Customer phone"]) == {"139****1111"}
    at.toggle(key="sat_unmask").set_value(True).run()
    assert set(_table(at, "Comment")["Customer phone"]) == {"13900001111"}
    at.text_input(key="sat_search").input("SLOW").run()
    assert list(_table(at, "Comment")["Comment"]) == ["Too slow"]
    at.text_input(key="sat_search").input("态度").run()
    assert list(_table(at, "Comment")["Comment"]) == ["态度不好"]
    at.text_input(key="sat_search").input("nothing like this").run()
    assert "No comment matches." in page_text(at)


def test_breakdown_switches_field_and_indicator(demo_db: Path) -> None:
    at = run_app(demo_db, PAGE, {"lang": "en", "from": "2025-01", "to": "2025-12"})
    next(b for b in at.get("button_group") if b.key == "sat_by").set_value("team").run()
    at.selectbox(key="sat_key").set_value("csat_mean").run()
    assert_no_exception(at)
    table = _table(at, "Signal")
    assert set(table["Group"]) >= {"一组", "投诉处理组"}
    store = open_store(demo_db)
    try:
        rows = {r["team"]: r for r in kpi_rows(store, Filter("2025-01", "2025-12"), ("team",), ("csat_mean",))}
    finally:
        store.close()
    for _, r in table.iterrows():
        assert r["Value"] == format_value("csat_mean", rows[r["Group"]]["csat_mean"], "en")
        assert r["n"] == rows[r["Group"]]["n"]["csat_mean"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_raw_text_key_is_rendered(demo_db: Path, lang: str) -> None:
    from tests.app.test_evaluation_page import RAW_KEY, shown_strings

    # an explicit period: this store ends in 2025-12
    at = run_app(demo_db, "app_pages/satisfaction.py", {"lang": lang, "from": "2025-01", "to": "2025-12"})
    assert_no_exception(at)
    shown = shown_strings(at)
    assert len(shown) > 100
    assert [s for s in shown if RAW_KEY.match(s)] == []
    assert "n " not in shown  # the year-on-year table names both n columns


@pytest.mark.parametrize("lang, words", [("zh", ["当前筛选条件下没有满意度调查数据"]), ("en", ["No survey data matches"])])
def test_filter_that_matches_nothing(demo_db: Path, lang: str, words: list[str]) -> None:
    at = run_app(demo_db, "app_pages/satisfaction.py", {"lang": lang, "team": "一组", "channel": "onsite",
                                                     "type": "suggestion"})
    assert_no_exception(at)
    for w in words:
        assert w in page_text(at), w
    assert not at.metric and not at.dataframe


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_empty_store_renders_without_errors(tmp_path: Path, lang: str) -> None:
    at = run_app(tmp_path / "empty.duckdb", "app_pages/satisfaction.py", {"lang": lang})
    assert_no_exception(at)
    assert ("还没有数据" if lang == "zh" else "No data yet") in page_text(at)


def test_month_ticks_are_short_and_thinned() -> None:
    from csq.satisfaction.charts import month_ticks

    assert month_ticks(["2025-11", "2025-12", "2026-01"], "zh") == (
        ["2025年11月", "2025年12月", "2026年1月"], ["11月<br>2025", "12月", "1月<br>2026"])
    values, texts = month_ticks([f"2025-{m:02d}" for m in range(1, 13)] + ["2026-01", "2026-02"], "en")
    assert values == ["Jan 2025", "Mar 2025", "May 2025", "Jul 2025", "Sep 2025", "Nov 2025", "Jan 2026"]
    assert texts[:2] == ["Jan<br>2025", "Mar"] and texts[-1] == "Jan<br>2026"
