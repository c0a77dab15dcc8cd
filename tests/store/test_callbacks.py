"""Customer callbacks (issue 19, SPEC §2, §3, §4d): the import in Chinese and English, the three callback indicators
against a hand count and an independent computation, the due list, the quarterly plan's rules over a year, and the
plan's replacement, rollback and refusals. The expected figures are worked out here from the fixtures, never read
back from csq's SQL."""
from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from csq.callbacks import results, sheets
from csq.callbacks.plan import make_plan, stored_plan
from csq.callbacks.quarters import Quarter
from csq.errors import InputRefused, NotAllowed
from csq.ingest.importer import import_bytes
from csq.metrics.engine import compute
from csq.metrics.filters import Filter
from csq.store import Store
from csq.store.batches import rollback
from tests.support import snapshot

KEYS = ("callback_completion_rate", "callback_satisfaction_rate", "callback_followup_on_time_rate")
AS_OF = datetime(2026, 3, 31, 12, 0)   # the latest ticket timestamp below: "as of" of SPEC §3
Q1 = Filter("2026-01", "2026-03")


def _figures(store: Store, f: Filter = Q1, by: tuple[str, ...] = ()) -> dict[object, dict[str, tuple]]:
    """Return {group: {key: (value, n)}} of the three callback indicators."""
    return {tuple(r.groups.values()) if by else (): {k: (r.value(k), r.n(k)) for k in KEYS}
            for r in compute(store, f, by, list(KEYS))}


def _cb(cid: str, agent: str, planned: str | None, called: str | None = None, result: str | None = None,
        satisfied: bool | None = None, attitude: bool | None = None, issue: str | None = None,
        first: str | None = None) -> dict[str, object]:
    """Return one callback row for the fixture."""
    return {"callback_id": cid, "customer_id": f"C-{cid}", "customer_name": "张三", "customer_phone": "13812345678",
            "agent": agent, "team": {"A": "T1", "B": "T2"}.get(agent), "planned_for": date.fromisoformat(planned)
            if planned else None, "called_at": datetime.fromisoformat(called) if called else None,
            "result": result, "satisfied": satisfied, "attitude_ok": attitude, "open_issue": issue,
            "follow_up_of": first}


# The hand fixture (follow-up limit 3 days, as of 2026-03-31 12:00). Why each row counts is beside it.
HAND = [
    _cb("CB1", "A", "2026-01-10", "2026-01-10 10:00", "reached", True, True, "否"),   # 否: no issue open
    _cb("CB2", "A", "2026-01-15", "2026-01-15 09:00", "reached", False, True),        # needs one (not satisfied)
    _cb("CB2-2", "A", None, "2026-01-17 09:00", "reached", True, True, first="CB2"),   # 2 days later: on time
    _cb("CB3", "A", "2026-02-01", "2026-02-01 10:00", "not_reached"),                  # needs one
    _cb("CB3-2", "A", None, "2026-02-05 10:00", "reached", True, True, first="CB3"),   # 4 days later: late
    _cb("CB4", "A", "2026-02-10"),                                                     # due, never made
    _cb("CB5", "A", "2026-04-02"),                                                     # Q2: outside the period
    _cb("CB6", "B", "2026-03-01", "2026-03-02 10:00", "reached", True, False),         # attitude: needs one, none
    _cb("CB7", "B", "2026-03-30", "2026-03-30 09:00", "reached", True, True, "发票还没开"),  # limit 04-02: not passed
    _cb("CB8", "B", "2026-03-05", "2026-03-05 11:00", "refused"),                      # needs one
    _cb("CB8-2", "B", None, "2026-03-06 10:00", "reached", False, True, first="CB8"),  # on time (itself not a first)
    _cb("CB9", "B", "2026-03-31"),                                                     # planned for the as-of day
    _cb("CB10", "B", "2026-03-20", "2026-03-21 10:00", "reached", None, True),         # service question unanswered
]


@pytest.fixture
def hand(store: Store, put) -> Store:
    put("tickets", [{"ticket_id": "T1", "created_at": AS_OF, "agent": "A"}])
    put("callbacks", HAND)
    return store


