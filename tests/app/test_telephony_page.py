"""Telephony page (/telephony) in AppTest: both languages, figures as `kpi` gives them, thresholds shown, no calls."""
from __future__ import annotations

from pathlib import Path

import pytest

from csq.metrics.calls import CALL_KEYS
from csq.metrics.display import format_value
from tests.apptest import assert_no_exception, page_text, run_app
from tests.support import cli_json

PAGE = "app_pages/telephony.py"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_shows_the_six_indicators_with_their_thresholds(demo_copy: Path, lang: str) -> None:
    row = cli_json("kpi", "--from", "2025-01", "--to", "2025-12", "--indicators", ",".join(CALL_KEYS), db=demo_copy)[0]
    at = run_app(demo_copy, PAGE, {"lang": lang, "from": "2025-01", "to": "2025-12"})
    assert_no_exception(at)
    text = page_text(at)
    assert ("话务" if lang == "zh" else "Telephony") in text
    assert ("20 秒" if lang == "zh" else "within 20 s") in text   # the service-level threshold beside the figures
    assert row["calls_offered"] > 0
    shown = {m.label: m.value for m in at.metric}
    for key in CALL_KEYS:
        assert format_value(key, row[key], lang) in shown.values(), key
    assert len(at.get("plotly_chart")) >= 2   # the weekday × half-hour heat-map and the staffing gaps


def test_what_if_volume_raises_the_agents_needed(demo_db: Path) -> None:
    at = run_app(demo_db, PAGE, {"lang": "en"})
    assert_no_exception(at)
    before = at.dataframe[-1].value["Agents needed"].sum()   # the staffing table is the page's last
    at.number_input(key="tel_volume").set_value(50.0).run()
    assert_no_exception(at)
    assert at.dataframe[-1].value["Agents needed"].sum() > before


def test_a_store_without_calls_says_so(empty_db: Path) -> None:
    at = run_app(empty_db, PAGE, {"lang": "en"})
    assert_no_exception(at)
    assert "No call data" in page_text(at) or "No data yet" in page_text(at)
