"""CLI rough edges (issue 13): duplicate report, rounded JSON, the kpi period, closed pipes, option order, busy store."""
from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from csq.cli.main import main
from csq.cli.numbers import rounded, significant
from csq.evaluation import servqual
from csq.metrics.filters import Filter
from csq.metrics.indicators import INDICATORS
from csq.store import open_store
from tests.support import ROOT, SAMPLES, cli_json, run_cli, snapshot

T0 = datetime(2025, 1, 6, 9, 0)


def _places(x: float) -> int:
    """Return the number of decimals a float is written with in JSON (0.25 -> 2, 1e-05 -> 5)."""
    return max(0, -int(Decimal(repr(x)).as_tuple().exponent))


def _ticket(i: int, created: datetime, response_s: int, resolve_s: int) -> dict[str, object]:
    """Return a phone ticket answered after response_s seconds and resolved after resolve_s seconds."""
    return {"ticket_id": f"T{i}", "created_at": created, "first_response_at": created + timedelta(seconds=response_s),
            "resolved_at": created + timedelta(seconds=resolve_s), "channel": "phone", "type": "inquiry"}


@pytest.fixture
def three(store, put) -> Path:
    """A store of three phone tickets: Jan 6, Jan 7 and Mar 10 2025, answered after 100, 200, 300 s."""
    put("tickets", [_ticket(1, T0, 100, 1000), _ticket(2, T0 + timedelta(days=1), 200, 2000),
                    _ticket(3, datetime(2025, 3, 10, 10, 0), 300, 3000)])
    path = store.path
    store.close()
    return path


