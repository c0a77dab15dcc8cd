"""Control charts: p, p′ and XmR limits worked out by hand, baselines, the four run rules, explanations, JSON."""
from __future__ import annotations

import json
import math
import random
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from csq.metrics.engine import compute
from csq.metrics.filters import Filter
from csq.metrics.results import Figure, Result
from csq.metrics.spc import Baseline, SpcPoint, chart_for, control_chart
from csq.errors import InputRefused
from csq.metrics.spc_words import chart_reason, describe_signal, explain, spc_json

T = datetime


def series(key: str, values: list[float | None], ns: list[int] | None = None, start: int = 1) -> list[Result]:
    """Results shaped like compute(by=["month"]): one per month from 2025-<start>, None = a month without data."""
    ns = ns or [100] * len(values)
    out = []
    for i, (v, n) in enumerate(zip(values, ns)):
        y, m = 2025 + (start - 1 + i) // 12, (start - 1 + i) % 12 + 1
        out.append(Result({"month": f"{y}-{m:02d}"}, {key: Figure(key, v, 0 if v is None else n)}))
    return out


def flagged(points, rule: str) -> list[int]:
    return [i for i, p in enumerate(getattr(points, "points", points)) if rule in p.signals]


def chart(rows, key, unit, kind="auto", **kw):
    """The points of a control chart (a list, so tests index months)."""
    return list(control_chart(rows, key, unit, chart=kind, **kw).points)


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
    points = chart(rows, "frt_sla_rate", "rate", "p")
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
    assert chart_for(store, Filter(), "frt_sla_rate", "p") == control_chart(rows, "frt_sla_rate", "rate", "2025-06", "p")
    assert [replace(p, partial=False, in_baseline=p.value is not None)
            for p in chart_for(store, Filter(), "frt_sla_rate", "p").points] == points


def test_p_chart_point_below_its_own_limit():
    # Four months of n = 100: 80, 80, 80, 50 met -> p̄ = 290 / 400 = 0.725;
    # 3·sqrt(0.725 × 0.275 / 100) = 3 × 0.0446514 = 0.1339543 -> 0.5910457 .. 0.8589543.
    points = chart(series("csat_rate", [0.8, 0.8, 0.8, 0.5]), "csat_rate", "rate", "p")
    assert points[0].lcl == pytest.approx(0.725 - 3 * math.sqrt(0.725 * 0.275 / 100))
    assert points[0].ucl == pytest.approx(0.8589543, abs=1e-7)
    assert flagged(points, "beyond_limits") == [3]
    # The same 50 % on n = 4: p̄ = 242 / 304 = 0.796, 3·sqrt(0.796 × 0.204 / 4) = 0.605 -> 0.192 .. 1.0 (clipped).
    wide = chart(series("csat_rate", [0.8, 0.8, 0.8, 0.5], [100, 100, 100, 4]), "csat_rate", "rate", "p")
    assert wide[3].lcl == pytest.approx((240 + 2) / 304 - 3 * math.sqrt((242 / 304) * (62 / 304) / 4))
    assert wide[3].ucl == 1.0
    assert flagged(wide, "beyond_limits") == []


# ---------------------------------------------------------------- XmR chart (SPEC §4b: x̄ ± 2.66·MR̄)

def test_xmr_limits_by_hand_and_gaps_break_moving_ranges():
    points = chart(series("frt_median_min", [10, 12, None, 11, 15, 12]), "frt_median_min", "min")
    # centre = (10 + 12 + 11 + 15 + 12) / 5 = 12. Moving ranges between adjacent months with data:
    # |12 − 10| = 2, (none across the gap), |15 − 11| = 4, |12 − 15| = 3 -> MR̄ = 3, 2.66 × 3 = 7.98,
    # limits 12 ± 7.98 -> 4.02 .. 19.98.
    assert [p.center for p in points] == [pytest.approx(12)] * 6
    data = [p for p in points if p.value is not None]
    assert [p.lcl for p in data] == [pytest.approx(4.02)] * 5
    assert [p.ucl for p in data] == [pytest.approx(19.98)] * 5
    assert (points[2].value, points[2].lcl, points[2].ucl, points[2].signals) == (None, None, None, ())
    assert all(p.signals == () for p in points)


