"""Files csq writes for people: CSV with a BOM that Excel opens, timestamps as Excel reads them, formulas defused.

Two forms of every table (SPEC §10):

- the raw export (`to_csv_bytes`): canonical column keys and canonical values (channel = phone), numbers as stored;
  for scripts and for a re-import;
- the localised export (`localised_csv_bytes`): headers in the UI language, canonical values translated
  (phone → 电话), yes/no in words, numbers rounded to the precision the page shows; what a person opens in Excel.

Both neutralise values a spreadsheet would run as a formula (a leading =, +, -, @, tab or carriage return).

One rule for every file csq writes (SPEC §10): `formula_like` says which text a spreadsheet would run, `neutralise`
prefixes it with an apostrophe (OWASP), `neutralise_column` does the same to a whole Arrow column, and the Excel
writer (`SafeWorkbook.cell`) writes every text as a string cell, never a formula, with Excel's own quote prefix
(the apostrophe Excel hides) on a formula-like one. Only text is touched: a number, negative or not, stays a number.
Every CSV or .xlsx csq writes goes through here; tests/unit/test_safe_writers.py lists each writer and fails on any
other way of writing one.
"""
from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from csq.core.i18n import has_canonical_values, t, value_label

BOM = b"\xef\xbb\xbf"
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (CSV injection).
FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
# The same characters as an RE2 class for whole Arrow columns (a test checks both forms agree).
_FORMULA_START_RE = r"^([=+\-@\t\r])"
DISPLAY_DIGITS = 1  # decimals the pages show for a measured value (minutes, hours, scores)


@dataclass(frozen=True)
class Download:
    """One file offered for download: button label, bytes, file name and MIME type."""

    label: str
    data: bytes
    file_name: str
    mime: str = "text/csv"


def formula_like(value: object) -> bool:
    """Return True when `value` is text a spreadsheet would run as a formula (it starts with = + - @ tab or CR)."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def neutralise(value: object) -> object:
    """Return a formula-like text with an apostrophe in front (OWASP); any other value, numbers too, unchanged."""
    return "'" + value if formula_like(value) else value  # type: ignore[operator]


def neutralise_column(col: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Return a string column with `neutralise` applied to every value, computed on the whole column."""
    return pc.replace_substring_regex(col, pattern=_FORMULA_START_RE, replacement=r"'\1", max_replacements=1)


def _writable(tbl: pa.Table) -> pa.Table:
    """Return the table with timestamps as 'YYYY-MM-DD HH:MM:SS' text, every string column and header neutralised."""
    for i, fld in enumerate(tbl.schema):
        col = tbl.column(i)
        if pa.types.is_dictionary(fld.type):
            col = pc.cast(col, pa.string())
        if pa.types.is_timestamp(fld.type):
            # Arrow would write microseconds, which Excel shows as text; whole seconds read as dates.
            secs = pc.cast(col, pa.timestamp("s", fld.type.tz), safe=False)
            col = pc.strftime(secs, "%Y-%m-%d %H:%M:%S")
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            col = neutralise_column(col)
        if col is not tbl.column(i):
            tbl = tbl.set_column(i, pa.field(fld.name, col.type), col)
    # A header is a cell too: the rejected rows keep the source file's own column names.
    return tbl.rename_columns([str(neutralise(n)) for n in tbl.column_names])


def to_csv_bytes(tbl: pa.Table) -> bytes:
    """Return the raw export: UTF-8 CSV with a BOM (so Excel reads Chinese), canonical keys and values, defused."""
    buf = io.BytesIO()
    pacsv.write_csv(_writable(tbl), buf)
    return BOM + buf.getvalue()


def header_label(name: str, lang: str) -> str:
    """Return a column's header in the language: its UI text, else its Import field label, else the key itself."""
    for key in (name, f"import_f_{name}"):
        label = t(key, lang)
        if label != key:
            return label
    return name


# A measured column's unit, from its key's ending; the localised header names it when the UI text does not.
_UNITS = (("_minutes", ("分钟", "min")), ("_min", ("分钟", "min")), ("_hours", ("小时", "h")), ("_h", ("小时", "h")))


def _with_unit(name: str, label: str, lang: str) -> str:
    """Return a numeric column's header with its unit: 响应用时（分钟） / Response time (min), unless it has one."""
    for ending, (zh, en) in _UNITS:
        if name.endswith(ending):
            unit = zh if lang == "zh" else en
            if unit in label:
                return label
            return f"{label}（{unit}）" if lang == "zh" else f"{label} ({unit})"
    return label


def _cell_label(name: str, value: object, lang: str) -> object:
    """Return one canonical cell as a person reads it: a value label, a '<column>_<value>' text, or the value."""
    if value is None:
        return None
    if has_canonical_values(name):
        return value_label(name, value, lang)
    key = f"{name}_{value}"
    label = t(key, lang)
    return value if label == key else label


def relabel(col: pa.ChunkedArray | pa.Array, label: Callable[[Any], object]) -> pa.Array:
    """Return the column's values as text labels, each distinct value labelled once (columns repeat few values)."""
    values = col.to_pylist()
    labels = {v: label(v) for v in set(values) if v is not None}
    return pa.array([None if v is None else labels[v] for v in values], pa.string())


