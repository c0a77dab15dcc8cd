"""QA scorecard: the sample against a hand computation, criteria, evaluators and evaluator agreement."""
from __future__ import annotations

import csv
from collections import defaultdict
from datetime import datetime

import numpy as np
import pytest

from csq.evaluation import qa, training
from csq.metrics.filters import Filter
from tests.support import SAMPLES, cli_json, kpi_rows, run_cli

SAMPLE = SAMPLES / "qa_2025-03.csv"


def _hand():
    """Return (qa_score, critical fail rate, evaluations) from the CSV: a failed 致命项 makes the form 0."""
    forms = defaultdict(lambda: [0.0, 0.0, False])
    with open(SAMPLE, encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            f = forms[r["质检单号"]]
            f[0] += float(r["得分"])
            f[1] += float(r["满分"])
            f[2] = f[2] or (r["致命项"] == "是" and float(r["得分"]) < float(r["满分"]))
    scores = [0.0 if failed else 100 * s / m for s, m, failed in forms.values()]
    return sum(scores) / len(scores), sum(f[2] for f in forms.values()) / len(forms), len(forms)


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("qa") / "qa.duckdb"
    proc = run_cli("import", str(SAMPLE), "--kind", "qa", db=db)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return db


def test_sample_qa_score_and_critical_fail_rate_match_hand_computation(sample_db):
    score, fail, n = _hand()
    assert 0 < fail < 1  # the sample does hold failed critical criteria
    row = cli_json("kpi", "--indicators", "qa_score,qa_critical_fail_rate", db=sample_db)[0]
    assert row["qa_score"] == pytest.approx(score)
    assert row["qa_critical_fail_rate"] == pytest.approx(fail)
    assert row["n"]["qa_score"] == n == 400
    from csq.store import open_store

    store = open_store(sample_db, read_only=True)
    try:
        table = qa.evaluations(store, Filter())
        by_agent = qa.by_agent(store, Filter())
    finally:
        store.close()
    assert table.num_rows == 400
    failed = [r for r in table.to_pylist() if r["critical_failed"]]
    assert failed and all(r["score"] == 0 for r in failed)
    assert sum(r["qa_score"] * r["n"] for r in by_agent) / 400 == pytest.approx(score)


def _form(eid, agent, evaluator, at, scores, ticket=None):
    """Return a 3-criterion evaluation: 服务态度 /10, 解决方案正确 /10 critical, 结束语 /10 weight 2."""
    names = (("服务态度", 10, False, None), ("解决方案正确", 10, True, None), ("结束语与记录", 10, False, 2.0))
    return [{"evaluation_id": eid, "ticket_id": ticket, "agent": agent, "evaluator": evaluator, "evaluated_at": at,
             "criterion": c, "score": s, "max_score": m, "critical": crit, "weight": w}
            for (c, m, crit, w), s in zip(names, scores)]


def test_criteria_groups_and_agreement_on_a_small_fixture(store, put):
    d = datetime(2025, 3, 10)
    put("qa", _form("e1", "甲", "质检-赵", d, (8, 10, 7), "t1") + _form("e2", "甲", "质检-钱", d, (10, 10, 9), "t1")
        + _form("e3", "乙", "质检-赵", d, (10, 9, 10), "t2") + _form("e4", "乙", "质检-钱", d, (10, 10, 10), "t2")
        + _form("e5", "乙", "质检-钱", d, (6, 10, 10), "t3"))
    # e1: (8 + 10 + 2×7) / 40 = 80; e2: (10 + 10 + 18) / 40 = 95; e3: critical lost a point → 0; e4: 100;
    # e5: (6 + 10 + 20) / 40 = 90.
    rows = {r["evaluation_id"]: r["score"] for r in qa.evaluations(store, Filter()).to_pylist()}
    assert rows == pytest.approx({"e1": 80, "e2": 95, "e3": 0, "e4": 100, "e5": 90})
    head = kpi_rows(store, Filter(), (), ["qa_score", "qa_critical_fail_rate"])[0]
    assert head["qa_score"] == pytest.approx(365 / 5) and head["qa_critical_fail_rate"] == pytest.approx(0.2)

    crit = {c["criterion"]: c for c in qa.criteria(store, Filter())}
    assert list(crit)[0] == "解决方案正确"  # critical criteria first
    assert crit["服务态度"]["pass_rate"] == pytest.approx(3 / 5) and crit["服务态度"]["mean_score"] == pytest.approx(8.8)
    assert crit["解决方案正确"]["pass_rate"] == pytest.approx(4 / 5) and crit["解决方案正确"]["critical"]
    assert crit["结束语与记录"]["weight"] == 2 and crit["结束语与记录"]["mean_pct"] == pytest.approx(92)

    ev = {r["evaluator"]: r for r in qa.by_evaluator(store, Filter())}
    assert ev["质检-赵"]["qa_score"] == pytest.approx(40) and ev["质检-赵"]["n"] == 2
    assert ev["质检-钱"]["qa_score"] == pytest.approx(95) and ev["质检-赵"]["qa_critical_fail_rate"] == 0.5

    a = qa.agreement(store, Filter())
    assert a["tickets"] == 2 and a["n"] == 2  # t3 was scored once
    assert a["icc"] is None  # two tickets are too few for an ICC
    assert a["critical_agreement"] == pytest.approx(0.5)  # t2: 赵 failed the critical item, 钱 did not
    off = {e["evaluator"]: e for e in a["evaluators"]}
    # t1: mean 87.5 → 赵 −7.5, 钱 +7.5; t2: mean 50 → 赵 −50, 钱 +50.
    assert off["质检-赵"]["offset"] == pytest.approx(-28.75) and off["质检-钱"]["offset"] == pytest.approx(28.75)
    assert off["质检-赵"]["n"] == 2


def test_icc_hand_value_and_perfect_agreement():
    # Means 1.5, 3.5, 5.5 (grand 3.5): MSB = 2 × 8 / 2 = 8, MSW = 6 × 0.25 / 3 = 0.5 → ICC = 7.5 / 8.5.
    out = qa.icc1(np.array([[1, 2], [3, 4], [5, 6.0]]))
    assert out["icc"] == pytest.approx(7.5 / 8.5) and out["n"] == 3
    assert out["ci_low"] < out["icc"] < out["ci_high"] <= 1
    assert qa.icc1(np.array([[70, 70], [80, 80], [90, 90.0]]))["icc"] == pytest.approx(1.0)


def test_filters_narrow_evaluations_by_agent_and_period(store, put):
    put("qa", _form("e1", "甲", "质检-赵", datetime(2025, 3, 10), (10, 10, 10))
        + _form("e2", "乙", "质检-赵", datetime(2025, 4, 10), (10, 10, 10)))
    assert qa.evaluations(store, Filter(where=(("agent", ("甲",)),))).column("evaluation_id").to_pylist() == ["e1"]
    assert qa.evaluations(store, Filter("2025-04", "2025-04")).column("agent").to_pylist() == ["乙"]
    assert [r["month"] for r in qa.by_month(store, Filter())] == ["2025-03", "2025-04"]


def test_training_pass_rates_and_qa_around_a_failed_assessment(store, put):
    put("training", [
        {"agent": "甲", "course": "投诉处理技巧", "assessed_at": datetime(2025, 3, 1), "score": 50, "pass_mark": 80},
        {"agent": "甲", "course": "投诉处理技巧", "assessed_at": datetime(2025, 3, 15), "score": 85, "pass_mark": 80},
        {"agent": "乙", "course": "投诉处理技巧", "assessed_at": datetime(2025, 3, 1), "score": 59},  # pass mark 60
        {"agent": "乙", "course": "产品知识", "assessed_at": datetime(2025, 3, 1), "score": 10, "passed": True},
    ])
    put("qa", _form("b1", "甲", "质检-赵", datetime(2025, 2, 1), (6, 10, 10))      # 90, before
        + _form("a1", "甲", "质检-赵", datetime(2025, 3, 5), (10, 10, 10))          # 100, after
        + _form("x1", "甲", "质检-赵", datetime(2024, 6, 1), (0, 10, 0)))           # outside the 90 days
    by_course = {r["course"]: r for r in training.pass_rates(store, Filter(), ("course",))}
    assert by_course["投诉处理技巧"]["training_pass_rate"] == pytest.approx(1 / 3) and by_course["投诉处理技巧"]["n"] == 3
    assert by_course["产品知识"]["training_pass_rate"] == 1.0  # the passed flag wins over the score
    below = training.below_pass(store, Filter())
    assert sorted((r["agent"], r["score"]) for r in below) == sorted([("甲", 50), ("乙", 59)])
    first, other = (below[0], below[1]) if below[0]["agent"] == "甲" else (below[1], below[0])
    assert (first["qa_before"], first["n_before"], first["qa_after"], first["n_after"]) == (90, 1, 100, 1)
    assert first["qa_change"] == 10 and first["passed_later"] is True
    assert other["qa_before"] is None and other["passed_later"] is None
