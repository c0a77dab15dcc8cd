"""Rates and counts tallied in DuckDB (csq.improvement.samples.Tallies) give the cells the per-record read gives.

A kind whose checked keys are all rates or counts is tallied per day and scope matches; asked together with a
median, the same kind is read record by record. Both books are read from the demo store here, and every cell
of every window, scope and comparison group must hold the same values (a rate's cell is its n and its ones).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from csq.improvement.samples import Want, read_book
from csq.metrics.asof import as_of
from csq.metrics.indicators import INDICATORS
from csq.store import open_store

KEYS = sorted(k for k, i in INDICATORS.items() if i.kind == "tickets" and i.unit in ("rate", "count"))
SCOPES = (None, "channel=phone", "team=售后组", "channel=chat,email")
WINDOWS = ((date(2025, 1, 6), date(2025, 2, 1)), (date(2025, 2, 1), date(2025, 3, 15)), (date(2025, 3, 15), date(2025, 4, 1)))


def test_ticket_rates_tallied_equal_the_records(demo_db: Path) -> None:
    store = open_store(demo_db, read_only=True)
    try:
        first, end = WINDOWS[0][0], WINDOWS[-1][1]
        wants = [Want(k, s, first, end) for k in KEYS for s in SCOPES]
        tallied = read_book(store, wants, as_of(store))
        records = read_book(store, [*wants, Want("frt_median_min", None, first, end)], as_of(store))
        assert "tickets" in tallied.tallies and "tickets" not in tallied.kinds   # no record left DuckDB
        assert "tickets" in records.kinds and "tickets" not in records.tallies
        compared = 0
        for k in KEYS:
            for s in SCOPES:
                for start, stop in WINDOWS:
                    for outside in (False, True):
                        got = tallied.cell(k, s, start, stop, outside).tolist()
                        assert sorted(got) == sorted(records.cell(k, s, start, stop, outside).tolist()), (k, s, start)
                        compared += len(got)
        assert len(KEYS) > 5 and compared > 10_000   # the demo's tickets really fill the cells
    finally:
        store.close()
