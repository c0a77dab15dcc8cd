"""The reading of untrusted files under limits (SPEC §10): the reading process as the safety net behind the
checks, the checks themselves (encodings, workbook boxes, header scoring), and the table's way back."""
from __future__ import annotations

import io
import random
import time
import zipfile

import pyarrow as pa
import pytest

from csq.errors import InputRefused
from csq.ingest import sandbox
from csq.ingest.delimited import sniff_delimiter
from csq.ingest.limits import ReadLimits, column_index, column_letter
from csq.ingest.reader import HeaderScore, read_source
from csq.ingest.source import SourceTable, from_ipc, to_ipc
from csq.ingest.text import decode
from csq.ingest.workbook import _scan_cells, sheet_paths
from tests.support import SAMPLES

SCORE = HeaderScore(("tickets",))
HEAD = "工单编号,受理时间,渠道,业务类型"
NS = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
# The checks before the Excel reader, switched off: what is left to stop the file is the reading process's limits.
NO_CHECKS = ReadLimits(max_columns=20_000, max_sheet_cells=10**13, max_sheet_rows=10**7)


def _bomb() -> bytes:
    """Return a 1.5 KB workbook with one cell at XFD1048576: the Excel reader asks for 512 GB for it."""
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-'
                                          'types"><Default Extension="xml" ContentType="application/xml"/></Types>')
        z.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                                  f'relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" '
                                  'Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                                      f'xmlns:r="{rel}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>'
                                      "</workbook>")
        z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                                                 f'2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet"'
                                                 ' Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", NS + '<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" '
                   't="inlineStr"><is><t>id</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is>'
                   "<t>x</t></is></c></row></sheetData></worksheet>")
    return buf.getvalue()


def _csv(rows: int = 3) -> bytes:
    return (HEAD + "\n" + "".join(f"A{i},2025-03-01 08:00,电话,咨询\n" for i in range(rows))).encode()


def test_an_allocation_storm_kills_the_reading_process_not_the_caller() -> None:
    with pytest.raises(InputRefused) as info:
        read_source(_bomb(), "bomb.xlsx", SCORE, limits=NO_CHECKS)
    assert "memory limit" in info.value.message and info.value.fix
    # Asked again (the Import page does, to show a refused file), it is refused at once.
    t0 = time.monotonic()
    with pytest.raises(InputRefused):
        read_source(_bomb(), "bomb.xlsx", SCORE, limits=NO_CHECKS)
    assert time.monotonic() - t0 < 0.05
    # The caller, and its fork server, read the next file as usual.
    assert read_source(_csv(), "ok.csv", SCORE).num_rows == 3


def test_the_checks_refuse_the_bomb_before_the_reader_sees_it() -> None:
    with pytest.raises(InputRefused) as info:
        read_source(_bomb(), "bomb.xlsx", SCORE)
    assert "column XFD" in info.value.message and "500" in info.value.message


def test_cpu_and_wall_time_limits_refuse_the_file() -> None:
    with pytest.raises(InputRefused, match="CPU"):
        read_source(_csv(2000), "slow.csv", SCORE, limits=ReadLimits(cpu_seconds=0))
    # A zero deadline: a warm child can answer a small file within 10 ms, so any positive one races.
    with pytest.raises(sandbox.ReadTimedOut, match="longer than 0 s"):
        read_source(_csv(5), "late.csv", SCORE, limits=ReadLimits(seconds=0))
    # Time on the clock depends on the machine's load: a late file is tried again, not remembered.
    assert read_source(_csv(5), "late.csv", SCORE).num_rows == 5


def test_reads_after_the_first_are_forked_warm() -> None:
    read_source(_csv(), "warm.csv", SCORE)
    t0 = time.monotonic()
    for i in range(5):
        assert read_source(_csv(i + 1), f"w{i}.csv", SCORE).num_rows == i + 1
    assert time.monotonic() - t0 < 5  # a cold Python with pyarrow is ~0.3 s a read even on an idle machine


def test_bom_then_gbk_is_refused_with_row_and_column() -> None:
    data = b"\xef\xbb\xbf" + f"{HEAD}\nA1,2025-03-01 08:00,".encode() + "电话,咨询\n".encode("gbk")
    with pytest.raises(InputRefused) as info:
        decode(data, "x.csv")
    assert [(e.row, e.column) for e in info.value.errors] == [(2, "C")]
    assert "byte-order mark" in info.value.message


