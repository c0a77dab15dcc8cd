"""The Evaluation page in a real browser: both languages, every tab, a scorecard row's detail, and 390 px width."""
from __future__ import annotations

import pytest

from tests.browser.conftest import exceptions, settle


def open_page(pg, server: str, query: str) -> None:
    """Open /evaluation directly, as a shared link would, and wait for its tabs."""
    pg.goto(f"{server}/evaluation?{query}")
    settle(pg)
    pg.wait_for_selector('[data-testid="stTab"]')  # the page's first run can outlast settle()
    settle(pg)


@pytest.mark.parametrize("lang, title, tabs", [
    ("zh", "服务质量评估", ["质检评分", "质检抽样", "坐席与班组评分", "培训考核"]),
    ("en", "Evaluation", ["QA scorecard", "QA sample", "Agent & team scorecard", "Training"]),
])
def test_every_tab_renders_in_both_languages(server, page, lang, title, tabs):
    open_page(page, server, f"lang={lang}")
    assert exceptions(page) == []
    body = page.inner_text('[data-testid="stMain"]')
    assert title in body and ("差距最大的是" if lang == "zh" else "The biggest gap is in") in body
    assert page.locator('[data-testid="stPlotlyChart"]').count() >= 1
    for tab in tabs:
        page.get_by_role("tab", name=tab).click()
        settle(page)
        assert exceptions(page) == []
    assert "/evaluation" in page.url and f"lang={lang}" in page.url


def test_clicking_a_scorecard_row_opens_the_detail(server, page):
    open_page(page, server, "lang=en")
    page.get_by_role("tab", name="Agent & team scorecard").click()
    frames = page.locator('[data-testid="stTabPanel"]:visible [data-testid="stDataFrame"]')
    frames.first.wait_for()
    box = frames.first.bounding_box()
    assert box is not None
    # the row-selection checkbox column sits left of the first data row (header ~35 px, row ~35 px)
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 18)
    settle(page)
    assert exceptions(page) == []
    assert "Detail:" in page.inner_text('[data-testid="stMain"]')


def test_narrow_screen_has_no_errors(server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    pg = context.new_page()
    try:
        open_page(pg, server, "lang=zh")
        assert exceptions(pg) == []
        assert "服务质量评估" in pg.inner_text('[data-testid="stMain"]')
    finally:
        context.close()
