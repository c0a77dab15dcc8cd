"""Targets (issue 13): a default for every directional indicator, each with its source; migration of old stores."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from csq.configuration import editing as configuration
from csq.errors import InputRefused
from csq.metrics.indicators import INDICATORS
from csq.store import Store, open_store, settings
from csq.store.migrations import latest_version, migration_files
from csq.store.settings import DEFAULT_TARGETS, Target

DEFAULTS = {t.indicator: t for t in DEFAULT_TARGETS}
DAY = date(2025, 6, 1)
# The four targets an older csq seeded (SPEC §4), csat_rate as a user had edited it, and an nps target
# the user had added: the store of a center that has used csq before this change.
OLD_ROWS = [("csat_rate", "higher", 0.85, 0.05), ("frt_median_min", "lower", 5.0, 2.0),
            ("survey_response_rate", "higher", 0.80, 0.05), ("training_pass_rate", "higher", 0.85, 0.05),
            ("nps", "higher", 40.0, 5.0)]


def _old_store(path: Path) -> Path:
    """Return a store file as csq left it before migration 0003: targets without sources."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)")
    for version, name, sql in migration_files():
        if version < 3:
            con.execute(sql)
            con.execute("INSERT INTO schema_version VALUES (?, ?, now())", [version, name])
    con.executemany("INSERT INTO targets VALUES (?, ?, ?, ?)", [list(r) for r in OLD_ROWS])
    con.close()
    return path


def test_every_directional_indicator_has_one_default_target_with_a_source_in_both_languages() -> None:
    directional = {k for k, ind in INDICATORS.items() if ind.better is not None}
    # SPEC §3: 23 indicators, only `tickets` has no better direction; and 6 telephony ones, calls_offered without;
    # and the 3 callback rates and qa_coverage_rate (issue 19)
    assert len(directional) == 31
    assert len(DEFAULT_TARGETS) == len(DEFAULTS) == 31 and set(DEFAULTS) == directional
    assert (DEFAULTS["service_level"].direction, DEFAULTS["service_level"].target) == ("higher", 0.8)  # 80/20
    for t in DEFAULT_TARGETS:
        assert t.direction == INDICATORS[t.indicator].better, t.indicator
        assert t.source.strip() and t.source_zh.strip(), t.indicator
        assert t.warning > 0, t.indicator


def test_defaults_follow_spec_4_where_it_speaks_and_its_sla_limits() -> None:
    # SPEC §4 targets, as the spec states them; their sources name the spec and the document.
    for key, value in (("csat_rate", 0.90), ("frt_median_min", 5.0), ("survey_response_rate", 0.80),
                       ("training_pass_rate", 0.85)):
        assert DEFAULTS[key].target == value and DEFAULTS[key].source.startswith("SPEC §4 · 详细服务方案")
    assert DEFAULTS["csat_rate"].source_zh == "SPEC §4 · 详细服务方案（满意度目标90%）"
    # P90s: the resolution limit of any non-complaint ticket is 120 h (rule 6, 7,200 min); the longest
    # first-response limit outside complaints is 24 h (rules 4 and 6, 1,440 min).
    catch_all = settings.DEFAULT_SLA_RULES[-1]
    assert DEFAULTS["art_p90_h"].target == catch_all.resolution_min / 60 == 120
    assert DEFAULTS["frt_p90_min"].target == max(r.first_response_min for r in settings.DEFAULT_SLA_RULES
                                                 if r.type != "complaint") == 1440
    assert DEFAULTS["servqual_gap"].target == 0.0 and DEFAULTS["servqual_gap"].direction == "higher"
    assert (DEFAULTS["reopen_rate"].target, DEFAULTS["escalation_rate"].target) == (0.05, 0.10)
    assert DEFAULTS["complaint_response_rate_48h"].source_text("zh").startswith("48 小时：SPEC §4 · 客户服务技能培训指南")


def test_a_fresh_store_holds_every_default_target_with_its_source(store: Store) -> None:
    assert settings.targets(store) == DEFAULTS
    assert settings.cleared_targets(store) == {}
    rows = {r["indicator"]: r for r in configuration.target_rows(store, "zh")}
    assert set(rows) == set(DEFAULTS)
    assert rows["fcr_rate"]["target"] == 70.0 and rows["fcr_rate"]["source"] == "行业惯例：一次解决率 ≥ 70%"
    assert rows["art_p90_h"]["target"] == 120.0 and rows["art_p90_h"]["unit"] == "h"
    assert store.scalar("SELECT count(*) FROM audit_log") == 0  # seeding a new store is not an edit


def test_an_old_store_gains_the_missing_defaults_and_keeps_what_the_user_set(tmp_path: Path) -> None:
    store = open_store(_old_store(tmp_path / "old.duckdb"))
    assert store.scalar("SELECT max(version) FROM schema_version") == latest_version()
    now = settings.targets(store)
    assert set(now) == set(DEFAULTS)  # 4 old defaults + nps kept, 26 added
    edited = now["csat_rate"]
    assert (edited.target, edited.warning) == (0.85, 0.05)
    assert edited.source == "edited before csq recorded sources (not the default)"
    assert (now["nps"].target, now["nps"].warning) == (40.0, 5.0)
    assert now["nps"].source_text("zh") == "在 csq 记录来源之前已修改（非默认值）"
    for key in ("frt_median_min", "survey_response_rate", "training_pass_rate", "fcr_rate", "art_p90_h"):
        assert now[key] == DEFAULTS[key], key  # unchanged old rows get the default's source
    added = store.rows("SELECT details FROM audit_log WHERE action = 'settings.targets_added'")
    assert len(json.loads(added[0][0])["added"]) == 31 - 5
    store.close()
    store = open_store(tmp_path / "old.duckdb")  # a second open migrates nothing and changes nothing
    assert settings.targets(store) == now
    assert store.scalar("SELECT count(*) FROM audit_log") == 1
    store.close()


