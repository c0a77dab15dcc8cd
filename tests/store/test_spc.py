"""Control charts: p-chart and XmR limits worked out by hand, the run rules, explanations and JSON."""
from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from csq.metrics.engine import compute
from csq.metrics.filters import Filter
from csq.metrics.results import Figure, Result
from csq.metrics.spc import SpcPoint, chart_for, control_chart, explain, spc_json

T = datetime


def series(key: str, values: list[float | None], ns: list[int] | None = None, start: int = 1) -> list[Result]:
    """Results shaped like compute(by=["month"]): one per month from 2025-<start>, None = a month without data."""
    ns = ns or [100] * len(values)
    out = []
    for i, (v, n) in enumerate(zip(values, ns)):
        y, m = 2025 + (start - 1 + i) // 12, (start - 1 + i) % 12 + 1
        out.append(Result({"month": f"{y}-{m:02d}"}, {key: Figure(key, v, 0 if v is None else n)}))
    return out


def flagged(points: list[SpcPoint], rule: str) -> list[int]:
    return [i for i, p in enumerate(points) if rule in p.signals]


# ---------------------------------------------------------------- p-chart from the store

def _email(ticket_id: str, created: datetime, late: bool) -> dict:
    # email inquiry: first-response limit 24 h (rule 6). Answered after 1 h (met) or 25 h (breached).
    return {"ticket_id": ticket_id, "created_at": created, "channel": "email", "type": "inquiry",
            "first_response_at": created + timedelta(hours=25 if late else 1)}


def _month(month: int, n: int, met: int) -> list[dict]:
    created = T(2025, month, 3, 9)
    return [_email(f"{month}-{i}", created, late=i >= met) for i in range(n)]


def test_p_chart_by_hand_with_months_of_different_n(store, put):
    put("tickets", _month(1, 100, 90) + _month(2, 400, 320) + _month(4, 100, 70) + _month(5, 25, 20) + [
        # June: one unanswered ticket created at the as-of moment, inside its limit: the month has n = 0.
        {"ticket_id": "jun", "created_at": T(2025, 6, 10, 12), "channel": "email", "type": "inquiry"}])
    rows = compute(store, Filter(), by=["month"], indicators=["frt_sla_rate"])
    assert [r.group("month") for r in rows] == ["2025-01", "2025-02", "2025-04", "2025-05", "2025-06"]  # no March row
    points = control_chart(rows, "frt_sla_rate", "rate")
    assert [p.month for p in points] == ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]
    # p̄ = (90 + 320 + 70 + 20) / (100 + 400 + 100 + 25) = 500 / 625 = 0.8, so p̄(1 − p̄) = 0.16.
    #   n = 100: 3·sqrt(0.16 / 100) = 3 × 0.04 = 0.12 -> 0.68 .. 0.92
    #   n = 400: 3·sqrt(0.16 / 400) = 3 × 0.02 = 0.06 -> 0.74 .. 0.86
    #   n =  25: 3·sqrt(0.16 / 25)  = 3 × 0.08 = 0.24 -> 0.56 .. 1.04, clipped to 1.0
    expected = [("2025-01", 0.9, 100, 0.68, 0.92), ("2025-02", 0.8, 400, 0.74, 0.86),
                ("2025-03", None, 0, None, None), ("2025-04", 0.7, 100, 0.68, 0.92),
                ("2025-05", 0.8, 25, 0.56, 1.0), ("2025-06", None, 0, None, None)]
    for p, (month, value, n, lcl, ucl) in zip(points, expected):
        assert (p.month, p.n) == (month, n)
        assert p.value == (None if value is None else pytest.approx(value))
        assert p.lcl == (None if lcl is None else pytest.approx(lcl))
        assert p.ucl == (None if ucl is None else pytest.approx(ucl))
        assert p.center == pytest.approx(0.8)   # the centre line does not depend on n, so it spans the gaps
        assert p.signals == ()                   # 0.7 is inside 0.68; no run, no trend
    # The data end on 10 June, so June is the running month: chart_for() marks it, and nothing else differs.
    assert chart_for(store, Filter(), "frt_sla_rate") == control_chart(rows, "frt_sla_rate", "rate", "2025-06")
    assert [replace(p, partial=False) for p in chart_for(store, Filter(), "frt_sla_rate")] == points


