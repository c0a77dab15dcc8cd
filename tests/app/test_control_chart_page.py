"""The control-chart chooser in AppTest (SPEC §4b, §7): a shared link with chart and baseline reopens the same chart,
whose limits are the library's, and the page says which chart it is and why."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from csq.metrics.filters import Filter
from csq.metrics.spc import Baseline, chart_for
from csq.store import open_store
from tests.apptest import assert_no_exception, page_text, run_app

PAGE = "app_pages/monitoring.py"


def _trend(at) -> dict:
    """Return the monthly trend figure's spec."""
    return next(json.loads(e.proto.spec) for e in at.get("plotly_chart") if e.proto.id.endswith("trend_chart"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_link_with_chart_and_baseline_reopens_that_chart(demo_db: Path, lang: str) -> None:
    params = {"lang": lang, "from": "2025-07", "to": "2025-12", "indicator": "frt_sla_rate", "chart": "p",
              "baseline": "2025-01:2025-06"}
    at = run_app(demo_db, PAGE, params)
    assert_no_exception(at)
    assert at.session_state["p_chart"] == "p" and at.session_state["p_baseline_mode"] == "range"
    assert at.query_params["baseline"] == "2025-01:2025-06"
    store = open_store(demo_db)   # the app in this process holds the file; share its configuration
    try:
        want = chart_for(store, Filter("2025-07", "2025-12"), "frt_sla_rate", "p", Baseline("2025-01", "2025-06"))
    finally:
        store.close()
    ucl = next(tr for tr in _trend(at)["data"] if tr["name"] == ("控制上限" if lang == "zh" else "Upper control limit"))
    # The baseline lies before the period shown: its months give the limits, the period's months are drawn.
    # December 2025 is the running month of the demo (it ends on the 15th): drawn, without limits.
    assert want.points[-1].partial and ucl["y"][-1] is None
    assert len(ucl["y"]) == 6 and ucl["y"][:5] == pytest.approx([p.ucl * 100 for p in want.points[:5]])
    text = page_text(at)
    assert ("经典 p 控制图" if lang == "zh" else "Classic p-chart") in text
    assert ("之后的月份沿用（冻结）" if lang == "zh" else "frozen for the months after it") in text


def test_auto_is_p_prime_for_a_rate_and_the_chooser_writes_the_url(demo_db: Path) -> None:
    at = run_app(demo_db, PAGE, {"lang": "en", "from": "2025-01", "to": "2025-12"})
    assert_no_exception(at)
    assert "Laney p′ chart. σz = " in page_text(at)
    assert "chart" not in at.query_params and "baseline" not in at.query_params   # defaults stay out of links
    at.segmented_control(key="p_chart").set_value("xmr").run()
    assert at.query_params["chart"] == "xmr"
    assert "XmR (individuals) chart" in page_text(at)


def test_a_mean_offers_no_p_chart_and_a_bad_link_falls_back_to_auto(demo_db: Path) -> None:
    at = run_app(demo_db, PAGE, {"lang": "en", "indicator": "frt_median_min", "chart": "p", "baseline": "2025-13:x"})
    assert_no_exception(at)
    assert at.segmented_control(key="p_chart").options == ["Auto", "XmR"]
    assert at.session_state["p_chart"] == "auto" and at.session_state["p_baseline_mode"] == "all"
    assert "XmR (individuals) chart" in page_text(at)
