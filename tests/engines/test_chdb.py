"""`kpi --engine chdb`: every indicator on chDB (in-process ClickHouse) equals DuckDB's, grouped and filtered.

DuckDB is the reference: each case runs `python -m csq kpi --json` on both engines and compares every group
and every key (floats to 1e-9, counts exactly, None where DuckDB has None). The cases run on the small demo
center and on a hand fixture whose figures are also worked out by hand below, on both clocks (the fixture
has a business-hours rule, so the business clock really differs from the calendar one).

chDB is an optional dependency (requirements-engine.txt, about 180 MB): without it these tests are skipped,
except in CI (CI=true), which installs it, where a missing chDB fails them.
"""
from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pytest

from csq.engines.dialect import translate
from csq.errors import CsqError, InputRefused
from csq.ingest.importer import import_file
from csq.ingest.mapping import get_preset
from csq.metrics import facts
from csq.metrics.filters import Filter
from csq.metrics.indicators import INDICATORS
from csq.store import Store, open_store
from csq.store.batches import commit_records
from csq.store.settings import SlaRule, set_sla_rules, sla_rules
from csq.store.settings_file import apply_settings
from tests.support import REAL, ROOT, run_cli

T = datetime
HAVE_CHDB = importlib.util.find_spec("chdb") is not None
IN_CI = os.environ.get("CI") == "true"
needs_chdb = pytest.mark.skipif(not HAVE_CHDB and not IN_CI,
                                reason="chDB is not installed (pip install -r requirements-engine.txt); CI installs it")

# The cases of issue 18: no grouping, by month, team and channel, and a filtered run.
CASES = [[], ["--by", "month"], ["--by", "team"], ["--by", "channel"],
         ["--where", "channel=phone", "--from", "2025-03", "--to", "2025-09"]]


@pytest.fixture(autouse=True)
def _snapshots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test's Parquet snapshots in its own folder."""
    monkeypatch.setenv("CSQ_SNAPSHOTS", str(tmp_path / "snapshots"))


def kpi(db: Path, *args: str, engine: str = "duckdb") -> list[dict[str, object]]:
    """Return `kpi --json` on one engine, asserting it succeeded."""
    proc = run_cli("kpi", *args, "--engine", engine, "--json", db=db)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return json.loads(proc.stdout)


def assert_same(duck: object, ch: object, where: str = "") -> None:
    """Assert two kpi outputs are equal: floats to 1e-9, everything else (counts, None, labels) exactly."""
    if isinstance(duck, float) and isinstance(ch, float):
        assert math.isclose(duck, ch, rel_tol=1e-9, abs_tol=1e-9), f"{where}: {duck} != {ch}"
    elif isinstance(duck, dict) and isinstance(ch, dict):
        assert list(duck) == list(ch), where
        for k in duck:
            assert_same(duck[k], ch[k], f"{where}.{k}")
    elif isinstance(duck, list) and isinstance(ch, list):
        assert len(duck) == len(ch), f"{where}: {len(duck)} groups != {len(ch)}"
        for i, (a, b) in enumerate(zip(duck, ch)):
            assert_same(a, b, f"{where}[{i}]")
    else:
        assert duck == ch and type(duck) is type(ch), f"{where}: {duck!r} != {ch!r}"


def _current_facts(db: Path) -> None:
    """Build the store's ticket facts (a writer does this on its way out; the test fixtures write directly)."""
    s = open_store(db)
    try:
        assert facts.refresh(s)
    finally:
        s.close()


# ---- the hand fixture: five tickets, three surveys, two QA evaluations, three calls

