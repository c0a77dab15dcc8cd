"""Reading export files into an Arrow table of strings: encodings, delimiters, sheets, header and totals rows."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from csq.errors import InputRefused

_SNIFF_LINES = 50
_HEADER_SCAN = 30
_TOTALS_TAIL = 50
_DELIMITERS = (",", "\t", ";", "|")
_TOTALS = r"^\s*(合计|总计|小计|总数|共计|汇总|total|totals|grand total|sum|subtotal)\s*[:：]?\s*$"
_BINARY_MAGIC = {b"%PDF": "a PDF document", b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image",
                 b"GIF8": "a GIF image", b"Rar!": "a RAR archive", b"\x1f\x8b": "a gzip archive"}


@dataclass
class SourceTable:
    """A file read as strings: the table (one column per header), source row numbers and how it was read."""

    name: str
    headers: list[str]
    table: pa.Table
    rows: pa.Array
    file_format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    header_row: int = 1
    skipped_totals: int = 0
    skipped_blank: int = 0
    bad_shape_rows: list[tuple[int, str]] = field(default_factory=list)

    @property
    def num_rows(self) -> int:
        """Return the number of data rows read."""
        return self.table.num_rows


def _refuse(name: str, message: str, fix: str) -> InputRefused:
    return InputRefused(f"{name}: {message}", fix, file=name)


def decode(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    """Return (text, encoding) for CSV bytes: the given encoding, else UTF-8 (with or without BOM), else GB18030."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError) as exc:
            raise _refuse(name, f"cannot be decoded as {encoding} ({exc}).",
                          "Check the encoding in the mapping (utf-8, gbk, gb18030) or leave it out to detect it.") from None
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312, so one attempt covers all three.
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise _refuse(name, f"is neither UTF-8 nor GBK/GB18030 text (byte {exc.start}).",
                      "Save the file as CSV UTF-8 or give its encoding in the mapping.") from None


def _check_not_binary(data: bytes, name: str) -> None:
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise _refuse(name, f"is not a table: it looks like {what}.",
                          "Export the data as CSV or Excel (.xlsx) and import that file.")
    head = data[:65536]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _refuse(name, "is not a table: it contains binary data.",
                      "Export the data as CSV or Excel (.xlsx) and import that file.")


def sniff_delimiter(lines: list[str]) -> str | None:
    """Return the delimiter that splits the sample lines most consistently into 2+ columns, or None."""
    best, best_score = None, 0.0
    for d in _DELIMITERS:
        counts = [len(next(csv.reader([ln], delimiter=d))) for ln in lines if ln.strip()]
        if not counts:
            continue
        widest = max(counts)
        if widest < 2:
            continue
        modal = max(set(counts), key=counts.count)
        score = counts.count(modal) / len(counts) * (1 + min(modal, 50) / 50)
        if modal >= 2 and score > best_score:
            best, best_score = d, score
    return best


def detect_header(rows: list[list[str]], score: Callable[[list[str]], int]) -> int:
    """Return the 0-based index of the header row among the first rows.

    The header is the row naming the most known fields; with no known names, the first row that
    is as wide as the table (title rows above it are narrower).
    """
    widths = [sum(1 for c in r if str(c or "").strip()) for r in rows]
    if not widths:
        return 0
    best_idx, best_score = -1, 0
    for i, r in enumerate(rows[:_HEADER_SCAN]):
        s = score([str(c or "") for c in r])
        if s > best_score:
            best_idx, best_score = i, s
    if best_idx >= 0:
        return best_idx
    full = max(widths)
    for i, w in enumerate(widths[:_HEADER_SCAN]):
        if w >= max(2, int(full * 0.8)):
            return i
    return 0


