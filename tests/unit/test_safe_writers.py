"""Issue 14 / SPEC §10: every CSV and Excel file csq writes keeps formula-like text as text, HTML stays escaped.

Three parts:
1. the one rule (csq.core.exports: formula_like, neutralise, neutralise_column, SafeWorkbook) on its own;
2. the registry: WRITERS names every function that writes a file for people, with where it is used, and a scan
   of csq/ and app_pages/ fails when a file is written any other way or a writer is used where WRITERS does
   not say (add it here, and to the hostile run below);
3. the hostile run: actions, tickets and an upload whose title, owner, agent, team, category, customer name,
   file name, column header and user are formula payloads and a script tag go through every writer in WRITERS.

The hostile run needs a store, so this file builds a temporary one (the rest of tests/unit needs none).
"""
from __future__ import annotations

import ast
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pyarrow as pa
import pytest

from csq.core import exports
from csq.core.exports import FORMULA_START, SafeWorkbook, formula_like, neutralise, neutralise_column
from csq.ingest import inspection
from csq.ingest.importer import import_bytes
from csq.metrics.filters import Filter
from csq.monitoring import tickets
from csq.overview import report
from csq.store import Store, audit, open_store
from tests.support import ROOT, run_cli

HOSTILE = ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1",
           "<script>alert(1)</script>"]
EVIL_USER = '=HYPERLINK("http://evil","user")'
EVIL_FILE = "=cmd|' /C calc'!A0.csv"
EVIL_HEADER = "@SUM(1+1)*cmd"

