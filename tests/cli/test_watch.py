"""`python -m csq watch DIR`: rules, done/ and refused/ with reports, unsettled and temporary files, busy store, SIGTERM."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from csq.operations.inbox import is_temporary
from csq.operations.rules import load_rules
from csq.operations.watch import Watcher
from csq.store import open_store
from tests.support import ROOT, SAMPLES, run_cli, snapshot

TICKETS = SAMPLES / "tickets_2025-03_gbk.csv"     # 3,000 tickets (tests/cli/test_import.py)
SURVEYS = SAMPLES / "surveys_2025-03.csv"        # 2,270 surveys: 2,271 lines with the header
BAD = SAMPLES / "bad" / "resolved_before_created.csv"   # row 2 resolved before it was created


def _reports(folder: Path) -> dict[str, dict]:
    """Return every NAME.report.json in folder, by NAME."""
    return {p.name.removesuffix(".report.json"): json.loads(p.read_text(encoding="utf-8"))
            for p in folder.glob("*.report.json")}


def _count(db: Path, table: str) -> int:
    store = open_store(db, read_only=True)
    try:
        return int(store.scalar(f"SELECT count(*) FROM {table}"))  # table: a literal of these tests
    finally:
        store.close()


@pytest.fixture()
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def _rules(inbox: Path) -> None:
    """Write DIR/rules.json (the default place) and the surveys mapping it names, relative to it."""
    (inbox / "maps").mkdir()
    # The survey id header is renamed below, so only this mapping lets the surveys file in.
    (inbox / "maps" / "surveys.json").write_text(json.dumps({"kind": "surveys", "columns": {"survey_id": "Umfrage"}}),
                                                 encoding="utf-8")
    (inbox / "rules.json").write_text(json.dumps({"rules": [
        {"pattern": "工单_*.csv", "kind": "tickets"},
        {"pattern": "*surveys*.csv", "kind": "surveys", "mapping": "maps/surveys.json"},
        {"pattern": "*.csv", "kind": "qa"}]}, ensure_ascii=False), encoding="utf-8")


def test_rules_route_each_file_and_it_moves_to_done_with_its_report(inbox: Path, tmp_path: Path) -> None:
    _rules(inbox)
    (inbox / "工单_2025-03.csv").write_bytes(TICKETS.read_bytes())
    text = SURVEYS.read_text(encoding="utf-8-sig")
    (inbox / "march_surveys.csv").write_text(text.replace("Survey ID", "Umfrage", 1), encoding="utf-8")
    (inbox / "notes.txt").write_text("no rule matches this name", encoding="utf-8")
    (inbox / "工单_04.csv.part").write_bytes(TICKETS.read_bytes())     # still downloading
    db = tmp_path / "csq.duckdb"
    out = run_cli("watch", str(inbox), "--once", "--settle", "0", "--json", db=db)
    assert out.returncode == 0, out.stderr + out.stdout
    printed = {o["file"]: o for o in map(json.loads, out.stdout.splitlines())}
    assert printed["notes.txt"]["watch_status"] == "unmatched"
    reports = _reports(inbox / "done")
    assert set(reports) == {"工单_2025-03.csv", "march_surveys.csv"}
    tickets, surveys = reports["工单_2025-03.csv"], reports["march_surveys.csv"]
    assert (tickets["status"], tickets["kind"], tickets["rows_loaded"], tickets["rule"]) == \
        ("committed", "tickets", 3000, "工单_*.csv")
    # The first rule that matches wins: march_surveys.csv also matches *.csv (qa) further down.
    assert (surveys["status"], surveys["kind"], surveys["rows_loaded"]) == ("committed", "surveys", 2270)
    assert surveys["columns"]["survey_id"] == "Umfrage"      # the mapping, found relative to rules.json
    assert tickets["batch_id"] != surveys["batch_id"]       # one batch, one transaction per file
    assert (inbox / "done" / "工单_2025-03.csv").read_bytes() == TICKETS.read_bytes()
    assert sorted(p.name for p in inbox.iterdir() if p.is_file() and not p.name.startswith(".")) == \
        ["notes.txt", "rules.json", "工单_04.csv.part"]
    assert not (inbox / "refused").exists()
    assert (_count(db, "tickets_current"), _count(db, "surveys_current")) == (3000, 2270)


def test_a_refused_file_goes_to_refused_with_its_errors_and_the_store_is_unchanged(inbox: Path, tmp_path: Path
                                                                                  ) -> None:
    db = tmp_path / "csq.duckdb"
    assert run_cli("import", str(TICKETS), "--kind", "tickets", db=db).returncode == 0
    store = open_store(db)
    before = snapshot(store)
    store.close()
    raw = db.read_bytes()
    (inbox / "工单_bad.csv").write_bytes(BAD.read_bytes())
    out = run_cli("watch", str(inbox), "--once", "--settle", "0", db=db)   # no rules: the kind is detected
    assert out.returncode == 2, out.stderr + out.stdout
    report = _reports(inbox / "refused")["工单_bad.csv"]
    assert (report["status"], report["kind"], report["rows_loaded"]) == ("refused", "tickets", 0)
    # The file's row 2 (GD1) was resolved on 2025/3/1 09:00, a day before it was created.
    assert [(e["row"], e["column"], e["message"].split(" (")[0]) for e in report["errors"]] == \
        [(2, "办结时间", "resolved before created")]
    assert (inbox / "refused" / "工单_bad.csv").read_bytes() == BAD.read_bytes()
    assert db.read_bytes() == raw
    store = open_store(db)
    assert snapshot(store) == before
    store.close()


def test_a_duplicate_goes_to_done_under_a_free_name(inbox: Path, tmp_path: Path) -> None:
    db = tmp_path / "csq.duckdb"
    for _ in range(2):
        (inbox / "surveys.csv").write_bytes(SURVEYS.read_bytes())
        run_cli("watch", str(inbox), "--once", "--settle", "0", db=db)
    reports = _reports(inbox / "done")
    assert set(reports) == {"surveys.csv", "surveys.2.csv"}
    first, again = reports["surveys.csv"], reports["surveys.2.csv"]
    assert first["status"] == "committed" and again["status"] == "duplicate"
    assert again["batch_id"] == first["batch_id"] and again["rows_loaded"] == 0
    assert _count(db, "surveys_current") == 2270


BAD_RULES = {
    "not json": ("{rules: [", "is not valid JSON"),
    "no rules list": ('{"rule": []}', 'holding only a "rules" list'),
    "empty": ('{"rules": []}', "holds no rule"),
    "unknown kind": ('{"rules": [{"pattern": "*.csv", "kind": "ticket"}]}', "unknown kind 'ticket'"),
    "unknown key": ('{"rules": [{"pattern": "*.csv", "preset_name": "x"}]}', "unknown key(s) preset_name"),
    "no pattern": ('{"rules": [{"kind": "tickets"}]}', "has no 'pattern'"),
    "preset and mapping": ('{"rules": [{"pattern": "*", "preset": "servicenow", "mapping": "m.json"}]}',
                           "both a preset and a mapping"),
    "missing mapping": ('{"rules": [{"pattern": "*", "mapping": "maps/none.json"}]}', "does not exist"),
    "preset of another kind": ('{"rules": [{"pattern": "*", "kind": "surveys", "preset": "servicenow"}]}',
                               "is for tickets, not surveys"),
    "preset the store lacks": ('{"rules": [{"pattern": "*", "kind": "tickets", "preset": "monthly"}]}',
                               "There is no preset 'monthly'"),
}


@pytest.mark.parametrize("name", list(BAD_RULES))
def test_a_bad_rules_file_exits_2_and_moves_nothing(inbox: Path, tmp_path: Path, name: str) -> None:
    text, message = BAD_RULES[name]
    rules = tmp_path / "rules.json"
    rules.write_text(text, encoding="utf-8")
    (inbox / "工单.csv").write_bytes(TICKETS.read_bytes())
    db = tmp_path / "csq.duckdb"
    out = run_cli("watch", str(inbox), "--rules", str(rules), "--once", "--settle", "0", db=db)
    assert out.returncode == 2, out.stderr + out.stdout
    assert message in out.stderr and "What to do" in out.stderr
    assert [p.name for p in inbox.iterdir() if not p.name.startswith(".")] == ["工单.csv"]   # nothing moved


def test_a_file_still_growing_is_left_for_a_later_round(inbox: Path, tmp_path: Path) -> None:
    path = inbox / "surveys.csv"
    data = SURVEYS.read_bytes()
    path.write_bytes(data[:1000])

    def writer_still_writing(seconds: float) -> bool:
        with path.open("ab") as fh:     # the producer appends during the settle interval
            fh.write(data[1000:])
        return False

    db = tmp_path / "csq.duckdb"
    w = Watcher(inbox, db, folder_rules(inbox), settle_s=0, wait=writer_still_writing)
    assert w.round() == []
    assert path.exists() and not (inbox / "done").exists() and not db.exists()
    w.wait = lambda seconds: False      # nothing changes during the next settle interval
    [handled] = w.round()
    assert (handled.status, handled.moved_to) == ("committed", inbox / "done" / "surveys.csv")
    assert handled.report["rows_loaded"] == 2270


def folder_rules(folder: Path):
    """Return the rules watch uses for a folder without --rules: DIR/rules.json, or none (kinds detected)."""
    from csq.operations.rules import rules_for

    return rules_for(folder, None)


@pytest.mark.parametrize("name", [".hidden.csv", "~$工单.xlsx", "工单.xlsx.part", "x.CSV.TMP", "a.crdownload",
                                  "工单.csv~", "工单.csv.report.json"])
def test_temporary_names_are_not_taken(name: str) -> None:
    assert is_temporary(name)


@pytest.mark.parametrize("name", ["工单_3月.xlsx", "tickets.csv", "part.csv", "tmp_export.xlsx"])
def test_ordinary_names_are_taken(name: str) -> None:
    assert not is_temporary(name)


def test_a_workbook_open_in_excel_is_left_alone(inbox: Path, tmp_path: Path) -> None:
    (inbox / "工单_3月.csv").write_bytes(TICKETS.read_bytes())
    (inbox / "~$工单_3月.csv").write_bytes(b"owner")      # Excel's owner file: the workbook is open
    out = run_cli("watch", str(inbox), "--once", "--settle", "0", db=tmp_path / "csq.duckdb")
    assert out.returncode == 0 and out.stdout == ""
    assert (inbox / "工单_3月.csv").exists() and not (inbox / "done").exists()


def test_rules_paths_are_relative_to_the_rules_file(tmp_path: Path) -> None:
    (tmp_path / "conf" / "maps").mkdir(parents=True)
    (tmp_path / "conf" / "maps" / "s.json").write_text('{"kind": "surveys"}', encoding="utf-8")
    rules = tmp_path / "conf" / "r.json"
    rules.write_text('{"rules": [{"pattern": "*.csv", "mapping": "maps/s.json"}, {"pattern": "*"}]}',
                     encoding="utf-8")
    loaded = load_rules(rules)
    first = loaded.rule_for("a.csv")
    assert first is not None and first.kind == "surveys"       # the kind comes from the mapping
    assert first.mapping_path == (tmp_path / "conf" / "maps" / "s.json").resolve()
    catch_all = loaded.rule_for("a.xlsx")
    assert catch_all is not None and catch_all.kind is None    # no kind: detected from the headers


def _process(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "csq", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_a_busy_store_leaves_the_file_for_the_next_round(inbox: Path, tmp_path: Path) -> None:
    db = tmp_path / "csq.duckdb"
    (inbox / "surveys.csv").write_bytes(SURVEYS.read_bytes())
    holder = open_store(db)     # this process holds DuckDB's write lock; the watcher is another process
    try:
        out = run_cli("watch", str(inbox), "--once", "--settle", "0", db=db, process=True)
    finally:
        holder.close()
    assert out.returncode == 3, out.stderr + out.stdout
    assert "left for the next round, the store is busy" in out.stdout
    assert (inbox / "surveys.csv").exists() and not (inbox / "refused").exists()


def test_the_loop_imports_what_appears_and_stops_cleanly_on_sigterm(inbox: Path, tmp_path: Path) -> None:
    db = tmp_path / "csq.duckdb"
    proc = _process("watch", str(inbox), "--interval", "0.2", "--settle", "0.2", "--db", str(db))
    try:
        (inbox / ".surveys.csv.part").write_bytes(SURVEYS.read_bytes())
        os.rename(inbox / ".surveys.csv.part", inbox / "surveys.csv")   # how a producer should drop a file
        report = inbox / "done" / "surveys.csv.report.json"
        deadline = time.monotonic() + 120     # a generous bound on a loaded machine, not a timing assertion
        while not report.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert report.exists(), proc.stderr.read() if proc.poll() is not None else "not imported"
        assert json.loads(report.read_text(encoding="utf-8"))["kind"] == "surveys"    # detected from the headers
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    assert "Stopped; every file taken was finished." in stderr
    assert "surveys.csv: committed" in stdout


def test_a_second_watcher_on_the_same_folder_exits_3(inbox: Path, tmp_path: Path) -> None:
    from csq.operations.inbox import watching

    (inbox / "surveys.csv").write_bytes(SURVEYS.read_bytes())
    with watching(inbox):      # the first watcher holds the folder's lock
        out = run_cli("watch", str(inbox), "--once", "--settle", "0", db=tmp_path / "csq.duckdb")
    assert out.returncode == 3 and "already watches" in out.stderr
    assert (inbox / "surveys.csv").exists() and not (inbox / "done").exists()


def test_a_file_no_rule_matches_is_reported_once_and_then_left_alone(inbox: Path, tmp_path: Path) -> None:
    (inbox / "rules.json").write_text('{"rules": [{"pattern": "*.csv", "kind": "surveys"}]}', encoding="utf-8")
    (inbox / "notes.txt").write_text("not an export", encoding="utf-8")
    waits: list[float] = []
    w = Watcher(inbox, tmp_path / "csq.duckdb", folder_rules(inbox), settle_s=0,
                wait=lambda seconds: waits.append(seconds) or False)
    assert [(h.name, h.status) for h in w.round()] == [("notes.txt", "unmatched")]
    assert w.round() == [] and len(waits) == 1     # the second round has nothing to settle
    assert (inbox / "notes.txt").exists()
