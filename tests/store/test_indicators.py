"""Indicator engine: every SPEC §3 indicator against figures worked out by hand in the comments."""
from __future__ import annotations

import itertools
import json
from dataclasses import replace
from datetime import date, datetime

import pytest

from csq.core.kinds import CHANNELS, PRIORITIES, TYPES
from csq.errors import InputRefused
from csq.metrics.asof import as_of
from csq.metrics.engine import servqual_summary
from csq.metrics.filters import Filter, parse_scope
from csq.metrics.indicators import GROUP_FIELDS, INDICATORS, formula, target_status
from csq.metrics.sla import limits_for, ticket_limits
from csq.store.settings import DEFAULT_SLA_RULES, SlaRule, Target, set_sla_rules
from tests.support import kpi_rows

T = datetime
ALL = Filter()

SPEC_KEYS = [
    "tickets", "frt_median_min", "frt_p90_min", "frt_sla_rate", "art_median_h", "art_p90_h",
    "resolution_sla_rate", "resolution_rate", "fcr_rate", "reopen_rate", "escalation_rate", "complaint_rate",
    "complaint_response_rate_48h", "complaint_resolution_rate_72h", "csat_rate", "csat_mean", "nps",
    "survey_response_rate", "qa_score", "qa_critical_fail_rate", "training_pass_rate", "action_on_time_rate",
    "servqual_gap",
    "callback_completion_rate", "callback_satisfaction_rate", "callback_followup_on_time_rate",   # issue 19
    "qa_coverage_rate",   # issue 19, the QA sample
    "calls_offered", "answer_rate", "abandon_rate", "service_level", "asa_s", "aht_s",   # telephony, issue 20
]


def one(store, f=ALL, keys=None):
    rows = kpi_rows(store, f, (), keys)
    assert len(rows) == 1
    return rows[0]


# ---------------------------------------------------------------- registry, formula, status

def test_registry_has_every_spec_key_in_spec_order():
    assert list(INDICATORS) == SPEC_KEYS
    for ind in INDICATORS.values():
        assert ind.unit in ("count", "rate", "min", "h", "s", "score", "points")
        assert ind.better in ("higher", "lower", None)
        assert "n =" in ind.formula_en and "n =" in ind.formula_zh
    assert INDICATORS["frt_median_min"].better == "lower"
    assert INDICATORS["servqual_gap"].better == "higher"
    assert INDICATORS["tickets"].better is None


def test_formula_language():
    assert "resolved tickets ÷ tickets" in formula("resolution_rate")
    assert "已解决工单数 ÷ 工单数" in formula("resolution_rate", "zh")


def test_target_status_bands():
    up = Target("csat_rate", "higher", 0.90, 0.05)
    assert target_status(0.90, up) == "green"   # exactly on target is met
    assert target_status(0.86, up) == "amber"   # 0.04 short, band is 0.05
    assert target_status(0.84, up) == "red"     # 0.06 short
    down = Target("frt_median_min", "lower", 5.0, 2.0)
    assert target_status(4.0, down) == "green"
    assert target_status(6.5, down) == "amber"
    assert target_status(7.5, down) == "red"
    assert target_status(None, down) is None


def test_unknown_indicator_or_group_refused(store):
    with pytest.raises(InputRefused, match="frt_median_min"):
        kpi_rows(store, ALL, (), ["frt_mean"])
    with pytest.raises(InputRefused, match="month, week, day, channel, team"):
        kpi_rows(store, ALL, ("region",))


# ---------------------------------------------------------------- empty store

def test_empty_store_gives_no_data_not_zero(store):
    row = one(store)
    assert row["tickets"] == 0 and row["calls_offered"] == 0   # counts are 0, every other figure no data
    for key in SPEC_KEYS[1:]:
        assert row[key] is None or key == "calls_offered", key
        assert row["n"][key] == 0
    assert as_of(store) is None
    assert kpi_rows(store, ALL, ("month",)) == []


# ---------------------------------------------------------------- SLA limits

def test_phone_complaint_rule_precedence():
    # Rule 1 (phone, 2 min) and rule 5 (complaint, 48 h) both match on one field: rule 1 is listed first.
    # Only rules 5 and 6 set a resolution limit; rule 5 matches one field, rule 6 none.
    assert limits_for(DEFAULT_SLA_RULES, "phone", "complaint", "normal") == (2, 72 * 60)
    assert limits_for(DEFAULT_SLA_RULES, "chat", "tech_support", "high") == (2, 120 * 60)   # rule 2 before rule 3
    assert limits_for(DEFAULT_SLA_RULES, "email", "tech_support", "low") == (60, 120 * 60)
    assert limits_for(DEFAULT_SLA_RULES, "web", "after_sales", "normal") == (24 * 60, 120 * 60)
    assert limits_for(DEFAULT_SLA_RULES, "email", "inquiry", "normal") == (24 * 60, 120 * 60)


