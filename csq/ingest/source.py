"""A file read as a table of strings (SourceTable), and the rules every table of an untrusted file must meet.

Header detection and naming, duplicate header names, the cell-length and NUL limits, totals and blank rows,
and the table's passage between the reading process and the caller as Arrow IPC bytes.
"""
from __future__ import annotations

import io
import json
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc

from csq.core.kinds import KINDS, match_header
from csq.ingest.limits import HEADER_SCAN_LINES, ReadLimits, column_name, column_ref, refuse

_TOTALS_TAIL = 50
_TOTALS = r"^\s*(合计|总计|小计|总数|共计|汇总|total|totals|grand total|sum|subtotal)\s*[:：]?\s*$"
_HEADER_NAME_CHARS = 200  # a longer cell names no field, so scoring skips it
_ROW = "\x00row"  # the row-number column in IPC: a NUL is refused in every header, so no header is this


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


@dataclass(frozen=True)
class HeaderScore:
    """Counts the cells of a row that name a field of the kinds (the best kind's count): header detection.

    A value object rather than a function, so the reading process can be told which kinds to score.
    """

    kinds: tuple[str, ...]

    def __call__(self, row: Sequence[str]) -> int:
        """Return how many cells of the row name a field of the best-matching kind."""
        cells = [c for c in row if c and len(c) <= _HEADER_NAME_CHARS]
        return max((sum(1 for c in cells if match_header(KINDS[k], c)) for k in self.kinds), default=0)

    def field(self, header: str) -> str | None:
        """Return the field a header names for the first kind, or None."""
        return match_header(KINDS[self.kinds[0]], header) if self.kinds and header else None


def width(row: Sequence[str]) -> int:
    """Return the number of cells up to the last non-empty one (trailing empty cells do not count)."""
    n = len(row)
    while n and not str(row[n - 1] or "").strip():
        n -= 1
    return n


def detect_header(rows: list[list[str]], score: HeaderScore, scan: int = HEADER_SCAN_LINES) -> int:
    """Return the 0-based index of the header row among the first `scan` rows.

    The header is the row naming the most known fields; with no known names, the first row that
    is as wide as the table (title rows above it are narrower).
    """
    widths = [sum(1 for c in r if str(c or "").strip()) for r in rows]
    if not widths:
        return 0
    best_idx, best_score = -1, 0
    for i, r in enumerate(rows[:scan]):
        s = score([str(c or "") for c in r])
        if s > best_score:
            best_idx, best_score = i, s
    if best_idx >= 0:
        return best_idx
    full = max(widths)
    for i, w in enumerate(widths[:scan]):
        if w >= max(2, int(full * 0.8)):
            return i
    return 0


def unique_headers(raw: Sequence[object]) -> list[str]:
    """Return headers made unique and non-empty (column_2, name_2 …) so every column has a name."""
    out: list[str] = []
    taken: set[str] = set()
    for i, h in enumerate(raw):
        base = str(h).strip() if h is not None and str(h).strip() else f"column_{i + 1}"
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(name)
        out.append(name)
    return out


def check_header_row(raw: Sequence[object], row: int, name: str, score: HeaderScore, limits: ReadLimits,
                     mapped: Collection[str] | None) -> list[str]:
    """Return the header row's unique names; refuse it when too wide, a name too long, or two names the same.

    Two columns of one name are allowed only when the mapping (`mapped`: the headers it names) picks one of
    them by its unique name; None skips that check (to show the file on the Import page).
    """
    cells = [str(c).strip() if c is not None else "" for c in raw]
    if len(cells) > limits.max_columns:
        cells = cells[:max(width(cells), limits.max_columns)]
    if len(cells) > limits.max_columns:
        raise too_wide(name, row, len(cells), limits)
    for j, c in enumerate(cells):
        if len(c) > limits.max_cell_chars:
            raise cell_too_long(name, row, j, None, len(c), limits)
    headers = unique_headers(cells)
    if mapped is None:
        return headers
    copies: dict[str, list[int]] = {}
    for j, c in enumerate(cells):
        if c:
            copies.setdefault(_same_name(c), []).append(j)
    for where in copies.values():
        if len(where) > 1 and not any(headers[j] in mapped for j in where):
            raise _duplicate(name, row, cells[where[0]], where, headers, score)
    return headers


def _same_name(header: str) -> str:
    """Return the form in which two header names count as the same: case, width and spacing do not matter."""
    return " ".join(unicodedata.normalize("NFKC", header).casefold().split())


def _duplicate(name: str, row: int, header: str, where: list[int], headers: list[str], score: HeaderScore
               ) -> Exception:
    """Return the refusal of two (or more) columns of one header name, with the mapping that picks each."""
    cols = " and ".join(column_name(j) for j in where)
    f = score.field(header) or "<field>"
    picks = "; ".join(f'{{"columns": {{"{f}": {json.dumps(headers[j], ensure_ascii=False)}}}}} reads '
                      f"{column_name(j)}" for j in where)
    return refuse(name, f"row {row} (the header) names {cols} both {header!r} (or as good as: case and "
                        "spacing aside), so csq cannot tell which column to read.",
                  f"Rename one of them in the file, or choose one in a mapping (--mapping, or the field table on "
                  f"the Import page): {picks}.", row=row, column=column_ref(where[1]),
                  reason=f"the header {header!r} also names {column_name(where[0])}")


def too_wide(name: str, row: int, n: int, limits: ReadLimits) -> Exception:
    """Return the refusal of a row with more columns than the limit."""
    return refuse(name, f"row {row} has {n:,} columns; the limit is {limits.max_columns}.",
                  "Export only the columns csq needs (or split the file), then import it.", row=row,
                  reason=f"has {n:,} columns (the limit is {limits.max_columns})")


