"""Filter parsing and the SQL it builds: OR within a field, AND across fields, raw labels, bound values."""
from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from csq.errors import InputRefused
from csq.metrics.filters import FILTER_FIELDS, Filter, build_where
from tests.support import kpi_rows

T = datetime
DIMS = {"channel": "channel", "channel_raw": "channel_raw", "team": "team", "escalated": "escalated",
        "contacts": "contacts", "created_at": "created_at"}


def test_from_pairs_merges_repeated_fields_in_order():
    f = Filter.from_pairs("2025-01", "2025-06", ["channel=phone", "team=售后组", "channel=chat", "channel=phone"])
    assert f == Filter("2025-01", "2025-06", (("channel", ("phone", "chat")), ("team", ("售后组",))))
    assert f.values("channel") == ("phone", "chat")


def test_from_pairs_accepts_chinese_field_names_and_keeps_values_verbatim():
    f = Filter.from_pairs(None, None, ["渠道=电话", "所属班组 = 售后组 "])
    assert f.where == (("channel", ("电话",)), ("team", ("售后组",)))


@pytest.mark.parametrize("pair", ["colour=red", "channel_raw=电话", "updated_at=2025-01-01"])
def test_unknown_field_refused_naming_the_allowed_ones(pair):
    with pytest.raises(InputRefused) as err:
        Filter.from_pairs(None, None, [pair])
    assert "channel" in str(err.value) and "ticket_id" in str(err.value) and "escalated" in str(err.value)


@pytest.mark.parametrize("pair", ["channel", "=phone", "channel=", "channel= "])
def test_malformed_pair_refused(pair):
    with pytest.raises(InputRefused, match="FIELD=VALUE"):
        Filter.from_pairs(None, None, [pair])


@pytest.mark.parametrize("bounds", [("2025-13", None), ("2025/01", None), (None, "25-01"), ("2025-06", "2025-01")])
def test_bad_period_refused(bounds):
    with pytest.raises(InputRefused):
        Filter.from_pairs(bounds[0], bounds[1], [])


def test_bool_field_needs_a_yes_no_value():
    assert Filter.from_pairs(None, None, ["escalated=是"]).where == (("escalated", ("是",)),)
    with pytest.raises(InputRefused, match="escalated"):
        Filter.from_pairs(None, None, ["escalated=maybe"])


def test_filter_fields_are_the_ticket_fields():
    assert "channel" in FILTER_FIELDS and "customer_id" in FILTER_FIELDS and "region" in FILTER_FIELDS
    assert "updated_at" not in FILTER_FIELDS


def test_build_where_binds_values_and_describes():
    f = Filter.from_pairs("2025-01", "2025-12", ["channel=phone", "channel=电话", "team=A"])
    w = build_where(f, DIMS, "created_at")
    sql, params, text = w.sql, list(w.params), w.description
    assert "phone" not in sql and "电话" not in sql and "A'" not in sql
    # period bounds: from the first of January to before the first of the month after December
    assert params[:2] == [T(2025, 1, 1), T(2026, 1, 1)]
    assert params[2:] == ["phone", "电话", "phone", "电话", "A"]
    assert text == "2025-01 to 2025-12 · channel = phone, 电话 · team = A"
    assert build_where(Filter(), DIMS, "created_at").description == "all months"
    assert build_where(Filter("2025-03", "2025-03"), DIMS, "created_at").description == "2025-03"


def test_field_without_dimension_is_false():
    w = build_where(Filter.from_pairs(None, None, ["agent=张伟"]), DIMS, "created_at")
    sql, params, _ = w.sql, list(w.params), w.description
    assert "FALSE" in sql and params == []


def _run(f: Filter) -> list[str]:
    """Return the ids of a small in-memory table that a filter keeps."""
    con = duckdb.connect()
    con.execute("CREATE TABLE t (id VARCHAR, created_at TIMESTAMP, channel VARCHAR, channel_raw VARCHAR, "
                "team VARCHAR, escalated BOOLEAN, contacts INTEGER)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", [
        ["1", T(2025, 1, 31, 23, 59), "phone", "电话", "A", True, 1],
        ["2", T(2025, 2, 1, 0, 0), "chat", "在线", "A", False, 2],
        ["3", T(2025, 2, 28, 23, 59), "phone", "Phone", "B", None, 1],
        ["4", T(2025, 3, 1, 0, 0), "email", None, "A", True, None],
        ["5", None, "phone", "电话", "A", True, 1],
    ])
    w = build_where(f, DIMS, "created_at")
    sql, params, _ = w.sql, list(w.params), w.description
    return [r[0] for r in con.execute(f"SELECT id FROM t WHERE {sql} ORDER BY id", params).fetchall()]


def test_sql_semantics_on_a_table():
    pairs = lambda *p: Filter.from_pairs(None, None, list(p))
    assert _run(Filter()) == ["1", "2", "3", "4"]                      # no month: not in any period
    assert _run(Filter("2025-02", "2025-02")) == ["2", "3"]            # month bounds are inclusive
    assert _run(pairs("channel=phone", "channel=chat")) == ["1", "2", "3"]
    assert _run(pairs("channel=phone", "channel=chat", "team=A")) == ["1", "2"]
    assert _run(pairs("channel=电话")) == ["1"]                        # raw label
    assert _run(pairs("escalated=是")) == ["1", "4"]
    assert _run(pairs("contacts=1")) == ["1", "3"]
    assert _run(pairs("created_at=2025-02-28")) == ["3"]              # a day matches by prefix
    assert _run(pairs("team=A' OR '1'='1")) == []                      # a value is data, never SQL
    assert _run(pairs("agent=x")) == []                                # dimension missing: no data


def test_from_scope():
    f = Filter.from_scope("所属班组=售后组; 渠道=电话", "2025-01", "2025-03")
    assert f == Filter("2025-01", "2025-03", (("team", ("售后组",)), ("channel", ("phone",))))


def test_filter_on_any_ticket_field(store, put):
    put("tickets", [
        {"ticket_id": "a", "created_at": T(2025, 1, 5), "region": "北京", "escalated": True, "product": "X"},
        {"ticket_id": "b", "created_at": T(2025, 1, 6), "region": "上海", "escalated": False, "product": "X"},
        {"ticket_id": "c", "created_at": T(2025, 1, 7), "region": "北京", "product": "Y"},
    ])
    count = lambda *p: kpi_rows(store, Filter.from_pairs(None, None, list(p)), (), ["tickets"])[0]["tickets"]
    assert count("region=北京") == 2
    assert count("region=北京", "product=X") == 1
    assert count("escalated=true") == 1
    assert count("ticket_id=b", "ticket_id=c") == 2
    assert count("priority=normal") == 3   # the default priority
