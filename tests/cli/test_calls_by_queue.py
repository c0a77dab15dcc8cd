"""Calls by phone queue: `kpi --where queue=…` and `--by queue` (SPEC §6), and FCR and CSAT of the tickets the
calls name, by queue (SPEC §7 Telephony), on a small fixture whose every figure is counted by hand below."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from csq.errors import InputRefused
from csq.metrics.filters import Filter
from csq.telephony.quality import queue_quality
from tests.support import cli_json, run_cli

T0 = datetime(2025, 3, 3, 10, 0)

# Tickets: (id, resolved, contacts, reopen_count). FCR counts resolved tickets with a known contacts value.
TICKETS = [("T1", True, 1, 0),     # first contact resolution
           ("T2", True, 2, 0),     # resolved, two contacts: not FCR
           ("T3", True, None, 0),  # contacts unknown: outside FCR's n
           ("T4", False, 1, 0),    # not resolved: outside FCR's n
           ("T5", True, 1, 1),     # reopened: not FCR
           ("T6", True, 1, 0)]     # first contact resolution
# Surveys: (ticket, csat); None = an invitation without an answer, outside CSAT's n.
SURVEYS = [("T1", 5), ("T1", 4), ("T2", 3), ("T3", 4), ("T4", None), ("T5", 2), ("T6", 1)]
# Calls: (id, queue, ticket, wait in s or None = abandoned, seconds until the caller hung up, direction, day offset)
CALLS = [("C1", "A", "T1", 10, None, "inbound", 0),
         ("C2", "A", "T1", 10, None, "inbound", 0),      # T1 again in A: the ticket counts once there
         ("C3", "A", "T2", 30, None, "inbound", 0),      # answered after 30 s: outside the 20 s service level
         ("C4", "A", "T3", 10, None, "inbound", 0),
         ("C12", "A", "T6", 10, None, "inbound", 0),
         ("C5", "B", "T1", 10, None, "inbound", 0),      # T1 also in B: it counts in both queues
         ("C6", "B", "T4", 10, None, "inbound", 0),
         ("C7", "B", "T5", 10, None, "inbound", 0),
         ("C8", "B", None, None, 3, "inbound", 0),       # short abandon (≤ 5 s): not offered, no ticket
         ("C9", "B", "T404", None, 60, "inbound", 0),    # abandoned after 60 s; names no stored ticket
         ("C10", "A", "T5", 10, None, "outbound", 0),    # outbound: left out everywhere
         ("C11", "A", "T5", 10, None, "inbound", 40)]    # April: outside the March filter


@pytest.fixture
def db(store, put) -> Path:
    put("tickets", [{"ticket_id": i, "created_at": T0 - timedelta(days=1), "channel": "phone", "type": "inquiry",
                     "resolved_at": T0 if resolved else None, "contacts": contacts, "reopen_count": reopen}
                    for i, resolved, contacts, reopen in TICKETS])
    put("surveys", [{"survey_id": f"S{n}", "ticket_id": t, "sent_at": T0, "responded_at": T0 if c else None,
                     "csat": c} for n, (t, c) in enumerate(SURVEYS)])
    rows = []
    for cid, queue, ticket, wait, gone, direction, day in CALLS:
        queued = T0 + timedelta(days=day)
        rows.append({"call_id": cid, "queue": queue, "ticket_id": ticket, "direction": direction,
                     "queued_at": queued, "answered_at": None if wait is None else queued + timedelta(seconds=wait),
                     "ended_at": queued + timedelta(seconds=gone if wait is None else wait + 200),
                     "talk_s": None if wait is None else 200})
    put("calls", rows)
    path = store.path
    store.close()
    return path


def test_fcr_and_csat_of_the_linked_tickets_by_queue(db: Path) -> None:
    from csq.store import open_store

    s = open_store(db, read_only=True)
    try:
        got = {q.queue: q for q in queue_quality(s, Filter("2025-03", "2025-03"))}
    finally:
        s.close()
    a, b = got["A"], got["B"]
    # A: inbound March calls C1 C2 C3 C4 C12, all naming a stored ticket; tickets T1 T2 T3 T6.
    assert (a.calls, a.calls_linked, a.tickets) == (5, 5, 4)
    # FCR over T1 (yes), T2 (no), T6 (yes); T3's contacts unknown → 2 / 3.
    assert (a.fcr_rate, a.n_fcr) == (pytest.approx(2 / 3), 3)
    # CSAT over the answers of T1 (5, 4), T2 (3), T3 (4), T6 (1): 5, 4, 4 are 4 or 5 → 3 / 5.
    assert (a.csat_rate, a.n_csat) == (pytest.approx(3 / 5), 5)
    # B: inbound C5 C6 C7 C8 C9; C5 C6 C7 name stored tickets T1 T4 T5 (T404 is none).
    assert (b.calls, b.calls_linked, b.tickets) == (5, 3, 3)
    # FCR over T1 (yes), T5 (reopened, no); T4 unresolved → 1 / 2.
    assert (b.fcr_rate, b.n_fcr) == (pytest.approx(1 / 2), 2)
    # CSAT over T1 (5, 4), T5 (2); T4's invitation has no answer → 2 / 3.
    assert (b.csat_rate, b.n_csat) == (pytest.approx(2 / 3), 3)
    assert set(got) == {"A", "B"}


def test_a_queue_without_linked_tickets_has_no_data_not_zero(db: Path) -> None:
    from csq.store import open_store

    s = open_store(db, read_only=True)
    try:
        april = queue_quality(s, Filter("2025-04", "2025-04"))
        none = queue_quality(s, Filter("2025-03", "2025-03", (("queue", ("Z",)),)))
    finally:
        s.close()
    # April holds C11 alone (A, T5: resolved but reopened → FCR 0 / 1; its survey csat 2 → CSAT 0 / 1).
    assert [(q.queue, q.calls, q.tickets, q.fcr_rate, q.n_fcr, q.csat_rate, q.n_csat) for q in april] == [
        ("A", 1, 1, 0.0, 1, 0.0, 1)]
    assert none == []


def test_kpi_where_queue_gives_that_queues_call_figures(db: Path) -> None:
    keys = "calls_offered,answer_rate,abandon_rate,service_level,asa_s,aht_s"
    a = cli_json("kpi", "--from", "2025-03", "--to", "2025-03", "--where", "queue=A", "--indicators", keys, db=db)
    # A offered C1 C2 C3 C4 C12, all answered; C3 waited 30 s > 20 s → service level 4 / 5; ASA (4·10 + 30) / 5.
    assert len(a) == 1
    assert a[0]["calls_offered"] == 5 and a[0]["answer_rate"] == 1.0 and a[0]["abandon_rate"] == 0.0
    assert a[0]["service_level"] == pytest.approx(0.8) and a[0]["asa_s"] == pytest.approx(14.0)
    assert a[0]["aht_s"] == pytest.approx(200.0)
    both = cli_json("kpi", "--from", "2025-03", "--to", "2025-03", "--where", "queue=A", "--where", "队列=B",
                    "--indicators", "calls_offered", db=db)
    assert both[0]["calls_offered"] == 9  # a repeated field means any of its values; 队列 is queue


def test_kpi_by_queue_and_ticket_indicators_under_a_queue_filter_show_no_data(db: Path) -> None:
    rows = cli_json("kpi", "--from", "2025-03", "--to", "2025-03", "--by", "queue", "--indicators",
                    "calls_offered,abandon_rate,service_level,fcr_rate", db=db)
    by = {r["queue"]: r for r in rows}
    # B offered C5 C6 C7 C9 (C8 is a short abandon); C9 abandoned after 60 s → abandon rate 1 / 4, SL 3 / 4.
    assert by["B"]["calls_offered"] == 4 and by["B"]["abandon_rate"] == pytest.approx(0.25)
    assert by["B"]["service_level"] == pytest.approx(0.75) and by["A"]["calls_offered"] == 5
    assert by["A"]["fcr_rate"] is None and by["B"]["fcr_rate"] is None   # tickets have no queue
    mixed = cli_json("kpi", "--from", "2025-03", "--to", "2025-03", "--where", "queue=A", "--indicators",
                     "tickets,fcr_rate,csat_rate,calls_offered", db=db)[0]
    assert (mixed["tickets"], mixed["fcr_rate"], mixed["csat_rate"]) == (0, None, None)
    assert mixed["calls_offered"] == 5
    text = run_cli("kpi", "--from", "2025-03", "--to", "2025-03", "--where", "queue=A", "--indicators",
                   "tickets,calls_offered", db=db)
    assert text.returncode == 0 and "queue is a field of calls only" in text.stdout
    alone = run_cli("kpi", "--from", "2025-03", "--to", "2025-03", "--where", "queue=A", "--indicators",
                    "calls_offered", db=db)
    assert "field of calls only" not in alone.stdout   # nothing to warn about when only call figures are asked


def test_an_unknown_filter_field_is_still_refused() -> None:
    with pytest.raises(InputRefused, match="queue"):   # the refusal lists queue among the fields
        Filter.from_pairs(None, None, ["skill_level=3"])


def test_an_action_scope_may_name_a_queue(db: Path) -> None:
    from csq.metrics.engine import compute
    from csq.metrics.filters import parse_scope
    from csq.store import open_store

    assert parse_scope("队列=A") == {"queue": ["A"]} and parse_scope("queue=A; team=一组") == {
        "queue": ["A"], "team": ["一组"]}
    s = open_store(db, read_only=True)
    try:
        got = compute(s, Filter.from_scope("技能组=B", "2025-03", "2025-03"), (), ["calls_offered"])[0]
    finally:
        s.close()
    assert got.value("calls_offered") == 4   # B offered C5 C6 C7 C9, as in kpi --where queue=B
