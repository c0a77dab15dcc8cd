"""Reading delimited text (CSV, TSV …) into a SourceTable: delimiter, header row, rows, all under the limits."""
from __future__ import annotations

import csv
import io
from collections.abc import Collection

import pyarrow as pa
import pyarrow.csv as pacsv

from csq.ingest.limits import ReadLimits, refuse
from csq.ingest.source import (
    HeaderScore,
    SourceTable,
    cell_too_long,
    check_cells,
    check_header_row,
    detect_header,
    drop_totals_and_blanks,
    too_wide,
    width,
)
from csq.ingest.text import DELIMITERS, check_characters, normalise_newline_bytes, utf8_text

_SAMPLE_CHARS = 8 << 20  # the lines looked at for the delimiter and header, at most this much text
_BLOCK_BYTES = 1 << 24
_NOT_A_TABLE = "Export the data as CSV or Excel (.xlsx) with one header row."

# Sniffing and the exact path read single cells of any length; the cell limit is checked afterwards,
# with the row and column named. (The module default, 131,072, raises a bare _csv.Error instead.)
csv.field_size_limit(2**31 - 1)


def sniff_delimiter(lines: list[str]) -> str | None:
    """Return the delimiter that splits the sample lines most consistently into 2+ columns, or None.

    Only lines of two or more fields vote, so many title lines above the header do not hide the table.
    """
    best, best_score = None, 0.0
    nonempty = [ln for ln in lines if ln.strip()]
    for d in DELIMITERS:
        counts = [len(next(csv.reader([ln], delimiter=d), [])) for ln in nonempty if d in ln]
        counts = [c for c in counts if c >= 2]
        if not counts:
            continue
        modal = max(set(counts), key=counts.count)
        score = counts.count(modal) / len(nonempty) * (1 + min(modal, 50) / 50)
        if score > best_score:
            best, best_score = d, score
    return best


def sample_lines(text: str, n: int, more: bool = False) -> list[str]:
    """Return the first n lines of the text, reading at most _SAMPLE_CHARS (a line cut short there is left out).

    `more`: the text is only the start of a longer one.
    """
    head = text[:_SAMPLE_CHARS]
    pieces = head.split("\n", n)
    if (more or len(head) < len(text)) and 1 < len(pieces) <= n:
        pieces = pieces[:-1]  # the text ran on past the sample: its last piece is part of a line
    return pieces[:n]


def _after_lines(body: bytes, lo: int, hi: int, n: int) -> int:
    """Return where the text after the first n lines of body[lo:hi] starts (hi when it has no more)."""
    pos = lo
    for _ in range(n):
        nxt = body.find(b"\n", pos, hi)
        if nxt < 0:
            return hi
        pos = nxt + 1
    return pos


def _text_of(body: bytes, lo: int, hi: int) -> str:
    """Return body[lo:hi] as text (valid UTF-8 that starts on a character; a character cut at hi is left out)."""
    return bytes(memoryview(body)[lo:hi]).decode("utf-8", errors="ignore")


def _no_data(body: bytes, start: int, hi: int) -> bool:
    """Return True when nothing but white space (as str.isspace has it) follows the header."""
    if start == hi:
        return True
    # A table with data stops at its first cell: no copy of the file's text is made.
    return _text_of(body, start, min(hi, start + 16384))[:4096].isspace() and _text_of(body, start, hi).isspace()


class _Ragged(Exception):
    pass


def _parse_fast(body: memoryview, headers: list[str], delim: str, quoted: bool) -> pa.Table:
    """Return the rows parsed by Arrow; raise _Ragged when a row has another number of fields.

    Without a quote character in the file no cell can hold a line break, and Arrow then splits the file
    into blocks in parallel (about twice as fast); with one, it must follow the quotes from the start.
    """
    ragged: list[int] = []

    def on_invalid(_row: pacsv.InvalidRow) -> str:
        """Return 'skip' for a row of another width, noting that one was seen."""
        ragged.append(1)
        return "skip"

    table = pacsv.read_csv(
        pa.py_buffer(body),
        read_options=pacsv.ReadOptions(column_names=headers, block_size=_BLOCK_BYTES),
        parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=quoted, invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in headers},
                                             strings_can_be_null=False, quoted_strings_can_be_null=False))
    if ragged:
        # Skipped rows would shift every later row number, so the exact path re-reads the file.
        raise _Ragged()
    return table