def _localised_column(name: str, col: pa.ChunkedArray, lang: str, digits: int) -> pa.ChunkedArray | pa.Array:
    """Return one column as the localised export shows it: labels for codes, words for yes/no, rounded numbers."""
    if pa.types.is_boolean(col.type):
        yes, no = t("export_yes", lang), t("export_no", lang)
        return pa.array([None if v is None else (yes if v else no) for v in col.to_pylist()], pa.string())
    if pa.types.is_floating(col.type) or pa.types.is_decimal(col.type):
        return pc.round(pc.cast(col, pa.float64()), digits)
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type) or pa.types.is_dictionary(col.type):
        return relabel(pc.cast(col, pa.string()), lambda v: _cell_label(name, v, lang))
    return col


def localised_table(tbl: pa.Table, lang: str, headers: Mapping[str, str] | None = None, *,
                    digits: Mapping[str, int] | None = None, translate: bool = True) -> pa.Table:
    """Return the table as the localised export writes it: headers and canonical values in `lang`, numbers rounded.

    `headers` names columns explicitly (it wins over the UI texts); `digits` gives a column its own number of
    decimals (default DISPLAY_DIGITS). With `translate=False` only the `headers` given are renamed and no value is
    relabelled (a user's own source columns, as in the rejected rows of an import).
    """
    headers, digits = dict(headers or {}), dict(digits or {})
    cols, names = [], []
    for name, col in zip(tbl.column_names, tbl.columns):
        label = headers.get(name) or (header_label(name, lang) if translate else name)
        if translate and name not in headers and (pa.types.is_integer(col.type) or pa.types.is_floating(col.type)):
            label = _with_unit(name, label, lang)
        if translate:
            col = _localised_column(name, col, lang, digits.get(name, DISPLAY_DIGITS))
        cols.append(col)
        names.append(label)
    return pa.table(cols, names=names)


def localised_csv_bytes(tbl: pa.Table, lang: str, headers: Mapping[str, str] | None = None, *,
                        digits: Mapping[str, int] | None = None, translate: bool = True) -> bytes:
    """Return the localised export of the table as CSV (see localised_table), BOM and defusing as the raw one."""
    return to_csv_bytes(localised_table(tbl, lang, headers, digits=digits, translate=translate))


def csv_downloads(tbl: pa.Table, lang: str, stem: str, headers: Mapping[str, str] | None = None, *,
                  digits: Mapping[str, int] | None = None, translate: bool = True) -> tuple[Download, Download]:
    """Return the (localised, raw) CSV downloads of a table: the localised one first, as the page's default."""
    return (Download(t("export_csv", lang), localised_csv_bytes(tbl, lang, headers, digits=digits,
                                                                 translate=translate), f"{stem}.csv"),
            Download(t("export_csv_raw", lang), to_csv_bytes(tbl), f"{stem}_raw.csv"))


# Text stays text in every workbook csq writes: xlsxwriter would otherwise turn "=…" into a formula, "00123" into
# 123 and "http://…" into a link (SPEC §10).
XLSX_OPTIONS: dict[str, bool] = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                 "strings_to_urls": False}


class SafeWorkbook:
    """An in-memory .xlsx that writes text as string cells (a formula-like one with Excel's quote prefix)."""

    def __init__(self) -> None:
        """Open an empty workbook with XLSX_OPTIONS."""
        import xlsxwriter  # only a report or a file download needs it

        self._buf = io.BytesIO()
        self.book = xlsxwriter.Workbook(self._buf, dict(XLSX_OPTIONS))
        self._formats: dict[tuple[bool, bool], Any] = {}

    def _format(self, header: bool, quoted: bool) -> Any:
        """Return the cell format for a header and/or formula-like text (None for a plain cell)."""
        if not header and not quoted:
            return None
        if (header, quoted) not in self._formats:
            props: dict[str, object] = {"quote_prefix": True} if quoted else {}
            if header:
                props.update({"bold": True, "bg_color": "#F6F8FA", "border": 1})
            self._formats[(header, quoted)] = self.book.add_format(props)
        return self._formats[(header, quoted)]

    def cell(self, sheet: Any, row: int, col: int, value: object, header: bool = False) -> None:
        """Return nothing; write one value: numbers as numbers, everything else as a string cell, never a formula."""
        fmt = self._format(header, False)
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            sheet.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value, fmt)
        elif isinstance(value, (int, float)):
            sheet.write_number(row, col, value, fmt)
        else:
            text = value.isoformat(sep=" ") if isinstance(value, datetime) else \
                value.isoformat() if isinstance(value, date) else str(value)
            sheet.write_string(row, col, text, self._format(header, formula_like(text)))

    def close(self) -> bytes:
        """Return the finished workbook's bytes."""
        self.book.close()
        return self._buf.getvalue()


def xlsx_bytes(tbl: pa.Table, sheet: str = "csq") -> bytes:
    """Return the table as a one-sheet .xlsx (header row, then the rows), every text a string cell (SafeWorkbook)."""
    book = SafeWorkbook()
    ws = book.book.add_worksheet(sheet[:31])
    names = tbl.column_names
    for j, name in enumerate(names):
        book.cell(ws, 0, j, name, header=True)
    for i, row in enumerate(tbl.to_pylist(), start=1):
        for j, name in enumerate(names):
            book.cell(ws, i, j, row[name])
    return book.close()