def test_the_three_indicators_of_the_hand_fixture_overall_by_engineer_and_by_team(hand: Store) -> None:
    # Completion: planned first callbacks with planned_for before the as-of day 2026-03-31: A CB1-CB4 (3 made),
    # B CB6, CB7, CB8, CB10 (4 made; CB9 is planned for the as-of day itself). Satisfaction: reached callbacks
    # that answered: A CB1 yes, CB2 no, CB2-2 yes, CB3-2 yes; B CB6 yes, CB7 yes, CB8-2 no (CB10 unanswered).
    # Follow-up: needing one with the limit passed: A CB2 (on time), CB3 (late); B CB6 (none), CB8 (on time).
    want = {(): ((7 / 8, 8), (5 / 7, 7), (2 / 4, 4)),
            ("A",): ((3 / 4, 4), (3 / 4, 4), (1 / 2, 2)),
            ("B",): ((4 / 4, 4), (2 / 3, 3), (1 / 2, 2))}
    got = {**_figures(hand), **_figures(hand, by=("agent",))}
    for group, figures in want.items():
        for key, (value, n) in zip(KEYS, figures):
            assert got[group][key][0] == pytest.approx(value, abs=1e-12), (group, key)
            assert got[group][key][1] == n, (group, key)
    by_team = _figures(hand, by=("team",))
    assert by_team[("T1",)] == got[("A",)] and by_team[("T2",)] == got[("B",)]
    # By month: January holds CB1, CB2, CB2-2 (completion 2/2, satisfaction 2/3, follow-up 1/1).
    jan = _figures(hand, Filter("2026-01", "2026-01"))[()]
    assert jan == {KEYS[0]: (1.0, 2), KEYS[1]: (pytest.approx(2 / 3), 3), KEYS[2]: (1.0, 1)}


def test_due_lists_exactly_the_callbacks_needing_a_second_one_that_lack_it(hand: Store) -> None:
    found = results.due(hand, unmask=True)
    # CB6 (attitude, limit 03-05 10:00 passed) is overdue; CB7 (open issue, limit 04-02 09:00) is due. CB2, CB3 and
    # CB8 have their second callback (CB3's late), CB1 and CB10 need none.
    assert [(d.callback_id, d.overdue, d.reasons) for d in found] == [
        ("CB6", True, ("attitude",)), ("CB7", False, ("open_issue",))]
    assert found[0].due_by == datetime(2026, 3, 5, 10, 0)
    masked = results.due(hand)
    assert masked[0].customer_id == "C-*B6" and masked[0].customer_phone == "138****5678"
    assert masked[1].as_json()["status"] == "due"


def test_a_second_callback_entered_in_the_app_takes_a_callback_off_the_due_list(hand: Store) -> None:
    second = results.record_second(hand, "CB6", {"called_at": datetime(2026, 3, 4, 9, 0), "result": "reached",
                                                 "satisfied": True, "attitude_ok": True}, role="analyst")
    assert (second["callback_id"], second["follow_up_of"], second["customer_id"]) == ("CB6-0001", "CB6", "C-CB6")
    assert [d.callback_id for d in results.due(hand, unmask=True)] == ["CB7"]
    # B's follow-up is now CB6 and CB8 on time: 2/2; its satisfaction gains a yes: 3/4.
    b = _figures(hand, by=("agent",))[("B",)]
    assert b[KEYS[2]] == (1.0, 2) and b[KEYS[1]] == (0.75, 4)
    with pytest.raises(NotAllowed):
        results.record_second(hand, "CB7", {"called_at": datetime(2026, 4, 1), "result": "refused"}, role="viewer")


def test_a_result_entered_for_a_planned_callback_replaces_it_and_rolls_back(hand: Store) -> None:
    before = snapshot(hand)
    with pytest.raises(InputRefused, match="has no answers"):
        results.record_result(hand, "CB4", {"called_at": datetime(2026, 3, 1, 9), "result": "not_reached",
                                            "satisfied": True}, role="analyst")
    assert snapshot(hand) == before
    row = results.record_result(hand, "CB4", {"called_at": datetime(2026, 3, 1, 9), "result": "reached",
                                              "satisfied": True, "attitude_ok": True, "open_issue": " "},
                                role="analyst")
    assert (row["result"], row["open_issue"], row["planned_for"]) == ("reached", None, date(2026, 2, 10))
    assert _figures(hand)[()][KEYS[0]] == (1.0, 8)   # CB4 now made: 8 of 8
    batch = int(hand.scalar("SELECT max(batch_id) FROM batches"))
    rollback(hand, batch, role="admin")
    assert _figures(hand)[()][KEYS[0]] == (7 / 8, 8)


