"""The scorecard's components of issues 19 and 20: AHT, calls answered, QA coverage and the callback rates.

Composite scores are computed by hand below from the fixture of tests/store/test_scorecard.py (agents A, B, C in
March 2025) with calls, callbacks and a QA sample added; a component without data is left out, never 0.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from csq.evaluation import sampling
from csq.evaluation import scorecard as sc
from csq.store import open_store
from csq.store.migrations import migration_files
from csq.store.settings import set_setting
from tests.store.test_scorecard import MARCH, _qa, center  # noqa: F401 (the fixture)
from tests.support import cli_json

OLD_SIX = {"qa_score": 25.0, "csat_rate": 25.0, "frt_sla_rate": 15.0, "resolution_rate": 15.0, "complaint_rate": 10.0,
           "training_pass_rate": 10.0}


def _call(cid, agent, handle_s, at=datetime(2025, 3, 4, 10)):
    return {"call_id": cid, "queued_at": at, "answered_at": at + timedelta(seconds=10),
            "ended_at": at + timedelta(seconds=10 + handle_s), "direction": "inbound", "agent": agent,
            "talk_s": handle_s - 100, "hold_s": 0.0, "acw_s": 100.0}


@pytest.fixture
def full(center, put):  # noqa: F811
    """A: 4 calls (300, 300, 450, 450 s: AHT 375), 2 reached callbacks (1 satisfied), 2 sampled tickets, 1 evaluated.
    B: 2 calls of 240 s, no callback, 2 sampled tickets, none evaluated. C: no call, no callback, 2 sampled."""
    put("calls", [_call("c1", "A", 300), _call("c2", "A", 300), _call("c3", "A", 450), _call("c4", "A", 450),
                  _call("c5", "B", 240), _call("c6", "B", 240)])
    put("callbacks", [{"callback_id": f"cb{i}", "customer_id": f"K{i}", "agent": "A", "planned_for": date(2025, 3, 3),
                       "called_at": datetime(2025, 3, 3, 10), "result": "reached", "satisfied": ok, "attitude_ok": True}
                      for i, ok in enumerate([True, False])])
    drawn = sampling.draw(center, "2025-W10", per_agent=2, role="admin")
    first_a = next(t for t in drawn.tickets if t.agent == "A")
    # A's evaluation of its sampled ticket scores 80, as its other one: qa_score stays 80.
    put("qa", [_qa("e4", "A", 80) | {"ticket_id": first_a.ticket_id}])
    return center


def test_new_components_by_hand(full):
    rows = {r["agent"]: r for r in sc.scorecard(full, MARCH, "agent")}
    a, b, c = rows["A"], rows["B"], rows["C"]
    # AHT against the aht_s target (300 s): A 100 × 300 / 375 = 80, B under the target = 100.
    assert (a["aht_s"], a["points_aht_s"], b["points_aht_s"]) == (pytest.approx(375), pytest.approx(80), 100)
    # Calls answered against the median of the rows that answered calls, median(4, 2) = 3: A 100, B 66.67.
    assert (a["calls_answered"], b["calls_answered"], a["n_calls_answered"]) == (4, 2, 4)
    assert (a["points_calls_answered"], b["points_calls_answered"]) == (100, pytest.approx(200 / 3))
    assert a["points_callback_satisfaction_rate"] == pytest.approx(50)
    # No data is not 0: C has no call and no callback, and no follow-up of A is due yet (as of 5 March).
    assert c["aht_s"] is None and c["points_calls_answered"] is None and c["n_calls_answered"] == 0
    assert b["callback_satisfaction_rate"] is None and a["n_callback_followup_on_time_rate"] == 0
    assert (a["qa_coverage_rate"], b["qa_coverage_rate"], b["n_qa_coverage_rate"]) == (0.5, 0.0, 2)
    # Default weights: qa 25, csat 25, frt 15, res 15, complaints 10, training 10, AHT 10, calls 5, coverage 0,
    # callback satisfaction 10, follow-up 5.
    # A: (2000 + 1250 + 1500 + 1500 + 750 + 1000 + 800 + 500 + 500) / 125 = 78.4 (follow-up left out);
    # B: (2500 + 2500 + 750 + 750 + 1000 + 1000 + 5 × 66.67) / 105 = 84.13 (training and callbacks left out).
    assert a["score"] == pytest.approx(9800 / 125)
    assert b["score"] == pytest.approx((8500 + 500 * 2 / 3) / 105)
    assert (b["rank"], a["rank"]) == (1, 2)
    # Coverage weighed 20: A gains 20 × 50 (n = 2), B 20 × 0 (2 sampled, none evaluated: data, not "no data").
    sc.set_weights(full, {**sc.weights(full), "qa_coverage_rate": 20.0}, role="admin")
    rows = {r["agent"]: r for r in sc.scorecard(full, MARCH, "agent")}
    assert rows["A"]["score"] == pytest.approx(10800 / 145)
    assert rows["B"]["score"] == pytest.approx((8500 + 500 * 2 / 3) / 125)
    assert (rows["A"]["rank"], rows["B"]["rank"]) == (1, 2)


def test_the_monthly_trend_scales_calls_against_that_months_rows(full):
    march = next(r for r in sc.trend(full, MARCH, "agent", "A") if r["month"] == "2025-03")
    assert march["score"] == pytest.approx(9800 / 125) and march["calls_answered"] == 4


def test_without_an_aht_target_the_rows_median_is_the_reference(full):
    from csq.store import settings

    settings.set_targets(full, [t for t in settings.targets(full).values() if t.indicator != "aht_s"], role="admin")
    rows = {r["agent"]: r for r in sc.scorecard(full, MARCH, "agent")}
    # median(375, 240) = 307.5: A 100 × 307.5 / 375 = 82, B under it = 100.
    assert rows["A"]["points_aht_s"] == pytest.approx(82) and rows["B"]["points_aht_s"] == 100


def test_weights_saved_before_a_component_existed_give_it_zero(full):
    set_setting(full, sc.WEIGHTS_KEY, OLD_SIX, role="admin")  # what a store saved before this change
    w = sc.weights(full)
    assert {k: w[k] for k in OLD_SIX} == OLD_SIX and all(w[k] == 0 for k in sc.COMPONENTS if k not in OLD_SIX)
    a = next(r for r in sc.scorecard(full, MARCH, "agent") if r["agent"] == "A")
    assert a["score"] == pytest.approx(80.0)  # the six components only, as test_scorecard computes A


def _store_at_version_7(path: Path, with_calls: bool) -> Path:
    """Return a store file as csq left it before migration 0008, holding one call or none."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)")
    for version, name, sql in migration_files():
        if version <= 7:
            con.execute(sql)
            con.execute("INSERT INTO schema_version VALUES (?, ?, now())", [version, name])
    if with_calls:
        con.execute("INSERT INTO calls (call_id, queued_at, direction, _batch_id) VALUES ('x', now(), 'inbound', 1)")
    con.close()
    return path


