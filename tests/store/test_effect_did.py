"""Effect check against change elsewhere (SPEC §4c): difference in differences with the rest of the center.

Two teams and some tickets without a team. In the seasonal store the whole center gets faster on the action's day;
in the real one only team A does. The p-values are recomputed here from the fixture's own rows.
"""
from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

import numpy as np
import pytest

from csq.improvement.did import net_effect
from csq.improvement.effect import check, plain_verdict
from csq.ingest.importer import import_bytes
from csq.metrics.dimensions import ticket_dims
from csq.metrics.filters import Filter, build_where, build_where_outside
from tests.support import cli_json

START = date(2025, 4, 1)  # the actions' start and completion day
FIRST, LAST = date(2025, 1, 1), date(2025, 6, 30)
BEFORE = (date(2025, 1, 1), date(2025, 4, 1))  # 3 months before the start (end exclusive)
AFTER = (date(2025, 4, 1), date(2025, 7, 1))  # 3 months from completion
RES_MIN = (300, 600, 900, 1500, 2400, 3600)  # resolution minutes, cycled
FRT_MIN = (2, 5, 9, 15, 30, 60, 120)  # first-response minutes, cycled
TEAMS = (("A", 1.0, 4), ("B", 1.5, 4), (None, 1.2, 1))  # team, how much slower, tickets a day


def _escalated(team: str | None, after: bool, i: int) -> bool:
    """Return whether ticket i is escalated: team A 40 % before and 20 % after, the rest 30 % throughout."""
    share = (2 if after else 4) if team == "A" else 3
    return (i * 7) % 10 < share


def _tickets(a_after: float, rest_after: float) -> list[dict]:
    """Return the tickets: durations × a_after (team A) or × rest_after (the rest) from START on."""
    rows, i, day = [], 0, FIRST
    while day <= LAST:
        after = day >= START
        for team, slower, per_day in TEAMS:
            change = (a_after if team == "A" else rest_after) if after else 1.0
            for k in range(per_day):
                i += 1
                created = datetime.combine(day, time(9)) + timedelta(minutes=30 * k)
                rows.append({"ticket_id": f"T{i}", "created_at": created, "team": team,
                             "first_response_at": created + timedelta(minutes=round(FRT_MIN[i % 7] * slower * change)),
                             "resolved_at": created + timedelta(minutes=round(RES_MIN[i % 6] * slower * change)),
                             "escalated": _escalated(team, after, i)})
        day += timedelta(days=1)
    # A late ticket puts "as of" past the after window, so the windows are judged.
    rows.append({"ticket_id": "LATE", "created_at": datetime(2025, 7, 5, 9), "team": "B"})
    return rows


def _action(indicator: str, scope: str | None = "team=A") -> dict:
    return {"action_id": "X-1", "indicator": indicator, "scope": scope, "start_date": START, "completed_at": START}


@pytest.fixture
def season(store, put):
    """The whole center (team A, team B, no team) resolves and answers 40 % faster from START on."""
    put("tickets", _tickets(0.6, 0.6))
    return store


@pytest.fixture
def real(store, put):
    """Only team A resolves and answers 40 % faster from START on; the rest of the center does not change."""
    rows = _tickets(0.6, 1.0)
    put("tickets", rows)
    return store, rows


def _cells(rows: list[dict], value) -> list[list[float]]:
    """Return the per-record values of the four cells: scope before, scope after, rest before, rest after."""
    out: list[list[float]] = [[], [], [], []]
    for r in rows:
        x = value(r)
        if x is None:
            continue
        day = r["created_at"].date()
        for w, (lo, hi) in enumerate((BEFORE, AFTER)):
            if lo <= day < hi:
                out[w + (0 if r["team"] == "A" else 2)].append(x)
    return out


def _p(d: float, se: float) -> float:
    """Return 2·(1 − Φ(|d| ÷ SE)) by the error function."""
    return math.erfc(abs(d) / se / math.sqrt(2))


def test_a_season_of_the_whole_center_is_not_the_action(season):
    for key in ("art_median_h", "frt_median_min"):
        c = check(season, _action(key))
        # On its own, the scope's before/after says effective: team A did get 40 % faster.
        test, p, judged = plain_verdict(key, c.before, c.after, c.better)
        assert (test, judged) == ("mannwhitneyu", "effective") and p < 1e-3, key
        # The rest of the center got as much faster over the same windows: no net effect.
        assert c.method == "did" and c.test == "did_z" and c.comparison is not None, key
        assert c.net.scope_change < -0.4 and c.net.comparison_change < -0.4, key
        assert abs(c.net.d) < 0.01 and c.p_value > 0.5, key
        assert (c.verdict, c.reason) == ("not_effective", "effect_reason_did_no_change"), key


