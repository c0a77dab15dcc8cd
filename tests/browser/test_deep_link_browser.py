"""A shared link as the first visit after a server start (issue 12): the page itself, never a list of file names."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import exceptions, settle, start_server
from tests.support import ROOT

# Streamlit's legacy page mode lists the script files by name: app, audit, evaluation, import, …
FILE_NAMES = {p.stem for p in (ROOT / "app_pages").glob("*.py")} | {"app"}

# Installed before any page script runs: records every text the sidebar's page list and the main area's first
# heading ever show, from the first paint on.
RECORDER = """
window.__seen = {nav: [], titles: []};
new MutationObserver(() => {
  document.querySelectorAll('[data-testid="stSidebarNav"] a, [data-testid="stSidebarNavLink"]').forEach(a => {
    const text = (a.innerText || '').trim();
    if (text && !window.__seen.nav.includes(text)) window.__seen.nav.push(text);
  });
  const h = document.querySelector('[data-testid="stMain"] h1');
  const title = h ? h.innerText.trim() : '';
  if (title && !window.__seen.titles.includes(title)) window.__seen.titles.push(title);
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


@pytest.fixture
def fresh_server(demo_db: Path, tmp_path: Path) -> Iterator[str]:
    """Return the base URL of a dashboard started for this test alone, that no browser has visited yet.

    It serves its own copy of the demo store: the session's shared server holds the lock on the original.
    """
    db = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db, db)
    proc, base = start_server(db)
    yield base
    proc.terminate()
    proc.wait(timeout=20)


@pytest.mark.parametrize("path, lang, title, check", [
    ("/monitoring?channel=email&lang=zh", "zh", "监测指标", ("渠道", "邮件")),
    ("/evaluation?team=一组&lang=en", "en", "Evaluation", ("Team", "一组")),
])
def test_a_deep_link_as_the_first_visit_shows_that_page(fresh_server: str, browser, path: str, lang: str,
                                                       title: str, check: tuple[str, str]) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.add_init_script(RECORDER)
        page.goto(fresh_server + path)
        settle(page)
        assert exceptions(page) == []
        seen = page.evaluate("() => window.__seen")
        assert not FILE_NAMES & set(seen["nav"]), f"the page list showed file names: {seen['nav']}"
        assert seen["titles"] == [title], seen["titles"]  # this page's title, and never another page's first
        label, value = check
        box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text=label).first
        assert value in box.inner_text()
        assert path.split("?")[0] in page.url and f"lang={lang}" in page.url
    finally:
        context.close()
