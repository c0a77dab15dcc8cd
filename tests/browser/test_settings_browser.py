"""Settings in a real browser: the phone first-response limit 2 → 3 min moves frt_sla_rate (issue 4 check 6); roles."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from csq.metrics.display import format_value
from csq.overview.headline import HEADLINE
from csq.store import open_store
from tests.browser.conftest import exceptions, settle, start_server
from tests.support import cli_json

PERIOD = "from=2025-01&to=2025-06"
RULES_GRID = '[data-testid="stDataFrameResizable"][aria-label="SLA rules"]'
HEADER_PX, ROW_PX = 36, 35  # glide-data-grid: header row and body row heights in Streamlit


def _frt_tile(page, base: str) -> str:
    page.goto(f"{base}/?lang=en&{PERIOD}")
    settle(page)
    # A cold server can report idle before the first script run has drawn anything: wait for the tiles.
    page.get_by_text("First response within SLA").first.wait_for()
    settle(page)
    assert exceptions(page) == []
    return page.locator('.st-key-wide_tiles [data-testid="stMetricValue"]').nth(HEADLINE.index("frt_sla_rate")).inner_text().strip()


def _copy(db: Path, to: Path) -> Path:
    """Copy the store the server holds, with its write-ahead log, so the CLI reads what the server wrote."""
    to.mkdir(exist_ok=True)
    for suffix in ("", ".wal"):
        src = Path(str(db) + suffix)
        if src.exists():
            shutil.copyfile(src, to / (db.name + suffix))
    return to / db.name


def _cli_frt(db: Path) -> float:
    out = cli_json("kpi", "--indicators", "frt_sla_rate", "--from", "2025-01", "--to", "2025-06", db=db)
    return float(out[0]["frt_sla_rate"])  # type: ignore[index]


def _type_into_rules_grid(page, row: int, columns_right_of_first: int, text: str) -> None:
    """Select a cell of the SLA grid by keyboard from the first column (a select box, so a click only selects), type, Enter."""
    grid = page.locator(RULES_GRID)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    # x + 80: past the row-selection checkboxes a dynamic grid draws first, inside the channel column.
    page.mouse.click(box["x"] + 80, box["y"] + HEADER_PX + ROW_PX * row + ROW_PX / 2)
    page.wait_for_timeout(400)  # the grid takes the focus after the click; keys sent earlier are lost
    for _ in range(columns_right_of_first):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(200)
    page.keyboard.type(text)
    page.wait_for_timeout(200)
    page.keyboard.press("Enter")
    settle(page)


def test_phone_limit_2_to_3_minutes_in_the_browser_changes_the_tile_the_cli_and_the_audit_log(
        writable_server: tuple[str, Path], page, tmp_path: Path) -> None:
    base, db = writable_server
    before_tile = _frt_tile(page, base)
    before = _cli_frt(_copy(db, tmp_path / "before"))
    assert before_tile == format_value("frt_sla_rate", before, "en")

    page.goto(f"{base}/settings?lang=en")
    settle(page)
    page.wait_for_selector(RULES_GRID)
    assert exceptions(page) == []
    main = '[data-testid="stMain"]'
    assert "edited but not saved" not in page.inner_text(main)
    # Columns: channel, type, priority, first response, resolution, calendar, pause. Row 0 is rule 1 (phone).
    _type_into_rules_grid(page, row=0, columns_right_of_first=3, text="3")
    page.get_by_text("The SLA rules are edited but not saved").wait_for()
    page.get_by_role("button", name="Save SLA rules").click()
    # Saving reruns twice (save, then a fresh run showing the message), so wait for the message itself.
    page.get_by_text("SLA rules saved").wait_for()
    settle(page)
    assert "edited but not saved" not in page.inner_text(main)
    assert exceptions(page) == []

    after_tile = _frt_tile(page, base)
    copy = _copy(db, tmp_path / "after")
    after = _cli_frt(copy)
    # Phone tickets answered after 2 and within 3 minutes now count as met, so the rate can only rise.
    assert after > before
    assert after_tile == format_value("frt_sla_rate", after, "en") != before_tile

    store = open_store(copy, read_only=True)
    rules = store.rows("SELECT channel, first_response_min, resolution_min FROM sla_rules ORDER BY position")
    logged = store.rows("SELECT user_name, details FROM audit_log WHERE action = 'settings.sla_rules'")
    store.close()
    assert rules[0] == ("phone", 3, None) and rules[1] == ("chat", 2, None)  # only the phone cell changed
    assert len(logged) == 1
    details = json.loads(logged[0][1])
    assert details["before"][0]["first_response_min"] == 2 and details["after"][0]["first_response_min"] == 3
    assert details["before"][1:] == details["after"][1:]


def test_viewer_sees_no_import_or_settings_and_is_refused_on_the_direct_url(demo_db: Path, page,
                                                                           tmp_path: Path) -> None:
    db = tmp_path / "viewer.duckdb"
    shutil.copyfile(demo_db, db)
    proc, base = start_server(db, role="viewer")
    try:
        page.goto(f"{base}/?lang=en")
        settle(page)
        page.get_by_text("First response within SLA").first.wait_for()
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "Overview" in nav and "Monitoring" in nav
        assert "Import" not in nav and "Settings" not in nav
        page.goto(f"{base}/settings?lang=en")
        settle(page)
        page.get_by_text("may not use this page").wait_for()
        main = page.inner_text('[data-testid="stMain"]')
        assert "Your role «viewer» may not use this page" in main, main
        assert page.get_by_role("button", name="Save SLA rules").count() == 0
        page.goto(f"{base}/import?lang=en")
        settle(page)
        page.get_by_text("may not use this page").wait_for()
        assert "may not use this page" in page.inner_text('[data-testid="stMain"]')
        assert page.locator("input[type=file]").count() == 0
    finally:
        proc.terminate()
        proc.wait(timeout=20)
