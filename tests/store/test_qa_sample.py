"""Issue 19: the weekly QA sample of SPEC §4d and qa_coverage_rate of SPEC §3, on a center built by hand.

Week 2026-W05 runs from Monday 2026-01-26 00:00 up to Monday 2026-02-02 00:00. The roster:
- 老王 (team A), hired 2020: not new, quota 5. Tickets W-1 … W-11 (below).
- 小李 (team B), hired 2025-12-01, 56 days before the Monday: new, quota 2 × 5 = 10. Twelve plain tickets.
- 老张 (team A), hired 2025-10-28, exactly 90 days before the Monday: not new ("less than 90 days"), quota 5.
  Six plain tickets, created on Sunday 2026-02-01 (week 5, month 2026-02).
A ticket without an agent is never drawn.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta

import pyarrow as pa
import pytest

from csq.errors import InputRefused, NotAllowed
from csq.evaluation import sampling
from csq.metrics.filters import Filter
from csq.store import settings
from csq.store.batches import commit_records
from tests.support import cli_json, kpi_rows, run_cli, snapshot

MONDAY = datetime(2026, 1, 26, 9)
WEEK = "2026-W05"


def _t(tid, agent, at, **kw):
    return {"ticket_id": tid, "created_at": at, "channel": "phone", "type": "inquiry", "agent": agent,
            "customer_name": "张三丰", "customer_phone": "13812345678", **kw}


def _tickets():
    """老王's W-1 … W-8 in the week, W-9 (an evaluated complaint), W-10 the Sunday before, W-11 the Monday after."""
    wang = [_t("W-1", "老王", MONDAY, type="complaint"),
            _t("W-2", "老王", MONDAY + timedelta(hours=1), escalated=True),
            _t("W-3", "老王", MONDAY + timedelta(hours=2)),  # its survey says csat 2: low_csat
            _t("W-4", "老王", MONDAY + timedelta(hours=3)),  # csat 3 is not low
            *[_t(f"W-{i}", "老王", MONDAY + timedelta(days=1, hours=i)) for i in range(5, 9)],
            _t("W-9", "老王", MONDAY + timedelta(days=2), type="complaint"),
            _t("W-10", "老王", datetime(2026, 1, 25, 23, 59), type="complaint"),
            _t("W-11", "老王", datetime(2026, 2, 2, 0, 0), type="complaint")]
    li = [_t(f"L-{i:02d}", "小李", MONDAY + timedelta(days=2, hours=i)) for i in range(12)]
    zhang = [_t(f"Z-{i}", "老张", datetime(2026, 2, 1, 8 + i)) for i in range(6)]
    return [*wang, *li, *zhang, _t("N-1", None, MONDAY, type="complaint")]


def _qa(eid, tid, agent, score, at=datetime(2026, 2, 10)):
    return {"evaluation_id": eid, "ticket_id": tid, "agent": agent, "evaluator": "质检员", "evaluated_at": at,
            "criterion": "礼貌用语", "score": score, "max_score": 100, "critical": False}


def _fill(store, put, reverse=False):
    rows = _tickets()
    put("tickets", rows[::-1] if reverse else rows)
    put("agents", [{"agent": "老王", "team": "A", "hired_at": date(2020, 3, 1), "active": True},
                   {"agent": "小李", "team": "B", "hired_at": date(2025, 12, 1), "active": True},
                   {"agent": "老张", "team": "A", "hired_at": date(2025, 10, 28), "active": True}])
    put("surveys", [{"survey_id": "S1", "ticket_id": "W-3", "sent_at": MONDAY, "responded_at": MONDAY, "csat": 2},
                    {"survey_id": "S2", "ticket_id": "W-4", "sent_at": MONDAY, "responded_at": MONDAY, "csat": 3}])
    put("qa", [_qa("E-9", "W-9", "老王", 100)])  # W-9 was evaluated before the draw: left out


@pytest.fixture
def center(store, put):
    _fill(store, put)
    return store


def _by_agent(draw):
    out = {}
    for t in draw.tickets:
        out.setdefault(t.agent, []).append(t)
    return out


