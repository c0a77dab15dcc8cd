"""Ticket lists for Monitoring: masking, SLA breaches and overdue tickets by hand, agreement with kpi_rows(), CSV."""
from __future__ import annotations

import csv
import io
import random
from datetime import datetime, timedelta

import pyarrow as pa
import pytest

from csq.core.exports import to_csv_bytes
from csq.core.kinds import CHANNELS, PRIORITIES, TYPES
from csq.core.privacy import mask_id, mask_name, mask_phone, mask_table
from csq.errors import InputRefused
from csq.metrics.filters import Filter
from csq.monitoring.tickets import heatmap, overdue_open, sla_breaches, sla_compliance
from csq.store.settings import DEFAULT_SLA_RULES, SlaRule, set_sla_rules
from tests.support import kpi_rows

T = datetime
ALL = Filter()
COLUMNS = ["ticket_id", "created_at", "channel", "type", "priority", "category", "team", "agent", "customer_name",
           "customer_phone", "customer_id", "first_response_at", "resolved_at", "frt_limit_min", "res_limit_min",
           "frt_minutes", "res_hours", "breach", "overdue_by_h"]


# ---------------------------------------------------------------- masking

def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+8613812345678") == "+86*******5678"
    assert mask_phone("62345678") == "62****78"        # a landline keeps less than a mobile number
    assert mask_phone("12345") == "1***5"               # short: first and last character
    assert mask_phone("ab") == "a*"
    assert mask_phone("a") == "*"                       # keeping the only character would show it all
    assert mask_phone("") == ""
    assert mask_phone(None) is None


def test_mask_name():
    assert mask_name("张三丰") == "张**"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("John Smith") == "J*********"
    assert mask_name("张") == "*"
    assert mask_name(None) is None


def test_mask_id():
    assert mask_id("C1234567") == "C1****67"
    assert mask_id("ABCDE") == "AB*DE"
    assert mask_id("ABCD") == "A***"                    # <= 4 characters: first character and stars
    assert mask_id("客户编号") == "客***"
    assert mask_id(12345678) == "12****78"              # a number is masked as its text
    assert mask_id(None) is None


def test_mask_table_is_the_scalar_masks_on_whole_columns():
    values = ["13812345678", "62345678", "1234567", "abc", "ab", "a", "", None, "张三丰", "John Smith",
              "C1234567", "ABCD", "客户编号12", "+8613812345678"]
    # Two chunks, as DuckDB hands over big results, and an unrelated column that must stay as it is.
    chunks = [values[:5], values[5:]]
    t = pa.table({"ticket_id": pa.chunked_array([[f"t{i}" for i in range(len(c))] for c in chunks]),
                  "customer_phone": pa.chunked_array(chunks, pa.string()),
                  "customer_name": pa.chunked_array(chunks, pa.string()),
                  "customer_id": pa.chunked_array(chunks, pa.string())})
    masked = mask_table(t)
    assert masked.column_names == t.column_names
    assert masked.column("customer_phone").to_pylist() == [mask_phone(v) for v in values]
    assert masked.column("customer_name").to_pylist() == [mask_name(v) for v in values]
    assert masked.column("customer_id").to_pylist() == [mask_id(v) for v in values]
    assert masked.column("ticket_id").equals(t.column("ticket_id"))
    assert mask_table(t, unmask=True) is t
    only_name = pa.table({"customer_name": ["李四"], "team": ["A"]})
    assert mask_table(only_name).to_pylist() == [{"customer_name": "李*", "team": "A"}]


# ---------------------------------------------------------------- breach lists by hand

