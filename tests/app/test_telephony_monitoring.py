"""Every telephony indicator on the Monitoring page's trend and control chart and in `spc` (SPEC §4b, §6), with the
80/20 service level as a default target."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from csq.metrics.calls import CALL_KEYS
from csq.metrics.indicators import formula
from csq.store.settings import targets
from tests.apptest import assert_no_exception, page_text, run_app
from tests.support import cli_json

PAGE = "app_pages/monitoring.py"


def test_service_level_80_20_is_a_default_target(store) -> None:
    t = targets(store)["service_level"]
    assert (t.direction, t.target) == ("higher", 0.80)


@pytest.mark.parametrize("key", CALL_KEYS)
def test_spc_charts_every_telephony_indicator_month_by_month(demo_copy: Path, key: str) -> None:
    months = cli_json("spc", "--indicator", key, "--from", "2025-01", "--to", "2025-06", db=demo_copy)
    kpi = {r["month"]: r for r in cli_json("kpi", "--from", "2025-01", "--to", "2025-06", "--by", "month",
                                           "--indicators", key, db=demo_copy)}
    assert [m["month"] for m in months] == [f"2025-0{i}" for i in range(1, 7)]
    for m in months:
        assert m["value"] == pytest.approx(kpi[m["month"]][key]) and m["n"] == kpi[m["month"]]["n"][key]
        assert m["center"] is not None   # limits drawn, not "no data"


@pytest.mark.parametrize("key", CALL_KEYS)
def test_the_monitoring_picker_charts_every_telephony_indicator(demo_db: Path, key: str) -> None:
    at = run_app(demo_db, PAGE, {"lang": "en", "from": "2025-01", "to": "2025-06", "indicator": key})
    assert_no_exception(at)
    assert at.selectbox(key="p_indicator").value == key
    trend = next(json.loads(e.proto.spec) for e in at.get("plotly_chart") if e.proto.id.endswith("trend_chart"))
    values = next(tr for tr in trend["data"] if tr.get("y") and any(y is not None for y in tr["y"]))
    assert len(values["x"]) == 6   # January to June
    assert formula(key, "en") in page_text(at)


def test_the_service_level_chart_draws_its_target_line(demo_db: Path) -> None:
    at = run_app(demo_db, PAGE, {"lang": "en", "from": "2025-01", "to": "2025-06", "indicator": "service_level"})
    assert_no_exception(at)
    trend = next(json.loads(e.proto.spec) for e in at.get("plotly_chart") if e.proto.id.endswith("trend_chart"))
    # The default target, 80 % within 20 s, as the legend names it and as the line drawn at 80 (percent).
    assert "Target ≥ 80.0%" in [tr.get("name") for tr in trend["data"]]
    assert any(sh.get("y0") == 80 for sh in trend["layout"].get("shapes", []))