def test_answers_search_runs_on_the_masked_text_for_a_masked_role(store: Store, put) -> None:
    put("tickets", [{"ticket_id": "T1", "created_at": AS_OF}])
    put("callbacks", [_cb("S1", "A", "2026-03-01", "2026-03-01 10:00", "reached", True, True,
                          "张三说请回电 13912345678"),
                      _cb("S2", "A", "2026-03-02", "2026-03-02 10:00", "reached", True, True, "发票未开")])
    assert results.answers(store, Q1, "1234", unmask=True).column("callback_id").to_pylist() == ["S1"]
    assert results.answers(store, Q1, "1234").num_rows == 0            # the hidden digits never match
    masked = results.answers(store, Q1, "139")
    assert masked.column("open_issue").to_pylist() == ["张*说请回电 139****5678"]
    assert masked.column("customer_name").to_pylist() == ["张*"]
    assert results.answers(store, Q1, "发票").column("callback_id").to_pylist() == ["S2"]


def test_the_import_reads_chinese_and_english_headers_and_the_answers_as_yes_no_or_text(store: Store) -> None:
    zh = ("回访编号,客户编号,客户姓名,客户电话,工程师,计划回访日期,回访时间,回访结果,对这段时间的服务是否满意？,有什么建议,"
          "对工程师的态度是否满意？,还有什么遗留问题未解决？,原回访编号\n"
          "Z1,C1,张三,13800000001,李工,2026/1/10,2026/1/10 10:00,已接通,是,多回访,否,无,\n"
          "Z2,C2,李四,13800000002,李工,2026/1/12,2026/1/12 11:00,未接通,,,,,\n"
          "Z3,C2,李四,13800000002,李工,,2026/1/14 09:00,接通,不满意,,满意,还差发票,Z2\n").encode("utf-8")
    en = ("callback_id,customer_id,agent,planned_for,called_at,result,satisfied,suggestion,attitude_ok,open_issue\n"
          "E1,C9,Wang,2026-02-01,2026-02-01 09:00,refused,,,,\n"
          "E2,C8,Wang,2026-02-02,2026-02-02 09:00,reached,yes,none,no,\n").encode("utf-8")
    assert import_bytes(store, zh, "回访结果.csv", "callbacks").status == "committed"
    assert import_bytes(store, en, "callbacks.csv", "callbacks").status == "committed"
    rows = {r[0]: r[1:] for r in store.rows(
        "SELECT callback_id, result, satisfied, attitude_ok, open_issue, follow_up_of, planned_for "
        "FROM callbacks_current")}
    assert rows["Z1"] == ("reached", True, False, "无", None, date(2026, 1, 10))
    assert rows["Z2"][:2] == ("not_reached", None)
    assert rows["Z3"] == ("reached", False, True, "还差发票", "Z2", None)
    assert rows["E1"][0] == "refused" and rows["E2"][:3] == ("reached", True, False)
    # 无 names no open issue; Z1 needs a second callback for the engineer's attitude (否), Z2 (not reached) has Z3,
    # E1 was refused and E2's attitude is no.
    assert {d.callback_id for d in results.due(store, unmask=True)} == {"Z1", "E1", "E2"}


# ---------------------------------------------------------------- an independent computation on random data

def _reference(rows: list[dict], moment: datetime, days: int = 3) -> dict[str, dict[str, float | None]]:
    """Return the three indicators per engineer ('' = all) by SPEC §3, written from its words in plain Python."""
    seconds = {r["follow_up_of"]: [] for r in rows if r["follow_up_of"]}
    for r in rows:
        if r["follow_up_of"] and r["called_at"]:
            seconds[r["follow_up_of"]].append(r["called_at"])
    out = {}
    for who in ["", *sorted({r["agent"] for r in rows})]:
        mine = [r for r in rows if who in ("", r["agent"])]
        planned = [r for r in mine if not r["follow_up_of"] and r["planned_for"] and r["planned_for"] < moment.date()]
        reached = [r for r in mine if r["result"] == "reached" and r["satisfied"] is not None]
        needing = [r for r in mine if not r["follow_up_of"] and r["called_at"] and (
            r["result"] in ("not_reached", "refused") or r["satisfied"] is False or r["attitude_ok"] is False
            or (r["open_issue"] or "").strip() not in ("", "否", "无"))
            and r["called_at"] + timedelta(days=days) < moment]
        on_time = [r for r in needing if any(s <= r["called_at"] + timedelta(days=days)
                                             for s in seconds.get(r["callback_id"], []))]
        out[who] = {KEYS[0]: sum(r["called_at"] is not None for r in planned) / len(planned) if planned else None,
                    KEYS[1]: sum(r["satisfied"] for r in reached) / len(reached) if reached else None,
                    KEYS[2]: len(on_time) / len(needing) if needing else None}
    return out


