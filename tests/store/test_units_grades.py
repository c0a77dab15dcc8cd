"""Issue 13 in the library: durations sized to their unit, no '-0.0', capped ticket lists with their full count and
export, percentile grade bands, low-n SERVQUAL waves, and the PDCA stage an action moves to next."""
from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from csq.core.exports import to_csv_bytes
from csq.core.i18n import fmt_duration, fmt_fixed, fmt_trimmed
from csq.evaluation import scorecard as sc
from csq.evaluation import servqual
from csq.evaluation import tables as tb
from csq.improvement.actions import next_stage, stage_choices
from csq.metrics.display import format_value
from csq.metrics.filters import Filter
from csq.monitoring import tickets
from csq.store.settings import set_setting
from tests.store.test_servqual import _row
from tests.store.test_tickets import TICKETS

ALL = Filter()


# ---------------------------------------------------------------- units and signs

def test_a_duration_takes_the_unit_its_size_calls_for():
    assert fmt_duration(2, "en") == "2 min"
    assert fmt_duration(119, "en") == "119 min"                  # under 120 min: minutes
    assert fmt_duration(120, "en") == "2 h"
    assert fmt_duration(7200, "en") == "120 h"                   # the 120 h resolution limit, not 7200.0
    assert fmt_duration(3668 * 60, "en") == "152.8 d"            # 3668 h: 152.83 days
    assert fmt_duration(7 * 24 * 60 - 1, "en") == "168 h"        # just under a week stays in hours
    assert fmt_duration(0.5, "en") == "30 s"                     # under a minute: whole seconds
    assert fmt_duration(90.26, "en") == "90.3 min"
    assert fmt_duration(4320, "zh") == "72 小时" and fmt_duration(10, "zh") == "10 分钟"
    assert fmt_duration(None, "en") == "" and fmt_duration(float("nan"), "en") == ""


def test_no_number_shows_minus_zero():
    assert fmt_fixed(-0.04, 1, sign=True) == "0.0" and fmt_fixed(-0.04, 1) == "0.0"
    assert fmt_fixed(-0.06, 1, sign=True) == "-0.1" and fmt_fixed(1.26, 1, sign=True) == "+1.3"
    assert fmt_fixed(-0.004, 2, sign=True) == "0.00"
    assert fmt_trimmed(120.0) == "120" and fmt_trimmed(152.83) == "152.8" and fmt_trimmed(-0.01) == "0"
    assert tb.num(-0.04, "en", 1, sign=True) == "0.0"            # the scorecard's change column
    assert tb.num(-0.004, "en", sign=True) == "0.00"             # a SERVQUAL gap
    assert format_value("servqual_gap", -0.03, "en") == "0.0" and format_value("nps", 12.34, "en") == "+12.3"


def test_the_ticket_list_shows_limits_and_overruns_in_a_sized_unit(store, put):
    put("tickets", TICKETS)
    shown = {r["Ticket"]: r for r in tickets.display_table(tickets.sla_breaches(store, ALL), "en").to_pylist()}
    pc = shown["PHONE_COMPLAINT"]  # limits 2 min and 72 h; answered in 10 min, resolved in 80 h: 8 h late
    assert (pc["Response limit"], pc["Resolution limit"], pc["Response time"], pc["Resolution time"], pc["Over by"]) \
        == ("2 min", "72 h", "10 min", "80 h", "8 h")
    assert shown["LATE_RES"]["Resolution limit"] == "120 h" and shown["LATE_RES"]["Over by"] == "24 h"
    assert shown["FEB"]["Over by"] == "57.1 d"                   # 1371.5 h
    assert shown["OPEN_OLD"]["Over by"] == "8.1 d"               # 195.5 h
    assert shown["NO_RESP"]["Over by"] == "24 h"                 # 23 h 58 min
    assert shown["NO_RESP"]["Response time"] is None             # never answered: an empty cell
    detail = tickets.detail_rows(shown["NO_RESP"], "en")
    values = {r["Field"]: r["Value"] for r in detail}
    assert values["First response"] == "" and values["Resolution limit"] == "120 h"
    assert not {"None", "nan", "NaT"} & set(values.values())
    zh = tickets.display_table(tickets.sla_breaches(store, ALL), "zh").to_pylist()
    assert {r["解决时限"] for r in zh} == {"72 小时", "120 小时"}


