"""Issue 8: every write in csq checks the role itself (SPEC §8), so no path around a page can write.

For each write function: the viewer and a wrong role get NotAllowed and the store is exactly unchanged;
the right role succeeds and the change is really there. Role None means the process role ($CSQ_ROLE).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from csq.core import roles
from csq.demo import generate as demo
from csq.errors import NotAllowed, NotFound
from csq.improvement import actions
from csq.ingest import history, importer, mapping
from csq.ingest import inspection as preview
from csq.ingest.mapping import Mapping
from csq.store import Store, batches, retention, settings
from csq.store.settings import SlaRule, Target
from tests.support import SAMPLES, run_cli, snapshot

GBK = SAMPLES / "tickets_2025-03_gbk.csv"
ACTIONS_CSV = SAMPLES / "actions.csv"
DEMO = {"months": 2, "scale": 0.02, "end": date(2025, 6, 20)}
NEW_RULES = [SlaRule(first_response_min=30, resolution_min=600)]
NEW_TARGETS = [Target("csat_rate", "higher", 0.75, 0.1)]


def _import_files(store: Store, role: str | None) -> object:
    return importer.import_files(store, [GBK], "tickets", role=role)[0].status


def _dry_run(store: Store, role: str | None) -> object:
    return importer.import_files(store, [GBK], "tickets", dry_run=True, role=role)[0].status


def _import_bytes(store: Store, role: str | None) -> object:
    return importer.import_bytes(store, GBK.read_bytes(), GBK.name, "tickets", role=role).status


def _commit_prepared(store: Store, role: str | None) -> object:
    data = GBK.read_bytes()
    p = importer.check_against_store(store, importer.prepare(data, GBK.name, "tickets"))
    return importer.commit_prepared(store, p, data, role=role).status


def _page_commit(store: Store, role: str | None) -> object:
    insp = preview.inspect(store, GBK.read_bytes(), GBK.name, "tickets")
    return preview.commit(store, insp, GBK.read_bytes(), role=role).status  # type: ignore[arg-type]


def _import_actions(store: Store, role: str | None) -> object:
    return importer.import_bytes(store, ACTIONS_CSV.read_bytes(), "actions.csv", "actions", role=role).status


def _rollback(store: Store, role: str | None) -> object:
    return batches.rollback(store, _last_batch(store), role=role)["rows_removed"]


def _page_rollback(store: Store, role: str | None) -> object:
    return history.rollback(store, _last_batch(store), role=role)["rows_removed"]  # type: ignore[arg-type]


def _save_preset(store: Store, role: str | None) -> object:
    mapping.save_preset(store, "monthly", Mapping(kind="tickets", columns={"ticket_id": "工单编号"}), role=role)
    return mapping.get_preset(store, "monthly").columns


def _delete_preset(store: Store, role: str | None) -> object:
    mapping.delete_preset(store, "kept", role=role)
    return "kept" in mapping.list_presets(store)


def _sla_rules(store: Store, role: str | None) -> object:
    settings.set_sla_rules(store, NEW_RULES, role=role)
    return settings.sla_rules(store)


def _targets(store: Store, role: str | None) -> object:
    settings.set_targets(store, NEW_TARGETS, role=role)
    return settings.targets(store)["csat_rate"].target


def _timezone(store: Store, role: str | None) -> object:
    settings.set_setting(store, "timezone", "Europe/Paris", role=role)
    return settings.get_setting(store, "timezone")


def _reset(store: Store, role: str | None) -> object:
    settings.reset_defaults(store, role=role)
    return settings.sla_rules(store)


def _demo(store: Store, role: str | None) -> object:
    return demo.generate(store, role=role, **DEMO)["agents"]  # type: ignore[arg-type]


def _demo_reset(store: Store, role: str | None) -> object:
    demo.reset_records(store, role=role)
    return store.scalar("SELECT count(*) FROM batches")


def _create_action(store: Store, role: str | None) -> object:
    made = actions.create(store, {"title": "回访话术", "cause_category": "process"}, role=role)  # type: ignore[arg-type]
    return made["title"]


def _last_batch(store: Store) -> int:
    return int(store.scalar("SELECT max(batch_id) FROM batches"))  # type: ignore[arg-type]


def _with_batch(store: Store) -> None:
    importer.import_file(store, GBK, "tickets", role="admin")


def _with_preset(store: Store) -> None:
    mapping.save_preset(store, "kept", Mapping(kind="tickets"), role="admin")


def _with_other_rules(store: Store) -> None:
    settings.set_sla_rules(store, NEW_RULES, role="admin")


# (write, store set-up, roles refused, role allowed, what the allowed write returns)
CASES: list[tuple[Callable[[Store, str | None], object], Callable[[Store], None] | None, tuple[str, ...], str,
                  object]] = [
    (_import_files, None, ("viewer", "manager"), "analyst", "committed"),
    (_dry_run, None, ("viewer", "manager"), "analyst", "dry_run"),
    (_import_bytes, None, ("viewer", "manager"), "analyst", "committed"),
    (_commit_prepared, None, ("viewer", "manager"), "admin", "committed"),
    (_page_commit, None, ("viewer", "manager"), "analyst", "committed"),
    # An action file only changes actions, which a manager may change (SPEC §8); a viewer may not.
    (_import_actions, None, ("viewer",), "manager", "committed"),
    (_rollback, _with_batch, ("viewer", "manager"), "analyst", 3000),
    (_page_rollback, _with_batch, ("viewer", "manager"), "analyst", 3000),
    (_save_preset, None, ("viewer", "manager"), "analyst", {"ticket_id": "工单编号"}),
    (_delete_preset, _with_preset, ("viewer", "manager"), "analyst", False),
    (_sla_rules, None, ("viewer", "analyst", "manager"), "admin", NEW_RULES),
    (_targets, None, ("viewer", "analyst"), "manager", 0.75),
    (_timezone, None, ("viewer", "analyst", "manager"), "admin", "Europe/Paris"),
    (_reset, _with_other_rules, ("viewer", "analyst", "manager"), "admin", list(settings.DEFAULT_SLA_RULES)),
    (_demo, None, ("viewer", "manager"), "analyst", 66),  # 60 active agents, 6 who left
    (_demo_reset, _with_batch, ("viewer", "manager"), "analyst", 0),
    (_create_action, None, ("viewer",), "manager", "回访话术"),
]


@pytest.mark.parametrize(("write", "setup", "refused", "allowed", "result"), CASES,
                         ids=[c[0].__name__.strip("_") for c in CASES])
def test_a_write_refuses_the_wrong_roles_and_changes_nothing(store: Store, write, setup, refused, allowed,
                                                             result) -> None:
    if setup is not None:
        setup(store)
    before = snapshot(store)
    for role in refused:
        with pytest.raises(NotAllowed) as caught:
            write(store, role)
        assert f"«{role}»" in caught.value.message and caught.value.fix
        assert snapshot(store) == before, f"{write.__name__} wrote something for {role}"
    assert write(store, allowed) == result
    assert (snapshot(store) != before) == (write is not _dry_run)  # a dry run writes nothing, even when allowed


def test_a_refused_import_archives_no_raw_file(store: Store) -> None:
    with pytest.raises(NotAllowed):
        importer.import_file(store, GBK, "tickets", role="viewer")
    assert not batches.raw_dir(store).exists() or not any(batches.raw_dir(store).iterdir())


def test_a_rollback_refusal_comes_before_looking_up_the_batch(store: Store) -> None:
    # A viewer learns nothing about which batches exist: the role is checked first.
    with pytest.raises(NotAllowed):
        batches.rollback(store, 999, role="viewer")
    with pytest.raises(NotFound):
        batches.rollback(store, 999, role="analyst")


def test_no_role_means_the_process_role(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(store)
    monkeypatch.setenv("CSQ_ROLE", "viewer")
    with pytest.raises(NotAllowed):
        importer.import_file(store, GBK, "tickets")
    with pytest.raises(NotAllowed):
        settings.set_setting(store, "timezone", "Europe/Paris")
    monkeypatch.setenv("CSQ_ROLE", "manager")
    with pytest.raises(NotAllowed):
        settings.set_sla_rules(store, NEW_RULES)
    assert snapshot(store) == before
    settings.set_targets(store, NEW_TARGETS)  # a manager may
    monkeypatch.delenv("CSQ_ROLE")  # local mode without a role configured: admin
    assert importer.import_file(store, GBK, "tickets").status == "committed"


def test_an_unknown_role_may_nothing(store: Store) -> None:
    before = snapshot(store)
    for what in ("import", "rollback", "preset", "action", "target", "settings", "unmask", "purge", "qa_sample"):
        with pytest.raises(NotAllowed):
            roles.require("superuser", what)
    with pytest.raises(NotAllowed):
        importer.import_file(store, GBK, "tickets", role="superuser")
    assert snapshot(store) == before


def test_retention_refuses_all_but_admin(store: Store) -> None:
    _with_batch(store)
    before = snapshot(store)
    for role in ("viewer", "analyst", "manager"):
        with pytest.raises(NotAllowed):
            retention.purge_before(store, date(2025, 3, 20), role)
    assert snapshot(store) == before


def _cli_refused(db: Path, *args: str) -> None:
    proc = run_cli(*args, db=db, env={"CSQ_ROLE": "viewer"})
    assert proc.returncode == 2, proc.stderr + proc.stdout
    assert "«viewer»" in proc.stderr and "What to do:" in proc.stderr


def test_the_cli_as_viewer_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "cli.duckdb"
    proc = run_cli("import", str(GBK), "--kind", "tickets", db=db, env={"CSQ_ROLE": "analyst"})
    assert proc.returncode == 0, proc.stderr
    from csq.store import open_store

    s = open_store(db, read_only=True)
    before = snapshot(s)
    s.close()
    _cli_refused(db, "import", str(SAMPLES / "tickets_2025-04.xlsx"), "--kind", "tickets")
    _cli_refused(db, "rollback", "1")
    _cli_refused(db, "demo", "--force", "--months", "1", "--scale", "0.01")
    s = open_store(db, read_only=True)
    try:
        assert snapshot(s) == before
        assert s.scalar("SELECT count(*) FROM batches") == 1
    finally:
        s.close()
    # The real `python -m csq` process, so the exit status is the one a script or cron job sees.
    proc = run_cli("import", str(GBK), "--kind", "tickets", "--json", db=db, env={"CSQ_ROLE": "viewer"}, process=True)
    assert proc.returncode == 2 and '"exit_code": 2' in proc.stdout
