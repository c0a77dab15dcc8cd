"""Settings: the telephony thresholds (SPEC §3) and the callback and QA-sample numbers (SPEC §4d) — the editor's
csq functions, the page, and `settings export/import` carrying the same keys, each refused whole when invalid."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from csq.configuration import numbers
from csq.errors import InputRefused, NotAllowed
from csq.metrics.calls import thresholds
from csq.metrics.engine import compute
from csq.metrics.filters import Filter
from csq.store import open_store
from csq.store.settings import get_setting
from tests.apptest import assert_no_exception, page_text, run_app
from tests.support import run_cli, snapshot

DEFAULTS = {"short_abandon_s": 5, "service_level_s": 20, "callbacks_per_agent": 5, "callback_followup_days": 3,
            "qa_sample_per_agent": 5, "qa_new_agent_factor": 2, "qa_new_agent_days": 90}   # SPEC §3, §4d
T0 = datetime(2025, 3, 3, 10, 0)


def test_the_editor_lists_every_number_with_its_stored_value(store) -> None:
    got = {n.key: n.value for n in numbers.number_settings(store)}
    assert got == DEFAULTS
    kinds = {n.key: (n.group, n.whole, n.low, n.high) for n in numbers.number_settings(store)}
    assert kinds["service_level_s"] == ("telephony", False, 0, 3600)
    assert kinds["callback_followup_days"] == ("callbacks", True, 1, 60)
    assert kinds["qa_new_agent_days"] == ("qa", True, 0, 730)


def test_saving_changes_the_figures_and_is_audited_as_one_change(store, put) -> None:
    # Two answered calls, waiting 10 s and 25 s: service level 1 / 2 at 20 s, 2 / 2 at 30 s.
    put("calls", [{"call_id": f"C{w}", "queued_at": T0, "answered_at": T0 + timedelta(seconds=w),
                   "ended_at": T0 + timedelta(seconds=w + 100), "direction": "inbound"} for w in (10, 25)])
    sl = lambda: compute(store, Filter(), (), ["service_level"])[0].value("service_level")  # noqa: E731
    assert sl() == 0.5
    written = numbers.save_numbers(store, {**DEFAULTS, "service_level_s": 30.0, "qa_sample_per_agent": 8},
                                   role="admin", user="lin")
    assert written == ["service_level_s", "qa_sample_per_agent"]     # only what changed
    assert get_setting(store, "service_level_s") == 30 and get_setting(store, "qa_sample_per_agent") == 8
    assert thresholds(store).service_level_s == 30.0 and sl() == 1.0
    [(action, who, details)] = store.rows(
        "SELECT action, user_name, details FROM audit_log WHERE action = 'settings.numbers'")
    assert who == "lin" and json.loads(details)["after"] == {"service_level_s": 30, "qa_sample_per_agent": 8}
    assert numbers.save_numbers(store, {"service_level_s": 30}, role="admin") == []   # unchanged: no write


@pytest.mark.parametrize("bad", [{"qa_sample_per_agent": 0}, {"callbacks_per_agent": 5.5},
                                 {"short_abandon_s": -1}, {"service_level_s": 4000}, {"qa_new_agent_days": True},
                                 {"queue_limit": 3}])
def test_an_invalid_value_is_refused_whole(store, bad: dict[str, object]) -> None:
    before = snapshot(store)
    with pytest.raises(InputRefused):
        numbers.save_numbers(store, {"service_level_s": 30, **bad}, role="admin")   # the valid one is not saved
    assert snapshot(store) == before


@pytest.mark.parametrize("role", ["manager", "analyst", "viewer"])
def test_only_settings_roles_may_save(store, role: str) -> None:
    before = snapshot(store)
    with pytest.raises(NotAllowed):
        numbers.save_numbers(store, {"service_level_s": 30}, role=role)
    assert snapshot(store) == before


def test_settings_export_and_import_carry_the_numbers_and_refuse_a_bad_one_whole(new_db, tmp_path: Path) -> None:
    db = new_db("numbers.duckdb")
    out = tmp_path / "s.json"
    assert run_cli("settings", "export", str(out), db=db).returncode == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert {k: doc[k] for k in DEFAULTS} == DEFAULTS
    bad = {**doc, "service_level_s": 30, "callback_followup_days": 0}   # 0 is outside 1–60
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    raw = db.read_bytes()
    result = run_cli("settings", "import", str(path), db=db)
    assert result.returncode == 2 and "callback_followup_days" in result.stderr
    assert db.read_bytes() == raw   # nothing written, not even the valid service_level_s
    good = {**doc, "service_level_s": 30, "callback_followup_days": 7}
    path.write_text(json.dumps(good), encoding="utf-8")
    assert run_cli("settings", "import", str(path), db=db).returncode == 0
    s = open_store(db)
    try:
        assert get_setting(s, "service_level_s") == 30 and get_setting(s, "callback_followup_days") == 7
    finally:
        s.close()


@pytest.fixture
def db(store, put) -> Path:
    put("tickets", [{"ticket_id": "T1", "created_at": T0, "channel": "phone", "type": "inquiry"}])
    path = store.path
    store.close()
    return path


def test_page_shows_the_numbers_for_admin_and_locks_them_for_a_manager(db: Path) -> None:
    at = run_app(db, page="app_pages/settings.py", role="admin", params={"lang": "en"})
    assert_no_exception(at)
    assert all(f"**{g}**" in page_text(at) for g in ("Telephony thresholds", "Callbacks", "QA sample"))
    for key, value in DEFAULTS.items():
        assert at.number_input(key=f"settings_num_{key}_0").value == value, key
    assert at.button(key="settings_save_numbers").disabled   # nothing changed yet
    at.number_input(key="settings_num_service_level_s_0").set_value(30.0).run()
    assert_no_exception(at)
    assert not at.button(key="settings_save_numbers").disabled
    at.button(key="settings_save_numbers").click().run()
    assert_no_exception(at)
    assert "Telephony thresholds and callback and QA-sample numbers saved." in page_text(at)
    s = open_store(db)
    try:
        assert get_setting(s, "service_level_s") == 30
        assert s.scalar("SELECT count(*) FROM audit_log WHERE action = 'settings.numbers'") == 1
    finally:
        s.close()
    manager = run_app(db, page="app_pages/settings.py", role="manager", params={"lang": "en"})
    assert_no_exception(manager)
    assert manager.number_input(key="settings_num_service_level_s_0").disabled
    assert manager.button(key="settings_save_numbers").disabled
