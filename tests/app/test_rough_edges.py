"""Issue 13 in AppTest: no None/NaN/NaT or '-0.0' in any table, the capped ticket list says so and exports in full,
sized units in the drill-down, grades that spread, low-n SERVQUAL waves, the next PDCA stage, sidebar filters only
where they apply."""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from csq.dashboard import cache
from csq.dashboard.navigation import PAGES
from csq.metrics.filters import Filter
from csq.monitoring import tickets
from csq.store import open_store
from tests.app.test_masking import _download_bytes, downloads  # noqa: F401 (downloads is a fixture)
from tests.apptest import assert_no_exception, page_text, query_param, run_app
from tests.support import ROOT

BUILT = [p.file for p in PAGES if (ROOT / p.file).exists()]
UNFILTERED = ["app_pages/import.py", "app_pages/settings.py", "app_pages/audit.py"]
MISSING_TEXT = {"None", "nan", "NaN", "NaT", "<NA>"}
MINUS_ZERO = re.compile(r"(?<![\d.])-0(?:\.0+)?(?![\d.])")  # '-0', '-0.0', '-0.00' standing alone
PERIOD = {"from": "2025-07", "to": "2025-12"}
LIST_KEYS = {"channel", "type", "team", "category", "priority", "agent"}


def _missing(x: object) -> bool:
    """Return True for a cell pandas holds as missing (None, NaN, NaT)."""
    return x is None or bool(pd.isna(x))


def shown_cells(at: AppTest) -> list[str]:
    """Return every table cell as the browser draws it: a missing value in a grid as its placeholder ('None' when
    the grid sets none), in a static table as 'None'."""
    cells = []
    for df in at.dataframe:
        blank = df.proto.placeholder if df.proto.HasField("placeholder") else "None"
        cells += [blank if _missing(x) else str(x) for x in df.value.to_numpy().ravel()]
    for table in at.table:
        cells += ["None" if _missing(x) else str(x) for x in table.value.to_numpy().ravel()]
    return cells


def _open_drill_down(at: AppTest) -> None:
    """Select the first row of each ticket list, so the drill-down renders too."""
    for key in ("list_breached", "list_overdue"):
        at.session_state[key] = {"selection": {"rows": [0], "columns": []}}
    at.run()


# ---------------------------------------------------------------- 1 and 3: empty cells, '-0.0'

@pytest.mark.parametrize("page", BUILT)
def test_no_table_shows_none_nan_nat_or_minus_zero(demo_db: Path, page: str) -> None:
    at = run_app(demo_db, page, {"lang": "en", **PERIOD})
    assert_no_exception(at)
    if page == "app_pages/monitoring.py":
        _open_drill_down(at)
        assert_no_exception(at)
        assert at.table  # the drill-down is a table too
    cells = shown_cells(at)
    assert cells or page in UNFILTERED
    assert not MISSING_TEXT & set(cells), sorted(MISSING_TEXT & set(cells))
    assert [c for c in cells if MINUS_ZERO.search(c)] == []
    assert not MINUS_ZERO.search(page_text(at))


def test_blank_cells_where_the_register_has_no_completion_date(demo_db: Path) -> None:
    at = run_app(demo_db, "app_pages/improvement.py", {"lang": "en"})
    register = next(df for df in at.dataframe if "Completed on" in df.value.columns)  # a grid without a key
    completed = register.value["Completed on"].tolist()
    # 5 actions in Do and 3 in Plan (one cancelled) are not completed in the demo: blank cells, not 'None'.
    assert sum(_missing(x) for x in completed) == 8 and register.proto.placeholder == ""


# ---------------------------------------------------------------- 2: the capped list and the full export

