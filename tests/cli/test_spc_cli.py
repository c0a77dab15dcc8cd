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
from csq.metrics.spc import chart_for
from csq.metrics.spc_words import spc_json
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
    out = cli_json("spc", "--indicator", "csat_rate", "--chart", "p", db=db)
    # p̄ = (18 + 90 + 48) / (20 + 100 + 80) = 156 / 200 = 0.78; p̄(1 − p̄) = 0.1716.
    #   n =  20: 3·sqrt(0.1716 / 20)  = 0.277885 -> 0.502115 .. 1.057885, clipped to 1.0; 0.9 is inside
    #   n = 100: 3·sqrt(0.1716 / 100) = 0.124274 -> 0.655726 .. 0.904274; the same 0.9 is just inside
    #   n =  80: 3·sqrt(0.1716 / 80)  = 0.138942 -> 0.641058 .. 0.918942; 0.6 is below: beyond_limits
    assert [set(o) for o in out] == [{"month", "value", "n", "center", "lcl", "ucl", "signals", "in_progress",
                                      "chart", "sigma_z", "baseline", "in_baseline"}] * 4
    assert {(o["chart"], o["sigma_z"]) for o in out} == {("p", None)}
    assert {str(o["baseline"]) for o in out} == {str({"from": "2025-01", "to": "2025-04"})}
    expected = [("2025-01", 0.9, 20, 0.502115, 1.0, []), ("2025-02", 0.9, 100, 0.655726, 0.904274, []),
                ("2025-03", None, 0, None, None, []), ("2025-04", 0.6, 80, 0.641058, 0.918942, ["beyond_limits"])]
    for o, (month, value, n, lcl, ucl, signals) in zip(out, expected, strict=True):
        assert (o["month"], o["n"], o["signals"]) == (month, n, signals)
        assert o["center"] == pytest.approx(0.78)
        for got, want in ((o["value"], value), (o["lcl"], lcl), (o["ucl"], ucl)):
            assert got == (None if want is None else pytest.approx(want, abs=1e-6))


def test_response_rate_has_a_march_point_that_csat_lacks(db: Path) -> None:
    out = {o["month"]: o for o in cli_json("spc", "--indicator", "survey_response_rate", "--chart", "p", db=db)}
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
    proc = run_cli("spc", "--indicator", "csat_rate", "--chart", "p", db=db)
    assert proc.returncode == 0, proc.stderr
    assert "Beyond the control limits · Apr 2025: 60.0% is below the lower control limit 64.1%" in proc.stdout
    assert "Classic p-chart" in proc.stdout
    prime = run_cli("spc", "--indicator", "csat_rate", db=db)
    assert "Laney p′ chart. σz = 1.4" in prime.stdout
    assert run_cli("spc", "--indicator", "csat_mean", "--chart", "p", db=db).returncode == 2   # not a rate
    assert run_cli("spc", "--indicator", "csat_rate", "--baseline", "2025-04", db=db).returncode == 2
    bad = run_cli("spc", "--indicator", "csat", db=db)
    assert bad.returncode == 2 and "Unknown indicator 'csat'" in bad.stderr
    assert run_cli("spc", "--indicator", "csat_rate", "--from", "2025-13", db=db).returncode == 2
    assert run_cli("spc", "--indicator", "csat_rate", "--where", "colour=red", db=db).returncode == 2
    assert run_cli("spc", db=db).returncode == 2   # --indicator is required (argparse exits 2)


