"""SLA clocks on business calendars (issue 15, SPEC §4a): evenings, weekends, the 2025 Spring Festival and
National Day with their 调休 make-up days, set through `settings import`, against an independent computation.

The independent clock walks the days one by one with chinesecalendar's own `is_workday` (which is True on
Monday–Friday outside holidays and on make-up weekend days): 09:00–18:00 of each working day is open.
It shares no code with csq's span table, cumulative lookup or ASOF join. The 2025 dates are those of the
State Council's 2025 holiday notice (国办发明电〔2024〕12号): Spring Festival off 28 Jan – 4 Feb, make-up
working days Sun 26 Jan and Sat 8 Feb; National Day off 1–8 Oct, make-up Sun 28 Sep and Sat 11 Oct.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import numpy as np
import pytest

from csq.metrics.asof import as_of
from csq.metrics.clock import sla_setup
from csq.metrics.engine import compute
from csq.metrics.filters import Filter
from csq.metrics.opening_hours import day_spans
from csq.metrics.sla import ticket_limits
from csq.store import Store, open_store
from csq.store.calendars import WORKDAYS_9_18
from csq.store.settings_file import import_settings
from tests.support import run_cli, snapshot

T = datetime
FRT_LIMIT_MIN = 60.0

# (id, created_at, first_response_at or None): each around a closed stretch of workdays_9_18.
TICKETS = [
    ("friday_evening", T(2025, 3, 7, 17, 55), T(2025, 3, 10, 9, 30)),     # 5 min Fri + 30 min Mon: met
    ("weekday_night", T(2025, 3, 5, 20, 0), T(2025, 3, 6, 10, 1)),        # opens 09:00 → 61 min: breached
    ("saturday", T(2025, 3, 8, 10, 0), T(2025, 3, 10, 9, 59, 30)),        # 59.5 min on Monday: met
    ("lunch_inside", T(2025, 3, 4, 11, 0), T(2025, 3, 4, 11, 45)),        # plain working hours: met
    ("before_festival", T(2025, 1, 27, 17, 40), T(2025, 2, 5, 9, 50)),    # 20 min + holiday + 50 min: breached
    ("makeup_sunday", T(2025, 1, 26, 10, 0), T(2025, 1, 26, 10, 50)),     # 调休 Sunday is a working day: met
    ("festival_saturday_makeup", T(2025, 2, 7, 17, 30), T(2025, 2, 8, 9, 20)),  # Fri 30 + Sat 20 min: met
    ("festival_weekend", T(2025, 2, 1, 12, 0), T(2025, 2, 5, 9, 45)),     # holiday: only 45 min on Wed: met
    ("national_day_eve", T(2025, 9, 30, 17, 30), T(2025, 10, 9, 9, 31)),  # 30 + 31 min: breached
    ("makeup_sep_28", T(2025, 9, 27, 17, 0), T(2025, 9, 28, 9, 40)),      # Sat closed, 调休 Sun opens: met
    ("makeup_oct_11", T(2025, 10, 10, 17, 50), T(2025, 10, 11, 9, 52)),   # Fri 10 + 调休 Sat 52 min: breached
    ("oct_12_sunday", T(2025, 10, 11, 17, 30), T(2025, 10, 13, 9, 30)),   # ordinary Sunday closed: 60 min: met
    ("open_inside", T(2025, 10, 15, 9, 10), None),                        # 31 min as of 09:41: inside
    ("open_breached", T(2025, 10, 13, 9, 0), None),                       # a whole working day: breached
    ("latest", T(2025, 10, 15, 9, 40), T(2025, 10, 15, 9, 41)),           # sets "as of" to 09:41
]


def _open_minutes(start: datetime, end: datetime) -> float:
    """Return the minutes of 09:00–18:00 on chinesecalendar working days between two moments."""
    total = 0.0
    day = start.date()
    while day <= end.date():
        if chinese_calendar.is_workday(day):
            lo = max(start, datetime(day.year, day.month, day.day, 9))
            hi = min(end, datetime(day.year, day.month, day.day, 18))
            total += max(0.0, (hi - lo).total_seconds() / 60)
        day += timedelta(days=1)
    return total


def _expected(clock: str) -> tuple[float, float]:
    """Return (frt_sla_rate, median first-response minutes) computed here, on the named clock."""
    moment = max(max(c, r or c) for _, c, r in TICKETS)
    minutes = (_open_minutes if clock == "business" else (lambda a, b: (b - a).total_seconds() / 60))
    met = breached = 0
    answered = []
    for _, created, responded in TICKETS:
        used = minutes(created, responded or moment)
        if responded is not None:
            answered.append(used)
            met, breached = met + (used <= FRT_LIMIT_MIN), breached + (used > FRT_LIMIT_MIN)
        elif used > FRT_LIMIT_MIN:
            breached += 1
    return met / (met + breached), float(np.median(answered))


def _settings(calendar: str) -> str:
    """Return a settings file with one rule (first response 60 min) on the named calendar."""
    return json.dumps({"sla_rules": [{"channel": None, "type": None, "priority": None, "first_response_min": 60,
                                      "resolution_h": None, "calendar": calendar, "pause_first_response": False}],
                       "calendars": {"workdays_9_18": WORKDAYS_9_18.as_json()}})


@pytest.fixture
def fixture_store(store: Store, put) -> Store:
    put("tickets", [{"ticket_id": i, "created_at": c, "first_response_at": r, "channel": "email", "type": "inquiry"}
                    for i, c, r in TICKETS])
    return store


def test_the_reference_clock_agrees_with_the_hand_counted_cases() -> None:
    # Hand counts (see the comments in TICKETS) check the reference before it checks csq.
    assert _open_minutes(T(2025, 3, 7, 17, 55), T(2025, 3, 10, 9, 30)) == 35
    assert _open_minutes(T(2025, 1, 27, 17, 40), T(2025, 2, 5, 9, 50)) == 70
    assert _open_minutes(T(2025, 1, 26, 10, 0), T(2025, 1, 26, 10, 50)) == 50
    assert _open_minutes(T(2025, 9, 30, 17, 30), T(2025, 10, 9, 9, 31)) == 61
    assert _open_minutes(T(2025, 10, 10, 17, 50), T(2025, 10, 11, 9, 52)) == 62
    assert _open_minutes(T(2025, 10, 11, 17, 30), T(2025, 10, 13, 9, 30)) == 60


@pytest.mark.parametrize("calendar,clock", [("workdays_9_18", "business"), ("24x7", "calendar")])
def test_frt_sla_rate_and_business_median_equal_the_independent_clock(fixture_store: Store, calendar: str,
                                                                      clock: str) -> None:
    import_settings(fixture_store, _settings(calendar), "fixture.json", role="admin")
    rate, median = _expected(clock)
    got = compute(fixture_store, Filter(), (), ["frt_sla_rate", "frt_median_min"], clock="business")[0]
    assert got.value("frt_sla_rate") == pytest.approx(rate, abs=1e-9)
    assert got.value("frt_median_min") == pytest.approx(median, abs=1e-9)
    assert got.n("frt_sla_rate") == len(TICKETS) - 1  # "open_inside" is still inside its hour
    # The calendar clock of the durations is the wall clock whatever the rule's calendar.
    wall = compute(fixture_store, Filter(), (), ["frt_median_min"])[0]
    assert wall.value("frt_median_min") == pytest.approx(_expected("calendar")[1], abs=1e-9)


def test_the_business_clock_differs_from_the_wall_clock_here(fixture_store: Store) -> None:
    # Otherwise the test above could pass with a clock that ignores the calendar.
    assert _expected("business") != _expected("calendar")
    import_settings(fixture_store, _settings("workdays_9_18"), "fixture.json", role="admin")
    business = compute(fixture_store, Filter(), (), ["frt_sla_rate"])[0].value("frt_sla_rate")
    assert business != pytest.approx(_expected("calendar")[0])


def test_due_moments_land_in_opening_hours(fixture_store: Store) -> None:
    import_settings(fixture_store, _settings("workdays_9_18"), "fixture.json", role="admin")
    due = {r["ticket_id"]: r["frt_due_at"] for r in ticket_limits(fixture_store).to_pylist()}
    assert due["friday_evening"] == T(2025, 3, 10, 9, 55)      # 5 min on Friday, 55 on Monday
    assert due["before_festival"] == T(2025, 2, 5, 9, 40)      # 20 min before the festival, 40 after
    assert due["makeup_oct_11"] == T(2025, 10, 11, 9, 50)      # the 调休 Saturday opens at 09:00
    assert due["lunch_inside"] == T(2025, 3, 4, 12, 0)


def test_day_spans_follow_holidays_makeup_days_and_the_centers_own_dates() -> None:
    cal = WORKDAYS_9_18
    assert day_spans(cal, date(2025, 1, 26)) == ((540, 1080),)   # 调休 Sunday: Monday's hours
    assert day_spans(cal, date(2025, 1, 28)) == ()                # Spring Festival
    assert day_spans(cal, date(2025, 10, 12)) == ()               # plain Sunday
    from dataclasses import replace
    own = replace(cal, closed=(date(2025, 3, 4),), working=(date(2025, 3, 9),))
    assert day_spans(own, date(2025, 3, 4)) == ()                 # the center's own closed day
    assert day_spans(own, date(2025, 3, 9)) == ((540, 1080),)     # the center's extra working Sunday


def test_as_of_is_the_latest_ticket_time(fixture_store: Store) -> None:
    assert as_of(fixture_store) == T(2025, 10, 15, 9, 41)
    assert sla_setup(fixture_store).business is False


BAD_FILES = {
    "unknown calendar": {"sla_rules": [{"first_response_min": 60, "calendar": "weekdays"}]},
    "overlapping hours": {"calendars": {"c": {"hours": {"mon": [["09:00", "12:30"], ["12:00", "18:00"]]},
                                              "holidays": "cn", "closed": [], "working": []}}},
    "bad date": {"calendars": {"c": {"hours": {"mon": [["09:00", "18:00"]]}, "holidays": "cn",
                                     "closed": ["2025-02-30"], "working": []}}},
    "24:30": {"calendars": {"c": {"hours": {"mon": [["09:00", "24:30"]]}}}},
    "unknown section": {"sla_rule": []},
    "pause solved": {"pause_statuses": ["solved"]},
    "valid rules, then a bad calendar": {"sla_rules": [{"first_response_min": 5}],
                                         "calendars": {"24x7": {"hours": {}}}},
    "not json": None,
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_refused_settings_file_changes_nothing(new_db, tmp_path: Path, name: str) -> None:
    db = new_db("refuse.duckdb")
    s = open_store(db)
    before = snapshot(s)
    s.close()
    raw = db.read_bytes()
    path = tmp_path / "settings.json"
    path.write_text("{not json" if BAD_FILES[name] is None else json.dumps(BAD_FILES[name]), encoding="utf-8")
    result = run_cli("settings", "import", str(path), db=db)
    assert result.returncode == 2, result.stderr
    assert "What to do" in result.stderr
    assert db.read_bytes() == raw
    s = open_store(db)
    assert snapshot(s) == before
    s.close()


def test_settings_export_then_import_round_trips(new_db, tmp_path: Path) -> None:
    db = new_db("round.duckdb")
    out = tmp_path / "s.json"
    assert run_cli("settings", "export", str(out), db=db).returncode == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["calendars"]["workdays_9_18"]["hours"]["mon"] == [["09:00", "18:00"]]
    assert doc["pause_statuses"] == ["pending", "on_hold"]
    doc["sla_rules"][0]["calendar"] = "workdays_9_18"
    out.write_text(json.dumps(doc), encoding="utf-8")
    assert run_cli("settings", "import", str(out), db=db).returncode == 0
    again = tmp_path / "again.json"
    run_cli("settings", "export", str(again), db=db)
    assert json.loads(again.read_text(encoding="utf-8")) == doc
    s = open_store(db)
    [entry] = s.rows("SELECT details FROM audit_log WHERE action = 'settings.import'")
    assert "sla_rules" in json.loads(entry[0])["sections"]
    s.close()


def test_settings_import_is_role_checked(new_db, tmp_path: Path) -> None:
    db = new_db("role.duckdb")
    path = tmp_path / "s.json"
    path.write_text(_settings("workdays_9_18"), encoding="utf-8")
    result = run_cli("settings", "import", str(path), db=db, env={"CSQ_ROLE": "manager"})
    assert result.returncode == 2 and "may not change settings" in result.stderr


# ---------------------------------------------------------------- lunch breaks, own days, pauses

LUNCH = {"hours": {"mon": [["08:30", "12:00"], ["13:30", "17:30"]], "tue": [["08:30", "12:00"], ["13:30", "17:30"]],
                   "wed": [["08:30", "12:00"], ["13:30", "17:30"]], "thu": [["08:30", "12:00"], ["13:30", "17:30"]],
                   "fri": [["08:30", "12:00"], ["13:30", "17:30"]], "sat": [["09:00", "12:00"]], "sun": []},
         "holidays": "cn", "closed": ["2025-03-12"], "working": ["2025-03-16"]}
# (id, created, first response, resolved, [(event_at, status), …])
PAUSE_TICKETS = [
    ("lunch", T(2025, 3, 10, 11, 50), T(2025, 3, 10, 13, 40), T(2025, 3, 10, 16, 0), []),
    ("own_closed_day", T(2025, 3, 11, 17, 0), T(2025, 3, 13, 8, 50), T(2025, 3, 13, 12, 0), []),
    ("own_working_sunday", T(2025, 3, 15, 11, 30), T(2025, 3, 16, 9, 0), None, []),
    ("saturday_hours", T(2025, 3, 8, 9, 0), T(2025, 3, 8, 9, 50), T(2025, 3, 10, 15, 0),
     [(T(2025, 3, 8, 9, 10), "pending"), (T(2025, 3, 8, 9, 40), "open"), (T(2025, 3, 10, 9, 0), "on_hold"),
      (T(2025, 3, 10, 14, 0), "open")]),
    ("paused_at_the_end", T(2025, 3, 17, 9, 0), None, None,
     [(T(2025, 3, 17, 9, 5), "open"), (T(2025, 3, 17, 9, 30), "pending")]),
    ("festival_saturday", T(2025, 2, 1, 10, 0), T(2025, 2, 5, 9, 0), T(2025, 2, 8, 11, 0),
     [(T(2025, 2, 5, 10, 0), "pending"), (T(2025, 2, 7, 9, 0), "open")]),
    ("late", T(2025, 3, 18, 8, 0), T(2025, 3, 18, 10, 0), T(2025, 3, 19, 17, 0), []),
]
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _lunch_spans(day: date) -> list[tuple[datetime, datetime]]:
    """Return the opening spans of one date on LUNCH, decided with chinesecalendar's holiday table."""
    if day.isoformat() in LUNCH["closed"]:
        return []
    if day.isoformat() in LUNCH["working"] or (chinese_calendar.is_workday(day) and day.weekday() >= 5):
        hours = LUNCH["hours"]["mon"]  # an extra or 调休 working day opens like a Monday
    elif day in chinese_calendar.holidays:
        return []
    else:
        hours = LUNCH["hours"][WEEK[day.weekday()]]
    midnight = datetime(day.year, day.month, day.day)
    return [(midnight + timedelta(hours=int(a[:2]), minutes=int(a[3:])),
             midnight + timedelta(hours=int(b[:2]), minutes=int(b[3:]))) for a, b in hours]