def test_sql_limits_match_python_for_every_combination(store, put):
    rules = [
        SlaRule(channel="phone", first_response_min=2),
        SlaRule(channel="phone", type="complaint", first_response_min=10),   # more specific than rule 1
        SlaRule(priority="urgent", resolution_min=240),                      # sets only a resolution limit
        SlaRule(type="complaint", priority="urgent", first_response_min=5),
        SlaRule(type="complaint", first_response_min=48 * 60, resolution_min=72 * 60),
        SlaRule(channel="email", resolution_min=100),
        SlaRule(first_response_min=24 * 60),                                 # nothing sets resolution otherwise
        SlaRule(channel="email", type="complaint", priority="normal", resolution_min=50),  # last, most specific
    ]
    set_sla_rules(store, rules)
    combos = list(itertools.product(CHANNELS, TYPES, PRIORITIES))
    put("tickets", [{"ticket_id": f"t{i}", "created_at": T(2025, 3, 1), "channel": c, "type": t, "priority": p}
                    for i, (c, t, p) in enumerate(combos)])
    got = {(r["channel"], r["type"], r["priority"]): (r["frt_limit_min"], r["res_limit_min"])
           for r in ticket_limits(store).to_pylist()}
    assert len(got) == len(combos)
    for combo in combos:
        assert got[combo] == limits_for(rules, *combo), combo
    # Spot checks worked out by hand:
    assert got[("phone", "complaint", "urgent")] == (10, 240)   # 2 fields beat 1; (complaint, urgent) ties at 2, rule 2 first
    assert got[("chat", "complaint", "urgent")] == (5, 240)      # rule 4 (2 fields) beats rule 5 (1 field)
    assert got[("email", "complaint", "urgent")] == (5, 240)     # resolution: rules 3, 5, 6 tie at 1 field; rule 3 first
    assert got[("web", "inquiry", "low")] == (24 * 60, None)     # no rule sets a resolution limit
    assert got[("email", "complaint", "normal")] == (48 * 60, 50)  # 3 fields beat the earlier 1-field rules


def test_ticket_limits_due_times(store, put):
    put("tickets", [{"ticket_id": "pc", "created_at": T(2025, 3, 1, 9), "channel": "phone", "type": "complaint"}])
    row = ticket_limits(store).to_pylist()[0]
    assert row["frt_due_at"] == T(2025, 3, 1, 9, 2)
    assert row["res_due_at"] == T(2025, 3, 4, 9)


# ---------------------------------------------------------------- ticket SLA and duration indicators

SLA_TICKETS = [
    # phone inquiry: frt 1.5 min (limit 2: met), resolved after 1 h (limit 120 h: met)
    {"ticket_id": "P1", "created_at": T(2025, 3, 1, 9), "first_response_at": T(2025, 3, 1, 9, 1, 30),
     "resolved_at": T(2025, 3, 1, 10), "channel": "phone", "type": "inquiry"},
    # phone inquiry: frt exactly 2 min (met), resolved after 144 h (breached)
    {"ticket_id": "P2", "created_at": T(2025, 3, 2, 9), "first_response_at": T(2025, 3, 2, 9, 2),
     "resolved_at": T(2025, 3, 8, 9), "channel": "phone", "type": "inquiry"},
    # phone complaint: frt 5 min > 2 (breached; but within the 48 h complaint window), resolved in 48 h (72 h: met)
    {"ticket_id": "P3", "created_at": T(2025, 3, 3, 9), "first_response_at": T(2025, 3, 3, 9, 5),
     "resolved_at": T(2025, 3, 5, 9), "channel": "phone", "type": "complaint"},
    # chat inquiry created 1 min before as-of, no response yet: still inside its 2 min, left out everywhere
    {"ticket_id": "C1", "created_at": T(2025, 3, 31, 12, 29), "channel": "chat", "type": "inquiry"},
    # chat inquiry never answered, 21 days old: frt breached, resolution breached
    {"ticket_id": "C2", "created_at": T(2025, 3, 10, 9), "channel": "chat", "type": "inquiry"},
    # email complaint 24 h old, unanswered: inside 48 h and 72 h, left out everywhere
    {"ticket_id": "E1", "created_at": T(2025, 3, 30, 12, 30), "channel": "email", "type": "complaint"},
    # email complaint answered after 72 h (48 h limit breached), never resolved and > 72 h old (breached)
    {"ticket_id": "E2", "created_at": T(2025, 3, 20, 9), "first_response_at": T(2025, 3, 23, 9),
     "channel": "email", "type": "complaint"},
    # email inquiry answered in 30 min (24 h: met); its first response 12:30 is the latest timestamp = as of
    {"ticket_id": "Z", "created_at": T(2025, 3, 31, 12), "first_response_at": T(2025, 3, 31, 12, 30),
     "channel": "email", "type": "inquiry"},
]


def test_as_of_is_latest_ticket_timestamp(store, put):
    put("tickets", SLA_TICKETS)
    assert as_of(store) == T(2025, 3, 31, 12, 30)
    put("tickets", [{"ticket_id": "late", "created_at": T(2025, 1, 1), "closed_at": T(2025, 4, 2, 8)}])
    assert as_of(store) == T(2025, 4, 2, 8)   # closed_at counts too


