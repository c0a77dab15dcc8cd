"""CSV exports: the raw form keeps canonical keys and values, the localised form speaks the UI language; both
carry a BOM, write whole-second timestamps and defuse formula-like values (SPEC §10)."""
from __future__ import annotations

import csv
import io
from datetime import datetime

import pyarrow as pa
import pytest

from csq.core import exports
from csq.core.i18n import t

TICKETS = pa.table({
    "ticket_id": ["T1", "=HYPERLINK(\"http://x\")", "T3"],
    "created_at": pa.array([datetime(2025, 3, 7, 9, 5, 12, 345678), None, datetime(2025, 3, 8, 0, 0)],
                           pa.timestamp("us")),
    "channel": ["phone", "chat", None],
    "priority": ["urgent", "normal", "low"],
    "breach": ["first_response", "both", "resolution"],
    "frt_minutes": [12.345678901234567, None, 3.0],
    "escalated": [True, False, None],
    "customer_name": ["+86 138", "@me", "-1+1"],
    "reopen_count": pa.array([0, 2, 1], pa.int64()),
})


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith(exports.BOM)
    return list(csv.reader(io.StringIO(data[len(exports.BOM):].decode("utf-8"))))


def test_the_raw_export_keeps_canonical_keys_values_and_precision() -> None:
    rows = _rows(exports.to_csv_bytes(TICKETS))
    assert rows[0] == TICKETS.column_names
    assert rows[1][:6] == ["T1", "2025-03-07 09:05:12", "phone", "urgent", "first_response", "12.345678901234567"]
    assert rows[2][2] == "chat" and rows[2][1] == "" and rows[2][5] == ""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_both_exports_defuse_every_formula_like_string(lang: str) -> None:
    for data in (exports.to_csv_bytes(TICKETS), exports.localised_csv_bytes(TICKETS, lang)):
        rows = _rows(data)
        assert rows[2][0] == "'=HYPERLINK(\"http://x\")"
        assert [r[7] for r in rows[1:]] == ["'+86 138", "'@me", "'-1+1"]
    tabbed = exports.to_csv_bytes(pa.table({"c": ["\tcmd", "\rcmd", "a=b", "ok"]}))
    assert [r[0] for r in _rows(tabbed)[1:]] == ["'\tcmd", "'\rcmd", "a=b", "ok"]


def test_the_chinese_export_has_chinese_headers_labels_and_rounded_numbers() -> None:
    rows = _rows(exports.localised_csv_bytes(TICKETS, "zh"))
    frt = t("frt_minutes", "zh")  # the UI text, with the unit added when the text has none
    assert rows[0][:7] == ["工单编号", "受理时间", "渠道", "紧急程度", "超时环节",
                           frt if "分钟" in frt else f"{frt}（分钟）", "是否升级"]
    assert rows[1][:7] == ["T1", "2025-03-07 09:05:12", "电话", "紧急", "首次响应", "12.3", "是"]
    assert rows[2][2:7] == ["在线客服", "中", "响应和解决", "", "否"]
    assert rows[3][2] == "" and rows[3][6] == ""
    assert "None" not in str(rows) and "nan" not in str(rows)


def test_the_english_export_labels_values_and_keeps_integers() -> None:
    rows = _rows(exports.localised_csv_bytes(TICKETS, "en"))
    assert rows[0][2:5] == ["Channel", "Priority", "Breached"] and rows[0][5].endswith("(min)")
    assert rows[1][2:7] == ["Phone", "Urgent", "first response", "12.3", "yes"]
    assert [r[8] for r in rows[1:]] == ["0", "2", "1"]


def test_explicit_headers_digits_and_untranslated_source_columns() -> None:
    tbl = pa.table({"row": [3], "channel": ["Self service"], "score": [0.123456], "reason": ["bad date"]})
    rows = _rows(exports.localised_csv_bytes(tbl, "zh", {"row": "行号", "reason": "原因"}, translate=False))
    assert rows == [["行号", "channel", "score", "原因"], ["3", "Self service", "0.123456", "bad date"]]
    rows = _rows(exports.localised_csv_bytes(tbl, "en", digits={"score": 3}))
    assert rows[1][2] == "0.123"


def test_csv_downloads_offer_the_localised_file_first_and_the_raw_one_beside_it() -> None:
    shown, raw = exports.csv_downloads(TICKETS, "zh", "breached_tickets")
    assert (shown.file_name, raw.file_name) == ("breached_tickets.csv", "breached_tickets_raw.csv")
    assert shown.label == "下载 CSV" and "原始" in raw.label and shown.mime == raw.mime == "text/csv"
    assert _rows(shown.data)[0][2] == "渠道" and _rows(raw.data)[0][2] == "channel"


def test_header_label_falls_back_to_the_import_field_label_then_the_key() -> None:
    assert exports.header_label("channel", "zh") == "渠道"
    assert exports.header_label("closed_at", "zh") == "关闭时间"
    assert exports.header_label("no_such_column_x", "zh") == "no_such_column_x"
