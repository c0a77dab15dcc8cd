"""The Evaluation page in AppTest: demo store and empty store, both languages, filters, roles, sample figures."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from csq.core.i18n import t
from csq.evaluation import scorecard
from csq.metrics.filters import Filter
from csq.store import open_store
from tests.apptest import assert_no_exception, page_text, run_app
from tests.support import SAMPLES, run_cli

PAGE = "app_pages/evaluation.py"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("evsample") / "sample.duckdb"
    for name, kind in (("servqual_2025Q1.csv", "servqual"), ("qa_2025-03.csv", "qa"), ("training_2025Q1.csv", "training")):
        assert run_cli("import", str(SAMPLES / name), "--kind", kind, db=db).returncode == 0
    return db


@pytest.mark.parametrize("lang, words", [
    ("zh", ["服务质量评估", "差距最大的是", "五差距诊断", "质检员一致性", "综合得分 = Σ 权重", "未达及格线"]),
    ("en", ["Evaluation", "The biggest gap is in", "Five-gap diagnosis", "Evaluator agreement",
            "Composite = Σ weight", "below the pass mark"]),
])
def test_demo_store_renders_every_section(demo_db, lang, words):
    at = run_app(demo_db, PAGE, {"lang": lang})
    assert_no_exception(at)
    text = page_text(at)
    for w in words:
        assert w in text, w
    assert [t.label for t in at.tabs][:5] == (["SERVQUAL 差距", "质检评分", "质检抽样", "坐席与班组评分", "培训考核"]
                                              if lang == "zh" else ["SERVQUAL gaps", "QA scorecard", "QA sample",
                                                                    "Agent & team scorecard", "Training"])
    # the demo's strict evaluator shows up as a calibration problem
    assert "质检-赵" in text
    assert len(at.dataframe) >= 8


def test_page_shows_the_cli_figures_on_the_sample(sample_db):
    at = run_app(sample_db, PAGE, {"lang": "en", "from": "2025-01", "to": "2025-04"})
    assert_no_exception(at)
    text = page_text(at)
    store = open_store(sample_db)  # the app holds a writable connection in this process
    try:
        from csq.evaluation.servqual import summary

        s = summary(store, Filter("2025-01", "2025-04"))
    finally:
        store.close()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Weighted gap"] == f"{s['weighted_gap']:+.2f}"
    assert metrics["Unweighted gap"] == f"{s['unweighted_gap']:+.2f}"
    assert metrics["Respondents"] == "240"
    dims = at.dataframe[0].value
    assert list(dims["Gap P − E"]) == [f"{d['gap']:+.2f}" for d in s["dimensions"]]
    assert "Reliability" in text and "1.08" in text  # the widest gap in the sample, in plain words


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_empty_store_renders_without_errors(tmp_path, lang):
    at = run_app(tmp_path / "empty.duckdb", PAGE, {"lang": lang})
    assert_no_exception(at)
    text = page_text(at)
    # either the app's first-run screen, or this page with every section's empty state
    assert ("还没有数据" if lang == "zh" else "No data yet") in text or (
        ("统计期内没有质检记录" if lang == "zh" else "No QA evaluations") in text
        and ("没有可评分的坐席或班组" if lang == "zh" else "No agent or team to score") in text)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_store_with_tickets_only_says_what_is_missing(tmp_path, lang):
    db = tmp_path / "tickets.duckdb"
    assert run_cli("import", str(SAMPLES / "tickets_2025-03_gbk.csv"), "--kind", "tickets", db=db).returncode == 0
    at = run_app(db, PAGE, {"lang": lang})
    assert_no_exception(at)
    text = page_text(at)
    assert ("统计期内没有 SERVQUAL 问卷" if lang == "zh" else "No SERVQUAL responses") in text
    assert ("统计期内没有质检记录" if lang == "zh" else "No QA evaluations") in text
    assert ("统计期内没有培训考核记录" if lang == "zh" else "No training assessments") in text


def test_field_filter_explains_why_servqual_is_empty(demo_db):
    at = run_app(demo_db, PAGE, {"lang": "en", "channel": "phone"})
    assert_no_exception(at)
    assert "SERVQUAL responses carry no channel" in page_text(at)


def test_weights_editor_only_for_roles_that_may_change_settings(demo_db):
    admin = run_app(demo_db, PAGE, {"lang": "en"}, role="admin")
    viewer = run_app(demo_db, PAGE, {"lang": "en"}, role="viewer")
    assert_no_exception(viewer)
    assert any(e.label == "Edit weights and grade bands" for e in admin.expander)
    assert not any(e.label == "Edit weights and grade bands" for e in viewer.expander)


def test_saving_weights_on_the_page_writes_settings(tmp_path, demo_db):
    db = tmp_path / "copy.duckdb"
    db.write_bytes(demo_db.read_bytes())
    at = run_app(db, PAGE, {"lang": "en"})
    at.number_input(key="ev_w_frt_sla_rate").set_value(60.0)
    submit = [b for b in at.button if b.label == "Save"]
    assert submit
    submit[0].click().run()
    assert_no_exception(at)
    store = open_store(db)  # the app holds a writable connection in this process
    try:
        assert scorecard.weights(store)["frt_sla_rate"] == 60.0
    finally:
        store.close()


RAW_KEY = re.compile(r"^(ev|impr|sat)_[a-z_]+$")


def shown_strings(at) -> list[str]:
    """Every string a person sees: texts, labels, options, tab and expander labels, table headers and cells."""
    out = page_text(at).splitlines()
    out += [x.label for x in (*at.tabs, *at.expander, *at.button, *at.selectbox, *at.text_input, *at.toggle)]
    out += [str(o) for s in at.selectbox for o in s.options]
    for frame in (*at.dataframe, *at.table):
        df = frame.value
        out += [str(c) for c in df.columns] + [str(x) for col in df.columns for x in df[col] if isinstance(x, str)]
    return [s.strip() for s in out]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_raw_text_key_is_rendered(demo_db, lang):
    at = run_app(demo_db, PAGE, {"lang": lang})
    assert_no_exception(at)
    shown = shown_strings(at)
    assert len(shown) > 100  # the whole page was collected, not an error screen
    assert [s for s in shown if RAW_KEY.match(s)] == []


@pytest.mark.parametrize("lang, words", [
    ("zh", ["没有匹配的问卷", "统计期内没有质检记录", "没有可评分的坐席或班组", "统计期内没有培训考核记录"]),
    ("en", ["none matches these filters", "No QA evaluations", "No agent or team to score", "No training assessments"]),
])
def test_filter_that_matches_nothing_explains_every_section(demo_db, lang, words):
    at = run_app(demo_db, PAGE, {"lang": lang, "team": "一组", "channel": "onsite", "type": "suggestion"})
    assert_no_exception(at)
    text = page_text(at)
    for w in words:
        assert w in text, w
    # No zeros standing in for missing data. The QA sample's week is the exception the page names: the evaluators'
    # whole worklist (real counts, never zeros), which the sidebar filters do not narrow.
    week = {t(k, lang) for k in ("qs_drawn", "qs_evaluated_n", "qs_week_coverage")}
    assert [m.label for m in at.metric if m.label not in week] == []
    assert len(at.dataframe) <= 1 and t("qs_whole_week", lang) in text


def test_gap_chart_labels_and_units():
    from csq.evaluation.charts import gap_figure, waves_figure

    dims = [{"dimension": "empathy", "gap": -0.5, "ci_low": -0.7, "ci_high": -0.3, "expectation": 6.0,
             "perception": 5.5, "n": 1200}]
    fig = gap_figure(dims, "zh", 0.95)
    assert fig.layout.xaxis.title.text == "差距 P − E（分，7 分制）"
    assert list(fig.data[1].text) == ["-0.50"] and list(fig.data[1].x) == [-0.7]  # beyond the whisker, not on it
    assert "n = 1,200" in fig.data[0].hovertext[0]
    waves = waves_figure([{"wave": "2025Q1", "empathy": -0.5, "weighted_gap": -0.4}], ["empathy"], "en")
    assert waves.layout.yaxis.title.text == "Gap P − E (points on the 1–7 scale)"
    assert waves.layout.title.text != "Trend across survey waves"  # not the section heading twice


def test_status_mark_uses_full_width_brackets_in_chinese():
    from csq.evaluation.tables import _status_mark
    from csq.store.settings import Target

    target = Target(indicator="csat_rate", direction="higher", target=0.9, warning=0.85)
    assert _status_mark("csat_rate", 0.95, {"csat_rate": target}, "zh") == "（达标）"
    assert _status_mark("csat_rate", 0.95, {"csat_rate": target}, "en") == " (on target)"
    assert _status_mark("csat_rate", 0.95, {}, "zh") == ""