TICKETS = [
    # t1 phone: responded after 61 min of wall clock, 1 min of business time (opens 09:00); resolved 2 h / 1 h.
    {"ticket_id": "t1", "created_at": T(2025, 3, 3, 8), "first_response_at": T(2025, 3, 3, 9, 1),
     "resolved_at": T(2025, 3, 3, 10), "channel": "phone", "type": "inquiry", "team": "A", "agent": "a1",
     "contacts": 1, "reopen_count": 0},
    # t2 phone, Friday 17:00: responded in 5 min (breaches 2); resolved Monday 10:00: 65 h wall, 2 h business.
    {"ticket_id": "t2", "created_at": T(2025, 3, 7, 17), "first_response_at": T(2025, 3, 7, 17, 5),
     "resolved_at": T(2025, 3, 10, 10), "channel": "phone", "type": "inquiry", "team": "B", "agent": "a2",
     "contacts": 1, "reopen_count": 0},
    # t3 chat (24x7 rule): responded in 30 min, never resolved: past its 24 h as of 2025-04-02 10:00.
    {"ticket_id": "t3", "created_at": T(2025, 3, 10, 12), "first_response_at": T(2025, 3, 10, 12, 30),
     "channel": "chat", "type": "inquiry", "team": "A", "agent": "a1", "escalated": True, "reopen_count": 0},
    # t4 email complaint: responded in 60 min, resolved in 24 h (both exactly at their limit: met), reopened.
    {"ticket_id": "t4", "created_at": T(2025, 4, 1, 9), "first_response_at": T(2025, 4, 1, 10),
     "resolved_at": T(2025, 4, 2, 9), "channel": "email", "type": "complaint", "team": "B", "agent": "a2",
     "contacts": 2, "reopen_count": 1},
    # t5 chat, no team: created at the as-of moment, still inside both limits.
    {"ticket_id": "t5", "created_at": T(2025, 4, 2, 10), "channel": "chat", "type": "inquiry", "reopen_count": 0},
]
RULES = [SlaRule(channel="phone", first_response_min=2, resolution_min=600, calendar="workdays_9_18"),
         SlaRule(first_response_min=60, resolution_min=1440)]
SURVEYS = [
    {"survey_id": "s1", "ticket_id": "t1", "sent_at": T(2025, 3, 4), "responded_at": T(2025, 3, 4, 12), "csat": 5,
     "nps": 10},
    {"survey_id": "s2", "ticket_id": "t2", "sent_at": T(2025, 3, 8), "responded_at": T(2025, 3, 9), "csat": 2,
     "nps": 5},
    {"survey_id": "s3", "ticket_id": "t4", "sent_at": T(2025, 4, 2)},
]
QA = [
    {"evaluation_id": "e1", "ticket_id": "t1", "agent": "a1", "evaluated_at": T(2025, 3, 5), "criterion": "greet",
     "score": 8, "max_score": 10, "weight": 1, "critical": False},
    {"evaluation_id": "e1", "ticket_id": "t1", "agent": "a1", "evaluated_at": T(2025, 3, 5), "criterion": "solve",
     "score": 5, "max_score": 5, "weight": 1, "critical": False},
    {"evaluation_id": "e2", "ticket_id": "t2", "agent": "a2", "evaluated_at": T(2025, 3, 11), "criterion": "law",
     "score": 0, "max_score": 5, "weight": 1, "critical": True},
]
CALLS = [
    {"call_id": "c1", "queued_at": T(2025, 3, 3, 9), "answered_at": T(2025, 3, 3, 9, 0, 10),
     "ended_at": T(2025, 3, 3, 9, 5), "direction": "inbound", "agent": "a1", "team": "A", "talk_s": 280.0,
     "hold_s": 10.0, "ticket_id": "t1"},
    {"call_id": "c2", "queued_at": T(2025, 3, 3, 10), "answered_at": T(2025, 3, 3, 10, 0, 30),
     "ended_at": T(2025, 3, 3, 10, 3), "direction": "inbound", "agent": "a2", "team": "B", "talk_s": 150.0},
    # c3 abandoned after 60 s (over the 5 s short-abandon threshold: offered, not answered).
    {"call_id": "c3", "queued_at": T(2025, 3, 3, 11), "ended_at": T(2025, 3, 3, 11, 1), "direction": "inbound"},
]