AS_OF = T(2025, 3, 31, 12, 30)
TICKETS = [
    # email inquiry (24 h / 120 h) answered in 30 min; its answer is the latest timestamp: as of = 03-31 12:30
    {"ticket_id": "Z", "created_at": T(2025, 3, 31, 12), "first_response_at": AS_OF, "channel": "email",
     "type": "inquiry", "team": "A"},
    # email inquiry 2.5 h old, unanswered: inside its 24 h, not listed
    {"ticket_id": "IN", "created_at": T(2025, 3, 31, 10), "channel": "email", "type": "inquiry", "team": "A"},
    # answered in 1 h, resolved in 2 h: not listed
    {"ticket_id": "OK", "created_at": T(2025, 3, 5, 9), "first_response_at": T(2025, 3, 5, 10),
     "resolved_at": T(2025, 3, 5, 11), "channel": "email", "type": "inquiry", "team": "A"},
    # answered after 26 h (24 h limit: 2 h late), resolved in 48 h (met)
    {"ticket_id": "LATE_FRT", "created_at": T(2025, 3, 1, 9), "first_response_at": T(2025, 3, 2, 11),
     "resolved_at": T(2025, 3, 3, 9), "channel": "email", "type": "inquiry", "team": "B"},
    # chat inquiry 24 h old, never answered: 2 min limit passed 23 h 58 min ago; 120 h not yet
    {"ticket_id": "NO_RESP", "created_at": T(2025, 3, 30, 12, 30), "channel": "chat", "type": "inquiry",
     "team": "B", "customer_name": "张三丰", "customer_phone": "13812345678", "customer_id": "C1234567"},
    # phone complaint: rule 1 (phone, 2 min) beats rule 5 (complaint, 48 h) on order, so 10 min is 8 min late;
    # resolution: rule 5 (72 h) beats rule 6 (120 h) on specificity, so 80 h is 8 h late.
    {"ticket_id": "PHONE_COMPLAINT", "created_at": T(2025, 3, 1, 9), "first_response_at": T(2025, 3, 1, 9, 10),
     "resolved_at": T(2025, 3, 4, 17), "channel": "phone", "type": "complaint", "team": "A"},
    # web inquiry resolved after 144 h: 24 h late, resolved so not overdue
    {"ticket_id": "LATE_RES", "created_at": T(2025, 3, 1, 9), "first_response_at": T(2025, 3, 1, 10),
     "resolved_at": T(2025, 3, 7, 9), "channel": "web", "type": "inquiry", "team": "A"},
    # email complaint answered in 24 h (48 h: met), open for 267.5 h (72 h: 195.5 h overdue)
    {"ticket_id": "OPEN_OLD", "created_at": T(2025, 3, 20, 9), "first_response_at": T(2025, 3, 21, 9),
     "channel": "email", "type": "complaint", "team": "B", "category": "账单"},
    # February email inquiry, never answered: 1395.5 h old -> first response 1371.5 h late, resolution 1275.5 h
    {"ticket_id": "FEB", "created_at": T(2025, 2, 1, 9), "channel": "email", "type": "inquiry", "team": "A"},
]


def listed(t: pa.Table) -> list[tuple[str, str, float]]:
    return [(r["ticket_id"], r["breach"], round(r["overdue_by_h"], 4)) for r in t.to_pylist()]


def test_breaches_any(store, put):
    put("tickets", TICKETS)
    t = sla_breaches(store, ALL)
    assert t.column_names == COLUMNS
    assert listed(t) == [("FEB", "both", 1371.5), ("OPEN_OLD", "resolution", 195.5), ("LATE_RES", "resolution", 24.0),
                         ("NO_RESP", "first_response", round(24 - 2 / 60, 4)), ("PHONE_COMPLAINT", "both", 8.0),
                         ("LATE_FRT", "first_response", 2.0)]
    row = {r["ticket_id"]: r for r in t.to_pylist()}
    pc = row["PHONE_COMPLAINT"]
    assert (pc["frt_limit_min"], pc["res_limit_min"]) == (2, 72 * 60)
    assert (pc["frt_minutes"], pc["res_hours"]) == (pytest.approx(10), pytest.approx(80))
    # The list is not masked: the caller decides, by role.
    assert (row["NO_RESP"]["customer_name"], row["NO_RESP"]["customer_phone"]) == ("张三丰", "13812345678")
    assert row["NO_RESP"]["frt_minutes"] is None and row["NO_RESP"]["res_hours"] is None
    assert row["OPEN_OLD"]["category"] == "账单"


def test_breaches_by_kind_and_limit(store, put):
    put("tickets", TICKETS)
    # By kind, overdue_by_h is that limit's overrun; breach still names every limit the ticket missed.
    assert listed(sla_breaches(store, ALL, "first_response")) == [
        ("FEB", "both", 1371.5), ("NO_RESP", "first_response", round(24 - 2 / 60, 4)),
        ("LATE_FRT", "first_response", 2.0), ("PHONE_COMPLAINT", "both", round(8 / 60, 4))]
    assert listed(sla_breaches(store, ALL, "resolution")) == [
        ("FEB", "both", 1275.5), ("OPEN_OLD", "resolution", 195.5), ("LATE_RES", "resolution", 24.0),
        ("PHONE_COMPLAINT", "both", 8.0)]
    assert [r[0] for r in listed(sla_breaches(store, ALL, limit=2))] == ["FEB", "OPEN_OLD"]
    assert sla_breaches(store, ALL, limit=0).num_rows == 0
    with pytest.raises(InputRefused, match="first_response"):
        sla_breaches(store, ALL, "late")
    with pytest.raises(InputRefused):
        sla_breaches(store, ALL, limit=-1)