# ---- 2. the registry ------------------------------------------------------------------------------------------
# Every function that writes a file a person opens, and where it is used. Each is run on the hostile store below.
WRITERS: dict[str, str] = {
    "csq.core.exports.to_csv_bytes": "Monitoring raw list CSV, Audit log CSVs (both), rejected_csv, ticket_export",
    "csq.core.exports.localised_csv_bytes": "Monitoring list CSV in the page's language, ticket_export(lang)",
    "csq.core.exports.csv_downloads": "rejected_downloads (Import page: rejected rows, localised and raw)",
    "csq.core.exports.SafeWorkbook": "report.to_xlsx (every .xlsx csq writes goes through it)",
    "csq.overview.report.to_xlsx": "`report --out FILE.xlsx` via report.write",
    "csq.overview.report.to_html": "`report --out FILE.html` via report.write, Overview's report download",
    "csq.overview.report.html_bytes": "Overview page: the quarterly report download (HTML)",
    "csq.overview.report.write": "`python -m csq report --quarter Q --out FILE.html|FILE.xlsx`",
    "csq.monitoring.tickets.ticket_export": "Monitoring page: the whole breached/overdue list (deferred download)",
    "csq.ingest.inspection.rejected_csv": "the rejected rows as the raw CSV (library and tests)",
    "csq.ingest.inspection.rejected_downloads": "Import page: the rejected-rows download buttons",
    "csq.core.exports.xlsx_bytes": "a table as a one-sheet .xlsx (sampling.sample_export)",
    "csq.evaluation.sampling.sample_export": "`qa-sample --out FILE.csv|FILE.xlsx`, Evaluation page: QA sample downloads",
    "csq.callbacks.sheets.file_bytes": "a callback plan's callers' sheet as CSV or .xlsx (plan_export, caller_export)",
    "csq.callbacks.sheets.plan_export": "`callbacks plan --out` for a masked role, Callbacks page: the plan downloads",
    "csq.callbacks.sheets.caller_export": "`callbacks plan --out` for admin, Callbacks page: the callers' list (audited)",
}
# Where each writer is called from (module file, name called). A call found elsewhere fails the scan.
USES: set[tuple[str, str]] = {
    ("csq/core/exports.py", "to_csv_bytes"),            # localised_csv_bytes and csv_downloads build on it
    ("csq/core/exports.py", "localised_csv_bytes"),     # csv_downloads
    ("csq/monitoring/tickets.py", "to_csv_bytes"), ("csq/monitoring/tickets.py", "localised_csv_bytes"),
    ("csq/ingest/inspection.py", "to_csv_bytes"), ("csq/ingest/inspection.py", "csv_downloads"),
    ("csq/overview/report.py", "SafeWorkbook"), ("csq/overview/report.py", "to_xlsx"),
    ("csq/overview/report.py", "to_html"),
    ("csq/cli/commands/report.py", "write"),
    ("app_pages/monitoring.py", "localised_csv_bytes"), ("app_pages/monitoring.py", "to_csv_bytes"),
    ("app_pages/monitoring.py", "ticket_export"),
    ("app_pages/audit.py", "to_csv_bytes"),
    ("app_pages/import.py", "rejected_downloads"),
    ("app_pages/overview.py", "html_bytes"),
    ("csq/core/exports.py", "SafeWorkbook"),            # xlsx_bytes
    ("csq/evaluation/sampling.py", "to_csv_bytes"), ("csq/evaluation/sampling.py", "xlsx_bytes"),
    ("csq/cli/commands/qa_sample.py", "sample_export"), ("app_pages/evaluation.py", "sample_export"),
    ("csq/callbacks/sheets.py", "to_csv_bytes"), ("csq/callbacks/sheets.py", "xlsx_bytes"),
    ("csq/callbacks/sheets.py", "file_bytes"),
    ("csq/cli/commands/callbacks.py", "plan_export"), ("csq/cli/commands/callbacks.py", "caller_export"),
    ("app_pages/callbacks.py", "plan_export"), ("app_pages/callbacks.py", "caller_export"),
    ("csq/operations/notify.py", "html_bytes"), ("csq/operations/notify.py", "xlsx_bytes"),  # the mailed report
}
# Every download button on a page and the data it serves: a writer above, or a file that is no spreadsheet.
DOWNLOADS: dict[str, set[str]] = {
    "app_pages/monitoring.py": {"lambda: exports.localised_csv_bytes(table, v.lang)", "lambda: exports.to_csv_bytes(table)",
                                "lambda: tickets.ticket_export(v.store, f, which, unmask, v.lang)"},
    "app_pages/audit.py": {"exports.to_csv_bytes(shown)", "exports.to_csv_bytes(log)"},
    "app_pages/import.py": {"shown.data", "raw.data",  # the two Downloads of inspection.rejected_downloads
                            "preview.mapping_json(m).encode('utf-8')"},  # a mapping as JSON, no spreadsheet
    "app_pages/overview.py": {"lambda: report.html_bytes(v.store, quarter, v.lang)"},
    "app_pages/evaluation.py": {"lambda: sampling.sample_export(v.store, week, 'csv', unmask, lang)",
                                "lambda: sampling.sample_export(v.store, week, 'csv', unmask)",
                                "lambda: sampling.sample_export(v.store, week, 'xlsx', unmask, lang)"},
    "app_pages/callbacks.py": {"lambda: sheets.plan_export(plan_rows, 'csv', v.lang, v.role)",
                               "lambda: sheets.plan_export(plan_rows, 'xlsx', v.lang, v.role)",
                               "ready[2]"},  # the callers' list of sheets.caller_export, kept for the download
}
# Writing a spreadsheet any other way than through csq.core.exports.
PRIMITIVES = re.compile(r"write_csv|xlsxwriter|openpyxl|(?<![A-Za-z])Workbook\(|csv\.writer|DictWriter|\.to_csv\(|to_excel\(|"
                        r"write_string|write_number|\bCOPY\b")
PRIMITIVES_ALLOWED = {
    "csq/core/exports.py",   # the one place that writes CSV and .xlsx
    "csq/bench/imports.py",  # DuckDB COPY of a generated benchmark file in a temporary folder: no user value
    "csq/ingest/reader.py",  # reads (pyarrow.csv.read_csv), never writes
}
SOURCES = sorted([*(ROOT / "csq").rglob("*.py"), *(ROOT / "app_pages").glob("*.py"), ROOT / "app.py"])


