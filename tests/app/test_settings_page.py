"""Settings: targets, SLA rules with validation and match preview, weights, timezone, roles, and the page."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from csq.configuration import editing as configuration
from csq.errors import InputRefused, NotAllowed
from csq.evaluation import scorecard
from csq.metrics.filters import Filter
from csq.store import settings
from tests.apptest import assert_no_exception, page_text, run_app
from tests.support import cli_json, kpi_rows

T0 = datetime(2025, 3, 3, 9, 0)


def _ticket(i: int, channel: str, type_: str, frt_min: float | None) -> dict[str, object]:
    return {"ticket_id": f"T{i}", "created_at": T0 + timedelta(hours=i), "channel": channel, "type": type_,
            "first_response_at": None if frt_min is None else T0 + timedelta(hours=i, minutes=frt_min)}


def _rows_with(store, **change: object) -> list[dict[str, object]]:
    rows = configuration.rule_rows(store)
    rows[0].update(change)
    return rows


def test_target_rows_show_rates_in_percent_and_save_back_as_fractions(store) -> None:
    rows = {r["indicator"]: r for r in configuration.target_rows(store)}
    assert rows["csat_rate"]["target"] == 90.0 and rows["csat_rate"]["warning"] == 5.0
    assert rows["frt_median_min"]["target"] == 5.0 and rows["frt_median_min"]["direction"] == "lower"
    assert rows["nps"]["target"] == 30.0 and "tickets" not in rows  # every directional indicator has one
    rows["csat_rate"]["target"] = 85.0
    rows["nps"]["target"] = 40.0
    configuration.save_targets(store, list(rows.values()), role="manager", user="mgr")
    now = settings.targets(store)
    assert now["csat_rate"].target == pytest.approx(0.85) and now["nps"].target == 40.0
    logged = store.rows("SELECT user_name, action FROM audit_log WHERE action = 'settings.targets'")
    assert logged == [("mgr", "settings.targets")]


def test_only_target_roles_may_change_targets_and_only_admin_the_rest(store) -> None:
    rows = configuration.target_rows(store)
    with pytest.raises(NotAllowed):
        configuration.save_targets(store, rows, role="analyst")
    with pytest.raises(NotAllowed):
        configuration.save_sla_rules(store, configuration.rule_rows(store), role="manager")
    with pytest.raises(NotAllowed):
        configuration.save_timezone(store, "Europe/Paris", role="manager")
    with pytest.raises(NotAllowed):
        configuration.reset_all(store, role="manager")
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action LIKE 'settings%'") == 0


def test_rule_validation_refuses_negative_limits_and_repeated_matches(store) -> None:
    with pytest.raises(InputRefused, match="negative"):
        configuration.rules_from_rows(_rows_with(store, first_response_min=-1))
    twice = configuration.rule_rows(store)
    twice.append(dict(twice[0]))
    with pytest.raises(InputRefused, match="same tickets"):
        configuration.rules_from_rows(twice)
    # Blank cells from the editor (None, NaN, "") mean "any" and "not set"; empty rows are dropped.
    rules = configuration.rules_from_rows([*configuration.rule_rows(store),
                                           {"channel": "", "type": float("nan"), "priority": None}])
    assert rules == list(settings.DEFAULT_SLA_RULES)


def test_rule_preview_counts_matches_and_the_rule_deciding_each_limit(store, put) -> None:
    put("tickets", [_ticket(1, "phone", "complaint", 1), _ticket(2, "chat", "inquiry", 1),
                    _ticket(3, "email", "complaint", 1), _ticket(4, "email", "inquiry", 1)])
    got = configuration.rule_preview(store, settings.sla_rules(store))
    # Rule 1 (phone) beats rule 5 (complaint) for the phone complaint's first response: equal
    # specificity, listed first. Only rules 5 and 6 set a resolution limit.
    assert got == [{"matches": 1, "sets_first_response": 1, "sets_resolution": 0},
                   {"matches": 1, "sets_first_response": 1, "sets_resolution": 0},
                   {"matches": 0, "sets_first_response": 0, "sets_resolution": 0},
                   {"matches": 0, "sets_first_response": 0, "sets_resolution": 0},
                   {"matches": 2, "sets_first_response": 1, "sets_resolution": 2},
                   {"matches": 4, "sets_first_response": 1, "sets_resolution": 2}]


def test_phone_limit_2_to_3_minutes_changes_frt_sla_rate_and_is_audited(store, put, tmp_path: Path) -> None:
    put("tickets", [_ticket(1, "phone", "inquiry", 1), _ticket(2, "phone", "inquiry", 2.5),
                    _ticket(3, "phone", "inquiry", 4), _ticket(4, "email", "inquiry", 30)])
    f = Filter("2025-03", "2025-03")
    before = kpi_rows(store, f, indicators=["frt_sla_rate"])[0]
    assert before["frt_sla_rate"] == pytest.approx(2 / 4)  # phone 1 min met, 2.5 and 4 breached; email met
    configuration.save_sla_rules(store, _rows_with(store, first_response_min=3), role="admin", user="boss")
    after = kpi_rows(store, f, indicators=["frt_sla_rate"])[0]
    assert after["frt_sla_rate"] == pytest.approx(3 / 4) and after["n"]["frt_sla_rate"] == 4
    entry = store.rows("SELECT user_name, details FROM audit_log WHERE action = 'settings.sla_rules'")
    assert entry[0][0] == "boss"
    details = json.loads(entry[0][1])
    assert details["before"][0]["first_response_min"] == 2 and details["after"][0]["first_response_min"] == 3
    db = store.path
    store.close()
    out = cli_json("kpi", "--from", "2025-03", "--to", "2025-03", "--indicators", "frt_sla_rate", db=db)
    assert out[0]["frt_sla_rate"] == pytest.approx(0.75)


def test_timezone_weights_and_reset_to_defaults(store) -> None:
    configuration.save_timezone(store, "Europe/Paris", role="admin")
    with pytest.raises(InputRefused):
        configuration.save_timezone(store, "Mars/Olympus", role="admin")
    w = {**scorecard.DEFAULT_WEIGHTS, "qa_score": 50.0}
    configuration.save_scoring(store, w, {"excellent": 95, "good": 85, "pass": 70}, role="admin")
    with pytest.raises(InputRefused):
        configuration.save_scoring(store, {**w, "csat_rate": -1}, scorecard.DEFAULT_BANDS, role="admin")
    configuration.save_sla_rules(store, _rows_with(store, first_response_min=3), role="admin")
    assert settings.get_setting(store, "timezone") == "Europe/Paris" and scorecard.weights(store)["qa_score"] == 50
    configuration.reset_all(store, role="admin")
    assert settings.get_setting(store, "timezone") == "Asia/Shanghai"
    assert settings.sla_rules(store) == list(settings.DEFAULT_SLA_RULES)
    assert scorecard.weights(store) == scorecard.DEFAULT_WEIGHTS
    assert scorecard.grade_bands(store) == scorecard.DEFAULT_BANDS
    assert settings.targets(store) == {t.indicator: t for t in settings.DEFAULT_TARGETS}


@pytest.fixture
def db(store, put) -> Path:
    put("tickets", [_ticket(i, "phone", "inquiry", 1) for i in range(5)])
    path = store.path
    store.close()
    return path


def test_page_for_admin_shows_every_section_with_current_values(db: Path) -> None:
    at = run_app(db, page="app_pages/settings.py", role="admin")
    assert_no_exception(at)
    text = page_text(at)
    assert "SLA 规则" in text and "规则预览" in text and "评分权重" in text
    assert at.selectbox(key="settings_tz_0").value == "Asia/Shanghai"
    assert at.number_input(key="settings_w_qa_score_0").value == 25.0
    assert not at.button(key="settings_save_rules").disabled
    # Button clicks are not asserted here: under the current tests/apptest.py a page run is rerun
    # through app.py and the click is lost. The csq functions behind each button are tested above.


def test_page_for_manager_edits_targets_only(db: Path) -> None:
    at = run_app(db, page="app_pages/settings.py", role="manager")
    assert_no_exception(at)
    assert "只有管理员可以修改" in page_text(at)
    assert not at.button(key="settings_save_targets").disabled
    assert at.button(key="settings_save_rules").disabled and at.button(key="settings_save_tz").disabled
    assert at.button(key="settings_reset_all").disabled


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_page_refuses_roles_without_target(db: Path, role: str) -> None:
    at = run_app(db, page="app_pages/settings.py", role=role)
    assert f"「{role}」无权使用此页面" in page_text(at)
    assert not at.button