@pytest.fixture
def hand(store: Store, put: Callable[[str, list[dict[str, object]]], int]) -> Path:
    """Return the hand fixture's store path (closed, its facts current), the phone rule on business hours."""
    set_sla_rules(store, RULES, role="admin")
    for kind, rows in (("tickets", TICKETS), ("surveys", SURVEYS), ("qa", QA), ("calls", CALLS)):
        put(kind, rows)
    assert facts.refresh(store)
    store.close()
    return store.path


@needs_chdb
@pytest.mark.parametrize("clock", ["calendar", "business"])
@pytest.mark.parametrize("case", CASES, ids=["all", "month", "team", "channel", "filtered"])
def test_every_indicator_on_the_hand_fixture_equals_duckdb(hand: Path, case: list[str], clock: str) -> None:
    args = [*case, "--clock", clock]
    assert_same(kpi(hand, *args), kpi(hand, *args, engine="chdb"))


@needs_chdb
@pytest.mark.parametrize("where", ["created_at=2025-03-03", "contacts=1", "escalated=true", "channel=电话",
                                   "team=A"])
def test_filters_on_every_field_type_equal_duckdb(hand: Path, where: str) -> None:
    # A day of a timestamp (a text prefix), an integer, a yes/no field, a raw channel label, a text field.
    duck = kpi(hand, "--where", where, "--indicators", "tickets,frt_median_min,csat_rate,qa_score,calls_offered")
    assert_same(duck, kpi(hand, "--where", where, "--indicators", "tickets,frt_median_min,csat_rate,qa_score,"
                          "calls_offered", engine="chdb"))
    assert duck[0]["tickets"] >= 1 or where == "channel=电话"


@needs_chdb
def test_the_hand_figures_on_chdb(hand: Path) -> None:
    [row] = kpi(hand, engine="chdb")
    assert row["tickets"] == 5
    # FRT, minutes: t1 61, t2 5, t3 30, t4 60 → sorted 5, 30, 60, 61: median (30 + 60) / 2; P90 at 0.9 × 3 = 2.7
    # of the way: 60 + 0.7 × (61 − 60).
    assert row["frt_median_min"] == pytest.approx(45.0) and row["frt_p90_min"] == pytest.approx(60.7)
    assert row["n"]["frt_median_min"] == 4
    # SLA on the business clock: t1 met (1 ≤ 2 business minutes), t2 breached (5 > 2), t3 and t4 met; t5 inside.
    assert row["frt_sla_rate"] == pytest.approx(3 / 4) and row["n"]["frt_sla_rate"] == 4
    # Resolution, hours: t1 2, t2 65, t4 24 → median 24, P90 at 1.8: 24 + 0.8 × 41. SLA: t1 (1 h) and t2 (2 h
    # business) within 600 min, t4 exactly 1440 min: met; t3 past 24 h unresolved: breached; t5 inside.
    assert row["art_median_h"] == pytest.approx(24.0) and row["art_p90_h"] == pytest.approx(56.8)
    assert row["resolution_sla_rate"] == pytest.approx(3 / 4)
    assert row["resolution_rate"] == pytest.approx(3 / 5)
    # FCR over resolved tickets with known contacts (t1, t2, t4): t4 had 2 contacts and a reopen.
    assert row["fcr_rate"] == pytest.approx(2 / 3) and row["reopen_rate"] == pytest.approx(1 / 3)
    assert row["escalation_rate"] == pytest.approx(1 / 5) and row["complaint_rate"] == pytest.approx(1 / 5)
    assert row["complaint_response_rate_48h"] == 1.0 and row["complaint_resolution_rate_72h"] == 1.0
    # Surveys: answers s1 (csat 5, nps 10) and s2 (csat 2, nps 5); invitations s1, s2, s3.
    assert row["csat_rate"] == pytest.approx(1 / 2) and row["csat_mean"] == pytest.approx(3.5)
    assert row["nps"] == pytest.approx(0.0) and row["survey_response_rate"] == pytest.approx(2 / 3)
    # QA: e1 100 × 13 / 15; e2 lost points on a critical criterion: 0.
    assert row["qa_score"] == pytest.approx((100 * 13 / 15 + 0) / 2) and row["qa_critical_fail_rate"] == 0.5
    # Calls: 3 offered, 2 answered (waits 10 s and 30 s, both within 20 s? only c1), c3 abandoned.
    assert row["calls_offered"] == 3 and row["answer_rate"] == pytest.approx(2 / 3)
    assert row["abandon_rate"] == pytest.approx(1 / 3) and row["service_level"] == pytest.approx(1 / 3)
    assert row["asa_s"] == pytest.approx(20.0) and row["aht_s"] == pytest.approx((290 + 150) / 2)
    # No training, actions, SERVQUAL or callbacks: no data, not 0.
    assert row["training_pass_rate"] is None and row["n"]["training_pass_rate"] == 0
    assert row["action_on_time_rate"] is None and row["servqual_gap"] is None


