"""Opening an untrusted workbook: its zip and the sheet's cell box checked against the limits before fastexcel reads it.

The Excel reader (calamine, under fastexcel) allocates every cell of the box a sheet spans, and trusts the
counts a workbook declares: one cell at XFD1048576 asks for 512 GB and aborts the process. The checks here
refuse such a file with the reason first; the reading process's own limits are the net behind them.
"""
from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Collection

import pyarrow as pa
import pyarrow.compute as pc

from csq.ingest.limits import ZIP_RATIO_FROM_BYTES, ReadLimits, column_index, column_letter, refuse
from csq.ingest.source import (
    HeaderScore,
    SourceTable,
    check_cells,
    check_header_row,
    detect_header,
    drop_totals_and_blanks,
)

_CHUNK = 4 << 20
_OVERLAP = 256  # longer than any match of _CELL_REF, so none is lost between two chunks
# A cell with content: <c r="B7" ...> (not <c r="B7" s="1"/>, an empty styled cell, which the reader skips).
# Bounded runs keep the scan linear whatever the file holds.
# Two passes that start with the literal r=" (which the regex engine searches fast) and return one group
# each, so the lists become a set and a max in C, not a loop in Python.
_CELL_COLUMN = re.compile(rb'r="([A-Z]{1,3})[0-9]{1,9}"[^>/]{0,200}>')
_CELL_ROW = re.compile(rb'r="[A-Z]{1,3}([0-9]{1,9})"[^>/]{0,200}>')
_SHEET = re.compile(rb'<(?:\w+:)?sheet\b([^>]*)>')
_REL = re.compile(rb'<(?:\w+:)?Relationship\b([^>]*)>')
_SST_COUNT = re.compile(rb'uniqueCount="([0-9]+)"')
_XML_HEAD_BYTES = 16 << 20  # workbook.xml and its relationships are small; more is refused
_RESAVE = "Open it in Excel and save it again as .xlsx, or export the sheet as CSV UTF-8."


def _first_line(exc: Exception) -> str:
    """Return the first line of an error's text (the Excel reader's run over several)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _attr(attrs: bytes, key: str) -> str | None:
    """Return the value of one XML attribute in an element's attribute text, or None."""
    m = re.search(rb'(?:^|\s)' + re.escape(key.encode()) + rb'="([^"]*)"', attrs)
    return html.unescape(m.group(1).decode("utf-8", errors="replace")) if m else None


def _open_zip(data: bytes, name: str, limits: ReadLimits) -> zipfile.ZipFile:
    """Return the workbook's zip, refusing a damaged one or one that unpacks to more than the limits allow."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        members = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise refuse(name, f"cannot be opened as an Excel workbook (a damaged zip: {exc}).", _RESAVE) from None
    if len(members) > limits.max_zip_members:
        raise refuse(name, f"holds {len(members):,} files inside its zip; a workbook has far fewer "
                           f"(the limit is {limits.max_zip_members:,}).", _RESAVE)
    total = sum(m.file_size for m in members)
    if total > limits.max_unzipped_bytes:
        raise refuse(name, f"unpacks to {total / 2**20:,.0f} MB; the limit is "
                           f"{limits.max_unzipped_bytes / 2**20:,.0f} MB.",
                     "Split the workbook into smaller files, or export the sheet as CSV.")
    for m in members:
        ratio = m.file_size / max(m.compress_size, 1)
        if m.file_size > ZIP_RATIO_FROM_BYTES and ratio > limits.max_zip_ratio:
            raise refuse(name, f"is a zip bomb: {m.filename} unpacks {ratio:,.0f} times its size "
                               f"(the limit is {limits.max_zip_ratio}).", _RESAVE)
    return z


def _read_member(z: zipfile.ZipFile, path: str, name: str, cap: int) -> bytes:
    """Return one small member of the zip (workbook.xml, relationships), refusing one larger than cap."""
    try:
        info = z.getinfo(path)
    except KeyError:
        return b""
    if info.file_size > cap:
        raise refuse(name, f"has an oversized {path} ({info.file_size:,} bytes).", _RESAVE)
    try:
        return z.read(path)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise refuse(name, f"cannot be opened as an Excel workbook ({path} is damaged: {exc}).", _RESAVE) from None


def sheet_paths(z: zipfile.ZipFile, name: str) -> dict[str, str]:
    """Return sheet name → worksheet path inside an .xlsx zip, in the workbook's order."""
    book = _read_member(z, "xl/workbook.xml", name, _XML_HEAD_BYTES)
    rels = _read_member(z, "xl/_rels/workbook.xml.rels", name, _XML_HEAD_BYTES)
    targets = {}
    for m in _REL.finditer(rels):
        rid, target = _attr(m.group(1), "Id"), _attr(m.group(1), "Target")
        if rid and target:
            target = target.lstrip("/")
            targets[rid] = target if target.startswith("xl/") else f"xl/{target}"
    out = {}
    for m in _SHEET.finditer(book):
        sheet, rid = _attr(m.group(1), "name"), _attr(m.group(1), "r:id")
        if sheet is not None and rid in targets:
            out[sheet] = targets[rid]
    return out


