"""Hostile and broken files through `python -m csq import` (SPEC §10): each is refused (exit 2, a message naming
row and column where there is one, the store unchanged) or loaded correctly; none kills the process or takes
a minute. Every file is generated here, in the test's folder."""
from __future__ import annotations

import json
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from csq.store import open_store
from tests.support import SAMPLES, cli_json, run_cli, snapshot

HEAD = "工单编号,受理时间,渠道,业务类型"
ROW = "A{i},2025-03-01 08:{m:02d},电话,咨询"
NS = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a store holding the actions sample, built once: each test imports into its own copy."""
    db = tmp_path_factory.mktemp("seeded") / "seed.duckdb"
    cli_json("import", str(SAMPLES / "actions.csv"), "--kind", "actions", db=db)
    return db


@pytest.fixture()
def db(tmp_path: Path, seeded: Path) -> Path:
    return Path(shutil.copyfile(seeded, tmp_path / "csq.duckdb"))


def _csv(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _rows(n: int, start: int = 1) -> str:
    return "".join(ROW.format(i=i, m=i % 60) + "\n" for i in range(start, start + n))


def _xlsx(path: Path, sheet: str, shared: str | None = None) -> Path:
    """Write a minimal workbook with one sheet (and shared strings when given) and return its path."""
    wb = ('<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas'
          '.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S1" sheetId="1" r:id="rId1"/>'
          '</sheets></workbook>')
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
            'Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="xml" ContentType="application/xml"/></Types>')
        z.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                   'officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", shared)
    return path


def _cells(row: int, values: list[str], cols: list[str] | None = None) -> str:
    refs = cols or [chr(65 + j) for j in range(len(values))]
    return f'<row r="{row}">' + "".join(f'<c r="{c}{row}" t="inlineStr"><is><t>{v}</t></is></c>'
                                        for c, v in zip(refs, values)) + "</row>"


def _refused(db: Path, path: Path, *needles: str, process: bool = False) -> dict[str, object]:
    """Import path and assert exit 2 with each needle in the message, the store unchanged, under a minute."""
    store = open_store(db)
    before = snapshot(store)
    store.close()
    t0 = time.monotonic()
    proc = run_cli("import", str(path), "--kind", "tickets", "--json", db=db, process=process)
    took = time.monotonic() - t0
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert took < 60, took
    out = json.loads(proc.stdout)[0]
    assert out["status"] == "refused" and out["fix"], out
    for needle in needles:
        assert needle in out["message"], (needle, out["message"])
    store = open_store(db)
    assert snapshot(store) == before
    store.close()
    return out


def _loaded(db: Path, path: Path, rows: int, mapping: Path | None = None) -> dict[str, object]:
    """Import path and assert it commits `rows` rows."""
    extra = ["--mapping", str(mapping)] if mapping else []
    out = cli_json("import", str(path), "--kind", "tickets", *extra, db=db)[0]
    assert out["status"] == "committed", out
    assert out["rows_loaded"] == rows, out
    return out


def _ticket_ids(db: Path) -> list[str]:
    store = open_store(db, read_only=True)
    try:
        return [r[0] for r in store.rows("SELECT ticket_id FROM tickets_current ORDER BY ticket_id")]
    finally:
        store.close()


def test_xlsx_with_one_cell_at_xfd1048576_is_refused_not_a_crash(db: Path, tmp_path: Path) -> None:
    sheet = (NS + '<dimension ref="A1:XFD1048576"/><sheetData>' + _cells(1, ["工单编号"])
             + _cells(1048576, ["x"], ["XFD"]) + "</sheetData></worksheet>")
    path = _xlsx(tmp_path / "bomb.xlsx", sheet)
    assert path.stat().st_size < 4000
    out = _refused(db, path, "column XFD", "500", process=True)
    assert out["errors"][0]["column"] == "XFD"  # type: ignore[index]


def test_xlsx_cell_box_too_large_is_refused(db: Path, tmp_path: Path) -> None:
    # 400 columns are allowed, and 1,048,576 rows are, but not both: 419 million cells to allocate.
    sheet = (NS + "<sheetData>" + _cells(1, ["工单编号"]) + _cells(1048576, ["x"], ["OJ"]) + "</sheetData></worksheet>")
    _refused(db, _xlsx(tmp_path / "box.xlsx", sheet), "1,048,576 rows by 400 columns", process=True)


def test_empty_styled_cells_far_out_do_not_count(db: Path, tmp_path: Path) -> None:
    # The reader skips <c r="XFD1048576" s="1"/>: so does the check, or it would refuse a sound workbook.
    sheet = (NS + "<sheetData>" + _cells(1, HEAD.split(",")) + _cells(2, ["A1", "2025-03-01 08:00", "电话", "咨询"])
             + '<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData></worksheet>')
    _loaded(db, _xlsx(tmp_path / "styled.xlsx", sheet), 1)


def test_zip_bomb_is_refused(db: Path, tmp_path: Path) -> None:
    sheet = NS + "<sheetData>" + _cells(1, [HEAD]) + " " * (64 << 20) + "</sheetData></worksheet>"
    path = _xlsx(tmp_path / "zipbomb.xlsx", sheet)
    assert path.stat().st_size < 200_000
    _refused(db, path, "zip bomb", process=True)


def test_shared_strings_that_declare_billions_are_refused(db: Path, tmp_path: Path) -> None:
    shared = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4000000000" '
              'uniqueCount="4000000000"><si><t>工单编号</t></si></sst>')
    sheet = NS + '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    _refused(db, _xlsx(tmp_path / "sst.xlsx", sheet, shared), "4,000,000,000 shared strings", process=True)


def test_xlsx_wider_than_the_column_limit_is_refused(db: Path, tmp_path: Path) -> None:
    sheet = NS + "<sheetData>" + _cells(1, ["工单编号", "x"], ["A", "SG"]) + "</sheetData></worksheet>"
    _refused(db, _xlsx(tmp_path / "wide.xlsx", sheet), "column SG", "501")


def test_a_cell_over_32767_characters_is_refused_with_row_and_column(db: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path, "huge.csv", f"{HEAD}\n{_rows(3)}A9,2025-03-01 08:00,电话,{'长' * 140_000}\n")
    out = _refused(db, path, "row 5, column D (4) '业务类型'", "140,000 characters", "32,767")
    assert out["errors"] == [{"row": 5, "column": "业务类型", "message": out["errors"][0]["message"]}]  # type: ignore


def test_the_cell_limit_is_excel_s_own(db: Path, tmp_path: Path) -> None:
    at_limit = _csv(tmp_path, "at.csv", f"{HEAD},备注\n{_rows(1).strip()},{'x' * 32_767}\n")
    _loaded(db, at_limit, 1)
    over = _csv(tmp_path, "over.csv", f"{HEAD},备注\n{_rows(1, 2).strip()},{'x' * 32_768}\n")
    _refused(db, over, "row 2, column E (5) '备注'", "32,768 characters")


def test_a_50_mb_line_is_refused_quickly(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "line.csv"
    path.write_bytes(f"{HEAD}\n{_rows(2)}A9,2025-03-01 08:00,电话,".encode() + b"y" * (50 << 20) + b"\n")
    _refused(db, path, "row 4, column D (4)", "52,428,800 characters")


def test_an_unclosed_quote_is_named_as_the_likely_cause(db: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path, "quote.csv", f'{HEAD}\nA1,2025-03-01 08:00,"电话,咨询\n' + _rows(5000, 2))
    _refused(db, path, "row 2, column C (3) '渠道'", "quotation mark")


def test_utf8_bom_followed_by_gbk_bytes_is_refused_with_row_and_column(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "bom_gbk.csv"
    path.write_bytes(b"\xef\xbb\xbf" + f"{HEAD}\nA1,2025-03-01 08:00,".encode() + "电话,咨询\n".encode("gbk"))
    _refused(db, path, "row 2, column C (3)", "byte-order mark", "mixes two encodings")


def test_utf8_then_gbk_is_refused_where_the_gbk_starts(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(f"{HEAD}\n{_rows(40)}".encode() + "A99,2025-03-01 08:00,电话,投诉\n".encode("gbk"))
    _refused(db, path, "row 42, column C (3)", "mixes two encodings")


def test_gbk_then_utf8_is_refused_where_the_utf8_starts(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "mixed2.csv"
    path.write_bytes(f"{HEAD}\n{_rows(40)}".encode("gbk") + "A99,2025-03-01 08:00,在线客服,投诉建议\n".encode())
    _refused(db, path, "row 42, column C (3)", "mixes two encodings")


def test_gbk_and_gb18030_files_still_load(db: Path, tmp_path: Path) -> None:
    _loaded(db, _csv(tmp_path, "gbk.csv", f"{HEAD},处理坐席\n" + "".join(
        f"G{i},2025-03-01 08:00,电话,投诉,坐席{i}号张三丰\n" for i in range(200)), "gbk"), 200)


def test_a_nul_byte_after_the_first_64_kb_is_refused(db: Path, tmp_path: Path) -> None:
    body = f"{HEAD}\n{_rows(3000)}"
    assert len(body.encode()) > 70_000
    path = tmp_path / "nul.csv"
    path.write_bytes(body.encode() + b"A9999,2025-03-01 08:00,\xe7\x94\xb5\x00\xe8\xaf\x9d,x\n")
    _refused(db, path, "row 3002, column C (3)", "NUL")


def test_duplicate_headers_are_refused_naming_both_columns_and_a_mapping_picks_one(db: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path, "dup.csv", "工单编号,受理时间,渠道,业务类型,工单编号\nA1,2025-03-01 08:00,电话,咨询,B1\n")
    out = _refused(db, path, "column A (1) and column E (5)", "'工单编号'")
    assert '{"columns": {"ticket_id": "工单编号_2"}} reads column E (5)' in str(out["fix"])
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"columns": {"ticket_id": "工单编号_2"}}, ensure_ascii=False), encoding="utf-8")
    _loaded(db, path, 1, mapping)
    assert _ticket_ids(db) == ["B1"]


def test_header_names_that_differ_only_in_case_or_spacing_are_duplicates(db: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path, "dup2.csv", "Ticket ID,Created,Channel,Type,ticket  id\nA1,2025-03-01 08:00,Phone,Complaint,B1\n")
    _refused(db, path, "column A (1) and column E (5)", "'Ticket ID'")


def test_a_huge_cell_in_a_workbook_is_refused_with_row_and_column(db: Path, tmp_path: Path) -> None:
    sheet = (NS + "<sheetData>" + _cells(1, HEAD.split(",")) + _cells(2, ["A1", "2025-03-01 08:00", "电话", "咨询"])
             + _cells(3, ["A2", "2025-03-01 08:00", "电话", "长" * 40_000]) + "</sheetData></worksheet>")
    _refused(db, _xlsx(tmp_path / "cell.xlsx", sheet), "row 3, column D (4) '业务类型'", "40,000 characters")


def test_5000_columns_are_refused_at_once(db: Path, tmp_path: Path) -> None:
    header = ",".join(["工单编号", "受理时间", "渠道", "业务类型"] + [f"c{i}" for i in range(4996)])
    line = ",".join(["A1", "2025-03-01 08:00", "电话", "咨询"] + ["v"] * 4996)
    path = _csv(tmp_path, "wide.csv", header + "\n" + (line + "\n") * 50)
    t0 = time.monotonic()
    _refused(db, path, "row 1 has 5,000 columns", "500")
    assert time.monotonic() - t0 < 10


def test_500_columns_load_and_501_do_not(db: Path, tmp_path: Path) -> None:
    def wide(n: int, name: str) -> Path:
        header = ",".join(["工单编号", "受理时间", "渠道", "业务类型"] + [f"c{i}" for i in range(n - 4)])
        lines = "".join(",".join([f"W{r}", "2025-03-01 08:00", "电话", "咨询"] + ["v"] * (n - 4)) + "\n"
                        for r in range(200))
        return _csv(tmp_path, name, header + "\n" + lines)

    t0 = time.monotonic()
    _loaded(db, wide(500, "w500.csv"), 200)
    assert time.monotonic() - t0 < 30
    _refused(db, wide(501, "w501.csv"), "501 columns")


def test_header_at_row_120_is_found(db: Path, tmp_path: Path) -> None:
    notes = "".join(f"导出说明第{i}行\n" for i in range(119))
    out = _loaded(db, _csv(tmp_path, "low.csv", notes + f"{HEAD}\n{_rows(3)}"), 3)
    assert out["header_row"] == 120
    assert _ticket_ids(db) == ["A1", "A2", "A3"]


def test_cr_only_line_endings_are_read(db: Path, tmp_path: Path) -> None:
    _loaded(db, _csv(tmp_path, "mac.csv", (f"{HEAD}\n{_rows(3)}").replace("\n", "\r")), 3)
    assert _ticket_ids(db) == ["A1", "A2", "A3"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-16-le"])
def test_utf16_files_are_read(db: Path, tmp_path: Path, encoding: str) -> None:
    text = f"{HEAD}\n{_rows(3)}".replace("\n", "\r\n")
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data  # with its byte-order mark; utf-16-le stands for one without
    path = tmp_path / "u16.csv"
    path.write_bytes(data)
    _loaded(db, path, 3)
    assert _ticket_ids(db) == ["A1", "A2", "A3"]


def test_ids_with_leading_zeros_stay_text(db: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path, "zeros.csv", f"{HEAD},客户电话\n000123,2025-03-01 08:00,电话,咨询,013800138000\n"
                                       "007,2025-03-01 08:05,电话,咨询,02100000000\n")
    _loaded(db, path, 2)
    store = open_store(db, read_only=True)
    rows = store.rows("SELECT ticket_id, customer_phone FROM tickets_current ORDER BY 1")
    store.close()
    assert rows == [("000123", "013800138000"), ("007", "02100000000")]


def test_the_import_page_reads_through_the_same_limits(store, tmp_path: Path) -> None:
    from csq.ingest import inspection as preview
    from csq.ingest.mapping import Mapping

    sheet = (NS + "<sheetData>" + _cells(1, ["工单编号"]) + _cells(1048576, ["x"], ["XFD"]) + "</sheetData></worksheet>")
    bomb = _xlsx(tmp_path / "bomb.xlsx", sheet).read_bytes()
    assert preview.detect_kind(bomb, "bomb.xlsx") == "tickets"  # nothing readable: the default, no crash
    insp = preview.inspect(store, bomb, "bomb.xlsx", "tickets")
    assert insp.prepared is None and insp.source is None
    assert "column XFD" in insp.refusal.message  # type: ignore[union-attr]
    dup = "工单编号,受理时间,渠道,业务类型,工单编号\nA1,2025-03-01 08:00,电话,咨询,B1\n".encode()
    insp = preview.inspect(store, dup, "dup.csv", "tickets")
    assert "column A (1) and column E (5)" in insp.refusal.message  # type: ignore[union-attr]
    assert insp.source is not None and insp.source.headers[-1] == "工单编号_2"  # both offered to choose from
    chosen = preview.inspect(store, dup, "dup.csv", "tickets", Mapping(columns={"ticket_id": "工单编号_2"}))
    assert chosen.prepared is not None
    assert chosen.prepared.staged.column("ticket_id").to_pylist() == ["B1"]
    header = ",".join(["工单编号", "受理时间"] + [f"c{i}" for i in range(4998)])
    t0 = time.monotonic()
    assert preview.detect_kind((header + "\n" + header + "\n").encode(), "wide.csv") == "tickets"
    assert time.monotonic() - t0 < 10