def test_sla_rates_leave_out_tickets_inside_their_limit(store, put):
    put("tickets", SLA_TICKETS)
    row = one(store)
    assert row["tickets"] == 8
    # met P1, P2, Z; breached P3, C2, E2; C1 and E1 are inside their limits.
    assert row["frt_sla_rate"] == pytest.approx(3 / 6)
    assert row["n"]["frt_sla_rate"] == 6
    # met P1, P3; breached P2, C2, E2; C1, E1 and Z are still inside their limits.
    assert row["resolution_sla_rate"] == pytest.approx(2 / 5)
    assert row["n"]["resolution_sla_rate"] == 5
    # complaints P3 (5 min: met), E2 (72 h: breached), E1 left out.
    assert row["complaint_response_rate_48h"] == pytest.approx(1 / 2)
    assert row["n"]["complaint_response_rate_48h"] == 2
    # P3 resolved in 48 h (met), E2 unresolved for > 72 h (breached), E1 left out.
    assert row["complaint_resolution_rate_72h"] == pytest.approx(1 / 2)
    assert row["n"]["complaint_resolution_rate_72h"] == 2
    assert row["complaint_rate"] == pytest.approx(3 / 8)
    assert row["resolution_rate"] == pytest.approx(3 / 8)   # P1, P2, P3


def test_frt_and_art_quantiles(store, put):
    put("tickets", SLA_TICKETS)
    row = one(store)
    # first-response minutes: P1 1.5, P2 2, P3 5, Z 30, E2 4320 -> median 5;
    # P90 at position 0.9 * 4 = 3.6 -> 30 + 0.6 * (4320 - 30) = 2604
    assert row["frt_median_min"] == pytest.approx(5)
    assert row["frt_p90_min"] == pytest.approx(2604)
    assert row["n"]["frt_median_min"] == 5
    # resolution hours: P1 1, P3 48, P2 144 -> median 48; P90 at 1.8 -> 48 + 0.8 * 96 = 124.8
    assert row["art_median_h"] == pytest.approx(48)
    assert row["art_p90_h"] == pytest.approx(124.8)
    assert row["n"]["art_p90_h"] == 3