def _lunch_minutes(start: datetime, end: datetime) -> float:
    """Return LUNCH's open minutes between two moments."""
    total, day = 0.0, start.date()
    while day <= end.date():
        for lo, hi in _lunch_spans(day):
            total += max(0.0, (min(hi, end) - max(lo, start)).total_seconds() / 60)
        day += timedelta(days=1)
    return total


def _paused(events: list[tuple[datetime, str]], start: datetime, end: datetime) -> float:
    """Return the open minutes of pending / on_hold spans between start and end."""
    out = 0.0
    for i, (at, status) in enumerate(events):
        stop = events[i + 1][0] if i + 1 < len(events) else end
        if status in ("pending", "on_hold") and min(stop, end) > max(at, start):
            out += _lunch_minutes(max(at, start), min(stop, end))
    return out


def test_lunch_breaks_own_days_and_pauses_equal_the_independent_clock(store: Store, put) -> None:
    put("tickets", [{"ticket_id": i, "created_at": c, "first_response_at": r, "resolved_at": s, "channel": "email",
                     "type": "inquiry"} for i, c, r, s, _ in PAUSE_TICKETS])
    put("ticket_events", [{"ticket_id": i, "event_at": at, "status": st, "status_raw": st}
                          for i, *_, events in PAUSE_TICKETS for at, st in events])
    import_settings(store, json.dumps({"calendars": {"lunch": LUNCH}, "sla_rules": [
        {"first_response_min": 60, "resolution_h": 4, "calendar": "lunch", "pause_first_response": True}]}),
        "lunch.json", role="admin")
    moment = as_of(store)
    frt, res, frt_used, res_used = [0, 0], [0, 0], [], []
    for _, created, responded, resolved, events in PAUSE_TICKETS:
        for done, limit, counts, used in ((responded, 60, frt, frt_used), (resolved, 240, res, res_used)):
            end = done or moment
            clock = _lunch_minutes(created, end) - _paused(events, created, end)
            if done is not None:
                used.append(clock)
                counts[clock > limit] += 1
            elif clock > limit:
                counts[1] += 1
    got = compute(store, Filter(), (), ["frt_sla_rate", "resolution_sla_rate", "frt_median_min", "art_median_h"],
                  clock="business")[0]
    assert got.value("frt_sla_rate") == pytest.approx(frt[0] / sum(frt), abs=1e-9)
    assert got.value("resolution_sla_rate") == pytest.approx(res[0] / sum(res), abs=1e-9)
    assert got.value("frt_median_min") == pytest.approx(float(np.median(frt_used)), abs=1e-9)
    assert got.value("art_median_h") == pytest.approx(float(np.median(res_used)) / 60, abs=1e-9)
    assert (got.n("frt_sla_rate"), got.n("resolution_sla_rate")) == (sum(frt), sum(res))
    # Hand counts: 10 min before lunch + 10 after; the closed Wednesday counts nothing; 调休 Saturday 8 Feb
    # opens like a Monday.
    assert _lunch_minutes(T(2025, 3, 10, 11, 50), T(2025, 3, 10, 13, 40)) == 20
    assert _lunch_minutes(T(2025, 3, 11, 17, 0), T(2025, 3, 13, 8, 50)) == 50
    assert _lunch_minutes(T(2025, 2, 8, 8, 30), T(2025, 2, 8, 17, 30)) == 450
    paused_now = {r["ticket_id"]: r["res_due_at"] for r in ticket_limits(store).to_pylist()}
    assert paused_now["paused_at_the_end"] is None  # its clock is stopped: no fixed due moment