@needs_chdb
def test_business_durations_on_chdb(hand: Path) -> None:
    [row] = kpi(hand, "--clock", "business", engine="chdb")
    # Business FRT: t1 1 (09:00–09:01), t2 5, t3 30 and t4 60 (24x7) → median 17.5, P90 30 + 0.7 × 30.
    assert row["frt_median_min"] == pytest.approx(17.5) and row["frt_p90_min"] == pytest.approx(51.0)
    # Business resolution: t1 1 h, t2 2 h (Fri 17–18, Mon 9–10), t4 24 h → median 2 h.
    assert row["art_median_h"] == pytest.approx(2.0)


# ---- the demo center (24 months at scale 0.05, tests/conftest.py)

@pytest.fixture
def demo(demo_copy: Path) -> Path:
    """Return this test's copy of the demo store with its ticket facts built."""
    _current_facts(demo_copy)
    return demo_copy


@needs_chdb
@pytest.mark.slow
def test_every_indicator_on_the_demo_equals_duckdb(demo: Path) -> None:
    for case in CASES:
        duck, ch = kpi(demo, *case), kpi(demo, *case, engine="chdb")
        assert len(duck) > 0 and any(v is not None for k, v in duck[0].items() if k in INDICATORS)
        assert_same(duck, ch, " ".join(case) or "all")
    # The check of issue 18, on the business clock too, and by week and day (ISO weeks, days as labels).
    for case in (["--by", "month", "--clock", "business"], ["--by", "week"], ["--by", "day", "--from", "2025-11"]):
        assert_same(kpi(demo, *case), kpi(demo, *case, engine="chdb"), " ".join(case))


@needs_chdb
def test_an_empty_store_gives_no_data_on_both_engines(store: Store) -> None:
    assert facts.refresh(store)
    store.close()
    duck = kpi(store.path, "--by", "month")
    assert duck == [] and kpi(store.path, "--by", "month", engine="chdb") == []
    [row] = kpi(store.path, engine="chdb")
    assert_same(kpi(store.path), [row])
    assert row["tickets"] == 0 and row["frt_median_min"] is None and row["csat_rate"] is None


