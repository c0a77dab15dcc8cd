"""Callbacks page (/callbacks, 客户回访) in AppTest: both languages, the quarter's figures as `kpi` gives them, the
plan masked to the role, a result entered through the page, masked search, and the due list."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from csq.callbacks.quarters import Quarter
from csq.metrics.callbacks import CALLBACK_KEYS
from csq.metrics.display import format_value
from csq.store import open_store
from csq.store.batches import commit_records
from tests.apptest import assert_no_exception, page_text, run_app
from tests.support import cli_json

PAGE = "app_pages/callbacks.py"


def _plan(at):
    """Return the plan's table (the one with a status column beside the callback ids)."""
    return next(d.value for d in at.dataframe if {"回访编号", "状态"} <= set(d.value.columns)
                or {"Callback ID", "Status"} <= set(d.value.columns))
# The shared demo store ends 2025-12-15: its as-of quarter is 2025Q4, planned with the other three of 2025.
QUARTER = Quarter.of(date(2025, 12, 15))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_shows_the_quarter_s_three_indicators_and_its_plan(demo_db: Path, lang: str) -> None:
    at = run_app(demo_db, PAGE, {"lang": lang})
    assert_no_exception(at)
    text = page_text(at)
    assert ("客户回访" if lang == "zh" else "Callbacks") in text
    assert at.selectbox(key="cb_quarter").value == QUARTER.label
    shown = {m.value for m in at.metric}
    row = cli_json("kpi", "--from", QUARTER.months[0], "--to", QUARTER.months[1], "--indicators",
                   ",".join(CALLBACK_KEYS), db=demo_db)[0]
    for key in CALLBACK_KEYS:
        assert row["n"][key] > 0, key
        assert format_value(key, row[key], lang) in shown, key
    plan = _plan(at)
    assert len(plan) >= 5 * 50     # five customers for each of the demo's active engineers
    assert len(at.get("plotly_chart")) == 1


def _issues(at) -> list[str]:
    """Return the open issues of the answers table as shown."""
    table = next((d.value for d in at.dataframe if "Any suggestions?" in d.value.columns), None)
    if table is None:
        assert "No answer matches the search." in page_text(at)
        return []
    return [x for x in table["Any issue still open?"] if isinstance(x, str)]


def test_a_viewer_sees_the_plan_masked_and_no_forms(demo_db: Path) -> None:
    at = run_app(demo_db, PAGE, {"lang": "en"}, role="viewer")
    assert_no_exception(at)
    plan = _plan(at)
    assert plan["Customer ID"].str.contains(r"\*").all()
    assert not [b for b in at.button if b.key in ("cb_caller_export", "cb_draw_1")]
    assert "may view callbacks" in page_text(at)


def test_a_result_entered_on_the_page_is_stored_and_the_search_stays_masked(demo_copy: Path) -> None:
    at = run_app(demo_copy, PAGE, {"lang": "en"})
    cid = at.selectbox(key="cb_entry_pick").value   # the first callback of the plan not yet made
    at.selectbox(key="cb_entry_result").set_value("reached")
    at.radio(key="cb_entry_satisfied").set_value(False)
    at.text_input(key="cb_entry_issue").set_value("invoice missing, call 13912345678")
    at.button(key="cb_entry_save").click().run()
    assert_no_exception(at)
    stored = cli_json("callbacks", "due", db=demo_copy)
    assert f"Saved {cid}." in page_text(at)
    assert cid in {d["callback_id"] for d in stored}   # not satisfied: it needs a second callback
    viewer = run_app(demo_copy, PAGE, {"lang": "en"}, role="viewer")
    viewer.text_input(key="cb_search").set_value("12345678").run()
    assert _issues(viewer) == []                                    # the hidden digits never match
    viewer.text_input(key="cb_search").set_value("invoice").run()
    assert _issues(viewer) == ["invoice missing, call 139****5678"]


def test_a_store_without_callbacks_offers_the_draw(new_db) -> None:
    empty = run_app(new_db("e.duckdb"), PAGE, {"lang": "en"})
    assert_no_exception(empty)   # app.py offers the demo to an empty store
    db = new_db("t.duckdb")
    store = open_store(db)
    tickets = [{"ticket_id": f"T{i}", "created_at": datetime(2025, 1 + i % 12, 5, 10), "agent": f"E{i % 2}",
                "customer_id": f"K{i}", "channel": "phone", "type": "inquiry", "priority": "normal",
                "reopen_count": 0} for i in range(20)]
    commit_records(store, "tickets", pa.Table.from_pylist(tickets), source="fixture")
    store.close()
    at = run_app(db, PAGE, {"lang": "en"})   # as of 2025-12-05: the quarter 2025Q4, no plan yet
    assert "2025Q4 has no callback plan yet." in page_text(at)
    at.button(key="cb_draw_0").click().run()
    assert_no_exception(at)
    assert "The 2025Q4 plan is drawn: 10 callbacks" in page_text(at)   # 5 of each engineer's 10 customers


def test_an_open_issue_starts_an_improvement_action(demo_copy: Path) -> None:
    before = {a["action_id"] for a in cli_json("actions", db=demo_copy)}
    at = run_app(demo_copy, PAGE, {"lang": "en"})
    chosen = at.selectbox(key="cb_issue_pick").value
    at.button(key="cb_start_action").click().run()
    assert_no_exception(at)
    new = [a for a in cli_json("actions", db=demo_copy) if a["action_id"] not in before]
    assert len(new) == 1 and chosen in new[0]["title"] and new[0]["indicator"] == "callback_satisfaction_rate"
    assert new[0]["scope"].startswith("agent=")
    assert f"Improvement action {new[0]['action_id']} created" in page_text(at)


def test_a_second_callback_entered_on_the_page_takes_it_off_the_due_list(demo_copy: Path) -> None:
    due = [d["callback_id"] for d in cli_json("callbacks", "due", db=demo_copy)]
    at = run_app(demo_copy, PAGE, {"lang": "en"})
    first = at.selectbox(key="cb_second_pick").value
    assert first == due[0]   # the soonest due first
    at.selectbox(key="cb_second_result").set_value("reached")
    at.radio(key="cb_second_satisfied").set_value(True)
    at.button(key="cb_second_save").click().run()
    assert_no_exception(at)
    assert [d["callback_id"] for d in cli_json("callbacks", "due", db=demo_copy)] == due[1:]
    assert f"Saved {first}-0001." in page_text(at)   # the first second callback of it