# ---------------------------------------------------------------- capped lists

def test_a_capped_list_knows_its_total_and_the_full_export_has_every_row(store, put, monkeypatch):
    put("tickets", TICKETS)
    monkeypatch.setattr(tickets, "LIST_LIMIT", 4)
    # Six tickets breached a limit (test_tickets.test_breaches_any), two are overdue and open.
    shown = tickets.ticket_list(store, ALL, "breached", False)
    assert shown.num_rows == 4 and tickets.ticket_total(store, ALL, "breached") == 6
    assert tickets.ticket_total(store, ALL, "overdue") == 2
    assert tickets.ticket_total(store, Filter("2025-02", "2025-02"), "breached") == 1  # FEB only
    rows = list(csv.DictReader(io.StringIO(tickets.ticket_export(store, ALL, "breached", False).decode("utf-8-sig"))))
    assert [r["ticket_id"] for r in rows] == ["FEB", "OPEN_OLD", "LATE_RES", "NO_RESP", "PHONE_COMPLAINT", "LATE_FRT"]
    no_resp = next(r for r in rows if r["ticket_id"] == "NO_RESP")
    assert (no_resp["customer_phone"], no_resp["customer_name"], no_resp["customer_id"]) == \
        ("138****5678", "张**", "C1****67")  # masked as on screen
    # The export's first rows are exactly the shown list's CSV: the same masking, the same order.
    head = to_csv_bytes(shown).decode("utf-8-sig").splitlines()
    assert tickets.ticket_export(store, ALL, "breached", False).decode("utf-8-sig").splitlines()[:5] == head
    raw = tickets.ticket_export(store, ALL, "breached", True).decode("utf-8-sig")
    assert "13812345678" in raw and "张三丰" in raw


# ---------------------------------------------------------------- grades

def test_percentiles_and_cutoffs_by_hand():
    assert sc.percentile(80.0, [80.0, 83.3]) == 25 and sc.percentile(83.3, [80.0, 83.3]) == 75
    assert sc.percentile(90.0, [90.0, 90.0, 80.0]) == pytest.approx(100 * 2 / 3)  # (1 below + ½ × 2 equal) ÷ 3
    # Four scores: percentiles 12.5, 37.5, 62.5, 87.5 → one per grade.
    cut = sc.cutoffs([70.0, 80.0, 90.0, 100.0], sc.DEFAULT_BANDS)
    assert cut == {"excellent": 100.0, "good": 90.0, "pass": 80.0}
    assert [sc.grade(s, cut) for s in (100, 95, 90, 85, 80, 70)] == ["excellent", "good", "good", "pass", "pass",
                                                                     "improve"]
    assert sc.cutoffs([50.0], sc.DEFAULT_BANDS)["excellent"] == float("inf")  # one row is at the 50th percentile


def test_ten_rows_spread_two_three_three_two():
    rows = [{"agent": f"a{i}", "score": float(i), "ranked": True, "grade": None} for i in range(1, 11)]
    cut = sc.cutoffs(sc.reference_scores(rows), sc.DEFAULT_BANDS)
    for r in rows:
        r["grade"] = sc.grade(r["score"], cut)
    # Percentiles 5, 15, …, 95: two reach 80, three more 50, three more 20, two stay below.
    assert sc.grade_counts(rows) == {"excellent": 2, "good": 3, "pass": 3, "improve": 2}
    assert tb.grade_note(rows, sc.DEFAULT_BANDS, "en") == (
        "Grades (10 rows): Excellent 2, Good 3, Satisfactory 3, Needs improvement 2. "
        "This period's cut-offs: Excellent ≥ 9.0, Good ≥ 6.0, Satisfactory ≥ 3.0.")
    assert tb.trend_lines(rows, sc.DEFAULT_BANDS) == {"excellent": 9.0, "good": 6.0, "pass": 3.0}
    # A row too small to rank is graded by the ranked rows' cut-offs, and does not move them.
    rows.append({"agent": "tiny", "score": 100.0, "ranked": False, "grade": None})
    assert sc.cutoffs(sc.reference_scores(rows), sc.DEFAULT_BANDS) == cut