def test_random_callbacks_give_the_independent_figures_to_1e_9(store: Store, put) -> None:
    rnd = random.Random(19)
    rows = []
    for i in range(400):
        planned = date(2026, 1, 1) + timedelta(days=rnd.randrange(90))
        called = None if rnd.random() < 0.2 else datetime.combine(planned, datetime.min.time()) + timedelta(
            hours=rnd.randrange(8, 60), minutes=rnd.randrange(60))
        result = rnd.choice(["reached"] * 6 + ["not_reached", "refused"]) if called else None
        yes = (lambda: rnd.choice([True, True, True, False, None])) if result == "reached" else (lambda: None)
        rows.append(_cb(f"R{i}", rnd.choice("ABCD"), planned.isoformat(), called and called.isoformat(sep=" "),
                        result, yes(), yes(), rnd.choice([None, None, "否", "无", "还差配件"]) if result == "reached"
                        else None))
        if called and rnd.random() < 0.5:
            rows.append(_cb(f"R{i}-2", rows[-1]["agent"], None, (called + timedelta(hours=rnd.randrange(1, 130)))
                            .isoformat(sep=" "), "reached", yes(), yes(), first=f"R{i}"))
    put("tickets", [{"ticket_id": "T1", "created_at": AS_OF}])
    put("callbacks", rows)
    want = _reference(rows, AS_OF)   # every period: a second callback may fall in April
    got = {"": _figures(store, Filter())[()], **{g[0]: v for g, v in _figures(store, Filter(), ("agent",)).items()}}
    assert set(got) == set(want)
    for who in want:
        for k in KEYS:
            assert got[who][k][0] == pytest.approx(want[who][k], abs=1e-9), (who, k)


# ---------------------------------------------------------------- the quarterly plan

