"""The ticket facts kept up to date incrementally (csq.metrics.facts_incremental) equal a whole rebuild, row for row.

After each step of a store's life (import March with status history and surveys; import April with changes to
March tickets; import more status history; roll back April; roll back that history; a settings change) the
facts and linked_tickets the store holds are compared with the tables a whole rebuild makes on a copy of it.
The steps touch what the update must notice: rows that came, changed and went, tickets still open when as-of
moves, a resolved ticket whose pause starts after the first as-of (paused_now), a due moment past the calendar
spans' end, event rows replaced and rolled back, surveys naming a ticket that arrives later.
"""
from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from csq.metrics import facts
from csq.metrics.asof import as_of
from csq.store import Store, open_store
from csq.store.batches import rollback
from csq.store.settings import SlaRule, set_sla_rules, sla_rules

BIZ = "workdays_9_18"
RULES = [
    SlaRule(channel="phone", first_response_min=30, resolution_min=8 * 60, calendar=BIZ, pause_first_response=True),
    SlaRule(type="complaint", first_response_min=60, resolution_min=72 * 60, calendar=BIZ),
    # 7,200 business hours are some 800 workdays: the due moment lies past the 400 days of spans after as-of, so
    # it depends on as-of even for a resolved ticket (the update must recompute it when as-of moves).
    SlaRule(type="suggestion", first_response_min=60, resolution_min=7200 * 60, calendar=BIZ),
    SlaRule(first_response_min=120, resolution_min=48 * 60),
]
MARCH = datetime(2025, 3, 3, 10, 0)
APRIL = datetime(2025, 4, 1, 10, 0)
CHANNELS = ("phone", "email", "chat")
TYPES = ("inquiry", "complaint", "suggestion", "tech_support")