def test_p_chart_point_below_its_own_limit():
    # Four months of n = 100: 80, 80, 80, 50 met -> p̄ = 290 / 400 = 0.725;
    # 3·sqrt(0.725 × 0.275 / 100) = 3 × 0.0446514 = 0.1339543 -> 0.5910457 .. 0.8589543.
    points = control_chart(series("csat_rate", [0.8, 0.8, 0.8, 0.5]), "csat_rate", "rate")
    assert points[0].lcl == pytest.approx(0.725 - 3 * math.sqrt(0.725 * 0.275 / 100))
    assert points[0].ucl == pytest.approx(0.8589543, abs=1e-7)
    assert flagged(points, "beyond_limits") == [3]
    # The same 50 % on n = 4: p̄ = 242 / 304 = 0.796, 3·sqrt(0.796 × 0.204 / 4) = 0.605 -> 0.192 .. 1.0 (clipped).
    wide = control_chart(series("csat_rate", [0.8, 0.8, 0.8, 0.5], [100, 100, 100, 4]), "csat_rate", "rate")
    assert wide[3].lcl == pytest.approx((240 + 2) / 304 - 3 * math.sqrt((242 / 304) * (62 / 304) / 4))
    assert wide[3].ucl == 1.0
    assert flagged(wide, "beyond_limits") == []


# ---------------------------------------------------------------- XmR chart

def test_xmr_limits_by_hand_and_gaps_break_moving_ranges():
    points = control_chart(series("frt_median_min", [10, 12, None, 11, 15, 12]), "frt_median_min", "min")
    # centre = (10 + 12 + 11 + 15 + 12) / 5 = 12. Moving ranges between adjacent months with data:
    # |12 − 10| = 2, (none across the gap), |15 − 11| = 4, |12 − 15| = 3 -> MR̄ = 3, σ = 3 / 1.128 = 2.659574,
    # limits 12 ± 7.978723 -> 4.021277 .. 19.978723.
    assert [p.center for p in points] == [pytest.approx(12)] * 6
    data = [p for p in points if p.value is not None]
    assert [p.lcl for p in data] == [pytest.approx(4.021277, abs=1e-6)] * 5
    assert [p.ucl for p in data] == [pytest.approx(19.978723, abs=1e-6)] * 5
    assert (points[2].value, points[2].lcl, points[2].ucl, points[2].signals) == (None, None, None, ())
    assert all(p.signals == () for p in points)


def test_xmr_count_clips_lower_limit_at_zero():
    # centre = (2 + 10 + 3 + 12) / 4 = 6.75; MR̄ = (8 + 7 + 9) / 3 = 8; 3σ = 24 / 1.128 = 21.276596.
    counts = control_chart(series("tickets", [2, 10, 3, 12]), "tickets", "count")
    assert counts[0].lcl == 0.0
    assert counts[0].ucl == pytest.approx(6.75 + 21.276596, abs=1e-6)
    minutes = control_chart(series("frt_median_min", [2, 10, 3, 12]), "frt_median_min", "min")
    assert minutes[0].lcl == pytest.approx(6.75 - 21.276596, abs=1e-6)   # only counts are clipped


def test_xmr_beyond_limits_above_and_below():
    # 20 steady months then a spike and a drop. Centre and MR̄ include them, yet both stay outside.
    values = [10.0, 10.5] * 10 + [30.0, 10.0, -5.0]
    points = control_chart(series("nps", values), "nps", "points")
    center = sum(values) / len(values)
    mr = (19 * 0.5 + 19.5 + 20 + 15) / 22
    assert points[0].center == pytest.approx(center)
    assert points[0].ucl == pytest.approx(center + 3 * mr / 1.128)
    assert flagged(points, "beyond_limits") == [20, 22]
    assert points[20].value > points[20].ucl and points[22].value < points[22].lcl


# ---------------------------------------------------------------- run and trend rules

def test_run_of_8_flags_from_the_eighth_point_on():
    values = [1, 1, 1, 1] + [5, 6] * 4 + [5, 1]      # indices 4..12 are nine points above the centre 54/14
    points = control_chart(series("csat_mean", values), "csat_mean", "score")
    assert points[0].center == pytest.approx(54 / 14)
    assert flagged(points, "run_of_8") == [11, 12]


def test_run_of_7_or_a_broken_run_is_not_flagged():
    seven = [1, 1, 1, 1] + [5, 6, 5, 6, 5, 6, 5] + [1] + [5, 6, 5, 6, 5, 6, 5]
    assert flagged(control_chart(series("csat_mean", seven), "csat_mean", "score"), "run_of_8") == []
    gap = [1, 1, 1, 1] + [5, 6, 5, 6, None, 5, 6, 5, 6]   # a month without data breaks the run
    assert flagged(control_chart(series("csat_mean", gap), "csat_mean", "score"), "run_of_8") == []


