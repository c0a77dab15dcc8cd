"""SERVQUAL analysis: the sample against a hand computation, CIs, alpha, waves, the diagnosis and the CLI."""
from __future__ import annotations

import csv
from datetime import datetime

import numpy as np
import pytest
from scipy import stats

from csq.core.kinds import SERVQUAL_DIMENSIONS
from csq.evaluation import servqual
from csq.metrics.engine import servqual_summary
from csq.metrics.filters import Filter
from tests.support import SAMPLES, cli_json, kpi_rows, run_cli

SAMPLE = SAMPLES / "servqual_2025Q1.csv"
DIMS = list(SERVQUAL_DIMENSIONS)


def _hand(path):
    """Return per-dimension (E, P, gap, n) and the weighted gap, computed straight from the wide CSV."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    per_dim, totals = {}, []
    for d, items in SERVQUAL_DIMENSIONS.items():
        e = [float(r[f"E_{i.upper()}"]) for r in rows for i in items]
        p = [float(r[f"P_{i.upper()}"]) for r in rows for i in items]
        per_dim[d] = (sum(e) / len(e), sum(p) / len(p), (sum(p) - sum(e)) / len(e), len(rows))
    for r in rows:
        gaps = {d: sum(float(r[f"P_{i.upper()}"]) - float(r[f"E_{i.upper()}"]) for i in items) / len(items)
                for d, items in SERVQUAL_DIMENSIONS.items()}
        w = {d: float(r[f"W_{d}"]) for d in DIMS}
        assert abs(sum(w.values()) - 100) < 0.5  # every sample respondent split exactly 100 points
        totals.append(sum(w[d] / 100 * gaps[d] for d in DIMS))
    return per_dim, sum(totals) / len(totals), len(rows)


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("sq") / "sq.duckdb"
    proc = run_cli("import", str(SAMPLE), "--kind", "servqual", db=db)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return db


def test_cli_servqual_json_matches_hand_computation(sample_db):
    per_dim, weighted, n = _hand(SAMPLE)
    out = cli_json("servqual", db=sample_db)
    assert set(out) == {"dimensions", "unweighted_gap", "weighted_gap", "respondents"}
    assert [d["dimension"] for d in out["dimensions"]] == DIMS
    json_places = 1e-4  # the CLI's JSON keeps 4 decimals of a 1-7 scale (csq.cli.numbers)
    for d in out["dimensions"]:
        e, p, gap, nd = per_dim[d["dimension"]]
        assert d["expectation"] == pytest.approx(e, abs=json_places)
        assert d["perception"] == pytest.approx(p, abs=json_places)
        assert d["gap"] == pytest.approx(gap, abs=json_places)
        assert d["n"] == nd == 240
    assert out["unweighted_gap"] == pytest.approx(sum(v[2] for v in per_dim.values()) / 5, abs=json_places)
    assert out["weighted_gap"] == pytest.approx(weighted, abs=json_places)
    assert out["respondents"] == n
    # reliability has the widest gap in the sample (worked out above: -1.079)
    assert min(out["dimensions"], key=lambda d: d["gap"])["dimension"] == "reliability"


def test_page_figures_equal_the_cli(sample_db):
    from csq.store import open_store

    store = open_store(sample_db, read_only=True)
    try:
        o = servqual.overview(store, Filter())
        s = servqual_summary(store, Filter())
    finally:
        store.close()
    for a, b in zip(o["dimensions"], s["dimensions"]):
        for k in ("expectation", "perception", "gap", "n"):
            assert a[k] == pytest.approx(b[k])
    assert o["weighted_gap"] == pytest.approx(s["weighted_gap"])
    assert o["unweighted_gap"] == pytest.approx(s["unweighted_gap"])
    assert o["respondents"] == s["respondents"] == 240
    assert [w["wave"] for w in o["waves"]] == ["2025Q1"]


def test_cli_period_and_where(sample_db):
    out = cli_json("servqual", "--from", "2025-04", db=sample_db)
    assert out["respondents"] == 0 and out["weighted_gap"] is None
    assert all(d["gap"] is None and d["n"] == 0 for d in out["dimensions"])
    proc = run_cli("servqual", "--where", "channel=phone", "--json", db=sample_db)
    assert proc.returncode == 0 and "no ticket fields" in proc.stderr
    proc = run_cli("servqual", "--from", "2025-13", db=sample_db)
    assert proc.returncode == 2


def _row(rid, at, gaps, points=None):
    """Return a respondent with E = 6 on every item and P = 6 + the dimension's gap; points per dimension."""
    row = {"respondent_id": rid, "responded_at": at}
    for d, items in SERVQUAL_DIMENSIONS.items():
        for i in items:
            row[f"e_{i}"] = 6
            row[f"p_{i}"] = 6 + gaps.get(d, 0)
    for j, d in enumerate(DIMS):
        row[f"w_{d}"] = None if points is None else points[j]
    return row