def _rel(p: Path) -> str:
    return str(p.relative_to(ROOT))


def test_the_one_rule_and_its_column_form_agree() -> None:
    samples = [*HOSTILE, "ok", "a=b", " =1", "'=1", "", "中文", "\n=1", *(c + "x" for c in FORMULA_START)]
    col = neutralise_column(pa.array(samples + [None], pa.string())).to_pylist()
    assert col == [neutralise(s) for s in samples] + [None]
    assert [formula_like(s) for s in HOSTILE] == [True] * 7 + [False]
    assert neutralise("-2+3") == "'-2+3" and neutralise("\t=1") == "'\t=1" and neutralise("a=b") == "a=b"
    for number in (-5, -2.5, 0, 3):  # numbers stay numbers, a negative one too: only text is prefixed
        assert neutralise(number) == number


def test_numbers_stay_numbers_in_csv() -> None:
    rows = _csv(exports.to_csv_bytes(pa.table({"n": [-5, 3], "x": [-2.5, 1.0], "s": ["-5", "ok"]})))
    assert rows == [["n", "x", "s"], ["-5", "-2.5", "'-5"], ["3", "1", "ok"]]


def test_the_workbook_writes_text_as_strings_and_numbers_as_numbers() -> None:
    book = SafeWorkbook()
    sheet = book.book.add_worksheet("s")
    for j, v in enumerate([*HOSTILE, -5, 2.5, None, True, date(2025, 3, 1)]):
        book.cell(sheet, 0, j, v, header=j == 0)
    cells = _xlsx_cells(book.close())
    assert [c for c in cells if c.formula] == []
    text = {c.text: c for c in cells if c.kind == "s"}
    assert set(HOSTILE) <= set(text) and "2025-03-01" in text
    assert all(text[h].quoted for h in HOSTILE if formula_like(h)) and not text[HOSTILE[-1]].quoted
    numbers = [c.text for c in cells if c.kind == "n"]
    assert numbers == ["-5", "2.5"]


