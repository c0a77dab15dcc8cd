"""Pauses on the real ServiceNow event log (issue 15, SPEC §4a): the log imported as tickets and as events,
resolution_sla_rate with pending/on_hold time taken off the clock against an independent computation.

The independent side reads the CSV with the csv module only: each incident's current row (highest
sys_mod_count, as the ServiceNow preset keeps it), the status history (one state per sys_updated_at, the later
row of the file winning), and the rule that applies to every incident here: the catch-all resolution limit of
120 h (SPEC §4; the preset makes every incident tech_support, and no other rule sets a resolution limit).
"""
from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from csq.ingest.importer import import_file
from csq.ingest.mapping import get_preset
from csq.metrics import facts
from csq.metrics.asof import as_of
from csq.metrics.engine import compute
from csq.metrics.filters import Filter
from csq.store import Store, open_store
from csq.store.settings_file import apply_settings
from tests.store.test_ticket_facts import drop_facts, figures
from tests.support import REAL

SERVICENOW = REAL / "servicenow_incident_events.csv"
PAUSED = {"Awaiting User Info", "Awaiting Vendor", "Awaiting Problem", "Awaiting Evidence"}  # pending, on_hold
LIMIT = timedelta(hours=120)


def _at(text: str) -> datetime | None:
    return None if text == "?" else datetime.strptime(text, "%d/%m/%Y %H:%M")


def _read_log() -> tuple[dict[str, dict[str, str]], dict[str, list[tuple[datetime, str]]]]:
    """Return each incident's current row and its status history (sorted, one state per moment)."""
    current: dict[str, tuple[int, dict[str, str]]] = {}
    states: dict[str, dict[datetime, str]] = defaultdict(dict)
    with SERVICENOW.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            n, mod = row["number"], int(row["sys_mod_count"])
            if n not in current or mod >= current[n][0]:
                current[n] = (mod, row)
            states[n][_at(row["sys_updated_at"])] = row["incident_state"]  # a later row wins its moment
    return {n: r for n, (_, r) in current.items()}, {n: sorted(s.items()) for n, s in states.items()}


def _expected(pauses: bool) -> float:
    """Return resolution_sla_rate over the log: met ÷ (met + breached) with or without pause time."""
    tickets, history = _read_log()
    as_of = max(x for r in tickets.values() for x in (_at(r["opened_at"]), _at(r["resolved_at"]),
                                                       _at(r["closed_at"])) if x is not None)
    met = breached = 0
    for n, row in tickets.items():
        created, resolved = _at(row["opened_at"]), _at(row["resolved_at"])
        end = resolved or as_of
        paused = timedelta()
        events = history[n]
        for i, (start, state) in enumerate(events):
            stop = events[i + 1][0] if i + 1 < len(events) else end
            lo, hi = max(start, created), min(stop, end)
            if pauses and state in PAUSED and hi > lo:
                paused += hi - lo
        used = end - created - paused
        if resolved is not None:
            met, breached = met + (used <= LIMIT), breached + (used > LIMIT)
        elif used > LIMIT:
            breached += 1
    return met / (met + breached)


@pytest.fixture(scope="module")
def log_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("servicenow") / "csq.duckdb"
    s = open_store(db)
    try:
        for kind, preset in (("tickets", "servicenow"), ("ticket_events", "servicenow_events")):
            assert import_file(s, SERVICENOW, kind, get_preset(s, preset)).status == "committed"
    finally:
        s.close()
    return db


def _rate(db: Path, copy_to: Path, pause_statuses: list[str] | None) -> float | None:
    """Return resolution_sla_rate on a copy of the store, with the pause statuses set when given."""
    copy_to.write_bytes(db.read_bytes())
    s: Store = open_store(copy_to)
    try:
        if pause_statuses is not None:
            apply_settings(s, {"pause_statuses": pause_statuses}, "test", role="admin")
        return compute(s, Filter(), (), ["resolution_sla_rate"])[0].value("resolution_sla_rate")
    finally:
        s.close()


def test_resolution_sla_with_pauses_equals_the_independent_computation(log_db: Path, tmp_path: Path) -> None:
    paused = _rate(log_db, tmp_path / "a.duckdb", None)  # the default pause statuses: pending, on_hold
    assert paused == pytest.approx(_expected(pauses=True), abs=1e-12)


def test_without_pauses_the_rate_is_the_wall_clock_rate_and_differs(log_db: Path, tmp_path: Path) -> None:
    unpaused = _rate(log_db, tmp_path / "b.duckdb", [])
    assert unpaused == pytest.approx(_expected(pauses=False), abs=1e-12)
    assert _expected(pauses=True) - _expected(pauses=False) > 0.01  # waiting on users is a real share here
    assert json.dumps(unpaused) != json.dumps(_rate(log_db, tmp_path / "c.duckdb", None))


def test_the_ticket_facts_keep_the_pauses_of_the_live_clock(log_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "facts.duckdb"
    db.write_bytes(log_db.read_bytes())
    s = open_store(db)
    try:
        apply_settings(s, {"sla_rules": [{"channel": None, "type": None, "priority": None, "first_response_min": 60,
                                          "resolution_h": 120, "calendar": "workdays_9_18"}]}, "test", role="admin")
        assert facts.refresh(s) and facts.ticket_clock(s, "TRUE", as_of(s)).facts
        through_facts = figures(s, Filter())
    finally:
        s.close()
    drop_facts(db)
    s = open_store(db, read_only=True)
    try:
        assert not facts.ticket_clock(s, "TRUE", as_of(s)).facts
        live = figures(s, Filter())
    finally:
        s.close()
    assert through_facts[:2] == live[:2]
    assert through_facts[2].equals(live[2]) and through_facts[3].equals(live[3])
    paused = live[2].column("res_paused_us").to_pylist()
    assert sum(1 for v in paused if v) > 1000  # thousands of incidents waited on a user or vendor
