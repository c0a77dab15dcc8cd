"""Satisfaction analysis: breakdown limits, distribution, year on year, drivers, comments and masking, by hand."""
from __future__ import annotations

import math
import statistics
from datetime import datetime, timedelta

import pytest

from csq.core.months import Month
from csq.errors import InputRefused
from csq.metrics.engine import compute
from csq.metrics.filters import Filter
from csq.metrics.results import Figure, Result
from csq.metrics.spc import control_chart, group_chart
from csq.satisfaction import analysis as sat
from csq.store.settings import Target

T = datetime
MARCH = Filter("2025-03", "2025-03")
C = T(2025, 3, 3, 9)   # every small-fixture ticket is created then


def _ticket(tid: str, channel: str, team: str, frt_min: float | None, res_h: float | None, reopen: int = 0,
            escalated: bool = False, name: str | None = None, phone: str | None = None) -> dict:
    return {"ticket_id": tid, "created_at": C, "channel": channel, "type": "inquiry", "team": team,
            "first_response_at": None if frt_min is None else C + timedelta(minutes=frt_min),
            "resolved_at": None if res_h is None else C + timedelta(hours=res_h), "reopen_count": reopen,
            "escalated": escalated, "customer_name": name, "customer_phone": phone}


def _survey(sid: str, tid: str | None, csat: int | None, nps: int | None = None, comment: str | None = None,
            channel: str | None = None) -> dict:
    answered = csat is not None or nps is not None
    return {"survey_id": sid, "ticket_id": tid, "sent_at": T(2025, 3, 9, 10),
            "responded_at": T(2025, 3, 10, 10) if answered else None, "csat": csat, "nps": nps,
            "comment": comment, "channel": channel}


@pytest.fixture
def small(store, put):
    """Ten answers in March 2025 (csat 5 5 4 4 3 1 2 2 4 5) and two unanswered invitations."""
    put("tickets", [
        _ticket("t1", "phone", "一组", 1, 2, name="张三丰", phone="13900001111"),
        _ticket("t2", "phone", "一组", 1, 2),
        _ticket("t3", "phone", "一组", 30, 2),
        _ticket("t4", "phone", "一组", 30, 10),
        _ticket("t5", "chat", "二组", 1, 10),
        _ticket("t6", "chat", "二组", 1, 100, reopen=1),
        _ticket("t7", "chat", "二组", 120, 100, reopen=1, escalated=True),
        _ticket("t8", "chat", "二组", 120, None, escalated=True),
        _ticket("t9", "email", "二组", None, 30),
    ])
    put("surveys", [
        _survey("s1", "t1", 5, 10, "客服态度很好，张三丰说回电13812345678"),
        _survey("s2", "t2", 5, 9),
        _survey("s3", "t3", 4, 8, "OK"),
        _survey("s4", "t4", 4, 7),
        _survey("s5", "t5", 3, 6, "   "),
        _survey("s6", "t6", 1, 0, "Too SLOW, write to li.lei@example.com"),
        _survey("s7", "t7", 2, 3, "态度敷衍"),
        _survey("s8", "t8", 2),
        _survey("s9", "t9", 4),
        _survey("s10", "tX", 5, channel="phone"),    # its ticket is not in the store
        _survey("s11", "t1", None), _survey("s12", "t2", None),
    ])
    return store


# ---------------------------------------------------------------- distribution

def test_distribution_counts_every_score_and_nps_group(small):
    d = sat.distribution(small, MARCH)
    assert d.csat == {1: 1, 2: 2, 3: 1, 4: 3, 5: 3}
    # nps answers 10, 9, 8, 7, 6, 0, 3: promoters 2, passives 2, detractors 3.
    assert d.nps_groups == {"detractor": 3, "passive": 2, "promoter": 2}
    assert d.share("csat", 5) == pytest.approx(0.3)
    assert d.share("nps", "detractor") == pytest.approx(3 / 7)
    row = compute(small, MARCH, (), sat.KEYS)[0]
    assert row.value("nps") == pytest.approx(100 * (2 - 3) / 7)   # the distribution and the indicator agree
    empty = sat.distribution(small, Filter("2024-01", "2024-01"))
    assert empty.csat == dict.fromkeys(range(1, 6), 0) and empty.share("csat", 5) is None