def _calls(path: Path) -> Iterator[tuple[str, ast.Call]]:
    """Yield (called name, call) for every call in a source file."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            fn = node.func
            name = fn.attr if isinstance(fn, ast.Attribute) else fn.id if isinstance(fn, ast.Name) else ""
            yield name, node


def test_no_file_for_people_is_written_around_csq_core_exports() -> None:
    offenders = [f"{_rel(p)}: {m.group()}" for p in SOURCES if _rel(p) not in PRIMITIVES_ALLOWED
                 for m in PRIMITIVES.finditer(p.read_text(encoding="utf-8"))]
    assert offenders == [], "write CSV/Excel through csq.core.exports and add the writer to WRITERS"


def test_every_use_of_a_writer_is_registered() -> None:
    names = {w.rsplit(".", 1)[1] for w in WRITERS}
    found = {(_rel(p), name) for p in SOURCES for name, _ in _calls(p) if name in names}
    # report.write is the writer only where it is report's; audit.write and url.write are no file writers.
    found = {(f, n) for f, n in found if n != "write" or f == "csq/cli/commands/report.py"}
    assert found == USES, "a new use of a writer: add it to USES and cover it in the hostile run"


def test_every_download_button_serves_a_registered_writer() -> None:
    seen: dict[str, set[str]] = {}
    for p in sorted((ROOT / "app_pages").glob("*.py")):
        for name, call in _calls(p):
            if name == "download_button":
                data = call.args[1] if len(call.args) > 1 else next(k.value for k in call.keywords if k.arg == "data")
                seen.setdefault(_rel(p), set()).add(ast.unparse(data))
    assert seen == DOWNLOADS


# ---- 3. the hostile run -------------------------------------------------------------------------------------
def _rows_csv(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


TICKET_HEADER = ["工单编号", "受理时间", "首次响应时间", "渠道", "业务类型", "紧急程度", "问题分类", "处理坐席", "所属班组",
                 "客户姓名", "客户电话"]
ACTION_HEADER = ["措施编号", "问题描述", "原因类别", "改进措施", "目标指标", "适用范围", "责任人", "开始日期", "计划完成日期",
                 "实际完成日期", "PDCA阶段", "状态"]


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store whose tickets (category, agent, team, customer name) and actions (title, measure, owner) are all
    formula payloads or a script tag, imported by a user with a formula for a name from a file named like one."""
    db = tmp_path_factory.mktemp("hostile") / "h.duckdb"
    # Answered after ten hours: breached, so every ticket is in the Monitoring lists and their CSVs.
    t_rows = [[f"T{i}", f"2025-03-{i + 1:02d} 09:00:00", f"2025-03-{i + 1:02d} 19:00:00", "电话", "咨询", "中",
               h, h, h, h, f"1380000{i:04d}"] for i, h in enumerate(HOSTILE)]
    # A later ticket puts "as of" at the end of March: the open hostile tickets are overdue too.
    t_rows.append(["T99", "2025-03-31 09:00:00", "2025-03-31 09:01:00", "电话", "咨询", "中", "账单", "一组-李娜", "一组",
                   "张三", "13800009999"])
    a_rows = [[f"IMP-{i:03d}", h, "流程", h, "frt_sla_rate", "渠道=电话", h, "2025-01-05", "2025-03-20", "", "Do",
               "进行中"] for i, h in enumerate(HOSTILE)]
    s = open_store(db)
    try:
        for data, kind in ((_rows_csv(TICKET_HEADER, t_rows), "tickets"), (_rows_csv(ACTION_HEADER, a_rows), "actions")):
            res = import_bytes(s, data, EVIL_FILE, kind, role="admin", user=EVIL_USER)
            assert res.status == "committed", res
        stored = {r[0] for r in s.rows("SELECT title FROM actions")} | {r[0] for r in s.rows("SELECT agent FROM tickets")}
        assert set(HOSTILE) <= stored  # the payloads reached the store unchanged, tab and CR included
    finally:
        s.close()
    return db


@pytest.fixture
def store(hostile_db: Path) -> Iterator[Store]:
    s = open_store(hostile_db, read_only=True)
    yield s
    s.close()


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith(exports.BOM)
    return list(csv.reader(io.StringIO(data[len(exports.BOM):].decode("utf-8"), newline="")))


def _assert_defused(data: bytes, must_show: tuple[str, ...] = ("=HYPERLINK", "=cmd|")) -> None:
    """Assert no cell (headers too) starts like a formula, and the payloads are there, prefixed."""
    cells = [c for row in _csv(data) for c in row]
    assert [c for c in cells if formula_like(c)] == []
    for payload in must_show:
        assert any(c.startswith("'" + payload) for c in cells), payload


def _upload() -> bytes:
    """A tickets upload with a formula for a column header and formula cells in rows that are rejected."""
    rows = [[f"U{i}", "not a date", "", "电话", "咨询", "中", h, h, h, h, "13800001111", h] for i, h in enumerate(HOSTILE)]
    return _rows_csv([*TICKET_HEADER, EVIL_HEADER], rows)


CSV_WRITERS: dict[str, Callable[[Store], list[bytes]]] = {
    "to_csv_bytes (Monitoring raw list)": lambda s: [exports.to_csv_bytes(tickets.ticket_list(s, Filter(), w, u))
                                                      for w in ("breached", "overdue") for u in (False, True)],
    "localised_csv_bytes (Monitoring list)": lambda s: [
        exports.localised_csv_bytes(tickets.ticket_list(s, Filter(), "breached", u), lang)
        for u in (False, True) for lang in ("zh", "en")],
    "ticket_export": lambda s: [tickets.ticket_export(s, Filter(), w, u, lang) for w in ("breached", "overdue")
                                for u in (False, True) for lang in (None, "zh", "en")],
    "rejected_csv": lambda s: [inspection.rejected_csv(inspection.inspect(s, _upload(), EVIL_FILE, "tickets"), u)
                               for u in (False, True)],
    "rejected_downloads / csv_downloads": lambda s: [
        d.data for lang in ("zh", "en")
        for d in inspection.rejected_downloads(inspection.inspect(s, _upload(), EVIL_FILE, "tickets"), lang, True)],
    "audit log CSVs": lambda s: [exports.to_csv_bytes(audit.entries(s))] + [
        exports.to_csv_bytes(audit.readable(audit.entries(s), lang, "Asia/Shanghai")) for lang in ("zh", "en")],
}


