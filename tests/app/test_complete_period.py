"""Issue 13, check 1: on a demo store whose data ends on the first day of a month, the default view shows the
last complete month, and nothing about the running month is flagged or listed as a candidate problem."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from csq.improvement.pareto import signals
from csq.metrics.filters import Filter
from csq.metrics.periods import store_running_month
from csq.store import open_store
from tests.apptest import assert_no_exception, page_text, run_app
from tests.conftest import make_demo


@pytest.fixture(scope="module")
def first_day_db(tmp_path_factory: pytest.TempPathFactory, template_db: Path) -> Path:
    """Return a demo store of 14 months whose data ends on 2025-12-01, one day into December."""
    return make_demo(tmp_path_factory.mktemp("first_day"), template_db, months=14, end=date(2025, 12, 1))


def test_the_store_knows_december_is_running(first_day_db: Path) -> None:
    s = open_store(first_day_db, read_only=True)
    try:
        assert store_running_month(s) == "2025-12"
        assert not [x for x in signals(s, Filter()) if x.point.month == "2025-12"]
    finally:
        s.close()


@pytest.mark.parametrize("page", [None, "app_pages/monitoring.py", "app_pages/improvement.py"])
def test_the_default_view_ends_with_the_last_complete_month(first_day_db: Path, page: str | None) -> None:
    at = run_app(first_day_db, page, {"lang": "en"})
    assert_no_exception(at)
    assert at.selectbox(key="to").value == "2025-11" and at.selectbox(key="from").value == "2025-06"
    text = page_text(at)
    # A signal or candidate problem reads "2025-12: …" (csq.metrics.spc.explain); the as-of time and today's
    # window may name 1 December, but no month figure of December is shown or flagged.
    assert "2025-12:" not in text and "Dec 2025" not in text
    assert "in progress" not in text


def test_a_chosen_running_month_is_marked_in_progress_and_never_flagged(first_day_db: Path) -> None:
    at = run_app(first_day_db, "app_pages/monitoring.py", {"lang": "en", "from": "2025-06", "to": "2025-12"})
    assert_no_exception(at)
    assert at.selectbox(key="to").value == "2025-12"
    signals_text = "\n".join(e.label for e in at.expander if e.label.startswith("Signals"))
    months_flagged = [m.value for m in at.markdown if m.value.startswith("- 2025-12")]
    assert months_flagged == [] or all("in progress" in m for m in months_flagged), (signals_text, months_flagged)
    overview = run_app(first_day_db, None, {"lang": "en", "from": "2025-06", "to": "2025-12"})
    assert "Dec 2025 is in progress" in page_text(overview)
