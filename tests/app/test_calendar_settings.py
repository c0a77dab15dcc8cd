"""The Settings page's business calendars and pause statuses (issue 15): the preview counts the tickets an edit
moves between met, breached and inside; saving is validated whole and audited; a bad edit is refused in words."""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from csq.configuration import calendars as calendar_edit
from csq.errors import InputRefused
from csq.metrics.sla import ticket_states
from csq.store import Store, open_store, settings
from csq.store.calendars import WORKDAYS_9_18
from csq.store.settings_file import apply_settings
from tests.apptest import assert_no_exception, page_text, run_app

PAGE = "app_pages/settings.py"
T = datetime
RULES = {"sla_rules": [{"first_response_min": 60, "calendar": "workdays_9_18"}]}
# Friday 17:55 answered Monday 09:30: met on workdays_9_18 (35 min), breached on 24x7. Festival eve answered
# after the holiday: breached either way; met within the hour on a Tuesday.
TICKETS = [("fri", T(2025, 3, 7, 17, 55), T(2025, 3, 10, 9, 30)), ("eve", T(2025, 1, 27, 17, 40), T(2025, 2, 5, 9, 50)),
           ("tue", T(2025, 3, 4, 10, 0), T(2025, 3, 4, 10, 30)), ("fest", T(2025, 1, 29, 10, 0), T(2025, 2, 5, 9, 20))]


@pytest.fixture
def calendar_store(store: Store, put: Callable[[str, list[dict[str, object]]], int]) -> Store:
    put("tickets", [{"ticket_id": i, "created_at": c, "first_response_at": r, "channel": "email", "type": "inquiry"}
                    for i, c, r in TICKETS])
    apply_settings(store, RULES, "test", role="admin")
    return store


def test_the_preview_counts_the_tickets_an_edit_moves(calendar_store: Store) -> None:
    # Without the Chinese holidays, "fest" (created on a festival day, answered 20 min into the 5th) counts the
    # festival's weekdays as open: met → breached. Nothing else moves.
    no_holidays = {"workdays_9_18": calendar_edit.calendar_from_form(
        "workdays_9_18", calendar_edit.calendar_rows(WORKDAYS_9_18), False, "", "")}
    change = calendar_edit.status_change(calendar_store, calendar_edit.proposed_setup(
        calendar_store, no_holidays, ["pending", "on_hold"]))
    assert (change.tickets, change.changed, dict(change.moves)) == (4, 1, {("frt", "met", "breached"): 1})
    before = ticket_states(calendar_store).to_pylist()
    assert {r["ticket_id"]: r["frt_state"] for r in before} == {"fri": "met", "eve": "breached", "tue": "met",
                                                                "fest": "met"}


def test_form_errors_say_what_and_where() -> None:
    rows = calendar_edit.calendar_rows(WORKDAYS_9_18)
    rows[0]["hours"] = "09:00-12:30, 12:00-18:00"
    with pytest.raises(InputRefused, match="mon.*overlap"):
        calendar_edit.calendar_from_form("c", rows, True, "", "")
    with pytest.raises(InputRefused, match="2025-02-30"):
        calendar_edit.calendar_from_form("c", calendar_edit.calendar_rows(WORKDAYS_9_18), True, "2025-02-30", "")
    rows[0]["hours"] = "nine to six"
    with pytest.raises(InputRefused, match="not a span of hours"):
        calendar_edit.calendar_from_form("c", rows, True, "", "")


def test_a_calendar_in_use_cannot_be_deleted(calendar_store: Store) -> None:
    with pytest.raises(InputRefused, match="workdays_9_18.*not defined"):
        calendar_edit.save_clock(calendar_store, {}, ["pending"], role="admin")
    assert "workdays_9_18" in settings.clock_settings(calendar_store).calendars


def _page_store(calendar_store: Store) -> Path:
    path = calendar_store.path
    calendar_store.close()
    return path


def test_the_page_previews_and_saves_a_calendar_edit(calendar_store: Store) -> None:
    db = _page_store(calendar_store)
    at = run_app(db, PAGE, {"lang": "en"})
    assert_no_exception(at)
    assert "Business calendars and holidays" in page_text(at)
    at.checkbox(key="settings_cal_cn_0_workdays_9_18").uncheck().run()
    assert "If saved: 1 of 4 tickets change SLA status" in page_text(at)
    at.button(key="settings_save_calendars").click().run()
    assert_no_exception(at)
    s = open_store(db)
    try:
        assert settings.clock_settings(s).calendars["workdays_9_18"].holidays is None
        [(details,)] = s.rows("SELECT details FROM audit_log WHERE action = 'settings.calendars'")
        assert json.loads(details)["after"]["calendars"]["workdays_9_18"]["holidays"] is None
    finally:
        s.close()


def test_the_page_refuses_a_bad_date_and_saves_nothing(calendar_store: Store) -> None:
    db = _page_store(calendar_store)
    at = run_app(db, PAGE, {"lang": "zh"})
    at.text_area(key="settings_cal_closed_0_workdays_9_18").input("2025-13-01").run()
    assert "2025-13-01" in page_text(at) and "YYYY-MM-DD" in page_text(at)
    assert at.button(key="settings_save_calendars").disabled
    s = open_store(db)
    try:
        assert settings.clock_settings(s).calendars["workdays_9_18"].closed == ()
        assert s.rows("SELECT count(*) FROM audit_log WHERE action = 'settings.calendars'") == [(0,)]
    finally:
        s.close()
