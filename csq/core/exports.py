"""Files csq writes for people: CSV with a BOM that Excel opens, timestamps as Excel reads them, formulas defused.

Two forms of every table (SPEC §10):

- the raw export (`to_csv_bytes`): canonical column keys and canonical values (channel = phone), numbers as stored;
  for scripts and for a re-import;
- the localised export (`localised_csv_bytes`): headers in the UI language, canonical values translated
  (phone → 电话), yes/no in words, numbers rounded to the precision the page shows; what a person opens in Excel.

Both neutralise values a spreadsheet would run as a formula (a leading =, +, -, @, tab or carriage return).
"""
from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from csq.core.i18n import has_canonical_values, t, value_label

BOM = b"\xef\xbb\xbf"
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (CSV injection).
_FORMULA_START = r"^([=+\-@\t\r])"
DISPLAY_DIGITS = 1  # decimals the pages show for a measured value (minutes, hours, scores)


@dataclass(frozen=True)
class Download:
    """One file offered for download: button label, bytes, file name and MIME type."""

    label: str
    data: bytes
    file_name: str
    mime: str = "text/csv"


def _defused(col: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Return a string column with a leading apostrophe on every formula-like value (Excel shows it as text)."""
    return pc.replace_substring_regex(col, pattern=_FORMULA_START, replacement=r"'\1", max_replacements=1)


def _writable(tbl: pa.Table) -> pa.Table:
    """Return the table with timestamps as 'YYYY-MM-DD HH:MM:SS' text and every string column defused."""
    for i, fld in enumerate(tbl.schema):
        col = tbl.column(i)
        if pa.types.is_dictionary(fld.type):
            col = pc.cast(col, pa.string())
        if pa.types.is_timestamp(fld.type):
            # Arrow would write microseconds, which Excel shows as text; whole seconds read as dates.
            secs = pc.cast(col, pa.timestamp("s", fld.type.tz), safe=False)
            col = pc.strftime(secs, "%Y-%m-%d %H:%M:%S")
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            col = _defused(col)
        if col is not tbl.column(i):
            tbl = tbl.set_column(i, pa.field(fld.name, col.type), col)
    return tbl


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


def _localised_column(name: str, col: pa.ChunkedArray, lang: str, digits: int) -> pa.ChunkedArray | pa.Array:
    """Return one column as the localised export shows it: labels for codes, words for yes/no, rounded numbers."""
    if pa.types.is_boolean(col.type):
        yes, no = t("export_yes", lang), t("export_no", lang)
        return pa.array([None if v is None else (yes if v else no) for v in col.to_pylist()], pa.string())
    if pa.types.is_floating(col.type) or pa.types.is_decimal(col.type):
        return pc.round(pc.cast(col, pa.float64()), digits)
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type) or pa.types.is_dictionary(col.type):
        values = pc.cast(col, pa.string()).to_pylist()
        return pa.array([_cell_label(name, v, lang) for v in values], pa.string())
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