def test_breaches_follow_the_filter(store, put):
    put("tickets", TICKETS)
    march_b = Filter.from_pairs("2025-03", "2025-03", ["team=B"])
    assert [r[0] for r in listed(sla_breaches(store, march_b))] == ["OPEN_OLD", "NO_RESP", "LATE_FRT"]
    phone = Filter.from_pairs(None, None, ["channel=phone", "type=complaint"])
    assert [r[0] for r in listed(sla_breaches(store, phone))] == ["PHONE_COMPLAINT"]


def test_overdue_open(store, put):
    put("tickets", TICKETS)
    t = overdue_open(store, ALL)
    assert t.column_names == COLUMNS
    # Only unresolved tickets past their resolution limit; NO_RESP is open but inside its 120 h.
    assert listed(t) == [("FEB", "both", 1275.5), ("OPEN_OLD", "resolution", 195.5)]
    assert overdue_open(store, Filter("2025-03", "2025-03")).column("ticket_id").to_pylist() == ["OPEN_OLD"]


def test_empty_store(store):
    assert sla_breaches(store, ALL).num_rows == 0
    assert overdue_open(store, ALL).column_names == COLUMNS
    assert sla_compliance(store, ALL, "priority").num_rows == 0


# ---------------------------------------------------------------- compliance and agreement with kpi_rows()

def test_compliance_by_type_by_hand(store, put):
    put("tickets", TICKETS)
    rows = sla_compliance(store, ALL, "type").to_pylist()
    assert [r["group"] for r in rows] == ["inquiry", "complaint"]   # canonical order, not alphabetical
    inquiry, complaint = rows
    # inquiry first response: met Z, OK, LATE_RES; breached LATE_FRT, NO_RESP, FEB; IN left out.
    assert (inquiry["frt_met"], inquiry["frt_breached"], inquiry["frt_rate"]) == (3, 3, 0.5)
    # inquiry resolution: met OK, LATE_FRT; breached LATE_RES, FEB; Z, IN, NO_RESP inside 120 h.
    assert (inquiry["res_met"], inquiry["res_breached"], inquiry["res_rate"]) == (2, 2, 0.5)
    # complaints: OPEN_OLD answered in time, PHONE_COMPLAINT late on both; OPEN_OLD overdue.
    assert (complaint["frt_met"], complaint["frt_breached"], complaint["res_met"], complaint["res_breached"]) == (
        1, 1, 0, 2)
    with pytest.raises(InputRefused, match="priority"):
        sla_compliance(store, ALL, "agent")


def test_rate_without_denominator_is_none(store, put):
    # Inside both limits as of: nothing met or breached yet, so no rate rather than 0 % or 100 %.
    put("tickets", [{"ticket_id": "x", "created_at": T(2025, 3, 1, 9), "channel": "email", "type": "inquiry"}])
    (row,) = sla_compliance(store, ALL, "channel").to_pylist()
    assert row == {"group": "email", "frt_met": 0, "frt_breached": 0, "frt_rate": None,
                   "res_met": 0, "res_breached": 0, "res_rate": None}


def _random_tickets(seed: int = 7, count: int = 600) -> list[dict]:
    """Return tickets over three months with answers often exactly at, just under or just over a limit."""
    rng = random.Random(seed)
    minutes = [None, 1, 2, 2.5, 30, 31, 60, 61, 24 * 60, 24 * 60 + 1, 48 * 60, 48 * 60 + 1, 3 * 24 * 60]
    hours = [None, None, 1, 8, 9, 72, 72.5, 120, 121, 300]
    out = []
    for i in range(count):
        created = T(2025, 1, 1) + timedelta(minutes=rng.randrange(0, 90 * 24 * 60))
        frt, res = rng.choice(minutes), rng.choice(hours)
        out.append({"ticket_id": f"r{i}", "created_at": created, "channel": rng.choice(CHANNELS),
                    "type": rng.choice(TYPES), "priority": rng.choice(PRIORITIES), "team": rng.choice("ABC"),
                    "first_response_at": None if frt is None else created + timedelta(minutes=frt),
                    "resolved_at": None if res is None else created + timedelta(hours=res)})
    return out


