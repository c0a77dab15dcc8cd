"""Improvement page in a real browser: start an action from the Pareto, move it to Check, see its verdict."""
from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import exceptions, settle


def test_pareto_to_action_to_check_to_verdict(writable_server: tuple[str, Path], page) -> None:
    server, _ = writable_server
    page.goto(f"{server}/improvement?lang=en")
    settle(page)
    assert not exceptions(page)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_role("button", name="Start an action on this problem").first.click()
    settle(page)
    title = main.get_by_label("Problem", exact=True).input_value()
    assert title.startswith("Complaints by category: ")
    main.get_by_label("Owner", exact=True).first.fill("Browser test")
    main.get_by_role("button", name="Save action").click()
    settle(page)
    expect(main.get_by_text("Action IMP-021 created.")).to_be_visible()
    main.get_by_role("tab", name="Action register").click()
    settle(page)
    stage = main.get_by_role("combobox", name="Move to stage")
    stage.click()
    stage.fill("Check")
    page.keyboard.press("Enter")
    settle(page)
    main.get_by_role("button", name="Move", exact=True).click()
    settle(page)
    expect(main.get_by_text("Action IMP-021 moved to Check.")).to_be_visible()
    main.get_by_role("tab", name="Effect check").click()
    settle(page)
    expect(main.get_by_text("Verdict: Pending")).to_be_visible()
    expect(main.get_by_text("The after window is not over yet").first).to_be_visible()
    assert not exceptions(page)
