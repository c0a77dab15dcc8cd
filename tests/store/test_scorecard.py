"""Agent and team scorecards: composite, grades, ranks, the minimum n, weights from Settings, and the CLI."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from csq.errors import InputRefused
from csq.evaluation import scorecard as sc
from csq.metrics.filters import Filter
from tests.support import cli_json

D = datetime(2025, 3, 3, 9)
MARCH = Filter("2025-03", "2025-03")


def _tickets(agent, team, n, late=0, unresolved=0, complaints=0):
    """Return n tickets of an agent: the first `late` answered after 30 h (limit 24 h), others after 1 h."""
    out = []
    for i in range(n):
        created = D + timedelta(hours=i)
        out.append({"ticket_id": f"{agent}-{i}", "created_at": created, "channel": "email",
                    "type": "complaint" if i < complaints else "inquiry", "agent": agent, "team": team,
                    "first_response_at": created + timedelta(hours=30 if i < late else 1),
                    "resolved_at": None if i >= n - unresolved else created + timedelta(hours=40)})
    return out


def _qa(eid, agent, score):
    return {"evaluation_id": eid, "agent": agent, "evaluator": "q", "evaluated_at": D, "criterion": "c",
            "score": score, "max_score": 100}


@pytest.fixture
def center(store, put):
    """A: frt 100, res 100, complaints 1/4, csat 1/2, QA 80, training 1/1 → composite 80.0.
    B: frt 2/4, res 2/4, no complaints, csat 2/2, QA 100, no training → 7500 / 90 = 83.33.
    C: two tickets only (below the minimum n of 3)."""
    # Complaint limits are 48 h / 72 h: A's complaint is answered after 1 h and resolved after 40 h, so on time.
    put("tickets", _tickets("A", "一组", 4, complaints=1) + _tickets("B", "二组", 4, late=2, unresolved=2)
        + _tickets("C", "一组", 2))
    put("surveys", [{"survey_id": f"s{i}", "agent": a, "sent_at": D, "responded_at": D + timedelta(days=1), "csat": c}
                    for i, (a, c) in enumerate([("A", 5), ("A", 3), ("B", 5), ("B", 4), ("C", 5)])])
    put("qa", [_qa("e1", "A", 80), _qa("e2", "B", 100), _qa("e3", "C", 100)])
    put("training", [{"agent": "A", "course": "k", "assessed_at": D, "score": 90, "pass_mark": 80}])
    sc.set_min_n(store, 3)
    return store


def test_composite_grades_and_ranks_by_hand(center):
    rows = {r["agent"]: r for r in sc.scorecard(center, MARCH, "agent")}
    a, b, c = rows["A"], rows["B"], rows["C"]
    assert a["points_complaint_rate"] == pytest.approx(75) and a["points_csat_rate"] == pytest.approx(50)
    assert a["score"] == pytest.approx((25 * 80 + 25 * 50 + 15 * 100 + 15 * 100 + 10 * 75 + 10 * 100) / 100)
    assert b["training_pass_rate"] is None and b["points_frt_sla_rate"] == pytest.approx(50)
    assert b["score"] == pytest.approx((25 * 100 + 25 * 100 + 15 * 50 + 15 * 50 + 10 * 100) / 90)  # training left out
    assert (b["rank"], a["rank"]) == (1, 2)
    # Grades by percentile of the ranked rows (A 80.0, B 83.3): A 25 (pass from 20), B 75 (good from 50).
    assert (a["grade"], b["grade"]) == ("pass", "good")
    assert c["n"] == 2 and not c["ranked"] and c["rank"] is None and c["score"] is not None  # shown, not ranked
    assert [r["agent"] for r in sc.scorecard(center, MARCH, "agent")] == ["B", "A", "C"]
    assert a["team"] == "一组"


def test_changing_a_weight_in_settings_changes_the_ranks_as_documented(center):
    w = sc.weights(center)
    w["frt_sla_rate"] = 60.0
    sc.set_weights(center, w, user="tester")
    rows = {r["agent"]: r for r in sc.scorecard(center, MARCH, "agent")}
    # A: (2000 + 1250 + 6000 + 1500 + 750 + 1000) / 145 = 86.21; B: (2500 + 2500 + 3000 + 750 + 1000) / 135 = 72.22.
    assert rows["A"]["score"] == pytest.approx(12500 / 145)
    assert rows["B"]["score"] == pytest.approx(9750 / 135)
    assert (rows["A"]["rank"], rows["B"]["rank"]) == (1, 2)
    assert rows["B"]["grade"] == "pass"
    audit = center.rows("SELECT user_name, target, details FROM audit_log WHERE target = 'scorecard_weights'")
    assert audit[-1][0] == "tester" and json.loads(audit[-1][2])["after"]["frt_sla_rate"] == 60


def test_minimum_n_and_grade_bands_come_from_settings(center):
    sc.set_min_n(center, 5)
    assert not any(r["ranked"] for r in sc.scorecard(center, MARCH, "agent"))
    sc.set_min_n(center, 2)
    # C scores 100 on every component it has: first once it may be ranked.
    assert {r["agent"]: r["rank"] for r in sc.scorecard(center, MARCH, "agent")} == {"C": 1, "B": 2, "A": 3}
    # The bands are lower percentiles; ranked C 100, B 83.3, A 80.0 sit at 83.3, 50 and 16.7.
    sc.set_grade_bands(center, {"excellent": 80, "good": 40, "pass": 10})
    grades = {r["agent"]: r["grade"] for r in sc.scorecard(center, MARCH, "agent")}
    assert grades == {"C": "excellent", "B": "good", "A": "pass"}


def test_team_scorecard_and_previous_period(center, put):
    teams = {r["team"]: r for r in sc.scorecard(center, MARCH, "team")}
    assert teams["一组"]["n"] == 6 and teams["二组"]["n"] == 4
    feb = Filter("2025-02", "2025-02")
    assert MARCH.previous() == feb
    assert Filter("2025-01", "2025-06").previous() == Filter("2024-07", "2024-12")
    assert Filter().previous() is None
    # The page and the CLI leave out a previous period that reaches before the first month with data.
    assert MARCH.previous(first_data_month="2025-03") is None and MARCH.previous("2025-02") == feb
    put("qa", [_qa("old", "A", 60) | {"evaluated_at": datetime(2025, 2, 3)}])
    a = next(r for r in sc.scorecard(center, MARCH, "agent", feb) if r["agent"] == "A")
    assert a["previous_score"] == pytest.approx(60) and a["change"] == pytest.approx(80 - 60)


def test_validation_refuses_bad_weights_bands_and_n(store):
    for bad in ({"qa_score": -1}, {"nope": 1}, {k: 0 for k in sc.COMPONENTS}, {"qa_score": "x"}):
        with pytest.raises(InputRefused):
            sc.set_weights(store, bad)
    with pytest.raises(InputRefused):
        sc.set_grade_bands(store, {"excellent": 80, "good": 90, "pass": 60})
    with pytest.raises(InputRefused):
        sc.set_min_n(store, -1)
    assert sc.weights(store) == sc.DEFAULT_WEIGHTS and sc.grade_bands(store) == sc.DEFAULT_BANDS
    assert sc.min_n(store) == sc.DEFAULT_MIN_N
    version = store.data_version()
    sc.set_weights(store, {"qa_score": 1})  # missing components weigh 0
    assert sc.weights(store)["csat_rate"] == 0 and store.data_version() == version + 1


def test_normalise_and_composite_rules():
    assert sc.normalise("complaint_rate", 0.1) == pytest.approx(90)
    assert sc.normalise("csat_rate", 0.9) == pytest.approx(90)
    assert sc.normalise("qa_score", 93.5) == 93.5 and sc.normalise("qa_score", None) is None
    assert sc.composite({"qa_score": 80, "csat_rate": None}, {"qa_score": 1, "csat_rate": 3}) == 80
    assert sc.composite({"qa_score": None}, sc.DEFAULT_WEIGHTS) is None
    cut = {"excellent": 90, "good": 80, "pass": 60}  # cut-off scores, as sc.cutoffs() returns them
    assert sc.grade(90, cut) == "excellent" and sc.grade(59.9, cut) == "improve"


def test_cli_scorecard_ranks_no_agent_below_the_minimum(center, tmp_path):
    center.close()  # the CLI opens the same file
    out = cli_json("scorecard", "--by", "agent", "--from", "2025-03", "--to", "2025-03", db=tmp_path / "t.duckdb")
    ranks = {r["agent"]: (r["rank"], r["grade"], round(r["score"], 2)) for r in out}
    # C is not ranked; its 100 reaches the good cut-off (B's 83.33) and no one reaches the 80th percentile.
    assert ranks == {"B": (1, "good", 83.33), "A": (2, "pass", 80.0), "C": (None, "good", ranks["C"][2])}
    assert all(k in out[0] for k in (*sc.COMPONENTS, "score", "grade", "rank", "n"))
    teams = cli_json("scorecard", "--by", "team", db=tmp_path / "t.duckdb")
    assert {t["team"] for t in teams} == {"一组", "二组"}