def test_an_upgraded_store_with_calls_keeps_its_grades_and_a_new_one_gets_the_defaults(tmp_path):
    s = open_store(_store_at_version_7(tmp_path / "calls.duckdb", with_calls=True))
    w = sc.weights(s)
    assert {k: w[k] for k in OLD_SIX} == OLD_SIX and sum(w.values()) == 100
    assert json.loads(str(s.scalar("SELECT value FROM settings WHERE key = 'scorecard_weights'"))) == OLD_SIX
    s.close()
    s = open_store(_store_at_version_7(tmp_path / "none.duckdb", with_calls=False))
    assert sc.weights(s) == sc.DEFAULT_WEIGHTS and sc.DEFAULT_WEIGHTS["aht_s"] == 10
    s.close()


def test_cli_scorecard_json_has_the_new_components(full, tmp_path):
    full.close()
    out = {r["agent"]: r for r in cli_json("scorecard", "--by", "agent", "--from", "2025-03", "--to", "2025-03",
                                            db=tmp_path / "t.duckdb")}
    assert all(k in out["A"] for k in (*sc.COMPONENTS, "score", "grade", "rank"))
    assert (out["A"]["aht_s"], out["A"]["calls_answered"], out["A"]["score"]) == (375.0, 4, 78.4)
    assert out["C"]["aht_s"] is None and out["C"]["calls_answered"] is None


def test_component_names_and_filters():
    assert sc.component_name("calls_answered", "zh") == "接听量" and sc.component_name("aht_s", "en") == \
        "Average handle time"
    assert len(sc.COMPONENTS) == len(set(sc.COMPONENTS)) == len(sc.DEFAULT_WEIGHTS)
    assert sc.normalise("aht_s", 600, sc.Reference(aht_s=300)) == pytest.approx(50)
    assert sc.normalise("aht_s", 600) is None  # no reference: no points, not 0
    assert sc.normalise("calls_answered", 6, sc.Reference(calls_answered=3)) == 100
