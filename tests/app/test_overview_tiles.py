"""Overview (/) tiles of the optional kinds: telephony tiles with their thresholds where the store holds calls, and
none where it holds no calls; the rule is by record kind, so any kind no headline tile reads is optional."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa

from csq.metrics.calls import CALL_KEYS
from csq.metrics.display import format_value, indicator_name
from csq.metrics.filters import Filter
from csq.metrics.indicators import INDICATORS
from csq.overview.headline import ALWAYS_KINDS, HEADLINE, OPTIONAL_KINDS, kinds_with_data, tile_keys
from csq.store import open_store
from csq.store.batches import commit_records
from csq.telephony.views import answered_only
from tests.apptest import assert_no_exception, page_text, run_app
from tests.support import kpi_rows

PAGE = None  # the Overview is the app's default page
T0 = datetime(2025, 3, 3, 10, 0)


def tiles(at) -> dict[str, str]:
    """Return the wide tiles' metrics, label → value (the tiles are the metrics inside the wide_tiles container)."""
    return {m.label: m.value for m in at.metric}


def test_the_optional_kinds_are_those_no_headline_tile_reads() -> None:
    assert "calls" in OPTIONAL_KINDS and "servqual" not in OPTIONAL_KINDS
    assert not set(OPTIONAL_KINDS) & ALWAYS_KINDS
    # Every registered indicator of an optional kind is a tile once its kind has data, in catalogue order.
    keys = tile_keys({"calls"})
    assert keys[:len(HEADLINE)] == HEADLINE and keys[len(HEADLINE):] == CALL_KEYS
    assert tile_keys(set()) == HEADLINE
    for kind in OPTIONAL_KINDS:
        assert {k for k, i in INDICATORS.items() if i.kind == kind} <= set(tile_keys({kind}))


def test_telephony_tiles_show_the_kpi_figures_with_their_thresholds(demo_db: Path) -> None:
    at = run_app(demo_db, PAGE, {"lang": "en", "from": "2025-01", "to": "2025-06"})
    assert_no_exception(at)
    s = open_store(demo_db)
    try:
        expected = kpi_rows(s, Filter("2025-01", "2025-06"), (), CALL_KEYS)[0]
        assert "calls" in kinds_with_data(s)
    finally:
        s.close()
    shown = tiles(at)
    for key in CALL_KEYS:
        assert shown[indicator_name(key, "en")] == format_value(key, expected[key], "en"), key
    text = page_text(at)
    # The thresholds beside the figures (SPEC §3: shown with every telephony figure), and the 80/20 target.
    assert "answered within 20 s" in text and "abandoned after 5 s" in text
    assert "Target ≥ 80.0%" in text


def test_a_center_without_calls_sees_no_telephony_tiles_until_calls_arrive(store, put) -> None:
    put("tickets", [{"ticket_id": f"T{i}", "created_at": T0 + timedelta(hours=i), "channel": "phone",
                     "type": "inquiry"} for i in range(4)])
    path = store.path
    store.close()
    at = run_app(path, PAGE, {"lang": "zh"})
    assert_no_exception(at)
    names = {indicator_name(k, "zh") for k in CALL_KEYS}
    assert indicator_name("tickets", "zh") in tiles(at)
    assert not names & set(tiles(at))            # no empty telephony tiles
    assert "秒即接通" not in page_text(at)

    s = open_store(path)
    try:
        commit_records(s, "calls", pa.Table.from_pylist([
            {"call_id": "C1", "queued_at": T0, "answered_at": T0 + timedelta(seconds=8),
             "ended_at": T0 + timedelta(seconds=120), "direction": "inbound", "queue": "A"}]), source="fixture")
    finally:
        s.close()
    at = run_app(path, PAGE, {"lang": "zh"})
    assert_no_exception(at)
    shown = tiles(at)
    assert names <= set(shown)
    # One call, answered after 8 s: offered 1, service level 1 / 1.
    assert shown[indicator_name("calls_offered", "zh")] == "1"
    assert shown[indicator_name("service_level", "zh")] == "100.0%"
    assert "等待 ≤ 20 秒即接通" in page_text(at)


def test_a_team_filter_says_it_leaves_the_abandoned_calls_out(demo_db: Path) -> None:
    # Abandoned calls reach no agent, so they have no team: under team=一组 the answer rate reads 100 %.
    assert answered_only(Filter(None, None, (("team", ("一组",)),))) == ["team"]
    assert answered_only(Filter(None, None, (("queue", ("A",)), ("channel", ("phone",))))) == []
    assert answered_only(Filter(), ("agent",)) == ["agent"] and answered_only(Filter(), ("month",)) == []
    for page in ("app_pages/telephony.py", None):
        at = run_app(demo_db, page, {"lang": "en", "team": "一组", "from": "2025-01", "to": "2025-06"})
        assert_no_exception(at)
        assert "a filter on team leaves them out" in page_text(at), page
    at = run_app(demo_db, "app_pages/telephony.py", {"lang": "zh", "from": "2025-01", "to": "2025-06"})
    assert "放弃的电话没有接听坐席" not in page_text(at)   # no filter on team, agent or a ticket field