def test_xmr_counts_and_durations_keep_the_lower_limit_at_zero():
    # centre = (2 + 10 + 3 + 12) / 4 = 6.75; MR̄ = (8 + 7 + 9) / 3 = 8; 2.66 × 8 = 21.28.
    for key, unit in (("tickets", "count"), ("frt_median_min", "min"), ("art_median_h", "h")):
        points = chart(series(key, [2, 10, 3, 12]), key, unit)
        assert points[0].lcl == 0.0, key        # 6.75 − 21.28 < 0: no duration or volume is negative
        assert points[0].ucl == pytest.approx(6.75 + 21.28)
    score = chart(series("csat_mean", [2, 10, 3, 12]), "csat_mean", "score")
    assert score[0].lcl == pytest.approx(6.75 - 21.28)   # a score is not clamped


def test_xmr_beyond_limits_above_and_below():
    # 20 steady months then a spike and a drop. Centre and MR̄ include them, yet both stay outside.
    values = [10.0, 10.5] * 10 + [30.0, 10.0, -5.0]
    points = chart(series("nps", values), "nps", "points")
    center = sum(values) / len(values)
    mr = (19 * 0.5 + 19.5 + 20 + 15) / 22
    assert points[0].center == pytest.approx(center)
    assert points[0].ucl == pytest.approx(center + 2.66 * mr)
    assert flagged(points, "beyond_limits") == [20, 22]
    assert points[20].value > points[20].ucl and points[22].value < points[22].lcl


# ---------------------------------------------------------------- run and trend rules

def test_run_of_8_flags_every_month_of_the_run():
    values = [1, 1, 1, 1] + [5, 6] * 4 + [5, 1]      # indices 4..12 are nine points above the centre 54/14
    c = control_chart(series("csat_mean", values), "csat_mean", "score")
    assert c.points[0].center == pytest.approx(54 / 14)
    assert flagged(c, "run_of_8") == list(range(4, 13))
    runs = [s for s in c.signals if s.rule == "run_of_8"]
    assert [(s.months[0], s.months[-1], len(s.months), s.direction) for s in runs] == [
        ("2025-05", "2026-01", 9, "up")]


def test_run_of_7_or_a_broken_run_is_not_flagged():
    seven = [1, 1, 1, 1] + [5, 6, 5, 6, 5, 6, 5] + [1] + [5, 6, 5, 6, 5, 6, 5]
    assert flagged(chart(series("csat_mean", seven), "csat_mean", "score"), "run_of_8") == []
    gap = [1, 1, 1, 1] + [5, 6, 5, 6, None, 5, 6, 5, 6]   # a month without data breaks the run
    assert flagged(chart(series("csat_mean", gap), "csat_mean", "score"), "run_of_8") == []


def test_point_on_the_centre_line_breaks_a_run():
    sym = [3, 1, 3, 1, 3, 3, 3, 3, 2, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1]
    # ten 3s, ten 1s and one 2: total 42 over 21 months -> centre exactly 2, so month 8 sits on the line.
    points = chart(series("csat_mean", sym), "csat_mean", "score")
    assert points[0].center == pytest.approx(2)
    # Indices 4..7 and 9..12 are eight months above 2, split by month 8 on the line: no run.
    # Indices 13..20 are eight months below: one run.
    assert flagged(points, "run_of_8") == list(range(13, 21))


def test_trend_of_6_up_and_down():
    up = chart(series("art_median_h", [1, 2, 3, 4, 5, 6, 7, 3]), "art_median_h", "h")
    assert flagged(up, "trend_of_6") == [0, 1, 2, 3, 4, 5, 6]   # seven months, each above the last
    assert up[5].trend == "up" and up[7].trend is None
    down = chart(series("art_median_h", [9, 8, 7, 6, 5, 4]), "art_median_h", "h")
    assert flagged(down, "trend_of_6") == [0, 1, 2, 3, 4, 5]
    assert down[5].trend == "down"
    five = chart(series("art_median_h", [9, 8, 7, 6, 5, 6]), "art_median_h", "h")
    assert flagged(five, "trend_of_6") == []


