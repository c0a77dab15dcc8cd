"""Improvement page in AppTest: Pareto bar → new action → Check → verdict; demo verdicts; viewer is read-only."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from csq.improvement.actions import get_action
from csq.store import open_store
from tests.apptest import assert_no_exception, page_text, run_app

PAGE = "app_pages/improvement.py"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Path:
    """This module's own copy of the shared demo store: its tests write actions."""
    db = tmp_path_factory.mktemp("impr") / "demo.duckdb"
    shutil.copyfile(demo_db, db)
    return db


def test_pareto_bar_to_action_to_check_to_verdict(demo: Path):
    at = run_app(demo, page=PAGE, params={"lang": "en"})
    assert_no_exception(at)
    assert "Improvement" in page_text(at)
    table = at.dataframe[0].value  # the Pareto table comes first (AppTest keeps no dataframe keys)
    top = table.iloc[0]["Category"]
    assert list(table["Count"]) == sorted(table["Count"], reverse=True)
    assert at.selectbox(key="impr_pareto_category").value == 0
    at.button(key="impr_pareto_start").click().run()
    assert_no_exception(at)
    assert at.text_input(key="impr_new_title").value == f"Complaints by category: {top}"
    assert at.text_input(key="impr_new_scope").value == f"type=complaint; category={top}"
    assert at.selectbox(key="impr_new_indicator").value == "complaint_rate"
    at.selectbox(key="impr_new_cause").set_value("process")
    at.text_input(key="impr_new_owner").set_value("Wang")
    at.button(key="impr_new_save").click().run()
    assert_no_exception(at)
    assert "Action IMP-021 created." in page_text(at)
    # AppTest reruns a switched-to page without app.py (Streamlit's pages/ folder mode), so the View and its
    # data version stay those of the first run: a fresh AppTest sees the write.
    at = run_app(demo, page=PAGE, params={"lang": "en"})
    at.selectbox(key="impr_edit_id").set_value("IMP-021").run()  # its stage choices follow: the stages after Plan
    at.selectbox(key="impr_move_stage").set_value("check")
    at.button(key="impr_move_go").click().run()
    assert_no_exception(at)
    assert "Action IMP-021 moved to Check." in page_text(at)
    store = open_store(demo)
    try:
        a = get_action(store, "IMP-021")
        audit = store.rows("SELECT details FROM audit_log WHERE details LIKE '%app:%IMP-021%' ORDER BY id")
    finally:
        store.close()
    assert (a["pdca_stage"], a["status"], a["scope"], a["owner"]) == ("check", "done", f"type=complaint; category={top}",
                                                                      "Wang")
    assert a["completed_at"] is not None and len(audit) == 2
    # Its effect check: completed on the data's last day, so the after window has not passed.
    at = run_app(demo, page=PAGE, params={"lang": "en"})
    at.selectbox(key="impr_effect_id").set_value("IMP-021").run()
    assert_no_exception(at)
    text = page_text(at)
    assert "Verdict: :orange[Pending]" in text and "The after window is not over yet" in text


def test_demo_verdicts_and_return_to_plan(demo: Path):
    at = run_app(demo, page=PAGE, params={"lang": "zh"})
    assert_no_exception(at)
    # IMP-008 covers the whole center: the plain before/after test, and the page says nothing controls for season.
    at.selectbox(key="impr_effect_id").set_value("IMP-008").run()
    text = page_text(at)
    assert "结论: :green[有效]" in text and "判定方法: 前后对比" in text and "无法排除季节" in text
    # IMP-001 covers one team: judged against the rest of the center, with both changes, the net effect and the
    # formula with the n of each cell.
    at.selectbox(key="impr_effect_id").set_value("IMP-001").run()
    assert_no_exception(at)
    text = page_text(at)
    assert "判定方法: 双重差分（对照中心其余部分）" in text and "对照组: 中心其余部分：不属于 班组 = 售后组" in text
    for words in ("适用范围内的变化", "对照组的变化", "净效果 d", "ln(1+分钟)", "SE = √(Σ s² ÷ n", "n：适用范围前 "):
        assert words in text, words
    assert "无法排除季节" not in text
    at.selectbox(key="impr_effect_id").set_value("IMP-002").run()
    assert "结论: :red[无效]" in page_text(at)
    at.button(key="impr_return_plan").click().run()
    assert_no_exception(at)
    store = open_store(demo)
    try:
        a = get_action(store, "IMP-002")
    finally:
        store.close()
    assert (a["pdca_stage"], a["status"], a["completed_at"]) == ("plan", "planned", None)
    assert "退回计划阶段" in str(a["notes"])


def test_viewer_sees_everything_but_changes_nothing(demo: Path):
    at = run_app(demo, page=PAGE, params={"lang": "en"}, role="viewer")
    assert_no_exception(at)
    assert "can only view actions" in page_text(at)
    keys = {b.key for b in at.button}
    assert not keys & {"impr_pareto_start", "impr_new_blank", "impr_move_go", "impr_return_plan"}
    assert len(at.dataframe) >= 3


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_raw_text_key_is_rendered(demo: Path, lang: str) -> None:
    from tests.app.test_evaluation_page import RAW_KEY, shown_strings

    at = run_app(demo, PAGE, {"lang": lang})
    assert_no_exception(at)
    shown = shown_strings(at)
    assert len(shown) > 100
    assert [s for s in shown if RAW_KEY.match(s)] == []
    # scopes read as field names and labels, not as raw 'channel=phone'
    assert not [s for s in shown if "channel=" in s or "team=" in s]
    assert "mannwhitneyu" not in "\n".join(shown)


@pytest.mark.parametrize("lang, words", [("zh", ["当前筛选条件下没有数据"]), ("en", ["Nothing matches these filters"])])
def test_filter_that_matches_nothing(demo: Path, lang: str, words: list[str]) -> None:
    at = run_app(demo, PAGE, {"lang": lang, "team": "一组", "channel": "onsite", "type": "suggestion"})
    assert_no_exception(at)
    text = page_text(at)
    for w in words:
        assert w in text, w


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_empty_store_renders_without_errors(tmp_path: Path, lang: str) -> None:
    at = run_app(tmp_path / "empty.duckdb", PAGE, {"lang": lang})
    assert_no_exception(at)
    assert ("还没有数据" if lang == "zh" else "No data yet") in page_text(at)


def test_display_helpers() -> None:
    from csq.improvement.charts import p_text, scope_text, test_name

    assert scope_text("team=售后组; channel=phone", "zh") == "班组 = 售后组 · 渠道 = 电话"
    assert scope_text("team=售后组; channel=phone", "en") == "Team = 售后组 · Channel = Phone"
    assert scope_text(None, "en") == "—"
    assert scope_text("nonsense", "zh") == "nonsense"
    assert p_text(2.059e-56) == "< 0.0001" and p_text(0.04123) == "0.0412" and p_text(None) == "—"
    assert test_name("mannwhitneyu", "zh") == "Mann–Whitney U 检验" and test_name(None, "en") == "—"
