"""Day and week grouping, windows, the running month, and the Overview's today strip and backlog (issue 13).

Expected figures are worked out by hand from the fixture rows, and the day/week groups are checked against an
independent computation in Python (datetime.isocalendar() for ISO 8601 weeks).
"""
from __future__ import annotations

import statistics
from datetime import datetime, timedelta

import pytest

from csq.improvement.pareto import signals
from csq.metrics.engine import compute
from csq.metrics.filters import Filter
from csq.metrics.periods import covers, default_period, running_month, store_running_month, without_running
from csq.metrics.spc import chart_for, control_chart
from csq.overview.today import backlog, breaching_now, strip, windows
from csq.satisfaction import analysis as sat
from tests.support import cli_json

T = datetime


def _tickets(n_days: int = 20) -> list[dict[str, object]]:
    """Return tickets over 2024-12-25 … (n_days), i-th day has i % 4 + 1 tickets, answered after 3·(j+1) min."""
    rows = []
    for i in range(n_days):
        day = T(2024, 12, 25) + timedelta(days=i)
        for j in range(i % 4 + 1):
            created = day + timedelta(hours=9, minutes=10 * j)
            rows.append({"ticket_id": f"T{i:02d}{j}", "created_at": created, "channel": "email",
                         "first_response_at": created + timedelta(minutes=3 * (j + 1)),
                         "resolved_at": created + timedelta(hours=2)})
    return rows


def test_kpi_by_day_and_week_equal_an_independent_computation(store, put, tmp_path):
    rows = _tickets()
    put("tickets", rows)
    by_day: dict[str, list[float]] = {}
    by_week: dict[str, list[float]] = {}
    for r in rows:
        c, fr = r["created_at"], r["first_response_at"]
        minutes = (fr - c).total_seconds() / 60  # type: ignore[operator]
        iso = c.isocalendar()  # type: ignore[attr-defined]
        by_day.setdefault(c.strftime("%Y-%m-%d"), []).append(minutes)  # type: ignore[attr-defined]
        by_week.setdefault(f"{iso.year}-W{iso.week:02d}", []).append(minutes)
    for by, expected in (("day", by_day), ("week", by_week)):
        got = {r.group(by): (r.value("tickets"), r.value("frt_median_min"))
               for r in compute(store, Filter(), (by,), ("tickets", "frt_median_min"))}
        assert got == {k: (len(v), statistics.median(v)) for k, v in sorted(expected.items())}
    # 2024-12-30 is the Monday of ISO week 2025-W01, and 2024-12-29 the Sunday of 2024-W52.
    assert "2025-W01" in by_week and "2024-W52" in by_week
    assert by_week["2025-W01"][0] == 3.0
    store.close()
    json_rows = cli_json("kpi", "--by", "week", "--indicators", "tickets", db=store.path)
    assert {r["week"]: r["tickets"] for r in json_rows} == {k: len(v) for k, v in by_week.items()}


def test_windows_today_yesterday_and_iso_week_as_of_the_data():
    moment = T(2025, 1, 8, 10, 30)  # a Wednesday
    (t_name, t0, t1), (y_name, y0, y1), (w_name, w0, w1) = windows(moment)
    assert (t_name, t0) == ("today", T(2025, 1, 8)) and t1 > moment
    assert (y_name, y0, y1) == ("yesterday", T(2025, 1, 7), T(2025, 1, 8))
    assert (w_name, w0) == ("this_week", T(2025, 1, 6)) and w1 == t1


def test_strip_compares_the_same_window_a_week_earlier(store, put):
    put("tickets", _tickets(22))   # day i has i % 4 + 1 tickets at 09:00, 09:10, …; the last day, i = 21, is
    moment = T(2025, 1, 15, 9, 5)  # Wednesday 2025-01-15; as of 09:05 only its 09:00 ticket exists
    got = {w.name: w for w in strip(store, Filter(), moment)}
    counts = {name: (w.now.value("tickets"), w.week_before.value("tickets")) for name, w in got.items()}
    assert counts == {
        "today": (1, 1),       # i = 21 up to 09:05: 1; a week earlier, i = 14 (3 tickets) up to 09:05: 1
        "yesterday": (1, 2),   # i = 20: 1 ticket; i = 13: 2
        "this_week": (6, 4),   # Mon–Wed so far, i = 19, 20, 21: 4 + 1 + 1; i = 12, 13, 14: 1 + 2 + 1
    }
    assert got["today"].now.value("frt_sla_rate") == 1.0 and got["today"].now.value("csat_rate") is None