def _scan_cells(z: zipfile.ZipFile, path: str, name: str) -> tuple[int, int]:
    """Return (highest row, highest 0-based column) of a worksheet's cells with content, read in chunks.

    This is the box the Excel reader allocates. Cells without a reference (placed by their order) are
    not seen here; the reading process's memory limit stands behind that case.
    """
    max_row, max_col, tail = 0, -1, b""
    try:
        with z.open(path) as f:
            while chunk := f.read(_CHUNK):
                buf = tail + chunk
                letters = set(_CELL_COLUMN.findall(buf))
                if letters:
                    max_col = max(max_col, max(column_index(c.decode()) for c in letters))
                    max_row = max(max_row, *map(int, _CELL_ROW.findall(buf)))
                tail = buf[-_OVERLAP:]
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise refuse(name, f"cannot be opened as an Excel workbook ({path} is damaged: {exc}).", _RESAVE) from None
    return max_row, max_col


def _check_shared_strings(z: zipfile.ZipFile, name: str) -> None:
    """Refuse a shared-string table that declares more strings than its bytes can hold (the reader trusts it)."""
    try:
        info = z.getinfo("xl/sharedStrings.xml")
        with z.open(info) as f:
            head = f.read(4096)
    except KeyError:
        return
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise refuse(name, f"cannot be opened as an Excel workbook (its shared strings are damaged: {exc}).",
                     _RESAVE) from None
    m = _SST_COUNT.search(head)
    if m and int(m.group(1)) > info.file_size // 5 + 1:  # the shortest entry, <si/>, takes 5 bytes
        raise refuse(name, f"declares {int(m.group(1)):,} shared strings in {info.file_size:,} bytes, which "
                           "cannot be true: the workbook is damaged or crafted.", _RESAVE)


def check_workbook(data: bytes, name: str, limits: ReadLimits) -> zipfile.ZipFile | None:
    """Return the zip of an .xlsx after checking its sizes and strings (None for .xls, a workbook that is no zip)."""
    if not data.startswith(b"PK"):
        return None
    z = _open_zip(data, name, limits)
    _check_shared_strings(z, name)
    return z


def check_sheet(z: zipfile.ZipFile | None, sheet: str, name: str, limits: ReadLimits) -> None:
    """Refuse a sheet whose cells span more rows, columns or cells than the limits (before it is loaded)."""
    path = sheet_paths(z, name).get(sheet) if z is not None else None
    if path is None or path not in z.namelist():  # type: ignore[union-attr]
        return
    rows, col = _scan_cells(z, path, name)  # type: ignore[arg-type]
    corner = f"{column_letter(max(col, 0))}{max(rows, 1)}"
    fix = ("Delete the empty rows and columns beyond the data (or copy the data to a new sheet), save, "
           "and import again.")
    if col + 1 > limits.max_columns:
        raise refuse(name, f"sheet {sheet!r} has cells up to column {column_letter(col)} (column {col + 1:,}, "
                           f"box {corner}); the limit is {limits.max_columns} columns.", fix,
                     column=column_letter(col), reason=f"sheet {sheet!r} has cells up to column {column_letter(col)} "
                                                       f"(the limit is {limits.max_columns} columns)")
    if rows > limits.max_sheet_rows:
        raise refuse(name, f"sheet {sheet!r} names row {rows:,}; a sheet has at most {limits.max_sheet_rows:,} "
                           "rows.", fix, row=rows, reason=f"sheet {sheet!r} names row {rows:,}")
    if rows * (col + 1) > limits.max_sheet_cells:
        raise refuse(name, f"sheet {sheet!r} spans {rows:,} rows by {col + 1} columns (A1:{corner}, "
                           f"{rows * (col + 1):,} cells); the limit is {limits.max_sheet_cells:,} cells.", fix)