def _random_order(seed, ids):
    """The tier's order by hand: md5 of "seed:ticket_id" as hex text, ascending (as DuckDB's md5 sorts)."""
    return sorted(ids, key=lambda i: hashlib.md5(f"{seed}:{i}".encode()).hexdigest())


def test_the_draw_takes_n_per_agent_twice_for_new_agents_risky_first_and_skips_evaluated(center):
    d = sampling.draw(center, WEEK, user="质检主管", role="analyst")
    got = _by_agent(d)
    assert set(got) == {"老王", "小李", "老张"}  # the ticket without an agent is not drawn
    assert [len(got[a]) for a in ("老王", "小李", "老张")] == [5, 10, 5]  # 小李 is new: 2 × 5; 老张 is 90 days in
    assert {t.quota for t in got["小李"]} == {10} and all(t.new_agent for t in got["小李"])
    assert not any(t.new_agent for t in got["老张"])
    wang = got["老王"]
    # Risk first, in the order of SPEC §4d; W-9 (evaluated) and W-10/W-11 (other weeks) are never in.
    assert [(t.ticket_id, t.reason) for t in wang[:3]] == [("W-1", "complaint"), ("W-2", "escalated"),
                                                           ("W-3", "low_csat")]
    assert [t.ticket_id for t in wang[3:]] == _random_order(1, ["W-4", "W-5", "W-6", "W-7", "W-8"])[:2]
    assert {t.reason for t in wang[3:]} == {"random"} and [t.pick for t in wang] == [1, 2, 3, 4, 5]
    assert [t.ticket_id for t in got["小李"]] == _random_order(1, [f"L-{i:02d}" for i in range(12)])[:10]
    assert {t.team for t in got["老王"]} == {"A"} and {t.team for t in got["小李"]} == {"B"}  # team from the roster
    assert (d.week, d.drawn_by, d.rules.seed, d.rules.per_agent, d.replaced) == (WEEK, "质检主管", 1, 5, None)
    audit = center.rows("SELECT user_name, target, details FROM audit_log WHERE action = 'qa_sample.draw'")
    assert audit[0][:2] == ("质检主管", WEEK) and json.loads(audit[0][2])["tickets"] == 20


def test_per_agent_overrides_the_setting_and_the_setting_is_read(center):
    two = _by_agent(sampling.draw(center, WEEK, per_agent=2, role="admin"))
    # Two for 老王: the complaint and the escalated ticket; the low-csat one waits behind them.
    assert [(t.ticket_id, t.reason) for t in two["老王"]] == [("W-1", "complaint"), ("W-2", "escalated")]
    assert [len(two[a]) for a in ("老王", "小李", "老张")] == [2, 4, 2]
    settings.set_setting(center, "qa_sample_per_agent", 3, role="admin")
    settings.set_setting(center, "qa_new_agent_factor", 3, role="admin")
    three = _by_agent(sampling.draw(center, WEEK, replace=True, role="admin"))
    assert [len(three[a]) for a in ("老王", "小李", "老张")] == [3, 9, 3]
    with pytest.raises(InputRefused):
        sampling.draw(center, WEEK, per_agent=0, replace=True, role="admin")


def test_the_same_seed_draws_the_same_tickets_whatever_the_import_order(center, new_db):
    first = [t.ticket_id for t in sampling.draw(center, WEEK, seed=7, role="admin").tickets]
    again = [t.ticket_id for t in sampling.draw(center, WEEK, seed=7, replace=True, role="admin").tickets]
    assert again == first
    other = [t.ticket_id for t in sampling.draw(center, WEEK, seed=8, replace=True, role="admin").tickets]
    assert sorted(other) != sorted(first)  # 小李's 10 of 12 and 老王's 2 of 5 move with the seed
    assert [t for t in other if t.startswith("W-")][:3] == ["W-1", "W-2", "W-3"]  # the risky ones stay
    # A second store holding the same rows imported in reverse order draws the same sample.
    from csq.store import open_store

    s2 = open_store(new_db("reverse.duckdb"))
    try:
        def put2(kind, rows):
            defaults = {"tickets": {"priority": "normal", "reopen_count": 0}}.get(kind, {})
            rows = [{**defaults, **r} for r in rows]
            names = list(dict.fromkeys(k for r in rows for k in r))
            commit_records(s2, kind, pa.Table.from_pylist([{k: r.get(k) for k in names} for r in rows]),
                           source="fixture")
        _fill(s2, put2, reverse=True)
        assert [t.ticket_id for t in sampling.draw(s2, WEEK, seed=7, role="admin").tickets] == first
    finally:
        s2.close()