def _main(*argv: str) -> tuple[int, str, str]:
    """Return (exit code, stdout, stderr) of csq.cli.main.main on exactly these arguments (no --db added)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


# 1. A duplicate import says how many rows it read and which batch it repeats.

def test_a_duplicate_import_reports_its_rows_and_the_batch_it_repeats(tmp_path: Path) -> None:
    db = tmp_path / "csq.duckdb"
    sample = SAMPLES / "surveys_2025-03.csv"
    data_rows = len(sample.read_text(encoding="utf-8-sig").splitlines()) - 1  # one header line, no totals rows
    first = cli_json("import", str(sample), "--kind", "surveys", db=db)[0]
    assert (first["status"], first["rows_read"], first["rows_loaded"]) == ("committed", data_rows, data_rows)
    store = open_store(db)
    before = snapshot(store)
    store.close()
    again = cli_json("import", str(sample), "--kind", "surveys", db=db)[0]
    assert list(again)[:9] == ["file", "kind", "status", "batch_id", "rows_read", "rows_loaded", "rows_rejected",
                               "rows_collapsed", "errors"]
    assert again["status"] == "duplicate" and again["batch_id"] == first["batch_id"]
    assert (again["rows_read"], again["rows_loaded"], again["rows_rejected"]) == (data_rows, 0, 0)
    assert f"{data_rows} rows read" in again["message"] and f"batch {first['batch_id']}" in again["message"]
    assert "duplicate" in again["message"] and "nothing was loaded" in again["message"]
    text = run_cli("import", str(sample), "--kind", "surveys", db=db)
    assert text.returncode == 0
    assert f"surveys_2025-03.csv: duplicate of batch {first['batch_id']} (nothing loaded)" in text.stdout
    assert f"read {data_rows}, loaded 0" in text.stdout
    store = open_store(db)
    assert snapshot(store) == before
    store.close()


# 2. JSON numbers are rounded for their unit.

def test_rounding_per_unit_by_hand() -> None:
    assert rounded(161.74000000000012, "min") == 161.74 and json.dumps(rounded(161.74000000000012, "min")) == "161.74"
    assert rounded(2 / 3, "rate") == 0.666667 and rounded(-0.18749999999999978, "points") == -0.1875
    assert rounded(1000 / 3600, "h") == 0.2778 and rounded(4.373927392739274, "score") == 4.3739
    assert rounded(11320.0, "count") == 11320 and isinstance(rounded(11320.0, "count"), int)
    assert rounded(-0.0000001, "rate") == 0.0 and str(rounded(-0.0000001, "rate")) == "0.0"  # no "-0.0"
    assert rounded(None, "rate") is None and rounded(True, "rate") is True and rounded("x", "rate") == "x"
    assert significant(3.105926852483165e-06) == 3.106e-06 and significant(0.04996) == 0.04996
    assert significant(0.0) == 0.0 and significant(None) is None


def test_kpi_json_is_rounded_per_unit(three: Path) -> None:
    keys = "tickets,frt_median_min,art_median_h,frt_sla_rate"
    row = cli_json("kpi", "--indicators", keys, db=three)[0]
    # Median of 100, 200, 300 s = 200 s = 3.3333 min; of 1000, 2000, 3000 s = 2000 s = 0.5556 h.
    # The phone limit is 2 min (SPEC §4): only the 100 s answer is within it, 1 of 3 = 0.333333.
    assert row["tickets"] == 3 and isinstance(row["tickets"], int)
    assert (row["frt_median_min"], row["art_median_h"], row["frt_sla_rate"]) == (3.3333, 0.5556, 0.333333)
    assert row["n"] == {"tickets": 3, "frt_median_min": 3, "art_median_h": 3, "frt_sla_rate": 3}


def test_every_json_figure_keeps_the_places_of_its_unit(demo_copy: Path) -> None:
    places = {"rate": 6, "min": 4, "h": 4, "score": 4, "points": 4}
    for row in cli_json("kpi", "--by", "team", db=demo_copy):
        for key, ind in INDICATORS.items():
            if ind.unit == "count":
                assert isinstance(row[key], int), key
            elif row[key] is not None:
                # telephony and callback figures keep 9 decimals: checked to 1e-9 (issues 20 and 19)
                assert _places(row[key]) <= (9 if ind.kind in ("calls", "callbacks") else places[ind.unit]), (key, row[key])
    for key in ("csat_rate", "frt_median_min", "tickets"):
        # A control chart keeps SPC_DECIMALS (9) whatever the unit: it is read to check SPEC §4b's arithmetic.
        for p in cli_json("spc", "--indicator", key, db=demo_copy):
            for name in ("value", "center", "lcl", "ucl", "sigma_z"):
                if p[name] is not None and not (key == "tickets" and name == "value"):
                    assert _places(p[name]) <= 9, (key, name, p[name])
            assert p["value"] is None or key != "tickets" or isinstance(p["value"], int)
    for row in cli_json("scorecard", "--by", "team", db=demo_copy):
        assert all(_places(v) <= 6 for v in row.values() if isinstance(v, float)), row
    for check in cli_json("actions", "--verify", db=demo_copy):
        p = check["p_value"]
        assert p is None or len(Decimal(repr(p)).normalize().as_tuple().digits) <= 4, p


def test_servqual_json_is_the_library_figures_rounded_to_4_places(demo_copy: Path) -> None:
    out = cli_json("servqual", db=demo_copy)
    store = open_store(demo_copy, read_only=True)
    try:
        lib = servqual.summary(store, Filter())
    finally:
        store.close()
    assert set(out) == set(lib)
    for got, want in zip(out["dimensions"], lib["dimensions"], strict=True):  # type: ignore[arg-type]
        assert set(got) == set(want)
        for k in ("expectation", "perception", "gap"):
            assert got[k] == (None if want[k] is None else round(want[k], 4))
        assert got["n"] == want["n"]
    assert out["weighted_gap"] == round(lib["weighted_gap"], 4)  # type: ignore[arg-type]
    assert out["respondents"] == lib["respondents"]


# 3. kpi names its period.

def test_kpi_text_starts_with_the_period_and_the_as_of_moment(three: Path) -> None:
    # The latest ticket time is the third ticket's resolution: 2025-03-10 10:00 + 3000 s = 10:50.
    lines = run_cli("kpi", "--indicators", "tickets", db=three).stdout.splitlines()
    assert lines[0] == ("Period 2025-01 to 2025-03 (first and last month with data) · "
                        "as of 2025-03-10 10:50 (the latest ticket time)")
    assert lines[1:] == ["[all]", f"  {'tickets':<32} {'3':>14}   n=3"]
    first = run_cli("kpi", "--from", "2025-02", "--indicators", "tickets", db=three).stdout.splitlines()[0]
    assert first.startswith("Period 2025-02 to 2025-03 (last month with data) · as of 2025-03-10 10:50")
    first = run_cli("kpi", "--from", "2025-01", "--to", "2025-01", db=three).stdout.splitlines()[0]
    assert first.startswith("Period 2025-01 to 2025-01 · as of")


def test_kpi_json_objects_carry_the_effective_period(three: Path, new_db) -> None:
    empty_db = new_db("empty.duckdb")  # its own file: an in-process run may not share a store an AppTest holds
    assert [(r["from"], r["to"], r["tickets"]) for r in cli_json("kpi", "--indicators", "tickets", db=three)] == [
        ("2025-01", "2025-03", 3)]
    rows = cli_json("kpi", "--from", "2025-01", "--to", "2025-02", "--by", "month", "--indicators", "tickets", db=three)
    assert [(r["month"], r["from"], r["to"], r["tickets"]) for r in rows] == [("2025-01", "2025-01", "2025-02", 2)]
    assert list(rows[0]) == ["month", "from", "to", "tickets", "n"]
    empty = cli_json("kpi", "--indicators", "tickets", db=empty_db)
    assert [(r["from"], r["to"]) for r in empty] == [(None, None)]
    assert run_cli("kpi", db=empty_db).stdout.splitlines()[0] == (
        "Period all months (the store holds no dated record yet) · as of: no ticket yet")


# 4. A reader that stops early is not an error.

@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_kpi_into_a_pipe_closed_early_exits_0_without_a_traceback(demo_copy: Path, tmp_path: Path,
                                                                  json_flag: list[str]) -> None:
    args = ["kpi", "--by", "month", "agent", *json_flag, "--db", str(demo_copy)]
    size = len(_main(*args)[1].encode())
    assert size > 1_000_000  # far more than a pipe holds (64 KiB), so the writer meets the closed end
    with open(tmp_path / "err.txt", "w+") as err:
        proc = subprocess.Popen([sys.executable, "-m", "csq", *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=err)
        assert proc.stdout is not None
        assert proc.stdout.readline()  # like `| head -1`: read one line, then go away
        proc.stdout.close()
        assert proc.wait(timeout=120) == 0
        err.seek(0)
        assert err.read() == ""


# 5. --json and --db work before and after the command name.

@pytest.mark.parametrize("order", ["before", "after", "mixed"])
def test_json_and_db_work_on_either_side_of_the_command(three: Path, order: str) -> None:
    opts = {"before": (["--db", str(three), "--json"], []), "after": ([], ["--db", str(three), "--json"]),
            "mixed": (["--json"], ["--db", str(three)])}[order]
    code, out, err = _main(*opts[0], "kpi", "--indicators", "tickets", *opts[1])
    assert code == 0, err
    assert json.loads(out)[0]["tickets"] == 3


def test_options_before_the_command_are_not_reset_by_its_defaults(three: Path, monkeypatch) -> None:
    monkeypatch.setenv("CSQ_DB", str(three))  # the default store, when no --db is given anywhere
    code, out, _ = _main("--json", "batches")
    assert code == 0 and json.loads(out)[0]["batch_id"] == 1
    code, out, _ = _main("batches")
    assert code == 0 and not out.startswith("[")


# 6. A command that finds the store held by another process waits for it, then says who holds it and exits 3.

def test_commands_on_a_held_store_wait_then_say_who_holds_it_and_exit_3(tmp_path: Path) -> None:
    db = tmp_path / "csq.duckdb"
    open_store(db).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", ("import sys, time, duckdb; c = duckdb.connect(sys.argv[1]); "
                                "print('HELD', flush=True); time.sleep(120)"), str(db)],
        stdout=subprocess.PIPE, text=True)
    quick = {"CSQ_LOCK_TIMEOUT": "0.5"}
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "HELD"
        for args in (("kpi",), ("batches", "--json")):
            proc = run_cli(*args, db=db, process=True, env=quick)
            assert proc.returncode == 3, args
            assert f"in use by another process (process {holder.pid})" in proc.stderr
            assert "cannot be read now (waited for 0.5 s)" in proc.stderr and "CSQ_LOCK_TIMEOUT" in proc.stderr
            assert "nothing was written" not in proc.stderr and "Traceback" not in proc.stderr
        proc = run_cli("import", str(SAMPLES / "training_2025Q1.csv"), "--kind", "training", db=db, process=True,
                       env=quick)
        assert proc.returncode == 3 and "nothing was written (waited for 0.5 s)" in proc.stderr
    finally:
        holder.kill()
        holder.wait()


# 7. The --by help lists the coming day and week groupings.

def test_kpi_by_help_lists_day_and_week(empty_db: Path) -> None:
    proc = run_cli("kpi", "--help", db=empty_db)
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    assert "month, day (YYYY-MM-DD), week (ISO week, YYYY-Www), channel, team" in text