# ---------------------------------------------------------------- drivers

def test_drivers_by_hand_and_the_sentence(small):
    found = {d.name: d for d in sat.drivers(small, MARCH)}
    # Only s1..s9 link to a ticket in the store (s10's ticket tX is missing).
    assert sat.linked_answers(small, MARCH) == (10, 9)
    res = {b["bucket"]: (b["n"], b["satisfied"]) for b in found["resolution"].buckets}
    # ≤4 h: t1 t2 t3 (5 5 4); 4–24 h: t4 t5 (4 3); 24–72 h: t9 (4); >72 h: t6 t7 (1 2); unresolved: t8 (2).
    assert res == {"le_4h": (3, 3), "le_24h": (2, 1), "le_72h": (1, 1), "gt_72h": (2, 0), "none": (1, 0)}
    assert [b["bucket"] for b in found["resolution"].buckets] == ["le_4h", "le_24h", "le_72h", "gt_72h", "none"]
    frt = {b["bucket"]: (b["n"], b["satisfied"]) for b in found["first_response"].buckets}
    # ≤5 min: t1 t2 t5 t6 (5 5 3 1); 5 min–1 h: t3 t4 (4 4); 1–24 h: t7 t8 (2 2); no response: t9 (4).
    assert frt == {"le_5m": (4, 2), "le_1h": (2, 2), "le_24h": (2, 0), "none": (1, 1)}
    assert {b["bucket"]: (b["n"], b["satisfied"]) for b in found["reopened"].buckets} == {"no": (7, 5), "yes": (2, 0)}
    assert {b["bucket"]: (b["n"], b["satisfied"]) for b in found["escalated"].buckets} == {"no": (7, 5), "yes": (2, 0)}
    # Cramér's V of reopened (2×2): satisfied 5/7 vs 0/2. Without continuity correction
    # χ² = N(ad − bc)² / ((a+b)(c+d)(a+c)(b+d)) = 9 × (5·2 − 2·0)² / (7 × 2 × 5 × 4) = 900 / 280; V = √(χ²/N).
    assert found["reopened"].cramers_v == pytest.approx(math.sqrt(900 / 280 / 9))
    assert found["reopened"].buckets[0]["csat_mean"] == pytest.approx((5 + 5 + 4 + 4 + 3 + 2 + 4) / 7)
    # Nine answers are too few for any bucket to reach 30, so nothing is named.
    assert sat.driver_sentence(list(found.values()), "en") == (
        "No driver is significantly linked to satisfaction (or there are too few answers).")


