"""The daily backlog (csq.monitoring.backlog): open tickets at the end of each day by status, from the status
history (SPEC §2 ticket_events, §4a) or, without one, open from created until resolved or closed."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pyarrow as pa
import pytest

from csq.ingest.importer import import_file
from csq.ingest.mapping import get_preset
from csq.metrics.filters import Filter
from csq.monitoring import charts
from csq.monitoring.backlog import BACKLOG_STATUSES, backlog, history_coverage
from csq.store import Store
from tests.support import REAL

Put = Callable[[str, list[dict[str, object]]], int]


def _d(day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Return a moment in March 2025."""
    return datetime(2025, 3, day, hour, minute)


TICKETS = [
    # T1: no events; open from created until resolved on the 3rd.
    {"ticket_id": "T1", "created_at": _d(1, 10), "resolved_at": _d(3, 9), "channel": "phone"},
    # T2: open, pending on the 2nd, on hold on the 3rd, open and solved on the 4th (its resolved_at is not read).
    {"ticket_id": "T2", "created_at": _d(1, 12), "resolved_at": _d(1, 13), "channel": "phone"},
    # T3: two events at the same moment, on_hold then open: the later row wins; closed on the 3rd.
    {"ticket_id": "T3", "created_at": _d(2, 9), "channel": "phone"},
    # T4: no events and never resolved: open up to the last day.
    {"ticket_id": "T4", "created_at": _d(3, 8), "channel": "phone"},
    # T5: new on the last day, the day of the last created_at.
    {"ticket_id": "T5", "created_at": _d(5, 9), "channel": "phone"},
    # T6: created and solved on the same day: never in the backlog at the end of a day.
    {"ticket_id": "T6", "created_at": _d(2, 8), "channel": "phone"},
    # T7: pending at 00:00 of the 4th: still open at the end of the 3rd.
    {"ticket_id": "T7", "created_at": _d(3, 10), "channel": "phone"},
    # T8: no events, closed (never resolved) on the 2nd.
    {"ticket_id": "T8", "created_at": _d(1, 9), "closed_at": _d(2, 10), "channel": "phone"},
    # T9: another channel, open from the 2nd on.
    {"ticket_id": "T9", "created_at": _d(2, 8), "channel": "email"},
]
EVENTS = [
    {"ticket_id": "T2", "event_at": _d(1, 13), "status": "open"},
    {"ticket_id": "T2", "event_at": _d(2, 15), "status": "pending"},
    {"ticket_id": "T2", "event_at": _d(3, 10), "status": "on_hold"},
    {"ticket_id": "T2", "event_at": _d(4, 8), "status": "open"},
    {"ticket_id": "T2", "event_at": _d(4, 18), "status": "solved"},
    {"ticket_id": "T3", "event_at": _d(2, 10), "status": "on_hold"},
    {"ticket_id": "T3", "event_at": _d(2, 10), "status": "open"},
    {"ticket_id": "T3", "event_at": _d(3, 11), "status": "closed"},
    {"ticket_id": "T5", "event_at": _d(5, 9, 30), "status": "new"},
    {"ticket_id": "T6", "event_at": _d(2, 9), "status": "solved"},
    {"ticket_id": "T7", "event_at": _d(4), "status": "pending"},
    {"ticket_id": "NOT-A-TICKET", "event_at": _d(2, 9), "status": "pending"},  # no ticket: not counted
]
# Worked out by hand from the comments above, for the phone tickets (T9 adds one open ticket from the 2nd on).
PHONE: dict[tuple[int, str], int] = {
    (1, "open"): 3,                                    # T1, T2, T8
    (2, "open"): 2, (2, "pending"): 1,                 # T1, T3 (not on hold); T2
    (3, "open"): 2, (3, "on_hold"): 1,                 # T4, T7; T2
    (4, "open"): 1, (4, "pending"): 1,                 # T4; T7
    (5, "new"): 1, (5, "open"): 1, (5, "pending"): 1,  # T5; T4; T7
}


def _expected(counts: dict[tuple[int, str], int]) -> list[dict[str, object]]:
    """Return the full table for March 1–5: every backlog status every day, zeros included."""
    return [{"day": date(2025, 3, day), "status": s, "tickets": counts.get((day, s), 0)}
            for day in range(1, 6) for s in BACKLOG_STATUSES]


@pytest.fixture
def history(store: Store, put: Put) -> Store:
    """Return the store holding the hand-made tickets and their status history."""
    put("tickets", TICKETS)
    put("ticket_events", EVENTS)
    return store


def test_the_backlog_by_day_and_status_matches_the_hand_count(history: Store) -> None:
    phone = Filter(where=(("channel", ("phone",)),))
    assert backlog(history, phone).to_pylist() == _expected(PHONE)
    everything = dict(PHONE)
    for day in range(2, 6):
        everything[(day, "open")] = everything.get((day, "open"), 0) + 1  # T9
    assert backlog(history, Filter()).to_pylist() == _expected(everything)
    assert history_coverage(history, phone) == (5, 8)  # T2, T3, T5, T6, T7 have events


def test_the_types_are_day_date_status_text_tickets_bigint(history: Store) -> None:
    schema = backlog(history, Filter()).schema
    assert schema.names == ["day", "status", "tickets"]
    assert (schema.field("day").type, schema.field("status").type, schema.field("tickets").type) == (
        pa.date32(), pa.string(), pa.int64())


def test_a_later_batch_supersedes_an_event_with_the_same_key(history: Store, put: Put) -> None:
    put("ticket_events", [{"ticket_id": "T5", "event_at": _d(5, 9, 30), "status": "solved"}])
    rows = backlog(history, Filter(where=(("channel", ("phone",)),))).to_pylist()
    assert {(r["status"], r["tickets"]) for r in rows if r["day"] == date(2025, 3, 5)} == {
        ("new", 0), ("open", 1), ("pending", 1), ("on_hold", 0)}