def test_long_gbk_text_is_not_mistaken_for_mixed_or_western_encodings() -> None:
    # GB2312's hanzi (first byte B0–F7, second A1–FE): the characters Chinese text is written in.
    rng = random.Random(14)
    chars = [bytes([a, b]).decode("gbk") for a in range(0xB0, 0xF8) for b in range(0xA1, 0xFF)
             if (a, b) < (0xD7, 0xFA)]
    lines = ["".join(rng.choice(chars) for _ in range(40)) for _ in range(20_000)]
    data = (HEAD + "\n" + "\n".join(f"A{i},2025-03-01,电话,{ln}" for i, ln in enumerate(lines)) + "\n").encode("gbk")
    assert len(data) > 1_500_000
    text, used = decode(data, "gbk.csv")
    assert used == "gb18030" and text.endswith(lines[-1] + "\n")


@pytest.mark.parametrize(("text", "encoding"), [
    ("Nom,Ville,Note\nRenée,Montréal,trés bien\nAndrés,Bogotá,más o menos\nJosé,Sevilla,niño\n", "cp1252"),
    ("客戶編號,受理時間,渠道\nA1,2025-03-01,電話,諮詢服務處理中\nA2,2025-03-02,網頁,投訴處理完成\n", "big5")])
def test_other_encodings_are_refused_not_read_as_gbk(text: str, encoding: str) -> None:
    with pytest.raises(InputRefused) as info:
        decode(text.encode(encoding), "x.csv")
    assert "UTF-8" in info.value.message and info.value.errors[0].row


def test_utf16_without_a_byte_order_mark_is_read() -> None:
    text, used = decode(f"{HEAD}\nA1,2025-03-01,电话,咨询\n".encode("utf-16-le"), "x.csv")
    assert used == "utf-16-le" and text.startswith(HEAD)


def test_the_delimiter_is_found_below_many_title_lines() -> None:
    lines = [f"说明 {i}" for i in range(150)] + [HEAD, "A1,2025-03-01,电话,咨询", "A2,2025-03-02,电话,咨询"]
    assert sniff_delimiter(lines) == ","


def test_header_scoring_is_linear_in_the_cells() -> None:
    rows = [[f"cell {r}-{c}" for c in range(500)] for r in range(200)]
    t0 = time.monotonic()
    assert max(HeaderScore(("tickets", "surveys", "qa")).__call__(r) for r in rows) == 0
    assert time.monotonic() - t0 < 3  # 100,000 cells; matching each against every alias took minutes


@pytest.mark.parametrize(("letters", "index"), [("A", 0), ("Z", 25), ("AA", 26), ("SF", 499), ("XFD", 16383)])
def test_column_letters(letters: str, index: int) -> None:
    assert column_index(letters) == index and column_letter(index) == letters


def test_the_sample_workbook_box_is_what_it_holds() -> None:
    z = zipfile.ZipFile(SAMPLES / "tickets_2025-04.xlsx")
    path = next(iter(sheet_paths(z, "t.xlsx").values()))
    assert _scan_cells(z, path, "t.xlsx") == (2923, 13)  # A1:N2923, as its <dimension> says


def test_a_table_of_another_shape_is_not_taken_back() -> None:
    src = SourceTable("x.csv", ["a"], pa.table({"a": ["1"]}), pa.array([2], pa.int64()), "csv")
    assert from_ipc(to_ipc(src)).table.to_pylist() == [{"a": "1"}]
    forged = SourceTable("x.csv", ["a", "b"], pa.table({"a": ["1"], "b": ["2"]}), pa.array([2], pa.int64()), "csv")
    data = to_ipc(forged).replace(b'"headers": ["a", "b"]', b'"headers": ["a", "c"]')
    with pytest.raises(ValueError):
        from_ipc(data)


def test_cells_are_trimmed_of_the_spaces_sql_trim_removes_and_null_markers_emptied() -> None:
    """The Arrow clean step (normalise._cleaned) against DuckDB's own trim(), the SQL it replaced."""
    import duckdb
    import pyarrow as pa

    from csq.ingest.mapping import DEFAULT_NULLS
    from csq.ingest.normalise import _cleaned
    cells = ["\u3000电话\u3000", "\xa0a\xa0", " b ", "\tc\t", "\u2003d\u202f", " NULL ", "—", "", "无数据", "x y", None]
    con = duckdb.connect()
    want = [None if v is None else (None if (t := con.execute("SELECT trim(?)", [v]).fetchall()[0][0])
                                    in DEFAULT_NULLS else t) for v in cells]
    assert _cleaned(pa.chunked_array([pa.array(cells, pa.string())]), list(DEFAULT_NULLS)).to_pylist() == want
    assert want[:5] == ["电话", "a", "b", "\tc\t", "d"]
