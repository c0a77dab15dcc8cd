"""Callbacks page (/callbacks) in a real browser: both languages, the tiles equal to `kpi` for the as-of quarter,
the menu entry, the second-callbacks tab, and the admin's callers' list written to the audit log."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from csq.callbacks.progress import planned_quarters
from csq.callbacks.quarters import Quarter
from csq.metrics.callbacks import CALLBACK_KEYS
from csq.metrics.display import format_value
from csq.store import open_store
from tests.browser.conftest import exceptions, settle
from tests.support import ROOT


def _open(page, base: str, lang: str) -> None:
    page.goto(f"{base}/callbacks?lang={lang}")
    settle(page)
    page.get_by_text("季度趋势" if lang == "zh" else "Trend by quarter", exact=False).first.wait_for(state="attached")
    settle(page)


def _cli(db: Path, *args: str) -> object:
    copy = db.with_name("cb_cli_copy.duckdb")   # the dashboard holds the store; read a copy
    copy.write_bytes(db.read_bytes())
    out = subprocess.run([sys.executable, "-m", "csq", *args, "--json", "--db", str(copy)], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def _newest_plan(db: Path) -> str:
    copy = db.with_name("cb_plan_copy.duckdb")
    copy.write_bytes(db.read_bytes())
    store = open_store(copy, read_only=True)
    try:
        return planned_quarters(store)[0]
    finally:
        store.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_callbacks_page_in_both_languages_matches_the_cli(server: str, page, demo_db: Path, lang: str) -> None:
    _open(page, server, lang)
    assert exceptions(page) == []
    body = page.inner_text("body")
    assert ("客户回访" if lang == "zh" else "Callbacks") in body
    q = Quarter.parse(_newest_plan(demo_db))   # the page opens on the as-of quarter: the demo's last planned one
    row = _cli(demo_db, "kpi", "--from", q.months[0], "--to", q.months[1], "--indicators",
               ",".join(CALLBACK_KEYS))[0]  # type: ignore[index]
    tiles = [e.inner_text().strip() for e in page.query_selector_all('[data-testid="stMetricValue"]')]
    assert tiles == [format_value(k, row[k], lang) for k in CALLBACK_KEYS]
    assert page.locator('[data-testid="stSidebarNav"] a[href$="/callbacks"]').count() == 1
    page.get_by_role("tab", name="二次回访" if lang == "zh" else "Second callbacks").click()
    settle(page)
    second = page.inner_text("body")
    assert ("需要二次回访" if lang == "zh" else "Second callbacks needed") in second
    assert exceptions(page) == []


def test_the_callers_list_is_exported_and_audited(writable_server: tuple[str, Path], page) -> None:
    base, db = writable_server
    _open(page, base, "en")
    page.get_by_role("button", name="Export the callers' list").click()
    settle(page)
    page.get_by_text("The callers' list is ready", exact=False).first.wait_for()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the callers' list").click()
    data = Path(info.value.path()).read_bytes()
    text = data.decode("utf-8-sig")
    assert text.startswith("\"callback_id\",") and "customer_phone" in text and "****" not in text   # admin: unmasked
    copy = db.with_name("audit_copy.duckdb")
    copy.write_bytes(db.read_bytes())
    wal = db.with_name(db.name + ".wal")
    if wal.exists():   # the dashboard's commit may still be in the write-ahead log
        copy.with_name(copy.name + ".wal").write_bytes(wal.read_bytes())
    store = open_store(copy, read_only=True)
    try:
        assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'callbacks.export'") == 1
    finally:
        store.close()
