"""Reading and normalising files: encodings, delimiters, header and totals rows, dates, values."""
from __future__ import annotations

from datetime import datetime

import pytest

from csq.core.kinds import TICKETS, match_header, normalise_header
from csq.errors import InputRefused
from csq.ingest.importer import header_scorer, prepare
from csq.ingest.mapping import Mapping, parse_mapping
from csq.ingest.reader import read_source
from tests.support import SAMPLES

SCORE = header_scorer(TICKETS)
HEAD = "工单编号,受理时间,渠道,业务类型"


def _prep(text: str, encoding: str = "utf-8", mapping: Mapping | None = None, name: str = "t.csv"):
    return prepare(text.encode(encoding), name, "tickets", mapping)


def test_gbk_is_detected_and_headers_recognised() -> None:
    src = read_source((SAMPLES / "tickets_2025-03_gbk.csv").read_bytes(), "t.csv", SCORE)
    assert src.encoding == "gb18030"
    assert src.num_rows == 3000
    assert [match_header(TICKETS, h) for h in src.headers[:4]] == [
        "ticket_id", "created_at", "first_response_at", "resolved_at"]


def test_utf8_bom_and_english_headers() -> None:
    p = _prep("\ufeffTicket ID,Created,Channel,Type\nA1,2025-03-01 08:00,Phone,Complaint\n")
    assert p.columns == {"ticket_id": "Ticket ID", "created_at": "Created", "channel": "Channel", "type": "Type"}
    row = p.staged.to_pylist()[0]
    assert (row["channel"], row["type"], row["channel_raw"]) == ("phone", "complaint", "Phone")


@pytest.mark.parametrize("delim", [";", "\t", "|"])
def test_other_delimiters(delim: str) -> None:
    text = HEAD.replace(",", delim) + "\n" + delim.join(["A1", "2025-03-01 08:00", "电话", "投诉"]) + "\n"
    p = _prep(text)
    assert p.source.delimiter == delim
    assert p.staged.num_rows == 1


def test_title_rows_above_header_and_totals_row_below() -> None:
    text = f"2025年3月工单明细\n导出人：张三\n{HEAD}\nA1,2025/3/1 8:00:00,电话,咨询\nA2,2025/3/2 9:00:00,邮件,投诉\n合计,2,,\n"
    p = _prep(text)
    assert p.source.header_row == 3
    assert p.source.skipped_totals == 1
    assert sorted(p.staged.column("ticket_id").to_pylist()) == ["A1", "A2"]
    # Row numbers are those of the source file (header is row 3).
    assert p.staged.column("_row").to_pylist() == [4, 5]


def test_xlsx_title_row_and_totals_row_are_not_records() -> None:
    p = prepare((SAMPLES / "tickets_2025-04.xlsx").read_bytes(), "t.xlsx", "tickets")
    assert p.source.header_row == 2
    assert p.source.skipped_totals == 1
    assert p.staged.num_rows == 2920
    assert "合计" not in p.staged.column("ticket_id").to_pylist()


@pytest.mark.parametrize("raw,expected", [
    ("2025/3/7 9:05:33", datetime(2025, 3, 7, 9, 5, 33)),
    ("2025-03-07T09:05", datetime(2025, 3, 7, 9, 5)),
    ("2025-03-07", datetime(2025, 3, 7)),
    ("2025年3月7日 9:05", datetime(2025, 3, 7, 9, 5)),
    ("45723.5", datetime(2025, 3, 7, 12, 0)),  # Excel serial: 45723 is 2025-03-07
    ("2025-03-07T01:05:00Z", datetime(2025, 3, 7, 9, 5)),  # UTC converted to Asia/Shanghai
    ("2025-03-07T09:05:00+02:00", datetime(2025, 3, 7, 15, 5)),
    ("2025/3/7 下午 3:05:33", datetime(2025, 3, 7, 15, 5, 33)),
])
def test_mixed_date_formats_in_one_column(raw: str, expected: datetime) -> None:
    p = _prep(f"{HEAD}\nA1,{raw},电话,咨询\nA2,2025/3/8 10:00:00,电话,咨询\n")
    assert p.error_count == 0, p.errors
    assert p.staged.to_pylist()[0]["created_at"] == expected


def test_dayfirst_setting_and_detection() -> None:
    text = f"{HEAD}\nA1,7/3/2025 9:00,电话,咨询\nA2,8/3/2025 9:00,电话,咨询\n"
    assert _prep(text, mapping=Mapping(dayfirst=True)).staged.to_pylist()[0]["created_at"] == datetime(2025, 3, 7, 9)
    assert _prep(text).staged.to_pylist()[0]["created_at"] == datetime(2025, 7, 3, 9)  # month first by default
    detected = _prep(text + "A3,25/3/2025 9:00,电话,咨询\n")
    assert detected.dayfirst is True
    assert detected.staged.to_pylist()[0]["created_at"] == datetime(2025, 3, 7, 9)


