"""`python -m csq spc`: SPEC §6 JSON, p-chart limits that follow n, a month without answers, real Olist data."""
from __future__ import annotations

import csv
import math
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from csq.cli.numbers import spc_objects
from csq.metrics.filters import Filter
from csq.metrics.indicators import INDICATORS
from csq.metrics.spc import chart_for, spc_json
from csq.store import open_store
from tests.support import MAPPINGS, REAL, cli_json, run_cli

T = datetime


def _answers(month: int, n: int, satisfied: int, channel: str = "phone") -> list[dict]:
    """n answered invitations in 2025-<month>: the first `satisfied` score 5, the rest 2."""
    return [{"survey_id": f"{month}-{i}", "sent_at": T(2025, month, 5, 9), "responded_at": T(2025, month, 6, 9),
             "csat": 5 if i < satisfied else 2, "channel": channel} for i in range(n)]


@pytest.fixture
def db(store, put) -> Path:
    """A store whose surveys give csat_rate 0.9 (n=20), 0.9 (n=100), no answers in March, 0.6 (n=80)."""
    put("surveys", _answers(1, 20, 18) + _answers(2, 100, 90, "chat") + [
        # March: three invitations, none answered -> a response rate, but no csat point and no limits.
        {"survey_id": f"3-{i}", "sent_at": T(2025, 3, 10, 9), "channel": "phone"} for i in range(3)
    ] + _answers(4, 80, 48))
    path = store.path
    store.close()
    return path


def test_spc_json_matches_a_hand_computed_p_chart(db: Path) -> None:
    out = cli_json("spc", "--indicator", "csat_rate", db=db)
    # p̄ = (18 + 90 + 48) / (20 + 100 + 80) = 156 / 200 = 0.78; p̄(1 − p̄) = 0.1716.
    #   n =  20: 3·sqrt(0.1716 / 20)  = 0.277885 -> 0.502115 .. 1.057885, clipped to 1.0; 0.9 is inside
    #   n = 100: 3·sqrt(0.1716 / 100) = 0.124274 -> 0.655726 .. 0.904274; the same 0.9 is just inside
    #   n =  80: 3·sqrt(0.1716 / 80)  = 0.138942 -> 0.641058 .. 0.918942; 0.6 is below: beyond_limits
    assert [set(o) for o in out] == [{"month", "value", "n", "center", "lcl", "ucl", "signals", "in_progress"}] * 4
    expected = [("2025-01", 0.9, 20, 0.502115, 1.0, []), ("2025-02", 0.9, 100, 0.655726, 0.904274, []),
                ("2025-03", None, 0, None, None, []), ("2025-04", 0.6, 80, 0.641058, 0.918942, ["beyond_limits"])]
    for o, (month, value, n, lcl, ucl, signals) in zip(out, expected, strict=True):
        assert (o["month"], o["n"], o["signals"]) == (month, n, signals)
        assert o["center"] == pytest.approx(0.78)
        for got, want in ((o["value"], value), (o["lcl"], lcl), (o["ucl"], ucl)):
            assert got == (None if want is None else pytest.approx(want, abs=1e-6))


def test_response_rate_has_a_march_point_that_csat_lacks(db: Path) -> None:
    out = {o["month"]: o for o in cli_json("spc", "--indicator", "survey_response_rate", db=db)}
    # Invitations: 20, 100, 3, 80; answered 20, 100, 0, 80 -> p̄ = 200 / 203.
    assert out["2025-03"]["value"] == 0.0 and out["2025-03"]["n"] == 3
    assert out["2025-03"]["center"] == pytest.approx(200 / 203)
    assert out["2025-03"]["lcl"] == pytest.approx(max(0.0, 200 / 203 - 3 * math.sqrt(200 / 203 * 3 / 203 / 3)))
    assert out["2025-03"]["signals"] == ["beyond_limits"]


def test_spc_cli_is_the_same_code_as_chart_for(db: Path) -> None:
    store = open_store(db, read_only=True)
    try:
        for key in ("csat_rate", "csat_mean", "nps", "survey_response_rate", "tickets"):
            # The same figures, rounded for JSON by the unit of the indicator (csq.cli.numbers).
            expected = spc_objects(spc_json(chart_for(store, Filter(), key)), key)
            assert cli_json("spc", "--indicator", key, db=db) == expected
    finally:
        store.close()


def test_spc_cli_filters_and_period(db: Path) -> None:
    out = cli_json("spc", "--indicator", "csat_rate", "--where", "channel=phone", "--from", "2025-02", db=db)
    # Phone from February: March has invitations but no answer (a month without a point), April 48 of 80.
    # One month with data gives no centre and no limits.
    assert [(o["month"], o["value"], o["n"], o["center"]) for o in out] == [
        ("2025-03", None, 0, None), ("2025-04", 0.6, 80, None)]
    assert cli_json("spc", "--indicator", "csat_rate", "--from", "2026-01", db=db) == []


def test_spc_cli_text_output_and_refusals(db: Path) -> None:
    proc = run_cli("spc", "--indicator", "csat_rate", db=db)
    assert proc.returncode == 0, proc.stderr
    assert "2025-04: 60.0% is below the lower control limit 64.1% (n=80)" in proc.stdout
    bad = run_cli("spc", "--indicator", "csat", db=db)
    assert bad.returncode == 2 and "Unknown indicator 'csat'" in bad.stderr
    assert run_cli("spc", "--indicator", "csat_rate", "--from", "2025-13", db=db).returncode == 2
    assert run_cli("spc", "--indicator", "csat_rate", "--where", "colour=red", db=db).returncode == 2
    assert run_cli("spc", db=db).returncode == 2   # --indicator is required (argparse exits 2)


def test_spc_cli_works_for_every_indicator_on_an_empty_store(tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    for key in INDICATORS:
        assert cli_json("spc", "--indicator", key, db=db) == []


def _olist_by_hand() -> dict[str, tuple[int, int]]:
    """(satisfied, answered) per month of review_answer_timestamp, read with the csv module (mapping rule)."""
    satisfied: Counter[str] = Counter()
    answered: Counter[str] = Counter()
    with open(REAL / "olist_order_reviews.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            month = datetime.strptime(row["review_answer_timestamp"], "%m/%d/%Y %H:%M").strftime("%Y-%m")
            answered[month] += 1
            satisfied[month] += int(row["review_score"]) >= 4
    return {m: (satisfied[m], answered[m]) for m in answered}


def test_olist_reviews_csat_rate_per_month_by_hand(tmp_path: Path) -> None:
    db = tmp_path / "olist.duckdb"
    cli_json("import", str(REAL / "olist_order_reviews.csv"), "--kind", "surveys",
             "--mapping", str(MAPPINGS / "olist_reviews.json"), db=db)
    hand = _olist_by_hand()
    assert sum(a for _, a in hand.values()) == 4988
    out = cli_json("spc", "--indicator", "csat_rate", db=db)
    got = {o["month"]: o for o in out if o["n"]}
    assert sorted(got) == sorted(hand)
    for month, (sat, n) in hand.items():
        assert got[month]["n"] == n
        assert got[month]["value"] == pytest.approx(sat / n)
    center = sum(s for s, _ in hand.values()) / 4988
    assert out[0]["center"] == pytest.approx(center)
    big = max(hand, key=lambda m: hand[m][1])
    assert got[big]["lcl"] == pytest.approx(center - 3 * math.sqrt(center * (1 - center) / hand[big][1]))