def test_trend_broken_by_a_tie_or_a_gap_is_not_flagged():
    tie = chart(series("art_median_h", [1, 2, 3, 4, 5, 5, 6, 7, 8]), "art_median_h", "h")
    assert flagged(tie, "trend_of_6") == []   # 1..5 is five points, 5..8 four
    gap = chart(series("art_median_h", [1, 2, 3, None, 4, 5, 6]), "art_median_h", "h")
    assert flagged(gap, "trend_of_6") == []


def test_two_of_three_beyond_two_sigma_on_the_same_side():
    # XmR on 15 months: 10, 11 alternating, then 13.5, 10.5, 13.6 at the end.
    values = [10, 11] * 6 + [13.5, 10.5, 13.6]
    c = control_chart(series("csat_mean", values), "csat_mean", "score")
    center = sum(values) / len(values)
    mr = (11 * 1 + abs(13.5 - 11) + abs(10.5 - 13.5) + abs(13.6 - 10.5)) / 14
    two = center + 2 / 3 * 2.66 * mr        # the two-sigma line: two thirds of the way to the 3-sigma limit
    ucl = center + 2.66 * mr
    assert c.points[0].ucl == pytest.approx(ucl)
    assert two < 13.5 < ucl and two < 13.6 < ucl  # beyond two sigma, inside the limits
    assert flagged(c, "two_of_three") == [12, 14]
    assert flagged(c, "beyond_limits") == []
    assert [(s.rule, s.months, s.direction) for s in c.signals if s.rule == "two_of_three"] == [
        ("two_of_three", ("2026-01", "2026-03"), "up")]
    # One month beyond two sigma, or two on opposite sides, is no signal.
    one = [10, 11] * 6 + [13.5, 10.5, 10.6]
    assert flagged(chart(series("csat_mean", one), "csat_mean", "score"), "two_of_three") == []


# ---------------------------------------------------------------- Laney p′ (SPEC §4b) and baselines

def test_p_prime_by_hand_on_four_months():
    # x/n: 60/100, 80/100, 50/100, 90/100 -> p̄ = 280/400 = 0.7, σᵢ = √(0.21/100) = 0.0458258.
    # zᵢ = (0.6 − 0.7)/σ, … = −2.182179, 2.182179, −4.364358, 4.364358; |Δz| = 4.364358, 6.546537, 8.728716
    # -> mean 6.546537, σz = 6.546537 / 1.128 = 5.803668; limits 0.7 ± 3 × 5.803668 × 0.0458258, clamped.
    rows = series("csat_rate", [0.6, 0.8, 0.5, 0.9])
    c = control_chart(rows, "csat_rate", "rate")
    sigma = math.sqrt(0.21 / 100)
    z = [(p - 0.7) / sigma for p in (0.6, 0.8, 0.5, 0.9)]
    sigma_z = sum(abs(b - a) for a, b in zip(z, z[1:])) / 3 / 1.128
    assert c.chart == "p_prime" and c.sigma_z == pytest.approx(sigma_z) and sigma_z == pytest.approx(5.803668, 1e-6)
    assert c.points[0].lcl == pytest.approx(max(0.0, 0.7 - 3 * sigma_z * sigma))
    assert c.points[0].ucl == pytest.approx(min(1.0, 0.7 + 3 * sigma_z * sigma))
    assert flagged(c, "beyond_limits") == []
    # The classic p-chart's 0.7 ± 3σ = 0.5625 .. 0.8375 leaves out 50 % and 90 %.
    assert flagged(control_chart(rows, "csat_rate", "rate", chart="p"), "beyond_limits") == [2, 3]