def test_weighted_gap_uses_each_respondents_own_points(store, put):
    put("servqual", [
        _row("a", datetime(2025, 3, 1), {"responsiveness": -2}, [0, 0, 100, 0, 0]),   # weighted -2
        _row("b", datetime(2025, 3, 2), {"responsiveness": -2}, [50, 50, 0, 0, 0]),   # weighted 0
        _row("c", datetime(2025, 3, 3), {"responsiveness": -2}),                       # no points: -2/5
        _row("d", datetime(2025, 3, 4), {"responsiveness": -2}, [10, 10, 10, 10, 50]),  # miscounted: -2/5
    ])
    o = servqual.overview(store, Filter())
    assert o["weighted_gap"] == pytest.approx((-2 + 0 - 0.4 - 0.4) / 4)
    assert o["weighted_gap"] == pytest.approx(kpi_rows(store, Filter(), (), ["servqual_gap"])[0]["servqual_gap"])
    assert o["unweighted_gap"] == pytest.approx(-0.4)
    assert o["with_points"] == 2
    resp = next(d for d in o["dimensions"] if d["dimension"] == "responsiveness")
    assert resp["gap"] == -2 and resp["ci_low"] == resp["ci_high"] == -2  # no spread: a zero-width interval
    assert resp["points"] == pytest.approx(50)  # (100 + 0) / 2 valid respondents
    # the weighted gap's CI is the t interval over the four respondents' own totals
    x = np.array([-2, 0, -0.4, -0.4])
    low, high = stats.t.interval(0.95, 3, loc=x.mean(), scale=x.std(ddof=1) / 2)
    assert (o["weighted_ci_low"], o["weighted_ci_high"]) == pytest.approx((low, high))


def test_missing_items_and_waves(store, put):
    a = _row("a", datetime(2025, 3, 1), {"empathy": -1})
    a["p_m1"] = None  # m1 answered on one side only: left out of that respondent's empathy items
    put("servqual", [a, _row("b", datetime(2025, 6, 1), {"empathy": 1}), _row("c", datetime(2025, 6, 2), {})])
    o = servqual.overview(store, Filter())
    m1 = next(i for i in o["items"] if i["item"] == "M1")
    assert m1["n"] == 2 and m1["gap"] == pytest.approx(0.5)  # b: +1, c: 0
    assert [w["wave"] for w in o["waves"]] == ["2025Q1", "2025Q2"]
    q1, q2 = o["waves"]
    assert q1["empathy"] == pytest.approx(-1) and q1["n"] == 1
    assert q2["empathy"] == pytest.approx(0.5) and q2["n"] == 2
    assert q2["weighted_gap"] == pytest.approx((0.2 + 0) / 2)  # equal weights: b's +1 over 5 dimensions


def test_cronbach_alpha_hand_values():
    # Two items that move together exactly: alpha 1.
    assert servqual.cronbach_alpha(np.array([[1, 2], [2, 3], [3, 4.0]]))[0] == pytest.approx(1.0)
    # k = 2, item variances 1 and 1, total scores 3, 3, 6 → variance 3: alpha = 2 × (1 − 2/3) = 2/3.
    alpha, n = servqual.cronbach_alpha(np.array([[1, 2], [2, 1], [3, 3.0], [np.nan, 1]]))
    assert n == 3 and alpha == pytest.approx(2 / 3)
    assert servqual.cronbach_alpha(np.array([[1, 2.0]]))[0] is None  # one respondent: undefined


def test_filters_on_ticket_fields_match_no_response(store, put):
    put("servqual", [_row("a", datetime(2025, 3, 1), {})])
    assert servqual.overview(store, Filter(where=(("channel", ("phone",)),)))["respondents"] == 0
    assert servqual.overview(store, Filter("2025-03", "2025-03"))["respondents"] == 1


def test_diagnosis_names_the_widest_gap_with_its_drivers(store, put):
    put("servqual", [_row("a", datetime(2025, 3, 1), {"responsiveness": -2, "assurance": -1})])
    put("tickets", [{"ticket_id": "t1", "created_at": datetime(2025, 3, 1, 9), "first_response_at": datetime(2025, 3, 1, 10),
                     "channel": "email", "type": "inquiry"}])
    put("qa", [{"evaluation_id": "e1", "agent": "x", "evaluated_at": datetime(2025, 3, 2), "criterion": "服务态度",
                "score": 8, "max_score": 10}, {"evaluation_id": "e1", "agent": "x", "evaluated_at": datetime(2025, 3, 2),
                                               "criterion": "解决方案正确", "score": 10, "max_score": 10, "critical": True}])
    from csq.evaluation import qa

    o = servqual.overview(store, Filter())
    diag = servqual.diagnosis(store, Filter(), o["dimensions"], qa.criteria(store, Filter()))
    assert [d["dimension"] for d in diag][:2] == ["responsiveness", "assurance"]
    frt = {i["key"]: i for i in diag[0]["indicators"]}
    assert frt["frt_sla_rate"]["value"] == 1.0 and frt["frt_median_min"]["value"] == 60
    assert [c["criterion"] for c in diag[1]["criteria"]] == ["解决方案正确"]
    empathy = next(d for d in diag if d["dimension"] == "empathy")
    assert [c["criterion"] for c in empathy["criteria"]] == ["服务态度"]
    assert servqual.biggest_gap(o["dimensions"])["dimension"] == "responsiveness"
    from csq.evaluation.tables import biggest_text

    text = biggest_text(o, diag, "en", {})
    assert "Responsiveness" in text and "2.00" in text and "First response within SLA 100.0%" in text
    assert "响应性" in biggest_text(o, diag, "zh", {})