def test_unknown_values_become_other_and_are_counted() -> None:
    p = _prep(f"{HEAD},紧急程度\nA1,2025-03-01,电话,咨询,紧急\nA2,2025-03-01,信鸽,咨询,2 - High\n"
              "A3,2025-03-01,信鸽,吐槽,火急\n".replace(HEAD, HEAD))
    rows = {r["ticket_id"]: r for r in p.staged.to_pylist()}
    assert rows["A1"]["priority"] == "urgent"
    assert rows["A2"]["priority"] == "high"
    assert rows["A2"]["channel"] == "other" and rows["A2"]["channel_raw"] == "信鸽"
    assert rows["A3"]["type"] == "other" and rows["A3"]["priority"] == "normal"
    assert p.unknown_values == {"channel": {"信鸽": 2}, "type": {"吐槽": 1}, "priority": {"火急": 1}}


def test_mapping_columns_constants_values_and_nulls() -> None:
    m = parse_mapping({"columns": {"ticket_id": "Key", "created_at": "When"}, "constants": {"type": "inquiry"},
                       "values": {"channel": {"PHONE": "phone", "ONLINE": "web"}}, "null_values": ["?"]},
                      kind="tickets")
    p = _prep("Key,When,Channel,Agent\nK1,2025-03-01,ONLINE,?\nK2,2025-03-02,PHONE,王五\n", mapping=m)
    rows = {r["ticket_id"]: r for r in p.staged.to_pylist()}
    assert rows["K1"]["channel"] == "web" and rows["K1"]["agent"] is None
    assert rows["K2"]["type"] == "inquiry" and rows["K2"]["agent"] == "王五"


def test_row_errors_name_row_column_and_reason() -> None:
    p = _prep(f"{HEAD},联系次数\nA1,2025-03-01,电话,咨询,1\n,2025-03-01,电话,咨询,1\nA3,someday,电话,咨询,x\n"
              "A4,2099-01-01,电话,咨询,1\n")
    found = {(e.row, e.column, e.message) for e in p.errors}
    assert (3, "工单编号", "required value is missing") in found
    assert (4, "受理时间", "cannot read 'someday' as a date/time") in found
    assert (4, "联系次数", "'x' is not a number") in found
    assert any(r == 5 and "future" in msg for r, _c, msg in found)
    assert p.rows_rejected == 3 and p.staged.num_rows == 1
    assert p.rejected.column("row").to_pylist() == [3, 4, 5]


def test_duplicate_keys_in_one_file_last_row_wins() -> None:
    p = _prep(f"{HEAD},办结时间\nA1,2025-03-01 08:00,电话,咨询,\nA1,2025-03-01 08:00,电话,咨询,2025-03-02 10:00\n"
              "A2,2025-03-01 09:00,电话,咨询,\n")
    assert p.rows_collapsed == 1
    rows = {r["ticket_id"]: r for r in p.staged.to_pylist()}
    assert rows["A1"]["resolved_at"] == datetime(2025, 3, 2, 10)


def test_updated_at_orders_duplicates_not_file_order() -> None:
    m = Mapping(columns={"updated_at": "ver"})
    p = _prep(f"{HEAD},办结时间,ver\nA1,2025-03-01 08:00,电话,咨询,2025-03-03 10:00,2\n"
              "A1,2025-03-01 08:00,电话,咨询,,1\n", mapping=m)
    assert p.staged.to_pylist()[0]["resolved_at"] == datetime(2025, 3, 3, 10)


def test_short_rows_are_padded_long_rows_rejected() -> None:
    p = _prep(f"{HEAD},问题分类\nA1,2025-03-01,电话,咨询\nA2,2025-03-01,电话,咨询,账单,多余\n")
    assert [r["ticket_id"] for r in p.staged.to_pylist()] == ["A1"]
    assert any(e.row == 3 and "fields" in e.message for e in p.errors)


@pytest.mark.parametrize("name,needle", [
    ("empty.csv", "is empty"),
    ("header_only.csv", "no data rows"),
    ("missing_created_column.csv", "created_at"),
    ("not_a_table.csv", "not a table"),
])
def test_bad_files_are_refused_as_a_whole(name: str, needle: str) -> None:
    with pytest.raises(InputRefused) as info:
        prepare((SAMPLES / "bad" / name).read_bytes(), name, "tickets")
    assert needle in info.value.message
    assert info.value.fix


def test_header_normalisation() -> None:
    assert normalise_header("CSAT (1-5)") == "csat"
    assert normalise_header(" Created Date ") == "createddate"
