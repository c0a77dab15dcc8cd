"""The quarterly report agrees with the pages figure for figure (issue 18).

On the shared demo center (ending 15 December 2025) for a whole quarter (2025Q3) and one still in progress
(2025Q4): the report's tables against the functions the pages call for the same filter, the Overview's and
Monitoring's own rendered tables, and the ticket count against a plain count of the store.
"""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from csq.core.i18n import fmt_month, t
from csq.core.months import Period
from csq.evaluation import scorecard, servqual
from csq.evaluation import tables as tb
from csq.improvement.effect import check_all
from csq.improvement.pareto import SOURCES, pareto_for
from csq.metrics.calls import CALL_KEYS
from csq.metrics.choices import catalog
from csq.metrics.display import format_value, indicator_name
from csq.metrics.engine import compute
from csq.metrics.filters import Filter
from csq.monitoring.tickets import sla_rows
from csq.overview import report
from csq.overview.headline import HEADLINE
from csq.overview.report_figures import PARETO_ROWS
from csq.store import Store, open_store
from tests.apptest import assert_no_exception, run_app

QUARTERS = {"2025Q3": ("2025-07", "2025-09"), "2025Q4": ("2025-10", "2025-12")}


@pytest.fixture(scope="module")
def demo(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    # A copy of its own: an AppTest in this process holds the shared demo store open read-write.
    db = tmp_path_factory.mktemp("report_pages") / "demo.duckdb"
    shutil.copyfile(demo_db, db)
    s = open_store(db, read_only=True)
    yield s
    s.close()


@pytest.fixture(scope="module")
def built(demo: Store) -> dict[str, report.Report]:
    return {q: report.build(demo, q, "en") for q in QUARTERS}


@pytest.mark.parametrize("quarter", list(QUARTERS))
def test_headline_and_kind_tables_are_the_engine_figures(demo: Store, built: dict, quarter: str) -> None:
    rep, f = built[quarter], Filter(*QUARTERS[quarter])
    now = compute(demo, f)[0]
    assert rep.headline.column("Value") == [format_value(k, now.value(k), "en") for k in HEADLINE]
    assert rep.headline.column("n") == [now.n(k) for k in HEADLINE]
    # Independent of the engine: the quarter's tickets counted straight from the store.
    period = Period.quarter(quarter)
    count = demo.rows("SELECT count(*) FROM tickets_current WHERE created_at >= ? AND created_at < ?",
                      [period.start, period.end])[0][0]
    assert rep.headline.column("n")[0] == count > 0
    calls = next(k for k in rep.kinds if k.kind == "calls").table  # the demo center has calls
    assert calls.column("Value") == [format_value(k, now.value(k), "en") for k in CALL_KEYS]
    months = compute(demo, f, by=["month"], indicators=CALL_KEYS)
    for r in months:  # each month column of the telephony table
        head = next(c for c in calls.columns if c.startswith(fmt_month(str(r.group("month")), "en")))
        assert calls.column(head) == [format_value(k, r.value(k), "en") for k in CALL_KEYS]


@pytest.mark.parametrize("quarter", list(QUARTERS))
def test_evaluation_improvement_and_monitoring_tables_are_the_pages_rows(demo: Store, built: dict,
                                                                         quarter: str) -> None:
    rep, f = built[quarter], Filter(*QUARTERS[quarter])
    assert [t.as_dicts() for t in rep.sla] == [sla_rows(demo, f, by, "en") for by in ("priority", "type")]
    o = servqual.overview(demo, f)
    assert rep.servqual is not None and rep.servqual.as_dicts() == tb.dimension_rows(o["dimensions"], "en",
                                                                                     o["confidence"])
    assert rep.servqual_gaps == [(tb.dim_name(d["dimension"], "en"), d["gap"]) for d in o["dimensions"]]  # the bars
    for src, tab in zip(SOURCES, rep.pareto):
        bars = pareto_for(demo, src, f)
        assert tab.column("Count") == [b.count for b in bars[:PARETO_ROWS]]
    before = f.previous(catalog(demo).months[0])
    rows = tb.scorecard_rows(scorecard.scorecard(demo, f, "team", before), "team", "en")
    assert rep.scorecard is not None and rep.scorecard.as_dicts() == rows
    verdicts = {c.action_id: c.verdict for c in check_all(demo)}
    effect = rep.actions[1]
    assert effect.as_dicts() and all(r["Verdict"] == t("verdict_" + verdicts[str(r["ID"])], "en")
                                     for r in effect.as_dicts())


def test_the_overview_and_monitoring_pages_show_the_report_s_figures(demo_copy: Path, built: dict) -> None:
    rep = built["2025Q3"]
    first, last = QUARTERS["2025Q3"]
    at = run_app(demo_copy, None, {"lang": "en", "from": first, "to": last})
    assert_no_exception(at)
    # The Overview's compact tile table (the phone layout of its tiles): indicator, value, status, change.
    tiles = next(df.value for df in at.dataframe if "This period" in df.value.columns)
    shown = {r["Indicator"]: r for r in tiles.to_dict("records")}
    for row in rep.headline.as_dicts():
        tile = shown[str(row["Indicator"])]
        assert (tile["This period"], tile["Status"]) == (row["Value"], row["Status"]), row["Indicator"]
        assert tile["Change"].replace("–", "—") == row["vs previous"], row["Indicator"]
    at = run_app(demo_copy, "app_pages/monitoring.py", {"lang": "en", "from": first, "to": last})
    assert_no_exception(at)
    grids = [df.value.to_dict("records") for df in at.dataframe]
    for tab in rep.sla:
        assert tab.as_dicts() in grids
    assert indicator_name("frt_sla_rate", "en") in rep.headline.column("Indicator")


def test_a_quarter_in_progress_is_reported_as_such(built: dict) -> None:
    rep = built["2025Q4"]
    assert rep.coverage.running == "2025-12" and rep.coverage.partial
    assert rep.coverage.complete_months == ("2025-10", "2025-11")
    assert "Dec 2025 is still in progress" in (rep.coverage_table.note if rep.coverage_table else "")
    # Its counts cover fewer days than the whole quarter before it: the headline table says so.
    assert rep.headline.note.startswith("The quarter is incomplete: counts such as tickets")
    assert not built["2025Q3"].coverage.partial and built["2025Q3"].headline.note == ""