def unique_headers(raw: list[str]) -> list[str]:
    """Return headers made unique and non-empty (column_2, name_2 …) so every column has a name."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(raw):
        name = str(h).strip() if h is not None and str(h).strip() else f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out


def _drop_totals_and_blanks(table: pa.Table, rows: pa.Array) -> tuple[pa.Table, pa.Array, int, int]:
    """Drop fully blank rows anywhere and totals rows (合计, Total …) among the last rows of the data."""
    n = table.num_rows
    if n == 0:
        return table, rows, 0, 0
    blank = None
    for col in table.columns:
        # Exact "" first: trimming every cell of a million-row file costs more than the whole read.
        empty = pc.fill_null(pc.equal(col, ""), True)
        blank = empty if blank is None else pc.and_(blank, empty)
    tail = max(0, n - _TOTALS_TAIL)
    totals_tail = None
    for col in table.columns[:3]:
        hit = pc.fill_null(pc.match_substring_regex(col.slice(tail), _TOTALS, ignore_case=True), False)
        totals_tail = hit if totals_tail is None else pc.or_(totals_tail, hit)
    totals = pa.concat_arrays([pa.array([False] * tail, pa.bool_()), pa.concat_arrays(totals_tail.chunks)
                               if isinstance(totals_tail, pa.ChunkedArray) else totals_tail])
    blank_arr = pa.concat_arrays(blank.chunks) if isinstance(blank, pa.ChunkedArray) else blank
    drop = pc.or_(blank_arr, totals)
    n_tot = pc.sum(pc.and_(totals, pc.invert(blank_arr))).as_py() or 0
    n_blank = pc.sum(blank_arr).as_py() or 0
    if not n_tot and not n_blank:
        return table, rows, 0, 0
    keep = pc.invert(drop)
    return table.filter(keep), rows.filter(keep), int(n_tot), int(n_blank)


def _after_lines(text: str, n: int) -> str:
    pos = 0
    for _ in range(n):
        nxt = text.find("\n", pos)
        if nxt < 0:
            return ""
        pos = nxt + 1
    return text[pos:]


class _Ragged(Exception):
    pass


def _parse_fast(body: str, headers: list[str], delim: str) -> pa.Table:
    ragged: list[int] = []

    def on_invalid(_row: pacsv.InvalidRow) -> str:
        ragged.append(1)
        return "skip"

    table = pacsv.read_csv(
        pa.py_buffer(body.encode("utf-8")),
        read_options=pacsv.ReadOptions(column_names=headers, block_size=1 << 24),
        parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=True, invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in headers},
                                             strings_can_be_null=False, quoted_strings_can_be_null=False))
    if ragged:
        # Skipped rows would shift every later row number, so the exact path re-reads the file.
        raise _Ragged()
    return table


def _parse_padded(body: str, headers: list[str], delim: str, first_row: int) -> tuple[pa.Table, list[tuple[int, str]]]:
    """Return the table parsed row by row: short rows padded (exports drop trailing empty cells), long rows listed."""
    width = len(headers)
    cols: list[list[str]] = [[] for _ in headers]
    bad: list[tuple[int, str]] = []
    for i, rec in enumerate(csv.reader(io.StringIO(body, newline=""), delimiter=delim)):
        if len(rec) > width and any(c.strip() for c in rec[width:]):
            bad.append((first_row + i, f"has {len(rec)} fields, the header has {width}"))
            rec = rec[:width]
        rec = rec[:width] + [""] * (width - len(rec))
        for j, v in enumerate(rec):
            cols[j].append(v)
    return pa.table([pa.array(c, pa.string()) for c in cols], names=headers), bad


def read_csv_text(text: str, name: str, score: Callable[[list[str]], int], header_row: int | None = None,
                  encoding: str | None = None) -> SourceTable:
    """Return the table in CSV text, with its delimiter and header row detected."""
    sample_lines = text[:200_000].splitlines()[:_SNIFF_LINES]
    if not any(ln.strip() for ln in sample_lines):
        raise _refuse(name, "is empty.", "Export the file again with its data rows.")
    delim = sniff_delimiter(sample_lines)
    if delim is None:
        raise _refuse(name, "is not a table: no line splits into columns by comma, tab, semicolon or |.",
                      "Export the data as CSV or Excel (.xlsx) with one header row.")
    head_rows = list(csv.reader(io.StringIO("\n".join(sample_lines)), delimiter=delim))
    h_idx = header_row - 1 if header_row else detect_header(head_rows, score)
    headers = unique_headers(head_rows[h_idx] if h_idx < len(head_rows) else [])
    body = _after_lines(text, h_idx + 1)
    if not body.strip():
        raise _refuse(name, f"has a header (row {h_idx + 1}) but no data rows.",
                      "Export the file again with its data rows.")
    bad: list[tuple[int, str]] = []
    try:
        table = _parse_fast(body, headers, delim)
    except pa.ArrowInvalid as exc:
        raise _refuse(name, f"cannot be read as a table: {exc}.",
                      "Check that the file is a CSV export with one header row.") from None
    except _Ragged:
        table, bad = _parse_padded(body, headers, delim, first_row=h_idx + 2)
    rows = pa.array(range(h_idx + 2, h_idx + 2 + table.num_rows), pa.int64())
    table, rows, n_tot, n_blank = _drop_totals_and_blanks(table, rows)
    return SourceTable(name, headers, table, rows, "csv", encoding=encoding, delimiter=delim,
                       header_row=h_idx + 1, skipped_totals=n_tot, skipped_blank=n_blank, bad_shape_rows=bad)


def read_excel(data: bytes, name: str, score: Callable[[list[str]], int], sheet: str | int | None = None,
               header_row: int | None = None) -> SourceTable:
    """Return the table in one sheet of an .xlsx/.xls workbook (the first sheet unless one is named)."""
    try:
        book = fastexcel.read_excel(data)
    except Exception as exc:  # fastexcel raises its own error types for every kind of broken workbook
        raise _refuse(name, f"cannot be opened as an Excel workbook ({exc}).",
                      "Open it in Excel and save it again as .xlsx, or export CSV.") from None
    sheets = list(book.sheet_names)
    if sheet is None:
        chosen: str | int = 0
    elif isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in sheets):
        chosen = int(sheet)
        if not 0 <= chosen < len(sheets):
            raise _refuse(name, f"has no sheet number {chosen}.", f"Choose one of: {', '.join(sheets)}.")
    elif sheet in sheets:
        chosen = sheet
    else:
        raise _refuse(name, f"has no sheet named {sheet!r}.", f"Choose one of: {', '.join(sheets)}.")
    raw = book.load_sheet(chosen, header_row=None, dtypes="string").to_arrow()
    if raw.num_rows == 0:
        raise _refuse(name, "is empty.", "Choose the sheet that holds the data.")
    head_rows = [[raw.column(j)[i].as_py() for j in range(raw.num_columns)]
                 for i in range(min(raw.num_rows, _HEADER_SCAN))]
    h_idx = header_row - 1 if header_row else detect_header(head_rows, score)
    headers = unique_headers(head_rows[h_idx] if h_idx < len(head_rows) else [])
    body = raw.slice(h_idx + 1)
    table = pa.table([pc.fill_null(c.cast(pa.string()), "") for c in body.columns], names=headers)
    rows = pa.array(range(h_idx + 2, h_idx + 2 + table.num_rows), pa.int64())
    table, rows, n_tot, n_blank = _drop_totals_and_blanks(table, rows)
    if table.num_rows == 0:
        raise _refuse(name, f"has a header (row {h_idx + 1}) but no data rows.",
                      "Choose the sheet that holds the data, or export it again.")
    sheet_name = sheets[chosen] if isinstance(chosen, int) else chosen
    return SourceTable(name, headers, table, rows, "excel", sheet=sheet_name, sheets=sheets,
                       header_row=h_idx + 1, skipped_totals=n_tot, skipped_blank=n_blank)


def is_excel(data: bytes, name: str) -> bool:
    """Return True when the bytes are an .xlsx (zip) or .xls (OLE) workbook."""
    return data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0") or \
        Path(name).suffix.lower() in (".xlsx", ".xls", ".xlsm", ".xlsb", ".ods")


def read_source(data: bytes, name: str, score: Callable[[list[str]], int], *, encoding: str | None = None,
                sheet: str | int | None = None, header_row: int | None = None) -> SourceTable:
    """Return the file's data as strings, or raise InputRefused saying why it is not a readable table."""
    if not data or not data.strip():
        raise _refuse(name, "is empty.", "Export the file again with its data rows.")
    if is_excel(data, name):
        return read_excel(data, name, score, sheet=sheet, header_row=header_row)
    _check_not_binary(data, name)
    text, used = decode(data, name, encoding)
    text = text.lstrip("\ufeff")
    if re.search(r"[\x00-\x08\x0e-\x1f]", text[:65536]):
        raise _refuse(name, "is not a table: it contains control characters.",
                      "Export the data as CSV or Excel (.xlsx) and import that file.")
    return read_csv_text(text, name, score, header_row=header_row, encoding=used)
