"""Audit log page: localised headers and action names, details in words, times in the center's timezone."""
from __future__ import annotations

import csv
import io
import json
import os
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from csq.core import exports
from csq.store import audit, open_store, settings
from tests.apptest import assert_no_exception, page_text, run_app

TARGETS_BEFORE = [{"indicator": "csat_rate", "direction": "higher", "target": 0.9, "warning": 0.05},
                  {"indicator": "fcr_rate", "direction": "higher", "target": 0.75, "warning": 0.05}]
TARGETS_AFTER = [{"indicator": "csat_rate", "direction": "higher", "target": 0.92, "warning": 0.05},
                 {"indicator": "fcr_rate", "direction": "higher", "target": 0.75, "warning": 0.05}]


@pytest.fixture
def server_in_utc() -> Iterator[None]:
    """Run the test as on a server whose clock is in UTC (the stored times are its wall-clock times)."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


def test_times_are_shown_and_filtered_in_the_center_timezone(server_in_utc: None) -> None:
    assert audit.to_center_time(datetime(2025, 3, 7, 23, 30), "Asia/Shanghai") == datetime(2025, 3, 8, 7, 30)
    assert audit.to_center_time(datetime(2025, 7, 1, 12, 0), "Europe/Berlin") == datetime(2025, 7, 1, 14, 0)
    # 8 March in Shanghai starts at 16:00 UTC on 7 March
    assert audit.server_day_start(date(2025, 3, 8), "Asia/Shanghai") == datetime(2025, 3, 7, 16, 0)


def test_details_read_as_text_in_both_languages() -> None:
    targets = json.dumps({"before": TARGETS_BEFORE, "after": TARGETS_AFTER})
    assert audit.describe(targets, "en") == "csat_rate: target 0.9 → 0.92"
    assert audit.describe(targets, "zh") == "csat_rate: 目标值 0.9 → 0.92"
    assert audit.describe(json.dumps({"before": "Asia/Shanghai", "after": "Europe/Berlin"}), "en") == (
        "Asia/Shanghai → Europe/Berlin")
    imported = json.dumps({"kind": "tickets", "source": "工单.csv", "rows_loaded": 3000, "rows_replaced": 0})
    assert audit.describe(imported, "zh") == "记录类型: 工单 · 来源: 工单.csv · 导入行数: 3,000 · 替换行数: 0"
    rules = json.dumps({"before": [{"channel": None, "type": None, "priority": "urgent", "first_response_min": 15}],
                        "after": [{"channel": None, "type": None, "priority": "urgent", "first_response_min": 10},
                                  {"channel": "phone", "type": None, "priority": None, "first_response_min": 1}]})
    assert audit.describe(rules, "zh") == "紧急程度=紧急: 响应时限（分钟） 15 → 10 · + 渠道=电话"
    assert audit.describe("{}", "en") == "" and audit.describe(None, "en") == ""
    assert (audit.action_label("settings.targets", "zh"), audit.action_label("rollback", "en")) == ("修改目标值", "Rollback")
    assert audit.action_label("some.future_action", "zh") == "some.future_action"
    assert (audit.target_label("batch 7", "zh"), audit.target_label("timezone", "zh")) == ("批次 #7", "时区")


@pytest.fixture
def logged(demo_copy: Path) -> Path:
    """Return a demo store whose log also holds a targets change and a timezone change to Europe/Berlin."""
    s = open_store(demo_copy)
    with s.transaction() as cur:
        audit.write(cur, "settings.targets", "targets", {"before": TARGETS_BEFORE, "after": TARGETS_AFTER}, "mgr")
    settings.set_setting(s, "timezone", "Europe/Berlin", "admin", role="admin")
    s.close()
    return demo_copy


def _table(at) -> list[dict[str, object]]:
    return at.dataframe[0].value.to_dict("records")


def test_the_chinese_page_shows_words_not_codes_and_names_the_zone(logged: Path) -> None:
    at = run_app(logged, page="app_pages/audit.py")
    assert_no_exception(at)
    rows = _table(at)
    assert list(rows[0]) == ["编号", "时间（Europe/Berlin）", "用户", "操作", "对象", "详情"]
    by_action = {r["操作"]: r for r in rows}
    assert by_action["修改目标值"]["详情"] == "csat_rate: 目标值 0.9 → 0.92"
    assert by_action["修改设置"]["对象"] == "时区" and by_action["修改设置"]["详情"] == "Asia/Shanghai → Europe/Berlin"
    assert "导入数据" in by_action and by_action["导入数据"]["对象"].startswith("批次 #")
    assert not any("{" in str(r["详情"]) and '"' in str(r["详情"]) for r in rows)  # no raw JSON
    shown = by_action["修改设置"]["时间（Europe/Berlin）"].to_pydatetime()
    berlin = audit.to_center_time(datetime.now(), "Europe/Berlin")
    assert abs((berlin - shown).total_seconds()) < 600
    assert "Europe/Berlin" in page_text(at)
    assert at.selectbox(key="audit_action").format_func("settings.targets") == "修改目标值"


def test_the_english_page(logged: Path) -> None:
    at = run_app(logged, page="app_pages/audit.py", params={"lang": "en"})
    assert_no_exception(at)
    rows = _table(at)
    assert list(rows[0])[:2] == ["No.", "Time (Europe/Berlin)"]
    assert "Targets changed" in {r["Action"] for r in rows}


def test_the_readable_csv_and_the_raw_csv(logged: Path) -> None:
    s = open_store(logged, read_only=True)
    try:
        log = audit.entries(s, tz="Europe/Berlin")
        shown = audit.readable(log, "zh", "Europe/Berlin")
    finally:
        s.close()
    readable = list(csv.reader(io.StringIO(exports.to_csv_bytes(shown).decode("utf-8-sig"))))
    raw = list(csv.reader(io.StringIO(exports.to_csv_bytes(log).decode("utf-8-sig"))))
    assert readable[0][1] == "时间（Europe/Berlin）" and raw[0] == ["id", "logged_at", "user_name", "action", "target",
                                                                  "details"]
    assert "修改目标值" in {r[3] for r in readable[1:]} and "settings.targets" in {r[3] for r in raw[1:]}