def test_even_count_median_with_ties(store, put):
    def tk(i, month, minutes):
        created = T(2025, month, 1, 8)
        return {"ticket_id": f"m{month}-{i}", "created_at": created, "channel": "email", "type": "inquiry",
                "first_response_at": T(2025, month, 1, 8 + minutes // 60, minutes % 60)}

    put("tickets", [tk(i, 1, m) for i, m in enumerate([2, 4, 4, 10])] +
        [tk(i, 2, m) for i, m in enumerate([1, 3, 6, 10])])
    jan, feb = kpi_rows(store, ALL, ("month",), ["frt_median_min", "frt_p90_min"])
    assert (jan["month"], feb["month"]) == ("2025-01", "2025-02")
    # January 2, 4, 4, 10: median (4 + 4) / 2 = 4; P90 at 2.7 -> 4 + 0.7 * 6 = 8.2
    assert jan["frt_median_min"] == pytest.approx(4)
    assert jan["frt_p90_min"] == pytest.approx(8.2)
    # February 1, 3, 6, 10: median (3 + 6) / 2 = 4.5; P90 at 2.7 -> 6 + 0.7 * 4 = 8.8
    assert feb["frt_median_min"] == pytest.approx(4.5)
    assert feb["frt_p90_min"] == pytest.approx(8.8)
    assert jan["n"]["frt_median_min"] == 4


def test_fcr_reopen_escalation(store, put):
    base = {"created_at": T(2025, 3, 1, 9), "channel": "phone", "type": "inquiry"}
    done = T(2025, 3, 1, 12)
    put("tickets", [
        {**base, "ticket_id": "r1", "resolved_at": done, "contacts": 1, "reopen_count": 0, "escalated": False},
        {**base, "ticket_id": "r2", "resolved_at": done, "contacts": 2, "reopen_count": 0, "escalated": True},
        {**base, "ticket_id": "r3", "resolved_at": done, "contacts": None, "reopen_count": 0},
        {**base, "ticket_id": "r4", "resolved_at": done, "contacts": 1, "reopen_count": 1},
        {**base, "ticket_id": "u1", "contacts": 1, "reopen_count": 2},
        {**base, "ticket_id": "u2", "escalated": True},
    ])
    row = one(store)
    assert row["fcr_rate"] == pytest.approx(1 / 3)        # r1 of r1, r2, r4 (r3's contacts unknown)
    assert row["n"]["fcr_rate"] == 3
    assert row["reopen_rate"] == pytest.approx(2 / 4)     # r4 and u1 reopened ÷ 4 resolved (SPEC literal)
    assert row["n"]["reopen_rate"] == 4
    assert row["escalation_rate"] == pytest.approx(2 / 6)
    assert row["resolution_rate"] == pytest.approx(4 / 6)
    assert row["complaint_rate"] == 0.0                   # tickets exist, none is a complaint: 0, not no data


def test_fcr_without_known_contacts_is_no_data(store, put):
    put("tickets", [{"ticket_id": "x", "created_at": T(2025, 3, 1), "resolved_at": T(2025, 3, 2)}])
    row = one(store)
    assert row["fcr_rate"] is None and row["n"]["fcr_rate"] == 0
    assert row["resolution_rate"] == 1.0


# ---------------------------------------------------------------- grouping and filters on tickets

GROUP_TICKETS = [
    {"ticket_id": "a", "created_at": T(2025, 1, 5), "channel": "phone", "channel_raw": "电话", "team": "A"},
    {"ticket_id": "b", "created_at": T(2025, 1, 6), "channel": "chat", "channel_raw": "在线客服", "team": "A",
     "type": "complaint"},
    {"ticket_id": "c", "created_at": T(2025, 1, 7), "channel": "email", "team": "A"},
    {"ticket_id": "d", "created_at": T(2025, 1, 8), "channel": "phone", "channel_raw": "Phone", "team": "B"},
    {"ticket_id": "e", "created_at": T(2025, 2, 5), "channel": "phone", "channel_raw": "电话", "team": "A",
     "type": "complaint"},
    {"ticket_id": "f", "created_at": T(2025, 2, 6), "channel": "chat", "team": "B"},
    {"ticket_id": "g", "created_at": T(2025, 2, 7), "channel": "phone", "team": None},
    {"ticket_id": "h", "created_at": T(2025, 3, 1), "channel": "phone", "team": "A"},
]


def test_group_by_month_and_team_with_filter(store, put):
    put("tickets", GROUP_TICKETS)
    f = Filter.from_pairs("2025-01", "2025-02", ["channel=phone", "channel=chat"])
    rows = kpi_rows(store, f, ("month", "team"), ["tickets", "complaint_rate"])
    got = [(r["month"], r["team"], r["tickets"], r["complaint_rate"]) for r in rows]
    # c is email, h is in March: both filtered out. The unknown team sorts last within its month.
    assert got == [
        ("2025-01", "A", 2, pytest.approx(1 / 2)),   # a, b (b complaint)
        ("2025-01", "B", 1, 0.0),                    # d
        ("2025-02", "A", 1, 1.0),                    # e complaint
        ("2025-02", "B", 1, 0.0),                    # f
        ("2025-02", None, 1, 0.0),                   # g
    ]


def test_or_within_field_and_across_fields(store, put):
    put("tickets", GROUP_TICKETS)
    f = Filter.from_pairs(None, None, ["channel=phone", "team=A", "channel=chat"])
    assert one(store, f, ["tickets"])["tickets"] == 4   # a, b, e, h: phone or chat, and team A


def test_raw_value_filter(store, put):
    put("tickets", GROUP_TICKETS)
    # 电话 is the raw label of a and e; d is phone too but was written "Phone".
    assert one(store, Filter.from_pairs(None, None, ["channel=电话"]), ["tickets"])["tickets"] == 2
    assert one(store, Filter.from_pairs(None, None, ["channel=phone"]), ["tickets"])["tickets"] == 5


def test_group_by_type_and_month_period(store, put):
    put("tickets", GROUP_TICKETS)
    rows = kpi_rows(store, Filter("2025-02", "2025-03"), ("type",), ["tickets"])
    assert [(r["type"], r["tickets"]) for r in rows] == [("complaint", 1), ("other", 3)]   # e | f, g, h


# ---------------------------------------------------------------- surveys

SURVEY_TICKETS = [
    {"ticket_id": "T1", "created_at": T(2025, 3, 1, 8), "channel": "phone", "channel_raw": "电话", "team": "A",
     "agent": "a1", "type": "complaint"},
    {"ticket_id": "T2", "created_at": T(2025, 3, 2, 8), "channel": "chat", "team": "B", "agent": "b1",
     "type": "inquiry"},
]
SURVEYS = [
    {"survey_id": "s1", "ticket_id": "T1", "sent_at": T(2025, 3, 1), "responded_at": T(2025, 3, 2),
     "csat": 5, "nps": 9},
    {"survey_id": "s2", "ticket_id": "T1", "sent_at": T(2025, 3, 3), "responded_at": T(2025, 4, 1),
     "csat": 3, "nps": 7},
    {"survey_id": "s3", "ticket_id": "T2", "sent_at": T(2025, 3, 5), "responded_at": T(2025, 3, 6),
     "csat": 4, "nps": 6},
    {"survey_id": "s4", "sent_at": T(2025, 3, 7), "channel": "email", "team": "C"},                 # not answered
    {"survey_id": "s5", "responded_at": T(2025, 3, 8), "csat": 1, "nps": 0, "channel": "phone",
     "team": "A"},                                                                                # no invitation
    {"survey_id": "s6", "ticket_id": "T2", "sent_at": T(2025, 3, 9), "ces": 2, "team": "C"},        # answered (ces)
]


def test_survey_indicators_by_month(store, put):
    put("tickets", SURVEY_TICKETS)
    put("surveys", SURVEYS)
    keys = ["csat_rate", "csat_mean", "nps", "survey_response_rate"]
    mar, apr = kpi_rows(store, ALL, ("month",), keys)
    # March answers (by responded_at): s1 csat 5 nps 9, s3 csat 4 nps 6, s5 csat 1 nps 0: promoters 1, detractors 2.
    assert mar["csat_rate"] == pytest.approx(2 / 3)
    assert mar["csat_mean"] == pytest.approx(10 / 3)
    assert mar["nps"] == pytest.approx(100 * (1 - 2) / 3)
    assert mar["n"]["nps"] == 3
    # March invitations (by sent_at): s1, s2, s3, s4, s6; answered s1, s2, s3, s6.
    assert mar["survey_response_rate"] == pytest.approx(4 / 5)
    assert mar["n"]["survey_response_rate"] == 5
    # April: only s2's answer (csat 3, nps 7: passive); no invitation sent in April.
    assert (apr["csat_rate"], apr["csat_mean"], apr["nps"]) == (0.0, 3.0, 0.0)
    assert apr["survey_response_rate"] is None and apr["n"]["survey_response_rate"] == 0


def test_survey_dims_from_linked_ticket(store, put):
    put("tickets", SURVEY_TICKETS)
    put("surveys", SURVEYS)
    keys = ["csat_rate", "survey_response_rate"]
    team_a = one(store, Filter.from_pairs("2025-03", "2025-03", ["team=A"]), keys)
    # team A: s1 and s2 through ticket T1, s5 on its own. March answers s1 (5), s5 (1); invitations s1, s2.
    assert team_a["csat_rate"] == pytest.approx(1 / 2)
    assert team_a["survey_response_rate"] == 1.0
    # s6 names its own team C, which wins over T2's team B: invitations s4 (unanswered) and s6 (answered).
    team_c = one(store, Filter.from_pairs("2025-03", "2025-03", ["team=C"]), keys)
    assert team_c["survey_response_rate"] == pytest.approx(1 / 2)
    assert team_c["csat_rate"] is None
    # type comes only from the ticket: complaint -> s1 (March) and s2 (April); s5 has no ticket.
    rows = kpi_rows(store, Filter.from_pairs(None, None, ["type=complaint"]), ("month",), ["csat_mean"])
    assert [(r["month"], r["csat_mean"]) for r in rows] == [("2025-03", 5.0), ("2025-04", 3.0)]
    # channel=电话 matches T1's raw label (s1, s2 inherit it); s5 says phone itself, without that label.
    raw = one(store, Filter.from_pairs(None, None, ["channel=电话"]), ["csat_mean"])
    assert raw["csat_mean"] == pytest.approx((5 + 3) / 2)
    assert one(store, Filter.from_pairs(None, None, ["channel=phone"]), ["csat_mean"])["csat_mean"] == (
        pytest.approx((5 + 3 + 1) / 3))
    # by team: s3's answer belongs to B through T2.
    by_team = {r["team"]: r["csat_mean"] for r in kpi_rows(store, ALL, ("team",), ["csat_mean"])}
    assert by_team == {"A": pytest.approx((5 + 3 + 1) / 3), "B": 4.0, "C": None}


# ---------------------------------------------------------------- QA

def qa_rows():
    def r(ev, crit, score, mx, when, agent, ticket=None, weight=None, critical=False):
        return {"evaluation_id": ev, "criterion": crit, "score": score, "max_score": mx, "evaluated_at": when,
                "agent": agent, "ticket_id": ticket, "weight": weight, "critical": critical}
    mar, apr = T(2025, 3, 31), T(2025, 4, 2)
    return [
        # E1: 100 * (2*8 + 1*5 + 1*5) / (2*10 + 1*10 + 1*5) = 2600/35; its critical item is at full marks.
        r("E1", "greet", 8, 10, mar, "a1", "T1", weight=2),
        r("E1", "accuracy", 5, 10, mar, "a1", "T1"),
        r("E1", "compliance", 5, 5, mar, "a1", "T1", critical=True),
        # E2: a critical item at 4 of 5 -> the evaluation scores 0 although the rest is perfect.
        r("E2", "greet", 10, 10, mar, "b1"),
        r("E2", "compliance", 4, 5, mar, "b1", critical=True),
        # E3: dated by its earliest row (March); 100 * (1*9 + 3*1) / (1*10 + 3*10) = 30.
        r("E3", "greet", 9, 10, mar, "c1", weight=1),
        r("E3", "accuracy", 1, 10, apr, "c1", weight=3),
        # E4: April, 100.
        r("E4", "greet", 10, 10, apr, "a1", "T1"),
    ]


def test_qa_score_weights_and_critical_fail(store, put):
    put("tickets", [
        {"ticket_id": "T1", "created_at": T(2025, 3, 1), "channel": "phone", "team": "A", "agent": "a1"},
        # c1 is on no roster: its usual ticket team is C (2 tickets) over D (1).
        {"ticket_id": "c-1", "created_at": T(2025, 3, 1), "agent": "c1", "team": "C"},
        {"ticket_id": "c-2", "created_at": T(2025, 3, 2), "agent": "c1", "team": "C"},
        {"ticket_id": "c-3", "created_at": T(2025, 3, 3), "agent": "c1", "team": "D"},
        {"ticket_id": "b-1", "created_at": T(2025, 3, 3), "agent": "b1", "team": "D"},
    ])
    put("agents", [{"agent": "b1", "team": "B"}])   # the roster beats b1's usual ticket team D
    put("qa", qa_rows())
    keys = ["qa_score", "qa_critical_fail_rate"]
    mar, apr = kpi_rows(store, ALL, ("month",), keys)
    assert mar["qa_score"] == pytest.approx((2600 / 35 + 0 + 30) / 3)
    assert mar["qa_critical_fail_rate"] == pytest.approx(1 / 3)
    assert mar["n"]["qa_score"] == 3
    assert apr["qa_score"] == pytest.approx(100)
    assert apr["qa_critical_fail_rate"] == 0.0
    march = Filter("2025-03", "2025-03")
    by_team = {r["team"]: (r["qa_score"], r["qa_critical_fail_rate"]) for r in kpi_rows(store, march, ("team",), keys)}
    assert by_team["A"] == (pytest.approx(2600 / 35), 0.0)
    assert by_team["B"] == (0.0, 1.0)
    assert by_team["C"] == (pytest.approx(30), 0.0)
    assert set(by_team) == {"A", "B", "C"}   # b1's usual ticket team D loses to the roster
    # channel comes from the linked ticket: only E1 and E4 have one.
    assert one(store, Filter.from_pairs(None, None, ["channel=phone"]), keys)["qa_score"] == pytest.approx(
        (2600 / 35 + 100) / 2)


# ---------------------------------------------------------------- training

def test_training_pass_rate(store, put):
    put("tickets", [{"ticket_id": "x", "created_at": T(2025, 3, 1), "agent": "c1", "team": "C"}])
    put("agents", [{"agent": "a1", "team": "A"}])
    when = [T(2025, 3, d) for d in range(5, 11)]
    put("training", [
        {"agent": "a1", "course": "X", "assessed_at": when[0], "score": 70},                        # 70 >= 60
        {"agent": "a1", "course": "Y", "assessed_at": when[1], "score": 55, "pass_mark": 50},       # pass
        {"agent": "b1", "course": "X", "assessed_at": when[2], "score": 90, "pass_mark": 95, "team": "B"},  # fail
        {"agent": "b1", "course": "Z", "assessed_at": when[3], "passed": True, "team": "B"},        # pass
        {"agent": "c1", "course": "X", "assessed_at": when[4], "score": 80, "passed": False},       # flag wins
        {"agent": "c1", "course": "W", "assessed_at": when[5]},                                     # no result
    ])
    row = one(store, ALL, ["training_pass_rate"])
    assert row["training_pass_rate"] == pytest.approx(3 / 5)
    assert row["n"]["training_pass_rate"] == 5
    by_team = {r["team"]: r["training_pass_rate"] for r in kpi_rows(store, ALL, ("team",), ["training_pass_rate"])}
    assert by_team == {"A": 1.0, "B": pytest.approx(1 / 2), "C": 0.0}   # a1 via roster, c1 via tickets


# ---------------------------------------------------------------- actions

ANCHOR = [{"ticket_id": "anchor", "created_at": T(2025, 3, 31, 12), "first_response_at": T(2025, 3, 31, 12, 30)}]
ACTIONS = [
    {"action_id": "A1", "title": "t", "due_date": date(2025, 3, 10), "completed_at": date(2025, 3, 9),
     "status": "done", "scope": "team=售后组"},                           # on time
    {"action_id": "A2", "title": "t", "due_date": date(2025, 3, 15), "completed_at": date(2025, 3, 20),
     "status": "done", "scope": "渠道=电话"},                              # late
    {"action_id": "A3", "title": "t", "due_date": date(2025, 3, 20), "status": "in_progress",
     "scope": "所属班组=售后组; 业务类型=投诉"},                             # overdue as of 2025-03-31
    {"action_id": "A4", "title": "t", "due_date": date(2025, 3, 25), "status": "cancelled",
     "scope": "team=售后组"},                                             # never counts
    {"action_id": "A5", "title": "t", "due_date": date(2025, 4, 30), "status": "in_progress"},  # not due yet
    {"action_id": "A6", "title": "t", "due_date": date(2025, 3, 31), "status": "in_progress"},  # due on as-of day
    {"action_id": "A7", "title": "t", "due_date": date(2025, 2, 10), "completed_at": date(2025, 2, 10),
     "status": "verified", "scope": "channel=phone"},                    # on the due day: on time
]


def test_action_on_time_rate(store, put):
    put("tickets", ANCHOR)
    put("actions", ACTIONS)
    row = one(store, ALL, ["action_on_time_rate"])
    assert row["action_on_time_rate"] == pytest.approx(2 / 4)     # A1, A7 of A1, A2, A3, A7
    assert row["n"]["action_on_time_rate"] == 4
    march = one(store, Filter("2025-03", "2025-03"), ["action_on_time_rate"])
    assert march["action_on_time_rate"] == pytest.approx(1 / 3)  # A1 of A1, A2, A3
    rate = lambda pairs: one(store, Filter.from_pairs(None, None, pairs), ["action_on_time_rate"])
    assert rate(["team=售后组"])["action_on_time_rate"] == pytest.approx(1 / 2)   # A1, A3
    assert rate(["channel=phone"])["action_on_time_rate"] == pytest.approx(1 / 2)  # A2 (电话), A7
    assert rate(["channel=电话"])["action_on_time_rate"] == 0.0                    # A2 as written
    assert rate(["type=complaint", "team=售后组"])["action_on_time_rate"] == 0.0    # A3
    assert rate(["category=billing"])["action_on_time_rate"] is None
    by_team = {r["team"]: r["action_on_time_rate"]
               for r in kpi_rows(store, ALL, ("team",), ["action_on_time_rate"])}
    assert by_team == {"售后组": pytest.approx(1 / 2), None: pytest.approx(1 / 2)}


def test_parse_scope():
    assert parse_scope("所属班组=售后组; 渠道=电话") == {"team": ["售后组"], "channel": ["phone"]}
    assert parse_scope("业务类型=投诉 & 紧急程度=紧急") == {"type": ["complaint"], "priority": ["urgent"]}
    assert parse_scope("channel=phone,team=一组") == {"channel": ["phone"], "team": ["一组"]}
    assert parse_scope("渠道=在线客服") == {"channel": ["chat"]}
    assert parse_scope("问题分类=账单；坐席=张伟") == {"category": ["账单"], "agent": ["张伟"]}
    assert parse_scope("渠道=电话、在线客服") == {"channel": ["phone", "chat"]}
    assert parse_scope("") == {} and parse_scope(None) == {}
    with pytest.raises(InputRefused, match="channel"):
        parse_scope("部门经理=王")
    with pytest.raises(InputRefused, match="FIELD=VALUE"):
        parse_scope("售后组")


# ---------------------------------------------------------------- SERVQUAL

def sq(respondent, when, gaps, weights=None):
    """Return a servqual row; gaps maps item -> (E, P)."""
    row = {"respondent_id": respondent, "responded_at": when}
    for item, (e, p) in gaps.items():
        row[f"e_{item}"], row[f"p_{item}"] = e, p
    for dim, w in zip(("tangibles", "reliability", "responsiveness", "assurance", "empathy"), weights or [None] * 5):
        row[f"w_{dim}"] = None if w is None else float(w)
    return row


def servqual_rows():
    ep = {"t": (5, 4), "r": (6, 4), "s": (5, 5), "a": (4, 5), "m": (6, 3)}
    items = {"t": 4, "r": 5, "s": 4, "a": 4, "m": 5}
    # R1 gaps per dimension -1, -2, 0, +1, -3; points 10/40/20/10/20:
    # weighted 0.1*-1 + 0.4*-2 + 0 + 0.1*1 + 0.2*-3 = -1.4 (equal weights would give -1.0).
    r1 = sq("R1", T(2025, 1, 10), {f"{d}{i}": ep[d] for d in items for i in range(1, items[d] + 1)},
            [10, 40, 20, 10, 20])
    # R2 gave no points and answered only t1 (+2), t2 (+1) and r1 (0); t3 lacks E and t4 lacks P:
    # tangibles 1.5, reliability 0 -> equal weights over the two = 0.75.
    r2 = sq("R2", T(2025, 2, 10), {"t1": (4, 6), "t2": (4, 5), "t3": (None, 5), "t4": (6, None), "r1": (6, 6)})
    # R3: tangibles +2, the rest 0; points sum to 90, not 100 -> equal weights: 2/5 = 0.4
    # (the points as given would make 1.2, renormalised 1.33).
    r3 = sq("R3", T(2025, 3, 10), {f"{d}{i}": (3, 5) if d == "t" else (4, 4)
                                   for d in items for i in range(1, items[d] + 1)}, [60, 10, 10, 5, 5])
    return [r1, r2, r3]


def test_servqual_gap_weighted(store, put):
    put("servqual", servqual_rows())
    row = one(store, ALL, ["servqual_gap"])
    assert row["servqual_gap"] == pytest.approx((-1.4 + 0.75 + 0.4) / 3)
    assert row["n"]["servqual_gap"] == 3
    months = kpi_rows(store, ALL, ("month",), ["servqual_gap"])
    assert [(r["month"], r["servqual_gap"]) for r in months] == [
        ("2025-01", pytest.approx(-1.4)), ("2025-02", pytest.approx(0.75)), ("2025-03", pytest.approx(0.4))]


def test_servqual_summary_weighted_vs_unweighted(store, put):
    put("servqual", servqual_rows())
    got = servqual_summary(store, ALL)
    dims = {d["dimension"]: d for d in got["dimensions"]}
    assert list(dims) == ["tangibles", "reliability", "responsiveness", "assurance", "empathy"]
    # tangibles item means (E, P): t1 (4, 5), t2 (4, 14/3), t3 (4, 4.5), t4 (4, 4.5); R2 counts in t1, t2 only
    assert dims["tangibles"]["expectation"] == pytest.approx(4)
    assert dims["tangibles"]["perception"] == pytest.approx(14 / 3)
    assert dims["tangibles"]["gap"] == pytest.approx(2 / 3)
    assert dims["tangibles"]["n"] == 3
    # reliability: r1 (16/3, 14/3), r2..r5 (5, 4) -> E 76/15, P 62/15, gap -14/15
    assert dims["reliability"]["expectation"] == pytest.approx(76 / 15)
    assert dims["reliability"]["perception"] == pytest.approx(62 / 15)
    assert dims["reliability"]["gap"] == pytest.approx(-14 / 15)
    assert dims["reliability"]["n"] == 3
    # R1 and R3 only: responsiveness (5, 5) (4, 4); assurance (4, 5) (4, 4); empathy (6, 3) (4, 4)
    assert dims["responsiveness"]["gap"] == 0.0 and dims["responsiveness"]["n"] == 2
    assert dims["assurance"]["gap"] == pytest.approx(0.5)
    assert (dims["empathy"]["expectation"], dims["empathy"]["perception"]) == (5.0, 3.5)
    assert dims["empathy"]["gap"] == pytest.approx(-1.5)
    # (2/3 - 14/15 + 0 + 1/2 - 3/2) / 5 = -19/75
    assert got["unweighted_gap"] == pytest.approx(-19 / 75)
    assert got["weighted_gap"] == pytest.approx((-1.4 + 0.75 + 0.4) / 3)
    assert got["respondents"] == 3


def test_servqual_lacks_other_dimensions(store, put):
    put("servqual", servqual_rows())
    f = Filter.from_pairs(None, None, ["team=A"])
    assert one(store, f, ["servqual_gap"])["servqual_gap"] is None
    got = servqual_summary(store, f)
    assert got["respondents"] == 0 and got["weighted_gap"] is None
    assert all(d["gap"] is None and d["n"] == 0 for d in got["dimensions"])
    assert servqual_summary(store, Filter("2025-03", "2025-03"))["weighted_gap"] == pytest.approx(0.4)


def test_servqual_points_renormalised_over_answered_dimensions(store, put):
    # Valid points 50/30/20/0/0, but only tangibles (+1) and responsiveness (-1) answered:
    # (50 * 1 + 20 * -1) / (50 + 20) = 3/7 (equal weights would give 0).
    put("servqual", [sq("R4", T(2025, 4, 1), {"t1": (4, 5), "s1": (5, 4)}, [50, 30, 20, 0, 0])])
    assert one(store, ALL, ["servqual_gap"])["servqual_gap"] == pytest.approx(3 / 7)


# ---------------------------------------------------------------- dimensions a kind lacks

def test_missing_dimension_gives_no_data(store, put):
    put("tickets", [{"ticket_id": "x", "created_at": T(2025, 3, 1), "channel": "phone", "agent": "a1", "team": "A"}])
    put("training", [{"agent": "a1", "course": "X", "assessed_at": T(2025, 3, 5), "score": 70}])
    put("servqual", servqual_rows())
    keys = ["tickets", "training_pass_rate", "servqual_gap"]
    # training has no channel: a channel filter shows no data instead of being ignored.
    row = one(store, Filter.from_pairs(None, None, ["channel=phone"]), keys)
    assert (row["tickets"], row["training_pass_rate"], row["servqual_gap"]) == (1, None, None)
    # grouped by channel: training and servqual take part in no group.
    rows = kpi_rows(store, ALL, ("channel",), keys)
    assert [(r["channel"], r["tickets"], r["training_pass_rate"], r["servqual_gap"]) for r in rows] == [
        ("phone", 1, None, None)]
    # grouped by team: training has a team (a1's usual ticket team A), servqual still none.
    rows = kpi_rows(store, ALL, ("team",), keys)
    assert [(r["team"], r["training_pass_rate"], r["servqual_gap"]) for r in rows] == [("A", 1.0, None)]


def test_group_fields_are_the_spec_ones():
    # SPEC §6 --by fields, with the day and ISO week of issue 13, and the queue of calls (issue 20).
    assert GROUP_FIELDS == ("month", "week", "day", "channel", "team", "type", "category", "priority", "agent",
                            "queue")


def test_union_of_groups_over_kinds(store, put):
    put("tickets", [{"ticket_id": "x", "created_at": T(2025, 1, 3)}])
    put("training", [{"agent": "a1", "course": "X", "assessed_at": T(2025, 2, 5), "score": 70}])
    rows = kpi_rows(store, ALL, ("month",), ["tickets", "training_pass_rate"])
    assert [(r["month"], r["tickets"], r["training_pass_rate"]) for r in rows] == [
        ("2025-01", 1, None), ("2025-02", 0, 1.0)]
    assert rows[0]["n"] == {"tickets": 1, "training_pass_rate": 0}
    # the CLI prints this list with json as it is
    assert json.loads(json.dumps(rows))[1] == {"month": "2025-02", "tickets": 0, "training_pass_rate": 1.0,
                                               "n": {"tickets": 0, "training_pass_rate": 1}}


@pytest.mark.parametrize("clock", ["calendar", "business"])
def test_an_indicator_asked_alone_equals_it_asked_with_all_the_others(demo_copy, clock):
    """compute() reads out only the asked indicators and skips the SLA clock when none reads it: same figures."""
    from csq.metrics.engine import compute, needs_clock, ticket_query
    from csq.store import open_store
    from csq.store.settings import sla_rules

    store = open_store(demo_copy)
    try:
        # Every rule on the business calendar, so a wrongly skipped clock would change the figures.
        set_sla_rules(store, [replace(r, calendar="workdays_9_18") for r in sla_rules(store)], role="admin")
        keys = [k for k, ind in INDICATORS.items() if ind.kind == "tickets"]
        f = Filter("2025-01", "2025-06")
        everything = compute(store, f, ("month", "team"), keys, clock)
        for key in keys:
            alone = compute(store, f, ("month", "team"), [key], clock)
            assert [(r.groups, r.figure(key)) for r in alone] == [(r.groups, r.figure(key)) for r in everything], key
        assert not needs_clock(["tickets", "frt_median_min"]) and needs_clock(["resolution_rate"], "business")
        assert needs_clock(["resolution_sla_rate"]) and needs_clock(None)
        assert ticket_query(store, ("TRUE", []), "", "", None, "calendar", ["tickets"])[2] == {}
    finally:
        store.close()


def test_as_of_follows_every_import_and_rollback(store, put):
    """as_of is kept per data version: a new batch moves it, its rollback moves it back."""
    from csq.store.batches import rollback

    put("tickets", [{"ticket_id": "a", "created_at": datetime(2025, 3, 1, 9)}])
    assert as_of(store) == datetime(2025, 3, 1, 9)
    later = put("tickets", [{"ticket_id": "b", "created_at": datetime(2025, 4, 2, 10)}])
    assert as_of(store) == datetime(2025, 4, 2, 10)
    rollback(store, later, role="admin")
    assert as_of(store) == datetime(2025, 3, 1, 9)
