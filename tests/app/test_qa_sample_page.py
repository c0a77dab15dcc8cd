"""The QA sample section of the Evaluation page (issue 19) in AppTest: a drawn week, coverage, roles, the draw form."""
from __future__ import annotations

from pathlib import Path

import pytest

from csq.evaluation import sampling
from csq.metrics.display import format_value
from csq.metrics.engine import compute
from csq.metrics.filters import Filter
from csq.store import open_store
from tests.apptest import assert_no_exception, page_text, run_app
from tests.support import snapshot

PAGE = "app_pages/evaluation.py"
WEEK = "2025-W41"  # 6–12 October 2025: inside the demo center (which ends on 15 December), before the eight
# whole weeks its own QA sample draws (2025-W43 to W50, csq.demo.qa_sample)


@pytest.fixture
def drawn_db(tmp_path: Path, demo_db: Path) -> Path:
    """A copy of the demo center with the QA sample of 2025-W41 drawn too; returns the path, the store closed."""
    db = tmp_path / "drawn.duckdb"
    db.write_bytes(demo_db.read_bytes())
    s = open_store(db)
    sampling.draw(s, WEEK, role="admin", user="质检主管")
    s.close()
    return db


def test_a_drawn_week_shows_its_tickets_coverage_and_comparison(drawn_db):
    s = open_store(drawn_db, read_only=True)
    try:
        drawn = sampling.stored(s, WEEK)
        cov = compute(s, Filter("2025-07", "2025-12"), (), ["qa_coverage_rate"])[0]
    finally:
        s.close()
    at = run_app(drawn_db, PAGE, {"lang": "en", "from": "2025-07", "to": "2025-12"})
    assert_no_exception(at)
    assert "QA sample" in [t.label for t in at.tabs]
    at.selectbox(key="qs_week").set_value(WEEK).run()  # the demo's newest drawn week is shown first
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Tickets drawn"] == f"{len(drawn.tickets):,}" and metrics["Of them evaluated"] == "0"
    assert metrics["QA sample coverage"] == format_value("qa_coverage_rate", cov.value("qa_coverage_rate"), "en")
    assert cov.n("qa_coverage_rate") > len(drawn.tickets)  # the demo's own weeks count in the period too
    text = page_text(at)
    assert "drawn by 质检主管" in text and "Complaint" in text and "QA results: sampled tickets against" in text
    assert any(e.label == "Draw a week" for e in at.expander)  # the local admin may draw


def test_a_viewer_sees_the_sample_masked_and_no_draw_form(drawn_db):
    at = run_app(drawn_db, PAGE, {"lang": "zh"}, role="viewer")
    assert_no_exception(at)
    assert not any(e.label == "抽取一周" for e in at.expander)
    assert "客户信息已按您的角色脱敏。" in page_text(at)
    names = [r["客户"] for r in at.dataframe[_index_of(at, "客户")].value.to_dict("records")]
    assert names and all("*" in n or n == "—" for n in names)


def _index_of(at, column):
    return next(i for i, d in enumerate(at.dataframe) if column in d.value.columns)


def test_the_draw_form_draws_once_and_refuses_a_second_draw(tmp_path, demo_db):
    db = tmp_path / "copy.duckdb"
    db.write_bytes(demo_db.read_bytes())
    at = run_app(db, PAGE, {"lang": "en"})
    assert at.selectbox(key="qs_week").value == "2025-W50"  # the demo's newest drawn week is shown first
    # The last whole week before "as of" (Monday 15 December 2025, in 2025-W51).
    assert at.text_input(key="qs_draw_week").value == "2025-W50"
    at.text_input(key="qs_draw_week").set_value("2025-W38")  # before the demo's own draws
    at.number_input(key="qs_per_agent").set_value(2)
    next(b for b in at.button if b.label == "Draw").click().run()
    assert_no_exception(at)
    s = open_store(db, read_only=True)
    try:
        first = sampling.stored(s, "2025-W38")
        before = snapshot(s)
    finally:
        s.close()
    assert first is not None and first.rules.per_agent == 2 and at.selectbox(key="qs_week").value == "2025-W38"
    # The same week again, without replace: refused with the fix, nothing written.
    at.text_input(key="qs_draw_week").set_value("2025-W38")
    next(b for b in at.button if b.label == "Draw").click().run()
    assert any("already has a QA sample" in str(e.value) for e in at.error)
    s = open_store(db, read_only=True)
    try:
        assert snapshot(s) == before
    finally:
        s.close()
