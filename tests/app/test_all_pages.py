"""Every page of SPEC §7 renders without an exception: demo store, empty store, a filter matching nothing, both languages."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from csq.dashboard.navigation import PAGES
from tests.apptest import assert_no_exception, page_text, run_app
from tests.support import ROOT

BUILT = [p.file for p in PAGES if (ROOT / p.file).exists()]
NOTHING = {"team": "一组", "channel": "onsite", "type": "suggestion", "priority": "urgent", "category": "账单查询"}
RAW_KEY = re.compile(r"^(?:[a-z]+_){1,4}[a-z]+$")  # an untranslated text key such as 'ev_tab_qa'


@pytest.fixture
def stores(demo_db: Path, empty_db: Path) -> dict[str, Path]:
    """Return the shared demo store and an empty one."""
    return {"demo": demo_db, "empty": empty_db}


def test_every_page_of_the_spec_is_built() -> None:
    assert {p.url_path for p in PAGES if p.file in BUILT} >= {"", "monitoring", "evaluation", "improvement",
                                                                 "satisfaction", "import", "settings"}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("case", ["demo", "empty", "nothing"])
@pytest.mark.parametrize("page", BUILT)
def test_page_renders(stores: dict[str, Path], page: str, case: str, lang: str) -> None:
    params: dict[str, str | list[str]] = {"lang": lang, **(NOTHING if case == "nothing" else {})}
    at = run_app(stores["empty" if case == "empty" else "demo"], page, params)
    assert_no_exception(at)
    text = page_text(at)
    assert text.strip()
    leftovers = [line for line in text.splitlines() if RAW_KEY.fullmatch(line.strip())]
    assert leftovers == [], leftovers