def _parse_padded(body: str, headers: list[str], delim: str, first_row: int, name: str, limits: ReadLimits
                  ) -> tuple[pa.Table, list[tuple[int, str]]]:
    """Return the table parsed row by row: short rows padded (exports drop trailing empty cells), long rows listed.

    A cell over the length limit is refused as soon as it is read.
    """
    n = len(headers)
    cols: list[list[str]] = [[] for _ in headers]
    bad: list[tuple[int, str]] = []
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delim)
    try:
        for i, rec in enumerate(reader):
            if rec and max(map(len, rec)) > limits.max_cell_chars:
                j = next(j for j, v in enumerate(rec) if len(v) > limits.max_cell_chars)
                raise cell_too_long(name, first_row + i, j, headers[j] if j < n else None, len(rec[j]), limits,
                                    "\n" in rec[j])
            if len(rec) > n and width(rec) > n:
                bad.append((first_row + i, f"has {len(rec)} fields, the header has {n}"))
            rec = rec[:n] + [""] * (n - len(rec))
            for j, v in enumerate(rec):
                cols[j].append(v)
    except csv.Error as exc:
        row = first_row + reader.line_num - 1
        raise refuse(name, f"row {row} cannot be read as CSV ({exc}).", _NOT_A_TABLE, row=row,
                     reason=f"cannot be read as CSV ({exc})") from None
    return pa.table([pa.array(c, pa.string()) for c in cols], names=headers), bad


def _head_rows(lines: list[str], delim: str, name: str, limits: ReadLimits) -> list[list[str]]:
    """Return the sample lines split into cells, refusing a row wider than the column limit before any scoring."""
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delim))
    for i, r in enumerate(rows):
        if len(r) > limits.max_columns and width(r) > limits.max_columns:
            raise too_wide(name, i + 1, width(r), limits)
    return rows


def _parse_body(body: bytes, start: int, hi: int, headers: list[str], delim: str, first_row: int, name: str,
                limits: ReadLimits) -> tuple[pa.Table, list[tuple[int, str]]]:
    """Return the data rows of body[start:hi]: Arrow's reader first, the exact reader for ragged rows or huge lines."""
    try:
        return _parse_fast(memoryview(body)[start:hi], headers, delim, body.find(b'"', 0, hi) >= 0), []
    except (_Ragged, pa.ArrowInvalid):
        # ArrowInvalid: a row longer than one block, or quoting Arrow rejects; the exact path names the cell.
        return _parse_padded(_text_of(body, start, hi), headers, delim, first_row, name, limits)


def _utf8_body(data: bytes, name: str, encoding: str | None) -> tuple[bytes, int, int, str]:
    """Return (UTF-8 bytes, start, end, encoding): the file's text, its line endings LF and a DOS end mark cut off."""
    body, lo, used = utf8_text(data, name, encoding)
    if body.find(b"\r", lo) >= 0:
        body, lo = normalise_newline_bytes(body[lo:]), 0
    hi = len(body)
    while hi > lo and body[hi - 1] == 0x1A:  # Ctrl-Z: the end-of-file mark of old DOS exports
        hi -= 1
    return body, lo, hi, used


def read_delimited(data: bytes, name: str, score: HeaderScore, limits: ReadLimits, *, encoding: str | None = None,
                   header_row: int | None = None, mapped: Collection[str] | None = ()) -> SourceTable:
    """Return the table in delimited text bytes, with encoding, delimiter and header row detected.

    The text stays UTF-8 bytes throughout (a Python str of a big file costs twice its size and a second
    pass); only the lines looked at for the delimiter and the header are decoded.
    """
    body, lo, hi, used = _utf8_body(data, name, encoding)
    head = _text_of(body, lo, min(hi, lo + _SAMPLE_CHARS))
    lines = sample_lines(head, max(limits.header_scan_lines, header_row or 0) + 50, more=lo + _SAMPLE_CHARS < hi)
    if not any(ln.strip() for ln in lines):
        raise refuse(name, "is empty.", "Export the file again with its data rows.")
    delim = sniff_delimiter(lines)
    # A NUL anywhere is found in the bytes (no UTF-8 character but NUL holds a zero byte); only then is the
    # text decoded, to name its row and column. Control characters are looked for near the top.
    check_characters(_text_of(body, lo, hi) if body.find(b"\x00", lo, hi) >= 0 else head, name, delim)
    if delim is None:
        raise refuse(name, "is not a table: no line splits into columns by comma, tab, semicolon or |.", _NOT_A_TABLE)
    head_rows = _head_rows(lines, delim, name, limits)
    h_idx = header_row - 1 if header_row else detect_header(head_rows, score, limits.header_scan_lines)
    if h_idx >= len(head_rows):
        raise refuse(name, f"has no row {h_idx + 1} to be the header.", "Correct header_row in the mapping.")
    headers = check_header_row(head_rows[h_idx], h_idx + 1, name, score, limits, mapped)
    start = _after_lines(body, lo, hi, h_idx + 1)
    if _no_data(body, start, hi):
        raise refuse(name, f"has a header (row {h_idx + 1}) but no data rows.", "Export the file again with its data rows.")
    table, bad = _parse_body(body, start, hi, headers, delim, h_idx + 2, name, limits)
    rows = pa.array(range(h_idx + 2, h_idx + 2 + table.num_rows), pa.int64())
    check_cells(table, rows, name, limits, nul=False)  # a NUL was refused above
    table, rows, n_tot, n_blank = drop_totals_and_blanks(table, rows)
    return SourceTable(name, headers, table, rows, "csv", encoding=used, delimiter=delim, header_row=h_idx + 1,
                       skipped_totals=n_tot, skipped_blank=n_blank, bad_shape_rows=bad)