def test_a_removed_target_stays_removed_when_defaults_are_seeded_again(store: Store) -> None:
    kept = [t for t in DEFAULT_TARGETS if t.indicator != "reopen_rate"]
    kept[0] = Target(kept[0].indicator, kept[0].direction, 8.0, 2.0, "team plan 2025")  # frt_median_min
    settings.set_targets(store, kept, "mgr", role="manager", today=DAY)
    gone = settings.cleared_targets(store)["reopen_rate"]
    assert gone.source == "removed in Settings by mgr on 2025-06-01"
    assert gone.source_text("zh") == "由 mgr 于 2025-06-01 在设置页取消"
    before = settings.targets(store)
    settings.seed_defaults(store)  # what every later migration runs
    assert settings.targets(store) == before and "reopen_rate" not in before
    assert before["frt_median_min"] == Target("frt_median_min", "lower", 8.0, 2.0, "team plan 2025", "team plan 2025")
    row = next(r for r in configuration.target_rows(store) if r["indicator"] == "reopen_rate")
    assert row["target"] is None and row["direction"] == "lower" and row["source"] == gone.source
    # Saving the page again keeps the first removal's date.
    settings.set_targets(store, kept, "boss", role="manager", today=date(2025, 7, 1))
    assert settings.cleared_targets(store)["reopen_rate"] == gone


def test_an_edited_value_is_stamped_an_unchanged_one_keeps_its_source(store: Store) -> None:
    new = [t if t.indicator != "csat_rate" else Target("csat_rate", "higher", 0.85, 0.05) for t in DEFAULT_TARGETS]
    settings.set_targets(store, new, "mgr", role="manager", today=DAY)
    now = settings.targets(store)
    assert now["csat_rate"].source == "set in Settings by mgr on 2025-06-01"
    assert now["csat_rate"].source_zh == "由 mgr 于 2025-06-01 在设置页设定"
    assert now["nps"] == DEFAULTS["nps"]
    # Saved again a month later without a change: the stamp stays; back to the default: the default's source.
    again = [Target(t.indicator, t.direction, t.target, t.warning) for t in now.values()]
    settings.set_targets(store, again, "boss", role="manager", today=date(2025, 7, 1))
    assert settings.targets(store)["csat_rate"].source == "set in Settings by mgr on 2025-06-01"
    settings.set_targets(store, [Target("csat_rate", "higher", 0.90, 0.05)], "boss", role="manager")
    assert settings.targets(store)["csat_rate"] == DEFAULTS["csat_rate"]
    # A band-only change is a change too.
    settings.set_targets(store, [Target("csat_rate", "higher", 0.90, 0.03)], "boss", role="manager", today=DAY)
    assert settings.targets(store)["csat_rate"].source == "set in Settings by boss on 2025-06-01"


def test_the_settings_table_stamps_edits_and_keeps_a_typed_source(store: Store) -> None:
    rows = {r["indicator"]: r for r in configuration.target_rows(store, "zh")}
    rows["csat_rate"]["target"] = 85.0  # source cell left as shown (Chinese)
    rows["nps"]["source"] = "2025 年度经营计划"
    rows["qa_score"]["target"] = 80.0
    rows["qa_score"]["source"] = "  "  # emptied: treated as untouched
    rows["reopen_rate"]["target"] = None
    configuration.save_targets(store, list(rows.values()), role="manager", user="mgr", lang="zh")
    now = settings.targets(store)
    stamp = f"set in Settings by mgr on {date.today().isoformat()}"
    assert now["csat_rate"].target == pytest.approx(0.85) and now["csat_rate"].source == stamp
    assert now["qa_score"].target == 80.0 and now["qa_score"].source == stamp
    assert now["nps"].target == 30.0 and now["nps"].source == now["nps"].source_zh == "2025 年度经营计划"
    assert now["fcr_rate"] == DEFAULTS["fcr_rate"] and "reopen_rate" not in now
    details = json.loads(str(store.scalar("SELECT details FROM audit_log WHERE action = 'settings.targets'")))
    assert details["removed"] == ["reopen_rate"]
    assert {d["indicator"]: d["source"] for d in details["before"]}["csat_rate"] == DEFAULTS["csat_rate"].source


def test_reset_restores_every_default_and_forgets_removals(store: Store) -> None:
    settings.set_targets(store, [Target("csat_rate", "higher", 0.75, 0.1)], "mgr", role="manager", today=DAY)
    assert set(settings.targets(store)) == {"csat_rate"} and len(settings.cleared_targets(store)) == 30
    settings.reset_defaults(store, "boss", role="admin")
    assert settings.targets(store) == DEFAULTS and settings.cleared_targets(store) == {}
    settings.set_targets(store, [], "mgr", role="manager", today=DAY)
    configuration.reset_targets(store, role="manager", user="mgr")
    assert settings.targets(store) == DEFAULTS and settings.cleared_targets(store) == {}


def test_refused_targets_change_nothing(store: Store) -> None:
    with pytest.raises(InputRefused, match="Two targets for nps"):
        settings.set_targets(store, [DEFAULTS["nps"], DEFAULTS["nps"]], role="manager")
    with pytest.raises(InputRefused, match="not a number"):
        settings.set_targets(store, [Target("nps", "higher", float("nan"), 5.0)], role="manager")
    with pytest.raises(InputRefused, match="warning band"):
        settings.set_targets(store, [Target("nps", "higher", 30.0, -1.0)], role="manager")
    assert settings.targets(store) == DEFAULTS