def test_point_on_the_centre_line_breaks_a_run():
    sym = [3, 1, 3, 1, 3, 3, 3, 3, 2, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1]
    # ten 3s, ten 1s and one 2: total 42 over 21 months -> centre exactly 2, so month 8 sits on the line.
    points = control_chart(series("csat_mean", sym), "csat_mean", "score")
    assert points[0].center == pytest.approx(2)
    # Indices 4..7 and 9..12 are eight months above 2, split by month 8 on the line: no run.
    # Indices 13..20 are eight months below: flagged on the eighth (index 20).
    assert flagged(points, "run_of_8") == [20]


def test_trend_of_6_up_and_down():
    up = control_chart(series("art_median_h", [1, 2, 3, 4, 5, 6, 7, 3]), "art_median_h", "h")
    assert flagged(up, "trend_of_6") == [5, 6]
    assert up[5].trend == "up"
    down = control_chart(series("art_median_h", [9, 8, 7, 6, 5, 4]), "art_median_h", "h")
    assert flagged(down, "trend_of_6") == [5]
    assert down[5].trend == "down"


def test_trend_broken_by_a_tie_or_a_gap_is_not_flagged():
    tie = control_chart(series("art_median_h", [1, 2, 3, 4, 5, 5, 6, 7, 8]), "art_median_h", "h")
    assert flagged(tie, "trend_of_6") == []   # 1..5 is five points, 5..8 four
    gap = control_chart(series("art_median_h", [1, 2, 3, None, 4, 5, 6]), "art_median_h", "h")
    assert flagged(gap, "trend_of_6") == []


# ---------------------------------------------------------------- not enough data

def test_fewer_than_three_months_with_data_gives_no_limits_and_no_signals():
    for rows in (series("csat_rate", [0.5, 0.9]), series("csat_rate", [0.5, None, 0.9]), []):
        points = control_chart(rows, "csat_rate", "rate")
        assert all(p.center is None and p.lcl is None and p.ucl is None and p.signals == () for p in points)
    assert len(control_chart(series("csat_rate", [0.5, None, 0.9]), "csat_rate", "rate")) == 3
    assert control_chart([], "csat_rate", "rate") == []


def test_value_with_zero_n_counts_as_no_data():
    rows = series("tickets", [5, 6, 7])
    rows[1] = Result(rows[1].groups, {"tickets": Figure("tickets", 6, 0)})  # n = 0 is no data for the chart
    points = control_chart(rows, "tickets", "count")
    assert points[1].value is None and points[0].center is None


# ---------------------------------------------------------------- words and JSON

def test_explain_in_both_languages():
    p = SpcPoint("2025-11", 0.712, 812, 0.85, 0.803, 0.897, ("beyond_limits",), "csat_rate")
    assert explain(p) == "2025-11: 71.2% is below the lower control limit 80.3% (n=812)"
    assert explain(p, "zh") == "2025-11：71.2% 低于控制下限 80.3%（n=812）"
    high = SpcPoint("2025-12", 14.0, 1234, 10.0, 6.0, 12.0, ("beyond_limits", "run_of_8"), "frt_median_min")
    assert explain(high) == ("2025-12: 14.0 min is above the upper control limit 12.0 min; is above the centre "
                             "line 10.0 min for the 8th month or more in a row (n=1,234)")
    assert explain(high, "zh") == ("2025-12：14.0 分钟 高于控制上限 12.0 分钟；"
                                   "高于中心线 10.0 分钟，已连续 8 个月及以上（n=1,234）")
    falling = SpcPoint("2025-06", 0.5, 40, 0.6, 0.3, 0.9, ("trend_of_6",), "csat_rate", "down")
    assert explain(falling) == "2025-06: 50.0% is the 6th or later month of a steady fall (n=40)"
    assert explain(falling, "zh") == "2025-06：50.0%，已连续 6 个月及以上持续下降（n=40）"
    assert explain(SpcPoint("2025-03", None, 0, 0.8, None, None, (), "csat_rate")) == "2025-03: no data"


def test_spc_json_shape():
    points = control_chart(series("csat_rate", [0.8, None, 0.8, 0.5, 0.8]), "csat_rate", "rate")
    out = spc_json(points)
    assert [set(o) for o in out] == [{"month", "value", "n", "center", "lcl", "ucl", "signals", "in_progress"}] * 5
    assert out[1] == {"month": "2025-02", "value": None, "n": 0, "center": pytest.approx(0.725), "lcl": None,
                      "ucl": None, "signals": [], "in_progress": False}
    assert json.loads(json.dumps(out))[3]["signals"] == ["beyond_limits"]