def _plan_fixture(put) -> dict[str, dict[str, set[str]]]:
    """Write engineers A (12 customers), B (3 customers) and C (left: not on the roster as active), the customer S
    shared by A and B, tickets over 2025–2026; return each engineer's customers per ticket month."""
    tickets, months = [], {}
    rnd = random.Random(5)
    custs = {"A": [f"A{i:02d}" for i in range(11)] + ["S"], "B": ["B1", "B2", "S"], "C": ["C1", "C2"]}
    for agent, cs in custs.items():
        for c in cs:
            for m in range(21):   # every month 2025-01 … 2026-09
                day = datetime(2025 + m // 12, m % 12 + 1, 1 + rnd.randrange(27), 10)
                tickets.append({"ticket_id": f"T{agent}{c}{m}", "created_at": day, "agent": agent,
                                "customer_id": c, "customer_name": f"客户{c}", "customer_phone": f"1380000{m:04d}"})
                months.setdefault(agent, {}).setdefault(f"{day:%Y-%m}", set()).add(c)
    put("tickets", tickets)
    put("agents", [{"agent": "A", "team": "T1", "active": True}, {"agent": "B", "team": "T2", "active": True},
                   {"agent": "C", "team": "T2", "active": False}])
    return months


def test_a_year_of_plans_obeys_every_rule_of_4d(store: Store, put) -> None:
    months = _plan_fixture(put)
    plans = {q: make_plan(store, f"2026Q{q}", seed=7, role="analyst") for q in (1, 2, 3, 4)}
    year: Counter[str] = Counter()
    for q, plan in plans.items():
        quarter = Quarter(2026, q)
        window = {f"{d:%Y-%m}" for d in (quarter.year_ago() + timedelta(days=31 * i) for i in range(12))}
        drawn = {a: [r.customer_id for r in plan.rows if r.agent == a] for a in ("A", "B", "C")}
        assert drawn["C"] == []                                   # not active on the roster
        for agent in ("A", "B"):
            pool = set().union(*(months[agent][m] for m in window))
            assert set(drawn[agent]) <= pool and len(set(drawn[agent])) == len(drawn[agent]) <= 5
            earlier = {c for c, n in year.items() if n}
            repeats = [c for c in drawn[agent] if c in earlier]
            others = Counter(c for a, cs in drawn.items() if a != agent for c in cs)
            if repeats:   # a repeat only once every customer not drawn before is drawn (or capped by others)
                assert {c for c in pool - earlier if others[c] < 2} <= set(drawn[agent]), (q, agent)
        assert all(quarter.start <= r.planned_for <= quarter.end for r in plan.rows)
        year.update(c for cs in drawn.values() for c in cs)
        assert max(year.values()) <= 2                            # never more than twice in the year
    # A has 12 customers (S shared with B): 5 a quarter, the year needing 20 ≤ 24 draws. B has 3 and takes every
    # one it may each quarter, so after two quarters each of them has been drawn twice (S by A or B) and B runs dry.
    assert [sum(r.agent == "A" for r in plans[q].rows) for q in (1, 2, 3, 4)] == [5, 5, 5, 5]
    assert sum(r.agent == "B" for r in plans[1].rows) == 3 and (year["B1"], year["B2"], year["S"]) == (2, 2, 2)
    assert plans[3].short["B"] == plans[4].short["B"] == 5


def test_the_same_seed_gives_the_same_plan_and_planning_again_writes_nothing(store: Store, put, new_db) -> None:
    _plan_fixture(put)
    first = [make_plan(store, f"2026Q{q}", seed=3, role="analyst").rows for q in (1, 2)]
    before = snapshot(store)
    again = make_plan(store, "2026Q1", seed=3, role="analyst")   # Q2 planned since: still the same draw
    assert again.status == "unchanged" and [r.customer_id for r in again.rows] == [r.customer_id for r in first[0]]
    assert snapshot(store) == before
    with pytest.raises(InputRefused, match="--replace"):
        make_plan(store, "2026Q1", seed=4, role="analyst")
    assert snapshot(store) == before
    with pytest.raises(NotAllowed):
        make_plan(store, "2026Q3", seed=3, role="viewer")
    assert snapshot(store) == before


def test_replace_keeps_the_callbacks_made_withdraws_the_rest_and_rolls_back(store: Store, put) -> None:
    _plan_fixture(put)
    plan = make_plan(store, "2026Q1", seed=1, role="analyst")
    made = plan.rows[0]
    results.record_result(store, made.callback_id, {"called_at": datetime(2026, 1, 6, 10), "result": "reached",
                                                    "satisfied": True}, role="analyst")
    new = make_plan(store, "2026Q1", seed=2, replace=True, role="analyst")
    assert new.status == "replaced" and (new.withdrawn, new.kept) == (len(plan.rows) - 1, 1)
    now = stored_plan(store, Quarter(2026, 1))
    assert made.callback_id in {r.callback_id for r in now} and len(now) == len(plan.rows)
    assert sum(r.agent == made.agent for r in now) == 5
    withdrawn = store.scalar("SELECT count(*) FROM callbacks_current WHERE withdrawn")
    assert withdrawn == len(plan.rows) - 1
    rollback(store, int(new.batch_id), role="admin")
    assert [r.callback_id for r in stored_plan(store, Quarter(2026, 1))] == [r.callback_id for r in plan.rows]


def test_the_callers_sheet_is_masked_to_the_role_and_the_admin_export_is_audited(store: Store, put) -> None:
    _plan_fixture(put)
    plan = make_plan(store, "2026Q1", seed=1, role="analyst")
    masked = sheets.plan_table(plan.rows, "zh")
    assert masked.column_names[:7] == ["回访编号", "计划回访日期", "工程师", "班组", "客户编号", "客户姓名", "客户电话"]
    assert all("*" in p for p in masked.column("客户电话").to_pylist())
    with pytest.raises(NotAllowed):
        sheets.caller_export(store, "2026Q1", "csv", "zh", role="analyst")
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'callbacks.export'") == 0
    data = sheets.caller_export(store, "2026Q1", "csv", "zh", role="admin", user="boss")
    assert plan.rows[0].customer_phone in data.decode("utf-8-sig")
    assert store.rows("SELECT user_name, target FROM audit_log WHERE action = 'callbacks.export'") == [
        ("boss", "callbacks 2026Q1")]
    # The sheet goes back in as the results: its headers are the callbacks kind's own.
    report = import_bytes(store, data, "plan.csv", "callbacks")
    assert report.status == "committed" and report.rows_loaded == len(plan.rows)
