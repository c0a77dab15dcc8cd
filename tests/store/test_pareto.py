"""Pareto of problem categories and control-limit signals, against hand-computed fixtures."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from csq.improvement.pareto import action_scope, pareto, pareto_for, signals
from csq.metrics.filters import Filter

T = datetime


def _complaint(i: int, category: str | None, team: str = "A", month: int = 3) -> dict:
    created = T(2025, month, 3, 9) + timedelta(minutes=i)
    return {"ticket_id": f"C{month}-{i}", "created_at": created, "type": "complaint", "category": category,
            "team": team, "channel": "email", "first_response_at": created + timedelta(hours=1),
            "resolved_at": created + timedelta(hours=10)}


def test_pareto_shares_and_80_percent_line_by_hand():
    bars = pareto({"物流": 5, "态度": 3, "价格": 1, None: 1, "空": 0})
    assert [b.category for b in bars] == ["物流", "态度", "价格", None]  # ties: named first, zero dropped
    assert [b.count for b in bars] == [5, 3, 1, 1]
    assert [b.share for b in bars] == pytest.approx([0.5, 0.3, 0.1, 0.1])
    assert [b.cumulative for b in bars] == pytest.approx([0.5, 0.8, 0.9, 1.0])
    # Vital while the bars before have not reached 80 %: 物流 (0 %) and 态度 (50 %), not 价格 (80 %).
    assert [b.vital for b in bars] == [True, True, False, False]
    assert pareto({}) == []


def test_complaints_by_category_from_the_store(store, put):
    rows = [_complaint(i, "物流") for i in range(6)] + [_complaint(10 + i, "态度") for i in range(3)]
    rows += [_complaint(20, None), _complaint(21, "物流", team="B")]
    rows += [{"ticket_id": "Q1", "created_at": T(2025, 3, 5), "type": "inquiry", "category": "物流"}]
    rows += [_complaint(30, "态度", month=5)]  # outside the period
    put("tickets", rows)
    bars = pareto_for(store, "complaints", Filter("2025-03", "2025-03"))
    assert [(b.category, b.count) for b in bars] == [("物流", 7), ("态度", 3), (None, 1)]
    assert [round(b.cumulative, 4) for b in bars] == [round(7 / 11, 4), round(10 / 11, 4), 1.0]
    only_a = pareto_for(store, "complaints", Filter("2025-03", "2025-03", (("team", ("A",)),)))
    assert [(b.category, b.count) for b in only_a] == [("物流", 6), ("态度", 3), (None, 1)]
    # A type filter that leaves complaints out leaves nothing; one that includes them narrows to them.
    assert pareto_for(store, "complaints", Filter("2025-03", "2025-03", (("type", ("inquiry",)),))) == []
    both = Filter("2025-03", "2025-03", (("type", ("inquiry", "complaint")),))
    assert sum(b.count for b in pareto_for(store, "complaints", both)) == 11


def test_breaches_count_each_ticket_once(store, put):
    created = T(2025, 3, 3, 9)
    # email inquiry: first response limit 24 h, resolution limit 120 h (SPEC §4 rule 6).
    rows = [
        {"ticket_id": "ok", "created_at": created, "channel": "email", "type": "inquiry", "category": "X",
         "first_response_at": created + timedelta(hours=1), "resolved_at": created + timedelta(hours=5)},
        {"ticket_id": "both", "created_at": created, "channel": "email", "type": "inquiry", "category": "X",
         "first_response_at": created + timedelta(hours=30), "resolved_at": created + timedelta(hours=130)},
        {"ticket_id": "frt", "created_at": created, "channel": "email", "type": "inquiry", "category": "Y",
         "first_response_at": created + timedelta(hours=25), "resolved_at": created + timedelta(hours=30)},
        {"ticket_id": "res", "created_at": created, "channel": "email", "type": "inquiry", "category": "Y",
         "first_response_at": created + timedelta(hours=2), "resolved_at": created + timedelta(hours=121)},
        {"ticket_id": "open", "created_at": created, "channel": "email", "type": "inquiry", "category": "Z"},
        {"ticket_id": "last", "created_at": T(2025, 3, 20), "channel": "email", "type": "inquiry", "category": "Z",
         "first_response_at": T(2025, 3, 20, 1), "resolved_at": T(2025, 3, 20, 2)},
    ]
    put("tickets", rows)
    bars = pareto_for(store, "breaches", Filter("2025-03", "2025-03"))
    # As of 2025-03-20 02:00 the open ticket has passed both limits: one breach, counted once.
    assert [(b.category, b.count) for b in bars] == [("Y", 2), ("X", 1), ("Z", 1)]


def test_failed_qa_criteria(store, put):
    at = T(2025, 3, 10)
    rows = []
    for e in range(3):
        rows += [{"evaluation_id": f"E{e}", "agent": "a1", "evaluated_at": at, "criterion": "开场白",
                  "score": 5 if e == 0 else 4, "max_score": 5},
                 {"evaluation_id": f"E{e}", "agent": "a1", "evaluated_at": at, "criterion": "信息核实",
                  "score": 0, "max_score": 10, "critical": True}]
    put("qa", rows)
    bars = pareto_for(store, "qa", Filter("2025-03", "2025-03"))
    assert [(b.category, b.count) for b in bars] == [("信息核实", 3), ("开场白", 2)]
    assert pareto_for(store, "qa", Filter("2025-04", "2025-04")) == []


def test_action_scope_from_filters_and_bar():
    f = Filter("2025-01", "2025-03", (("team", ("售后组",)), ("channel", ("phone", "chat"))))
    assert action_scope(f, "complaints", "物流") == "team=售后组; channel=phone; channel=chat; type=complaint; category=物流"
    assert action_scope(f, "qa", "开场白") == "team=售后组; channel=phone; channel=chat"
    assert action_scope(Filter(), "breaches", None) == ""


def test_signals_flag_only_the_worse_side(store, put):
    rows = []
    for month in range(1, 9):
        n_late = 30 if month == 8 else 2  # month 8 breaks the p-chart's lower limit of frt_sla_rate
        for i in range(40):
            created = T(2025, month, 3, 9) + timedelta(minutes=i)
            rows.append({"ticket_id": f"{month}-{i}", "created_at": created, "channel": "email", "type": "inquiry",
                         "first_response_at": created + timedelta(hours=25 if i < n_late else 1),
                         "resolved_at": created + timedelta(hours=26)})
    rows[-1]["resolved_at"] = T(2025, 8, 31, 12)  # the data reach August's last day: a complete month
    put("tickets", rows)
    found = signals(store, Filter(), ("frt_sla_rate",))
    assert [(s.key, s.point.month) for s in found] == [("frt_sla_rate", "2025-08")]
    assert found[0].point.value == pytest.approx(10 / 40)


@pytest.mark.parametrize(("first", "then", "candidates"), [(2, 6, [("2025-05", "2025-12", "down")]), (6, 2, [])])
def test_a_run_on_the_worse_side_is_a_candidate_and_one_on_the_better_side_is_not(store, put, first, then,
                                                                                   candidates):
    # frt_sla_rate of 40 email tickets a month: 4 months with `first` late answers, then 8 with `then`. 95 % then
    # 85 % is a run of 8 below the centre (worse), 85 % then 95 % one above (better).
    rows = []
    for m in range(1, 13):
        for i in range(40):
            created = T(2025, m, 3, 9) + timedelta(minutes=i)
            rows.append({"ticket_id": f"{m}-{i}", "created_at": created, "channel": "email", "type": "inquiry",
                         "first_response_at": created + timedelta(hours=25 if i < (first if m <= 4 else then) else 1),
                         "resolved_at": created + timedelta(hours=26)})
    rows[-1]["resolved_at"] = T(2025, 12, 31, 12)   # December is complete
    put("tickets", rows)
    found = signals(store, Filter(), ("frt_sla_rate",))
    runs = [s for s in found if s.signal.rule == "run_of_8"]
    assert [(s.signal.months[0], s.signal.months[-1], s.signal.direction) for s in runs] == candidates
    assert all(s.signal.direction == "down" for s in found)   # only falls of a higher-is-better rate
    assert all(s.point.month == "2025-12" for s in runs)   # a new action starts from the run's last month