def test_a_change_in_the_scope_only_is_effective(real):
    store, _ = real
    for key in ("art_median_h", "frt_median_min"):
        c = check(store, _action(key))
        assert (c.method, c.verdict, c.reason) == ("did", "effective", "effect_reason_did_effective"), key
        assert c.net.scale == "ln1p_min" and c.net.d < -0.4 and c.p_value < 1e-3, key
        assert abs(c.net.comparison_change) < 0.01, key
        assert c.net.relative == pytest.approx(math.expm1(c.net.d)), key  # about −40 %
        assert -0.45 < c.net.relative < -0.35, key


def test_the_rate_p_value_is_the_spec_formula(real):
    store, rows = real
    c = check(store, _action("escalation_rate"))
    cells = _cells([r for r in rows if r["ticket_id"] != "LATE"], lambda r: 1.0 if r["escalated"] else 0.0)
    # The rest of the center includes the tickets without a team: a NULL team does not match team=A.
    assert [len(x) for x in cells] == [c.before.n, c.after.n, c.comparison.before.n, c.comparison.after.n]
    assert len(cells[2]) == 90 * 5 and len(cells[3]) == 91 * 5
    p = [sum(x) / len(x) for x in cells]
    d = (p[1] - p[0]) - (p[3] - p[2])
    se = math.sqrt(sum(pi * (1 - pi) / len(x) for pi, x in zip(p, cells, strict=True)))
    assert c.net.scale == "pp" and c.net.d == pytest.approx(100 * d, abs=1e-9)
    assert c.net.se == pytest.approx(100 * se, abs=1e-9)
    assert c.p_value == pytest.approx(_p(d, se), abs=1e-6)
    assert c.verdict == "effective" and d < 0  # escalations fell in A only (lower is better)


@pytest.mark.parametrize("key, field", [("art_median_h", "resolved_at"), ("frt_median_min", "first_response_at")])
def test_the_duration_p_value_is_on_ln_1_plus_minutes(real, key: str, field: str):
    store, rows = real
    c = check(store, _action(key))  # art_median_h's values are hours: the log is still of minutes

    def minutes(r: dict) -> float | None:
        return None if r.get(field) is None else (r[field] - r["created_at"]).total_seconds() / 60

    cells = [np.log1p(np.array(x)) for x in _cells(rows, minutes)]
    assert [len(x) for x in cells] == [cell.n for cell in c.net.cells]
    m = [x.mean() for x in cells]
    d = (m[1] - m[0]) - (m[3] - m[2])
    se = math.sqrt(sum(x.var(ddof=1) / len(x) for x in cells))
    assert c.net.d == pytest.approx(d, abs=1e-9) and c.net.se == pytest.approx(se, abs=1e-9)
    assert c.p_value == pytest.approx(_p(d, se), abs=1e-6)


def test_scores_and_counts_by_hand():
    # Scores: d on the cell means, SE = √(Σ s² ÷ n) with s of ddof 1.
    net = net_effect("score", ([1, 2, 3], [3, 4, 5]), ([2, 2, 4], [2, 3, 4]), (90, 91))
    assert (net.scope_change, net.comparison_change, net.d) == (2.0, pytest.approx(1 / 3), pytest.approx(5 / 3))
    assert net.se == pytest.approx(math.sqrt(1 / 3 + 1 / 3 + (4 / 3) / 3 + 1 / 3))
    # Counts (SPEC silent): per-day rates, SE = √(Σ count ÷ days²): 90 then 182 in scope, 180 then 182 in the rest.
    net = net_effect("count", ([1.0] * 90, [1.0] * 182), ([1.0] * 180, [1.0] * 182), (90, 91))
    assert (net.scale, net.scope_change, net.comparison_change, net.d) == ("per_day", 1.0, 0.0, 1.0)
    se = math.sqrt(90 / 90**2 + 182 / 91**2 + 180 / 90**2 + 182 / 91**2)
    assert net.se == pytest.approx(se) and net.p_value == pytest.approx(_p(1.0, se), abs=1e-12)


def test_the_whole_center_keeps_the_plain_test(season):
    c = check(season, _action("art_median_h", scope=None))
    assert (c.method, c.comparison, c.net, c.test) == ("before_after", None, None, "mannwhitneyu")
    # Nothing controls for the season here: the center's own speed-up reads as an effect.
    assert (c.verdict, c.reason) == ("effective", "effect_reason_effective")
    out = c.as_json()
    assert out["comparison"] is None and out["method"] == "before_after"