def test_a_capped_ticket_list_says_so_and_offers_the_full_export(demo_copy: Path, downloads: None,  # noqa: F811
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tickets, "LIST_LIMIT", 20)
    cache._cached_by_name.clear()  # lists cached by another test were cut at the real limit
    at = run_app(demo_copy, "app_pages/monitoring.py", {"lang": "en", **PERIOD}, role="viewer")
    assert_no_exception(at)
    s = open_store(demo_copy)  # the configuration the app opened it with
    try:
        every = tickets.sla_breaches(s, Filter("2025-07", "2025-12"), limit=None)  # the list without its cap
    finally:
        s.close()
    total = every.num_rows
    assert total > 20
    listed = next(df for df in at.dataframe if df.key == "list_breached")
    assert len(listed.value) == 20
    assert f"showing the first 20 of {total:,} tickets" in page_text(at)
    buttons = {b.proto.label: b for b in at.get("download_button") if b.proto.id and "breached" in b.proto.id}
    raw_label = "Download raw CSV (canonical keys and codes)"
    assert set(buttons) == {"Download this list as CSV (first 20)", raw_label, f"Download all as CSV ({total:,})"}
    full = _download_bytes(buttons[f"Download all as CSV ({total:,})"].proto).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(full)))  # the page's language: English headers and labels
    assert [r["Ticket"] for r in rows] == every.column("ticket_id").to_pylist()  # all of them, worst first
    phones = [r["Phone"] for r in rows if r["Phone"]]
    assert phones and all(re.fullmatch(r"\d{3}\*{4}\d{4}", p) for p in phones)  # masked for the viewer, as shown
    shown = _download_bytes(buttons["Download this list as CSV (first 20)"].proto).decode("utf-8-sig")
    assert shown.splitlines() == full.splitlines()[:21]  # header and the 20 rows on screen


def test_an_uncapped_list_offers_one_download(demo_db: Path) -> None:
    at = run_app(demo_db, "app_pages/monitoring.py", {"lang": "en", **PERIOD})
    listed = next(df for df in at.dataframe if df.key == "list_overdue")
    n = len(listed.value)
    assert n < tickets.LIST_LIMIT and f"{n:,} tickets" in page_text(at)
    assert [b.proto.label for b in at.get("download_button") if "overdue" in b.proto.id] == [
        "Download CSV", "Download raw CSV (canonical keys and codes)"]


def test_the_drill_down_shows_limits_and_overruns_in_sized_units(demo_db: Path) -> None:
    at = run_app(demo_db, "app_pages/monitoring.py", {"lang": "en", **PERIOD})
    _open_drill_down(at)
    record = dict(at.table[0].value.to_numpy().tolist())
    # The demo's resolution limits are the SPEC §4 72 h (complaints) and 120 h, first-response limits 2 min to 48 h.
    assert record["Resolution limit"] in {"72 h", "120 h"}
    assert record["Response limit"] in {"2 min", "1 h", "24 h", "48 h"}
    for field in ("Over by", "Response time", "Resolution time"):
        assert record[field] == "" or re.fullmatch(r"\d+(\.\d)? (s|min|h|d)", record[field]), record[field]
        assert not re.search(r"\.0\b", record[field])
    assert "(min)" not in "".join(record) and "(h)" not in "".join(record)


# ---------------------------------------------------------------- 4: grades that discriminate

def test_scorecard_grades_spread_over_the_bands_and_the_note_counts_them(demo_db: Path) -> None:
    at = run_app(demo_db, "app_pages/evaluation.py", {"lang": "en", **PERIOD})
    assert_no_exception(at)
    table = next(df for df in at.dataframe if df.key == "ev_scorecard_agent").value
    counts = Counter(table["Grade"])
    names = ["Excellent", "Good", "Satisfactory", "Needs improvement"]
    note = next(c.value for c in at.caption if str(c.value).startswith("Grades ("))
    assert note.startswith(f"Grades ({len(table):,} rows): " + ", ".join(f"{g} {counts[g]:,}" for g in names) + ".")
    # Percentile bands 80/50/20: about a fifth, three tenths, three tenths and a fifth, never nearly all in one.
    assert all(counts[g] for g in names) and max(counts.values()) <= len(table) / 2
    assert abs(counts["Excellent"] - len(table) / 5) <= 2 and abs(counts["Needs improvement"] - len(table) / 5) <= 2


# ---------------------------------------------------------------- 5: low-n SERVQUAL waves

