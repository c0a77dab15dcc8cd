"""Effect check: a known change at a known date in one team and none in another, judged from imported actions."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from scipy import stats

from csq.improvement.effect import add_months, check, check_all, plain_verdict, samples, summarise
from csq.ingest.importer import import_bytes
from tests.support import cli_json

CHANGE = date(2025, 4, 1)   # team A resolves twice as fast from this day on; team B never changes
FIRST, LAST = date(2024, 12, 1), date(2025, 7, 31)


def _tickets() -> list[dict]:
    """Two resolved tickets a day per team: 24 h and 32 h (A after CHANGE: 12 h and 16 h)."""
    rows, day, i = [], FIRST, 0
    while day <= LAST:
        for team in ("A", "B"):
            fast = team == "A" and day >= CHANGE
            for hours in ((12, 16) if fast else (24, 32)):
                created = datetime.combine(day, datetime.min.time()) + timedelta(hours=9)
                i += 1
                rows.append({"ticket_id": f"T{i}", "created_at": created, "resolved_at": created + timedelta(hours=hours),
                             "team": team, "escalated": team == "A" and not fast and hours == 24})
        day += timedelta(days=1)
    # team C: only five tickets before and five after, far too few for a verdict
    for k in range(5):
        for base in (datetime(2025, 2, 3, 9), datetime(2025, 5, 5, 9)):
            i += 1
            rows.append({"ticket_id": f"T{i}", "created_at": base + timedelta(days=k),
                         "resolved_at": base + timedelta(days=k, hours=10), "team": "C"})
    return rows


ACTIONS_CSV = """措施编号,问题描述,原因类别,目标指标,适用范围,责任人,开始日期,计划完成日期,实际完成日期,阶段,状态
A-1,A组解决慢,流程,art_median_h,班组=A,王,2025-03-01,2025-04-30,2025-04-01,检查,已完成
B-1,B组解决慢,流程,art_median_h,team=B,李,2025-03-01,2025-04-30,2025-04-01,检查,已完成
C-1,C组解决慢,人员,art_median_h,team=C,赵,2025-03-01,2025-04-30,2025-04-01,检查,已完成
A-2,A组还要更快,流程,art_median_h,team=A,王,2025-06-01,2025-06-30,2025-06-15,检查,已完成
A-3,A组升级多,制度,escalation_rate,team=A,王,2025-03-01,2025-04-30,2025-04-01,检查,已完成
A-4,未完成,制度,art_median_h,team=A,王,2025-06-01,2025-08-30,,执行,进行中
"""


@pytest.fixture
def db(store, put):
    """The store with the tickets and the actions imported from a Chinese CSV."""
    put("tickets", _tickets())
    result = import_bytes(store, ACTIONS_CSV.encode("utf-8"), "actions.csv", "actions")
    assert result.status == "committed", result.as_dict()
    return store


def _by_id(store) -> dict:
    return {c.action_id: c for c in check_all(store)}


def test_known_change_in_one_team_is_effective_and_none_in_the_other_is_not(db):
    got = _by_id(db)
    a, b = got["A-1"], got["B-1"]
    # Before: [2024-12-01, 2025-03-01) = 90 days × 2 tickets; after: [2025-04-01, 2025-07-01) = 91 days × 2.
    assert (a.before.start, a.before.end, a.after.start, a.after.end) == (
        date(2024, 12, 1), date(2025, 3, 1), date(2025, 4, 1), date(2025, 7, 1))
    assert (a.before.value, a.before.n, a.after.value, a.after.n) == (28.0, 180, 14.0, 182)
    assert (b.before.value, b.before.n, b.after.value, b.after.n) == (28.0, 180, 28.0, 182)
    # The plain before/after test alone: A's change is clear, B has none.
    test, p, judged = plain_verdict("art_median_h", a.before, a.after, "lower")
    assert (test, judged) == ("mannwhitneyu", "effective") and p < 1e-6
    assert p == pytest.approx(stats.mannwhitneyu([12, 16] * 91, [24, 32] * 90).pvalue)
    test, p, judged = plain_verdict("art_median_h", b.before, b.after, "lower")
    assert (test, judged) == ("mannwhitneyu", "no_change") and p == pytest.approx(1.0)
    # Scoped to a team, both are judged against the rest of the center over the same windows (SPEC §4c):
    # A's rest is B (180 / 182 tickets) with C's 5 + 5; B's rest is A (which sped up) with C's.
    assert a.method == b.method == "did" and a.test == b.test == "did_z"
    assert (a.comparison.before.n, a.comparison.after.n) == (185, 187)
    assert (b.comparison.before.n, b.comparison.after.n) == (185, 187)
    assert (b.comparison.before.value, b.comparison.after.value) == (24.0, 12.0)
    assert a.verdict == "effective" and a.reason == "effect_reason_did_effective" and a.p_value < 1e-6
    # The rest barely moves (C's 5 tickets of 10 h are 5 of 185, then of 187), so d is the scope's change and a bit.
    assert a.net.d < a.net.scope_change < 0 < a.net.comparison_change < 0.001
    # B stood still while its comparison group got faster: net of the center, B got worse.
    assert b.verdict == "not_effective" and b.reason == "effect_reason_did_worse" and b.p_value < 1e-6
    assert b.net.scope_change == pytest.approx(0.0, abs=1e-12) and b.net.d > 0


def test_too_few_records_and_a_future_completion(db):
    got = _by_id(db)
    assert got["C-1"].verdict == "insufficient_data"
    assert (got["C-1"].before.n, got["C-1"].after.n) == (5, 5)
    # Completed 2025-06-15: the after window runs to 2025-09-15, past the data's last day (2025-08-01).
    assert got["A-2"].verdict == "pending" and got["A-2"].p_value is None
    assert got["A-4"].verdict == "pending"  # not completed yet


def test_a_rate_uses_a_two_proportion_test(db):
    c = _by_id(db)["A-3"]
    # Before: half of team A's tickets escalated (the 24 h ones), 90 of 180; after: none of 182.
    assert (c.before.value, c.before.n, c.after.value, c.after.n) == (0.5, 180, 0.0, 182)
    test, p, judged = plain_verdict("escalation_rate", c.before, c.after, "lower")
    assert (test, judged) == ("chi2_contingency", "effective")
    assert p == pytest.approx(stats.chi2_contingency([[90, 90], [0, 182]], correction=False).pvalue)
    # Against the rest of the center (no escalations before or after): d = -50 pp, SE = √(0.25 ÷ 180) in pp.
    assert (c.method, c.test, c.verdict) == ("did", "did_z", "effective")
    assert (c.net.scale, c.net.d, c.net.comparison_change) == ("pp", -50.0, 0.0)
    assert c.net.se == pytest.approx(100 * (0.25 / 180) ** 0.5)


def test_a_significant_change_in_the_worse_direction_is_not_effective(db):
    # Windows swapped on purpose (completion before start): before = the fast months, after = the slow ones.
    worse = {"action_id": "Y", "indicator": "art_median_h", "scope": "team=A", "start_date": date(2025, 7, 1),
             "completed_at": date(2024, 12, 1)}
    c = check(db, worse)
    assert (c.before.value, c.after.value) == (14.0, 28.0)
    assert c.p_value < 1e-6 and c.verdict == "not_effective" and c.reason == "effect_reason_did_worse"
    # No change at all (every ticket is resolved): not effective with p = 1.
    same = {"action_id": "X", "indicator": "resolution_rate", "scope": "team=A", "start_date": date(2025, 3, 1),
            "completed_at": date(2025, 4, 1)}
    c = check(db, same)
    assert (c.before.value, c.after.value, c.verdict) == (1.0, 1.0, "not_effective")
    # Nothing varies in any of the four cells and d = 0: SE = 0, and p is 1.
    assert (c.method, c.net.d, c.net.se) == ("did", 0.0, 0.0)
    assert c.p_value == pytest.approx(1.0)


def test_windows_can_be_set_per_action(db):
    action = {"action_id": "W", "indicator": "art_median_h", "scope": "team=A", "start_date": date(2025, 3, 1),
              "completed_at": date(2025, 4, 1), "before_months": 1, "after_months": 2}
    c = check(db, action)
    assert (c.before.start, c.before.end, c.after.start, c.after.end) == (
        date(2025, 2, 1), date(2025, 3, 1), date(2025, 4, 1), date(2025, 6, 1))
    assert (c.before.n, c.after.n) == (56, 122)


def test_per_record_samples_come_from_the_scope(db):
    values = samples(db, "art_median_h", "班组=A", date(2025, 4, 1), date(2025, 4, 3))
    assert sorted(values) == [12.0, 12.0, 16.0, 16.0]
    assert summarise("art_median_h", values) == (14.0, 4)
    assert summarise("art_p90_h", [1.0, 2.0, 3.0, 4.0, 5.0]) == (pytest.approx(4.6), 5)
    assert summarise("escalation_rate", []) == (None, 0)
    assert summarise("tickets", [1.0, 1.0]) == (2.0, 2)


def test_add_months_clamps_to_the_month_end():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2025, 3, 1), -3) == date(2024, 12, 1)


def test_unknown_indicator_gives_no_verdict(db):
    c = check(db, {"action_id": "Z", "indicator": None, "scope": None, "start_date": date(2025, 3, 1),
                   "completed_at": date(2025, 4, 1)})
    assert c.verdict == "insufficient_data" and c.p_value is None


def test_cli_verify_json_shape(db, tmp_path: Path):
    path = db.path
    db.close()
    out = cli_json("actions", "--verify", db=path)
    assert isinstance(out, list)
    by_id = {o["action_id"]: o for o in out}
    assert set(by_id["A-1"]) == {"action_id", "indicator", "scope", "before", "after", "comparison", "method",
                                 "p_value", "verdict"}
    assert by_id["A-1"]["before"] == {"value": 28.0, "n": 180, "from": "2024-12-01", "to": "2025-02-28"}
    assert by_id["A-1"]["after"] == {"value": 14.0, "n": 182, "from": "2025-04-01", "to": "2025-06-30"}
    assert by_id["A-1"]["comparison"] == {"before": {"value": 24.0, "n": 185, "from": "2024-12-01", "to": "2025-02-28"},
                                          "after": {"value": 24.0, "n": 187, "from": "2025-04-01", "to": "2025-06-30"}}
    assert by_id["A-1"]["method"] == "did"
    assert by_id["A-1"]["scope"] == "班组=A" and by_id["A-1"]["indicator"] == "art_median_h"
    assert {k: v["verdict"] for k, v in by_id.items()} == {
        "A-1": "effective", "B-1": "not_effective", "C-1": "insufficient_data", "A-2": "pending",
        "A-3": "effective", "A-4": "pending"}
    json.dumps(out)
