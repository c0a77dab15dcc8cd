"""SPEC §9 on the dashboard: it holds no lock between runs, and each session sees new data at its next rerun."""
from __future__ import annotations

from pathlib import Path

from csq.dashboard.state import View
from csq.store import open_store, published
from tests.apptest import run_app
from tests.support import SAMPLES, run_cli


def _view(at) -> View:  # noqa: ANN001 - an AppTest
    return at.session_state["_csq_view"]


def test_while_the_dashboard_is_open_a_cli_import_commits_and_the_next_rerun_shows_it(demo_copy: Path) -> None:
    at = run_app(demo_copy)
    assert not at.exception
    first = _view(at)
    assert first.store.read_only and first.store.path.parent == published.folder(demo_copy)
    tickets = int(first.store.scalar("SELECT count(*) FROM tickets_current"))  # type: ignore[arg-type]
    # A real second process: DuckDB's lock is per process, so this would exit 3 if the dashboard held the store.
    proc = run_cli("import", str(SAMPLES / "tickets_2025-04.xlsx"), "--kind", "tickets", db=demo_copy, process=True,
                   env={"CSQ_LOCK_TIMEOUT": "0"})
    assert proc.returncode == 0, proc.stderr
    assert run_cli("kpi", "--indicators", "tickets", db=demo_copy, process=True,
                   env={"CSQ_LOCK_TIMEOUT": "0"}).returncode == 0
    at.run()  # the old session's next rerun
    second = _view(at)
    assert second.version[1] == first.version[1] + 1 and second.store.path != first.store.path
    store = open_store(demo_copy, read_only=True)
    now = store.scalar("SELECT count(*) FROM tickets_current")
    store.close()
    assert second.store.scalar("SELECT count(*) FROM tickets_current") == now > tickets
    assert first.store.scalar("SELECT count(*) FROM tickets_current") == tickets  # that run's copy never moved
    fresh = run_app(demo_copy)  # a new session sees it too
    assert _view(fresh).version == second.version


def test_a_write_from_a_page_takes_the_lock_only_for_its_transaction(demo_copy: Path) -> None:
    at = run_app(demo_copy, "app_pages/settings.py")
    assert not at.exception
    before = _view(at).version[1]
    at.button(key="settings_reset_targets").click().run()
    assert not at.exception
    assert _view(at).version[1] > before  # the page's own write is read back at its rerun
    proc = run_cli("batches", db=demo_copy, process=True, env={"CSQ_LOCK_TIMEOUT": "0"})
    assert proc.returncode == 0, proc.stderr  # and the lock went with the transaction
