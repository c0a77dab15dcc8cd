"""The Monitoring page's daily backlog in AppTest: the stacked chart from the status history, and what the page says
when there is no history or nothing matches."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from csq.store import Store
from tests.apptest import assert_no_exception, page_text, run_app
from tests.store.test_backlog import EVENTS, TICKETS

PAGE = "app_pages/monitoring.py"


def _backlog_chart(at: AppTest) -> dict | None:
    """Return the backlog figure's spec, or None when the page drew none."""
    for e in at.get("plotly_chart"):
        if e.proto.id.endswith("backlog_chart"):
            return json.loads(e.proto.spec)
    return None


@pytest.fixture
def with_history(store: Store, put: Callable[[str, list[dict[str, object]]], int]) -> Path:
    """Return a closed store holding the hand-made tickets and status history of tests/store/test_backlog.py."""
    put("tickets", TICKETS)
    put("ticket_events", EVENTS)
    path = store.path
    store.close()
    return path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_backlog_is_stacked_by_status_from_the_history(with_history: Path, lang: str) -> None:
    at = run_app(with_history, PAGE, {"lang": lang})
    assert_no_exception(at)
    spec = _backlog_chart(at)
    assert spec is not None
    names = [tr["name"] for tr in spec["data"]]
    assert names == (["新建", "处理中", "待客户回复", "等待第三方"] if lang == "zh"
                     else ["New", "Open", "Pending customer", "On hold"])
    text = page_text(at)
    assert ("每日未结工单" if lang == "zh" else "Daily open backlog") in text
    assert ("5 张工单有流转记录" if lang == "zh" else "5 tickets have a status history") in text


def test_without_a_history_the_page_says_tickets_count_as_open_until_resolved(demo_db: Path) -> None:
    at = run_app(demo_db, PAGE, {"lang": "en"})
    assert_no_exception(at)
    assert _backlog_chart(at) is not None
    assert "No status history imported" in page_text(at)


def test_a_filter_matching_nothing_draws_no_backlog(with_history: Path) -> None:
    at = run_app(with_history, PAGE, {"lang": "en", "channel": "onsite"})
    assert_no_exception(at)
    assert _backlog_chart(at) is None


def test_the_clock_toggle_shows_durations_in_business_time_and_stays_in_the_link(demo_copy: Path) -> None:
    from csq.store import open_store
    from csq.store.settings import sla_rules
    from csq.store.settings_file import apply_settings

    s = open_store(demo_copy)
    rules = [{"channel": r.channel, "type": r.type, "priority": r.priority, "first_response_min": r.first_response_min,
              "resolution_h": None if r.resolution_min is None else r.resolution_min / 60,
              "calendar": "workdays_9_18"} for r in sla_rules(s)]
    apply_settings(s, {"sla_rules": rules}, "test", role="admin")
    s.close()
    calendar = run_app(demo_copy, PAGE, {"lang": "en", "indicator": "frt_median_min"})
    business = run_app(demo_copy, PAGE, {"lang": "en", "indicator": "frt_median_min", "clock": "business"})
    assert_no_exception(business)
    assert "median of business minutes" in page_text(business)
    assert "median of business minutes" not in page_text(calendar)
    assert business.query_params.get("clock") == "business"
    spec = lambda at: json.loads(next(e for e in at.get("plotly_chart") if e.proto.id.endswith("trend_chart")).proto.spec)
    y = lambda at: [v for tr in spec(at)["data"] for v in (tr.get("y") or []) if isinstance(v, (int, float))]
    assert y(business) != y(calendar)  # the demo's phone tickets answered at night move on the business clock