@pytest.mark.parametrize("name", list(CSV_WRITERS))
def test_every_csv_download_defuses_every_hostile_cell(store: Store, name: str) -> None:
    files = CSV_WRITERS[name](store)
    assert files
    shows = ("=HYPERLINK",) if name == "audit log CSVs" else ("=HYPERLINK", "=cmd|", "+1+1", "-2+3", "@SUM")
    for data in files:
        _assert_defused(data, shows)
    if name.startswith("rejected"):
        assert any(c == "'" + EVIL_HEADER for data in files for c in _csv(data)[0])  # the header row too


class Cell:
    """One cell of a written .xlsx: its kind (s string, n number, …), text, formula and quote prefix."""

    def __init__(self, kind: str, text: str, formula: bool, quoted: bool) -> None:
        self.kind, self.text, self.formula, self.quoted = kind, text, formula, quoted


NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _xlsx_cells(data: bytes) -> list[Cell]:
    """Return every cell of every sheet, strings resolved through the shared-string table."""
    z = zipfile.ZipFile(io.BytesIO(data))
    names = z.namelist()
    sst = []
    if "xl/sharedStrings.xml" in names:
        root = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))
        sst = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")) for si in root.findall("m:si", NS)]
    styles = ElementTree.fromstring(z.read("xl/styles.xml"))
    xfs = styles.find("m:cellXfs", NS)
    quoted = [xf.get("quotePrefix") == "1" for xf in (xfs if xfs is not None else [])]
    cells = []
    for name in names:
        if not name.startswith("xl/worksheets/sheet"):
            continue
        raw = z.read(name)
        assert b"<f>" not in raw and b"<f " not in raw, name  # no formula element anywhere
        for c in ElementTree.fromstring(raw).iter(f"{{{NS['m']}}}c"):
            kind, v = c.get("t", "n"), c.find("m:v", NS)
            text = "".join(t.text or "" for t in c.iter(f"{{{NS['m']}}}t")) if kind == "inlineStr" else \
                sst[int(v.text)] if kind == "s" and v is not None else (v.text if v is not None else "")
            text = text.replace("_x000D_", "\r")  # OOXML's escape of a carriage return
            cells.append(Cell(kind, text, c.find("m:f", NS) is not None, quoted[int(c.get("s", "0"))]))
    return cells


def _assert_xlsx_safe(data: bytes) -> None:
    cells = _xlsx_cells(data)
    assert [c.text for c in cells if c.formula] == []
    texts = [c.text for c in cells]
    for payload in HOSTILE:
        assert payload in texts or "'" + payload in texts, payload  # the action titles and owners are there
    for c in cells:
        if formula_like(c.text):
            assert c.kind in ("s", "inlineStr") and c.quoted, c.text  # text with Excel's quote prefix


def test_the_quarterly_xlsx_holds_the_payloads_as_text_never_as_formulas(store: Store) -> None:
    for lang in ("zh", "en"):
        _assert_xlsx_safe(report.to_xlsx(report.build(store, "2025Q1", lang)))


def test_the_quarterly_html_is_escaped(store: Store) -> None:
    for page in (report.to_html(report.build(store, "2025Q1", "en")),
                 report.html_bytes(store, "2025Q1", "zh").decode("utf-8")):
        assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in page


