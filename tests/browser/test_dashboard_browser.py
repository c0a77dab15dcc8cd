"""Overview and Monitoring in a real browser: the shared link, a filter change in the URL, the drill-down."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from csq.metrics.display import format_value
from csq.overview.headline import HEADLINE
from tests.browser.conftest import exceptions, settle
from tests.support import ROOT

LINK = "/?channel=phone&from=2025-01&to=2025-06&lang=zh"


def _cli_kpi(db: Path, *args: str) -> dict:
    # The dashboard holds the store, so read it the way a colleague would: from a copy.
    copy = db.with_name("cli_copy.duckdb")
    copy.write_bytes(db.read_bytes())
    out = subprocess.run([sys.executable, "-m", "csq", "kpi", *args, "--json", "--db", str(copy)], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)[0]


def _filter(pg, label: str):
    return pg.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text=label)


def _tiles(pg) -> list[str]:
    # Wait for every tile: under load the last ones can arrive after the page first looks idle.
    # The monthly tiles sit in the container keyed wide_tiles; the today strip above has metrics of its own.
    pg.wait_for_function("() => document.querySelectorAll('.st-key-wide_tiles [data-testid=\"stMetricValue\"]')"
                         f".length >= {len(HEADLINE)}")
    return [e.inner_text().strip() for e in pg.query_selector_all('.st-key-wide_tiles [data-testid="stMetricValue"]')]


def test_shared_link_opens_chinese_view_with_tiles_equal_to_the_cli(server: str, page, demo_db: Path) -> None:
    page.goto(server + LINK)
    settle(page)
    page.get_by_text("核心指标").wait_for()
    assert exceptions(page) == []
    body = page.inner_text("body")
    assert "核心指标" in body and "监测指标" in body
    assert "电话" in _filter(page, "渠道").inner_text()
    expected = _cli_kpi(demo_db, "--where", "channel=phone", "--from", "2025-01", "--to", "2025-06")
    assert _tiles(page)[:len(HEADLINE)] == [format_value(k, expected[k], "zh") for k in HEADLINE]


def test_a_filter_change_goes_into_the_url_and_the_url_restores_it(server: str, page, browser) -> None:
    page.goto(server + "/?lang=en&from=2025-01&to=2025-03")
    settle(page)
    before = _tiles(page)
    _filter(page, "Priority").click()
    page.keyboard.press("ArrowDown")  # a click alone does not always open the list
    page.get_by_role("option", name="Urgent").click()
    page.keyboard.press("Escape")
    settle(page)
    assert re.search(r"[?&]priority=urgent(&|$)", page.url), page.url
    after = _tiles(page)
    assert after != before
    # Switching pages keeps the filter.
    page.locator('[data-testid="stSidebarNav"] a', has_text="Monitoring").click()
    settle(page)
    assert "/monitoring" in page.url and "priority=urgent" in page.url
    assert "Priority = Urgent" in page.inner_text("body")
    # A new browser opening the copied link sees the same view.
    other = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    other.goto(page.url.replace("/monitoring", "/"))
    settle(other)
    assert _tiles(other) == after
    assert "Urgent" in _filter(other, "Priority").inner_text()
    other.context.close()


def test_drill_down_opens_a_masked_ticket_record(server: str, page) -> None:
    page.goto(server + "/monitoring?lang=en&from=2025-01&to=2025-03")
    settle(page)
    assert exceptions(page) == []
    grid = page.locator('[data-testid="stDataFrame"]').nth(2)  # after the two SLA tables: breached tickets
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 52)  # the selection box of the first row
    settle(page)
    detail = page.get_by_text(re.compile(r"^Ticket detail · GD\d+"))
    assert detail.count() == 1
    table = page.locator('[data-testid="stTable"]').last.inner_text()
    assert "Phone" in table and not re.search(r"\b1[3-9]\d{9}\b", table)


def test_mobile_width_renders_without_errors(server: str, browser) -> None:
    pg = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    for path in (LINK, "/monitoring?lang=en"):
        pg.goto(server + path)
        settle(pg)
        assert exceptions(pg) == []
    pg.context.close()