def test_backlog_by_age_and_priority_and_breaching_now(store, put):
    moment = T(2025, 3, 10, 12, 0)
    put("tickets", [
        # open, 1 h old, email normal: first response limit 24 h (rule 6) not yet passed
        {"ticket_id": "A", "created_at": moment - timedelta(hours=1), "channel": "email", "priority": "normal"},
        # open, 30 h old, phone urgent: first response limit 2 min passed by 30 h - 2 min
        {"ticket_id": "B", "created_at": moment - timedelta(hours=30), "channel": "phone", "priority": "urgent"},
        # open but answered, 10 days old, email high: resolution limit 120 h passed by 240 - 120 = 120 h
        {"ticket_id": "C", "created_at": moment - timedelta(days=10), "channel": "email", "priority": "high",
         "first_response_at": moment - timedelta(days=9)},
        # resolved: not in the backlog
        {"ticket_id": "D", "created_at": moment - timedelta(days=2), "resolved_at": moment - timedelta(days=1)},
        # created after the as-of moment: not yet there
        {"ticket_id": "E", "created_at": moment + timedelta(hours=1)},
    ])
    b = backlog(store, Filter(), moment)
    assert b.total == 3 and b.total_breaching == 2
    assert b.open == {("age_lt_4h", "normal"): 1, ("age_1_3d", "urgent"): 1, ("age_gt_7d", "high"): 1}
    assert b.priorities() == ["urgent", "high", "normal"]
    now = breaching_now(store, Filter(), moment)
    assert [r["ticket_id"] for r in now] == ["C", "B"]  # 120 h past, then 30 h − 2 min past
    assert now[0]["breach"] == "resolution" and now[0]["over_min"] == pytest.approx(120 * 60)
    assert now[1]["breach"] == "first_response" and now[1]["over_min"] == pytest.approx(30 * 60 - 2)
    assert backlog(store, Filter(where=(("channel", ("phone",)),)), moment).total == 1


def test_running_month_and_default_period():
    assert running_month(T(2026, 12, 1, 9)) is not None and str(running_month(T(2026, 12, 1, 9))) == "2026-12"
    assert running_month(T(2026, 11, 30, 18)) is None    # the data reaches the month's last day: complete
    assert running_month(None) is None
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    assert default_period(months, "2026-12") == ("2026-06", "2026-11")
    assert default_period(months, None) == ("2026-07", "2026-12")
    assert default_period(["2026-12"], "2026-12") == ("2026-12", "2026-12")  # nothing complete: show what is
    f = Filter("2026-07", "2026-12")
    assert covers(f, "2026-12") and not covers(Filter("2026-01", "2026-06"), "2026-12")
    assert without_running(f, "2026-12") == Filter("2026-07", "2026-11")
    assert without_running(Filter("2026-12", "2026-12"), "2026-12") is None


def _steady_then_running(answered_in_running: int) -> list[dict[str, object]]:
    """Return ten whole months of 10 phone tickets, 9 answered within the 2 min limit, then one day of the
    running month (2025-11-01) with 10 tickets of which `answered_in_running` are answered in time."""
    rows: list[dict[str, object]] = []
    for m in range(1, 11):
        for j in range(10):
            c = T(2025, m, 5, 9, j)
            rows.append({"ticket_id": f"M{m}-{j}", "created_at": c, "channel": "phone",
                         "first_response_at": c + timedelta(minutes=1 if j < 9 else 30)})
    for j in range(10):
        c = T(2025, 11, 1, 9, j)
        rows.append({"ticket_id": f"R{j}", "created_at": c, "channel": "phone",
                     "first_response_at": c + timedelta(minutes=1 if j < answered_in_running else 30)})
    return rows


def test_a_running_month_is_never_a_signal_nor_compared_year_on_year(store, put):
    # Ten whole months at 90 %, then one day of the running month with 1 of 10: far below any limit, yet
    # never flagged.
    rows = _steady_then_running(1)
    put("tickets", rows)
    assert store_running_month(store) == "2025-11"
    points = chart_for(store, Filter(), "frt_sla_rate").points
    last = points[-1]
    assert last.month == "2025-11" and last.partial and last.signals == () and last.value == pytest.approx(0.1)
    assert points[0].center == pytest.approx(0.9)  # the centre is the ten whole months' 90 / 100
    # Without the mark, the same month is beyond the lower limit: the mark is what keeps it quiet.
    unmarked = control_chart(compute(store, Filter(), ("month",), ("frt_sla_rate",)), "frt_sla_rate", "rate").points
    assert "beyond_limits" in unmarked[-1].signals
    assert sat.compared_period(store, Filter("2025-09", "2025-11")) == Filter("2025-09", "2025-10")
    assert sat.year_over_year(store, Filter("2025-11", "2025-11")) == {"totals": [], "months": []}


def test_the_running_month_is_no_candidate_problem(store, put):
    rows = _steady_then_running(0)
    put("tickets", rows)
    assert not [s for s in signals(store, Filter()) if s.point.month == "2025-11"]