@needs_chdb
@pytest.mark.slow
def test_the_real_servicenow_log_with_pauses_on_business_hours_equals_duckdb(tmp_path: Path) -> None:
    # The real incident log with its status history: pending and on-hold time off the clock, every rule on
    # workdays 9–18 (the business clock then differs from the calendar one; test_sla_pauses checks DuckDB's).
    db = tmp_path / "servicenow.duckdb"
    s = open_store(db)
    try:
        for kind, preset in (("tickets", "servicenow"), ("ticket_events", "servicenow_events")):
            assert import_file(s, REAL / "servicenow_incident_events.csv", kind, get_preset(s, preset)).status \
                == "committed"
        apply_settings(s, {"pause_statuses": ["pending", "on_hold"]}, "test", role="admin")
        set_sla_rules(s, [replace(r, calendar="workdays_9_18") for r in sla_rules(s)], role="admin")
        assert facts.refresh(s)
    finally:
        s.close()
    business = kpi(db, "--by", "month", "--clock", "business")
    assert business != kpi(db, "--by", "month")
    assert_same(business, kpi(db, "--by", "month", "--clock", "business", engine="chdb"))
    assert_same(kpi(db, "--by", "priority"), kpi(db, "--by", "priority", engine="chdb"))


@needs_chdb
def test_every_kind_runs_on_chdb(hand: Path) -> None:
    from csq.engines.chdb_engine import ChdbRunner, compute
    from csq.engines.snapshot import Snapshot

    s = open_store(hand, read_only=True)
    try:
        runner = ChdbRunner(Snapshot(s))
        try:
            compute(s, Filter(), ("month",), runner=runner)
        finally:
            runner.close()
    finally:
        s.close()
    # One statement per record kind, none of them left to DuckDB; each read from the snapshot's Parquet files.
    kinds = {ind.kind for ind in INDICATORS.values()}
    assert len(runner.statements) == len(kinds)
    assert all("file(" in sql and "Parquet" in sql for sql in runner.statements)


@needs_chdb
def test_hostile_values_are_bound_not_pasted(hand: Path) -> None:
    from csq.engines.chdb_engine import ChdbRunner
    from csq.engines.snapshot import Snapshot

    nasty = ["x' OR 1=1 --", "back\\slash", "tab\there", "new\nline", "{p0:String}", "\\N", "'", "否"]
    s = open_store(hand, read_only=True)
    try:
        runner = ChdbRunner(Snapshot(s))
        try:
            sql = "SELECT " + ", ".join(f"? AS v{i}" for i in range(len(nasty))) + ", ? AS l"
            row = runner(s, sql, [*nasty, nasty], None).to_pylist()[0]
        finally:
            runner.close()
    finally:
        s.close()
    assert [row[f"v{i}"] for i in range(len(nasty))] == nasty and row["l"] == nasty
    # A filter value with quotes and a backslash matches nothing on either engine, and breaks neither.
    args = ["--where", "team=A' OR '1'='1", "--where", "agent=a\\1"]
    assert_same(kpi(hand, *args), kpi(hand, *args, engine="chdb"))


@needs_chdb
def test_a_query_clickhouse_cannot_run_is_a_typed_error(hand: Path) -> None:
    from csq.engines.chdb_engine import ChdbRunner
    from csq.engines.snapshot import Snapshot

    s = open_store(hand, read_only=True)
    try:
        runner = ChdbRunner(Snapshot(s))
        try:
            with pytest.raises(CsqError, match="chDB could not run an indicator query") as caught:
                runner(s, "SELECT t.no_such_column FROM tickets_current t", [], None)
        finally:
            runner.close()
    finally:
        s.close()
    assert caught.value.exit_code == 1 and "without --engine chdb" in caught.value.fix


@needs_chdb
def test_a_store_without_current_facts_is_refused_on_chdb(hand: Path) -> None:
    facts._FRESH.clear()
    s = open_store(hand)
    try:
        s.rows("DROP TABLE ticket_facts_meta")   # as a write whose facts rebuild has not run yet
    finally:
        s.close()
    proc = run_cli("kpi", "--engine", "chdb", db=hand)
    assert proc.returncode == 2 and "ticket facts" in proc.stderr and "not current" in proc.stderr