def test_a_too_small_rest_of_the_center_falls_back_to_the_plain_test(store, put):
    rows = [r for r in _tickets(0.6, 0.6) if r["team"] == "A" or r["ticket_id"] == "LATE"]
    # Team B: copies of A's first five tickets (January) and of its last five (June), the late one left out.
    rows += [{**r, "ticket_id": f"{r['ticket_id']}b", "team": "B"} for r in rows[:5] + rows[-6:-1]]
    put("tickets", rows)
    c = check(store, _action("art_median_h"))
    assert (c.comparison.before.n, c.comparison.after.n) == (5, 5)
    assert (c.method, c.test, c.net) == ("before_after", "mannwhitneyu", None)
    assert (c.verdict, c.reason) == ("effective", "effect_reason_small_comparison")
    assert c.as_json()["comparison"]["before"]["n"] == 5


def test_the_complement_of_a_scope_is_bound_and_counts_null_as_outside():
    f = Filter.from_scope("team=A; channel=phone", "2025-01", "2025-03")
    inside, outside = build_where(f, ticket_dims("t"), "t.created_at"), build_where_outside(f, ticket_dims("t"),
                                                                                           "t.created_at")
    assert "NOT coalesce((" in outside.sql and "'A'" not in outside.sql and "phone" not in outside.sql
    assert outside.params == inside.params  # the period's bounds, then the same field values, in the same order
    assert "not (team = A · channel = phone)" in outside.description
    assert build_where_outside(Filter.from_scope(None), ticket_dims("t"), "t.created_at").sql.endswith("FALSE")


ACTIONS_CSV = """action_id,title,indicator,scope,start_date,completed_at,pdca_stage,status
A-1,A faster,art_median_h,team=A,2025-04-01,2025-04-01,check,done
W-1,all faster,art_median_h,,2025-04-01,2025-04-01,check,done
"""


def test_cli_verify_json_has_comparison_and_method(real):
    store, rows = real
    result = import_bytes(store, ACTIONS_CSV.encode("utf-8"), "actions.csv", "actions")
    assert result.status == "committed", result.as_dict()
    path = store.path
    store.close()
    by_id = {o["action_id"]: o for o in cli_json("actions", "--verify", db=path)}
    a, w = by_id["A-1"], by_id["W-1"]
    assert a["method"] == "did" and a["verdict"] == "effective"
    assert set(a["comparison"]) == {"before", "after"}
    hours = _cells(rows, lambda r: None if r.get("resolved_at") is None else
                   (r["resolved_at"] - r["created_at"]).total_seconds() / 3600)
    assert a["comparison"]["before"] == {"value": round(float(np.median(hours[2])), 4), "n": 450,
                                         "from": "2025-01-01", "to": "2025-03-31"}
    assert (a["comparison"]["after"]["n"], a["comparison"]["after"]["from"], a["comparison"]["after"]["to"]) == (
        455, "2025-04-01", "2025-06-30")
    assert w["method"] == "before_after" and w["comparison"] is None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_did_chart_and_texts(real, lang: str):
    from csq.improvement import charts as ic
    from csq.metrics.display import CHART_FONT

    store, _ = real
    c = check(store, _action("art_median_h"))
    fig = ic.did_figure(c, lang)
    scope, rest, without = fig.data
    # Levels on the test's scale turned back into hours: exp(mean of ln(1 + min)) − 1, ÷ 60.
    hours = [math.expm1(cell.level) / 60 for cell in c.net.cells]
    assert list(scope.y) == pytest.approx(hours[:2]) and list(rest.y) == pytest.approx(hours[2:])
    assert list(without.y) == pytest.approx([hours[0], math.expm1(c.net.scope_before.level
                                                                  + c.net.comparison_change) / 60])
    assert without.line.dash == "dash" and fig.layout.font.family == CHART_FONT
    assert fig.layout.yaxis.title.text and fig.layout.xaxis.title.text and fig.layout.legend.orientation == "h"
    assert ic.comparison_text("team=A", lang) == ("中心其余部分：不属于 班组 = A" if lang == "zh" else
                                                  "Rest of the center: not Team = A")
    net = ic.net_text(c.net, lang)
    assert net.startswith(f"-{abs(c.net.d):.3f}") and "%" in net
    formula = ic.did_formula(c.net, c.p_value, lang)
    assert ("360" in formula and "455" in formula) and ("SE = √(" in formula)