def test_a_second_draw_is_refused_unchanged_and_replace_keeps_the_first(center):
    first = sampling.draw(center, WEEK, role="admin")
    before = snapshot(center)
    with pytest.raises(InputRefused, match="already has a QA sample"):
        sampling.draw(center, WEEK, seed=2, role="admin")
    with pytest.raises(NotAllowed):
        sampling.draw(center, WEEK, replace=True, role="viewer")
    with pytest.raises(InputRefused, match="no ticket to sample"):
        sampling.draw(center, "2025-W10", role="admin")
    with pytest.raises(InputRefused):
        sampling.draw(center, "2026-W54", role="admin")
    assert snapshot(center) == before
    second = sampling.draw(center, WEEK, seed=2, replace=True, role="admin")
    assert second.replaced == first.draw_id and sampling.weeks(center) == [WEEK]
    assert center.rows("SELECT draw_id, replaced_by FROM qa_sample_draws ORDER BY 1") == [(1, 2), (2, None)]
    assert center.scalar("SELECT count(*) FROM qa_samples") == 40  # the first draw's 20 rows are kept
    assert center.scalar("SELECT count(*) FROM qa_samples_current") == 20


def test_qa_coverage_rate_follows_the_evaluations(center, put):
    assert kpi_rows(center, Filter(), (), ["qa_coverage_rate"])[0]["qa_coverage_rate"] is None  # no sample: no data
    d = _by_agent(sampling.draw(center, WEEK, role="admin"))
    # Evaluations after the draw: three of 老王's drawn tickets and one of 小李's; one of an undrawn ticket.
    undrawn = next(i for i in (f"L-{n:02d}" for n in range(12)) if i not in {t.ticket_id for t in d["小李"]})
    put("qa", [_qa("E1", d["老王"][0].ticket_id, "老王", 80), _qa("E2", d["老王"][1].ticket_id, "老王", 90),
               _qa("E3", d["老王"][3].ticket_id, "老王", 70), _qa("E4", d["小李"][0].ticket_id, "小李", 60),
               _qa("E5", undrawn, "小李", 40)])
    key = "qa_coverage_rate"
    overall = kpi_rows(center, Filter(), (), [key])[0]
    assert (overall[key], overall["n"][key]) == (pytest.approx(4 / 20), 20)
    agents = {r["agent"]: (r[key], r["n"][key]) for r in kpi_rows(center, Filter(), ("agent",), [key])}
    assert agents == {"老王": (pytest.approx(3 / 5), 5), "小李": (pytest.approx(1 / 10), 10), "老张": (0.0, 5)}
    teams = {r["team"]: (r[key], r["n"][key]) for r in kpi_rows(center, Filter(), ("team",), [key])}
    assert teams == {"A": (pytest.approx(3 / 10), 10), "B": (pytest.approx(1 / 10), 10)}
    # By the sampled ticket's created_at: 老张's five were created on Sunday 1 February (week 5, month 2).
    months = {r["month"]: (r[key], r["n"][key]) for r in kpi_rows(center, Filter(), ("month",), [key])}
    assert months == {"2026-01": (pytest.approx(4 / 15), 15), "2026-02": (0.0, 5)}
    assert [r["week"] for r in kpi_rows(center, Filter(), ("week",), [key])] == [WEEK]
    # A ticket-field filter narrows through the ticket: every drawn ticket is a phone one, none a chat one.
    assert kpi_rows(center, Filter(where=(("channel", ("chat",)),)), (), [key])[0][key] is None
    # QA results of sampled tickets against the others (February evaluations): E1–E4 against E5.
    feb = sampling.sampled_vs_unsampled(center, Filter("2026-02", "2026-02"))
    assert [(c.sampled, c.evaluations, c.qa_score) for c in feb] == [(True, 4, pytest.approx(75.0)),
                                                                     (False, 2, pytest.approx(70.0))]  # E-9 100, E5 40