@needs_chdb
def test_the_snapshot_follows_the_data_version(hand: Path, tmp_path: Path) -> None:
    before = kpi(hand, engine="chdb")[0]["tickets"]
    versions = {p.name for p in (tmp_path / "snapshots").glob("*/*")}
    s = open_store(hand)
    try:
        late = {"ticket_id": "t6", "created_at": T(2025, 4, 2, 11), "channel": "chat", "type": "inquiry",
                "priority": "normal", "reopen_count": 0}
        commit_records(s, "tickets", pa.Table.from_pylist([late]), source="fixture")
        assert facts.refresh(s)
    finally:
        s.close()
    assert before == 5 and kpi(hand, engine="chdb")[0]["tickets"] == 6
    after = {p.name for p in (tmp_path / "snapshots").glob("*/*")}
    assert len(versions) == len(after) == 1 and versions != after   # the older version's folder was removed


# ---- without chDB (these run everywhere)

def test_chdb_is_installed_in_ci() -> None:
    assert HAVE_CHDB or not IN_CI, "CI installs requirements-engine.txt: chDB must be there"


def test_kpi_refuses_chdb_clearly_when_it_is_not_installed(empty_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "chdb", None)   # `import chdb` now raises ImportError, as when not installed
    monkeypatch.delitem(sys.modules, "csq.engines.chdb_engine", raising=False)
    proc = run_cli("kpi", "--engine", "chdb", db=empty_db)
    assert proc.returncode == 2 and "requirements-engine.txt" in proc.stderr


def test_the_default_engine_never_imports_chdb_or_sqlglot(new_db: Callable[[str], Path]) -> None:
    code = ("import sys, io, contextlib; from csq.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): main(['kpi', '--json', '--db', sys.argv[1]])\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('chdb', 'sqlglot')))")
    proc = subprocess.run([sys.executable, "-c", code, str(new_db("lean.duckdb"))], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_only_the_adapter_imports_chdb() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in sorted((ROOT / "csq").rglob("*.py"))
                 if p.name != "chdb_engine.py" and any(line.split()[:2] in (["import", "chdb"], ["from", "chdb"])
                                                      for line in p.read_text(encoding="utf-8").splitlines())]
    assert offenders == []


def test_values_become_typed_parameters_and_marks_in_strings_stay_text() -> None:
    t = translate("SELECT '?' AS q, x FROM tickets_current t -- a ? in a comment\nWHERE t.created_at >= ? "
                  "AND t.team IN (?, ?) AND t.escalated = ?",
                  [T(2025, 3, 1), "A'B", None, True], {"tickets_current": "/s/tickets_current.parquet"})
    assert "'?'" in t.sql and "A'B" not in t.sql
    assert "{p0: DateTime64(6)}" in t.sql and "{p1: String}" in t.sql and "{p3: Bool}" in t.sql
    assert t.params == {"p0": "2025-03-01 00:00:00.000000", "p1": "A'B", "p3": True}
    assert "NULL" in t.sql and "file('/s/tickets_current.parquet', 'Parquet') AS t" in t.sql


def test_duckdb_constructs_get_their_clickhouse_form() -> None:
    sql = ("SELECT quantile_cont(x, [0.5, 0.9]) AS q, epoch_us(CAST(? AS TIMESTAMP)) AS e, bool_or(b) AS o, "
           "list_avg([a, c]) AS m, ts + to_days(CAST(? AS INTEGER)) AS d FROM tickets_current")
    t = translate(sql, [T(2025, 1, 1), 3], {"tickets_current": "/s/t.parquet"})
    assert "quantileExactInclusiveOrNull(0.5)(x)" in t.sql and "quantileExactInclusiveOrNull(0.9)(x)" in t.sql
    assert "toUnixTimestamp64Micro(CAST({p0: DateTime64(6)} AS Nullable(DateTime64(6))))" in t.sql
    assert "MAX(b)" in t.sql and "toIntervalDay(" in t.sql and "list_avg" not in t.sql


def test_a_table_outside_the_snapshot_is_refused() -> None:
    with pytest.raises(InputRefused, match="does not hold"):
        translate("SELECT * FROM secrets", [], {})