# qicharts2's `nhs_accidents` (anhoej/qicharts2, data/nhs_accidents.rda; from Mohammed et al., BMJ Qual Saf
# 2013;22:362-368): patients seen within 4 hours (r) of attendances (n), 20 weeks.
NHS_R = [266501, 264225, 276532, 281461, 269071, 261215, 270409, 279778, 270483, 270320,
         267923, 271478, 255353, 256820, 261835, 259144, 255910, 260863, 264465, 260989]
NHS_N = [280443, 276823, 291681, 296155, 282343, 275888, 283867, 295251, 284468, 282529,
         279618, 283932, 266629, 268091, 276803, 271578, 266005, 273520, 278574, 273772]
# Expected figures from the pccpy package (0.16.2, `pccpy.charts.attributes.laney_p_chart(NHS_R, NHS_N)`):
# centre, σz, and (lcl, ucl) of weeks 1, 13 and 20. pccpy divides the mean moving range by the exact
# d2 = 2/√π = 1.1283792; qicharts2's `qic.pp` and SPEC §4b divide by 1.128, so σz and the half-widths scale by
# (2/√π) / 1.128 and the centre is the same.
NHS_CENTER, NHS_SIGMA_Z = 0.9528997113441912, 10.63684638286849
NHS_LIMITS = {0: (0.9401339352787842, 0.9656654874095981), 12: (0.9398074148473132, 0.9659920078410691),
              19: (0.9399793395901301, 0.9658200830982522)}
D2_RATIO = (2 / math.sqrt(math.pi)) / 1.128


def test_p_prime_matches_pccpy_on_qicharts2_nhs_accidents():
    rows = series("frt_sla_rate", [r / n for r, n in zip(NHS_R, NHS_N)], NHS_N)
    c = control_chart(rows, "frt_sla_rate", "rate")
    assert c.chart == "p_prime"
    assert c.points[0].center == pytest.approx(NHS_CENTER, abs=1e-12)
    assert c.sigma_z == pytest.approx(NHS_SIGMA_Z * D2_RATIO, rel=1e-9)
    assert c.sigma_z == pytest.approx(10.6404, abs=1e-4)
    for i, (lcl, ucl) in NHS_LIMITS.items():
        want = (NHS_CENTER - (NHS_CENTER - lcl) * D2_RATIO, NHS_CENTER + (ucl - NHS_CENTER) * D2_RATIO)
        assert (c.points[i].lcl, c.points[i].ucl) == (pytest.approx(want[0], abs=1e-12),
                                                      pytest.approx(want[1], abs=1e-12))
    # The point of the example: the classic p-chart flags most weeks, p′ none.
    classic = control_chart(rows, "frt_sla_rate", "rate", chart="p")
    assert len(flagged(classic, "beyond_limits")) >= 15
    assert flagged(c, "beyond_limits") == []


def test_overdispersed_months_p_prime_flags_at_most_a_couple_where_p_flags_most():
    # 24 months of 40,000–60,000 records whose true rate wanders about 2 points around 80 % (beta noise).
    rng = random.Random(16)
    ns = [40000 + rng.randrange(20000) for _ in range(24)]
    values = [round(rng.betavariate(400, 100) * n) / n for n in ns]
    rows = series("frt_sla_rate", values, ns)
    classic = control_chart(rows, "frt_sla_rate", "rate", chart="p")
    prime = control_chart(rows, "frt_sla_rate", "rate")
    assert prime.sigma_z > 2
    assert len(flagged(classic, "beyond_limits")) >= 12
    assert len(flagged(prime, "beyond_limits")) <= 2


def test_p_prime_without_overdispersion_is_no_wider_than_p():
    # Binomial months at exactly the centre ± under one σ: σz < 1, so p′ is the p-chart's width or narrower.
    rows = series("csat_rate", [0.80, 0.81, 0.80, 0.79, 0.80, 0.81], [1000] * 6)
    prime, classic = control_chart(rows, "csat_rate", "rate"), control_chart(rows, "csat_rate", "rate", chart="p")
    assert prime.sigma_z < 1
    assert all(a.ucl - a.lcl <= b.ucl - b.lcl for a, b in zip(prime.points, classic.points))