def test_a_low_n_wave_is_warned_about_and_marked(demo_db: Path) -> None:
    at = run_app(demo_db, "app_pages/evaluation.py", {"lang": "en", **PERIOD})
    # The demo writes 30 respondents a quarter; its last quarter stops on 15 December with 15.
    assert "Fewer than 30 respondents in 2025Q4 (n = 15)" in page_text(at)
    waves = next(df.value for df in at.dataframe if "Wave" in df.value.columns)
    assert waves["Wave"].tolist() == ["2025Q3", "2025Q4 (n = 15, too few)"]
    chart = next(c for c in at.get("plotly_chart") if "2025Q3" in c.proto.spec)
    assert "2025Q4 (n = 15, too few)" in chart.proto.spec


# ---------------------------------------------------------------- 6: the next PDCA stage

def test_the_stage_control_offers_the_next_stage_and_no_regress_by_default(demo_db: Path) -> None:
    at = run_app(demo_db, "app_pages/improvement.py", {"lang": "en"})
    # The demo's register: IMP-001 is in Check, IMP-004 in Act (its round complete), IMP-005 in Do.
    at.selectbox(key="impr_edit_id").set_value("IMP-005").run()
    move = at.selectbox(key="impr_move_stage")
    assert (move.value, move.options) == ("check", ["Check", "Act"])
    at.selectbox(key="impr_edit_id").set_value("IMP-001").run()
    assert at.selectbox(key="impr_move_stage").value == "act"
    assert at.selectbox(key="impr_move_stage").options == ["Act"]
    at.selectbox(key="impr_edit_id").set_value("IMP-004").run()  # completed (Act): no move, and never Plan
    assert_no_exception(at)
    assert "impr_move_stage" not in {s.key for s in at.selectbox}
    assert "This PDCA round is complete" in page_text(at)
    at.toggle(key="impr_move_back_IMP-004").set_value(True).run()
    assert at.selectbox(key="impr_move_stage").options == ["Plan", "Do", "Check"]


# ---------------------------------------------------------------- 7: sidebar filters only where they apply

def _sidebar_filters(at: AppTest) -> set[str]:
    """Return the keys of the filter widgets in the sidebar."""
    keys = {m.key for m in at.sidebar.multiselect} | {s.key for s in at.sidebar.selectbox}
    return keys & (LIST_KEYS | {"from", "to"})


@pytest.mark.parametrize("page", BUILT)
def test_sidebar_filters_show_only_on_pages_they_apply_to(demo_db: Path, page: str) -> None:
    at = run_app(demo_db, page, {"lang": "en"})
    assert_no_exception(at)
    assert _sidebar_filters(at) == (set() if page in UNFILTERED else LIST_KEYS | {"from", "to"})
    assert at.sidebar.segmented_control(key="lang").value == "en"  # the language switch is on every page


def test_the_url_keeps_its_filters_through_pages_without_them(demo_db: Path) -> None:
    at = run_app(demo_db, None, {"lang": "en", "from": "2025-01", "to": "2025-03", "priority": "urgent",
                                 "channel": ["phone", "email"]})
    for page in UNFILTERED:
        at.switch_page(page).run()
        assert_no_exception(at)
        assert _sidebar_filters(at) == set()
        assert query_param(at, "priority") == ["urgent"] and query_param(at, "channel") == ["phone", "email"]
        assert (query_param(at, "from"), query_param(at, "to")) == (["2025-01"], ["2025-03"])
    at.switch_page("app_pages/monitoring.py").run()
    assert_no_exception(at)
    assert at.multiselect(key="priority").value == ["urgent"]
    assert at.multiselect(key="channel").value == ["phone", "email"]
    assert (at.selectbox(key="from").value, at.selectbox(key="to").value) == ("2025-01", "2025-03")
    assert "Priority = Urgent" in page_text(at)


def test_a_shared_link_to_a_page_without_filters_keeps_them_for_the_next_page(demo_db: Path) -> None:
    at = run_app(demo_db, "app_pages/settings.py", {"lang": "en", "team": "一组", "from": "2025-02", "to": "2025-04"})
    assert_no_exception(at)
    assert query_param(at, "team") == ["一组"] and query_param(at, "from") == ["2025-02"]
    at.switch_page("app_pages/overview.py").run()
    assert at.multiselect(key="team").value == ["一组"] and at.selectbox(key="from").value == "2025-02"