def choose_sheet(sheets: list[str], sheet: str | int | None, name: str) -> str:
    """Return the name of the chosen sheet: the first unless one is named or numbered (from 0)."""
    if not sheets:
        raise refuse(name, "has no sheets.", _RESAVE)
    if sheet is None:
        return sheets[0]
    if isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in sheets):
        chosen = int(sheet)
        if not 0 <= chosen < len(sheets):
            raise refuse(name, f"has no sheet number {chosen}.", f"Choose one of: {', '.join(sheets)}.")
        return sheets[chosen]
    if sheet in sheets:
        return sheet
    raise refuse(name, f"has no sheet named {sheet!r}.", f"Choose one of: {', '.join(sheets)}.")


def load_sheet(data: bytes, name: str, sheet: str | int | None, limits: ReadLimits) -> tuple[pa.Table, str, list[str]]:
    """Return (the sheet as a table of strings without a header, its name, all sheet names), checked first."""
    import fastexcel  # imported here: only the reading process of a workbook needs it

    z = check_workbook(data, name, limits)
    try:
        book = fastexcel.read_excel(data)
    except Exception as exc:  # noqa: BLE001 - fastexcel raises its own error types for every broken workbook
        raise refuse(name, f"cannot be opened as an Excel workbook ({_first_line(exc)}).", _RESAVE) from None
    sheets = list(book.sheet_names)
    chosen = choose_sheet(sheets, sheet, name)
    check_sheet(z, chosen, name, limits)
    try:
        raw = book.load_sheet(chosen, header_row=None, dtypes="string").to_arrow()
    except Exception as exc:  # noqa: BLE001 - as above: fastexcel's own error types
        raise refuse(name, f"sheet {chosen!r} cannot be read ({_first_line(exc)}).", _RESAVE) from None
    if raw.num_columns > limits.max_columns:
        raise refuse(name, f"sheet {chosen!r} has {raw.num_columns:,} columns; the limit is {limits.max_columns}.",
                     "Delete the columns that are not needed, save, and import again.")
    return raw, chosen, sheets


def read_workbook(data: bytes, name: str, score: HeaderScore, limits: ReadLimits, *, sheet: str | int | None = None,
                  header_row: int | None = None, mapped: Collection[str] | None = ()) -> SourceTable:
    """Return the table in one sheet of an .xlsx/.xls workbook (the first sheet unless one is named)."""
    raw, chosen, sheets = load_sheet(data, name, sheet, limits)
    if raw.num_rows == 0:
        raise refuse(name, "is empty.", "Choose the sheet that holds the data.")
    head = raw.slice(0, max(limits.header_scan_lines, header_row or 0))
    cols = [pc.fill_null(c.cast(pa.string()), "").to_pylist() for c in head.columns]
    head_rows = [list(r) for r in zip(*cols)]
    h_idx = header_row - 1 if header_row else detect_header(head_rows, score, limits.header_scan_lines)
    if h_idx >= len(head_rows):
        raise refuse(name, f"has no row {h_idx + 1} to be the header.", "Correct header_row in the mapping.")
    headers = check_header_row(head_rows[h_idx], h_idx + 1, name, score, limits, mapped)
    body = raw.slice(h_idx + 1)
    table = pa.table([pc.fill_null(c.cast(pa.string()), "") for c in body.columns], names=headers)
    rows = pa.array(range(h_idx + 2, h_idx + 2 + table.num_rows), pa.int64())
    check_cells(table, rows, name, limits)
    table, rows, n_tot, n_blank = drop_totals_and_blanks(table, rows)
    if table.num_rows == 0:
        raise refuse(name, f"has a header (row {h_idx + 1}) but no data rows.",
                     "Choose the sheet that holds the data, or export it again.")
    return SourceTable(name, headers, table, rows, "excel", sheet=chosen, sheets=sheets, header_row=h_idx + 1,
                       skipped_totals=n_tot, skipped_blank=n_blank)