def test_frozen_baseline_limits_come_from_its_months_only():
    # Jan–Jun steady, Jul–Dec much higher. Baseline Jan–Jun: p̄ and σz from those six months only.
    values = [0.70, 0.72, 0.69, 0.71, 0.70, 0.72, 0.85, 0.86, 0.84, 0.85, 0.86, 0.87]
    rows = series("csat_rate", values, [200] * 12)
    c = control_chart(rows, "csat_rate", "rate", baseline=Baseline.parse("2025-01:2025-06"))
    base = values[:6]
    pbar = sum(base) / 6
    s = math.sqrt(pbar * (1 - pbar) / 200)
    z = [(v - pbar) / s for v in base]
    sigma_z = sum(abs(b - a) for a, b in zip(z, z[1:])) / 5 / 1.128
    assert c.used == ("2025-01", "2025-06") and c.baseline.chosen
    assert c.sigma_z == pytest.approx(sigma_z)
    assert all(p.center == pytest.approx(pbar) for p in c.points)
    assert c.points[9].ucl == pytest.approx(pbar + 3 * sigma_z * s)       # frozen: the same for October
    assert [p.in_baseline for p in c.points] == [True] * 6 + [False] * 6
    assert flagged(c, "beyond_limits") == list(range(6, 12))               # every later month is above
    everything = control_chart(rows, "csat_rate", "rate")
    assert everything.used == ("2025-01", "2025-12") and everything.points[0].center != c.points[0].center


def test_baseline_refusals_and_a_short_baseline():
    for bad in ("2025-01", "2025-13:2025-14", "2025-06:2025-01", "a:b"):
        with pytest.raises(InputRefused):
            Baseline.parse(bad)
    assert Baseline.parse("") == Baseline() and Baseline.parse(" 2025-01:2025-03 ").text() == "2025-01:2025-03"
    short = control_chart(series("csat_rate", [0.7] * 6), "csat_rate", "rate", baseline=Baseline("2025-05", "2025-08"))
    assert short.reason == "baseline_short" and all(p.lcl is None for p in short.points)
    with pytest.raises(InputRefused, match="not a rate"):
        control_chart(series("csat_mean", [4.0] * 4), "csat_mean", "score", chart="p")


def test_shown_months_trim_after_the_limits_are_found():
    values = [0.70, 0.72, 0.69, 0.71, 0.70, 0.72, 0.85, 0.86]
    rows = series("csat_rate", values, [200] * 8)
    b = Baseline("2025-01", "2025-06")
    whole = control_chart(rows, "csat_rate", "rate", baseline=b)
    shown = control_chart(rows, "csat_rate", "rate", baseline=b, shown=("2025-07", "2025-08"))
    assert [p.month for p in shown.points] == ["2025-07", "2025-08"]
    assert shown.points == whole.points[6:]


def test_chart_for_widens_the_period_to_hold_the_baseline(store, put):
    put("tickets", [t for m in range(1, 9) for t in _month(m, 100, 80 if m < 7 else 95)])
    f = Filter("2025-07", "2025-08")
    c = chart_for(store, f, "frt_sla_rate", baseline=Baseline("2025-01", "2025-06"))
    assert [p.month for p in c.points] == ["2025-07", "2025-08"]
    assert c.points[0].center == pytest.approx(0.8)     # from January–June, which lie outside the period shown
    assert c.points[0].signals == ("beyond_limits",)


# ---------------------------------------------------------------- not enough data

def test_fewer_than_three_months_with_data_gives_no_limits_and_no_signals():
    for rows in (series("csat_rate", [0.5, 0.9]), series("csat_rate", [0.5, None, 0.9]), []):
        c = control_chart(rows, "csat_rate", "rate")
        assert all(p.center is None and p.lcl is None and p.ucl is None and p.signals == () for p in c.points)
        assert c.reason == "few_months" and c.signals == ()
    assert len(chart(series("csat_rate", [0.5, None, 0.9]), "csat_rate", "rate")) == 3
    assert chart([], "csat_rate", "rate") == []


