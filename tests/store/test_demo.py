"""The demo generator: determinism, volume, realism invariants, built-in action effects, reset."""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from csq.core.kinds import CHANNELS, KINDS, PRIORITIES, TYPES
from csq.demo import generate as demo
from csq.errors import InputRefused
from csq.store import Store, open_store
from csq.store.batches import record_counts

END = date(2025, 6, 20)
END_TS = datetime(2025, 6, 20, 18, 0)
SMALL = {"months": 3, "scale": 0.05, "end": END}


def _store(path: Path) -> Store:
    """Return a fresh store in a folder."""
    return open_store(path / "demo.duckdb")


def _content_hash(store: Store) -> str:
    """Return a hash of every kind's current rows in key order (batch ids left out)."""
    digest = hashlib.sha256()
    for k in KINDS.values():
        keys = ", ".join(k.key)
        rows = store.rows(f"SELECT * EXCLUDE (_batch_id) FROM {k.table}_current ORDER BY {keys}")
        digest.update(repr(rows).encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Return one small demo store shared by the read-only tests."""
    store = _store(tmp_path_factory.mktemp("small"))
    demo.generate(store, seed=7, user="test", **SMALL)
    yield store
    store.close()


def test_same_seed_and_end_give_the_same_data(small: Store, tmp_path: Path) -> None:
    again = _store(tmp_path / "a")
    demo.generate(again, seed=7, **SMALL)
    other = _store(tmp_path / "b")
    demo.generate(other, seed=8, **SMALL)
    assert _content_hash(again) == _content_hash(small)
    assert _content_hash(other) != _content_hash(small)


def test_volume_scales_with_scale(small: Store, tmp_path: Path) -> None:
    counts = record_counts(small)
    # Three months at 10,000 × 0.05 a month, give or take seasonality and growth.
    assert 1100 <= counts["tickets"] <= 2000
    assert 0.25 * counts["tickets"] <= counts["surveys"] <= 0.45 * counts["tickets"]
    assert counts["agents"] == 66
    assert 15 <= counts["actions"] <= 25
    bigger = _store(tmp_path)
    counts2 = demo.generate(bigger, seed=7, months=3, scale=0.1, end=END)
    assert 1.7 <= counts2["tickets"] / counts["tickets"] <= 2.3
    assert counts2 == record_counts(bigger)


def test_every_channel_type_and_priority_is_present(small: Store) -> None:
    def values(col: str) -> set[str]:
        """Return the distinct values of a ticket column."""
        return {r[0] for r in small.rows(f"SELECT DISTINCT {col} FROM tickets_current")}

    assert values("channel") == set(CHANNELS)
    assert values("type") == set(TYPES)
    assert values("priority") == set(PRIORITIES)
    assert {"电话", "在线客服", "邮件", "网页", "微信", "上门服务"} <= values("channel_raw")
    assert {"咨询", "投诉", "售后服务", "技术支持", "建议"} <= values("type_raw")
    assert {"紧急", "高", "中", "低"} == values("priority_raw")


def test_no_timestamp_after_the_end(small: Store) -> None:
    checks = {"tickets": ("created_at", "first_response_at", "resolved_at", "closed_at"),
              "surveys": ("sent_at", "responded_at"), "servqual": ("responded_at",),
              "qa": ("evaluated_at",), "training": ("assessed_at",)}
    for table, cols in checks.items():
        for col in cols:
            latest = small.scalar(f"SELECT max({col}) FROM {table}_current")
            assert latest is not None and latest <= END_TS, (table, col, latest)
    first = small.scalar("SELECT min(created_at) FROM tickets_current")
    assert first >= datetime(2025, 4, 1)
    # Tickets opened on the last afternoon are still open.
    assert small.scalar("SELECT count(*) FROM tickets_current WHERE resolved_at IS NULL "
                        "AND created_at >= ?", [datetime(2025, 6, 19)]) > 0


def test_ticket_times_are_in_order(small: Store) -> None:
    bad = small.rows(
        "SELECT count(*) FILTER (WHERE first_response_at < created_at), "
        "count(*) FILTER (WHERE resolved_at < created_at), count(*) FILTER (WHERE resolved_at < first_response_at), "
        "count(*) FILTER (WHERE closed_at < resolved_at), count(*) FILTER (WHERE closed_at IS NOT NULL "
        "AND resolved_at IS NULL) FROM tickets_current")
    assert bad == [(0, 0, 0, 0, 0)]
    sent_before_resolved = small.scalar(
        "SELECT count(*) FROM surveys_current s JOIN tickets_current t USING (ticket_id) "
        "WHERE s.sent_at < t.resolved_at OR s.responded_at < s.sent_at")
    assert sent_before_resolved == 0


def test_keys_are_unique_and_well_formed(small: Store) -> None:
    assert small.rows("SELECT count(*) = count(DISTINCT ticket_id), bool_and(regexp_full_match(ticket_id, "
                      "'GD20250[456]\\d{6}')) FROM tickets_current") == [(True, True)]
    assert small.scalar("SELECT count(*) = count(DISTINCT survey_id) FROM surveys_current")
    assert small.scalar("SELECT bool_and(regexp_full_match(respondent_id, 'SQ2025Q2-\\d{4}')) "
                        "FROM servqual_current")
    assert small.scalar("SELECT count(*) = count(DISTINCT agent) FROM agents_current")
    assert small.rows("SELECT count(*) FILTER (WHERE active), count(*) FILTER (WHERE NOT active) "
                      "FROM agents_current") == [(60, 6)]


def test_surveys_qa_training_and_servqual_look_real(small: Store) -> None:
    answered, invited, csat_rate = small.rows(
        "SELECT count(responded_at), count(*), avg(CASE WHEN csat >= 4 THEN 1.0 ELSE 0 END) "
        "FILTER (WHERE csat IS NOT NULL) FROM surveys_current")[0]
    assert 0.7 <= answered / invited <= 0.9
    assert 0.75 <= csat_rate <= 0.95
    # Every evaluation has the six criteria of the form and never scores above the maximum.
    assert small.rows("SELECT count(*) FROM (SELECT evaluation_id FROM qa_current GROUP BY 1 "
                      "HAVING count(*) <> 6 OR sum(max_score) <> 100)") == [(0,)]
    assert small.scalar("SELECT count(*) FROM qa_current WHERE score > max_score OR score < 0") == 0
    twice = small.rows("SELECT ticket_id FROM qa_current GROUP BY 1 "
                       "HAVING count(DISTINCT evaluation_id) = 2 AND count(DISTINCT evaluator) = 2")
    assert len(twice) >= 10
    pass_rate = small.scalar("SELECT avg(CASE WHEN passed THEN 1.0 ELSE 0 END) FROM training_current")
    assert 0.7 <= pass_rate <= 0.95
    gaps = small.rows("SELECT avg((p_s1 + p_s2 + p_s3 + p_s4 - e_s1 - e_s2 - e_s3 - e_s4) / 4.0), "
                      "avg((p_t1 + p_t2 + p_t3 + p_t4 - e_t1 - e_t2 - e_t3 - e_t4) / 4.0), "
                      "count(*) FILTER (WHERE w_tangibles IS NULL) / count(*) FROM servqual_current")[0]
    assert gaps[0] < gaps[1] < 0  # responsiveness has the widest gap
    assert 0.0 < gaps[2] < 0.25


def test_effective_action_moves_its_indicator_and_ineffective_does_not(tmp_path: Path) -> None:
    store = _store(tmp_path)
    demo.generate(store, months=14, scale=0.1, seed=7, end=END)
    window = "INTERVAL 3 MONTH"
    art = store.rows(
        "SELECT (SELECT median(date_diff('second', created_at, resolved_at)) FROM tickets_current "
        f"  WHERE team = '售后组' AND created_at >= a.start_date - {window} AND created_at < a.start_date), "
        "(SELECT median(date_diff('second', created_at, resolved_at)) FROM tickets_current "
        f"  WHERE team = '售后组' AND created_at >= a.completed_at AND created_at < a.completed_at + {window}) "
        "FROM actions_current a WHERE action_id = 'IMP-001' AND indicator = 'art_median_h' AND scope = 'team=售后组'")
    before, after = art[0]
    assert after < 0.75 * before
    csat = store.rows(
        "SELECT (SELECT avg(CASE WHEN csat >= 4 THEN 1.0 ELSE 0 END) FROM surveys_current s "
        "  JOIN tickets_current t USING (ticket_id) WHERE t.channel = 'chat' AND s.csat IS NOT NULL "
        f"  AND s.responded_at >= a.start_date - {window} AND s.responded_at < a.start_date), "
        "(SELECT avg(CASE WHEN csat >= 4 THEN 1.0 ELSE 0 END) FROM surveys_current s "
        "  JOIN tickets_current t USING (ticket_id) WHERE t.channel = 'chat' AND s.csat IS NOT NULL "
        f"  AND s.responded_at >= a.completed_at AND s.responded_at < a.completed_at + {window}) "
        "FROM actions_current a WHERE action_id = 'IMP-002' AND indicator = 'csat_rate' AND scope = 'channel=chat'")
    before, after = csat[0]
    assert abs(after - before) < 0.05
    pending = store.scalar("SELECT completed_at FROM actions_current WHERE action_id = 'IMP-003'")
    assert 0 < (END - pending).days <= 31


def test_actions_have_every_state(small: Store) -> None:
    statuses = {r[0] for r in small.rows("SELECT DISTINCT status FROM actions_current")}
    assert statuses == {"planned", "in_progress", "done", "verified", "cancelled"}
    causes = {r[0] for r in small.rows("SELECT DISTINCT cause_category FROM actions_current")}
    assert causes == {"people", "process", "equipment", "management", "environment", "measurement"}
    overdue = small.scalar("SELECT count(*) FROM actions_current WHERE completed_at IS NULL "
                           "AND status NOT IN ('cancelled', 'planned') AND due_date < ?", [END])
    late = small.scalar("SELECT count(*) FROM actions_current WHERE completed_at > due_date")
    assert overdue >= 1 and late >= 1


def test_generate_refuses_a_store_with_records(small: Store) -> None:
    assert demo.store_has_records(small)
    with pytest.raises(InputRefused):
        demo.generate(small, **SMALL)


def test_reset_records_empties_records_and_batches_and_is_audited(tmp_path: Path) -> None:
    store = _store(tmp_path)
    assert not demo.store_has_records(store)
    demo.generate(store, **SMALL)
    version = store.data_version()
    rules = store.scalar("SELECT count(*) FROM sla_rules")
    demo.reset_records(store, user="tester")
    assert not demo.store_has_records(store)
    assert all(store.scalar(f"SELECT count(*) FROM {k.table}") == 0 for k in KINDS.values())
    assert store.scalar("SELECT count(*) FROM batches") == 0
    assert store.scalar("SELECT count(*) FROM sla_rules") == rules
    assert store.data_version() > version
    audit_rows = store.rows("SELECT user_name, details FROM audit_log WHERE action = 'demo.reset'")
    assert len(audit_rows) == 1 and audit_rows[0][0] == "tester" and '"tickets"' in audit_rows[0][1]
    # A reset store takes the demo again.
    counts = demo.generate(store, **SMALL)
    assert counts["tickets"] > 0