def test_the_report_command_writes_safe_files(hostile_db: Path, tmp_path: Path) -> None:
    for suffix in (".xlsx", ".html"):
        out = tmp_path / f"q{suffix}"
        proc = run_cli("report", "--quarter", "2025Q1", "--out", str(out), db=hostile_db)
        assert proc.returncode == 0, proc.stderr
        if suffix == ".xlsx":
            _assert_xlsx_safe(out.read_bytes())
        else:
            assert "<script>alert" not in out.read_text(encoding="utf-8")


def test_every_registered_writer_is_exercised_here() -> None:
    exercised = {"to_csv_bytes", "localised_csv_bytes", "csv_downloads", "SafeWorkbook", "to_xlsx", "to_html",
                 "html_bytes", "write", "ticket_export", "rejected_csv", "rejected_downloads", "xlsx_bytes",
                 "sample_export", "file_bytes", "plan_export", "caller_export"}
    assert {w.rsplit(".", 1)[1] for w in WRITERS} == exercised


def test_the_qa_sample_files_defuse_every_hostile_cell(hostile_db: Path, tmp_path: Path) -> None:
    # The hostile tickets T0…T7 (agents, teams, categories and customer names are the payloads) were created on
    # 1–8 March 2025: weeks 2025-W09 (T0, T1) and 2025-W10 (T2…T7). Every ticket of an agent is drawn (one each).
    from csq.evaluation import sampling

    db = tmp_path / "h.duckdb"
    db.write_bytes(hostile_db.read_bytes())
    s = open_store(db)
    try:
        for week, shown in (("2025-W09", HOSTILE[:2]), ("2025-W10", HOSTILE[2:7])):
            sampling.draw(s, week, user=EVIL_USER, role="admin")
            for unmask in (False, True):
                for lang in (None, "zh", "en"):
                    _assert_defused(sampling.sample_export(s, week, "csv", unmask, lang), tuple(shown))
                cells = _xlsx_cells(sampling.sample_export(s, week, "xlsx", unmask))
                assert [c.text for c in cells if c.formula] == []
                assert {h for h in shown if formula_like(h)} <= {c.text for c in cells}
                assert all(c.kind in ("s", "inlineStr") and c.quoted for c in cells if formula_like(c.text))
    finally:
        s.close()


def test_the_callback_sheets_defuse_every_hostile_cell(hostile_db: Path, tmp_path: Path) -> None:
    # Planned callbacks whose engineer, team and customer name are the payloads: the plan's downloads (masked and
    # not, CSV and .xlsx) and the admin's callers' list keep every one of them as text.
    from csq.callbacks import sheets
    from csq.callbacks.plan import stored_plan
    from csq.callbacks.quarters import Quarter
    from csq.store.batches import commit_records

    db = tmp_path / "h.duckdb"
    db.write_bytes(hostile_db.read_bytes())
    s = open_store(db)
    try:
        rows = [{"callback_id": f"CB{i}", "customer_id": f"C{i}", "customer_name": h, "customer_phone": "13800001111",
                 "agent": h, "team": h, "planned_for": date(2025, 3, 3)} for i, h in enumerate(HOSTILE)]
        commit_records(s, "callbacks", pa.Table.from_pylist(rows), source=EVIL_FILE, user=EVIL_USER)
        plan = stored_plan(s, Quarter(2025, 1))
        files = [sheets.plan_export(plan, "csv", lang, role) for lang in ("zh", "en") for role in ("viewer", "admin")]
        files.append(sheets.caller_export(s, "2025Q1", "csv", "zh", "admin", EVIL_USER))
        for data in files:
            _assert_defused(data)
        for data in (sheets.plan_export(plan, "xlsx", "zh", "viewer"), sheets.caller_export(s, "2025Q1", "xlsx", "en",
                                                                                             "admin")):
            cells = _xlsx_cells(data)
            assert [c.text for c in cells if c.formula] == []
            assert {h for h in HOSTILE if formula_like(h)} <= {c.text for c in cells}
            assert all(c.kind in ("s", "inlineStr") and c.quoted for c in cells if formula_like(c.text))
    finally:
        s.close()