def test_the_scorecard_grades_by_percentile_of_the_ranked_rows(store, put):
    from tests.store.test_scorecard import _qa, _tickets

    # Agents A–D with four email inquiries each, answered in 1 h and resolved (frt, resolution and complaint
    # points 100), no surveys or training; E with one ticket (below the minimum n of 2). QA alone sets them apart:
    # composite = (25 × QA + 15 × 100 + 15 × 100 + 10 × 100) ÷ 65.
    put("tickets", [t for a in "ABCD" for t in _tickets(a, "一组", 4)] + _tickets("E", "一组", 1))
    put("qa", [_qa(f"e{a}", a, s) for a, s in zip("ABCDE", (40, 60, 80, 100, 0))])
    sc.set_min_n(store, 2)
    rows = {r["agent"]: r for r in sc.scorecard(store, Filter("2025-03", "2025-03"), "agent")}
    assert [round(rows[a]["score"], 2) for a in "ABCDE"] == [76.92, 84.62, 92.31, 100.0, 61.54]
    assert [rows[a]["rank"] for a in "DCBA"] == [1, 2, 3, 4] and rows["E"]["rank"] is None
    # Ranked percentiles: D 87.5, C 62.5, B 37.5, A 12.5.
    assert [rows[a]["grade"] for a in "DCBA"] == ["excellent", "good", "pass", "improve"]
    assert rows["E"]["grade"] == "improve"  # QA 0 sits below A, the lowest ranked
    sc.set_grade_bands(store, {"excellent": 60, "good": 30, "pass": 10})
    rows = {r["agent"]: r for r in sc.scorecard(store, Filter("2025-03", "2025-03"), "agent")}
    assert [rows[a]["grade"] for a in "DCBA"] == ["excellent", "excellent", "good", "pass"]  # 87.5, 62.5, 37.5, 12.5


def test_the_old_fixed_point_bands_are_not_read_as_percentiles(store):
    set_setting(store, "grade_bands", {"excellent": 95, "good": 85, "pass": 70})
    assert sc.grade_bands(store) == sc.DEFAULT_BANDS == {"excellent": 80.0, "good": 50.0, "pass": 20.0}


# ---------------------------------------------------------------- SERVQUAL waves

def test_a_wave_below_the_minimum_n_is_marked_low_n(store, put):
    put("servqual", [_row(f"q1-{i}", datetime(2025, 2, 1 + i % 20), {}) for i in range(30)]
        + [_row(f"q2-{i}", datetime(2025, 5, 1 + i), {"empathy": -1}) for i in range(5)])
    waves = servqual.overview(store, ALL)["waves"]
    assert [(w["wave"], w["n"], w["low_n"]) for w in waves] == [("2025Q1", 30, False), ("2025Q2", 5, True)]
    assert [tb.wave_label(w, "en") for w in waves] == ["2025Q1", "2025Q2 (n = 5, too few)"]
    assert [w["wave"] for w in tb.labelled_waves(waves, "zh")] == ["2025Q1", "2025Q2（n = 5，样本不足）"]
    assert [w["wave"] for w in tb.low_n_waves(waves)] == ["2025Q2"]
    set_setting(store, servqual.MIN_WAVE_N_KEY, 5)
    assert not any(w["low_n"] for w in servqual.overview(store, ALL)["waves"])


# ---------------------------------------------------------------- PDCA

@pytest.mark.parametrize(("stage", "status", "following", "choices", "back"), [
    ("plan", "planned", "do", ["do", "check", "act"], ["do", "check", "act"]),
    ("do", "in_progress", "check", ["check", "act"], ["check", "act", "plan"]),
    ("check", "done", "act", ["act"], ["act", "plan", "do"]),
    ("act", "verified", None, [], ["plan", "do", "check"]),  # a completed round offers no move but back
    ("plan", "cancelled", None, [], []),
])
def test_the_next_stage_comes_first_and_going_back_is_asked_for(stage, status, following, choices, back):
    action = {"pdca_stage": stage, "status": status}
    assert next_stage(action) == following
    assert stage_choices(action) == choices
    assert stage_choices(action, back=True) == back