def ticket(tid: str, created: datetime, state: int, n: int) -> dict[str, object]:
    """Return a ticket row: state 0 resolved in 2 days, 1 answered and open, 2 unanswered, 3 resolved in 5 hours."""
    first = {0: timedelta(minutes=30), 1: timedelta(hours=1), 3: timedelta(minutes=10)}.get(state)
    done = {0: timedelta(days=2), 3: timedelta(hours=5)}.get(state)
    return {"ticket_id": tid, "created_at": created, "first_response_at": created + first if first else None,
            "resolved_at": created + done if done else None, "channel": CHANNELS[n % 3], "type": TYPES[n // 2 % 4],
            "priority": "normal"}


def events(rows: list[tuple[str, datetime, str]]) -> list[dict[str, object]]:
    """Return status-history rows."""
    return [{"ticket_id": t, "event_at": at, "status": st, "status_raw": st} for t, at, st in rows]


def march_tickets() -> list[dict[str, object]]:
    """Return twelve March tickets, a day apart, in the four states in turn."""
    return [ticket(f"M{i:02}", MARCH + timedelta(days=i, minutes=7 * i), i % 4, i) for i in range(12)]


def row(table: pa.Table, tid: str) -> dict[str, object]:
    """Return one ticket's facts."""
    return next(r for r in table.to_pylist() if r["ticket_id"] == tid)


def tables(store: Store) -> tuple[pa.Table, pa.Table]:
    """Return the facts and linked_tickets, every column, by ticket_id."""
    return (store.arrow("SELECT * FROM ticket_facts ORDER BY ticket_id"),
            store.arrow("SELECT * FROM linked_tickets ORDER BY ticket_id"))


def rebuilt(store: Store, folder: Path) -> tuple[pa.Table, pa.Table]:
    """Return the tables a whole rebuild makes from the same data: on a copy without the facts' record."""
    store.rows("CHECKPOINT")
    copy = folder / f"full{store.data_version()}.duckdb"
    shutil.copyfile(store.path, copy)
    other = open_store(copy)
    try:
        other.rows("DROP TABLE ticket_facts_meta")
        facts._FRESH.clear()
        assert facts.refresh(other)
        return tables(other)
    finally:
        other.close()


@pytest.fixture
def whole(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Count the whole rebuilds (one entry per call of facts._rebuild)."""
    calls: list[int] = []
    real = facts._rebuild

    def counted(*args: object) -> None:
        calls.append(1)
        real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(facts, "_rebuild", counted)
    yield calls


def test_each_step_leaves_the_facts_a_whole_rebuild_would_make(store: Store, put: Callable[..., int],
                                                                 tmp_path: Path, whole: list[int]) -> None:
    def step(rebuilds: int) -> tuple[pa.Table, pa.Table]:
        """Refresh the store's facts; check they equal a whole rebuild, that `rebuilds` whole ones ran, and return them."""
        whole.clear()
        assert facts.refresh(store)
        got, n = tables(store), len(whole)
        assert n == rebuilds
        full = rebuilt(store, tmp_path)
        assert got[0].schema == full[0].schema and got[0].num_rows == full[0].num_rows
        assert got[0].to_pylist() == full[0].to_pylist()
        assert got[1].to_pylist() == full[1].to_pylist()
        meta = store.rows("SELECT data_version, as_of FROM ticket_facts_meta")
        assert meta == [(store.data_version(), as_of(store))]
        return got

    set_sla_rules(store, RULES, role="admin")
    put("tickets", march_tickets())
    put("ticket_events", events([
        ("M01", MARCH + timedelta(days=1, hours=2), "pending"), ("M01", MARCH + timedelta(days=2), "open"),
        ("M02", MARCH + timedelta(days=2, hours=3), "on_hold"),              # open-ended: paused now
        ("M00", MARCH + timedelta(hours=1), "on_hold"), ("M00", MARCH + timedelta(hours=5), "open"),
        # M08 was resolved in March; a pause on 10 April lies after March's as-of, so it is paused only once
        # April's tickets move as-of past it.
        ("M08", datetime(2025, 4, 10, 9, 0), "pending")]))
    put("surveys", [{"survey_id": "S1", "ticket_id": "M01", "sent_at": MARCH, "responded_at": MARCH, "csat": 4},
                    {"survey_id": "S2", "ticket_id": "A03", "sent_at": APRIL, "responded_at": APRIL, "csat": 2}])
    first = step(rebuilds=1)   # no facts yet: built whole
    assert first[1].column("ticket_id").to_pylist() == ["M01"]   # A03 does not exist yet
    assert row(first[0], "M08")["paused_now"] is False

    april = [ticket(f"A{i:02}", APRIL + timedelta(days=i, hours=i), (i + 1) % 4, i) for i in range(10)]
    m02, m07 = march_tickets()[2], march_tickets()[7]
    changed = [{**m02, "first_response_at": APRIL, "resolved_at": APRIL + timedelta(hours=3)},   # open → resolved
               {**m07, "priority": "high", "channel": "phone"}]                                  # another rule
    batch_april = put("tickets", april + changed)
    second = step(rebuilds=0)
    assert "A03" in second[1].column("ticket_id").to_pylist()
    assert row(second[0], "M08")["paused_now"] is True   # the update recomputed a resolved ticket because of its late event

    batch_events = put("ticket_events", events([
        ("A01", APRIL + timedelta(days=1, hours=2), "pending"), ("A01", APRIL + timedelta(days=1, hours=6), "open"),
        ("M01", MARCH + timedelta(days=1, hours=2), "on_hold"),   # replaces M01's pending row (same key)
        ("M05", MARCH + timedelta(days=5, hours=1), "pending")]))
    step(rebuilds=0)

    rollback(store, batch_april, role="admin")   # as-of moves back; M02 and M07 are March's again, A.. are gone
    after = step(rebuilds=0)
    assert not any(t.startswith("A") for t in after[0].column("ticket_id").to_pylist())
    rollback(store, batch_events, role="admin")  # M01's pending row is current again
    step(rebuilds=0)

    put("surveys", [{"survey_id": "S3", "ticket_id": "M05", "sent_at": MARCH, "responded_at": MARCH, "csat": 5}])
    assert step(rebuilds=0)[1].column("ticket_id").to_pylist() == ["M01", "M05"]

    set_sla_rules(store, [replace(r, calendar="24x7") for r in sla_rules(store)], role="admin")
    step(rebuilds=1)   # a settings change rebuilds whole
    put("tickets", [ticket("M99", MARCH, 1, 0)])
    step(rebuilds=0)


def test_a_write_other_than_imports_and_rollbacks_rebuilds_whole(store: Store, put: Callable[..., int],
                                                                  whole: list[int]) -> None:
    set_sla_rules(store, RULES, role="admin")
    put("tickets", march_tickets())
    assert facts.refresh(store)
    with store.transaction() as cur:   # a write no batch explains (as a purge or the demo's own writes are)
        cur.execute("DELETE FROM tickets WHERE ticket_id = 'M03'")
        cur.execute("UPDATE settings SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'data_version'")
    whole.clear()
    assert facts.refresh(store) and len(whole) == 1
    assert store.scalar("SELECT count(*) FROM ticket_facts WHERE ticket_id = 'M03'") == 0


def test_too_many_rows_out_of_time_order_rebuild_whole(store: Store, put: Callable[..., int], whole: list[int],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    put("tickets", march_tickets())
    assert facts.refresh(store)
    # Two of twelve tickets replaced behind the newest: 2 > 12 // 8 with the row-group floor taken away.
    monkeypatch.setattr("csq.metrics.facts_incremental.SCATTER_FLOOR", 0)
    monkeypatch.setattr("csq.metrics.facts_incremental.SCATTER_SHARE", 8)
    put("tickets", [{**t, "priority": "high"} for t in march_tickets()[2:4]])
    whole.clear()
    assert facts.refresh(store) and len(whole) == 1
    assert store.rows("SELECT scattered FROM ticket_facts_meta") == [(0,)]
    created = [r[0] for r in store.rows("SELECT created_at FROM ticket_facts")]
    assert created == sorted(created)   # the rebuild put them back in time order
    monkeypatch.setattr("csq.metrics.facts_incremental.SCATTER_SHARE", 4)
    put("tickets", [{**march_tickets()[5], "priority": "high"}])   # 1 ≤ 12 // 4: updated, and counted
    whole.clear()
    assert facts.refresh(store) and not whole
    assert store.rows("SELECT scattered FROM ticket_facts_meta") == [(1,)]