def test_spc_cli_works_for_every_indicator_on_an_empty_store(tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    for key in INDICATORS:
        assert cli_json("spc", "--indicator", key, db=db) == []


def _olist_by_hand() -> dict[str, list[int]]:
    """review_score per month of review_answer_timestamp, read with the csv module (the mapping's rule)."""
    scores: dict[str, list[int]] = {}
    with open(REAL / "olist_order_reviews.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            month = datetime.strptime(row["review_answer_timestamp"], "%m/%d/%Y %H:%M").strftime("%Y-%m")
            scores.setdefault(month, []).append(int(row["review_score"]))
    return scores


def _laney(months: list[str], sat: dict[str, int], n: dict[str, int], base: list[str]
           ) -> tuple[float, float, dict[str, tuple[float, float]]]:
    """p̄, σz and (lcl, ucl) per month of SPEC §4b's p′ chart, written out again from the formulas."""
    pbar = sum(sat[m] for m in base) / sum(n[m] for m in base)
    sd = {m: math.sqrt(pbar * (1 - pbar) / n[m]) for m in months}
    z = [(sat[m] / n[m] - pbar) / sd[m] for m in base]
    sigma_z = sum(abs(z[i] - z[i - 1]) for i in range(1, len(z))) / (len(z) - 1) / 1.128
    return pbar, sigma_z, {m: (max(0.0, pbar - 3 * sigma_z * sd[m]), min(1.0, pbar + 3 * sigma_z * sd[m]))
                           for m in months}


@pytest.fixture(scope="module")
def olist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the real Olist reviews, imported as surveys through the README's mapping."""
    db = tmp_path_factory.mktemp("olist") / "olist.duckdb"
    cli_json("import", str(REAL / "olist_order_reviews.csv"), "--kind", "surveys",
             "--mapping", str(MAPPINGS / "olist_reviews.json"), db=db)
    return db


@pytest.mark.parametrize("baseline", [None, "2017-01:2017-12"])
def test_olist_p_prime_centre_limits_and_sigma_z_by_hand(olist: Path, baseline: str | None) -> None:
    hand = _olist_by_hand()
    assert sum(len(v) for v in hand.values()) == 4988
    args = ("--baseline", baseline) if baseline else ()
    out = cli_json("spc", "--indicator", "csat_rate", *args, db=olist)
    whole = [o["month"] for o in out if not o["in_progress"]]
    assert whole == sorted(hand)   # 2016-10 to 2018-10, no month without reviews, none in progress
    sat = {m: sum(s >= 4 for s in v) for m, v in hand.items()}
    n = {m: len(v) for m, v in hand.items()}
    base = [m for m in whole if baseline is None or baseline[:7] <= m <= baseline[8:]]
    pbar, sigma_z, limits = _laney(whole, sat, n, base)
    assert sigma_z > 1   # more spread than binomial sampling: the reason for p′
    for o in out:
        m = o["month"]
        assert (o["n"], o["chart"]) == (n[m], "p_prime")
        assert o["value"] == pytest.approx(sat[m] / n[m], abs=1e-6)
        assert o["center"] == pytest.approx(pbar, abs=1e-6)
        assert o["sigma_z"] == pytest.approx(sigma_z, abs=1e-6)
        assert o["in_baseline"] is (m in base)
        if not o["in_progress"]:
            assert (o["lcl"], o["ucl"]) == (pytest.approx(limits[m][0], abs=1e-6), pytest.approx(limits[m][1], abs=1e-6))
    assert out[0]["baseline"] == {"from": base[0], "to": base[-1]}


def test_olist_csat_mean_xmr_limits_by_hand(olist: Path) -> None:
    hand = _olist_by_hand()
    out = cli_json("spc", "--indicator", "csat_mean", db=olist)
    whole = [o["month"] for o in out if not o["in_progress"]]
    means = [sum(hand[m]) / len(hand[m]) for m in whole]
    center = sum(means) / len(means)
    mr = sum(abs(b - a) for a, b in zip(means, means[1:])) / (len(means) - 1)
    for o in out:
        assert o["chart"] == "xmr" and o["sigma_z"] is None
        assert o["center"] == pytest.approx(center, abs=1e-6)
        if not o["in_progress"]:
            assert o["lcl"] == pytest.approx(center - 2.66 * mr, abs=1e-6)
            assert o["ucl"] == pytest.approx(center + 2.66 * mr, abs=1e-6)
