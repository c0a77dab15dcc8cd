"""Satisfaction page in a real browser: both languages, tiles equal to the CLI, search, phone width, no surveys."""
from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyarrow as pa
import pytest

from csq.metrics.choices import catalog
from csq.metrics.display import format_value
from csq.metrics.filters import Filter
from csq.satisfaction.analysis import KEYS, comments
from csq.store import open_store
from csq.store.batches import commit_records
from tests.browser.conftest import exceptions, settle, start_server
from tests.support import ROOT


def _open(page, base: str, query: str, last: str | None = None) -> None:
    page.goto(base + "/satisfaction?" + query)
    settle(page)
    lang = "en" if "lang=en" in query else "zh"
    # Sections render one after another; wait for the last one before reading the page.
    wanted = last or ("Comments" if lang == "en" else "客户评价")
    page.get_by_text(wanted, exact=False).first.wait_for()
    settle(page)


def _cli(db: Path, *args: str) -> object:
    copy = db.with_name("sat_cli_copy.duckdb")   # the dashboard holds the store; read a copy
    copy.write_bytes(db.read_bytes())
    out = subprocess.run([sys.executable, "-m", "csq", *args, "--json", "--db", str(copy)], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_satisfaction_page_in_both_languages_matches_the_cli(server: str, page, demo_db: Path, lang: str) -> None:
    _open(page, server, f"lang={lang}")
    assert exceptions(page) == []
    body = page.inner_text("body")
    for zh, en in (("满意度趋势", "Satisfaction"), ("月度趋势与控制限", "Monthly trends with control limits"),
                   ("评分分布", "Score distribution"), ("客户评价", "Comments")):
        assert (zh if lang == "zh" else en) in body
    query = parse_qs(urlsplit(page.url).query)
    period = ["--from", query["from"][0], "--to", query["to"][0]]
    row = _cli(demo_db, "kpi", *period, "--indicators", ",".join(KEYS))[0]  # type: ignore[index]
    tiles = [e.inner_text().strip() for e in page.query_selector_all('[data-testid="stMetricValue"]')]
    assert tiles == [format_value(k, row[k], lang) for k in KEYS]
    assert page.locator('[data-testid="stPlotlyChart"]').count() >= 4
    # Months the CLI flags are explained on the page.
    flagged = [m["month"] for m in _cli(demo_db, "spc", "--indicator", "csat_rate", *period)  # type: ignore[union-attr]
               if m["signals"]]
    for month in flagged:
        assert month in body


def test_comment_search_and_masking_in_the_browser(server: str, page, demo_db: Path) -> None:
    # The whole demo period: "too slow" is a rare English comment, and a half-year of a small store may hold none.
    copy = demo_db.with_name("sat_months_copy.duckdb")
    copy.write_bytes(demo_db.read_bytes())
    store = open_store(copy, read_only=True)
    try:
        months = catalog(store).months
    finally:
        store.close()
    _open(page, server, f"lang=en&from={months[0]}&to={months[-1]}")
    box = page.get_by_label("Search comments (Chinese or English)")
    box.fill("SLOW")
    box.press("Enter")
    settle(page)
    assert exceptions(page) == []
    query = parse_qs(urlsplit(page.url).query)
    copy = demo_db.with_name("sat_search_copy.duckdb")
    copy.write_bytes(demo_db.read_bytes())
    store = open_store(copy, read_only=True)
    try:
        found = comments(store, Filter(query["from"][0], query["to"][0]), "slow").num_rows
    finally:
        store.close()
    assert 0 < found < 500
    body = page.inner_text("body")
    assert f"{found:,} comments found" in body
    assert "Customer name, phone and id, and phone numbers, e-mails and the customer's name inside comments, " \
           "are masked." in body


def test_satisfaction_page_at_phone_width(server: str, browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")  # type: ignore[attr-defined]
    pg = context.new_page()
    try:
        _open(pg, server, "lang=zh")
        assert exceptions(pg) == []
        assert "满意度趋势" in pg.inner_text("body")
        overflow = pg.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollWidth")
        assert overflow <= 400, overflow
    finally:
        context.close()


@pytest.fixture(scope="module")
def tickets_only_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A dashboard on a store with tickets but no surveys."""
    db = tmp_path_factory.mktemp("sat_browser") / "tickets.duckdb"
    store = open_store(db)
    created = datetime(2025, 3, 3, 9)
    rows = [{"ticket_id": f"t{i}", "created_at": created + timedelta(hours=i), "channel": "phone",
             "type": "inquiry", "priority": "normal", "reopen_count": 0} for i in range(30)]
    commit_records(store, "tickets", pa.Table.from_pylist(rows), source="fixture")
    store.close()
    proc, base = start_server(db)
    yield base
    proc.terminate()
    proc.wait(timeout=20)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_store_with_tickets_but_no_surveys(tickets_only_server: str, page, lang: str) -> None:
    _open(page, tickets_only_server, f"lang={lang}",
          "没有满意度调查数据" if lang == "zh" else "No survey data matches these filters")
    assert exceptions(page) == []
    body = page.inner_text("body")
    assert ("没有满意度调查数据" if lang == "zh" else "No survey data matches these filters") in body
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 0