def test_an_event_before_created_at_counts_from_created_at(store: Store, put: Put) -> None:
    put("tickets", [{"ticket_id": "A", "created_at": _d(2, 10)}, {"ticket_id": "B", "created_at": _d(1, 10)}])
    put("ticket_events", [{"ticket_id": "A", "event_at": _d(1, 9), "status": "pending"}])
    rows = {(r["day"].day, r["status"]): r["tickets"] for r in backlog(store, Filter()).to_pylist() if r["tickets"]}
    assert rows == {(1, "open"): 1, (2, "open"): 1, (2, "pending"): 1}


def test_an_empty_store_or_filter_gives_an_empty_table(store: Store, put: Put) -> None:
    empty = backlog(store, Filter())
    assert empty.num_rows == 0 and empty.schema.names == ["day", "status", "tickets"]
    assert history_coverage(store, Filter()) == (0, 0)
    put("tickets", TICKETS)
    assert backlog(store, Filter("2024-01", "2024-02")).num_rows == 0
    assert backlog(store, Filter(where=(("channel", ("chat",)),))).num_rows == 0


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_chart_stacks_one_area_per_status_with_labels(history: Store, lang: str) -> None:
    fig = charts.backlog_figure(backlog(history, Filter()), lang)
    assert [tr.name for tr in fig.data] == (["新建", "处理中", "待客户回复", "等待第三方"] if lang == "zh"
                                            else ["New", "Open", "Pending customer", "On hold"])
    assert {tr.stackgroup for tr in fig.data} == {"backlog"}
    assert list(fig.data[1].y) == [3, 3, 3, 2, 2]  # open, T9 included
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text


def _brute_force(store: Store, day: date) -> dict[str, int]:
    """Return the backlog of one day counted ticket by ticket in Python, straight from the definition."""
    end = datetime.combine(day + timedelta(days=1), datetime.min.time())
    events: dict[str, list[tuple]] = {}
    for row in store.rows("SELECT ticket_id, event_at, _batch_id, _row, status FROM ticket_events "
                          "WHERE _superseded_by IS NULL ORDER BY 1, 2, 3, 4"):
        events.setdefault(row[0], []).append(row[1:])
    counts: Counter[str] = Counter()
    for tid, created, resolved, closed in store.rows(
            "SELECT ticket_id, created_at, resolved_at, closed_at FROM tickets_current"):
        if created >= end:
            continue
        if tid in events:
            before = [e for e in events[tid] if e[0] < end]
            status = before[-1][3] if before else "open"
        else:
            done = min((x for x in (resolved, closed) if x is not None), default=None)
            status = "open" if done is None or done >= end else "solved"
        counts[status] += status in BACKLOG_STATUSES
    return {s: n for s, n in counts.items() if n}


@pytest.mark.slow
def test_the_servicenow_backlog_agrees_with_a_count_ticket_by_ticket(store: Store) -> None:
    path = REAL / "servicenow_incident_events.csv"
    assert import_file(store, path, "tickets", get_preset(store, "servicenow")).status == "committed"
    assert import_file(store, path, "ticket_events", get_preset(store, "servicenow_events")).status == "committed"
    table = backlog(store, Filter()).to_pylist()
    # From the first incident's day to the as-of day (the latest closed_at): tickets stay open past the last one.
    assert (table[0]["day"], table[-1]["day"]) == (date(2016, 2, 29), date(2017, 2, 15))
    for day in (date(2016, 2, 29), date(2016, 3, 15), date(2016, 4, 10), date(2016, 5, 13)):
        got = {r["status"]: r["tickets"] for r in table if r["day"] == day and r["tickets"]}
        assert got == _brute_force(store, day), day


def test_a_ticket_opened_before_the_period_counts_while_it_stays_open(store: Store, put: Put) -> None:
    put("tickets", [{"ticket_id": "OLD", "created_at": datetime(2025, 2, 20, 9), "resolved_at": _d(2, 12),
                     "channel": "phone"},
                    {"ticket_id": "NEW", "created_at": _d(3, 9), "channel": "phone"}])
    got = {(r["day"], r["status"]): r["tickets"] for r in backlog(store, Filter("2025-03", "2025-03")).to_pylist()}
    # Days of March up to the as-of day (the 3rd, NEW's creation): OLD is open at the end of the 1st only.
    assert sorted({d for d, _ in got}) == [date(2025, 3, 1), date(2025, 3, 2), date(2025, 3, 3)]
    assert [got[(date(2025, 3, d), "open")] for d in (1, 2, 3)] == [1, 0, 1]


def test_a_later_period_gives_the_same_days_as_the_whole_history(demo_copy) -> None:
    # Tickets done before the first day shown are skipped (they change no count): every day of a period that
    # starts late must equal that day counted from the first ticket on. The demo's years of tickets, on a
    # phone filter as well, so the skip has real work to do.
    from csq.store import open_store

    s = open_store(demo_copy, read_only=True)
    try:
        for where in ((), (("channel", ("phone",)),)):
            whole = {(r["day"], r["status"]): r["tickets"] for r in backlog(s, Filter(where=where)).to_pylist()}
            late = backlog(s, Filter("2025-07", None, where)).to_pylist()
            assert len(late) > 100 and any(r["tickets"] for r in late)
            assert all(whole[(r["day"], r["status"])] == r["tickets"] for r in late)
            first = min(r["day"] for r in late)
            skipped = s.scalar("SELECT count(*) FROM tickets_current WHERE resolved_at < ?",
                               [datetime(first.year, first.month, first.day)])
            assert skipped > 1000
    finally:
        s.close()