def cell_too_long(name: str, row: int, col: int, header: str | None, n: int, limits: ReadLimits,
                  multiline: bool = False) -> Exception:
    """Return the refusal of a cell longer than the limit, naming its row and column."""
    reason = f"holds {n:,} characters; a cell may hold at most {limits.max_cell_chars:,} (as in Excel)"
    hint = (" The cell runs over many lines: a quotation mark that is never closed makes the rest of a file one "
            "cell." if multiline else "")
    return refuse(name, f"row {row}, {column_name(col, header)} {reason}.{hint}",
                  "Shorten that cell (or remove the column) in the file, then import it"
                  + (", or close the quotation mark." if multiline else "."),
                  row=row, column=column_ref(col, header), reason=reason)


def check_cells(table: pa.Table, rows: pa.Array, name: str, limits: ReadLimits, nul: bool = True) -> None:
    """Refuse a table with a cell over the length limit or a NUL character, naming the first one's row and column.

    `nul` False: the caller has refused every NUL already (in the text the table was read from).
    """
    for j, col in enumerate(table.columns):
        # A cell holds no more characters than bytes, and its byte length is read off the offsets: the
        # characters are counted only in a column that may be over the limit.
        widest = pc.max(pc.binary_length(col)).as_py()
        if widest is not None and widest > limits.max_cell_chars:
            lengths = pc.utf8_length(col)
            longest = pc.max(lengths).as_py()
            if longest is not None and longest > limits.max_cell_chars:
                i = pc.index(pc.greater(lengths, limits.max_cell_chars), True).as_py()
                value = col[i].as_py()
                raise cell_too_long(name, rows[i].as_py(), j, table.column_names[j], len(value), limits,
                                    "\n" in value)
        if not nul:
            continue
        found = pc.match_substring(col, "\x00")
        if pc.any(found).as_py():
            i = pc.index(found, True).as_py()
            where = column_name(j, table.column_names[j])
            raise refuse(name, f"row {rows[i].as_py()}, {where} holds a NUL character: binary data or a damaged "
                               "export.", "Export the data again, or remove the NUL character from that cell.",
                         row=rows[i].as_py(), column=table.column_names[j], reason="holds a NUL character")


def drop_totals_and_blanks(table: pa.Table, rows: pa.Array) -> tuple[pa.Table, pa.Array, int, int]:
    """Return the table without fully blank rows and totals rows (合计, Total …) among its last rows, and both counts."""
    n = table.num_rows
    if n == 0 or table.num_columns == 0:
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
    totals = pa.concat_arrays([pa.array([False] * tail, pa.bool_()), _flat(totals_tail)])
    blank_arr = _flat(blank)
    drop = pc.or_(blank_arr, totals)
    n_tot = pc.sum(pc.and_(totals, pc.invert(blank_arr))).as_py() or 0
    n_blank = pc.sum(blank_arr).as_py() or 0
    if not n_tot and not n_blank:
        return table, rows, 0, 0
    keep = pc.invert(drop)
    return table.filter(keep), rows.filter(keep), int(n_tot), int(n_blank)


def _flat(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Return the array in one piece."""
    return pa.concat_arrays(arr.chunks) if isinstance(arr, pa.ChunkedArray) else arr


def write_ipc(src: SourceTable, sink: BinaryIO) -> None:
    """Write the source table to sink as an Arrow IPC stream, how it was read in the schema's metadata."""
    meta = {"name": src.name, "headers": src.headers, "file_format": src.file_format, "encoding": src.encoding,
            "delimiter": src.delimiter, "sheet": src.sheet, "sheets": src.sheets, "header_row": src.header_row,
            "skipped_totals": src.skipped_totals, "skipped_blank": src.skipped_blank,
            "bad_shape_rows": src.bad_shape_rows}
    table = pa.table(list(src.table.columns) + [src.rows], names=[*src.headers, _ROW])
    table = table.replace_schema_metadata({"csq": json.dumps(meta)})
    with pa.ipc.new_stream(pa.PythonFile(sink, mode="w"), table.schema) as writer:
        writer.write_table(table)


def to_ipc(src: SourceTable) -> bytes:
    """Return the source table as Arrow IPC stream bytes (what write_ipc writes)."""
    sink = io.BytesIO()
    write_ipc(src, sink)
    return sink.getvalue()


def from_ipc(data: bytes) -> SourceTable:
    """Return the source table that to_ipc wrote (the table checked against its schema in full)."""
    table = pa.ipc.open_stream(pa.py_buffer(data)).read_all()
    table.validate(full=True)
    meta = json.loads(table.schema.metadata[b"csq"])
    headers = [str(h) for h in meta["headers"]]
    if table.column_names != [*headers, _ROW] or not all(t == pa.string() for t in table.schema.types[:-1]):
        raise ValueError("the reading process returned a table of another shape")
    body = pa.table(table.columns[:-1], names=headers)
    rows = _flat(table.column(_ROW)) if table.num_rows else pa.array([], pa.int64())
    return SourceTable(meta["name"], headers, body, rows, meta["file_format"], encoding=meta["encoding"],
                       delimiter=meta["delimiter"], sheet=meta["sheet"], sheets=list(meta["sheets"]),
                       header_row=int(meta["header_row"]), skipped_totals=int(meta["skipped_totals"]),
                       skipped_blank=int(meta["skipped_blank"]),
                       bad_shape_rows=[(int(r), str(m)) for r, m in meta["bad_shape_rows"]])