def test_driver_sentence_names_the_strongest_significant_driver(store, put):
    tickets, surveys = [], []
    for i in range(200):
        slow, reopened = i % 2 == 0, i % 10 == 0
        tickets.append(_ticket(f"t{i}", "phone", "一组", 1, 100 if slow else 2, reopen=int(reopened)))
        # Slow tickets: 40 % satisfied (i % 5 in 0, 2 ... by index), fast ones 90 %.
        happy = (i // 2) % 10 < (4 if slow else 9)
        surveys.append(_survey(f"s{i}", f"t{i}", 5 if happy else 1))
    put("tickets", tickets)
    put("surveys", surveys)
    found = sat.drivers(store, MARCH)
    assert found[0].name == "resolution"
    res = {b["bucket"]: b for b in found[0].buckets}
    assert (res["le_4h"]["n"], res["le_4h"]["satisfied"]) == (100, 90)
    assert (res["gt_72h"]["n"], res["gt_72h"]["satisfied"]) == (100, 40)
    v = found[0].cramers_v
    # 2×2 table [[90, 10], [40, 60]]: χ² (no correction) = 200 × (90·60 − 10·40)² / (100 × 100 × 130 × 70).
    assert v == pytest.approx(math.sqrt(200 * (90 * 60 - 10 * 40) ** 2 / (100 * 100 * 130 * 70) / 200))
    assert sat.driver_sentence(found, "en") == (
        f"Resolution time matters most: CSAT is 90.0% for tickets resolved within 4 h (n = 100) but 40.0% for "
        f"tickets resolved after 72 h (n = 100); strength of association Cramér's V = {v:.2f}.")
    assert sat.driver_sentence(found, "zh").startswith("影响最大的因素是「解决时长」：4 小时内解决的满意度为 90.0%")


# ---------------------------------------------------------------- comments and masking

def test_comment_search_in_chinese_and_english_any_case(small):
    assert sat.comments(small, MARCH, "态度").column("survey_id").to_pylist() == ["s1", "s7"]  # same time: by id
    assert sat.comments(small, MARCH, "slow").column("survey_id").to_pylist() == ["s6"]
    assert sat.comments(small, MARCH, "SLOW").column("survey_id").to_pylist() == ["s6"]
    assert sat.comments(small, MARCH, "50%_").num_rows == 0          # wildcards are plain characters
    everything = sat.comments(small, MARCH)
    assert sorted(everything.column("survey_id").to_pylist()) == ["s1", "s3", "s6", "s7"]   # blank s5 left out
    assert sat.comments(small, MARCH, limit=2).num_rows == 2
    chat = Filter("2025-03", "2025-03", (("channel", ("chat",)),))   # channel from the linked ticket
    assert sat.comments(small, chat).column("survey_id").to_pylist() == ["s6", "s7"]
    with pytest.raises(InputRefused):
        sat.comments(small, MARCH, limit=-1)


def test_comments_are_masked_unless_the_role_may_unmask(small):
    masked = {r["survey_id"]: r for r in sat.comments(small, MARCH).to_pylist()}
    s1 = masked["s1"]
    assert s1["comment"] == "客服态度很好，张**说回电138****5678"
    assert (s1["customer_name"], s1["customer_phone"]) == ("张**", "139****1111")
    assert masked["s6"]["comment"] == "Too SLOW, write to l***@example.com"
    assert (s1["csat"], s1["nps"], s1["channel"], s1["team"]) == (5, 10, "phone", "一组")
    assert s1["answered_at"] == T(2025, 3, 10, 10)
    raw = {r["survey_id"]: r for r in sat.comments(small, MARCH, unmask=True).to_pylist()}
    assert raw["s1"]["comment"] == "客服态度很好，张三丰说回电13812345678"
    assert raw["s1"]["customer_phone"] == "13900001111"


def test_mask_text_rules():
    assert sat.mask_text("call 138-1234-5678 now") == "call 138****5678 now"
    assert sat.mask_text("order 2025 arrived") == "order 2025 arrived"        # short numbers are not phones
    assert sat.mask_text("a.b+c@x.co.uk") == "a***@x.co.uk"
    assert sat.mask_text("王五来电", ["王五"]) == "王*来电"
    assert sat.mask_text(None) is None


# ---------------------------------------------------------------- breakdown with limits that follow n

@pytest.fixture
def teams(store, put):
    """Team A: 90 answers of 5 and 10 of 2; B: 60 of 4 and 40 of 1; C: 8 of 5 and 2 of 3."""
    scores = {"A": [5] * 90 + [2] * 10, "B": [4] * 60 + [1] * 40, "C": [5] * 8 + [3] * 2}
    put("surveys", [{"survey_id": f"{team}{i}", "team": team, "sent_at": T(2025, 3, 1), "responded_at": T(2025, 3, 2),
                     "csat": s} for team, ss in scores.items() for i, s in enumerate(ss)])
    return store, scores


def test_breakdown_of_a_rate_uses_p_chart_limits_per_group(teams):
    store, _ = teams
    points = {p.group: p for p in sat.breakdown(store, MARCH, "team", "csat_rate")}
    p = 158 / 210   # (90 + 60 + 8) satisfied of 210
    for team, n, value, signal in (("A", 100, 0.9, "above"), ("B", 100, 0.6, "below"), ("C", 10, 0.8, None)):
        pt = points[team]
        half = 3 * math.sqrt(p * (1 - p) / n)
        assert (pt.n, pt.signal) == (n, signal)
        assert pt.value == pytest.approx(value) and pt.center == pytest.approx(p)
        assert pt.lcl == pytest.approx(max(0, p - half)) and pt.ucl == pytest.approx(min(1, p + half))
    assert points["C"].ucl == 1.0   # n = 10: 0.752 + 0.409 is clipped
    assert [x.group for x in sat.breakdown(store, MARCH, "team", "csat_rate")] == ["A", "C", "B"]


def test_breakdown_of_a_mean_uses_the_pooled_within_group_sd(teams):
    store, scores = teams
    points = {p.group: p for p in sat.breakdown(store, MARCH, "team", "csat_mean")}
    pooled = math.sqrt(sum((len(s) - 1) * statistics.variance(s) for s in scores.values())
                       / sum(len(s) - 1 for s in scores.values()))
    grand = sum(sum(s) for s in scores.values()) / 210
    for team, s in scores.items():
        pt = points[team]
        assert pt.value == pytest.approx(statistics.mean(s)) and pt.center == pytest.approx(grand)
        assert pt.lcl == pytest.approx(grand - 3 * pooled / math.sqrt(len(s)))
        assert pt.ucl == pytest.approx(grand + 3 * pooled / math.sqrt(len(s)))
    # A: mean 4.7 against 3.64 ± 3 × 1.29 / 10 -> above; B: 2.8 below; C: 4.6 inside its wide limits.
    assert (points["A"].signal, points["B"].signal, points["C"].signal) == ("above", "below", None)


def test_breakdown_refuses_other_fields_and_indicators(teams):
    store, _ = teams
    with pytest.raises(InputRefused):
        sat.breakdown(store, MARCH, "priority", "csat_rate")
    with pytest.raises(InputRefused):
        sat.breakdown(store, MARCH, "team", "frt_sla_rate")


def test_group_chart_needs_two_groups_and_a_sigma_for_means():
    rows = [Result({"team": "A"}, {"csat_mean": Figure("csat_mean", 4.0, 10)})]
    assert group_chart(rows, "team", "csat_mean", "score", 1.0)[0].center is None
    rows.append(Result({"team": "B"}, {"csat_mean": Figure("csat_mean", 3.0, 30)}))
    no_sigma = group_chart(rows, "team", "csat_mean", "score", None)
    assert no_sigma[0].center == pytest.approx(3.25) and no_sigma[0].lcl is None and no_sigma[0].signal is None


# ---------------------------------------------------------------- year on year

def test_year_over_year_by_hand(store, put):
    rows = []
    for year, happy in ((2024, 70), (2025, 85)):
        rows += [{"survey_id": f"{year}-{i}", "sent_at": T(year, 3, 1), "responded_at": T(year, 3, 2),
                  "csat": 5 if i < happy else 2} for i in range(100)]
    put("surveys", rows)
    y = sat.year_over_year(store, Filter("2025-01", "2025-03"))
    tot = {r["key"]: r for r in y["totals"]}
    assert (tot["csat_rate"]["current"], tot["csat_rate"]["previous"]) == (pytest.approx(0.85), pytest.approx(0.7))
    assert tot["csat_rate"]["change"] == pytest.approx(0.15)
    assert (tot["csat_rate"]["n_current"], tot["csat_rate"]["n_previous"]) == (100, 100)
    # 2×2 χ² with Yates' correction: 200 × (|85·30 − 15·70| − 100)² / (100 × 100 × 155 × 45) = 5.62007;
    # with one degree of freedom p = erfc(√(χ²/2)).
    chi2 = 200 * (abs(85 * 30 - 15 * 70) - 100) ** 2 / (100 * 100 * 155 * 45)
    assert tot["csat_rate"]["p_value"] == pytest.approx(math.erfc(math.sqrt(chi2 / 2)))
    assert tot["csat_mean"]["p_value"] < 0.05                   # 4.55 vs 4.1 on 100 answers each
    assert tot["nps"]["current"] is None and tot["nps"]["p_value"] is None
    assert [m["month"] for m in y["months"]] == ["2025-03"]
    m = y["months"][0]
    assert (m["csat_rate"], m["prev_csat_rate"]) == (pytest.approx(0.85), pytest.approx(0.7))
    assert (m["n_csat_rate"], m["prev_n_csat_rate"]) == (100, 100)
    # No data a year before 2024: previous is "no data", not 0.
    early = {r["key"]: r for r in sat.year_over_year(store, Filter("2024-03", "2024-03"))["totals"]}
    assert early["csat_rate"]["previous"] is None and early["csat_rate"]["change"] is None


def test_shift_month():
    assert str(Month.parse("2025-01") + -12) == "2024-01"
    assert str(Month.parse("2025-01") + -1) == "2024-12"
    assert str(Month.parse("2024-12") + 1) == "2025-01"
    assert sat.year_earlier(Filter("2025-01", "2025-03")) == Filter("2024-01", "2024-03")


# ---------------------------------------------------------------- warnings and the monthly p-chart on surveys

def test_response_warning(small):
    row = compute(small, MARCH, (), sat.KEYS)[0]
    # 12 invitations, 10 answered: 83.3 % meets an 80 % target, but 10 answers are fewer than 30.
    assert row.value("survey_response_rate") == pytest.approx(10 / 12)
    assert sat.response_warning(row, Target("survey_response_rate", "higher", 0.80, 0.05)) == "few"
    assert sat.response_warning(row, Target("survey_response_rate", "higher", 0.90, 0.05)) == "low"
    plenty = Result({}, {"survey_response_rate": Figure("survey_response_rate", 0.85, 600),
                         "csat_rate": Figure("csat_rate", 0.9, 500)})
    assert sat.response_warning(plenty, Target("survey_response_rate", "higher", 0.80, 0.05)) is None
    nothing = Result({}, {"survey_response_rate": Figure("survey_response_rate", None, 0),
                          "csat_rate": Figure("csat_rate", None, 0)})
    assert sat.response_warning(nothing, None) is None


def test_survey_p_chart_months_of_different_n_and_a_month_without_answers(store, put):
    rows = []
    # csat_rate: Jan 45/50, Feb 160/200, Mar invitations only, Apr 15/30, May 80/100.
    for month, n, happy in ((1, 50, 45), (2, 200, 160), (4, 30, 15), (5, 100, 80)):
        rows += [{"survey_id": f"{month}-{i}", "sent_at": T(2025, month, 1), "responded_at": T(2025, month, 2),
                  "csat": 4 if i < happy else 3} for i in range(n)]
    rows += [{"survey_id": f"3-{i}", "sent_at": T(2025, 3, 1)} for i in range(5)]
    put("surveys", rows)
    # The classic p-chart (SPEC §4b keeps it as an option): limits from sampling alone.
    points = control_chart(compute(store, Filter(), ("month",), sat.KEYS), "csat_rate", "rate", chart="p").points
    p = 300 / 380
    assert [pt.month for pt in points] == ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05"]
    march = points[2]
    assert (march.value, march.n, march.lcl, march.ucl, march.signals) == (None, 0, None, None, ())
    for pt, n in zip([points[i] for i in (0, 1, 3, 4)], (50, 200, 30, 100)):
        half = 3 * math.sqrt(p * (1 - p) / n)
        assert pt.n == n and pt.center == pytest.approx(p)
        assert pt.lcl == pytest.approx(p - half) and pt.ucl == pytest.approx(min(1.0, p + half))
    # April: 0.5 < 0.789 − 3·√(0.789 × 0.211 / 30) = 0.566 -> flagged; the others are inside.
    assert [pt.month for pt in points if pt.signals] == ["2025-04"]
    assert points[3].signals == ("beyond_limits",)