def test_the_sample_file_masks_personal_data_unless_the_role_unmasks(center):
    sampling.draw(center, WEEK, role="admin")
    masked = sampling.sample_rows(center, WEEK).to_pylist()
    assert {r["customer_name"] for r in masked} == {"张**"} and {r["customer_phone"] for r in masked} == {"138****5678"}
    assert {r["customer_name"] for r in sampling.sample_rows(center, WEEK, unmask=True).to_pylist()} == {"张三丰"}
    text = sampling.sample_export(center, WEEK, "csv").decode("utf-8-sig")
    assert "张**" in text and "张三丰" not in text and text.splitlines()[0].startswith('"week","agent"')
    assert sampling.sample_export(center, WEEK, "xlsx").startswith(b"PK")
    with pytest.raises(InputRefused):
        sampling.sample_export(center, "2026-W06", "csv")


def test_cli_qa_sample(center, tmp_path):
    center.close()  # the CLI opens the same file
    db = tmp_path / "t.duckdb"
    rows = cli_json("qa-sample", "--week", WEEK, "--per-agent", "2", db=db)
    assert all(set(r) == {"ticket_id", "agent", "reason"} for r in rows)  # SPEC §6
    assert [(r["ticket_id"], r["reason"]) for r in rows if r["agent"] == "老王"] == [("W-1", "complaint"),
                                                                                    ("W-2", "escalated")]
    assert len(rows) == 2 + 4 + 2
    from csq.store import open_store

    s = open_store(db, read_only=True)
    before = snapshot(s)
    s.close()
    again = run_cli("qa-sample", "--week", WEEK, db=db)
    assert again.returncode == 2 and "--replace" in again.stderr
    assert run_cli("qa-sample", "--week", "2026-05", db=db).returncode == 2
    assert run_cli("qa-sample", "--week", WEEK, "--replace", "--out", str(tmp_path / "x.pdf"), db=db).returncode == 2
    viewer = run_cli("qa-sample", "--week", WEEK, "--replace", db=db, env={"CSQ_ROLE": "viewer"})
    assert viewer.returncode == 2 and "may not draw the weekly QA sample" in viewer.stderr
    s = open_store(db, read_only=True)
    assert snapshot(s) == before  # every refusal left the store as it was
    s.close()
    out = tmp_path / "sample.csv"
    stored = cli_json("qa-sample", "--week", WEEK, "--stored", "--out", str(out), db=db)
    assert stored == rows and "张三丰" in out.read_text(encoding="utf-8-sig")  # the local admin sees them
    run_cli("qa-sample", "--week", WEEK, "--stored", "--out", str(out), db=db, env={"CSQ_ROLE": "viewer"})
    assert "张三丰" not in out.read_text(encoding="utf-8-sig") and "张**" in out.read_text(encoding="utf-8-sig")
    replaced = cli_json("qa-sample", "--week", WEEK, "--replace", "--seed", "1", "--out", str(tmp_path / "s.xlsx"),
                        db=db)
    assert len(replaced) == 20 and (tmp_path / "s.xlsx").read_bytes().startswith(b"PK")
    cov = cli_json("kpi", "--by", "agent", "--indicators", "qa_coverage_rate", db=db)
    assert {r["agent"]: r["n"]["qa_coverage_rate"] for r in cov} == {"老王": 5, "小李": 10, "老张": 5}


def test_a_purge_takes_the_sampled_tickets_with_their_tickets(center):
    from csq.store import retention

    sampling.draw(center, WEEK, role="admin")
    # Before 1 February: 老王's and 小李's sampled tickets (created 26–31 January) go; 老张's five of 1 February stay.
    assert retention.purge_preview(center, date(2026, 2, 1))["qa_samples"] == 15
    assert retention.purge_before(center, date(2026, 2, 1), "admin")["qa_samples"] == 15
    assert {t.agent for t in sampling.stored(center, WEEK).tickets} == {"老张"}
