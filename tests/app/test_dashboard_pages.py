"""Overview and Monitoring in AppTest: shared links, both languages, empty store, no match, masking."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from csq.metrics.display import format_value, indicator_name
from csq.metrics.filters import Filter
from csq.overview.headline import HEADLINE
from csq.store import open_store
from tests.apptest import assert_no_exception, page_text, query_param, run_app
from tests.support import kpi_rows

PAGES = ["app_pages/overview.py", "app_pages/monitoring.py"]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_pages_render_on_the_demo_store(demo_db: Path, page: str, lang: str) -> None:
    at = run_app(demo_db, page, {"lang": lang})
    assert_no_exception(at)
    text = page_text(at)
    assert ("监测指标" if lang == "zh" else "Monitoring") in text or ("核心指标" if lang == "zh" else "headline indicators") in text


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_a_filter_that_matches_nothing_says_so(demo_db: Path, page: str, lang: str) -> None:
    at = run_app(demo_db, page, {"lang": lang, "team": "一组", "channel": "onsite", "type": "suggestion",
                                 "priority": "urgent", "category": "账单查询"})
    assert_no_exception(at)
    text = page_text(at)
    assert ("没有数据" in text) if lang == "zh" else ("Nothing matches" in text)
    # No figure is shown as zero for want of data: rates read "no data".
    values = [m.value for m in at.metric]
    assert not any(re.fullmatch(r"0\.0%", v) for v in values), values


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_empty_store_shows_the_first_run_screen_with_the_demo_button(empty_db: Path, lang: str) -> None:
    at = run_app(empty_db, None, {"lang": lang})
    assert_no_exception(at)
    assert ("还没有数据" if lang == "zh" else "No data yet") in page_text(at)
    assert [b.key for b in at.button] == ["load_demo"]


def test_viewer_gets_no_demo_button_on_an_empty_store(empty_db: Path) -> None:
    at = run_app(empty_db, None, {"lang": "en"}, role="viewer")
    assert_no_exception(at)
    assert not at.button
    assert "may not import" in page_text(at)


def test_shared_link_restores_filters_and_tiles_equal_the_cli(demo_db: Path) -> None:
    at = run_app(demo_db, None, {"channel": "phone", "from": "2025-01", "to": "2025-06", "lang": "zh"})
    assert_no_exception(at)
    assert at.multiselect(key="channel").value == ["phone"]
    assert at.selectbox(key="from").value == "2025-01" and at.selectbox(key="to").value == "2025-06"
    s = open_store(demo_db)
    try:
        expected = kpi_rows(s, Filter.from_pairs("2025-01", "2025-06", ["channel=phone"]))[0]
    finally:
        s.close()
    shown = {m.label: m.value for m in at.metric}
    for key in HEADLINE:
        assert shown[indicator_name(key, "zh")] == format_value(key, expected[key], "zh"), key
    assert "渠道 = 电话" in page_text(at)


def test_raw_label_in_the_link_is_read_as_its_canonical_value(demo_db: Path) -> None:
    at = run_app(demo_db, None, {"channel": "电话", "lang": "en"})
    assert at.multiselect(key="channel").value == ["phone"]
    assert query_param(at, "channel") == ["phone"]  # the URL is rewritten with the canonical value


def test_changing_a_filter_rewrites_the_url_and_switching_pages_keeps_it(demo_db: Path) -> None:
    at = run_app(demo_db, None, {"lang": "en", "from": "2025-01", "to": "2025-03"})
    at.multiselect(key="priority").select("urgent").run()
    assert query_param(at, "priority") == ["urgent"]
    assert "Priority = Urgent" in page_text(at)
    at.switch_page("app_pages/monitoring.py").run()
    assert_no_exception(at)
    assert at.multiselect(key="priority").value == ["urgent"]
    assert query_param(at, "priority") == ["urgent"] and query_param(at, "from") == ["2025-01"]


def test_a_link_to_monitoring_keeps_the_global_filters(demo_db: Path) -> None:
    at = run_app(demo_db, "app_pages/monitoring.py", {"lang": "en", "from": "2025-01", "to": "2025-03",
                                                   "priority": "urgent"})
    assert_no_exception(at)
    assert query_param(at, "priority") == ["urgent"] and query_param(at, "from") == ["2025-01"]
    assert "Priority = Urgent" in page_text(at)


def test_monitoring_link_opens_the_indicator_and_team(demo_db: Path) -> None:
    s = open_store(demo_db)
    try:
        team = s.scalar("SELECT min(team) FROM tickets_current")
    finally:
        s.close()
    at = run_app(demo_db, "app_pages/monitoring.py", {"team": str(team), "indicator": "art_median_h", "lang": "en"})
    assert_no_exception(at)
    assert at.selectbox(key="p_indicator").value == "art_median_h"
    assert f"Team = {team}" in page_text(at)


def _phones(db: Path) -> list[str]:
    s = open_store(db)
    try:
        return [r[0] for r in s.rows("SELECT customer_phone FROM tickets_current WHERE customer_phone IS NOT NULL")]
    finally:
        s.close()


@pytest.mark.parametrize("role", ["viewer", "analyst", "manager"])
def test_ticket_lists_never_show_a_raw_phone_number_to_non_admins(demo_db: Path, role: str) -> None:
    at = run_app(demo_db, "app_pages/monitoring.py", {"lang": "en"}, role=role)
    assert_no_exception(at)
    phones = set(_phones(demo_db))
    assert phones
    shown = [str(v) for df in at.dataframe for col in df.value.columns for v in df.value[col].tolist()]
    assert shown and not phones & set(shown)
    assert any(re.fullmatch(r"\d{3}\*{4}\d{4}", v) for v in shown)