def test_value_with_zero_n_counts_as_no_data():
    rows = series("tickets", [5, 6, 7])
    rows[1] = Result(rows[1].groups, {"tickets": Figure("tickets", 6, 0)})  # n = 0 is no data for the chart
    points = chart(rows, "tickets", "count")
    assert points[1].value is None and points[0].center is None


# ---------------------------------------------------------------- words and JSON

def test_explain_in_both_languages():
    p = SpcPoint("2025-11", 0.712, 812, 0.85, 0.803, 0.897, ("beyond_limits",), "csat_rate")
    assert explain(p) == "2025-11: 71.2% is below the lower control limit 80.3% (n=812)"
    assert explain(p, "zh") == "2025-11：71.2% 低于控制下限 80.3%（n=812）"
    high = SpcPoint("2025-12", 14.0, 1234, 10.0, 6.0, 12.0, ("beyond_limits", "run_of_8"), "frt_median_min")
    assert explain(high) == ("2025-12: 14.0 min is above the upper control limit 12.0 min; is part of a run of 8 "
                             "or more months above the centre line 10.0 min (n=1,234)")
    assert explain(high, "zh") == ("2025-12：14.0 分钟 高于控制上限 12.0 分钟；"
                                   "连续 8 个月及以上高于中心线 10.0 分钟（n=1,234）")
    falling = SpcPoint("2025-06", 0.5, 40, 0.6, 0.3, 0.9, ("trend_of_6",), "csat_rate", "down")
    assert explain(falling) == "2025-06: 50.0% is part of 6 or more months of steady fall (n=40)"
    assert explain(falling, "zh") == "2025-06：50.0%，连续 6 个月及以上持续下降（n=40）"
    assert explain(SpcPoint("2025-03", None, 0, 0.8, None, None, (), "csat_rate")) == "2025-03: no data"


def test_chart_reason_and_signal_words():
    rows = series("csat_rate", [r / n for r, n in zip(NHS_R, NHS_N)], NHS_N)
    c = control_chart(rows, "csat_rate", "rate")
    assert chart_reason(c).startswith("Laney p′ chart. σz = 10.6: month-to-month variation is larger than "
                                      "sampling alone explains")
    assert "Limits from every month shown (" in chart_reason(c)
    assert "σz = 10.6" in chart_reason(c, "zh")
    runs = control_chart(series("csat_mean", [1, 1, 1, 1] + [5, 6] * 4 + [5, 1]), "csat_mean", "score")
    words = [describe_signal(runs, s) for s in runs.signals if s.rule == "run_of_8"]
    assert words == ["8 in a row on one side · May 2025 to Jan 2026: 9 months in a row above the centre line 3.9"]


def test_spc_json_shape():
    c = control_chart(series("csat_rate", [0.8, None, 0.8, 0.5, 0.8]), "csat_rate", "rate", chart="p")
    out = spc_json(c)
    assert [set(o) for o in out] == [{"month", "value", "n", "center", "lcl", "ucl", "signals", "in_progress",
                                      "chart", "sigma_z", "baseline", "in_baseline"}] * 5
    assert out[1] == {"month": "2025-02", "value": None, "n": 0, "center": pytest.approx(0.725), "lcl": None,
                      "ucl": None, "signals": [], "in_progress": False, "chart": "p", "sigma_z": None,
                      "baseline": {"from": "2025-01", "to": "2025-05"}, "in_baseline": False}
    assert json.loads(json.dumps(out))[3]["signals"] == ["beyond_limits"]
    prime = spc_json(control_chart(series("csat_rate", [0.8, None, 0.8, 0.5, 0.8]), "csat_rate", "rate"))
    assert prime[0]["chart"] == "p_prime" and prime[0]["sigma_z"] > 0