@pytest.fixture
def random_store(store, put):
    # Urgent tickets get their own limits (30 min / 8 h) ahead of the defaults, so priorities differ.
    set_sla_rules(store, [SlaRule(priority="urgent", first_response_min=30, resolution_min=8 * 60),
                          *DEFAULT_SLA_RULES])
    put("tickets", _random_tickets())
    return store


def _breached(row: dict, key: str) -> int:
    n = row["n"][key]
    return n - round((row[key] or 0) * n)


def test_breach_counts_equal_compute(random_store):
    keys = ["frt_sla_rate", "resolution_sla_rate"]
    for f in (ALL, Filter("2025-02", "2025-03"), Filter.from_pairs(None, None, ["team=A", "channel=phone"])):
        (total,) = kpi_rows(random_store, f, (), keys)
        frt = sla_breaches(random_store, f, "first_response", limit=100_000)
        res = sla_breaches(random_store, f, "resolution", limit=100_000)
        assert frt.num_rows == _breached(total, "frt_sla_rate") > 0
        assert res.num_rows == _breached(total, "resolution_sla_rate") > 0
        both = sla_breaches(random_store, f, limit=100_000)
        assert both.num_rows == len(set(frt.column("ticket_id").to_pylist()) | set(res.column("ticket_id").to_pylist()))
        overdue = overdue_open(random_store, f, limit=100_000)
        assert set(overdue.column("ticket_id").to_pylist()) == {
            r["ticket_id"] for r in res.to_pylist() if r["resolved_at"] is None}
    # Month by month too: a ticket's month is that of created_at in both.
    for row in kpi_rows(random_store, ALL, ("month",), keys):
        month = Filter(row["month"], row["month"])
        assert sla_breaches(random_store, month, "first_response").num_rows == _breached(row, "frt_sla_rate")


@pytest.mark.parametrize("by", ["priority", "type", "channel", "team"])
def test_compliance_equals_compute(random_store, by):
    got = {r["group"]: r for r in sla_compliance(random_store, ALL, by).to_pylist()}
    want = kpi_rows(random_store, ALL, (by,), ["frt_sla_rate", "resolution_sla_rate"])
    assert set(got) == {r[by] for r in want}
    for r in want:
        g = got[r[by]]
        assert g["frt_met"] + g["frt_breached"] == r["n"]["frt_sla_rate"]
        assert g["res_met"] + g["res_breached"] == r["n"]["resolution_sla_rate"]
        assert g["frt_rate"] == (None if r["frt_sla_rate"] is None else pytest.approx(r["frt_sla_rate"]))
        assert g["res_rate"] == (None if r["resolution_sla_rate"] is None else pytest.approx(r["resolution_sla_rate"]))
    if by == "priority":
        assert list(got) == list(PRIORITIES)


# ---------------------------------------------------------------- heat-map

def test_heatmap_is_compute_in_long_form(random_store):
    t = heatmap(random_store, Filter("2025-01", "2025-02"), "frt_sla_rate")
    assert t.column_names == ["team", "month", "value", "n"]
    want = kpi_rows(random_store, Filter("2025-01", "2025-02"), ("team", "month"), ["frt_sla_rate"])
    assert t.to_pylist() == [{"team": r["team"], "month": r["month"], "value": r["frt_sla_rate"],
                              "n": r["n"]["frt_sla_rate"]} for r in want]
    assert sorted(set(t.column("month").to_pylist())) == ["2025-01", "2025-02"]
    by_channel = heatmap(random_store, ALL, "tickets", row="channel")
    assert by_channel.column_names == ["channel", "month", "value", "n"]
    assert sum(by_channel.column("value").to_pylist()) == 600
    with pytest.raises(InputRefused):
        heatmap(random_store, ALL, "tickets", row="month")
    with pytest.raises(InputRefused):
        heatmap(random_store, ALL, "no_such_key")


# ---------------------------------------------------------------- CSV

def test_csv_bytes_have_a_bom_and_keep_chinese(store, put):
    put("tickets", TICKETS)
    table = mask_table(sla_breaches(store, ALL))
    data = to_csv_bytes(table)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == COLUMNS
    assert len(rows) == table.num_rows
    by_id = {r["ticket_id"]: r for r in rows}
    assert by_id["NO_RESP"]["customer_name"] == "张**"
    assert by_id["NO_RESP"]["customer_phone"] == "138****5678"
    assert by_id["OPEN_OLD"]["category"] == "账单"
    assert by_id["FEB"]["created_at"] == "2025-02-01 09:00:00"   # whole seconds, which Excel reads as a date
    assert by_id["FEB"]["first_response_at"] == ""
